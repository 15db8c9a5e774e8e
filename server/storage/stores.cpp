#include "server/storage/stores.hpp"

#include "server/storage/keys.hpp"

namespace budget::server::storage {

Stores::Stores(redis::Client& redis, const config::Config& config,
               const labelling::Questionnaire& questionnaire, const SigningKey& signing_key,
               const Clock& clock, const crypto::Key32& pepper, boost::asio::thread_pool& pool)
    : redis(redis),
      ballots(redis, config),
      codes(redis, config.campaign.id, crypto::derive_key(pepper, "otp")),
      limits(redis, config.campaign.id),
      staff(redis),
      audit(redis, config.campaign.id),
      labelling(redis, config.campaign.id),
      campaign(redis, config.campaign, questionnaire, signing_key, clock),
      log(redis, config.campaign.id),
      results(redis, config.campaign.id),
      identity_audit(redis, config.campaign.id),
      holder_codes(redis, keys::holder_codes_campaign(config.campaign.id),
                   crypto::derive_key(pepper, "holder-otp")),
      applications(redis, config.campaign.id,
                   // A Config built in code (not parsed) leaves the directory to its default.
                   config.storage.attachments_dir.empty()
                       ? std::filesystem::path(config.storage.data_dir) / "attachments"
                       : std::filesystem::path(config.storage.attachments_dir),
                   pool),
      purge(redis, config, applications, pool, clock) {}

boost::asio::awaitable<bool> Stores::ping() {
    if (!redis.connected()) co_return false;
    // GCC 12 rejects braced lists inside co_await: name the values first.
    std::vector<std::string> ping{"PING"};
    auto pong = co_await redis.command(std::move(ping));
    co_return pong.has_value();
}

}  // namespace budget::server::storage
