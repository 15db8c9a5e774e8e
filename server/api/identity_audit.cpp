#include "server/api/identity_audit.hpp"

#include <algorithm>
#include <cctype>

#include "config/paris_time.hpp"
#include "server/api/client_network.hpp"
#include "server/core/log.hpp"

namespace budget::server::api {

namespace {

// Network hashes are compared between records only: 128 bits are plenty, and a key of their
// own keeps them from matching any hash the rate limits store in Redis.
constexpr std::size_t kNetworkHexDigits = 32;

}  // namespace

std::string mailbox_domain(std::string_view email) {
    const auto at = email.rfind('@');
    if (at == std::string_view::npos) return {};
    std::string domain(email.substr(at + 1));
    while (!domain.empty() && std::isspace(static_cast<unsigned char>(domain.back())))
        domain.pop_back();
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return domain;
}

std::string paris_hour(std::int64_t unix_seconds) {
    // "2026-09-12T10:42:07+02:00" -> "2026-09-12T10"
    return config::format_paris_time(unix_seconds).substr(0, 13);
}

std::optional<voting::AuditRecord> audit_record_of(const AuditedIdentity& identity,
                                                   const crypto::Key32& network_key,
                                                   std::int64_t now) {
    const auto& person = identity.person;
    auto birth = voting::name_key(person.birth_name);
    auto given = voting::given_name_keys(person.given_names);
    auto shown_birth = voting::display_name(person.birth_name);
    auto shown_given = voting::display_name(person.given_names);
    if (!birth || !given || !shown_birth || !shown_given) return std::nullopt;
    voting::AuditRecord r;
    if (!person.usage_name.empty()) {
        auto usage = voting::name_key(person.usage_name);
        auto shown_usage = voting::display_name(person.usage_name);
        if (!usage || !shown_usage) return std::nullopt;
        r.usage_name = std::move(*usage);
        r.shown_usage_name = std::move(*shown_usage);
    }
    r.birth_name = std::move(*birth);
    r.given_names = std::move(*given);
    r.shown_birth_name = std::move(*shown_birth);
    r.shown_given_names = std::move(*shown_given);
    r.birth_date = person.birth_date;
    r.commune = identity.commune;
    r.method = identity.method;
    if (identity.method == "email") r.mailbox_domain = mailbox_domain(identity.email);
    r.hour = paris_hour(now);
    if (!identity.client_ip.empty()) {
        r.network = crypto::hmac_hex(network_key, client_network(identity.client_ip))
                        .substr(0, kNetworkHexDigits);
    }
    return r;
}

IdentityAudit::IdentityAudit(std::optional<SealPublicKey> key, const crypto::Key32& pepper,
                             const Clock& clock, http::Metrics& metrics,
                             storage::IdentityAuditStore& store)
    : key_(key),
      network_key_(crypto::derive_key(pepper, "identity-audit-network")),
      clock_(clock),
      metrics_(metrics),
      store_(store) {}

boost::asio::awaitable<void> IdentityAudit::record(AuditedIdentity identity) {
    if (!key_) co_return;
    const char* failure = nullptr;
    try {
        const auto record = audit_record_of(identity, network_key_, clock_.now());
        if (!record) {
            failure = "name";
        } else if (!co_await store_.add(seal_to(*key_, voting::audit_record_json(*record)))) {
            failure = "redis";
        }
    } catch (const std::exception&) {
        failure = "exception";
    }
    if (failure) {
        metrics_.count_event("identity_audit_failed");
        log_event("error", "identity_audit_failed",
                  {{"method", identity.method}, {"reason", failure}});
        co_return;
    }
    metrics_.count_event("identity_audit_recorded");
}

}  // namespace budget::server::api
