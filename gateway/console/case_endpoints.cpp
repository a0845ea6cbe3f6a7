// Cases as supervisors and auditors see them: a search, and one case's timeline (its status
// changes, each attempt, the registry's answer in short, a life situation's steps). The applicant
// is shown masked: the console supervises the work, it does not serve the applicant.

#include "common/clock.h"
#include "console/endpoints.h"

#include "audit/entry_reading.h"
#include "audit/log_files.h"

#include <vikno/case_json.h>
#include <vikno/masking.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <set>

namespace vikno::gateway::console {
namespace {

constexpr std::size_t kMaxCases = 1000;

bool plausible_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && id.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos;
}

Poco::JSON::Object::Ptr row_json(const CaseRow& row) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    item->set("id", row.id);
    item->set("service", row.service);
    item->set("office", row.office);
    item->set("operator", row.operator_id);
    item->set("status", row.status);
    item->set("received_at", rfc3339(row.created_ms));
    item->set("updated_at", rfc3339(row.updated_ms));
    if (!row.parent_id.empty()) item->set("situation", row.parent_id);
    return item;
}

// The CaseQuery a request asks for, or the parameter that is wrong.
std::optional<CaseQuery> read_query(Call& call, std::size_t default_limit) {
    CaseQuery query;
    query.id = call.param("id");
    query.office = call.office_scope();
    query.operator_id = call.param("operator");
    query.service = call.param("service");
    query.status = call.param("status");
    if (!query.id.empty() && !plausible_id(query.id)) {
        bad_request(call, "id", "expected a case id (hex digits and dashes)");
        return std::nullopt;
    }
    if (!query.status.empty() && !parse_case_status(query.status)) {
        bad_request(call, "status",
                    "expected one of received, queued, sending, awaiting_registry, completed, "
                    "rejected, failed, partly_completed, cancelled");
        return std::nullopt;
    }
    if (!read_days(call, query)) return std::nullopt;
    query.limit = default_limit;
    if (const std::string limit = call.param("limit"); !limit.empty()) {
        if (limit.find_first_not_of("0123456789") != std::string::npos || limit.size() > 6 || std::stoul(limit) == 0) {
            bad_request(call, "limit", "expected a number of cases from 1 to " + std::to_string(kMaxCases));
            return std::nullopt;
        }
        query.limit = std::min<std::size_t>(std::stoul(limit), kMaxCases);
    }
    return query;
}

Poco::JSON::Object::Ptr applicant_json(const Applicant& a) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    out->set("rnokpp", masking::rnokpp(a.rnokpp));
    out->set("last_name", masking::name(a.last_name));
    out->set("first_name", masking::name(a.first_name));
    out->set("birth_date", masking::date(a.birth_date));
    return out;
}

}  // namespace

void whoami(Call& call) {
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("name", call.viewer.name);
    json.set("role", call.auditor() ? "auditor" : "supervisor");
    if (!call.auditor()) json.set("office", call.viewer.office);
    Poco::JSON::Array::Ptr offices = new Poco::JSON::Array;
    for (const auto& office : call.context.config.offices) {
        if (call.auditor() || office.id == call.viewer.office) offices->add(office.id);
    }
    json.set("offices", offices);
    send_json(call, 200, to_json_text(json));
}

void registries(Call& call) {
    const std::int64_t now = now_ms();
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& status : call.context.breakers.statuses()) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("registry", status.registry);
        item->set("state", Breakers::name(status.state));
        item->set("consecutive_failures", status.consecutive_failures);
        item->set("opened_total", status.opened_total);
        // Availability: the share of the time since the first change kept that the breaker was closed.
        std::int64_t closed_ms = 0;
        Poco::JSON::Array::Ptr history = new Poco::JSON::Array;
        for (std::size_t i = 0; i < status.history.size(); ++i) {
            const auto& change = status.history[i];
            const std::int64_t until = i + 1 < status.history.size() ? status.history[i + 1].at_ms : now;
            if (change.state == Breakers::State::Closed) closed_ms += std::max<std::int64_t>(0, until - change.at_ms);
            Poco::JSON::Object::Ptr c = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            c->set("at", rfc3339(change.at_ms));
            c->set("state", Breakers::name(change.state));
            history->add(c);
        }
        const std::int64_t span = status.history.empty() ? 0 : now - status.history.front().at_ms;
        item->set("available_share", span > 0 ? static_cast<double>(closed_ms) / static_cast<double>(span) : 1.0);
        item->set("since", status.history.empty() ? rfc3339(now) : rfc3339(status.history.front().at_ms));
        item->set("history", history);
        list->add(item);
    }
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("registries", list);
    send_json(call, 200, to_json_text(json));
}

void list_cases(Call& call) {
    auto query = read_query(call, 200);
    if (!query) return;
    const auto rows = call.context.store.search(*query);
    Poco::JSON::Array::Ptr cases = new Poco::JSON::Array;
    for (const auto& row : rows) cases->add(row_json(row));
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("cases", cases);
    json.set("limit", query->limit);
    send_json(call, 200, to_json_text(json));
}

void case_timeline(Call& call, const std::string& case_id) {
    if (!plausible_id(case_id)) return bad_request(call, "id", "expected a case id (hex digits and dashes)");
    CaseQuery query;
    query.id = case_id;
    query.office = call.office_scope();
    query.limit = 1;
    const auto rows = call.context.store.search(query);
    // Another office's case is "not found" to a supervisor: the console does not confirm it exists.
    if (rows.empty()) return not_found(call, "no case " + case_id + " that you may see");
    const auto found = call.context.store.find(case_id);
    if (!found) return not_found(call, "no case " + case_id);
    const Case& c = *found;

    auto json = row_json(rows.front());
    json->set("applicant", applicant_json(c.applicant));
    Poco::JSON::Array::Ptr history = new Poco::JSON::Array;
    for (const auto& change : c.history) {
        Poco::JSON::Object::Ptr h = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        h->set("status", std::string(to_string(change.status)));
        h->set("at", change.at);
        h->set("note", masking::scrub(change.note));
        history->add(h);
    }
    json->set("history", history);
    // Where this case is in the audit log, so the auditor can open its exchanges; the numbers of
    // its exchange entries, so that each attempt can name its own.
    std::set<std::uint64_t> exchange_entries;
    if (call.auditor()) {
        const audit::EntryFilter filter{case_id, "", "", "", "", "", ""};
        Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
        call.audit.view().for_each_line_of_case(case_id, [&](std::uint64_t seq, std::string_view line) {
            const auto entry = audit::parse_entry(std::string(line));
            if (!filter.matches(entry)) return;
            Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            e->set("seq", seq);
            for (const char* key : {"at", "kind", "registry", "attempt"}) e->set(key, audit::entry_field(entry, key));
            e->set("outcome", audit::entry_outcome(entry));
            entries->add(e);
            if (audit::entry_field(entry, "kind") == "exchange") exchange_entries.insert(seq);
        });
        json->set("audit_entries", entries);
    }
    Poco::JSON::Array::Ptr attempts = new Poco::JSON::Array;
    for (const auto& exchange : call.context.store.exchanges(case_id)) {
        Poco::JSON::Object::Ptr a = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        a->set("attempt", exchange.attempt);
        a->set("registry", exchange.registry);
        a->set("started_at", rfc3339(exchange.started_ms));
        a->set("duration_ms", exchange.duration_ms);
        a->set("http_status", exchange.http_status);
        a->set("error", exchange.error);
        // The entry the store refers to for the wire bytes, once the console's view of the log has it
        // (a log in PostgreSQL is numbered after the commit and pulled at most once a second).
        if (call.auditor() && exchange.audit_entry) {
            const auto seq = call.context.audit.entry_seq(*exchange.audit_entry);
            if (seq && exchange_entries.contains(*seq)) a->set("audit_entry", *seq);
        }
        attempts->add(a);
    }
    json->set("attempts", attempts);
    if (c.outcome) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("registry_reference", c.outcome->registry_reference);
        o->set("message_uk", masking::scrub(c.outcome->message_uk));
        o->set("message_en", masking::scrub(c.outcome->message_en));
        o->set("document", !c.outcome->document_json.empty());
        json->set("outcome", o);
    }
    const auto steps = call.context.store.steps(case_id);
    if (!steps.empty()) {
        const SituationDefinition* definition = call.context.situations.find(c.service);
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& step : steps) {
            Poco::JSON::Object::Ptr s = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            s->set("step", step.step_id);
            s->set("service", step.service);
            s->set("position", step.position);
            s->set("optional", step.optional);
            s->set("status", step.status);
            s->set("case_id", step.case_id);
            s->set("reason", masking::scrub(step.reason));
            // What it waits for, from the definition the gateway runs (empty when it was removed since).
            Poco::JSON::Array::Ptr needs = new Poco::JSON::Array;
            const StepDefinition* defined = definition != nullptr ? definition->step(step.step_id) : nullptr;
            if (defined != nullptr) {
                for (const auto& need : defined->needs) needs->add(need);
            }
            s->set("needs", needs);
            list->add(s);
        }
        json->set("steps", list);
    }
    send_json(call, 200, to_json_text(json));
}

}  // namespace vikno::gateway::console
