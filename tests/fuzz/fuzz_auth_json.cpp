// Fuzz target: the bodies of POST /api/v1/auth/challenge and /auth/verify as the API reads them
// (server/api/auth_api.cpp): request_body getters with the same limits, normalise_email,
// plausible_email and canonical_mailbox, read_verify_form, name_key, parse_date,
// identity_claims and check_eligibility; and a bearer token given as "token" opened as a voter
// session (server/api/voter_session.cpp).

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
#include "voting/identity.hpp"

namespace {

using namespace budget;
namespace api = budget::server::api;

bool is_name_key(const std::string& n) {
    return !n.empty() &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

void check_email(const std::string& raw) {
    const auto email = api::normalise_email(raw);
    FUZZ_CHECK(api::normalise_email(email) == email, "normalise_email is not idempotent");
    if (const auto mailbox = voting::canonical_mailbox(raw)) {
        FUZZ_CHECK(voting::canonical_mailbox(*mailbox) == mailbox,
                   "canonical_mailbox is not idempotent");
        FUZZ_CHECK(mailbox->find('+') == std::string::npos, "a canonical mailbox kept its tag");
    }
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
    const auto name = voting::name_key(raw);
    if (!name) return;
    FUZZ_CHECK(is_name_key(*name), "name_key gave something else than a-z");
    const auto again = voting::name_key(*name);
    FUZZ_CHECK(again && *again == *name, "name_key is not idempotent");
    const auto shown = voting::display_name(raw);
    FUZZ_CHECK(shown && voting::name_key(*shown) == name,
               "display_name does not key as the name it shows");
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
        FUZZ_CHECK(voting::identity_claims(form->person).has_value(),
                   "read_verify_form let a name through that has no claims");
        FUZZ_CHECK(voting::canonical_mailbox(form->email) == form->mailbox,
                   "read_verify_form's mailbox is not the address's");
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
        const auto birth = voting::parse_date(fields[4]);
        if (birth) {
            const auto claims = voting::identity_claims({fields[3], "", fields[2], *birth});
            // Fields must not run into each other: exactly two separators in each material.
            for (const auto& material : claims.value_or(std::vector<std::string>{}))
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
        std::string(40, 'a'),
        fields[5].find('|') == std::string::npos ? fields[5] : "arrageois",
        2000000000,
        {std::string(40, 'a'), std::string(40, 'b')}};
    const auto reopened = sessions.open(sessions.issue(issued), 1900000000);
    FUZZ_CHECK(reopened && reopened->identity_key == issued.identity_key &&
                   reopened->claims == issued.claims && reopened->territory == issued.territory &&
                   reopened->expires_unix == issued.expires_unix,
               "a sealed voter session does not open to itself");
    return 0;
}
