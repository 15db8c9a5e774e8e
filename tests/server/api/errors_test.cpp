#include "server/api/errors.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/server/support/french_typography.hpp"

namespace api = budget::server::api;
namespace http = budget::server::http;
namespace json = boost::json;
using api::Error;

namespace {
using budget::test::typography_problem;

json::object body_of(const http::Response& res) { return json::parse(res.body()).as_object(); }

}  // namespace

TEST_CASE("a refusal carries the table's status, code and French message", "[errors]") {
    const auto res = api::fail(Error::already_voted, 11);
    CHECK(res.result() == http::status::conflict);
    const auto error = body_of(res).at("error").as_object();
    CHECK(error.at("code") == "already_voted");
    CHECK(std::string(error.at("message").as_string()).find("déjà voté") != std::string::npos);
    CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
}

TEST_CASE("blanks of a message are filled in order, extra arguments ignored", "[errors]") {
    CHECK(api::error_message(Error::vote_not_open, {"1er septembre", "30 septembre"}) ==
          "Le vote n’est pas ouvert : il a lieu du 1er septembre au 30 septembre.");
    CHECK(api::error_message(Error::too_young, {"11", "unused"}) ==
          "Il faut avoir au moins 11 ans le jour du vote pour participer.");
    SECTION("text given by a client is copied, never read as a template") {
        CHECK(api::error_message(Error::unknown_initiative, {"{}{}"}) ==
              "Aucune initiative n’a l’identifiant « {}{} ».");
    }
}

TEST_CASE("unavailable storage and rate limits say when to come back", "[errors]") {
    CHECK(api::fail(Error::storage_unavailable, 11)[http::field::retry_after] == "2");
    CHECK(api::fail(Error::address_rate_limited, 11)[http::field::retry_after] == "60");
    const auto later = api::fail_retry_after(Error::codes_rate_limited, 11, 1234);
    CHECK(later.result() == http::status::too_many_requests);
    CHECK(later[http::field::retry_after] == "1234");
    CHECK(api::fail_retry_after(Error::login_rate_limited, 11, 0)[http::field::retry_after] == "1");
}

TEST_CASE("extra fields join the error object", "[errors]") {
    json::object extra{{"rows", json::array{1, 2}}};
    const auto res = api::fail_with(Error::invalid_initiatives_many, 11, extra, {"2"});
    const auto error = body_of(res).at("error").as_object();
    CHECK(error.at("code") == "invalid_initiatives");
    CHECK(error.at("rows").as_array().size() == 2);
    CHECK(std::string(error.at("message").as_string()).rfind("2 initiatives sont refusées", 0) ==
          0);
}

TEST_CASE("every code is snake_case and every message is a French sentence", "[errors]") {
    for (int i = 0; i <= static_cast<int>(Error::not_in_tree); ++i) {
        const auto& e = api::entry(static_cast<Error>(i));
        INFO("error " << i << " " << e.code);
        CHECK(!e.code.empty());
        CHECK(e.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos);
        CHECK(!e.message.empty());
        CHECK(static_cast<int>(e.status) >= 400);
    }
}

TEST_CASE("every message follows French typography", "[errors]") {
    for (int i = 0; i <= static_cast<int>(Error::not_in_tree); ++i) {
        const auto& e = api::entry(static_cast<Error>(i));
        INFO("error " << i << " " << e.code << ": " << e.message);
        CHECK(typography_problem(e.message) == "");
    }
    SECTION("the check itself catches each breach") {
        CHECK(typography_problem("L'adresse") != "");
        CHECK(typography_problem("Réessayez ; rien") != "");
        CHECK(typography_problem("Réessayez; rien") != "");
        CHECK(typography_problem("Vraiment ?") != "");
        CHECK(typography_problem("Le vote : ouvert") != "");
        CHECK(typography_problem("Le champ « x » manque") != "");
        CHECK(typography_problem("Le vote\u00a0: ouvert\u202f; «\u00a0x\u00a0» à 12:30.") == "");
    }
}

TEST_CASE("the transport's failures are worded by the table", "[errors]") {
    using T = http::TransportError;
    CHECK(api::transport_error(T::too_large, 11).result() == http::status::payload_too_large);
    CHECK(api::transport_error(T::not_found, 10).result() == http::status::not_found);
    CHECK(api::transport_error(T::not_found, 10).version() == 10);
    CHECK(body_of(api::transport_error(T::method_not_allowed, 11)).at("error").at("code") ==
          "method_not_allowed");
    CHECK(api::transport_error(T::internal, 11).result() == http::status::internal_server_error);
}
