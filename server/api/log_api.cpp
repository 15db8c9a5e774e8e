#include "server/api/log_api.hpp"

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

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

// A tree size or an index: digits only, and few enough that no log of this engine exceeds it.
std::optional<std::uint64_t> query_number(std::string_view query, std::string_view name) {
    const auto digits = query_text(query, name);
    if (!digits || digits->empty() || digits->size() > 15 ||
        digits->find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(*digits);
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
    return shards == 1 ? fail(Error::single_shard, version)
                       : fail(Error::invalid_shard, version, {std::to_string(shards - 1)});
}

// A stored head, `{"head":{...},"signature"}`; std::nullopt when it is not a JSON object.
std::optional<json::object> parse_head(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::optional<std::uint64_t> tree_size_of(const json::object& stored) {
    const auto* head = stored.if_contains("head");
    const auto* size =
        head && head->is_object() ? head->as_object().if_contains("tree_size") : nullptr;
    if (!size || !(size->is_uint64() || (size->is_int64() && size->as_int64() >= 0)))
        return std::nullopt;
    return size->to_number<std::uint64_t>();
}

json::array hex_list(const std::vector<voting::Hash>& hashes) {
    json::array out;
    for (const auto& h : hashes) out.emplace_back(voting::to_hex(h));
    return out;
}

/// GET /api/v1/log/inclusion's query: the ballot, and the tree size when given.
struct InclusionQuery {
    std::string ballot_id;
    std::optional<std::uint64_t> tree_size;
};

std::optional<InclusionQuery> read_inclusion_query(std::string_view query) {
    auto id = query_text(query, "ballot_id");
    // tree_size may be left out (the latest head of the ballot's shard), but not malformed.
    const auto size = query_number(query, "tree_size");
    const bool size_given = query_text(query, "tree_size").has_value();
    if (!id || id->size() != 32 || id->find_first_not_of("0123456789abcdef") != std::string::npos ||
        (size_given && !size))
        return std::nullopt;
    return InclusionQuery{std::move(*id), size};
}

}  // namespace

LogApi::LogApi(AppContext& ctx, LogService& log) : ctx_(ctx), log_(log) {}

void LogApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    router.add(http::verb::get, "/api/v1/log/head", bind(&LogApi::head));
    router.add(http::verb::get, "/api/v1/log/heads", bind(&LogApi::heads));
    router.add(http::verb::get, "/api/v1/log/consistency", bind(&LogApi::consistency));
    router.add(http::verb::get, "/api/v1/log/inclusion", bind(&LogApi::inclusion));
}

asio::awaitable<Response> LogApi::head(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = log_.shards();
    const auto shard = query_shard(rc.query, shards);
    if (!shard) co_return invalid_shard(shards, v);
    const auto latest = co_await ctx_.stores.log.latest_head(*shard);
    if (!latest) co_return fail(Error::storage_unavailable, v);
    if (!*latest) co_return fail(Error::no_tree_head, v);
    auto out = parse_head(**latest);
    if (!out) co_return fail(Error::internal, v);
    (*out)["public_key"] = public_key_base64(ctx_.signing_key);
    (*out)["shards"] = shards;
    co_return http::json_response(http::status::ok, *out, v);
}

asio::awaitable<Response> LogApi::heads(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = log_.shards();
    const bool one_shard = query_text(rc.query, "shard").has_value();
    const auto shard = query_shard(rc.query, shards);
    if (!shard) co_return invalid_shard(shards, v);
    // Without `shard`, every shard's heads, shard 0's first; each head names its shard.
    const int first = one_shard ? *shard : 0;
    const int last = one_shard ? *shard : shards - 1;
    json::array list;
    for (int k = first; k <= last; ++k) {
        const auto stored = co_await ctx_.stores.log.heads(k);
        if (!stored) co_return fail(Error::storage_unavailable, v);
        for (const auto& text : *stored) {
            auto head = parse_head(text);
            if (!head) co_return fail(Error::internal, v);
            list.emplace_back(std::move(*head));
        }
    }
    json::object out{{"heads", std::move(list)},
                     {"public_key", public_key_base64(ctx_.signing_key)}};
    if (shards > 1) out["shards"] = shards;
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::consistency(RequestContext& rc) {
    const auto v = rc.request.version();
    const int shards = log_.shards();
    const auto from = query_number(rc.query, "from");
    const auto to = query_number(rc.query, "to");
    if (!from || !to || *from == 0 || *from > *to) co_return fail(Error::invalid_range, v);
    const auto shard = query_shard(rc.query, shards);
    if (!shard) co_return invalid_shard(shards, v);
    if (!co_await log_.catch_up(*shard)) co_return fail(Error::storage_unavailable, v);
    const auto proof = log_.consistency(*shard, *from, *to);
    if (!proof) co_return fail(Error::beyond_log, v);
    json::object out{{"from", *from},
                     {"to", *to},
                     {"root_from", voting::to_hex(proof->root_from)},
                     {"root_to", voting::to_hex(proof->root_to)},
                     {"proof", hex_list(proof->path)}};
    if (shards > 1) out["shard"] = *shard;
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LogApi::inclusion(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto query = read_inclusion_query(rc.query);
    if (!query) co_return fail(Error::invalid_query, v);
    const auto found = co_await ctx_.stores.ballots.find_receipt(query->ballot_id);
    if (!found) co_return fail(Error::storage_unavailable, v);
    if (!*found) co_return fail(Error::unknown_ballot, v);
    const int shard = (*found)->shard;
    const std::uint64_t index = (*found)->index;
    auto size = query->tree_size;
    if (!size) {
        // Left out: the latest head of the ballot's shard.
        const auto latest = co_await ctx_.stores.log.latest_head(shard);
        if (!latest) co_return fail(Error::storage_unavailable, v);
        if (!*latest) co_return fail(Error::no_tree_head, v);
        const auto head = parse_head(**latest);
        size = head ? tree_size_of(*head) : std::nullopt;
        if (!size) co_return fail(Error::internal, v);
    }
    if (!co_await log_.catch_up(shard)) co_return fail(Error::storage_unavailable, v);
    const auto proof = log_.inclusion(shard, index, *size);
    if (!proof) co_return fail(Error::not_in_tree, v);
    json::object out{{"leaf_index", index},
                     {"tree_size", *size},
                     {"leaf_hash", voting::to_hex(proof->leaf)},
                     {"root", voting::to_hex(proof->root)},
                     {"audit_path", hex_list(proof->path)}};
    if (log_.shards() > 1) out["shard"] = shard;
    co_return http::json_response(http::status::ok, out, v);
}

}  // namespace budget::server::api
