#include "voting/identity.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace budget::voting;

namespace {

struct NameCase {
    const char* name;
    const char* key;
};

bool share_a_claim(const CivilIdentity& a, const CivilIdentity& b) {
    const auto ca = identity_claims(a);
    const auto cb = identity_claims(b);
    REQUIRE(ca);
    REQUIRE(cb);
    return std::any_of(ca->begin(), ca->end(), [&](const std::string& m) {
        return std::find(cb->begin(), cb->end(), m) != cb->end();
    });
}

const Date kBorn{1987, 4, 12};

}  // namespace

TEST_CASE("names French civil registers carry are accepted, each with its key", "[identity]") {
    // Polish-, Scandinavian-, German-, Portuguese-, Arabic-origin and French names as the
    // registers of the Pas-de-Calais write them.
    const NameCase cases[] = {
        {"Łukasz", "lukasz"},
        {"Wróblewski", "wroblewski"},
        {"Świątek", "swiatek"},
        {"Szczęsny", "szczesny"},
        {"Żmuda", "zmuda"},
        {"Søren", "soren"},
        {"Ødegaard", "odegaard"},
        {"Åsa", "asa"},
        {"Strauß", "strauss"},
        {"STRAUSS", "strauss"},
        {"Lætitia", "laetitia"},
        {"Œuvrard", "oeuvrard"},
        {"Haÿ", "hay"},
        {"François-Xavier", "francoisxavier"},
        {"Núñez", "nunez"},
        {"Conceição", "conceicao"},
        {"Gonçalves", "goncalves"},
        {"Ben Saïd", "bensaid"},
        {"Abd-el-Kader", "abdelkader"},
        {"Aït Ahmed", "aitahmed"},
        {"N’Diaye", "ndiaye"},
        {"D'Artagnan", "dartagnan"},
        {"d’Artagnan", "dartagnan"},
        {"DArtagnan", "dartagnan"},
        {"Éloïse  Dupont-Martin", "eloisedupontmartin"},
        {"  ÉLOÏSE ", "eloise"},
        {"Jean--Pierre", "jeanpierre"},
        {"Jean–Pierre", "jeanpierre"},  // en dash
        {"St. Pierre", "stpierre"},
        {"Nguyễn", "nguyen"},
        {"Đặng", "dang"},
        {"Müller", "muller"},
        {"Ｊｅａｎ", "jean"},  // full-width letters (NFKC)
    };
    for (const auto& c : cases) {
        INFO(c.name);
        CHECK(name_key(c.name) == std::optional<std::string>(c.key));
    }
}

TEST_CASE("what no civil register writes in a name is refused", "[identity]") {
    const char* const refused[] = {
        "",
        " - ",
        "' . '",
        "\xE2\x80\x8B",  // a zero-width space and nothing else
        "R2D2",
        "Jean3",
        "Bob<script>",
        "Jean@",
        "Jean_Pierre",
        "Jean/Pierre",
        "Jean\tPierre",  // a control character
        "Jean\nPierre",
        "Jean\x7f",
        "\xFF\xFE",               // not UTF-8
        "Jean \xF0\x9F\x98\x80",  // an emoji
        "Jean \xE2\x9C\x93",      // a check mark
        "名前",                   // another script than the registers'
        "Иван",
        "J\xD0\xB5"
        "an",  // "Jеan" with a Cyrillic е: one person, not two spellings
        "½",
    };
    for (const auto* name : refused) {
        INFO(name);
        CHECK_FALSE(name_key(name));
    }
}

TEST_CASE("a name typed in decomposed Unicode is the same as precomposed", "[identity]") {
    // "Éloïse" as NFD: E + U+0301, o, i + U+0308.
    CHECK(name_key("E\xCC\x81loi\xCC\x88se") == name_key("Éloïse"));
    CHECK(name_key("Franc\xCC\xA7ois") == std::optional<std::string>("francois"));
    CHECK(name_key("S\xCC\x81wia\xCC\xA8tek") == name_key("Świątek"));
    CHECK(display_name("E\xCC\x81loi\xCC\x88se") == std::optional<std::string>("Éloïse"));
}

TEST_CASE("invisible characters pasted with a name are removed", "[identity]") {
    CHECK(name_key("Je\xE2\x80\x8B"
                   "an") == std::optional<std::string>("jean"));  // zero-width space
    CHECK(name_key("\xEF\xBB\xBF"
                   "Jean") == std::optional<std::string>("jean"));              // byte order mark
    CHECK(name_key("Jean\xE2\x80\x8D") == std::optional<std::string>("jean"));  // joiner
    CHECK(name_key("Jean\xE2\x81\xA0") == std::optional<std::string>("jean"));  // word joiner
    CHECK(name_key("Du\xC2\xAD"
                   "pont") == std::optional<std::string>("dupont"));  // soft hyphen
    CHECK(name_key("\xE2\x80\x8F"
                   "Saïd\xE2\x80\x8E") == std::optional<std::string>("said"));  // bidi marks
    CHECK(name_key("Jean\xC2\xA0Pierre") == std::optional<std::string>("jeanpierre"));  // nbsp
    CHECK(display_name(" Je\xE2\x80\x8B"
                       "an   Pierre ") == std::optional<std::string>("Jean Pierre"));
}

TEST_CASE("D'Artagnan, DArtagnan and d’Artagnan are one name", "[identity]") {
    const auto key = name_key("D'Artagnan");
    REQUIRE(key);
    CHECK(name_key("DArtagnan") == key);
    CHECK(name_key("d’Artagnan") == key);
    CHECK(name_key("Dʼ Artagnan") == key);
    CHECK(name_key("D`Artagnan") == key);
    CHECK(name_key("D´Artagnan") == key);
}

TEST_CASE("given names are read one by one, separated by spaces or commas", "[identity]") {
    CHECK(given_name_keys("Jean-Pierre  Marie") ==
          std::optional<std::vector<std::string>>({"jeanpierre", "marie"}));
    CHECK(given_name_keys("Jean, Marie, Joseph") ==
          std::optional<std::vector<std::string>>({"jean", "marie", "joseph"}));
    CHECK(given_name_keys("Je an") == std::optional<std::vector<std::string>>({"je", "an"}));
    CHECK(given_name_keys("Jean - Marie") ==
          std::optional<std::vector<std::string>>({"jean", "marie"}));
    CHECK(given_name_keys("Łukasz\xE2\x80\x8B") ==
          std::optional<std::vector<std::string>>({"lukasz"}));
    CHECK_FALSE(given_name_keys(" , "));
    CHECK_FALSE(given_name_keys("Jean R2"));
}

TEST_CASE("the claims start with the birth date and the birth name with the first given name",
          "[identity]") {
    const auto claims = identity_claims({"D'Artagnan", "", "Ogier Charles", Date{1611, 5, 1}});
    REQUIRE(claims);
    CHECK(*claims == std::vector<std::string>{"1611-05-01|dartagnan|ogier",
                                              "1611-05-01|dartagnan|ogiercharles",
                                              "1611-05-01|charlesogier|dartagnan"});
    const auto one_name = identity_claims({"Dupont", "", "Jean", kBorn});
    REQUIRE(one_name);
    CHECK(*one_name == std::vector<std::string>{"1987-04-12|dupont|jean"});
    const auto with_usage = identity_claims({"Dupont", "Martin", "Jean", kBorn});
    REQUIRE(with_usage);
    CHECK(*with_usage ==
          std::vector<std::string>{"1987-04-12|dupont|jean", "1987-04-12|jean|martin"});
}

TEST_CASE("a person is refused claims when a name is not one", "[identity]") {
    CHECK_FALSE(identity_claims({"Dupont", "", "R2D2", kBorn}));
    CHECK_FALSE(identity_claims({"", "", "Jean", kBorn}));
    CHECK_FALSE(identity_claims({"Dupont", "", "", kBorn}));
    CHECK_FALSE(identity_claims({"Dupont", "X<1>", "Jean", kBorn}));
}

TEST_CASE("variants of one person share at least one claim", "[identity]") {
    const CivilIdentity person{"Wróblewski", "", "Łukasz Jan", kBorn};
    struct Variant {
        const char* what;
        CivilIdentity identity;
    };
    const Variant variants[] = {
        {"the same, spelled without accents", {"Wroblewski", "", "Lukasz Jan", kBorn}},
        {"birth and given names swapped", {"Łukasz Jan", "", "Wróblewski", kBorn}},
        {"first given name and birth name swapped", {"Łukasz", "", "Wróblewski", kBorn}},
        {"given names in another order", {"Wróblewski", "", "Jan Łukasz", kBorn}},
        {"a middle name added after the first", {"Wróblewski", "", "Łukasz Piotr Jan", kBorn}},
        {"the first given name only", {"Wróblewski", "", "Łukasz", kBorn}},
        {"a given name split", {"Wróblewski", "", "Łu kasz Jan", kBorn}},
        {"given names joined", {"Wróblewski", "", "ŁukaszJan", kBorn}},
        {"given names separated by a comma", {"Wróblewski", "", "Łukasz, Jan", kBorn}},
        {"decomposed letters and a zero-width space",
         {"Wro\xCC\x81"
          "ble\xE2\x80\x8Bwski",
          "", "Łukasz Jan", kBorn}},
    };
    for (const auto& v : variants) {
        INFO(v.what);
        CHECK(share_a_claim(person, v.identity));
    }
    SECTION("\"Je an\" for \"Jean\"") {
        CHECK(share_a_claim({"Dupont", "", "Jean", kBorn}, {"Dupont", "", "Je an", kBorn}));
    }
    SECTION("the usage name given as the last name") {
        CHECK(share_a_claim({"Martin", "Dupont", "Marie", kBorn}, {"Dupont", "", "Marie", kBorn}));
        CHECK(share_a_claim({"Martin", "Dupont", "Marie", kBorn}, {"Martin", "", "Marie", kBorn}));
    }
}

TEST_CASE("different people share no claim", "[identity]") {
    SECTION("twins with different first names") {
        CHECK_FALSE(share_a_claim({"Dupont", "", "Jean", kBorn}, {"Dupont", "", "Paul", kBorn}));
        CHECK_FALSE(share_a_claim({"Dupont", "", "Jean Marie", kBorn},
                                  {"Dupont", "", "Paul Marie", kBorn}));
    }
    SECTION("the same names born on different days") {
        CHECK_FALSE(share_a_claim({"Dupont", "", "Jean", kBorn},
                                  {"Dupont", "", "Jean", Date{1987, 4, 13}}));
    }
    SECTION("a same first name in another family") {
        CHECK_FALSE(share_a_claim({"Dupont", "", "Jean", kBorn}, {"Durand", "", "Jean", kBorn}));
    }
}

TEST_CASE("a mailbox is one whatever case, tag or gmail dots", "[identity]") {
    struct MailCase {
        const char* typed;
        const char* mailbox;
    };
    const MailCase cases[] = {
        {"jean.dupont@example.org", "jean.dupont@example.org"},
        {"  Jean.Dupont@Example.ORG ", "jean.dupont@example.org"},
        {"jean.dupont+budget@example.org", "jean.dupont@example.org"},
        {"mallory+4@example.org", "mallory@example.org"},
        {"J.Dupont+vote@gmail.com", "jdupont@gmail.com"},
        {"j.d.u.p.o.n.t@gmail.com", "jdupont@gmail.com"},
        {"jdupont@googlemail.com", "jdupont@gmail.com"},
        {"J.Dupont+x+y@GoogleMail.com", "jdupont@gmail.com"},
        {"jean.dupont@laposte.net", "jean.dupont@laposte.net"},
        {"a@b.fr", "a@b.fr"},
    };
    for (const auto& c : cases) {
        INFO(c.typed);
        CHECK(canonical_mailbox(c.typed) == std::optional<std::string>(c.mailbox));
    }
}

TEST_CASE("what is not an address has no mailbox", "[identity]") {
    const char* const refused[] = {
        "",
        "jean",
        "jean@",
        "@example.org",
        "jean@example",
        "jean@@example.org",
        "jean@exa@mple.org",
        "jean dupont@example.org",
        "jean@.example.org",
        "jean@example.org.",
        "jean@example..org",
        "+tag@example.org",
        "...@gmail.com",
        "<jean@example.org>",
        "jean@example.org\r\nBcc: x@y.fr",
        "\"jean\"@example.org",
    };
    for (const auto* email : refused) {
        INFO(email);
        CHECK_FALSE(canonical_mailbox(email));
    }
}
