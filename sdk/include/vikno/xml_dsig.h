#pragma once
// XML-DSig for SOAP envelopes with the X-Road header (signature profile XmlDsigXRoad).
//
// Signed form: `wsu:Id` on soap:Header and soap:Body, and one ds:Signature as the last child of
// soap:Header with two references by Id: the Body (exclusive C14N) and the Header (enveloped
// signature + exclusive C14N; the X-Road header elements are covered through it because their
// schema types allow no Id attribute). SHA-256 digests, the signer's certificate in X509Data.
// The result verifies with the xmlsec1 command-line tool (docs/signing.md shows the command).

#include <vikno/result.h>
#include <vikno/signing.h>

#include <ctime>
#include <string>
#include <string_view>

namespace vikno::xmldsig {

inline constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* kWsuNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr const char* kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
inline constexpr const char* kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

/// The envelope with its signature added. Errors: `soap_envelope_invalid` (not an envelope with
/// one Header and one Body), `already_signed`, `sign_failed`.
Result<std::string> sign_envelope(std::string_view envelope, const crypto::Signer& signer);

/// Verifies a signed envelope against the pinned key, and only it. Ok only when: exactly one
/// ds:Signature, in soap:Header; it references exactly the soap:Body and soap:Header that are the
/// envelope's own children (Ids registered on those two elements only; duplicates refused); only
/// exclusive C14N, enveloped-signature and SHA-256 transforms; a strong signature method; any
/// certificate in KeyInfo equal to the pinned one; the pinned certificate valid at `now`; digests
/// and signature value correct (checked by xmlsec); the ds:Signature in the profile's shape
/// (SignedInfo, SignatureValue, optional KeyInfo with one X509Certificate; no ds:Object, no
/// attributes). With `message_id`, the answer must also carry exactly one xrd:id in the signed
/// Header, equal to it. Errors name the failed check:
/// `xml_malformed` (and the other xml::parse codes), `soap_envelope_invalid`, `signature_missing`,
/// `signature_duplicated`, `signature_misplaced`, `signature_attribute_refused`,
/// `signature_content_refused`, `reference_invalid`, `id_duplicated`, `algorithm_weak`,
/// `algorithm_refused`, `keyinfo_refused`, `keyinfo_untrusted`, `certificate_expired`,
/// `certificate_not_yet_valid`, `digest_mismatch`, `signature_invalid`; with `message_id`:
/// `answer_unbound`, `answer_mismatch`.
Result<bool> verify_envelope(std::string_view envelope, const crypto::Certificate& pinned, std::time_t now,
                             std::string_view message_id = {});

}  // namespace vikno::xmldsig
