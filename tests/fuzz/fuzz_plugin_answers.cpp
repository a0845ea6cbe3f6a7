// Every plugin's reading of its registry's answer (and Diia's callback). The first byte picks the
// plugin and the HTTP status; the rest is the body.
#include "../../plugins/business/src/interpreter.h"
#include "../../plugins/business/src/translator.h"
#include "../../plugins/civil_registry/src/interpreter.h"
#include "../../plugins/demographic_registry/src/registry.h"
#include "../../plugins/diia/src/interpreter.h"
#include "../../plugins/diia/src/multipart.h"
#include "../../plugins/igov/src/interpreter.h"
#include "../../plugins/real_estate/src/interpreter.h"
#include "../../plugins/tax_registry/src/interpreter.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

vikno::CaseView case_for(const std::string& service) {
    vikno::CaseView c;
    c.id = "fuzz";
    c.service = service;
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int pick = data[0] % 10;
    const int status = (data[0] & 0x80) != 0 ? 200 : 500 - (data[0] % 3) * 100;
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    vikno::RegistryAnswer answer{status, {{"Content-Type", "multipart/form-data; boundary=b"}}, body};
    vikno::Exchange sent;
    sent.message_id = "msg-0001";
    sent.path = "/r1/SEVDEIR-TEST/GOV/00015622/EDR/1.0/subjects?code=14360570";
    switch (pick) {
        case 0:
            (void)vikno::civil_registry::interpret_answer(case_for("drac.birth-extract"), sent, answer);
            break;
        case 1:
            (void)vikno::real_estate::interpret_answer(case_for("drrp.extract-by-owner"), sent, answer);
            break;
        case 2:
            (void)vikno::igov::interpret_answer(case_for("igov.push-status"), sent, answer);
            break;
        case 3:
            (void)vikno::business::interpret_answer(case_for("edr.subject-extract"), sent, answer);
            break;
        case 4:
            (void)vikno::business::interpret_answer(case_for("edr.fop-registration"), sent, answer);
            break;
        case 5:
            (void)vikno::diia::read_callback(case_for("diia.document-request"), answer);
            break;
        case 6:
            (void)vikno::diia::parse_multipart(body, "b");
            break;
        case 7:
            (void)vikno::demographic_registry::interpret_answer(case_for("eddr.newborn-unzr"), sent, answer);
            break;
        case 8:
            (void)vikno::tax_registry::interpret_answer(case_for("drfo.register-entrepreneur"), sent, answer);
            break;
        default: {
            sent.path = "/api/v1/auth/acquirer/x";
            (void)vikno::diia::interpret_answer(case_for("diia.sign-files"), sent, answer, vikno::diia::Settings{});
        }
    }
    return 0;
}
