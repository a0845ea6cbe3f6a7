#include <vikno/jws.h>

#include <vikno/case_json.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <set>
#include <vector>

namespace vikno::jws {
namespace {

Result<std::string> base64url_decode(std::string_view text) {
    std::string standard(text);
    for (auto& ch : standard) {
        if (ch == '-')
            ch = '+';
        else if (ch == '_')
            ch = '/';
        else if (ch == '+' || ch == '/' || ch == '=')
            return Error{"signature_malformed", "not base64url"};
    }
    while (standard.size() % 4 != 0) standard += '=';
    return crypto::base64_decode(standard);
}

// Poco keeps the last of two equal member names; another reader may keep the first. RFC 7515 4
// lets a recipient refuse such a header, and we do, so that every reader sees one `alg`.
class DuplicateMemberCheck final : public Poco::JSON::ParseHandler {
public:
    void startObject() override {
        members_.emplace_back();
        ParseHandler::startObject();
    }
    void endObject() override {
        members_.pop_back();
        ParseHandler::endObject();
    }
    void key(const std::string& name) override {
        if (!members_.empty() && !members_.back().insert(name).second) duplicate_ = name;
        ParseHandler::key(name);
    }
    const std::string& duplicate() const { return duplicate_; }

private:
    std::vector<std::set<std::string>> members_;
    std::string duplicate_;
};

}  // namespace

Result<std::string> sign_detached(std::string_view payload, const crypto::Signer& signer, std::time_t issued_at) {
    Poco::JSON::Object header(Poco::JSON_PRESERVE_KEY_ORDER);
    header.set("alg", signer.algorithm().jws);
    header.set("kid", signer.certificate().thumbprint());
    header.set("iat", static_cast<Poco::Int64>(issued_at));
    const std::string protected_header = crypto::base64url(to_json_text(header));
    auto signature = signer.sign(protected_header + "." + crypto::base64url(payload));
    if (!signature) return signature.error();
    return protected_header + ".." + crypto::base64url(signature.value());
}

Result<bool> verify_detached(std::string_view compact, std::string_view payload, const crypto::Certificate& pinned,
                             std::time_t now) {
    try {
        if (compact.empty())
            return Error{"signature_missing", "the message is not signed (no " + std::string(kHeader) + ")"};
        const auto first = compact.find('.');
        const auto second = first == std::string_view::npos ? first : compact.find('.', first + 1);
        if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
            return Error{"signature_malformed", "a JWS has three parts separated by '.'"};
        }
        if (second != first + 1)
            return Error{"signature_malformed", "the JWS carries its payload; a detached JWS must not"};
        const std::string_view protected_header = compact.substr(0, first);
        auto header_json = base64url_decode(protected_header);
        auto signature = base64url_decode(compact.substr(second + 1));
        if (!header_json || !signature) return Error{"signature_malformed", "the JWS parts are not base64url"};
        Poco::SharedPtr<DuplicateMemberCheck> members = new DuplicateMemberCheck;
        Poco::JSON::Parser parser(members);
        const auto header = parser.parse(header_json.value()).extract<Poco::JSON::Object::Ptr>();
        if (!members->duplicate().empty()) {
            return Error{"header_duplicated", "the JWS header names '" + members->duplicate() + "' twice"};
        }
        const std::string alg = header->optValue<std::string>("alg", "");
        if (crypto::is_weak_algorithm(alg))
            return Error{"algorithm_weak", "the algorithm " + alg + " is weak and refused"};
        const crypto::Algorithm* algorithm = nullptr;
        for (const auto* candidate : {&crypto::ecdsa_p256_sha256(), &crypto::rsa_pkcs1_sha256()}) {
            if (candidate->jws == alg) algorithm = candidate;
        }
        if (algorithm == nullptr) {
            return Error{"algorithm_refused", "the JWS algorithm must be ES256 or RS256, got '" + alg + "'"};
        }
        if (header->has("crit")) return Error{"signature_malformed", "no critical JWS extensions are understood"};
        if (const auto kid = header->optValue<std::string>("kid", ""); !kid.empty() && kid != pinned.thumbprint()) {
            return Error{"keyinfo_untrusted", "signed with key '" + kid + "', which is not the pinned certificate '" +
                                                  pinned.common_name() + "'"};
        }
        if (const auto x5c = header->getArray("x5c"); x5c && x5c->size() > 0) {
            auto der = crypto::base64_decode(x5c->getElement<std::string>(0));
            if (!der || der.value() != pinned.der()) {
                return Error{"keyinfo_untrusted", "the certificate in x5c is not the pinned certificate"};
            }
        }
        if (!header->has("iat")) return Error{"signature_malformed", "the JWS header has no iat"};
        if (const auto iat = header->get("iat"); !iat.isInteger() || iat.isBoolean()) {
            return Error{"iat_not_numeric",
                         "iat must be a whole number of seconds (RFC 7519 NumericDate), not " + iat.toString()};
        }
        const auto iat = header->getValue<Poco::Int64>("iat");
        if (std::llabs(static_cast<long long>(now) - iat) > kMaxClockSkewSeconds) {
            return Error{"signature_stale",
                         "the JWS was issued more than " + std::to_string(kMaxClockSkewSeconds) + " s from now"};
        }
        const std::string signing_input = std::string(protected_header) + "." + crypto::base64url(payload);
        return crypto::pinned_verifier(pinned)->verify(*algorithm, signing_input, signature.value(), now);
    } catch (const std::exception& e) {
        return Error{"signature_malformed", std::string("the JWS header is not usable: ") + e.what()};
    }
}

}  // namespace vikno::jws
