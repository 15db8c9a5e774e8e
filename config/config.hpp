#pragma once
// The engine's configuration: one TOML file (API.md), validated whole on load.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace budget::config {

/// A configuration that cannot be used; `what()` is the one-line reason shown to the operator.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
};

struct ServerConfig {
    Endpoint listen;
    int threads = 2;
    std::size_t header_limit_bytes = std::size_t{8} * 1024;
    std::size_t body_limit_bytes = std::size_t{64} * 1024;
    std::chrono::milliseconds read_timeout{10'000};  ///< whole request, from its first byte
    std::chrono::milliseconds idle_timeout{30'000};  ///< keep-alive wait for the next request
    std::string web_root;  ///< the built site (scripts/build-web.mjs); default: shipped_web_dir()
    bool production = false;  ///< refuses development shortcuts (outbox delivery...)
    /// Reverse proxies whose X-Forwarded-For is believed for per-address limits (IP addresses).
    std::vector<std::string> trusted_proxies;
    /// The site's origin as residents reach it ("https://budget.pasdecalais.fr", no path):
    /// redirects and absolute links are built on it, never on the request's Host. Empty: derived
    /// by the server from `listen` and the port it bound (https:// under TLS).
    std::string public_origin;
    /// Connections open at once, all addresses together; 0: derived at start from the
    /// descriptor limit (RLIMIT_NOFILE), leaving room for Redis, files and the embedded redis.
    int max_connections = 0;
    /// Connections open at once from one address: one address can be a whole town hall, campus
    /// or mobile operator behind NAT, so it is generous; its only job is that one address cannot
    /// take every descriptor.
    int max_connections_per_address = 256;
};

struct RedisConfig {
    /// One server as redis://host:port or unix:///path; empty when embedded.
    std::string url = "redis://127.0.0.1:6379";
    std::vector<Endpoint> cluster;
    bool embedded = false;
    std::string server_binary = "redis-server";
    /// The ACL user budgetd and budgetctl authenticate as (AUTH user password); with an empty
    /// user, AUTH sends the password alone (requirepass).
    std::string user = "budgetd";
    /// A 0600 file whose first line is that user's password. Empty: DATA_DIR/keys/redis-password
    /// when that file exists (always, made by budgetd, with `embedded`), else no AUTH.
    std::string password_file;
    std::chrono::milliseconds command_timeout{2'000};
    int connections = 0;  ///< 0: one per server thread
    /// Ballots are spread over this many hash slots (by identity key) so that Redis Cluster
    /// can spread the writes; 1 keeps one ordered log.
    int ballot_shards = 1;
    /// After a ballot, WAIT for this many replicas (0: rely on the primary's AOF).
    int wait_replicas = 0;
    std::chrono::milliseconds wait_timeout{200};
};

struct StorageConfig {
    std::string data_dir = "var";
    /// The holders' PDF attachments (issue 17); default `<data_dir>/attachments`. Several budgetd
    /// processes (each with its own data_dir) must name one shared directory here.
    std::string attachments_dir;
};

struct CampaignConfig {
    std::string id = "2026";
    std::string title = "Budget citoyen 2026";
    std::string vote_opens = "2026-09-01T00:00:00+02:00";   ///< as written (RFC 3339)
    std::string vote_closes = "2026-09-30T23:59:59+02:00";  ///< as written (RFC 3339)
    std::int64_t vote_opens_unix = 0;                       ///< parsed, seconds since the epoch
    std::int64_t vote_closes_unix = 0;                      ///< parsed, seconds since the epoch
    /// The call for initiatives (issue 17), before the vote: holders apply from call_opens
    /// (inclusive) to call_closes (exclusive). Both empty when the campaign has no call.
    std::string call_opens;             ///< as written (RFC 3339), or empty
    std::string call_closes;            ///< as written (RFC 3339), or empty
    std::int64_t call_opens_unix = 0;   ///< parsed; 0 when there is no call
    std::int64_t call_closes_unix = 0;  ///< parsed; 0 when there is no call
    int max_choices = 3;
    int min_age = 11;
    std::int64_t envelope_eur = 572000;
    std::string departement = "62";
    /// How often a signed tree head of the ballot log is published during the vote.
    std::chrono::seconds tree_head_interval{300};
};

/// Whether holders may create and edit applications at `unix_seconds`: within
/// [call_opens, call_closes). False when the campaign has no call.
bool call_open_at(const CampaignConfig& campaign, std::int64_t unix_seconds);

struct OtpConfig {
    std::string delivery = "outbox";  ///< "outbox" or "smtp"
    std::string outbox = "var/outbox.jsonl";
    std::string smtp_host = "127.0.0.1";
    std::uint16_t smtp_port = 25;
    std::string smtp_from = "budget-citoyen@localhost";
    std::chrono::seconds code_ttl{600};      ///< a code is valid 10 minutes
    int max_tries = 5;                       ///< wrong attempts before a code dies
    int max_codes_per_hour = 3;              ///< per email address
    int max_requests_per_ip_hour = 60;       ///< challenges and verifications per client address
    std::chrono::seconds session_ttl{1800};  ///< a verified resident has this long to vote
};

/// Initiative holders' accounts (issue 17): the same one-time codes as residents, their own
/// limits, and a longer session since a file is written over hours.
struct HoldersConfig {
    std::chrono::seconds session_ttl{43'200};  ///< a signed-in holder stays so 12 hours
    int max_codes_per_hour = 3;                ///< per email address
    int max_requests_per_ip_hour = 30;         ///< challenges and verifications per client address
    /// How often budgetd looks for status changes to tell holders by e-mail.
    std::chrono::milliseconds notify_interval{5000};
};

/// What the "Données personnelles" and "Mentions légales" pages say (issue 18), and how long
/// personal data are kept once the results are published. Facts of the Département, so they are
/// configuration, never text of the engine: with [server] production = true, the controller, its
/// contact address and the DPO's contact are required.
struct PrivacyConfig {
    std::string controller;            ///< the controller, e.g. "Département du Pas-de-Calais"
    std::string controller_address;    ///< its postal address
    std::string contact_email;         ///< where residents exercise their rights
    std::string dpo_contact;           ///< the data protection officer (e-mail or postal address)
    std::string publication_director;  ///< Mentions légales: directeur de la publication
    std::string host;                  ///< the host (name, address, telephone): a processor
    std::string mail_relay;            ///< who relays the e-mails: a processor
    /// The automatic purge (budgetctl purge) runs this many days after the results are
    /// published: one-time codes, identity keys and bindings, sessions, counters.
    int purge_after_days = 30;
    /// Holders' account e-mails, contact fields and attachments are removed this many days
    /// after publication (the Mission needs them to fund the winners).
    int holders_retention_days = 365;
    /// Whether budgetd runs the purge itself when it is due (budgetctl purge always can).
    bool automatic_purge = true;
};

struct LabellingConfig {
    std::string questionnaire;  ///< default: shipped config/questionnaire.toml
    std::string territories;    ///< default: shipped config/territories.toml
    std::string communes;       ///< default: shipped commune list
};

struct TlsConfig {
    /// PEM chain, the server's certificate first; when set, [server] listen speaks HTTPS only.
    std::string cert_file;
    std::string key_file;  ///< PEM private key of that certificate
    /// Plain HTTP listener that only answers 308 to the https:// URL; none when unset.
    std::optional<Endpoint> redirect_listen;
    std::chrono::seconds hsts_max_age{31'536'000};  ///< Strict-Transport-Security max-age
    bool enabled() const { return !cert_file.empty(); }
};

/// How residents prove who they are (API.md, [identity]).
struct IdentityConfig {
    /// The methods the vote page offers: "email" (a one-time code and a declared identity)
    /// and/or "franceconnect".
    std::vector<std::string> methods{"email"};
    /// The methods a resident aged 18 or more may use (default: `methods`); the younger ones
    /// (min_age to 17, who have no FranceConnect account of their own) may use every method.
    std::vector<std::string> adult_methods;
    /// The public half of the duplicate audit's key pair (libsodium sealed boxes): every
    /// verified identity is sealed to it. Empty: DATA_DIR/keys/identity-audit.pub.
    std::string audit_public_key;

    bool offers(std::string_view method) const;
    /// Whether `method` may open a session for a resident of `age`.
    bool allows(std::string_view method, int age) const;
};

/// The OpenID Connect client of FranceConnect v2 (API.md, [franceconnect]); read only when
/// [identity] methods names "franceconnect".
struct FranceConnectConfig {
    /// The provider; discovery at issuer + "/.well-known/openid-configuration". https://, or
    /// http:// on a loopback address outside production (the tests' provider).
    std::string issuer;
    std::string client_id;
    std::string client_secret_file;  ///< 0600 file, first line the client secret
    std::string redirect_uri;        ///< .../api/v1/auth/franceconnect/callback, registered at FC
    std::string acr_values = "eidas1";
    /// Only the claims the engine reads (franceconnect_rules.cpp, civil_identity): data
    /// minimisation (GDPR article 5(1)(c)) rules out gender, birthplace and birthcountry.
    std::string scopes = "openid given_name family_name preferred_username birthdate";
    /// Tolerated difference between the provider's clock and ours (iat, exp, nbf).
    std::chrono::seconds clock_skew{60};
    /// Each call to the provider (discovery, JWKS, token, userinfo) must answer within this.
    std::chrono::milliseconds http_timeout{5'000};
    bool enabled() const { return !issuer.empty(); }
};

struct Config {
    std::string source;  ///< the file it was read from
    ServerConfig server;
    TlsConfig tls;
    RedisConfig redis;
    StorageConfig storage;
    CampaignConfig campaign;
    OtpConfig otp;
    HoldersConfig holders;
    PrivacyConfig privacy;
    LabellingConfig labelling;
    IdentityConfig identity;
    FranceConnectConfig franceconnect;
};

/// Parses a configuration from TOML text. Relative paths are resolved against `base_dir`.
/// Throws ConfigError with a one-line reason naming the key.
Config parse_config(const std::string& toml_text, const std::string& source_name,
                    const std::string& base_dir);

/// Reads and parses a configuration file.
Config load_config(const std::string& path);

/// Directory of the shipped configuration files (questionnaire, territories): the installed
/// <prefix>/share/budget-citoyen when the program runs installed, else the source tree's config/.
std::string shipped_config_dir();
/// The web site as built from web/: <prefix>/share/budget-citoyen/web installed, else BUILD/web.
std::string shipped_web_dir();
/// The shipped commune list: installed beside the questionnaire, else generated in the build.
std::string shipped_communes();

}  // namespace budget::config
