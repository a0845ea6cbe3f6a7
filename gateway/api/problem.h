#pragma once
// RFC 9457 problem details (application/problem+json) for every API error.

#include <vikno/result.h>

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace vikno::gateway {

struct Problem {
    int status = 500;
    std::string type;  ///< a short slug; sent as urn:vikno:problem:<slug>
    std::string title;
    std::string detail;
    FieldErrors errors;  ///< field path and reason, for validation problems
};

void send_problem(Poco::Net::HTTPServerResponse& response, const Problem& problem, const std::string& instance);

/// 503 storage-full with Retry-After: the gateway is out of disk space and took nothing from this
/// request; the same request (with the same Idempotency-Key) is safe to send again.
void send_storage_full(Poco::Net::HTTPServerResponse& response, const std::string& instance);

}  // namespace vikno::gateway
