#pragma once
// Runs a blocking or CPU-heavy function on the blocking pool and resumes the calling coroutine
// on its own executor afterwards, so that I/O threads never wait on it.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace budget::server {

template <typename F>
auto run_blocking(boost::asio::thread_pool& pool, F fn)
    -> boost::asio::awaitable<std::invoke_result_t<F>> {
    using T = std::invoke_result_t<F>;
    co_return co_await boost::asio::co_spawn(
        pool.get_executor(), [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); },
        boost::asio::use_awaitable);
}

}  // namespace budget::server
