#pragma once
// The simulated Diia partner API: the session (Basic auth, then a token), deep links for document
// sharing and for signing hashed files, and, as the applicant would in the app a moment later, the
// callback to the partner: a signed multipart POST carrying X-Document-Request-Trace-Id, which its
// signature covers. `--callback-attack` makes it also send, before the genuine callback, what an
// attacker holding a genuine callback would try: `unbound` (the trace header left out of the
// signature), `retarget` (the header changed to another pending request's id), `duplicate` (a
// second trace header naming another request, placed first), `replay` (the same callback again,
// after the genuine one). Each attempt's answer is printed: `diia: callback for ID (ATTACK) answered N TYPE`.

#include <vikno/http_signature.h>
#include <vikno/sim/simulator.h>

#include <Poco/JSON/Object.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace vikno::diia {

class DiiaApi final : public sim::Registry {
public:
    explicit DiiaApi(const sim::Options& options);
    ~DiiaApi() override;

    sim::Response handle(const sim::Request& request, sim::Annotation& annotation) override;
    sim::Response server_error(const sim::Request& request) override;
    SignatureProfile signature() const override { return SignatureProfile::HttpMessageSig; }

private:
    sim::Response session(const sim::Request& request, const std::string& token, sim::Annotation& annotation);
    sim::Response offer(const sim::Request& request, const std::string& branch, sim::Annotation& annotation);
    void call_back(const std::string& request_id, const Poco::JSON::Object::Ptr& body);
    /// Posts one callback and prints what the partner answered.
    void post_callback(const std::string& request_id, const std::string& attack, const httpsig::HttpMessage& message);
    /// A request other than `request_id` that still waits for its callback, or "".
    std::string other_pending(const std::string& request_id);
    std::string callback_url() const;

    std::string acquirer_token_;
    std::string auth_basic_;
    std::string branch_id_;
    std::set<std::string> offers_;
    std::string callback_url_;
    std::string callback_ready_file_;
    std::string callback_ca_;
    int callback_delay_ms_ = 100;
    std::string decline_;  // "yes": the applicant declines (the callback carries no files)
    std::string attack_;   // --callback-attack: none, unbound, retarget, duplicate or replay
    std::unique_ptr<crypto::Signer> signer_;
    std::mutex mutex_;
    std::set<std::string> sessions_;
    std::set<std::string> requests_;
    std::set<std::string> called_back_;
    std::vector<std::thread> callbacks_;
    std::atomic<bool> stopping_{false};
};

}  // namespace vikno::diia
