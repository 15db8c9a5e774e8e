// Sealed records of the duplicate audit: only the secret key opens them, and the key files are
// written once, the secret one private.
#include "server/core/sealed_box.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/server/support/process_support.hpp"

using namespace budget::server;

namespace {

int mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<int>(st.st_mode & 0777);
}

}  // namespace

TEST_CASE("a sealed record opens with its key pair only, and never twice the same bytes",
          "[sealed_box]") {
    REQUIRE(sodium_init() >= 0);
    const auto keys = make_seal_key_pair();
    const auto other = make_seal_key_pair();
    const std::string text = R"({"birth_name":"kowalska"})";
    const auto sealed = seal_to(keys.public_key, text);
    CHECK(sealed.size() == text.size() + 48);
    CHECK(sealed.find("kowalska") == std::string::npos);
    CHECK(seal_to(keys.public_key, text) != sealed);  // an ephemeral key per seal
    CHECK(open_sealed(keys, sealed) == text);
    CHECK_FALSE(open_sealed(other, sealed));
    for (std::size_t i = 0; i < sealed.size(); i += 7) {
        auto altered = sealed;
        altered[i] = static_cast<char>(altered[i] ^ 1);
        CHECK_FALSE(open_sealed(keys, altered));
    }
    CHECK_FALSE(open_sealed(keys, sealed.substr(0, 47)));
    CHECK_FALSE(open_sealed(keys, ""));
}

TEST_CASE("the audit key pair is written once: the secret 0600, the public key readable",
          "[sealed_box]") {
    REQUIRE(sodium_init() >= 0);
    budget::test::TempDir dir;
    const auto pub = dir.path() + "/keys/identity-audit.pub";
    const auto secret = dir.path() + "/audit.secret";
    const auto written = write_seal_key_pair(pub, secret);
    REQUIRE(std::holds_alternative<SealPublicKey>(written));
    CHECK(mode_of(secret) == 0600);
    CHECK(mode_of(pub) == 0644);

    const auto loaded_pub = load_seal_public_key(pub);
    REQUIRE(std::holds_alternative<SealPublicKey>(loaded_pub));
    CHECK(std::get<SealPublicKey>(loaded_pub) == std::get<SealPublicKey>(written));
    const auto pair = load_seal_key_pair(secret);
    REQUIRE(std::holds_alternative<SealKeyPair>(pair));
    CHECK(std::get<SealKeyPair>(pair).public_key == std::get<SealPublicKey>(written));
    const auto sealed = seal_to(std::get<SealPublicKey>(loaded_pub), "record");
    CHECK(open_sealed(std::get<SealKeyPair>(pair), sealed) == "record");
    CHECK(seal_key_fingerprint(std::get<SealPublicKey>(written)).size() == 64);

    // Never replaced: records sealed to the current key would no longer open.
    const auto again = write_seal_key_pair(pub, dir.path() + "/other.secret");
    REQUIRE(std::holds_alternative<std::string>(again));
    CHECK(std::get<std::string>(again).find("exists already") != std::string::npos);
    CHECK(std::get<SealPublicKey>(load_seal_public_key(pub)) == std::get<SealPublicKey>(written));
    CHECK(
        std::holds_alternative<std::string>(write_seal_key_pair(dir.path() + "/new.pub", secret)));

    // A secret key readable by others is refused; a malformed file is refused.
    ::chmod(secret.c_str(), 0640);
    const auto exposed = load_seal_key_pair(secret);
    REQUIRE(std::holds_alternative<std::string>(exposed));
    CHECK(std::get<std::string>(exposed).find("readable by others") != std::string::npos);
    { std::ofstream(dir.path() + "/bad.pub") << "not base64\n"; }
    CHECK(std::holds_alternative<std::string>(load_seal_public_key(dir.path() + "/bad.pub")));
    CHECK(std::holds_alternative<std::string>(load_seal_public_key(dir.path() + "/none.pub")));
}
