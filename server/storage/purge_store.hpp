#pragma once
// The purge of personal data after publication (issue 18): what `budgetctl purge` and budgetd's
// automatic purge run.
//
// Two stages, each refused (as a value) before the results are published:
// - residents' stage (`purge_after_days` after publication, or at once by budgetctl): one-time
//   codes, code and address counters and bindings (residents' and holders'), voted markers, the
//   claims sets and retry keys of every shard, the duplicate audit's 64 buckets, holder
//   sessions, staff sessions and login counters; the outbox file emptied; attachment files that
//   no application names removed. Kept: ballot logs, receipts, stats, tree heads, the sealed
//   ballot, initiatives, labelling, applications, results, the audit stream, staff accounts.
// - holders' stage (`holders_retention_days` after publication, never earlier): account
//   e-mails, owners' keyed hashes and contact fields blanked in every application, attachment
//   lists emptied, every attachment file removed, holders' sets of applications removed.
//
// Keys are found by SCAN on every master (a cursor belongs to one node) and removed with UNLINK
// in batches of keys of one hash slot (a cluster refuses a multi-key command across slots): the
// 1.46 million voted markers of a campaign take about 1,500 commands, not 1.46 million. UNLINK
// frees a large claims set in the background instead of blocking Redis.
//
// A key removed from Redis stays in its append-only file (the commands that wrote it) until
// Redis rewrites that file: after a stage, every master whose AOF is on is asked to rewrite it
// (BGREWRITEAOF), and the report names those that did not. Backups taken before are the
// operator's (docs/deploy.md).
//
// Each stage writes one audit entry ("purge", "purge_holders") with its counts and sets
// keys::purged / keys::holders_purged the first time. Running it again removes what appeared
// since (staff sessions...), nothing else, and reports when the stage first ran.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "server/core/clock.hpp"
#include "server/redis/client.hpp"
#include "server/storage/application_store.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

enum class PurgeStage { residents, holders };

/// Why a stage did not run.
enum class PurgeRefusal {
    none,
    not_published,    ///< the results are not published
    holders_not_due,  ///< the holders' stage before published + holders_retention_days
};

/// What a stage removed (or, in a dry run, would), by kind: keys, files, lines, applications.
struct PurgeCounts {
    // residents' stage
    std::int64_t codes = 0;
    std::int64_t counters = 0;
    std::int64_t bindings = 0;
    std::int64_t voted_markers = 0;
    std::int64_t claims_sets = 0;
    std::int64_t retry_keys = 0;
    std::int64_t identity_audit_buckets = 0;
    std::int64_t holder_sessions = 0;
    std::int64_t staff_sessions = 0;
    std::int64_t login_counters = 0;
    std::int64_t outbox_lines = 0;
    // holders' stage
    std::int64_t applications_blanked = 0;
    std::int64_t holder_sets = 0;
    // both: the holders' stage removes every file, the residents' those no application names
    std::int64_t attachment_files = 0;

    /// (kind, count) in the order printed and audited, for `stage`.
    std::vector<std::pair<std::string, std::int64_t>> rows(PurgeStage stage) const;
    std::int64_t total() const;
};

/// The campaign's purge dates, unix seconds.
struct PurgeStatus {
    std::optional<std::int64_t> published_at;
    std::optional<std::int64_t> purged_at;          ///< the residents' stage first ran
    std::optional<std::int64_t> holders_purged_at;  ///< the holders' stage first ran
    std::int64_t purge_due = 0;    ///< published_at + purge_after_days (0 before publication)
    std::int64_t holders_due = 0;  ///< published_at + holders_retention_days
};

struct PurgeRequest {
    PurgeStage stage = PurgeStage::residents;
    bool dry_run = false;
    std::string username;  ///< the audit entry's: "budgetctl:<user>" or "budgetd:automatic"
    std::string role;      ///< "operator" or "system"
};

struct PurgeReport {
    PurgeRefusal refused = PurgeRefusal::none;
    PurgeStatus before;  ///< as read before this run: before.purged_at says it ran already
    PurgeCounts counts;
    /// Masters with an AOF asked to rewrite it (BGREWRITEAOF), so that the files on disk stop
    /// holding what was removed; and those that refused (an ACL without the command, a rewrite
    /// already running...): their AOF keeps the removed keys until it is rewritten.
    std::vector<std::string> aof_rewritten;
    std::vector<std::string> aof_not_rewritten;
};

/// When the residents' stage first ran (unix seconds), std::nullopt if never: for readers that
/// must not count the voted markers it removed as missing (`budgetctl storage ledger`).
boost::asio::awaitable<StoreResult<std::optional<std::int64_t>>> purged_at(redis::Client& redis,
                                                                           std::string campaign);

class PurgeStore {
  public:
    /// `applications`: the holders' stage and the attachment files; `pool`: file work (outbox).
    PurgeStore(redis::Client& redis, const config::Config& config, ApplicationStore& applications,
               boost::asio::thread_pool& pool, const Clock& clock);

    boost::asio::awaitable<StoreResult<PurgeStatus>> status();

    /// Runs one stage (see the top of this file); refused as a value, writes nothing then.
    boost::asio::awaitable<StoreResult<PurgeReport>> purge(PurgeRequest request);

    /// The automatic purge's claim: true when `who` took it (it lasts `ttl`, so that a budgetd
    /// that dies while purging leaves it to another one later).
    boost::asio::awaitable<StoreResult<bool>> claim(std::string who, std::chrono::seconds ttl);
    /// Gives the claim back (after a stage, done or failed).
    boost::asio::awaitable<void> release();

    /// SCAN's page size, and the most keys of one slot in one UNLINK.
    static constexpr int kScanCount = 1000;
    static constexpr std::size_t kUnlinkBatch = 1000;

  private:
    boost::asio::awaitable<StoreResult<void>> remove_keys(PurgeStage stage, bool dry_run,
                                                          PurgeCounts& counts);
    boost::asio::awaitable<StoreResult<std::int64_t>> empty_outbox(bool dry_run);
    boost::asio::awaitable<void> rewrite_aof(PurgeReport& report);

    redis::Client& redis_;
    config::Config config_;  ///< a copy: a store may outlive the config it was built from
    ApplicationStore& applications_;
    boost::asio::thread_pool& pool_;
    const Clock& clock_;
};

}  // namespace budget::server::storage
