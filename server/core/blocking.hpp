#pragma once
// Runs a blocking or CPU-heavy function on the blocking pool and resumes the calling coroutine
// on its own executor afterwards, so that I/O threads never wait on it.
//
// GCC 12 destroys temporaries with non-trivial destructors twice when they appear inside a
// co_await expression: callers must pass a named function object (std::move(fn)), and this
// helper names its own temporaries too.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace budget::server {

template <typename F>
auto run_blocking(boost::asio::thread_pool& pool, F fn)
    -> boost::asio::awaitable<std::invoke_result_t<F>> {
    using T = std::invoke_result_t<F>;
    auto task = [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); };
    auto spawned =
        boost::asio::co_spawn(pool.get_executor(), std::move(task), boost::asio::use_awaitable);
    T result = co_await std::move(spawned);
    co_return result;
}

}  // namespace budget::server
