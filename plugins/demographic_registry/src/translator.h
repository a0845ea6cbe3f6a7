#pragma once
// Case -> SOAP request for the demographic register, and the field checks that come before it.

#include "services.h"

namespace vikno::demographic_registry {

FieldErrors validate_case(const Case& c);
Result<Exchange> translate_case(const Case& c, const ExchangeContext& context, const Settings& settings);

}  // namespace vikno::demographic_registry
