#pragma once
// A case -> REST request to the taxpayer register, and the field checks before it.

#include "services.h"

namespace vikno::tax_registry {

FieldErrors validate_case(const CaseView& c);
Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings);

}  // namespace vikno::tax_registry
