// Registries that answer later (Diia) call the gateway back. The callback is believed only when it
// carries the registry's own signature (the pinned certificate, as for answers) over the header
// that names its request, that request is one a case is waiting for, and no other callback for it
// was or is being processed (the store hands it to one caller). Then it ends the case like an
// answer would: audit first, then the store.

#include "api/endpoints.h"
#include "api/problem.h"
#include "api/request_body.h"
#include "audit/entries.h"
#include "common/clock.h"
#include "signing/message_signing.h"

#include <vikno/http_signature.h>

#include <spdlog/spdlog.h>

#include <ctime>
#include <stdexcept>

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

httpsig::HttpMessage callback_message(const Poco::Net::HTTPRequest& request, std::string body) {
    httpsig::HttpMessage message;
    message.method = request.getMethod();
    // A request without Host (HTTP/1.0) gets a target no signature covers: refused, not thrown.
    message.target_uri = "https://" + request.get("Host", "") + request.getURI();
    for (const auto& [header, value] : request) message.headers.emplace_back(header, value);
    message.body = std::move(body);
    return message;
}

void registry_callback(ApiContext& context, const std::string& name, Request& request, Response& response) {
    const std::string instance = request.getURI();
    const LoadedPlugin* plugin = plugin_named(context.plugins, name);
    if (plugin == nullptr || plugin->descriptor.callback_header.empty()) {
        send_problem(response,
                     {404, "not-found", "No such callback", "no loaded plugin '" + name + "' takes callbacks", {}},
                     instance);
        return;
    }
    // Anyone can reach this endpoint before the signature is checked: bound what it may make us hold.
    const std::size_t limit = 16U * context.config.server.max_body_bytes;
    auto body = read_body(request, limit);
    if (!body) {
        send_problem(
            response,
            {413, "too-large", "Callback too large", "the body is over " + std::to_string(limit) + " bytes", {}},
            instance);
        return;
    }
    const httpsig::HttpMessage message = callback_message(request, std::move(*body));
    const std::string& binding = plugin->descriptor.callback_header;
    const RegistryTrust& trust = context.credentials.registry(plugin->config_index);
    auto correlation = check_callback(message, binding, trust.answer_certificate, std::time(nullptr));
    if (!correlation) {
        spdlog::warn("callback for {} refused: {}: {}", name, correlation.error().code, correlation.error().message);
        const bool unbound = correlation.error().code.starts_with("binding_");
        send_problem(response,
                     {401, "callback-signature",
                      unbound ? "The callback is not bound to its request by its signature"
                              : "The callback's signature does not verify",
                      correlation.error().code + ": " + correlation.error().message,
                      unbound ? FieldErrors{{"header:" + binding, correlation.error().code}} : FieldErrors{}},
                     instance);
        return;
    }
    // Out of space the callback could not be recorded: the registry keeps it and calls again.
    if (!context.space.writable()) {
        send_storage_full(response, instance);
        return;
    }
    const CallbackClaim claim = context.store.claim_callback(name, correlation.value());
    if (claim.state == CallbackClaim::State::Answered) {
        send_problem(response,
                     {409,
                      "already-answered",
                      "This request was answered by an earlier callback",
                      binding + " '" + correlation.value() + "'",
                      {}},
                     instance);
        return;
    }
    if (claim.state == CallbackClaim::State::Busy) {
        // The other copy may still fail and be released: the registry may try again.
        response.set("Retry-After", "5");
        send_problem(response,
                     {503,
                      "callback-in-progress",
                      "Another callback for this request is being processed",
                      binding + " '" + correlation.value() + "'",
                      {}},
                     instance);
        return;
    }
    if (claim.state == CallbackClaim::State::Unknown) {
        send_problem(response,
                     {404,
                      "unknown-request",
                      "No case awaits this callback",
                      "no case is waiting for " + binding + " '" + correlation.value() + "'",
                      {{"header:" + binding, "names no awaiting request"}}},
                     instance);
        return;
    }
    // From here the callback is ours alone until it is finished or, on any other way out, released.
    struct Release {
        ApiContext& context;
        const std::string& name;
        const std::string& correlation;
        bool finished = false;
        ~Release() {
            if (finished) return;
            try {
                context.store.release_callback(name, correlation);
            } catch (const std::exception& e) {
                // No caller holds it now: on PostgreSQL the registry's next try takes it again; on SQLite
                // the next start releases it, and retries get 503 till then.
                spdlog::error("callbacks: {} '{}' could not be released: {}", name, correlation, e.what());
            }
        }
    } release{context, name, correlation.value()};
    const auto found = context.store.find(claim.case_id);
    if (!found) throw std::runtime_error("case " + claim.case_id + " awaits a callback but is not in the store");
    const Case& c = *found;
    Interpretation meaning = plugin->plugin->interpret_callback(c, RegistryAnswer{0, message.headers, message.body});
    refuse_unreadable_document(meaning, name);
    if (meaning.verdict == Verdict::Retry) {
        response.set("Retry-After", "30");
        send_problem(response, {503, "try-later", "The callback cannot be taken now", meaning.reason, {}}, instance);
        return;
    }
    if (meaning.verdict != Verdict::Completed && meaning.verdict != Verdict::Rejected)
        meaning.verdict = Verdict::Failed;
    const CaseStatus status = final_status(meaning.verdict);
    const std::string answer = R"({"status":"accepted"})";
    ExchangeRecord record{c.id,
                          0,
                          name,
                          "callback",
                          now_ms(),
                          0,
                          wire_of(request, message.body),
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + answer,
                          0,
                          ""};
    // The store keeps a reference to the exchange's entry: its bytes are written once, here.
    record.audit_entry =
        context.dispatcher
            .audit_entries({audit::exchange_entry(
                                c, record, {plugin->descriptor.version, "verified", std::string(to_string(status))}),
                            audit::case_event(c, std::string(to_string(status)), meaning.reason)})
            .front();
    release.finished =
        context.store.finish_callback(c.id, name, correlation.value(), status, meaning.outcome, meaning.reason, record);
    if (!release.finished) {
        send_problem(response, {409, "already-answered", "This request was answered by an earlier callback", "", {}},
                     instance);
        return;
    }
    spdlog::info("case {}: {} called back: {} ({})", c.id, name, to_string(status), meaning.reason);
    send_json(response, 200, answer);
}

}  // namespace vikno::gateway::endpoints
