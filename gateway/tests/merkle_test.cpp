// The audit log's Merkle tree against a naive transcription of RFC 9162's recursive definitions,
// for every tree size up to 300 and every pair of sizes; the streamed proofs against both.
#include "audit/merkle.h"
#include "audit/streamed_proofs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

using namespace vikno::gateway::audit;

namespace {

// RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1, written as the RFC writes them (slow, obviously right).
struct Naive {
    std::vector<std::string> d;
    mutable std::map<std::pair<std::size_t, std::size_t>, Hash> memo;

    static std::size_t k_of(std::size_t n) {
        std::size_t k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }
    Hash mth(std::size_t a, std::size_t b) const {
        const std::size_t n = b - a;
        if (n == 0) return empty_root();
        if (n == 1) return leaf_hash(d[a]);
        if (auto it = memo.find({a, b}); it != memo.end()) return it->second;
        const std::size_t k = k_of(n);
        return memo[{a, b}] = node_hash(mth(a, a + k), mth(a + k, b));
    }
    std::vector<Hash> path(std::size_t m, std::size_t a, std::size_t b) const {
        const std::size_t n = b - a;
        if (n == 1) return {};
        const std::size_t k = k_of(n);
        std::vector<Hash> out;
        if (m < k) {
            out = path(m, a, a + k);
            out.push_back(mth(a + k, b));
        } else {
            out = path(m - k, a + k, b);
            out.push_back(mth(a, a + k));
        }
        return out;
    }
    std::vector<Hash> subproof(std::size_t m, std::size_t a, std::size_t b, bool whole) const {
        const std::size_t n = b - a;
        if (m == n) return whole ? std::vector<Hash>{} : std::vector<Hash>{mth(a, b)};
        const std::size_t k = k_of(n);
        std::vector<Hash> out;
        if (m <= k) {
            out = subproof(m, a, a + k, whole);
            out.push_back(mth(a + k, b));
        } else {
            out = subproof(m - k, a + k, b, false);
            out.push_back(mth(a, a + k));
        }
        return out;
    }
};

constexpr std::size_t kMax = 300;

struct Fixture {
    Naive naive;
    MerkleTree tree;
    Fixture() {
        for (std::size_t i = 0; i < kMax; ++i) {
            naive.d.push_back("entry " + std::to_string(i) + std::string(i % 7, 'x'));
            tree.append(leaf_hash(naive.d.back()));
        }
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

}  // namespace

TEST(Merkle, EmptyTreeRootIsTheHashOfNothing) {
    EXPECT_EQ(to_hex(MerkleTree().root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Merkle, RootsMatchTheRfcDefinitionForEverySize) {
    const auto& f = fixture();
    for (std::size_t n = 0; n <= kMax; ++n) ASSERT_EQ(f.tree.root(n), f.naive.mth(0, n)) << "size " << n;
}

TEST(Merkle, InclusionProofsMatchAndVerifyForEveryLeafOfEverySize) {
    const auto& f = fixture();
    for (std::size_t n = 1; n <= kMax; ++n) {
        const Hash root = f.tree.root(n);
        for (std::size_t m = 0; m < n; ++m) {
            const auto proof = f.tree.inclusion_proof(m, n);
            ASSERT_EQ(proof, f.naive.path(m, 0, n)) << m << " in " << n;
            ASSERT_TRUE(verify_inclusion(leaf_hash(f.naive.d[m]), m, n, proof, root)) << m << " in " << n;
            if (n > 1) {  // another leaf, or a proof with one changed hash, fails
                ASSERT_FALSE(verify_inclusion(leaf_hash(f.naive.d[(m + 1) % n]), m, n, proof, root));
                auto forged = proof;
                forged[m % forged.size()][0] ^= 1;
                ASSERT_FALSE(verify_inclusion(leaf_hash(f.naive.d[m]), m, n, forged, root)) << m << " in " << n;
            }
        }
    }
}

TEST(Merkle, ConsistencyProofsMatchAndVerifyForEveryPairOfSizes) {
    const auto& f = fixture();
    for (std::size_t n = 1; n <= kMax; ++n) {
        const Hash new_root = f.tree.root(n);
        for (std::size_t m = 1; m <= n; ++m) {
            const auto proof = f.tree.consistency_proof(m, n);
            const Hash old_root = f.tree.root(m);
            if (m < n) {
                ASSERT_EQ(proof, f.naive.subproof(m, 0, n, true)) << m << " to " << n;
            }
            ASSERT_TRUE(verify_consistency(m, n, old_root, new_root, proof)) << m << " to " << n;
            if (m < n) {  // a rewritten old tree is not consistent
                ASSERT_FALSE(verify_consistency(m, n, leaf_hash("forged"), new_root, proof)) << m << " to " << n;
            }
        }
    }
}

// The running gateway forgets what lies before its last checkpoint and goes on appending: every
// root, inclusion proof and consistency proof from there on must be what the whole tree gives.
TEST(Merkle, AfterForgettingAPrefixEverythingFromThereOnIsUnchanged) {
    constexpr std::uint64_t kLeaves = 140;
    const auto& f = fixture();
    for (std::uint64_t base = 0; base <= kLeaves; ++base) {
        MerkleTree tree;
        for (std::uint64_t i = 0; i < base; ++i) tree.append(leaf_hash(f.naive.d[i]));
        tree.forget_before(base);
        for (std::uint64_t i = base; i < kLeaves; ++i) tree.append(leaf_hash(f.naive.d[i]));
        for (std::uint64_t n = std::max<std::uint64_t>(base, 1); n <= kLeaves; ++n) {
            ASSERT_EQ(tree.root(n), f.tree.root(n)) << "base " << base << ", size " << n;
            for (std::uint64_t m = base; m < n; ++m) {
                ASSERT_EQ(tree.inclusion_proof(m, n), f.tree.inclusion_proof(m, n)) << base << ": " << m << " in " << n;
                if (m > 0) {
                    ASSERT_EQ(tree.consistency_proof(m, n), f.tree.consistency_proof(m, n))
                        << base << ": " << m << " to " << n;
                }
            }
        }
    }
}

TEST(Merkle, ForgettingKeepsAFewHashesPerLevelAndRefusesOlderQuestions) {
    MerkleTree tree;
    for (int i = 0; i < 100000; ++i) tree.append(leaf_hash(std::to_string(i)));
    EXPECT_GT(tree.hashes_held(), 199000u);
    const Hash root = tree.root();
    tree.forget_before(tree.size());
    EXPECT_LE(tree.hashes_held(), 2u * 17u);  // at most two per level of a 2^17-leaf tree
    EXPECT_EQ(tree.root(), root);
    EXPECT_THROW(tree.root(5000), std::out_of_range);
    EXPECT_THROW(tree.inclusion_proof(5000, tree.size()), std::out_of_range);
    for (int i = 0; i < 1000; ++i) tree.append(leaf_hash("more " + std::to_string(i)));
    EXPECT_LE(tree.hashes_held(), 2u * 17u + 2000u);
}

TEST(StreamedProofs, EveryLeafOfEverySizeIsProvedAsTheRfcDefinesItWithLeavesBeyondTheTreeIgnored) {
    const auto& f = fixture();
    for (std::size_t n = 0; n <= kMax; ++n) {
        std::vector<std::uint64_t> all(n);
        for (std::size_t m = 0; m < n; ++m) all[m] = m;
        StreamedProofs proofs(all, n);
        for (std::size_t i = 0; i < kMax; ++i) {
            EXPECT_EQ(proofs.complete(), i >= n);
            proofs.append(leaf_hash(f.naive.d[i]));  // the log goes on after the checkpoint
        }
        ASSERT_EQ(proofs.appended(), n);
        ASSERT_EQ(proofs.root(), f.naive.mth(0, n)) << "size " << n;
        for (std::size_t m = 0; m < n; ++m) ASSERT_EQ(proofs.proof(m), f.naive.path(m, 0, n)) << m << " in " << n;
    }
}

TEST(StreamedProofs, AFewLeavesOfALargeTreeHoldAFewHashesAndMatchTheWholeTree) {
    constexpr std::uint64_t kLeaves = 100003;
    MerkleTree tree;
    const std::vector<std::uint64_t> chosen{0, 5, 6, 65535, 65536, kLeaves - 1, 5};  // repeated, adjacent
    StreamedProofs proofs(chosen, kLeaves);
    std::size_t most_held = 0;
    for (std::uint64_t i = 0; i < kLeaves; ++i) {
        const Hash leaf = leaf_hash("entry " + std::to_string(i));
        tree.append(leaf);
        proofs.append(leaf);
        most_held = std::max(most_held, proofs.hashes_held());
    }
    EXPECT_EQ(proofs.root(), tree.root());
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        EXPECT_EQ(proofs.proof(k), tree.inclusion_proof(chosen[k], kLeaves)) << "leaf " << chosen[k];
    }
    EXPECT_LT(most_held, 400U) << "a tree of 100,003 leaves keeps 200,000 hashes";
}

TEST(StreamedProofs, ALeafOutsideTheTreeOrAnAnswerBeforeTheLastLeafIsRefused) {
    EXPECT_THROW(StreamedProofs({3}, 3), std::out_of_range);
    StreamedProofs proofs({1}, 3);
    proofs.append(leaf_hash("a"));
    EXPECT_FALSE(proofs.complete());
    EXPECT_THROW(proofs.root(), std::logic_error);
    EXPECT_THROW(proofs.proof(0), std::logic_error);
}
