#include "server/core/crypto.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace budget::server;

namespace {
crypto::Key32 test_key() {
    crypto::Key32 key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
    return key;
}
}  // namespace

TEST_CASE("a sealed token opens to its plaintext, whatever its length", "[crypto]") {
    const auto key = test_key();
    std::string plain;
    for (int n = 0; n < 40; ++n) {
        const auto token = crypto::seal_token(key, plain);
        const auto opened = crypto::open_token(key, token);
        REQUIRE(opened.has_value());
        CHECK(*opened == plain);
        plain += static_cast<char>('a' + n % 26);
    }
}

TEST_CASE("a token that is not canonical unpadded URL-safe base64 is refused", "[crypto]") {
    const auto key = test_key();
    // 24 + 16 + 3 bytes: 43 bytes, 58 characters, the last one carrying 2 unused bits.
    const auto token = crypto::seal_token(key, "abc");
    REQUIRE(token.size() % 4 == 2);
    REQUIRE(crypto::open_token(key, token).has_value());

    SECTION("a character outside the alphabet") {
        for (const char c : {'=', '+', '/', ' ', '.', '\0'}) {
            auto bad = token;
            bad[10] = c;
            CHECK_FALSE(crypto::open_token(key, bad).has_value());
        }
        CHECK_FALSE(crypto::open_token(key, token + "=").has_value());
        CHECK_FALSE(crypto::open_token(key, token + "==").has_value());
    }
    SECTION("a dangling character") {
        CHECK_FALSE(crypto::open_token(key, token + "A").has_value());
    }
    SECTION("non-zero unused bits in the last character") {
        auto bad = token;
        // The last character's low 4 bits are unused here: set one of them. The bytes decode the
        // same, so only the strict check can refuse it.
        static constexpr char kAlphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const auto value = std::string_view(kAlphabet).find(bad.back());
        REQUIRE(value % 16 == 0);
        bad.back() = kAlphabet[value + 1];
        CHECK_FALSE(crypto::open_token(key, bad).has_value());
    }
    SECTION("empty, altered or under another key") {
        CHECK_FALSE(crypto::open_token(key, "").has_value());
        auto altered = token;
        altered[30] = altered[30] == 'A' ? 'B' : 'A';
        CHECK_FALSE(crypto::open_token(key, altered).has_value());
        auto other = key;
        other[0] ^= 1;
        CHECK_FALSE(crypto::open_token(other, token).has_value());
    }
}

TEST_CASE("random identifiers are all different, also across refills of the per-thread reserve",
          "[unit][crypto]") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {  // 16 kB: four refills of the 4 kB reserve
        const auto id = budget::server::crypto::random_hex(16);
        CHECK(id.size() == 32);
        CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    // Larger draws bypass the reserve and are as random.
    CHECK(budget::server::crypto::random_hex(600).size() == 1200);
    CHECK(budget::server::crypto::random_hex(600) != budget::server::crypto::random_hex(600));
}
