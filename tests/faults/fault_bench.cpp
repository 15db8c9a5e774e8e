#include "tests/faults/fault_bench.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): kill() is POSIX, not in <csignal>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <set>
#include <sstream>

#include "server/core/crypto.hpp"
#include "server/storage/keys.hpp"

namespace budget::faults {

namespace json = boost::json;
using namespace std::chrono_literals;

test::HttpResult call(int port, const std::string& method, const std::string& target,
                      const std::string& body, const std::map<std::string, std::string>& headers) {
    try {
        return test::http_request(port, method, target, body, headers);
    } catch (const std::exception&) {
        return {};
    }
}

namespace {

// Names accepted by voting::name_key: letters only, one distinct name per resident.
std::string letters(std::size_t n) {
    std::string out;
    do {
        out += static_cast<char>('a' + n % 26);
        n /= 26;
    } while (n > 0);
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) out.push_back(line);
    }
    return out;
}

// Runs `n` jobs on a few threads.
template <typename Job>
void parallel(std::size_t n, int threads, Job job) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (std::size_t i = next++; i < n; i = next++) job(i);
        });
    }
    for (auto& t : pool) t.join();
}

// A key of campaign "t", quoted for redis-cli's command line (hash tags hold braces).
std::string quoted(const std::string& key) { return "'" + key + "'"; }
const std::string kLog = quoted(server::storage::keys::ballot_log("t", 0));

}  // namespace

// ------------------------------------------------------------------------------------ Bench

Bench::Bench(std::string extra_server)
    : port_(test::free_port()),
      // The rate limits are raised: every resident of the test comes from 127.0.0.1. The ballot
      // is sealed as an operator seals a load test's, before budgetd starts.
      campaign_({.port = port_,
                 .server_lines = std::move(extra_server),
                 .command_timeout_ms = 1000,
                 .otp_lines = "max_requests_per_ip_hour = 1000000\n"},
                {.ballot = {{"a"}, {"b"}, {"c"}, {"d"}}}) {
    REQUIRE(redis().cli("CONFIG GET appendfsync").find("always") != std::string::npos);
}

void Bench::start_budgetd() { campaign_.start(); }

void Bench::kill_budgetd() {
    const pid_t pid = campaign_.budgetd().pid();
    REQUIRE(pid > 0);
    ::kill(pid, SIGKILL);
    // Wait for the death without reaping: Budgetd's destructor reaps it.
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
    campaign_.stop();
}

int Bench::redis_pid() {
    const auto info = redis().cli("INFO server");
    const auto at = info.find("process_id:");
    REQUIRE(at != std::string::npos);
    return std::stoi(info.substr(at + 11));
}

std::vector<Voter> Bench::login(int count, const std::string& tag) {
    std::vector<Voter> voters(static_cast<std::size_t>(count));
    std::atomic<int> refused{0};
    // Nothing may throw on a worker thread: a request that gets no answer counts as refused.
    const auto answer = [](const auto& request) {
        try {
            return request();
        } catch (const std::exception&) {
            return test::HttpResult{};
        }
    };
    parallel(voters.size(), 4, [&](std::size_t i) {
        voters[i].email = tag + std::to_string(i) + "@example.org";
        if (answer([&] { return campaign_.challenge(voters[i].email); }).status != 202) ++refused;
        // One to three distinct initiatives, varying with the resident.
        static const std::vector<std::string> ids{"a", "b", "c", "d"};
        for (std::size_t k = 0; k < 1 + i % 3; ++k) voters[i].choices.push_back(ids[(i + k) % 4]);
    });
    REQUIRE(refused == 0);
    parallel(voters.size(), 4, [&](std::size_t i) {
        auto& v = voters[i];
        // One given name each: residents who share a first given name, a last name and a birth
        // date are one person (voting::identity_claims).
        const test::Resident resident{v.email, "Votant" + letters(i), "Faute " + tag};
        const auto r =
            answer([&] { return campaign_.verify(resident, campaign_.last_code(v.email)); });
        if (r.status != 200) {
            ++refused;
            return;
        }
        v.token = std::string(json::parse(r.body).at("token").as_string());
    });
    REQUIRE(refused == 0);
    return voters;
}

bool Bench::wait_healthy(std::chrono::milliseconds timeout,
                         std::chrono::milliseconds* elapsed) const {
    const auto started = Clock::now();
    const bool ok = test::eventually(
        [&] { return call(port_, "GET", "/api/v1/health").status == 200; }, timeout);
    if (elapsed)
        *elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    return ok;
}

// ------------------------------------------------------------------------------- VoteStream

VoteStream::VoteStream(int port, std::vector<Voter> voters, int workers,
                       std::chrono::milliseconds pacing, std::chrono::milliseconds give_up_after)
    : port_(port),
      voters_(std::move(voters)),
      records_(voters_.size()),
      pacing_(pacing),
      give_up_after_(give_up_after) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

VoteStream::~VoteStream() { join(); }

void VoteStream::join() {
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
}

void VoteStream::work() {
    for (std::size_t i = next_++; i < voters_.size(); i = next_++) {
        const auto& voter = voters_[i];
        auto& record = records_[i];
        json::array choices;
        for (const auto& c : voter.choices) choices.emplace_back(c);
        const auto body = json::serialize(json::object{{"choices", choices}});
        const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + voter.token}};
        // Every seventh resident tries a second ballot once the first is settled.
        const int ballots = i % 7 == 3 ? 2 : 1;
        for (int attempt_ballot = 0; attempt_ballot < ballots; ++attempt_ballot) {
            const auto deadline = Clock::now() + give_up_after_;
            while (true) {
                const auto sent = Clock::now();
                const auto r = call(port_, "POST", "/api/v1/ballots", body, auth);
                const auto received = Clock::now();
                {
                    std::lock_guard lock(mutex_);
                    ++statuses_[r.status];
                    latencies_.push_back(
                        std::chrono::duration<double, std::milli>(received - sent).count());
                    if (r.status == 201) acks_.push_back({sent, received});
                }
                if (r.status == 201) {
                    ++record.receipts;
                    record.final_status = 201;
                    const auto receipt = json::parse(r.body).at("receipt").as_object();
                    record.ballot_id = std::string(receipt.at("ballot_id").as_string());
                    record.ballot_hash = std::string(receipt.at("ballot_hash").as_string());
                    break;
                }
                if (r.status == 0 || r.status == 503) {
                    record.uncertain = true;
                    if (Clock::now() > deadline) {
                        if (record.final_status != 201) record.final_status = 0;
                        break;
                    }
                    // The web page's back-off before it sends the ballot again: time passes.
                    std::this_thread::sleep_for(100ms);
                    continue;
                }
                if (record.final_status != 201) record.final_status = r.status;
                break;
            }
        }
        ++settled_;
        // Pacing: residents arrive spread over time, so that a fault lands mid-stream.
        std::this_thread::sleep_for(pacing_);
    }
}

std::vector<Acknowledgement> VoteStream::acknowledgements() const {
    std::lock_guard lock(mutex_);
    return acks_;
}

std::map<int, int> VoteStream::statuses() const {
    std::lock_guard lock(mutex_);
    return statuses_;
}

std::vector<double> VoteStream::latencies_ms() const {
    std::lock_guard lock(mutex_);
    return latencies_;
}

std::size_t acknowledged_within(const VoteStream& stream, Clock::time_point from,
                                Clock::time_point to) {
    std::size_t n = 0;
    for (const auto& a : stream.acknowledgements()) {
        if (a.sent > from && a.received < to) ++n;
    }
    return n;
}

// -------------------------------------------------------------------------------- Slowloris

Slowloris::Slowloris(int port, int count) : port_(port), count_(count) {
    thread_ = std::thread([this] { run(); });
}

Slowloris::~Slowloris() { stop(); }

void Slowloris::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

int Slowloris::open_one() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    ++opened_;
    return fd;
}

void Slowloris::run() {
    static const std::string kRequest =
        "POST /api/v1/ballots HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/json\r\nX-Slow: "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    struct Slow {
        int fd = -1;
        std::size_t sent = 0;
    };
    std::vector<Slow> conns(static_cast<std::size_t>(count_));
    for (auto& c : conns) c.fd = open_one();
    while (!stopping_) {
        for (auto& c : conns) {
            if (c.fd < 0) {
                c = Slow{open_one(), 0};
                continue;
            }
            // Cut by the server? (a read of 0, or an error)
            char buf[512];
            const auto n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
            const bool cut = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
                             ::send(c.fd, &kRequest[c.sent % kRequest.size()], 1,
                                    MSG_NOSIGNAL | MSG_DONTWAIT) < 0;
            if (cut) {
                ++cut_;
                ::close(c.fd);
                c = Slow{open_one(), 0};
                continue;
            }
            ++c.sent;
        }
        // One byte a second per connection (a slow client), in steps that notice stop().
        for (int i = 0; i < 10 && !stopping_; ++i) std::this_thread::sleep_for(100ms);
    }
    for (auto& c : conns) {
        if (c.fd >= 0) ::close(c.fd);
    }
}

// --------------------------------------------------------------------------------- Outcome

Outcome check_outcome(Bench& bench, const VoteStream& stream, const std::string& scenario) {
    Outcome o;
    o.voters = stream.records().size();
    o.statuses = stream.statuses();

    std::set<std::string> logged;
    const auto log = lines_of(bench.redis().cli("LRANGE " + kLog + " 0 -1"));
    o.in_log = log.size();
    for (const auto& entry : log) {
        boost::system::error_code ec;
        const auto v = json::parse(entry, ec);
        REQUIRE_FALSE(ec);
        if (!logged.insert(std::string(v.at("ballot_id").as_string())).second) ++o.duplicate_ids;
    }
    o.voted_keys = lines_of(bench.redis().cli("--scan --pattern " +
                                              quoted(server::storage::keys::voted_pattern("t", 0))))
                       .size();
    o.receipts_hash = std::stoul(
        "0" + bench.redis().cli("HLEN " + quoted(server::storage::keys::receipts("t", 0))));
    o.stats_total = std::stoul(
        "0" + bench.redis().cli("HGET " + quoted(server::storage::keys::ballot_stats("t", 0)) +
                                " total"));

    for (const auto& r : stream.records()) {
        if (r.receipts > 1) ++o.double_receipts;
        if (r.receipts >= 1) {
            ++o.acknowledged;
            if (!logged.count(r.ballot_id)) ++o.missing;
        } else if (r.final_status == 409) {
            ++o.conflicts_without_receipt;
        } else if (r.final_status == 0) {
            ++o.gave_up;
        }
    }
    o.stored_unacknowledged = o.in_log >= o.acknowledged ? o.in_log - o.acknowledged : 0;

    std::string statuses;
    for (const auto& [status, count] : o.statuses) {
        statuses += (statuses.empty() ? "" : " ") +
                    (status == 0 ? std::string("none") : std::to_string(status)) + ":" +
                    std::to_string(count);
    }
    std::printf(
        "[faults] %-28s voters %zu | acknowledged %zu | found in log %zu | acknowledged but "
        "missing %zu"
        " | duplicate ids %zu | voted markers %zu | stored without receipt %zu (told 409 on retry: "
        "%zu,"
        " gave up: %zu) | two receipts %zu | answers {%s}\n",
        scenario.c_str(), o.voters, o.acknowledged, o.in_log, o.missing, o.duplicate_ids,
        o.voted_keys, o.stored_unacknowledged, o.conflicts_without_receipt, o.gave_up,
        o.double_receipts, statuses.c_str());
    std::fflush(stdout);

    INFO(scenario);
    // No acknowledged ballot is lost.
    CHECK(o.missing == 0);
    // One resident, one ballot: one voted marker per logged ballot, never two receipts.
    CHECK(o.duplicate_ids == 0);
    CHECK(o.double_receipts == 0);
    CHECK(o.voted_keys == o.in_log);
    // Nothing half-done: every logged ballot has its receipt index and is counted.
    CHECK(o.receipts_hash == o.in_log);
    CHECK(o.stats_total == o.in_log);
    // A ballot stored without a receipt belongs to a resident who never got one (and was told
    // "already voted" on retry, or gave up): never to anybody else.
    CHECK(o.in_log >= o.acknowledged);
    CHECK(o.stored_unacknowledged <= o.conflicts_without_receipt + o.gave_up);
    CHECK(o.conflicts_without_receipt <= o.stored_unacknowledged);
    return o;
}

}  // namespace budget::faults
