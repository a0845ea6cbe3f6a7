#include "services.h"

#include <vikno/service_table.h>

namespace vikno::real_estate {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"drrp.extract-by-cadastral-number",
         "ExtractByCadastralNumber",
         "ExtractByCadastralNumberRequest",
         Query::ByCadastralNumber,
         "Інформаційна довідка з Державного реєстру речових прав на нерухоме майно за кадастровим номером",
         "Information extract from the State Register of Real Property Rights by cadastral number",
         {"subject.cadastral_number"}},
        {"drrp.extract-by-owner",
         "ExtractByOwner",
         "ExtractByOwnerRequest",
         Query::ByOwner,
         "Інформаційна довідка з Державного реєстру речових прав на нерухоме майно щодо власника",
         "Information extract from the State Register of Real Property Rights by owner",
         {"subject.owner.rnokpp | subject.owner.edrpou"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

const Service* find_service_by_request(const std::string& request_element) {
    return find_by(services(), &Service::request, request_element);
}

Settings default_settings() {
    Settings settings;
    settings.member_code = "00015622";
    settings.subsystem = "DRRP";
    return settings;
}

}  // namespace vikno::real_estate
