#pragma once
// A base for simulators of SOAP registries behind Trembita (X-Road 4.0 header). It does what every
// such registry does before its own logic: accepts POST only, parses safely, validates the envelope
// against the X-Road schemas and the registry's XSD, reads the X-Road header, checks that the
// request is addressed to this registry, and answers a repeated message id with the same content
// from its cache. A subclass supplies answer(): look up, build the body, or refuse.

#include <vikno/sim/replay_cache.h>
#include <vikno/sim/simulator.h>
#include <vikno/soap.h>
#include <vikno/xml_schema.h>
#include <vikno/xroad_service.h>

#include <Poco/JSON/Object.h>

#include <string>

namespace vikno::sim {

class XRoadSoapRegistry : public Registry {
public:
    /// `body_namespace`: the namespace of the registry's body elements; `schema`: its XSD;
    /// `address`: its X-Road address, the plugin's default settings (overridable with --instance,
    /// --member-class, --member-code, --subsystem); --xroad-schemas overrides `xroad_schema_dir`.
    XRoadSoapRegistry(const Options& options, std::string body_namespace, const std::string& schema,
                      const std::string& xroad_schema_dir, const soap::ServiceSettings& address);

    Response handle(const Request& request, Annotation& annotation) final;
    Response server_error(const Request& request) override;
    std::string message_id(const Request& request) override;

protected:
    /// The registry's own logic for a request that passed every check above.
    virtual Response answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                            Annotation& annotation) = 0;

    /// 200 with the header echoed and `body_xml` as the body.
    static Response ok(const soap::XRoadHeader& header, std::string_view body_xml);
    /// A soap:Client fault (HTTP 500) with `message`; outcome `invalid`.
    static Response client_fault(const soap::XRoadHeader* header, const std::string& message, Annotation& annotation);

    const std::string& body_namespace() const { return body_namespace_; }

private:
    std::string body_namespace_;
    xml::Schema schema_;
    soap::XRoadService identity_;
    ReplayCache replays_;
};

/// `options.extra[name]`, or `fallback`.
std::string option(const Options& options, const std::string& name, const std::string& fallback);

/// A JSON fixtures file; std::runtime_error naming the file and the option to give another.
Poco::JSON::Object::Ptr load_fixtures(const std::string& path);

/// Hex SHA-256 (for stable reference numbers derived from message ids).
std::string sha256_hex(const std::string& data);

/// Today's date in UTC, YYYY-MM-DD (issue dates in answers).
std::string today_utc();

/// Days since 1899-12-31 of a valid YYYY-MM-DD date (the count RNOKPP numbers begin with); compare
/// two dates by subtracting.
long day_number(const std::string& date);

}  // namespace vikno::sim
