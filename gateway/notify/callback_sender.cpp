#include "notify/callback_sender.h"

#include "common/clock.h"

#include <vikno/case_json.h>
#include <vikno/http_signature.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

namespace vikno::gateway {
namespace {

// How long an idle worker sleeps before it looks for due events again (new events and retries
// that fall due are found by this poll).
constexpr std::int64_t kIdlePollMs = 100;

}  // namespace

std::string event_body(const PendingEvent& event) {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    body->set("event_id", event.event_id);
    body->set("seq", event.seq);
    body->set("case_id", event.case_id);
    body->set("office", event.office_id);
    body->set("service", event.service);
    if (event.step.empty()) {
        body->set("step", Poco::Dynamic::Var());  // the case itself
    } else {
        body->set("step", event.step);
    }
    body->set("status", event.status);
    if (!event.note.empty()) body->set("reason", event.note);
    if (!event.outcome_json.empty()) {
        Poco::JSON::Parser parser;
        body->set("outcome", parser.parse(event.outcome_json));
    }
    body->set("at", rfc3339(event.at_ms));
    return to_json_text(body);
}

CallbackSender::CallbackSender(CaseStore& store, const CallbackConfig& config, const crypto::Signer& signer,
                               Poco::Net::Context::Ptr tls, SpaceWatch& space)
    : store_(store),
      config_(config),
      signer_(signer),
      tls_(std::move(tls)),
      space_(space),
      transport_(std::min(config.request_timeout_ms, 5000), config.request_timeout_ms),
      backoff_(config.backoff_initial_ms, config.backoff_max_ms) {}

CallbackSender::~CallbackSender() { stop(); }

void CallbackSender::start() {
    if (const int released = store_.release_event_claims(); released > 0) {
        spdlog::info("callbacks: {} events claimed before a restart are due again", released);
    }
    for (int i = 0; i < config_.workers; ++i) workers_.emplace_back([this] { run(); });
}

void CallbackSender::stop() {
    stopping_ = true;
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
    workers_.clear();
}

std::optional<PendingEvent> CallbackSender::claim() {
    return held_.take([this] { return store_.claim_event(now_ms()); },
                      [](const PendingEvent& claimed) { return claimed.seq; },
                      [this](const std::vector<std::int64_t>& held) { store_.release_event_orphans(held); });
}

void CallbackSender::run() {
    while (!stopping_) {
        std::optional<PendingEvent> event;
        try {
            if (space_.writable()) event = claim();  // out of space: deliver later
        } catch (const StorageFull& e) {
            space_.report_full(e.what());
        } catch (const StoreUnavailable& e) {
            space_.report_unavailable(e.what());
        } catch (const std::exception& e) {
            log_error_throttled(log_throttle_, "outbox",
                                std::string("callbacks: cannot read the event outbox: ") + e.what());
        }
        if (!event) {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(kIdlePollMs), [this] { return stopping_.load(); });
            continue;
        }
        const HeldClaims<std::int64_t>::Hold held(held_, event->seq);
        std::string error;
        try {
            // Delivered but not recorded (the gateway stopped while the disk was full): the event is
            // sent again after the restart, and the receiver drops it by its Vikno-Event-Id.
            const auto stopping = [this] { return stopping_.load(); };
            if (deliver(*event, error)) {
                space_.retry_until_written([&] { store_.event_delivered(event->seq); }, stopping);
                continue;
            }
            std::int64_t delay = 0;
            {
                const std::lock_guard lock(mutex_);
                delay = backoff_.delay_ms(event->attempts + 1);
            }
            // The URL may name the back-end's host; the case id and status carry no personal data.
            spdlog::warn("callbacks: event {} ({} of case {}) not delivered (attempt {}): {}; again in {} ms",
                         event->seq, event->status, event->case_id, event->attempts + 1, error, delay);
            space_.retry_until_written([&] { store_.event_retry(event->seq, now_ms() + delay, error); }, stopping);
        } catch (const std::exception& e) {
            log_error_throttled(log_throttle_, "event",
                                "callbacks: event " + std::to_string(event->seq) + ": " + e.what());
        }
    }
}

bool CallbackSender::deliver(const PendingEvent& event, std::string& error) {
    httpsig::HttpMessage message;
    message.method = "POST";
    message.target_uri = target_uri(event.url, "");
    message.headers = {{"Content-Type", "application/json"}, {"Vikno-Event-Id", event.event_id}};
    message.body = event_body(event);
    if (auto signed_message = httpsig::sign(message, signer_, std::time(nullptr)); !signed_message) {
        error = "signing failed: " + signed_message.error().code;
        return false;
    }
    Exchange exchange;
    exchange.method = "POST";
    exchange.path = "";  // the URL is the back-end's, complete
    exchange.content_type = "application/json";
    exchange.body = message.body;
    for (const auto& [name, value] : message.headers) {
        if (name != "Content-Type") exchange.headers.emplace_back(name, value);
    }
    const TransportResult sent = transport_.send(event.url, exchange, tls_);
    if (!sent.delivered()) {
        error = sent.error;
        return false;
    }
    if (sent.answer.status < 200 || sent.answer.status > 299) {
        error = "answered " + std::to_string(sent.answer.status);
        return false;
    }
    return true;
}

}  // namespace vikno::gateway
