#pragma once
// The results document: what the Mission ESS signs and publishes, and how anyone checks it
// against the published anonymous ballots.

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "voting/allocation.hpp"
#include "voting/tally.hpp"

namespace budget::voting {

inline constexpr const char* kResultsFormat = "budget-citoyen-results/1";

struct ResultsInitiative {
    std::string id, title, territory, category;
    std::int64_t amount_eur = 0;  ///< requested amount capped by the category maximum
};

struct ResultsInput {
    std::string campaign_id, campaign_title, vote_opens, vote_closes;
    int max_choices = 3;
    std::int64_t envelope_eur = 0;
    std::string ballot_definition_digest, questionnaire_digest, config_digest;
    std::string public_key_fingerprint, tallied_at;
    /// Signed tree heads published during the vote whose roots the final tree reproduces.
    std::uint64_t tree_heads_checked = 0;
    /// In the order of the tally's initiative ids.
    std::vector<ResultsInitiative> initiatives;
};

/// Builds the document (a JSON object to be serialised with canonical_json and signed).
boost::json::object make_results_document(const ResultsInput& input, const TallyBuilder& tally,
                                          const Allocation& allocation);

/// The published ballots, as `GET /api/v1/ballots/export` gives them.
boost::json::object make_ballot_export(const std::vector<std::string>& canonical_ballots,
                                       const MerkleTree& tree);

/// Everything verify checks, in order; the first failure is reported with a precise reason.
struct Verification {
    std::uint64_t ballots = 0;
    std::string root;
    std::vector<std::string> winners;
};

/// The key the results must be signed with, as announced before the vote: the base64 public key,
/// or the hex SHA-256 fingerprint of it (`budgetctl keys show` prints both). One is required: the
/// key inside the results file proves nothing, anyone can re-sign a forged election with theirs.
struct ExpectedKey {
    std::string public_key_b64;
    std::string fingerprint_hex;  ///< either case
};

/// Checks the signature (Ed25519 over the canonical document) with the expected key; that the
/// results and the export hold no field but theirs; that the export's header (`tree_size`, `root`)
/// is the signed document's; that the exported ballots are canonical with the leaf hashes given,
/// rebuild the document's root and tree size, and recount to the document's votes; and that the
/// rule reproduces its winners. An ExpectedKey with neither field is refused.
boost::system::result<Verification, std::string> verify_results(
    const boost::json::value& results, const boost::json::value& ballot_export,
    const ExpectedKey& expected);

}  // namespace budget::voting
