#include "audit/streamed_proofs.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace vikno::gateway::audit {

void MerkleFrontier::append(const Hash& leaf) {
    subtrees_.emplace_back(leaf, 1);
    ++size_;
    // Two subtrees of one size make one of twice the size: what is held is the binary form of the
    // number of leaves, at most one subtree per power of two.
    while (subtrees_.size() >= 2 && subtrees_[subtrees_.size() - 2].second == subtrees_.back().second) {
        const Hash right = subtrees_.back().first;
        subtrees_.pop_back();
        auto& left = subtrees_.back();
        left.first = node_hash(left.first, right);
        left.second *= 2;
    }
}

// RFC 9162 splits n leaves into the largest power of two below n and the rest: the largest subtree
// held, and the hash of the others, folded from the right.
Hash MerkleFrontier::root() const {
    if (subtrees_.empty()) return empty_root();
    Hash h = subtrees_.back().first;
    for (auto i = subtrees_.size() - 1; i-- > 0;) h = node_hash(subtrees_[i].first, h);
    return h;
}

StreamedProofs::StreamedProofs(std::vector<std::uint64_t> indices, std::uint64_t size) : size_(size) {
    range_of(0, size);
    for (const auto index : indices) {
        if (index >= size)
            throw std::out_of_range("no leaf " + std::to_string(index) + " in a tree of " + std::to_string(size) +
                                    " leaves");
        std::vector<std::size_t> ranges;
        path(index, 0, size, ranges);
        proofs_.push_back(std::move(ranges));
    }
    by_begin_.resize(ranges_.size());
    for (std::size_t i = 0; i < by_begin_.size(); ++i) by_begin_[i] = i;
    std::stable_sort(by_begin_.begin(), by_begin_.end(),
                     [&](std::size_t a, std::size_t b) { return ranges_[a].begin < ranges_[b].begin; });
}

std::size_t StreamedProofs::range_of(std::uint64_t begin, std::uint64_t end) {
    // Proofs of leaves near each other share most of their ranges: each range is hashed once.
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
        if (ranges_[i].begin == begin && ranges_[i].end == end) return i;
    }
    ranges_.push_back(Range{begin, end, MerkleFrontier()});
    return ranges_.size() - 1;
}

// RFC 9162 2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) when m < k, else
// PATH(m - k, D[k:n]) : MTH(D[0:k]); here with absolute leaf numbers.
void StreamedProofs::path(std::uint64_t index, std::uint64_t begin, std::uint64_t end, std::vector<std::size_t>& out) {
    const std::uint64_t n = end - begin;
    if (n <= 1) return;
    const std::uint64_t k = split_point(n);
    if (index < begin + k) {
        path(index, begin, begin + k, out);
        out.push_back(range_of(begin + k, end));
    } else {
        path(index, begin + k, end, out);
        out.push_back(range_of(begin, begin + k));
    }
}

void StreamedProofs::append(const Hash& leaf) {
    if (next_ >= size_) return;
    while (started_ < by_begin_.size() && ranges_[by_begin_[started_]].begin == next_) {
        open_.push_back(by_begin_[started_++]);
    }
    ++next_;
    for (const auto i : open_) ranges_[i].leaves.append(leaf);
    std::erase_if(open_, [&](std::size_t i) { return ranges_[i].end == next_; });
}

Hash StreamedProofs::root() const {
    if (!complete()) throw std::logic_error("the tree's leaves are not all in");
    return ranges_.front().leaves.root();
}

std::size_t StreamedProofs::hashes_held() const {
    std::size_t n = 0;
    for (const auto& range : ranges_) n += range.leaves.hashes_held();
    return n;
}

std::vector<Hash> StreamedProofs::proof(std::size_t which) const {
    if (!complete()) throw std::logic_error("the tree's leaves are not all in");
    std::vector<Hash> out;
    for (const auto i : proofs_.at(which)) out.push_back(ranges_[i].leaves.root());
    return out;
}

}  // namespace vikno::gateway::audit
