#include "server/programs/budgetctl_redis.hpp"

#include <hiredis/hiredis.h>
#include <sys/stat.h>

namespace budget::server {

namespace {

// RESP2 only: the hiredis of Debian bookworm predates RESP3 and budgetctl never asks for it.
redis::Reply convert(const redisReply* r) {
    redis::Reply out;
    if (!r) return out;
    using T = redis::Reply::Type;
    switch (r->type) {
        case REDIS_REPLY_STRING:
            out.type = T::string;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = T::status;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = T::error;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = T::integer;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = T::array;
            for (std::size_t i = 0; i < r->elements; ++i)
                out.elements.push_back(convert(r->element[i]));
            break;
        default:
            break;
    }
    return out;
}

redis::Reply error_reply(std::string text) {
    redis::Reply out;
    out.type = redis::Reply::Type::error;
    out.str = std::move(text);
    return out;
}

}  // namespace

void SyncRedis::Free::operator()(redisContext* c) const { redisFree(c); }

std::variant<SyncRedis, std::string> SyncRedis::connect(const config::Config& config) {
    const timeval timeout{2, 0};
    redisContext* c = nullptr;
    std::string where;
    if (config.redis.embedded) {
        // Same path as EmbeddedRedis::socket_path(): the socket exists only while budgetd runs.
        where = config.storage.data_dir + "/redis.sock";
        struct stat st {};
        if (::stat(where.c_str(), &st) != 0) {
            return "no Redis socket at " + where +
                   ": with [redis] embedded = true, Redis runs inside budgetd; start budgetd "
                   "first, then run this command again";
        }
        c = redisConnectUnixWithTimeout(where.c_str(), timeout);
    } else {
        redis::Target target;
        if (!config.redis.cluster.empty()) {
            target.host = config.redis.cluster.front().host;
            target.port = config.redis.cluster.front().port;
        } else {
            try {
                target = redis::Target::parse_url(config.redis.url);
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
        }
        where = target.describe();
        c = target.unix_path.empty()
                ? redisConnectWithTimeout(target.host.c_str(), target.port, timeout)
                : redisConnectUnixWithTimeout(target.unix_path.c_str(), timeout);
    }
    if (!c) return "cannot allocate a Redis connection";
    if (c->err) {
        std::string reason = "cannot connect to Redis at " + where + ": " + c->errstr;
        redisFree(c);
        return reason;
    }
    redisSetTimeout(c, timeval{10, 0});
    return SyncRedis(c);
}

redis::Reply SyncRedis::run(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (!raw) return error_reply(std::string("Redis connection failed: ") + c->errstr);
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> owned(raw, &freeReplyObject);
    return convert(owned.get());
}

redisContext* SyncRedis::node(const redis::Target& target) {
    const auto name = target.describe();
    if (auto it = nodes_.find(name); it != nodes_.end()) return it->second.get();
    redisContext* c = redisConnectWithTimeout(target.host.c_str(), target.port, timeval{2, 0});
    if (!c || c->err) {
        if (c) redisFree(c);
        return nullptr;
    }
    redisSetTimeout(c, timeval{10, 0});
    return nodes_.emplace(name, std::unique_ptr<redisContext, Free>(c)).first->second.get();
}

redis::Reply SyncRedis::command(const std::vector<std::string>& args) {
    auto reply = run(context_.get(), args);
    // A cluster node answers for the slots it does not serve with the node that does.
    for (int hops = 0; hops < 5 && reply.is_error(); ++hops) {
        const auto redirect = redis::parse_redirect(reply.str);
        if (!redirect) break;
        auto* target = node(redirect->node);
        if (!target) return error_reply("cannot connect to Redis at " + redirect->node.describe());
        if (redirect->ask) run(target, {"ASKING"});
        reply = run(target, args);
    }
    return reply;
}

redis::Reply SyncRedis::eval(const std::string& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
    std::vector<std::string> cmd{"EVAL", script, std::to_string(keys.size())};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    return command(cmd);
}

}  // namespace budget::server
