// Fuzz target: the body of POST /api/v1/ballots, as cast_ballot reads it
// (server/api/ballot_api.cpp): parse_json_object, get_string_array("choices"), validate_choices
// against a sealed ballot and choice_problem_text, then the canonical bytes that go to the Redis
// log and back through parse_canonical_ballot (the tally's reader). The raw input is also read
// as stored canonical bytes and as an Idempotency-Key.

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <string>

#include "server/api/ballot_api.hpp"
#include "server/api/errors.hpp"
#include "server/api/request_body.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "voting/ballot.hpp"

namespace {

using namespace budget;
namespace api = budget::server::api;

const std::set<std::string, std::less<>> kSealed = {"a", "b", "c", "d", "i-1", "i-2", "i-10", "é"};
constexpr const char* kBallotId = "0123456789abcdef0123456789abcdef";

// Every error the API sends must be JSON (UTF-8) of the documented shape.
void check_error_response(const api::Response& res) {
    boost::system::error_code ec;
    const auto body = boost::json::parse(res.body(), ec);
    FUZZ_CHECK(!ec, "an error response body is not valid JSON");
    FUZZ_CHECK(body.is_object() && body.as_object().contains("error"), "error response shape");
}

// The canonical bytes of accepted choices must read back as exactly the same ballot.
void check_round_trip(const std::vector<std::string>& sorted) {
    const auto bytes = voting::canonical_ballot(kBallotId, sorted);
    const auto back = voting::parse_canonical_ballot(bytes);
    FUZZ_CHECK(back.has_value(),
               "canonical bytes of accepted choices are refused by the tally reader");
    FUZZ_CHECK(back->ballot_id == kBallotId && back->choices == sorted,
               "ballot round trip differs");
}

void check_choices(const std::vector<std::string>& choices, int max_choices) {
    const auto valid = voting::validate_choices(choices, max_choices, [](std::string_view id) {
        return kSealed.find(id) != kSealed.end();
    });
    if (!valid) {
        const auto problem = api::choice_problem_text(valid.error(), max_choices);
        check_error_response(api::fail(api::Error::invalid_choices, 11, {problem}));
    } else {
        const auto& sorted = *valid;
        FUZZ_CHECK(!sorted.empty() && static_cast<int>(sorted.size()) <= max_choices,
                   "choice count");
        FUZZ_CHECK(std::is_sorted(sorted.begin(), sorted.end()), "choices not sorted");
        FUZZ_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
                   "duplicate choice");
        FUZZ_CHECK(
            std::is_permutation(sorted.begin(), sorted.end(), choices.begin(), choices.end()),
            "accepted choices are not the given ones");
        for (const auto& c : sorted)
            FUZZ_CHECK(kSealed.count(c) == 1, "an unknown initiative was accepted");
        check_round_trip(sorted);
    }
    // Whatever the sealed ballot holds (ids are free text in the import), every distinct,
    // clean id list must survive the log's round trip.
    const auto any = voting::validate_choices(choices, 100, [](std::string_view) { return true; });
    if (any) check_round_trip(*any);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);

    api::Request req;
    req.body() = std::string(text);
    auto body = api::parse_json_object(req);
    if (auto* rejection = std::get_if<api::Rejection>(&body)) {
        check_error_response(rejection->to_response(11));
    } else {
        auto choices = api::get_string_array(std::get<boost::json::object>(body), "choices", 100);
        if (auto* rejection = std::get_if<api::Rejection>(&choices)) {
            check_error_response(rejection->to_response(11));
        } else {
            const auto& list = std::get<std::vector<std::string>>(choices);
            for (const auto& c : list) {
                FUZZ_CHECK(api::is_clean_utf8(c), "get_string_array let a dirty id through");
            }
            check_choices(list, 3);
            check_choices(list, 1);
        }
    }

    // The same bytes read as a stored ballot: only the exact canonical form is accepted.
    if (const auto stored = voting::parse_canonical_ballot(text)) {
        FUZZ_CHECK(voting::canonical_ballot(stored->ballot_id, stored->choices) == text,
                   "a non-canonical ballot was accepted");
        FUZZ_CHECK(std::is_sorted(stored->choices.begin(), stored->choices.end()), "stored order");
    }
    // An Idempotency-Key goes into a keyed hash and a Redis key: only the documented alphabet.
    if (api::valid_idempotency_key(text)) {
        FUZZ_CHECK(text.size() >= 16 && text.size() <= 64, "Idempotency-Key length");
        for (const char c : text) {
            FUZZ_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_',
                       "Idempotency-Key character");
        }
    }
    // is_clean_utf8 guards every string field: what it accepts must be real UTF-8.
    if (api::is_clean_utf8(text))
        FUZZ_CHECK(fuzz::strict_utf8(text), "is_clean_utf8 accepted invalid UTF-8");
    return 0;
}
