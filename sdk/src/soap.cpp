#include <vikno/soap.h>

namespace vikno::soap {
namespace {

void write_identifier_parts(xml::Writer& w, const std::string& instance, const std::string& member_class,
                            const std::string& member_code, const std::string& subsystem) {
    w.leaf("id:xRoadInstance", instance).leaf("id:memberClass", member_class).leaf("id:memberCode", member_code);
    w.leaf_if("id:subsystemCode", subsystem);
}

std::string header_xml(const XRoadHeader& h) {
    xml::Writer w;
    w.open("soap:Header");
    w.open("xrd:client", {{"id:objectType", h.client.subsystem.empty() ? "MEMBER" : "SUBSYSTEM"}});
    write_identifier_parts(w, h.client.instance, h.client.member_class, h.client.member_code, h.client.subsystem);
    w.close();
    w.open("xrd:service", {{"id:objectType", "SERVICE"}});
    write_identifier_parts(w, h.service.instance, h.service.member_class, h.service.member_code, h.service.subsystem);
    w.leaf("id:serviceCode", h.service.service_code).leaf_if("id:serviceVersion", h.service.service_version);
    w.close();
    w.leaf("xrd:id", h.id).leaf("xrd:userId", h.user_id).leaf_if("xrd:issue", h.issue);
    w.leaf("xrd:protocolVersion", h.protocol_version);
    w.close();
    return w.str();
}

std::string envelope(const XRoadHeader* header, std::string_view body_xml) {
    std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
    out += "\n";
    out += R"(<soap:Envelope xmlns:soap=")";
    out += kEnvelopeNs;
    out += R"(" xmlns:xrd=")";
    out += kXRoadNs;
    out += R"(" xmlns:id=")";
    out += kIdentifiersNs;
    out += R"(">)";
    if (header != nullptr) out += header_xml(*header);
    out += "<soap:Body>";
    out += body_xml;
    out += "</soap:Body></soap:Envelope>";
    return out;
}

// Exactly one element at `xpath`, with its text; the error names the element.
Result<std::string> one(const xml::Document& d, const std::string& xpath, const std::string& name, bool required) {
    const auto found = d.nodes(xpath);
    if (found.size() > 1) {
        return Error{"xroad_header_invalid", "the X-Road header has more than one " + name};
    }
    if (found.empty()) {
        if (required) return Error{"xroad_header_invalid", "the X-Road header has no " + name};
        return std::string();
    }
    return xml::node_text(found.front());
}

}  // namespace

void bind_namespaces(xml::Document& document) {
    document.bind("soap", kEnvelopeNs);
    document.bind("xrd", kXRoadNs);
    document.bind("id", kIdentifiersNs);
}

std::string build_envelope(const XRoadHeader& header, std::string_view body_xml) { return envelope(&header, body_xml); }

std::string build_fault(const XRoadHeader* request_header, std::string_view code, std::string_view message) {
    xml::Writer w;
    w.open("soap:Fault").leaf("faultcode", code).leaf("faultstring", message).close();
    return envelope(request_header, w.str());
}

Result<XRoadHeader> read_header(xml::Document& envelope) {
    bind_namespaces(envelope);
    const std::string h = "/soap:Envelope/soap:Header/";
    XRoadHeader header;
    struct Field {
        std::string xpath;
        std::string name;
        std::string* target;
        bool required;
    };
    const std::string client = h + "xrd:client/";
    const std::string service = h + "xrd:service/";
    const std::vector<Field> fields{
        {client + "id:xRoadInstance", "xrd:client/id:xRoadInstance", &header.client.instance, true},
        {client + "id:memberClass", "xrd:client/id:memberClass", &header.client.member_class, true},
        {client + "id:memberCode", "xrd:client/id:memberCode", &header.client.member_code, true},
        {client + "id:subsystemCode", "xrd:client/id:subsystemCode", &header.client.subsystem, false},
        {service + "id:xRoadInstance", "xrd:service/id:xRoadInstance", &header.service.instance, true},
        {service + "id:memberClass", "xrd:service/id:memberClass", &header.service.member_class, true},
        {service + "id:memberCode", "xrd:service/id:memberCode", &header.service.member_code, true},
        {service + "id:subsystemCode", "xrd:service/id:subsystemCode", &header.service.subsystem, false},
        {service + "id:serviceCode", "xrd:service/id:serviceCode", &header.service.service_code, true},
        {service + "id:serviceVersion", "xrd:service/id:serviceVersion", &header.service.service_version, false},
        {h + "xrd:id", "xrd:id", &header.id, true},
        {h + "xrd:userId", "xrd:userId", &header.user_id, true},
        {h + "xrd:issue", "xrd:issue", &header.issue, false},
        {h + "xrd:protocolVersion", "xrd:protocolVersion", &header.protocol_version, true},
    };
    for (const auto& field : fields) {
        auto value = one(envelope, field.xpath, field.name, field.required);
        if (!value) return value.error();
        if (field.required && value.value().empty()) {
            return Error{"xroad_header_invalid", "the X-Road header's " + field.name + " is empty"};
        }
        *field.target = std::move(value).value();
    }
    if (header.protocol_version != kProtocolVersion) {
        return Error{"xroad_header_invalid",
                     "xrd:protocolVersion is '" + header.protocol_version + "', expected '4.0'"};
    }
    return header;
}

Result<xmlNodePtr> body_element(xml::Document& envelope) {
    bind_namespaces(envelope);
    const auto bodies = envelope.nodes("/soap:Envelope/soap:Body");
    if (bodies.size() != 1) {
        return Error{"soap_body_invalid",
                     "the envelope must have exactly one soap:Body, it has " + std::to_string(bodies.size())};
    }
    const auto children = xml::child_elements(bodies.front());
    if (children.size() != 1) {
        return Error{"soap_body_invalid",
                     "soap:Body must hold exactly one element, it holds " + std::to_string(children.size())};
    }
    return children.front();
}

std::optional<Fault> read_fault(xml::Document& envelope) {
    bind_namespaces(envelope);
    const auto faults = envelope.nodes("/soap:Envelope/soap:Body/soap:Fault");
    if (faults.empty()) return std::nullopt;
    Fault fault;
    fault.code = envelope.text("faultcode", faults.front()).value_or("");
    fault.string = envelope.text("faultstring", faults.front()).value_or("");
    fault.detail = envelope.text("detail", faults.front()).value_or("");
    return fault;
}

}  // namespace vikno::soap
