#pragma once
// One function per API endpoint; api_server.cpp routes requests to them.

#include "api/api_server.h"

#include <vikno/http_signature.h>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace vikno::gateway::endpoints {

using Request = Poco::Net::HTTPServerRequest;
using Response = Poco::Net::HTTPServerResponse;

// `office` is the office the client certificate proved (api_server.cpp checks it before routing).
void submit_case(ApiContext& context, const OfficeConfig& office, Request& request, Response& response);
void get_case(ApiContext& context, const OfficeConfig& office, const std::string& case_id, Request& request,
              Response& response);
/// POST /v1/cases/{id}/cancel: a life situation stops starting steps; a case still waiting to be
/// sent is cancelled.
void cancel_case(ApiContext& context, const OfficeConfig& office, const std::string& case_id, Request& request,
                 Response& response);
void list_services(ApiContext& context, const OfficeConfig& office, Request& request, Response& response);
void health(ApiContext& context, Request& request, Response& response);
/// GET /v1/registries: each loaded registry and the state of its circuit breaker.
void list_registries(ApiContext& context, Request& request, Response& response);
/// POST /v1/callbacks/{plugin}: a registry answering an awaiting case later. Authenticated by the
/// registry's signature (its pinned certificate), not by an office certificate.
void registry_callback(ApiContext& context, const std::string& plugin, Request& request, Response& response);
/// A callback's head and body as its signature covers them (also what the callback fuzz target reads).
httpsig::HttpMessage callback_message(const Poco::Net::HTTPRequest& request, std::string body);
void metrics(ApiContext& context, Request& request, Response& response);

/// Sends a JSON body with the given status.
void send_json(Response& response, int status, const std::string& body);

}  // namespace vikno::gateway::endpoints
