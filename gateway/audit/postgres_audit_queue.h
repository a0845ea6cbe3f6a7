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
    return "INSERT INTO audit_queue(entry, digest) SELECT e.entry, e.digest FROM unnest(" + arrays +
           ") WITH ORDINALITY AS e(" + columns + ", n) WHERE (" + filter +
           ") AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.digest = e.digest) ORDER BY e.n "
           "ON CONFLICT (digest) DO NOTHING";
}

}  // namespace vikno::gateway::audit
