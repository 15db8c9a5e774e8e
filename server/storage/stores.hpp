#pragma once
// Every store of one campaign over one Redis client, built once by a program (budgetd,
// budgetctl, the load generator's checks) and shared by everything that reads or writes.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "config/config.hpp"
#include "labelling/questionnaire.hpp"
#include "server/core/clock.hpp"
#include "server/core/crypto.hpp"
#include "server/core/signing.hpp"
#include "server/redis/client.hpp"
#include "server/storage/application_store.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/ballot_store.hpp"
#include "server/storage/campaign_store.hpp"
#include "server/storage/code_store.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "server/storage/labelling_store.hpp"
#include "server/storage/log_store.hpp"
#include "server/storage/purge_store.hpp"
#include "server/storage/rate_limits.hpp"
#include "server/storage/results_store.hpp"
#include "server/storage/staff_store.hpp"

namespace budget::server::storage {

struct Stores {
    /// `pepper`: the root secret; the code stores derive their own keys from it. `pool`: where
    /// file work runs (the applications' attachments under `<data_dir>/attachments`).
    Stores(redis::Client& redis, const config::Config& config,
           const labelling::Questionnaire& questionnaire, const SigningKey& signing_key,
           const Clock& clock, const crypto::Key32& pepper, boost::asio::thread_pool& pool);

    /// Whether Redis answers (PING), for the health check.
    boost::asio::awaitable<bool> ping();
    /// Whether a connection to Redis is up right now (no round trip), for the metrics.
    bool connected() const { return redis.connected(); }

    redis::Client& redis;
    BallotStore ballots;
    CodeStore codes;
    RateLimits limits;
    StaffStore staff;
    AuditLog audit;
    LabellingStore labelling;
    CampaignStore campaign;
    LogStore log;
    ResultsStore results;
    IdentityAuditStore identity_audit;  ///< the duplicate audit's sealed records (issue 15)
    /// Initiative holders' one-time codes (issue 17): campaign "<id>:h", their own key, keys
    /// and hourly counters, apart from the residents'.
    CodeStore holder_codes;
    ApplicationStore applications;  ///< holders' sessions, applications, attachments (issue 17)
    PurgeStore purge;               ///< the purge of personal data after publication (issue 18)
};

}  // namespace budget::server::storage
