#include "server/log_api.hpp"

#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "config/paris_time.hpp"
#include "server/api_error.hpp"
#include "server/log.hpp"
#include "server/tally_service.hpp"
#include "voting/canonical_json.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::optional<std::uint64_t> query_number(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=') {
            const auto digits = part.substr(name.size() + 1);
            if (digits.empty() || digits.size() > 15 ||
                digits.find_first_not_of("0123456789") != std::string_view::npos)
                return std::nullopt;
            return std::stoull(std::string(digits));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::string> query_text(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

// Appends a head only when it describes a larger log than the last one: several budgetd
// processes publish, and the list must read as one growing log.
constexpr const char* kAppendHead = R"lua(
local last = redis.call('LINDEX', KEYS[1], -1)
if last then
  local size = cjson.decode(last)['head']['tree_size']
  if size >= tonumber(ARGV[2]) then return 0 end
end
redis.call('RPUSH', KEYS[1], ARGV[1])
return 1
)lua";

// A write into a shard's slot, so that WAIT on the same connection can tell whether the replicas
// have reached this point of the node's replication stream. KEYS: marker. ARGV: tree size.
constexpr const char* kMarkShard = R"lua(
redis.call('SET', KEYS[1], ARGV[1])
return 1
)lua";

json::array hex_list(const std::vector<voting::Hash>& hashes) {
    json::array out;
    for (const auto& h : hashes) out.emplace_back(voting::to_hex(h));
    return out;
}

// The `shard` parameter: absent means shard 0 (the whole log with a single shard); nullopt when
// it names none of this campaign's shards.
std::optional<int> query_shard(std::string_view query, int shards) {
    const auto text = query_text(query, "shard");
    if (!text) return 0;
    if (text->empty() || text->size() > 4 ||
        text->find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const int shard = std::stoi(*text);
    if (shard >= shards) return std::nullopt;
    return shard;
}

Response invalid_shard(int shards, unsigned version) {
    return reject(ApiError::invalid_field, version, "invalid_shard",
                  shards == 1 ? std::string("Ce budget citoyen n'a qu'un journal : shard vaut 0.")
                              : "Indiquez un numéro de journal (shard) entre 0 et " +
                                    std::to_string(shards - 1) + ".");
}

std::string receipts_key(const std::string& campaign, int shard) {
    return "budget:{c" + campaign + ":b" + std::to_string(shard) + "}:receipts";
}

}  // namespace

std::string tree_heads_key(const std::string& campaign, int shard) {
    // Shard 0 keeps the key of the single-shard log, so heads published before shards still read.
    auto key = "budget:{c" + campaign + "}:heads";
    if (shard > 0) key += ":" + std::to_string(shard);
    return key;
}

json::object sign_tree_head(const AppContext& ctx, std::uint64_t tree_size,
                            const voting::Hash& root, const std::string& timestamp, int shard) {
    json::object head{{"campaign", ctx.config.campaign.id},
                      {"root", voting::to_hex(root)},
                      {"timestamp", timestamp},
                      {"tree_size", tree_size}};
    // Inside the signed bytes: a head of one shard cannot be passed off as another's. With a
    // single shard the head stays as it always was, for the verifiers already published.
    if (ctx.config.redis.ballot_shards > 1) head["shard"] = shard;
    const auto text = *voting::canonical_json(head);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                         text.size(), ctx.signing_key.secret_key.data());
    return json::object{{"head", head}, {"signature", base64_encode(sig, sizeof sig)}};
}

LogApi::LogApi(AppContext& ctx)
    : ctx_(ctx),
      append_head_(kAppendHead),
      mark_shard_(kMarkShard),
      trees_(static_cast<std::size_t>(ctx.config.redis.ballot_shards)),
      signed_sizes_(trees_.size(), 0) {}

void LogApi::register_routes(Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    router.add(http::verb::get, "/api/v1/log/head", bind(&LogApi::head));
    router.add(http::verb::get, "/api/v1/log/heads", bind(&LogApi::heads));
    router.add(http::verb::get, "/api/v1/log/consistency", bind(&LogApi::consistency));
    router.add(http::verb::get, "/api/v1/log/inclusion", bind(&LogApi::inclusion));
}

void LogApi::start(asio::io_context& ioc, std::chrono::seconds interval) {
    asio::co_spawn(asio::make_strand(ioc), run(interval), asio::detached);
}

asio::awaitable<void> LogApi::run(std::chrono::seconds interval) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto& c = ctx_.config.campaign;
    while (true) {
        const auto now = config::unix_now();
        // The whole vote, plus one interval after the close so that the final size is signed.
        if (now >= c.vote_opens_unix && now <= c.vote_closes_unix + interval.count()) {
            try {
                co_await publish_head();
            } catch (const std::exception& e) {
                log_event("error", "tree_head_failed", {{"reason", e.what()}});
            }
        } else if (now > c.vote_closes_unix + interval.count()) {
            co_return;
        }
        timer.expires_after(interval);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
    }
}

asio::awaitable<bool> LogApi::catch_up(int shard) {
    const auto key = ballot_log_key(ctx_.config.campaign.id, shard);
    auto& tree = trees_[static_cast<std::size_t>(shard)];
    while (true) {
        std::uint64_t start;
        {
            std::lock_guard lock(mutex_);
            start = tree.size();
        }
        std::vector<std::string> cmd{"LRANGE", key, std::to_string(start),
                                     std::to_string(start + kTallyPage - 1)};
        auto page = co_await ctx_.redis.command(std::move(cmd));
        if (!page || page->is_error()) co_return false;
        {
            std::lock_guard lock(mutex_);
            if (tree.size() == start) {  // nobody else appended this page meanwhile
                for (const auto& entry : page->elements) tree.append(voting::leaf_hash(entry.str));
            }
        }
        if (static_cast<int>(page->elements.size()) < kTallyPage) co_return true;
    }
}

asio::awaitable<void> LogApi::publish_head() {
    const int shards = static_cast<int>(trees_.size());
    const auto timestamp = config::format_paris_time(config::unix_now());
    for (int shard = 0; shard < shards; ++shard) {
        // One unreachable shard (a cluster node failing over) must not stop the others' heads.
        if (!co_await catch_up(shard)) continue;
        std::uint64_t size;
        voting::Hash root;
        {
            std::lock_guard lock(mutex_);
            const auto& tree = trees_[static_cast<std::size_t>(shard)];
            size = tree.size();
            root = tree.root();
            // A shard that did not grow keeps its last head: with many shards, most are idle
            // between two heads, and the append script would refuse the same size anyway.
            if (size == 0 || size <= signed_sizes_[static_cast<std::size_t>(shard)]) continue;
        }
        // A head promises that the log will always extend it: with replicas configured, sign
        // only what a replica holds, so that a failover cannot lose a ballot a head covers.
        if (ctx_.config.redis.wait_replicas > 0 && !co_await shard_replicated(shard, size))
            continue;
        const auto signed_head = sign_tree_head(ctx_, size, root, timestamp, shard);
        std::vector<std::string> keys{tree_heads_key(ctx_.config.campaign.id, shard)};
        std::vector<std::string> args{json::serialize(signed_head), std::to_string(size)};
        auto r = co_await ctx_.redis.eval(append_head_, std::move(keys), std::move(args));
        if (!r || r->is_error()) continue;
        {
            std::lock_guard lock(mutex_);
            signed_sizes_[static_cast<std::size_t>(shard)] = size;
        }
        if (r->integer == 1) {
            json::object fields{{"tree_size", size}, {"root", voting::to_hex(root)}};
            if (shards > 1) fields["shard"] = shard;
            log_event("info", "tree_head", std::move(fields));
        }
    }
}

asio::awaitable<bool> LogApi::shard_replicated(int shard, std::uint64_t size) {
    // Replication is one ordered stream per node: once a replica acknowledges this marker,
    // written after the log was read, it holds every ballot that read returned.
    const int replicas = ctx_.config.redis.wait_replicas;
    std::vector<std::string> keys(
        1, "budget:{c" + ctx_.config.campaign.id + ":b" + std::to_string(shard) + "}:head_mark");
    std::vector<std::string> args(1, std::to_string(size));
    const auto replies = co_await ctx_.redis.eval_and_wait(
        mark_shard_, std::move(keys), std::move(args), replicas, ctx_.config.redis.wait_timeout);
    const auto& acked = replies.second;
    const bool ok = replies.first && !replies.first->is_error() && acked &&
                    acked->type == redis::Reply::Type::integer && acked->integer >= replicas;
    if (!ok) log_event("warn", "tree_head_unreplicated", {{"shard", shard}, {"tree_size", size}});
    co_return ok;
}

asio::awaitable<Response> LogApi::head(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = static_cast<int>(trees_.size());
    const auto shard = query_shard(rc.query, shards);
    if (!shard) co_return invalid_shard(shards, v);
    std::vector<std::string> cmd{"LINDEX", tree_heads_key(ctx_.config.campaign.id, *shard), "-1"};
    auto r = co_await ctx_.redis.command(std::move(cmd));
    if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    if (r->is_nil())
        co_return reject(ApiError::not_found, v, "no_tree_head",
                         "Aucune tête d'arbre n'a encore été publiée.");
    auto out = json::parse(r->str).as_object();
    out["public_key"] =
        base64_encode(ctx_.signing_key.public_key.data(), ctx_.signing_key.public_key.size());
    out["shards"] = shards;
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::heads(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = static_cast<int>(trees_.size());
    const bool one_shard = query_text(rc.query, "shard").has_value();
    const auto shard = query_shard(rc.query, shards);
    if (!shard) co_return invalid_shard(shards, v);
    // Without `shard`, every shard's heads, shard 0's first; each head names its shard.
    const int first = one_shard ? *shard : 0;
    const int last = one_shard ? *shard : shards - 1;
    json::array list;
    for (int k = first; k <= last; ++k) {
        std::vector<std::string> cmd{"LRANGE", tree_heads_key(ctx_.config.campaign.id, k), "0",
                                     "-1"};
        auto r = co_await ctx_.redis.command(std::move(cmd));
        if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        for (const auto& e : r->elements) list.push_back(json::parse(e.str));
    }
    json::object out{{"heads", list},
                     {"public_key", base64_encode(ctx_.signing_key.public_key.data(),
                                                  ctx_.signing_key.public_key.size())}};
    if (shards > 1) out["shards"] = shards;
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::consistency(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = static_cast<int>(trees_.size());
    const auto from = query_number(rc.query, "from");
    const auto to = query_number(rc.query, "to");
    if (!from || !to || *from == 0 || *from > *to) {
        co_return reject(ApiError::invalid_field, v, "invalid_range",
                         "Indiquez deux tailles d'arbre from et to avec 0 < from ≤ to.");
    }
    const auto shard = query_shard(rc.query, shards);
    if (!shard) co_return invalid_shard(shards, v);
    if (!co_await catch_up(*shard)) co_return error_response(ApiError::storage_unavailable, v);
    std::lock_guard lock(mutex_);
    const auto& tree = trees_[static_cast<std::size_t>(*shard)];
    const auto proof = tree.consistency_proof(*from, *to);
    if (!proof) {
        co_return reject(ApiError::not_found, v, "beyond_log",
                         "Le journal ne compte pas encore autant de bulletins.");
    }
    json::object out{{"from", *from},
                     {"to", *to},
                     {"root_from", voting::to_hex(*tree.root_of_prefix(*from))},
                     {"root_to", voting::to_hex(*tree.root_of_prefix(*to))},
                     {"proof", hex_list(*proof)}};
    if (shards > 1) out["shard"] = *shard;
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::inclusion(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = static_cast<int>(trees_.size());
    const auto& campaign = ctx_.config.campaign.id;
    const auto id = query_text(rc.query, "ballot_id");
    // tree_size may be left out (the latest head of the ballot's shard), but not malformed.
    auto size = query_number(rc.query, "tree_size");
    const bool size_given = query_text(rc.query, "tree_size").has_value();
    if (!id || id->size() != 32 || id->find_first_not_of("0123456789abcdef") != std::string::npos ||
        (size_given && !size)) {
        co_return reject(
            ApiError::invalid_field, v, "invalid_query",
            "Indiquez le numéro du bulletin (ballot_id) et, si vous le souhaitez, une taille "
            "d'arbre (tree_size).");
    }
    // The ballot's shard comes from the identity key, which this request does not know: ask
    // each shard's receipts until one knows the ballot.
    std::optional<int> shard;
    std::uint64_t index = 0;
    for (int k = 0; k < shards && !shard; ++k) {
        std::vector<std::string> cmd{"HGET", receipts_key(campaign, k), *id};
        auto r = co_await ctx_.redis.command(std::move(cmd));
        if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        if (!r->is_nil()) {
            shard = k;
            index = std::stoull(r->str);
        }
    }
    if (!shard)
        co_return reject(ApiError::not_found, v, "unknown_ballot",
                         "Aucun bulletin ne porte ce numéro.");
    if (!size) {
        std::vector<std::string> cmd{"LINDEX", tree_heads_key(campaign, *shard), "-1"};
        auto r = co_await ctx_.redis.command(std::move(cmd));
        if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        if (r->is_nil())
            co_return reject(ApiError::not_found, v, "no_tree_head",
                             "Aucune tête d'arbre n'a encore été publiée.");
        size = json::parse(r->str).at("head").at("tree_size").to_number<std::uint64_t>();
    }
    if (!co_await catch_up(*shard)) co_return error_response(ApiError::storage_unavailable, v);
    std::lock_guard lock(mutex_);
    const auto& tree = trees_[static_cast<std::size_t>(*shard)];
    const auto proof = tree.inclusion_proof(index, *size);
    if (!proof) {
        co_return reject(ApiError::not_found, v, "not_in_tree",
                         "Ce bulletin n'est pas encore couvert par cette tête d'arbre ; réessayez "
                         "avec une plus récente.");
    }
    json::object out{{"leaf_index", index},
                     {"tree_size", *size},
                     {"leaf_hash", voting::to_hex(tree.leaf(index))},
                     {"root", voting::to_hex(*tree.root_of_prefix(*size))},
                     {"audit_path", hex_list(*proof)}};
    if (shards > 1) out["shard"] = *shard;
    co_return json_response(http::status::ok, out, v);
}

}  // namespace budget::server
