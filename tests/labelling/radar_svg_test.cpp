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
using lab::testing::fixed_overlays;

namespace {

// The words the API gives (server/api/labelling_text.cpp), written out: the golden file holds
// the bytes budgetd serves, and tests/server/api/labelling_text_test.cpp renders it again with
// the API's own texts.
lab::RadarOptions french() {
    lab::RadarOptions options;
    options.texts.title = "Radar des marqueurs ESS";
    options.texts.aggregate_name = "Médiane du comité";
    options.texts.overview = "Radar de {} marqueurs, gradué de 0 à 100.";
    options.texts.series = "{}\u00a0: {}.";
    options.texts.score_separator = "\u202f; ";
    options.texts.not_scored = "non évalué";
    options.texts.no_markers = "Aucun marqueur à afficher.";
    options.texts.own_name = "Votre évaluation";
    options.texts.spread_name = "Écart des autres évaluations (de la plus basse à la plus haute)";
    options.texts.spread_item = "{} de {} à {}";
    options.texts.threshold_name = "Seuil du comité";
    options.texts.threshold_uniform = "{}\u00a0: {}\u00a0sur 100 pour chaque marqueur";
    return options;
}

std::string render_fixed() {
    return lab::render_radar_svg(design_axes(), fixed_aggregate(), fixed_overlays(), french());
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

// Where `needle` first appears; fails the test when it does not.
std::size_t position(const std::string& text, const std::string& needle) {
    const auto at = text.find(needle);
    REQUIRE(at != std::string::npos);
    return at;
}

// The value of the first `attribute="..."` after `from`.
std::string attribute_after(const std::string& text, std::size_t from, const std::string& name) {
    const auto at = text.find(" " + name + "=\"", from);
    if (at == std::string::npos) return {};
    const auto start = at + name.size() + 3;
    return text.substr(start, text.find('"', start) - start);
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
    CHECK_THAT(svg,
               Catch::Contains(
                   "<desc id=\"radar-desc\">Radar de 8 marqueurs, gradué de 0 à 100. "
                   "Médiane du comité\u00a0: Gouvernance démocratique 72\u202f; Utilité "
                   "sociale 85\u202f; Primauté de la personne sur le profit 60\u202f; "
                   "Coopération territoriale 45\u202f; Innovation sociale 90\u202f; Transition "
                   "environnementale 38\u202f; Implication des usagers et des citoyens "
                   "67\u202f; Richesses humaines 55. Écart des autres évaluations (de la plus "
                   "basse à la plus haute)\u00a0: Gouvernance démocratique de 20 à 72\u202f; "
                   "Utilité sociale de 85 à 100\u202f;"));
    CHECK_THAT(svg, Catch::Contains("Richesses humaines de 45 à 60. Seuil du comité\u00a0: "
                                    "40\u00a0sur 100 pour chaque marqueur. Votre évaluation\u00a0: "
                                    "Gouvernance démocratique 75\u202f;"));
    CHECK_THAT(svg, Catch::Contains("Richesses humaines 55.</desc>"));
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

TEST_CASE("the grid has four levels, the tips their number and the key every label and score",
          "[labelling][radar]") {
    const std::string svg = lab::render_radar_svg(design_axes(), fixed_aggregate());
    // Four grid polygons plus the aggregate, and nothing of the committee's view.
    CHECK(count(svg, "<polygon ") == 5);
    CHECK(count(svg, "<line ") == 8);
    CHECK(count(svg, "class=\"own\"") == 0);
    CHECK(count(svg, "class=\"spread\"") == 0);
    CHECK(count(svg, "class=\"threshold\"") == 0);
    CHECK(count(svg, "class=\"legend\"") == 0);
    for (const char* level : {">25</text>", ">50</text>", ">75</text>", ">100</text>"}) {
        CHECK_THAT(svg, Catch::Contains(level));
    }
    const auto tips = position(svg, "<g class=\"tips\"");
    const auto key = position(svg, "<g class=\"key\"");
    CHECK(tips < key);
    for (int n = 1; n <= 8; ++n) {
        CHECK(svg.find("\">" + std::to_string(n) + "</text>", tips) < key);
    }
    CHECK(svg.find("\">9</text>") == std::string::npos);
    const std::string key_part = svg.substr(key);
    CHECK_THAT(key_part, Catch::Contains("font-weight=\"700\">1</text><text><tspan x=\"52.00\""));
    CHECK_THAT(key_part, Catch::Contains(">Gouvernance démocratique</tspan></text>"));
    CHECK_THAT(key_part, Catch::Contains("text-anchor=\"end\" font-weight=\"700\">72</text>"));
    CHECK_THAT(key_part, Catch::Contains("text-anchor=\"end\" font-weight=\"700\">55</text>"));
}

TEST_CASE("every text is at least 12 px where the public page shows the radar 272 px wide",
          "[labelling][radar]") {
    const std::string svg = render_fixed();
    // One size, set on the root and inherited by every text; no element sets another.
    CHECK(count(svg, "font-size=") == 1);
    CHECK_THAT(svg, Catch::Contains("font-size=\"27.00\">"));
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600.00 ", 0) == 0);
    CHECK(272.0 * lab::kRadarFontSize / lab::kRadarWidth >= 12.0);
    // The committee's page shows it at most 416 px wide and at least 300 px on a 360 px phone.
    CHECK(300.0 * lab::kRadarFontSize / lab::kRadarWidth >= 12.0);
}

TEST_CASE("long French labels are wrapped on several lines of the key", "[labelling][radar]") {
    const std::string svg = lab::render_radar_svg(design_axes(), fixed_aggregate());
    CHECK_THAT(svg, Catch::Contains(">Implication des usagers et</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">des citoyens</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">Primauté de la personne sur</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">le profit</tspan>"));
    CHECK_THAT(svg, Catch::Contains(">Transition environnementale</tspan>"));
    SECTION("a single word longer than a line is kept whole") {
        const std::string one = lab::render_radar_svg(
            {{"a", "Anticonstitutionnellementanticonstitutionnellement"}, {"b", "B"}, {"c", "C"}},
            {});
        CHECK_THAT(one,
                   Catch::Contains(">Anticonstitutionnellementanticonstitutionnellement</tspan>"));
    }
}

TEST_CASE("the committee's view: the others' band, the gate's outline, then one's own on top",
          "[labelling][radar]") {
    const std::string svg = render_fixed();
    CHECK(xml_problem(svg).empty());
    const auto grid = position(svg, "<g class=\"grid\"");
    const auto spread = position(svg, "<path class=\"spread\"");
    const auto aggregate = position(svg, "<polygon class=\"aggregate\"");
    const auto threshold = position(svg, "<polygon class=\"threshold\"");
    const auto own = position(svg, "<polygon class=\"own\"");
    const auto tips = position(svg, "<g class=\"tips\"");
    CHECK(grid < spread);
    CHECK(spread < aggregate);
    CHECK(aggregate < threshold);
    CHECK(threshold < own);
    CHECK(own < tips);  // only text over one's own outline

    // Geometry: centre (300, c), radius 230, the first axis up. The band's outer ring is the
    // highest of the others (gouvernance 72), the inner ring the lowest (gouvernance 20).
    const std::string aggregate_points = attribute_after(svg, aggregate, "points");
    const double center_y =
        std::stod(aggregate_points.substr(aggregate_points.find(',') + 1)) + 230.0 * 72 / 100;
    const auto y_at = [&](int score) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "300.00,%.2f", center_y - 230.0 * score / 100);
        return std::string(buffer);
    };
    const std::string band = attribute_after(svg, spread, "d");
    CHECK(band.rfind("M" + y_at(72) + " ", 0) == 0);
    CHECK_THAT(band, Catch::Contains("Z M" + y_at(20) + " "));
    CHECK(attribute_after(svg, spread, "fill-rule") == "evenodd");
    CHECK(attribute_after(svg, threshold, "points").rfind(y_at(40) + " ", 0) == 0);
    CHECK(attribute_after(svg, own, "points").rfind(y_at(75) + " ", 0) == 0);

    // Distinct strokes: the own outline is neither the aggregate's nor the gate's.
    CHECK(attribute_after(svg, own, "stroke") != attribute_after(svg, aggregate, "stroke"));
    CHECK(attribute_after(svg, own, "stroke") != attribute_after(svg, threshold, "stroke"));
    CHECK(attribute_after(svg, own, "stroke-dasharray") !=
          attribute_after(svg, threshold, "stroke-dasharray"));

    // The legend names each, in the order they are drawn, with matching swatches.
    const auto legend = position(svg, "<g class=\"legend\"");
    const auto median_row = position(svg, ">Médiane du comité</tspan>");
    const auto spread_row = position(svg, ">Écart des autres évaluations (de</tspan>");
    const auto threshold_row = position(svg, ">Seuil du comité\u00a0: 40\u00a0sur 100</tspan>");
    const auto own_row = position(svg, ">Votre évaluation</tspan>");
    CHECK(legend < median_row);
    CHECK(median_row < spread_row);
    CHECK(spread_row < threshold_row);
    CHECK(threshold_row < own_row);
    CHECK(count(svg.substr(legend), "stroke-dasharray=\"14 6\"") == 1);
    CHECK(count(svg.substr(legend), "stroke-dasharray=\"4 5\"") == 1);
}

TEST_CASE("one's own outline is drawn even where it equals the aggregate", "[labelling][radar]") {
    lab::RadarOverlays overlays;
    overlays.own = fixed_aggregate();
    const std::string svg =
        lab::render_radar_svg(design_axes(), fixed_aggregate(), overlays, french());
    const auto aggregate = position(svg, "<polygon class=\"aggregate\"");
    const auto own = position(svg, "<polygon class=\"own\"");
    CHECK(aggregate < own);
    CHECK(attribute_after(svg, own, "points") == attribute_after(svg, aggregate, "points"));
    CHECK(count(svg, "class=\"spread\"") == 0);
    CHECK(count(svg, "class=\"threshold\"") == 0);
    CHECK_THAT(svg, Catch::Contains(">Votre évaluation</tspan>"));
}

TEST_CASE("a marker no other reviewer scored has no band, and different minimums are listed",
          "[labelling][radar]") {
    lab::RadarOverlays overlays;
    overlays.others = {{{"a", 30}}, {{"a", 70}, {"b", 10}}};
    overlays.thresholds = {{"a", 40}, {"b", 50}, {"c", 60}};
    const std::string svg = lab::render_radar_svg({{"a", "A"}, {"b", "B"}, {"c", "C"}}, {{"a", 50}},
                                                  overlays, french());
    CHECK_THAT(svg, Catch::Contains("(de la plus basse à la plus haute)\u00a0: A de 30 à 70\u202f; "
                                    "B de 10 à 10\u202f; C non évalué. Seuil du comité\u00a0: A "
                                    "40\u202f; B 50\u202f; C 60."));
    CHECK_THAT(svg, Catch::Contains(">Seuil du comité</tspan>"));
    CHECK(xml_problem(svg).empty());
}

TEST_CASE("the others' range per marker, and the gate's minimum on every marker",
          "[labelling][radar]") {
    const auto ranges = lab::score_ranges({{{"a", 30}, {"b", 120}}, {{"a", 70}}, {{"a", 50}}});
    CHECK(ranges.size() == 2);
    CHECK(ranges.at("a") == lab::ScoreRange{30, 70});
    CHECK(ranges.at("b") == lab::ScoreRange{100, 100});  // clamped like the drawing
    CHECK(lab::score_ranges({}).empty());

    const auto q = lab::testing::small_questionnaire();
    const auto thresholds = lab::gate_thresholds(q);
    REQUIRE(thresholds.size() == q.markers.size());
    for (const auto& marker : q.markers) CHECK(thresholds.at(marker.id) == q.gate.min_marker_score);
}

TEST_CASE("text is XML-escaped everywhere", "[labelling][radar]") {
    auto options = french();
    options.texts.title = "Tom & Jerry <script>";
    options.texts.own_name = "Évaluateur <1>";
    lab::RadarOverlays overlays;
    overlays.own = lab::MarkerScores{{"a", 10}};
    const std::string svg = lab::render_radar_svg(
        {{"a", "R&D \"sociale\""}, {"b", "<b>"}, {"c", "l'ESS"}}, {{"a", 50}}, overlays, options);
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
    CHECK_THAT(
        svg, Catch::Contains("A 100\u202f; B non évalué\u202f; C non évalué\u202f; D non évalué."));
    CHECK_THAT(svg, Catch::Contains("font-weight=\"700\">–</text>"));
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
    options.texts = {"Marker radar",
                     "Committee median",
                     "{} markers from 0 to 100.",
                     "{}: {}.",
                     ", ",
                     "not rated",
                     "No marker.",
                     "Alice",
                     "Others",
                     "{} {}-{}",
                     "Gate",
                     "{} at {}"};
    const std::vector<lab::RadarAxis> axes{{"a", "A"}, {"b", "B"}, {"c", "C"}};
    lab::RadarOverlays overlays;
    overlays.own = lab::MarkerScores{{"a", 20}};
    overlays.others = {{{"a", 5}}, {{"a", 15}}};
    overlays.thresholds = {{"a", 40}, {"b", 40}, {"c", 40}};

    const std::string svg = lab::render_radar_svg(axes, {{"a", 10}, {"c", 30}}, overlays, options);

    CHECK_THAT(svg, Catch::Contains("<title id=\"radar-title\">Marker radar</title>"));
    CHECK_THAT(svg, Catch::Contains(">3 markers from 0 to 100. Committee median: A 10, B not "
                                    "rated, C 30. Others: A 5-15, B not rated, C not rated. Gate "
                                    "at 40. Alice: A 20, B not rated, C not rated.</desc>"));
    for (const char* name : {">Committee median</tspan>", ">Others</tspan>", ">Gate at 40</tspan>",
                             ">Alice</tspan>"}) {
        CHECK_THAT(svg, Catch::Contains(name));
    }
    CHECK_THAT(lab::render_radar_svg({}, {}, {}, options), Catch::Contains(">No marker.</desc>"));
}

TEST_CASE("the axes follow the questionnaire's markers", "[labelling][radar]") {
    const auto axes = lab::radar_axes(lab::testing::small_questionnaire());
    REQUIRE(axes.size() == 2);
    CHECK(axes[0].id == "a");
    CHECK(axes[1].label == "Marqueur B");
}
