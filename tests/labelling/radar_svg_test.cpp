#include "labelling/radar_svg.hpp"

#include <catch2/catch.hpp>
#include <clocale>
#include <cstdlib>
#include <fstream>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

#include "radar_fixture.hpp"
#include "test_questionnaire.hpp"

namespace lab = budget::labelling;
using lab::testing::design_axes;
using lab::testing::fixed_aggregate;
using lab::testing::fixed_reviewers;

namespace {

// The words the API gives (server/api/labelling_text.cpp), written out: the golden file holds
// the bytes budgetd serves, and tests/server/api/labelling_text_test.cpp renders it again with
// the API's own texts.
lab::RadarOptions french() {
    lab::RadarOptions options;
    options.texts.title = "Radar des marqueurs ESS";
    options.texts.aggregate_name = "Médiane du comité";
    options.texts.overview = "Radar de {} marqueurs, gradué de 0 à 100.";
    options.texts.series = "{} : {}.";
    options.texts.score_separator = " ; ";
    options.texts.not_scored = "non évalué";
    options.texts.no_markers = "Aucun marqueur à afficher.";
    return options;
}

std::string render_fixed() {
    return lab::render_radar_svg(design_axes(), fixed_aggregate(), fixed_reviewers(), french());
}

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// A small XML well-formedness check, enough for what the renderer emits: one root element,
// balanced and properly nested tags, quoted attributes, only the five predefined entities, no
// raw '<' or '&' in text. Returns an empty string when well-formed, else what is wrong.
std::string xml_problem(const std::string& xml) {
    std::vector<std::string> open;
    int roots = 0;
    std::size_t i = 0;
    const auto check_entities = [](const std::string& text) -> std::string {
        for (std::size_t at = text.find('&'); at != std::string::npos;
             at = text.find('&', at + 1)) {
            bool known = false;
            for (const char* entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
                known = known || text.compare(at, std::string(entity).size(), entity) == 0;
            }
            if (!known) return "bad entity near: " + text.substr(at, 10);
        }
        return {};
    };
    while (i < xml.size()) {
        if (xml[i] != '<') {
            const auto next = xml.find('<', i);
            const std::string text = xml.substr(i, next - i);
            if (open.empty() && text.find_first_not_of(" \n") != std::string::npos) {
                return "text outside the root element";
            }
            if (auto problem = check_entities(text); !problem.empty()) return problem;
            if (next == std::string::npos) break;
            i = next;
            continue;
        }
        const auto end = xml.find('>', i);
        if (end == std::string::npos) return "unterminated tag";
        std::string tag = xml.substr(i + 1, end - i - 1);
        i = end + 1;
        if (tag.rfind('/', 0) == 0) {
            if (open.empty() || open.back() != tag.substr(1)) return "mismatched </" + tag + ">";
            open.pop_back();
            continue;
        }
        const bool self_closing = !tag.empty() && tag.back() == '/';
        if (self_closing) tag.pop_back();
        const auto name_end = tag.find_first_of(" \n");
        const std::string name = tag.substr(0, name_end);
        if (name.empty()) return "empty tag name";
        // Attributes: name="value" pairs separated by spaces.
        std::size_t at = name_end == std::string::npos ? tag.size() : name_end;
        while (at < tag.size()) {
            while (at < tag.size() && tag[at] == ' ') ++at;
            if (at >= tag.size()) break;
            const auto equals = tag.find('=', at);
            if (equals == std::string::npos || equals + 1 >= tag.size() || tag[equals + 1] != '"') {
                return "unquoted attribute in <" + name + ">";
            }
            const auto close = tag.find('"', equals + 2);
            if (close == std::string::npos) return "unterminated attribute in <" + name + ">";
            const std::string value = tag.substr(equals + 2, close - equals - 2);
            if (value.find('<') != std::string::npos) return "'<' in an attribute";
            if (auto problem = check_entities(value); !problem.empty()) return problem;
            at = close + 1;
        }
        if (open.empty()) ++roots;
        if (!self_closing) open.push_back(name);
    }
    if (!open.empty()) return "unclosed <" + open.back() + ">";
    if (roots != 1) return "expected one root element, found " + std::to_string(roots);
    return {};
}

}  // namespace

TEST_CASE("the radar of a fixed evaluation matches the golden file byte for byte",
          "[labelling][radar]") {
    const std::string golden_path =
        lab::testing::source_path("tests/labelling/golden/radar_fixed.svg");
    const std::string svg = render_fixed();
    if (const char* update = std::getenv("UPDATE_GOLDEN"); update && std::string(update) == "1") {
        std::ofstream(golden_path, std::ios::binary) << svg;
        WARN("golden file rewritten: " << golden_path);
    }
    const std::string golden = read_file(golden_path);
    REQUIRE_FALSE(golden.empty());
    CHECK(svg == golden);
}

TEST_CASE("the radar is well-formed XML with an svg root", "[labelling][radar]") {
    const std::string svg = render_fixed();
    CHECK(xml_problem(svg).empty());
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600.00 ", 0) == 0);
    CHECK(svg.substr(svg.size() - 7) == "</svg>\n");
    SECTION("the checker itself catches broken markup") {
        CHECK_FALSE(xml_problem("<svg><g></svg>").empty());
        CHECK_FALSE(xml_problem("<svg><text>R&D</text></svg>").empty());
        CHECK_FALSE(xml_problem("<svg a=b/>").empty());
        CHECK_FALSE(xml_problem("<svg/><svg/>").empty());
        CHECK(xml_problem("<svg a=\"&amp;\"><g/></svg>\n").empty());
    }
}

TEST_CASE("the same scores always give the same bytes, whatever the locale", "[labelling][radar]") {
    const std::string first = render_fixed();
    CHECK(render_fixed() == first);
    // A decimal comma locale must not leak into coordinates. A custom facet is always there;
    // the named locales are tried too where the machine has them.
    struct DecimalComma : std::numpunct<char> {
        char do_decimal_point() const override { return ','; }
        char do_thousands_sep() const override { return ' '; }
        std::string do_grouping() const override { return "\3"; }
    };
    const std::locale saved;
    std::locale::global(std::locale(std::locale::classic(), new DecimalComma));
    CHECK(render_fixed() == first);
    std::locale::global(saved);
    for (const char* name : {"fr_FR.UTF-8", "de_DE.UTF-8"}) {
        try {
            std::locale::global(std::locale(name));
            std::setlocale(LC_ALL, name);
            CHECK(render_fixed() == first);
        } catch (const std::runtime_error&) {
        }
    }
    std::locale::global(saved);
    std::setlocale(LC_ALL, "C");
}

TEST_CASE("the radar is an accessible image whose description gives every value in words",
          "[labelling][radar]") {
    const std::string svg = render_fixed();
    CHECK_THAT(svg, Catch::Contains("role=\"img\" aria-labelledby=\"radar-title radar-desc\""));
    CHECK_THAT(svg, Catch::Contains("<title id=\"radar-title\">Radar des marqueurs ESS</title>"));
    CHECK_THAT(svg, Catch::Contains(
                        "<desc id=\"radar-desc\">Radar de 8 marqueurs, gradué de 0 à 100. "
                        "Médiane du comité : Gouvernance démocratique 72 ; Utilité sociale 85 ; "
                        "Primauté de la personne sur le profit 60 ; Coopération territoriale 45 ; "
                        "Innovation sociale 90 ; Transition environnementale 38 ; Implication des "
                        "usagers et des citoyens 67 ; Richesses humaines 55. Évaluateur 1 : "));
    CHECK_THAT(svg, Catch::Contains("Évaluateur 3 : Gouvernance démocratique 20 ;"));
}

TEST_CASE("the title and the id prefix come from the options", "[labelling][radar]") {
    auto options = french();
    options.texts.title = "Jardin partagé « Les Pousses »";
    options.id_prefix = "radar-init-42";
    const std::string svg = lab::render_radar_svg(design_axes(), fixed_aggregate(), {}, options);
    CHECK_THAT(svg, Catch::Contains("aria-labelledby=\"radar-init-42-title radar-init-42-desc\""));
    CHECK_THAT(svg,
               Catch::Contains(
                   "<title id=\"radar-init-42-title\">Jardin partagé « Les Pousses »</title>"));
    CHECK(xml_problem(svg).empty());
}

TEST_CASE("the grid has four levels and every axis is labelled with its score",
          "[labelling][radar]") {
    const std::string svg = lab::render_radar_svg(design_axes(), fixed_aggregate());
    // Four grid polygons plus the aggregate.
    CHECK(count(svg, "<polygon ") == 5);
    CHECK(count(svg, "<line ") == 8);
    for (const char* level : {">25</text>", ">50</text>", ">75</text>", ">100</text>"}) {
        CHECK_THAT(svg, Catch::Contains(level));
    }
    CHECK_THAT(svg, Catch::Contains(">Gouvernance</tspan>"));
    CHECK_THAT(svg, Catch::Contains("font-weight=\"700\">72</tspan>"));
}

TEST_CASE("long French labels are wrapped on several lines", "[labelling][radar]") {
    const std::string svg = lab::render_radar_svg(design_axes(), fixed_aggregate());
    CHECK_THAT(svg, Catch::Contains(">Implication</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">des usagers</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">et des</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">citoyens</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">Gouvernance</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">démocratique</tspan>"));
    SECTION("a single word longer than a line is kept whole") {
        const std::string one =
            lab::render_radar_svg({{"a", "Anticonstitutionnellement"}, {"b", "B"}, {"c", "C"}}, {});
        CHECK_THAT(one, Catch::Contains(">Anticonstitutionnellement</tspan>"));
    }
}

TEST_CASE("each reviewer is drawn as a dashed outline with a legend", "[labelling][radar]") {
    const std::string with = render_fixed();
    CHECK(count(with, "stroke-dasharray=\"6 4\"") == 3 + 3);  // outlines and legend swatches
    CHECK_THAT(with, Catch::Contains(">Évaluatrice 2</text>"));
    CHECK_THAT(with, Catch::Contains(">Médiane du comité</text>"));
    const std::string without =
        lab::render_radar_svg(design_axes(), fixed_aggregate(), {}, french());
    CHECK(count(without, "stroke-dasharray") == 0);
    CHECK_THAT(without, !Catch::Contains(">Médiane du comité</text>"));
}

TEST_CASE("text is XML-escaped everywhere", "[labelling][radar]") {
    auto options = french();
    options.texts.title = "Tom & Jerry <script>";
    const std::string svg =
        lab::render_radar_svg({{"a", "R&D \"sociale\""}, {"b", "<b>"}, {"c", "l'ESS"}}, {{"a", 50}},
                              {{"Évaluateur <1>", {{"a", 10}}}}, options);
    CHECK(xml_problem(svg).empty());
    CHECK_THAT(svg, Catch::Contains("Tom &amp; Jerry &lt;script&gt;"));
    CHECK_THAT(svg, Catch::Contains("R&amp;D &quot;sociale&quot;"));
    CHECK_THAT(svg, Catch::Contains("&lt;b&gt;"));
    CHECK_THAT(svg, Catch::Contains("l&apos;ESS"));
    CHECK_THAT(svg, Catch::Contains("Évaluateur &lt;1&gt;"));
    CHECK_THAT(svg, !Catch::Contains("<script>"));
}

TEST_CASE("a marker without score is drawn at the centre and described as not evaluated",
          "[labelling][radar]") {
    const std::string svg = lab::render_radar_svg({{"a", "A"}, {"b", "B"}, {"c", "C"}, {"d", "D"}},
                                                  {{"a", 100}}, {}, french());
    CHECK_THAT(svg, Catch::Contains("A 100 ; B non évalué ; C non évalué ; D non évalué."));
    CHECK_THAT(svg, Catch::Contains("font-weight=\"700\">–</tspan>"));
    CHECK(xml_problem(svg).empty());
}

TEST_CASE("scores outside 0..100 are clamped", "[labelling][radar]") {
    const std::vector<lab::RadarAxis> axes{{"a", "A"}, {"b", "B"}, {"c", "C"}};
    CHECK(lab::render_radar_svg(axes, {{"a", 150}, {"b", -5}, {"c", 50}}) ==
          lab::render_radar_svg(axes, {{"a", 100}, {"b", 0}, {"c", 50}}));
}

TEST_CASE("a radar without marker is still a valid, described image", "[labelling][radar]") {
    const std::string svg = lab::render_radar_svg({}, {}, {}, french());
    CHECK(xml_problem(svg).empty());
    CHECK_THAT(svg, Catch::Contains(">Aucun marqueur à afficher.</desc>"));
}

TEST_CASE("every word of the drawing comes from the texts given", "[labelling][radar]") {
    lab::RadarOptions options;
    options.texts = {
        "Marker radar", "Committee median", "{} markers from 0 to 100.", "{}: {}.", ", ",
        "not rated",    "No marker."};
    const std::vector<lab::RadarAxis> axes{{"a", "A"}, {"b", "B"}, {"c", "C"}};

    const std::string svg =
        lab::render_radar_svg(axes, {{"a", 10}, {"c", 30}}, {{"Alice", {{"a", 20}}}}, options);

    CHECK_THAT(svg, Catch::Contains("<title id=\"radar-title\">Marker radar</title>"));
    CHECK_THAT(svg, Catch::Contains(">3 markers from 0 to 100. Committee median: A 10, B not "
                                    "rated, C 30. Alice: A 20, B not rated, C not rated.</desc>"));
    CHECK_THAT(svg, Catch::Contains(">Committee median</text>"));
    CHECK_THAT(lab::render_radar_svg({}, {}, {}, options), Catch::Contains(">No marker.</desc>"));
}

TEST_CASE("the axes follow the questionnaire's markers", "[labelling][radar]") {
    const auto axes = lab::radar_axes(lab::testing::small_questionnaire());
    REQUIRE(axes.size() == 2);
    CHECK(axes[0].id == "a");
    CHECK(axes[1].label == "Marqueur B");
}
