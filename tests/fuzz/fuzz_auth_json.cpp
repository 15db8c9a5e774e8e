// Fuzz target: the bodies of POST /api/v1/auth/challenge and /auth/verify as the API reads them
// (server/api/auth_api.cpp): request_body getters with the same limits, normalise_email and
// plausible_email, read_verify_form, normalise_name, parse_date, identity_material and
// check_eligibility; and a bearer token given as "token" opened as a voter session
// (server/api/voter_session.cpp).

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "server/api/auth_api.hpp"
#include "server/api/request_body.hpp"
#include "server/api/voter_session.hpp"
#include "server/core/crypto.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "voting/eligibility.hpp"

namespace {

using namespace budget;
namespace api = budget::server::api;

bool is_normal_name(const std::string& n) {
    if (n.empty() || n.front() == ' ' || n.back() == ' ') return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        if (c == ' ') {
            if (n[i + 1] == ' ') return false;
        } else if (c < 'a' || c > 'z') {
            return false;
        }
    }
    return true;
}

void check_email(const std::string& raw) {
    const auto email = api::normalise_email(raw);
    FUZZ_CHECK(api::normalise_email(email) == email, "normalise_email is not idempotent");
    if (!api::plausible_email(email)) return;
    FUZZ_CHECK(email.size() >= 3 && email.size() <= 254, "plausible email length");
    FUZZ_CHECK(email.find('@') != std::string::npos && email.find('@') == email.rfind('@'),
               "a plausible email has exactly one @");
    for (const char c : email) {
        const auto u = static_cast<unsigned char>(c);
        FUZZ_CHECK(u > 0x20 && u != 0x7f && c != '<' && c != '>' && c != '\r' && c != '\n',
                   "a plausible email holds a character unsafe in an SMTP command");
    }
}

void check_name(const std::string& raw) {
    const auto name = voting::normalise_name(raw);
    if (!name) return;
    FUZZ_CHECK(is_normal_name(*name),
               "normalise_name gave something else than a-z and single spaces");
    const auto again = voting::normalise_name(*name);
    FUZZ_CHECK(again && *again == *name, "normalise_name is not idempotent");
}

void check_date(const std::string& raw) {
    const auto date = voting::parse_date(raw);
    if (!date) return;
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", date->year, date->month, date->day);
    FUZZ_CHECK(raw == text, "parse_date accepted a text that is not its own YYYY-MM-DD");
    const voting::Date today{2026, 9, 15};
    const auto eligible = voting::check_eligibility(*date, today, 11, true);
    if (eligible) {
        FUZZ_CHECK(eligible->age >= 11 && eligible->age <= 130, "eligible age out of range");
        FUZZ_CHECK(voting::age_on(*date, today) == eligible->age, "age differs");
    }
}

// The handler's own reading of a verification: a form of normalised, checked fields, or a
// refusal of the documented shape.
void check_verify_form(const boost::json::object& o, bool complete) {
    const auto read = api::read_verify_form(o, 11);
    if (const auto* form = std::get_if<api::VerifyForm>(&read)) {
        FUZZ_CHECK(complete, "read_verify_form accepted a form with a missing field");
        FUZZ_CHECK(
            api::plausible_email(form->email) && api::normalise_email(form->email) == form->email,
            "read_verify_form let an address through unnormalised or implausible");
        FUZZ_CHECK(is_normal_name(form->first_name) && is_normal_name(form->last_name),
                   "read_verify_form let a name through unnormalised");
        FUZZ_CHECK(form->code.size() == 6 &&
                       form->code.find_first_not_of("0123456789") == std::string::npos,
                   "read_verify_form let a code through that is not six digits");
        return;
    }
    boost::system::error_code ec;
    const auto body = boost::json::parse(std::get<api::Response>(read).body(), ec);
    FUZZ_CHECK(!ec && body.is_object() && body.as_object().contains("error"),
               "a verification refusal is not the documented JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    api::Request req;
    req.body() = std::string(fuzz::as_text(data, size));
    auto body = api::parse_json_object(req);
    if (std::holds_alternative<api::Rejection>(body)) return 0;
    const auto& o = std::get<boost::json::object>(body);

    // challenge: {"email"}
    auto email = api::get_string(o, "email", 254);
    if (auto* s = std::get_if<std::string>(&email)) check_email(*s);

    // verify: the six fields, each with its limit, as read_verify_form reads them.
    const char* names[6] = {"email", "code", "first_name", "last_name", "birth_date", "commune"};
    std::string fields[6];
    bool complete = true;
    for (int i = 0; i < 6; ++i) {
        auto f = api::get_string(o, names[i], i == 0 ? 254 : 100);
        if (auto* s = std::get_if<std::string>(&f)) {
            FUZZ_CHECK(api::is_clean_utf8(*s), "a dirty string passed get_string");
            fields[i] = std::move(*s);
        } else {
            complete = false;
        }
    }
    for (int i = 2; i < 4; ++i) check_name(fields[i]);
    check_date(fields[4]);
    if (complete) {
        const auto first = voting::normalise_name(fields[2]);
        const auto last = voting::normalise_name(fields[3]);
        const auto birth = voting::parse_date(fields[4]);
        if (first && last && birth) {
            const auto material = voting::identity_material(*first, *last, *birth);
            // Fields must not run into each other: exactly two separators.
            FUZZ_CHECK(std::count(material.begin(), material.end(), '|') == 2,
                       "identity material is ambiguous");
        }
    }

    check_verify_form(o, complete);

    // A bearer token from the client: only tokens the server sealed open.
    static const server::crypto::Key32 pepper = [] {
        server::crypto::Key32 k{};
        for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<unsigned char>(i * 7 + 1);
        return k;
    }();
    static const api::VoterSessions sessions(pepper, "2026");
    if (auto token = api::get_string(o, "token", 4096);
        std::holds_alternative<std::string>(token)) {
        FUZZ_CHECK(!sessions.open(std::get<std::string>(token), 0).has_value(),
                   "a client-made token opened as a voter session");
    }
    const api::VoterSession issued{
        std::string(64, 'a'), fields[5].find('|') == std::string::npos ? fields[5] : "arrageois",
        2000000000};
    const auto reopened = sessions.open(sessions.issue(issued), 1900000000);
    FUZZ_CHECK(reopened && reopened->identity_key == issued.identity_key &&
                   reopened->territory == issued.territory &&
                   reopened->expires_unix == issued.expires_unix,
               "a sealed voter session does not open to itself");
    return 0;
}
