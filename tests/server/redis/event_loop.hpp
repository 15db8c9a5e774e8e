#pragma once
// An Asio event loop running on two threads, like budgetd's, for the duration of a test; run()
// spawns a coroutine on it and waits for its result.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>
#include <vector>

namespace budget::test {

struct Loop {
    boost::asio::io_context ioc{2};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        ioc.get_executor()};
    std::vector<std::thread> threads;
    Loop() {
        for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    }
    ~Loop() {
        work.reset();
        ioc.stop();
        for (auto& t : threads) t.join();
    }
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    template <typename T>
    T run(boost::asio::awaitable<T> a) {
        return boost::asio::co_spawn(ioc, std::move(a), boost::asio::use_future).get();
    }
};

}  // namespace budget::test
