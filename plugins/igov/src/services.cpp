#include "services.h"

#include <vikno/service_table.h>

namespace vikno::igov {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"igov.create-order",
         Operation::CreateOrder,
         "Створення заявки на порталі iGov",
         "Create an order on the iGov portal",
         {"applicant.rnokpp", "subject.portal_service_id"}},
        {"igov.push-status",
         Operation::PushStatus,
         "Зміна статусу заявки на порталі iGov",
         "Change the status of an iGov portal order",
         {"subject.order_id", "subject.status"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

Settings default_settings() {
    Settings settings;
    settings.member_code = "43220851";
    settings.subsystem = "IGOV";
    return settings;
}

}  // namespace vikno::igov
