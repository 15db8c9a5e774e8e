#include "server/redis_client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <deque>
#include <iterator>
#include <mutex>
#include <stdexcept>

#include "server/metrics.hpp"

namespace budget::server::redis {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

class RedisCategory : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "redis"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::unavailable:
                return "redis unavailable";
            case Errc::timeout:
                return "redis command timed out";
            case Errc::connection_lost:
                return "redis connection lost";
        }
        return "redis error";
    }
};

Reply convert(const redisReply* r) {
    Reply out;
    switch (r->type) {
        case REDIS_REPLY_STATUS:
            out.type = Reply::Type::status;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = Reply::Type::error;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = Reply::Type::integer;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_STRING:
            out.type = Reply::Type::string;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ARRAY:
            out.type = Reply::Type::array;
            out.elements.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i)
                out.elements.push_back(convert(r->element[i]));
            break;
        default:
            out.type = Reply::Type::nil;
    }
    return out;
}

// The command in the Redis protocol: "*<argc>\r\n", then "$<length>\r\n<bytes>\r\n" for each
// argument. What redisFormatSdsCommandArgv writes, for a fraction of its cost (sdscatfmt).
void format_command(const std::vector<std::string>& args, std::string& out) {
    char number[24];
    const auto append_number = [&](char prefix, std::size_t n) {
        out += prefix;
        const auto end = std::to_chars(number, number + sizeof number, n).ptr;
        out.append(number, end).append("\r\n");
    };
    out.clear();
    append_number('*', args.size());
    for (const auto& arg : args) {
        append_number('$', arg.size());
        out.append(arg).append("\r\n");
    }
}

}  // namespace

const boost::system::error_category& redis_category() {
    static const RedisCategory category;
    return category;
}

error_code make_error_code(Errc e) { return {static_cast<int>(e), redis_category()}; }

Target Target::parse_url(const std::string& url) {
    Target t;
    if (url.rfind("unix://", 0) == 0) {
        t.unix_path = url.substr(7);
        return t;
    }
    auto rest = url.rfind("redis://", 0) == 0 ? url.substr(8) : url;
    if (const auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("redis url without port: " + url);
    t.host = rest.substr(0, colon);
    if (t.host == "localhost") t.host = "127.0.0.1";  // hiredis would resolve it, blocking
    t.port = std::stoi(rest.substr(colon + 1));
    return t;
}

std::string Target::describe() const {
    return unix_path.empty() ? host + ":" + std::to_string(port) : "unix:" + unix_path;
}

Script::Script(std::string src) : source(std::move(src)) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(source.data(), source.size(), md, &len, EVP_sha1(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        sha1 += kHex[md[i] >> 4];
        sha1 += kHex[md[i] & 15];
    }
}

// One in-flight command: completed exactly once, on the connection's strand, by its reply, its
// timeout, a lost connection or a refused submission; the waiting coroutine is resumed on its
// own executor, never from inside hiredis.
struct PendingCommand {
    virtual ~PendingCommand() = default;
    virtual void complete(Result result) = 0;
    std::chrono::steady_clock::time_point deadline;
    bool done = false;
};

template <typename Handler>
struct PendingCommandFor final : PendingCommand {
    explicit PendingCommandFor(Handler h) : handler(std::move(h)) {}
    void complete(Result result) override {
        done = true;
        auto ex = asio::get_associated_executor(handler);
        asio::post(ex, [h = std::move(handler), r = std::move(result)]() mutable {
            std::move(h)(std::move(r));
        });
    }
    Handler handler;
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(asio::io_context& ioc, Target target, Options options, Metrics* metrics)
        : strand_(asio::make_strand(ioc)),
          fd_(strand_),
          reconnect_timer_(strand_),
          sweep_timer_(strand_),
          target_(std::move(target)),
          options_(options),
          metrics_(metrics),
          backoff_(options.reconnect_min) {}

    ~Connection() {
        stopping_ = true;  // the cleanup hook must not schedule a reconnection from here
        if (ctx_) {
            redisAsyncContext* ctx = ctx_;
            redisAsyncFree(ctx);  // runs pending callbacks with a null reply, then our cleanup
        }
    }

    void start() {
        asio::dispatch(strand_, [self = shared_from_this()] { self->connect(); });
    }

    void stop() {
        asio::dispatch(strand_, [self = shared_from_this()] {
            self->stopping_ = true;
            self->reconnect_timer_.cancel();
            if (self->ctx_) redisAsyncDisconnect(self->ctx_);
        });
    }

    void preload(const Script& script) {
        asio::dispatch(strand_, [self = shared_from_this(), script] {
            self->scripts_.push_back(script);
            if (self->ctx_ && self->connected_) self->send_script_load(script);
        });
    }

    bool connected() const { return connected_.load(std::memory_order_relaxed); }

    /// Sends a command; completes with its reply (or an error) on the caller's executor.
    /// `args` must stay alive until then (it is read on the strand, before any completion).
    template <typename Token>
    auto async_command(const std::vector<std::string>& args, Token&& token) {
        auto initiation = [self = shared_from_this()](auto handler,
                                                      const std::vector<std::string>* command) {
            using Handler = std::decay_t<decltype(handler)>;
            std::shared_ptr<PendingCommand> op =
                std::make_shared<PendingCommandFor<Handler>>(std::move(handler));
            asio::dispatch(self->strand_, [self, op = std::move(op), command]() mutable {
                self->submit(std::move(op), *command);
            });
        };
        return asio::async_initiate<Token, void(Result)>(std::move(initiation), token, &args);
    }

  private:
    // --- hiredis event-library hooks: hiredis tells us which readiness it waits for.
    static void on_add_read(void* data) {
        auto* self = static_cast<Connection*>(data);
        self->want_read_ = true;
        self->arm_read();
    }
    static void on_del_read(void* data) { static_cast<Connection*>(data)->want_read_ = false; }
    static void on_add_write(void* data) {
        auto* self = static_cast<Connection*>(data);
        self->want_write_ = true;
        self->arm_write();
    }
    static void on_del_write(void* data) { static_cast<Connection*>(data)->want_write_ = false; }
    // Called by hiredis just before it frees the context (and closes the descriptor itself):
    // release the descriptor, never close it, and forget the context at once.
    static void on_cleanup(void* data) {
        auto* self = static_cast<Connection*>(data);
        self->detach();
    }

    static void on_connect(const redisAsyncContext* ctx, int status) {
        auto* self = static_cast<Connection*>(ctx->ev.data);
        if (!self) return;
        if (status == REDIS_OK) {
            self->connected_ = true;
            self->backoff_ = self->options_.reconnect_min;
            if (self->metrics_) self->metrics_->set_redis_up(true);
            for (const auto& s : self->scripts_) self->send_script_load(s);
        }
        // On failure hiredis frees the context right after this callback; on_cleanup follows.
    }

    static void on_disconnect(const redisAsyncContext*, int) {
        // on_cleanup already ran (hiredis calls it first) and scheduled the reconnection.
    }

    static void on_reply(redisAsyncContext* ctx, void* reply, void* privdata) {
        std::unique_ptr<std::shared_ptr<PendingCommand>> holder(
            static_cast<std::shared_ptr<PendingCommand>*>(privdata));
        auto& op = *holder;
        if (!op->done) {
            op->complete(reply ? Result{convert(static_cast<redisReply*>(reply))}
                               : Result{make_error_code(Errc::connection_lost)});
        }
        // Replies come in order: forget the finished commands at the head of the queue.
        if (auto* self = static_cast<Connection*>(ctx->ev.data)) self->drop_finished();
    }

    void connect() {
        if (stopping_ || ctx_) return;
        redisAsyncContext* ctx = target_.unix_path.empty()
                                     ? redisAsyncConnect(target_.host.c_str(), target_.port)
                                     : redisAsyncConnectUnix(target_.unix_path.c_str());
        if (!ctx) {
            schedule_reconnect();
            return;
        }
        if (ctx->err) {
            redisAsyncFree(ctx);  // no hooks attached yet: nothing of ours is called
            schedule_reconnect();
            return;
        }
        ctx_ = ctx;
        ++generation_;
        error_code ec;
        fd_.assign(ctx->c.fd, ec);
        ctx->ev.data = this;
        ctx->ev.addRead = &Connection::on_add_read;
        ctx->ev.delRead = &Connection::on_del_read;
        ctx->ev.addWrite = &Connection::on_add_write;
        ctx->ev.delWrite = &Connection::on_del_write;
        ctx->ev.cleanup = &Connection::on_cleanup;
        redisAsyncSetDisconnectCallback(ctx, &Connection::on_disconnect);
        // After the hooks: setting the connect callback asks for the first write event.
        redisAsyncSetConnectCallback(ctx, &Connection::on_connect);
    }

    void detach() {
        ctx_ = nullptr;
        ++generation_;
        want_read_ = want_write_ = reading_ = writing_ = false;
        error_code ec;
        fd_.cancel(ec);
        fd_.release();
        if (connected_.exchange(false) && metrics_) metrics_->set_redis_up(false);
        schedule_reconnect();
    }

    void schedule_reconnect() {
        if (stopping_) return;
        reconnect_timer_.expires_after(backoff_);
        backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
        reconnect_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->connect();
        });
    }

    void arm_read() {
        if (!ctx_ || reading_ || !want_read_) return;
        reading_ = true;
        fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                       asio::bind_executor(
                           strand_, [self = shared_from_this(), gen = generation_](error_code ec) {
                               if (gen != self->generation_) return;
                               self->reading_ = false;
                               if (ec || !self->ctx_) return;
                               redisAsyncHandleRead(self->ctx_);  // may free the context
                               self->arm_read();
                           }));
    }

    void arm_write() {
        if (!ctx_ || writing_ || !want_write_) return;
        writing_ = true;
        fd_.async_wait(asio::posix::stream_descriptor::wait_write,
                       asio::bind_executor(
                           strand_, [self = shared_from_this(), gen = generation_](error_code ec) {
                               if (gen != self->generation_) return;
                               self->writing_ = false;
                               if (ec || !self->ctx_) return;
                               redisAsyncHandleWrite(self->ctx_);  // may free the context
                               self->arm_write();
                           }));
    }

    void submit(std::shared_ptr<PendingCommand> op, const std::vector<std::string>& args) {
        if (!ctx_ || !connected_) {
            op->complete(Result{make_error_code(Errc::unavailable)});
            return;
        }
        format_command(args, command_text_);  // hiredis copies it into its output buffer
        op->deadline = std::chrono::steady_clock::now() + options_.command_timeout;
        auto* holder = new std::shared_ptr<PendingCommand>(op);
        if (redisAsyncFormattedCommand(ctx_, &Connection::on_reply, holder, command_text_.data(),
                                       command_text_.size()) != REDIS_OK) {
            delete holder;
            op->complete(Result{make_error_code(Errc::unavailable)});
            return;
        }
        pending_.push_back(std::move(op));
        arm_sweep();
    }

    // One timer per connection watches the oldest command: a Redis that stops answering fails
    // its commands with `timeout` instead of leaving requests hanging.
    void arm_sweep() {
        if (sweeping_ || pending_.empty()) return;
        sweeping_ = true;
        sweep_timer_.expires_at(pending_.front()->deadline);
        sweep_timer_.async_wait([self = shared_from_this()](error_code) {
            self->sweeping_ = false;
            const auto now = std::chrono::steady_clock::now();
            while (!self->pending_.empty() &&
                   (self->pending_.front()->done || self->pending_.front()->deadline <= now)) {
                auto& op = self->pending_.front();
                if (!op->done) op->complete(Result{make_error_code(Errc::timeout)});
                self->pending_.pop_front();
            }
            self->arm_sweep();
        });
    }

    void drop_finished() {
        while (!pending_.empty() && pending_.front()->done) pending_.pop_front();
    }

    void send_script_load(const Script& s) {
        const char* argv[] = {"SCRIPT", "LOAD", s.source.c_str()};
        const std::size_t len[] = {6, 4, s.source.size()};
        redisAsyncCommandArgv(ctx_, nullptr, nullptr, 3, argv, len);
    }

    asio::strand<asio::io_context::executor_type> strand_;
    asio::posix::stream_descriptor fd_;
    asio::steady_timer reconnect_timer_;
    asio::steady_timer sweep_timer_;
    std::deque<std::shared_ptr<PendingCommand>> pending_;  ///< in the order sent
    std::string command_text_;  ///< reused buffer for the command being submitted
    bool sweeping_ = false;
    Target target_;
    Options options_;
    Metrics* metrics_;
    redisAsyncContext* ctx_ = nullptr;
    std::uint64_t generation_ = 0;
    bool want_read_ = false, want_write_ = false, reading_ = false, writing_ = false;
    bool stopping_ = false;
    std::atomic<bool> connected_{false};
    std::chrono::milliseconds backoff_;
    std::vector<Script> scripts_;

  public:
    Metrics* metrics() const { return metrics_; }
};

Client::Client(asio::io_context& ioc, Target target, Options options, int connections,
               Metrics* metrics)
    : Client(std::vector<asio::io_context*>{&ioc}, std::move(target), options, connections,
             metrics) {}

Client::Client(const std::vector<asio::io_context*>& contexts, Target target, Options options,
               int connections_per_context, Metrics* metrics)
    : target_(std::move(target)) {
    connections_per_context = std::max(1, connections_per_context);
    for (auto* ioc : contexts) {
        for (int i = 0; i < connections_per_context; ++i) {
            connections_.push_back(std::make_shared<Connection>(*ioc, target_, options, metrics));
            context_of_.push_back(ioc);
        }
    }
}

Client::~Client() = default;

void Client::start() {
    for (auto& c : connections_) c->start();
}

void Client::stop() {
    for (auto& c : connections_) c->stop();
}

bool Client::connected() const {
    for (const auto& c : connections_) {
        if (c->connected()) return true;
    }
    return false;
}

void Client::preload(const Script& script) {
    for (auto& c : connections_) c->preload(script);
}

Connection& Client::pick(const asio::execution_context* caller) {
    // First a live connection of the caller's own event loop, then any live one: one that is
    // reconnecting would only answer "unavailable".
    const auto n = connections_.size();
    const auto start = next_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) {
        const auto k = (start + i) % n;
        if (context_of_[k] == caller && connections_[k]->connected()) return *connections_[k];
    }
    for (std::size_t i = 0; i < n; ++i) {
        auto& c = *connections_[(start + i) % n];
        if (c.connected()) return c;
    }
    return *connections_[start % n];
}

asio::awaitable<Result> Client::command(std::vector<std::string> args) {
    co_return co_await send(args);
}

asio::awaitable<Result> Client::send(const std::vector<std::string>& args) {
    const auto executor = co_await asio::this_coro::executor;
    auto& conn = pick(&asio::query(executor, asio::execution::context));
    const auto started = std::chrono::steady_clock::now();
    auto result = co_await conn.async_command(args, asio::use_awaitable);
    if (auto* m = conn.metrics(); m && result) {
        m->record_redis_roundtrip(std::chrono::steady_clock::now() - started);
    }
    co_return result;
}

asio::awaitable<Result> Client::eval(const Script& script, std::vector<std::string> keys,
                                     std::vector<std::string> args) {
    // Built once, by moving the keys and arguments in; the NOSCRIPT retry swaps the first two.
    std::vector<std::string> cmd;
    cmd.reserve(3 + keys.size() + args.size());
    cmd.emplace_back("EVALSHA");
    cmd.push_back(script.sha1);
    cmd.push_back(std::to_string(keys.size()));
    std::move(keys.begin(), keys.end(), std::back_inserter(cmd));
    std::move(args.begin(), args.end(), std::back_inserter(cmd));
    auto result = co_await send(cmd);
    if (result && result->is_error() && result->str.rfind("NOSCRIPT", 0) == 0) {
        // Redis forgot the script (a restart or a failover): send it whole once.
        cmd[0] = "EVAL";
        cmd[1] = script.source;
        result = co_await send(cmd);
    }
    co_return result;
}

}  // namespace budget::server::redis
