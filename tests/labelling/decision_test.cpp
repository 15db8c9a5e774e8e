#include "labelling/decision.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "test_questionnaire.hpp"

namespace lab = budget::labelling;
using lab::Decision;
using lab::DecisionError;
using lab::testing::small_questionnaire;

namespace {

lab::GateVerdict passing_gate() {
    lab::GateVerdict gate;
    gate.passes = true;
    gate.overall_score = 80;
    return gate;
}

lab::GateVerdict failing_gate() {
    lab::GateVerdict gate;
    gate.passes = false;
    gate.overall_score = 20;
    gate.failures = {{lab::GateFailureKind::overall_below_minimum, "", "", 20, 50}};
    return gate;
}

}  // namespace

TEST_CASE("a decision is read from \"label\" or \"refuse\" and from nothing else",
          "[labelling][decision]") {
    CHECK(lab::parse_decision("label") == Decision::label);
    CHECK(lab::parse_decision("refuse") == Decision::refuse);
    CHECK_FALSE(lab::parse_decision("Label"));
    CHECK_FALSE(lab::parse_decision("accept"));
    CHECK_FALSE(lab::parse_decision(""));
    CHECK(lab::to_string(Decision::label) == "label");
    CHECK(lab::to_string(Decision::refuse) == "refuse");
}

TEST_CASE("a decision goes against the gate exactly when it contradicts the verdict",
          "[labelling][decision]") {
    CHECK_FALSE(lab::against_gate(Decision::label, passing_gate()));
    CHECK(lab::against_gate(Decision::label, failing_gate()));
    CHECK(lab::against_gate(Decision::refuse, passing_gate()));
    CHECK_FALSE(lab::against_gate(Decision::refuse, failing_gate()));
}

TEST_CASE("a decision that follows the gate needs no justification", "[labelling][decision]") {
    const auto q = small_questionnaire();

    SECTION("labelling an initiative that passes the gate") {
        CHECK(lab::check_decision(q, Decision::label, "first", passing_gate(), "").has_value());
    }
    SECTION("refusing an initiative that fails the gate") {
        CHECK(lab::check_decision(q, Decision::refuse, "", failing_gate(), "").has_value());
    }
}

TEST_CASE("labelling an initiative below the gate needs a written justification",
          "[labelling][decision]") {
    const auto q = small_questionnaire();

    const auto bare = lab::check_decision(q, Decision::label, "second", failing_gate(), "");
    const auto justified = lab::check_decision(q, Decision::label, "second", failing_gate(),
                                               "Seul projet de son territoire.");

    REQUIRE_FALSE(bare.has_value());
    CHECK(bare.error() == DecisionError::justification_to_label);
    CHECK(justified.has_value());
}

TEST_CASE("refusing an initiative that passes the gate needs a written justification",
          "[labelling][decision]") {
    const auto q = small_questionnaire();

    const auto bare = lab::check_decision(q, Decision::refuse, "", passing_gate(), "");
    const auto justified = lab::check_decision(q, Decision::refuse, "", passing_gate(),
                                               "Projet déjà financé par ailleurs.");

    REQUIRE_FALSE(bare.has_value());
    CHECK(bare.error() == DecisionError::justification_to_refuse);
    CHECK(justified.has_value());
}

TEST_CASE("a label names a category of the questionnaire, checked before the gate",
          "[labelling][decision]") {
    const auto q = small_questionnaire();

    SECTION("an unknown or missing category is refused, whatever the gate says") {
        for (const auto* category : {"nope", "", "First"}) {
            const auto alone = lab::check_category(q, Decision::label, category);
            const auto whole =
                lab::check_decision(q, Decision::label, category, failing_gate(), "");
            REQUIRE_FALSE(alone.has_value());
            CHECK(alone.error() == DecisionError::unknown_category);
            REQUIRE_FALSE(whole.has_value());
            CHECK(whole.error() == DecisionError::unknown_category);
        }
    }
    SECTION("a refusal needs no category, and any category given is not checked") {
        CHECK(lab::check_category(q, Decision::refuse, "").has_value());
        CHECK(lab::check_category(q, Decision::refuse, "nope").has_value());
    }
    SECTION("every category of the questionnaire may be chosen") {
        CHECK(lab::check_category(q, Decision::label, "first").has_value());
        CHECK(lab::check_category(q, Decision::label, "second").has_value());
    }
}

TEST_CASE("asking the value of a refused decision throws invalid_argument",
          "[labelling][decision]") {
    const auto q = small_questionnaire();
    const auto refused = lab::check_decision(q, Decision::refuse, "", passing_gate(), "");
    CHECK_THROWS_AS(refused.value(), std::invalid_argument);
}
