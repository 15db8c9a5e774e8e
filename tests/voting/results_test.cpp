#include "voting/results.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>

#include "voting/ballot.hpp"
#include "voting/canonical_json.hpp"

using namespace budget::voting;
namespace json = boost::json;

namespace {

std::string b64(const unsigned char* data, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::string fingerprint_of(const unsigned char* pk) {
    unsigned char h[32];
    crypto_hash_sha256(h, pk, 32);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, 32);
    return hex;
}

// A small closed campaign: three initiatives, five ballots, signed with a fresh key.
struct Published {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    std::vector<std::string> log;
    json::value results, ballot_export;

    Published() {
        REQUIRE(sodium_init() >= 0);
        crypto_sign_keypair(pk, sk);
        const std::vector<std::vector<std::string>> choices = {
            {"a", "b"}, {"a"}, {"b", "c"}, {"a", "c"}, {"a"}};
        TallyBuilder tally({"a", "b", "c"});
        for (std::size_t i = 0; i < choices.size(); ++i) {
            log.push_back(canonical_ballot("id" + std::to_string(i), choices[i]));
            REQUIRE(tally.add(log.back()).has_value());
        }
        ResultsInput in;
        in.campaign_id = "t";
        in.envelope_eur = 10000;
        in.public_key_fingerprint = fingerprint_of(pk);
        in.initiatives = {{"a", "A", "arrageois", "cooperation", 6000},
                          {"b", "B", "artois", "cooperation", 5000},
                          {"c", "C", "calaisis", "cooperation", 3000}};
        std::vector<Project> projects;
        for (const auto& i : in.initiatives) projects.push_back({i.id, i.amount_eur, i.territory});
        const auto allocation = allocate(Rule::greedy, projects, tally.ballots(), in.envelope_eur);
        REQUIRE(allocation.has_value());
        const auto document = make_results_document(in, tally, *allocation);
        results = sign(document, sk, pk);
        ballot_export = make_ballot_export(log, tally.tree());
    }

    /// The key announced before the vote.
    ExpectedKey expected() const { return {b64(pk, 32), ""}; }

    static json::value sign(const json::object& document, const unsigned char* sk,
                            const unsigned char* pk) {
        const auto text = *canonical_json(document);
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                             text.size(), sk);
        return json::object{{"document", document},
                            {"signature", b64(sig, sizeof sig)},
                            {"public_key", b64(pk, 32)}};
    }
};

}  // namespace

TEST_CASE("canonical JSON sorts keys at every level and refuses floats", "[results]") {
    const auto v = json::parse(R"({"b":1,"a":{"z":[3,{"y":1,"x":"é"}],"m":true},"c":null})");
    CHECK(canonical_json(v) == R"({"a":{"m":true,"z":[3,{"x":"é","y":1}]},"b":1,"c":null})");
    CHECK_FALSE(canonical_json(json::parse(R"({"a":1.5})")));
    CHECK(canonical_json(json::parse(R"("line\nbreak \"quoted\"")")) ==
          R"("line\nbreak \"quoted\"")");
}

TEST_CASE("the tally counts each initiative and builds the tree over the log", "[results]") {
    TallyBuilder tally({"a", "b"});
    REQUIRE(tally.add(canonical_ballot("x", {"a", "b"})).has_value());
    REQUIRE(tally.add(canonical_ballot("y", {"b"})).has_value());
    CHECK(tally.votes() == std::vector<std::uint64_t>{1, 2});
    CHECK(tally.size() == 2);
    CHECK(tally.tree().root() == node_hash(leaf_hash(canonical_ballot("x", {"a", "b"})),
                                           leaf_hash(canonical_ballot("y", {"b"}))));
    CHECK(tally.index_of_ballot().at("y") == 1);
    SECTION("a ballot for an initiative not on the ballot is an error, not a vote") {
        const auto r = tally.add(canonical_ballot("z", {"nope"}));
        REQUIRE(r.has_error());
        CHECK(r.error().error == TallyError::unknown_initiative);
        CHECK(tally.size() == 2);
    }
    SECTION("a repeated ballot id is an error") {
        CHECK(tally.add(canonical_ballot("x", {"a"})).error().error ==
              TallyError::duplicate_ballot_id);
    }
    SECTION("a non-canonical entry is an error") {
        CHECK(tally.add(R"({"choices":["a"],"ballot_id":"w"})").error().error ==
              TallyError::not_canonical);
    }
}

TEST_CASE("published results verify against the exported ballots", "[results]") {
    Published p;
    const auto ok = verify_results(p.results, p.ballot_export, p.expected());
    REQUIRE(ok.has_value());
    CHECK(ok->ballots == 5);
    CHECK(ok->winners ==
          std::vector<std::string>{"a", "c"});  // a (4 votes, 6000) then c fits, b does not
    CHECK(p.results.at("document").at("votes").at("a").to_number<std::int64_t>() == 4);
    CHECK(p.results.at("document").at("total_allocated_eur").to_number<std::int64_t>() == 9000);
}

TEST_CASE("verify names what is wrong when anything was changed", "[results]") {
    Published p;
    SECTION("one byte of the document flipped") {
        p.results.at("document").as_object()["total_allocated_eur"] = 9001;
        CHECK(verify_results(p.results, p.ballot_export, p.expected())
                  .error()
                  .rfind("signature:", 0) == 0);
    }
    SECTION("a ballot dropped from the export") {
        p.ballot_export.at("ballots").as_array().pop_back();
        CHECK(verify_results(p.results, p.ballot_export, p.expected()).error().rfind("root:", 0) ==
              0);
    }
    SECTION("a ballot altered, with its leaf hash recomputed to match") {
        auto& b = p.ballot_export.at("ballots").as_array()[1].as_object();
        b["choices"] = json::array{"b"};
        b["leaf_hash"] = to_hex(leaf_hash(canonical_ballot("id1", {"b"})));
        CHECK(verify_results(p.results, p.ballot_export, p.expected()).error().rfind("root:", 0) ==
              0);
    }
    SECTION("a ballot altered without touching its leaf hash") {
        p.ballot_export.at("ballots").as_array()[1].as_object()["choices"] = json::array{"b"};
        CHECK(verify_results(p.results, p.ballot_export, p.expected())
                  .error()
                  .find("does not hash") != std::string::npos);
    }
    SECTION("a document signed with another key") {
        unsigned char pk2[32], sk2[64];
        crypto_sign_keypair(pk2, sk2);
        const auto expected = std::string(p.results.at("public_key").as_string());
        const auto forged = Published::sign(p.results.at("document").as_object(), sk2, pk2);
        CHECK(verify_results(forged, p.ballot_export, {expected, ""})
                  .error()
                  .rfind("public_key:", 0) == 0);
        CHECK(verify_results(forged, p.ballot_export, {"", fingerprint_of(p.pk)})
                  .error()
                  .rfind("public_key:", 0) == 0);
        // Re-signed with the forger's key, whose fingerprint the forger also wrote in the document:
        // only the expected key tells it apart, so verify refuses to run without one.
        auto document = p.results.at("document").as_object();
        document["public_key_fingerprint"] = fingerprint_of(pk2);
        const auto reforged = Published::sign(document, sk2, pk2);
        CHECK(verify_results(reforged, p.ballot_export, {}).error().rfind("key:", 0) == 0);
        CHECK(verify_results(reforged, p.ballot_export, p.expected())
                  .error()
                  .rfind("public_key:", 0) == 0);
    }
}

TEST_CASE("verify refuses to run without the expected key, and takes it or its fingerprint",
          "[results][forgery]") {
    Published p;
    const auto none = verify_results(p.results, p.ballot_export, {});
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().rfind("key:", 0) == 0);
    CHECK(verify_results(p.results, p.ballot_export, {"", fingerprint_of(p.pk)}).has_value());
    auto upper = fingerprint_of(p.pk);
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(verify_results(p.results, p.ballot_export, {"", upper}).has_value());
    CHECK(verify_results(p.results, p.ballot_export, {"", std::string(64, '0')})
              .error()
              .rfind("public_key:", 0) == 0);
}

TEST_CASE("every field of the export header is checked against the signed document",
          "[results][forgery]") {
    Published p;
    auto& header = p.ballot_export.as_object();
    auto check_names = [&](const std::string& field) {
        const auto verified = verify_results(p.results, p.ballot_export, p.expected());
        REQUIRE_FALSE(verified.has_value());
        INFO(verified.error());
        CHECK(verified.error().find(field) != std::string::npos);
    };
    SECTION("tree_size") {
        header["tree_size"] = 6;
        check_names("export: tree_size 6");
    }
    SECTION("tree_size missing") {
        header.erase("tree_size");
        check_names("export: tree_size");
    }
    SECTION("root") {
        auto root = std::string(header.at("root").as_string());
        root[0] = root[0] == '0' ? '1' : '0';
        header["root"] = root;
        check_names("export: root");
    }
    SECTION("root missing") {
        header.erase("root");
        check_names("export: root");
    }
    SECTION("a field nobody checks, in the export") {
        header["note"] = "added";
        check_names("export: unexpected field note");
    }
    SECTION("a field nobody checks, in a ballot") {
        header.at("ballots").as_array()[0].as_object()["voter"] = "x";
        check_names("ballot #0 has an unexpected field voter");
    }
    SECTION("a field nobody checks, next to the signed document") {
        p.results.as_object()["winners"] = json::array{"b"};
        check_names("results: unexpected field winners");
    }
}

TEST_CASE("every single-bit flip of the published files is reported", "[results][forgery]") {
    Published p;
    const auto results_text = json::serialize(p.results);
    const auto export_text = json::serialize(p.ballot_export);
    REQUIRE(verify_results(p.results, p.ballot_export, p.expected()).has_value());
    auto reported = [&](const std::string& results, const std::string& exported) {
        boost::system::error_code ec1, ec2;
        const auto r = json::parse(results, ec1);
        const auto e = json::parse(exported, ec2);
        return ec1 || ec2 || !verify_results(r, e, p.expected()).has_value();
    };
    std::vector<std::string> unreported;
    for (std::size_t file = 0; file < 2; ++file) {
        const auto& text = file == 0 ? results_text : export_text;
        for (std::size_t i = 0; i < text.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                auto flipped = text;
                flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
                const bool caught =
                    file == 0 ? reported(flipped, export_text) : reported(results_text, flipped);
                if (!caught)
                    unreported.push_back((file == 0 ? "results@" : "export@") + std::to_string(i) +
                                         ":" + std::to_string(bit));
            }
        }
    }
    INFO((unreported.empty() ? std::string() : unreported.front()));
    CHECK(unreported.empty());
}
