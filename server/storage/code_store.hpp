#pragma once
// One-time codes sent by e-mail, and the binding of an address to the identity it verified.
//
// Keys (keys.hpp), all in the address's slot (a keyed hash of the normalised address):
//   ...:e<hash>}:otp        hash: mac (keyed hash of the code), tries; expires with the code
//   ...:e<hash>}:codes      codes sent this hour (the per-address ceiling)
//   ...:e<hash>}:codes:<n>  codes sent this hour at the request of client network <n> (hashed)
//   ...:e<hash>}:identity   the identity key this address verified (for the campaign)
//   ...:e<hash>}:misses     tries of a code while none is pending (expires as a code would)
// The code itself is never stored, only its MAC under a key derived from the pepper.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "server/core/crypto.hpp"
#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

struct CodeIssued {
    bool issued = false;          ///< false: past the address's hourly allowance
    long long retry_after_s = 0;  ///< when not issued: seconds until the allowance resets
};

enum class CodeCheck {
    ok,     ///< right code: consumed, the address is bound to the identity
    wrong,  ///< wrong code: one try used
    dead,   ///< out of tries (a code's, or those counted while no code is pending)
    bound,  ///< right code, but the address already verified another identity
};

/// The answer of check(): the outcome and, after a wrong code, the tries the code has left.
struct CodeChecked {
    CodeCheck outcome = CodeCheck::dead;
    int tries_left = 0;  ///< with `wrong` (at least 1); 0 otherwise
};

/// The answer of probe(): a right code stays usable; `bound_identity` is the identity key the
/// address verified before ("" when none), so that "already voted" can be said at once.
struct CodeProbe {
    CodeCheck outcome = CodeCheck::dead;  ///< ok, wrong or dead (never bound)
    int tries_left = 0;                   ///< with `ok` and `wrong`
    std::string bound_identity;
};

/// What the engine holds under one address's keys (the resident's report, issue 18). A count of
/// 0 is a key that is not there; a TTL is in seconds (-1: the key has none).
struct AddressHoldings {
    std::string bound_identity;  ///< the primary identity key the address verified; "" when none
    long long binding_ttl_s = -1;
    long long codes_this_hour = 0;  ///< codes sent to the address this hour (every network)
    long long codes_ttl_s = -1;
    long long misses = 0;  ///< tries counted while no code was pending
    long long misses_ttl_s = -1;
};

/// The answer of consume(): with `ok`, the code is gone and `held` says what remains.
struct CodeConsumed {
    CodeCheck outcome = CodeCheck::dead;  ///< ok, wrong or dead (never bound)
    int tries_left = 0;                   ///< with `wrong`
    AddressHoldings held;                 ///< with `ok`
};

class CodeStore {
  public:
    /// `code_key`: the secret under which codes are MACed.
    CodeStore(redis::Client& redis, std::string campaign, const crypto::Key32& code_key);

    /// Stores a new code for the address (replacing any earlier one), within
    /// `per_network_hour` codes asked from the client's network (`network_hash`) and
    /// `per_address_hour` codes in all.
    boost::asio::awaitable<StoreResult<CodeIssued>> issue(
        const std::string& email_hash, const std::string& network_hash, const std::string& code,
        std::chrono::seconds ttl, int per_network_hour, int per_address_hour);

    /// Checks a code; on success binds the address to `identity_key` for `binding_ttl`. A code
    /// given while none is pending is a wrong one: its tries are counted for `code_ttl`.
    boost::asio::awaitable<StoreResult<CodeChecked>> check(
        const std::string& email_hash, const std::string& code, const std::string& identity_key,
        int max_tries, std::chrono::seconds binding_ttl, std::chrono::seconds code_ttl);

    /// Checks a code on its own, before the identity is known: a wrong code uses a try exactly
    /// as check() does (the same count, the same death at `max_tries`); a right code is not
    /// consumed, check() still needs it.
    boost::asio::awaitable<StoreResult<CodeProbe>> probe(const std::string& email_hash,
                                                         const std::string& code, int max_tries,
                                                         std::chrono::seconds code_ttl);

    /// Checks a code and, when right, consumes it without binding anything, in the same step
    /// reading what the address's keys hold (the resident's report). A wrong code, or a code when
    /// none is pending, counts exactly as in check().
    boost::asio::awaitable<StoreResult<CodeConsumed>> consume(const std::string& email_hash,
                                                              const std::string& code,
                                                              int max_tries,
                                                              std::chrono::seconds code_ttl);

  private:
    std::string code_mac(const std::string& email_hash, const std::string& code) const;

    redis::Client& redis_;
    std::string campaign_;
    crypto::Key32 code_key_;
    redis::Script issue_script_, check_script_, probe_script_, consume_script_;
};

}  // namespace budget::server::storage
