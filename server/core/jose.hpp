#pragma once
// The little of JOSE an OpenID Connect client needs (RFC 7515, 7517, 7518): public JWKs (EC
// P-256 and RSA) turned into OpenSSL keys, and the verification of compact JWS signatures with
// an allow-list of algorithms, ES256 and RS256. Everything cryptographic is OpenSSL 3's EVP API:
// this file parses, picks the key and converts the ES256 signature's encoding, nothing more.
//
// Refused, whatever the key: `alg: none`, every HMAC (a public key used as an HMAC secret is the
// classic confusion), any other algorithm, a header whose algorithm does not fit the key's type
// or curve, a `crit` header (we understand no extension), and base64url that is not canonical.

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;

namespace budget::server::jose {

/// Unpadded URL-safe base64 (RFC 7515 §2), strictly: only its alphabet, no padding, no length
/// of the form 4n+1, unused trailing bits zero. std::nullopt otherwise.
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);

/// Why a token was not accepted. Only unknown_kid calls for another look at the key set.
enum class JoseError {
    malformed = 1,  ///< not three base64url parts, header or payload not a JSON object
    alg_refused,    ///< not ES256 nor RS256 (none, HS256...), or `crit` present
    unknown_kid,    ///< no key of the set has the header's `kid` (or no kid and no sole key)
    key_mismatch,   ///< the key's type, curve or own `alg` does not fit the header's alg
    bad_signature,  ///< the signature does not verify (or has the wrong length)
};
std::string_view to_string(JoseError error);

/// One public signing key of a JWK set.
struct Jwk {
    std::string kid;
    std::string kty;  ///< "EC" or "RSA"
    std::string crv;  ///< "P-256" for EC
    std::string alg;  ///< the key's own `alg`, may be empty
    std::shared_ptr<evp_pkey_st> key;
};

/// A public JWK (RFC 7517) as an OpenSSL key: EC on P-256 (the point checked on the curve) or
/// RSA of 2048 bits at least; std::nullopt for anything else (private members are ignored,
/// `use` other than "sig" refused).
std::optional<Jwk> jwk_from_json(const boost::json::object& jwk);

/// The keys of a JWK set document that we can verify with (others are skipped: a provider's set
/// may hold encryption keys); std::nullopt when the document is not a JWK set.
std::optional<std::vector<Jwk>> parse_jwk_set(std::string_view document);

/// A compact JWS, split and decoded, not yet verified.
struct Jws {
    boost::json::object header;
    std::string alg;
    std::string kid;
    std::string payload;        ///< decoded bytes
    std::string signing_input;  ///< BASE64URL(header) "." BASE64URL(payload)
    std::string signature;      ///< decoded bytes
};
boost::system::result<Jws, JoseError> parse_compact(std::string_view token);

/// Verifies a parsed JWS with one key: the alg allow-list, the key's fit, the signature.
boost::system::result<void, JoseError> verify_with(const Jws& jws, const Jwk& key);

/// Parses and verifies a compact JWS with the key its `kid` names in `keys` (the sole key when
/// the header has no kid and the set one key); the payload, decoded, when it verifies.
boost::system::result<std::string, JoseError> verify_compact(std::string_view token,
                                                             const std::vector<Jwk>& keys);

/// For boost::system::result's value() on an error (callers check first).
[[noreturn]] void throw_exception_from_error(JoseError error, const boost::source_location& loc);

}  // namespace budget::server::jose
