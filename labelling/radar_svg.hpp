#pragma once

#include <string>
#include <vector>

#include "labelling/questionnaire.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling {

/// One axis of the radar: a marker id (key into the scores) and its French label.
struct RadarAxis {
    std::string id;
    std::string label;
};

/// A named set of scores drawn as an outline (one per reviewer).
struct RadarSeries {
    std::string name;
    MarkerScores scores;
};

struct RadarOptions {
    std::string title = "Radar des marqueurs ESS";
    /// Prefix of the element ids (`<prefix>-title`, `<prefix>-desc`): make it unique when
    /// several radars are inlined in one page. Use only [A-Za-z0-9_-].
    std::string id_prefix = "radar";
    std::string aggregate_name = "Médiane du comité";
};

/// The axes of a questionnaire, in its marker order.
std::vector<RadarAxis> radar_axes(const Questionnaire& questionnaire);

/// A self-contained, accessible SVG radar: `role="img"`, `<title>` and `<desc>` (every value in
/// words), labelled axes (long labels wrapped), grid at 25/50/75/100, the aggregate filled and
/// each reviewer as a dashed outline with a legend. Sized by its viewBox (600 units wide, text
/// readable down to 320 px). Byte-for-byte deterministic: fixed two-decimal coordinates, no
/// locale. Scores are clamped to 0..100; a marker without a score is drawn at 0 and described
/// as "non évalué".
std::string render_radar_svg(const std::vector<RadarAxis>& axes, const MarkerScores& aggregate,
                             const std::vector<RadarSeries>& reviewers = {},
                             const RadarOptions& options = {});

}  // namespace budget::labelling
