#include "server/api/franceconnect.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "config/paris_time.hpp"
#include "server/api/auth_api.hpp"
#include "server/api/ballot_api.hpp"
#include "server/api/identity_audit.hpp"
#include "server/api/request_body.hpp"
#include "server/core/log.hpp"
#include "server/http/cookies.hpp"
#include "voting/eligibility.hpp"

namespace budget::server::api::franceconnect {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxProviderAnswer = 256 * 1024;
// Callbacks of one client address are counted per hour, as the e-mail path's steps.
constexpr std::chrono::seconds kAddressWindow{3600};

Failure failed(Outcome outcome, std::string reason) { return Failure{outcome, std::move(reason)}; }

/// A provider that did not answer (or answered 5xx) is unavailable; a wrong answer is an error.
Failure fetch_failure(std::string_view step, http::FetchError error) {
    const bool down = error == http::FetchError::unreachable || error == http::FetchError::timeout;
    return failed(down ? Outcome::unavailable : Outcome::provider_error,
                  std::string(step) + ": " + std::string(http::to_string(error)));
}

Failure status_failure(std::string_view step, unsigned status) {
    return failed(status >= 500 ? Outcome::unavailable : Outcome::provider_error,
                  std::string(step) + ": HTTP " + std::to_string(status));
}

std::optional<json::object> json_object(std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::string member(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool media_type_is(std::string_view content_type, std::string_view type) {
    const auto semicolon = content_type.find(';');
    auto bare = content_type.substr(0, semicolon);
    while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
    if (bare.size() != type.size()) return false;
    for (std::size_t i = 0; i < bare.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(bare[i])) != type[i]) return false;
    return true;
}

// The civil day in Paris at that instant: ages are counted on it (as the e-mail path does).
voting::Date paris_today(std::int64_t now) {
    return *voting::parse_date(config::format_paris_time(now).substr(0, 10));
}

std::string read_secret(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        throw std::runtime_error("[franceconnect] client_secret_file " + path + " cannot be read");
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty())
        throw std::runtime_error("[franceconnect] client_secret_file " + path + " is empty");
    return line;
}

/// Base64 (standard, padded) for HTTP Basic: RFC 6749 §2.3.1 form-encodes id and secret first.
std::string basic_credentials(std::string_view id, std::string_view secret) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto text = url_encode(id) + ":" + url_encode(secret);
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < text.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(text[i]) << 16) |
                                (static_cast<unsigned char>(text[i + 1]) << 8) |
                                static_cast<unsigned char>(text[i + 2]);
        out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
                kAlphabet[n & 63]};
    }
    if (i + 1 == text.size()) {
        const std::uint32_t n = static_cast<unsigned char>(text[i]) << 16;
        out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == text.size()) {
        const std::uint32_t n = (static_cast<unsigned char>(text[i]) << 16) |
                                (static_cast<unsigned char>(text[i + 1]) << 8);
        out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
    }
    return "Basic " + out;
}

http::HttpClientOptions client_options(const config::FranceConnectConfig& config) {
    http::HttpClientOptions options;
    options.timeout = config.http_timeout;
    options.max_body = kMaxProviderAnswer;
    // A private CA (the tests', or a staging provider's) trusted beside the system's.
    if (const char* ca = std::getenv("BUDGET_FRANCECONNECT_CA_FILE")) options.extra_ca_file = ca;
    return options;
}

}  // namespace

void throw_exception_from_error(const Failure& failure, const boost::source_location&) {
    throw std::logic_error("franceconnect: value() on an error: " + failure.reason);
}

// ---------------------------------------------------------------- the provider

Provider::Provider(const config::FranceConnectConfig& config, const Clock& clock)
    : config_(config), clock_(clock), client_(client_options(config)) {}

asio::awaitable<boost::system::result<std::shared_ptr<const Discovery>, Failure>>
Provider::discovery() {
    const auto now = clock_.now();
    {
        std::lock_guard lock(mutex_);
        if (discovery_ && now - discovery_at_ < kCacheLifetime) co_return discovery_;
    }
    auto issuer = config_.issuer;
    while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
    // Named, not temporaries inside co_await: GCC 12 mishandles those (server/core/blocking.hpp).
    auto url = issuer + "/.well-known/openid-configuration";
    http::Headers accept{{"Accept", "application/json"}};
    auto fetched = co_await client_.get(std::move(url), std::move(accept));
    if (!fetched) co_return fetch_failure("discovery", fetched.error());
    if (fetched->status != 200) co_return status_failure("discovery", fetched->status);
    const auto doc = json_object(fetched->body);
    if (!doc) co_return failed(Outcome::provider_error, "discovery: not a JSON object");
    auto found = std::make_shared<Discovery>();
    found->issuer = member(*doc, "issuer");
    found->authorization_endpoint = member(*doc, "authorization_endpoint");
    found->token_endpoint = member(*doc, "token_endpoint");
    found->userinfo_endpoint = member(*doc, "userinfo_endpoint");
    found->jwks_uri = member(*doc, "jwks_uri");
    // OpenID Connect Discovery §4.3: the issuer in the document is exactly the one configured.
    if (found->issuer != config_.issuer)
        co_return failed(Outcome::provider_error, "discovery: issuer mismatch");
    if (found->authorization_endpoint.empty() || found->token_endpoint.empty() ||
        found->userinfo_endpoint.empty() || found->jwks_uri.empty())
        co_return failed(Outcome::provider_error, "discovery: an endpoint is missing");
    if (const auto* methods = doc->if_contains("token_endpoint_auth_methods_supported");
        methods && methods->is_array()) {
        for (const auto& m : methods->as_array())
            if (m.is_string() && m.as_string() == "client_secret_post")
                found->secret_in_body = true;
    }
    std::lock_guard lock(mutex_);
    discovery_ = found;
    discovery_at_ = now;
    co_return discovery_;
}

asio::awaitable<boost::system::result<std::shared_ptr<const std::vector<jose::Jwk>>, Failure>>
Provider::fetch_keys(std::string jwks_uri) {
    http::Headers accept{{"Accept", "application/json"}};
    auto fetched = co_await client_.get(std::move(jwks_uri), std::move(accept));
    if (!fetched) co_return fetch_failure("jwks", fetched.error());
    if (fetched->status != 200) co_return status_failure("jwks", fetched->status);
    auto keys = jose::parse_jwk_set(fetched->body);
    if (!keys) co_return failed(Outcome::provider_error, "jwks: not a JWK set");
    auto shared = std::make_shared<const std::vector<jose::Jwk>>(std::move(*keys));
    std::lock_guard lock(mutex_);
    keys_ = shared;
    keys_at_ = clock_.now();
    co_return shared;
}

asio::awaitable<boost::system::result<std::string, Failure>> Provider::verify(std::string token) {
    auto found = co_await discovery();
    if (!found) co_return found.error();
    const auto jwks_uri = (*found)->jwks_uri;
    std::shared_ptr<const std::vector<jose::Jwk>> keys;
    {
        std::lock_guard lock(mutex_);
        if (keys_ && clock_.now() - keys_at_ < kCacheLifetime) keys = keys_;
    }
    bool fetched_now = false;
    if (!keys) {
        auto uri = jwks_uri;
        auto got = co_await fetch_keys(std::move(uri));
        if (!got) co_return got.error();
        keys = *got;
        fetched_now = true;
    }
    auto verified = jose::verify_compact(token, *keys);
    if (!verified && verified.error() == jose::JoseError::unknown_kid && !fetched_now) {
        // The provider may have rotated its keys: look once more, but not at every forged kid.
        bool may_refetch = false;
        {
            std::lock_guard lock(mutex_);
            const auto now = clock_.now();
            if (last_refetch_ == 0 || now - last_refetch_ >= kRefetchInterval) {
                last_refetch_ = now;
                may_refetch = true;
            }
        }
        if (may_refetch) {
            auto uri = jwks_uri;
            auto got = co_await fetch_keys(std::move(uri));
            if (!got) co_return got.error();
            verified = jose::verify_compact(token, **got);
        }
    }
    if (!verified)
        co_return failed(Outcome::provider_error,
                         "signature: " + std::string(jose::to_string(verified.error())));
    co_return std::move(*verified);
}

// ---------------------------------------------------------------- the handlers

FranceConnectApi::FranceConnectApi(AppContext& ctx)
    : ctx_(ctx),
      client_secret_(read_secret(ctx.config.franceconnect.client_secret_file)),
      flow_key_(crypto::derive_key(ctx.pepper, "franceconnect-flow")),
      // The e-mail path's purpose: one allowance per client address for both ways in.
      ip_key_(crypto::derive_key(ctx.pepper, "client-address")),
      sessions_(ctx.pepper, ctx.config.campaign.id),
      keyring_(ctx.pepper),
      provider_(std::make_unique<Provider>(ctx.config.franceconnect, ctx.clock)) {}

void register_franceconnect(AppContext& ctx, http::Router& router) {
    // The routes own the handlers' object: it lives as long as the router does.
    auto api = std::make_shared<FranceConnectApi>(ctx);
    api->register_routes(router, api);
}

void FranceConnectApi::register_routes(http::Router& router,
                                       const std::shared_ptr<FranceConnectApi>& self) {
    auto bind = [self](auto method) {
        return [self, method](RequestContext& rc) { return (self.get()->*method)(rc); };
    };
    router.add(http::verb::get, "/api/v1/auth/franceconnect/start", bind(&FranceConnectApi::start));
    router.add(http::verb::get, "/api/v1/auth/franceconnect/callback",
               bind(&FranceConnectApi::callback));
    router.add(http::verb::post, "/api/v1/auth/residence", bind(&FranceConnectApi::residence));
}

bool FranceConnectApi::secure() const { return ctx_.config.tls.enabled(); }

Response FranceConnectApi::finish(Outcome outcome, std::string_view reason, unsigned version,
                                  std::optional<std::string> session_cookie) const {
    if (outcome == Outcome::ok) {
        log_event("info", "franceconnect_session");
    } else {
        // The reason names a step and a check, never a name, a date or a subject.
        log_event("warn", "franceconnect_refused",
                  {{"cause", cause_of(outcome)}, {"reason", reason}});
    }
    Response res{http::status::found, version};
    res.set(http::field::location, vote_page(outcome));
    res.set(http::field::cache_control, "no-store");
    res.insert(http::field::set_cookie, flow_cookie_removal(secure()));
    if (session_cookie) res.insert(http::field::set_cookie, *session_cookie);
    res.prepare_payload();
    return res;
}

asio::awaitable<Response> FranceConnectApi::start(RequestContext& rc) {
    const auto v = rc.request.version();
    // As the e-mail path: no way in outside the vote window (the answer says when it opens).
    if (auto refused = vote_window_refusal(ctx_.stores.campaign.window(), ctx_.clock.now(), v))
        co_return std::move(*refused);
    auto found = co_await provider_->discovery();
    if (!found) co_return finish(found.error().outcome, found.error().reason, v);
    const auto flow = new_flow(ctx_.clock.now());
    const auto& fc = ctx_.config.franceconnect;
    const AuthorizationRequest request{fc.client_id, fc.redirect_uri, fc.scopes, fc.acr_values};
    Response res{http::status::found, v};
    res.set(http::field::location,
            authorization_url((*found)->authorization_endpoint, request, flow));
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::set_cookie, flow_cookie(seal_flow(flow_key_, flow), secure()));
    res.prepare_payload();
    co_return res;
}

asio::awaitable<Response> FranceConnectApi::callback(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto now = ctx_.clock.now();
    const auto sealed = http::cookie_value(http::header_value(rc.request, "Cookie"), kFlowCookie);
    if (!sealed) co_return finish(Outcome::provider_error, "flow cookie missing", v);
    auto flow = open_flow(flow_key_, *sealed, now);
    if (!flow) co_return finish(Outcome::provider_error, "flow cookie invalid or expired", v);
    const auto state = query_value(rc.query, "state");
    if (!state || !crypto::equal_constant_time(*state, flow->state))
        co_return finish(Outcome::provider_error, "state mismatch", v);
    if (const auto error = query_value(rc.query, "error")) {
        if (*error == "access_denied")
            co_return finish(Outcome::cancelled, "the resident cancelled", v);
        co_return finish(Outcome::provider_error, "provider error: " + safe_excerpt(*error, 40), v);
    }
    auto code = query_value(rc.query, "code");
    if (!code || code->empty() || code->size() > 2048)
        co_return finish(Outcome::provider_error, "no code", v);
    // Each callback costs calls to the provider: counted with the e-mail path's steps, per
    // client address (the same keyed hash, the same hourly allowance).
    const auto address = crypto::hmac_hex(ip_key_, rc.client_ip);
    const auto counted = co_await ctx_.stores.limits.count_address(
        address, ctx_.config.otp.max_requests_per_ip_hour, kAddressWindow);
    if (!counted) co_return finish(Outcome::unavailable, "storage unavailable (rate count)", v);
    if (!counted->allowed)
        co_return finish(Outcome::provider_error, "client address over its hourly allowance", v);
    auto completed = co_await complete(std::move(*code), std::move(*flow), rc.client_ip);
    if (!completed) co_return finish(completed.error().outcome, completed.error().reason, v);
    const auto token = sessions_.issue(*completed);
    co_return finish(Outcome::ok, "", v,
                     voter_cookie(token, ctx_.config.otp.session_ttl, secure()));
}

asio::awaitable<boost::system::result<VoterSession, Failure>> FranceConnectApi::complete(
    std::string code, Flow flow, std::string client_ip) {
    const auto& fc = ctx_.config.franceconnect;
    auto found = co_await provider_->discovery();
    if (!found) co_return found.error();
    const auto discovery = *found;

    // The code for the tokens, with the PKCE verifier and the client's secret.
    std::string form = "grant_type=authorization_code&code=" + url_encode(code) +
                       "&redirect_uri=" + url_encode(fc.redirect_uri) +
                       "&code_verifier=" + url_encode(flow.verifier);
    http::Headers headers{{"Accept", "application/json"}};
    if (discovery->secret_in_body) {
        form += "&client_id=" + url_encode(fc.client_id) +
                "&client_secret=" + url_encode(client_secret_);
    } else {
        headers.emplace_back("Authorization", basic_credentials(fc.client_id, client_secret_));
    }
    auto token_url = discovery->token_endpoint;
    auto exchanged = co_await provider_->client().post_form(std::move(token_url), std::move(form),
                                                            std::move(headers));
    if (!exchanged) co_return fetch_failure("token", exchanged.error());
    if (exchanged->status != 200) co_return status_failure("token", exchanged->status);
    const auto tokens = json_object(exchanged->body);
    if (!tokens) co_return failed(Outcome::provider_error, "token: not a JSON object");
    const auto id_token = member(*tokens, "id_token");
    const auto access_token = member(*tokens, "access_token");
    if (id_token.empty() || access_token.empty())
        co_return failed(Outcome::provider_error, "token: id_token or access_token missing");

    // The ID token: signature, then claims.
    auto id_token_copy = id_token;
    auto id_payload = co_await provider_->verify(std::move(id_token_copy));
    if (!id_payload)
        co_return failed(id_payload.error().outcome, "id_token " + id_payload.error().reason);
    const TokenExpectations expected{discovery->issuer, fc.client_id,     flow.nonce,
                                     fc.acr_values,     ctx_.clock.now(), fc.clock_skew};
    json::object id_claims;
    if (const auto problem = check_id_token(*id_payload, expected, id_claims);
        problem != ClaimProblem::ok)
        co_return failed(Outcome::provider_error, "id_token: " + std::string(to_string(problem)));
    const auto subject = member(id_claims, "sub");

    // The identité pivot: FranceConnect v2 signs the userinfo (application/jwt). An unsigned
    // JSON answer is refused: nothing would bind it to the provider but the TLS channel.
    auto userinfo_url = discovery->userinfo_endpoint;
    http::Headers bearer{{"Authorization", "Bearer " + access_token},
                         {"Accept", "application/jwt"}};
    auto info = co_await provider_->client().get(std::move(userinfo_url), std::move(bearer));
    if (!info) co_return fetch_failure("userinfo", info.error());
    if (info->status != 200) co_return status_failure("userinfo", info->status);
    if (!media_type_is(info->content_type, "application/jwt"))
        co_return failed(Outcome::provider_error, "userinfo: not a signed JWT");
    auto body = info->body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    auto info_payload = co_await provider_->verify(std::move(body));
    if (!info_payload)
        co_return failed(info_payload.error().outcome, "userinfo " + info_payload.error().reason);
    json::object info_claims;
    if (const auto problem = check_userinfo(*info_payload, expected, subject, info_claims);
        problem != ClaimProblem::ok)
        co_return failed(Outcome::provider_error, "userinfo: " + std::string(to_string(problem)));

    // Who they are, whether they may vote and by this method.
    const auto person = civil_identity(info_claims);
    if (!person) co_return failed(Outcome::provider_error, "userinfo: identité pivot incomplete");
    const auto today = paris_today(ctx_.clock.now());
    const auto min_age = ctx_.config.campaign.min_age;
    const auto eligible = voting::check_eligibility(person->birth_date, today, min_age, true);
    if (!eligible) {
        if (eligible.error() == voting::EligibilityError::too_young)
            co_return failed(Outcome::too_young, "under the minimum age");
        co_return failed(Outcome::provider_error, "userinfo: birth date refused");
    }
    if (!ctx_.config.identity.allows("franceconnect", eligible->age))
        co_return failed(Outcome::method_refused, "method not allowed for the age band");
    auto keys = keyring_.keys_of(*person, subject);
    if (!keys) co_return failed(Outcome::provider_error, "userinfo: a name is not a name");

    // Sealed for the Mission's offline duplicate audit now, while the identité pivot is at
    // hand (the commune comes next and is not known yet). A named value: GCC 12 destroys a
    // temporary passed to a coroutine twice.
    AuditedIdentity audited{.person = *person,
                            .commune = "",
                            .method = "franceconnect",
                            .email = "",
                            .client_ip = std::move(client_ip)};
    co_await ctx_.identity_audit.record(std::move(audited));

    // No territory yet: the resident declares their commune next (POST /auth/residence).
    VoterSession session;
    session.identity_key = keys->primary;
    session.claims = std::move(keys->claims);
    session.territory = "";
    session.expires_unix = ctx_.clock.now() + ctx_.config.otp.session_ttl.count();
    session.method = storage::VoteMethod::franceconnect;  // recorded in the voted marker
    co_return session;
}

asio::awaitable<Response> FranceConnectApi::residence(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto now = ctx_.clock.now();
    if (auto refused = vote_window_refusal(ctx_.stores.campaign.window(), now, v))
        co_return std::move(*refused);
    if (auto refused = resident_write_refusal(rc.request)) co_return std::move(*refused);
    auto session = sessions_.session_of(rc.request, now);
    if (!session) co_return fail(Error::voter_not_authenticated, v);
    // Only a FranceConnect session lacks a territory: the e-mail path declares it with the
    // identity, and a declaration is made once.
    if (!session->territory.empty()) co_return fail(Error::residence_already_declared, v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto field = get_string(std::get<json::object>(body), "commune", 10);
    if (auto* rej = std::get_if<Rejection>(&field)) co_return rej->to_response(v);
    const auto& given = std::get<std::string>(field);
    const auto* commune = ctx_.communes.find(given);
    if (!commune) co_return unknown_commune_refusal(given, v);

    session->territory = commune->territory;  // same identity, same expiry
    const auto token = sessions_.issue(*session);
    auto claims = session->claims;
    const auto voted = co_await ctx_.stores.ballots.has_voted(std::move(claims));
    json::object out{{"token", token},
                     {"expires_at", config::format_paris_time(session->expires_unix)},
                     {"territory", session->territory}};
    if (voted)
        out["already_voted"] = *voted;
    else
        out["already_voted"] = nullptr;
    auto res = http::json_response(http::status::ok, out, v);
    const auto remaining =
        std::chrono::seconds(std::max<std::int64_t>(1, session->expires_unix - now));
    res.set(http::field::set_cookie, voter_cookie(token, remaining, secure()));
    co_return res;
}

}  // namespace budget::server::api::franceconnect
