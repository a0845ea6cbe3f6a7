#include "services.h"

#include <vikno/service_table.h>

namespace vikno::business {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"edr.subject-extract",
         Operation::SubjectExtract,
         "Відомості з Єдиного державного реєстру юридичних осіб, фізичних осіб-підприємців та громадських формувань",
         "Extract from the Unified State Register of legal entities and individual entrepreneurs",
         {"subject.code | subject.passport"}},
        {"edr.fop-registration",
         Operation::FopRegistration,
         "Державна реєстрація фізичної особи — підприємця",
         "State registration of an individual entrepreneur (ФОП)",
         {"applicant.rnokpp", "applicant.birth_date", "subject.address", "subject.primary_kved", "subject.kved"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

Settings default_settings() {
    Settings settings;
    settings.member_code = "00015622";
    settings.subsystem = "EDR";
    return settings;
}

}  // namespace vikno::business
