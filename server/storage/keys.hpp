#pragma once
// Every Redis key of the engine, in one place. Nothing outside server/storage/ spells a key.
//
// Every key of a campaign carries the campaign in a hash tag, so that a script touching several
// keys stays in one slot on Redis Cluster:
//   budget:{c<id>}:...            the campaign: sealed ballot, labelling, audit, phase, heads,
//                                 results
//   budget:{c<id>:b<k>}:...       ballot shard k: log, receipts, stats, voted markers, claims,
//                                 retries
//   budget:{c<id>:e<hash>}:...    one e-mail address (keyed hash): code, counter, binding
//   budget:{c<id>:ip}:<hash>      one client address (keyed hash): request counter
//   budget:{staff}:...            staff accounts, sessions and login counters (all campaigns)
// Hashes are computed by the caller with a secret key: no raw e-mail, name or address is ever
// part of a key.

#include <string>
#include <string_view>

namespace budget::server::storage::keys {

// ---- the campaign ----------------------------------------------------------------------------
/// "budget:{c<id>}:", the prefix of every campaign-wide key.
std::string campaign(std::string_view c);
std::string published(std::string_view c);  ///< string: when results were published
/// string: when the vote was recorded closed (unix seconds). Each shard's stats hash also holds it
/// as the field kClosedField, where the ballot script reads it (one slot per script).
std::string closed(std::string_view c);
std::string ballot_shards(std::string_view c);  ///< string: shard count fixed by the first ballot
std::string sealed_ballot(std::string_view c);  ///< hash: document, digest, signature, key
std::string initiatives(std::string_view c);    ///< hash: id -> initiative JSON
std::string evaluations(std::string_view c);    ///< hash: "<id>/<username>" -> evaluation JSON
std::string decisions(std::string_view c);      ///< hash: id -> decision JSON
std::string labelling_version(std::string_view c);  ///< counter, +1 at every labelling write
std::string audit(std::string_view c);              ///< stream: the audit log
/// List of shard k's signed tree heads. Shard 0 keeps the key of the single-shard log
/// ("...:heads"), so heads published before shards existed still read.
std::string tree_heads(std::string_view c, int shard);
std::string results(std::string_view c);        ///< hash: the published results
std::string draft_results(std::string_view c);  ///< hash: the last tally before publication

// ---- holders' applications (issue 17), in the campaign's slot: admission writes the labelling
// ----
std::string applications(std::string_view c);  ///< hash: application id -> application JSON
/// Set: the application ids of one holder (`owner`: keyed hash of the normalised e-mail).
std::string holder_applications(std::string_view c, std::string_view owner);
/// Hash: a holder's session (owner, email, csrf, created_at); the key holds sha256(id).
std::string holder_session(std::string_view c, std::string_view session_id);
/// The campaign string of the holders' one-time codes: their own keys and rate limits, apart
/// from the residents' (keys::email(holder_codes_campaign(c), hash)...).
std::string holder_codes_campaign(std::string_view c);

// ---- ballot shards ---------------------------------------------------------------------------
/// "budget:{c<id>:b<k>}:", the prefix (and hash tag) of shard k.
std::string shard(std::string_view c, int k);
std::string ballot_log(std::string_view c, int k);    ///< list: canonical ballots in order
std::string receipts(std::string_view c, int k);      ///< hash: ballot id -> log index
std::string ballot_stats(std::string_view c, int k);  ///< hash: total, day:*, territory:*, closed
/// Set: every claim key (api::IdentityKeys::claims) of the shard's ballots. A person's claims
/// all fall in one shard (they start with the same 8 digits): the cast script refuses a
/// ballot when any of them is a member.
std::string ballot_claims(std::string_view c, int k);
/// The field of each shard's stats hash that marks the vote closed (see closed()).
inline constexpr const char* kClosedField = "closed";
std::string head_mark(std::string_view c, int k);  ///< string: replication marker of heads
/// Glob pattern of shard k's voted markers (for the load generator's checks).
std::string voted_pattern(std::string_view c, int k);

/// The shard of an identity: the first 32 bits of its (hex) keyed hash, modulo the count.
/// std::nullopt-free by contract: `identity_key` is lower-case hex of at least 8 digits
/// (std::invalid_argument otherwise).
int shard_of(std::string_view identity_key, int shards);

/// The keys of one resident's ballot, all in their shard's slot (the cast script's KEYS).
struct BallotKeys {
    int shard = 0;
    std::string tag;  ///< the shard's prefix
    std::string voted, log, receipts, stats, claims;
    /// The retry key of a request sent with an Idempotency-Key (`hash`: keyed hash of the
    /// identity and the key), in the same slot.
    std::string retry(std::string_view hash) const;
};
BallotKeys ballot_keys(std::string_view c, int shards, std::string_view identity_key);

// ---- one e-mail address, one client address ---------------------------------------------------
/// "budget:{c<id>:e<hash>}:", `hash` a keyed hash of the normalised address (32 hex digits used).
std::string email(std::string_view c, std::string_view hash);
std::string email_code(std::string_view c, std::string_view hash);     ///< hash: mac, tries
std::string email_counter(std::string_view c, std::string_view hash);  ///< codes this hour
std::string email_binding(std::string_view c, std::string_view hash);  ///< identity it verified
/// Requests of one client address this hour (`hash`: keyed hash of the address).
std::string address_counter(std::string_view c, std::string_view hash);

// ---- the purge (issue 18)
// -------------------------------------------------------------------------
/// String: unix seconds when the residents' stage of the purge finished (first time).
std::string purged(std::string_view c);
/// String: unix seconds when the holders' stage of the purge finished (first time).
std::string holders_purged(std::string_view c);
/// String with a TTL: the budgetd process running the automatic purge now (SET NX), so that
/// several budgetd run it once.
std::string purge_claim(std::string_view c);
/// Glob of every key the purge looks at (every campaign's and the staff's); purge_family() says
/// which of them it removes.
std::string purge_scan_pattern();

/// What the purge does with a key.
enum class PurgeFamily {
    keep,            ///< ballots, log, receipts, stats, heads, results, audit, labelling...
    codes,           ///< a one-time code (residents' or holders')
    counters,        ///< codes sent, failed tries, requests of a client address
    bindings,        ///< an address's binding to the identity it verified
    voted_marker,    ///< a ballot shard's voted marker
    claims_set,      ///< a ballot shard's set of identity claims
    retry,           ///< a ballot's retry key
    identity_audit,  ///< a bucket of the duplicate audit's sealed records
    holder_session,
    staff_session,
    login_counter,  ///< staff login attempt counters
    holder_set,     ///< a holder's set of applications (the holders' stage only)
};
/// The family of `key` for campaign `c`: `keep` for any key of another campaign, staff accounts
/// and everything the purge must leave.
PurgeFamily purge_family(std::string_view c, std::string_view key);

// ---- staff (shared by every campaign of the Redis) ---------------------------------------------
std::string staff_user(std::string_view username);       ///< hash: password_hash, role...
std::string staff_session(std::string_view session_id);  ///< hash; the key holds sha256(id)
std::string login_user(std::string_view hash);           ///< login attempts per username
std::string login_address(std::string_view hash);        ///< login attempts per address

}  // namespace budget::server::storage::keys
