// Registries that answer later (Diia) call the gateway back. The callback is believed only when it
// carries the registry's own signature (the pinned certificate, as for answers), names a request a
// case is waiting for, and has not been processed before. Then it ends the case like an answer
// would: audit first, then the store.

#include "api/endpoints.h"
#include "api/problem.h"
#include "audit/entries.h"
#include "common/clock.h"

#include <vikno/http_signature.h>

#include <Poco/StreamCopier.h>

#include <spdlog/spdlog.h>

#include <ctime>

namespace vikno::gateway::endpoints {
namespace {

const LoadedPlugin* plugin_named(const PluginHost& plugins, const std::string& name) {
    for (const auto& loaded : plugins.plugins()) {
        if (loaded.descriptor.name == name) return &loaded;
    }
    return nullptr;
}

// The callback as it came, for the exchange record and the audit log (POCO has parsed the head;
// this is its faithful re-serialisation with the exact body).
std::string wire_of(Request& request, const std::string& body) {
    std::string out = request.getMethod() + " " + request.getURI() + " " + request.getVersion() + "\r\n";
    for (const auto& [name, value] : request) out += name + ": " + value + "\r\n";
    return out + "\r\n" + body;
}

}  // namespace

void registry_callback(ApiContext& context, const std::string& name, Request& request, Response& response) {
    const std::string instance = request.getURI();
    const LoadedPlugin* plugin = plugin_named(context.plugins, name);
    if (plugin == nullptr || plugin->descriptor.callback_header.empty()) {
        send_problem(response, {404, "not-found", "No such callback", "no loaded plugin '" + name + "' takes callbacks", {}},
                     instance);
        return;
    }
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    if (body.size() > 16U * context.config.server.max_body_bytes) {
        send_problem(response, {413, "too-large", "Callback too large", "", {}}, instance);
        return;
    }
    Headers headers;
    for (const auto& [header, value] : request) headers.emplace_back(header, value);

    httpsig::HttpMessage message;
    message.method = request.getMethod();
    message.target_uri = "https://" + request.getHost() + request.getURI();
    message.headers = headers;
    message.body = body;
    const RegistryTrust& trust = context.credentials.registry(plugin->config_index);
    if (auto verified = httpsig::verify(message, trust.answer_certificate, std::time(nullptr)); !verified) {
        spdlog::warn("callback for {} refused: {}: {}", name, verified.error().code, verified.error().message);
        send_problem(response, {401, "callback-signature", "The callback's signature does not verify",
                                verified.error().code + ": " + verified.error().message, {}},
                     instance);
        return;
    }
    const std::string correlation = find_header(headers, plugin->descriptor.callback_header);
    const auto case_id = correlation.empty() ? std::nullopt : context.store.awaiting_case(name, correlation);
    const auto found = case_id ? context.store.find(*case_id) : std::nullopt;
    if (!found) {
        send_problem(response, {404, "unknown-request", "No case awaits this callback",
                                "no case is waiting for " + plugin->descriptor.callback_header + " '" + correlation + "'",
                                {{"header:" + plugin->descriptor.callback_header, "names no awaiting request"}}},
                     instance);
        return;
    }
    const Case& c = *found;
    Interpretation meaning = plugin->plugin->interpret_callback(c, RegistryAnswer{0, headers, body});
    if (meaning.verdict == Verdict::Retry) {
        response.set("Retry-After", "30");
        send_problem(response, {503, "try-later", "The callback cannot be taken now", meaning.reason, {}}, instance);
        return;
    }
    if (meaning.verdict != Verdict::Completed && meaning.verdict != Verdict::Rejected) meaning.verdict = Verdict::Failed;
    const CaseStatus status = final_status(meaning.verdict);
    const std::string answer = R"({"status":"accepted"})";
    ExchangeRecord record{c.id, 0, name, "callback", now_ms(), 0, wire_of(request, body),
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + answer, 0, ""};
    context.dispatcher.audit_entries(
        {audit::exchange_entry(c, record, {plugin->descriptor.version, "verified", std::string(to_string(status))}),
         audit::case_event(c, std::string(to_string(status)), meaning.reason)});
    if (!context.store.finish_callback(c.id, name, correlation, status, meaning.outcome, meaning.reason, record)) {
        send_problem(response, {409, "already-processed", "This callback was processed before", "", {}}, instance);
        return;
    }
    spdlog::info("case {}: {} called back: {} ({})", c.id, name, to_string(status), meaning.reason);
    send_json(response, 200, answer);
}

}  // namespace vikno::gateway::endpoints
