#pragma once
// Tells CNAP back-ends about their cases: every status change becomes an event in the store's
// outbox (written with the change itself), and these workers POST each event, signed with the
// gateway's key (RFC 9421), until the back-end answers 2xx. At least once, in order per case:
// a case's next event waits until the one before it is delivered. docs/api.md, "Callbacks".

#include "common/space_watch.h"
#include "config/config.h"
#include "dispatch/backoff.h"
#include "logging/log_throttle.h"
#include "store/case_store.h"
#include "store/held_claims.h"
#include "transport/http_transport.h"

#include <vikno/signing.h>

#include <Poco/Net/Context.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace vikno::gateway {

/// The JSON body of an event, as POSTed.
std::string event_body(const PendingEvent& event);

class CallbackSender {
public:
    /// `tls` verifies the back-ends' certificates (callbacks.tls_ca) and presents the gateway's
    /// client certificate.
    CallbackSender(CaseStore& store, const CallbackConfig& config, const crypto::Signer& signer,
                   Poco::Net::Context::Ptr tls, SpaceWatch& space);
    ~CallbackSender();
    CallbackSender(const CallbackSender&) = delete;
    CallbackSender& operator=(const CallbackSender&) = delete;

    /// Returns events claimed by a previous process to the queue, then starts the workers.
    void start();
    /// Lets deliveries in flight finish, then joins the workers.
    void stop();

private:
    std::optional<PendingEvent> claim();
    void run();
    /// One delivery attempt; true when the back-end took the event.
    bool deliver(const PendingEvent& event, std::string& error);

    CaseStore& store_;
    CallbackConfig config_;
    const crypto::Signer& signer_;
    Poco::Net::Context::Ptr tls_;
    SpaceWatch& space_;
    HttpTransport transport_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> workers_;
    Backoff backoff_;
    HeldClaims<std::int64_t> held_;  // the events the senders hold
    LogThrottle log_throttle_;
};

}  // namespace vikno::gateway
