#include "server/api/staff_guard.hpp"

#include <catch2/catch.hpp>

using namespace budget::server::api;

namespace {

StaffSession session_of(StaffRole role) {
    return {std::string(64, 'a'), "alice", role, std::string(64, 'c')};
}

}  // namespace

TEST_CASE("the session id is read from the policy's cookie and must have the shape of one",
          "[server][staff]") {
    const std::string id(64, 'f');
    const CookiePolicy plain{false};
    const CookiePolicy secure{true};

    CHECK(session_id_of("a=1; budget_staff=" + id + "; b=2", plain) == id);
    CHECK(session_id_of("__Host-budget_staff=" + id, secure) == id);
    CHECK_FALSE(session_id_of("budget_staff=" + id, secure));
    CHECK_FALSE(session_id_of("budget_staff=short", plain));
    CHECK_FALSE(session_id_of("", plain));
}

TEST_CASE("each role reaches its own routes, and both reach the shared ones", "[server][staff]") {
    const auto committee = session_of(StaffRole::committee);
    const auto mission = session_of(StaffRole::mission);

    CHECK_FALSE(session_refusal(committee, StaffAccess::committee, false, ""));
    CHECK(session_refusal(committee, StaffAccess::mission, false, "") == Error::mission_only);
    CHECK_FALSE(session_refusal(mission, StaffAccess::mission, false, ""));
    CHECK(session_refusal(mission, StaffAccess::committee, false, "") == Error::committee_only);
    CHECK_FALSE(session_refusal(committee, StaffAccess::any_staff, false, ""));
    CHECK_FALSE(session_refusal(mission, StaffAccess::any_staff, false, ""));
}

TEST_CASE("a write needs the session's CSRF token, a read does not", "[server][staff]") {
    const auto session = session_of(StaffRole::committee);

    CHECK_FALSE(session_refusal(session, StaffAccess::committee, true, session.csrf_token));
    CHECK(session_refusal(session, StaffAccess::committee, true, "") == Error::csrf_failed);
    CHECK(session_refusal(session, StaffAccess::committee, true, std::string(64, '0')) ==
          Error::csrf_failed);
    CHECK(session_refusal(session, StaffAccess::committee, true, "c") == Error::csrf_failed);
    CHECK_FALSE(session_refusal(session, StaffAccess::committee, false, ""));
}

TEST_CASE("the role is refused before the CSRF token is looked at", "[server][staff]") {
    const auto mission = session_of(StaffRole::mission);

    CHECK(session_refusal(mission, StaffAccess::committee, true, "") == Error::committee_only);
}
