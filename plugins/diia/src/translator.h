#pragma once
// A case -> Diia: first the session (GET /api/v1/auth/acquirer/{token}, Basic auth); the interpreter
// then asks for the deep link (POST .../offer-request/dynamic, Bearer).

#include "services.h"

namespace vikno::diia {

FieldErrors validate_case(const CaseView& c);
Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings);

/// The deep-link request: `offerId`, `requestId` and, for signing, the files' hashes.
Exchange offer_request(const CaseView& c, const Settings& settings, const std::string& session_token,
                       const std::string& request_id);

}  // namespace vikno::diia
