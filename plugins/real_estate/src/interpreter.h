#pragma once
// The real property rights register's SOAP answer -> what it means for the case.

#include "services.h"

namespace vikno::real_estate {

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::real_estate
