#pragma once
// RFC 6962 / RFC 9162 Merkle tree over the ballot log: hashing, roots, inclusion and consistency
// proofs, and their verification.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace budget::voting {

/// A SHA-256 digest: a leaf hash, an inner node hash or a tree root.
using Hash = std::array<std::uint8_t, 32>;

/// Lower-case hexadecimal form of a hash (64 characters).
std::string to_hex(const Hash& hash);

/// Parses 64 hexadecimal characters (either case); nullopt on any other input.
std::optional<Hash> hash_from_hex(std::string_view hex);

/// SHA-256(0x00 || bytes): the hash of one log entry.
Hash leaf_hash(std::span<const std::uint8_t> bytes);

/// SHA-256(0x00 || bytes) for an entry held as text (its UTF-8 bytes).
Hash leaf_hash(std::string_view bytes);

/// SHA-256(0x01 || left || right): the hash of an inner node.
Hash node_hash(const Hash& left, const Hash& right);

/// SHA-256 of the empty string: the root of a tree with no leaves.
Hash empty_root();

/// Root of the tree over these leaf hashes, in O(n) time and O(log n) extra memory.
Hash root_from_leaf_hashes(std::span<const Hash> leaf_hashes);

/// Checks that `leaf` sits at `index` in the tree of `size` leaves whose root is `root`
/// (RFC 9162 section 2.1.3.2).
bool verify_inclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                      std::span<const Hash> audit_path, const Hash& root);

/// Checks that the tree of `size_m` leaves with root `root_m` is a prefix of the tree of `size_n`
/// leaves with root `root_n` (RFC 9162 section 2.1.4.2). m = n takes an empty proof and equal
/// roots; m = 0 an empty proof and the empty-tree root.
bool verify_consistency(std::uint64_t size_m, std::uint64_t size_n, const Hash& root_m,
                        const Hash& root_n, std::span<const Hash> proof);

/// Threads the bulk operations use by default: this machine's cores, at most 4 (the tally's
/// parsing is sequential; more threads would only wait for it).
unsigned default_hash_threads();

/// An append-only Merkle tree holding the leaf hashes and the complete subtree hashes of 8 leaves
/// and more, so that roots of any prefix and proofs cost O(log n) hashes (and at most 4 more for
/// the subtrees of 2 and 4 leaves, recomputed from the leaves). Memory is about 40 bytes per leaf
/// (32 for the leaf, 8 for the subtrees above it), in chunks: appending never moves what is
/// stored.
class MerkleTree {
  public:
    MerkleTree() = default;
    /// Builds the tree over these leaf hashes in O(n), over `threads` threads.
    explicit MerkleTree(std::span<const Hash> leaf_hashes, unsigned threads = 1);

    /// Appends one leaf hash (amortised O(1) hashes).
    void append(const Hash& leaf);
    /// Appends these leaf hashes, the new inner nodes being hashed over `threads` threads; the
    /// tree is the same as after appending them one by one.
    void append(std::span<const Hash> leaves, unsigned threads = 1);
    /// Number of leaves.
    std::uint64_t size() const { return leaves_.size(); }
    /// Leaf hash at `index` (< size()).
    const Hash& leaf(std::uint64_t index) const { return leaves_[index]; }

    /// Root of the whole tree.
    Hash root() const { return root_at(size()); }
    /// Root of the tree made of the first `tree_size` leaves (<= size()), or nullopt.
    std::optional<Hash> root_of_prefix(std::uint64_t tree_size) const;
    /// Audit path of leaf `index` in the tree of the first `tree_size` leaves, deepest sibling
    /// first; nullopt unless index < tree_size <= size().
    std::optional<std::vector<Hash>> inclusion_proof(std::uint64_t index,
                                                     std::uint64_t tree_size) const;
    /// Proof that the first `size_m` leaves are a prefix of the first `size_n` leaves; nullopt
    /// unless size_m <= size_n <= size(). Empty when size_m is 0 or equals size_n.
    std::optional<std::vector<Hash>> consistency_proof(std::uint64_t size_m,
                                                       std::uint64_t size_n) const;

  private:
    /// Subtrees of fewer than 2^kFirstStoredLevel leaves are not stored: they would take 24 more
    /// bytes per leaf, and cost 1 or 3 hashes to recompute.
    static constexpr int kFirstStoredLevel = 3;

    Hash root_at(std::uint64_t tree_size) const;
    // Hash of the leaves [begin, end) where begin is a multiple of the largest power of two not
    // above end - begin, which holds for every subtree the RFC's recursion visits.
    Hash range_hash(std::uint64_t begin, std::uint64_t end) const;
    // Hash of the complete subtree of 2^level leaves starting at leaf index * 2^level.
    Hash subtree(int level, std::uint64_t index) const;
    // Hashes the inner nodes the leaves appended since `old_size` complete.
    void complete_levels(std::uint64_t old_size, unsigned threads);

    // Chunked storage: growing never copies the hashes already there, and leaves no slack.
    std::deque<Hash> leaves_;
    // stored_[j][i] is the hash of the complete subtree of 2^(kFirstStoredLevel + j) leaves
    // starting at leaf i * 2^(kFirstStoredLevel + j).
    std::vector<std::deque<Hash>> stored_;
};

}  // namespace budget::voting
