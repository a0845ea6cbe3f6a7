#pragma once
// `vikno audit verify`: recomputes the tree from the entries, checks the chain of entries, every
// checkpoint's signature, root and consistency proof, and names the first thing that is wrong.

#include <vikno/signing.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vikno::gateway::audit {

struct VerifyReport {
    std::uint64_t entries = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t sealed = 0;           ///< entries covered by the last good checkpoint
    std::vector<std::string> problems;  ///< in the order found; the first is the first bad place
    std::vector<std::string> warnings;  ///< not tampering (e.g. entries not yet sealed)
    bool ok() const { return problems.empty(); }
};

VerifyReport verify_log(const std::string& dir, const std::vector<crypto::Certificate>& trusted);

}  // namespace vikno::gateway::audit
