#pragma once
// Out of space is an operational condition, not a registry's failure and not a corrupt store: the
// write that met it had no effect, and the same write succeeds once space is freed. The store and
// the audit log throw StorageFull for it; the callers pause (docs/reliability.md) instead of
// failing the case or spending its attempts.

#include <cerrno>
#include <stdexcept>

namespace vikno::gateway {

class StorageFull : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The store's database cannot be reached (PostgreSQL restarting, failing over, the network down):
/// the statement may or may not have taken effect, and the same write is to be made again once it is
/// back. Writes that end a claim are guarded by the claim, so making one twice changes nothing more.
class StoreUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The errno values a write gets when the file system, the user's quota or the file's size limit
/// leaves no room.
inline bool is_out_of_space(int error) { return error == ENOSPC || error == EDQUOT || error == EFBIG; }

}  // namespace vikno::gateway
