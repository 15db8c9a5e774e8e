#include "server/core/jose.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

using namespace budget::server;
namespace json = boost::json;

namespace {

// Keys are made here by OpenSSL, and tokens signed by OpenSSL: the test owns no cryptography
// either, it only encodes what a provider would send.

using Pkey = std::shared_ptr<EVP_PKEY>;

Pkey ec_key() { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free); }
Pkey rsa_key() {
    return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)),
                EVP_PKEY_free);
}

std::string bn_bytes(EVP_PKEY* key, const char* name, int pad = 0) {
    BIGNUM* bn = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
    const int size = pad ? pad : BN_num_bytes(bn);
    std::string out(static_cast<std::size_t>(size), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
    BN_free(bn);
    return out;
}

json::object public_jwk(EVP_PKEY* key, const std::string& kid) {
    if (EVP_PKEY_is_a(key, "EC")) {
        return {{"kty", "EC"},
                {"crv", "P-256"},
                {"kid", kid},
                {"use", "sig"},
                {"x", jose::base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
                {"y", jose::base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
    }
    return {{"kty", "RSA"},
            {"kid", kid},
            {"n", jose::base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_N))},
            {"e", jose::base64url_encode(bn_bytes(key, OSSL_PKEY_PARAM_RSA_E))}};
}

std::string digest_sign(EVP_PKEY* key, const std::string& input) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
    size_t size = 0;
    REQUIRE(EVP_DigestSign(md.get(), nullptr, &size,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1);
    std::string sig(size, '\0');
    REQUIRE(EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &size,
                           reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1);
    sig.resize(size);
    if (!EVP_PKEY_is_a(key, "EC")) return sig;
    // DER -> r || s, as JWS carries it.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    REQUIRE(parsed);
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(parsed), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(parsed);
    return raw;
}

std::string sign(EVP_PKEY* key, const json::object& header, const std::string& payload) {
    const auto input =
        jose::base64url_encode(json::serialize(header)) + "." + jose::base64url_encode(payload);
    return input + "." + jose::base64url_encode(digest_sign(key, input));
}

std::vector<jose::Jwk> key_set(const json::array& keys) {
    auto set = jose::parse_jwk_set(json::serialize(json::object{{"keys", keys}}));
    REQUIRE(set.has_value());
    return *set;
}

const std::string kPayload = R"({"sub":"abc","aud":"client"})";

}  // namespace

TEST_CASE("base64url decodes what it encodes, for every length", "[jose]") {
    std::string bytes;
    for (int n = 0; n < 70; ++n) {
        const auto text = jose::base64url_encode(bytes);
        CHECK(text.find_first_of("+/=") == std::string::npos);
        const auto back = jose::base64url_decode(text);
        REQUIRE(back.has_value());
        CHECK(*back == bytes);
        bytes.push_back(static_cast<char>(n * 37 + 200));
    }
}

TEST_CASE("base64url refuses padding, the standard alphabet, impossible lengths and stray bits",
          "[jose]") {
    CHECK(jose::base64url_decode("YQ") == std::optional<std::string>("a"));
    CHECK_FALSE(jose::base64url_decode("YQ=="));
    CHECK_FALSE(jose::base64url_decode("a+b/"));
    CHECK_FALSE(jose::base64url_decode("YWJjZ"));  // 4n+1 characters
    CHECK_FALSE(jose::base64url_decode("YR"));     // 'R' leaves non-zero unused bits
    CHECK_FALSE(jose::base64url_decode("Y Q"));
}

TEST_CASE("an ES256 token signed by the key its kid names verifies", "[jose]") {
    const auto key = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    const auto token = sign(key.get(), {{"alg", "ES256"}, {"kid", "k1"}}, kPayload);
    const auto payload = jose::verify_compact(token, keys);
    REQUIRE(payload.has_value());
    CHECK(*payload == kPayload);
}

TEST_CASE("an RS256 token verifies with its RSA key among EC keys", "[jose]") {
    const auto ec = ec_key();
    const auto rsa = rsa_key();
    const auto keys = key_set({public_jwk(ec.get(), "ec"), public_jwk(rsa.get(), "rsa")});
    const auto token = sign(rsa.get(), {{"alg", "RS256"}, {"kid", "rsa"}}, kPayload);
    CHECK(jose::verify_compact(token, keys).has_value());
}

TEST_CASE("alg none is refused, with or without a signature", "[jose]") {
    const auto key = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    const auto input = jose::base64url_encode(R"({"alg":"none","kid":"k1"})") + "." +
                       jose::base64url_encode(kPayload);
    CHECK(jose::verify_compact(input + ".", keys).error() == jose::JoseError::alg_refused);
    const auto signed_ok = sign(key.get(), {{"alg", "ES256"}, {"kid", "k1"}}, kPayload);
    const auto sig = signed_ok.substr(signed_ok.rfind('.'));
    CHECK(jose::verify_compact(input + sig, keys).error() == jose::JoseError::alg_refused);
}

TEST_CASE("an HS256 token made with the public key as its secret is refused", "[jose]") {
    const auto key = rsa_key();
    const auto jwk = public_jwk(key.get(), "k1");
    const auto keys = key_set({jwk});
    const auto input = jose::base64url_encode(R"({"alg":"HS256","kid":"k1"})") + "." +
                       jose::base64url_encode(kPayload);
    const auto secret = json::serialize(jwk);
    unsigned char mac[32];
    unsigned int size = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
    const auto token =
        input + "." + jose::base64url_encode(std::string(reinterpret_cast<char*>(mac), size));
    CHECK(jose::verify_compact(token, keys).error() == jose::JoseError::alg_refused);
}

TEST_CASE("other algorithms and a crit header are refused", "[jose]") {
    const auto key = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    for (const auto* alg : {"ES384", "PS256", "EdDSA", "es256", "RS512"}) {
        const auto token = sign(key.get(), {{"alg", alg}, {"kid", "k1"}}, kPayload);
        CHECK(jose::verify_compact(token, keys).error() == jose::JoseError::alg_refused);
    }
    const auto crit = sign(
        key.get(), {{"alg", "ES256"}, {"kid", "k1"}, {"crit", json::array{"b64"}}, {"b64", false}},
        kPayload);
    CHECK(jose::verify_compact(crit, keys).error() == jose::JoseError::alg_refused);
}

TEST_CASE("a header alg that does not fit the key's type is refused", "[jose]") {
    const auto ec = ec_key();
    const auto rsa = rsa_key();
    // RS256 claimed over an EC key's kid, and ES256 over an RSA key's.
    const auto keys = key_set({public_jwk(ec.get(), "ec"), public_jwk(rsa.get(), "rsa")});
    CHECK(jose::verify_compact(sign(rsa.get(), {{"alg", "RS256"}, {"kid", "ec"}}, kPayload), keys)
              .error() == jose::JoseError::key_mismatch);
    CHECK(jose::verify_compact(sign(ec.get(), {{"alg", "ES256"}, {"kid", "rsa"}}, kPayload), keys)
              .error() == jose::JoseError::key_mismatch);
    // A key that names its own alg is used for that one only.
    auto pinned = public_jwk(ec.get(), "pinned");
    pinned["alg"] = "ES384";
    CHECK(jose::verify_compact(sign(ec.get(), {{"alg", "ES256"}, {"kid", "pinned"}}, kPayload),
                               key_set({pinned}))
              .error() == jose::JoseError::key_mismatch);
}

TEST_CASE("a tampered payload does not verify", "[jose]") {
    const auto key = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    const auto token = sign(key.get(), {{"alg", "ES256"}, {"kid", "k1"}}, kPayload);
    const auto first = token.find('.');
    const auto second = token.rfind('.');
    const auto forged = token.substr(0, first + 1) +
                        jose::base64url_encode(R"({"sub":"abd","aud":"client"})") +
                        token.substr(second);
    CHECK(jose::verify_compact(forged, keys).error() == jose::JoseError::bad_signature);
}

TEST_CASE("a token signed by another key under the same kid does not verify", "[jose]") {
    const auto key = ec_key();
    const auto other = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    CHECK(jose::verify_compact(sign(other.get(), {{"alg", "ES256"}, {"kid", "k1"}}, kPayload), keys)
              .error() == jose::JoseError::bad_signature);
    const auto rsa = rsa_key();
    const auto other_rsa = rsa_key();
    CHECK(jose::verify_compact(sign(other_rsa.get(), {{"alg", "RS256"}, {"kid", "r"}}, kPayload),
                               key_set({public_jwk(rsa.get(), "r")}))
              .error() == jose::JoseError::bad_signature);
}

TEST_CASE("a truncated signature does not verify", "[jose]") {
    const auto key = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    const auto token = sign(key.get(), {{"alg", "ES256"}, {"kid", "k1"}}, kPayload);
    const auto sig = *jose::base64url_decode(token.substr(token.rfind('.') + 1));
    const auto truncated =
        token.substr(0, token.rfind('.') + 1) + jose::base64url_encode(sig.substr(0, 63));
    CHECK(jose::verify_compact(truncated, keys).error() == jose::JoseError::bad_signature);
    CHECK(jose::verify_compact(token.substr(0, token.rfind('.') + 1), keys).error() ==
          jose::JoseError::bad_signature);
}

TEST_CASE("a kid the set does not hold is told apart, so that the set can be fetched again",
          "[jose]") {
    const auto key = ec_key();
    const auto keys = key_set({public_jwk(key.get(), "k1")});
    CHECK(jose::verify_compact(sign(key.get(), {{"alg", "ES256"}, {"kid", "k2"}}, kPayload), keys)
              .error() == jose::JoseError::unknown_kid);
    // Without a kid the sole key is used; with two keys, no guess is made.
    CHECK(jose::verify_compact(sign(key.get(), {{"alg", "ES256"}}, kPayload), keys).has_value());
    const auto two = key_set({public_jwk(key.get(), "k1"), public_jwk(ec_key().get(), "k2")});
    CHECK(jose::verify_compact(sign(key.get(), {{"alg", "ES256"}}, kPayload), two).error() ==
          jose::JoseError::unknown_kid);
}

TEST_CASE("malformed tokens are told apart from bad signatures", "[jose]") {
    const std::vector<jose::Jwk> none;
    for (const auto* token :
         {"", "a.b", "a.b.c.d", "e30.e30.e30=", "bm90IGpzb24.e30.", "W10.e30."}) {
        CHECK(jose::verify_compact(token, none).error() == jose::JoseError::malformed);
    }
}

TEST_CASE("JWKs that cannot verify are skipped: off-curve points, small RSA, encryption keys",
          "[jose]") {
    const auto key = ec_key();
    auto off_curve = public_jwk(key.get(), "bad");
    auto y = *jose::base64url_decode(off_curve["y"].as_string());
    y[31] = static_cast<char>(y[31] ^ 1);
    off_curve["y"] = jose::base64url_encode(y);
    auto enc = public_jwk(key.get(), "enc");
    enc["use"] = "enc";
    auto p384 = public_jwk(key.get(), "p384");
    p384["crv"] = "P-384";
    const auto small =
        Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)), EVP_PKEY_free);
    const json::object oct{{"kty", "oct"}, {"kid", "oct"}, {"k", "c2VjcmV0"}};
    const auto keys = key_set({off_curve, enc, p384, public_jwk(small.get(), "small"), oct,
                               public_jwk(key.get(), "good")});
    REQUIRE(keys.size() == 1);
    CHECK(keys.front().kid == "good");
    CHECK_FALSE(jose::parse_jwk_set("{\"keys\":3}"));
    CHECK_FALSE(jose::parse_jwk_set("not json"));
}
