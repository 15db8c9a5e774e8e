// The tally's check of the tree heads signed during the vote, shard by shard.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/api/log_service.hpp"
#include "server/api/tally_service.hpp"
#include "voting/merkle.hpp"

using budget::server::api::check_tree_heads;
using budget::voting::Hash;
using budget::voting::MerkleTree;
namespace json = boost::json;

namespace {

std::vector<Hash> leaves(const std::string& prefix, int count) {
    std::vector<Hash> out;
    out.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        out.push_back(budget::voting::leaf_hash(prefix + std::to_string(i)));
    return out;
}

// A head as the log service stores it; `shard` only when the campaign has several.
std::string stored_head(std::uint64_t size, const Hash& root, std::optional<int> shard) {
    json::object head{{"campaign", "t"},
                      {"root", budget::voting::to_hex(root)},
                      {"timestamp", "2026-09-01T10:00:00+02:00"},
                      {"tree_size", size}};
    if (shard) head["shard"] = *shard;
    return json::serialize(json::object{{"head", head}, {"signature", "c2ln"}});
}

Hash root_of(const std::vector<Hash>& all, std::size_t begin, std::size_t count) {
    return budget::voting::root_from_leaf_hashes(std::span<const Hash>(all).subspan(begin, count));
}

// Three shards of 3, 0 and 4 entries, concatenated in shard order like the tally reads them.
struct ShardedLog {
    std::vector<Hash> shard0 = leaves("zero-", 3);
    std::vector<Hash> shard2 = leaves("two-", 4);
    std::vector<Hash> all;
    std::vector<std::uint64_t> sizes{3, 0, 4};
    MerkleTree tree;
    ShardedLog() {
        all = shard0;
        all.insert(all.end(), shard2.begin(), shard2.end());
        tree = MerkleTree(all);
    }
};

}  // namespace

TEST_CASE("with a single shard every head is checked against the whole log as before",
          "[tally][heads]") {
    const auto all = leaves("b", 5);
    const MerkleTree tree(all);
    const std::vector<std::uint64_t> sizes{5};
    std::vector<std::vector<std::string>> heads{{stored_head(2, root_of(all, 0, 2), std::nullopt),
                                                 stored_head(5, root_of(all, 0, 5), std::nullopt)}};
    const auto checked = check_tree_heads(tree, sizes, heads);
    REQUIRE(checked.has_value());
    CHECK(*checked == 2);

    SECTION("a rewritten entry inside a head's prefix is refused with the head's size") {
        auto rewritten = all;
        rewritten[1] = budget::voting::leaf_hash("other");
        const auto refused = check_tree_heads(MerkleTree(rewritten), sizes, heads);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().shard == 0);
        CHECK(refused.error().tree_size == 2);
        CHECK_FALSE(refused.error().unreadable);
    }
}

TEST_CASE("each shard's heads are checked against that shard's own part of the log",
          "[tally][heads]") {
    const ShardedLog log;
    std::vector<std::vector<std::string>> heads{{stored_head(3, root_of(log.shard0, 0, 3), 0)},
                                                {},
                                                {stored_head(1, root_of(log.shard2, 0, 1), 2),
                                                 stored_head(4, root_of(log.shard2, 0, 4), 2)}};
    const auto checked = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE(checked.has_value());
    CHECK(*checked == 3);
}

TEST_CASE("no head at all checks nothing and refuses nothing", "[tally][heads]") {
    const ShardedLog log;
    std::vector<std::vector<std::string>> heads(3);
    const auto checked = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE(checked.has_value());
    CHECK(*checked == 0);
}

TEST_CASE("a head of shard k with a wrong root is refused and named by its shard and size",
          "[tally][heads]") {
    const ShardedLog log;
    std::vector<std::vector<std::string>> heads{
        {stored_head(3, root_of(log.shard0, 0, 3), 0)},
        {},
        {stored_head(2, root_of(log.shard2, 0, 2), 2),
         stored_head(3, budget::voting::leaf_hash("forged"), 2)}};
    const auto refused = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().shard == 2);
    CHECK(refused.error().tree_size == 3);
    CHECK_FALSE(refused.error().unreadable);
}

TEST_CASE("a shard head matching the global log's prefix instead of its shard's is refused",
          "[tally][heads]") {
    const ShardedLog log;
    // The first two entries of the global log are shard 0's, not shard 2's.
    std::vector<std::vector<std::string>> heads{
        {}, {}, {stored_head(2, root_of(log.all, 0, 2), 2)}};
    const auto refused = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().shard == 2);
    CHECK(refused.error().tree_size == 2);
}

TEST_CASE("a head larger than its shard's log is refused even when the global log is larger",
          "[tally][heads]") {
    const ShardedLog log;
    // Shard 0 holds 3 entries; the global log holds 7, whose first 4 are no shard's log.
    std::vector<std::vector<std::string>> heads{
        {stored_head(4, root_of(log.all, 0, 4), 0)}, {}, {}};
    const auto refused = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().shard == 0);
    CHECK(refused.error().tree_size == 4);
}

TEST_CASE("a head filed under another shard than the one it signs for is refused",
          "[tally][heads]") {
    const ShardedLog log;
    // A valid head of shard 2, copied into shard 1's list.
    std::vector<std::vector<std::string>> heads{
        {}, {stored_head(1, root_of(log.shard2, 0, 1), 2)}, {}};
    const auto refused = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().shard == 1);
    CHECK(refused.error().unreadable);
}

TEST_CASE("an unreadable stored head is refused rather than skipped", "[tally][heads]") {
    const ShardedLog log;
    for (const std::string& text :
         {std::string("not json"), std::string(R"({"head":{"tree_size":1}})"),
          std::string(R"({"head":{"tree_size":-1,"root":"00"}})"),
          std::string(R"({"signature":"x"})")}) {
        std::vector<std::vector<std::string>> heads{{text}, {}, {}};
        const auto refused = check_tree_heads(log.tree, log.sizes, heads);
        INFO(text);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().shard == 0);
        CHECK(refused.error().unreadable);
    }
}

TEST_CASE("the heads the log service signs are the heads the tally accepts", "[tally][heads]") {
    const ShardedLog log;
    budget::server::SigningKey key;  // any key: the check reads heads, not signatures
    auto signed_by_service = [&](std::uint64_t size, const Hash& root, int shard) {
        const budget::server::api::TreeHead head{"t", size, root, "2026-09-01T10:00:00+02:00",
                                                 shard};
        return json::serialize(budget::server::api::sign_tree_head(key, head));
    };
    std::vector<std::vector<std::string>> heads{
        {signed_by_service(3, root_of(log.shard0, 0, 3), 0)},
        {},
        {signed_by_service(2, root_of(log.shard2, 0, 2), 2)}};
    const auto checked = check_tree_heads(log.tree, log.sizes, heads);
    REQUIRE(checked.has_value());
    CHECK(*checked == 2);

    SECTION("and a head signed for one shard is refused in another's list") {
        heads[1].push_back(signed_by_service(2, root_of(log.shard2, 0, 2), 2));
        const auto refused = check_tree_heads(log.tree, log.sizes, heads);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().shard == 1);
        CHECK(refused.error().unreadable);
    }
}
