#include "voting/results.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <initializer_list>
#include <map>
#include <optional>
#include <string_view>

#include "voting/ballot.hpp"
#include "voting/canonical_json.hpp"

namespace budget::voting {

namespace json = boost::json;

boost::json::object make_results_document(const ResultsInput& in, const TallyBuilder& tally,
                                          const Allocation& allocation) {
    json::object votes;
    json::array initiatives;
    std::map<std::string, const Decision*> decision_of;
    for (const auto& d : allocation.decisions) decision_of[d.id] = &d;
    for (std::size_t i = 0; i < in.initiatives.size(); ++i) {
        const auto& init = in.initiatives[i];
        const auto& d = *decision_of.at(init.id);
        votes[init.id] = tally.votes()[i];
        initiatives.push_back(json::object{{"id", init.id},
                                           {"title", init.title},
                                           {"territory", init.territory},
                                           {"category", init.category},
                                           {"amount_eur", init.amount_eur},
                                           {"votes", tally.votes()[i]},
                                           {"funded", d.funded},
                                           {"rank", d.rank},
                                           {"reason", reason_code(d.reason)}});
    }
    json::array winners;
    for (const auto& id : allocation.selected) {
        const auto& d = *decision_of.at(id);
        winners.push_back(
            json::object{{"id", id}, {"amount_eur", d.cost}, {"votes", d.votes}, {"rank", d.rank}});
    }
    return json::object{{"format", kResultsFormat},
                        {"campaign", json::object{{"id", in.campaign_id},
                                                  {"title", in.campaign_title},
                                                  {"vote_opens", in.vote_opens},
                                                  {"vote_closes", in.vote_closes},
                                                  {"max_choices", in.max_choices}}},
                        {"envelope_eur", in.envelope_eur},
                        {"rule", rule_name(allocation.rule)},
                        {"tie_break", allocation.tie_break},
                        {"ballots_counted", tally.size()},
                        {"tree_size", tally.size()},
                        {"root", to_hex(tally.tree().root())},
                        {"ballot_definition_digest", in.ballot_definition_digest},
                        {"questionnaire_digest", in.questionnaire_digest},
                        {"config_digest", in.config_digest},
                        {"public_key_fingerprint", in.public_key_fingerprint},
                        {"tallied_at", in.tallied_at},
                        {"tree_heads_checked", in.tree_heads_checked},
                        {"votes", votes},
                        {"initiatives", initiatives},
                        {"winners", winners},
                        {"total_allocated_eur", allocation.total_cost}};
}

boost::json::object make_ballot_export(const std::vector<std::string>& canonical_ballots,
                                       const MerkleTree& tree) {
    json::array ballots;
    ballots.reserve(canonical_ballots.size());
    for (std::size_t i = 0; i < canonical_ballots.size(); ++i) {
        auto parsed = parse_canonical_ballot(canonical_ballots[i]);
        json::array choices;
        for (auto& c : parsed->choices) choices.emplace_back(c);
        ballots.push_back(json::object{{"ballot_id", parsed->ballot_id},
                                       {"choices", std::move(choices)},
                                       {"leaf_hash", to_hex(tree.leaf(i))}});
    }
    return json::object{
        {"tree_size", tree.size()}, {"root", to_hex(tree.root())}, {"ballots", std::move(ballots)}};
}

namespace {

std::optional<std::vector<unsigned char>> from_base64(const std::string& text) {
    std::vector<unsigned char> out(text.size());
    std::size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return std::nullopt;
    out.resize(len);
    return out;
}

std::string fingerprint(const std::vector<unsigned char>& key) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, key.data(), key.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return hex;
}

const json::value* field(const json::value& v, const char* name) {
    return v.is_object() ? v.as_object().if_contains(name) : nullptr;
}

// The first field of `v` not among `allowed`, if any: a file must not carry what nobody checks.
std::optional<std::string> unexpected_field(const json::object& v,
                                            std::initializer_list<std::string_view> allowed) {
    for (const auto& [name, value] : v) {
        if (std::find(allowed.begin(), allowed.end(), std::string_view(name)) == allowed.end())
            return std::string(name);
    }
    return std::nullopt;
}

std::string lower(std::string text) {
    for (auto& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
}

}  // namespace

boost::system::result<Verification, std::string> verify_results(const json::value& results,
                                                                const json::value& ballot_export,
                                                                const ExpectedKey& expected) {
    if (sodium_init() < 0) return std::string("libsodium could not be initialised");
    if (expected.public_key_b64.empty() && expected.fingerprint_hex.empty())
        return std::string(
            "key: the expected public key or its fingerprint is required (the key inside the "
            "file proves nothing)");
    const auto* document = field(results, "document");
    const auto* signature = field(results, "signature");
    const auto* public_key = field(results, "public_key");
    if (!document || !document->is_object() || !signature || !signature->is_string() ||
        !public_key || !public_key->is_string())
        return std::string(
            "results: expected {\"document\":{...},\"signature\":\"...\",\"public_key\":\"...\"}");
    if (const auto extra =
            unexpected_field(results.as_object(), {"document", "signature", "public_key"}))
        return "results: unexpected field " + *extra;
    const std::string key_b64(public_key->as_string());
    if (!expected.public_key_b64.empty() && expected.public_key_b64 != key_b64)
        return std::string(
            "public_key: the results are signed with another key than the one expected");
    const auto key = from_base64(key_b64);
    const auto sig = from_base64(std::string(signature->as_string()));
    if (!key || key->size() != crypto_sign_PUBLICKEYBYTES)
        return std::string("public_key: not a base64 Ed25519 key");
    if (!expected.fingerprint_hex.empty() && lower(expected.fingerprint_hex) != fingerprint(*key))
        return std::string(
            "public_key: the results are signed with another key than the one expected "
            "(fingerprint " +
            fingerprint(*key) + ")");
    if (!sig || sig->size() != crypto_sign_BYTES)
        return std::string("signature: not a base64 Ed25519 signature");
    const auto text = canonical_json(*document);
    if (!text) return std::string("document: holds a floating-point number, which is never signed");
    if (crypto_sign_verify_detached(sig->data(),
                                    reinterpret_cast<const unsigned char*>(text->data()),
                                    text->size(), key->data()) != 0)
        return std::string(
            "signature: does not match the document (altered document, or another key)");
    const auto& doc = document->as_object();
    try {
        if (json::value_to<std::string>(doc.at("public_key_fingerprint")) != fingerprint(*key))
            return std::string("document: public_key_fingerprint does not match the signing key");

        // The export's header: every field of it is the signed document's, or the file is refused.
        if (!ballot_export.is_object()) return std::string("export: expected an object");
        const auto& header = ballot_export.as_object();
        if (const auto extra = unexpected_field(header, {"tree_size", "root", "ballots"}))
            return "export: unexpected field " + *extra;
        const auto* export_size = header.if_contains("tree_size");
        if (!export_size || (!export_size->is_uint64() && !export_size->is_int64()))
            return std::string("export: tree_size missing or not an integer");
        if (export_size->to_number<std::uint64_t>() !=
            doc.at("tree_size").to_number<std::uint64_t>())
            return "export: tree_size " + std::to_string(export_size->to_number<std::uint64_t>()) +
                   " is not the signed document's " +
                   std::to_string(doc.at("tree_size").to_number<std::uint64_t>());
        const auto* export_root = header.if_contains("root");
        if (!export_root || !export_root->is_string())
            return std::string("export: root missing or not a string");
        if (export_root->as_string() != doc.at("root").as_string())
            return "export: root " + std::string(export_root->as_string()) +
                   " is not the signed document's " + std::string(doc.at("root").as_string());

        // Rebuild the log from the export.
        const auto* ballots = field(ballot_export, "ballots");
        if (!ballots || !ballots->is_array())
            return std::string("export: expected {\"ballots\":[...]}");
        std::vector<std::string> ids;
        for (const auto& init : doc.at("initiatives").as_array()) {
            ids.push_back(json::value_to<std::string>(init.at("id")));
        }
        TallyBuilder tally(ids);
        std::uint64_t index = 0;
        for (const auto& b : ballots->as_array()) {
            if (!b.is_object())
                return "export: ballot #" + std::to_string(index) + " is not an object";
            if (const auto extra =
                    unexpected_field(b.as_object(), {"ballot_id", "choices", "leaf_hash"}))
                return "export: ballot #" + std::to_string(index) + " has an unexpected field " +
                       *extra;
            std::vector<std::string> choices;
            for (const auto& c : b.at("choices").as_array())
                choices.push_back(json::value_to<std::string>(c));
            const auto bytes =
                canonical_ballot(json::value_to<std::string>(b.at("ballot_id")), choices);
            if (to_hex(leaf_hash(bytes)) != json::value_to<std::string>(b.at("leaf_hash")))
                return "export: ballot #" + std::to_string(index) +
                       " does not hash to its leaf_hash";
            if (auto added = tally.add(bytes); !added) return "export: " + describe(added.error());
            ++index;
        }
        const auto root = to_hex(tally.tree().root());
        if (tally.size() != doc.at("tree_size").to_number<std::uint64_t>())
            return "root: the export holds " + std::to_string(tally.size()) +
                   " ballots, the document counts " +
                   std::to_string(doc.at("tree_size").to_number<std::uint64_t>());
        if (root != json::value_to<std::string>(doc.at("root")))
            return "root: the exported ballots give the root " + root + ", the document says " +
                   json::value_to<std::string>(doc.at("root"));
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto claimed = doc.at("votes").at(ids[i]).to_number<std::uint64_t>();
            if (claimed != tally.votes()[i])
                return "votes: initiative " + ids[i] + " has " + std::to_string(tally.votes()[i]) +
                       " votes in the ballots, the document says " + std::to_string(claimed);
        }
        // Re-run the rule on the recount.
        const auto rule = parse_rule(json::value_to<std::string>(doc.at("rule")));
        if (!rule) return std::string("document: unknown rule");
        std::vector<Project> projects;
        for (const auto& init : doc.at("initiatives").as_array()) {
            projects.push_back(Project{json::value_to<std::string>(init.at("id")),
                                       init.at("amount_eur").to_number<std::int64_t>(),
                                       json::value_to<std::string>(init.at("territory"))});
        }
        const auto allocation = allocate(*rule, projects, tally.ballots(),
                                         doc.at("envelope_eur").to_number<std::int64_t>());
        if (!allocation) return std::string("allocation: ") + describe(allocation.error());
        std::vector<std::string> winners;
        for (const auto& w : doc.at("winners").as_array())
            winners.push_back(json::value_to<std::string>(w.at("id")));
        if (winners != allocation->selected)
            return std::string(
                "winners: the rule applied to the recount does not select the document's winners");
        return Verification{tally.size(), root, winners};
    } catch (const std::exception& e) {
        return std::string("document: missing or mistyped field (") + e.what() + ")";
    }
}

}  // namespace budget::voting
