#include "server/api/ballot_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config/paris_time.hpp"

namespace api = budget::server::api;
namespace json = boost::json;
using budget::voting::ChoiceError;
using budget::voting::ChoiceProblem;

namespace {
std::int64_t at(const std::string& rfc3339) { return *budget::config::parse_rfc3339(rfc3339); }
}  // namespace

TEST_CASE("every choice problem is explained in French", "[ballot_api]") {
    CHECK(api::choice_problem_text(ChoiceProblem{ChoiceError::empty, ""}, 3) ==
          "Choisissez au moins une initiative.");
    CHECK(api::choice_problem_text(ChoiceProblem{ChoiceError::too_many, ""}, 3) ==
          "Vous pouvez choisir au plus 3 initiatives.");
    CHECK(api::choice_problem_text(ChoiceProblem{ChoiceError::duplicate, "a"}, 3) ==
          "L’initiative « a » est choisie deux fois.");
    CHECK(api::choice_problem_text(ChoiceProblem{ChoiceError::not_on_ballot, "zz"}, 3) ==
          "L’initiative « zz » ne figure pas sur le bulletin.");
    SECTION("one choice allowed is said in the singular") {
        CHECK(api::choice_problem_text(ChoiceProblem{ChoiceError::too_many, ""}, 1) ==
              "Vous pouvez choisir au plus 1 initiative.");
    }
    SECTION("the text fills the invalid_choices refusal") {
        const auto problem = api::choice_problem_text(ChoiceProblem{ChoiceError::empty, ""}, 3);
        const auto res = api::fail(api::Error::invalid_choices, 11, {problem});
        CHECK(res.result_int() == 422);
        const auto error = json::parse(res.body()).at("error");
        CHECK(error.at("code") == "invalid_choices");
        CHECK(error.at("message") == "Choisissez au moins une initiative.");
    }
}

TEST_CASE("the receipt's bytes are what Boost.JSON would write for its object", "[ballot_api]") {
    const std::string id = "0123456789abcdef0123456789abcdef";
    const std::string hash(64, 'e');
    const std::string cast_at = "2026-09-01T00:00:04+02:00";
    const json::object receipt{{"ballot_id", id}, {"ballot_hash", hash}, {"cast_at", cast_at}};
    CHECK(api::receipt_json(id, hash, cast_at) ==
          json::serialize(json::object{{"receipt", receipt}}));
}

TEST_CASE("an instant reads as a French date in Paris civil time", "[ballot_api]") {
    SECTION("the first of the month is 1er, summer time counts") {
        CHECK(api::french_date(at("2026-09-01T00:00:00+02:00")) == "1er septembre 2026 à 00:00");
        CHECK(api::french_date(at("2026-08-31T22:00:00Z")) == "1er septembre 2026 à 00:00");
    }
    SECTION("other days, and winter time") {
        CHECK(api::french_date(at("2026-09-30T23:59:59+02:00")) == "30 septembre 2026 à 23:59");
        CHECK(api::french_date(at("2026-12-02T07:05:00Z")) == "2 décembre 2026 à 08:05");
        CHECK(api::french_date(at("2027-02-15T12:30:00+01:00")) == "15 février 2027 à 12:30");
    }
    SECTION("the vote_not_open refusal names both ends of the window") {
        const auto opens = api::french_date(at("2026-09-01T00:00:00+02:00"));
        const auto closes = api::french_date(at("2026-09-30T23:59:59+02:00"));
        CHECK(api::error_message(api::Error::vote_not_open, {opens, closes}) ==
              "Le vote n’est pas ouvert : il a lieu du 1er septembre 2026 à 00:00 au "
              "30 septembre 2026 à 23:59.");
    }
}

TEST_CASE("an Idempotency-Key is 16 to 64 letters, digits, - or _", "[ballot_api]") {
    CHECK(api::valid_idempotency_key("k4Xb9-retry_0123456789"));
    CHECK(api::valid_idempotency_key(std::string(16, 'a')));
    CHECK(api::valid_idempotency_key(std::string(64, 'Z')));
    CHECK_FALSE(api::valid_idempotency_key(""));
    CHECK_FALSE(api::valid_idempotency_key(std::string(15, 'a')));
    CHECK_FALSE(api::valid_idempotency_key(std::string(65, 'a')));
    CHECK_FALSE(api::valid_idempotency_key("spaces in key 0123456"));
    CHECK_FALSE(api::valid_idempotency_key("dots.are.not.allowed.here"));
    CHECK_FALSE(api::valid_idempotency_key("accentué-0123456789"));
}
