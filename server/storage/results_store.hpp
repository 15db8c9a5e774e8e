#pragma once
// The results of the campaign: the last tally (a draft the Mission reviews), and the published
// results, made public in one step that can happen once.
//   budget:{c<id>}:results:draft   hash document, signature, public_key (each tally replaces it)
//   budget:{c<id>}:results         hash, the same fields, copied from the draft at publication
//   budget:{c<id>}:published       when the results were published (RFC 3339)

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

/// A signed results document as stored and served.
struct SignedResults {
    std::string document;    ///< canonical JSON text, the signed bytes
    std::string signature;   ///< base64 Ed25519
    std::string public_key;  ///< base64 Ed25519
    /// `{"document":{...},"signature","public_key"}`, the shape of GET /api/v1/results.
    boost::json::object to_json() const;
};

enum class PublishOutcome {
    published,          ///< done now
    already_published,  ///< it was done before: nothing changed
    no_tally,           ///< there is no draft to publish
};

class ResultsStore {
  public:
    ResultsStore(redis::Client& redis, std::string campaign);

    /// Stores a tally as the draft (replacing the previous one).
    boost::asio::awaitable<StoreResult<void>> save_draft(SignedResults results);
    /// Copies the draft to the published results, once; `at` is recorded.
    boost::asio::awaitable<StoreResult<PublishOutcome>> publish(std::string at);
    /// The published results; std::nullopt before publication.
    boost::asio::awaitable<StoreResult<std::optional<SignedResults>>> published();
    /// When the results were published (RFC 3339, as given to publish()); "" before.
    boost::asio::awaitable<StoreResult<std::string>> published_at();

  private:
    redis::Client& redis_;
    std::string campaign_;
    redis::Script publish_script_;
};

}  // namespace budget::server::storage
