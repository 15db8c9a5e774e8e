#include "server/storage/keys.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "server/core/crypto.hpp"

namespace budget::server::storage::keys {

namespace {

std::string join(std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(a.size() + b.size());
    out.append(a).append(b);
    return out;
}

}  // namespace

std::string campaign(std::string_view c) { return join(join("budget:{c", c), "}:"); }
std::string published(std::string_view c) { return campaign(c) + "published"; }
std::string closed(std::string_view c) { return campaign(c) + "closed"; }
std::string ballot_shards(std::string_view c) { return campaign(c) + "ballot_shards"; }
std::string sealed_ballot(std::string_view c) { return campaign(c) + "ballot"; }
std::string initiatives(std::string_view c) { return campaign(c) + "initiatives"; }
std::string evaluations(std::string_view c) { return campaign(c) + "evaluations"; }
std::string decisions(std::string_view c) { return campaign(c) + "decisions"; }
std::string labelling_version(std::string_view c) { return campaign(c) + "labelling_version"; }
std::string audit(std::string_view c) { return campaign(c) + "audit"; }
std::string tree_heads(std::string_view c, int shard) {
    auto key = campaign(c) + "heads";
    if (shard > 0) key += ":" + std::to_string(shard);
    return key;
}
std::string results(std::string_view c) { return campaign(c) + "results"; }
std::string draft_results(std::string_view c) { return campaign(c) + "results:draft"; }

std::string applications(std::string_view c) { return campaign(c) + "applications"; }
std::string holder_applications(std::string_view c, std::string_view owner) {
    return join(campaign(c) + "holder_apps:", owner);
}
std::string holder_session(std::string_view c, std::string_view session_id) {
    return campaign(c) + "holder_session:" + crypto::sha256_hex(session_id);
}
std::string holder_codes_campaign(std::string_view c) { return join(c, ":h"); }

std::string shard(std::string_view c, int k) {
    std::string out = "budget:{c";
    out.append(c).append(":b").append(std::to_string(k)).append("}:");
    return out;
}
std::string ballot_log(std::string_view c, int k) { return shard(c, k) + "log"; }
std::string receipts(std::string_view c, int k) { return shard(c, k) + "receipts"; }
std::string ballot_stats(std::string_view c, int k) { return shard(c, k) + "stats"; }
std::string ballot_claims(std::string_view c, int k) { return shard(c, k) + "claims"; }
std::string head_mark(std::string_view c, int k) { return shard(c, k) + "head_mark"; }
std::string voted_pattern(std::string_view c, int k) { return shard(c, k) + "voted:*"; }

int shard_of(std::string_view identity_key, int shards) {
    // The first 32 bits of the hex key; from_chars rather than stoul(substr()): this runs for
    // every ballot.
    unsigned long prefix = 0;
    const auto* first = identity_key.data();
    const auto* last = first + std::min<std::size_t>(identity_key.size(), 8);
    const auto [end, ec] = std::from_chars(first, last, prefix, 16);
    if (ec != std::errc() || end != last || last - first < 8)
        throw std::invalid_argument("identity key is not hex");
    return static_cast<int>(prefix % static_cast<unsigned long>(std::max(shards, 1)));
}

std::string BallotKeys::retry(std::string_view hash) const {
    return join(join(tag, "retry:"), hash.substr(0, 32));
}

BallotKeys ballot_keys(std::string_view c, int shards, std::string_view identity_key) {
    BallotKeys k;
    k.shard = shard_of(identity_key, shards);
    k.tag = shard(c, k.shard);
    k.voted = join(join(k.tag, "voted:"), identity_key);
    k.log = join(k.tag, "log");
    k.receipts = join(k.tag, "receipts");
    k.stats = join(k.tag, "stats");
    k.claims = join(k.tag, "claims");
    return k;
}

std::string email(std::string_view c, std::string_view hash) {
    std::string out = "budget:{c";
    out.append(c).append(":e").append(hash.substr(0, 32)).append("}:");
    return out;
}
std::string email_code(std::string_view c, std::string_view hash) { return email(c, hash) + "otp"; }
std::string email_counter(std::string_view c, std::string_view hash) {
    return email(c, hash) + "codes";
}
std::string email_binding(std::string_view c, std::string_view hash) {
    return email(c, hash) + "identity";
}
std::string address_counter(std::string_view c, std::string_view hash) {
    std::string out = "budget:{c";
    out.append(c).append(":ip}:").append(hash.substr(0, 32));
    return out;
}

std::string purged(std::string_view c) { return campaign(c) + "purged"; }
std::string holders_purged(std::string_view c) { return campaign(c) + "holders_purged"; }
std::string purge_claim(std::string_view c) { return campaign(c) + "purge_claim"; }
std::string purge_scan_pattern() { return "budget:{*"; }

namespace {

bool digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// A key of one address's slot, `rest` after "budget:{c<id>:e": "<hash>}:<what>".
PurgeFamily email_family(std::string_view rest) {
    const auto close = rest.find("}:");
    if (close == std::string_view::npos) return PurgeFamily::keep;
    const auto what = rest.substr(close + 2);
    if (what == "otp") return PurgeFamily::codes;
    if (what == "identity") return PurgeFamily::bindings;
    // codes, codes:<network>, :misses, and whatever else counts an address's requests: every
    // key of the slot is named after the address.
    return PurgeFamily::counters;
}

// `rest` after "budget:{c<id>" for the codes' campaign `<id>` or `<id>:h`.
PurgeFamily code_family(std::string_view rest) {
    if (rest.starts_with(":e")) return email_family(rest.substr(2));
    if (rest.starts_with(":ip}:")) return PurgeFamily::counters;
    return PurgeFamily::keep;
}

}  // namespace

PurgeFamily purge_family(std::string_view c, std::string_view key) {
    constexpr std::string_view kStaff = "budget:{staff}:";
    if (key.starts_with(kStaff)) {
        const auto rest = key.substr(kStaff.size());
        if (rest.starts_with("session:")) return PurgeFamily::staff_session;
        if (rest.starts_with("login:")) return PurgeFamily::login_counter;
        return PurgeFamily::keep;
    }
    const auto prefix = join("budget:{c", c);
    if (!key.starts_with(prefix)) return PurgeFamily::keep;
    const auto rest = key.substr(prefix.size());
    if (rest.starts_with("}:")) {
        const auto what = rest.substr(2);
        if (what.starts_with("holder_session:")) return PurgeFamily::holder_session;
        if (what.starts_with("holder_apps:")) return PurgeFamily::holder_set;
        return PurgeFamily::keep;
    }
    if (rest.starts_with(":h:")) return code_family(rest.substr(2));
    if (rest.starts_with(":e") || rest.starts_with(":ip}:")) return code_family(rest);
    if (rest.starts_with(":b")) {
        const auto close = rest.find("}:");
        if (close == std::string_view::npos || !digits(rest.substr(2, close - 2)))
            return PurgeFamily::keep;
        const auto what = rest.substr(close + 2);
        if (what.starts_with("voted:")) return PurgeFamily::voted_marker;
        if (what == "claims") return PurgeFamily::claims_set;
        if (what.starts_with("retry:")) return PurgeFamily::retry;
        return PurgeFamily::keep;
    }
    if (rest.starts_with(":a")) {
        const auto close = rest.find("}:");
        if (close != std::string_view::npos && digits(rest.substr(2, close - 2)) &&
            rest.substr(close + 2) == "identity-audit")
            return PurgeFamily::identity_audit;
    }
    return PurgeFamily::keep;
}

std::string staff_user(std::string_view username) { return join("budget:{staff}:user:", username); }
std::string staff_session(std::string_view session_id) {
    return "budget:{staff}:session:" + crypto::sha256_hex(session_id);
}
std::string login_user(std::string_view hash) { return join("budget:{staff}:login:user:", hash); }
std::string login_address(std::string_view hash) {
    return join("budget:{staff}:login:addr:", hash);
}

}  // namespace budget::server::storage::keys
