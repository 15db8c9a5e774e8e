#pragma once
// The fixed radar of tests/labelling/golden/radar_fixed.svg: the shipped questionnaire's eight
// markers, an aggregate, and the overlays of the committee's view: the reader's own scores, two
// other reviewers and the gate's minimum of 40 on every marker. Shared by the renderer's tests and
// the API's (tests/server/api/labelling_text_test.cpp), which draws it with the French texts it
// serves.

#include <vector>

#include "labelling/radar_svg.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling::testing {

// The eight markers of the shipped questionnaire, written out so that editing the
// configuration does not move the golden file.
inline std::vector<RadarAxis> design_axes() {
    return {{"gouvernance", "Gouvernance démocratique"},
            {"utilite_sociale", "Utilité sociale"},
            {"primaute_personne", "Primauté de la personne sur le profit"},
            {"cooperation_territoriale", "Coopération territoriale"},
            {"innovation_sociale", "Innovation sociale"},
            {"transition_environnementale", "Transition environnementale"},
            {"implication_usagers", "Implication des usagers et des citoyens"},
            {"richesses_humaines", "Richesses humaines"}};
}

inline MarkerScores fixed_aggregate() {
    return {{"gouvernance", 72},         {"utilite_sociale", 85},
            {"primaute_personne", 60},   {"cooperation_territoriale", 45},
            {"innovation_sociale", 90},  {"transition_environnementale", 38},
            {"implication_usagers", 67}, {"richesses_humaines", 55}};
}

inline MarkerScores fixed_own() {
    return {{"gouvernance", 75},         {"utilite_sociale", 80},
            {"primaute_personne", 60},   {"cooperation_territoriale", 50},
            {"innovation_sociale", 95},  {"transition_environnementale", 40},
            {"implication_usagers", 67}, {"richesses_humaines", 55}};
}

inline std::vector<MarkerScores> fixed_others() {
    return {{{"gouvernance", 72},
             {"utilite_sociale", 85},
             {"primaute_personne", 65},
             {"cooperation_territoriale", 45},
             {"innovation_sociale", 90},
             {"transition_environnementale", 38},
             {"implication_usagers", 70},
             {"richesses_humaines", 60}},
            {{"gouvernance", 20},
             {"utilite_sociale", 100},
             {"primaute_personne", 50},
             {"cooperation_territoriale", 30},
             {"innovation_sociale", 85},
             {"transition_environnementale", 10},
             {"implication_usagers", 50},
             {"richesses_humaines", 45}}};
}

inline MarkerScores fixed_thresholds() {
    MarkerScores thresholds;
    for (const auto& axis : design_axes()) thresholds[axis.id] = 40;
    return thresholds;
}

inline RadarOverlays fixed_overlays() { return {fixed_own(), fixed_others(), fixed_thresholds()}; }

}  // namespace budget::labelling::testing
