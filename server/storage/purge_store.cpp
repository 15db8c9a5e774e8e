#include "server/storage/purge_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>

#include "config/paris_time.hpp"
#include "server/core/blocking.hpp"
#include "server/core/log.hpp"
#include "server/redis/cluster.hpp"
#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;
namespace json = boost::json;
using keys::PurgeFamily;

namespace {

constexpr std::int64_t kDay = 24 * 3600;

std::optional<std::int64_t> unix_seconds(const redis::Reply& reply) {
    if (reply.is_nil()) return std::nullopt;
    std::int64_t value = 0;
    const auto* first = reply.str.data();
    const auto* last = first + reply.str.size();
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end != last) return std::nullopt;
    return value;
}

/// Whether the family is removed at `stage`: the holders' sets wait for the holders' stage,
/// which removes nothing else from Redis (the residents' stage ran before it).
bool removed_at(PurgeFamily family, PurgeStage stage) {
    if (family == PurgeFamily::keep) return false;
    return (family == PurgeFamily::holder_set) == (stage == PurgeStage::holders);
}

void count(PurgeCounts& counts, PurgeFamily family) {
    switch (family) {
        case PurgeFamily::keep:
            return;
        case PurgeFamily::codes:
            ++counts.codes;
            return;
        case PurgeFamily::counters:
            ++counts.counters;
            return;
        case PurgeFamily::bindings:
            ++counts.bindings;
            return;
        case PurgeFamily::voted_marker:
            ++counts.voted_markers;
            return;
        case PurgeFamily::claims_set:
            ++counts.claims_sets;
            return;
        case PurgeFamily::retry:
            ++counts.retry_keys;
            return;
        case PurgeFamily::identity_audit:
            ++counts.identity_audit_buckets;
            return;
        case PurgeFamily::holder_session:
            ++counts.holder_sessions;
            return;
        case PurgeFamily::staff_session:
            ++counts.staff_sessions;
            return;
        case PurgeFamily::login_counter:
            ++counts.login_counters;
            return;
        case PurgeFamily::holder_set:
            ++counts.holder_sets;
            return;
    }
}

using Found = std::vector<std::pair<std::string, PurgeFamily>>;

/// Counts and (unless `dry_run`) unlinks keys of one slot, in batches. SCAN may return a key
/// twice: each is counted once per flush.
asio::awaitable<StoreResult<void>> flush(redis::Client& redis, Found found, bool dry_run,
                                         PurgeCounts& counts) {
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    for (std::size_t at = 0; at < found.size(); at += PurgeStore::kUnlinkBatch) {
        const auto end = std::min(found.size(), at + PurgeStore::kUnlinkBatch);
        if (!dry_run) {
            std::vector<std::string> cmd{"UNLINK"};
            cmd.reserve(end - at + 1);
            for (auto i = at; i < end; ++i) cmd.push_back(found[i].first);
            auto r = co_await redis.command(std::move(cmd));
            if (!r) co_return detail::write_failure(r.error(), "purge_unlink");
        }
        for (auto i = at; i < end; ++i) count(counts, found[i].second);
    }
    co_return StoreResult<void>();
}

/// The outbox's lines (each an e-mail: address and code or notice in clear), counted, and the
/// file emptied unless `dry_run`. A writer appending meanwhile (O_APPEND) goes on at the new end.
StoreResult<std::int64_t> empty_outbox_file(const std::string& path, bool dry_run) {
    const int fd = ::open(path.c_str(), (dry_run ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::int64_t{0};
        log_event("error", "outbox_purge_failed", {{"reason", std::strerror(errno)}});
        return StoreError::unavailable;
    }
    std::int64_t lines = 0;
    char buffer[65536];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            log_event("error", "outbox_purge_failed", {{"reason", std::strerror(errno)}});
            ::close(fd);
            return StoreError::unavailable;
        }
        if (n == 0) break;
        lines += std::count(buffer, buffer + n, '\n');
    }
    const bool emptied = dry_run || (::ftruncate(fd, 0) == 0 && ::fsync(fd) == 0);
    const int saved = errno;
    ::close(fd);
    if (!emptied) {
        log_event("error", "outbox_purge_failed", {{"reason", std::strerror(saved)}});
        return StoreError::unavailable;
    }
    return lines;
}

}  // namespace

asio::awaitable<StoreResult<std::optional<std::int64_t>>> purged_at(redis::Client& redis,
                                                                    std::string campaign) {
    std::vector<std::string> cmd{"GET", keys::purged(campaign)};
    auto r = co_await redis.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "purged_at");
    co_return unix_seconds(*r);
}

std::vector<std::pair<std::string, std::int64_t>> PurgeCounts::rows(PurgeStage stage) const {
    if (stage == PurgeStage::holders) {
        return {{"applications blanked", applications_blanked},
                {"holder application sets", holder_sets},
                {"attachment files", attachment_files}};
    }
    return {{"one-time codes", codes},
            {"code and address counters", counters},
            {"e-mail bindings", bindings},
            {"voted markers", voted_markers},
            {"claims sets", claims_sets},
            {"ballot retry keys", retry_keys},
            {"identity-audit buckets", identity_audit_buckets},
            {"holder sessions", holder_sessions},
            {"staff sessions", staff_sessions},
            {"staff login counters", login_counters},
            {"outbox lines", outbox_lines},
            {"unnamed attachment files", attachment_files}};
}

std::int64_t PurgeCounts::total() const {
    return codes + counters + bindings + voted_markers + claims_sets + retry_keys +
           identity_audit_buckets + holder_sessions + staff_sessions + login_counters +
           outbox_lines + applications_blanked + holder_sets + attachment_files;
}

PurgeStore::PurgeStore(redis::Client& redis, const config::Config& config,
                       ApplicationStore& applications, boost::asio::thread_pool& pool,
                       const Clock& clock)
    : redis_(redis), config_(config), applications_(applications), pool_(pool), clock_(clock) {}

asio::awaitable<StoreResult<PurgeStatus>> PurgeStore::status() {
    const auto& c = config_.campaign.id;
    PurgeStatus status;
    std::vector<std::string> published{"GET", keys::published(c)};
    auto at = co_await redis_.command(std::move(published));
    if (!at) co_return detail::read_failure(at.error(), "published_at");
    if (!at->is_nil()) {
        status.published_at = config::parse_rfc3339(at->str);
        if (!status.published_at) co_return StoreError::corrupt;
        status.purge_due = *status.published_at + config_.privacy.purge_after_days * kDay;
        status.holders_due = *status.published_at + config_.privacy.holders_retention_days * kDay;
    }
    std::vector<std::string> purged{"GET", keys::purged(c)};
    auto p = co_await redis_.command(std::move(purged));
    if (!p) co_return detail::read_failure(p.error(), "purged_at");
    status.purged_at = unix_seconds(*p);
    std::vector<std::string> holders{"GET", keys::holders_purged(c)};
    auto h = co_await redis_.command(std::move(holders));
    if (!h) co_return detail::read_failure(h.error(), "holders_purged_at");
    status.holders_purged_at = unix_seconds(*h);
    co_return status;
}

asio::awaitable<StoreResult<void>> PurgeStore::remove_keys(PurgeStage stage, bool dry_run,
                                                           PurgeCounts& counts) {
    const auto& c = config_.campaign.id;
    const bool cluster = redis_.is_cluster();
    // Keys found, by slot (one group on a single server: any keys go together), flushed when
    // a slot has a batch or when too many are held.
    std::map<std::uint16_t, Found> pending;
    std::size_t held = 0;
    constexpr std::size_t kMaxHeld = 20 * kUnlinkBatch;
    for (const auto& master : redis_.masters()) {
        std::string cursor = "0";
        do {
            std::vector<std::string> cmd{"SCAN",  cursor,
                                         "MATCH", keys::purge_scan_pattern(),
                                         "COUNT", std::to_string(kScanCount)};
            auto page = co_await redis_.command_on_master(master, std::move(cmd));
            if (!page) co_return detail::read_failure(page.error(), "purge_scan");
            if (page->elements.size() != 2) co_return StoreError::corrupt;
            cursor = page->elements[0].str;
            for (auto& key : page->elements[1].elements) {
                const auto family = keys::purge_family(c, key.str);
                if (!removed_at(family, stage)) continue;
                const std::uint16_t slot = cluster ? redis::key_hash_slot(key.str) : 0;
                auto& group = pending[slot];
                group.emplace_back(std::move(key.str), family);
                ++held;
                if (group.size() >= kUnlinkBatch) {
                    held -= group.size();
                    auto done = co_await flush(redis_, std::move(group), dry_run, counts);
                    if (!done) co_return done.error();
                    pending.erase(slot);
                }
            }
            if (held >= kMaxHeld) {
                for (auto& [slot, group] : pending) {
                    auto done = co_await flush(redis_, std::move(group), dry_run, counts);
                    if (!done) co_return done.error();
                }
                pending.clear();
                held = 0;
            }
        } while (cursor != "0");
    }
    for (auto& [slot, group] : pending) {
        auto done = co_await flush(redis_, std::move(group), dry_run, counts);
        if (!done) co_return done.error();
    }
    co_return StoreResult<void>();
}

asio::awaitable<StoreResult<std::int64_t>> PurgeStore::empty_outbox(bool dry_run) {
    // Only the outbox delivery writes the file; with SMTP a stale one is the operator's.
    if (config_.otp.delivery != "outbox" || config_.otp.outbox.empty()) co_return 0;
    auto work = [path = config_.otp.outbox, dry_run] { return empty_outbox_file(path, dry_run); };
    auto result = co_await run_blocking(pool_, std::move(work));
    co_return result;
}

asio::awaitable<void> PurgeStore::rewrite_aof(PurgeReport& report) {
    for (const auto& master : redis_.masters()) {
        std::vector<std::string> get{"CONFIG", "GET", "appendonly"};
        auto on = co_await redis_.command_on_master(master, std::move(get));
        // Without an AOF there is nothing on disk to rewrite (an RDB is replaced at its next
        // save).
        if (on && on->elements.size() == 2 && on->elements[1].str == "no") continue;
        std::vector<std::string> rewrite{"BGREWRITEAOF"};
        auto r = co_await redis_.command_on_master(master, std::move(rewrite));
        if (r && !r->is_error())
            report.aof_rewritten.push_back(master);
        else
            report.aof_not_rewritten.push_back(master);
    }
}

asio::awaitable<StoreResult<PurgeReport>> PurgeStore::purge(PurgeRequest request) {
    PurgeReport report;
    auto status = co_await this->status();
    if (!status) co_return status.error();
    report.before = *status;
    const auto now = clock_.now();
    if (!status->published_at) {
        report.refused = PurgeRefusal::not_published;
        co_return report;
    }
    const bool holders = request.stage == PurgeStage::holders;
    if (holders && now < status->holders_due) {
        report.refused = PurgeRefusal::holders_not_due;
        co_return report;
    }
    const bool dry = request.dry_run;
    auto& counts = report.counts;
    if (holders) {
        // The applications first: once none names a file, every file can go.
        auto blanked = co_await applications_.blank_personal_data(dry);
        if (!blanked) co_return blanked.error();
        counts.applications_blanked = *blanked;
    }
    auto removed = co_await remove_keys(request.stage, dry, counts);
    if (!removed) co_return removed.error();
    if (!holders) {
        auto lines = co_await empty_outbox(dry);
        if (!lines) co_return lines.error();
        counts.outbox_lines = *lines;
    }
    auto files = co_await applications_.remove_attachment_files(holders, dry);
    if (!files) co_return files.error();
    counts.attachment_files = *files;
    if (dry) co_return report;

    const auto& c = config_.campaign.id;
    // The first run's time stays: it is when the markers and bindings went.
    std::vector<std::string> mark{"SET", holders ? keys::holders_purged(c) : keys::purged(c),
                                  std::to_string(now), "NX"};
    auto marked = co_await redis_.command(std::move(mark));
    if (!marked) co_return detail::write_failure(marked.error(), "purge_mark");
    json::object details;
    for (const auto& [kind, n] : counts.rows(request.stage)) details[kind] = n;
    if (const auto& before = holders ? status->holders_purged_at : status->purged_at)
        details["first_run"] = config::format_paris_time(*before);
    AuditLog audit(redis_, c);
    AuditEntry entry{request.username,
                     request.role,
                     holders ? "purge_holders" : "purge",
                     c,
                     std::move(details),
                     ""};
    if (!co_await audit.append(std::move(entry))) co_return StoreError::outcome_unknown;
    co_await rewrite_aof(report);
    log_event("info", holders ? "purge_holders_done" : "purge_done",
              {{"by", request.username}, {"removed", counts.total()}});
    co_return report;
}

asio::awaitable<StoreResult<bool>> PurgeStore::claim(std::string who, std::chrono::seconds ttl) {
    std::vector<std::string> cmd{
        "SET",          keys::purge_claim(config_.campaign.id),
        std::move(who), "NX",
        "EX",           std::to_string(std::max<std::int64_t>(ttl.count(), 1))};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::write_failure(r.error(), "purge_claim");
    co_return !r->is_nil();
}

asio::awaitable<void> PurgeStore::release() {
    std::vector<std::string> cmd{"DEL", keys::purge_claim(config_.campaign.id)};
    co_await redis_.command(std::move(cmd));
}

}  // namespace budget::server::storage
