#pragma once
// A case -> the first request to ЄДР (a REST search, or the plain-XML registration), and the field
// checks before it.

#include "services.h"

namespace vikno::business {

FieldErrors validate_case(const CaseView& c);
Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings);

/// KVED 2010 class codes are written NN.NN.
bool is_kved(const std::string& code);

}  // namespace vikno::business
