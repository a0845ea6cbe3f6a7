#pragma once
// What the gateway writes to the audit log: one entry per exchange with a registry (the exact wire
// bytes both ways, the signature check, the outcome) and one per case event (received, final
// status), so a case's story is complete. Field names are documented in docs/audit.md.

#include "store/case_store.h"

#include <vikno/case.h>

#include <Poco/JSON/Object.h>

#include <string>

namespace vikno::gateway::audit {

struct ExchangeFacts {
    std::string plugin_version;
    std::string verification;  ///< `verified`, `not checked (no answer)` or `refused: <check>: ...`
    std::string outcome;       ///< `completed`, `rejected`, `failed`, `retry`
};

Poco::JSON::Object::Ptr exchange_entry(const Case& c, const ExchangeRecord& record, const ExchangeFacts& facts);
Poco::JSON::Object::Ptr case_event(const Case& c, const std::string& status, const std::string& note);
/// An auditor was shown entry `seq` in full in the web console: who, and which entry of which case.
/// Written before the bytes are sent, so a reading that is not recorded does not happen.
Poco::JSON::Object::Ptr full_view_entry(const std::string& viewer, std::uint64_t seq,
                                        const Poco::JSON::Object::Ptr& shown);

}  // namespace vikno::gateway::audit
