#include "server/api/initiative_rows.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "config/config.hpp"

using namespace budget;
using namespace budget::server::api;
namespace storage = budget::server::storage;
namespace json = boost::json;

namespace {

const config::CommuneDirectory& communes() {
    static const auto directory = [] {
        const auto c = config::parse_config("", "test", ".");
        return config::CommuneDirectory::load(c.labelling.communes, c.labelling.territories);
    }();
    return directory;
}

json::object good_row(const std::string& id = "ressourcerie-arras") {
    return {{"id", id},
            {"title", "Ressourcerie solidaire"},
            {"summary", "Réparer et revendre.\nAvec des salariés en insertion."},
            {"holder", "Association La Ressourcerie"},
            {"commune", "62041"},
            {"requested_eur", 4000}};
}

InitiativeBatch validate(const json::value& body) {
    return validate_initiative_submission(body, communes(), 10000, false);
}

bool any_error_mentions(const InitiativeRowError& e, const std::string& text) {
    for (const auto& m : e.errors) {
        if (m.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("a well-formed initiative is accepted and its territory derived from the commune",
          "[server][staff]") {
    const auto batch = validate(good_row());
    REQUIRE(batch.ok());
    REQUIRE(batch.records.size() == 1);
    CHECK(batch.records[0].id == "ressourcerie-arras");
    CHECK(batch.records[0].commune == "62041");
    CHECK(batch.records[0].territory == "arrageois");
    CHECK(batch.records[0].requested_eur == 4000);
}

TEST_CASE("a batch is read from {\"initiatives\":[...]} and a bare array only from files",
          "[server][staff]") {
    json::object wrapped{{"initiatives", json::array{good_row("a"), good_row("b")}}};
    CHECK(validate(wrapped).records.size() == 2);
    json::array bare{good_row("a")};
    CHECK_FALSE(validate(bare).shape_error.empty());
    CHECK(validate_initiative_submission(bare, communes(), 10000, true).ok());
    json::object empty{{"initiatives", json::array{}}};
    CHECK_FALSE(validate(empty).shape_error.empty());
}

TEST_CASE("every problem of every row is reported and no record is kept", "[server][staff]") {
    auto bad = good_row("Bad Id");
    bad["title"] = "   ";
    bad["commune"] = "75056";
    bad["requested_eur"] = 12000;
    bad["territory"] = "arrageois";
    json::object body{{"initiatives", json::array{good_row("ok-row"), bad}}};
    const auto batch = validate(body);
    CHECK_FALSE(batch.ok());
    CHECK(batch.records.empty());
    REQUIRE(batch.errors.size() == 1);
    const auto& e = batch.errors[0];
    CHECK(e.index == 1);
    CHECK(e.id == "Bad Id");
    CHECK(e.errors.size() == 5);
    CHECK(any_error_mentions(e, "identifiant"));
    CHECK(any_error_mentions(e, "«\u00a0title\u00a0» ne doit pas être vide"));
    CHECK(any_error_mentions(e, "75056"));
    CHECK(any_error_mentions(e, "plafond"));
    CHECK(any_error_mentions(e, "«\u00a0territory\u00a0» n’est pas reconnu"));
}

TEST_CASE("amounts must be positive whole euros", "[server][staff]") {
    for (const json::value& amount : {json::value(0), json::value(-5), json::value(12.5),
                                      json::value("4000"), json::value(nullptr)}) {
        auto row = good_row();
        row["requested_eur"] = amount;
        CHECK_FALSE(validate(row).ok());
    }
    auto row = good_row();
    row["requested_eur"] = 10000;
    CHECK(validate(row).ok());
}

TEST_CASE("an id given twice in one batch is refused on its second row", "[server][staff]") {
    json::object body{{"initiatives", json::array{good_row("same"), good_row("same")}}};
    const auto batch = validate(body);
    REQUIRE(batch.errors.size() == 1);
    CHECK(batch.errors[0].index == 1);
    CHECK(any_error_mentions(batch.errors[0], "ligne 0"));
}

TEST_CASE("ids are lower-case letters, digits and dashes, at most 64", "[server][staff]") {
    CHECK(is_valid_initiative_id("jardins-partages-62"));
    CHECK_FALSE(is_valid_initiative_id(""));
    CHECK_FALSE(is_valid_initiative_id("Jardins"));
    CHECK_FALSE(is_valid_initiative_id("jardins_partages"));
    CHECK_FALSE(is_valid_initiative_id("café"));
    CHECK(is_valid_initiative_id(std::string(64, 'a')));
    CHECK_FALSE(is_valid_initiative_id(std::string(65, 'a')));
}

TEST_CASE("texts are limited in length, counted in characters, without control characters",
          "[server][staff]") {
    auto row = good_row();
    row["title"] = std::string(200, 'e');
    CHECK(validate(row).ok());
    std::string accented;
    for (int i = 0; i < 200; ++i) accented += "é";
    row["title"] = accented;
    CHECK(validate(row).ok());
    row["title"] = std::string(201, 'e');
    CHECK_FALSE(validate(row).ok());
    row = good_row();
    row["holder"] = "Association\nsur deux lignes";
    CHECK_FALSE(validate(row).ok());
    row = good_row();
    row["summary"] = "Ligne un.\nLigne deux.";
    CHECK(validate(row).ok());
}

TEST_CASE("ids existing in storage become row errors naming them", "[server][staff]") {
    const auto batch =
        validate(json::object{{"initiatives", json::array{good_row("a"), good_row("b")}}});
    const auto errors = existing_id_errors(batch.records, {"b"});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].index == 1);
    CHECK(errors[0].id == "b");
    const auto rows = row_errors_json(errors);
    CHECK(rows.at(0).at("id") == "b");
}

TEST_CASE("a stored initiative reads back as it was written", "[server][staff]") {
    const auto record = validate(good_row()).records.at(0);
    const auto back = storage::record_from_stored_json(storage::to_stored_json(record));
    REQUIRE(back);
    CHECK(back->id == record.id);
    CHECK(back->summary == record.summary);
    CHECK(back->territory == record.territory);
    CHECK(back->requested_eur == record.requested_eur);
    CHECK_FALSE(storage::record_from_stored_json("{\"id\":1}"));
}
