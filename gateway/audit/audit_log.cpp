#include "audit/audit_log.h"

#include "audit/log_files.h"

#include <vikno/case_json.h>

#include "common/clock.h"
#include "common/storage_full.h"

#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace vikno::gateway::audit {
namespace {

std::string errno_text() { return std::strerror(errno); }

int open_append(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) throw AuditError(path + ": cannot open the audit log for appending: " + errno_text());
    ::fchmod(fd, 0600);  // it holds personal data, whatever the umask
    return fd;
}

// 0, or the errno of the write that failed.
int write_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

}  // namespace

std::string checkpoint_text(std::uint64_t tree_size, const Hash& root, const std::string& at) {
    return "vikno-audit-checkpoint/v1\nsize " + std::to_string(tree_size) + "\nroot " + to_hex(root) + "\nat " + at +
           "\n";
}

std::string entry_line(std::uint64_t seq, const Hash& prev, const Poco::JSON::Object& entry) {
    Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
    line.set("seq", seq);
    line.set("prev", seq == 0 ? std::string(64, '0') : to_hex(prev));
    for (const auto& [key, value] : entry) line.set(key, value);
    return to_json_text(line);
}

std::string checkpoint_line(const crypto::Signer& signer, const MerkleTree& tree,
                            std::optional<std::uint64_t> previous_size) {
    const std::uint64_t size = tree.size();
    const Hash root = tree.root(size);
    const std::string at = rfc3339(now_ms());
    auto signature = signer.sign(checkpoint_text(size, root, at));
    if (!signature) throw AuditError("the checkpoint could not be signed: " + signature.error().message);
    Poco::JSON::Object checkpoint(Poco::JSON_PRESERVE_KEY_ORDER);
    checkpoint.set("tree_size", size);
    checkpoint.set("root", to_hex(root));
    checkpoint.set("at", at);
    checkpoint.set("algorithm", signer.algorithm().name);
    checkpoint.set("key_id", signer.certificate().thumbprint());
    checkpoint.set("signature", crypto::base64(crypto::to_der_signature(signer.algorithm(), signature.value())));
    if (previous_size) {
        checkpoint.set("previous_size", *previous_size);
        Poco::JSON::Array proof;
        for (const auto& hash : tree.consistency_proof(*previous_size, size)) proof.add(to_hex(hash));
        checkpoint.set("consistency", proof);
    }
    return to_json_text(checkpoint);
}

FileAuditLog::FileAuditLog(AuditOptions options, const crypto::Signer& signer)
    : options_(std::move(options)), signer_(signer) {
    Poco::File(options_.dir).createDirectories();
    ::chmod(options_.dir.c_str(), 0700);
    recover();
    entries_fd_ = open_append(options_.dir + "/" + kEntriesFile);
    checkpoints_fd_ = open_append(options_.dir + "/" + kCheckpointsFile);
    if (!has_checkpoint_ || tree_.size() > sealed_size_) write_checkpoint_locked();
    checkpoints_ = std::thread([this] { run_checkpoints(); });
}

FileAuditLog::~FileAuditLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    if (checkpoints_.joinable()) checkpoints_.join();
    try {
        if (failure_.empty() && tree_.size() > sealed_size_) write_checkpoint_locked();
    } catch (const std::exception& e) {
        spdlog::error("audit: the final checkpoint could not be written: {}", e.what());
    }
    if (entries_fd_ >= 0) ::close(entries_fd_);
    if (checkpoints_fd_ >= 0) ::close(checkpoints_fd_);
}

namespace {

// A write cut short (a crash, a full disk) leaves bytes after the last newline: that line was never
// acknowledged to anyone. Keep a copy beside the file for the record, cut it off, and say so; the
// complete lines before it are the log. Reads only the file's tail, so a log of gigabytes costs no
// more than a small one.
void drop_torn_tail(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return;
    const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
    constexpr std::uint64_t kChunk = 1 << 16;
    std::string chunk;
    std::uint64_t keep = 0;  // bytes up to and including the last newline
    for (std::uint64_t end = size; end > 0 && keep == 0;) {
        const std::uint64_t begin = end > kChunk ? end - kChunk : 0;
        chunk.resize(end - begin);
        in.seekg(static_cast<std::streamoff>(begin));
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto newline = chunk.rfind('\n');
        if (newline != std::string::npos) keep = begin + newline + 1;
        end = begin;
    }
    if (keep == size) return;
    std::string tail(size - keep, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(keep));
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    const std::string copy = path + ".torn-" + std::to_string(now_ms());
    {
        std::ofstream out(copy, std::ios::binary);
        out.write(tail.data(), static_cast<std::streamsize>(tail.size()));
    }
    spdlog::warn(
        "audit: {}: dropping a torn last {} of {} bytes left by a cut-short write (never acknowledged); "
        "a copy is in {}",
        path, what, tail.size(), copy);
    if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0) {
        throw AuditError(path + ": cannot drop the torn last " + what + ": " + errno_text() +
                         "; free space or fix the folder's permissions, then start again");
    }
}

// Calls `line` for each newline-terminated line of the file, reading it a block at a time (entries
// hold wire bytes: the whole file would not fit in memory).
template <typename OnLine>
void for_each_line(const std::string& path, OnLine&& line) {
    std::ifstream in(path, std::ios::binary);
    std::string buffer;
    std::string block(1 << 20, '\0');
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        buffer.append(block.data(), static_cast<std::size_t>(in.gcount()));
        std::size_t start = 0;
        for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n', start)) {
            line(std::string_view(buffer).substr(start, end - start));
            start = end + 1;
        }
        buffer.erase(0, start);
    }
}

}  // namespace

void FileAuditLog::recover() {
    const std::string checkpoints_path = options_.dir + "/" + kCheckpointsFile;
    drop_torn_tail(checkpoints_path, "checkpoint");
    std::string last;
    for_each_line(checkpoints_path, [&](std::string_view line) {
        if (!line.empty()) last = line;
    });
    if (!last.empty()) {
        try {
            Poco::JSON::Parser parser;
            const auto checkpoint = parser.parse(last).extract<Poco::JSON::Object::Ptr>();
            sealed_size_ = checkpoint->getValue<std::uint64_t>("tree_size");
            const auto root = from_hex(checkpoint->getValue<std::string>("root"));
            if (!root) throw AuditError("bad root");
            sealed_root_ = *root;
            has_checkpoint_ = true;
        } catch (const std::exception&) {
            throw AuditError(checkpoints_path +
                             ": the last checkpoint cannot be read; the log may have been "
                             "tampered with: run 'vikno audit verify' and keep the folder for investigation");
        }
    }
    const std::string entries_path = options_.dir + "/" + kEntriesFile;
    drop_torn_tail(entries_path, "entry");
    // Only the root at the checkpoint and what follows it are asked for again, so the tree forgets
    // the rest as it is read: recovery's memory does not grow with the log.
    constexpr std::uint64_t kForgetEvery = 1 << 16;
    for_each_line(entries_path, [&](std::string_view line) {
        last_leaf_ = leaf_hash(line);
        tree_.append(last_leaf_);
        if (tree_.size() % kForgetEvery == 0) tree_.forget_before(sealed_size_);
    });
    if (has_checkpoint_ && (tree_.size() < sealed_size_ || tree_.root(sealed_size_) != sealed_root_)) {
        throw AuditError(entries_path + ": the entries no longer match the last signed checkpoint (" +
                         std::to_string(tree_.size()) + " entries, checkpoint covers " + std::to_string(sealed_size_) +
                         "); the log has been changed: run 'vikno audit verify' "
                         "and keep the folder for investigation");
    }
    tree_.forget_before(sealed_size_);
    queued_ = tree_.size();
    written_ = tree_.size();
}

void FileAuditLog::write_checkpoint_locked() {
    const std::uint64_t size = tree_.size();
    const std::string line =
        checkpoint_line(signer_, tree_, has_checkpoint_ ? std::optional<std::uint64_t>(sealed_size_) : std::nullopt);
    write_durably(checkpoints_fd_, line + "\n", options_.dir + "/" + kCheckpointsFile);
    sealed_size_ = size;
    sealed_root_ = tree_.root(size);
    has_checkpoint_ = true;
    first_unsealed_ms_ = 0;
    tree_.forget_before(size);  // the next checkpoint proves consistency from here on
}

std::uint64_t FileAuditLog::write_durably(int fd, const std::string& bytes, const std::string& path) {
    const off_t before = ::lseek(fd, 0, SEEK_END);  // where O_APPEND writes
    if (before < 0) throw AuditError(path + ": cannot find the end of the file: " + errno_text());
    int error = write_all(fd, bytes);
    if (error == 0 && ::fdatasync(fd) != 0) error = errno;
    if (error == 0) return static_cast<std::uint64_t>(before);
    if (!is_out_of_space(error)) throw AuditError(path + ": write failed: " + std::strerror(error));
    // The part that did get written was never acknowledged: cut it off, so that the file ends with
    // a whole line and the same write can be made again once there is room.
    if (::ftruncate(fd, before) != 0) {
        throw AuditError(path + ": out of space, and the part written could not be cut off again: " + errno_text() +
                         "; free space, then restart the gateway (it drops the torn line at start)");
    }
    throw StorageFull(path + ": " + std::strerror(error));
}

std::vector<AuditEntryRef> FileAuditLog::append(const std::vector<Poco::JSON::Object::Ptr>& entries) {
    {
        const std::lock_guard lock(mutex_);
        if (!failure_.empty()) throw AuditError(failure_);
        if (entries.empty()) return {};
        queued_ += entries.size();
    }
    auto job = std::make_shared<Append>();
    job->entries = &entries;
    turns_.run(job, [this](TakingTurns<Append>::Batch& batch) { write_turn(batch); });
    if (!job->out_of_space.empty()) throw StorageFull(job->out_of_space);
    return std::move(job->refs);
}

std::optional<std::string> FileAuditLog::entry_text(const AuditEntryRef& ref) {
    return entry_line_at(options_.dir + "/" + kEntriesFile, ref.seq, ref.offset);
}

// The file log's reference is its number: only a reference of another kind (a digest, from a log in
// PostgreSQL) or one beyond this log's end names nothing here.
std::optional<std::uint64_t> FileAuditLog::entry_seq(const AuditEntryRef& ref) {
    if (!ref.digest.empty() || ref.seq >= size()) return std::nullopt;
    return ref.seq;
}

std::uint64_t FileAuditLog::size() {
    std::lock_guard lock(mutex_);
    return queued_;
}

void FileAuditLog::write_turn(TakingTurns<Append>::Batch& batch) {
    {
        const std::lock_guard lock(mutex_);
        if (!failure_.empty()) throw AuditError(failure_);
    }
    // The tree learns the leaves only once they are on disk: a refused batch leaves no trace.
    const std::uint64_t first = tree_.size();
    std::string bytes;
    std::vector<Hash> leaves;
    Hash prev = last_leaf_;
    bool seal = false;
    for (auto& job : batch) {
        seal = seal || job->seal;
        if (job->entries == nullptr) continue;
        job->refs.clear();
        for (const auto& entry : *job->entries) {
            // The offset within the batch for now; the file's end is added once it is written.
            job->refs.push_back({first + leaves.size(), bytes.size(), {}});
            const std::string text = entry_line(first + leaves.size(), prev, *entry);
            prev = leaf_hash(text);
            leaves.push_back(prev);
            bytes += text;
            bytes += '\n';
        }
    }
    if (!leaves.empty()) {
        try {
            const std::uint64_t start = write_durably(entries_fd_, bytes, options_.dir + "/" + kEntriesFile);
            for (auto& job : batch) {
                for (auto& ref : job->refs) ref.offset += start;
            }
        } catch (const StorageFull& e) {
            for (auto& job : batch) job->out_of_space = e.what();
            const std::lock_guard lock(mutex_);
            queued_ -= leaves.size();
            return;
        } catch (const std::exception& e) {
            spdlog::critical("audit: {}; the gateway stops acknowledging answers until it is restarted", e.what());
            const std::lock_guard lock(mutex_);
            failure_ = e.what();
            throw AuditError(failure_);
        }
        for (const Hash& leaf : leaves) tree_.append(leaf);
        last_leaf_ = prev;
    }
    const std::lock_guard lock(mutex_);
    written_ = tree_.size();
    if (!leaves.empty() && first_unsealed_ms_ == 0) first_unsealed_ms_ = now_ms();
    // Every checkpoint_entries entries are sealed in the turn that reached the count; while the
    // disk refuses checkpoints, only the checkpoint thread's rounds try again.
    const bool many = checkpoint_refused_.empty() && written_ - sealed_size_ >= options_.checkpoint_entries;
    if ((seal || many) && written_ > sealed_size_) seal_locked();
}

void FileAuditLog::seal_locked() {
    const bool was_refused = !checkpoint_refused_.empty();
    try {
        write_checkpoint_locked();
        if (was_refused) spdlog::info("audit: checkpoints are written again");
        checkpoint_refused_.clear();
    } catch (const StorageFull& e) {
        // The entries are on disk; only their seal waits. Tried again on the next round.
        if (!was_refused) {
            spdlog::error("audit: a checkpoint could not be written ({}); it is tried again until there is room",
                          e.what());
        }
        checkpoint_refused_ = e.what();
    } catch (const std::exception& e) {
        spdlog::critical("audit: {}; the gateway stops acknowledging answers until it is restarted", e.what());
        failure_ = e.what();
    }
}

void FileAuditLog::run_checkpoints() {
    std::unique_lock lock(mutex_);
    while (true) {
        // Idle (everything sealed) it looks once a second; a turn seals every checkpoint_entries.
        const auto wait = std::chrono::milliseconds(first_unsealed_ms_ == 0 ? 1000 : 100);
        stop_.wait_for(lock, wait, [&] { return stopping_; });
        if (stopping_ || !failure_.empty()) return;
        const bool old = first_unsealed_ms_ != 0 &&
                         now_ms() - first_unsealed_ms_ >= static_cast<std::int64_t>(options_.checkpoint_seconds) * 1000;
        const bool refused_many =
            !checkpoint_refused_.empty() && written_ - sealed_size_ >= options_.checkpoint_entries;
        if (written_ <= sealed_size_ || !(old || refused_many)) continue;
        lock.unlock();
        auto job = std::make_shared<Append>();
        job->seal = true;
        try {
            turns_.run(job, [this](TakingTurns<Append>::Batch& batch) { write_turn(batch); });
        } catch (const std::exception&) {
            // failure_ says why; every append refuses from now on
        }
        lock.lock();
    }
}

}  // namespace vikno::gateway::audit
