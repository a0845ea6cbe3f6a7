#include <vikno/sim/xroad_registry.h>

#include <vikno/signing.h>
#include <vikno/xml.h>

#include <Poco/JSON/Parser.h>

#include <ctime>
#include <fstream>
#include <stdexcept>

namespace vikno::sim {
namespace {

std::string address(const soap::XRoadService& s) {
    return s.instance + "/" + s.member_class + "/" + s.member_code + "/" + s.subsystem;
}

}  // namespace

std::string option(const Options& options, const std::string& name, const std::string& fallback) {
    auto it = options.extra.find(name);
    return it == options.extra.end() ? fallback : it->second;
}

Poco::JSON::Object::Ptr load_fixtures(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read fixtures file " + path + " (give --fixtures FILE)");
    try {
        Poco::JSON::Parser parser;
        return parser.parse(in).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("fixtures file " + path + " is not valid JSON: " + e.displayText());
    }
}

std::string sha256_hex(const std::string& data) { return crypto::sha256_hex(data); }

std::string today_utc() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

long day_number(const std::string& date) {
    // Days from the civil calendar (H. Hinnant's algorithm), shifted to 1899-12-31 = 0.
    auto days_from_civil = [](int y, int m, int d) {
        y -= m <= 2;
        const int era = (y >= 0 ? y : y - 399) / 400;
        const int yoe = y - era * 400;
        const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        return static_cast<long>(era) * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy;
    };
    return days_from_civil(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2))) -
           days_from_civil(1899, 12, 31);
}

XRoadSoapRegistry::XRoadSoapRegistry(const Options& options, std::string body_namespace, const std::string& schema,
                                     const std::string& xroad_schema_dir, const soap::ServiceSettings& address)
    : body_namespace_(std::move(body_namespace)),
      schema_([&] {
          const std::string xroad = option(options, "xroad-schemas", xroad_schema_dir);
          const std::string own = option(options, "schema", schema);
          auto loaded = xml::Schema::load_all(
              {{soap::kEnvelopeNs, xroad + "/" + soap::kRequestEnvelopeSchema}, {body_namespace_, own}});
          if (!loaded) throw std::runtime_error(loaded.error().message);
          return std::move(loaded).value();
      }()),
      identity_{address.instance, address.member_class, address.member_code, address.subsystem, "", ""} {
    identity_.instance = option(options, "instance", identity_.instance);
    identity_.member_class = option(options, "member-class", identity_.member_class);
    identity_.member_code = option(options, "member-code", identity_.member_code);
    identity_.subsystem = option(options, "subsystem", identity_.subsystem);
}

Response XRoadSoapRegistry::ok(const soap::XRoadHeader& header, std::string_view body_xml) {
    return {200, soap::kContentType, {}, soap::build_envelope(header, body_xml)};
}

Response XRoadSoapRegistry::client_fault(const soap::XRoadHeader* header, const std::string& message,
                                         Annotation& annotation) {
    annotation.outcome = "invalid";
    return {500, soap::kContentType, {}, soap::build_fault(header, "soap:Client", message)};
}

Response XRoadSoapRegistry::server_error(const Request& request) {
    // A service that could read the request echoes its header, which binds the fault to it.
    std::optional<soap::XRoadHeader> header;
    if (auto parsed = xml::parse(request.body)) {
        if (auto read = soap::read_header(parsed.value())) header = read.value();
    }
    return {500,
            soap::kContentType,
            {},
            soap::build_fault(header ? &*header : nullptr, "soap:Server", "Registry temporarily unavailable")};
}

std::string XRoadSoapRegistry::message_id(const Request& request) {
    auto parsed = xml::parse(request.body);
    if (!parsed) return {};
    auto header = soap::read_header(parsed.value());
    return header ? header.value().id : std::string();
}

Response XRoadSoapRegistry::handle(const Request& request, Annotation& annotation) {
    if (request.method != "POST") return client_fault(nullptr, "only POST is accepted", annotation);
    auto parsed = xml::parse(request.body);
    if (!parsed) return client_fault(nullptr, parsed.error().message, annotation);
    xml::Document& envelope = parsed.value();
    if (auto valid = schema_.validate(envelope); !valid) {
        return client_fault(nullptr, "the request does not match the schema: " + valid.error().message, annotation);
    }
    auto header = soap::read_header(envelope);
    if (!header) return client_fault(nullptr, header.error().message, annotation);
    annotation.message_id = header.value().id;
    auto body = soap::body_element(envelope);
    if (!body) return client_fault(&header.value(), body.error().message, annotation);
    if (address(header.value().service) != address(identity_)) {
        return client_fault(
            &header.value(),
            "this is " + address(identity_) + "; the request is addressed to " + address(header.value().service),
            annotation);
    }
    if (xml::namespace_uri(body.value()) != body_namespace_) {
        return client_fault(&header.value(), "the body element is not in namespace " + body_namespace_, annotation);
    }

    // Deduplicate by X-Road message id, as a registry does: the same message gets the same answer.
    // Compared on the body's content: a retry is signed afresh (ECDSA signatures differ every time).
    const std::string body_hash = sha256_hex(xml::serialize(body.value()));
    Response earlier;
    switch (replays_.lookup(annotation.message_id, body_hash, earlier)) {
        case ReplayCache::Seen::Same:
            annotation.replay = true;
            annotation.outcome = "replay";
            return earlier;
        case ReplayCache::Seen::Different:
            return client_fault(&header.value(),
                                "message id " + annotation.message_id + " was already used for another request",
                                annotation);
        case ReplayCache::Seen::New:
            break;
    }
    Response response = answer(envelope, header.value(), body.value(), annotation);
    if (response.status == 200) replays_.remember(annotation.message_id, body_hash, response);
    return response;
}

}  // namespace vikno::sim
