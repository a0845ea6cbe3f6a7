// A registry's SOAP answer, as the gateway and the plugins read it: the safe parser, the X-Road
// header, the body, faults, and the XML-DSig verification in front of them.
#include <vikno/soap.h>
#include <vikno/xml.h>
#include <vikno/xml_dsig.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>

namespace {
const vikno::crypto::Certificate& pinned() {
    static const auto cert =
        vikno::crypto::Certificate::load_pem_file(std::string(VIKNO_TEST_PKI_DIR) + "/civil_registry-signing.crt")
            .value();
    return cert;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto parsed = vikno::xml::parse(text)) {
        auto& document = parsed.value();
        (void)vikno::soap::read_header(document);
        (void)vikno::soap::body_element(document);
        (void)vikno::soap::read_fault(document);
    }
    (void)vikno::xmldsig::verify_envelope(text, pinned(), std::time(nullptr));
    return 0;
}
