#pragma once
// budgetd's threads: one io_context per thread. A request is served start to end on one thread,
// with that loop's own Redis connections, and never waits on a lock or a cross-thread hand-off.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace budget::server::programs {

class EventLoops {
  public:
    explicit EventLoops(int threads);

    /// The first loop: accepting, signals, background work. It also serves requests.
    boost::asio::io_context& main() { return *loops_.front(); }
    /// Every loop, the main one first.
    const std::vector<boost::asio::io_context*>& all() const { return pointers_; }

    /// Runs every loop, the main one on the calling thread, until stop(); then joins the others.
    void run();
    /// Stops every loop (from any thread).
    void stop();

  private:
    std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
    std::vector<boost::asio::io_context*> pointers_;
};

}  // namespace budget::server::programs
