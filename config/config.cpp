#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "config/files.hpp"
#include "config/paris_time.hpp"
#include "labelling/utf8.hpp"

namespace budget::config {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& where, const std::string& reason) {
    throw ConfigError(where + ": " + reason);
}

// toml11 reports over several lines with source excerpts; an operator needs one line.
std::string one_line(std::string_view text) {
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
        auto n = static_cast<std::int64_t>(out);
        read(key, n, min, max);
        out = static_cast<Int>(n);
    }

    void read_ms(const std::string& key, std::chrono::milliseconds& out, std::int64_t min,
                 std::int64_t max) const {
        std::int64_t n = out.count();
        read(key, n, min, max);
        out = std::chrono::milliseconds(n);
    }

    void read_seconds(const std::string& key, std::chrono::seconds& out, std::int64_t min,
                      std::int64_t max) const {
        std::int64_t n = out.count();
        read(key, n, min, max);
        out = std::chrono::seconds(n);
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

    bool has(const std::string& key) const { return find(key) != nullptr; }

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

// The endpoint written under `key`, or the reason it is not one.
Endpoint host_port(const Section& s, const std::string& key, const std::string& text) {
    const auto ep = parse_host_port(text);
    if (!ep) fail(s.where(key), "\"" + text + "\" is not host:port");
    return *ep;
}

// One spelling per address, as the server compares it with the peer's.
std::string canonical_ip(const std::string& address) {
    in6_addr bytes{};
    char text[INET6_ADDRSTRLEN] = {};
    const int family = inet_pton(AF_INET, address.c_str(), &bytes) == 1 ? AF_INET : AF_INET6;
    inet_pton(family, address.c_str(), &bytes);
    return inet_ntop(family, &bytes, text, sizeof text);
}

// The whole file as TOML; toml11's several-line report becomes one line.
toml::value parse_toml(const std::string& toml_text, const std::string& source_name) {
    if (const auto bad = labelling::first_invalid_utf8(toml_text)) {
        throw ConfigError(source_name + ": not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    }
    try {
        std::istringstream in(toml_text);
        return toml::parse(in, source_name);
    } catch (const std::exception& e) {
        throw ConfigError(source_name + ": " + one_line(e.what()));
    }
}

void allow_only_sections(const toml::value& root, const std::string& source_name) {
    const std::set<std::string> sections = {"server",    "tls",      "redis",        "storage",
                                            "campaign",  "otp",      "holders",      "privacy",
                                            "labelling", "identity", "franceconnect"};
    for (const auto& [key, value] : root.as_table()) {
        if (!sections.count(key)) {
            fail(source_name + ": [" + key + "]",
                 value.is_table() ? "unknown section" : "unknown key");
        }
    }
}

// One function per section, each checking its keys in the order they are read: the first
// mistake found in a file is the one reported. A section that depends on an earlier one is given
// what it needs and checks it at the same point.

// "http(s)://host[:port]", nothing after: the origin written into Location headers. The host is
// a DNS name, an IPv4 address or a bracketed IPv6 address, so that nothing in it can move the
// authority (no '@', '/', '\\' or space); a trailing '/' is dropped.
std::optional<std::string> canonical_origin(std::string text) {
    std::string scheme;
    for (const char* s : {"https://", "http://"}) {
        if (text.rfind(s, 0) == 0) scheme = s;
    }
    if (scheme.empty()) return std::nullopt;
    if (text.size() > scheme.size() + 1 && text.back() == '/') text.pop_back();
    std::string authority = text.substr(scheme.size());
    std::string host = authority;
    std::string port;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        port = authority.substr(close + 1);
        in6_addr ignored{};
        if (inet_pton(AF_INET6, host.c_str(), &ignored) != 1) return std::nullopt;
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon);
        }
        if (host.empty() || host.size() > 253 || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
            }))
            return std::nullopt;
    }
    if (!port.empty()) {
        const auto digits = port.substr(1);
        if (port.front() != ':' || digits.empty() || digits.size() > 5 ||
            !std::all_of(digits.begin(), digits.end(),
                         [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(digits) < 1 || std::stoi(digits) > 65535)
            return std::nullopt;
    }
    return text;
}

ServerConfig parse_server(const Section& s, const std::string& base_dir) {
    s.allow_only({"listen", "threads", "header_limit_bytes", "body_limit_bytes", "read_timeout_ms",
                  "idle_timeout_ms", "web_root", "production", "trusted_proxies", "public_origin",
                  "max_connections", "max_connections_per_address"});
    ServerConfig server;
    std::string listen = server.listen.host + ":" + std::to_string(server.listen.port);
    s.read("listen", listen);
    server.listen = host_port(s, "listen", listen);
    s.read_int("threads", server.threads, 1, 256);
    s.read_int("header_limit_bytes", server.header_limit_bytes, 1024, 1 << 20);
    s.read_int("body_limit_bytes", server.body_limit_bytes, 1024, 64 << 20);
    s.read_ms("read_timeout_ms", server.read_timeout, 100, 600'000);
    s.read_ms("idle_timeout_ms", server.idle_timeout, 100, 3'600'000);
    s.read("web_root", server.web_root);
    s.read("production", server.production);
    std::vector<std::string> proxies;
    s.read("trusted_proxies", proxies);
    for (const auto& proxy : proxies) {
        if (!is_ip_address(proxy))
            fail(s.where("trusted_proxies"), "\"" + proxy + "\" is not an IP address");
        server.trusted_proxies.push_back(canonical_ip(proxy));
    }
    s.read("public_origin", server.public_origin);
    if (!server.public_origin.empty()) {
        const auto origin = canonical_origin(server.public_origin);
        if (!origin)
            fail(s.where("public_origin"),
                 "\"" + server.public_origin +
                     "\" is not an origin: https://host or https://host:port, no path");
        server.public_origin = *origin;
    }
    s.read_int("max_connections", server.max_connections, 0, 1'000'000);
    s.read_int("max_connections_per_address", server.max_connections_per_address, 1, 1'000'000);
    server.web_root =
        server.web_root.empty() ? shipped_web_dir() : resolve(server.web_root, base_dir);
    return server;
}

TlsConfig parse_tls(const Section& s, const Endpoint& server_listen, const std::string& base_dir) {
    s.allow_only({"cert_file", "key_file", "redirect_listen", "hsts_max_age_s"});
    TlsConfig tls;
    s.read("cert_file", tls.cert_file);
    s.read("key_file", tls.key_file);
    // Half a pair would silently serve plain HTTP, or fail later with a vaguer reason.
    if (!tls.cert_file.empty() && tls.key_file.empty())
        fail(s.where("key_file"), "must be set when cert_file is");
    if (tls.cert_file.empty() && !tls.key_file.empty())
        fail(s.where("cert_file"), "must be set when key_file is");
    tls.cert_file = resolve(tls.cert_file, base_dir);
    tls.key_file = resolve(tls.key_file, base_dir);
    std::string redirect;
    s.read("redirect_listen", redirect);
    if (!redirect.empty()) {
        const auto ep = host_port(s, "redirect_listen", redirect);
        if (!tls.enabled())
            fail(s.where("redirect_listen"), "needs cert_file and key_file (HTTPS to redirect to)");
        if (ep.port != 0 && ep.port == server_listen.port && ep.host == server_listen.host)
            fail(s.where("redirect_listen"), "must differ from [server] listen");
        tls.redirect_listen = ep;
    }
    s.read_seconds("hsts_max_age_s", tls.hsts_max_age, 0, 63'072'000);
    return tls;
}

void check_redis_url(const Section& s, const std::string& url) {
    if (url.rfind("redis://", 0) == 0) {
        auto rest = url.substr(8);
        if (const auto slash = rest.find('/'); slash != std::string::npos)
            rest = rest.substr(0, slash);
        if (!parse_host_port(rest))
            fail(s.where("url"), "\"" + url + "\" is not redis://host:port");
    } else if (url.rfind("unix://", 0) != 0 || url.size() <= 7) {
        fail(s.where("url"), "\"" + url + "\" must be redis://host:port or unix:///path");
    }
}

RedisConfig parse_redis(const Section& s, const std::string& base_dir) {
    s.allow_only({"url", "cluster", "embedded", "server_binary", "user", "password_file",
                  "command_timeout_ms", "connections", "ballot_shards", "wait_replicas",
                  "wait_timeout_ms"});
    RedisConfig redis;
    s.read("url", redis.url);
    std::vector<std::string> cluster;
    s.read("cluster", cluster);
    for (const auto& node : cluster) {
        const auto ep = host_port(s, "cluster", node);
        // The client connects with hiredis, which would resolve a name with a blocking call.
        if (!is_ip_address(ep.host))
            fail(s.where("cluster"), "\"" + node + "\": give an IP address, not a host name");
        redis.cluster.push_back(ep);
    }
    s.read("embedded", redis.embedded);
    s.read("server_binary", redis.server_binary);
    s.read("user", redis.user);
    // An ACL user name is one word: a space would split AUTH's arguments in an ACL file.
    if (std::any_of(redis.user.begin(), redis.user.end(),
                    [](unsigned char ch) { return std::isspace(ch) || std::iscntrl(ch); }))
        fail(s.where("user"), "\"" + redis.user + "\" must be one word");
    if (redis.embedded && redis.user.empty())
        fail(s.where("user"), "must name the ACL user of the embedded Redis");
    s.read("password_file", redis.password_file);
    redis.password_file = resolve(redis.password_file, base_dir);
    s.read_ms("command_timeout_ms", redis.command_timeout, 10, 60'000);
    s.read_int("connections", redis.connections, 0, 64);
    s.read_int("ballot_shards", redis.ballot_shards, 1, 1024);
    s.read_int("wait_replicas", redis.wait_replicas, 0, 16);
    s.read_ms("wait_timeout_ms", redis.wait_timeout, 1, 60'000);
    if (!redis.embedded && redis.cluster.empty()) check_redis_url(s, redis.url);
    return redis;
}

StorageConfig parse_storage(const Section& s, const std::string& base_dir) {
    s.allow_only({"data_dir", "attachments_dir"});
    StorageConfig storage;
    s.read("data_dir", storage.data_dir);
    if (storage.data_dir.empty()) fail(s.where("data_dir"), "must not be empty");
    storage.data_dir = resolve(storage.data_dir, base_dir);
    s.read("attachments_dir", storage.attachments_dir);
    storage.attachments_dir = storage.attachments_dir.empty()
                                  ? (fs::path(storage.data_dir) / "attachments").string()
                                  : resolve(storage.attachments_dir, base_dir);
    return storage;
}

bool is_campaign_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
}

CampaignConfig parse_campaign(const Section& s) {
    s.allow_only({"id", "title", "vote_opens", "vote_closes", "call_opens", "call_closes",
                  "max_choices", "min_age", "envelope_eur", "departement", "tree_head_interval_s"});
    CampaignConfig campaign;
    s.read("id", campaign.id);
    if (!is_campaign_id(campaign.id))
        fail(s.where("id"), "must be 1 to 64 letters, digits, '-' or '_'");
    s.read("title", campaign.title);
    s.read_time("vote_opens", campaign.vote_opens, campaign.vote_opens_unix);
    s.read_time("vote_closes", campaign.vote_closes, campaign.vote_closes_unix);
    if (campaign.vote_closes_unix <= campaign.vote_opens_unix)
        fail(s.where("vote_closes"), "must be after vote_opens");
    // The call is optional, but half of one would leave holders a window with one open end.
    const bool call_opens = s.has("call_opens");
    const bool call_closes = s.has("call_closes");
    if (call_opens && !call_closes) fail(s.where("call_closes"), "must be set when call_opens is");
    if (call_closes && !call_opens) fail(s.where("call_opens"), "must be set when call_closes is");
    if (call_opens) {
        s.read_time("call_opens", campaign.call_opens, campaign.call_opens_unix);
        s.read_time("call_closes", campaign.call_closes, campaign.call_closes_unix);
        if (campaign.call_closes_unix <= campaign.call_opens_unix)
            fail(s.where("call_closes"), "must be after call_opens");
        // Applications become initiatives that the committee labels before the ballot is sealed.
        if (campaign.call_closes_unix > campaign.vote_opens_unix)
            fail(s.where("call_closes"), "must not be after vote_opens");
    }
    s.read_int("max_choices", campaign.max_choices, 1, 50);
    s.read_int("min_age", campaign.min_age, 0, 120);
    s.read("envelope_eur", campaign.envelope_eur, 1, 1'000'000'000'000);
    s.read("departement", campaign.departement);
    s.read_seconds("tree_head_interval_s", campaign.tree_head_interval, 1, 86400);
    return campaign;
}

OtpConfig parse_otp(const Section& s, bool production, const std::string& base_dir) {
    s.allow_only({"delivery", "outbox", "smtp_host", "smtp_port", "smtp_from", "code_ttl_s",
                  "max_tries", "max_codes_per_hour", "max_requests_per_ip_hour", "session_ttl_s"});
    OtpConfig otp;
    s.read("delivery", otp.delivery);
    if (otp.delivery != "outbox" && otp.delivery != "smtp")
        fail(s.where("delivery"), "must be \"outbox\" or \"smtp\", got \"" + otp.delivery + "\"");
    if (otp.delivery == "outbox" && production)
        fail(s.where("delivery"),
             "\"outbox\" is for development and is refused when [server] production = true");
    s.read("outbox", otp.outbox);
    otp.outbox = resolve(otp.outbox, base_dir);
    s.read("smtp_host", otp.smtp_host);
    // Codes are sent from the event loop, which must not wait on a name resolution.
    if (!is_ip_address(otp.smtp_host))
        fail(s.where("smtp_host"),
             "\"" + otp.smtp_host + "\": give an IP address (a local relay such as 127.0.0.1)");
    s.read_int("smtp_port", otp.smtp_port, 1, 65535);
    s.read("smtp_from", otp.smtp_from);
    s.read_seconds("code_ttl_s", otp.code_ttl, 60, 3600);
    s.read_seconds("session_ttl_s", otp.session_ttl, 60, std::int64_t{24} * 3600);
    s.read_int("max_tries", otp.max_tries, 1, 20);
    s.read_int("max_codes_per_hour", otp.max_codes_per_hour, 1, 100);
    s.read_int("max_requests_per_ip_hour", otp.max_requests_per_ip_hour, 1, 1'000'000);
    return otp;
}

HoldersConfig parse_holders(const Section& s) {
    s.allow_only(
        {"session_ttl_s", "max_codes_per_hour", "max_requests_per_ip_hour", "notify_interval_ms"});
    HoldersConfig holders;
    s.read_seconds("session_ttl_s", holders.session_ttl, 60, std::int64_t{7} * 24 * 3600);
    s.read_int("max_codes_per_hour", holders.max_codes_per_hour, 1, 100);
    s.read_int("max_requests_per_ip_hour", holders.max_requests_per_ip_hour, 1, 1'000'000);
    s.read_ms("notify_interval_ms", holders.notify_interval, 100, 3'600'000);
    return holders;
}

PrivacyConfig parse_privacy(const Section& s, bool production) {
    s.allow_only({"controller", "controller_address", "contact_email", "dpo_contact",
                  "publication_director", "host", "mail_relay", "purge_after_days",
                  "holders_retention_days", "automatic_purge"});
    PrivacyConfig privacy;
    const auto read_text = [&](const char* key, std::string& out) {
        s.read(key, out);
        // One line each: the pages put them in a paragraph, and a newline would be lost there.
        if (out.find_first_of("\r\n") != std::string::npos) fail(s.where(key), "must be one line");
        if (production && out.empty() &&
            (std::string_view(key) == "controller" || std::string_view(key) == "contact_email" ||
             std::string_view(key) == "dpo_contact")) {
            fail(s.where(key),
                 "is required with [server] production = true: residents must be told who "
                 "processes their data and how to reach them (GDPR article 13)");
        }
    };
    read_text("controller", privacy.controller);
    read_text("controller_address", privacy.controller_address);
    read_text("contact_email", privacy.contact_email);
    read_text("dpo_contact", privacy.dpo_contact);
    read_text("publication_director", privacy.publication_director);
    read_text("host", privacy.host);
    read_text("mail_relay", privacy.mail_relay);
    s.read_int("purge_after_days", privacy.purge_after_days, 0, 3650);
    s.read_int("holders_retention_days", privacy.holders_retention_days, 0, 3650);
    if (privacy.holders_retention_days < privacy.purge_after_days)
        fail(s.where("holders_retention_days"),
             "must be at least purge_after_days (" + std::to_string(privacy.purge_after_days) +
                 "): the holders' stage of the purge comes after the residents' one");
    s.read("automatic_purge", privacy.automatic_purge);
    return privacy;
}

LabellingConfig parse_labelling(const Section& s, const std::string& base_dir) {
    s.allow_only({"questionnaire", "territories", "communes"});
    LabellingConfig labelling;
    s.read("questionnaire", labelling.questionnaire);
    s.read("territories", labelling.territories);
    s.read("communes", labelling.communes);
    const auto shipped = shipped_config_dir();
    auto pick = [&](std::string& path, const std::string& file, const char* key) {
        path = path.empty()
                   ? (fs::path(file).is_absolute() ? file : (fs::path(shipped) / file).string())
                   : resolve(path, base_dir);
        std::error_code ec;
        if (!fs::exists(path, ec)) fail(s.where(key), "file not found: " + path);
    };
    pick(labelling.questionnaire, "questionnaire.toml", "questionnaire");
    pick(labelling.territories, "territories.toml", "territories");
    pick(labelling.communes, shipped_communes(), "communes");
    return labelling;
}

const std::set<std::string> kIdentityMethods = {"email", "franceconnect"};

IdentityConfig parse_identity(const Section& s, const std::string& data_dir,
                              const std::string& base_dir) {
    s.allow_only({"methods", "adult_methods", "audit_public_key"});
    IdentityConfig identity;
    auto check = [&](const char* key, const std::vector<std::string>& list) {
        std::set<std::string> seen;
        for (const auto& m : list) {
            if (!kIdentityMethods.count(m))
                fail(s.where(key), "\"" + m + "\" is not a method (\"email\", \"franceconnect\")");
            if (!seen.insert(m).second) fail(s.where(key), "\"" + m + "\" is named twice");
        }
    };
    s.read("methods", identity.methods);
    if (identity.methods.empty()) fail(s.where("methods"), "must name at least one method");
    check("methods", identity.methods);
    identity.adult_methods = identity.methods;
    s.read("adult_methods", identity.adult_methods);
    check("adult_methods", identity.adult_methods);
    for (const auto& m : identity.adult_methods) {
        if (!identity.offers(m))
            fail(s.where("adult_methods"), "\"" + m + "\" is not in [identity] methods");
    }
    if (identity.adult_methods.empty())
        fail(s.where("adult_methods"), "must name at least one method: adults could not vote");
    s.read("audit_public_key", identity.audit_public_key);
    identity.audit_public_key = identity.audit_public_key.empty()
                                    ? (fs::path(data_dir) / "keys" / "identity-audit.pub").string()
                                    : resolve(identity.audit_public_key, base_dir);
    return identity;
}

bool loopback_host(const std::string& url) {
    for (const char* prefix :
         {"http://127.", "http://localhost:", "http://localhost/", "http://[::1]"}) {
        if (url.rfind(prefix, 0) == 0) return true;
    }
    return url == "http://localhost";
}

FranceConnectConfig parse_franceconnect(const Section& s, const IdentityConfig& identity,
                                        bool production, const std::string& base_dir) {
    s.allow_only({"issuer", "client_id", "client_secret_file", "redirect_uri", "acr_values",
                  "scopes", "clock_skew_s", "http_timeout_ms"});
    FranceConnectConfig fc;
    if (!identity.offers("franceconnect")) {
        // Kept as written but unused: a section left from another year is not an error.
        return fc;
    }
    auto required = [&](const char* key, std::string& out) {
        s.read(key, out);
        if (out.empty())
            fail(s.where(key), "is required when [identity] methods names \"franceconnect\"");
    };
    required("issuer", fc.issuer);
    if (fc.issuer.back() == '/') fc.issuer.pop_back();
    const bool https = fc.issuer.rfind("https://", 0) == 0;
    if (!https && !(loopback_host(fc.issuer) && !production))
        fail(s.where("issuer"), "\"" + fc.issuer +
                                    "\" must be https:// (http:// only on a loopback address, "
                                    "outside production)");
    required("client_id", fc.client_id);
    required("client_secret_file", fc.client_secret_file);
    fc.client_secret_file = resolve(fc.client_secret_file, base_dir);
    required("redirect_uri", fc.redirect_uri);
    if (fc.redirect_uri.rfind("https://", 0) != 0 &&
        !(loopback_host(fc.redirect_uri) && !production))
        fail(s.where("redirect_uri"), "\"" + fc.redirect_uri + "\" must be https://");
    s.read("acr_values", fc.acr_values);
    s.read("scopes", fc.scopes);
    if ((" " + fc.scopes + " ").find(" openid ") == std::string::npos)
        fail(s.where("scopes"), "must include \"openid\"");
    s.read_seconds("clock_skew_s", fc.clock_skew, 0, 600);
    s.read_ms("http_timeout_ms", fc.http_timeout, 100, 60'000);
    return fc;
}

}  // namespace

bool call_open_at(const CampaignConfig& campaign, std::int64_t unix_seconds) {
    // Absent, both are 0; present, parse_campaign made closes later than opens.
    if (campaign.call_closes_unix <= campaign.call_opens_unix) return false;
    return unix_seconds >= campaign.call_opens_unix && unix_seconds < campaign.call_closes_unix;
}

bool IdentityConfig::offers(std::string_view method) const {
    return std::find(methods.begin(), methods.end(), method) != methods.end();
}

bool IdentityConfig::allows(std::string_view method, int age) const {
    if (!offers(method)) return false;
    if (age < 18) return true;
    return std::find(adult_methods.begin(), adult_methods.end(), method) != adult_methods.end();
}

namespace {

// The installed layout (<prefix>/share/budget-citoyen beside <prefix>/bin/budgetd), when the
// running program is installed; std::nullopt when it runs from a build tree.
std::optional<fs::path> installed_share_dir() {
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return std::nullopt;
    const auto installed = exe.parent_path().parent_path() / "share" / "budget-citoyen";
    if (!fs::exists(installed / "questionnaire.toml", ec)) return std::nullopt;
    return installed;
}

}  // namespace

std::string shipped_config_dir() {
    // Installed layout first, then the source tree it was built from, so that a config file
    // naming no questionnaire works from any directory.
    if (const auto installed = installed_share_dir()) return installed->string();
    return BUDGET_SHIPPED_CONFIG_DIR;
}

std::string shipped_web_dir() {
    if (const auto installed = installed_share_dir()) return (*installed / "web").string();
    return BUDGET_SHIPPED_WEB_DIR;
}

std::string shipped_communes() {
    if (const auto installed = installed_share_dir())
        return (*installed / "communes-62.json").string();
    return BUDGET_GENERATED_COMMUNES;
}

Config parse_config(const std::string& toml_text, const std::string& source_name,
                    const std::string& base_dir) {
    const toml::value root = parse_toml(toml_text, source_name);
    allow_only_sections(root, source_name);
    const auto section = [&](const char* name) { return Section(root, name, source_name); };
    Config c;
    c.source = source_name;
    c.server = parse_server(section("server"), base_dir);
    c.tls = parse_tls(section("tls"), c.server.listen, base_dir);
    c.redis = parse_redis(section("redis"), base_dir);
    c.storage = parse_storage(section("storage"), base_dir);
    c.campaign = parse_campaign(section("campaign"));
    c.otp = parse_otp(section("otp"), c.server.production, base_dir);
    c.holders = parse_holders(section("holders"));
    c.privacy = parse_privacy(section("privacy"), c.server.production);
    c.labelling = parse_labelling(section("labelling"), base_dir);
    c.identity = parse_identity(section("identity"), c.storage.data_dir, base_dir);
    c.franceconnect =
        parse_franceconnect(section("franceconnect"), c.identity, c.server.production, base_dir);
    return c;
}

Config load_config(const std::string& path) {
    const auto text = read_text_file(path);
    if (!text) throw ConfigError(path + ": cannot read the configuration file");
    const auto base = fs::absolute(fs::path(path)).parent_path().string();
    return parse_config(*text, path, base);
}

}  // namespace budget::config
