#pragma once
// The RFC 9162 (Certificate Transparency v2) Merkle tree over the audit log's entries:
// leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right), the empty
// tree's root = SHA-256(""). Inclusion and consistency proofs, and their verification, follow the
// RFC's algorithms (sections 2.1.3 and 2.1.4) so an auditor can check them with any implementation.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vikno::gateway::audit {

using Hash = std::array<unsigned char, 32>;

/// Where RFC 9162 splits a tree of n > 1 leaves: the largest power of two smaller than n (its "k").
std::uint64_t split_point(std::uint64_t n);

Hash leaf_hash(std::string_view entry);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();

std::string to_hex(const Hash& hash);
std::optional<Hash> from_hex(std::string_view hex);

/// An append-only tree that keeps every perfect subtree's hash (about two hashes per leaf), so the
/// root of any prefix and any proof cost O(log n). A running gateway only ever proves from its
/// last checkpoint on, so it forgets what lies before (forget_before): its memory then grows with
/// the unsealed entries, not with the log.
class MerkleTree {
public:
    void append(const Hash& leaf);
    std::uint64_t size() const { return size_; }

    /// Drops every subtree wholly before leaf `base` (at most size(): a larger `base`, such as a
    /// checkpoint a rebuild has not reached yet, forgets what there is) except the one just before each
    /// level's first kept node: those are the left siblings on any path from `base` on, so roots of
    /// sizes >= base, proofs of leaves >= base and consistency proofs from sizes >= base still
    /// work. Asking for anything older throws std::out_of_range.
    void forget_before(std::uint64_t base);
    /// Hashes held, for the memory they cost (32 bytes each).
    std::uint64_t hashes_held() const;

    /// The root of the first `size` leaves (size <= this->size()).
    Hash root(std::uint64_t size) const;
    Hash root() const { return root(size()); }
    /// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 2.1.3.1).
    std::vector<Hash> inclusion_proof(std::uint64_t index, std::uint64_t size) const;
    /// The consistency proof from the first `old_size` leaves to the first `new_size` (2.1.4.1).
    std::vector<Hash> consistency_proof(std::uint64_t old_size, std::uint64_t new_size) const;

private:
    Hash range(std::uint64_t start, std::uint64_t end) const;  // MTH(D[start:end])
    void path(std::uint64_t index, std::uint64_t start, std::uint64_t end, std::vector<Hash>& out) const;
    void subproof(std::uint64_t m, std::uint64_t start, std::uint64_t end, bool whole, std::vector<Hash>& out) const;

    const Hash& node(std::size_t h, std::uint64_t index) const;

    // levels_[h][i]: the perfect subtree of 2^h leaves at (first_[h] + i) * 2^h
    std::vector<std::vector<Hash>> levels_;
    std::vector<std::uint64_t> first_;  // per level, the index of the first node kept
    std::uint64_t size_ = 0;
    std::uint64_t forgotten_before_ = 0;
};

/// RFC 9162 2.1.3.2: does `leaf` at `index` belong to the tree of `size` leaves with `root`?
bool verify_inclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size, const std::vector<Hash>& proof,
                      const Hash& root);
/// RFC 9162 2.1.4.2: is the tree (`new_size`, `new_root`) an append-only extension of
/// (`old_size`, `old_root`)?
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root, const Hash& new_root,
                        const std::vector<Hash>& proof);

}  // namespace vikno::gateway::audit
