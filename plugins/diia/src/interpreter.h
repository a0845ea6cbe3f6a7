#pragma once
// Diia's answers: the session token (continue to the deep link), the deep link (await the callback),
// and the callback with the documents or signatures.

#include "services.h"

namespace vikno::diia {

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer,
                                const Settings& settings);
Interpretation read_callback(const CaseView& c, const RegistryAnswer& callback);

}  // namespace vikno::diia
