#include "server/api/results_api.hpp"

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <variant>

#include "server/api/request_body.hpp"
#include "server/core/log.hpp"
#include "voting/merkle.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

using Published = std::shared_ptr<const PublishedResults>;

// The rule named by the body of POST /api/v1/admin/tally.
std::variant<voting::Rule, Response> read_rule(const Request& request) {
    const auto v = request.version();
    auto body = parse_json_object(request);
    if (auto* rejected = std::get_if<Rejection>(&body)) return rejected->to_response(v);
    auto name = get_string(std::get<json::object>(body), "rule", 40);
    if (auto* rejected = std::get_if<Rejection>(&name)) return rejected->to_response(v);
    const auto rule = voting::parse_rule(std::get<std::string>(name));
    if (!rule) return fail(Error::unknown_rule, v);
    return *rule;
}

// A refused tree head, logged for the operators and worded with its shard when there are several.
Response head_refusal(const TallyError& e, int shards, unsigned v) {
    json::object fields{{"tree_size", e.tree_size}};
    if (shards > 1) fields["shard"] = e.shard;
    log_event("error", "log_inconsistent_with_head", std::move(fields));
    const auto shard = std::to_string(e.shard);
    const auto size = std::to_string(e.tree_size);
    if (e.failure == TallyFailure::tree_head_unreadable) {
        return shards > 1 ? fail(Error::tree_head_unreadable_in_shard, v, {shard})
                          : fail(Error::tree_head_unreadable, v);
    }
    return shards > 1 ? fail(Error::log_not_extending_head_in_shard, v, {shard, size})
                      : fail(Error::log_not_extending_head, v, {size});
}

Response tally_refusal(const TallyError& e, int shards, unsigned v) {
    switch (e.failure) {
        case TallyFailure::vote_not_closed:
            return fail(Error::vote_not_closed, v);
        case TallyFailure::already_published:
            return fail(Error::already_published, v);
        case TallyFailure::ballot_shards_mismatch:
            return fail(Error::ballot_shards_mismatch, v,
                        {std::to_string(e.campaign_shards), std::to_string(shards)});
        case TallyFailure::corrupt_log:
            log_event("error", "tally_failed", {{"reason", e.reason}});
            return fail(Error::corrupt_log, v, {e.reason});
        case TallyFailure::tree_head_unreadable:
        case TallyFailure::log_not_extending_head:
            return head_refusal(e, shards, v);
        case TallyFailure::tally_failed:
            return fail(Error::tally_failed, v, {e.reason});
        case TallyFailure::ballot_not_sealed:
        case TallyFailure::ballot_corrupt:
        case TallyFailure::storage_unavailable:
            break;
    }
    return fail(Error::storage_unavailable, v);
}

bool is_ballot_id(const std::string& id) {
    return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

json::object inclusion_in(const PublishedResults& p, std::uint64_t index) {
    // Named: a range-for over `*optional_temporary` would read it after its end.
    const auto proof = p.tree.inclusion_proof(index, p.tree.size());
    json::array path;
    for (const auto& h : *proof) path.emplace_back(voting::to_hex(h));
    return json::object{{"status", "counted"},
                        {"leaf_index", index},
                        {"tree_size", p.tree.size()},
                        {"leaf_hash", voting::to_hex(p.tree.leaf(index))},
                        {"root", voting::to_hex(p.tree.root())},
                        {"audit_path", std::move(path)}};
}

// Participation only: how many, when, where. Never who chose what.
json::object participation_json(const std::map<std::string, long long>& totals,
                                const config::CommuneDirectory& communes) {
    json::object by_day, by_territory;
    for (const auto& t : communes.territories()) by_territory[t.id] = 0;
    long long total = 0;
    for (const auto& [key, n] : totals) {
        if (key == "total") total = n;
        if (key.rfind("day:", 0) == 0) by_day[key.substr(4)] = n;
        if (key.rfind("territory:", 0) == 0) by_territory[key.substr(10)] = n;
    }
    json::array territories;
    for (const auto& t : communes.territories()) {
        territories.push_back(json::object{{"id", t.id}, {"label", t.label}});
    }
    return json::object{{"total", total},
                        {"by_day", std::move(by_day)},
                        {"by_territory", std::move(by_territory)},
                        {"territories", std::move(territories)}};
}

}  // namespace

ResultsApi::ResultsApi(AppContext& ctx, MissionGuard guard)
    : ctx_(ctx),
      guard_(std::move(guard)),
      tally_(ctx.stores, ctx.config, ctx.signing_key, ctx.clock, &ctx.blocking_pool) {}

void ResultsApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    router.add(http::verb::post, "/api/v1/admin/tally", bind(&ResultsApi::tally));
    router.add(http::verb::post, "/api/v1/admin/publish", bind(&ResultsApi::publish));
    router.add(http::verb::get, "/api/v1/admin/stats", bind(&ResultsApi::stats));
    router.add(http::verb::get, "/api/v1/results", bind(&ResultsApi::results));
    router.add(http::verb::get, "/api/v1/results.csv", bind(&ResultsApi::results_csv));
    router.add(http::verb::get, "/api/v1/ballots/export", bind(&ResultsApi::ballots_export));
    router.add(http::verb::get, "/api/v1/receipts/{ballot_id}", bind(&ResultsApi::receipt));
}

asio::awaitable<Response> ResultsApi::tally(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = co_await guard_(rc, true)) co_return std::move(*refused);
    // Before the body: an early request hears that the vote is open, whatever rule it names.
    // The close is recorded first (by this call if no process has yet): from then on the ballot
    // script refuses every ballot, so none can slip in after the count.
    const auto closed =
        co_await ctx_.stores.campaign.close_when_due(ctx_.config.redis.ballot_shards);
    if (!closed) co_return fail(Error::storage_unavailable, v);
    if (!*closed) co_return fail(Error::vote_not_closed, v);
    auto rule = read_rule(rc.request);
    if (auto* refused = std::get_if<Response>(&rule)) co_return std::move(*refused);
    const auto tallied = co_await tally_.tally(std::get<voting::Rule>(rule));
    if (!tallied) co_return tally_refusal(tallied.error(), ctx_.config.redis.ballot_shards, v);
    log_event("info", "tallied",
              {{"rule", voting::rule_name(std::get<voting::Rule>(rule))},
               {"ballots", tallied->log.tally.size()},
               {"root", voting::to_hex(tallied->log.tally.tree().root())}});
    auto out = tallied->results.to_json();
    out["status"] = "draft";
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> ResultsApi::publish(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = co_await guard_(rc, true)) co_return std::move(*refused);
    const auto outcome = co_await tally_.publish();
    if (!outcome) co_return fail(Error::storage_unavailable, v);
    if (*outcome == storage::PublishOutcome::already_published)
        co_return fail(Error::already_published, v);
    if (*outcome == storage::PublishOutcome::no_tally) co_return fail(Error::no_tally, v);
    log_event("info", "published");
    // Built now, so that the first reader after publication does not pay for it.
    if (const auto state = co_await tally_.published(); !state)
        co_return fail(Error::storage_unavailable, v);
    json::object out{{"status", "published"}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> ResultsApi::results(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto state = co_await tally_.published();
    if (!state) co_return fail(Error::storage_unavailable, v);
    if (!*state) co_return fail(Error::not_published, v);
    co_return http::json_response(http::status::ok, (*state)->results.to_json(), v);
}

asio::awaitable<Response> ResultsApi::results_csv(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto state = co_await tally_.published();
    if (!state) co_return fail(Error::storage_unavailable, v);
    if (!*state) co_return fail(Error::not_published, v);
    auto res = http::text_response(http::status::ok, (*state)->csv, "text/csv; charset=utf-8", v);
    res.set(http::field::content_disposition,
            "attachment; filename=\"resultats-" + ctx_.config.campaign.id + ".csv\"");
    co_return res;
}

asio::awaitable<Response> ResultsApi::ballots_export(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto state = co_await tally_.published();
    if (!state) co_return fail(Error::storage_unavailable, v);
    if (!*state) co_return fail(Error::ballots_not_published, v);
    co_return http::text_response(http::status::ok, (*state)->export_json,
                                  "application/json; charset=utf-8", v);
}

asio::awaitable<Response> ResultsApi::receipt(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto& id = rc.params.at("ballot_id");
    if (!is_ballot_id(id)) co_return fail(Error::unknown_ballot, v);
    const auto state = co_await tally_.published();
    if (!state) co_return fail(Error::storage_unavailable, v);
    // After publication: the proof against the published tree.
    if (const auto& published = *state) {
        const auto index = published->index_of_ballot.find(id);
        if (!index) co_return fail(Error::unknown_ballot, v);
        co_return http::json_response(http::status::ok, inclusion_in(*published, *index), v);
    }
    // Before: only whether the ballot is in the box.
    const auto found = co_await ctx_.stores.ballots.find_receipt(id);
    if (!found) co_return fail(Error::storage_unavailable, v);
    if (!*found) co_return fail(Error::unknown_ballot, v);
    json::object out{{"status", "recorded"}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> ResultsApi::stats(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = co_await guard_(rc, false)) co_return std::move(*refused);
    const auto totals = co_await ctx_.stores.ballots.participation();
    if (!totals) co_return fail(Error::storage_unavailable, v);
    co_return http::json_response(http::status::ok, participation_json(*totals, ctx_.communes), v);
}

}  // namespace budget::server::api
