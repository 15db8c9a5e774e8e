#pragma once
// The campaign's initiatives, decisions and the sealed ballot in Redis.
//
// The sealed ballot is the contract between labelling and voting: from the opening of the vote
// it is frozen in the hash `budget:{c<campaign>}:ballot` with the fields
//   document    canonical JSON (sorted keys, no whitespace, UTF-8):
//               {"campaign","initiatives":[{"amount_eur","category","commune","holder","id",
//                 "radar":{marker:0..100},"requested_eur","summary","territory","title"}...
//                 sorted by id],"questionnaire_digest","sealed_at"}
//   digest      hex SHA-256 of document
//   signature   base64 Ed25519 signature of document with the campaign key
//   public_key  base64 Ed25519 public key
// and never changes afterwards.

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/app_context.hpp"

namespace budget::server {

struct BallotInitiative {
    std::string id, title, summary, holder, commune, territory, category;
    std::int64_t requested_eur = 0;
    std::int64_t amount_eur = 0;  ///< requested amount capped by the category maximum
    std::map<std::string, int, std::less<>> radar;
};

struct SealedBallot {
    std::string document, digest, signature, public_key;
    std::vector<BallotInitiative> initiatives;  ///< sorted by id

    const BallotInitiative* find(std::string_view id) const;
};

enum class StoreError {
    unavailable = 1,  ///< Redis unreachable or timed out
    not_sealed,       ///< the vote has not opened: there is no ballot yet
    corrupt,          ///< the stored document does not parse or does not match its digest
};

class CampaignStore {
public:
    explicit CampaignStore(AppContext& ctx) : ctx_(ctx) {}

    /// The sealed ballot, cached in memory once loaded. Once the vote has opened, seals it on
    /// first use if nobody has yet (idempotent across processes).
    boost::asio::awaitable<boost::system::result<std::shared_ptr<const SealedBallot>, StoreError>>
    sealed_ballot();

    /// Parses a stored ballot document (used by sealed_ballot and by tests).
    static boost::system::result<std::shared_ptr<SealedBallot>, StoreError> parse_ballot(
        std::string document, std::string digest, std::string signature, std::string public_key);

private:
    /// Builds and stores the ballot from the labelled initiatives; HSETNX so that one wins.
    boost::asio::awaitable<boost::system::result<void, StoreError>> seal();

    AppContext& ctx_;
    std::mutex mutex_;
    std::shared_ptr<const SealedBallot> cached_;
};

std::string ballot_key(const std::string& campaign);

}  // namespace budget::server

namespace budget::server {
[[noreturn]] void throw_exception_from_error(StoreError e, const boost::source_location& loc);
}  // namespace budget::server
