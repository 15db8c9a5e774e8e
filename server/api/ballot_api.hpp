#pragma once
// The ballot (docs/api.md): POST /api/v1/ballots with a voter session and {"choices": [...]}
// gives 201 and a receipt {"receipt":{"ballot_id","ballot_hash","cast_at"}}, or a refusal.
//
// This is the hot path, benchmarked against redis-benchmark (bench-ballot.sh): the request goes
// from here to the ballot store's one Lua script. The handler is cut into synchronous steps
// around its few co_awaits, and builds no JSON tree (see ballot_api.cpp).

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/voter_session.hpp"
#include "server/http/router.hpp"
#include "voting/ballot.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

/// French explanation of a choice problem, for the 422 invalid_choices answer.
std::string choice_problem_text(const voting::ChoiceProblem& problem, int max_choices);

/// "1er septembre 2026 à 00:00": an instant as a French sentence says it, in Paris civil time.
std::string french_date(std::int64_t unix_seconds);

/// Whether an Idempotency-Key header is acceptable: 16 to 64 of A-Z a-z 0-9 - _.
bool valid_idempotency_key(std::string_view key);

/// The refusal of a resident's step outside the vote window (a challenge, a code, a
/// verification, a ballot): 403 vote_not_open with `"phase"` ("labelling" before the opening,
/// "closed" after the close), worded for it with both dates in French; std::nullopt while the
/// vote is open.
std::optional<Response> vote_window_refusal(const voting::VoteWindow& window, std::int64_t now,
                                            unsigned version);

/// The receipt's JSON body, exactly as boost::json::serialize writes
/// {"receipt":{"ballot_id","ballot_hash","cast_at"}} (hex digits and a timestamp need no escape).
std::string receipt_json(std::string_view ballot_id, std::string_view ballot_hash,
                         std::string_view cast_at);

class BallotApi {
  public:
    explicit BallotApi(AppContext& ctx);
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> cast_ballot(RequestContext& rc);

    // The synchronous steps of cast_ballot (see ballot_api.cpp for why they are apart).
    struct BallotRequest {
        VoterSession session;
        std::vector<std::string> choices;
        std::string_view idempotency_key;  ///< the header's value, empty without one
    };
    /// The vote's window, the session, the choices and the Idempotency-Key of a request, or the
    /// refusal to send (checked in that order).
    std::variant<BallotRequest, Response> read_ballot_request(const Request& req,
                                                              std::int64_t now) const;
    /// Sorts the choices once they are valid for this ballot; the 422 otherwise.
    std::optional<Response> check_choices(std::vector<std::string>& choices,
                                          const storage::SealedBallot& sealed,
                                          unsigned version) const;
    /// Prepares the ballot (id, canonical bytes, receipt) and starts the store's cast; `receipt`
    /// receives the receipt's body. Not a coroutine: what the store takes lives on its stack.
    boost::asio::awaitable<storage::CastOutcome> start_cast(BallotRequest& ballot, std::int64_t now,
                                                            std::string& receipt);
    /// 201 with the receipt (the new one, or the one given to the same request earlier), or the
    /// refusal the outcome calls for.
    static Response answer(storage::CastOutcome& outcome, std::string& receipt, unsigned version);

    /// The rare waits of the ballot path, in coroutines of their own to keep cast_ballot's small.
    boost::asio::awaitable<std::shared_ptr<const storage::SealedBallot>> load_sealed_ballot();
    boost::asio::awaitable<bool> agree_shards();

    AppContext& ctx_;
    crypto::Key32 retry_key_;
    VoterSessions sessions_;
};

}  // namespace budget::server::api
