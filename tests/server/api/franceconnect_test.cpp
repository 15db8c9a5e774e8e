// FranceConnect against a real OpenID Provider on loopback (npm's oidc-provider, configured by
// tests/support/oidc-provider/provider.mjs), a real budgetd and a real redis-server. The
// provider's harness plays the resident's browser at the provider (login, consent or cancel);
// this test carries the authorization URL from budgetd to it and the callback back to budgetd,
// with the flow cookie, as a browser would. The cases a conforming provider never produces (alg
// none, a bad signature, a wrong audience or nonce) are forged by the harness, in front of its
// token endpoint (docs/franceconnect.md says how).

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>

#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
namespace json = boost::json;

namespace {

constexpr const char* kClientId = "budget-citoyen";
constexpr const char* kSecret = "test-client-secret-of-32-characters";

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The harness's provider on a fixed loopback port: restarting it keeps the port and the issuer,
/// and makes new signing keys (a rotation).
class TestProvider {
  public:
    TestProvider(std::string dir, std::string redirect_uri)
        : dir_(std::move(dir)), port_(free_port()), redirect_uri_(std::move(redirect_uri)) {
        start();
    }

    void start() {
        stop();
        const auto log = dir_ + "/provider-" + std::to_string(++starts_) + ".log";
        // Its stdout (the "listening" line) into the log, with its stderr.
        const std::string command =
            "exec node " BUDGET_SOURCE_DIR "/tests/support/oidc-provider/provider.mjs --port " +
            std::to_string(port_) + " --redirect-uri " + redirect_uri_ + " --client-id " +
            kClientId + " --client-secret " + kSecret + " 1>&2";
        process_ =
            std::make_unique<ChildProcess>(std::vector<std::string>{"/bin/sh", "-c", command}, log);
        const bool up = eventually(
            [&] {
                return read_text(log).find("listening " + std::to_string(port_)) !=
                       std::string::npos;
            },
            std::chrono::seconds(20));
        INFO(read_text(log));
        REQUIRE(up);
    }
    void stop() { process_.reset(); }

    int port() const { return port_; }
    std::string issuer() const { return "http://127.0.0.1:" + std::to_string(port_); }

    /// The resident at the provider, from the authorization URL: the callback URL it sends
    /// them back to.
    std::string browse(const std::string& url, const std::string& account, bool cancel = false) {
        json::object body{{"url", url}, {"account", account}, {"cancel", cancel}};
        const auto r = http_request(port_, "POST", "/_test/browse", json::serialize(body));
        INFO(r.body);
        REQUIRE(r.status == 200);
        return std::string(json::parse(r.body).at("callback").as_string());
    }
    void forge(const std::string& mode) {
        const auto r = http_request(port_, "POST", "/_test/forge",
                                    json::serialize(json::object{{"mode", mode}}));
        REQUIRE(r.status == 200);
    }

  private:
    std::string dir_;
    int port_;
    std::string redirect_uri_;
    int starts_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

/// What budgetd answered at the end of an attempt.
struct Landing {
    int status = 0;
    std::string location;
    std::string raw;  ///< the whole answer: every Set-Cookie is in it
    std::string session_token;

    bool issued_session() const { return raw.find("budget_voter=") != std::string::npos; }
};

std::string header_of(const std::string& raw, const std::string& name) {
    std::string lower = raw;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\n" + name + ":");
    if (at == std::string::npos) return "";
    const auto start = raw.find_first_not_of(' ', at + name.size() + 3);
    return raw.substr(start, raw.find("\r\n", start) - start);
}

/// A request to budgetd read raw, so that every Set-Cookie header is seen.
Landing raw_get(int port, const std::string& target, const std::string& cookie) {
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!cookie.empty()) request += "Cookie: " + cookie + "\r\n";
    request += "Connection: close\r\n\r\n";
    const auto got = raw_exchange(port, request, std::chrono::seconds(30));
    Landing landing;
    landing.raw = got.received;
    if (got.received.size() > 12) landing.status = std::stoi(got.received.substr(9, 3));
    landing.location = header_of(got.received, "location");
    const auto at = got.received.find("budget_voter=");
    if (at != std::string::npos) {
        const auto start = at + 13;
        landing.session_token = got.received.substr(start, got.received.find(';', start) - start);
    }
    return landing;
}

struct Started {
    std::string authorization_url;
    std::string flow_cookie;  ///< "budget_fc=..."
};

Started start(TestCampaign& campaign) {
    const auto r = raw_get(campaign.port(), "/api/v1/auth/franceconnect/start", "");
    INFO(r.raw);
    REQUIRE(r.status == 302);
    const auto cookie = header_of(r.raw, "set-cookie");
    REQUIRE(cookie.starts_with("budget_fc="));
    return {r.location, cookie.substr(0, cookie.find(';'))};
}

std::string target_of(const std::string& url) {
    const auto scheme = url.find("://");
    return url.substr(url.find('/', scheme + 3));
}

struct Attempt {
    std::string account = "angela";
    bool cancel = false;
    std::string state_override{};
};

/// One resident's whole attempt: start at budgetd, the provider, back to budgetd's callback.
Landing sign_in(TestCampaign& campaign, TestProvider& provider, const Attempt& attempt = {}) {
    const auto started = start(campaign);
    REQUIRE(started.authorization_url.starts_with(provider.issuer() + "/auth?"));
    auto callback =
        target_of(provider.browse(started.authorization_url, attempt.account, attempt.cancel));
    if (!attempt.state_override.empty()) {
        const auto at = callback.find("state=");
        REQUIRE(at != std::string::npos);
        callback =
            callback.substr(0, at + 6) + attempt.state_override +
            callback.substr(callback.find('&', at) == std::string::npos ? callback.size()
                                                                        : callback.find('&', at));
    }
    auto landing = raw_get(campaign.port(), callback, started.flow_cookie);
    INFO(landing.raw);
    REQUIRE(landing.status == 302);
    return landing;
}

/// What a FranceConnect test campaign changes from the defaults.
struct CampaignOptions {
    std::string adult_methods = "[\"franceconnect\", \"email\"]";
    std::vector<std::string> budgetd_env{};
    std::string otp_lines{};  ///< more [otp] lines
};

/// A campaign whose residents come through FranceConnect (and e-mail), on this provider.
struct FranceConnectCampaign {
    explicit FranceConnectCampaign(CampaignOptions options = {})
        : budgetd_port(free_port()),
          redirect_uri("http://127.0.0.1:" + std::to_string(budgetd_port) +
                       "/api/v1/auth/franceconnect/callback"),
          provider(dir.path(), redirect_uri),
          campaign(config(options.adult_methods, options.otp_lines),
                   {.ballot = {{"i-1"}, {"i-2"}}, .budgetd_env = std::move(options.budgetd_env)}) {}

    EngineConfig config(const std::string& adult_methods, const std::string& otp_lines) {
        std::ofstream(dir.path() + "/fc.secret") << kSecret << "\n";
        EngineConfig c;
        c.port = budgetd_port;
        // The sections after [otp], in the fixture's last free-form lines.
        c.otp_lines = otp_lines +
                      "[identity]\nmethods = [\"franceconnect\", \"email\"]\nadult_methods = " +
                      adult_methods + "\n[franceconnect]\nissuer = \"" + provider.issuer() +
                      "\"\nclient_id = \"" + kClientId + "\"\nclient_secret_file = \"" +
                      dir.path() + "/fc.secret\"\nredirect_uri = \"" + redirect_uri +
                      "\"\nclock_skew_s = 60\nhttp_timeout_ms = 2000\n";
        return c;
    }

    HttpResult declare(const std::string& token, const std::string& commune) {
        return http_request(campaign.port(), "POST", "/api/v1/auth/residence",
                            json::serialize(json::object{{"commune", commune}}),
                            {{"Cookie", "budget_voter=" + token}});
    }

    TempDir dir;
    int budgetd_port;
    std::string redirect_uri;
    TestProvider provider;
    TestCampaign campaign;
};

void require_failure(const Landing& landing, const std::string& cause) {
    INFO(landing.raw);
    CHECK(landing.location == "/voter.html?franceconnect=" + cause);
    CHECK_FALSE(landing.issued_session());
    // The attempt's cookie is consumed, whatever happened.
    CHECK(landing.raw.find("budget_fc=; Path=/api/v1/auth/franceconnect; Max-Age=0") !=
          std::string::npos);
}

std::string code_of(const HttpResult& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
}

// A budgetd whose clock is `offset_s` ahead (libfaketime), as vote_phase_test does it.
std::vector<std::string> clock_ahead(std::int64_t offset_s) {
    auto at = rfc3339_utc(now_unix() + offset_s);
    at[10] = ' ';
    at.pop_back();
    return {"LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME=@" + at,
            "FAKETIME_DONT_FAKE_MONOTONIC=1", "TZ=UTC",
            "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"};
}

}  // namespace

TEST_CASE("a resident signs in with FranceConnect, declares their commune and votes once",
          "[franceconnect]") {
    FranceConnectCampaign fc;
    const auto landing = sign_in(fc.campaign, fc.provider);
    INFO(landing.raw);
    CHECK(landing.location == "/voter.html?franceconnect=ok");
    REQUIRE(landing.issued_session());

    // No territory yet: a ballot is refused until the commune is declared.
    const auto early = fc.campaign.cast(landing.session_token, R"({"choices":["i-1"]})");
    INFO(early.body);
    CHECK(early.status == 403);
    CHECK(code_of(early) == "commune_not_declared");

    const auto unknown = fc.declare(landing.session_token, "75056");
    CHECK(unknown.status == 403);
    CHECK(code_of(unknown) == "not_resident");

    const auto declared = fc.declare(landing.session_token, "62041");
    INFO(declared.body);
    REQUIRE(declared.status == 200);
    const auto answer = json::parse(declared.body).as_object();
    CHECK(answer.at("territory").as_string() != "");
    CHECK(answer.at("already_voted") == json::value(false));
    CHECK(declared.headers.at("set-cookie").starts_with("budget_voter="));
    const auto token = std::string(answer.at("token").as_string());

    // The commune is declared once for a session.
    CHECK(code_of(fc.declare(token, "62041")) == "residence_already_declared");

    const auto cast = fc.campaign.cast(token, R"({"choices":["i-1"]})");
    INFO(cast.body);
    CHECK(cast.status == 201);
    const auto again = fc.campaign.cast(token, R"({"choices":["i-2"]})");
    CHECK(again.status == 409);
    CHECK(code_of(again) == "already_voted");

    // Signing in again is the same person: the session says so.
    const auto second = sign_in(fc.campaign, fc.provider);
    REQUIRE(second.issued_session());
    const auto redeclared = fc.declare(second.session_token, "62041");
    REQUIRE(redeclared.status == 200);
    CHECK(json::parse(redeclared.body).at("already_voted") == json::value(true));
}

TEST_CASE("a callback whose state is not the attempt's is refused", "[franceconnect]") {
    FranceConnectCampaign fc;
    require_failure(sign_in(fc.campaign, fc.provider, {.state_override = "0123456789abcdef"}),
                    "erreur");
    // Nor without the attempt's cookie (another browser, or a replay after it was consumed).
    const auto started = start(fc.campaign);
    const auto callback = target_of(fc.provider.browse(started.authorization_url, "angela"));
    require_failure(raw_get(fc.campaign.port(), callback, ""), "erreur");
}

TEST_CASE("an ID token whose nonce is not the attempt's is refused", "[franceconnect]") {
    FranceConnectCampaign fc;
    fc.provider.forge("wrong-nonce");
    require_failure(sign_in(fc.campaign, fc.provider), "erreur");
    CHECK(fc.campaign.budgetd().log().find("id_token: nonce") != std::string::npos);
}

TEST_CASE("an expired ID token is refused, beyond the clock skew", "[franceconnect]") {
    // budgetd's clock two hours ahead of the provider's: its one-hour ID tokens have expired.
    FranceConnectCampaign fc({.budgetd_env = clock_ahead(7200)});
    require_failure(sign_in(fc.campaign, fc.provider), "erreur");
    CHECK(fc.campaign.budgetd().log().find("id_token: expired") != std::string::npos);
}

TEST_CASE("an ID token with a bad signature is refused", "[franceconnect]") {
    FranceConnectCampaign fc;
    fc.provider.forge("bad-signature");
    require_failure(sign_in(fc.campaign, fc.provider), "erreur");
    CHECK(fc.campaign.budgetd().log().find("signature: bad_signature") != std::string::npos);
}

TEST_CASE("an ID token with alg none is refused", "[franceconnect]") {
    FranceConnectCampaign fc;
    fc.provider.forge("none");
    require_failure(sign_in(fc.campaign, fc.provider), "erreur");
    CHECK(fc.campaign.budgetd().log().find("signature: alg_refused") != std::string::npos);
}

TEST_CASE("an ID token for another audience is refused", "[franceconnect]") {
    FranceConnectCampaign fc;
    fc.provider.forge("wrong-audience");
    require_failure(sign_in(fc.campaign, fc.provider), "erreur");
    CHECK(fc.campaign.budgetd().log().find("id_token: audience") != std::string::npos);
}

TEST_CASE("a token signed under an unknown kid is verified after the keys are fetched again",
          "[franceconnect]") {
    FranceConnectCampaign fc;
    CHECK(sign_in(fc.campaign, fc.provider).location == "/voter.html?franceconnect=ok");
    // The provider rotates its keys (same issuer, new key ids): budgetd holds the old set.
    fc.provider.start();
    const auto after = sign_in(fc.campaign, fc.provider, {.account = "teen"});
    INFO(fc.campaign.budgetd().log());
    CHECK(after.location == "/voter.html?franceconnect=ok");
    CHECK(after.issued_session());
}

TEST_CASE("a provider that is down is told as unavailable", "[franceconnect]") {
    FranceConnectCampaign fc;
    // Down after the resident left for it: the token request finds no one.
    const auto started = start(fc.campaign);
    const auto callback = target_of(fc.provider.browse(started.authorization_url, "angela"));
    fc.provider.stop();
    require_failure(raw_get(fc.campaign.port(), callback, started.flow_cookie), "indisponible");
    // Down before: the start cannot even find the authorization endpoint... once the cached
    // discovery is not there, that is on a fresh budgetd.
    fc.campaign.restart();
    const auto refused = raw_get(fc.campaign.port(), "/api/v1/auth/franceconnect/start", "");
    CHECK(refused.status == 302);
    CHECK(refused.location == "/voter.html?franceconnect=indisponible");
    CHECK_FALSE(refused.issued_session());
}

TEST_CASE("a resident who cancels at the provider is told so", "[franceconnect]") {
    FranceConnectCampaign fc;
    require_failure(sign_in(fc.campaign, fc.provider, {.cancel = true}), "annule");
}

TEST_CASE("a child under the minimum age is refused, a 15-year-old may come in",
          "[franceconnect]") {
    FranceConnectCampaign fc;
    require_failure(sign_in(fc.campaign, fc.provider, {.account = "child"}), "trop-jeune");
    CHECK(sign_in(fc.campaign, fc.provider, {.account = "teen"}).issued_session());
}

TEST_CASE("an adult is refused FranceConnect when adults must use another method",
          "[franceconnect]") {
    FranceConnectCampaign fc({.adult_methods = "[\"email\"]"});
    require_failure(sign_in(fc.campaign, fc.provider), "methode");
}

TEST_CASE("callbacks past the client address's hourly allowance are refused", "[franceconnect]") {
    FranceConnectCampaign fc({.otp_lines = "max_requests_per_ip_hour = 1\n"});
    CHECK(sign_in(fc.campaign, fc.provider).issued_session());
    require_failure(sign_in(fc.campaign, fc.provider), "erreur");
    CHECK(fc.campaign.budgetd().log().find("over its hourly allowance") != std::string::npos);
}

TEST_CASE("the same person by FranceConnect then by e-mail under their true identity has voted",
          "[franceconnect][identity]") {
    FranceConnectCampaign fc;
    const auto landing = sign_in(fc.campaign, fc.provider);
    REQUIRE(landing.issued_session());
    const auto declared = fc.declare(landing.session_token, "62041");
    REQUIRE(declared.status == 200);
    const auto token = std::string(json::parse(declared.body).at("token").as_string());
    REQUIRE(fc.campaign.cast(token, R"({"choices":["i-1"]})").status == 201);

    // Angela Claire Louise DUBOIS, born 24 August 1962, by e-mail with her first given name.
    const Resident angela{"angela.dubois@example.org", "Angela", "Dubois", "1962-08-24", "62041"};
    HttpResult refused;
    const auto email_token = fc.campaign.verify_resident(angela, &refused);
    if (email_token.empty()) {
        INFO(refused.body);
        CHECK(code_of(refused) == "already_voted");
    } else {
        const auto cast = fc.campaign.cast(email_token, R"({"choices":["i-2"]})");
        INFO(cast.body);
        CHECK(cast.status == 409);
        CHECK(code_of(cast) == "already_voted");
    }
}
