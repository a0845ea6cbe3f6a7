#include "services.h"

#include <vikno/service_table.h>

#include <cctype>

namespace vikno::tax_registry {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"drfo.register-newborn",
         Operation::RegisterNewborn,
         "1.0/newborns",
         "Реєстрація новонародженої дитини у Державному реєстрі фізичних осіб - платників податків (РНОКПП)",
         "Registration of a newborn in the State Register of individual taxpayers (RNOKPP)",
         {"subject.child.last_name", "subject.child.first_name", "subject.child.birth_date", "subject.child.sex",
          "subject.birth_act.number", "subject.birth_act.date"}},
        {"drfo.register-entrepreneur",
         Operation::RegisterEntrepreneur,
         "1.0/entrepreneurs",
         "Взяття на облік фізичної особи - підприємця як платника податків",
         "Registration of a sole trader (FOP) as a taxpayer",
         {"applicant.rnokpp", "subject.edr_record_number", "subject.kved", "subject.tax_system"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

Settings default_settings() {
    Settings settings;
    settings.member_code = "43005393";
    settings.subsystem = "DRFO";
    return settings;
}

bool is_tax_system(const std::string& text) {
    return text == "general" || text == "single-1" || text == "single-2" || text == "single-3";
}

bool is_kved(const std::string& text) {
    auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
    return text.size() == 5 && digit(0) && digit(1) && text[2] == '.' && digit(3) && digit(4);
}

}  // namespace vikno::tax_registry
