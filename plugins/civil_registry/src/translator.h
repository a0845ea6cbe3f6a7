#pragma once
// A case -> SOAP request for the civil registry, and the field checks that come before it.

#include "services.h"

namespace vikno::civil_registry {

FieldErrors validate_case(const CaseView& c);
Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings);

}  // namespace vikno::civil_registry
