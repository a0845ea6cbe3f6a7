#pragma once
// The simulated Diia partner API: the session (Basic auth, then a token), deep links for document
// sharing and for signing hashed files, and, as the applicant would in the app a moment later, the
// callback to the partner: a signed multipart POST carrying X-Document-Request-Trace-Id.

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
    std::unique_ptr<crypto::Signer> signer_;
    std::mutex mutex_;
    std::set<std::string> sessions_;
    std::set<std::string> requests_;
    std::vector<std::thread> callbacks_;
    std::atomic<bool> stopping_{false};
};

}  // namespace vikno::diia
