#include "services.h"

#include <vikno/plugin_settings.h>
#include <vikno/service_table.h>

namespace vikno::diia {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"diia.document-request",
         Operation::DocumentRequest,
         "Запит документів через Дію (шеринг)",
         "Request documents through Diia (sharing)",
         {}},
        {"diia.sign-files",
         Operation::SignFiles,
         "Підписання файлів у Дії (Дія.Підпис)",
         "Sign files in Diia (Diia.Signature)",
         {"subject.files[].name", "subject.files[].sha256"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

Result<Settings> parse_settings(const PluginSettings& values) {
    Settings settings;
    if (auto read = read_settings(values, {{"acquirer_token", &settings.acquirer_token},
                                           {"auth_basic", &settings.auth_basic},
                                           {"branch_id", &settings.branch_id},
                                           {"document_offer_id", &settings.document_offer_id},
                                           {"signing_offer_id", &settings.signing_offer_id}});
        !read) {
        return read.error();
    }
    if (settings.auth_basic.find(':') == std::string::npos) {
        return Error{"invalid_setting", "auth_basic must be login:password"};
    }
    return settings;
}

}  // namespace vikno::diia
