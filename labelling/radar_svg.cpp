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

// Geometry in viewBox units. At 320 px wide the drawing is scaled by 320/600, so the 20-unit
// labels render at about 11 px: the smallest size still comfortable on a phone.
constexpr double kWidth = 600.0;
constexpr double kCenterX = kWidth / 2.0;
constexpr double kRadius = 120.0;
constexpr double kPadding = 8.0;
constexpr double kLabelGap = 14.0;
constexpr double kLabelFont = 20.0;
constexpr double kLabelLine = 23.0;
constexpr double kGridFont = 14.0;
constexpr double kLegendFont = 20.0;
constexpr double kLegendRow = 30.0;
// Generous advance of one character of a sans-serif font, in em (DejaVu Sans is about this
// wide), used to wrap labels before they reach the edge or a neighbour.
constexpr double kCharWidthEm = 0.6;
constexpr std::size_t kMinLineChars = 8;
// Even where there is room, shorter lines keep the labels compact around the chart.
constexpr std::size_t kMaxLineChars = 20;
constexpr int kGridLevels[] = {25, 50, 75, 100};
constexpr std::string_view kAggregateColor = "#1d4ed8";
constexpr std::string_view kReviewerColors[] = {"#b45309", "#047857", "#7c3aed",
                                                "#be123c", "#0e7490", "#4d7c0f"};

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

struct LabelBlock {
    std::vector<std::string> lines;  // the last one is the score, drawn in bold
    std::string anchor;
    double x = 0;
    double first_baseline = 0;  // relative to the centre
};

class Layout {
  public:
    explicit Layout(std::size_t axes) : axes_(axes) {}

    // Clockwise from the top, so the first marker points up.
    Point direction(std::size_t axis) const {
        const double angle =
            2.0 * std::numbers::pi * static_cast<double>(axis) / static_cast<double>(axes_);
        return {std::sin(angle), -std::cos(angle)};
    }

    Point at(std::size_t axis, double fraction, double center_y) const {
        const Point unit = direction(axis);
        return {kCenterX + unit.x * kRadius * fraction, center_y + unit.y * kRadius * fraction};
    }

    std::size_t axes() const { return axes_; }

  private:
    std::size_t axes_;
};

LabelBlock label_block(const Layout& layout, std::size_t axis, const RadarAxis& radar_axis,
                       std::optional<int> score) {
    const Point unit = layout.direction(axis);
    const double anchor_x = kCenterX + unit.x * (kRadius + kLabelGap);
    const double anchor_y = unit.y * (kRadius + kLabelGap);
    LabelBlock block;
    double available = kWidth - 2 * kPadding;
    if (unit.x > 0.3) {
        block.anchor = "start";
        available = kWidth - kPadding - anchor_x;
    } else if (unit.x < -0.3) {
        block.anchor = "end";
        available = anchor_x - kPadding;
    } else {
        block.anchor = "middle";
        // A centred label must not reach under its neighbours, whose text starts at their tip.
        if (layout.axes() >= 3) {
            const double neighbour_x = std::abs(layout.direction(1).x) * (kRadius + kLabelGap);
            available = std::min(available, 2 * (neighbour_x - kLabelGap));
        }
    }
    const auto max_chars =
        std::clamp(static_cast<std::size_t>(available / (kCharWidthEm * kLabelFont)), kMinLineChars,
                   kMaxLineChars);
    block.lines = wrap(radar_axis.label, max_chars);
    block.lines.push_back(score ? std::to_string(*score) : "–");
    block.x = anchor_x;
    const double height = static_cast<double>(block.lines.size() - 1) * kLabelLine;
    if (unit.y < -0.3) {
        block.first_baseline = anchor_y - height - 0.3 * kLabelFont;  // above the tip
    } else if (unit.y > 0.3) {
        block.first_baseline = anchor_y + 0.8 * kLabelFont;  // below the tip
    } else {
        block.first_baseline = anchor_y - height / 2 + 0.35 * kLabelFont;  // centred on it
    }
    return block;
}

std::string polygon_points(const Layout& layout, const std::vector<RadarAxis>& axes,
                           const MarkerScores& scores, double center_y) {
    std::string points;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        const Point p = layout.at(i, score_of(scores, axes[i].id).value_or(0) / 100.0, center_y);
        if (!points.empty()) points += ' ';
        points += number(p.x) + "," + number(p.y);
    }
    return points;
}

std::string_view reviewer_color(std::size_t index) {
    return kReviewerColors[index % std::size(kReviewerColors)];
}

}  // namespace

std::vector<RadarAxis> radar_axes(const Questionnaire& questionnaire) {
    std::vector<RadarAxis> axes;
    for (const Marker& marker : questionnaire.markers) axes.push_back({marker.id, marker.label});
    return axes;
}

std::string render_radar_svg(const std::vector<RadarAxis>& axes, const MarkerScores& aggregate,
                             const std::vector<RadarSeries>& reviewers,
                             const RadarOptions& options) {
    const Layout layout(axes.size());

    // Label blocks decide how much room the drawing needs above and below the centre.
    std::vector<LabelBlock> blocks;
    double top = -kRadius;
    double bottom = kRadius;
    for (std::size_t i = 0; i < axes.size(); ++i) {
        blocks.push_back(label_block(layout, i, axes[i], score_of(aggregate, axes[i].id)));
        const LabelBlock& block = blocks.back();
        top = std::min(top, block.first_baseline - 0.8 * kLabelFont);
        bottom = std::max(bottom, block.first_baseline +
                                      static_cast<double>(block.lines.size() - 1) * kLabelLine +
                                      0.3 * kLabelFont);
    }
    const double center_y = kPadding - top;
    const double chart_bottom = center_y + bottom + kPadding;
    const bool legend = !reviewers.empty();
    const double height =
        chart_bottom +
        (legend ? static_cast<double>(reviewers.size() + 1) * kLegendRow + kPadding : 0.0);

    const std::string title_id = options.id_prefix + "-title";
    const std::string desc_id = options.id_prefix + "-desc";
    const RadarTexts& texts = options.texts;
    std::string description;
    if (axes.empty()) {
        description = texts.no_markers;
    } else {
        description = fill(texts.overview, {std::to_string(axes.size())}) + " " +
                      describe_series(texts.aggregate_name, axes, aggregate, texts);
        for (const RadarSeries& series : reviewers) {
            description += " " + describe_series(series.name, axes, series.scores, texts);
        }
    }

    std::string svg;
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + number(kWidth) + " " +
           number(height) + "\" width=\"" + number(kWidth) + "\" height=\"" + number(height) +
           "\" style=\"max-width:100%;height:auto\" role=\"img\" aria-labelledby=\"" +
           xml_escape(title_id) + " " + xml_escape(desc_id) +
           "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">\n";
    svg += "  <title id=\"" + xml_escape(title_id) + "\">" + xml_escape(texts.title) + "</title>\n";
    svg += "  <desc id=\"" + xml_escape(desc_id) + "\">" + xml_escape(description) + "</desc>\n";
    svg += "  <rect x=\"0\" y=\"0\" width=\"" + number(kWidth) + "\" height=\"" + number(height) +
           "\" fill=\"#ffffff\"/>\n";

    if (!axes.empty()) {
        svg += "  <g fill=\"none\" stroke=\"#c4c4c4\" stroke-width=\"1\">\n";
        for (int level : kGridLevels) {
            std::string points;
            for (std::size_t i = 0; i < axes.size(); ++i) {
                const Point p = layout.at(i, level / 100.0, center_y);
                if (!points.empty()) points += ' ';
                points += number(p.x) + "," + number(p.y);
            }
            svg += "    <polygon points=\"" + points + "\"" +
                   (level == 100 ? " stroke=\"#8a8a8a\"" : "") + "/>\n";
        }
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const Point tip = layout.at(i, 1.0, center_y);
            svg += "    <line x1=\"" + number(kCenterX) + "\" y1=\"" + number(center_y) +
                   "\" x2=\"" + number(tip.x) + "\" y2=\"" + number(tip.y) + "\"/>\n";
        }
        svg += "  </g>\n";
        // A white halo keeps the graduation readable where a series crosses it.
        svg += "  <g fill=\"#5f5f5f\" font-size=\"" + number(kGridFont) +
               "\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\n";
        for (int level : kGridLevels) {
            svg += "    <text x=\"" + number(kCenterX + 4) + "\" y=\"" +
                   number(center_y - kRadius * level / 100.0 + kGridFont) + "\">" +
                   std::to_string(level) + "</text>\n";
        }
        svg += "  </g>\n";

        for (std::size_t r = 0; r < reviewers.size(); ++r) {
            svg += "  <polygon points=\"" +
                   polygon_points(layout, axes, reviewers[r].scores, center_y) +
                   "\" fill=\"none\" stroke=\"" + std::string(reviewer_color(r)) +
                   "\" stroke-width=\"2\" stroke-dasharray=\"6 4\" stroke-linejoin=\"round\"/>\n";
        }
        svg += "  <polygon points=\"" + polygon_points(layout, axes, aggregate, center_y) +
               "\" fill=\"" + std::string(kAggregateColor) + "\" fill-opacity=\"0.25\" stroke=\"" +
               std::string(kAggregateColor) + "\" stroke-width=\"3\" stroke-linejoin=\"round\"/>\n";
        svg += "  <g fill=\"" + std::string(kAggregateColor) + "\">\n";
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const Point p =
                layout.at(i, score_of(aggregate, axes[i].id).value_or(0) / 100.0, center_y);
            svg += "    <circle cx=\"" + number(p.x) + "\" cy=\"" + number(p.y) + "\" r=\"4\"/>\n";
        }
        svg += "  </g>\n";

        svg += "  <g fill=\"#1f1f1f\" font-size=\"" + number(kLabelFont) + "\">\n";
        for (const LabelBlock& block : blocks) {
            svg += "    <text text-anchor=\"" + block.anchor + "\">";
            for (std::size_t l = 0; l < block.lines.size(); ++l) {
                const bool score_line = l + 1 == block.lines.size();
                svg +=
                    "<tspan x=\"" + number(block.x) + "\" y=\"" +
                    number(center_y + block.first_baseline + static_cast<double>(l) * kLabelLine) +
                    "\"" + (score_line ? " font-weight=\"700\"" : "") + ">" +
                    xml_escape(block.lines[l]) + "</tspan>";
            }
            svg += "</text>\n";
        }
        svg += "  </g>\n";
    }

    if (legend) {
        svg += "  <g font-size=\"" + number(kLegendFont) + "\" fill=\"#1f1f1f\">\n";
        const auto row = [&](std::size_t index, const std::string& name, std::string_view color,
                             bool aggregate_row) {
            const double y = chart_bottom + static_cast<double>(index) * kLegendRow;
            const double middle = y + kLegendRow / 2;
            svg += "    <line x1=\"" + number(kPadding + 8) + "\" y1=\"" + number(middle) +
                   "\" x2=\"" + number(kPadding + 44) + "\" y2=\"" + number(middle) +
                   "\" stroke=\"" + std::string(color) + "\" stroke-width=\"" +
                   (aggregate_row ? "3" : "2\" stroke-dasharray=\"6 4") + "\"/>\n";
            svg += "    <text x=\"" + number(kPadding + 54) + "\" y=\"" +
                   number(middle + 0.35 * kLegendFont) + "\">" + xml_escape(name) + "</text>\n";
        };
        row(0, texts.aggregate_name, kAggregateColor, true);
        for (std::size_t r = 0; r < reviewers.size(); ++r) {
            row(r + 1, reviewers[r].name, reviewer_color(r), false);
        }
        svg += "  </g>\n";
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace budget::labelling
