#pragma once
// Identifiers and content hashes: case and message ids, idempotency fingerprints.

#include <string>

namespace vikno::gateway {

/// A random (version 4) UUID in its canonical text form.
std::string new_uuid();
/// SHA-256 of the text, lower-case hex.
std::string sha256_hex(const std::string& text);

}  // namespace vikno::gateway
