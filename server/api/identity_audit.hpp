#pragma once
// The sealed record of each verified identity, for the Mission's offline duplicate audit
// (issue 15, docs/verifiability.md). Called once a verification succeeds, on either path (the
// e-mail code and FranceConnect); the record is sealed to the audit public key, so budgetd can
// write it but never read it back, and nothing in it names a ballot or an instant.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/clock.hpp"
#include "server/core/crypto.hpp"
#include "server/core/sealed_box.hpp"
#include "server/http/metrics.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "voting/duplicates.hpp"
#include "voting/identity.hpp"

namespace budget::server::api {

/// A verified identity as its path knows it.
struct AuditedIdentity {
    voting::CivilIdentity person;  ///< declared (e-mail path) or the identité pivot
    std::string commune;           ///< INSEE code of the commune of residence
    std::string method;            ///< "email" or "franceconnect"
    std::string email;             ///< the address verified (e-mail path); only its domain is kept
    std::string client_ip;         ///< RequestContext::client_ip; only a keyed hash of its network
};

/// The domain of an address, lower case ("example.org"); "" when there is none.
std::string mailbox_domain(std::string_view email);

/// "YYYY-MM-DDTHH": the hour, in Europe/Paris civil time, of an instant.
std::string paris_hour(std::int64_t unix_seconds);

/// What is sealed for `identity` verified at `now`; std::nullopt when a name is not one
/// (voting::name_key). `network_key` keys the hash of the client network.
std::optional<voting::AuditRecord> audit_record_of(const AuditedIdentity& identity,
                                                   const crypto::Key32& network_key,
                                                   std::int64_t now);

class IdentityAudit {
  public:
    /// `key`: the audit public key; std::nullopt records nothing (no key file, outside
    /// production: budgetd warned at start).
    IdentityAudit(std::optional<SealPublicKey> key, const crypto::Key32& pepper, const Clock& clock,
                  http::Metrics& metrics, storage::IdentityAuditStore& store);

    bool enabled() const { return key_.has_value(); }

    /// Seals and stores the record of a verified identity. Never fails the verification: a
    /// record that cannot be made or stored is logged and counted
    /// (budget_events_total{event="identity_audit_failed"}), and the session opens anyway — the
    /// audit is a check after the fact, while a refusal here would let a Redis hiccup turn
    /// residents away (the ballot keys, not the audit, hold one person to one ballot).
    boost::asio::awaitable<void> record(AuditedIdentity identity);

  private:
    std::optional<SealPublicKey> key_;
    crypto::Key32 network_key_;
    const Clock& clock_;
    http::Metrics& metrics_;
    storage::IdentityAuditStore& store_;
};

}  // namespace budget::server::api
