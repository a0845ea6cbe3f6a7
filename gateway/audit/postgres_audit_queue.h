#pragma once
// The one way entries go into the shared audit log's queue (audit_queue, postgres_audit_log.h):
// PostgresAuditLog::append and the PostgreSQL store's end of a case (in the case's own statement)
// both use it, so the queue's rules are written once.

#include <string>

namespace vikno::gateway::audit {

/// An INSERT queuing the rows of `unnest(arrays) AS e(columns, n)` that satisfy `filter`: in their
/// order (the sequencer integrates by id), each once (a retried write finds its digest queued or
/// already in the log). `columns` must name `entry` and `digest`.
inline std::string audit_queue_insert(const std::string& arrays, const std::string& columns,
                                      const std::string& filter = "TRUE") {
    // OFFSET 0 keeps the NOT EXISTS a lookup in the digest's index for each of the few rows: turned
    // into an anti-join, it was planned as a hash of every digest in the log, read in full for each
    // case while the log was small enough for that to look cheaper (5 % of the machine's CPU under
    // vikno-load, and growing with the log; docs/performance.md).
    return "INSERT INTO audit_queue(entry, digest) SELECT e.entry, e.digest FROM unnest(" + arrays +
           ") WITH ORDINALITY AS e(" + columns + ", n) WHERE (" + filter +
           ") AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.digest = e.digest OFFSET 0) ORDER BY e.n "
           "ON CONFLICT (digest) DO NOTHING";
}

}  // namespace vikno::gateway::audit
