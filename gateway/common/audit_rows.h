#pragma once
// Audit entries handed to the store, for an audit log kept in the store's own database (PostgreSQL):
// the store queues them in the transaction that ends the case, so that the end and its record are
// one commit. A case ended again after a crash (its first end never committed) is then logged as
// ended once.

#include <cstddef>
#include <string>
#include <vector>

namespace vikno::gateway {

struct AuditRows {
    std::vector<std::string> texts;    ///< each entry's canonical JSON, as the log's queue holds it
    std::vector<std::string> digests;  ///< SHA-256 (hex) of each text: a retried write is not queued twice
    /// The first `evidence` entries (the exchange) are queued whatever happens, as the exchange's
    /// bytes are stored; the rest (the case's end) only with the end they record.
    std::size_t evidence = 0;
};

}  // namespace vikno::gateway
