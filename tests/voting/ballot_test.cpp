#include "voting/ballot.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

using namespace budget::voting;

namespace {
const std::set<std::string, std::less<>> kBallot = {"a", "b", "c", "d"};
bool on_ballot(std::string_view id) { return kBallot.count(id) == 1; }
}  // namespace

TEST_CASE("valid choices come back sorted", "[ballot]") {
    const auto r = validate_choices({"c", "a"}, 3, on_ballot);
    REQUIRE(r.has_value());
    CHECK(*r == std::vector<std::string>{"a", "c"});
}

TEST_CASE("empty, too many, duplicate and unknown choices are refused", "[ballot]") {
    CHECK(validate_choices({}, 3, on_ballot).error().error == ChoiceError::empty);
    CHECK(validate_choices({"a", "b", "c", "d"}, 3, on_ballot).error().error ==
          ChoiceError::too_many);
    const auto dup = validate_choices({"a", "a"}, 3, on_ballot);
    CHECK(dup.error().error == ChoiceError::duplicate);
    CHECK(dup.error().initiative == "a");
    const auto unknown = validate_choices({"a", "zz"}, 3, on_ballot);
    CHECK(unknown.error().error == ChoiceError::not_on_ballot);
    CHECK(unknown.error().initiative == "zz");
}

TEST_CASE("a ballot's canonical bytes hold only its id and sorted choices", "[ballot]") {
    CHECK(canonical_ballot("0f", {"a", "b"}) == R"({"ballot_id":"0f","choices":["a","b"]})");
    CHECK(canonical_ballot("0f", {"é"}) == "{\"ballot_id\":\"0f\",\"choices\":[\"\xC3\xA9\"]}");
}

TEST_CASE("canonical bytes are what Boost.JSON writes, whatever the ids hold", "[ballot]") {
    const std::string ids[] = {"i-02",
                               "quote\"back\\slash/",
                               std::string("nul\0tab\tnl\ncr\rff\fbs\b\x01\x1f end", 26),
                               "del\x7f",
                               "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC",
                               ""};
    for (const auto& id : ids) {
        boost::json::object o;
        o["ballot_id"] = id;
        o["choices"] = boost::json::array{boost::json::string(id), "z"};
        CHECK(canonical_ballot(id, {id, "z"}) == boost::json::serialize(o));
    }
    // A duplicate is named by its first repeat, in the order given.
    const auto dup = validate_choices({"b", "a", "c", "a", "b"}, 5, on_ballot);
    CHECK(dup.error().error == ChoiceError::duplicate);
    CHECK(dup.error().initiative == "a");
}

TEST_CASE("canonical bytes parse back, and nothing else does", "[ballot]") {
    const auto bytes = canonical_ballot("00ff", {"x", "y"});
    const auto parsed = parse_canonical_ballot(bytes);
    REQUIRE(parsed.has_value());
    CHECK(parsed->ballot_id == "00ff");
    CHECK(parsed->choices == std::vector<std::string>{"x", "y"});
    CHECK(parse_canonical_ballot(R"({"ballot_id":"00ff","choices":["y","x"]})").has_error());
    CHECK(parse_canonical_ballot(R"({"ballot_id":"00ff","choices":["x","x"]})").has_error());
    CHECK(parse_canonical_ballot(R"({"choices":["x"],"ballot_id":"00ff"})").has_error());
    CHECK(parse_canonical_ballot(R"({"ballot_id": "00ff","choices":["x"]})").has_error());
    CHECK(parse_canonical_ballot(R"({"ballot_id":"00ff","choices":["x"],"who":"me"})").has_error());
    CHECK(parse_canonical_ballot("not json").has_error());
}
