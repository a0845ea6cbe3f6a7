#include "common/ids.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/UUIDGenerator.h>

namespace vikno::gateway {

std::string new_uuid() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

std::string sha256_hex(const std::string& text) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(text);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace vikno::gateway
