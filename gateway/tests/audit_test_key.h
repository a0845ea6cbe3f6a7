#pragma once
// What the audit log's tests share: files of the test PKI, the gateway's signing key that seals
// the log, and a folder of their own for each log.
#include <vikno/signing.h>

#include <Poco/UUIDGenerator.h>

#include <gtest/gtest.h>

#include <string>

namespace vikno::gateway::audit_testing {

inline std::string pki(const std::string& name) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + name; }

inline const crypto::Signer& key() {
    static const auto signer =
        std::move(crypto::open_signer(pki("gateway-signing.key"), pki("gateway-signing.crt")).value());
    return *signer;
}

/// A folder name under the test's temporary directory that no other test uses.
inline std::string fresh_dir(const std::string& prefix) {
    return ::testing::TempDir() + "/" + prefix + Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
}

}  // namespace vikno::gateway::audit_testing
