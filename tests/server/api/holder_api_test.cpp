// Integration: initiative holders over HTTP (issue 17) with a real redis-server and budgetd:
// sign-in by a code from the outbox, a file saved as a draft then submitted, attachments, and
// every refusal, each leaving the stored file as it was.
#include "server/api/holder_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "tests/server/api/holder_test_support.hpp"

using namespace budget::test;
using namespace budget::test::holders;
namespace json = boost::json;

namespace {

const std::string kApps = "/api/v1/holder/applications";

std::string create_draft(const Holder& holder, const json::object& body = {}) {
    const auto r = holder.send("POST", kApps, body);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return std::string(json_of(r).at("id").as_string());
}

json::value questionnaire_markers(const Holder& holder) {
    const auto r = holder.get("/api/v1/holder/questionnaire");
    REQUIRE(r.status == 200);
    return json_of(r).at("markers");
}

}  // namespace

TEST_CASE("a holder signs in with a code from the outbox, and out again",
          "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    SECTION("the code opens a session with a cookie and a CSRF token") {
        const auto holder = c.sign_in("Porteuse@Example.org");
        CHECK(holder.cookie.starts_with("budget_holder="));
        const auto me = holder.get("/api/v1/holder/me");
        REQUIRE(me.status == 200);
        CHECK(json_of(me).at("email") == "porteuse@example.org");
        CHECK(text(json_of(me).at("csrf_token")) == holder.csrf);

        const auto out = holder.send("POST", "/api/v1/holder/logout", "");
        CHECK(out.status == 204);
        CHECK(out.headers.at("set-cookie").find("Max-Age=0") != std::string::npos);
        CHECK(holder.get("/api/v1/holder/me").status == 401);
    }
    SECTION("a wrong code is refused with the tries left; a bad address with 422") {
        REQUIRE(c.challenge("porteur@example.org").status == 202);
        const auto code = c.campaign().last_code("porteur@example.org");
        const auto wrong = c.verify("porteur@example.org", code == "000000" ? "111111" : "000000");
        CHECK(wrong.status == 401);
        CHECK(error_code_of(wrong) == "invalid_code");
        CHECK(json_of(wrong).at("error").at("tries_left").as_int64() >= 1);
        CHECK(c.challenge("pas-une-adresse").status == 422);
        CHECK(error_code_of(c.challenge("pas-une-adresse")) == "invalid_email");
    }
    SECTION("without a session, nothing is shown") {
        const auto me = http_request(c.port(), "GET", "/api/v1/holder/me");
        CHECK(me.status == 401);
        CHECK(error_code_of(me) == "holder_not_authenticated");
        CHECK(http_request(c.port(), "GET", kApps).status == 401);
    }
}

TEST_CASE("codes past the [holders] hourly allowance are refused with Retry-After",
          "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later(), "max_codes_per_hour = 2\n");
    CHECK(c.challenge("porteur@example.org").status == 202);
    CHECK(c.challenge("porteur@example.org").status == 202);
    const auto third = c.challenge("porteur@example.org");
    CHECK(third.status == 429);
    CHECK(!third.headers.at("retry-after").empty());
}

TEST_CASE("a holder creates a file, saves a partial draft, then submits it",
          "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto markers = questionnaire_markers(holder);

    const auto list = json_of(holder.get(kApps));
    CHECK(list.at("call").at("state") == "open");
    CHECK(list.at("legal_forms").as_array().size() == 8);
    CHECK(!list.at("categories").as_array().empty());
    CHECK(list.at("max_requested_eur").as_int64() > 0);
    CHECK(list.at("applications").as_array().empty());

    const auto created = holder.send("POST", kApps, json::object{{"title", "Ressourcerie"}});
    REQUIRE(created.status == 201);
    const auto app = json_of(created);
    const std::string id(app.at("id").as_string());
    CHECK(id.size() == 12);
    CHECK(id.starts_with("d-"));
    CHECK(app.at("status") == "brouillon");
    CHECK(app.at("editable") == true);
    CHECK(app.at("title") == "Ressourcerie");
    CHECK(!app.at("problems").as_array().empty());

    // A partial draft: some fields, half the questions.
    json::object partial{{"holder", "Association La Ressourcerie"}, {"commune", "62041"}};
    json::object some;
    some[markers.at(0).at("questions").at(0).at("id").as_string()] = 2;
    partial["self_assessment"] = some;
    const auto saved = holder.send("PUT", kApps + "/" + id, partial);
    INFO(saved.body);
    REQUIRE(saved.status == 200);
    CHECK(json_of(saved).at("title") == "Ressourcerie");  // absent: kept
    CHECK(json_of(saved).at("commune_name") == "Arras");
    CHECK(json_of(saved).at("self_assessment").as_object().size() == 1);

    SECTION("submitting an incomplete file is refused with its problems, nothing written") {
        const auto before = holder.get(kApps + "/" + id).body;
        const auto refused = holder.send("POST", kApps + "/" + id + "/submit", "");
        CHECK(refused.status == 422);
        CHECK(error_code_of(refused) == "application_incomplete");
        const auto problems = json_of(refused).at("error").at("problems").as_array();
        CHECK(!problems.empty());
        for (const auto& p : problems) CHECK(!p.at("message").as_string().empty());
        CHECK(holder.get(kApps + "/" + id).body == before);
    }
    SECTION("complete, it is submitted, once; then it stays submittable") {
        const auto complete = holder.send("PUT", kApps + "/" + id, complete_body(markers));
        INFO(complete.body);
        REQUIRE(complete.status == 200);
        CHECK(json_of(complete).at("problems").as_array().empty());
        CHECK(json_of(complete).at("siret") == "73282932000074");
        CHECK(json_of(complete).at("proposed_category").is_string());

        const auto submitted = holder.send("POST", kApps + "/" + id + "/submit", "");
        INFO(submitted.body);
        REQUIRE(submitted.status == 200);
        CHECK(json_of(submitted).at("status") == "deposee");
        CHECK(json_of(submitted).at("history").as_array().size() == 2);
        CHECK(json_of(submitted).at("editable") == true);

        const auto again = holder.send("POST", kApps + "/" + id + "/submit", "");
        CHECK(again.status == 409);
        CHECK(error_code_of(again) == "already_submitted");

        // Edited after submission: still complete is fine, emptied is not.
        const auto edited = holder.send("PUT", kApps + "/" + id,
                                        json::object{{"title", "Ressourcerie solidaire d’Arras"}});
        CHECK(edited.status == 200);
        const auto before = holder.get(kApps + "/" + id).body;
        const auto emptied = holder.send("PUT", kApps + "/" + id, json::object{{"summary", ""}});
        CHECK(emptied.status == 422);
        CHECK(error_code_of(emptied) == "application_incomplete");
        CHECK(holder.get(kApps + "/" + id).body == before);

        const auto mine = json_of(holder.get(kApps)).at("applications").as_array();
        REQUIRE(mine.size() == 1);
        CHECK(mine[0].at("status") == "deposee");

        // In the audit: the submission and the edit after it (naming the fields, not their
        // values), never the drafts' saves nor the holder's address.
        const auto audit = json_of(c.staff("mission").get("/api/v1/admin/audit?limit=100"));
        std::map<std::string, int> actions;
        for (const auto& e : audit.at("entries").as_array()) {
            ++actions[text(e.at("action"))];
            CHECK(e.at("username") != "porteur@example.org");
            if (e.at("action") == "application_updated") {
                CHECK(e.at("username").as_string().starts_with("holder:"));
                CHECK(e.at("role") == "holder");
                CHECK(e.at("target") == json::value(id));
                CHECK(e.at("details").at("fields") == json::array{"title"});
            }
        }
        CHECK(actions["application_created"] == 1);
        CHECK(actions["application_submitted"] == 1);
        CHECK(actions["application_updated"] == 1);
        CHECK(actions["holder_login"] == 1);
    }
    SECTION("the holder's own radar is drawn") {
        const auto svg = holder.get(kApps + "/" + id + "/radar.svg");
        CHECK(svg.status == 200);
        CHECK(svg.headers.at("content-type").starts_with("image/svg+xml"));
        CHECK(svg.body.find("<svg") != std::string::npos);
    }
}

TEST_CASE("bad bodies are refused whole and leave the file as it was", "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto id = create_draft(holder, json::object{{"title", "Titre d’origine"}});
    const auto path = kApps + "/" + id;
    const auto before = holder.get(path).body;

    SECTION("malformed JSON") {
        const auto r = holder.send("PUT", path, std::string("{\"title\":"));
        CHECK(r.status == 400);
        CHECK(error_code_of(r) == "malformed_json");
    }
    SECTION("wrong types: one problem per field, nothing written") {
        const auto r = holder.send(
            "PUT", path,
            json::object{{"title", "Nouveau titre"}, {"summary", 12}, {"requested_eur", "cher"}});
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "invalid_application");
        CHECK(json_of(r).at("error").at("problems").as_array().size() == 2);
    }
    SECTION("too long a text: 422 with the field and its limit") {
        const auto r = holder.send(
            "PUT", path,
            json::object{{"title", "Nouveau titre"}, {"holder", std::string(200, 'a')}});
        CHECK(r.status == 422);
        CHECK(error_code_of(r) == "invalid_application");
        const auto problems = json_of(r).at("error").at("problems").as_array();
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].at("field") == "holder");
        CHECK(problems[0].at("message").as_string().find("120") != json::string::npos);
    }
    SECTION("an unknown legal form or an answer off the scale") {
        const auto r = holder.send(
            "PUT", path,
            json::object{{"legal_form", "sarl"},
                         {"self_assessment", json::object{{"gouvernance_decision", 99}}}});
        CHECK(r.status == 422);
        CHECK(json_of(r).at("error").at("problems").as_array().size() == 2);
    }
    SECTION("creation with a bad body creates nothing") {
        const auto r = holder.send("POST", kApps, json::object{{"title", json::array{}}});
        CHECK(r.status == 422);
        CHECK(json_of(holder.get(kApps)).at("applications").as_array().size() == 1);
    }
    CHECK(holder.get(path).body == before);
}

TEST_CASE("writes need the holder's session, its CSRF token and this site's Origin",
          "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto id = create_draft(holder, json::object{{"title", "Titre d’origine"}});
    const auto path = kApps + "/" + id;
    const auto before = holder.get(path).body;
    const auto body = json::serialize(json::object{{"title", "Piraté"}});

    const auto no_csrf =
        http_request(c.port(), "PUT", path, body,
                     {{"Cookie", holder.cookie}, {"Content-Type", "application/json"}});
    CHECK(no_csrf.status == 403);
    CHECK(error_code_of(no_csrf) == "csrf_failed");
    const auto wrong_csrf =
        holder.send("PUT", path, body, {{"X-CSRF-Token", std::string(64, '0')}});
    CHECK(wrong_csrf.status == 403);
    const auto foreign = holder.send("PUT", path, body, {{"Origin", "https://evil.example"}});
    CHECK(foreign.status == 403);
    CHECK(error_code_of(foreign) == "origin_refused");
    const auto anonymous =
        http_request(c.port(), "PUT", path, body, {{"Content-Type", "application/json"}});
    CHECK(anonymous.status == 401);
    CHECK(error_code_of(anonymous) == "holder_not_authenticated");
    const auto no_csrf_upload =
        http_request(c.port(), "POST", path + "/attachments?name=a.pdf", pdf(),
                     {{"Cookie", holder.cookie}, {"Content-Type", "application/pdf"}});
    CHECK(no_csrf_upload.status == 403);
    const auto no_csrf_create =
        http_request(c.port(), "POST", kApps, "{}",
                     {{"Cookie", holder.cookie}, {"Content-Type", "application/json"}});
    CHECK(no_csrf_create.status == 403);
    CHECK(holder.get(path).body == before);
    CHECK(json_of(holder.get(kApps)).at("applications").as_array().size() == 1);
}

TEST_CASE("another holder's file answers as an unknown one", "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto owner = c.sign_in("porteur@example.org");
    const auto other = c.sign_in("autre@example.org");
    const auto id = create_draft(owner, json::object{{"title", "À moi"}});
    REQUIRE(owner.upload(id, pdf()).status == 201);
    const auto path = kApps + "/" + id;
    const auto before = owner.get(path).body;
    const auto sha =
        std::string(json_of(owner.get(path)).at("attachments").at(0).at("sha256").as_string());

    for (const auto& r :
         {other.get(path), other.send("PUT", path, json::object{{"title", "À toi"}}),
          other.send("POST", path + "/submit", ""), other.upload(id, pdf("b")),
          other.send("DELETE", path + "/attachments/" + sha, ""), other.get(path + "/radar.svg"),
          other.get(kApps + "/d-ffffffffff")}) {
        INFO(r.body);
        CHECK(r.status == 404);
        CHECK(error_code_of(r) == "application_not_found");
    }
    CHECK(json_of(other.get(kApps)).at("applications").as_array().empty());
    CHECK(owner.get(path).body == before);
}

TEST_CASE("attachments: PDFs only, 5 MiB at most, 3 per file", "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto id = create_draft(holder);
    const auto path = kApps + "/" + id;

    const auto first = holder.upload(id, pdf("a"), "Statuts%20sign%C3%A9s.pdf");
    INFO(first.body);
    REQUIRE(first.status == 201);
    const auto attachment = json_of(first).at("attachment");
    CHECK(attachment.at("name") == "Statuts signés.pdf");
    CHECK(attachment.at("size").as_int64() == static_cast<std::int64_t>(pdf("a").size()));
    CHECK(attachment.at("sha256").as_string().size() == 64);
    CHECK(json_of(first).at("application").at("attachments").as_array().size() == 1);

    SECTION("the same bytes twice: the one already there") {
        const auto again = holder.upload(id, pdf("a"), "autre-nom.pdf");
        CHECK(again.status == 200);
        CHECK(json_of(again).at("attachment").at("name") == "Statuts signés.pdf");
        CHECK(json_of(holder.get(path)).at("attachments").as_array().size() == 1);
    }
    SECTION("refusals, each leaving the file as it was") {
        const auto before = holder.get(path).body;
        const auto big = holder.upload(id, pdf("big", 5 * 1024 * 1024));
        CHECK(big.status == 413);
        CHECK(error_code_of(big) == "attachment_too_large");
        const auto fake = holder.upload(id, "<html>pas un PDF</html>");
        CHECK(fake.status == 422);
        CHECK(error_code_of(fake) == "attachment_not_pdf");
        const auto truncated = holder.upload(id, pdf("t").substr(0, 30));
        CHECK(truncated.status == 422);
        const auto typed = holder.upload(id, pdf("w"), "w.pdf", "application/octet-stream");
        CHECK(typed.status == 415);
        CHECK(error_code_of(typed) == "unsupported_media_type");
        CHECK(holder.get(path).body == before);
    }
    SECTION("a fourth is refused; one removed makes room") {
        REQUIRE(holder.upload(id, pdf("b")).status == 201);
        REQUIRE(holder.upload(id, pdf("c")).status == 201);
        const auto before = holder.get(path).body;
        const auto fourth = holder.upload(id, pdf("d"));
        CHECK(fourth.status == 409);
        CHECK(error_code_of(fourth) == "too_many_attachments");
        CHECK(holder.get(path).body == before);

        const std::string sha(attachment.at("sha256").as_string());
        const auto removed = holder.send("DELETE", path + "/attachments/" + sha, "");
        CHECK(removed.status == 200);
        CHECK(json_of(removed).at("attachments").as_array().size() == 2);
        CHECK(holder.send("DELETE", path + "/attachments/" + sha, "").status == 404);
        CHECK(holder.upload(id, pdf("d")).status == 201);
    }
    SECTION("the file lies under data_dir by its SHA-256") {
        const std::string sha(attachment.at("sha256").as_string());
        std::ifstream in(c.dir() + "/data/attachments/" + sha + ".pdf", std::ios::binary);
        const std::string stored((std::istreambuf_iterator<char>(in)), {});
        CHECK(stored == pdf("a"));
    }
    SECTION("holders never download attachments") {
        const std::string sha(attachment.at("sha256").as_string());
        CHECK(holder.get("/api/v1/admin/applications/" + id + "/attachments/" + sha).status == 401);
    }
}

TEST_CASE("a holder may have 5 files at most", "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    for (int i = 0; i < 5; ++i) create_draft(holder);
    const auto sixth = holder.send("POST", kApps, json::object{});
    CHECK(sixth.status == 409);
    CHECK(error_code_of(sixth) == "too_many_applications");
    CHECK(json_of(holder.get(kApps)).at("applications").as_array().size() == 5);
}

TEST_CASE("outside the call, files can be read but neither created nor changed",
          "[integration][holders]") {
    HolderCampaign c(call_open_now(), vote_later());
    auto holder = c.sign_in("porteur@example.org");
    const auto markers = questionnaire_markers(holder);
    const auto draft = create_draft(holder, complete_body(markers));
    const auto submitted = create_draft(holder, complete_body(markers));
    REQUIRE(holder.send("POST", kApps + "/" + submitted + "/submit", "").status == 200);
    REQUIRE(holder.upload(draft, pdf()).status == 201);
    const auto before = holder.get(kApps).body;

    // The call closed yesterday; the vote is still to come. The session is kept in Redis.
    c.restart(VoteWindow::relative(-3 * kDay, -kDay), vote_later());
    holder.port = c.port();
    CHECK(json_of(holder.get(kApps)).at("call").at("state") == "closed");
    const auto sha = std::string(
        json_of(holder.get(kApps + "/" + draft)).at("attachments").at(0).at("sha256").as_string());
    for (const auto& r :
         {holder.send("POST", kApps, json::object{}),
          holder.send("PUT", kApps + "/" + draft, json::object{{"title", "Trop tard"}}),
          holder.send("PUT", kApps + "/" + submitted, json::object{{"title", "Trop tard"}}),
          holder.send("POST", kApps + "/" + draft + "/submit", ""),
          holder.upload(draft, pdf("late")),
          holder.send("DELETE", kApps + "/" + draft + "/attachments/" + sha, "")}) {
        INFO(r.body);
        CHECK(r.status == 409);
        CHECK(error_code_of(r) == "call_not_open");
    }
    const auto after = json_of(holder.get(kApps));
    for (const auto& a : after.at("applications").as_array()) CHECK(a.at("editable") == false);
    // Only "editable" (computed from the clock) differs from before.
    auto expected = json_of(HttpResult{200, before, {}});
    for (auto& a : expected.at("applications").as_array()) a.as_object()["editable"] = false;
    expected.as_object()["call"] = after.at("call");
    CHECK(expected == after);
    // Signing in still works: holders follow their files after the call.
    CHECK(c.challenge("porteur@example.org").status == 202);
}
