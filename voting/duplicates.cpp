#include "voting/duplicates.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace budget::voting {

namespace json = boost::json;

namespace {

constexpr std::int64_t kRecordVersion = 1;

std::string date_text(const Date& d) {
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
    return out;
}

/// A string member of `o` into `out`; false when absent or not a string.
bool read_string(const json::object& o, std::string_view name, std::string& out) {
    const auto* v = o.if_contains(name);
    if (!v || !v->is_string()) return false;
    out = std::string(v->get_string());
    return true;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += ' ';
        out += p;
    }
    return out;
}

/// The surnames a record may be known by: the birth name, and the usage name if any.
std::vector<const std::string*> surnames(const AuditRecord& r) {
    std::vector<const std::string*> out{&r.birth_name};
    if (!r.usage_name.empty() && r.usage_name != r.birth_name) out.push_back(&r.usage_name);
    return out;
}

/// Each way the full name of a record reads: given names then surname, and swapped.
std::vector<std::string> full_names(const AuditRecord& r) {
    const auto given = joined(r.given_names);
    std::vector<std::string> out;
    for (const auto* s : surnames(r)) {
        out.push_back(given + ' ' + *s);
        out.push_back(*s + ' ' + given);
    }
    return out;
}

/// "The same names": the surname and the given names (in their order, or sorted), whichever
/// way round; one key per surname and order.
std::vector<std::string> same_name_keys(const AuditRecord& r) {
    auto sorted = r.given_names;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::string> out;
    for (const auto* s : surnames(r)) {
        for (const auto& g : {joined(r.given_names), joined(sorted)}) {
            out.push_back(std::min(*s, g) + '|' + std::max(*s, g));
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// The pairs found so far, each once whatever the rules it matched.
class PairTable {
  public:
    PairTable(std::size_t records, std::size_t max_pairs) : records_(records), max_(max_pairs) {}

    /// The pair of records `a` and `b`; nullptr when the table is full (truncated()).
    DuplicatePair* at(std::size_t a, std::size_t b) {
        if (a > b) std::swap(a, b);
        const auto key = static_cast<std::uint64_t>(a) * records_ + b;
        if (const auto it = index_.find(key); it != index_.end()) return &pairs_[it->second];
        if (pairs_.size() >= max_) {
            truncated_ = true;
            return nullptr;
        }
        index_.emplace(key, pairs_.size());
        pairs_.push_back(DuplicatePair{.first = a, .second = b});
        return &pairs_.back();
    }
    bool truncated() const { return truncated_; }
    std::vector<DuplicatePair> take() {
        std::sort(pairs_.begin(), pairs_.end(), [](const auto& x, const auto& y) {
            return std::pair(x.first, x.second) < std::pair(y.first, y.second);
        });
        return std::move(pairs_);
    }

  private:
    std::uint64_t records_;
    std::size_t max_;
    std::unordered_map<std::uint64_t, std::size_t> index_;
    std::vector<DuplicatePair> pairs_;
    bool truncated_ = false;
};

/// How many times each letter (and anything else, in one count) occurs in a reading of the
/// names: the same for a name and its swapped reading.
using LetterCount = std::array<std::uint8_t, 27>;

LetterCount count_letters(std::string_view text, LetterCount counts = {}) {
    for (const unsigned char c : text) {
        if (c == ' ') continue;
        auto& n = counts[c >= 'a' && c <= 'z' ? c - 'a' : 26];
        if (n < 255) ++n;
    }
    return counts;
}

/// One count per surname a record may be known by (birth name, usage name).
std::vector<LetterCount> letter_counts(const AuditRecord& r) {
    LetterCount given{};
    for (const auto& g : r.given_names) given = count_letters(g, given);
    std::vector<LetterCount> out;
    for (const auto* s : surnames(r)) out.push_back(count_letters(*s, given));
    return out;
}

/// Whether some reading of each is within `most` letters of the other (a necessary condition
/// for an edit distance of most / 2, spaces aside: a split name adds a space, not a letter).
bool letters_close(const std::vector<LetterCount>& a, const std::vector<LetterCount>& b, int most) {
    for (const auto& x : a) {
        for (const auto& y : b) {
            int apart = 0;
            for (std::size_t i = 0; i < x.size() && apart <= most; ++i)
                apart += std::abs(int(x[i]) - int(y[i]));
            if (apart <= most) return true;
        }
    }
    return false;
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
long days_from_civil(const Date& d) {
    const int y = d.year - (d.month <= 2 ? 1 : 0);
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned mp = static_cast<unsigned>(d.month + (d.month > 2 ? -3 : 9));
    const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

}  // namespace

std::string audit_record_json(const AuditRecord& r) {
    json::array given;
    for (const auto& g : r.given_names) given.emplace_back(g);
    return json::serialize(json::object{{"v", kRecordVersion},
                                        {"birth_name", r.birth_name},
                                        {"usage_name", r.usage_name},
                                        {"given_names", std::move(given)},
                                        {"shown",
                                         {{"birth_name", r.shown_birth_name},
                                          {"usage_name", r.shown_usage_name},
                                          {"given_names", r.shown_given_names}}},
                                        {"birth_date", date_text(r.birth_date)},
                                        {"commune", r.commune},
                                        {"method", r.method},
                                        {"mailbox_domain", r.mailbox_domain},
                                        {"hour", r.hour},
                                        {"network", r.network}});
}

std::optional<AuditRecord> parse_audit_record(std::string_view text) {
    boost::system::error_code ec;
    const auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& o = value.get_object();
    const auto* version = o.if_contains("v");
    if (!version || !version->is_int64() || version->get_int64() != kRecordVersion)
        return std::nullopt;
    AuditRecord r;
    std::string birth_date;
    const auto* given = o.if_contains("given_names");
    const auto* shown = o.if_contains("shown");
    if (!given || !given->is_array() || !shown || !shown->is_object()) return std::nullopt;
    for (const auto& g : given->get_array()) {
        if (!g.is_string()) return std::nullopt;
        r.given_names.emplace_back(g.get_string());
    }
    const auto& s = shown->get_object();
    if (!read_string(o, "birth_name", r.birth_name) ||
        !read_string(o, "usage_name", r.usage_name) ||
        !read_string(s, "birth_name", r.shown_birth_name) ||
        !read_string(s, "usage_name", r.shown_usage_name) ||
        !read_string(s, "given_names", r.shown_given_names) ||
        !read_string(o, "birth_date", birth_date) || !read_string(o, "commune", r.commune) ||
        !read_string(o, "method", r.method) ||
        !read_string(o, "mailbox_domain", r.mailbox_domain) || !read_string(o, "hour", r.hour) ||
        !read_string(o, "network", r.network)) {
        return std::nullopt;
    }
    const auto date = parse_date(birth_date);
    if (!date) return std::nullopt;
    r.birth_date = *date;
    return r;
}

int edit_distance(std::string_view a, std::string_view b, int bound) {
    const auto n = a.size(), m = b.size();
    const auto gap = n > m ? n - m : m - n;
    if (gap > static_cast<std::size_t>(bound)) return bound + 1;
    // Three rows of the optimal-string-alignment table: two back for transpositions.
    std::vector<int> before(m + 1), previous(m + 1), current(m + 1);
    std::iota(previous.begin(), previous.end(), 0);
    for (std::size_t i = 1; i <= n; ++i) {
        current[0] = static_cast<int>(i);
        int row_min = current[0];
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d = std::min(d, before[j - 2] + 1);
            current[j] = d;
            row_min = std::min(row_min, d);
        }
        if (row_min > bound) return bound + 1;
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return std::min(previous[m], bound + 1);
}

long days_between(const Date& a, const Date& b) { return days_from_civil(b) - days_from_civil(a); }

int name_distance(const AuditRecord& a, const AuditRecord& b, int bound) {
    int best = bound + 1;
    const auto theirs = full_names(b);
    // One side's given-then-surname against both of the other side's readings covers the
    // swapped names; both of ours are tried for the usage name.
    for (const auto& mine : full_names(a)) {
        for (const auto& other : theirs) {
            best = std::min(best, edit_distance(mine, other, bound));
            if (best == 0) return 0;
        }
    }
    return best;
}

Duplicates find_duplicates(const std::vector<AuditRecord>& records, const DuplicateRules& rules) {
    PairTable table(records.size(), rules.max_pairs);

    // close_names: one bucket per birth date; within it, records of one commune are compared,
    // and a record whose commune is not known yet ("": a FranceConnect resident before they
    // declare it) with every record of that day. A letter count filters first: names within
    // `max_name_distance` edits differ by at most twice that many letters.
    {
        std::unordered_map<std::string, std::vector<std::size_t>> by_date;
        for (std::size_t i = 0; i < records.size(); ++i) {
            by_date[date_text(records[i].birth_date)].push_back(i);
        }
        std::vector<std::vector<LetterCount>> counts(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) counts[i] = letter_counts(records[i]);
        const auto compare = [&](std::size_t x, std::size_t y) {
            if (!letters_close(counts[x], counts[y], 2 * rules.max_name_distance)) return;
            const int d = name_distance(records[x], records[y], rules.max_name_distance);
            // 0: the same names on the same day, which the ballot keys already hold to one
            // ballot (a resident who verified twice): no lead.
            if (d == 0 || d > rules.max_name_distance) return;
            if (auto* pair = table.at(x, y)) {
                pair->close_names = true;
                pair->name_distance = d;
            }
        };
        for (const auto& [date, day] : by_date) {
            std::unordered_map<std::string_view, std::vector<std::size_t>> by_commune;
            std::vector<std::size_t> unknown;
            for (const auto i : day) {
                if (records[i].commune.empty()) {
                    unknown.push_back(i);
                } else {
                    by_commune[records[i].commune].push_back(i);
                }
            }
            for (const auto& [commune, members] : by_commune) {
                for (std::size_t x = 0; x < members.size(); ++x) {
                    for (std::size_t y = x + 1; y < members.size(); ++y)
                        compare(members[x], members[y]);
                }
            }
            for (std::size_t x = 0; x < unknown.size(); ++x) {
                for (const auto y : day) {
                    if (y != unknown[x] && (!records[y].commune.empty() || y > unknown[x]))
                        compare(unknown[x], y);
                }
            }
        }
    }

    // close_birth_dates: one bucket per name key; dates sorted, a window of max_days_apart.
    {
        std::unordered_map<std::string, std::vector<std::pair<long, std::size_t>>> buckets;
        for (std::size_t i = 0; i < records.size(); ++i) {
            const long day = days_between(Date{1970, 1, 1}, records[i].birth_date);
            for (auto& key : same_name_keys(records[i])) buckets[key].emplace_back(day, i);
        }
        for (auto& [key, members] : buckets) {
            std::sort(members.begin(), members.end());
            for (std::size_t x = 0; x < members.size(); ++x) {
                for (std::size_t y = x + 1; y < members.size(); ++y) {
                    const long apart = members[y].first - members[x].first;
                    if (apart > rules.max_days_apart) break;
                    if (apart == 0) continue;  // the same person for the ballot keys already
                    if (auto* pair = table.at(members[x].second, members[y].second)) {
                        pair->close_birth_dates = true;
                        pair->days_apart = apart;
                        if (!pair->close_names) {
                            pair->name_distance =
                                name_distance(records[pair->first], records[pair->second],
                                              rules.max_name_distance);
                        }
                    }
                }
            }
        }
    }

    Duplicates out;
    out.truncated = table.truncated();
    out.pairs = table.take();
    for (auto& p : out.pairs) {
        p.days_apart =
            std::abs(days_between(records[p.first].birth_date, records[p.second].birth_date));
    }

    // busy_network: one bucket per network and hour.
    std::unordered_map<std::string, std::vector<std::size_t>> by_network_hour;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].network.empty()) continue;
        by_network_hour[records[i].network + '|' + records[i].hour].push_back(i);
    }
    for (auto& [key, members] : by_network_hour) {
        if (static_cast<int>(members.size()) < rules.network_hour_threshold) continue;
        const auto& first = records[members.front()];
        out.busy_networks.push_back(BusyNetwork{first.network, first.hour, std::move(members)});
    }
    std::sort(out.busy_networks.begin(), out.busy_networks.end(), [](const auto& x, const auto& y) {
        return std::tuple(y.records.size(), x.hour, x.network) <
               std::tuple(x.records.size(), y.hour, y.network);
    });
    return out;
}

}  // namespace budget::voting
