// The tally service and the log service over a real redis-server, without budgetd: a fixed clock
// moves the campaign across its close, so that every refusal of the tally is seen at its edge.
#include "server/api/tally_service.hpp"

#include <sodium.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "server/api/app_context.hpp"
#include "server/api/log_service.hpp"
#include "server/core/crypto.hpp"
#include "server/redis/blocking_client.hpp"
#include "server/storage/keys.hpp"
#include "server/storage/stores.hpp"
#include "tests/server/support/process_support.hpp"
#include "voting/ballot.hpp"
#include "voting/results.hpp"

using namespace budget;
using namespace budget::server;
using budget::test::RedisServer;
using budget::test::TempDir;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

namespace {

constexpr std::int64_t kOpens = 1'790'000'000;
constexpr std::int64_t kCloses = kOpens + 3600;

// A campaign "t" with initiatives a (6000) and b (5000) sealed, over its own redis-server, and
// the services as budgetd builds them; the clock starts during the vote.
struct Campaign {
    TempDir dir;
    RedisServer redis{dir.path() + "/redis"};
    config::Config config;
    FixedClock clock{kOpens + 60};
    SigningKey key;
    crypto::Key32 pepper{};
    labelling::Questionnaire questionnaire;
    config::CommuneDirectory communes;
    http::Metrics metrics;
    boost::asio::thread_pool pool{1};
    std::unique_ptr<redis::BlockingClient> client;
    std::unique_ptr<storage::Stores> stores;
    std::unique_ptr<api::IdentityAudit> identity_audit;
    std::unique_ptr<api::AppContext> ctx;

    explicit Campaign(int shards = 1) {
        config = config::parse_config(
            "[redis]\nurl = \"" + redis.url() + "\"\nballot_shards = " + std::to_string(shards) +
                "\n[storage]\ndata_dir = \"" + dir.path() +
                "/data\"\n[campaign]\nid = \"t\"\nenvelope_eur = 10000\nvote_opens = \"" +
                test::rfc3339_utc(kOpens) + "\"\nvote_closes = \"" + test::rfc3339_utc(kCloses) +
                "\"\n",
            "test", dir.path());
        REQUIRE(sodium_init() >= 0);
        crypto_sign_keypair(key.public_key.data(), key.secret_key.data());
        auto connected = redis::BlockingClient::connect(redis::Target::parse_url(redis.url()));
        REQUIRE(std::holds_alternative<std::unique_ptr<redis::BlockingClient>>(connected));
        client = std::move(std::get<std::unique_ptr<redis::BlockingClient>>(connected));
        stores = std::make_unique<storage::Stores>(client->client(), config, questionnaire, key,
                                                   clock, pepper, pool);
        identity_audit = std::make_unique<api::IdentityAudit>(std::nullopt, pepper, clock, metrics,
                                                              stores->identity_audit);
        ctx = std::make_unique<api::AppContext>(api::AppContext{config, clock, communes,
                                                                questionnaire, key, pepper, pool,
                                                                metrics, *stores, *identity_audit});
        REQUIRE(client->run(stores->ballots.agree_shards()).value());
        REQUIRE(client->run(stores->campaign.seal_document(ballot_document(), "test")).value());
    }

    static std::string ballot_document() {
        json::array list;
        for (const auto& [id, amount] : {std::pair<const char*, int>{"a", 6000}, {"b", 5000}}) {
            list.push_back(json::object{{"amount_eur", amount},
                                        {"category", "cooperation"},
                                        {"commune", "62041"},
                                        {"holder", "H"},
                                        {"id", id},
                                        {"radar", json::object{}},
                                        {"requested_eur", amount},
                                        {"summary", "S"},
                                        {"territory", "arrageois"},
                                        {"title", std::string("Initiative ") + id}});
        }
        return json::serialize(json::object{{"campaign", "t"},
                                            {"initiatives", list},
                                            {"questionnaire_digest", "00"},
                                            {"sealed_at", "x"}});
    }

    // Casts a ballot for `who` through the ballot store, as the ballot path does.
    std::string vote(const std::string& who, const std::vector<std::string>& choices) const {
        storage::CastRequest request;
        request.identity_key = crypto::sha256_hex("identity:" + who);
        request.territory = "arrageois";
        request.ballot_id = crypto::sha256_hex("ballot:" + who).substr(0, 32);
        request.canonical = voting::canonical_ballot(request.ballot_id, choices);
        request.day = "2026-09-01";
        auto id = request.ballot_id;
        const auto outcome = client->run(stores->ballots.cast(std::move(request)));
        REQUIRE(outcome.status == storage::CastStatus::recorded);
        return id;
    }

    api::TallyService service(bool with_pool = true) {
        return api::TallyService(*stores, config, key, clock, with_pool ? &pool : nullptr);
    }
};

}  // namespace

TEST_CASE("the tally refuses before the close and counts, checks and signs after it",
          "[integration][results][tally]") {
    Campaign c;
    const auto ana = c.vote("ana", {"a", "b"});
    c.vote("bob", {"a"});
    c.vote("cyd", {"b"});
    api::LogService log(*c.ctx);
    c.client->run(log.publish_head());  // a head of size 3 signed during the vote
    auto service = c.service();

    // Arrange the clock at the close itself: the last second still belongs to the vote.
    c.clock.set(kCloses);
    CHECK_FALSE(service.vote_closed());
    const auto early = c.client->run(service.tally(voting::Rule::greedy));
    REQUIRE_FALSE(early.has_value());
    CHECK(early.error().failure == api::TallyFailure::vote_not_closed);

    c.clock.set(kCloses + 1);
    REQUIRE(service.vote_closed());
    const auto tallied = c.client->run(service.tally(voting::Rule::greedy));
    REQUIRE(tallied.has_value());
    CHECK(tallied->log.tally.size() == 3);
    CHECK(tallied->tree_heads_checked == 1);
    CHECK(tallied->log.entries.empty());  // not asked for: memory stays bounded by the tree
    const auto document = json::parse(tallied->results.document);
    CHECK(document.at("votes").at("a").to_number<int>() == 2);
    CHECK(document.at("tree_heads_checked").to_number<int>() == 1);

    SECTION("the draft is what publication makes public, with a proof for every receipt") {
        CHECK(c.client->run(service.published()).value() == nullptr);
        CHECK(c.client->run(service.publish()).value() == storage::PublishOutcome::published);
        const auto state = c.client->run(service.published()).value();
        REQUIRE(state != nullptr);
        CHECK(state->results.document == tallied->results.document);
        CHECK(state->tree.root() == tallied->log.tally.tree().root());
        CHECK(state->index_of_ballot.count(ana) == 1);
        CHECK(state->csv.rfind("\xEF\xBB\xBF", 0) == 0);
        const auto verified = voting::verify_results(
            json::parse(json::serialize(state->results.to_json())), json::parse(state->export_json),
            {state->results.public_key, ""});
        INFO((verified ? std::string() : verified.error()));
        CHECK(verified.has_value());

        const auto again = c.client->run(service.tally(voting::Rule::mes));
        REQUIRE_FALSE(again.has_value());
        CHECK(again.error().failure == api::TallyFailure::already_published);
        CHECK(c.client->run(service.publish()).value() ==
              storage::PublishOutcome::already_published);
    }
    SECTION("budgetctl's way, inline and keeping the raw log, gives the same document") {
        auto inline_service = c.service(false);
        const auto kept = c.client->run(inline_service.tally(voting::Rule::greedy, true));
        REQUIRE(kept.has_value());
        CHECK(kept->log.entries.size() == 3);
        auto strip = [](const std::string& text) {
            auto doc = json::parse(text);
            doc.as_object().erase("tallied_at");
            return doc;
        };
        CHECK(strip(kept->results.document) == strip(tallied->results.document));
    }
}

TEST_CASE("a log rewritten under a signed head is refused at the tally, named by its head",
          "[integration][results][tally]") {
    Campaign c;
    c.vote("ana", {"a"});
    c.vote("bob", {"b"});
    api::LogService log(*c.ctx);
    c.client->run(log.publish_head());
    c.redis.cli("LSET '" + keys::ballot_log("t", 0) + "' 0 '" +
                voting::canonical_ballot(std::string(32, '0'), {"b"}) + "'");
    c.clock.set(kCloses + 1);
    auto service = c.service();
    const auto refused = c.client->run(service.tally(voting::Rule::greedy));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().failure == api::TallyFailure::log_not_extending_head);
    CHECK(refused.error().shard == 0);
    CHECK(refused.error().tree_size == 2);
    CHECK(c.client->run(service.publish()).value() == storage::PublishOutcome::no_tally);
}

TEST_CASE("a tally configured with another shard count than the ballots used is refused",
          "[integration][results][tally]") {
    Campaign c;
    c.vote("ana", {"a"});
    c.clock.set(kCloses + 1);
    auto other = c.config;
    other.redis.ballot_shards = 3;
    storage::Stores stores(c.client->client(), other, c.questionnaire, c.key, c.clock, c.pepper,
                           c.pool);
    api::TallyService service(stores, other, c.key, c.clock);
    const auto refused = c.client->run(service.tally(voting::Rule::greedy));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().failure == api::TallyFailure::ballot_shards_mismatch);
    CHECK(refused.error().campaign_shards == 1);
    const auto read = c.client->run(service.read_closed(false));
    REQUIRE_FALSE(read.has_value());
    CHECK(read.error().failure == api::TallyFailure::ballot_shards_mismatch);
}

TEST_CASE(
    "with several shards each shard gets its own heads and proofs, and the tally checks "
    "them all",
    "[integration][results][log]") {
    Campaign c(3);
    std::vector<std::string> ids;
    for (const char* who : {"ada", "ben", "cal", "dea", "eli", "fio", "gil", "hoa"})
        ids.push_back(c.vote(who, {"a"}));
    api::LogService log(*c.ctx);
    c.client->run(log.publish_head());
    c.client->run(log.publish_head());  // nothing grew: no second head
    std::uint64_t heads = 0;
    for (int k = 0; k < 3; ++k) {
        const auto stored = c.client->run(c.stores->log.heads(k)).value();
        const auto size = std::stoull(c.redis.cli("LLEN '" + keys::ballot_log("t", k) + "'"));
        CHECK(stored.size() == (size > 0 ? 1U : 0U));
        for (const auto& text : stored) {
            const auto head = json::parse(text).at("head");
            CHECK(head.at("shard").to_number<int>() == k);
            CHECK(head.at("tree_size").to_number<std::uint64_t>() == size);
        }
        heads += stored.size();
    }
    for (const auto& id : ids) {
        const auto where = c.client->run(c.stores->ballots.find_receipt(id)).value();
        REQUIRE(where.has_value());
        const auto size = c.client->run(c.stores->log.latest_head(where->shard)).value();
        REQUIRE(size.has_value());
        const auto head = json::parse(*size).at("head");
        const auto proof = log.inclusion(where->shard, where->index,
                                         head.at("tree_size").to_number<std::uint64_t>());
        REQUIRE(proof.has_value());
        CHECK(voting::verify_inclusion(proof->leaf, where->index,
                                       head.at("tree_size").to_number<std::uint64_t>(), proof->path,
                                       *voting::hash_from_hex(head.at("root").as_string())));
    }
    c.clock.set(kCloses + 1);
    auto service = c.service();
    const auto tallied = c.client->run(service.tally(voting::Rule::greedy));
    REQUIRE(tallied.has_value());
    CHECK(tallied->tree_heads_checked == heads);
    CHECK(tallied->log.tally.size() == ids.size());
}
