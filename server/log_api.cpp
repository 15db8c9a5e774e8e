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

json::array hex_list(const std::vector<voting::Hash>& hashes) {
    json::array out;
    for (const auto& h : hashes) out.emplace_back(voting::to_hex(h));
    return out;
}

}  // namespace

std::string tree_heads_key(const std::string& campaign) {
    return "budget:{c" + campaign + "}:heads";
}

json::object sign_tree_head(const AppContext& ctx, std::uint64_t tree_size,
                            const voting::Hash& root, const std::string& timestamp) {
    const json::object head{{"campaign", ctx.config.campaign.id},
                            {"root", voting::to_hex(root)},
                            {"timestamp", timestamp},
                            {"tree_size", tree_size}};
    const auto text = *voting::canonical_json(head);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                         text.size(), ctx.signing_key.secret_key.data());
    return json::object{{"head", head}, {"signature", base64_encode(sig, sizeof sig)}};
}

LogApi::LogApi(AppContext& ctx) : ctx_(ctx), append_head_(kAppendHead) {}

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

asio::awaitable<bool> LogApi::catch_up() {
    const auto key = ballot_log_key(ctx_.config.campaign.id, 0);
    while (true) {
        std::uint64_t start;
        {
            std::lock_guard lock(mutex_);
            start = tree_.size();
        }
        std::vector<std::string> cmd{"LRANGE", key, std::to_string(start),
                                     std::to_string(start + kTallyPage - 1)};
        auto page = co_await ctx_.redis.command(std::move(cmd));
        if (!page || page->is_error()) co_return false;
        {
            std::lock_guard lock(mutex_);
            if (tree_.size() == start) {  // nobody else appended this page meanwhile
                for (const auto& entry : page->elements) tree_.append(voting::leaf_hash(entry.str));
            }
        }
        if (static_cast<int>(page->elements.size()) < kTallyPage) co_return true;
    }
}

asio::awaitable<void> LogApi::publish_head() {
    if (!co_await catch_up()) co_return;
    std::uint64_t size;
    voting::Hash root;
    {
        std::lock_guard lock(mutex_);
        size = tree_.size();
        root = tree_.root();
    }
    if (size == 0) co_return;
    const auto signed_head =
        sign_tree_head(ctx_, size, root, config::format_paris_time(config::unix_now()));
    std::vector<std::string> keys{tree_heads_key(ctx_.config.campaign.id)};
    std::vector<std::string> args{json::serialize(signed_head), std::to_string(size)};
    auto r = co_await ctx_.redis.eval(append_head_, std::move(keys), std::move(args));
    if (r && !r->is_error() && r->integer == 1) {
        log_event("info", "tree_head", {{"tree_size", size}, {"root", voting::to_hex(root)}});
    }
}

asio::awaitable<Response> LogApi::head(RequestContext& rc) {
    const auto v = rc.request.version();
    std::vector<std::string> cmd{"LINDEX", tree_heads_key(ctx_.config.campaign.id), "-1"};
    auto r = co_await ctx_.redis.command(std::move(cmd));
    if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    if (r->is_nil())
        co_return reject(ApiError::not_found, v, "no_tree_head",
                         "Aucune tête d'arbre n'a encore été publiée.");
    auto out = json::parse(r->str).as_object();
    out["public_key"] =
        base64_encode(ctx_.signing_key.public_key.data(), ctx_.signing_key.public_key.size());
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::heads(RequestContext& rc) {
    const auto v = rc.request.version();
    std::vector<std::string> cmd{"LRANGE", tree_heads_key(ctx_.config.campaign.id), "0", "-1"};
    auto r = co_await ctx_.redis.command(std::move(cmd));
    if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    json::array list;
    for (const auto& e : r->elements) list.push_back(json::parse(e.str));
    json::object out{{"heads", list},
                     {"public_key", base64_encode(ctx_.signing_key.public_key.data(),
                                                  ctx_.signing_key.public_key.size())}};
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::consistency(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto from = query_number(rc.query, "from");
    const auto to = query_number(rc.query, "to");
    if (!from || !to || *from == 0 || *from > *to) {
        co_return reject(ApiError::invalid_field, v, "invalid_range",
                         "Indiquez deux tailles d'arbre from et to avec 0 < from ≤ to.");
    }
    if (!co_await catch_up()) co_return error_response(ApiError::storage_unavailable, v);
    std::lock_guard lock(mutex_);
    const auto proof = tree_.consistency_proof(*from, *to);
    if (!proof) {
        co_return reject(ApiError::not_found, v, "beyond_log",
                         "Le journal ne compte pas encore autant de bulletins.");
    }
    json::object out{{"from", *from},
                     {"to", *to},
                     {"root_from", voting::to_hex(*tree_.root_of_prefix(*from))},
                     {"root_to", voting::to_hex(*tree_.root_of_prefix(*to))},
                     {"proof", hex_list(*proof)}};
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::inclusion(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto id = query_text(rc.query, "ballot_id");
    const auto size = query_number(rc.query, "tree_size");
    if (!id || id->size() != 32 || id->find_first_not_of("0123456789abcdef") != std::string::npos ||
        !size) {
        co_return reject(
            ApiError::invalid_field, v, "invalid_query",
            "Indiquez le numéro du bulletin (ballot_id) et la taille d'arbre (tree_size).");
    }
    std::vector<std::string> cmd{"HGET", "budget:{c" + ctx_.config.campaign.id + ":b0}:receipts",
                                 *id};
    auto r = co_await ctx_.redis.command(std::move(cmd));
    if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    if (r->is_nil())
        co_return reject(ApiError::not_found, v, "unknown_ballot",
                         "Aucun bulletin ne porte ce numéro.");
    const auto index = std::stoull(r->str);
    if (!co_await catch_up()) co_return error_response(ApiError::storage_unavailable, v);
    std::lock_guard lock(mutex_);
    const auto proof = tree_.inclusion_proof(index, *size);
    if (!proof) {
        co_return reject(ApiError::not_found, v, "not_in_tree",
                         "Ce bulletin n'est pas encore couvert par cette tête d'arbre ; réessayez "
                         "avec une plus récente.");
    }
    json::object out{{"leaf_index", index},
                     {"tree_size", *size},
                     {"leaf_hash", voting::to_hex(tree_.leaf(index))},
                     {"root", voting::to_hex(*tree_.root_of_prefix(*size))},
                     {"audit_path", hex_list(*proof)}};
    co_return json_response(http::status::ok, out, v);
}

}  // namespace budget::server
