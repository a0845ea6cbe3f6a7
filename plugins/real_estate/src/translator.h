#pragma once
// A case -> SOAP request for the real property rights register, and the field checks before it.

#include "services.h"

namespace vikno::real_estate {

FieldErrors validate_case(const CaseView& c);
Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings);

}  // namespace vikno::real_estate
