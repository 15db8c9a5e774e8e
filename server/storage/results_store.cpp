#include "server/storage/results_store.hpp"

#include <boost/json.hpp>

#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Publication copies the last tally to the published results in one step, once.
// KEYS: draft, results, published. ARGV: when. Returns 'ok', 'already' or 'no_tally'.
constexpr const char* kPublish = R"lua(
if redis.call('EXISTS', KEYS[3]) == 1 then return 'already' end
if redis.call('EXISTS', KEYS[1]) == 0 then return 'no_tally' end
redis.call('COPY', KEYS[1], KEYS[2], 'REPLACE')
redis.call('SET', KEYS[3], ARGV[1])
return 'ok'
)lua";

}  // namespace

json::object SignedResults::to_json() const {
    return json::object{
        {"document", json::parse(document)}, {"signature", signature}, {"public_key", public_key}};
}

ResultsStore::ResultsStore(redis::Client& redis, std::string campaign)
    : redis_(redis), campaign_(std::move(campaign)), publish_script_(kPublish) {}

asio::awaitable<StoreResult<void>> ResultsStore::save_draft(SignedResults results) {
    std::vector<std::string> cmd{
        "HSET",      keys::draft_results(campaign_), "document",   std::move(results.document),
        "signature", std::move(results.signature),   "public_key", std::move(results.public_key)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::write_failure(r.error(), "save_draft");
    co_return StoreResult<void>();
}

asio::awaitable<StoreResult<PublishOutcome>> ResultsStore::publish(std::string at) {
    std::vector<std::string> keys{keys::draft_results(campaign_), keys::results(campaign_),
                                  keys::published(campaign_)};
    std::vector<std::string> args{std::move(at)};
    auto r = co_await redis_.eval(publish_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "publish");
    if (r->str == "ok") co_return PublishOutcome::published;
    if (r->str == "already") co_return PublishOutcome::already_published;
    if (r->str == "no_tally") co_return PublishOutcome::no_tally;
    co_return StoreError::corrupt;
}

asio::awaitable<StoreResult<std::optional<SignedResults>>> ResultsStore::published() {
    std::vector<std::string> cmd{"HMGET", keys::results(campaign_), "document", "signature",
                                 "public_key"};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "published_results");
    if (r->elements.size() != 3) co_return StoreError::corrupt;
    if (r->elements[0].is_nil()) co_return std::optional<SignedResults>();
    co_return std::optional<SignedResults>(
        SignedResults{r->elements[0].str, r->elements[1].str, r->elements[2].str});
}

asio::awaitable<StoreResult<std::string>> ResultsStore::published_at() {
    std::vector<std::string> cmd{"GET", keys::published(campaign_)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "published_at");
    if (r->is_nil()) co_return std::string();
    co_return r->str;
}

}  // namespace budget::server::storage
