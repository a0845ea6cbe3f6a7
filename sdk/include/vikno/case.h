#pragma once
// The one internal case model, the gateway's: a CNAP back-end submits a case and the gateway stores
// it with its bookkeeping (status, history, times). Plugins never see it: they read a CaseView
// (case_view.h), built from it, and answer with an Outcome (outcome.h).

#include <vikno/case_view.h>
#include <vikno/outcome.h>

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vikno {

/// Where a case is on its path. Completed, Rejected and Failed are final.
///   received          accepted and stored (the API answered 202)
///   queued            waiting in the outbox for a dispatcher worker (also after a transient failure)
///   sending           a worker translates, sends and waits for the registry's answer
///   awaiting_registry the registry acknowledged the request and will answer later (asynchronous registries)
///   completed         the registry gave the result (see outcome)
///   rejected          the registry answered, and the answer is "no" (not found, refused with reasons)
///   failed            no answer could be had or used (invalid request, malformed answer, retries exhausted)
/// PartlyCompleted and Cancelled are for life situations (a case whose steps are cases of their own):
/// every required step completed but an optional one did not; or cancelled while steps waited.
enum class CaseStatus {
    Received,
    Queued,
    Sending,
    AwaitingRegistry,
    Completed,
    Rejected,
    Failed,
    PartlyCompleted,
    Cancelled
};

std::string_view to_string(CaseStatus status) noexcept;
std::optional<CaseStatus> parse_case_status(std::string_view text) noexcept;
bool is_final(CaseStatus status) noexcept;

struct StatusChange {
    CaseStatus status = CaseStatus::Received;
    std::string at;  ///< RFC 3339 UTC with milliseconds
    std::string note;
};

struct Case {
    std::string id;
    std::string service;  ///< a service code offered by a loaded plugin, e.g. `drac.birth-extract`
    std::string idempotency_key;
    Office office;
    Applicant applicant;
    Poco::JSON::Object::Ptr subject = new Poco::JSON::Object;  ///< the service's own fields
    std::vector<Attachment> attachments;
    /// Where the gateway POSTs this case's events; empty: the office's configured URL, if any.
    std::string callback_url;

    CaseStatus status = CaseStatus::Received;
    std::string created_at;
    std::string updated_at;
    std::vector<StatusChange> history;
    std::optional<Outcome> outcome;

    /// The text at a dotted path inside `subject` (`child.last_name`), or nullopt when the path is
    /// absent or not a scalar. Numbers and booleans are returned as their JSON text.
    std::optional<std::string> subject_text(std::string_view dotted_path) const;
    /// True when the dotted path names an object inside `subject`.
    bool subject_has_object(std::string_view dotted_path) const;
};

/// The value at a dotted path (`child.last_name`) inside a JSON object, of any type, or nullopt when
/// the path is absent or null.
std::optional<Poco::Dynamic::Var> json_at(const Poco::JSON::Object::Ptr& object, std::string_view dotted_path);

}  // namespace vikno
