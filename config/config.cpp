#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "labelling/utf8.hpp"

namespace budget::config {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& where, const std::string& reason) {
    throw ConfigError(where + ": " + reason);
}

// toml11 reports over several lines with source excerpts; an operator needs one line.
std::string one_line(std::string text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Walks one table, checking that every key is known and has the expected type.
class Section {
  public:
    Section(const toml::value& root, std::string name, std::string source)
        : name_(std::move(name)), source_(std::move(source)) {
        if (!root.contains(name_)) return;
        const auto& v = root.at(name_);
        if (!v.is_table()) fail(where(""), "must be a table");
        table_ = &v.as_table();
    }

    void allow_only(const std::set<std::string>& keys) const {
        if (!table_) return;
        for (const auto& [key, _] : *table_) {
            if (!keys.count(key)) fail(where(key), "unknown key");
        }
    }

    void read(const std::string& key, std::string& out) const {
        if (const auto* v = find(key)) {
            if (!v->is_string()) fail(where(key), "must be a string");
            out = v->as_string().str;
        }
    }

    void read(const std::string& key, bool& out) const {
        if (const auto* v = find(key)) {
            if (!v->is_boolean()) fail(where(key), "must be true or false");
            out = v->as_boolean();
        }
    }

    void read(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max) const {
        if (const auto* v = find(key)) {
            if (!v->is_integer()) fail(where(key), "must be an integer");
            const auto n = v->as_integer();
            if (n < min || n > max) {
                fail(where(key), "must be between " + std::to_string(min) + " and " +
                                     std::to_string(max) + ", got " + std::to_string(n));
            }
            out = n;
        }
    }

    template <typename Int>
    void read_int(const std::string& key, Int& out, std::int64_t min, std::int64_t max) const {
        std::int64_t n = static_cast<std::int64_t>(out);
        read(key, n, min, max);
        out = static_cast<Int>(n);
    }

    void read_ms(const std::string& key, std::chrono::milliseconds& out, std::int64_t min,
                 std::int64_t max) const {
        std::int64_t n = out.count();
        read(key, n, min, max);
        out = std::chrono::milliseconds(n);
    }

    void read(const std::string& key, std::vector<std::string>& out) const {
        if (const auto* v = find(key)) {
            if (!v->is_array()) fail(where(key), "must be an array of strings");
            out.clear();
            for (const auto& item : v->as_array()) {
                if (!item.is_string()) fail(where(key), "must be an array of strings");
                out.push_back(item.as_string().str);
            }
        }
    }

    // A date-time may be written as a TOML offset date-time or as an RFC 3339 string.
    void read_time(const std::string& key, std::string& text, std::int64_t& unix) const {
        if (const auto* v = find(key)) {
            if (v->is_offset_datetime()) {
                std::ostringstream os;
                os << v->as_offset_datetime();
                text = os.str();
            } else if (v->is_string()) {
                text = v->as_string().str;
            } else {
                fail(where(key), "must be an RFC 3339 date-time with offset");
            }
        }
        const auto parsed = parse_rfc3339(text);
        if (!parsed) {
            fail(where(key), "\"" + text +
                                 "\" is not an RFC 3339 date-time with offset "
                                 "(e.g. 2026-09-01T00:00:00+02:00)");
        }
        unix = *parsed;
    }

    std::string where(const std::string& key) const {
        return source_ + ": [" + name_ + "]" + (key.empty() ? "" : " " + key);
    }

  private:
    const toml::value* find(const std::string& key) const {
        if (!table_) return nullptr;
        auto it = table_->find(key);
        return it == table_->end() ? nullptr : &it->second;
    }

    std::string name_;
    std::string source_;
    const toml::table* table_ = nullptr;
};

bool is_ip_address(const std::string& host) {
    in6_addr ignored{};
    return inet_pton(AF_INET, host.c_str(), &ignored) == 1 ||
           inet_pton(AF_INET6, host.c_str(), &ignored) == 1;
}

std::optional<Endpoint> parse_host_port(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    Endpoint e;
    e.host = text.substr(0, colon);
    if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') {
        e.host = e.host.substr(1, e.host.size() - 2);
    }
    const auto port_text = text.substr(colon + 1);
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const auto port = std::stoi(port_text);
    if (port > 65535) return std::nullopt;
    e.port = static_cast<std::uint16_t>(port);
    return e;
}

std::string resolve(const std::string& path, const std::string& base_dir) {
    if (path.empty() || fs::path(path).is_absolute()) return path;
    return (fs::path(base_dir) / path).lexically_normal().string();
}

// Days from civil date (proleptic Gregorian), Howard Hinnant's algorithm.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t year;
    unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

// Last Sunday of a month at 01:00 UTC: when EU summer time starts (March) and ends (October).
std::int64_t last_sunday_0100_utc(std::int64_t year, unsigned month) {
    const unsigned last_day = (month == 3 || month == 10) ? 31 : 30;
    const auto days = days_from_civil(year, month, last_day);
    const auto weekday = (days + 4) % 7;  // 1970-01-01 was a Thursday (4); 0 = Sunday
    const auto back = (weekday + 7) % 7;
    return (days - back) * 86400 + 3600;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(const std::string& t) {
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
    auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
        if (pos + n > t.size()) return std::nullopt;
        int v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return std::nullopt;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' ||
        (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' || t[16] != ':')
        return std::nullopt;
    const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
               mi = digits(14, 2), s = digits(17, 2);
    if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
    if (*mo < 1 || *mo > 12 || *d < 1 || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
    static constexpr int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    if (*d > kMonthDays[*mo - 1] || (*mo == 2 && *d == 29 && !leap)) return std::nullopt;
    std::size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        const auto start = pos;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
    }
    if (pos >= t.size()) return std::nullopt;  // an offset is required
    int offset = 0;
    if (t[pos] == 'Z' || t[pos] == 'z') {
        ++pos;
    } else if (t[pos] == '+' || t[pos] == '-') {
        const auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
        if (!oh || !om || pos + 3 >= t.size() || t[pos + 3] != ':' || *oh > 23 || *om > 59)
            return std::nullopt;
        offset = (*oh * 3600 + *om * 60) * (t[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != t.size()) return std::nullopt;
    const auto days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
    return days * 86400 + *h * 3600 + *mi * 60 + std::min(*s, 59) - offset;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int paris_utc_offset(std::int64_t unix_seconds) {
    const auto year =
        civil_from_days(unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400)
            .year;
    const bool summer = unix_seconds >= last_sunday_0100_utc(year, 3) &&
                        unix_seconds < last_sunday_0100_utc(year, 10);
    return summer ? 7200 : 3600;
}

std::string format_paris_time(std::int64_t unix_seconds) {
    const int offset = paris_utc_offset(unix_seconds);
    const std::int64_t local = unix_seconds + offset;
    const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const std::int64_t secs = local - days * 86400;
    const auto c = civil_from_days(days);
    char buf[128];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld+%02d:00",
                  static_cast<long long>(c.year), c.month, c.day,
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), offset / 3600);
    return buf;
}

std::string shipped_config_dir() {
    // Installed layout first (<prefix>/share/budget-citoyen), then the source tree it was built
    // from, so that a config file naming no questionnaire works from any directory.
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed = exe.parent_path().parent_path() / "share" / "budget-citoyen";
        if (fs::exists(installed / "questionnaire.toml", ec)) return installed.string();
    }
    return BUDGET_SHIPPED_CONFIG_DIR;
}

Config parse_config(const std::string& toml_text, const std::string& source_name,
                    const std::string& base_dir) {
    if (const auto bad = labelling::first_invalid_utf8(toml_text)) {
        throw ConfigError(source_name + ": not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    }
    toml::value root;
    try {
        std::istringstream in(toml_text);
        root = toml::parse(in, source_name);
    } catch (const std::exception& e) {
        throw ConfigError(source_name + ": " + one_line(e.what()));
    }

    Config c;
    c.source = source_name;
    const std::set<std::string> sections = {"server",   "tls", "redis",    "storage",
                                            "campaign", "otp", "labelling"};
    for (const auto& [key, value] : root.as_table()) {
        if (!sections.count(key)) {
            fail(source_name + ": [" + key + "]",
                 value.is_table() ? "unknown section" : "unknown key");
        }
    }

    {
        Section s(root, "server", source_name);
        s.allow_only({"listen", "threads", "header_limit_bytes", "body_limit_bytes",
                      "read_timeout_ms", "idle_timeout_ms", "web_root", "production",
                      "trusted_proxies"});
        std::string listen = c.server.listen.host + ":" + std::to_string(c.server.listen.port);
        s.read("listen", listen);
        const auto ep = parse_host_port(listen);
        if (!ep) fail(s.where("listen"), "\"" + listen + "\" is not host:port");
        c.server.listen = *ep;
        s.read_int("threads", c.server.threads, 1, 256);
        s.read_int("header_limit_bytes", c.server.header_limit_bytes, 1024, 1 << 20);
        s.read_int("body_limit_bytes", c.server.body_limit_bytes, 1024, 64 << 20);
        s.read_ms("read_timeout_ms", c.server.read_timeout, 100, 600'000);
        s.read_ms("idle_timeout_ms", c.server.idle_timeout, 100, 3'600'000);
        s.read("web_root", c.server.web_root);
        s.read("production", c.server.production);
        std::vector<std::string> proxies;
        s.read("trusted_proxies", proxies);
        for (auto& proxy : proxies) {
            if (!is_ip_address(proxy))
                fail(s.where("trusted_proxies"), "\"" + proxy + "\" is not an IP address");
            // One spelling per address, as the server compares it with the peer's.
            in6_addr bytes{};
            char text[INET6_ADDRSTRLEN] = {};
            const int family = inet_pton(AF_INET, proxy.c_str(), &bytes) == 1 ? AF_INET : AF_INET6;
            inet_pton(family, proxy.c_str(), &bytes);
            c.server.trusted_proxies.emplace_back(inet_ntop(family, &bytes, text, sizeof text));
        }
    }
    {
        Section s(root, "tls", source_name);
        s.allow_only({"cert_file", "key_file", "redirect_listen", "hsts_max_age_s"});
        s.read("cert_file", c.tls.cert_file);
        s.read("key_file", c.tls.key_file);
        // Half a pair would silently serve plain HTTP, or fail later with a vaguer reason.
        if (!c.tls.cert_file.empty() && c.tls.key_file.empty())
            fail(s.where("key_file"), "must be set when cert_file is");
        if (c.tls.cert_file.empty() && !c.tls.key_file.empty())
            fail(s.where("cert_file"), "must be set when key_file is");
        c.tls.cert_file = resolve(c.tls.cert_file, base_dir);
        c.tls.key_file = resolve(c.tls.key_file, base_dir);
        std::string redirect;
        s.read("redirect_listen", redirect);
        if (!redirect.empty()) {
            const auto ep = parse_host_port(redirect);
            if (!ep) fail(s.where("redirect_listen"), "\"" + redirect + "\" is not host:port");
            if (!c.tls.enabled())
                fail(s.where("redirect_listen"),
                     "needs cert_file and key_file (HTTPS to redirect to)");
            if (ep->port != 0 && ep->port == c.server.listen.port &&
                ep->host == c.server.listen.host)
                fail(s.where("redirect_listen"), "must differ from [server] listen");
            c.tls.redirect_listen = *ep;
        }
        std::int64_t hsts = c.tls.hsts_max_age.count();
        s.read("hsts_max_age_s", hsts, 0, 63'072'000);
        c.tls.hsts_max_age = std::chrono::seconds(hsts);
    }
    {
        Section s(root, "redis", source_name);
        s.allow_only({"url", "cluster", "embedded", "server_binary", "command_timeout_ms",
                      "connections", "ballot_shards", "wait_replicas", "wait_timeout_ms"});
        s.read("url", c.redis.url);
        std::vector<std::string> cluster;
        s.read("cluster", cluster);
        for (const auto& node : cluster) {
            const auto ep = parse_host_port(node);
            if (!ep) fail(s.where("cluster"), "\"" + node + "\" is not host:port");
            // The client connects with hiredis, which would resolve a name with a blocking call.
            if (!is_ip_address(ep->host))
                fail(s.where("cluster"), "\"" + node + "\": give an IP address, not a host name");
            c.redis.cluster.push_back(*ep);
        }
        s.read("embedded", c.redis.embedded);
        s.read("server_binary", c.redis.server_binary);
        s.read_ms("command_timeout_ms", c.redis.command_timeout, 10, 60'000);
        s.read_int("connections", c.redis.connections, 0, 64);
        s.read_int("ballot_shards", c.redis.ballot_shards, 1, 1024);
        s.read_int("wait_replicas", c.redis.wait_replicas, 0, 16);
        s.read_ms("wait_timeout_ms", c.redis.wait_timeout, 1, 60'000);
        if (!c.redis.embedded && c.redis.cluster.empty()) {
            const auto& u = c.redis.url;
            if (u.rfind("redis://", 0) == 0) {
                auto rest = u.substr(8);
                if (const auto slash = rest.find('/'); slash != std::string::npos)
                    rest = rest.substr(0, slash);
                if (!parse_host_port(rest))
                    fail(s.where("url"), "\"" + u + "\" is not redis://host:port");
            } else if (u.rfind("unix://", 0) != 0 || u.size() <= 7) {
                fail(s.where("url"), "\"" + u + "\" must be redis://host:port or unix:///path");
            }
        }
    }
    {
        Section s(root, "storage", source_name);
        s.allow_only({"data_dir"});
        s.read("data_dir", c.storage.data_dir);
        if (c.storage.data_dir.empty()) fail(s.where("data_dir"), "must not be empty");
        c.storage.data_dir = resolve(c.storage.data_dir, base_dir);
    }
    {
        Section s(root, "campaign", source_name);
        s.allow_only({"id", "title", "vote_opens", "vote_closes", "max_choices", "min_age",
                      "envelope_eur", "departement", "tree_head_interval_s"});
        s.read("id", c.campaign.id);
        if (c.campaign.id.empty() || c.campaign.id.size() > 64 ||
            !std::all_of(c.campaign.id.begin(), c.campaign.id.end(), [](char ch) {
                return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
            }))
            fail(s.where("id"), "must be 1 to 64 letters, digits, '-' or '_'");
        s.read("title", c.campaign.title);
        s.read_time("vote_opens", c.campaign.vote_opens, c.campaign.vote_opens_unix);
        s.read_time("vote_closes", c.campaign.vote_closes, c.campaign.vote_closes_unix);
        if (c.campaign.vote_closes_unix <= c.campaign.vote_opens_unix)
            fail(s.where("vote_closes"), "must be after vote_opens");
        s.read_int("max_choices", c.campaign.max_choices, 1, 50);
        s.read_int("min_age", c.campaign.min_age, 0, 120);
        s.read("envelope_eur", c.campaign.envelope_eur, 1, 1'000'000'000'000);
        s.read("departement", c.campaign.departement);
        std::int64_t head_interval = c.campaign.tree_head_interval.count();
        s.read("tree_head_interval_s", head_interval, 1, 86400);
        c.campaign.tree_head_interval = std::chrono::seconds(head_interval);
    }
    {
        Section s(root, "otp", source_name);
        s.allow_only({"delivery", "outbox", "smtp_host", "smtp_port", "smtp_from", "code_ttl_s",
                      "max_tries", "max_codes_per_hour", "max_requests_per_ip_hour",
                      "session_ttl_s"});
        s.read("delivery", c.otp.delivery);
        if (c.otp.delivery != "outbox" && c.otp.delivery != "smtp")
            fail(s.where("delivery"),
                 "must be \"outbox\" or \"smtp\", got \"" + c.otp.delivery + "\"");
        if (c.otp.delivery == "outbox" && c.server.production)
            fail(s.where("delivery"),
                 "\"outbox\" is for development and is refused when [server] production = true");
        s.read("outbox", c.otp.outbox);
        c.otp.outbox = resolve(c.otp.outbox, base_dir);
        s.read("smtp_host", c.otp.smtp_host);
        // Codes are sent from the event loop, which must not wait on a name resolution.
        if (!is_ip_address(c.otp.smtp_host))
            fail(s.where("smtp_host"),
                 "\"" + c.otp.smtp_host +
                     "\": give an IP address (a local relay such as 127.0.0.1)");
        s.read_int("smtp_port", c.otp.smtp_port, 1, 65535);
        s.read("smtp_from", c.otp.smtp_from);
        std::int64_t seconds = c.otp.code_ttl.count();
        s.read("code_ttl_s", seconds, 60, 3600);
        c.otp.code_ttl = std::chrono::seconds(seconds);
        seconds = c.otp.session_ttl.count();
        s.read("session_ttl_s", seconds, 60, 24 * 3600);
        c.otp.session_ttl = std::chrono::seconds(seconds);
        s.read_int("max_tries", c.otp.max_tries, 1, 20);
        s.read_int("max_codes_per_hour", c.otp.max_codes_per_hour, 1, 100);
        s.read_int("max_requests_per_ip_hour", c.otp.max_requests_per_ip_hour, 1, 1'000'000);
    }
    {
        Section s(root, "labelling", source_name);
        s.allow_only({"questionnaire", "territories", "communes"});
        s.read("questionnaire", c.labelling.questionnaire);
        s.read("territories", c.labelling.territories);
        s.read("communes", c.labelling.communes);
        const auto shipped = shipped_config_dir();
        auto pick = [&](std::string& path, const std::string& file, const char* key) {
            path = path.empty()
                       ? (fs::path(file).is_absolute() ? file : (fs::path(shipped) / file).string())
                       : resolve(path, base_dir);
            std::error_code ec;
            if (!fs::exists(path, ec)) fail(s.where(key), "file not found: " + path);
        };
        pick(c.labelling.questionnaire, "questionnaire.toml", "questionnaire");
        pick(c.labelling.territories, "territories.toml", "territories");
        pick(c.labelling.communes, BUDGET_GENERATED_COMMUNES, "communes");
    }
    if (c.server.web_root.empty()) {
        c.server.web_root = BUDGET_SHIPPED_WEB_DIR;
    } else {
        c.server.web_root = resolve(c.server.web_root, base_dir);
    }
    return c;
}

Config load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    const auto base = fs::absolute(fs::path(path)).parent_path().string();
    return parse_config(text.str(), path, base);
}

}  // namespace budget::config
