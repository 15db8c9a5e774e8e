#pragma once
// After the vote: tally, publication, the published results (JSON, CSV), the anonymous ballot
// export, receipts with inclusion proofs, and the participation statistics.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/api/app_context.hpp"
#include "server/redis/client.hpp"
#include "server/http/router.hpp"
#include "server/api/tally_service.hpp"
#include "voting/merkle.hpp"

namespace budget::server {

class ResultsApi {
  public:
    /// Refuses the request (401/403/CSRF...) unless a Mission ESS member makes it.
    using MissionGuard =
        std::function<boost::asio::awaitable<std::optional<Response>>(RequestContext&, bool write)>;

    ResultsApi(AppContext& ctx, MissionGuard mission_guard);
    void register_routes(Router& router);

  private:
    /// What publication makes public, rebuilt once from Redis and kept.
    struct Published {
        SignedResults results;
        boost::json::object document;
        voting::MerkleTree tree;
        std::unordered_map<std::string, std::uint64_t> index_of_ballot;
        std::string export_json;
        std::string csv;
    };

    boost::asio::awaitable<Response> tally(RequestContext& rc);
    boost::asio::awaitable<Response> publish(RequestContext& rc);
    boost::asio::awaitable<Response> results(RequestContext& rc);
    boost::asio::awaitable<Response> results_csv(RequestContext& rc);
    boost::asio::awaitable<Response> ballots_export(RequestContext& rc);
    boost::asio::awaitable<Response> receipt(RequestContext& rc);
    boost::asio::awaitable<Response> stats(RequestContext& rc);

    /// Streams every shard's log into a tally and keeps the raw entries when `keep` is given.
    boost::asio::awaitable<std::optional<std::string>> read_log(voting::TallyBuilder& tally,
                                                                std::vector<std::string>* keep);
    /// The published state, or nullptr before publication; an error response on storage failure.
    boost::asio::awaitable<std::variant<std::shared_ptr<const Published>, Response>> published(
        unsigned version);

    AppContext& ctx_;
    MissionGuard guard_;
    redis::Script publish_script_;
    std::mutex mutex_;
    std::shared_ptr<const Published> published_;
};

}  // namespace budget::server
