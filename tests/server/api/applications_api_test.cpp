// Integration: the Mission's side of the call for initiatives (issue 17) with a real
// redis-server and budgetd: the list and its filters, the decision of admissibility (an
// admissible file becomes the committee's initiative, an inadmissible one tells its holder why),
// and the attachments, for staff only.
#include "server/api/applications_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "tests/server/api/holder_test_support.hpp"

using namespace budget::test;
using namespace budget::test::holders;
namespace json = boost::json;

namespace {

const std::string kApps = "/api/v1/holder/applications";
const std::string kAdmin = "/api/v1/admin/applications";

json::value markers_of(const Holder& holder) {
    return json_of(holder.get("/api/v1/holder/questionnaire")).at("markers");
}

/// A complete file, submitted (`submit`) or left a draft; its id.
std::string file(const Holder& holder, json::object body, bool submit = true) {
    const auto created = holder.send("POST", kApps, body);
    INFO(created.body);
    REQUIRE(created.status == 201);
    const std::string id(json_of(created).at("id").as_string());
    if (submit) {
        const auto r = holder.send("POST", kApps + "/" + id + "/submit", "");
        INFO(r.body);
        REQUIRE(r.status == 200);
    }
    return id;
}

std::set<std::string> ids_of(const HttpResult& r) {
    std::set<std::string> ids;
    const auto body = json_of(r);
    for (const auto& a : body.at("applications").as_array()) ids.emplace(a.at("id").as_string());
    return ids;
}

HttpResult decide(const StaffSession& staff, const std::string& id, bool admissible,
                  const std::string& reason = "") {
    json::object body{{"admissible", admissible}};
    if (!reason.empty()) body["reason"] = reason;
    return staff.send("POST", kAdmin + "/" + id + "/admissibility", body);
}

}  // namespace

TEST_CASE("the Mission lists submitted files with filters, never drafts",
          "[integration][mission]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto markers = markers_of(holder);
    auto in_arras = complete_body(markers, 4);
    auto in_calais = complete_body(markers, 1);
    in_calais["commune"] = "62193";  // Calais
    const auto arras = file(holder, in_arras);
    const auto calais = file(holder, in_calais);
    const auto draft = file(holder, in_arras, /*submit=*/false);
    const auto mission = c.staff("mission");

    const auto all = mission.get(kAdmin);
    INFO(all.body);
    REQUIRE(all.status == 200);
    CHECK(ids_of(all) == std::set<std::string>{arras, calais});
    CHECK(json_of(all).at("counts").at("deposee") == 2);
    const auto first = json_of(all).at("applications").at(0);
    CHECK(first.at("owner_email") == "porteur@example.org");
    CHECK_FALSE(first.as_object().contains("description"));

    const auto territory =
        std::string(json_of(holder.get(kApps + "/" + calais)).at("territory").as_string());
    const auto arras_territory =
        std::string(json_of(holder.get(kApps + "/" + arras)).at("territory").as_string());
    REQUIRE(territory != arras_territory);
    CHECK(ids_of(mission.get(kAdmin + "?territory=" + territory)) == std::set<std::string>{calais});
    CHECK(ids_of(mission.get(kAdmin + "?status=deposee")) == std::set<std::string>{arras, calais});
    CHECK(ids_of(mission.get(kAdmin + "?status=recevable")).empty());
    const auto category =
        std::string(json_of(holder.get(kApps + "/" + arras)).at("proposed_category").as_string());
    CHECK(ids_of(mission.get(kAdmin + "?category=" + category)).contains(arras));

    const auto detail = mission.get(kAdmin + "/" + arras);
    REQUIRE(detail.status == 200);
    CHECK(json_of(detail).at("description").is_string());
    CHECK(mission.get(kAdmin + "/" + draft).status == 404);

    SECTION("the committee may not list them, nor read a file not yet admitted") {
        const auto committee = c.staff("committee");
        CHECK(committee.get(kAdmin).status == 403);
        CHECK(committee.get(kAdmin + "/" + arras).status == 404);
    }
    SECTION("holders and anonymous callers are not staff") {
        CHECK(holder.get(kAdmin).status == 401);
        CHECK(http_request(c.port(), "GET", kAdmin).status == 401);
    }
}

TEST_CASE("an admissible file becomes the committee's initiative", "[integration][mission]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto id = file(holder, complete_body(markers_of(holder)));
    REQUIRE(holder.upload(id, pdf("statuts")).status == 201);
    const auto mission = c.staff("mission");
    const auto committee = c.staff("committee");

    SECTION("the committee cannot decide admissibility") {
        const auto r = decide(committee, id, true);
        CHECK(r.status == 403);
        CHECK(error_code_of(r) == "forbidden");
    }
    SECTION("admitted: an initiative, the holder's history, no second decision") {
        const auto admitted = decide(mission, id, true);
        INFO(admitted.body);
        REQUIRE(admitted.status == 200);
        CHECK(json_of(admitted).at("status") == "recevable");
        CHECK(json_of(admitted).at("editable") == false);

        const auto initiatives = committee.get("/api/v1/admin/initiatives");
        REQUIRE(initiatives.status == 200);
        const json::object* found = nullptr;
        const auto listed = json_of(initiatives);
        for (const auto& i : listed.at("initiatives").as_array())
            if (text(i.at("id")) == id) found = &i.as_object();
        REQUIRE(found);
        CHECK(found->at("title") == "Ressourcerie solidaire");
        CHECK(found->at("holder") == "Association La Ressourcerie");
        CHECK(found->at("commune") == "62041");
        CHECK(found->at("requested_eur") == 4000);

        const auto mine = json_of(holder.get(kApps + "/" + id));
        CHECK(mine.at("status") == "recevable");
        CHECK(mine.at("history").as_array().size() == 3);
        // Frozen for its holder.
        const auto edit = holder.send("PUT", kApps + "/" + id, json::object{{"title", "Autre"}});
        CHECK(edit.status == 409);
        CHECK(error_code_of(edit) == "application_locked");

        const auto twice = decide(mission, id, false, "Finalement hors du périmètre.");
        CHECK(twice.status == 409);
        CHECK(error_code_of(twice) == "application_not_submitted");

        // The committee reads the admitted file, its radar and its attachments.
        CHECK(committee.get(kAdmin + "/" + id).status == 200);
        CHECK(committee.get(kAdmin + "/" + id + "/radar.svg").status == 200);

        const auto audit = json_of(mission.get("/api/v1/admin/audit?limit=50"));
        std::set<std::string> actions;
        for (const auto& e : audit.at("entries").as_array())
            actions.emplace(e.at("action").as_string());
        for (const auto* action : {"holder_login", "application_created", "application_submitted",
                                   "attachment_added", "application_admissible"})
            CHECK(actions.contains(action));
    }
    SECTION("an initiative imported with the same id first: 409, nothing changed") {
        json::object imported{{"id", id},
                              {"title", "Initiative importée"},
                              {"summary", "Importée avant la décision."},
                              {"holder", "Association importée"},
                              {"commune", "62041"},
                              {"requested_eur", 1000}};
        REQUIRE(mission.send("POST", "/api/v1/admin/initiatives", imported).status == 201);
        const auto r = decide(mission, id, true);
        CHECK(r.status == 409);
        CHECK(error_code_of(r) == "initiative_exists");
        CHECK(json_of(mission.get(kAdmin + "/" + id)).at("status") == "deposee");
    }
}

TEST_CASE("an inadmissible file needs a reason, which its holder reads", "[integration][mission]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto id = file(holder, complete_body(markers_of(holder)));
    const auto mission = c.staff("mission");

    const auto no_reason = decide(mission, id, false);
    CHECK(no_reason.status == 422);
    CHECK(error_code_of(no_reason) == "reason_required");
    const auto short_reason = decide(mission, id, false, "Non.");
    CHECK(short_reason.status == 422);
    const auto not_bool =
        mission.send("POST", kAdmin + "/" + id + "/admissibility",
                     json::object{{"admissible", "non"}, {"reason", "Hors du département."}});
    CHECK(not_bool.status == 400);
    const auto no_csrf =
        http_request(c.port(), "POST", kAdmin + "/" + id + "/admissibility",
                     json::serialize(json::object{{"admissible", true}}),
                     {{"Cookie", mission.cookie}, {"Content-Type", "application/json"}});
    CHECK(no_csrf.status == 403);
    CHECK(json_of(mission.get(kAdmin + "/" + id)).at("status") == "deposee");

    const std::string reason = "Le projet se déroule hors du Pas-de-Calais.";
    const auto refused = decide(mission, id, false, reason);
    INFO(refused.body);
    REQUIRE(refused.status == 200);
    CHECK(json_of(refused).at("status") == "irrecevable");

    const auto mine = json_of(holder.get(kApps + "/" + id));
    CHECK(mine.at("status") == "irrecevable");
    CHECK(mine.at("status_label") == "Irrecevable");
    CHECK(text(mine.at("history").as_array().back().at("reason")) == reason);
    // No initiative, and the committee does not see the file.
    const auto committee = c.staff("committee");
    const auto initiatives = json_of(committee.get("/api/v1/admin/initiatives"));
    for (const auto& i : initiatives.at("initiatives").as_array()) CHECK(text(i.at("id")) != id);
    CHECK(committee.get(kAdmin + "/" + id).status == 404);
    CHECK(ids_of(mission.get(kAdmin + "?status=irrecevable")) == std::set<std::string>{id});
}

TEST_CASE("a draft cannot be decided, nor anything once the vote has opened",
          "[integration][mission]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto markers = markers_of(holder);
    const auto draft = file(holder, complete_body(markers), /*submit=*/false);
    const auto submitted = file(holder, complete_body(markers));
    const auto mission = c.staff("mission");
    CHECK(decide(mission, draft, true).status == 404);

    // The call is over and the vote open: the initiatives are sealed.
    c.restart(VoteWindow::relative(-3 * kDay, -2 * kDay), VoteWindow::relative(-kDay, kDay));
    const auto again = c.staff("mission");
    const auto r = decide(again, submitted, true);
    CHECK(r.status == 409);
    CHECK(error_code_of(r) == "ballot_sealed");
}

TEST_CASE("attachments are downloaded by staff only, as attachments", "[integration][mission]") {
    HolderCampaign c(call_open_now(), vote_later());
    const auto holder = c.sign_in("porteur@example.org");
    const auto id = file(holder, complete_body(markers_of(holder)));
    const auto bytes = pdf("budget");
    const auto up = holder.upload(id, bytes, "Budget%20pr%C3%A9visionnel.pdf");
    REQUIRE(up.status == 201);
    const std::string sha(json_of(up).at("attachment").at("sha256").as_string());
    const auto path = kAdmin + "/" + id + "/attachments/" + sha;
    const auto mission = c.staff("mission");

    const auto r = mission.get(path);
    REQUIRE(r.status == 200);
    CHECK(r.body == bytes);
    CHECK(r.headers.at("content-type") == "application/pdf");
    CHECK(r.headers.at("content-disposition") ==
          "attachment; filename=\"Budget pr__visionnel.pdf\"; "
          "filename*=UTF-8''Budget%20pr%C3%A9visionnel.pdf");
    CHECK(r.headers.at("x-content-type-options") == "nosniff");
    CHECK(r.headers.at("content-security-policy") == "sandbox");
    CHECK(r.headers.at("cache-control") == "no-store");

    CHECK(mission.get(kAdmin + "/" + id + "/attachments/" + std::string(64, '0')).status == 404);
    CHECK(holder.get(path).status == 401);
    CHECK(http_request(c.port(), "GET", path).status == 401);
    // Not admitted yet: the committee does not read it.
    CHECK(c.staff("committee").get(path).status == 404);
    const auto svg = mission.get(kAdmin + "/" + id + "/radar.svg");
    CHECK(svg.status == 200);
    CHECK(svg.body.find("<svg") != std::string::npos);
}
