// HTTP message signatures and detached JWS from an untrusted peer: header parsing, Content-Digest,
// base64, the JWS header JSON. The input is split into headers and a body at the first blank line.
#include <vikno/http_signature.h>
#include <vikno/jws.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>

namespace {
const vikno::crypto::Certificate& pinned() {
    static const auto cert =
        vikno::crypto::Certificate::load_pem_file(std::string(VIKNO_TEST_PKI_DIR) + "/business-signing.crt").value();
    return cert;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto split = text.find("\n\n");
    vikno::httpsig::HttpMessage message;
    message.status = 200;
    message.body = split == std::string::npos ? "" : text.substr(split + 2);
    std::size_t pos = 0;
    const std::string head = text.substr(0, split);
    while (pos < head.size()) {
        auto end = head.find('\n', pos);
        if (end == std::string::npos) end = head.size();
        const std::string line = head.substr(pos, end - pos);
        if (const auto colon = line.find(':'); colon != std::string::npos) {
            message.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
        }
        pos = end + 1;
    }
    (void)vikno::httpsig::verify(message, pinned(), std::time(nullptr));
    (void)vikno::jws::verify_detached(head, message.body, pinned(), std::time(nullptr));
    (void)vikno::crypto::base64_decode(text);
    return 0;
}
