#include "voting/pabulib.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using budget::voting::PabulibInstance;
using budget::voting::read_pabulib;
using budget::voting::write_pabulib;

namespace {

const std::string kPabulibDir = BUDGET_SOURCE_DIR "/tests/data/pabulib";

boost::system::result<PabulibInstance, budget::voting::PabulibError> parse(
    const std::string& text) {
    std::istringstream in(text);
    return read_pabulib(in);
}

std::string error_of(const std::string& text) {
    const auto instance = parse(text);
    REQUIRE_FALSE(instance.has_value());
    return instance.error().what();
}

const std::string kSmall =
    "META\r\n"
    "key;value\r\n"
    "description;\"Budget; with \"\"quotes\"\"\"\r\n"
    "num_projects;3\r\n"
    "num_votes;3\r\n"
    "budget;1000.0\r\n"
    "vote_type;approval\r\n"
    "PROJECTS\r\n"
    "project_id;cost;name\r\n"
    "1;400;\"Jardin\npartagé\"\r\n"
    "2;600.00;Ressourcerie\r\n"
    "10;250;Café\r\n"
    "VOTES\r\n"
    "voter_id;vote;age\r\n"
    "v1;1,2;34\r\n"
    "v2;10,1,;\r\n"
    "v3;;19\r\n";

}  // namespace

TEST_CASE("a pabulib file is read into projects, ballots and the envelope", "[voting][pabulib]") {
    const auto instance = parse(kSmall);
    REQUIRE(instance.has_value());
    CHECK(instance->budget == 1000);
    REQUIRE(instance->projects.size() == 3);
    CHECK(instance->projects[0].id == "1");
    CHECK(instance->projects[1].cost == 600);
    CHECK(instance->project_columns == std::vector<std::string>{"name"});
    CHECK(instance->project_fields[0][0] == "Jardin\npartagé");
    CHECK(instance->meta[0].second == "Budget; with \"quotes\"");
    CHECK(instance->voter_ids == std::vector<std::string>{"v1", "v2", "v3"});
    CHECK(instance->ballots[0] == budget::voting::ApprovalBallot{0, 1});
    CHECK(instance->ballots[1] == budget::voting::ApprovalBallot{2, 0});
    CHECK(instance->ballots[2].empty());
    CHECK(instance->voter_fields[1] == std::vector<std::string>{""});
}

TEST_CASE("a written instance reads back the same", "[voting][pabulib]") {
    const auto instance = parse(kSmall);
    REQUIRE(instance.has_value());
    std::ostringstream out;
    write_pabulib(out, *instance);
    const auto again = parse(out.str());
    REQUIRE(again.has_value());
    CHECK(*again == *instance);
}

TEST_CASE("an instance built in code gets the META keys it needs", "[voting][pabulib]") {
    PabulibInstance instance;
    instance.budget = 500;
    instance.projects = {{"a", 200, ""}, {"b", 300, ""}};
    instance.ballots = {{0}, {0, 1}, {}};
    std::ostringstream out;
    write_pabulib(out, instance);
    const auto again = parse(out.str());
    REQUIRE(again.has_value());
    CHECK(again->budget == 500);
    CHECK(again->projects == instance.projects);
    CHECK(again->ballots == instance.ballots);
    CHECK(again->voter_ids == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("malformed pabulib files are refused with the line at fault", "[voting][pabulib]") {
    const std::string head = "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;50\n2;60\n";
    SECTION("a row with the wrong number of fields") {
        CHECK(error_of(head + "VOTES\nvoter_id;vote;age\nv1;1;30\nv2;2\n") ==
              "line 11: VOTES row has 2 fields, header has 3");
    }
    SECTION("a vote for an unknown project") {
        CHECK(error_of(head + "VOTES\nvoter_id;vote\nv1;1,3\n") ==
              "line 10: vote names unknown project 3");
    }
    SECTION("a vote naming a project twice") {
        CHECK(error_of(head + "VOTES\nvoter_id;vote\nv1;1,1\n") ==
              "line 10: vote names project 1 twice");
    }
    SECTION("a cost that is not whole euros") {
        CHECK(error_of("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;50.5\n"
                       "VOTES\nvoter_id;vote\n") ==
              "line 6: cost \"50.5\" is not a whole number of euros");
    }
    SECTION("a project listed twice") {
        CHECK(error_of(head + "1;70\nVOTES\nvoter_id;vote\n") == "line 8: project 1 appears twice");
    }
    SECTION("a voter listed twice") {
        CHECK(error_of(head + "VOTES\nvoter_id;vote\nv1;1\nv1;2\n") ==
              "line 11: voter v1 appears twice");
    }
    SECTION("a header without its key column") {
        CHECK(error_of("META\nkey;value\nbudget;100\nPROJECTS\nid;cost\n") ==
              "line 5: PROJECTS header lacks the project_id column");
    }
    SECTION("a quote never closed") {
        CHECK(error_of(head + "VOTES\nvoter_id;vote\nv1;\"1\nv2;2\n") ==
              "line 10: quoted field is never closed");
    }
    SECTION("text after a closing quote") {
        CHECK(error_of(head + "VOTES\nvoter_id;vote\nv1;\"1\"x\n") ==
              "line 10: unexpected text after a closing quote");
    }
    SECTION("a vote type other than approval") {
        CHECK(error_of("META\nkey;value\nvote_type;ordinal\n") ==
              "line 3: vote_type is \"ordinal\"; only approval elections are supported");
    }
    SECTION("counts in META that disagree with the rows") {
        CHECK(error_of("META\nkey;value\nbudget;100\nnum_votes;2\nPROJECTS\nproject_id;cost\n"
                       "VOTES\nvoter_id;vote\n") == "line 4: num_votes is 2 but VOTES has 0 rows");
    }
    SECTION("missing pieces") {
        CHECK(error_of("key;value\n") == "line 1: expected a META, PROJECTS or VOTES section line");
        CHECK(error_of("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n") ==
              "missing VOTES section");
        CHECK(error_of("META\nkey;value\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n") ==
              "META has no budget");
        CHECK(error_of("META\nkey;value\nbudget;1\nVOTES\nvoter_id;vote\n") ==
              "line 4: VOTES comes before PROJECTS");
    }
    SECTION("asking for the value of a refused file throws its message") {
        const auto instance = parse("key;value\n");
        REQUIRE_FALSE(instance.has_value());
        CHECK_THROWS_WITH(instance.value(),
                          "line 1: expected a META, PROJECTS or VOTES section line");
        CHECK_THROWS_AS(instance.value(), std::runtime_error);
    }
}

TEST_CASE("every shipped pabulib file reads, writes and reads back unchanged",
          "[voting][pabulib]") {
    REQUIRE(std::filesystem::is_directory(kPabulibDir));
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kPabulibDir)) {
        if (entry.path().extension() != ".pb") continue;
        ++files;
        INFO(entry.path().filename().string());
        std::ifstream file(entry.path(), std::ios::binary);
        const auto instance = read_pabulib(file);
        REQUIRE(instance.has_value());
        CHECK(instance->budget > 0);
        CHECK(instance->ballots.size() == instance->voter_ids.size());
        std::ostringstream out;
        write_pabulib(out, *instance);
        std::istringstream in(out.str());
        const auto again = read_pabulib(in);
        REQUIRE(again.has_value());
        CHECK(*again == *instance);
    }
    CHECK(files == 14);
}

TEST_CASE("reading only what the rules use gives the same election without the voter details",
          "[voting][pabulib]") {
    const auto everything = read_pabulib(std::string_view(kSmall));
    const auto rules_only =
        read_pabulib(std::string_view(kSmall), budget::voting::PabulibDetail::rules_only);
    REQUIRE(everything.has_value());
    REQUIRE(rules_only.has_value());
    CHECK(*everything == *parse(kSmall));
    CHECK(rules_only->budget == everything->budget);
    CHECK(rules_only->projects == everything->projects);
    CHECK(rules_only->ballots == everything->ballots);
    CHECK(rules_only->meta == everything->meta);
    CHECK(rules_only->voter_ids.empty());
    CHECK(rules_only->voter_fields.empty());
    CHECK(rules_only->project_fields.empty());
    CHECK(everything->voter_ids == std::vector<std::string>{"v1", "v2", "v3"});
}

TEST_CASE("a voter id met twice is refused, whether it is a plain number or not",
          "[voting][pabulib]") {
    const std::string head =
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\n";
    // Plain numbers are checked in a bitmap, other ids in a hash index: "7" and "07" are two
    // voters, "7" twice is one voter twice, and so is "07" twice.
    CHECK(parse(head + "7;1\n07;1\n99999999;1\n").has_value());
    CHECK(error_of(head + "7;1\n07;1\n7;1\n") == "line 11: voter 7 appears twice");
    CHECK(error_of(head + "07;1\n7;1\n07;1\n") == "line 11: voter 07 appears twice");
    CHECK(error_of(head + "a;1\n123456789;1\na;1\n") == "line 11: voter a appears twice");
    CHECK(error_of(head + "123456789;1\n123456789;1\n") ==
          "line 10: voter 123456789 appears twice");
    for (const auto detail :
         {budget::voting::PabulibDetail::everything, budget::voting::PabulibDetail::rules_only}) {
        const auto instance = read_pabulib(std::string_view(head + "5;1\n5;1\n"), detail);
        REQUIRE_FALSE(instance.has_value());
        CHECK(instance.error().what() == "line 10: voter 5 appears twice");
    }
}
