#include "server/api/ballot_api.hpp"

#include <array>
#include <boost/json.hpp>

#include "config/config.hpp"
#include "config/paris_time.hpp"
#include "server/api/auth_api.hpp"
#include "server/api/request_body.hpp"
#include "voting/merkle.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// format_paris_time(now), computed once per second per thread: every ballot's receipt needs it.
const std::string& paris_time_cached(std::int64_t unix) {
    struct SecondCache {
        std::int64_t second = 0;
        std::string text;
    };
    thread_local SecondCache cache;
    if (cache.text.empty() || cache.second != unix) {
        cache.text = config::format_paris_time(unix);
        cache.second = unix;
    }
    return cache.text;
}

// The "choices" of a ballot request. The JSON tree is built in a buffer on the stack and dropped
// once the ids are copied out: no allocation for it on the ballot path.
std::variant<std::vector<std::string>, Rejection> requested_choices(const Request& req) {
    std::array<unsigned char, 4096> buffer;
    json::monotonic_resource resource(buffer.data(), buffer.size());
    auto body = parse_json_object(req, &resource);
    if (auto* rej = std::get_if<Rejection>(&body)) return std::move(*rej);
    return get_string_array(std::get<json::object>(body), "choices", 100);
}

}  // namespace

// ---------------------------------------------------------------- pure steps

std::string choice_problem_text(const voting::ChoiceProblem& p, int max_choices) {
    switch (p.error) {
        case voting::ChoiceError::empty:
            return "Choisissez au moins une initiative.";
        case voting::ChoiceError::too_many:
            return "Vous pouvez choisir au plus " + std::to_string(max_choices) + " initiative" +
                   (max_choices > 1 ? "s." : ".");
        case voting::ChoiceError::duplicate:
            return "L’initiative « " + p.initiative + " » est choisie deux fois.";
        case voting::ChoiceError::not_on_ballot:
            return "L’initiative « " + p.initiative + " » ne figure pas sur le bulletin.";
    }
    return "Choix invalides.";
}

std::string french_date(std::int64_t unix_seconds) {
    static const char* const kMonths[] = {"janvier",   "février", "mars",     "avril",
                                          "mai",       "juin",    "juillet",  "août",
                                          "septembre", "octobre", "novembre", "décembre"};
    // "YYYY-MM-DDTHH:MM:SS+HH:MM", in Paris.
    const auto paris = config::format_paris_time(unix_seconds);
    const int day = std::stoi(paris.substr(8, 2));
    const int month = std::stoi(paris.substr(5, 2));
    return std::to_string(day) + (day == 1 ? "er " : " ") + kMonths[month - 1] + " " +
           paris.substr(0, 4) + " à " + paris.substr(11, 5);
}

bool valid_idempotency_key(std::string_view key) {
    return key.size() >= 16 && key.size() <= 64 &&
           key.find_first_not_of(
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string_view::npos;
}

std::optional<Response> vote_window_refusal(const voting::VoteWindow& window, std::int64_t now,
                                            unsigned version) {
    const auto phase = voting::phase_at(window, now);
    if (phase == voting::Phase::voting) return std::nullopt;
    const auto opens = french_date(window.opens);
    const auto closes = french_date(window.closes);
    json::object extra{{"phase", voting::to_string(phase)}};
    return fail_with(
        phase == voting::Phase::labelling ? Error::vote_not_yet_open : Error::vote_closed, version,
        std::move(extra), {opens, closes});
}

std::string receipt_json(std::string_view ballot_id, std::string_view ballot_hash,
                         std::string_view cast_at) {
    std::string body;
    body.reserve(160);
    body.append(R"({"receipt":{"ballot_id":")")
        .append(ballot_id)
        .append(R"(","ballot_hash":")")
        .append(ballot_hash)
        .append(R"(","cast_at":")")
        .append(cast_at)
        .append(R"("}})");
    return body;
}

// ---------------------------------------------------------------- the handler

BallotApi::BallotApi(AppContext& ctx)
    : ctx_(ctx),
      // The purpose the key was first derived with: a retry sent across an upgrade still finds
      // its receipt.
      retry_key_(crypto::derive_key(ctx.pepper, "ballot-retry")),
      sessions_(ctx.pepper, ctx.config.campaign.id) {}

void BallotApi::register_routes(http::Router& router) {
    router.add(http::verb::post, "/api/v1/ballots",
               [this](RequestContext& rc) { return cast_ballot(rc); });
}

// The ballot path is cut into synchronous steps around its few co_awaits. A coroutine's frame
// holds every local of its body and is allocated on every call: with all of them it was 1.2 KB
// (GCC 12), past glibc's per-thread cache (1 KB), and that one malloc cost some 2,400
// instructions per ballot. Keep cast_ballot's frame small (720 bytes with GCC 12 at -O2; read
// the size passed to aligned_alloc in its ramp, `g++ -O2 -S`): no local it does not need, and
// what the store's cast takes built on start_cast's stack, not in this frame.

asio::awaitable<Response> BallotApi::cast_ballot(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto now = ctx_.clock.now();
    auto request = read_ballot_request(rc.request, now);
    if (auto* refused = std::get_if<Response>(&request)) co_return std::move(*refused);
    auto& ballot = std::get<BallotRequest>(request);

    // Once loaded, the ballot is taken from memory without entering a coroutine.
    auto sealed = ctx_.stores.campaign.cached_ballot();
    if (!sealed) sealed = co_await load_sealed_ballot();
    if (!sealed) co_return fail(Error::storage_unavailable, v);
    if (auto refused = check_choices(ballot.choices, *sealed, v)) co_return std::move(*refused);
    const auto durable = ctx_.stores.ballots.known_durable(now);
    if (!(durable ? *durable : co_await ctx_.stores.ballots.check_durable(now)))
        co_return fail(Error::storage_not_durable, v);
    if (!ctx_.stores.ballots.shards_agreed() && !co_await agree_shards())
        co_return fail(Error::storage_misconfigured, v);

    std::string receipt;
    auto outcome = co_await start_cast(ballot, now, receipt);
    co_return answer(outcome, receipt, v);
}

std::variant<BallotApi::BallotRequest, Response> BallotApi::read_ballot_request(
    const Request& req, std::int64_t now) const {
    const auto v = req.version();
    if (auto refused = vote_window_refusal(ctx_.stores.campaign.window(), now, v))
        return std::move(*refused);
    if (auto refused = resident_write_refusal(req)) return std::move(*refused);
    auto session = sessions_.session_of(req, now);
    if (!session) return fail(Error::voter_not_authenticated, v);
    // A FranceConnect resident has a session before they declare their commune: no ballot yet.
    if (session->territory.empty()) return fail(Error::commune_not_declared, v);
    auto choices = requested_choices(req);
    if (auto* rej = std::get_if<Rejection>(&choices)) return rej->to_response(v);
    const auto idempotency_key = http::header_value(req, "Idempotency-Key");
    if (!idempotency_key.empty() && !valid_idempotency_key(idempotency_key))
        return fail(Error::invalid_idempotency_key, v);
    return BallotRequest{std::move(*session),
                         std::move(std::get<std::vector<std::string>>(choices)), idempotency_key};
}

std::optional<Response> BallotApi::check_choices(std::vector<std::string>& choices,
                                                 const storage::SealedBallot& sealed,
                                                 unsigned version) const {
    const auto max_choices = ctx_.config.campaign.max_choices;
    auto valid = voting::validate_choices(
        choices, max_choices, [&](std::string_view id) { return sealed.find(id) != nullptr; });
    if (!valid) {
        const auto problem = choice_problem_text(valid.error(), max_choices);
        return fail(Error::invalid_choices, version, {problem});
    }
    choices = std::move(*valid);
    return std::nullopt;
}

asio::awaitable<storage::CastOutcome> BallotApi::start_cast(BallotRequest& ballot, std::int64_t now,
                                                            std::string& receipt) {
    const auto& cast_at = paris_time_cached(now);  // once: the day and the receipt use it
    storage::CastRequest cast;
    cast.ballot_id = crypto::random_hex(16);
    cast.canonical = voting::canonical_ballot(cast.ballot_id, ballot.choices);
    receipt =
        receipt_json(cast.ballot_id, voting::to_hex(voting::leaf_hash(cast.canonical)), cast_at);
    cast.day = cast_at.substr(0, 10);
    if (!ballot.idempotency_key.empty()) {
        // Bound to the identity: another resident sending the same key finds nothing. The
        // store keeps the receipt a day, long enough for any retry.
        std::string bound = ballot.session.identity_key;
        bound.append(":").append(ballot.idempotency_key);
        cast.retry_hash = crypto::hmac_hex(retry_key_, bound).substr(0, 32);
        cast.receipt = receipt;
        // The choices as the ballot rule sees them (sorted, each once): the same ballot sent
        // with its choices in another order or another JSON layout is the same request, and
        // any other choice is another one. Hashed with a purpose of its own, never the body.
        std::string choices("choices");
        for (const auto& id : ballot.choices) choices.append("\n").append(id);
        cast.choices_hash = crypto::hmac_hex(retry_key_, choices).substr(0, 32);
    }
    cast.identity_key = std::move(ballot.session.identity_key);
    // Every claim of the person: the script refuses the ballot when any is marked.
    cast.claims = std::move(ballot.session.claims);
    cast.territory = std::move(ballot.session.territory);
    // How they signed in, with the day: what the voted marker records (the resident's report).
    cast.method = ballot.session.method;
    return ctx_.stores.ballots.cast(std::move(cast));
}

Response BallotApi::answer(storage::CastOutcome& outcome, std::string& receipt, unsigned version) {
    using storage::CastStatus;
    switch (outcome.status) {
        case CastStatus::recorded:
            break;
        case CastStatus::replayed:
            // The receipt the same request was given earlier: the one the resident lost.
            receipt = std::move(outcome.replayed_receipt);
            break;
        case CastStatus::already_voted:
            return fail(Error::already_voted, version);
        case CastStatus::vote_closed:
            return fail(Error::vote_closed_recorded, version);
        case CastStatus::idempotency_key_reused:
            return fail(Error::idempotency_key_reused, version);
        case CastStatus::outcome_unknown:
            // Maybe stored: the resident must not be told that nothing was recorded.
            return fail(Error::ballot_outcome_unknown, version);
        case CastStatus::not_stored:
            return fail(Error::storage_unavailable, version);
    }
    return http::text_response(http::status::created, std::move(receipt),
                               "application/json; charset=utf-8", version);
}

asio::awaitable<std::shared_ptr<const storage::SealedBallot>> BallotApi::load_sealed_ballot() {
    auto loaded = co_await ctx_.stores.campaign.sealed_ballot();
    if (!loaded) co_return nullptr;
    co_return std::move(*loaded);
}

asio::awaitable<bool> BallotApi::agree_shards() {
    // The campaign's shard count is fixed by the first ballot cast: a process configured with
    // another would look for a voter's marker in the wrong shard (a second vote), so it takes no
    // ballot. Asked until agreed, then answered from memory.
    const auto agreed = co_await ctx_.stores.ballots.agree_shards();
    co_return agreed&&* agreed;
}

}  // namespace budget::server::api
