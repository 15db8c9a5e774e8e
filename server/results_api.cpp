#include "server/results_api.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "config/paris_time.hpp"
#include "server/api_error.hpp"
#include "server/blocking.hpp"
#include "server/campaign_store.hpp"
#include "server/json_body.hpp"
#include "server/log.hpp"
#include "server/log_api.hpp"
#include "server/redis_keys.hpp"
#include "voting/results.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Publication copies the last tally to the published results in one step, once.
constexpr const char* kPublish = R"lua(
if redis.call('EXISTS', KEYS[3]) == 1 then return 'already' end
if redis.call('EXISTS', KEYS[1]) == 0 then return 'no_tally' end
redis.call('COPY', KEYS[1], KEYS[2], 'REPLACE')
redis.call('SET', KEYS[3], ARGV[1])
return 'ok'
)lua";

// Streams shard `shard`'s log into a tally, keeping the raw entries when `keep` is given.
// "storage" or the reason the log cannot be counted, on failure.
asio::awaitable<std::optional<std::string>> read_shard_log(AppContext& ctx, int shard,
                                                           voting::TallyBuilder& tally,
                                                           std::vector<std::string>* keep) {
    // Pages of kTallyPage entries: memory stays bounded by the tree, not by the raw log.
    for (long long start = 0;; start += kTallyPage) {
        std::vector<std::string> cmd{"LRANGE", ballot_log_key(ctx.config.campaign.id, shard),
                                     std::to_string(start), std::to_string(start + kTallyPage - 1)};
        auto page = co_await ctx.redis.command(std::move(cmd));
        if (!page || page->is_error()) co_return std::string("storage");
        for (auto& entry : page->elements) {
            if (auto added = tally.add(entry.str); !added)
                co_return voting::describe(added.error());
            if (keep) keep->push_back(std::move(entry.str));
        }
        if (static_cast<long long>(page->elements.size()) < kTallyPage) co_return std::nullopt;
    }
}

}  // namespace

ResultsApi::ResultsApi(AppContext& ctx, MissionGuard guard)
    : ctx_(ctx), guard_(std::move(guard)), publish_script_(kPublish) {}

void ResultsApi::register_routes(Router& router) {
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

asio::awaitable<std::optional<std::string>> ResultsApi::read_log(voting::TallyBuilder& tally,
                                                                 std::vector<std::string>* keep) {
    for (int shard = 0; shard < ctx_.config.redis.ballot_shards; ++shard) {
        if (auto failed = co_await read_shard_log(ctx_, shard, tally, keep)) co_return failed;
    }
    co_return std::nullopt;
}

asio::awaitable<Response> ResultsApi::tally(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = co_await guard_(rc, true)) co_return std::move(*refused);
    if (config::unix_now() <= ctx_.config.campaign.vote_closes_unix) {
        co_return reject(ApiError::conflict, v, "vote_not_closed",
                         "Le dépouillement n'est possible qu'après la clôture du vote.");
    }
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto rule_name = get_string(std::get<json::object>(body), "rule", 40);
    if (auto* rej = std::get_if<Rejection>(&rule_name)) co_return rej->to_response(v);
    const auto rule = voting::parse_rule(std::get<std::string>(rule_name));
    if (!rule) {
        co_return reject(ApiError::unprocessable, v, "unknown_rule",
                         "Règle inconnue : choisissez greedy, greedy-territorial, mes, mes-add1 ou "
                         "mes-completed.");
    }
    std::vector<std::string> exists{"EXISTS", keys::published(ctx_.config.campaign.id)};
    auto already = co_await ctx_.redis.command(std::move(exists));
    if (!already || already->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    if (already->integer == 1) {
        co_return reject(ApiError::conflict, v, "already_published",
                         "Les résultats sont déjà publiés.");
    }
    // The shards the ballots were cast into, as fixed by the first ballot: reading another
    // count would leave ballots out of the count.
    std::vector<std::string> get_shards{"GET", keys::ballot_shards(ctx_.config.campaign.id)};
    auto cast_shards = co_await ctx_.redis.command(std::move(get_shards));
    if (!cast_shards || cast_shards->is_error())
        co_return error_response(ApiError::storage_unavailable, v);
    if (!cast_shards->is_nil() &&
        cast_shards->str != std::to_string(ctx_.config.redis.ballot_shards)) {
        co_return reject(ApiError::conflict, v, "ballot_shards_mismatch",
                         "Les bulletins ont été répartis en " + cast_shards->str +
                             " journaux, mais la configuration en indique " +
                             std::to_string(ctx_.config.redis.ballot_shards) +
                             " : corrigez [redis] ballot_shards avant le dépouillement.");
    }
    auto ballot = co_await ctx_.campaign_store->sealed_ballot();
    if (!ballot) co_return error_response(ApiError::storage_unavailable, v);
    auto tally = make_tally_builder(**ballot);
    const int shards = ctx_.config.redis.ballot_shards;
    std::vector<std::uint64_t> shard_sizes;  // where each shard's part of the global log ends
    for (int shard = 0; shard < shards; ++shard) {
        const auto before = tally.size();
        if (auto failed = co_await read_shard_log(ctx_, shard, tally, nullptr)) {
            if (*failed == "storage") co_return error_response(ApiError::storage_unavailable, v);
            log_event("error", "tally_failed", {{"reason", *failed}});
            co_return reject(ApiError::internal, v, "corrupt_log",
                             "Le journal des bulletins est incohérent : " + *failed);
        }
        shard_sizes.push_back(tally.size() - before);
    }
    // Every tree head signed during the vote must be a prefix of its shard's final log: if the
    // log was rewritten, the tally stops here instead of signing it.
    std::vector<std::vector<std::string>> shard_heads;
    for (int shard = 0; shard < shards; ++shard) {
        std::vector<std::string> list_heads{
            "LRANGE", tree_heads_key(ctx_.config.campaign.id, shard), "0", "-1"};
        auto heads = co_await ctx_.redis.command(std::move(list_heads));
        if (!heads || heads->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        auto& texts = shard_heads.emplace_back();
        for (auto& entry : heads->elements) texts.push_back(std::move(entry.str));
    }
    const auto checked = check_tree_heads(tally.tree(), shard_sizes, shard_heads);
    if (!checked) {
        const auto& m = checked.error();
        const auto which = shards > 1 ? "journal n° " + std::to_string(m.shard) + ", " : "";
        json::object fields{{"tree_size", m.tree_size}};
        if (shards > 1) fields["shard"] = m.shard;
        log_event("error", "log_inconsistent_with_head", std::move(fields));
        co_return reject(
            ApiError::internal, v, "log_inconsistent",
            m.unreadable
                ? "Une tête d'arbre publiée pendant le vote est illisible" +
                      (shards > 1 ? " (journal n° " + std::to_string(m.shard) + ")" : "") +
                      " : dépouillement refusé."
                : "Le journal des bulletins ne prolonge pas une tête d'arbre publiée pendant le "
                  "vote (" +
                      which + "taille " + std::to_string(m.tree_size) +
                      ") : dépouillement refusé.");
    }
    const std::uint64_t heads_checked = *checked;
    // Allocation (exact rationals for MES) and signing are CPU work: off the I/O threads.
    auto work = [this, &ballot, &tally, rule = *rule, heads_checked] {
        return finish_tally(ctx_.config, **ballot, tally, rule, ctx_.signing_key,
                            config::format_paris_time(config::unix_now()), heads_checked);
    };
    auto signed_results = co_await run_blocking(ctx_.blocking_pool, std::move(work));
    if (!signed_results) {
        co_return reject(ApiError::internal, v, "tally_failed", signed_results.error());
    }
    std::vector<std::string> store{"HSET",       draft_results_key(ctx_.config.campaign.id),
                                   "document",   signed_results->document,
                                   "signature",  signed_results->signature,
                                   "public_key", signed_results->public_key};
    auto stored = co_await ctx_.redis.command(std::move(store));
    if (!stored || stored->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    log_event("info", "tallied",
              {{"rule", voting::rule_name(*rule)},
               {"ballots", tally.size()},
               {"root", voting::to_hex(tally.tree().root())}});
    auto out = signed_results->to_json();
    out["status"] = "draft";
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> ResultsApi::publish(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = co_await guard_(rc, true)) co_return std::move(*refused);
    const auto& c = ctx_.config.campaign.id;
    std::vector<std::string> keys{draft_results_key(c), results_key(c), keys::published(c)};
    std::vector<std::string> args{config::format_paris_time(config::unix_now())};
    auto r = co_await ctx_.redis.eval(publish_script_, std::move(keys), std::move(args));
    if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    if (r->str == "already") {
        co_return reject(ApiError::conflict, v, "already_published",
                         "Les résultats sont déjà publiés.");
    }
    if (r->str == "no_tally") {
        co_return reject(ApiError::conflict, v, "no_tally", "Lancez d'abord le dépouillement.");
    }
    log_event("info", "published");
    auto state = co_await published(v);
    if (auto* res = std::get_if<Response>(&state)) co_return std::move(*res);
    json::object out{{"status", "published"}};
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<std::variant<std::shared_ptr<const ResultsApi::Published>, Response>>
ResultsApi::published(unsigned v) {
    {
        std::lock_guard lock(mutex_);
        if (published_) co_return published_;
    }
    const auto& c = ctx_.config.campaign.id;
    std::vector<std::string> cmd{"HMGET", results_key(c), "document", "signature", "public_key"};
    auto r = co_await ctx_.redis.command(std::move(cmd));
    if (!r || r->is_error() || r->elements.size() != 3)
        co_return error_response(ApiError::storage_unavailable, v);
    if (r->elements[0].is_nil()) co_return std::shared_ptr<const Published>{};
    auto state = std::make_shared<Published>();
    state->results = SignedResults{r->elements[0].str, r->elements[1].str, r->elements[2].str};
    state->document = json::parse(state->results.document).as_object();
    auto ballot = co_await ctx_.campaign_store->sealed_ballot();
    if (!ballot) co_return error_response(ApiError::storage_unavailable, v);
    auto tally = make_tally_builder(**ballot);
    std::vector<std::string> entries;
    if (auto failed = co_await read_log(tally, &entries))
        co_return error_response(ApiError::storage_unavailable, v);
    state->export_json = json::serialize(voting::make_ballot_export(entries, tally.tree()));
    state->csv = budget::server::results_csv(state->document);
    state->index_of_ballot = tally.index_of_ballot();
    state->tree = tally.take_tree();
    std::lock_guard lock(mutex_);
    if (!published_) published_ = std::move(state);
    co_return published_;
}

asio::awaitable<Response> ResultsApi::results(RequestContext& rc) {
    const auto v = rc.request.version();
    auto state = co_await published(v);
    if (auto* res = std::get_if<Response>(&state)) co_return std::move(*res);
    const auto& p = std::get<std::shared_ptr<const Published>>(state);
    if (!p)
        co_return reject(ApiError::not_found, v, "not_published",
                         "Les résultats ne sont pas encore publiés.");
    co_return json_response(http::status::ok, p->results.to_json(), v);
}

asio::awaitable<Response> ResultsApi::results_csv(RequestContext& rc) {
    const auto v = rc.request.version();
    auto state = co_await published(v);
    if (auto* res = std::get_if<Response>(&state)) co_return std::move(*res);
    const auto& p = std::get<std::shared_ptr<const Published>>(state);
    if (!p)
        co_return reject(ApiError::not_found, v, "not_published",
                         "Les résultats ne sont pas encore publiés.");
    auto res = text_response(http::status::ok, p->csv, "text/csv; charset=utf-8", v);
    res.set(http::field::content_disposition,
            "attachment; filename=\"resultats-" + ctx_.config.campaign.id + ".csv\"");
    co_return res;
}

asio::awaitable<Response> ResultsApi::ballots_export(RequestContext& rc) {
    const auto v = rc.request.version();
    auto state = co_await published(v);
    if (auto* res = std::get_if<Response>(&state)) co_return std::move(*res);
    const auto& p = std::get<std::shared_ptr<const Published>>(state);
    if (!p)
        co_return reject(ApiError::not_found, v, "not_published",
                         "Les bulletins sont publiés avec les résultats.");
    co_return text_response(http::status::ok, p->export_json, "application/json; charset=utf-8", v);
}

asio::awaitable<Response> ResultsApi::receipt(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto& id = rc.params.at("ballot_id");
    if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
        co_return reject(ApiError::not_found, v, "unknown_ballot",
                         "Aucun bulletin ne porte ce numéro.");
    }
    auto state = co_await published(v);
    if (auto* res = std::get_if<Response>(&state)) co_return std::move(*res);
    if (const auto& p = std::get<std::shared_ptr<const Published>>(state)) {
        const auto it = p->index_of_ballot.find(id);
        if (it == p->index_of_ballot.end()) {
            co_return reject(ApiError::not_found, v, "unknown_ballot",
                             "Aucun bulletin ne porte ce numéro.");
        }
        json::array path;
        const auto proof = p->tree.inclusion_proof(it->second, p->tree.size());
        for (const auto& h : *proof) path.emplace_back(voting::to_hex(h));
        json::object out{{"status", "counted"},
                         {"leaf_index", it->second},
                         {"tree_size", p->tree.size()},
                         {"leaf_hash", voting::to_hex(p->tree.leaf(it->second))},
                         {"root", voting::to_hex(p->tree.root())},
                         {"audit_path", path}};
        co_return json_response(http::status::ok, out, v);
    }
    for (int shard = 0; shard < ctx_.config.redis.ballot_shards; ++shard) {
        std::vector<std::string> cmd{
            "HEXISTS",
            "budget:{c" + ctx_.config.campaign.id + ":b" + std::to_string(shard) + "}:receipts",
            id};
        auto r = co_await ctx_.redis.command(std::move(cmd));
        if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        if (r->integer == 1) {
            json::object out{{"status", "recorded"}};
            co_return json_response(http::status::ok, out, v);
        }
    }
    co_return reject(ApiError::not_found, v, "unknown_ballot",
                     "Aucun bulletin ne porte ce numéro.");
}

asio::awaitable<Response> ResultsApi::stats(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = co_await guard_(rc, false)) co_return std::move(*refused);
    std::map<std::string, long long> totals;
    for (int shard = 0; shard < ctx_.config.redis.ballot_shards; ++shard) {
        std::vector<std::string> cmd{"HGETALL", ballot_stats_key(ctx_.config.campaign.id, shard)};
        auto r = co_await ctx_.redis.command(std::move(cmd));
        if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
            totals[r->elements[i].str] += std::stoll(r->elements[i + 1].str);
        }
    }
    // Participation only: how many, when, where. Never who chose what.
    json::object by_day, by_territory;
    for (const auto& t : ctx_.communes.territories()) by_territory[t.id] = 0;
    for (const auto& [key, n] : totals) {
        if (key.rfind("day:", 0) == 0) by_day[key.substr(4)] = n;
        if (key.rfind("territory:", 0) == 0) by_territory[key.substr(10)] = n;
    }
    json::array territories;
    for (const auto& t : ctx_.communes.territories()) {
        territories.push_back(json::object{{"id", t.id}, {"label", t.label}});
    }
    json::object out{{"total", totals["total"]},
                     {"by_day", by_day},
                     {"by_territory", by_territory},
                     {"territories", territories}};
    co_return json_response(http::status::ok, out, v);
}

}  // namespace budget::server
