// XML-DSig for SOAP envelopes. Signing builds the signature with libxml2's exclusive C14N and the
// generic Signer (so any key backend can sign); verification runs xmlsec with every transform,
// algorithm and URI type it may use listed explicitly, after structural checks that pin the
// references to the very Header and Body the plugin will read.

#include <vikno/soap.h>
#include <vikno/xml.h>
#include <vikno/xml_dsig.h>

#include <libxml/c14n.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <cstring>
#include <map>
#include <mutex>
#include <set>

namespace vikno::xmldsig {
namespace {

constexpr const char* kHeaderId = "xroad-header";
constexpr const char* kBodyId = "soap-body";

const xmlChar* x(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

bool is(xmlNodePtr node, const char* ns, const char* name) {
    return node != nullptr && node->type == XML_ELEMENT_NODE && xml::local_name(node) == name &&
           xml::namespace_uri(node) == ns;
}

std::string attribute(xmlNodePtr node, const char* name, const char* ns = nullptr) {
    xmlChar* value = ns == nullptr ? xmlGetNoNsProp(node, x(name)) : xmlGetNsProp(node, x(name), x(ns));
    if (value == nullptr) return {};
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
}

// The envelope's own Header and Body: the only elements a reference may point at.
struct EnvelopeParts {
    xmlNodePtr header = nullptr;
    xmlNodePtr body = nullptr;
};

Result<EnvelopeParts> envelope_parts(const xml::Document& document, bool add_missing_header = false) {
    xmlNodePtr root = document.root();
    if (!is(root, soap::kEnvelopeNs, "Envelope")) {
        return Error{"soap_envelope_invalid", "the document element is not a SOAP 1.1 Envelope"};
    }
    EnvelopeParts parts;
    for (xmlNodePtr child : xml::child_elements(root)) {
        if (is(child, soap::kEnvelopeNs, "Header") && parts.header == nullptr && parts.body == nullptr) {
            parts.header = child;
        } else if (is(child, soap::kEnvelopeNs, "Body") && parts.body == nullptr) {
            parts.body = child;
        } else {
            return Error{
                "soap_envelope_invalid",
                "the Envelope must hold one Header and then one Body, found an extra <" + xml::local_name(child) + ">"};
        }
    }
    if (parts.header == nullptr && parts.body != nullptr && add_missing_header) {
        // SOAP makes the Header optional; a signed envelope needs one to carry the signature.
        parts.header = xmlNewNode(parts.body->ns, x("Header"));
        xmlAddPrevSibling(parts.body, parts.header);
    }
    if (parts.header == nullptr || parts.body == nullptr) {
        return Error{"soap_envelope_invalid", "the Envelope must hold one Header and one Body"};
    }
    return parts;
}

// Exclusive C14N (no comments) of `apex` and its subtree, minus `excluded` and its subtree.
struct Scope {
    xmlNodePtr apex;
    xmlNodePtr excluded;
};

int visible(void* data, xmlNodePtr node, xmlNodePtr parent) {
    const auto* scope = static_cast<const Scope*>(data);
    // Namespace nodes are passed as xmlNs with their element in `parent`; attributes know their element.
    xmlNodePtr at = (node == nullptr || node->type == XML_NAMESPACE_DECL) ? parent : node;
    for (xmlNodePtr p = at; p != nullptr; p = p->parent) {
        if (p == scope->excluded) return 0;
        if (p == scope->apex) return 1;
    }
    return 0;
}

std::string canonical(xmlDocPtr doc, xmlNodePtr apex, xmlNodePtr excluded = nullptr) {
    Scope scope{apex, excluded};
    xmlOutputBufferPtr buffer = xmlAllocOutputBuffer(nullptr);
    const int written = xmlC14NExecute(doc, visible, &scope, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, buffer);
    std::string out;
    if (written >= 0) {
        out.assign(reinterpret_cast<const char*>(xmlOutputBufferGetContent(buffer)), xmlOutputBufferGetSize(buffer));
    }
    xmlOutputBufferClose(buffer);
    return out;
}

xmlNodePtr add(xmlNodePtr parent, xmlNsPtr ns, const char* name, const std::string& content = {}) {
    return xmlNewTextChild(parent, ns, x(name), content.empty() ? nullptr : x(content.c_str()));
}

xmlNodePtr add_reference(xmlNodePtr signed_info, xmlNsPtr ds, const std::string& id, bool enveloped) {
    xmlNodePtr reference = add(signed_info, ds, "Reference");
    xmlSetProp(reference, x("URI"), x(("#" + id).c_str()));
    xmlNodePtr transforms = add(reference, ds, "Transforms");
    if (enveloped) xmlSetProp(add(transforms, ds, "Transform"), x("Algorithm"), x(kEnveloped));
    xmlSetProp(add(transforms, ds, "Transform"), x("Algorithm"), x(kExcC14n));
    xmlSetProp(add(reference, ds, "DigestMethod"), x("Algorithm"), x(kSha256));
    return add(reference, ds, "DigestValue");
}

void set_id(xmlNodePtr element, const char* id) {
    xmlNsPtr wsu = xmlSearchNsByHref(element->doc, element, x(kWsuNs));
    if (wsu == nullptr) wsu = xmlNewNs(element, x(kWsuNs), x("wsu"));
    xmlSetNsProp(element, wsu, x("Id"), x(id));
}

void init_xmlsec() {
    static std::once_flag once;
    static bool ready = false;
    std::call_once(once, [] {
        ready = xmlSecInit() == 0 && xmlSecCryptoAppInit(nullptr) == 0 && xmlSecCryptoInit() == 0;
        // Failures are reported through our error codes; xmlsec's own trace would only reach stderr.
        xmlSecErrorsSetCallback([](const char*, int, const char*, const char*, const char*, int, const char*) {});
    });
    if (!ready) throw std::runtime_error("xmlsec could not be initialised");
}

// Registers the Id of exactly this element; refuses when another element carries the same value.
Result<std::string> register_id(xmlDocPtr doc, xmlNodePtr element, const char* what) {
    xmlAttrPtr id = xmlHasNsProp(element, x("Id"), x(kWsuNs));
    if (id == nullptr) {
        return Error{"reference_invalid", std::string("the ") + what + " carries no wsu:Id, so it cannot be signed"};
    }
    const std::string value = attribute(element, "Id", kWsuNs);
    if (xmlAddID(nullptr, doc, x(value.c_str()), id) == nullptr) {
        return Error{"id_duplicated", "the Id '" + value + "' is used twice"};
    }
    return value;
}

Result<bool> no_other_element_has_id(xmlNodePtr node, const std::set<xmlNodePtr>& owners,
                                     const std::set<std::string>& ids) {
    for (xmlNodePtr child = node; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        for (xmlAttrPtr a = child->properties; a != nullptr; a = a->next) {
            const std::string name = reinterpret_cast<const char*>(a->name);
            if (strcasecmp(name.c_str(), "id") != 0 || owners.contains(child)) continue;
            xmlChar* value = xmlNodeGetContent(reinterpret_cast<xmlNodePtr>(a));
            const std::string text = value != nullptr ? reinterpret_cast<const char*>(value) : "";
            xmlFree(value);
            if (ids.contains(text)) {
                return Error{"id_duplicated", "the Id '" + text + "' of a signed element is used again on <" +
                                                  xml::local_name(child) + "> (signature wrapping refused)"};
            }
        }
        if (auto r = no_other_element_has_id(child->children, owners, ids); !r) return r;
    }
    return true;
}

// What one ds:Reference must look like: this URI, these transforms, SHA-256.
Result<bool> check_reference(xmlNodePtr reference, const std::string& expected_uri, bool enveloped) {
    std::vector<std::string> transforms;
    std::string digest_method;
    for (xmlNodePtr child : xml::child_elements(reference)) {
        if (is(child, kDsigNs, "Transforms")) {
            for (xmlNodePtr t : xml::child_elements(child)) transforms.push_back(attribute(t, "Algorithm"));
        } else if (is(child, kDsigNs, "DigestMethod")) {
            digest_method = attribute(child, "Algorithm");
        }
    }
    if (crypto::is_weak_algorithm(digest_method)) {
        return Error{"algorithm_weak", "the digest method " + digest_method + " is weak and refused; use SHA-256"};
    }
    if (digest_method != kSha256) {
        return Error{"algorithm_refused", "the digest method '" + digest_method + "' is not accepted; use SHA-256"};
    }
    const std::vector<std::string> expected =
        enveloped ? std::vector<std::string>{kEnveloped, kExcC14n} : std::vector<std::string>{kExcC14n};
    if (transforms != expected) {
        return Error{"reference_invalid", "the reference " + expected_uri + " must use only " +
                                              std::string(enveloped ? "enveloped-signature and " : "") +
                                              "exclusive C14N transforms"};
    }
    return true;
}

Result<xmlNodePtr> find_signature(const xml::Document& document, const EnvelopeParts& parts) {
    std::vector<xmlNodePtr> found;
    std::vector<xmlNodePtr> stack{document.root()};
    while (!stack.empty()) {
        xmlNodePtr node = stack.back();
        stack.pop_back();
        for (xmlNodePtr child = node->children; child != nullptr; child = child->next) {
            if (child->type != XML_ELEMENT_NODE) continue;
            if (is(child, kDsigNs, "Signature")) found.push_back(child);
            stack.push_back(child);
        }
    }
    if (found.empty()) return Error{"signature_missing", "the message is not signed (no ds:Signature)"};
    if (found.size() > 1) {
        return Error{"signature_duplicated", "the message holds " + std::to_string(found.size()) +
                                                 " signatures; exactly one, in soap:Header, is accepted"};
    }
    if (found.front()->parent != parts.header) {
        return Error{"signature_misplaced", "the ds:Signature is not a direct child of soap:Header"};
    }
    return found.front();
}

// The profile's shape of ds:Signature and nothing more: SignedInfo, SignatureValue and an optional
// KeyInfo, no attributes, no ds:Object. Content the signature does not cover must not be there for
// the next reader to trust (a ds:Object with a forged record verifies as well as an empty one).
Result<bool> check_signature_shape(xmlNodePtr signature) {
    if (signature->properties != nullptr) {
        return Error{"signature_attribute_refused",
                     "the ds:Signature carries the attribute '" +
                         std::string(reinterpret_cast<const char*>(signature->properties->name)) +
                         "', which the profile does not allow"};
    }
    const auto children = xml::child_elements(signature);
    const std::vector<const char*> shape{"SignedInfo", "SignatureValue", "KeyInfo"};
    for (std::size_t i = 0; i < children.size(); ++i) {
        const bool expected = i < shape.size() && is(children[i], kDsigNs, shape[i]);
        if (!expected) {
            return Error{"signature_content_refused",
                         "the ds:Signature holds <" + xml::local_name(children[i]) + "> at position " +
                             std::to_string(i + 1) +
                             "; the profile allows SignedInfo, SignatureValue and KeyInfo only"};
        }
    }
    if (children.size() < 2) return Error{"reference_invalid", "the ds:Signature lacks SignedInfo or SignatureValue"};
    for (xmlNodePtr child : xml::child_elements(children.front())) {
        const std::string name = xml::local_name(child);
        const bool known = xml::namespace_uri(child) == kDsigNs &&
                           (name == "CanonicalizationMethod" || name == "SignatureMethod" || name == "Reference");
        if (!known) {
            return Error{"signature_content_refused",
                         "SignedInfo holds <" + name + ">, which the profile does not allow"};
        }
        if (name != "Reference") continue;
        for (xmlAttrPtr a = child->properties; a != nullptr; a = a->next) {
            if (std::strcmp(reinterpret_cast<const char*>(a->name), "URI") != 0 || a->ns != nullptr) {
                return Error{"signature_attribute_refused", "a ds:Reference carries the attribute '" +
                                                                std::string(reinterpret_cast<const char*>(a->name)) +
                                                                "'; the profile allows URI only"};
            }
        }
        for (xmlNodePtr part : xml::child_elements(child)) {
            const std::string part_name = xml::local_name(part);
            if (xml::namespace_uri(part) != kDsigNs ||
                (part_name != "Transforms" && part_name != "DigestMethod" && part_name != "DigestValue")) {
                return Error{"signature_content_refused",
                             "a ds:Reference holds <" + part_name + ">, which the profile does not allow"};
            }
        }
    }
    return true;
}

// KeyInfo, when present, is one X509Data holding one X509Certificate: the pinned one. Any other
// form (KeyName, KeyValue, RetrievalMethod, issuer and serial) names a key by something we never
// look up, so it is refused rather than ignored.
Result<bool> check_key_info(xmlNodePtr key_info, const crypto::Certificate& pinned, const std::string& pinned_der) {
    const auto data = xml::child_elements(key_info);
    if (data.size() != 1 || !is(data.front(), kDsigNs, "X509Data")) {
        return Error{"keyinfo_refused", "KeyInfo must hold exactly one X509Data, found <" +
                                            (data.empty() ? std::string("nothing") : xml::local_name(data.front())) +
                                            (data.size() > 1 ? "> and more" : ">")};
    }
    const auto items = xml::child_elements(data.front());
    if (items.size() != 1 || !is(items.front(), kDsigNs, "X509Certificate")) {
        return Error{"keyinfo_refused", "X509Data must hold exactly one X509Certificate"};
    }
    auto der = crypto::base64_decode(xml::node_text(items.front()));
    if (!der || der.value() != pinned_der) {
        return Error{"keyinfo_untrusted", "the certificate in KeyInfo is not the pinned certificate '" +
                                              pinned.common_name() + "'; KeyInfo is never trusted"};
    }
    return true;
}

// Everything about SignedInfo and KeyInfo that is checked before any cryptography.
Result<bool> check_signed_info(xmlNodePtr signature, const std::string& header_id, const std::string& body_id,
                               const crypto::Certificate& pinned, const std::string& pinned_der) {
    if (auto shape = check_signature_shape(signature); !shape) return shape;
    const auto children = xml::child_elements(signature);
    std::string c14n_method;
    std::string signature_method;
    std::vector<xmlNodePtr> references;
    for (xmlNodePtr child : xml::child_elements(children.front())) {
        if (is(child, kDsigNs, "CanonicalizationMethod"))
            c14n_method = attribute(child, "Algorithm");
        else if (is(child, kDsigNs, "SignatureMethod"))
            signature_method = attribute(child, "Algorithm");
        else if (is(child, kDsigNs, "Reference"))
            references.push_back(child);
    }
    if (c14n_method != kExcC14n) {
        return Error{"algorithm_refused",
                     "SignedInfo must be canonicalised with exclusive C14N, not '" + c14n_method + "'"};
    }
    if (crypto::is_weak_algorithm(signature_method)) {
        return Error{"algorithm_weak", "the signature method " + signature_method + " is weak and refused"};
    }
    if (crypto::algorithm_by_xmldsig_uri(signature_method) == nullptr) {
        return Error{"algorithm_refused", "the signature method '" + signature_method + "' is not accepted"};
    }
    if (references.size() != 2) {
        return Error{"reference_invalid",
                     "the signature must reference exactly the soap:Header and the soap:Body, found " +
                         std::to_string(references.size()) + " reference(s)"};
    }
    bool header_seen = false;
    bool body_seen = false;
    for (xmlNodePtr reference : references) {
        const std::string uri = attribute(reference, "URI");
        if (uri == "#" + body_id && !body_seen) {
            body_seen = true;
            if (auto r = check_reference(reference, uri, false); !r) return r;
        } else if (uri == "#" + header_id && !header_seen) {
            header_seen = true;
            if (auto r = check_reference(reference, uri, true); !r) return r;
        } else {
            return Error{"reference_invalid", "the reference '" + uri +
                                                  "' does not point at the envelope's own Header or Body "
                                                  "(signature wrapping refused)"};
        }
    }
    if (children.size() == 3) return check_key_info(children[2], pinned, pinned_der);
    return true;
}

// The X-Road message id in the signed Header, which binds an answer to its request (X-Road 4.0:
// the service echoes the client's id). Exactly one, or the reader could take another.
Result<bool> check_message_id(xmlNodePtr header, std::string_view expected) {
    std::vector<xmlNodePtr> ids;
    for (xmlNodePtr child : xml::child_elements(header)) {
        if (is(child, soap::kXRoadNs, "id")) ids.push_back(child);
    }
    if (ids.empty())
        return Error{"answer_unbound", "the signed header carries no xrd:id to bind the answer to its request"};
    if (ids.size() > 1)
        return Error{"answer_unbound", "the signed header carries xrd:id " + std::to_string(ids.size()) + " times"};
    const std::string id = xml::node_text(ids.front());
    if (id != expected) {
        return Error{"answer_mismatch", "the answer is for message " + id + ", not " + std::string(expected)};
    }
    return true;
}

struct XmlSecKey {
    void operator()(xmlSecKeyPtr key) const { xmlSecKeyDestroy(key); }
};
struct XmlSecCtx {
    void operator()(xmlSecDSigCtxPtr ctx) const { xmlSecDSigCtxDestroy(ctx); }
};

// The pinned key as xmlsec wants it. Loading it costs more than the verification itself (OpenSSL 3
// decoders), so each thread keeps the keys it has loaded, by certificate. A key is used by one
// thread at a time and never freed while the thread lives.
xmlSecKeyPtr pinned_key(const std::string& der) {
    thread_local std::map<std::string, std::unique_ptr<xmlSecKey, XmlSecKey>> keys;
    auto& key = keys[der];
    if (!key) {
        key.reset(xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(der.data()),
                                               static_cast<xmlSecSize>(der.size()), xmlSecKeyDataFormatCertDer, nullptr,
                                               nullptr, nullptr));
    }
    return key.get();
}

// The cryptographic check, by xmlsec, limited to what the profile allows.
Result<bool> xmlsec_verify(xmlNodePtr signature, const crypto::Certificate& pinned, const std::string& der) {
    init_xmlsec();
    xmlSecKeyPtr key = pinned_key(der);
    if (key == nullptr) return Error{"signature_invalid", "xmlsec could not use the pinned certificate's key"};
    std::unique_ptr<xmlSecDSigCtx, XmlSecCtx> ctx(xmlSecDSigCtxCreate(nullptr));
    ctx->signKey = key;
    // The context frees its key on destruction; this one belongs to the cache.
    struct Detach {
        xmlSecDSigCtxPtr ctx;
        ~Detach() { ctx->signKey = nullptr; }
    } detach{ctx.get()};
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    for (const auto id : {xmlSecTransformExclC14NId, xmlSecTransformEcdsaSha256Id, xmlSecTransformRsaSha256Id}) {
        xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id);
    }
    for (const auto id : {xmlSecTransformExclC14NId, xmlSecTransformEnvelopedId, xmlSecTransformSha256Id}) {
        xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id);
    }
    if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) {
        return Error{"signature_invalid", "xmlsec could not process the signature"};
    }
    if (ctx->status == xmlSecDSigStatusSucceeded) return true;
    const xmlSecSize count = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    for (xmlSecSize i = 0; i < count; ++i) {
        auto* reference = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
        if (reference != nullptr && reference->status != xmlSecDSigStatusSucceeded) {
            const std::string uri = reference->uri != nullptr ? reinterpret_cast<const char*>(reference->uri) : "";
            return Error{"digest_mismatch", "the digest of " +
                                                std::string(uri == std::string("#") + kBodyId ? "the Body" : uri) +
                                                " does not match: the content was changed after signing"};
        }
    }
    return Error{"signature_invalid",
                 "the signature value does not match the pinned key of '" + pinned.common_name() + "'"};
}

}  // namespace

Result<std::string> sign_envelope(std::string_view envelope, const crypto::Signer& signer) {
    auto parsed = xml::parse(envelope);
    if (!parsed) return parsed.error();
    xml::Document& document = parsed.value();
    auto parts = envelope_parts(document, true);
    if (!parts) return parts.error();
    const auto [header, body] = parts.value();
    for (xmlNodePtr child : xml::child_elements(header)) {
        if (is(child, kDsigNs, "Signature")) return Error{"already_signed", "the envelope already holds a signature"};
    }
    set_id(header, kHeaderId);
    set_id(body, kBodyId);

    xmlNodePtr signature = xmlNewNode(nullptr, x("Signature"));
    xmlNsPtr ds = xmlNewNs(signature, x(kDsigNs), x("ds"));
    xmlSetNs(signature, ds);
    xmlAddChild(header, signature);
    xmlNodePtr signed_info = add(signature, ds, "SignedInfo");
    xmlSetProp(add(signed_info, ds, "CanonicalizationMethod"), x("Algorithm"), x(kExcC14n));
    xmlSetProp(add(signed_info, ds, "SignatureMethod"), x("Algorithm"), x(signer.algorithm().xmldsig_uri.c_str()));
    xmlNodePtr body_digest = add_reference(signed_info, ds, kBodyId, false);
    xmlNodePtr header_digest = add_reference(signed_info, ds, kHeaderId, true);
    xmlNodePtr value = add(signature, ds, "SignatureValue");
    xmlNodePtr x509 = add(add(add(signature, ds, "KeyInfo"), ds, "X509Data"), ds, "X509Certificate",
                          crypto::base64(signer.certificate().der()));
    (void)x509;

    const std::string body_c14n = canonical(document.get(), body);
    const std::string header_c14n = canonical(document.get(), header, signature);
    if (body_c14n.empty() || header_c14n.empty()) return Error{"sign_failed", "canonicalisation failed"};
    xmlNodeSetContent(body_digest, x(crypto::base64(crypto::sha256(body_c14n)).c_str()));
    xmlNodeSetContent(header_digest, x(crypto::base64(crypto::sha256(header_c14n)).c_str()));
    auto signed_value = signer.sign(canonical(document.get(), signed_info));
    if (!signed_value) return signed_value.error();
    xmlNodeSetContent(value, x(crypto::base64(signed_value.value()).c_str()));

    xmlChar* out = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(document.get(), &out, &size, "UTF-8");
    std::string text(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
    xmlFree(out);
    return text;
}

Result<bool> verify_envelope(std::string_view envelope, const crypto::Certificate& pinned, std::time_t now,
                             std::string_view message_id) {
    try {
        auto parsed = xml::parse(envelope);
        if (!parsed) return parsed.error();
        xml::Document& document = parsed.value();
        auto parts = envelope_parts(document);
        if (!parts) return parts.error();
        auto signature = find_signature(document, parts.value());
        if (!signature) return signature.error();
        auto header_id = register_id(document.get(), parts.value().header, "soap:Header");
        if (!header_id) return header_id.error();
        auto body_id = register_id(document.get(), parts.value().body, "soap:Body");
        if (!body_id) return body_id.error();
        if (header_id.value() == body_id.value()) return Error{"id_duplicated", "the Header and the Body share one Id"};
        if (auto r = no_other_element_has_id(document.root(), {parts.value().header, parts.value().body},
                                             {header_id.value(), body_id.value()});
            !r) {
            return r.error();
        }
        const std::string& pinned_der = pinned.der();
        if (auto r = check_signed_info(signature.value(), header_id.value(), body_id.value(), pinned, pinned_der); !r) {
            return r.error();
        }
        if (auto valid = pinned.check_valid_at(now); !valid) return valid.error();
        if (auto r = xmlsec_verify(signature.value(), pinned, pinned_der); !r) return r;
        if (!message_id.empty()) return check_message_id(parts.value().header, message_id);
        return true;
    } catch (const std::exception& e) {
        return Error{"signature_invalid", e.what()};
    }
}

}  // namespace vikno::xmldsig
