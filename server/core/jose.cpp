#include "server/core/jose.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>
#include <boost/json.hpp>
#include <stdexcept>

namespace budget::server::jose {

namespace json = boost::json;

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BldFree {
    void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct SigFree {
    void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

std::optional<std::string> string_member(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
}

std::unique_ptr<BIGNUM, BnFree> bignum(std::string_view bytes) {
    return std::unique_ptr<BIGNUM, BnFree>(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                  static_cast<int>(bytes.size()), nullptr));
}

/// EVP_PKEY_fromdata for a public key of `type` ("EC", "RSA") from the parameters built.
std::shared_ptr<EVP_PKEY> public_key_from(const char* type, OSSL_PARAM_BLD* bld) {
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    if (!params) return nullptr;
    std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
    std::shared_ptr<EVP_PKEY> key(raw, PkeyFree{});
    // A point off the curve (invalid-curve attacks) or a degenerate RSA key is refused here.
    std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(
        EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
    return key;
}

std::shared_ptr<EVP_PKEY> ec_p256_key(const json::object& jwk) {
    const auto x = string_member(jwk, "x");
    const auto y = string_member(jwk, "y");
    if (!x || !y) return nullptr;
    const auto xb = base64url_decode(*x);
    const auto yb = base64url_decode(*y);
    if (!xb || !yb || xb->size() != 32 || yb->size() != 32) return nullptr;
    std::string point = "\x04" + *xb + *yb;  // SEC 1 uncompressed point
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1)
        return nullptr;
    return public_key_from("EC", bld.get());
}

std::shared_ptr<EVP_PKEY> rsa_key(const json::object& jwk) {
    const auto n = string_member(jwk, "n");
    const auto e = string_member(jwk, "e");
    if (!n || !e) return nullptr;
    const auto nb = base64url_decode(*n);
    const auto eb = base64url_decode(*e);
    if (!nb || !eb || nb->empty() || eb->empty() || eb->size() > 8) return nullptr;
    auto bn_n = bignum(*nb);
    auto bn_e = bignum(*eb);
    if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < 2048) return nullptr;
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
        return nullptr;
    return public_key_from("RSA", bld.get());
}

/// ES256's signature is r || s, 32 bytes each (RFC 7518 §3.4); EVP wants DER.
std::optional<std::string> es256_der(std::string_view raw) {
    if (raw.size() != 64) return std::nullopt;
    std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
    auto r = bignum(raw.substr(0, 32));
    auto s = bignum(raw.substr(32));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
    r.release();  // owned by sig now
    s.release();
    unsigned char* der = nullptr;
    const int size = i2d_ECDSA_SIG(sig.get(), &der);
    if (size <= 0) return std::nullopt;
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return out;
}

bool digest_verify(EVP_PKEY* key, std::string_view signature, std::string_view input) {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
    if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
        return false;
    return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                            input.size()) == 1;
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = sextet(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    // The bits left over must be zero: otherwise two texts would decode to the same bytes.
    if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
    return out;
}

std::string_view to_string(JoseError error) {
    switch (error) {
        case JoseError::malformed:
            return "malformed";
        case JoseError::alg_refused:
            return "alg_refused";
        case JoseError::unknown_kid:
            return "unknown_kid";
        case JoseError::key_mismatch:
            return "key_mismatch";
        case JoseError::bad_signature:
            return "bad_signature";
    }
    return "unknown";
}

std::optional<Jwk> jwk_from_json(const json::object& jwk) {
    Jwk out;
    out.kty = string_member(jwk, "kty").value_or("");
    out.kid = string_member(jwk, "kid").value_or("");
    out.alg = string_member(jwk, "alg").value_or("");
    if (const auto use = string_member(jwk, "use"); use && *use != "sig") return std::nullopt;
    if (out.kty == "EC") {
        out.crv = string_member(jwk, "crv").value_or("");
        if (out.crv != "P-256") return std::nullopt;
        out.key = ec_p256_key(jwk);
    } else if (out.kty == "RSA") {
        out.key = rsa_key(jwk);
    }
    if (!out.key) return std::nullopt;
    return out;
}

std::optional<std::vector<Jwk>> parse_jwk_set(std::string_view document) {
    boost::system::error_code ec;
    const auto value = json::parse(document, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto* keys = value.as_object().if_contains("keys");
    if (!keys || !keys->is_array()) return std::nullopt;
    std::vector<Jwk> out;
    for (const auto& k : keys->as_array()) {
        if (!k.is_object()) continue;
        if (auto jwk = jwk_from_json(k.as_object())) out.push_back(std::move(*jwk));
    }
    return out;
}

boost::system::result<Jws, JoseError> parse_compact(std::string_view token) {
    const auto first = token.find('.');
    if (first == std::string_view::npos) return JoseError::malformed;
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return JoseError::malformed;
    const auto header_text = base64url_decode(token.substr(0, first));
    auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
    auto signature = base64url_decode(token.substr(second + 1));
    if (!header_text || !payload || !signature) return JoseError::malformed;
    boost::system::error_code ec;
    auto header = json::parse(*header_text, ec);
    if (ec || !header.is_object()) return JoseError::malformed;
    Jws jws;
    jws.header = std::move(header.as_object());
    const auto alg = string_member(jws.header, "alg");
    if (!alg) return JoseError::malformed;
    jws.alg = *alg;
    if (jws.header.contains("kid")) {
        const auto kid = string_member(jws.header, "kid");
        if (!kid) return JoseError::malformed;
        jws.kid = *kid;
    }
    jws.payload = std::move(*payload);
    jws.signing_input = std::string(token.substr(0, second));
    jws.signature = std::move(*signature);
    return jws;
}

boost::system::result<void, JoseError> verify_with(const Jws& jws, const Jwk& key) {
    // The allow-list first: what the header asks is never trusted to pick the verification.
    if (jws.alg != "ES256" && jws.alg != "RS256") return JoseError::alg_refused;
    if (jws.header.contains("crit")) return JoseError::alg_refused;
    if (!key.alg.empty() && key.alg != jws.alg) return JoseError::key_mismatch;
    if (jws.alg == "ES256") {
        if (key.kty != "EC" || key.crv != "P-256") return JoseError::key_mismatch;
        const auto der = es256_der(jws.signature);
        if (!der || !digest_verify(key.key.get(), *der, jws.signing_input))
            return JoseError::bad_signature;
        return {};
    }
    if (key.kty != "RSA") return JoseError::key_mismatch;
    if (jws.signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.key.get())))
        return JoseError::bad_signature;
    if (!digest_verify(key.key.get(), jws.signature, jws.signing_input))
        return JoseError::bad_signature;
    return {};
}

boost::system::result<std::string, JoseError> verify_compact(std::string_view token,
                                                             const std::vector<Jwk>& keys) {
    auto jws = parse_compact(token);
    if (!jws) return jws.error();
    // Refused before any key is looked for: `none` never gets as far as "unknown kid" (which
    // would make the caller fetch the key set again).
    if (jws->alg != "ES256" && jws->alg != "RS256") return JoseError::alg_refused;
    const Jwk* chosen = nullptr;
    if (!jws->kid.empty()) {
        for (const auto& k : keys)
            if (k.kid == jws->kid) chosen = &k;
    } else if (keys.size() == 1) {
        chosen = &keys.front();
    }
    if (!chosen) return JoseError::unknown_kid;
    if (auto verified = verify_with(*jws, *chosen); !verified) return verified.error();
    return std::move(jws->payload);
}

void throw_exception_from_error(JoseError error, const boost::source_location&) {
    throw std::logic_error("jose: value() on an error: " + std::string(to_string(error)));
}

}  // namespace budget::server::jose
