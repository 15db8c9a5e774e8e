#include "server/programs/event_loops.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <thread>

namespace budget::server::programs {

namespace asio = boost::asio;

EventLoops::EventLoops(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) {
        // Concurrency hint 1: each loop is run by one thread only, so Asio skips its locking.
        loops_.push_back(std::make_unique<asio::io_context>(1));
        pointers_.push_back(loops_.back().get());
    }
}

void EventLoops::run() {
    // The other loops have no work of their own until a connection arrives: keep them alive.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_alive;
    for (auto* loop : pointers_) keep_alive.push_back(asio::make_work_guard(*loop));
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < pointers_.size(); ++i)
        threads.emplace_back([loop = pointers_[i]] { loop->run(); });
    pointers_.front()->run();
    for (auto& t : threads) t.join();
}

void EventLoops::stop() {
    for (auto* loop : pointers_) loop->stop();
}

}  // namespace budget::server::programs
