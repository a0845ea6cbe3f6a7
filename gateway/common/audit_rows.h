#pragma once
// Audit entries handed to the store, for an audit log kept in the store's own database (PostgreSQL):
// the store queues them in the transaction that ends the case, so that the end and its record are
// one commit. A case ended again after a crash (its first end never committed) is then logged as
// ended once.

#include <cstddef>
#include <cstdint>
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

/// Where the audit log keeps an entry, so that the store can refer to it instead of keeping a copy:
/// an exchange's wire bytes are written once, in the audit log (docs/architecture.md, "Durability").
/// A log of its own names the line (its index and where it starts in entries.jsonl); a log in the
/// store's database names the digest the entry was queued with (audit_queue, then audit_entries).
struct AuditEntryRef {
    std::uint64_t seq = 0;
    std::uint64_t offset = 0;
    std::string digest;  ///< empty for a log of its own
    bool operator==(const AuditEntryRef&) const = default;
};

}  // namespace vikno::gateway
