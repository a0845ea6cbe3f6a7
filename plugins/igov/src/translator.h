#pragma once
// A case -> REST request to the iGov portal, and the field checks before it.

#include "services.h"

namespace vikno::igov {

FieldErrors validate_case(const CaseView& c);
Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings);

}  // namespace vikno::igov
