// budgetd: the server. main only wires the components together.
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "server/app.hpp"
#include "server/campaign_store.hpp"
#include "server/crypto.hpp"
#include "server/embedded_redis.hpp"
#include "server/http_server.hpp"
#include "server/log.hpp"
#include "server/metrics.hpp"
#include "server/redis_client.hpp"
#include "server/router.hpp"
#include "server/secrets.hpp"
#include "server/static_files.hpp"
#include "server/tls_context.hpp"

namespace asio = boost::asio;
using namespace budget;

namespace {

int usage(std::ostream& out, int code) {
    out << "usage: budgetd --config FILE\n";
    return code;
}

// Two servers on one data directory would run two Redis on one AOF: refuse the second.
int lock_data_dir(const std::string& dir) {
    const auto path = dir + "/budgetd.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) return -1;
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else if (arg == "--help" || arg == "-h") {
            return usage(std::cout, 0);
        } else {
            std::cerr << "budgetd: unknown argument " << arg << "\n";
            return usage(std::cerr, 2);
        }
    }
    if (config_path.empty()) return usage(std::cerr, 2);

    config::Config cfg;
    try {
        cfg = config::load_config(config_path);
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

    std::error_code ec;
    std::filesystem::create_directories(cfg.storage.data_dir, ec);
    if (ec) {
        std::cerr << "budgetd: cannot create data_dir " << cfg.storage.data_dir << ": "
                  << ec.message() << "\n";
        return 1;
    }
    ::chmod(cfg.storage.data_dir.c_str(), 0700);
    const int lock_fd = lock_data_dir(cfg.storage.data_dir);
    if (lock_fd < 0) {
        std::cerr << "budgetd: data_dir " << cfg.storage.data_dir
                  << " is in use by another budgetd (or not writable)\n";
        return 1;
    }

    // Reference data and secrets: any problem stops the start with a one-line reason.
    std::optional<config::CommuneDirectory> communes;
    std::optional<labelling::Questionnaire> questionnaire;
    try {
        communes =
            config::CommuneDirectory::load(cfg.labelling.communes, cfg.labelling.territories);
        const auto text = config::read_text_file(cfg.labelling.questionnaire);
        if (!text) {
            std::cerr << "budgetd: " << cfg.labelling.questionnaire << ": cannot open the file\n";
            return 2;
        }
        auto loaded = labelling::parse_questionnaire_toml(*text, cfg.labelling.questionnaire);
        if (!loaded) {
            std::cerr << "budgetd: " << loaded.error().message() << "\n";
            return 2;
        }
        questionnaire = std::move(*loaded);
    } catch (const config::ConfigError& e) {
        std::cerr << "budgetd: " << e.what() << "\n";
        return 2;
    }
    const auto signing_key = server::load_signing_key(cfg.storage.data_dir);
    const auto pepper =
        server::crypto::load_key32(server::identity_pepper_path(cfg.storage.data_dir));
    if (!signing_key || !pepper) {
        std::cerr << "budgetd: no keys in " << cfg.storage.data_dir
                  << "/keys; create them with `budgetctl --config " << config_path
                  << " keys init`\n";
        return 2;
    }

    std::optional<server::EmbeddedRedis> embedded;
    server::redis::Target target;
    server::redis::ClusterSeeds cluster_seeds;  // empty: one server
    try {
        if (cfg.redis.embedded) {
            embedded.emplace(cfg.redis.server_binary, cfg.storage.data_dir);
            embedded->start();
            target.unix_path = embedded->socket_path();
        } else if (!cfg.redis.cluster.empty()) {
            for (const auto& seed : cfg.redis.cluster) {
                server::redis::Target node;
                node.host = seed.host;
                node.port = seed.port;
                cluster_seeds.nodes.push_back(std::move(node));
            }
            target = cluster_seeds.nodes.front();
        } else {
            target = server::redis::Target::parse_url(cfg.redis.url);
        }
    } catch (const std::exception& e) {
        std::cerr << "budgetd: " << e.what() << "\n";
        return 1;
    }

    // One event loop per thread: a request is served start to end on one thread, with its own
    // Redis connections, and never waits on a lock or a cross-thread hand-off.
    std::vector<std::unique_ptr<asio::io_context>> loops;
    std::vector<asio::io_context*> workers;
    for (int i = 0; i < cfg.server.threads; ++i) {
        loops.push_back(std::make_unique<asio::io_context>(1));
        workers.push_back(loops.back().get());
    }
    asio::io_context& ioc = *loops.front();
    server::Metrics metrics;
    server::redis::Options redis_options;
    redis_options.command_timeout = cfg.redis.command_timeout;
    // WAIT holds its connection until a replica answers, and every command pipelined behind it
    // waits too: with WAIT, each loop gets enough connections for ballots to wait side by side.
    const int default_connections = cfg.server.threads * (cfg.redis.wait_replicas > 0 ? 16 : 1);
    const int connections =
        cfg.redis.connections > 0 ? cfg.redis.connections : default_connections;
    const int per_loop = std::max(1, connections / cfg.server.threads);
    auto redis_client = cluster_seeds.nodes.empty()
                            ? std::make_unique<server::redis::Client>(
                                  workers, target, redis_options, per_loop, &metrics)
                            : std::make_unique<server::redis::Client>(
                                  workers, cluster_seeds, redis_options, per_loop, &metrics);
    server::redis::Client& redis = *redis_client;
    redis.start();

    server::StaticFiles static_files(cfg.server.web_root);
    asio::thread_pool blocking_pool(2);
    server::AppContext context{cfg,          redis,   metrics,      *communes, *questionnaire,
                               *signing_key, *pepper, blocking_pool};
    server::CampaignStore campaign_store(context);
    context.campaign_store = &campaign_store;
    server::Router router;
    server::App app(context);
    app.register_routes(router);

    app.start(ioc);
    // HTTPS: a certificate or key that cannot serve stops the start here, before listening.
    std::unique_ptr<asio::ssl::context> tls_context;
    if (cfg.tls.enabled()) {
        try {
            tls_context = server::make_tls_context(cfg.tls);
        } catch (const std::exception& e) {
            std::cerr << "budgetd: " << e.what() << "\n";
            if (embedded) embedded->stop();
            return 1;
        }
    }
    server::HttpServer http(ioc, cfg.server, router, static_files, metrics, workers,
                            {tls_context.get(), cfg.tls});
    try {
        http.start();
    } catch (const std::exception& e) {
        std::cerr << "budgetd: " << e.what() << "\n";
        if (embedded) embedded->stop();
        return 1;
    }
    const auto url = std::string(http.tls() ? "https://" : "http://") + cfg.server.listen.host +
                     ":" + std::to_string(http.port()) + "/";
    if (http.redirect_port() != 0) {
        // Logged before "listening", which tells a supervisor (or a test) that all is bound.
        server::log_event("info", "redirect_listening",
                          {{"port", http.redirect_port()}, {"to", url}});
    }
    server::log_event("info", "listening",
                      {{"url", url},
                       {"port", http.port()},
                       {"threads", cfg.server.threads},
                       {"redis", cluster_seeds.nodes.empty() ? target.describe()
                                                             : "cluster:" + target.describe()},
                       {"campaign", cfg.campaign.id}});

    // Supervision of the embedded redis-server: restarted if it dies, without blocking.
    asio::steady_timer supervise(ioc);
    std::function<void()> supervise_tick = [&] {
        supervise.expires_after(std::chrono::milliseconds(500));
        supervise.async_wait([&](boost::system::error_code e) {
            if (e) return;
            if (embedded && embedded->restart_if_exited()) {
                server::log_event("warn", "embedded_redis_restarted");
            }
            supervise_tick();
        });
    };
    if (embedded) supervise_tick();

    // SIGTERM/SIGINT: stop accepting, let requests in flight finish, then stop.
    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code e, int sig) {
        if (e) return;
        server::log_event("info", "shutting_down", {{"signal", sig}});
        http.shutdown();
        supervise.cancel();
        auto drain = [&]() -> asio::awaitable<void> {
            asio::steady_timer tick(co_await asio::this_coro::executor);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (http.active_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
                tick.expires_after(std::chrono::milliseconds(20));
                co_await tick.async_wait(asio::use_awaitable);
            }
            redis.stop();
            for (auto* loop : workers) loop->stop();
        };
        asio::co_spawn(ioc, std::move(drain), asio::detached);
    });

    std::vector<std::thread> threads;
    // The worker loops have no work of their own until a connection arrives: keep them alive.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_alive;
    for (auto* loop : workers) keep_alive.push_back(asio::make_work_guard(*loop));
    for (std::size_t i = 1; i < workers.size(); ++i)
        threads.emplace_back([loop = workers[i]] { loop->run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    blocking_pool.join();
    if (embedded) embedded->stop();
    server::log_event("info", "stopped");
    ::close(lock_fd);
    return 0;
}
