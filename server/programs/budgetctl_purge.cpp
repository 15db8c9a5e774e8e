#include "server/programs/budgetctl_purge.hpp"

#include <pwd.h>
#include <unistd.h>

#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <ostream>
#include <variant>

#include "config/paris_time.hpp"
#include "server/core/clock.hpp"
#include "server/programs/budgetctl_redis.hpp"
#include "server/storage/application_store.hpp"
#include "server/storage/purge_store.hpp"

namespace budget::server::programs {

namespace {

using storage::PurgeStage;

constexpr const char* kUsage =
    "usage: budgetctl --config FILE purge [--dry-run] [--holders]\n"
    "  after the results are published: remove one-time codes, counters, e-mail bindings,\n"
    "  voted markers, claims sets, retry keys, the identity-audit buckets, holder and staff\n"
    "  sessions, login counters, the outbox's lines and unnamed attachment files; keep the\n"
    "  ballots, the log, tree heads, results and the audit stream\n"
    "  --dry-run   count what would be removed; remove nothing\n"
    "  --holders   also the holders' stage (blank contacts and account e-mails in applications,\n"
    "              remove attachment files and holders' sets), once [privacy]\n"
    "              holders_retention_days have passed since the publication\n";

std::string operator_name() {
    if (const auto* pw = ::getpwuid(::getuid())) return std::string("budgetctl:") + pw->pw_name;
    return "budgetctl:uid" + std::to_string(::getuid());
}

const char* stage_name(PurgeStage stage) {
    return stage == PurgeStage::residents ? "residents' stage" : "holders' stage";
}

void print_report(const storage::PurgeReport& report, PurgeStage stage, bool dry_run,
                  std::ostream& out) {
    const auto& first =
        stage == PurgeStage::residents ? report.before.purged_at : report.before.holders_purged_at;
    out << "purge, " << stage_name(stage) << (dry_run ? " (dry run: nothing removed)" : "")
        << ":\n";
    if (first) {
        out << "  the " << stage_name(stage) << " ran on " << config::format_paris_time(*first)
            << "; this run " << (dry_run ? "would remove" : "removed")
            << " only what appeared since\n";
    }
    for (const auto& [kind, count] : report.counts.rows(stage))
        out << "  " << kind << ": " << count << '\n';
    out << "  " << (dry_run ? "would remove " : "removed ") << report.counts.total() << " in all\n";
    for (const auto& master : report.aof_rewritten)
        out << "  append-only file rewritten on " << master << " (BGREWRITEAOF started)\n";
    for (const auto& master : report.aof_not_rewritten) {
        out << "  warning: " << master
            << " did not rewrite its append-only file: it holds the removed keys until it is "
               "rewritten; run BGREWRITEAOF there as the Redis administrator "
               "(docs/deploy.md)\n";
    }
}

}  // namespace

int run_purge_command(const config::Config& config, const std::vector<std::string>& args,
                      std::ostream& out, std::ostream& err) {
    bool dry_run = false, holders = false;
    for (const auto& a : args) {
        if (a == "--dry-run") {
            dry_run = true;
        } else if (a == "--holders") {
            holders = true;
        } else {
            err << "budgetctl purge: unknown option " << a << "\n" << kUsage;
            return 2;
        }
    }
    auto connected = connect_redis(config);
    if (auto* reason = std::get_if<std::string>(&connected)) {
        err << "budgetctl purge: " << *reason << "\n";
        return 1;
    }
    auto& redis = *std::get<std::unique_ptr<redis::BlockingClient>>(connected);
    boost::asio::thread_pool pool(1);
    const SystemClock clock;
    // As storage::Stores builds it: a Config built in code leaves the directory to its default.
    const auto attachments = config.storage.attachments_dir.empty()
                                 ? std::filesystem::path(config.storage.data_dir) / "attachments"
                                 : std::filesystem::path(config.storage.attachments_dir);
    storage::ApplicationStore applications(redis.client(), config.campaign.id, attachments, pool);
    storage::PurgeStore purge(redis.client(), config, applications, pool, clock);

    const auto status = redis.run(purge.status());
    if (!status) {
        err << "budgetctl purge: Redis did not answer; nothing removed\n";
        return 1;
    }
    const auto& c = config.campaign.id;
    if (!status->published_at) {
        err << "budgetctl purge: the results of campaign " << c
            << " are not published; the purge runs only after their publication "
               "(POST /api/v1/admin/publish). Nothing removed.\n";
        return 1;
    }
    if (holders && clock.now() < status->holders_due) {
        err << "budgetctl purge: the holders' stage is due on "
            << config::format_paris_time(status->holders_due) << " ("
            << config.privacy.holders_retention_days
            << " days, [privacy] holders_retention_days, after the publication on "
            << config::format_paris_time(*status->published_at)
            << "). Nothing removed; `budgetctl purge` without --holders runs the residents' "
               "stage now.\n";
        return 1;
    }
    const auto who = operator_name();
    std::vector<PurgeStage> stages{PurgeStage::residents};
    if (holders) stages.push_back(PurgeStage::holders);
    for (const auto stage : stages) {
        storage::PurgeRequest request{stage, dry_run, who, "operator"};
        const auto report = redis.run(purge.purge(std::move(request)));
        if (!report) {
            err << "budgetctl purge: Redis failed during the " << stage_name(stage)
                << "; run the command again (it goes on where it stopped)\n";
            return 1;
        }
        if (report->refused != storage::PurgeRefusal::none) {
            // Checked above: only a publication or a clock that moved in between gets here.
            err << "budgetctl purge: the " << stage_name(stage) << " is not due; nothing removed\n";
            return 1;
        }
        print_report(*report, stage, dry_run, out);
    }
    return 0;
}

}  // namespace budget::server::programs
