// Fuzz target: `budgetctl verify` (voting::verify_results) on published results and a ballot
// export. The input is {"document":{...},"ballots":[...]}: the target fills in what a forger
// with the signing key would compute (missing leaf hashes, root, tree size, votes and the key
// fingerprint) and signs the canonical document, so that the fuzzer gets past the signature to
// the recount and the allocation rule. {"raw_results":..., "raw_export":...} is verified as is.

#include <sodium.h>

#include <boost/json.hpp>
#include <string>

#include "tests/fuzz/fuzz_support.hpp"
#include "voting/ballot.hpp"
#include "voting/canonical_json.hpp"
#include "voting/merkle.hpp"
#include "voting/results.hpp"
#include "voting/tally.hpp"

using namespace budget;
namespace json = boost::json;

namespace {

struct Signer {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    std::string pk_b64, fingerprint;

    Signer() {
        if (sodium_init() < 0) std::abort();
        unsigned char seed[crypto_sign_SEEDBYTES];
        for (std::size_t i = 0; i < sizeof seed; ++i) seed[i] = static_cast<unsigned char>(i);
        crypto_sign_seed_keypair(pk, sk, seed);
        pk_b64 = base64(pk, sizeof pk);
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, pk, sizeof pk);
        char hex[crypto_hash_sha256_BYTES * 2 + 1];
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        fingerprint = hex;
    }
    static std::string base64(const unsigned char* bytes, std::size_t n) {
        std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
        sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL);
        out.resize(out.size() - 1);
        return out;
    }
};

const Signer& signer() {
    static const Signer s;
    return s;
}

std::optional<std::string> canonical_of(const json::value& ballot) {
    if (!ballot.is_object()) return std::nullopt;
    const auto& b = ballot.as_object();
    const auto* id = b.if_contains("ballot_id");
    const auto* choices = b.if_contains("choices");
    if (!id || !id->is_string() || !choices || !choices->is_array()) return std::nullopt;
    std::vector<std::string> list;
    for (const auto& c : choices->as_array()) {
        if (!c.is_string()) return std::nullopt;
        list.emplace_back(c.as_string());
    }
    return voting::canonical_ballot(id->as_string(), list);
}

void verify_signed(json::object document, json::array ballots) {
    const auto& s = signer();
    std::vector<std::string> ids;
    if (const auto* inits = document.if_contains("initiatives"); inits && inits->is_array()) {
        for (const auto& i : inits->as_array()) {
            if (i.is_object() && i.as_object().contains("id") && i.as_object().at("id").is_string())
                ids.emplace_back(i.as_object().at("id").as_string());
        }
    }
    voting::TallyBuilder tally(ids);
    bool counted = true;
    for (auto& b : ballots) {
        const auto bytes = canonical_of(b);
        if (!bytes) {
            counted = false;
            continue;
        }
        if (!b.as_object().contains("leaf_hash"))
            b.as_object()["leaf_hash"] = voting::to_hex(voting::leaf_hash(*bytes));
        if (!tally.add(*bytes)) counted = false;
    }
    if (counted) {
        if (!document.contains("tree_size")) document["tree_size"] = tally.size();
        if (!document.contains("root")) document["root"] = voting::to_hex(tally.tree().root());
        if (!document.contains("votes")) {
            json::object votes;
            for (std::size_t i = 0; i < ids.size(); ++i) votes[ids[i]] = tally.votes()[i];
            document["votes"] = std::move(votes);
        }
    }
    document["public_key_fingerprint"] = s.fingerprint;
    const json::value doc_value(std::move(document));
    const auto text = voting::canonical_json(doc_value);
    if (!text) return;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(text->data()),
                         text->size(), s.sk);
    const json::value results = json::object{{"document", doc_value},
                                             {"signature", Signer::base64(sig, sizeof sig)},
                                             {"public_key", s.pk_b64}};
    const auto& signed_doc = doc_value.as_object();
    json::object header{{"ballots", std::move(ballots)}};
    if (const auto* size = signed_doc.if_contains("tree_size")) header["tree_size"] = *size;
    if (const auto* root = signed_doc.if_contains("root")) header["root"] = *root;
    const json::value exported(std::move(header));
    const auto verified = voting::verify_results(results, exported, {s.pk_b64, ""});
    if (verified) {
        FUZZ_CHECK(verified->ballots == exported.as_object().at("ballots").as_array().size(),
                   "verified a count that is not the export's");
        FUZZ_CHECK(verified->root == doc_value.as_object().at("root").as_string(),
                   "verified another root");
    } else {
        FUZZ_CHECK(!verified.error().empty(), "a failed verification without a reason");
    }
    // Another expected key must always be refused.
    FUZZ_CHECK(!voting::verify_results(results, exported, {"AAAA" + s.pk_b64.substr(4), ""}),
               "results verified against another key");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 32;
    const auto input = json::parse(fuzz::as_text(data, size), ec, {}, opts);
    if (ec || !input.is_object()) return 0;
    const auto& o = input.as_object();
    if (const auto* raw = o.if_contains("raw_results")) {
        const auto* exported = o.if_contains("raw_export");
        const auto verified = voting::verify_results(*raw, exported ? *exported : json::value(),
                                                     {signer().pk_b64, ""});
        (void)verified;
        return 0;
    }
    const auto* document = o.if_contains("document");
    const auto* ballots = o.if_contains("ballots");
    if (!document || !document->is_object() || !ballots || !ballots->is_array()) return 0;
    if (ballots->as_array().size() > 300) return 0;
    verify_signed(document->as_object(), ballots->as_array());
    return 0;
}
