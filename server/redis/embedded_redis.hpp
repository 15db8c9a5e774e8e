#pragma once
// `redis.embedded = true`: budgetd starts, supervises and stops its own redis-server, reachable
// only through a unix socket in the data directory, with AOF and fsync at every write.

#include <sys/types.h>

#include <string>

namespace budget::server::redis {

class EmbeddedRedis {
  public:
    EmbeddedRedis(std::string binary, std::string data_dir);
    ~EmbeddedRedis();
    EmbeddedRedis(const EmbeddedRedis&) = delete;
    EmbeddedRedis& operator=(const EmbeddedRedis&) = delete;

    /// Starts redis-server and waits (blocking, before any I/O thread runs) until it answers PING.
    /// Throws std::runtime_error with a one-line reason.
    void start();
    /// Restarts the server if it exited; never blocks. Returns true when it had to restart it.
    bool restart_if_exited();
    /// SIGTERM, then SIGKILL after a grace period; waits for the process.
    void stop();

    std::string socket_path() const { return socket_path_in(data_dir_); }
    /// Where the socket of the embedded server of a data directory is (budgetctl connects there).
    static std::string socket_path_in(const std::string& data_dir) {
        return data_dir + "/redis.sock";
    }

  private:
    void spawn();

    std::string binary_;
    std::string data_dir_;
    pid_t pid_ = -1;
};

}  // namespace budget::server::redis
