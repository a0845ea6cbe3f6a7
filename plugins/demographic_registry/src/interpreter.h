#pragma once
// The demographic register's SOAP answer -> what it means for the case.

#include "services.h"

namespace vikno::demographic_registry {

Interpretation interpret_answer(const Case& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::demographic_registry
