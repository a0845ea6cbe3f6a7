#pragma once
// The console shows an exchange's wire messages masked unless the auditor asks for them in full
// (docs/console.md). Registries name personal data differently, so masking goes by meaning of the
// element or key (a name, a tax number, a birth date, a document number) and then scrubs every
// remaining 10-digit run and ISO date, as the operational log sink does.

#include <string>

namespace vikno::gateway::console {

/// The message laid out for reading (audit::readable_wire) with personal data masked.
std::string masked_wire(const std::string& wire);

/// How a value under an element or key of this name is masked: by its meaning, else scrubbed.
std::string masked_value(const std::string& name, const std::string& value);

}  // namespace vikno::gateway::console
