#include "server/http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace budget::server::http {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only, so no RSA key exchange, no CBC (Lucky13,
// padding oracles) and no SHA-1 MAC. ECDSA first: the cheaper handshake for the recommended
// P-256 certificate; the RSA ones serve an RSA certificate.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
// Handshake signatures without SHA-1 (a TLS 1.2 client could otherwise settle on it).
constexpr const char* kSignatureAlgorithms =
    "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:"
    "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
    "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
    "RSA+SHA256:RSA+SHA384:RSA+SHA512";

// The first OpenSSL reason in the error queue, which is emptied: an operator needs one line.
std::string openssl_reason() {
    std::string reason;
    while (const auto code = ERR_get_error()) {
        if (reason.empty()) {
            const char* text = ERR_reason_error_string(code);
            reason = text ? text : "error " + std::to_string(code);
        }
    }
    return reason.empty() ? "unknown OpenSSL error" : reason;
}

[[noreturn]] void fail(const char* key, const std::string& path, const std::string& reason) {
    throw std::runtime_error(std::string("[tls] ") + key + " " + path + ": " + reason);
}

// Readable, with the system's reason when not: "No such file", "Permission denied"...
void require_readable(const char* key, const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) fail(key, path, std::strerror(errno));
    std::fclose(f);
}

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};

std::unique_ptr<EVP_PKEY, PkeyFree> read_private_key(const std::string& path) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) fail("key_file", path, openssl_reason());
    // No passphrase callback would mean OpenSSL prompting on the terminal of a service.
    auto no_passphrase = [](char*, int, int, void*) { return 0; };
    std::unique_ptr<EVP_PKEY, PkeyFree> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) {
        fail("key_file", path, "not an unencrypted PEM private key (" + openssl_reason() + ")");
    }
    return key;
}

}  // namespace

std::unique_ptr<ssl::context> make_tls_context(const config::TlsConfig& tls) {
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    auto require = [](int ok, const char* what) {
        if (ok != 1)
            throw std::runtime_error(std::string("[tls] ") + what + ": " + openssl_reason());
    };
    require(SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION), "TLS 1.2 minimum");
    // Server preference so that the order above wins over a client's weaker first choice;
    // CHACHA20 still first for clients that put it first (no AES hardware).
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA |
                                    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    // An idle connection gives its ~34 KiB of record buffers back until it reads again: idle
    // connections cost their socket, not a TLS buffer each.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    require(SSL_CTX_set_cipher_list(native, kTls12Ciphers), "TLS 1.2 ciphers");
    require(SSL_CTX_set_ciphersuites(native, kTls13Suites), "TLS 1.3 suites");
    require(SSL_CTX_set1_groups_list(native, kGroups), "key exchange groups");
    require(SSL_CTX_set1_sigalgs_list(native, kSignatureAlgorithms), "signature algorithms");

    require_readable("cert_file", tls.cert_file);
    require_readable("key_file", tls.key_file);
    if (SSL_CTX_use_certificate_chain_file(native, tls.cert_file.c_str()) != 1) {
        fail("cert_file", tls.cert_file, "not a PEM certificate chain (" + openssl_reason() + ")");
    }
    const auto key = read_private_key(tls.key_file);
    X509* leaf = SSL_CTX_get0_certificate(native);
    if (!leaf || X509_check_private_key(leaf, key.get()) != 1) {
        ERR_clear_error();
        fail("key_file", tls.key_file,
             "does not match the certificate of cert_file " + tls.cert_file);
    }
    require(SSL_CTX_use_PrivateKey(native, key.get()), "key_file");
    require(SSL_CTX_check_private_key(native), "key_file");
    return context;
}

}  // namespace budget::server::http
