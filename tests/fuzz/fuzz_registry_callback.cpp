// POST /v1/callbacks/{plugin} as an unauthenticated peer sends it: the head parsed by POCO as the
// server does, the message the signature covers, the signature with its binding header, and the
// Diia plugin's reading of the callback (which the gateway runs only on a verified one).
#include "api/endpoints.h"
#include "signing/message_signing.h"

#include "../../plugins/diia/src/interpreter.h"

#include <Poco/Net/HTTPRequest.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

namespace {
const vikno::crypto::Certificate& pinned() {
    static const auto cert =
        vikno::crypto::Certificate::load_pem_file(std::string(VIKNO_TEST_PKI_DIR) + "/diia-signing.crt").value();
    return cert;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    Poco::Net::HTTPRequest request;
    try {
        request.read(in);
    } catch (const Poco::Exception&) {
        return 0;  // the server answers 400 before any of our code runs
    }
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto message = vikno::gateway::endpoints::callback_message(request, body);
    (void)vikno::gateway::check_callback(message, "X-Document-Request-Trace-Id", pinned(), 1'800'000'000);
    vikno::Case c;
    c.id = "fuzz";
    c.service = "diia.document-request";
    (void)vikno::diia::read_callback(c, vikno::RegistryAnswer{0, message.headers, message.body});
    return 0;
}
