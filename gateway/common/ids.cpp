#include "common/ids.h"

#include <vikno/signing.h>

#include <Poco/UUIDGenerator.h>

namespace vikno::gateway {

std::string new_uuid() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

std::string sha256_hex(const std::string& text) { return crypto::sha256_hex(text); }

}  // namespace vikno::gateway
