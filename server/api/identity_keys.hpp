#pragma once
// The keyed hashes one verified person is deduplicated by (DESIGN.md §4.1): one per material of
// voting::identity_claims, plus the FranceConnect subject's. Raw names, dates and subjects never
// reach Redis: only these HMACs under keys derived from the pepper.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/crypto.hpp"
#include "voting/identity.hpp"

namespace budget::server::api {

/// What the ballot script checks and marks for one person. Each key is 40 lower-case hex
/// digits: 8 of the birth date's keyed hash (the shard, keys::shard_of), then 32 of the
/// material's (or the subject's) keyed hash.
struct IdentityKeys {
    std::string primary;              ///< hex; the voted marker, and the shard (its first digits)
    std::vector<std::string> claims;  ///< hex, primary first; all fall in the primary's shard
};

class IdentityKeyring {
  public:
    explicit IdentityKeyring(const crypto::Key32& pepper);

    /// The keys of a person; with `franceconnect_sub`, the keyed hash of the provider's subject
    /// is one more claim. std::nullopt when a name is not one.
    std::optional<IdentityKeys> keys_of(const voting::CivilIdentity& person,
                                        std::string_view franceconnect_sub = {}) const;

  private:
    crypto::Key32 shard_key_, claim_key_, subject_key_;
};

}  // namespace budget::server::api
