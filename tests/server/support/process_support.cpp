#include "tests/server/support/process_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): kill() is POSIX, not in <csignal>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace budget::test {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "budget-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    if (std::getenv("BUDGET_KEEP_TEST_DIRS")) return;  // for post-mortems of a failing test
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string rfc3339_utc(std::int64_t unix) {
    std::time_t t = unix;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

// Ports the kernel picks for outgoing connections (ip_local_port_range, 32768-60999 by default)
// can be taken by any client between our check and the server's bind: a test takes its ports
// below that range. Each is reserved by a lock file for the life of the test program, so that two
// programs run side by side (ctest -j) never pick the same one.
bool bindable(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

bool reserve(int port) {
    const auto dir = fs::temp_directory_path() / "budget-test-ports";
    std::error_code ignored;
    fs::create_directories(dir, ignored);
    fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit, ignored);
    const auto path = dir / std::to_string(port);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;
    }
    return true;  // the descriptor stays open: the lock lasts until the program exits
}

int reserved_port(int low, int high, int companion_offset) {
    static std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
    std::uniform_int_distribution<int> pick(low, high - 1);
    for (int attempt = 0; attempt < 500; ++attempt) {
        const int port = pick(random);
        if (!bindable(port) || (companion_offset && !bindable(port + companion_offset))) continue;
        if (!reserve(port) || (companion_offset && !reserve(port + companion_offset))) continue;
        if (bindable(port) && (!companion_offset || bindable(port + companion_offset))) return port;
    }
    throw std::runtime_error("free_port: no free loopback port below the ephemeral range");
}

// A cluster node also listens on its port + 10000 (the cluster bus): both are reserved.
int free_cluster_port() { return reserved_port(10000, 18000, 10000); }

}  // namespace

int free_port() { return reserved_port(20000, 28000, 0); }

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& stderr_path,
            const std::vector<std::string>& env = {}) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        const int err = stderr_path.empty()
                            ? devnull
                            : open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(err, STDERR_FILENO);
        for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
        execvp(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    int status = 0;
    if (eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout))
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

RedisServer::RedisServer(std::string dir, int port, bool aof_always, std::vector<std::string> extra)
    : dir_(std::move(dir)),
      port_(port ? port : free_port()),
      aof_always_(aof_always),
      extra_(std::move(extra)) {
    start();
}

RedisServer::~RedisServer() { stop(); }

void RedisServer::start() {
    fs::create_directories(dir_);
    std::vector<std::string> args{"redis-server",
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--dir",
                                  dir_,
                                  "--save",
                                  "",
                                  "--appendonly",
                                  aof_always_ ? "yes" : "no",
                                  "--appendfsync",
                                  "always",
                                  "--daemonize",
                                  "no",
                                  "--logfile",
                                  dir_ + "/redis.log"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = spawn(args, "");
    const bool up = eventually([&] { return cli("PING") == "PONG"; }, std::chrono::seconds(10));
    if (!up)
        throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
}

void RedisServer::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    wait_exit(pid_, std::chrono::seconds(10));
    pid_ = -1;
}

void RedisServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_exit(pid_, std::chrono::seconds(10));
    pid_ = -1;
}

std::string RedisServer::cli(const std::string& args) const {
    auto [code, out] =
        run_command("redis-cli -p " + std::to_string(port_) + " " + cli_auth_ + args);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

void RedisServer::lock_down(const std::string& acl_line) {
    std::istringstream words(acl_line);
    std::string word, command = "ACL SETUSER";
    words >> word;  // "user"
    if (word != "user") throw std::runtime_error("not an ACL user line: " + acl_line);
    while (words >> word) command += " '" + word + "'";  // rules hold * | # >, never quotes
    if (cli(command) != "OK") throw std::runtime_error("redis refused: " + command);
    if (cli("ACL SETUSER admin on '>admin-password' '~*' '&*' '+@all'") != "OK")
        throw std::runtime_error("redis refused the admin user");
    if (cli("ACL SETUSER default off") != "OK")
        throw std::runtime_error("redis refused to turn the default user off");
    cli_auth_ = "--user admin --pass admin-password --no-auth-warning ";
}

RedisCluster::RedisCluster(const std::string& dir, int masters, int replicas_per_master) {
    const int count = masters * (1 + replicas_per_master);
    std::string addresses;
    for (int i = 0; i < count; ++i) {
        const int port = free_cluster_port();
        const auto node_dir = dir + "/node-" + std::to_string(port);
        nodes_.push_back(std::make_unique<RedisServer>(
            node_dir, port, true,
            std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file",
                                     node_dir + "/nodes.conf", "--cluster-node-timeout", "1000"}));
        addresses += " 127.0.0.1:" + std::to_string(port);
    }
    auto [code, out] =
        run_command("redis-cli --cluster create" + addresses + " --cluster-replicas " +
                    std::to_string(replicas_per_master) + " --cluster-yes");
    if (code != 0) throw std::runtime_error("redis-cli --cluster create failed: " + out);
    if (!wait_ok(std::chrono::seconds(30)))
        throw std::runtime_error("the cluster did not reach cluster_state:ok");
    // Replicas must have finished their first sync before a test relies on WAIT.
    const bool synced = eventually(
        [&] {
            for (const auto& n : nodes_) {
                const auto info = n->cli("INFO replication");
                if (info.find("role:slave") != std::string::npos &&
                    info.find("master_link_status:up") == std::string::npos)
                    return false;
            }
            return true;
        },
        std::chrono::seconds(30));
    if (!synced) throw std::runtime_error("the cluster replicas did not sync");
}

std::vector<int> RedisCluster::ports() const {
    std::vector<int> out;
    for (const auto& n : nodes_) out.push_back(n->port());
    return out;
}

RedisServer* RedisCluster::node_on(int port) {
    for (auto& n : nodes_) {
        if (n->port() == port) return n.get();
    }
    return nullptr;
}

bool RedisCluster::wait_ok(std::chrono::milliseconds timeout) const {
    return eventually(
        [&] {
            int live = 0;
            for (const auto& n : nodes_) {
                const auto info = n->cli("CLUSTER INFO");
                if (info.find("Could not connect") != std::string::npos) continue;
                if (info.find("cluster_state:ok") == std::string::npos) return false;
                ++live;
            }
            return live > 0;
        },
        timeout);
}

int RedisCluster::master_of_slot(int slot) const {
    for (const auto& n : nodes_) {
        // "CLUSTER SHARDS" is newer; CLUSTER NODES lines: id addr flags master ... slots...
        const auto out = n->cli("CLUSTER NODES");
        if (out.empty() || out.find("Could not connect") != std::string::npos) continue;
        std::istringstream lines(out);
        std::string line;
        while (std::getline(lines, line)) {
            std::istringstream fields(line);
            std::vector<std::string> f;
            for (std::string w; fields >> w;) f.push_back(w);
            if (f.size() < 9 || f[2].find("master") == std::string::npos ||
                f[2].find("fail") != std::string::npos)
                continue;
            for (std::size_t i = 8; i < f.size(); ++i) {
                const auto dash = f[i].find('-');
                if (f[i].starts_with("[")) continue;  // a slot being migrated
                const int first = std::stoi(f[i].substr(0, dash));
                const int last =
                    dash == std::string::npos ? first : std::stoi(f[i].substr(dash + 1));
                if (slot >= first && slot <= last) {
                    const auto colon = f[1].find(':');
                    return std::stoi(f[1].substr(colon + 1, f[1].find('@') - colon - 1));
                }
            }
        }
        return 0;
    }
    return 0;
}

std::string RedisCluster::node_id(int port) const {
    for (const auto& n : nodes_) {
        if (n->port() == port) return n->cli("CLUSTER MYID");
    }
    return {};
}

int accepted_connections(int port) {
    // /proc/net/tcp: "sl local_address rem_address st ... inode", addresses as hex IP:port.
    // A connection still in the listener's accept queue has no socket, hence inode 0.
    std::ifstream in("/proc/net/tcp");
    std::string line;
    std::getline(in, line);  // the header
    int count = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode;
        const auto colon = local.find(':');
        if (colon == std::string::npos) continue;
        const bool established = state == "01";
        if (established && std::stoi(local.substr(colon + 1), nullptr, 16) == port && inode != "0")
            ++count;
    }
    return count;
}

std::string last_outbox_code(const std::string& outbox, const std::string& email) {
    std::ifstream in(outbox);
    std::string line, code;
    while (std::getline(in, line)) {
        const auto j = boost::json::parse(line).as_object();
        // Status notices to holders share the outbox: only lines with a code are codes.
        if (j.at("email").as_string() == email && j.contains("code"))
            code = std::string(j.at("code").as_string());
    }
    return code;
}

std::pair<int, std::string> run_command(const std::string& command) {
    std::string out;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return {-1, ""};
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string test_ballot_document(const std::string& campaign,
                                 const std::vector<TestInitiative>& initiatives) {
    boost::json::array list;
    for (const auto& i : initiatives) {
        const auto title = i.title.empty() ? "Initiative " + i.id : i.title;
        list.push_back(boost::json::object{{"amount_eur", i.amount_eur},
                                           {"category", i.category},
                                           {"commune", "62041"},
                                           {"holder", "Association " + i.id},
                                           {"id", i.id},
                                           {"radar", boost::json::object{{"gouvernance", 70}}},
                                           {"requested_eur", i.amount_eur},
                                           {"summary", "Résumé " + i.id},
                                           {"territory", "arrageois"},
                                           {"title", title}});
    }
    // Keys in sorted order at every level: the canonical form of a sealed ballot.
    return boost::json::serialize(boost::json::object{{"campaign", campaign},
                                                      {"initiatives", list},
                                                      {"questionnaire_digest", "00"},
                                                      {"sealed_at", "2026-09-01T00:00:00+02:00"}});
}

void seal_ballot(const std::string& dir, const std::string& config_toml,
                 const std::string& document) {
    fs::create_directories(dir);
    { std::ofstream(dir + "/budget.toml") << config_toml; }
    { std::ofstream(dir + "/ballot.json", std::ios::binary) << document; }
    const auto budgetctl = std::string(BUDGETCTL_PATH) + " --config " + dir + "/budget.toml ";
    run_command(budgetctl + "keys init");
    const auto [code, out] = run_command(budgetctl + "storage seal-ballot " + dir + "/ballot.json");
    if (code != 0) throw std::runtime_error("budgetctl storage seal-ballot failed: " + out);
}

Budgetd::Budgetd(std::string dir, const std::string& config_toml,
                 const std::vector<std::string>& env)
    : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    { std::ofstream(dir_ + "/budget.toml") << config_toml; }
    // Keys are made by budgetctl, as an operator would; a second start keeps the existing ones.
    run_command(std::string(BUDGETCTL_PATH) + " --config " + dir_ + "/budget.toml keys init");
    // The duplicate audit's key pair, as the Mission would make it (production requires it).
    run_command(std::string(BUDGETCTL_PATH) + " --config " + dir_ +
                "/budget.toml keys identity-audit --secret-key " + dir_ + "/identity-audit.secret");
    // A restart on the same directory must not find the previous run's "listening" line.
    std::error_code ignored;
    fs::rename(dir_ + "/budgetd.log", dir_ + "/budgetd.previous.log", ignored);
    spawned_at_ = std::chrono::steady_clock::now();
    pid_ = spawn({BUDGETD_PATH, "--config", dir_ + "/budget.toml"}, dir_ + "/budgetd.log", env);
    const std::regex port_re(R"("event":"listening"[^\n]*"port":([0-9]+))");
    const bool up = eventually(
        [&] {
            std::smatch m;
            const auto text = log();
            if (std::regex_search(text, m, port_re)) {
                port_ = std::stoi(m[1]);
                return true;
            }
            int status = 0;
            return waitpid(pid_, &status, WNOHANG) == pid_ ? (pid_ = -1, true) : false;
        },
        std::chrono::seconds(30));
    if (!up || pid_ < 0 || port_ == 0) {
        throw std::runtime_error("budgetd did not start: " + log());
    }
}

Budgetd::~Budgetd() {
    if (pid_ > 0) terminate();
}

int Budgetd::terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const int code = wait_exit(pid_, std::chrono::seconds(20));
    pid_ = -1;
    return code;
}

std::string Budgetd::log() const { return read_file(dir_ + "/budgetd.log"); }

ChildProcess::ChildProcess(const std::vector<std::string>& args, const std::string& log_path)
    : pid_(spawn(args, log_path)) {}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    wait_exit(pid_, std::chrono::seconds(5));
}

std::pair<int, std::string> run_budgetd_expecting_exit(const std::string& dir,
                                                       const std::string& config_toml) {
    fs::create_directories(dir);
    { std::ofstream(dir + "/refused.toml") << config_toml; }
    std::remove((dir + "/refused.log").c_str());
    run_command(std::string(BUDGETCTL_PATH) + " --config " + dir + "/refused.toml keys init");
    run_command(std::string(BUDGETCTL_PATH) + " --config " + dir +
                "/refused.toml keys identity-audit --secret-key " + dir + "/identity-audit.secret");
    const pid_t pid =
        spawn({BUDGETD_PATH, "--config", dir + "/refused.toml"}, dir + "/refused.log");
    const int code = wait_exit(pid, std::chrono::seconds(10));
    return {code, read_file(dir + "/refused.log")};
}

HttpResult http_request(int port, const std::string& method, const std::string& target,
                        const std::string& body,
                        const std::map<std::string, std::string>& headers) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(20));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(port)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT") {
        req.body() = body;
        if (req[http::field::content_type].empty())
            req.set(http::field::content_type, "application/json");
        req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    http::read(stream, buffer, parser);
    HttpResult out;
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out.headers[name] = std::string(field.value());
    }
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return out;
}

RawResult raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
    RawResult out;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect failed");
    }
    const auto started = std::chrono::steady_clock::now();
    if (!bytes.empty()) ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    const auto deadline = started + timeout;
    std::array<char, 4096> buf;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const auto n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) {
            out.closed_by_server = true;
            break;
        }
        out.received.append(buf.data(), static_cast<size_t>(n));
    }
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    ::close(fd);
    return out;
}

}  // namespace budget::test
