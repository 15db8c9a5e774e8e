#include "loadtest/redis_probe.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

namespace budget::loadtest {

namespace {

struct FreeReply {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, FreeReply>;

}  // namespace

void RedisProbe::Free::operator()(redisContext* c) const { redisFree(c); }

RedisProbe::RedisProbe(const std::string& url) {
    const timeval timeout{5, 0};
    redisContext* c = nullptr;
    if (url.rfind("unix://", 0) == 0) {
        c = redisConnectUnixWithTimeout(url.substr(7).c_str(), timeout);
    } else if (url.rfind("redis://", 0) == 0) {
        auto rest = url.substr(8);
        if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
        const auto colon = rest.rfind(':');
        const auto host = rest.substr(0, colon);
        const int port = colon == std::string::npos ? 6379 : std::stoi(rest.substr(colon + 1));
        c = redisConnectWithTimeout(host.c_str(), port, timeout);
    } else {
        throw std::runtime_error("redis url must be redis://host:port or unix:///path: " + url);
    }
    if (!c || c->err) {
        const std::string why = c ? c->errstr : "out of memory";
        if (c) redisFree(c);
        throw std::runtime_error("cannot connect to Redis at " + url + ": " + why);
    }
    redisSetTimeout(c, timeval{30, 0});
    ctx_.reset(c);
}

RedisProbe::~RedisProbe() = default;

std::string RedisProbe::shard_prefix(const std::string& campaign, int shard) {
    return "budget:{c" + campaign + ":b" + std::to_string(shard) + "}:";
}

namespace {

ReplyPtr run(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    ReplyPtr r(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (!r) throw std::runtime_error(std::string("Redis: ") + c->errstr);
    if (r->type == REDIS_REPLY_ERROR) throw std::runtime_error("Redis: " + std::string(r->str));
    return r;
}

}  // namespace

redisContext* RedisProbe::connect_node(const std::string& host, int port) {
    const auto name = host + ":" + std::to_string(port);
    if (auto it = nodes_.find(name); it != nodes_.end()) return it->second.get();
    redisContext* c = redisConnectWithTimeout(host.c_str(), port, timeval{5, 0});
    if (!c || c->err) {
        const std::string why = c ? c->errstr : "out of memory";
        if (c) redisFree(c);
        throw std::runtime_error("cannot connect to Redis cluster node " + name + ": " + why);
    }
    redisSetTimeout(c, timeval{30, 0});
    return nodes_.emplace(name, std::unique_ptr<redisContext, Free>(c)).first->second.get();
}

redisContext* RedisProbe::owner_of(const std::string& key) {
    redisContext* c = ctx_.get();
    for (int hops = 0; hops < 5; ++hops) {
        const std::string exists = "EXISTS";
        const char* argv[] = {exists.c_str(), key.c_str()};
        const std::size_t lens[] = {exists.size(), key.size()};
        ReplyPtr r(static_cast<redisReply*>(redisCommandArgv(c, 2, argv, lens)));
        if (!r) throw std::runtime_error(std::string("Redis: ") + c->errstr);
        if (r->type != REDIS_REPLY_ERROR) return c;
        // "MOVED <slot> <host>:<port>": that node serves the key.
        const std::string error(r->str, r->len);
        if (error.rfind("MOVED ", 0) != 0) throw std::runtime_error("Redis: " + error);
        const auto node = error.substr(error.rfind(' ') + 1);
        const auto colon = node.rfind(':');
        c = connect_node(node.substr(0, colon), std::stoi(node.substr(colon + 1)));
    }
    throw std::runtime_error("Redis: too many redirections for " + key);
}

LedgerSnapshot RedisProbe::snapshot(const std::string& campaign, int shards) {
    LedgerSnapshot s;
    for (int shard = 0; shard < shards; ++shard) {
        const auto prefix = shard_prefix(campaign, shard);
        // Every key of a shard shares its hash tag, so one node holds them all.
        auto* node = owner_of(prefix + "log");
        s.log_lengths.push_back(run(node, {"LLEN", prefix + "log"})->integer);
        const auto total = run(node, {"HGET", prefix + "stats", "total"});
        if (total->type == REDIS_REPLY_STRING) s.stats_total += std::stoll(total->str);
        // '[' is the only glob character that could appear in a prefix; campaign ids hold none.
        const auto pattern = prefix + "voted:*";
        std::string cursor = "0";
        do {
            const auto r = run(node, {"SCAN", cursor, "MATCH", pattern, "COUNT", "10000"});
            if (r->type != REDIS_REPLY_ARRAY || r->elements != 2)
                throw std::runtime_error("Redis: unexpected SCAN reply");
            cursor = r->element[0]->str;
            s.voted_markers += static_cast<long long>(r->element[1]->elements);
        } while (cursor != "0");
    }
    return s;
}

std::vector<std::string> RedisProbe::log_from(const std::string& campaign, int shard,
                                              long long from) {
    std::vector<std::string> out;
    const auto key = shard_prefix(campaign, shard) + "log";
    auto* node = owner_of(key);
    constexpr long long kPage = 10000;
    for (long long start = from;; start += kPage) {
        const auto r =
            run(node, {"LRANGE", key, std::to_string(start), std::to_string(start + kPage - 1)});
        for (std::size_t i = 0; i < r->elements; ++i)
            out.emplace_back(r->element[i]->str, r->element[i]->len);
        if (static_cast<long long>(r->elements) < kPage) break;
    }
    return out;
}

}  // namespace budget::loadtest
