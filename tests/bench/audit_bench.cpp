// The audit log's cost next to what bounds it, measured in one run: the disk's raw fdatasync rate
// and SHA-256 throughput, then durable appends with group commit from 1 to 64 threads, then
// `verify` over a log of 1,000,000 entries, then a gateway's start on a log of 3,000,000 entries
// (1,000,000 cases) and the memory that takes, then the console finding a case's entries in a log
// of 1,000,000 entries with and without its index, and an auditor's evidence bundle of one case
// there. Run: make bench (docs/performance.md).
#include "audit/audit_log.h"
#include "audit/entry_reading.h"
#include "audit/evidence_bundle.h"
#include "audit/log_files.h"
#include "audit/log_verifier.h"
#include "console/audit_index.h"
#include "process_memory.h"

#include <vikno/signing.h>

#include <Poco/File.h>
#include <Poco/JSON/Object.h>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

namespace {

using namespace vikno;
using namespace vikno::gateway::audit;

std::string pki(const std::string& file) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + file; }

const crypto::Signer& key() {
    static const auto s =
        std::move(crypto::open_signer(pki("gateway-signing.key"), pki("gateway-signing.crt")).value());
    return *s;
}

std::string scratch(const std::string& name) {
    const std::string dir = std::string(VIKNO_BENCH_DIR) + "/" + name;
    if (Poco::File(dir).exists()) Poco::File(dir).remove(true);
    Poco::File(dir).createDirectories();
    return dir;
}

// About the size of a case event; an exchange entry with wire bytes is 5-10 KB.
Poco::JSON::Object::Ptr typical_entry(std::int64_t n) {
    Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("kind", "case");
    e->set("at", "2026-11-26T01:16:17.000Z");
    e->set("case_id", "9b2f3c1e-7d4a-4e8b-a1c2-" + std::to_string(100000000000 + n));
    e->set("office", "vinnytsia-po-01");
    e->set("operator", "operator-17");
    e->set("service", "drac.birth-extract");
    e->set("status", "completed");
    e->set("note", "record found");
    return e;
}

void RawFdatasync(benchmark::State& state) {
    const std::string dir = scratch("fsync");
    const int fd = ::open((dir + "/file").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const std::string line(300, 'x');
    for (auto _ : state) {
        if (::write(fd, line.data(), line.size()) < 0 || ::fdatasync(fd) != 0) state.SkipWithError("write failed");
    }
    ::close(fd);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(RawFdatasync)->UseRealTime();

void Sha256Throughput(benchmark::State& state) {
    const std::string data(1 << 20, 'v');
    unsigned char digest[32];
    for (auto _ : state) EVP_Digest(data.data(), data.size(), digest, nullptr, EVP_sha256(), nullptr);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
}
BENCHMARK(Sha256Throughput);

std::mutex log_mutex;
std::unique_ptr<AuditLog> shared_log;

void DurableAppend(benchmark::State& state) {
    if (state.thread_index() == 0) {
        std::lock_guard lock(log_mutex);
        shared_log.reset();
        shared_log = std::make_unique<FileAuditLog>(AuditOptions{scratch("append"), 1000, 60}, key());
    }
    std::int64_t n = state.thread_index() * 1000000;
    for (auto _ : state) shared_log->append({typical_entry(n++)});
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(DurableAppend)->UseRealTime()->Threads(1)->Threads(4)->Threads(16)->Threads(64);

// A log of `entries` typical entries (a multiple of 10,000), appended in batches of 10,000.
void write_log(const std::string& dir, std::int64_t entries) {
    FileAuditLog log({dir, 100000, 3600}, key());
    std::vector<Poco::JSON::Object::Ptr> batch;
    for (std::int64_t i = 0; i < entries; ++i) {
        batch.push_back(typical_entry(i));
        if (batch.size() == 10000) {
            log.append(batch);
            batch.clear();
        }
    }
}

void Verify1MEntries(benchmark::State& state) {
    const std::string dir = scratch("verify");
    write_log(dir, 1000000);
    double grown_mib = 0;
    for (auto _ : state) {
        std::ofstream("/proc/self/clear_refs") << "5";  // the peak from here on
        const double before = vikno::bench::memory_mib(::getpid()).first;
        const auto report = verify_log(dir, {key().certificate()});
        grown_mib = vikno::bench::memory_mib(::getpid()).second - before;
        if (!report.ok() || report.entries != 1000000) state.SkipWithError("the log did not verify");
    }
    state.SetItemsProcessed(state.iterations() * 1000000);
    state.counters["peak_growth_MiB"] = grown_mib;
    state.counters["bytes"] = static_cast<double>(Poco::File(dir + "/entries.jsonl").getSize());
    Poco::File(dir).remove(true);
}
BENCHMARK(Verify1MEntries)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Opening the log reads every entry to rebuild the tree and check it against the last signed
// checkpoint. Each entry costs a hash's time; the memory must not grow with the log (a gateway
// with 1,000,000 cases holds about 3,000,000 entries).
void Reopen3MEntries(benchmark::State& state) {
    constexpr std::int64_t kEntries = 3000000;
    const std::string dir = scratch("reopen");
    write_log(dir, kEntries);
    double grown_mib = 0;
    for (auto _ : state) {
        std::ofstream("/proc/self/clear_refs") << "5";  // the peak from here on
        const double before = vikno::bench::memory_mib(::getpid()).first;
        FileAuditLog log({dir, 100000, 3600}, key());
        grown_mib = vikno::bench::memory_mib(::getpid()).second - before;
        if (log.size() != kEntries) state.SkipWithError("the log reopened with the wrong size");
    }
    state.SetItemsProcessed(state.iterations() * kEntries);
    state.counters["peak_growth_MiB"] = grown_mib;
    state.counters["bytes"] = static_cast<double>(Poco::File(dir + "/entries.jsonl").getSize());
    Poco::File(dir).remove(true);
}
BENCHMARK(Reopen3MEntries)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// The console's case page: a case's entries in a log of 1,000,000 entries (three per case, as a
// case's received, exchange and end), found by reading the whole log as the page did before 7
// December, or where the console's index says they are. Then the index made from nothing over the
// same log, once (what the first page after an upgrade costs).
const std::string& case_log() {
    static const std::string dir = [] {
        const std::string made = scratch("case-log");
        FileAuditLog log({made, 100000, 3600}, key());
        std::vector<Poco::JSON::Object::Ptr> batch;
        for (std::int64_t i = 0; i < 1000000; ++i) {
            batch.push_back(typical_entry(i / 3));
            if (batch.size() == 10000) {
                log.append(batch);
                batch.clear();
            }
        }
        return made;
    }();
    return dir;
}

std::string case_id_of(std::int64_t n) { return "9b2f3c1e-7d4a-4e8b-a1c2-" + std::to_string(100000000000 + n); }

void CaseEntriesByReadingTheLog(benchmark::State& state) {
    const std::string entries = case_log() + "/entries.jsonl";
    std::int64_t n = 0;
    for (auto _ : state) {
        const EntryFilter filter{case_id_of(n++ * 7919 % 333333), "", "", "", "", "", ""};
        int found = 0;
        for_each_line(entries, [&](std::uint64_t, std::string_view line) {
            if (filter.may_match(line) && filter.matches(parse_entry(std::string(line)))) ++found;
            return true;
        });
        if (found != 3) state.SkipWithError("the case's three entries were not found");
    }
}
BENCHMARK(CaseEntriesByReadingTheLog)->Unit(benchmark::kMillisecond)->UseRealTime();

void CaseEntriesByTheIndex(benchmark::State& state) {
    const std::string entries = case_log() + "/entries.jsonl";
    vikno::gateway::console::AuditIndex index(case_log() + "/console-index.sqlite");
    index.catch_up(entries);
    std::int64_t n = 0;
    for (auto _ : state) {
        index.catch_up(entries);  // as every page does: nothing new here
        const std::string case_id = case_id_of(n++ * 7919 % 333333);
        const EntryFilter filter{case_id, "", "", "", "", "", ""};
        int found = 0;
        for (const auto& place : index.lines_of_case(case_id)) {
            const auto line = entry_line_at(entries, place.seq, place.offset);
            if (line && filter.matches(parse_entry(*line))) ++found;
        }
        if (found != 3) state.SkipWithError("the case's three entries were not found");
    }
}
BENCHMARK(CaseEntriesByTheIndex)->Unit(benchmark::kMicrosecond)->UseRealTime();

// An auditor's evidence bundle of one case in the same log: its three entries, each with an
// inclusion proof against the latest checkpoint, which needs the hash of every leaf before it.
// peak_growth_MiB is what making the bundle held beyond what the process held before.
void BundleOfACase1MEntries(benchmark::State& state) {
    const std::string& dir = case_log();  // made before the first measurement
    std::int64_t n = 0;
    double grown_mib = 0;
    for (auto _ : state) {
        std::ofstream("/proc/self/clear_refs") << "5";  // the peak from here on
        const double before = vikno::bench::memory_mib(::getpid()).first;
        const auto bundle = export_bundle(dir, case_id_of(n++ * 7919 % 333333), key().certificate(), {});
        grown_mib = std::max(grown_mib, vikno::bench::memory_mib(::getpid()).second - before);
        if (!bundle || check_bundle(bundle.value(), key().certificate()).entries.size() != 3) {
            state.SkipWithError("the bundle did not prove the case's three entries");
        }
    }
    state.counters["peak_growth_MiB"] = grown_mib;
}
BENCHMARK(BundleOfACase1MEntries)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The same bundles as the console makes them, with its index: the case's lines where the index
// says, the roots of whole blocks of 1,024 entries from it, and the lines of at most two blocks
// per proof.
void BundleOfACaseByTheIndex(benchmark::State& state) {
    const std::string& dir = case_log();
    vikno::gateway::console::AuditIndex index(dir + "/console-index.sqlite");
    index.catch_up(dir + "/entries.jsonl");
    std::int64_t n = 0;
    for (auto _ : state) {
        const auto bundle = export_bundle(dir, case_id_of(n++ * 7919 % 333333), key().certificate(), {}, &index);
        if (!bundle || check_bundle(bundle.value(), key().certificate()).entries.size() != 3) {
            state.SkipWithError("the bundle did not prove the case's three entries");
        }
    }
}
BENCHMARK(BundleOfACaseByTheIndex)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same two ways on a real log, when VIKNO_BENCH_AUDIT_DIR names a folder holding one (a
// vikno-load run's audit folder, say; its index is made beside it first, and the gateway's test
// signing key must be the one that sealed it). The cases are those of every 1,000th line.
std::vector<std::string> real_log_cases(const std::string& entries) {
    std::vector<std::string> cases;
    for_each_line(entries, [&](std::uint64_t seq, std::string_view line) {
        static constexpr std::string_view kKey = "\"case_id\":\"";
        if (seq % 1000 != 0) return true;
        if (const auto at = line.find(kKey); at != std::string_view::npos) {
            const auto start = at + kKey.size();
            cases.emplace_back(line.substr(start, line.find('"', start) - start));
        }
        return true;
    });
    return cases;
}

void BundleOfARealLogCase(benchmark::State& state) {
    const char* dir = std::getenv("VIKNO_BENCH_AUDIT_DIR");
    if (dir == nullptr) {
        state.SkipWithError("set VIKNO_BENCH_AUDIT_DIR to a folder with a sealed audit log");
        return;
    }
    const std::string entries = std::string(dir) + "/entries.jsonl";
    static const auto cases = real_log_cases(entries);
    const auto started = std::chrono::steady_clock::now();
    vikno::gateway::console::AuditIndex index(std::string(dir) + "/console-index.sqlite");
    index.catch_up(entries);
    state.counters["index_made_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const bool by_index = state.range(0) == 1;
    std::size_t n = 0;
    for (auto _ : state) {
        const auto bundle =
            export_bundle(dir, cases[n++ * 7919 % cases.size()], key().certificate(), {}, by_index ? &index : nullptr);
        if (!bundle || !check_bundle(bundle.value(), key().certificate()).ok()) {
            state.SkipWithError("the bundle did not prove the case's entries");
        }
    }
}
BENCHMARK(BundleOfARealLogCase)->Arg(0)->Arg(1)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();

void IndexMade1MEntries(benchmark::State& state) {
    const std::string entries = case_log() + "/entries.jsonl";
    for (auto _ : state) {
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(case_log() + "/fresh-index.sqlite" + suffix);
        vikno::gateway::console::AuditIndex index(case_log() + "/fresh-index.sqlite");
        index.catch_up(entries);
        if (index.lines() != 1000000) state.SkipWithError("the index did not reach the end of the log");
    }
    state.SetItemsProcessed(state.iterations() * 1000000);
    state.counters["bytes"] = static_cast<double>(Poco::File(entries).getSize());
    state.counters["index_bytes"] = static_cast<double>(Poco::File(case_log() + "/fresh-index.sqlite").getSize());
    Poco::File(case_log()).remove(true);  // the last of the three that read it
}
BENCHMARK(IndexMade1MEntries)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
