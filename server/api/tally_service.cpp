#include "server/api/tally_service.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <stdexcept>

#include "server/core/crypto.hpp"
#include "voting/canonical_json.hpp"
#include "voting/results.hpp"

namespace budget::server {

namespace json = boost::json;

std::string ballot_log_key(const std::string& c, int shard) {
    return "budget:{c" + c + ":b" + std::to_string(shard) + "}:log";
}
std::string ballot_stats_key(const std::string& c, int shard) {
    return "budget:{c" + c + ":b" + std::to_string(shard) + "}:stats";
}
std::string results_key(const std::string& c) { return "budget:{c" + c + "}:results"; }
std::string draft_results_key(const std::string& c) { return "budget:{c" + c + "}:results:draft"; }

namespace {

struct StoredHead {
    std::uint64_t tree_size = 0;
    voting::Hash root{};
};

// A head as publish_head stores it; a head naming another shard than the list it sits in is as
// wrong as a bad root: it would let one shard's head vouch for another's log.
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

}  // namespace

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
        std::optional<voting::MerkleTree> own;
        if (k > 0 && !shard_heads[k].empty()) {
            std::vector<voting::Hash> leaves;
            leaves.reserve(size);
            for (std::uint64_t i = 0; i < size; ++i) leaves.push_back(log.leaf(begin + i));
            own.emplace(std::move(leaves));
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

json::object SignedResults::to_json() const {
    return json::object{
        {"document", json::parse(document)}, {"signature", signature}, {"public_key", public_key}};
}

voting::TallyBuilder make_tally_builder(const SealedBallot& ballot) {
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

boost::system::result<SignedResults, std::string> finish_tally(
    const config::Config& config, const SealedBallot& ballot, const voting::TallyBuilder& tally,
    voting::Rule rule, const SigningKey& key, const std::string& tallied_at,
    std::uint64_t tree_heads_checked) {
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
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text->data()),
                         text->size(), key.secret_key.data());
    return SignedResults{std::move(*text), base64_encode(sig, sizeof sig),
                         base64_encode(key.public_key.data(), key.public_key.size())};
}

namespace {
std::string csv_field(std::string text) {
    // Quote when needed, doubling quotes, so that titles with ';' stay in their column.
    if (text.find_first_of(";\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}
}  // namespace

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

}  // namespace budget::server
