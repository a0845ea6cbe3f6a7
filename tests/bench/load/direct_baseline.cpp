#include "direct_baseline.h"

#include "latency.h"

#include "common/ids.h"
#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "signing/credentials.h"
#include "signing/message_signing.h"
#include "transport/http_transport.h"

#include <vikno/case_json.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vikno::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One case through the registry, as the dispatcher would send it; the error, or
// empty.
std::string send_one(const gateway::Config& config, const gateway::LoadedPlugin& loaded,
                     const gateway::Credentials& credentials, const gateway::HttpTransport& transport, Case c) {
    c.id = gateway::new_uuid();
    const ExchangeContext context{config.xroad, gateway::new_uuid(), c.office.operator_id, c.id};
    auto built = loaded.plugin->translate(c, context);
    if (!built) return "translate: " + built.error().code;
    Exchange exchange = std::move(built).value();
    const auto& trust = credentials.registry(loaded.config_index);
    if (auto signed_request = gateway::sign_request(loaded.descriptor.signature, exchange,
                                                    gateway::target_uri(loaded.endpoint, exchange.path),
                                                    credentials.signer(), std::time(nullptr));
        !signed_request) {
        return "sign: " + signed_request.error().code;
    }
    const gateway::TransportResult sent = transport.send(loaded.endpoint, exchange, trust.tls);
    if (!sent.delivered()) return "transport: " + sent.error;
    const auto check = gateway::check_answer(loaded.descriptor.signature, exchange, sent.answer,
                                             trust.answer_certificate, std::time(nullptr));
    if (check.outcome != gateway::AnswerCheck::Outcome::Verified) return "answer: " + check.reason;
    const Interpretation meaning = loaded.plugin->interpret(c, exchange, sent.answer);
    if (meaning.verdict != Verdict::Completed) return "verdict: " + meaning.reason;
    return "";
}

}  // namespace

DirectResult run_direct(const std::string& config_path, const std::string& case_json, int threads, double seconds) {
    const gateway::Config config = gateway::load_config(config_path);
    const gateway::PluginHost plugins(config);
    const gateway::Credentials credentials = gateway::Credentials::load(config);
    const gateway::HttpTransport transport(config.dispatch.connect_timeout_ms, config.dispatch.request_timeout_ms);
    auto parsed = parse_submitted_case(case_json);
    if (!parsed) throw std::runtime_error("the sample case does not parse");
    const Case sample = std::move(parsed).value();
    const gateway::LoadedPlugin* loaded = plugins.for_service(sample.service);
    if (loaded == nullptr) throw std::runtime_error("no plugin offers " + sample.service);

    std::atomic<std::int64_t> completed{0}, errors{0};
    std::mutex merge;
    Latencies all;
    DirectResult result;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::thread> senders;
    for (int t = 0; t < threads; ++t) {
        senders.emplace_back([&] {
            Latencies mine;
            while (Clock::now() < end) {
                const auto begun = Clock::now();
                const std::string error = send_one(config, *loaded, credentials, transport, sample);
                if (error.empty()) {
                    ++completed;
                    mine.add(std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
                } else {
                    ++errors;
                    const std::lock_guard lock(merge);
                    if (result.first_error.empty()) result.first_error = error;
                }
            }
            const std::lock_guard lock(merge);
            all.merge(mine);
        });
    }
    for (auto& sender : senders) sender.join();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    result.completed = completed;
    result.errors = errors;
    result.p50_ms = all.percentile(50);
    result.p99_ms = all.percentile(99);
    result.p999_ms = all.percentile(99.9);
    return result;
}

}  // namespace vikno::bench
