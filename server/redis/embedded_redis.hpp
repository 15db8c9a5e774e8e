#pragma once
// `redis.embedded = true`: budgetd starts, supervises and stops its own redis-server, reachable
// only through a unix socket in the data directory, with AOF and fsync at every write. The
// default user is off: only the ACL user of budgetd (least rights, redis/acl.hpp) with the
// password of DATA_DIR/keys/redis-password gets in, whoever else can reach the socket.

#include <sys/types.h>

#include <string>

namespace budget::server::redis {

class EmbeddedRedis {
  public:
    EmbeddedRedis(std::string binary, std::string data_dir, std::string user, std::string password);
    ~EmbeddedRedis();
    EmbeddedRedis(const EmbeddedRedis&) = delete;
    EmbeddedRedis& operator=(const EmbeddedRedis&) = delete;

    /// Writes its configuration (DATA_DIR/redis.conf, 0600: the ACL), starts redis-server and
    /// waits (blocking, before any I/O thread runs) until it answers PING to budgetd's user.
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

    static std::string config_path_in(const std::string& data_dir) {
        return data_dir + "/redis.conf";
    }

  private:
    void spawn();
    void write_config() const;

    std::string binary_;
    std::string data_dir_;
    std::string user_;
    std::string password_;
    pid_t pid_ = -1;
};

}  // namespace budget::server::redis
