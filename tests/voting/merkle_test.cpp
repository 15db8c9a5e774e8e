#include "voting/merkle.hpp"

#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

using budget::voting::empty_root;
using budget::voting::Hash;
using budget::voting::hash_from_hex;
using budget::voting::leaf_hash;
using budget::voting::MerkleTree;
using budget::voting::node_hash;
using budget::voting::root_from_leaf_hashes;
using budget::voting::to_hex;
using budget::voting::verify_consistency;
using budget::voting::verify_inclusion;

namespace {

// The RFC 6962 test entries used by Certificate Transparency and transparency-dev/merkle.
std::vector<Hash> vector_leaves() {
    const std::vector<std::vector<std::uint8_t>> inputs = {
        {},
        {0x00},
        {0x10},
        {0x20, 0x21},
        {0x30, 0x31},
        {0x40, 0x41, 0x42, 0x43},
        {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
        {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e,
         0x6f},
    };
    std::vector<Hash> leaves;
    leaves.reserve(inputs.size());
    for (const auto& input : inputs) leaves.push_back(leaf_hash(input));
    return leaves;
}

Hash hx(const std::string& hex) {
    const auto hash = hash_from_hex(hex);
    REQUIRE(hash.has_value());
    return *hash;
}

std::vector<Hash> hxs(const std::vector<std::string>& hexes) {
    std::vector<Hash> out;
    out.reserve(hexes.size());
    for (const auto& hex : hexes) out.push_back(hx(hex));
    return out;
}

// Straight from the RFC's recursive definitions; the memo only avoids recomputing subtrees
// (a subtree's hash depends on its leaves alone, whatever tree it sits in).
class ReferenceTree {
  public:
    explicit ReferenceTree(std::vector<Hash> leaves) : leaves_(std::move(leaves)) {}

    static std::uint64_t split(std::uint64_t n) { return std::bit_floor(n - 1); }

    Hash mth(std::uint64_t begin, std::uint64_t end) {
        if (begin == end) return empty_root();
        if (end - begin == 1) return leaves_[begin];
        const auto key = std::make_pair(begin, end);
        if (const auto it = memo_.find(key); it != memo_.end()) return it->second;
        const std::uint64_t k = split(end - begin);
        const Hash hash = node_hash(mth(begin, begin + k), mth(begin + k, end));
        memo_.emplace(key, hash);
        return hash;
    }

    std::vector<Hash> path(std::uint64_t m, std::uint64_t begin, std::uint64_t end) {
        if (end - begin <= 1) return {};
        const std::uint64_t k = split(end - begin);
        std::vector<Hash> out;
        if (m < k) {
            out = path(m, begin, begin + k);
            out.push_back(mth(begin + k, end));
        } else {
            out = path(m - k, begin + k, end);
            out.push_back(mth(begin, begin + k));
        }
        return out;
    }

    std::vector<Hash> subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool b) {
        const std::uint64_t n = end - begin;
        if (m == n) {
            if (b) return {};
            return {mth(begin, end)};
        }
        const std::uint64_t k = split(n);
        std::vector<Hash> out;
        if (m <= k) {
            out = subproof(m, begin, begin + k, b);
            out.push_back(mth(begin + k, end));
        } else {
            out = subproof(m - k, begin + k, end, false);
            out.push_back(mth(begin, begin + k));
        }
        return out;
    }

  private:
    std::vector<Hash> leaves_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, Hash> memo_;
};

Hash flipped(Hash hash) {
    hash[hash.size() / 2] ^= 0x01;
    return hash;
}

}  // namespace

TEST_CASE("hashes read and write as lower-case hexadecimal", "[voting][merkle]") {
    const Hash root = hx("5DC9DA79A70659A9AD559CB701DED9A2AB9D823AAD2F4960CFE370EFF4604328");
    CHECK(to_hex(root) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    CHECK_FALSE(hash_from_hex("5dc9").has_value());
    CHECK_FALSE(hash_from_hex(std::string(64, 'g')).has_value());
}

TEST_CASE("the roots of the RFC 6962 test vectors match for every size", "[voting][merkle]") {
    const std::vector<Hash> roots = hxs({
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    });
    const std::vector<Hash> leaves = vector_leaves();
    CHECK(empty_root() == roots[0]);

    MerkleTree appended;
    CHECK(appended.root() == roots[0]);
    for (std::size_t size = 1; size <= leaves.size(); ++size) {
        appended.append(leaves[size - 1]);
        const std::vector<Hash> prefix(leaves.begin(), leaves.begin() + static_cast<long>(size));
        CHECK(root_from_leaf_hashes(prefix) == roots[size]);
        CHECK(MerkleTree(prefix).root() == roots[size]);
        CHECK(appended.root() == roots[size]);
    }
    const MerkleTree full(leaves);
    for (std::size_t size = 0; size <= leaves.size(); ++size) {
        CHECK(full.root_of_prefix(size) == roots[size]);
    }
    CHECK_FALSE(full.root_of_prefix(9).has_value());
}

TEST_CASE("the published inclusion proofs are produced and verify", "[voting][merkle]") {
    struct Case {
        std::uint64_t index, size;
        std::vector<std::string> path;
    };
    const std::vector<Case> cases = {
        {0, 1, {}},
        {0, 2, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
        {1, 2, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
        {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
        {1,
         5,
         {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
        {0,
         8,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {5,
         8,
         {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    };
    const std::vector<Hash> leaves = vector_leaves();
    const MerkleTree tree(leaves);
    for (const Case& c : cases) {
        INFO("leaf " << c.index << " of " << c.size);
        const auto proof = tree.inclusion_proof(c.index, c.size);
        REQUIRE(proof.has_value());
        CHECK(*proof == hxs(c.path));
        CHECK(verify_inclusion(leaves[c.index], c.index, c.size, *proof,
                               *tree.root_of_prefix(c.size)));
    }
}

TEST_CASE("the published consistency proofs are produced and verify", "[voting][merkle]") {
    struct Case {
        std::uint64_t m, n;
        std::vector<std::string> proof;
    };
    const std::vector<Case> cases = {
        {1, 1, {}},
        {1,
         8,
         {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
        {2,
         5,
         {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
        {6,
         8,
         {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    };
    const MerkleTree tree(vector_leaves());
    for (const Case& c : cases) {
        INFO(c.m << " -> " << c.n);
        const auto proof = tree.consistency_proof(c.m, c.n);
        REQUIRE(proof.has_value());
        CHECK(*proof == hxs(c.proof));
        CHECK(verify_consistency(c.m, c.n, *tree.root_of_prefix(c.m), *tree.root_of_prefix(c.n),
                                 *proof));
    }
}

TEST_CASE("every proof of trees of 1 to 200 leaves matches the RFC definitions and verifies",
          "[voting][merkle]") {
    constexpr std::uint64_t kMaxSize = 200;
    std::vector<Hash> leaves;
    for (std::uint64_t i = 0; i < kMaxSize; ++i)
        leaves.push_back(leaf_hash("ballot " + std::to_string(i)));
    ReferenceTree reference(leaves);
    const MerkleTree tree(leaves);
    MerkleTree appended;

    std::uint64_t failures = 0;  // counted, not CHECKed one by one: tens of thousands of cases
    for (std::uint64_t n = 1; n <= kMaxSize; ++n) {
        appended.append(leaves[n - 1]);
        const Hash root = reference.mth(0, n);
        const std::vector<Hash> prefix(leaves.begin(), leaves.begin() + static_cast<long>(n));
        failures += root_from_leaf_hashes(prefix) != root;
        failures += *tree.root_of_prefix(n) != root;
        failures += appended.root() != root;

        for (std::uint64_t i = 0; i < n; ++i) {
            const std::vector<Hash> proof = *tree.inclusion_proof(i, n);
            failures += proof != reference.path(i, 0, n);
            failures += !verify_inclusion(leaves[i], i, n, proof, root);
            // Any change to the claim or the proof must be caught.
            failures += verify_inclusion(flipped(leaves[i]), i, n, proof, root);
            failures += verify_inclusion(leaves[i], i, n, proof, flipped(root));
            if (i + 1 < n) failures += verify_inclusion(leaves[i], i + 1, n, proof, root);
            failures += verify_inclusion(leaves[i], n, n, proof, root);
            for (std::size_t j = 0; j < proof.size(); ++j) {
                std::vector<Hash> tampered = proof;
                tampered[j] = flipped(tampered[j]);
                failures += verify_inclusion(leaves[i], i, n, tampered, root);
            }
            std::vector<Hash> longer = proof;
            longer.push_back(root);
            failures += verify_inclusion(leaves[i], i, n, longer, root);
            if (!proof.empty()) {
                const std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
                failures += verify_inclusion(leaves[i], i, n, shorter, root);
            }
        }

        for (std::uint64_t m = 0; m <= n; ++m) {
            const Hash old_root = reference.mth(0, m);
            const std::vector<Hash> proof = *tree.consistency_proof(m, n);
            if (m > 0 && m < n) failures += proof != reference.subproof(m, 0, n, true);
            failures += !verify_consistency(m, n, old_root, root, proof);
            failures += verify_consistency(m, n, flipped(old_root), root, proof);
            if (m > 0 && m < n) {  // an empty tree is consistent with any tree
                failures += verify_consistency(m, n, old_root, flipped(root), proof);
                for (std::size_t j = 0; j < proof.size(); ++j) {
                    std::vector<Hash> tampered = proof;
                    tampered[j] = flipped(tampered[j]);
                    failures += verify_consistency(m, n, old_root, root, tampered);
                }
                std::vector<Hash> longer = proof;
                longer.push_back(root);
                failures += verify_consistency(m, n, old_root, root, longer);
            }
        }
    }
    CHECK(failures == 0);
    CHECK_FALSE(tree.inclusion_proof(5, 5).has_value());
    CHECK_FALSE(tree.inclusion_proof(0, kMaxSize + 1).has_value());
    CHECK_FALSE(tree.consistency_proof(6, 5).has_value());
}

TEST_CASE("a tree of a hundred thousand ballots agrees with the streaming root",
          "[voting][merkle]") {
    std::vector<Hash> leaves;
    constexpr std::uint64_t kSize = 100'003;
    leaves.reserve(kSize);
    for (std::uint64_t i = 0; i < kSize; ++i) leaves.push_back(leaf_hash(std::to_string(i)));
    const Hash root = root_from_leaf_hashes(leaves);
    const MerkleTree tree(leaves);
    CHECK(tree.root() == root);
    for (const std::uint64_t i : {std::uint64_t{0}, std::uint64_t{65'535}, kSize - 1}) {
        CHECK(verify_inclusion(leaves[i], i, kSize, *tree.inclusion_proof(i, kSize), root));
    }
    CHECK(verify_consistency(70'000, kSize, *tree.root_of_prefix(70'000), root,
                             *tree.consistency_proof(70'000, kSize)));
}

TEST_CASE("trees built in batches over threads are the trees built leaf by leaf, 0 to 300 leaves",
          "[voting][merkle]") {
    constexpr std::uint64_t kMaxSize = 300;
    std::vector<Hash> leaves;
    for (std::uint64_t i = 0; i < kMaxSize; ++i)
        leaves.push_back(leaf_hash("entry " + std::to_string(i)));
    ReferenceTree reference(leaves);
    std::mt19937_64 rng(16);

    std::uint64_t failures = 0;
    for (std::uint64_t n = 0; n <= kMaxSize; ++n) {
        const std::span<const Hash> prefix(leaves.data(), n);
        std::vector<MerkleTree> trees;
        trees.emplace_back(prefix, 1);
        trees.emplace_back(prefix, 2);
        MerkleTree batches;
        for (std::uint64_t at = 0; at < n;) {
            const std::uint64_t size = std::min<std::uint64_t>(n - at, rng() % 40);
            batches.append(prefix.subspan(at, size), 1 + static_cast<unsigned>(rng() % 3));
            at += size;
        }
        trees.push_back(std::move(batches));
        MerkleTree one_by_one;
        for (const Hash& leaf : prefix) one_by_one.append(leaf);
        trees.push_back(std::move(one_by_one));

        for (const MerkleTree& tree : trees) {
            failures += tree.size() != n;
            failures += tree.root() != reference.mth(0, n);
            for (std::uint64_t m = 0; m <= n; ++m) {
                failures += tree.root_of_prefix(m) != reference.mth(0, m);
                if (m > 0 && m < n)
                    failures += tree.consistency_proof(m, n) != reference.subproof(m, 0, n, true);
            }
            for (std::uint64_t i = 0; i < n; ++i) {
                failures += tree.leaf(i) != leaves[i];
                failures += tree.inclusion_proof(i, n) != reference.path(i, 0, n);
            }
        }
    }
    CHECK(failures == 0);
}

TEST_CASE("a large tree appended in pages over two threads agrees with the streaming root",
          "[voting][merkle]") {
    constexpr std::uint64_t kSize = 262'147;  // past a power of two, in uneven pages
    std::vector<Hash> leaves;
    leaves.reserve(kSize);
    for (std::uint64_t i = 0; i < kSize; ++i) leaves.push_back(leaf_hash(std::to_string(i)));
    MerkleTree tree;
    MerkleTree one_by_one;
    for (std::uint64_t at = 0; at < kSize; at += 10'007) {
        const std::span<const Hash> page(leaves.data() + at,
                                         std::min<std::uint64_t>(10'007, kSize - at));
        tree.append(page, 2);
        for (const Hash& leaf : page) one_by_one.append(leaf);
        CHECK(tree.root() == one_by_one.root());
    }
    const Hash root = root_from_leaf_hashes(leaves);
    CHECK(tree.root() == root);
    std::mt19937_64 rng(6962);
    std::uint64_t failures = 0;
    for (int s = 0; s < 300; ++s) {
        const std::uint64_t size = 1 + rng() % kSize;
        const std::uint64_t i = rng() % size;
        const std::uint64_t m = rng() % (size + 1);
        failures += tree.inclusion_proof(i, size) != one_by_one.inclusion_proof(i, size);
        failures += !verify_inclusion(leaves[i], i, size, *tree.inclusion_proof(i, size),
                                      *tree.root_of_prefix(size));
        failures += tree.consistency_proof(m, size) != one_by_one.consistency_proof(m, size);
        failures +=
            !verify_consistency(m, size, *tree.root_of_prefix(m), *tree.root_of_prefix(size),
                                *tree.consistency_proof(m, size));
    }
    CHECK(failures == 0);
}
