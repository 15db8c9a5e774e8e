#include "server/redis/embedded_redis.hpp"

#include <fcntl.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): kill() is POSIX, not in <csignal>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/redis/acl.hpp"
#include "server/redis/blocking_client.hpp"

namespace budget::server::redis {

EmbeddedRedis::EmbeddedRedis(std::string binary, std::string data_dir, std::string user,
                             std::string password)
    : binary_(std::move(binary)),
      data_dir_(std::move(data_dir)),
      user_(std::move(user)),
      password_(std::move(password)) {}

void EmbeddedRedis::write_config() const {
    // In a file, not on the command line (which every local user can read in /proc); the
    // password only as its SHA-256, and the file 0600 all the same.
    // The default user is off (nobody can log in as it) but keeps its rights: Redis 7.0 replays
    // the AOF's MULTI/EXEC blocks (every script that wrote) as the default user and checks them
    // against its ACL, so a default user without rights would lose them all at the next start.
    const std::string text =
        "# Written by budgetd at each start ([redis] embedded = true).\n"
        "user default off ~* &* +@all\n" +
        acl_user_line(user_, password_) + "\n";
    const auto path = config_path_in(data_dir_);
    const auto tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("embedded redis: cannot write " + tmp);
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("embedded redis: cannot write " + path);
}

EmbeddedRedis::~EmbeddedRedis() { stop(); }

void EmbeddedRedis::spawn() {
    // Everything the child needs is built before fork: between fork and exec only
    // async-signal-safe calls are allowed in a process that may have threads.
    const std::vector<std::string> args = {binary_,
                                           config_path_in(data_dir_),
                                           "--port",
                                           "0",
                                           "--unixsocket",
                                           socket_path(),
                                           "--unixsocketperm",
                                           "700",
                                           "--dir",
                                           data_dir_,
                                           "--appendonly",
                                           "yes",
                                           "--appendfsync",
                                           "always",
                                           "--save",
                                           "",
                                           "--daemonize",
                                           "no",
                                           "--logfile",
                                           data_dir_ + "/redis.log",
                                           "--appendfilename",
                                           "appendonly.aof"};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("embedded redis: fork failed");
    if (pid == 0) {
        // Dies with budgetd even after a kill -9, so that no orphan holds the AOF.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        const int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        execvp(argv[0], argv.data());
        _exit(127);
    }
    pid_ = pid;
}

void EmbeddedRedis::start() {
    if (password_.empty()) throw std::runtime_error("embedded redis: no password for its ACL");
    write_config();
    spawn();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("embedded redis: " + binary_ + " exited at start (status " +
                                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                                     "), see " + data_dir_ + "/redis.log");
        }
        Target target;
        target.unix_path = socket_path();
        Options options;
        options.user = user_;
        options.password = password_;
        auto connected = BlockingClient::connect(target, options, std::chrono::milliseconds(200));
        if (auto* client = std::get_if<std::unique_ptr<BlockingClient>>(&connected)) {
            // While it replays a large AOF Redis answers -LOADING: not ready yet.
            std::vector<std::string> ping{"PING"};
            if ((*client)->command(std::move(ping))) return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop();
    throw std::runtime_error("embedded redis: no answer on " + socket_path() + " within 30 s");
}

bool EmbeddedRedis::restart_if_exited() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    spawn();
    return true;
}

void EmbeddedRedis::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

}  // namespace budget::server::redis
