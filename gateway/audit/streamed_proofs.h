#pragma once
// Inclusion proofs for a few chosen leaves of a tree too large to hold, computed while its leaves
// stream by once, in order. An evidence bundle proves a handful of entries of a log that may hold
// millions: MerkleTree would keep two hashes per leaf (about 200 MB for a million cases' log);
// this keeps, for each hash a proof needs, the frontier of its range of leaves (one hash once the
// range is complete, at most log n while it is read), so O(chosen leaves × log n) hashes in all.
//
// The proofs are RFC 9162 2.1.3.1's PATH, the same as MerkleTree::inclusion_proof gives: each
// hash in a proof is MTH of one range of leaves, known from the leaf's index and the tree's size
// before any leaf is read.

#include "audit/merkle.h"

#include <cstdint>
#include <vector>

namespace vikno::gateway::audit {

/// MTH of the leaves appended so far, in order (RFC 9162 2.1.1), holding one hash per power of two
/// in their number: the root of a log of any length in O(log n) memory.
class MerkleFrontier {
public:
    void append(const Hash& leaf);
    std::uint64_t size() const { return size_; }
    /// MTH of the leaves appended so far (the empty tree's root before any).
    Hash root() const;
    std::size_t hashes_held() const { return subtrees_.size(); }

private:
    std::vector<std::pair<Hash, std::uint64_t>> subtrees_;  // hash, leaves in it; largest first
    std::uint64_t size_ = 0;
};

class StreamedProofs {
public:
    /// Proofs of `indices` (each below `size`; throws std::out_of_range otherwise) in the tree of the
    /// first `size` leaves.
    StreamedProofs(std::vector<std::uint64_t> indices, std::uint64_t size);

    /// The next leaf, from leaf 0 on. Leaves from `size` on are not part of the tree and are ignored.
    void append(const Hash& leaf);
    /// Leaves appended so far that are part of the tree.
    std::uint64_t appended() const { return next_; }
    /// Every leaf of the tree has been appended.
    bool complete() const { return next_ == size_; }

    /// The root of the tree of `size` leaves; only once complete() (throws std::logic_error before).
    Hash root() const;
    /// The proof of `indices[which]`; only once complete().
    std::vector<Hash> proof(std::size_t which) const;
    /// Hashes held now, for the memory they cost.
    std::size_t hashes_held() const;

private:
    // MTH(D[begin:end]), built as the leaves arrive.
    struct Range {
        std::uint64_t begin = 0;
        std::uint64_t end = 0;
        MerkleFrontier leaves;
    };
    std::size_t range_of(std::uint64_t begin, std::uint64_t end);
    void path(std::uint64_t index, std::uint64_t begin, std::uint64_t end, std::vector<std::size_t>& out);

    std::uint64_t size_;
    std::uint64_t next_ = 0;
    std::vector<Range> ranges_;                     // ranges_[0] is the whole tree
    std::vector<std::vector<std::size_t>> proofs_;  // per chosen leaf, its ranges in proof order
    std::vector<std::size_t> by_begin_;             // ranges_ in the order they start
    std::size_t started_ = 0;                       // by_begin_[started_...] have not started yet
    std::vector<std::size_t> open_;                 // the ranges the next leaf belongs to
};

}  // namespace vikno::gateway::audit
