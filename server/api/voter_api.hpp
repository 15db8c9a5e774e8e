#pragma once
// The resident path of API.md: email verification with one-time codes, eligibility, the voter
// session, the ballot (one Lua script per ballot) and receipts.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "server/api/app_context.hpp"
#include "server/api/otp_delivery.hpp"
#include "server/redis/client.hpp"
#include "server/http/router.hpp"

namespace budget::server {

struct SealedBallot;

/// What a voter session token carries: who may cast one ballot (as a keyed hash), from where.
struct VoterSession {
    std::string identity_key;  ///< hex HMAC of the normalised identity
    std::string territory;
    std::int64_t expires_unix = 0;
};

/// Seals and opens voter session tokens (authenticated encryption under a key derived from the
/// pepper): no session state in Redis, nothing for the ballot path to look up.
class VoterSessions {
  public:
    VoterSessions(const crypto::Key32& pepper, std::string campaign);
    std::string issue(const VoterSession& session) const;
    std::optional<VoterSession> open(std::string_view token, std::int64_t now_unix) const;

  private:
    crypto::Key32 key_;
    std::string campaign_;
};

/// True when the address is plausible enough to send a code to (and safe in an SMTP command).
bool plausible_email(std::string_view email);

/// Lower-cases and trims an address so that one mailbox has one key.
std::string normalise_email(std::string_view email);

class VoterApi {
  public:
    explicit VoterApi(AppContext& ctx);
    ~VoterApi();
    void register_routes(Router& router);

    /// A ballot ready for the cast script, and what its receipt shows.
    struct PreparedBallot {
        std::string ballot_id, ballot_hash, cast_at;
        std::string tag;  ///< the shard's key prefix, shared by every key of the script
        std::vector<std::string> keys, args;
    };
    /// The receipt's JSON body, as the resident receives it.
    static std::string receipt_json(const PreparedBallot& b);

  private:
    boost::asio::awaitable<Response> challenge(RequestContext& rc);
    boost::asio::awaitable<Response> verify(RequestContext& rc);
    boost::asio::awaitable<Response> cast_ballot(RequestContext& rc);
    boost::asio::awaitable<Response> communes(RequestContext& rc);

    /// 429 when the client address went past its hourly allowance; std::nullopt otherwise.
    boost::asio::awaitable<std::optional<Response>> limit_client(const RequestContext& rc);
    /// In production, the vote is open only on durable storage (AOF always, or WAIT replicas).
    boost::asio::awaitable<bool> storage_is_durable();
    /// storage_is_durable()'s answer when it needs no Redis round trip (almost always), so that
    /// the ballot path enters that coroutine only to refresh it.
    std::optional<bool> known_durability(std::int64_t now) const;
    std::optional<VoterSession> session_of(const Request& req, std::int64_t now) const;

    // The synchronous steps of cast_ballot (see voter_api.cpp for why they are apart).
    struct BallotRequest {
        VoterSession session;
        std::vector<std::string> choices;
    };
    /// The session and choices of a ballot request, or the refusal to send.
    std::variant<BallotRequest, Response> read_ballot_request(const Request& req,
                                                              std::int64_t now) const;
    /// The choices sorted once valid for this ballot, or the 422 to send.
    std::variant<std::vector<std::string>, Response> check_choices(
        const std::vector<std::string>& choices, const SealedBallot& sealed,
        unsigned version) const;
    PreparedBallot prepare_ballot(const VoterSession& session,
                                  const std::vector<std::string>& sorted_choices,
                                  std::int64_t now) const;
    /// With an Idempotency-Key, the same request sent again after a lost answer gets the
    /// receipt the first one was given instead of 409: adds the retry key to the script's call.
    void add_retry_key(PreparedBallot& b, const VoterSession& session,
                       std::string_view idempotency_key) const;
    /// Whether the cast script recorded the ballot (or replayed its receipt); if not,
    /// ballot_refusal is the answer.
    static bool ballot_recorded(const redis::Result& r);
    /// 201 with the receipt: the new one, or the one replayed by the script.
    static Response receipt_for(const redis::Result& r, const PreparedBallot& b, unsigned version);
    Response ballot_refusal(const redis::Result& r, unsigned version) const;
    /// The rare waits of the ballot path, in coroutines of their own to keep cast_ballot's small.
    boost::asio::awaitable<std::shared_ptr<const SealedBallot>> load_sealed_ballot();
    /// The ballot script then WAIT on its connection; a receipt only when enough replicas
    /// confirmed in time, else 503 ballot_outcome_unknown (logged).
    boost::asio::awaitable<Response> cast_replicated(PreparedBallot ballot, unsigned version);

    std::string email_key(const std::string& normalised_email) const;
    std::string shard_tag(const std::string& identity_key) const;
    /// The campaign's shard count is fixed by the first ballot cast: a process configured with
    /// another count would look for a voter's marker in the wrong shard (a second vote), so it
    /// takes no ballot. Checked once per process.
    boost::asio::awaitable<bool> shards_agreed();

    AppContext& ctx_;
    crypto::Key32 identity_key_, email_key_, otp_key_, ip_key_, retry_key_;
    VoterSessions sessions_;
    std::unique_ptr<OtpDelivery> delivery_;
    redis::Script cast_ballot_, issue_code_, check_code_, rate_count_;
    std::string communes_json_;
    std::atomic<std::int64_t> durability_checked_at_{0};
    std::atomic<bool> durable_{false};
    std::atomic<bool> shards_agreed_{false};
    redis::Script agree_shards_;
};

}  // namespace budget::server
