#include "server/storage/audit_log.hpp"

#include <boost/json.hpp>

#include "server/core/log.hpp"
#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;
namespace json = boost::json;

std::vector<std::string> audit_fields(const AuditEntry& entry, const std::string& at) {
    return {"at",
            at,
            "username",
            entry.username,
            "role",
            entry.role,
            "action",
            entry.action,
            "target",
            entry.target,
            "details",
            json::serialize(entry.details),
            "justification",
            entry.justification};
}

std::optional<json::object> audit_entry_json(const redis::Reply& entry) {
    if (entry.type != redis::Reply::Type::array || entry.elements.size() != 2) return std::nullopt;
    const auto& fields = entry.elements[1].elements;
    json::object out{{"id", entry.elements[0].str},
                     {"at", ""},
                     {"username", ""},
                     {"role", ""},
                     {"action", ""},
                     {"target", ""},
                     {"details", json::object{}},
                     {"justification", nullptr}};
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const auto& name = fields[i].str;
        const auto& value = fields[i + 1].str;
        if (name == "details") {
            boost::system::error_code ec;
            auto details = json::parse(value, ec);
            if (!ec) out["details"] = std::move(details);
        } else if (name == "justification") {
            if (!value.empty()) out["justification"] = value;
        } else if (out.contains(name)) {
            out[name] = value;
        }
    }
    return out;
}

asio::awaitable<bool> AuditLog::append(AuditEntry entry) {
    std::vector<std::string> cmd{"XADD", keys::audit(campaign_), "*"};
    for (auto& f : audit_fields(entry, now_rfc3339())) cmd.push_back(std::move(f));
    auto reply = co_await redis_.command(std::move(cmd));
    if (!reply) {
        detail::write_failure(reply.error(), "audit_append");
        log_event("error", "audit_append_failed", {{"action", entry.action}});
        co_return false;
    }
    co_return true;
}

asio::awaitable<std::optional<json::array>> AuditLog::newest(std::size_t count) {
    std::vector<std::string> cmd{
        "XREVRANGE", keys::audit(campaign_), "+", "-", "COUNT", std::to_string(count)};
    auto reply = co_await redis_.command(std::move(cmd));
    if (!reply) {
        detail::read_failure(reply.error(), "audit_newest");
        co_return std::nullopt;
    }
    json::array out;
    for (const auto& e : reply->elements) {
        if (auto o = audit_entry_json(e)) out.push_back(std::move(*o));
    }
    co_return out;
}

}  // namespace budget::server::storage
