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
//
// The seal is written by one Lua script that sets the fields only when `document` is absent and
// the labelling has not changed since it was read (labelling_store.hpp): two processes sealing
// at the same time yield one ballot, and no evaluation or decision slips in unseen.

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "labelling/questionnaire.hpp"
#include "server/core/clock.hpp"
#include "server/core/signing.hpp"
#include "server/redis/client.hpp"
#include "server/storage/labelling_store.hpp"
#include "server/storage/store_result.hpp"
#include "voting/phase.hpp"

namespace budget::server::storage {

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

class CampaignStore {
  public:
    CampaignStore(redis::Client& redis, const config::CampaignConfig& campaign,
                  const labelling::Questionnaire& questionnaire, const SigningKey& signing_key,
                  const Clock& clock);

    /// The sealed ballot, cached in memory once loaded. Once the vote has opened, seals it on
    /// first use if nobody has yet (idempotent across processes).
    boost::asio::awaitable<StoreResult<std::shared_ptr<const SealedBallot>>> sealed_ballot();
    /// The sealed ballot if it is already in memory, else null; never waits. The ballot path
    /// tries it first to skip sealed_ballot()'s coroutine once the ballot is loaded.
    std::shared_ptr<const SealedBallot> cached_ballot();

    /// Parses a stored ballot document (used by sealed_ballot and by tests).
    static StoreResult<std::shared_ptr<SealedBallot>> parse_ballot(std::string document,
                                                                   std::string digest,
                                                                   std::string signature,
                                                                   std::string public_key);

    /// Seals a ballot document given whole (its digest computed, signed with the campaign key)
    /// unless a ballot is sealed already: for load tests and benchmarks that skip the labelling.
    /// False when one was sealed before (nothing changed). Audited like any seal.
    boost::asio::awaitable<StoreResult<bool>> seal_document(std::string document,
                                                            std::string operator_name);

    /// The campaign's phase now: the recorded state (publication) first, then the window.
    boost::asio::awaitable<StoreResult<voting::Phase>> phase();
    /// Whether the results are published.
    boost::asio::awaitable<StoreResult<bool>> published();
    /// Whether the vote was recorded closed (by budgetctl close, or by a process whose clock
    /// passed the close): from then on the ballot script refuses every ballot, whatever a clock
    /// says.
    boost::asio::awaitable<StoreResult<bool>> closed();
    /// Records the close, once: first the mark in each of the `shards` ballot shards (read by
    /// the ballot script), then the campaign's key with its audit entry, in one script. True when
    /// this call closed the vote, false when it was closed already. Monotonic: nothing reopens.
    boost::asio::awaitable<StoreResult<bool>> record_close(int shards, AuditEntry audit);
    /// Records the close when this process's clock has passed it and nobody has yet; returns
    /// whether the vote is closed (recorded). The tally and a periodic tick call it.
    boost::asio::awaitable<StoreResult<bool>> close_when_due(int shards);
    /// The vote's window, for rules that need no recorded state.
    voting::VoteWindow window() const;

  private:
    /// Builds and stores the ballot from the labelled initiatives; HSETNX so that one wins.
    boost::asio::awaitable<StoreResult<void>> seal();

    redis::Client& redis_;
    const config::CampaignConfig& campaign_;
    const labelling::Questionnaire& questionnaire_;
    const SigningKey& signing_key_;
    const Clock& clock_;
    LabellingStore labelling_;
    redis::Script close_script_;
    std::mutex mutex_;
    std::shared_ptr<const SealedBallot> cached_;
};

/// The initiatives a sealed ballot would hold now: those labelled, with the category decided,
/// the committee's median radar and the amount capped by the category (sorted by id).
std::vector<BallotInitiative> labelled_initiatives(const LabellingSnapshot& snapshot,
                                                   const labelling::Questionnaire& questionnaire);

/// The canonical ballot document (layout above): keys sorted, no whitespace, UTF-8.
std::string ballot_document(const std::string& campaign,
                            const std::vector<BallotInitiative>& initiatives,
                            const std::string& questionnaire_digest, const std::string& sealed_at);

}  // namespace budget::server::storage
