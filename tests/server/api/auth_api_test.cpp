#include "server/api/auth_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "config/config.hpp"
#include "server/api/client_network.hpp"

namespace api = budget::server::api;
namespace http = budget::server::http;
namespace json = boost::json;
using budget::voting::EligibilityError;

namespace {

json::object good_form() {
    return json::object{{"email", " Eloise@Example.org"}, {"code", "012345"},
                        {"first_name", "Éloïse"},         {"last_name", "Dupont-Martin"},
                        {"birth_date", "1980-05-17"},     {"commune", "62041"}};
}

// The status and code of a refusal.
std::pair<int, std::string> refusal(const std::variant<api::VerifyForm, http::Response>& read) {
    const auto* res = std::get_if<http::Response>(&read);
    if (!res) return {0, ""};
    const auto body = json::parse(res->body());
    return {res->result_int(), std::string(body.at("error").at("code").as_string())};
}

std::pair<int, std::string> refusal_of(const http::Response& res) {
    return refusal(std::variant<api::VerifyForm, http::Response>(res));
}

}  // namespace

TEST_CASE("a verification form is read into normalised fields", "[auth_api]") {
    const auto read = api::read_verify_form(good_form(), 11);
    REQUIRE(std::holds_alternative<api::VerifyForm>(read));
    const auto& form = std::get<api::VerifyForm>(read);
    CHECK(form.email == "eloise@example.org");
    CHECK(form.mailbox == "eloise@example.org");
    CHECK(form.code == "012345");
    // The names as typed: the keyring keys them.
    CHECK(form.person.given_names == "Éloïse");
    CHECK(form.person.birth_name == "Dupont-Martin");
    CHECK(form.person.usage_name.empty());
    CHECK(form.person.birth_date == budget::voting::Date{1980, 5, 17});
    CHECK(form.commune == "62041");
}

TEST_CASE("a verification form takes an optional usage name and the mailbox of the address",
          "[auth_api]") {
    auto body = good_form();
    body["email"] = "E.Loise+Budget@GoogleMail.com";
    body["usage_name"] = "Martin";
    const auto read = api::read_verify_form(body, 11);
    REQUIRE(std::holds_alternative<api::VerifyForm>(read));
    const auto& form = std::get<api::VerifyForm>(read);
    CHECK(form.email == "e.loise+budget@googlemail.com");
    CHECK(form.mailbox == "eloise@gmail.com");
    CHECK(form.person.usage_name == "Martin");
    SECTION("a usage name that is not a name is refused") {
        body["usage_name"] = "M4rtin";
        CHECK(refusal(api::read_verify_form(body, 11)) ==
              std::pair(422, std::string("invalid_name")));
    }
    SECTION("a usage name that is not a string is refused") {
        body["usage_name"] = 12;
        CHECK(refusal(api::read_verify_form(body, 11)) ==
              std::pair(400, std::string("invalid_field")));
    }
}

TEST_CASE(
    "names of the registers are read; names with digits, symbols or another script are "
    "not",
    "[auth_api]") {
    auto body = good_form();
    for (const char* name : {"Łukasz", "Wróblewska", "Conceição", "E\xCC\x81loi\xCC\x88se",
                             "Je\xE2\x80\x8B"
                             "an",
                             "Ben Saïd", "Abd-el-Kader"}) {
        INFO(name);
        body["first_name"] = name;
        CHECK(std::holds_alternative<api::VerifyForm>(api::read_verify_form(body, 11)));
    }
    for (const char* name : {"Jean2", "Jean 😀", "Иван", "Jean<b>", " - "}) {
        INFO(name);
        body["last_name"] = name;
        CHECK(refusal(api::read_verify_form(body, 11)) ==
              std::pair(422, std::string("invalid_name")));
    }
}

TEST_CASE(
    "the e-mail path is refused where [identity] does not offer it, or to adults sent to "
    "FranceConnect",
    "[auth_api]") {
    budget::config::IdentityConfig identity;  // as parsed without [identity]
    identity.adult_methods = identity.methods;
    CHECK_FALSE(api::email_method_refusal(identity, std::nullopt, 11));
    CHECK_FALSE(api::email_method_refusal(identity, 40, 11));
    identity.methods = {"franceconnect", "email"};
    identity.adult_methods = {"franceconnect"};
    CHECK_FALSE(api::email_method_refusal(identity, std::nullopt, 11));
    CHECK_FALSE(api::email_method_refusal(identity, 15, 11));
    CHECK_FALSE(api::email_method_refusal(identity, 17, 11));
    const auto adult = api::email_method_refusal(identity, 18, 11);
    REQUIRE(adult);
    CHECK(refusal_of(*adult) == std::pair(403, std::string("method_not_allowed_for_age")));
    CHECK(adult->body().find("FranceConnect") != std::string::npos);
    identity.methods = {"franceconnect"};
    const auto none = api::email_method_refusal(identity, std::nullopt, 11);
    REQUIRE(none);
    CHECK(refusal_of(*none) == std::pair(403, std::string("method_not_offered")));
}

TEST_CASE("a verification form with a problem gets the refusal of its first problem",
          "[auth_api]") {
    auto form = good_form();
    SECTION("a missing or mistyped field") {
        form.erase("commune");
        CHECK(refusal(api::read_verify_form(form, 11)) ==
              std::pair(400, std::string("invalid_field")));
        form = good_form();
        form["code"] = 12345;
        CHECK(refusal(api::read_verify_form(form, 11)) ==
              std::pair(400, std::string("invalid_field")));
    }
    SECTION("an implausible address") {
        form["email"] = "not an address";
        CHECK(refusal(api::read_verify_form(form, 11)) ==
              std::pair(422, std::string("invalid_email")));
    }
    SECTION("a name that is not a name") {
        form["first_name"] = "R2D2";
        CHECK(refusal(api::read_verify_form(form, 11)) ==
              std::pair(422, std::string("invalid_name")));
    }
    SECTION("a date that does not exist") {
        form["birth_date"] = "1980-02-30";
        CHECK(refusal(api::read_verify_form(form, 11)) ==
              std::pair(422, std::string("invalid_birth_date")));
    }
    SECTION("a code that is not six digits") {
        for (const char* code : {"12345", "1234567", "12a456", ""}) {
            form["code"] = code;
            CHECK(refusal(api::read_verify_form(form, 11)) ==
                  std::pair(401, std::string("invalid_code")));
        }
    }
    SECTION("the address is checked before the name") {
        form["email"] = "nope";
        form["first_name"] = "R2D2";
        CHECK(refusal(api::read_verify_form(form, 11)).second == "invalid_email");
    }
}

TEST_CASE("each eligibility problem has its refusal", "[auth_api]") {
    CHECK(refusal_of(api::eligibility_refusal(EligibilityError::invalid_birth_date, 11, 11)) ==
          std::pair(422, std::string("invalid_birth_date")));
    CHECK(refusal_of(api::eligibility_refusal(EligibilityError::not_resident, 11, 11)) ==
          std::pair(403, std::string("not_resident")));
    const auto young = api::eligibility_refusal(EligibilityError::too_young, 16, 11);
    CHECK(refusal_of(young) == std::pair(403, std::string("too_young")));
    CHECK(young.body().find("au moins 16 ans") != std::string::npos);
}

TEST_CASE("a wrong code says how many tries are left, in the singular for the last", "[auth_api]") {
    const auto three = api::wrong_code_refusal(3, 11);
    CHECK(refusal_of(three) == std::pair(401, std::string("invalid_code")));
    const auto error = json::parse(three.body()).at("error");
    CHECK(error.at("tries_left").as_int64() == 3);
    CHECK(std::string(error.at("message").as_string()).find("Il vous reste 3 essais.") !=
          std::string::npos);
    const auto last = json::parse(api::wrong_code_refusal(1, 11).body()).at("error");
    CHECK(last.at("tries_left").as_int64() == 1);
    const std::string text(last.at("message").as_string());
    CHECK(text.find("Il vous reste 1 essai") != std::string::npos);
    CHECK(text.find("essais") == std::string::npos);
}

TEST_CASE("an unknown commune is named back, letters and digits only", "[auth_api]") {
    const auto res = api::unknown_commune_refusal("59350", 11);
    CHECK(refusal_of(res) == std::pair(403, std::string("not_resident")));
    CHECK(res.body().find("59350") != std::string::npos);
    const auto odd = api::unknown_commune_refusal("<b>Lille</b> et tout le reste", 11);
    const std::string message(json::parse(odd.body()).at("error").at("message").as_string());
    CHECK(message.find("bLillebett") != std::string::npos);
    CHECK(message.find('<') == std::string::npos);
}

TEST_CASE("a one-time code is six digits, leading zeros kept", "[auth_api]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto code = api::new_code();
        CHECK(code.size() == 6);
        CHECK(code.find_first_not_of("0123456789") == std::string::npos);
        seen.insert(code);
    }
    CHECK(seen.size() > 190);
}

TEST_CASE("a client address is counted with its network: /24 in IPv4, /56 in IPv6", "[auth_api]") {
    using budget::server::api::client_network;
    CHECK(client_network("203.0.113.7") == "203.0.113.0/24");
    CHECK(client_network("203.0.113.250") == client_network("203.0.113.1"));
    CHECK(client_network("203.0.114.7") != client_network("203.0.113.7"));
    CHECK(client_network("::ffff:203.0.113.9") == "203.0.113.0/24");
    CHECK(client_network("2001:db8:1:2ab:1::5") == "2001:db8:1:200::/56");
    CHECK(client_network("2001:db8:1:2ff::1") == client_network("2001:db8:1:200::9"));
    CHECK(client_network("2001:db8:1:300::1") != client_network("2001:db8:1:200::1"));
    CHECK(client_network("not an address") == "not an address");
}
