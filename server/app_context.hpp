#pragma once
// What every group of handlers shares: configuration, storage, reference data and secrets,
// built once by main and alive for the whole process.

#include <boost/asio/thread_pool.hpp>

#include "config/communes.hpp"
#include "config/config.hpp"
#include "labelling/questionnaire.hpp"
#include "server/crypto.hpp"
#include "server/metrics.hpp"
#include "server/redis_client.hpp"
#include "server/secrets.hpp"

namespace budget::server {

class CampaignStore;

struct AppContext {
    const config::Config& config;
    redis::Client& redis;
    Metrics& metrics;
    const config::CommuneDirectory& communes;
    const labelling::Questionnaire& questionnaire;
    const SigningKey& signing_key;
    const crypto::Key32& pepper;  ///< root HMAC secret; derive a sub-key per purpose
    /// Threads for work that must not run on an I/O thread: Argon2id hashing, file appends,
    /// SMTP delivery.
    boost::asio::thread_pool& blocking_pool;
    CampaignStore* campaign_store = nullptr;  ///< initiatives, decisions, the sealed ballot
};

}  // namespace budget::server
