#pragma once
// Identifiers and content hashes: case and message ids, idempotency fingerprints.

#include <string>

namespace vikno::gateway {

/// A random (version 4) UUID in its canonical text form.
std::string new_uuid();
/// A case's id: a time-ordered (version 7) UUID, so that the store's indexes keyed by case grow at
/// their end. It reveals when the case was received, to the millisecond, as its `created_at` does.
std::string new_case_id();
/// SHA-256 of the text, lower-case hex.
std::string sha256_hex(const std::string& text);

}  // namespace vikno::gateway
