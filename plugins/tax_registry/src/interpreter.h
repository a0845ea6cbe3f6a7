#pragma once
// The taxpayer register's JSON answer -> what it means for the case.

#include "services.h"

namespace vikno::tax_registry {

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::tax_registry
