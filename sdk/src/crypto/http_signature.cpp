#include <vikno/http_signature.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

namespace vikno::httpsig {
namespace {

constexpr const char* kLabel = "sig1";
const std::vector<std::string> kXRoadHeaders{"x-road-client", "x-road-service", "x-road-id", "x-road-userid",
                                             "x-road-issue"};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return out;
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

// RFC 9421 2.1: all field lines of the name, trimmed and joined with ", "; nullopt when absent.
std::optional<std::string> field_value(const Headers& headers, const std::string& name) {
    std::optional<std::string> value;
    for (const auto& [n, v] : headers) {
        if (lower(n) != name) continue;
        value = value ? *value + ", " + trim(v) : trim(v);
    }
    return value;
}

bool has_field(const Headers& headers, const std::string& name) { return field_value(headers, name).has_value(); }

std::size_t field_count(const Headers& headers, const std::string& name) {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return lower(h.first) == name; }));
}

std::vector<std::string> components_for(const HttpMessage& message, const BindingHeaders& bound) {
    std::vector<std::string> components;
    if (message.is_response()) {
        components = {"@status", "content-digest"};
        if (has_field(message.headers, "content-type")) components.emplace_back("content-type");
        if (has_field(message.headers, "x-road-id")) components.emplace_back("x-road-id");
    } else {
        components = {"@method", "@target-uri", "content-digest"};
        if (has_field(message.headers, "content-type")) components.emplace_back("content-type");
        for (const auto& name : kXRoadHeaders) {
            if (has_field(message.headers, name)) components.push_back(name);
        }
    }
    for (const auto& name : bound) {
        const std::string field = lower(name);
        if (has_field(message.headers, field) &&
            std::find(components.begin(), components.end(), field) == components.end()) {
            components.push_back(field);
        }
    }
    return components;
}

Result<std::string> component_value(const HttpMessage& message, const std::string& component) {
    if (component == "@method") return message.method;
    if (component == "@target-uri") return message.target_uri;
    if (component == "@status") return std::to_string(message.status);
    if (component.starts_with("@"))
        return Error{"signature_malformed", "the component " + component + " is not supported"};
    auto value = field_value(message.headers, component);
    if (!value) return Error{"components_missing", "the signed header " + component + " is not in the message"};
    return *value;
}

Result<std::string> signature_base(const HttpMessage& message, const std::vector<std::string>& components,
                                   const std::string& params) {
    std::string base;
    for (const auto& component : components) {
        auto value = component_value(message, component);
        if (!value) return value.error();
        base += "\"" + component + "\": " + value.value() + "\n";
    }
    base += "\"@signature-params\": " + params;
    return base;
}

// The inner list and parameters of a Signature-Input member: ("a" "b");created=1;keyid="k";alg="x"
struct SignatureInput {
    std::string label;
    std::string params_text;  // everything after `label=`, used verbatim in the base
    std::vector<std::string> components;
    std::map<std::string, std::string> params;
};

Result<SignatureInput> parse_input(const std::string& header) {
    SignatureInput input;
    const auto equals = header.find('=');
    if (equals == std::string::npos || header.find(',') != std::string::npos) {
        return Error{"signature_malformed", "Signature-Input must hold exactly one signature"};
    }
    input.label = trim(header.substr(0, equals));
    input.params_text = trim(header.substr(equals + 1));
    const std::string& text = input.params_text;
    if (text.empty() || text.front() != '(')
        return Error{"signature_malformed", "Signature-Input lacks its component list"};
    std::size_t pos = 1;
    while (pos < text.size() && text[pos] != ')') {
        if (text[pos] == ' ') {
            ++pos;
            continue;
        }
        if (text[pos] != '"') return Error{"signature_malformed", "components in Signature-Input are quoted strings"};
        const auto end = text.find('"', pos + 1);
        if (end == std::string::npos) return Error{"signature_malformed", "an unterminated component name"};
        input.components.push_back(text.substr(pos + 1, end - pos - 1));
        pos = end + 1;
    }
    if (pos >= text.size()) return Error{"signature_malformed", "the component list is not closed"};
    ++pos;
    while (pos < text.size()) {
        if (text[pos] != ';') return Error{"signature_malformed", "parameters are separated by ';'"};
        const auto eq = text.find('=', pos);
        if (eq == std::string::npos) return Error{"signature_malformed", "a parameter without a value"};
        const std::string key = text.substr(pos + 1, eq - pos - 1);
        std::string value;
        if (eq + 1 < text.size() && text[eq + 1] == '"') {
            const auto end = text.find('"', eq + 2);
            if (end == std::string::npos) return Error{"signature_malformed", "an unterminated parameter value"};
            value = text.substr(eq + 2, end - eq - 2);
            pos = end + 1;
        } else {
            auto end = text.find(';', eq);
            if (end == std::string::npos) end = text.size();
            value = text.substr(eq + 1, end - eq - 1);
            pos = end;
        }
        input.params[key] = value;
    }
    return input;
}

Result<std::string> parse_signature(const std::string& header, const std::string& label) {
    const std::string prefix = label + "=:";
    const std::string text = trim(header);
    if (!text.starts_with(prefix) || text.size() < prefix.size() + 1 || text.back() != ':' ||
        text.find(',') != std::string::npos) {
        return Error{"signature_malformed", "Signature must be " + label + "=:BASE64: for the one signature given"};
    }
    auto decoded = crypto::base64_decode(text.substr(prefix.size(), text.size() - prefix.size() - 1));
    if (!decoded) return Error{"signature_malformed", "the signature is not base64"};
    return decoded.value();
}

// Each binding header once, and signed: a second copy, or an unsigned one, could name another request.
Result<bool> check_bindings(const HttpMessage& message, const std::vector<std::string>& covered,
                            const BindingHeaders& bound) {
    for (const auto& name : bound) {
        const std::string field = lower(name);
        const std::size_t count = field_count(message.headers, field);
        if (count == 0)
            return Error{"binding_missing", "the message lacks " + name + ", which binds it to its request"};
        if (count > 1) {
            return Error{"binding_duplicated", "the message carries " + name + " " + std::to_string(count) +
                                                   " times; the header that binds it must appear once"};
        }
        if (std::find(covered.begin(), covered.end(), field) == covered.end()) {
            return Error{"binding_uncovered",
                         "the signature does not cover " + name + ", which binds the message to its request"};
        }
    }
    return true;
}

Result<bool> check_digest(const HttpMessage& message) {
    auto header = field_value(message.headers, "content-digest");
    if (!header) return Error{"components_missing", "the message has no Content-Digest"};
    // A dictionary of algorithm=:digest:; sha-256 is required, weaker ones are not accepted alone.
    const std::string expected = content_digest(message.body);
    std::string text = *header;
    std::size_t start = 0;
    bool sha256_seen = false;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        const std::string member = trim(text.substr(start, end - start));
        if (member.starts_with("sha-256=")) {
            sha256_seen = true;
            if (member != expected) {
                return Error{"digest_mismatch", "Content-Digest does not match the body: the content was changed"};
            }
        }
        start = end + 1;
    }
    if (!sha256_seen) return Error{"algorithm_refused", "Content-Digest must carry sha-256"};
    return true;
}

}  // namespace

std::string content_digest(std::string_view body) { return "sha-256=:" + crypto::base64(crypto::sha256(body)) + ":"; }

Result<bool> sign(HttpMessage& message, const crypto::Signer& signer, std::time_t created,
                  const BindingHeaders& bound) {
    message.headers.erase(std::remove_if(message.headers.begin(), message.headers.end(),
                                         [](const auto& h) {
                                             const std::string name = lower(h.first);
                                             return name == "content-digest" || name == "signature" ||
                                                    name == "signature-input";
                                         }),
                          message.headers.end());
    message.headers.emplace_back("Content-Digest", content_digest(message.body));
    const auto components = components_for(message, bound);
    std::string params = "(";
    for (std::size_t i = 0; i < components.size(); ++i) params += (i ? " \"" : "\"") + components[i] + "\"";
    params += ");created=" + std::to_string(created) + ";keyid=\"" + signer.certificate().thumbprint() + "\";alg=\"" +
              signer.algorithm().name + "\"";
    auto base = signature_base(message, components, params);
    if (!base) return base.error();
    auto signature = signer.sign(base.value());
    if (!signature) return signature.error();
    message.headers.emplace_back("Signature-Input", std::string(kLabel) + "=" + params);
    message.headers.emplace_back("Signature", std::string(kLabel) + "=:" + crypto::base64(signature.value()) + ":");
    return true;
}

Result<bool> verify(const HttpMessage& message, const crypto::Certificate& pinned, std::time_t now,
                    const BindingHeaders& bound) {
    try {
        const auto input_header = field_value(message.headers, "signature-input");
        const auto signature_header = field_value(message.headers, "signature");
        if (!input_header || !signature_header) {
            return Error{"signature_missing", "the message is not signed (no Signature-Input and Signature headers)"};
        }
        auto input = parse_input(*input_header);
        if (!input) return input.error();
        const SignatureInput& in = input.value();
        const std::string alg = in.params.contains("alg") ? in.params.at("alg") : "";
        if (crypto::is_weak_algorithm(alg))
            return Error{"algorithm_weak", "the algorithm " + alg + " is weak and refused"};
        const crypto::Algorithm* algorithm = crypto::algorithm_by_name(alg);
        if (algorithm == nullptr) {
            return Error{"algorithm_refused",
                         "the signature must name an accepted alg (ecdsa-p256-sha256, "
                         "rsa-v1_5-sha256), got '" +
                             alg + "'"};
        }
        if (auto bindings = check_bindings(message, in.components, bound); !bindings) return bindings.error();
        for (const auto& required : components_for(message, {})) {
            if (std::find(in.components.begin(), in.components.end(), required) == in.components.end()) {
                return Error{"components_missing", "the signature does not cover " + required};
            }
        }
        if (!in.params.contains("created")) return Error{"signature_malformed", "the signature has no created time"};
        char* end = nullptr;
        const long long created = std::strtoll(in.params.at("created").c_str(), &end, 10);
        if (end == nullptr || *end != '\0' ||
            std::llabs(static_cast<long long>(now) - created) > kMaxClockSkewSeconds) {
            return Error{"signature_stale",
                         "the signature was created more than " + std::to_string(kMaxClockSkewSeconds) + " s from now"};
        }
        if (in.params.contains("keyid") && in.params.at("keyid") != pinned.thumbprint()) {
            return Error{"keyinfo_untrusted", "signed with key '" + in.params.at("keyid") +
                                                  "', which is not the pinned certificate '" + pinned.common_name() +
                                                  "'"};
        }
        if (auto digest = check_digest(message); !digest) return digest.error();
        auto signature = parse_signature(*signature_header, in.label);
        if (!signature) return signature.error();
        auto base = signature_base(message, in.components, in.params_text);
        if (!base) return base.error();
        return crypto::pinned_verifier(pinned)->verify(*algorithm, base.value(), signature.value(), now);
    } catch (const std::exception& e) {
        return Error{"signature_invalid", e.what()};
    }
}

}  // namespace vikno::httpsig
