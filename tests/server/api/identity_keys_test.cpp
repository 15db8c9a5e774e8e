#include "server/api/identity_keys.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "server/storage/keys.hpp"

namespace api = budget::server::api;
namespace crypto = budget::server::crypto;
namespace keys = budget::server::storage::keys;
using budget::voting::CivilIdentity;
using budget::voting::Date;

namespace {

crypto::Key32 test_pepper() {
    crypto::Key32 key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 5 + 3);
    return key;
}

const Date kBorn{2001, 3, 9};

bool share_a_key(const api::IdentityKeys& a, const api::IdentityKeys& b) {
    return std::any_of(a.claims.begin(), a.claims.end(), [&](const std::string& k) {
        return std::find(b.claims.begin(), b.claims.end(), k) != b.claims.end();
    });
}

bool lower_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

TEST_CASE("a person's keys are hex, primary first, and all in the primary's shard",
          "[identity_keys]") {
    const api::IdentityKeyring ring(test_pepper());
    const auto k = ring.keys_of({"D'Artagnan", "Castelmore", "Ogier Charles", kBorn});
    REQUIRE(k);
    CHECK(k->claims.size() == 6);  // two surnames, three given components
    CHECK(k->primary == k->claims.front());
    for (const auto& claim : k->claims) {
        INFO(claim);
        CHECK(claim.size() == 40);
        CHECK(lower_hex(claim));
        CHECK(claim.substr(0, 8) == k->primary.substr(0, 8));
        CHECK(keys::shard_of(claim, 16) == keys::shard_of(k->primary, 16));
        CHECK(std::count(k->claims.begin(), k->claims.end(), claim) == 1);
    }
}

TEST_CASE("the same person keyed twice has the same keys, another pepper other keys",
          "[identity_keys]") {
    const CivilIdentity person{"Wróblewski", "", "Łukasz", kBorn};
    const auto a = api::IdentityKeyring(test_pepper()).keys_of(person);
    const auto b = api::IdentityKeyring(test_pepper()).keys_of(person);
    const auto other = api::IdentityKeyring(crypto::Key32{}).keys_of(person);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(other);
    CHECK(a->claims == b->claims);
    CHECK_FALSE(share_a_key(*a, *other));
}

TEST_CASE("variants of one person share a key; twins and other birth dates do not",
          "[identity_keys]") {
    const api::IdentityKeyring ring(test_pepper());
    const auto jean = ring.keys_of({"D'Artagnan", "", "Jean", kBorn});
    REQUIRE(jean);
    const auto swapped = ring.keys_of({"Jean", "", "D'Artagnan", kBorn});
    REQUIRE(swapped);
    CHECK(swapped->primary == jean->primary);
    CHECK(share_a_key(*jean, *ring.keys_of({"DArtagnan", "", "Je an", kBorn})));
    CHECK(share_a_key(*jean, *ring.keys_of({"d’Artagnan", "", "Jean Pierre", kBorn})));
    CHECK_FALSE(share_a_key(*jean, *ring.keys_of({"D'Artagnan", "", "Paul", kBorn})));
    CHECK_FALSE(share_a_key(*jean, *ring.keys_of({"D'Artagnan", "", "Jean", Date{2001, 3, 10}})));
}

TEST_CASE("a FranceConnect subject is one more key, in the same shard", "[identity_keys]") {
    const api::IdentityKeyring ring(test_pepper());
    const CivilIdentity person{"Dupont", "", "Marie", kBorn};
    const auto declared = ring.keys_of(person);
    const auto connected = ring.keys_of(person, "f3b1c2d4e5sub");
    REQUIRE(declared);
    REQUIRE(connected);
    CHECK(connected->claims.size() == declared->claims.size() + 1);
    CHECK(connected->primary == declared->primary);
    CHECK(connected->claims.back().substr(0, 8) == declared->primary.substr(0, 8));
    CHECK(connected->claims.back() != ring.keys_of(person, "another-subject")->claims.back());
}

TEST_CASE("a person whose name is not one has no keys", "[identity_keys]") {
    const api::IdentityKeyring ring(test_pepper());
    CHECK_FALSE(ring.keys_of({"Dupont", "", "R2D2", kBorn}));
    CHECK_FALSE(ring.keys_of({"", "", "Marie", kBorn}));
}
