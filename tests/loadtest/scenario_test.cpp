#include "loadtest/scenario.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "loadtest/load_run.hpp"

namespace lt = budget::loadtest;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path.string();
}

}  // namespace

TEST_CASE("the shipped scenario presets load", "[loadtest]") {
    for (const auto* name : {"smoke", "vote-day", "storm", "ballots-only"}) {
        const auto s = lt::load_scenario(std::string(BUDGET_SOURCE_DIR) + "/loadtest/scenarios/" +
                                         name + ".toml");
        CHECK(s.name == name);
        CHECK(s.residents > 0);
    }
    const auto smoke =
        lt::load_scenario(std::string(BUDGET_SOURCE_DIR) + "/loadtest/scenarios/smoke.toml");
    CHECK(smoke.mode == lt::Mode::journey);
    CHECK(smoke.mix.duplicate == Approx(0.10));
    const auto bench =
        lt::load_scenario(std::string(BUDGET_SOURCE_DIR) + "/loadtest/scenarios/ballots-only.toml");
    CHECK(bench.mode == lt::Mode::ballots_only);
    CHECK(bench.connections == 64);
}

TEST_CASE("a scenario file sets its keys and leaves the others at their defaults", "[loadtest]") {
    const auto path = write_temp("budget-loadtest-scenario.toml",
                                 "[scenario]\nresidents = 42\nrate = 12.5\n"
                                 "[mix]\nwrong_code = 0.25\n"
                                 "[target]\nchoices = [\"a\", \"b\"]\ncampaign = \"2027\"\n"
                                 "[check]\ntolerate_errors = true\n");
    const auto s = lt::load_scenario(path);
    CHECK(s.residents == 42);
    CHECK(s.rate == Approx(12.5));
    CHECK(s.mix.wrong_code == Approx(0.25));
    CHECK(s.mix.duplicate == 0);
    CHECK(s.choices == std::vector<std::string>{"a", "b"});
    CHECK(s.campaign == "2027");
    CHECK(s.tolerate_errors);
    CHECK(s.connections == lt::Scenario{}.connections);
}

TEST_CASE("a scenario with a typo or a bad value is refused", "[loadtest]") {
    SECTION("unknown key") {
        const auto path = write_temp("budget-loadtest-typo.toml", "[scenario]\nresidnets = 3\n");
        CHECK_THROWS_WITH(lt::load_scenario(path), Catch::Contains("residnets"));
    }
    SECTION("unknown section") {
        const auto path = write_temp("budget-loadtest-section.toml", "[mixes]\nduplicate = 1\n");
        CHECK_THROWS_WITH(lt::load_scenario(path), Catch::Contains("mixes"));
    }
    SECTION("share above 1") {
        const auto path = write_temp("budget-loadtest-share.toml", "[mix]\nduplicate = 1.5\n");
        CHECK_THROWS(lt::load_scenario(path));
    }
    SECTION("unknown mode") {
        const auto path = write_temp("budget-loadtest-mode.toml", "[scenario]\nmode = \"fast\"\n");
        CHECK_THROWS_WITH(lt::load_scenario(path), Catch::Contains("mode"));
    }
}

TEST_CASE("command-line overrides take keys with or without their section", "[loadtest]") {
    lt::Scenario s;
    lt::apply_override(s, "residents", "7");
    lt::apply_override(s, "scenario.connections", "3");
    lt::apply_override(s, "mix.duplicate", "0.5");
    lt::apply_override(s, "choices", "x, y ,z");
    lt::apply_override(s, "mode", "ballots-only");
    CHECK(s.residents == 7);
    CHECK(s.connections == 3);
    CHECK(s.mix.duplicate == Approx(0.5));
    CHECK(s.choices == std::vector<std::string>{"x", "y", "z"});
    CHECK(s.mode == lt::Mode::ballots_only);
    CHECK_THROWS(lt::apply_override(s, "residents", "many"));
}

TEST_CASE("virtual residents are distinct, eligible and stable", "[loadtest]") {
    const std::vector<std::string> communes{"62041", "62193"};
    const auto a = lt::make_resident(0xabcdef, 0, communes);
    const auto b = lt::make_resident(0xabcdef, 1, communes);
    const auto other_run = lt::make_resident(0x123456, 0, communes);
    CHECK(a.email != b.email);
    CHECK(a.last_name != b.last_name);
    CHECK(a.email != other_run.email);
    CHECK(a.last_name != other_run.last_name);
    CHECK(a.commune == "62041");
    CHECK(b.commune == "62193");
    CHECK(lt::make_resident(0xabcdef, 1, communes).email == b.email);
    for (int i = 0; i < 1000; ++i) {
        const auto r = lt::make_resident(1, i, communes);
        REQUIRE(r.birth_date.size() == 10);
        REQUIRE(std::stoi(r.birth_date.substr(0, 4)) <= 2009);  // old enough in any year to come
    }
}
