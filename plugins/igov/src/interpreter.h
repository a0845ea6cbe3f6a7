#pragma once
// The iGov portal's JSON answer -> what it means for the case.

#include "services.h"

namespace vikno::igov {

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::igov
