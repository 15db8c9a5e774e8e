#include "voting/duplicates.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <random>

using namespace budget::voting;

namespace {

/// A record from already normalised names ("jean pierre" = two given names).
AuditRecord person(std::string given, std::string birth, Date born, std::string commune = "62041",
                   std::string usage = "", std::string network = "n1",
                   std::string hour = "2026-09-12T10") {
    AuditRecord r;
    std::string part;
    for (char c : given + ' ') {
        if (c == ' ') {
            if (!part.empty()) r.given_names.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    r.birth_name = birth;
    r.usage_name = usage;
    r.shown_birth_name = birth;
    r.shown_usage_name = usage;
    r.shown_given_names = given;
    r.birth_date = born;
    r.commune = std::move(commune);
    r.method = "email";
    r.mailbox_domain = "example.org";
    r.hour = std::move(hour);
    r.network = std::move(network);
    return r;
}

Duplicates of_two(const AuditRecord& a, const AuditRecord& b) { return find_duplicates({a, b}); }

}  // namespace

TEST_CASE("the edit distance counts insertions, deletions, substitutions and adjacent swaps",
          "[duplicates]") {
    struct Case {
        const char* a;
        const char* b;
        int distance;
    };
    for (const auto& c : std::initializer_list<Case>{{"martin", "martin", 0},
                                                     {"martin", "martins", 1},
                                                     {"martin", "matin", 1},
                                                     {"martin", "marton", 1},
                                                     {"martin", "mratin", 1},
                                                     {"dupont", "dupnot", 1},
                                                     {"lefebvre", "lefevre", 1},
                                                     {"jean dupont", "jean dupond", 1},
                                                     {"ca", "abc", 3},  // OSA, not unrestricted
                                                     {"", "abc", 3},
                                                     {"kowalski", "kowalska", 1}}) {
        INFO(c.a << " / " << c.b);
        CHECK(edit_distance(c.a, c.b, 10) == c.distance);
        CHECK(edit_distance(c.b, c.a, 10) == c.distance);
    }
    // Beyond the bound the answer is bound + 1, however far.
    CHECK(edit_distance("bernard", "xxxxxxxxxxxxxxxxxx", 2) == 3);
    CHECK(edit_distance("petit", "grand", 2) == 3);
}

TEST_CASE("days between birth dates cross months, years and leap days", "[duplicates]") {
    CHECK(days_between(Date{1980, 1, 31}, Date{1980, 3, 1}) == 30);
    CHECK(days_between(Date{1981, 1, 31}, Date{1981, 3, 1}) == 29);
    CHECK(days_between(Date{1999, 12, 20}, Date{2000, 1, 20}) == 31);
    CHECK(days_between(Date{2000, 1, 20}, Date{1999, 12, 20}) == -31);
    CHECK(days_between(Date{1946, 5, 1}, Date{2026, 5, 1}) == 29220);
}

TEST_CASE("a record reads back from its sealed JSON, and anything else is refused",
          "[duplicates]") {
    auto r = person("jean pierre", "dupont", Date{1980, 5, 17}, "62041", "martin");
    r.shown_given_names = "Jean Pierre";
    r.shown_birth_name = "Dupont";
    r.shown_usage_name = "Martin";
    const auto text = audit_record_json(r);
    CHECK(text.find("\"birth_date\":\"1980-05-17\"") != std::string::npos);
    CHECK(parse_audit_record(text) == r);

    for (const auto* bad : {"", "[]", "{}", "not json", R"({"v":2,"birth_name":"a"})",
                            R"({"v":1,"birth_name":"a","usage_name":"","given_names":"jean"})"}) {
        INFO(bad);
        CHECK_FALSE(parse_audit_record(bad));
    }
    // Every field is needed; a date that is none is refused.
    auto no_network = text;
    no_network.replace(no_network.find("\"network\""), 9, "\"networx\"");
    CHECK_FALSE(parse_audit_record(no_network));
    auto bad_date = text;
    bad_date.replace(bad_date.find("1980-05-17"), 10, "1980-02-30");
    CHECK_FALSE(parse_audit_record(bad_date));
}

TEST_CASE("same birth date and commune with close names are reported as close_names",
          "[duplicates]") {
    const Date born{1975, 3, 2};
    struct Case {
        const char* why;
        AuditRecord other;
        int distance;
    };
    const auto base = person("jean", "dupont", born);
    for (const auto& c :
         std::vector<Case>{{"one letter changed", person("jean", "dupond", born), 1},
                           {"two letters swapped", person("jaen", "dupont", born), 1},
                           {"a name split", person("je an", "dupont", born), 1},
                           {"names swapped and a typo", person("dupond", "jean", born), 1},
                           {"two typos", person("jeann", "dupond", born), 2},
                           {"the usage name, with a typo, given for the birth name",
                            person("jean", "martin", born, "62041", "dupond"), 1}}) {
        INFO(c.why);
        const auto found = of_two(base, c.other);
        REQUIRE(found.pairs.size() == 1);
        CHECK(found.pairs[0].close_names);
        CHECK(found.pairs[0].name_distance == c.distance);
        CHECK(found.pairs[0].days_apart == 0);
    }
}

TEST_CASE("a record whose commune is not declared yet is compared with every commune",
          "[duplicates]") {
    const Date born{1962, 11, 30};
    const auto fc = person("helene", "deprez", born, "");
    const auto found = of_two(fc, person("helene", "depres", born, "62193"));
    REQUIRE(found.pairs.size() == 1);
    CHECK(found.pairs[0].close_names);
    CHECK(of_two(person("helene", "deprez", born, ""), person("helene", "deprer", born, ""))
              .pairs.size() == 1);
    // Two declared communes that differ still keep close names apart.
    CHECK(
        of_two(person("helene", "deprez", born, "62041"), person("helene", "depres", born, "62193"))
            .pairs.empty());
    // Nor does an unknown commune make far names close.
    CHECK(of_two(fc, person("helena", "dupuis", born, "62193")).pairs.empty());
}

TEST_CASE("the same names with birth dates at most 31 days apart are close_birth_dates",
          "[duplicates]") {
    const auto base = person("marie claire", "lefebvre", Date{1990, 1, 15}, "62193");
    struct Case {
        const char* why;
        AuditRecord other;
        long days;
    };
    for (const auto& c : std::vector<Case>{
             {"one day later, another commune",
              person("marie claire", "lefebvre", Date{1990, 1, 16}, "62041"), 1},
             {"31 days later", person("marie claire", "lefebvre", Date{1990, 2, 15}, "62041"), 31},
             {"31 days earlier, across a year",
              person("marie claire", "lefebvre", Date{1989, 12, 15}, "62041"), 31},
             {"given names in another order",
              person("claire marie", "lefebvre", Date{1990, 1, 20}, "62041"), 5},
             {"birth name and given names swapped",
              person("lefebvre", "marie claire", Date{1990, 1, 20}, "62041"), 5}}) {
        INFO(c.why);
        const auto found = of_two(base, c.other);
        REQUIRE(found.pairs.size() == 1);
        CHECK(found.pairs[0].close_birth_dates);
        CHECK_FALSE(found.pairs[0].close_names);
        CHECK(found.pairs[0].days_apart == c.days);
    }
}

TEST_CASE("the same names on the same day are no lead: the ballot keys already hold them to one",
          "[duplicates]") {
    const Date born{2001, 7, 7};
    for (const auto& other : {person("paul", "durand", born), person("durand", "paul", born),
                              person("paul", "durand", born, "62193"),
                              person("paul", "martin", born, "62041", "durand")}) {
        CHECK(of_two(person("paul", "durand", born), other).pairs.empty());
    }
}

TEST_CASE("different people who look alike are not reported", "[duplicates]") {
    struct Case {
        const char* why;
        AuditRecord a, b;
    };
    for (const auto& c : std::vector<Case>{
             {"twins with different first names", person("lucas", "martin", Date{2008, 4, 1}),
              person("hugo", "martin", Date{2008, 4, 1})},
             {"twins with two given names, the first differing",
              person("emma louise", "petit", Date{2009, 6, 3}),
              person("chloe louise", "petit", Date{2009, 6, 3})},
             {"the same name, another commune, a birth date far away",
              person("jean", "dupont", Date{1950, 3, 1}, "62041"),
              person("jean", "dupont", Date{1987, 11, 23}, "62193")},
             {"the same name, same commune, 32 days apart",
              person("jean", "dupont", Date{1950, 3, 1}),
              person("jean", "dupont", Date{1950, 4, 2})},
             {"the same birth date and commune, other names",
              person("sophie", "bernard", Date{1966, 8, 8}),
              person("nicolas", "leroy", Date{1966, 8, 8})},
             {"close names, same commune, one day apart",
              person("jean", "dupont", Date{1966, 8, 8}),
              person("jean", "dupond", Date{1966, 8, 9})},
             {"close names born the same day in another commune",
              person("jean", "dupont", Date{1966, 8, 8}, "62041"),
              person("jean", "dupond", Date{1966, 8, 8}, "62193")}}) {
        INFO(c.why);
        const auto found = of_two(c.a, c.b);
        CHECK(found.pairs.empty());
    }
}

TEST_CASE("many identities from one network in one hour are a busy network", "[duplicates]") {
    std::vector<AuditRecord> records;
    for (int i = 0; i < 20; ++i) {
        records.push_back(person("p" + std::string(1, char('a' + i)) + "xyzw",
                                 "family" + std::to_string(i * 7), Date{1970 + i, 1, 1}, "62041",
                                 "", "busy", "2026-09-12T10"));
    }
    // 19 of another network in that hour, and 19 of the busy one in the next hour: not enough.
    for (int i = 0; i < 19; ++i) {
        records.push_back(person("q" + std::to_string(i), "other" + std::to_string(i),
                                 Date{1950 + i, 2, 2}, "62041", "", "quiet", "2026-09-12T10"));
        records.push_back(person("r" + std::to_string(i), "later" + std::to_string(i),
                                 Date{1930 + i, 3, 3}, "62041", "", "busy", "2026-09-12T11"));
    }
    const auto found = find_duplicates(records);
    CHECK(found.pairs.empty());
    REQUIRE(found.busy_networks.size() == 1);
    CHECK(found.busy_networks[0].network == "busy");
    CHECK(found.busy_networks[0].hour == "2026-09-12T10");
    CHECK(found.busy_networks[0].records.size() == 20);

    // The threshold is a setting.
    DuplicateRules rules;
    rules.network_hour_threshold = 19;
    CHECK(find_duplicates(records, rules).busy_networks.size() == 3);
}

TEST_CASE("the pairs listed stop at max_pairs and say so", "[duplicates]") {
    std::vector<AuditRecord> records;
    for (int i = 0; i < 10; ++i) records.push_back(person("jean", "dupont", Date{1980, 1, 1 + i}));
    DuplicateRules rules;
    rules.max_pairs = 7;
    const auto found = find_duplicates(records, rules);
    CHECK(found.pairs.size() == 7);
    CHECK(found.truncated);
    CHECK_FALSE(find_duplicates(records).truncated);
    CHECK(find_duplicates(records).pairs.size() == 45);
}

TEST_CASE("a hundred thousand distinct records are searched in well under a second per rule",
          "[duplicates]") {
    // Buckets, not all pairs: 10^5 records would be 5 * 10^9 comparisons otherwise.
    std::mt19937 random(15);
    std::vector<AuditRecord> records;
    for (int i = 0; i < 100'000; ++i) {
        records.push_back(
            person("g" + std::to_string(random() % 5000), "s" + std::to_string(random() % 20000),
                   Date{1940 + static_cast<int>(random() % 80), 1 + static_cast<int>(random() % 12),
                        1 + static_cast<int>(random() % 28)},
                   "62" + std::to_string(100 + random() % 800), "", "n" + std::to_string(i),
                   "2026-09-12T10"));
    }
    const auto start = std::chrono::steady_clock::now();
    const auto found = find_duplicates(records);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took < std::chrono::seconds(20));  // sanitizers included; quadratic would be hours
    CHECK(found.pairs.size() < 50);
}
