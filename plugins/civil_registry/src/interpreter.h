#pragma once
// The civil registry's SOAP answer -> what it means for the case.

#include "services.h"

namespace vikno::civil_registry {

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::civil_registry
