#pragma once
// The console's JSON endpoints, one function each; console_server.cpp authenticates the viewer and
// routes. Each function checks what the viewer's role may see.

#include "config/config.h"
#include "console/audit_snapshot.h"
#include "console/console_server.h"
#include "store/case_query.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <string>

namespace vikno::gateway::console {

/// One request to the console: who asks, what for, and where to answer.
struct Call {
    ConsoleContext& context;
    AuditSnapshot& audit;
    const ConsoleUser& viewer;
    Poco::Net::HTTPServerRequest& request;
    Poco::Net::HTTPServerResponse& response;
    std::string path;
    Poco::URI::QueryParameters query;

    bool auditor() const { return viewer.role == ConsoleUser::Role::Auditor; }
    /// A query parameter; empty when absent.
    std::string param(const std::string& name) const;
    /// The office a query may look at: the supervisor's own, whatever was asked; an auditor's choice.
    std::string office_scope() const;
};

void send_json(Call& call, int status, const std::string& body);
void send_download(Call& call, const std::string& media_type, const std::string& file_name, const std::string& body);
/// 403 for a page the viewer's role does not include.
void refuse_role(Call& call);
void not_found(Call& call, const std::string& what);
void bad_request(Call& call, const std::string& parameter, const std::string& reason);

/// "YYYY-MM-DD" (UTC) to epoch ms; `next_day` gives the start of the following day (an inclusive
/// "to"). nullopt when malformed.
std::optional<std::int64_t> day_start_ms(const std::string& day, bool next_day);
/// Reads the `from` and `to` days into `query` (to is inclusive); answers 400 and returns false
/// when one is malformed.
bool read_days(Call& call, CaseQuery& query);

void whoami(Call& call);
void registries(Call& call);
void list_cases(Call& call);
void case_timeline(Call& call, const std::string& case_id);
void quality(Call& call, bool csv);
// Auditors only.
void audit_entries(Call& call);
void audit_entry(Call& call, const std::string& seq, bool reveal);
void audit_state(Call& call);
void case_bundle(Call& call, const std::string& case_id);

}  // namespace vikno::gateway::console
