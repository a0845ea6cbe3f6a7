#pragma once
// ЄДР's answers -> what they mean for the case: a search leads to the details of the first match
// (Continue), the details complete the case, a registration is recorded or refused with reasons.

#include "services.h"

namespace vikno::business {

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::business
