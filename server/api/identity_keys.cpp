#include "server/api/identity_keys.hpp"

#include <cstdio>

namespace budget::server::api {

namespace {

// The sizes of a claim key: 8 hex digits of shard (keys::shard_of reads exactly those), then
// 128 bits of keyed hash, far beyond any collision among the claims of one birth date.
constexpr std::size_t kShardDigits = 8;
constexpr std::size_t kClaimDigits = 32;

}  // namespace

IdentityKeyring::IdentityKeyring(const crypto::Key32& pepper)
    // New purposes (issue 15): the "identity" and "email" sub-keys keep their earlier uses.
    : shard_key_(crypto::derive_key(pepper, "identity-shard")),
      claim_key_(crypto::derive_key(pepper, "identity-claim")),
      subject_key_(crypto::derive_key(pepper, "franceconnect-subject")) {}

std::optional<IdentityKeys> IdentityKeyring::keys_of(const voting::CivilIdentity& person,
                                                     std::string_view franceconnect_sub) const {
    const auto materials = voting::identity_claims(person);
    if (!materials) return std::nullopt;
    // Every claim of one person starts with the shard digits of their birth date, so that the
    // ballot script finds all of them in one slot, whichever claim another record shares.
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", person.birth_date.year,
                  person.birth_date.month, person.birth_date.day);
    const auto shard = crypto::hmac_hex(shard_key_, date).substr(0, kShardDigits);
    IdentityKeys keys;
    keys.claims.reserve(materials->size() + 1);
    for (const auto& material : *materials)
        keys.claims.push_back(shard +
                              crypto::hmac_hex(claim_key_, material).substr(0, kClaimDigits));
    if (!franceconnect_sub.empty())
        keys.claims.push_back(
            shard + crypto::hmac_hex(subject_key_, franceconnect_sub).substr(0, kClaimDigits));
    keys.primary = keys.claims.front();
    return keys;
}

}  // namespace budget::server::api
