#include <vikno/identifiers.h>
#include <vikno/plugin_settings.h>
#include <vikno/xroad_service.h>

#include <utility>
#include <vector>

namespace vikno::soap {

Result<ServiceSettings> parse_service_settings(const PluginSettings& values, ServiceSettings settings) {
    if (auto read = read_settings(values, {{"xroad_instance", &settings.instance},
                                           {"member_class", &settings.member_class},
                                           {"member_code", &settings.member_code},
                                           {"subsystem", &settings.subsystem},
                                           {"service_version", &settings.service_version}});
        !read) {
        return read.error();
    }
    if (!identifiers::is_valid_edrpou(settings.member_code)) {
        return Error{"invalid_setting", "member_code '" + settings.member_code +
                                            "' is not a valid EDRPOU code (the registry holder's code)"};
    }
    if (settings.instance.empty() || settings.member_class.empty() || settings.subsystem.empty()) {
        return Error{"invalid_setting", "xroad_instance, member_class and subsystem must not be empty"};
    }
    return settings;
}

XRoadHeader request_header(const ServiceSettings& settings, const ExchangeContext& context,
                           const std::string& service_code) {
    XRoadHeader header;
    header.client = context.client;
    header.service = {settings.instance,  settings.member_class, settings.member_code,
                      settings.subsystem, service_code,          settings.service_version};
    header.id = context.message_id;
    header.user_id = context.user_id;
    header.issue = context.issue;
    return header;
}

Exchange soap_exchange(const std::string& service_code, std::string envelope, const std::string& message_id) {
    Exchange exchange;
    exchange.protocol = Protocol::Soap;
    exchange.method = "POST";
    exchange.path = "/";
    exchange.content_type = kContentType;
    exchange.headers = {{"SOAPAction", "\"" + service_code + "\""}};
    exchange.body = std::move(envelope);
    exchange.message_id = message_id;
    return exchange;
}

Exchange soap_request(const ServiceSettings& settings, const ExchangeContext& context, const std::string& service_code,
                      std::string_view body_xml) {
    return soap_exchange(service_code, build_envelope(request_header(settings, context, service_code), body_xml),
                         context.message_id);
}

}  // namespace vikno::soap
