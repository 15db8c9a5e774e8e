#include "server/redis/client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
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
#include <cctype>
#include <charconv>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

#include "server/core/log.hpp"
#include "server/redis/resp.hpp"

namespace budget::server::redis {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

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

}  // namespace

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

// Commands sent back to back on one connection (a script and its WAIT, ASKING and its command):
// each part is an ordinary pending command; the last one to finish resumes the caller with all
// the replies. Parts complete on the connection's strand only, so the count needs no atomic.
struct PipelineState {
    virtual ~PipelineState() = default;
    virtual void finish() = 0;
    std::vector<Result> results;
    std::size_t remaining = 0;
};

template <typename Handler>
struct PipelineStateFor final : PipelineState {
    PipelineStateFor(Handler h, std::size_t n) : handler(std::move(h)) {
        results.assign(n, failure(Errc::unavailable));
        remaining = n;
    }
    void finish() override {
        auto ex = asio::get_associated_executor(handler);
        asio::post(ex, [h = std::move(handler), r = std::move(results)]() mutable {
            std::move(h)(std::move(r));
        });
    }
    Handler handler;
};

struct PipelinePart final : PendingCommand {
    PipelinePart(std::shared_ptr<PipelineState> s, std::size_t i) : state(std::move(s)), index(i) {}
    void complete(Result result) override {
        done = true;
        state->results[index] = std::move(result);
        if (--state->remaining == 0) state->finish();
    }
    std::shared_ptr<PipelineState> state;
    std::size_t index;
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(asio::io_context& ioc, Target target, Options options)
        : strand_(asio::make_strand(ioc)),
          fd_(strand_),
          reconnect_timer_(strand_),
          sweep_timer_(strand_),
          target_(std::move(target)),
          options_(options),
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
    std::string auth_refusal() const {
        std::lock_guard lock(refusal_mutex_);
        return refusal_;
    }

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

    /// Sends several commands in a row (nothing of another caller between them); completes
    /// with every reply, in order, on the caller's executor. `commands` must not be empty.
    template <typename Token>
    auto async_pipeline(std::vector<std::vector<std::string>> commands, Token&& token) {
        auto initiation = [self = shared_from_this()](
                              auto handler, std::vector<std::vector<std::string>> commands) {
            using Handler = std::decay_t<decltype(handler)>;
            auto state =
                std::make_shared<PipelineStateFor<Handler>>(std::move(handler), commands.size());
            asio::dispatch(self->strand_, [self, state = std::move(state),
                                           commands = std::move(commands)]() mutable {
                for (std::size_t i = 0; i < commands.size(); ++i)
                    self->submit(std::make_shared<PipelinePart>(state, i), commands[i]);
            });
        };
        return asio::async_initiate<Token, void(std::vector<Result>)>(std::move(initiation), token,
                                                                      std::move(commands));
    }

    const Target& target() const { return target_; }

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
        if (status != REDIS_OK) return;
        // On failure hiredis frees the context right after this callback; on_cleanup follows.
        if (self->options_.password.empty()) {
            self->ready();
            return;
        }
        // AUTH first, on every (re)connection: nothing else is sent before Redis accepts it.
        const auto& o = self->options_;
        std::vector<const char*> argv{"AUTH"};
        std::vector<std::size_t> len{4};
        if (!o.user.empty()) {
            argv.push_back(o.user.c_str());
            len.push_back(o.user.size());
        }
        argv.push_back(o.password.c_str());
        len.push_back(o.password.size());
        redisAsyncCommandArgv(self->ctx_, &Connection::on_auth, nullptr,
                              static_cast<int>(argv.size()), argv.data(), len.data());
    }

    static void on_auth(redisAsyncContext* ctx, void* reply, void*) {
        auto* self = static_cast<Connection*>(ctx->ev.data);
        if (!self || !reply) return;  // the context is going away
        const auto* r = static_cast<redisReply*>(reply);
        if (r->type != REDIS_REPLY_ERROR) {
            {
                std::lock_guard lock(self->refusal_mutex_);
                self->refusal_.clear();
            }
            self->ready();
            return;
        }
        std::string refusal(r->str, r->len);
        bool first = false;
        {
            std::lock_guard lock(self->refusal_mutex_);
            first = self->refusal_ != refusal;
            self->refusal_ = refusal;
        }
        if (first) {
            log_event("error", "redis_auth_refused",
                      {{"redis", self->target_.describe()}, {"reply", refusal}});
        }
        // Closed and retried with backoff: an operator may be fixing the ACL right now.
        redisAsyncDisconnect(ctx);
    }

    void ready() {
        connected_ = true;
        backoff_ = options_.reconnect_min;
        if (auto* o = options_.observer) o->connection_changed(true);
        for (const auto& s : scripts_) send_script_load(s);
    }

    static void on_disconnect(const redisAsyncContext*, int) {
        // on_cleanup already ran (hiredis calls it first) and scheduled the reconnection.
    }

    static void on_reply(redisAsyncContext* ctx, void* reply, void* privdata) {
        std::unique_ptr<std::shared_ptr<PendingCommand>> holder(
            static_cast<std::shared_ptr<PendingCommand>*>(privdata));
        auto& op = *holder;
        if (!op->done) {
            // The one place where Redis's answer becomes a result (error replies included).
            op->complete(reply ? settle(convert(static_cast<redisReply*>(reply)))
                               : failure(Errc::connection_lost));
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
        if (connected_.exchange(false) && options_.observer)
            options_.observer->connection_changed(false);
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
            op->complete(failure(Errc::unavailable));
            return;
        }
        format_command(args, command_text_);  // hiredis copies it into its output buffer
        op->deadline = std::chrono::steady_clock::now() + options_.command_timeout;
        auto* holder = new std::shared_ptr<PendingCommand>(op);
        if (redisAsyncFormattedCommand(ctx_, &Connection::on_reply, holder, command_text_.data(),
                                       command_text_.size()) != REDIS_OK) {
            delete holder;
            op->complete(failure(Errc::unavailable));
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
                if (!op->done) op->complete(failure(Errc::timeout));
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
    redisAsyncContext* ctx_ = nullptr;
    std::uint64_t generation_ = 0;
    bool want_read_ = false, want_write_ = false, reading_ = false, writing_ = false;
    bool stopping_ = false;
    std::atomic<bool> connected_{false};
    std::chrono::milliseconds backoff_;
    std::vector<Script> scripts_;
    mutable std::mutex refusal_mutex_;  // read by any thread through Client::auth_refusal
    std::string refusal_;
};

// The connections to one server: a group per event loop, picked on the caller's loop first.
class NodePool {
  public:
    NodePool(Target target, const std::vector<asio::io_context*>& contexts, Options options,
             int per_context)
        : target_(std::move(target)), name_(target_.describe()) {
        for (auto* ioc : contexts) {
            for (int i = 0; i < per_context; ++i) {
                connections_.push_back(std::make_shared<Connection>(*ioc, target_, options));
                context_of_.push_back(ioc);
            }
        }
    }

    void start() {
        for (auto& c : connections_) c->start();
    }
    void stop() {
        for (auto& c : connections_) c->stop();
    }
    void preload(const Script& script) {
        for (auto& c : connections_) c->preload(script);
    }
    bool connected() const {
        for (const auto& c : connections_) {
            if (c->connected()) return true;
        }
        return false;
    }

    std::string auth_refusal() const {
        for (const auto& c : connections_) {
            if (auto r = c->auth_refusal(); !r.empty()) return r;
        }
        return {};
    }

    Connection& pick(const asio::execution_context* caller) {
        // First a live connection of the caller's own event loop, then any live one: one that
        // is reconnecting would only answer "unavailable".
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

    const Target& target() const { return target_; }
    const std::string& name() const { return name_; }

  private:
    Target target_;
    std::string name_;
    std::vector<std::shared_ptr<Connection>> connections_;
    std::vector<const asio::execution_context*> context_of_;  ///< per connection
    std::atomic<std::size_t> next_{0};
};

struct Client::State : std::enable_shared_from_this<Client::State> {
    using SlotMap = std::array<NodePool*, 16384>;

    Target target;  ///< the server, or the first seed
    bool cluster = false;
    std::vector<asio::io_context*> contexts;
    Options options;
    int per_context = 1;
    NodePool* single = nullptr;  ///< the one pool when not a cluster (never changes)

    mutable std::mutex mutex;  // guards what follows; pools live as long as the state
    std::deque<std::unique_ptr<NodePool>> pools;
    std::map<std::string, NodePool*> pool_by_node;
    std::shared_ptr<const SlotMap> slots;
    std::vector<NodePool*> masters;
    std::vector<Script> scripts;
    bool started = false;
    std::atomic<bool> stopping{false};  // read by the refresher without the lock
    std::shared_ptr<asio::steady_timer> refresh_timer;

    std::atomic<bool> refresh_wanted{false};

    static std::shared_ptr<State> make(const std::vector<asio::io_context*>& contexts,
                                       Options options, int per_context) {
        auto state = std::make_shared<State>();
        state->contexts = contexts;
        state->options = options;
        state->per_context = std::max(1, per_context);
        state->refresh_timer = std::make_shared<asio::steady_timer>(*contexts.front());
        return state;
    }

    NodePool& pool_for(const Target& node) {
        std::lock_guard lock(mutex);
        return pool_for_locked(node);
    }

    NodePool& pool_for_locked(const Target& node) {
        const auto name = node.describe();
        if (auto it = pool_by_node.find(name); it != pool_by_node.end()) return *it->second;
        pools.push_back(std::make_unique<NodePool>(node, contexts, options, per_context));
        auto* pool = pools.back().get();
        pool_by_node.emplace(name, pool);
        for (const auto& s : scripts) pool->preload(s);
        if (started && !stopping) pool->start();
        return *pool;
    }

    NodePool* route(std::optional<std::uint16_t> slot) {
        if (!cluster) return single;
        std::lock_guard lock(mutex);
        if (slot && slots && (*slots)[*slot]) return (*slots)[*slot];
        // A keyless command, or a slot not mapped yet: any live node (a redirection follows).
        for (auto* m : masters) {
            if (m->connected()) return m;
        }
        for (auto& p : pools) {
            if (p->connected()) return p.get();
        }
        return pools.empty() ? nullptr : pools.front().get();
    }

    // CLUSTER SLOTS: [[start, end, [host, port, id], replicas...], ...]. A host left empty
    // means "the node you asked".
    bool install_slot_map(const Reply& reply, const Target& asked) {
        if (reply.type != Reply::Type::array || reply.elements.empty()) return false;
        auto map = std::make_shared<SlotMap>();
        map->fill(nullptr);
        std::vector<NodePool*> found;
        std::lock_guard lock(mutex);
        for (const auto& range : reply.elements) {
            if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) return false;
            const auto first = range.elements[0].integer;
            const auto last = range.elements[1].integer;
            const auto& master = range.elements[2];
            if (first < 0 || last > 16383 || first > last) return false;
            Target node;
            node.host = master.elements[0].str.empty() ? asked.host : master.elements[0].str;
            node.port = static_cast<int>(master.elements[1].integer);
            auto* pool = &pool_for_locked(node);
            for (auto s = first; s <= last; ++s) (*map)[static_cast<std::size_t>(s)] = pool;
            if (std::find(found.begin(), found.end(), pool) == found.end()) found.push_back(pool);
        }
        const bool changed = masters != found;
        slots = std::move(map);
        masters = std::move(found);
        if (changed) {
            std::string names;
            for (auto* m : masters) names += (names.empty() ? "" : ",") + m->name();
            log_event("info", "redis_cluster_map", {{"masters", names}});
        }
        return true;
    }

    // Keeps the slot map fresh: at once when a command met a redirection or a dead node,
    // otherwise every two seconds (a failover elsewhere is noticed even without traffic).
    static void schedule_refresh(std::shared_ptr<State> self, std::chrono::milliseconds after) {
        auto timer = self->refresh_timer;
        timer->expires_after(after);
        // Woken early (cancelled) by request_refresh: refresh now all the same.
        timer->async_wait([self = std::move(self)](error_code) mutable {
            if (self->stopping) return;
            asio::co_spawn(self->refresh_timer->get_executor(), refresh_once(self),
                           [self](const std::exception_ptr&, bool ok) {
                               if (self->stopping) return;
                               const bool again = self->refresh_wanted.exchange(false) || !ok;
                               const auto due = again ? std::chrono::milliseconds(100)
                                                      : std::chrono::milliseconds(2000);
                               schedule_refresh(self, due);
                           });
        });
    }

    static asio::awaitable<bool> refresh_once(std::shared_ptr<State> self) {
        std::vector<NodePool*> candidates;
        {
            std::lock_guard lock(self->mutex);
            candidates = self->masters;
            for (auto& p : self->pools) {
                if (std::find(candidates.begin(), candidates.end(), p.get()) == candidates.end())
                    candidates.push_back(p.get());
            }
        }
        for (auto* pool : candidates) {
            if (!pool->connected()) continue;
            std::vector<std::string> cmd{"CLUSTER", "SLOTS"};
            auto r = co_await pool->pick(nullptr).async_command(cmd, asio::use_awaitable);
            if (r && self->install_slot_map(*r, pool->target())) co_return true;
        }
        co_return false;
    }

    void request_refresh() {
        if (refresh_wanted.exchange(true)) return;
        // Cut the two-second wait short; the refresher runs on the first event loop.
        asio::post(refresh_timer->get_executor(), [self = shared_from_this()] {
            if (!self->stopping) self->refresh_timer->cancel_one();
        });
    }
};

Client::Client(asio::io_context& ioc, Target target, Options options, int connections)
    : Client(std::vector<asio::io_context*>{&ioc}, std::move(target), options, connections) {}

Client::Client(const std::vector<asio::io_context*>& contexts, Target target, Options options,
               int connections_per_context)
    : state_(State::make(contexts, options, connections_per_context)) {
    state_->target = std::move(target);
    state_->single = &state_->pool_for(state_->target);
}

Client::Client(const std::vector<asio::io_context*>& contexts, ClusterSeeds seeds, Options options,
               int connections_per_context)
    : state_(State::make(contexts, options, connections_per_context)) {
    if (seeds.nodes.empty()) throw std::invalid_argument("redis cluster without seed nodes");
    state_->cluster = true;
    state_->target = seeds.nodes.front();
    for (const auto& node : seeds.nodes) state_->pool_for(node);
}

Client::~Client() { stop(); }

void Client::start() {
    std::vector<NodePool*> pools;
    {
        std::lock_guard lock(state_->mutex);
        if (state_->started) return;
        state_->started = true;
        for (auto& p : state_->pools) pools.push_back(p.get());
    }
    for (auto* p : pools) p->start();
    if (state_->cluster) State::schedule_refresh(state_, std::chrono::milliseconds(0));
}

void Client::stop() {
    std::vector<NodePool*> pools;
    {
        std::lock_guard lock(state_->mutex);
        if (state_->stopping) return;
        state_->stopping = true;
        for (auto& p : state_->pools) pools.push_back(p.get());
    }
    for (auto* p : pools) p->stop();
    asio::post(state_->refresh_timer->get_executor(),
               [timer = state_->refresh_timer] { timer->cancel(); });
}

bool Client::connected() const {
    std::lock_guard lock(state_->mutex);
    for (const auto& p : state_->pools) {
        if (p->connected()) return true;
    }
    return false;
}

std::string Client::auth_refusal() const {
    std::lock_guard lock(state_->mutex);
    for (const auto& p : state_->pools) {
        if (auto r = p->auth_refusal(); !r.empty()) return r;
    }
    return {};
}

bool Client::is_cluster() const { return state_->cluster; }

const Target& Client::target() const { return state_->target; }

std::vector<std::string> Client::masters() const {
    std::lock_guard lock(state_->mutex);
    std::vector<std::string> out;
    if (!state_->cluster) {
        out.push_back(state_->target.describe());
        return out;
    }
    for (auto* m : state_->masters) out.push_back(m->name());
    return out;
}

void Client::preload(const Script& script) {
    std::vector<NodePool*> pools;
    {
        std::lock_guard lock(state_->mutex);
        state_->scripts.push_back(script);
        for (auto& p : state_->pools) pools.push_back(p.get());
    }
    for (auto* p : pools) p->preload(script);
}

asio::awaitable<Result> Client::command(std::vector<std::string> args) {
    co_return co_await send(args);
}

asio::awaitable<Result> Client::send(const std::vector<std::string>& args) {
    if (state_->cluster) {
        Commands one(1, args);  // not a braced list: GCC 12 miscompiles those in coroutines
        auto results = co_await pipeline(std::move(one));
        co_return std::move(results.front());
    }
    // One server: straight to a connection of the caller's loop (the ballot's hot path).
    const auto executor = co_await asio::this_coro::executor;
    auto& conn = state_->single->pick(&asio::query(executor, asio::execution::context));
    const auto started = std::chrono::steady_clock::now();
    auto result = co_await conn.async_command(args, asio::use_awaitable);
    if (auto* o = state_->options.observer; o && result) {
        o->roundtrip(std::chrono::steady_clock::now() - started);
    }
    co_return result;
}

asio::awaitable<std::vector<Result>> Client::pipeline(Commands commands) {
    auto state = state_;  // the refresher may replace pools' map while this call waits
    const auto executor = co_await asio::this_coro::executor;
    const auto* caller = &asio::query(executor, asio::execution::context);
    std::optional<std::uint16_t> slot;
    if (state->cluster) {
        if (auto key = routing_key(commands.front())) slot = key_hash_slot(*key);
    }
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + state->options.command_timeout;
    NodePool* redirected = nullptr;  // MOVED or ASK named this node for the next attempt
    bool asking = false;
    auto pause = std::chrono::milliseconds(10);
    for (int attempt = 0;; ++attempt) {
        NodePool* pool = redirected ? redirected : state->route(slot);
        redirected = nullptr;
        std::vector<Result> results;
        if (!pool) {
            results.assign(commands.size(), failure(Errc::unavailable));
        } else if (asking) {
            // ASKING lets the importing node answer this one command during a slot migration.
            Commands with_asking;
            with_asking.reserve(commands.size() + 1);
            with_asking.push_back({"ASKING"});
            with_asking.insert(with_asking.end(), commands.begin(), commands.end());
            results = co_await pool->pick(caller).async_pipeline(std::move(with_asking),
                                                                 asio::use_awaitable);
            results.erase(results.begin());
        } else {
            results = co_await pool->pick(caller).async_pipeline(commands, asio::use_awaitable);
        }
        asking = false;
        const auto& first = results.front();
        if (first && state->options.observer) {
            state->options.observer->roundtrip(std::chrono::steady_clock::now() - started);
        }
        if (!state->cluster) co_return results;

        // Retried only when the command surely did not run: never sent (no live connection),
        // redirected, or refused by a cluster that is reconfiguring. A command sent whose
        // answer was lost is not replayed: its caller must treat the outcome as unknown.
        bool retry = false, wait = false;
        if (!first && first.error() != Errc::error_reply) {
            state->request_refresh();
            retry = wait = first.error() == Errc::unavailable;
        } else if (!first) {
            const auto& text = first.error().message;
            if (auto redirect = parse_redirect(text)) {
                redirected = &state->pool_for(redirect->node);
                asking = redirect->ask;
                if (!redirect->ask) state->request_refresh();
                retry = true;
                wait = attempt > 2;  // a redirection loop while the map settles: slow down
            } else if (text.starts_with("TRYAGAIN") || text.starts_with("CLUSTERDOWN")) {
                state->request_refresh();
                retry = wait = true;
            }
        }
        if (!retry || attempt >= 100) co_return results;
        if (wait) {
            if (std::chrono::steady_clock::now() + pause > deadline) co_return results;
            asio::steady_timer timer(executor, pause);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            pause = std::min(pause * 2, std::chrono::milliseconds(200));
        }
    }
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
    if (is_noscript(result)) {
        // Redis forgot the script (a restart or a failover): send it whole once.
        cmd[0] = "EVAL";
        cmd[1] = script.source;
        result = co_await send(cmd);
    }
    co_return result;
}

asio::awaitable<std::pair<Result, Result>> Client::eval_and_wait(
    const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
    int replicas, std::chrono::milliseconds timeout) {
    auto build = [&](bool by_sha) {
        Commands cmds(2);
        auto& cmd = cmds[0];
        cmd.reserve(3 + keys.size() + args.size());
        cmd.push_back(by_sha ? "EVALSHA" : "EVAL");
        cmd.push_back(by_sha ? script.sha1 : script.source);
        cmd.push_back(std::to_string(keys.size()));
        cmd.insert(cmd.end(), keys.begin(), keys.end());
        cmd.insert(cmd.end(), args.begin(), args.end());
        cmds[1] = {"WAIT", std::to_string(replicas), std::to_string(timeout.count())};
        return cmds;
    };
    auto results = co_await pipeline(build(true));
    if (is_noscript(results[0])) {
        results = co_await pipeline(build(false));
    }
    co_return std::pair<Result, Result>{std::move(results[0]), std::move(results[1])};
}

asio::awaitable<std::vector<Result>> Client::command_on_masters(std::vector<std::string> args) {
    const auto executor = co_await asio::this_coro::executor;
    const auto* caller = &asio::query(executor, asio::execution::context);
    std::vector<NodePool*> targets;
    {
        std::lock_guard lock(state_->mutex);
        if (!state_->cluster) {
            targets.push_back(state_->single);
        } else {
            targets = state_->masters;
        }
    }
    std::vector<Result> out;
    if (targets.empty()) out.push_back(failure(Errc::unavailable));
    for (auto* pool : targets) {
        // `args` lives in this frame until the reply: async_command reads it, never keeps it.
        out.push_back(co_await pool->pick(caller).async_command(args, asio::use_awaitable));
    }
    co_return out;
}

asio::awaitable<Result> Client::command_on_master(std::string master,
                                                  std::vector<std::string> args) {
    const auto executor = co_await asio::this_coro::executor;
    const auto* caller = &asio::query(executor, asio::execution::context);
    NodePool* target = nullptr;
    {
        std::lock_guard lock(state_->mutex);
        if (!state_->cluster) {
            target = state_->single;
        } else {
            for (auto* m : state_->masters) {
                if (m->name() == master) target = m;
            }
        }
    }
    if (!target) co_return failure(Errc::unavailable);
    co_return co_await target->pick(caller).async_command(args, asio::use_awaitable);
}

bool is_noscript(const Result& result) {
    return !result && result.error() == Errc::error_reply &&
           result.error().message.starts_with("NOSCRIPT");
}

}  // namespace budget::server::redis
