#pragma once
// The ballot log during the vote (RFC 6962 §3.5 style): a signed tree head published every few
// minutes, inclusion proofs of a ballot against a head before the close, and consistency proofs
// between heads, so that an auditor can prove the log only ever grew.
//
// Heads describe the log of shard 0, which is the whole log with the default single shard.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <string>

#include "server/app_context.hpp"
#include "server/redis_client.hpp"
#include "server/router.hpp"
#include "voting/merkle.hpp"

namespace budget::server {

std::string tree_heads_key(const std::string& campaign);

/// A signed tree head as stored:
/// `{"head":{"campaign","root","timestamp","tree_size"},"signature"}`.
boost::json::object sign_tree_head(const AppContext& ctx, std::uint64_t tree_size,
                                   const voting::Hash& root, const std::string& timestamp);

class LogApi {
  public:
    explicit LogApi(AppContext& ctx);
    void register_routes(Router& router);
    /// Publishes a head every `interval` while the vote is open (and once just after the close).
    void start(boost::asio::io_context& ioc, std::chrono::seconds interval);

  private:
    boost::asio::awaitable<Response> head(RequestContext& rc);
    boost::asio::awaitable<Response> heads(RequestContext& rc);
    boost::asio::awaitable<Response> consistency(RequestContext& rc);
    boost::asio::awaitable<Response> inclusion(RequestContext& rc);

    /// Appends what the log gained since the last look to the in-memory tree.
    boost::asio::awaitable<bool> catch_up();
    boost::asio::awaitable<void> publish_head();
    boost::asio::awaitable<void> run(std::chrono::seconds interval);

    AppContext& ctx_;
    redis::Script append_head_;
    std::mutex mutex_;
    voting::MerkleTree tree_;
};

}  // namespace budget::server
