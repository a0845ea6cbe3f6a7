// The auditors' pages: entries with `vikno audit list`'s filters, one entry with its wire messages
// (masked; in full on request, which is itself logged), the log's verification state, and a case's
// evidence bundle.

#include "api/problem.h"
#include "audit/entries.h"
#include "audit/entry_reading.h"
#include "audit/evidence_bundle.h"
#include "audit/log_files.h"
#include "console/endpoints.h"
#include "console/wire_masking.h"

#include <vikno/case_json.h>
#include <vikno/masking.h>
#include <vikno/signing.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <spdlog/spdlog.h>

#include <deque>

namespace vikno::gateway::console {
namespace {

constexpr std::size_t kMaxListed = 500;

std::optional<std::uint64_t> parse_seq(const std::string& text) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    return std::stoull(text);
}

std::optional<audit::Checkpoint> last_checkpoint(const std::string& dir) {
    const auto lines = audit::read_lines(dir + "/" + audit::kCheckpointsFile);
    for (auto it = lines.lines.rbegin(); it != lines.lines.rend(); ++it) {
        if (auto checkpoint = audit::parse_checkpoint(*it)) return checkpoint;
    }
    return std::nullopt;
}

}  // namespace

void audit_entries(Call& call) {
    if (!call.auditor()) return refuse_role(call);
    const audit::EntryFilter filter{call.param("case"),    call.param("registry"), call.param("office"),
                                    call.param("service"), call.param("outcome"),  call.param("from"),
                                    call.param("to")};
    // Oldest to newest, keeping the newest kMaxListed matches: an auditor usually looks for what
    // just happened. A case's entries are read where the index says they are; any other filter
    // reads the log a block at a time, whatever its size.
    std::deque<Poco::JSON::Object::Ptr> newest;
    std::size_t matched = 0;
    const auto view = call.audit.view();
    const auto visit = [&](std::uint64_t seq, std::string_view line) {
        if (!filter.may_match(line)) return true;
        const auto entry = audit::parse_entry(std::string(line));
        if (!filter.matches(entry)) return true;
        ++matched;
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("seq", seq);
        for (const char* key : {"at", "kind", "case_id", "office", "operator", "service", "registry", "attempt"}) {
            item->set(key, audit::entry_field(entry, key));
        }
        item->set("outcome", audit::entry_outcome(entry));
        newest.push_back(item);
        if (newest.size() > kMaxListed) newest.pop_front();
        return true;
    };
    if (filter.case_id.empty()) {
        audit::for_each_line(view.entries_path(), visit);
    } else {
        view.for_each_line_of_case(filter.case_id, visit);
    }
    Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
    for (auto it = newest.rbegin(); it != newest.rend(); ++it) entries->add(*it);
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("matched", matched);
    json.set("shown", std::min(matched, kMaxListed));
    json.set("entries", entries);
    send_json(call, 200, to_json_text(json));
}

void audit_entry(Call& call, const std::string& seq_text, bool reveal) {
    if (!call.auditor()) return refuse_role(call);
    const auto seq = parse_seq(seq_text);
    if (!seq) return bad_request(call, "entry", "expected an entry number from the list");
    const auto view = call.audit.view();
    const auto found = view.line(*seq);
    if (!found) return not_found(call, "there is no entry " + seq_text);
    const std::string& line = *found;
    const auto entry = audit::parse_entry(line);
    if (reveal) {
        // Logged first and durably: if the log refuses, the bytes are not shown.
        call.context.audit.append({audit::full_view_entry(call.viewer.name, *seq, entry)});
        call.audit.appended();
        spdlog::info("console: {} was shown audit entry {} in full", call.viewer.name, *seq);
    }
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("seq", *seq);
    json.set("leaf_hash", audit::to_hex(audit::leaf_hash(line)));
    const auto checkpoint = last_checkpoint(view.dir());
    json.set("sealed", checkpoint.has_value() && *seq < checkpoint->tree_size);
    json.set("masked", !reveal);
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, value] : *entry) {
        if (key == "request" || key == "response") continue;
        // The entry's own fields are the gateway's bookkeeping (ids, times, outcomes); only a note
        // is free text that could carry what a registry said about a person.
        const std::string text = value.toString();
        fields->set(key, reveal || key != "note" ? text : masking::scrub(text));
    }
    json.set("fields", fields);
    Poco::JSON::Array::Ptr messages = new Poco::JSON::Array;
    for (const char* key : {"request", "response"}) {
        if (!entry->has(key)) continue;
        const auto bytes = crypto::base64_decode(audit::entry_field(entry, key));
        Poco::JSON::Object::Ptr message = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        message->set("name", key);
        message->set("bytes", bytes ? bytes.value().size() : 0);
        if (!bytes) {
            message->set("text", "(not base64)");
        } else if (bytes.value().empty()) {
            message->set("text", "");
        } else {
            message->set("text", reveal ? audit::readable_wire(bytes.value()) : masked_wire(bytes.value()));
        }
        if (std::string(key) == "response") message->set("signature_check", audit::entry_field(entry, "verification"));
        messages->add(message);
    }
    json.set("messages", messages);
    send_json(call, 200, to_json_text(json));
}

void audit_state(Call& call) {
    if (!call.auditor()) return refuse_role(call);
    const auto report = call.audit.verify();
    const auto checkpoint = last_checkpoint(call.audit.view().dir());
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("verified", report.ok());
    json.set("entries", report.entries);
    json.set("checkpoints", report.checkpoints);
    json.set("sealed", report.sealed);
    json.set("unsealed", report.entries - std::min(report.entries, report.sealed));
    if (checkpoint) {
        Poco::JSON::Object::Ptr last = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        last->set("tree_size", checkpoint->tree_size);
        last->set("root", audit::to_hex(checkpoint->root));
        last->set("at", checkpoint->at);
        last->set("key_id", checkpoint->key_id);
        json.set("last_checkpoint", last);
    }
    Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
    for (const auto& problem : report.problems) problems->add(problem);
    json.set("problems", problems);
    Poco::JSON::Array::Ptr warnings = new Poco::JSON::Array;
    for (const auto& warning : report.warnings) warnings->add(warning);
    json.set("warnings", warnings);
    send_json(call, 200, to_json_text(json));
}

void case_bundle(Call& call, const std::string& case_id) {
    if (!call.auditor()) return refuse_role(call);
    const auto view = call.audit.view();
    auto bundle = audit::export_bundle(view.dir(), case_id, call.audit.trusted().front(),
                                       registry_certificates_pem(call.context.config), view.index());
    if (!bundle) {
        const int status = bundle.error().code == "case_unknown" ? 404 : 409;
        send_problem(
            call.response,
            {status,
             bundle.error().code,
             "No evidence bundle",
             bundle.error().message +
                 (bundle.error().code == "not_sealed" ? " (the next checkpoint seals it; try again soon)" : ""),
             {}},
            call.path);
        return;
    }
    spdlog::info("console: {} downloaded the evidence bundle of case {}", call.viewer.name, case_id);
    send_download(call, "application/json", "evidence-" + case_id + ".json", bundle.value());
}

}  // namespace vikno::gateway::console
