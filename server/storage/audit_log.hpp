#pragma once
// The campaign's audit log: a Redis Stream `budget:{c<campaign>}:audit`, append-only, one entry
// per staff action (login, login_failed, logout, import, evaluation, decision, seal). Each entry
// holds who, with which role, when, what, on what, the details and the justification. Never a
// password, a session id or a CSRF token.

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/redis/client.hpp"

namespace budget::server::storage {

struct AuditEntry {
    std::string username;  ///< staff account, "budgetctl:<user>" or "budgetd" for automatic steps
    std::string role;      ///< committee, mission, operator or system
    std::string action;
    std::string target;  ///< initiative id, username... (may be empty)
    boost::json::object details;
    std::string justification;
};

/// Field/value pairs of the stream entry, with `at` as the time (RFC 3339).
std::vector<std::string> audit_fields(const AuditEntry& entry, const std::string& at);

/// One stream entry of an XRANGE/XREVRANGE reply as JSON `{"id","at","username","role",
/// "action","target","details","justification"}`; std::nullopt when it is not an entry.
std::optional<boost::json::object> audit_entry_json(const redis::Reply& entry);

inline constexpr std::size_t kAuditDefaultCount = 100;
inline constexpr std::size_t kAuditMaxCount = 1000;

class AuditLog {
  public:
    AuditLog(redis::Client& redis, std::string campaign)
        : redis_(redis), campaign_(std::move(campaign)) {}

    /// Appends an entry; false (and a log line) when Redis did not take it.
    boost::asio::awaitable<bool> append(AuditEntry entry);

    /// The newest `count` entries, newest first; std::nullopt when Redis is unavailable.
    boost::asio::awaitable<std::optional<boost::json::array>> newest(std::size_t count);

  private:
    redis::Client& redis_;
    std::string campaign_;
};

}  // namespace budget::server::storage
