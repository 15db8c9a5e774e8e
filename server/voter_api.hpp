#pragma once
// The resident path of API.md: email verification with one-time codes, eligibility, the voter
// session, the ballot (one Lua script per ballot) and receipts.

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "server/app_context.hpp"
#include "server/otp_delivery.hpp"
#include "server/redis_client.hpp"
#include "server/router.hpp"

namespace budget::server {

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

  private:
    boost::asio::awaitable<Response> challenge(RequestContext& rc);
    boost::asio::awaitable<Response> verify(RequestContext& rc);
    boost::asio::awaitable<Response> cast_ballot(RequestContext& rc);
    boost::asio::awaitable<Response> communes(RequestContext& rc);

    /// 429 when the client address went past its hourly allowance; std::nullopt otherwise.
    boost::asio::awaitable<std::optional<Response>> limit_client(const RequestContext& rc);
    /// In production, the vote is open only on durable storage (AOF always, or WAIT replicas).
    boost::asio::awaitable<bool> storage_is_durable();
    std::optional<VoterSession> session_of(const Request& req, std::int64_t now) const;

    std::string email_key(const std::string& normalised_email) const;
    std::string shard_tag(const std::string& identity_key) const;

    AppContext& ctx_;
    crypto::Key32 identity_key_, email_key_, otp_key_, ip_key_;
    VoterSessions sessions_;
    std::unique_ptr<OtpDelivery> delivery_;
    redis::Script cast_ballot_, issue_code_, check_code_, rate_count_;
    std::string communes_json_;
    std::atomic<std::int64_t> durability_checked_at_{0};
    std::atomic<bool> durable_{false};
};

}  // namespace budget::server
