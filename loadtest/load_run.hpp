#pragma once
// Plays a scenario against a running budgetd on one thread: one coroutine per virtual
// connection, each taking the next resident until all are done.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "loadtest/http_client.hpp"
#include "loadtest/outbox_codes.hpp"
#include "loadtest/run_record.hpp"
#include "loadtest/scenario.hpp"

namespace budget::loadtest {

/// A virtual resident's identity; unique per run and per index, so identities never collide
/// with an earlier run against the same Redis.
struct Resident {
    int index = 0;
    std::string email, first_name, last_name, birth_date, commune;
};

Resident make_resident(std::uint64_t run_tag, int index, const std::vector<std::string>& communes);

class LoadRun {
  public:
    LoadRun(Scenario scenario, bool progress);

    /// Runs the whole scenario; returns its record. Throws std::runtime_error when the engine
    /// cannot be used at all (no ballot to vote on).
    RunRecord run();

    const std::vector<std::string>& choices() const { return choices_; }

  private:
    boost::asio::awaitable<void> main_task();
    boost::asio::awaitable<void> discover(HttpConnection& conn);
    boost::asio::awaitable<void> journey_worker();
    boost::asio::awaitable<void> journey(HttpConnection& conn, const Resident& r);
    boost::asio::awaitable<std::optional<std::string>> login(HttpConnection& conn,
                                                             const Resident& r, bool wrong_first);
    boost::asio::awaitable<void> prepare_worker();
    boost::asio::awaitable<void> ballot_worker(HttpConnection& conn);
    /// Sends one ballot; true when the answer was the expected one.
    boost::asio::awaitable<bool> vote(HttpConnection& conn, Step step, int resident,
                                      const std::string& token,
                                      const std::vector<std::string>& choices);
    boost::asio::awaitable<void> progress_loop();
    boost::asio::awaitable<void> pause(std::chrono::milliseconds d);
    /// Spawns `count` workers made by `make` and waits until every one has returned.
    template <class MakeWorker>
    boost::asio::awaitable<void> run_workers(int count, MakeWorker make);

    /// A new connection whose connects are recorded as the `connect` step.
    std::unique_ptr<HttpConnection> make_connection();
    std::vector<std::string> random_choices();
    bool chance(double share);

    Scenario scenario_;
    bool progress_;
    boost::asio::io_context io_;
    Target target_;
    OutboxCodes codes_;
    boost::asio::steady_timer all_done_;
    boost::asio::steady_timer progress_timer_;
    RunRecord record_;
    std::mt19937_64 rng_;
    std::uint64_t run_tag_ = 0;
    std::vector<std::string> choices_;
    int max_choices_ = 3;
    int next_resident_ = 0;
    int workers_left_ = 0;
    bool finished_ = false;
    std::uint64_t started_residents_ = 0;
    std::vector<std::optional<std::string>> tokens_;  // ballots-only: prepared sessions
    std::size_t next_token_ = 0;
    std::string fatal_;
};

}  // namespace budget::loadtest
