#include "loadtest/load_run.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace budget::loadtest {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string letters(std::uint64_t n) {
    std::string out;
    do {
        out.insert(out.begin(), static_cast<char>('a' + n % 26));
        n /= 26;
    } while (n != 0);
    return out;
}

std::string two_digits(int n) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", n);
    return buf;
}

std::vector<std::string> ids_of(const json::value& initiatives) {
    std::vector<std::string> ids;
    if (!initiatives.is_array()) return ids;
    for (const auto& i : initiatives.as_array()) {
        const auto* id = i.is_object() ? i.as_object().if_contains("id") : nullptr;
        if (id && id->is_string()) ids.emplace_back(id->as_string());
    }
    return ids;
}

// The initiative ids of a GET /api/v1/ballot-definition or GET /api/v1/initiatives answer.
std::vector<std::string> ids_from_answer(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec) return {};
    if (v.is_array()) return ids_of(v);
    if (!v.is_object()) return {};
    auto& o = v.as_object();
    if (const auto* list = o.if_contains("initiatives")) return ids_of(*list);
    if (const auto* doc = o.if_contains("document")) {
        if (doc->is_string()) {
            const auto inner = json::parse(doc->as_string(), ec);
            if (!ec && inner.is_object()) {
                if (const auto* list = inner.as_object().if_contains("initiatives"))
                    return ids_of(*list);
            }
        } else if (doc->is_object()) {
            if (const auto* list = doc->as_object().if_contains("initiatives"))
                return ids_of(*list);
        }
    }
    return {};
}

const char* const kFirstNames[] = {"Léa",   "Hugo",  "Chloé", "Louis", "Emma",
                                   "Jules", "Manon", "Lucas", "Inès",  "Théo"};

}  // namespace

Resident make_resident(std::uint64_t run_tag, int index, const std::vector<std::string>& communes) {
    Resident r;
    r.index = index;
    char tag[24];
    std::snprintf(tag, sizeof tag, "%010llx", static_cast<unsigned long long>(run_tag));
    r.email = "lt-" + std::string(tag) + "-" + std::to_string(index) + "@loadtest.example.org";
    r.first_name = kFirstNames[index % 10];
    r.last_name = "Charge " + letters(run_tag) + " " + letters(static_cast<std::uint64_t>(index));
    r.birth_date = std::to_string(1940 + (index * 37) % 70) + "-" + two_digits(1 + index % 12) +
                   "-" + two_digits(1 + (index * 7) % 28);
    r.commune = communes[static_cast<std::size_t>(index) % communes.size()];
    return r;
}

LoadRun::LoadRun(Scenario scenario, bool progress)
    : scenario_(std::move(scenario)),
      progress_(progress),
      target_(resolve_target(scenario_.url)),
      codes_(io_.get_executor(), scenario_.outbox),
      all_done_(io_),
      progress_timer_(io_),
      rng_(scenario_.seed ? scenario_.seed : std::random_device{}()) {
    std::random_device rd;
    run_tag_ = ((std::uint64_t{rd()} << 32) ^ rd()) & 0xffffffffffULL;
    max_choices_ = scenario_.max_choices;
}

bool LoadRun::chance(double share) {
    if (share <= 0) return false;
    if (share >= 1) return true;
    return std::uniform_real_distribution<double>(0, 1)(rng_) < share;
}

std::unique_ptr<HttpConnection> LoadRun::make_connection() {
    auto conn = std::make_unique<HttpConnection>(io_.get_executor(), target_,
                                                 std::chrono::milliseconds(scenario_.timeout_ms));
    conn->observe_connects([this](Clock::time_point start, bool ok) {
        record_.record_wait(Step::connect, start, ok);
    });
    return conn;
}

std::vector<std::string> LoadRun::random_choices() {
    const auto most =
        std::min<std::size_t>(static_cast<std::size_t>(max_choices_), choices_.size());
    const auto k = std::uniform_int_distribution<std::size_t>(1, most)(rng_);
    std::vector<std::string> pool = choices_;
    for (std::size_t i = 0; i < k; ++i) {
        const auto j = std::uniform_int_distribution<std::size_t>(i, pool.size() - 1)(rng_);
        std::swap(pool[i], pool[j]);
    }
    pool.resize(k);
    return pool;
}

RunRecord LoadRun::run() {
    auto on_done = [this](const std::exception_ptr& e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            fatal_ = ex.what();
        }
    };
    asio::co_spawn(io_, main_task(), on_done);
    io_.run();
    if (!fatal_.empty()) throw std::runtime_error(fatal_);
    return std::move(record_);
}

asio::awaitable<void> LoadRun::pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(d);
    auto [ec] = co_await t.async_wait(use_nothrow);
    (void)ec;
}

template <class MakeWorker>
asio::awaitable<void> LoadRun::run_workers(int count, MakeWorker make) {
    workers_left_ = count;
    auto on_done = [this](const std::exception_ptr& e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "budget-loadtest: a worker failed: " << ex.what() << "\n";
            }
        }
        if (--workers_left_ == 0) all_done_.cancel();
    };
    for (int i = 0; i < count; ++i) asio::co_spawn(io_, make(i), on_done);
    while (workers_left_ > 0) {
        all_done_.expires_at(Clock::time_point::max());
        auto [ec] = co_await all_done_.async_wait(use_nothrow);
        (void)ec;
    }
}

asio::awaitable<void> LoadRun::main_task() {
    const std::chrono::milliseconds timeout(scenario_.timeout_ms);
    {
        HttpConnection conn(io_.get_executor(), target_, timeout);
        co_await discover(conn);
    }
    if (choices_.empty()) {
        fatal_ =
            "no initiative to vote on: neither GET /api/v1/ballot-definition nor GET "
            "/api/v1/initiatives listed any; pass --choices id1,id2,...";
        co_return;
    }
    auto on_ignored = [](const std::exception_ptr&) {};
    asio::co_spawn(io_, codes_.run(), on_ignored);
    if (progress_) asio::co_spawn(io_, progress_loop(), on_ignored);

    record_.started = Clock::now();
    if (scenario_.mode == Mode::journey) {
        auto make = [this](int) { return journey_worker(); };
        co_await run_workers(scenario_.connections, make);
    } else {
        tokens_.assign(static_cast<std::size_t>(scenario_.residents), std::nullopt);
        const int preparers =
            scenario_.prepare_connections ? scenario_.prepare_connections : scenario_.connections;
        auto make_preparer = [this](int) { return prepare_worker(); };
        co_await run_workers(preparers, make_preparer);
        record_.prepare_seconds =
            std::chrono::duration<double>(Clock::now() - record_.started).count();

        // Phase 2 starts on open connections, so that only ballots are timed.
        std::vector<std::unique_ptr<HttpConnection>> conns;
        for (int i = 0; i < scenario_.connections; ++i) {
            conns.push_back(make_connection());
            const bool connected = co_await conns.back()->connect();
            if (!connected) std::cerr << "budget-loadtest: connection " << i << " failed\n";
        }
        // Always said: scripts wait for this line to start a profiler on the timed phase only.
        std::cerr << "budget-loadtest: sessions ready, firing ballots" << std::endl;
        const auto t0 = Clock::now();
        auto make_voter = [this, &conns](int i) {
            return ballot_worker(*conns[static_cast<std::size_t>(i)]);
        };
        co_await run_workers(scenario_.connections, make_voter);
        const auto seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        std::cerr << "budget-loadtest: ballots done" << std::endl;
        record_.ballot_phase =
            RunRecord::BallotPhase{record_.steps[static_cast<std::size_t>(Step::ballot)].count(),
                                   seconds, scenario_.connections};
    }
    record_.finished = Clock::now();
    finished_ = true;
    codes_.stop();
    progress_timer_.cancel();
}

asio::awaitable<void> LoadRun::discover(HttpConnection& conn) {
    const HttpCall campaign_call{http::verb::get, "/api/v1/campaign", "", "", ""};
    const auto campaign = co_await conn.send(campaign_call);
    if (campaign.status == 200) {
        boost::system::error_code ec;
        const auto v = json::parse(campaign.body, ec);
        const auto* m = !ec && v.is_object() ? v.as_object().if_contains("max_choices") : nullptr;
        if (m && m->is_int64() && m->as_int64() >= 1)
            max_choices_ = static_cast<int>(m->as_int64());
    }
    if (!scenario_.choices.empty()) {
        choices_ = scenario_.choices;
        co_return;
    }
    const HttpCall definition_call{http::verb::get, "/api/v1/ballot-definition", "", "", ""};
    const auto definition = co_await conn.send(definition_call);
    if (definition.status == 200) choices_ = ids_from_answer(definition.body);
    if (!choices_.empty()) co_return;
    const HttpCall list_call{http::verb::get, "/api/v1/initiatives", "", "", ""};
    const auto list = co_await conn.send(list_call);
    if (list.status == 200) choices_ = ids_from_answer(list.body);
}

asio::awaitable<void> LoadRun::progress_loop() {
    while (!finished_) {
        progress_timer_.expires_after(std::chrono::seconds(2));
        auto [ec] = co_await progress_timer_.async_wait(use_nothrow);
        if (finished_) break;
        (void)ec;
        const auto t = std::chrono::duration<double>(Clock::now() - record_.started).count();
        std::uint64_t unexpected = 0;
        for (const auto& [k, u] : record_.unexpected) unexpected += u.count;
        std::fprintf(stderr,
                     "[%6.1fs] residents started %llu/%d, sessions %llu, receipts %zu, "
                     "unexpected %llu\n",
                     t, static_cast<unsigned long long>(started_residents_), scenario_.residents,
                     static_cast<unsigned long long>(
                         record_.steps[static_cast<std::size_t>(Step::verify)].statuses[200]),
                     record_.receipts.size(), static_cast<unsigned long long>(unexpected));
    }
}

asio::awaitable<std::optional<std::string>> LoadRun::login(HttpConnection& conn, const Resident& r,
                                                           bool wrong_first) {
    json::object challenge_body;
    challenge_body["email"] = r.email;
    const HttpCall challenge{http::verb::post, "/api/v1/auth/challenge",
                             json::serialize(challenge_body), "", ""};
    const auto sent = co_await conn.send(challenge);
    if (!record_.record(Step::challenge, sent.sent_at, sent.status, sent.body, sent.error, 202, ""))
        co_return std::nullopt;

    const auto wait_start = Clock::now();
    const std::chrono::milliseconds code_timeout(scenario_.code_timeout_ms);
    const auto code = co_await codes_.wait_code(r.email, code_timeout);
    record_.record_wait(Step::code_wait, wait_start, code.has_value());
    if (!code) co_return std::nullopt;

    json::object verify_body;
    verify_body["email"] = r.email;
    verify_body["first_name"] = r.first_name;
    verify_body["last_name"] = r.last_name;
    verify_body["birth_date"] = r.birth_date;
    verify_body["commune"] = r.commune;
    if (wrong_first) {
        const auto wrong = std::to_string((std::stoi(*code) + 1) % 1'000'000);
        verify_body["code"] = std::string(6 - wrong.size(), '0') + wrong;
        const HttpCall wrong_call{http::verb::post, "/api/v1/auth/verify",
                                  json::serialize(verify_body), "", ""};
        const auto refused = co_await conn.send(wrong_call);
        record_.record(Step::verify_wrong, refused.sent_at, refused.status, refused.body,
                       refused.error, 401, "invalid_code");
    }
    verify_body["code"] = *code;
    const HttpCall verify_call{http::verb::post, "/api/v1/auth/verify",
                               json::serialize(verify_body), "", ""};
    const auto verified = co_await conn.send(verify_call);
    if (!record_.record(Step::verify, verified.sent_at, verified.status, verified.body,
                        verified.error, 200, ""))
        co_return std::nullopt;
    boost::system::error_code ec;
    const auto v = json::parse(verified.body, ec);
    const auto* token = !ec && v.is_object() ? v.as_object().if_contains("token") : nullptr;
    if (!token || !token->is_string()) {
        ++record_.unexpected[{Step::verify, 200, "no_token"}].count;
        co_return std::nullopt;
    }
    co_return std::string(token->as_string());
}

asio::awaitable<bool> LoadRun::vote(HttpConnection& conn, Step step, int resident,
                                    const std::string& token,
                                    const std::vector<std::string>& choices) {
    json::object body;
    body["choices"] = json::array(choices.begin(), choices.end());
    HttpCall call{http::verb::post, "/api/v1/ballots", json::serialize(body), token, ""};
    const int expected = step == Step::ballot ? 201 : step == Step::ballot_invalid ? 422 : 409;
    const std::string expected_code = step == Step::ballot           ? ""
                                      : step == Step::ballot_invalid ? "invalid_choices"
                                                                     : "already_voted";
    // As the page does: one key per ballot, the same for every retry, so that a ballot recorded
    // whose answer was lost comes back as its receipt instead of "already voted".
    const int retries = step == Step::ballot ? scenario_.ballot_retries : 0;
    if (retries > 0) {
        char key[40];
        std::snprintf(key, sizeof key, "lt-%010llx-%08x", static_cast<unsigned long long>(run_tag_),
                      static_cast<unsigned>(resident));
        call.idempotency_key = key;
    }
    HttpAnswer answer;
    bool as_expected = false;
    for (int attempt = 0;; ++attempt) {
        answer = co_await conn.send(call);
        as_expected = record_.record(step, answer.sent_at, answer.status, answer.body, answer.error,
                                     expected, expected_code);
        const bool unclear = answer.status == 0 || answer.status >= 500;
        if (!unclear || attempt >= retries) break;
        ++record_.ballot_retries;
        co_await pause(std::chrono::milliseconds(500));
    }
    if (answer.status == 0 || answer.status >= 500) ++record_.ballots_unknown;
    if (answer.status == 201) {
        boost::system::error_code ec;
        const auto v = json::parse(answer.body, ec);
        const auto* receipt = !ec && v.is_object() ? v.as_object().if_contains("receipt") : nullptr;
        const auto* o = receipt && receipt->is_object() ? &receipt->as_object() : nullptr;
        const auto* id = o ? o->if_contains("ballot_id") : nullptr;
        const auto* hash = o ? o->if_contains("ballot_hash") : nullptr;
        if (id && id->is_string() && hash && hash->is_string()) {
            Receipt r{std::string(id->as_string()), std::string(hash->as_string()), choices,
                      resident};
            std::sort(r.choices.begin(), r.choices.end());
            record_.add_receipt(std::move(r));
        } else {
            auto& u = record_.unexpected[{step, 201, "malformed_receipt"}];
            if (u.count++ == 0) u.example = answer.body.substr(0, 300);
        }
    }
    co_return as_expected&& answer.status == 201;
}

asio::awaitable<void> LoadRun::journey_worker() {
    const auto connection = make_connection();
    auto& conn = *connection;
    while (next_resident_ < scenario_.residents) {
        const int index = next_resident_++;
        if (scenario_.rate > 0) {
            const auto due =
                record_.started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(index / scenario_.rate));
            if (due > Clock::now()) {
                const auto wait =
                    std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
                co_await pause(wait);
            }
        }
        ++started_residents_;
        const auto resident = make_resident(run_tag_, index, scenario_.communes);
        co_await journey(conn, resident);
    }
}

asio::awaitable<void> LoadRun::journey(HttpConnection& conn, const Resident& r) {
    const bool wrong_first = chance(scenario_.mix.wrong_code);
    const auto token = co_await login(conn, r, wrong_first);
    if (!token) {
        ++record_.residents_abandoned;
        co_return;
    }
    const auto think = [this] {
        return std::chrono::milliseconds(
            scenario_.think_ms ? std::uniform_int_distribution<int>(0, scenario_.think_ms)(rng_)
                               : 0);
    };
    if (chance(scenario_.mix.fetch_ballot)) {
        const auto wait = think();
        if (wait.count()) co_await pause(wait);
        const HttpCall call{http::verb::get, "/api/v1/initiatives", "", "", ""};
        const auto answer = co_await conn.send(call);
        record_.record(Step::fetch_ballot, answer.sent_at, answer.status, answer.body, answer.error,
                       0, "");
    }
    if (chance(scenario_.mix.invalid_ballot)) {
        auto choices = random_choices();
        if (static_cast<int>(choices.size()) >= max_choices_) choices.pop_back();
        choices.emplace_back("zz-loadtest-unknown-initiative");
        co_await vote(conn, Step::ballot_invalid, r.index, *token, choices);
    }
    const auto wait = think();
    if (wait.count()) co_await pause(wait);
    const auto choices = random_choices();
    const bool voted = co_await vote(conn, Step::ballot, r.index, *token, choices);
    if (voted && chance(scenario_.mix.duplicate)) {
        const auto again = random_choices();
        co_await vote(conn, Step::ballot_duplicate, r.index, *token, again);
    }
    if (voted)
        ++record_.residents_done;
    else
        ++record_.residents_abandoned;
}

asio::awaitable<void> LoadRun::prepare_worker() {
    const auto connection = make_connection();
    auto& conn = *connection;
    while (next_resident_ < scenario_.residents) {
        const int index = next_resident_++;
        ++started_residents_;
        const auto resident = make_resident(run_tag_, index, scenario_.communes);
        auto token = co_await login(conn, resident, false);
        if (!token) ++record_.residents_abandoned;
        tokens_[static_cast<std::size_t>(index)] = std::move(token);
    }
}

asio::awaitable<void> LoadRun::ballot_worker(HttpConnection& conn) {
    while (next_token_ < tokens_.size()) {
        const auto index = next_token_++;
        if (!tokens_[index]) continue;
        const auto choices = random_choices();
        const bool voted =
            co_await vote(conn, Step::ballot, static_cast<int>(index), *tokens_[index], choices);
        if (voted)
            ++record_.residents_done;
        else
            ++record_.residents_abandoned;
    }
}

}  // namespace budget::loadtest
