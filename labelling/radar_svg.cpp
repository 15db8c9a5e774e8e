#include "labelling/radar_svg.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <numbers>
#include <optional>
#include <string_view>

namespace budget::labelling {
namespace {

// Geometry in viewBox units. One font size for every text (kRadarFontSize, radar_svg.hpp): the
// public page shows the drawing 272 px wide, where 27 of 600 units are 12.2 px. The labels are
// too long to stand at the tips at that size (a 16-letter word would leave no room for the
// chart), so the tips carry the axis number and the key under the chart gives the labels.
constexpr double kWidth = kRadarWidth;
constexpr double kCenterX = kWidth / 2.0;
constexpr double kRadius = 230.0;
constexpr double kPadding = 8.0;
constexpr double kTipGap = 10.0;
constexpr double kFont = kRadarFontSize;
constexpr double kLine = 1.25 * kFont;
constexpr double kRowGap = 6.0;
// Key rows: the number, then the label, then the score at the right edge.
constexpr double kKeyLabelX = kPadding + 44.0;
constexpr double kKeyScoreWidth = 70.0;
// Legend rows: a swatch, then the name.
constexpr double kSwatchWidth = 44.0;
constexpr double kLegendTextX = kPadding + kSwatchWidth + 12.0;
// Generous advance of one character of a sans-serif font, in em (DejaVu Sans is about this
// wide), used to wrap text before it reaches the edge.
constexpr double kCharWidthEm = 0.6;
constexpr int kGridLevels[] = {25, 50, 75, 100};
constexpr std::string_view kAggregateColor = "#1d4ed8";
constexpr std::string_view kSpreadColor = "#475569";
constexpr std::string_view kThresholdColor = "#b91c1c";
constexpr std::string_view kOwnColor = "#b45309";
constexpr std::string_view kThresholdDash = "4 5";
constexpr std::string_view kOwnDash = "14 6";

// Locale-independent fixed two-decimal formatting; "-0.00" is folded into "0.00".
std::string number(double value) {
    char buffer[32];
    const auto result =
        std::to_chars(std::begin(buffer), std::end(buffer), value, std::chars_format::fixed, 2);
    std::string text(buffer, result.ptr);
    if (text == "-0.00") text = "0.00";
    return text;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::size_t utf8_length(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// Greedy word wrap; a word longer than the line stays whole on its own line.
std::vector<std::string> wrap(std::string_view text, std::size_t max_chars) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t space = text.find(' ', start);
        const std::size_t end = space == std::string_view::npos ? text.size() : space;
        const std::string_view word = text.substr(start, end - start);
        start = end + 1;
        if (word.empty()) continue;
        if (!line.empty() && utf8_length(line) + 1 + utf8_length(word) > max_chars) {
            lines.push_back(std::move(line));
            line.clear();
        }
        if (!line.empty()) line += ' ';
        line += word;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    return lines;
}

std::optional<int> score_of(const MarkerScores& scores, const std::string& id) {
    const auto found = scores.find(id);
    if (found == scores.end()) return std::nullopt;
    return std::clamp(found->second, 0, 100);
}

// `pattern` with each {} replaced by the next of `args` (a {} beyond them is dropped).
std::string fill(std::string_view pattern, std::initializer_list<std::string_view> args) {
    std::string out;
    auto arg = args.begin();
    for (std::size_t at = 0; at < pattern.size(); ++at) {
        if (pattern.compare(at, 2, "{}") == 0) {
            if (arg != args.end()) out += *arg++;
            ++at;
        } else {
            out += pattern[at];
        }
    }
    return out;
}

std::string score_words(const std::vector<RadarAxis>& axes, const MarkerScores& scores,
                        const RadarTexts& texts) {
    std::string out;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        if (i > 0) out += texts.score_separator;
        const auto score = score_of(scores, axes[i].id);
        out += axes[i].label + " " + (score ? std::to_string(*score) : texts.not_scored);
    }
    return out;
}

std::string describe_series(const std::string& name, const std::vector<RadarAxis>& axes,
                            const MarkerScores& scores, const RadarTexts& texts) {
    return fill(texts.series, {name, score_words(axes, scores, texts)});
}

struct Point {
    double x = 0;
    double y = 0;
};

class Layout {
  public:
    Layout(std::size_t axes, double center_y) : axes_(axes), center_y_(center_y) {}

    // Clockwise from the top, so the first marker points up.
    Point direction(std::size_t axis) const {
        const double angle =
            2.0 * std::numbers::pi * static_cast<double>(axis) / static_cast<double>(axes_);
        return {std::sin(angle), -std::cos(angle)};
    }

    Point at(std::size_t axis, double fraction) const {
        const Point unit = direction(axis);
        return {kCenterX + unit.x * kRadius * fraction, center_y_ + unit.y * kRadius * fraction};
    }

    std::string points(const std::vector<RadarAxis>& axes, const auto& fraction_of) const {
        std::string out;
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const Point p = at(i, fraction_of(i) / 100.0);
            if (!out.empty()) out += ' ';
            out += number(p.x) + "," + number(p.y);
        }
        return out;
    }

    std::size_t axes() const { return axes_; }
    double center_y() const { return center_y_; }

  private:
    std::size_t axes_;
    double center_y_;
};

// Where the number of an axis stands beyond its tip, relative to the centre.
struct TipLabel {
    std::string anchor;
    double dx = 0;
    double baseline = 0;
};

TipLabel tip_label(const Layout& layout, std::size_t axis) {
    const Point unit = layout.direction(axis);
    TipLabel label;
    label.dx = unit.x * (kRadius + kTipGap);
    const double y = unit.y * (kRadius + kTipGap);
    label.anchor = unit.x > 0.3 ? "start" : unit.x < -0.3 ? "end" : "middle";
    if (unit.y < -0.3) {
        label.baseline = y - 0.2 * kFont;  // above the tip
    } else if (unit.y > 0.3) {
        label.baseline = y + 0.8 * kFont;  // below the tip
    } else {
        label.baseline = y + 0.35 * kFont;  // beside it
    }
    return label;
}

std::size_t chars_in(double width) {
    return std::max<std::size_t>(8, static_cast<std::size_t>(width / (kCharWidthEm * kFont)));
}

double rows_height(std::size_t lines) { return static_cast<double>(lines) * kLine + kRowGap; }

std::string text_lines(double x, double first_baseline, const std::vector<std::string>& lines) {
    std::string out = "<text>";
    for (std::size_t l = 0; l < lines.size(); ++l) {
        out += "<tspan x=\"" + number(x) + "\" y=\"" +
               number(first_baseline + static_cast<double>(l) * kLine) + "\">" +
               xml_escape(lines[l]) + "</tspan>";
    }
    return out + "</text>";
}

bool all_equal(const MarkerScores& scores) {
    return std::adjacent_find(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
               return a.second != b.second;
           }) == scores.end();
}

std::string describe_overlays(const std::vector<RadarAxis>& axes, const RadarOverlays& overlays,
                              const MarkerRanges& spread, const RadarTexts& texts) {
    std::string out;
    if (!overlays.others.empty()) {
        std::string items;
        for (const RadarAxis& axis : axes) {
            if (!items.empty()) items += texts.score_separator;
            const auto range = spread.find(axis.id);
            if (range == spread.end()) {
                items += axis.label + " " + texts.not_scored;
            } else {
                items += fill(texts.spread_item, {axis.label, std::to_string(range->second.min),
                                                  std::to_string(range->second.max)});
            }
        }
        out += " " + fill(texts.series, {texts.spread_name, items});
    }
    if (!overlays.thresholds.empty()) {
        if (all_equal(overlays.thresholds)) {
            out +=
                " " +
                fill(texts.threshold_uniform,
                     {texts.threshold_name, std::to_string(overlays.thresholds.begin()->second)}) +
                ".";
        } else {
            out += " " + describe_series(texts.threshold_name, axes, overlays.thresholds, texts);
        }
    }
    if (overlays.own) out += " " + describe_series(texts.own_name, axes, *overlays.own, texts);
    return out;
}

}  // namespace

MarkerRanges score_ranges(const std::vector<MarkerScores>& scores) {
    MarkerRanges ranges;
    for (const MarkerScores& one : scores) {
        for (const auto& [marker, raw] : one) {
            const int score = std::clamp(raw, 0, 100);
            const auto [at, inserted] = ranges.try_emplace(marker, ScoreRange{score, score});
            if (!inserted) {
                at->second.min = std::min(at->second.min, score);
                at->second.max = std::max(at->second.max, score);
            }
        }
    }
    return ranges;
}

MarkerScores gate_thresholds(const Questionnaire& questionnaire) {
    MarkerScores thresholds;
    for (const Marker& marker : questionnaire.markers) {
        thresholds[marker.id] = questionnaire.gate.min_marker_score;
    }
    return thresholds;
}

std::vector<RadarAxis> radar_axes(const Questionnaire& questionnaire) {
    std::vector<RadarAxis> axes;
    for (const Marker& marker : questionnaire.markers) axes.push_back({marker.id, marker.label});
    return axes;
}

std::string render_radar_svg(const std::vector<RadarAxis>& axes, const MarkerScores& aggregate,
                             const RadarOverlays& overlays, const RadarOptions& options) {
    const RadarTexts& texts = options.texts;
    const MarkerRanges spread = score_ranges(overlays.others);

    // The tips' numbers decide how much room the chart needs above and below the centre.
    double top = -kRadius;
    double bottom = kRadius;
    {
        const Layout probe(axes.size(), 0.0);
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const TipLabel tip = tip_label(probe, i);
            top = std::min(top, tip.baseline - 0.8 * kFont);
            bottom = std::max(bottom, tip.baseline + 0.3 * kFont);
        }
    }
    const double center_y = kPadding - top;
    const Layout layout(axes.size(), center_y);
    const double chart_bottom = axes.empty() ? 0.0 : center_y + bottom + kPadding;

    // The key: one row per axis, its label wrapped between the number and the score.
    std::vector<std::vector<std::string>> key_lines;
    double key_height = 0;
    for (const RadarAxis& axis : axes) {
        key_lines.push_back(wrap(axis.label, chars_in(kWidth - kKeyLabelX - kKeyScoreWidth)));
        if (key_lines.back().empty()) key_lines.back().push_back("");
        key_height += rows_height(key_lines.back().size());
    }

    // The legend of the series, when there is more than the aggregate.
    struct LegendRow {
        std::string kind;
        std::vector<std::string> lines;
    };
    std::vector<LegendRow> legend;
    if (!overlays.empty() && !axes.empty()) {
        const auto lines = [](const std::string& text) {
            auto out = wrap(text, chars_in(kWidth - kLegendTextX - kPadding));
            if (out.empty()) out.push_back("");
            return out;
        };
        legend.push_back({"aggregate", lines(texts.aggregate_name)});
        if (!overlays.others.empty()) legend.push_back({"spread", lines(texts.spread_name)});
        if (!overlays.thresholds.empty()) {
            const std::string name =
                all_equal(overlays.thresholds)
                    ? fill(texts.threshold_uniform,
                           {texts.threshold_name,
                            std::to_string(overlays.thresholds.begin()->second)})
                    : texts.threshold_name;
            legend.push_back({"threshold", lines(name)});
        }
        if (overlays.own) legend.push_back({"own", lines(texts.own_name)});
    }
    double legend_height = 0;
    for (const LegendRow& row : legend) legend_height += rows_height(row.lines.size());

    const double key_top = chart_bottom;
    const double legend_top = key_top + key_height + (legend.empty() ? 0.0 : kLine / 2);
    const double height = std::max(legend_top + legend_height + kPadding, 2 * kPadding + kLine);

    const std::string title_id = options.id_prefix + "-title";
    const std::string desc_id = options.id_prefix + "-desc";
    std::string description;
    if (axes.empty()) {
        description = texts.no_markers;
    } else {
        description = fill(texts.overview, {std::to_string(axes.size())}) + " " +
                      describe_series(texts.aggregate_name, axes, aggregate, texts) +
                      describe_overlays(axes, overlays, spread, texts);
    }

    std::string svg;
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + number(kWidth) + " " +
           number(height) + "\" width=\"" + number(kWidth) + "\" height=\"" + number(height) +
           "\" style=\"max-width:100%;height:auto\" role=\"img\" aria-labelledby=\"" +
           xml_escape(title_id) + " " + xml_escape(desc_id) +
           "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" "
           "font-size=\"" +
           number(kFont) + "\">\n";
    svg += "  <title id=\"" + xml_escape(title_id) + "\">" + xml_escape(texts.title) + "</title>\n";
    svg += "  <desc id=\"" + xml_escape(desc_id) + "\">" + xml_escape(description) + "</desc>\n";
    svg += "  <rect x=\"0\" y=\"0\" width=\"" + number(kWidth) + "\" height=\"" + number(height) +
           "\" fill=\"#ffffff\"/>\n";

    if (!axes.empty()) {
        svg += "  <g class=\"grid\" fill=\"none\" stroke=\"#c4c4c4\" stroke-width=\"1\">\n";
        for (int level : kGridLevels) {
            svg += "    <polygon points=\"" +
                   layout.points(axes, [&](std::size_t) { return double(level); }) + "\"" +
                   (level == 100 ? " stroke=\"#8a8a8a\"" : "") + "/>\n";
        }
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const Point tip = layout.at(i, 1.0);
            svg += "    <line x1=\"" + number(kCenterX) + "\" y1=\"" + number(center_y) +
                   "\" x2=\"" + number(tip.x) + "\" y2=\"" + number(tip.y) + "\"/>\n";
        }
        svg += "  </g>\n";

        if (!overlays.others.empty()) {
            // The band: the outline of the highest scores with the lowest cut out of it.
            const auto bound = [&](bool high) {
                return layout.points(axes, [&](std::size_t i) {
                    const auto range = spread.find(axes[i].id);
                    if (range == spread.end()) return 0.0;
                    return double(high ? range->second.max : range->second.min);
                });
            };
            svg += "  <path class=\"spread\" d=\"M" + bound(true) + "Z M" + bound(false) +
                   "Z\" fill=\"" + std::string(kSpreadColor) +
                   "\" fill-opacity=\"0.3\" fill-rule=\"evenodd\" stroke=\"" +
                   std::string(kSpreadColor) + "\" stroke-width=\"1\"/>\n";
        }
        const auto aggregate_at = [&](std::size_t i) {
            return double(score_of(aggregate, axes[i].id).value_or(0));
        };
        svg += "  <polygon class=\"aggregate\" points=\"" + layout.points(axes, aggregate_at) +
               "\" fill=\"" + std::string(kAggregateColor) + "\" fill-opacity=\"0.25\" stroke=\"" +
               std::string(kAggregateColor) + "\" stroke-width=\"3\" stroke-linejoin=\"round\"/>\n";
        svg += "  <g class=\"aggregate-points\" fill=\"" + std::string(kAggregateColor) + "\">\n";
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const Point p = layout.at(i, aggregate_at(i) / 100.0);
            svg += "    <circle cx=\"" + number(p.x) + "\" cy=\"" + number(p.y) + "\" r=\"4\"/>\n";
        }
        svg += "  </g>\n";
        if (!overlays.thresholds.empty()) {
            svg += "  <polygon class=\"threshold\" points=\"" +
                   layout.points(
                       axes,
                       [&](std::size_t i) {
                           return double(score_of(overlays.thresholds, axes[i].id).value_or(0));
                       }) +
                   "\" fill=\"none\" stroke=\"" + std::string(kThresholdColor) +
                   "\" stroke-width=\"2.5\" stroke-dasharray=\"" + std::string(kThresholdDash) +
                   "\"/>\n";
        }
        if (overlays.own) {
            svg += "  <polygon class=\"own\" points=\"" +
                   layout.points(axes,
                                 [&](std::size_t i) {
                                     return double(score_of(*overlays.own, axes[i].id).value_or(0));
                                 }) +
                   "\" fill=\"none\" stroke=\"" + std::string(kOwnColor) +
                   "\" stroke-width=\"3.5\" stroke-dasharray=\"" + std::string(kOwnDash) +
                   "\" stroke-linejoin=\"round\"/>\n";
        }

        // A white halo keeps the graduation readable where a series crosses it.
        svg +=
            "  <g class=\"graduation\" fill=\"#4a4a4a\" stroke=\"#ffffff\" stroke-width=\"4\" "
            "paint-order=\"stroke\">\n";
        for (int level : kGridLevels) {
            svg += "    <text x=\"" + number(kCenterX + 6) + "\" y=\"" +
                   number(center_y - kRadius * level / 100.0 + 0.8 * kFont) + "\">" +
                   std::to_string(level) + "</text>\n";
        }
        svg += "  </g>\n";
        svg += "  <g class=\"tips\" fill=\"#1f1f1f\" font-weight=\"700\">\n";
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const TipLabel tip = tip_label(layout, i);
            svg += "    <text x=\"" + number(kCenterX + tip.dx) + "\" y=\"" +
                   number(center_y + tip.baseline) + "\" text-anchor=\"" + tip.anchor + "\">" +
                   std::to_string(i + 1) + "</text>\n";
        }
        svg += "  </g>\n";

        svg += "  <g class=\"key\" fill=\"#1f1f1f\">\n";
        double y = key_top;
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const double baseline = y + 0.8 * kFont;
            const auto score = score_of(aggregate, axes[i].id);
            svg += "    <text x=\"" + number(kPadding) + "\" y=\"" + number(baseline) +
                   "\" font-weight=\"700\">" + std::to_string(i + 1) + "</text>" +
                   text_lines(kKeyLabelX, baseline, key_lines[i]) + "<text x=\"" +
                   number(kWidth - kPadding) + "\" y=\"" + number(baseline) +
                   "\" text-anchor=\"end\" font-weight=\"700\">" +
                   (score ? std::to_string(*score) : "–") + "</text>\n";
            y += rows_height(key_lines[i].size());
        }
        svg += "  </g>\n";
    }

    if (!legend.empty()) {
        svg += "  <g class=\"legend\" fill=\"#1f1f1f\">\n";
        double y = legend_top;
        for (const LegendRow& row : legend) {
            const double middle = y + 0.5 * kFont;
            const double x1 = kPadding;
            const double x2 = kPadding + kSwatchWidth;
            if (row.kind == "aggregate" || row.kind == "spread") {
                const auto color = row.kind == "aggregate" ? kAggregateColor : kSpreadColor;
                svg += "    <rect x=\"" + number(x1) + "\" y=\"" + number(middle - 10) +
                       "\" width=\"" + number(kSwatchWidth) + "\" height=\"20\" fill=\"" +
                       std::string(color) + "\" fill-opacity=\"" +
                       (row.kind == "aggregate" ? "0.25" : "0.3") + "\" stroke=\"" +
                       std::string(color) + "\" stroke-width=\"" +
                       (row.kind == "aggregate" ? "3" : "1") + "\"/>";
            } else {
                const bool own = row.kind == "own";
                svg += "    <line x1=\"" + number(x1) + "\" y1=\"" + number(middle) + "\" x2=\"" +
                       number(x2) + "\" y2=\"" + number(middle) + "\" stroke=\"" +
                       std::string(own ? kOwnColor : kThresholdColor) + "\" stroke-width=\"" +
                       (own ? "3.5" : "2.5") + "\" stroke-dasharray=\"" +
                       std::string(own ? kOwnDash : kThresholdDash) + "\"/>";
            }
            svg += text_lines(kLegendTextX, y + 0.8 * kFont, row.lines) + "\n";
            y += rows_height(row.lines.size());
        }
        svg += "  </g>\n";
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace budget::labelling
