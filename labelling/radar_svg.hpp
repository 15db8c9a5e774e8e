#pragma once

#include <string>
#include <vector>

#include "labelling/questionnaire.hpp"
#include "labelling/scoring.hpp"

namespace budget::labelling {

/// One axis of the radar: a marker id (key into the scores) and its label.
struct RadarAxis {
    std::string id;
    std::string label;
};

/// A named set of scores drawn as an outline (one per reviewer).
struct RadarSeries {
    std::string name;
    MarkerScores scores;
};

/// The words of the drawing, given by the caller (the API words them in French,
/// server/api/labelling_text.hpp). `{}` are blanks filled in order.
struct RadarTexts {
    std::string title;           ///< the `<title>`
    std::string aggregate_name;  ///< names the aggregate in the legend and the description
    /// Opens the description when there are axes; {} the number of axes.
    std::string overview;
    /// One series in the description; {} its name, {} its scores ("label score" joined by
    /// `score_separator`).
    std::string series;
    std::string score_separator;
    std::string not_scored;  ///< stands for the score of a marker without one, in the description
    std::string no_markers;  ///< the whole description when there is no axis
};

struct RadarOptions {
    /// Prefix of the element ids (`<prefix>-title`, `<prefix>-desc`): make it unique when
    /// several radars are inlined in one page. Use only [A-Za-z0-9_-].
    std::string id_prefix = "radar";
    RadarTexts texts;
};

/// The axes of a questionnaire, in its marker order.
std::vector<RadarAxis> radar_axes(const Questionnaire& questionnaire);

/// A self-contained, accessible SVG radar: `role="img"`, `<title>` and `<desc>` (every value in
/// words), labelled axes (long labels wrapped), grid at 25/50/75/100, the aggregate filled and
/// each reviewer as a dashed outline with a legend. Sized by its viewBox (600 units wide, text
/// readable down to 320 px). Byte-for-byte deterministic: fixed two-decimal coordinates, no
/// locale. Scores are clamped to 0..100; a marker without a score is drawn at 0 and described
/// with `texts.not_scored`.
std::string render_radar_svg(const std::vector<RadarAxis>& axes, const MarkerScores& aggregate,
                             const std::vector<RadarSeries>& reviewers = {},
                             const RadarOptions& options = {});

}  // namespace budget::labelling
