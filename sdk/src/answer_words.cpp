#include <vikno/answer_words.h>
#include <vikno/soap_answer.h>

namespace vikno {

Interpretation malformed(const RegistryName& registry, const std::string& reason) {
    return soap::decide(Verdict::Retry, "malformed answer: " + reason,
                        registry.uk + " надіслав пошкоджену відповідь, запит буде повторено",
                        registry.en + " sent a malformed answer; the request will be retried");
}

Interpretation unavailable(const RegistryName& registry, const std::string& reason) {
    return soap::decide(Verdict::Retry, reason, registry.uk + " тимчасово недоступний, запит буде повторено",
                        registry.en + " is temporarily unavailable; the request will be retried");
}

}  // namespace vikno
