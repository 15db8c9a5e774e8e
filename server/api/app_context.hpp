#pragma once
// What every group of handlers shares: configuration, the clock, reference data, secrets, the
// stores and the metrics, built once by the program and alive for the whole process.

#include <boost/asio/thread_pool.hpp>

#include "config/communes.hpp"
#include "config/config.hpp"
#include "labelling/questionnaire.hpp"
#include "server/api/identity_audit.hpp"
#include "server/core/clock.hpp"
#include "server/core/crypto.hpp"
#include "server/core/signing.hpp"
#include "server/http/metrics.hpp"
#include "server/storage/stores.hpp"

namespace budget::server::api {

struct AppContext {
    const config::Config& config;
    const Clock& clock;
    const config::CommuneDirectory& communes;
    const labelling::Questionnaire& questionnaire;
    const SigningKey& signing_key;
    const crypto::Key32& pepper;  ///< root HMAC secret; derive a sub-key per purpose
    /// Threads for work that must not run on an I/O thread: Argon2id hashing, file appends,
    /// SMTP delivery, allocation and signing of results.
    boost::asio::thread_pool& blocking_pool;
    http::Metrics& metrics;
    storage::Stores& stores;
    /// The duplicate audit: seals each verified identity (issue 15, docs/verifiability.md).
    IdentityAudit& identity_audit;
};

}  // namespace budget::server::api
