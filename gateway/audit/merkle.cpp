#include "audit/merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vikno::gateway::audit {
namespace {

bool is_power_of_two(std::uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// EVP_sha256() makes OpenSSL 3 look the algorithm up, under a lock, at every digest; the log hashes
// each entry once as a leaf and about once more as a node, so SHA-256 is fetched once (crypto(7),
// "Explicit fetching"). A fetched EVP_MD is immutable and shared by all threads.
const EVP_MD* sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return md != nullptr ? md : EVP_sha256();
}

struct DigestContext {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::uint64_t split_point(std::uint64_t n) {
    std::uint64_t k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
}

Hash leaf_hash(std::string_view entry) {
    Hash out{};
    thread_local DigestContext context;  // one per thread, reset by each init
    const unsigned char prefix = 0x00;
    EVP_DigestInit_ex(context.ctx, sha256(), nullptr);
    EVP_DigestUpdate(context.ctx, &prefix, 1);
    EVP_DigestUpdate(context.ctx, entry.data(), entry.size());
    EVP_DigestFinal_ex(context.ctx, out.data(), nullptr);
    return out;
}

Hash node_hash(const Hash& left, const Hash& right) {
    unsigned char buffer[65];
    buffer[0] = 0x01;
    std::copy(left.begin(), left.end(), buffer + 1);
    std::copy(right.begin(), right.end(), buffer + 33);
    Hash out{};
    EVP_Digest(buffer, sizeof buffer, out.data(), nullptr, sha256(), nullptr);
    return out;
}

Hash empty_root() {
    Hash out{};
    EVP_Digest("", 0, out.data(), nullptr, sha256(), nullptr);
    return out;
}

std::string to_hex(const Hash& hash) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (const unsigned char byte : hash) {
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

std::optional<Hash> from_hex(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    Hash out{};
    for (std::size_t i = 0; i < 32; ++i) {
        int value = 0;
        for (int k = 0; k < 2; ++k) {
            const char ch = hex[2 * i + static_cast<std::size_t>(k)];
            const int nibble = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (nibble < 0) return std::nullopt;
            value = value * 16 + nibble;
        }
        out[i] = static_cast<unsigned char>(value);
    }
    return out;
}

void MerkleTree::append(const Hash& leaf) {
    if (levels_.empty()) {
        levels_.emplace_back();
        first_.push_back(0);
    }
    levels_[0].push_back(leaf);
    ++size_;
    // Each completed pair at a level makes one node a level up: node i at level h is complete
    // when leaf (i + 1) * 2^h - 1 arrives.
    for (std::size_t h = 0; ((size_ >> h) & 1) == 0; ++h) {
        if (levels_.size() == h + 1) {
            levels_.emplace_back();
            first_.push_back(0);
        }
        const std::uint64_t i = (size_ >> (h + 1)) - 1;  // the new node's index at level h + 1
        levels_[h + 1].push_back(node_hash(node(h, 2 * i), node(h, 2 * i + 1)));
    }
}

const Hash& MerkleTree::node(std::size_t h, std::uint64_t index) const {
    if (h >= levels_.size() || index < first_[h] || index - first_[h] >= levels_[h].size()) {
        throw std::out_of_range("that part of the audit tree is not held (it lies before " +
                                std::to_string(forgotten_before_) + " leaves)");
    }
    return levels_[h][index - first_[h]];
}

void MerkleTree::forget_before(std::uint64_t base) {
    base = std::min(base, size_);
    if (base <= forgotten_before_) return;
    for (std::size_t h = 0; h < levels_.size(); ++h) {
        const std::uint64_t keep_from = (base >> h) == 0 ? 0 : (base >> h) - 1;
        if (keep_from <= first_[h]) continue;
        auto& level = levels_[h];
        const auto drop = std::min<std::uint64_t>(keep_from - first_[h], level.size());
        level.erase(level.begin(), level.begin() + static_cast<std::ptrdiff_t>(drop));
        level.shrink_to_fit();
        first_[h] += drop;
    }
    forgotten_before_ = base;
}

std::uint64_t MerkleTree::hashes_held() const {
    std::uint64_t n = 0;
    for (const auto& level : levels_) n += level.size();
    return n;
}

Hash MerkleTree::range(std::uint64_t start, std::uint64_t end) const {
    const std::uint64_t n = end - start;
    if (n == 0) return empty_root();
    if (is_power_of_two(n) && start % n == 0) {
        std::size_t h = 0;
        while ((std::uint64_t{1} << h) < n) ++h;
        return node(h, start >> h);
    }
    const std::uint64_t k = split_point(n);
    return node_hash(range(start, start + k), range(start + k, end));
}

Hash MerkleTree::root(std::uint64_t size) const {
    if (size > this->size()) throw std::out_of_range("the tree has fewer leaves");
    return range(0, size);
}

void MerkleTree::path(std::uint64_t index, std::uint64_t start, std::uint64_t end, std::vector<Hash>& out) const {
    const std::uint64_t n = end - start;
    if (n <= 1) return;
    const std::uint64_t k = split_point(n);
    if (index < k) {
        path(index, start, start + k, out);
        out.push_back(range(start + k, end));
    } else {
        path(index - k, start + k, end, out);
        out.push_back(range(start, start + k));
    }
}

std::vector<Hash> MerkleTree::inclusion_proof(std::uint64_t index, std::uint64_t size) const {
    if (index >= size || size > this->size()) throw std::out_of_range("no such leaf in that tree");
    std::vector<Hash> out;
    path(index, 0, size, out);
    return out;
}

void MerkleTree::subproof(std::uint64_t m, std::uint64_t start, std::uint64_t end, bool whole,
                          std::vector<Hash>& out) const {
    const std::uint64_t n = end - start;
    if (m == n) {
        if (!whole) out.push_back(range(start, end));
        return;
    }
    const std::uint64_t k = split_point(n);
    if (m <= k) {
        subproof(m, start, start + k, whole, out);
        out.push_back(range(start + k, end));
    } else {
        subproof(m - k, start + k, end, false, out);
        out.push_back(range(start, start + k));
    }
}

std::vector<Hash> MerkleTree::consistency_proof(std::uint64_t old_size, std::uint64_t new_size) const {
    if (old_size > new_size || new_size > size()) throw std::out_of_range("no such pair of trees");
    std::vector<Hash> out;
    if (old_size == 0 || old_size == new_size) return out;
    subproof(old_size, 0, new_size, true, out);
    return out;
}

bool verify_inclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size, const std::vector<Hash>& proof,
                      const Hash& root) {
    if (index >= size) return false;
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : proof) {
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            r = node_hash(p, r);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root, const Hash& new_root,
                        const std::vector<Hash>& proof) {
    if (old_size > new_size) return false;
    if (old_size == new_size) return proof.empty() && old_root == new_root;
    if (old_size == 0) return proof.empty();
    if (proof.empty()) return false;
    std::vector<Hash> path = proof;
    if (is_power_of_two(old_size)) path.insert(path.begin(), old_root);
    std::uint64_t fn = old_size - 1;
    std::uint64_t sn = new_size - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = path[0];
    Hash sr = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Hash& c = path[i];
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace vikno::gateway::audit
