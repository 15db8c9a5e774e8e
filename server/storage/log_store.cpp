#include "server/storage/log_store.hpp"

#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;

namespace {

// Appends a head only when it describes a larger log than the last one: several budgetd
// processes publish, and the list must read as one growing log.
// KEYS: the shard's heads. ARGV: the signed head, its tree size. Returns 1 when appended.
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

}  // namespace

LogStore::LogStore(redis::Client& redis, std::string campaign)
    : redis_(redis),
      campaign_(std::move(campaign)),
      append_head_script_(kAppendHead),
      mark_shard_script_(kMarkShard) {}

asio::awaitable<StoreResult<bool>> LogStore::append_head(int shard, std::string signed_head,
                                                         std::uint64_t tree_size) {
    std::vector<std::string> keys{keys::tree_heads(campaign_, shard)};
    std::vector<std::string> args{std::move(signed_head), std::to_string(tree_size)};
    auto r = co_await redis_.eval(append_head_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "append_head");
    co_return r->integer == 1;
}

asio::awaitable<StoreResult<std::optional<std::string>>> LogStore::latest_head(int shard) {
    std::vector<std::string> cmd{"LINDEX", keys::tree_heads(campaign_, shard), "-1"};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "latest_head");
    if (r->is_nil()) co_return std::optional<std::string>();
    co_return std::optional<std::string>(std::move(r->str));
}

asio::awaitable<StoreResult<std::vector<std::string>>> LogStore::heads(int shard) {
    std::vector<std::string> cmd{"LRANGE", keys::tree_heads(campaign_, shard), "0", "-1"};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "heads");
    std::vector<std::string> out;
    out.reserve(r->elements.size());
    for (auto& e : r->elements) out.push_back(std::move(e.str));
    co_return out;
}

asio::awaitable<bool> LogStore::mark_replicated(int shard, std::uint64_t tree_size, int replicas,
                                                std::chrono::milliseconds timeout) {
    std::vector<std::string> keys(1, keys::head_mark(campaign_, shard));
    std::vector<std::string> args(1, std::to_string(tree_size));
    const auto replies = co_await redis_.eval_and_wait(mark_shard_script_, std::move(keys),
                                                       std::move(args), replicas, timeout);
    const auto& acked = replies.second;
    co_return replies.first && acked && acked->type == redis::Reply::Type::integer &&
        acked->integer >= replicas;
}

}  // namespace budget::server::storage
