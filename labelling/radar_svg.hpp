#pragma once

#include <map>
#include <optional>
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

/// What the committee's radar shows over the aggregate; all empty for the public radar.
struct RadarOverlays {
    /// The reader's own scores: an outline of its own stroke and dash, drawn last, so that it
    /// shows even where it equals the aggregate.
    std::optional<MarkerScores> own;
    /// The other reviewers' scores, drawn as one band from their lowest to their highest score
    /// on each marker (their spread), under the aggregate.
    std::vector<MarkerScores> others;
    /// The gate's minimum score per marker, drawn as a dashed outline; none when empty.
    MarkerScores thresholds;

    bool empty() const { return !own && others.empty() && thresholds.empty(); }
};

/// The lowest and the highest score of `scores` on each marker any of them scores.
struct ScoreRange {
    int min = 0;
    int max = 0;
    bool operator==(const ScoreRange&) const = default;
};
using MarkerRanges = std::map<std::string, ScoreRange, std::less<>>;
MarkerRanges score_ranges(const std::vector<MarkerScores>& scores);

/// The gate's minimum marker score on every marker of the questionnaire.
MarkerScores gate_thresholds(const Questionnaire& questionnaire);

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
    std::string not_scored;   ///< stands for the score of a marker without one, in the description
    std::string no_markers;   ///< the whole description when there is no axis
    std::string own_name;     ///< names the reader's own outline
    std::string spread_name;  ///< names the other reviewers' band
    /// One marker of the band in the description: {} the label, {} the lowest, {} the highest.
    std::string spread_item;
    std::string threshold_name;  ///< names the gate's outline (legend and description)
    /// The gate's outline in the description and the legend when every marker has the same
    /// minimum: {} the name, {} the minimum.
    std::string threshold_uniform;
};

struct RadarOptions {
    /// Prefix of the element ids (`<prefix>-title`, `<prefix>-desc`): make it unique when
    /// several radars are inlined in one page. Use only [A-Za-z0-9_-].
    std::string id_prefix = "radar";
    RadarTexts texts;
};

/// The axes of a questionnaire, in its marker order.
std::vector<RadarAxis> radar_axes(const Questionnaire& questionnaire);

/// Every font size of the drawing, in viewBox units, over the viewBox width (kRadarWidth): a
/// radar displayed `w` px wide shows its text at `w * kRadarFontSize / kRadarWidth` px. The
/// public page shows it 272 px wide: 27 units of 600 are 12.2 px there.
inline constexpr double kRadarWidth = 600.0;
inline constexpr double kRadarFontSize = 27.0;

/// A self-contained, accessible SVG radar: `role="img"`, `<title>` and `<desc>` (every value in
/// words), a grid at 25/50/75/100, the aggregate filled, and under the chart the key of the
/// axes (number, label, aggregate score). The tips carry only their number, so that the text
/// can be large enough to read on a phone (one size for all text, kRadarFontSize). With
/// overlays: the other reviewers' band (class "spread"), the gate's outline (class
/// "threshold") and the reader's own outline (class "own"), then a legend of the series.
/// Byte-for-byte deterministic: fixed two-decimal coordinates, no locale. Scores are clamped to
/// 0..100; a marker without a score is drawn at 0 and described with `texts.not_scored`.
std::string render_radar_svg(const std::vector<RadarAxis>& axes, const MarkerScores& aggregate,
                             const RadarOverlays& overlays = {}, const RadarOptions& options = {});

}  // namespace budget::labelling
