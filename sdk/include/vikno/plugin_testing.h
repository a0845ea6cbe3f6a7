#pragma once
// Helpers for a plugin's own tests (header only, no test framework needed): sample cases from
// files, the SOAP schemas for validating golden requests, and registry answers to interpret.

#include <vikno/case_json.h>
#include <vikno/soap.h>
#include <vikno/xml_schema.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace vikno::plugin_testing {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The golden file's text, after rewriting it with `actual` when VIKNO_UPDATE_GOLDEN is set (to
/// accept an intended change). Compare the result with `actual`.
inline std::string golden(const std::string& path, const std::string& actual) {
    if (std::getenv("VIKNO_UPDATE_GOLDEN") != nullptr) std::ofstream(path, std::ios::binary) << actual;
    return read_file(path);
}

/// An outcome's document as a JSON object to assert on; null when there is none or it is not one
/// JSON object (the gateway would fail such a case).
inline Poco::JSON::Object::Ptr document(const Outcome& outcome) {
    return parse_outcome_document(outcome.document_json);
}

/// The case in `dir`/`name`.json, as the API would accept it, with id `case-<name>`.
inline Case sample_case(const std::string& dir, const std::string& name) {
    auto parsed = parse_submitted_case(read_file(dir + "/" + name + ".json"));
    if (!parsed)
        throw std::runtime_error(name + ": " + parsed.error().front().field + " " + parsed.error().front().reason);
    Case c = std::move(parsed).value();
    c.id = "case-" + name;
    return c;
}

/// The SOAP 1.1 envelope of a request and the X-Road schemas together with a registry's body
/// schema. The Body is strict, as in the registry simulators: exactly one element, declared by
/// `body_xsd` (soap11-envelope-strict.xsd).
inline xml::Schema soap_schema(const std::string& xroad_schema_dir, const std::string& body_namespace,
                               const std::string& body_xsd) {
    auto loaded = xml::Schema::load_all(
        {{soap::kEnvelopeNs, xroad_schema_dir + "/" + soap::kRequestEnvelopeSchema}, {body_namespace, body_xsd}});
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return std::move(loaded).value();
}

/// The exchange context plugin tests translate with: the test gateway's X-Road client, message
/// `msg-0001` from `operator-17` for case `case-1` (golden files are made with it).
inline const ExchangeContext kContext{
    {"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"}, "msg-0001", "operator-17", "case-1"};

/// The request an answer is read against: only its message id matters to the interpreters.
inline Exchange sent(const std::string& message_id = "msg-0001") {
    Exchange e;
    e.message_id = message_id;
    return e;
}

/// A registry's SOAP answer to `message_id` with `body_xml` in the body.
inline RegistryAnswer soap_answer(int status, const soap::XRoadService& service, const std::string& body_xml,
                                  const std::string& message_id) {
    soap::XRoadHeader header;
    header.client = {"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"};
    header.service = service;
    header.id = message_id;
    header.user_id = "operator-17";
    return {status, {{"Content-Type", "text/xml"}}, soap::build_envelope(header, body_xml)};
}

}  // namespace vikno::plugin_testing
