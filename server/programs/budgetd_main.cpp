// budgetd: the server. main only wires the components together; each runs by itself.
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "config/config.hpp"
#include "server/api/app.hpp"
#include "server/api/errors.hpp"
#include "server/core/clock.hpp"
#include "server/core/log.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/http/server.hpp"
#include "server/http/static_files.hpp"
#include "server/http/tls_context.hpp"
#include "server/programs/event_loops.hpp"
#include "server/programs/redis_runtime.hpp"
#include "server/programs/startup.hpp"
#include "server/storage/stores.hpp"

namespace asio = boost::asio;
using namespace budget;
using namespace budget::server;

namespace {

int usage(std::ostream& out, int code) {
    out << "usage: budgetd --config FILE\n";
    return code;
}

std::optional<std::string> config_path_of(int argc, char** argv, int& exit_code) {
    std::string path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            path = arg.substr(9);
        } else if (arg == "--help" || arg == "-h") {
            exit_code = usage(std::cout, 0);
            return std::nullopt;
        } else {
            std::cerr << "budgetd: unknown argument " << arg << "\n";
            exit_code = usage(std::cerr, 2);
            return std::nullopt;
        }
    }
    if (path.empty()) exit_code = usage(std::cerr, 2);
    if (path.empty()) return std::nullopt;
    return path;
}

// Two servers on one data directory would run two Redis on one AOF: refuse the second. The
// lock is held (the descriptor left open) until the process exits.
bool lock_data_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        std::cerr << "budgetd: cannot create data_dir " << dir << ": " << ec.message() << "\n";
        return false;
    }
    ::chmod(dir.c_str(), 0700);
    const auto path = dir + "/budgetd.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        std::cerr << "budgetd: data_dir " << dir << " is in use by another budgetd (or not "
                  << "writable)\n";
        return false;
    }
    return true;
}

// SIGTERM/SIGINT: stop accepting, let requests in flight finish (10 s at most), then stop.
void stop_on_signal(asio::signal_set& signals, http::HttpServer& http,
                    programs::RedisRuntime& redis, programs::EventLoops& loops) {
    signals.async_wait([&](boost::system::error_code e, int sig) {
        if (e) return;
        log_event("info", "shutting_down", {{"signal", sig}});
        http.shutdown();
        auto drain = [&]() -> asio::awaitable<void> {
            asio::steady_timer tick(co_await asio::this_coro::executor);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (http.active_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
                tick.expires_after(std::chrono::milliseconds(20));
                co_await tick.async_wait(asio::use_awaitable);
            }
            redis.stop();
            loops.stop();
        };
        asio::co_spawn(loops.main(), std::move(drain), asio::detached);
    });
}

void log_listening(const config::Config& cfg, const http::HttpServer& http,
                   programs::RedisRuntime& redis) {
    const auto url = std::string(http.tls() ? "https://" : "http://") + cfg.server.listen.host +
                     ":" + std::to_string(http.port()) + "/";
    if (http.redirect_port() != 0) {
        // Logged before "listening", which tells a supervisor (or a test) that all is bound.
        log_event("info", "redirect_listening",
                  {{"port", http.redirect_port()}, {"to", http.public_origin() + "/"}});
    }
    log_event("info", "listening",
              {{"url", url},
               {"port", http.port()},
               {"threads", cfg.server.threads},
               {"redis", redis.describe()},
               {"redis_connected", redis.client().connected()},
               {"campaign", cfg.campaign.id},
               {"web_root", cfg.server.web_root},
               {"questionnaire", cfg.labelling.questionnaire},
               {"public_origin", http.public_origin()},
               {"max_connections", http.max_connections()},
               {"max_connections_per_address", cfg.server.max_connections_per_address}});
}

// "listening" tells a supervisor (and the tests) that budgetd can serve. Its Redis connections
// open on the event loops once they run: the line waits for the first one, so that a request sent
// right after it is not refused with 503. A Redis that stays down does not hold budgetd back
// (health reports it): after a few seconds the line is logged with "redis_connected": false.
asio::awaitable<void> announce_when_ready(const config::Config& cfg, const http::HttpServer& http,
                                          programs::RedisRuntime& redis) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!redis.client().connected() && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
    }
    log_listening(cfg, http, redis);
}

}  // namespace

int main(int argc, char** argv) {
    int exit_code = 0;
    const auto config_path = config_path_of(argc, argv, exit_code);
    if (!config_path) return exit_code;
    config::Config cfg;
    try {
        cfg = config::load_config(*config_path);
    } catch (const config::ConfigError& e) {
        std::cerr << "budgetd: " << e.what() << "\n";
        return 2;
    }
    if (sodium_init() < 0) {
        std::cerr << "budgetd: libsodium could not be initialised\n";
        return 1;
    }
    // A peer that goes away mid-write must cost an error code, not the process.
    std::signal(SIGPIPE, SIG_IGN);
    if (!lock_data_dir(cfg.storage.data_dir)) return 1;

    // Reference data and secrets: any problem stops the start with a one-line reason.
    auto communes = programs::load_communes(cfg);
    auto questionnaire = programs::load_questionnaire(cfg);
    for (const auto* reason :
         {std::get_if<std::string>(&communes), std::get_if<std::string>(&questionnaire)}) {
        if (reason) {
            std::cerr << "budgetd: " << *reason << "\n";
            return 2;
        }
    }
    if (const auto reason = programs::web_root_problem(cfg.server.web_root)) {
        std::cerr << "budgetd: " << *reason << "\n";
        return 2;
    }
    const auto secrets = programs::load_secrets(cfg.storage.data_dir);
    if (!secrets) {
        std::cerr << "budgetd: no keys in " << cfg.storage.data_dir
                  << "/keys; create them with `budgetctl --config " << *config_path
                  << " keys init`\n";
        return 2;
    }
    // The duplicate audit's public key: required in production (docs/verifiability.md).
    const auto audit_key = programs::load_audit_public_key(cfg);
    if (const auto* reason = std::get_if<std::string>(&audit_key)) {
        std::cerr << "budgetd: " << *reason << "\n";
        return 2;
    }
    if (!std::get<std::optional<SealPublicKey>>(audit_key)) {
        log_event("warn", "identity_audit_off",
                  {{"audit_public_key", cfg.identity.audit_public_key},
                   {"reason", "no key file: verified identities are not recorded for the audit"}});
    }
    // HTTPS: a certificate or key that cannot serve stops the start here, before anything runs.
    std::unique_ptr<asio::ssl::context> tls_context;
    if (cfg.tls.enabled()) {
        try {
            tls_context = http::make_tls_context(cfg.tls);
        } catch (const std::exception& e) {
            std::cerr << "budgetd: " << e.what() << "\n";
            return 1;
        }
    }

    // Declared before the loops: a connection may report to them until its loop is destroyed.
    http::Metrics metrics;
    programs::RedisMetrics redis_metrics(metrics);
    programs::EventLoops loops(cfg.server.threads);
    auto started = programs::RedisRuntime::start(cfg, loops.all(), &redis_metrics);
    if (auto* reason = std::get_if<std::string>(&started)) {
        std::cerr << "budgetd: " << *reason << "\n";
        return 1;
    }
    auto& redis = *std::get<std::unique_ptr<programs::RedisRuntime>>(started);
    // Whoever reaches an open Redis can write ballots: in production, refuse to run on one.
    if (cfg.server.production) {
        if (const auto open = programs::unauthenticated_redis(cfg)) {
            std::cerr << "budgetd: Redis at " << *open
                      << " answers without authentication; with [server] production = true, "
                         "give budgetd an ACL user with a password ([redis] user and "
                         "password_file, see docs/deploy.md) and turn the default user off\n";
            return 2;
        }
    }

    const SystemClock clock;
    const auto& questionnaire_ = std::get<labelling::Questionnaire>(questionnaire);
    asio::thread_pool blocking_pool(2);
    storage::Stores stores(redis.client(), cfg, questionnaire_, secrets->signing_key, clock,
                           secrets->pepper, blocking_pool);
    api::IdentityAudit identity_audit(std::get<std::optional<SealPublicKey>>(audit_key),
                                      secrets->pepper, clock, metrics, stores.identity_audit);
    api::AppContext context{cfg,
                            clock,
                            std::get<config::CommuneDirectory>(communes),
                            questionnaire_,
                            secrets->signing_key,
                            secrets->pepper,
                            blocking_pool,
                            metrics,
                            stores,
                            identity_audit};
    api::App app(context);
    http::Router router;
    app.register_routes(router);
    // The site's own pages for an unknown address and a server error (web/404.html, 500.html).
    const http::StaticFiles static_files(cfg.server.web_root,
                                         {.not_found = "/404.html", .internal = "/500.html"});
    http::HttpServer http(loops.main(), cfg.server, router, static_files, metrics,
                          &api::transport_error, loops.all(), {tls_context.get(), cfg.tls});
    try {
        http.start();
    } catch (const std::exception& e) {
        std::cerr << "budgetd: " << e.what() << "\n";
        return 1;
    }
    app.start(loops.main());
    redis.supervise(loops.main());
    asio::co_spawn(loops.main(), announce_when_ready(cfg, http, redis), asio::detached);

    asio::signal_set signals(loops.main(), SIGTERM, SIGINT);
    stop_on_signal(signals, http, redis, loops);
    loops.run();
    blocking_pool.join();
    log_event("info", "stopped");
    return 0;
}
