#include "server/api/holder_notices.hpp"

#include <catch2/catch.hpp>

using budget::labelling::ApplicationStatus;
using budget::labelling::StatusEvent;
using budget::server::api::holder_notice;

namespace {
const std::string kUrl = "https://budget.example.fr/porteurs/dossier.html?id=d-0123456789";
bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("An inadmissible file's e-mail gives the Mission's reason", "[holder_notices]") {
    const auto n = holder_notice(
        {ApplicationStatus::irrecevable, "2026-06-02T10:00:00+02:00", "Hors du département."},
        "Ressourcerie", kUrl);
    CHECK(n.subject == "Votre dossier «\u00a0Ressourcerie\u00a0» n’est pas recevable");
    CHECK(contains(n.text, "Motif de la Mission\u00a0:\nHors du département."));
    CHECK(contains(n.text, kUrl));
}

TEST_CASE("A refused file's e-mail gives the committee's justification", "[holder_notices]") {
    const auto n = holder_notice(
        {ApplicationStatus::refusee, "2026-07-02T10:00:00+02:00", "Gouvernance trop faible."},
        "Atelier", kUrl);
    CHECK(contains(n.subject, "n’est pas labellisé"));
    CHECK(contains(n.text, "Justification du comité\u00a0:\nGouvernance trop faible."));
}

TEST_CASE("Each status has its own subject", "[holder_notices]") {
    std::vector<std::string> subjects;
    for (auto s :
         {ApplicationStatus::deposee, ApplicationStatus::recevable, ApplicationStatus::irrecevable,
          ApplicationStatus::labellisee, ApplicationStatus::refusee, ApplicationStatus::au_vote,
          ApplicationStatus::laureate, ApplicationStatus::non_retenue}) {
        const auto n = holder_notice({s, "2026-06-02T10:00:00+02:00", ""}, "T", kUrl);
        CHECK(std::find(subjects.begin(), subjects.end(), n.subject) == subjects.end());
        subjects.push_back(n.subject);
        // French typography: no straight apostrophe, no ordinary space before a colon.
        CHECK(n.text.find('\'') == std::string::npos);
        CHECK(n.text.find(" :") == std::string::npos);
        CHECK(n.subject.find('\'') == std::string::npos);
    }
}

TEST_CASE("A status without a reason says nothing of a reason", "[holder_notices]") {
    const auto n =
        holder_notice({ApplicationStatus::recevable, "2026-06-02T10:00:00+02:00", ""}, "T", kUrl);
    CHECK_FALSE(contains(n.text, "Commentaire"));
    CHECK(contains(n.text, "comité de labellisation"));
}
