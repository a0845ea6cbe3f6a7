#pragma once
// A base for simulators of REST registries behind Trembita (X-Road REST): requests must come to
// `/r1/{instance}/{class}/{member}/{subsystem}/...` with the X-Road-Client and X-Road-Id headers; a
// repeated X-Road-Id with the same request gets the same answer, with another request a 409; errors
// are `{"errors":[{"code","message"}]}`. Answers are signed with HTTP message signatures by the
// framework. A subclass supplies answer() for the path after the prefix.

#include <vikno/sim/replay_cache.h>
#include <vikno/sim/simulator.h>
#include <vikno/xroad_service.h>

#include <Poco/Dynamic/Var.h>

#include <string>

namespace vikno::sim {

class XRoadRestRegistry : public Registry {
public:
    /// `address`: the registry's X-Road address (overridable with --instance, --member-class,
    /// --member-code, --subsystem).
    XRoadRestRegistry(const Options& options, const soap::ServiceSettings& address);

    Response handle(const Request& request, Annotation& annotation) final;
    Response server_error(const Request& request) override;
    std::string message_id(const Request& request) override { return request.header("X-Road-Id"); }
    SignatureProfile signature() const override { return SignatureProfile::HttpMessageSig; }

protected:
    /// The registry's own logic; `path` is what follows the X-Road prefix (with the query).
    virtual Response answer(const Request& request, const std::string& path, Annotation& annotation) = 0;

    static Response json(int status, const Poco::Dynamic::Var& value);
    static Response error(int status, const std::string& code, const std::string& message, Annotation& annotation,
                          const std::string& outcome);
    const std::string& prefix() const { return prefix_; }

private:
    std::string prefix_;
    ReplayCache replays_;
};

}  // namespace vikno::sim
