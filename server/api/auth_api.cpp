#include "server/api/auth_api.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>
#include <cctype>

#include "config/config.hpp"
#include "config/paris_time.hpp"
#include "server/api/ballot_api.hpp"
#include "server/api/client_network.hpp"
#include "server/api/identity_audit.hpp"
#include "server/api/purge_schedule.hpp"
#include "server/api/request_body.hpp"
#include "server/api/staff_auth.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// An address serves one person for the whole campaign: its binding outlives the vote, until the
// purge is due (binding_ttl, server/api/purge_schedule.hpp; issue 18).
// Challenges and verifications of one client address are counted per hour.
constexpr std::chrono::seconds kAddressWindow{3600};
// The codes an e-mail address may be sent in an hour, in multiples of what one client network
// may ask for it.
constexpr int kAddressCeilingFactor = 10;

// The civil day in Paris at that instant: ages are counted on it.
voting::Date paris_today(std::int64_t now) {
    return *voting::parse_date(config::format_paris_time(now).substr(0, 10));
}

Response store_refusal(storage::StoreError error, unsigned version) {
    // A reply the store cannot read is ours to fix; anything else is Redis being away.
    return fail(
        error == storage::StoreError::corrupt ? Error::internal : Error::storage_unavailable,
        version);
}

}  // namespace

// ---------------------------------------------------------------- pure steps

std::variant<CodeForm, Response> read_code_form(const json::object& body, unsigned version) {
    auto email_field = get_string(body, "email", 254);
    if (auto* rej = std::get_if<Rejection>(&email_field)) return rej->to_response(version);
    auto code_field = get_string(body, "code", 100);
    if (auto* rej = std::get_if<Rejection>(&code_field)) return rej->to_response(version);
    CodeForm form;
    form.email = normalise_email(std::get<std::string>(email_field));
    auto mailbox = voting::canonical_mailbox(form.email);
    if (!plausible_email(form.email) || !mailbox) return fail(Error::invalid_email, version);
    form.mailbox = std::move(*mailbox);
    form.code = std::move(std::get<std::string>(code_field));
    if (form.code.size() != 6 || form.code.find_first_not_of("0123456789") != std::string::npos)
        return fail(Error::code_format, version);
    return form;
}

Response code_refusal(storage::CodeCheck outcome, int tries_left, unsigned version) {
    if (outcome == storage::CodeCheck::wrong) return wrong_code_refusal(tries_left, version);
    return fail_with(Error::code_dead, version, {{"tries_left", 0}});
}

crypto::Key32 mailbox_key(const crypto::Key32& pepper) {
    return crypto::derive_key(pepper, "email");
}

crypto::Key32 client_address_key(const crypto::Key32& pepper) {
    return crypto::derive_key(pepper, "client-address");
}

std::variant<VerifyForm, Response> read_verify_form(const json::object& body, unsigned version) {
    const char* const names[6] = {"email",     "code",       "first_name",
                                  "last_name", "birth_date", "commune"};
    std::string fields[6];
    for (int i = 0; i < 6; ++i) {
        auto f = get_string(body, names[i], i == 0 ? 254 : 100);
        if (auto* rej = std::get_if<Rejection>(&f)) return rej->to_response(version);
        fields[i] = std::move(std::get<std::string>(f));
    }
    // The usage name (nom d'usage) is optional: a married name, for instance.
    auto usage = get_optional_string(body, "usage_name", 100);
    if (auto* rej = std::get_if<Rejection>(&usage)) return rej->to_response(version);
    VerifyForm form;
    form.email = normalise_email(fields[0]);
    auto mailbox = voting::canonical_mailbox(form.email);
    if (!plausible_email(form.email) || !mailbox) return fail(Error::invalid_email, version);
    form.mailbox = std::move(*mailbox);
    form.person.given_names = std::move(fields[2]);
    form.person.birth_name = std::move(fields[3]);
    form.person.usage_name = std::move(std::get<std::optional<std::string>>(usage)).value_or("");
    // Any date checks the names: a name is one or not whoever bears it.
    if (!voting::identity_claims(form.person)) return fail(Error::invalid_name, version);
    const auto birth = voting::parse_date(fields[4]);
    if (!birth) return fail(Error::invalid_birth_date, version);
    if (fields[1].size() != 6 || fields[1].find_first_not_of("0123456789") != std::string::npos)
        return fail(Error::code_format, version);
    form.code = std::move(fields[1]);
    form.person.birth_date = *birth;
    form.commune = std::move(fields[5]);
    return form;
}

std::optional<Response> email_method_refusal(const config::IdentityConfig& identity,
                                             std::optional<int> age, unsigned version) {
    if (!identity.offers("email")) return fail(Error::method_not_offered, version);
    if (age && !identity.allows("email", *age))
        return fail(Error::method_not_allowed_for_age, version);
    return std::nullopt;
}

Response wrong_code_refusal(int tries_left, unsigned version) {
    json::object extra{{"tries_left", tries_left}};
    if (tries_left == 1) return fail_with(Error::code_wrong_last, version, std::move(extra));
    const auto n = std::to_string(tries_left);
    return fail_with(Error::code_wrong, version, std::move(extra), {n});
}

Response unknown_commune_refusal(std::string_view given, unsigned version) {
    std::string shown;
    for (const char c : given) {
        if (shown.size() == 10) break;
        if (std::isalnum(static_cast<unsigned char>(c))) shown += c;
    }
    return fail(Error::unknown_commune, version, {shown});
}

Response eligibility_refusal(voting::EligibilityError error, int min_age, unsigned version) {
    switch (error) {
        case voting::EligibilityError::invalid_birth_date:
            return fail(Error::implausible_birth_date, version);
        case voting::EligibilityError::too_young: {
            const auto age = std::to_string(min_age);
            return fail(Error::too_young, version, {age});
        }
        case voting::EligibilityError::not_resident:
            return fail(Error::not_resident, version);
    }
    return fail(Error::internal, version);
}

std::optional<Response> resident_write_refusal(const Request& req) {
    const auto v = req.version();
    const auto fetch_site = http::header_value(req, "Sec-Fetch-Site");
    if (!origin_allowed(http::header_value(req, "Origin"), http::header_value(req, "Host")) ||
        boost::iequals(fetch_site, "cross-site") || boost::iequals(fetch_site, "same-site"))
        return fail(Error::resident_origin_refused, v);
    // "application/json", with parameters (charset) or not, in any case.
    auto type = http::header_value(req, "Content-Type");
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    if (!boost::iequals(type, "application/json")) return fail(Error::not_json_content, v);
    return std::nullopt;
}

std::string new_code() {
    auto n = std::to_string(crypto::random_below(1'000'000));
    return std::string(6 - n.size(), '0') + n;
}

std::string communes_json(const config::CommuneDirectory& communes) {
    json::array list;
    for (const auto& [code, c] : communes.communes()) {
        json::array postal(c.postal_codes.begin(), c.postal_codes.end());
        list.push_back(json::object{{"code", code},
                                    {"name", c.name},
                                    {"postal_codes", postal},
                                    {"territory", c.territory}});
    }
    json::array territories;
    for (const auto& t : communes.territories()) {
        territories.push_back(json::object{{"id", t.id}, {"label", t.label}});
    }
    return json::serialize(json::object{{"communes", list}, {"territories", territories}});
}

// ---------------------------------------------------------------- the handlers

AuthApi::AuthApi(AppContext& ctx)
    : ctx_(ctx),
      // The purposes are those the keys were first derived with: changing one would orphan
      // every binding and counter of a running campaign. (The identity's keys have purposes of
      // their own since issue 15: IdentityKeyring.)
      email_key_(mailbox_key(ctx.pepper)),
      ip_key_(client_address_key(ctx.pepper)),
      keyring_(ctx.pepper),
      sessions_(ctx.pepper, ctx.config.campaign.id),
      delivery_(make_delivery(ctx.config.otp, ctx.blocking_pool)),
      communes_(http::EncodedBody::compressed(communes_json(ctx.communes))) {}

AuthApi::~AuthApi() = default;

void AuthApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    router.add(http::verb::post, "/api/v1/auth/challenge", bind(&AuthApi::challenge));
    router.add(http::verb::post, "/api/v1/auth/code", bind(&AuthApi::check_code));
    router.add(http::verb::post, "/api/v1/auth/verify", bind(&AuthApi::verify));
    router.add(http::verb::get, "/api/v1/communes", bind(&AuthApi::communes));
}

std::string AuthApi::mailbox_hash(const std::string& mailbox) const {
    // No raw address is stored: the code store's keys take this keyed hash.
    return crypto::hmac_hex(email_key_, mailbox);
}

std::optional<Response> AuthApi::refuse_step(const Request& req, bool for_report) const {
    // Outside the window a code opens nothing: no ballot can be cast with it (before the
    // opening either: the resident is told when to come back). A code for the report is the
    // exception: residents ask what the engine holds about them mostly after the vote, and the
    // answer stays true until the purge removes it (issue 18).
    if (auto refused = for_report ? std::nullopt
                                  : vote_window_refusal(ctx_.stores.campaign.window(),
                                                        ctx_.clock.now(), req.version()))
        return refused;
    if (auto refused = resident_write_refusal(req)) return refused;
    // Where [identity] does not offer the e-mail path, no code is sent nor checked.
    return email_method_refusal(ctx_.config.identity, std::nullopt, req.version());
}

asio::awaitable<std::optional<Response>> client_limit_refusal(AppContext& ctx,
                                                              const crypto::Key32& address_key,
                                                              const RequestContext& rc) {
    const auto address = crypto::hmac_hex(address_key, rc.client_ip);
    const auto counted = co_await ctx.stores.limits.count_address(
        address, ctx.config.otp.max_requests_per_ip_hour, kAddressWindow);
    const auto v = rc.request.version();
    if (!counted) co_return fail(Error::storage_unavailable, v);
    if (!counted->allowed)
        co_return fail_retry_after(Error::address_rate_limited, v, counted->retry_after_s);
    co_return std::nullopt;
}

asio::awaitable<std::optional<Response>> AuthApi::limit_client(const RequestContext& rc) {
    return client_limit_refusal(ctx_, ip_key_, rc);
}

asio::awaitable<Response> AuthApi::challenge(RequestContext& rc) {
    const auto v = rc.request.version();
    auto body = parse_json_object(rc.request);
    // "purpose": "vote" (the default) or "my-data" (the resident's report, any time).
    std::optional<std::string> purpose;
    if (auto* object = std::get_if<json::object>(&body)) {
        auto read = get_optional_string(*object, "purpose", 20);
        if (auto* rej = std::get_if<Rejection>(&read)) co_return rej->to_response(v);
        purpose = std::get<std::optional<std::string>>(read);
        if (purpose && *purpose != "vote" && *purpose != "my-data")
            co_return fail(Error::field_unknown_value, v,
                           {"purpose", "«\u00a0vote\u00a0» ou «\u00a0my-data\u00a0»"});
    }
    if (auto refused = refuse_step(rc.request, purpose == "my-data")) co_return std::move(*refused);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto field = get_string(std::get<json::object>(body), "email", 254);
    if (auto* rej = std::get_if<Rejection>(&field)) co_return rej->to_response(v);
    auto email = normalise_email(std::get<std::string>(field));
    auto mailbox = voting::canonical_mailbox(email);
    if (!plausible_email(email) || !mailbox) co_return fail(Error::invalid_email, v);
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);
    auto network = crypto::hmac_hex(ip_key_, client_network(rc.client_ip));
    co_return co_await send_code(std::move(email), mailbox_hash(*mailbox), std::move(network), v);
}

asio::awaitable<Response> AuthApi::send_code(std::string email, std::string mailbox_hash,
                                             std::string network_hash, unsigned version) {
    const auto& otp = ctx_.config.otp;
    const auto code = new_code();
    // max_codes_per_hour per client network; the address's ceiling lets ten networks ask as
    // much, so that one network's requests (an attacker's) never lock the resident out. Counted
    // per mailbox: "+1", "+2"... share the ceiling.
    const auto issued = co_await ctx_.stores.codes.issue(
        mailbox_hash, network_hash, code, otp.code_ttl, otp.max_codes_per_hour,
        otp.max_codes_per_hour * kAddressCeilingFactor);
    if (!issued) co_return fail(Error::storage_unavailable, version);
    if (!issued->issued)
        co_return fail_retry_after(Error::codes_rate_limited, version, issued->retry_after_s);
    // Sent to the address as typed: the resident's own "+tag" and dots, their filters.
    if (!co_await delivery_->send(email, code)) co_return fail(Error::delivery_failed, version);
    // The same answer for every address: whether anyone uses it is nobody's business.
    json::object sent{
        {"status", "sent"},
        {"message", "Si l’adresse est valide, un code à 6 chiffres vient d’y être envoyé."},
        {"valid_seconds", otp.code_ttl.count()}};
    co_return http::json_response(http::status::accepted, sent, version);
}

asio::awaitable<Response> AuthApi::check_code(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = refuse_step(rc.request)) co_return std::move(*refused);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto read = read_code_form(std::get<json::object>(body), v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& form = std::get<CodeForm>(read);
    // Counted with the verifications: this step is another way to try codes.
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);
    const auto probed = co_await ctx_.stores.codes.probe(
        mailbox_hash(form.mailbox), form.code, ctx_.config.otp.max_tries, ctx_.config.otp.code_ttl);
    if (!probed) co_return store_refusal(probed.error(), v);
    if (probed->outcome != storage::CodeCheck::ok)
        co_return code_refusal(probed->outcome, probed->tries_left, v);
    // Whether this person has voted is known here only when the mailbox verified an identity
    // before (its primary claim: the other claims are told by the verification).
    json::value already_voted = nullptr;
    if (!probed->bound_identity.empty()) {
        std::vector<std::string> claims(1, probed->bound_identity);
        const auto voted = co_await ctx_.stores.ballots.has_voted(std::move(claims));
        if (voted) already_voted = *voted;
    }
    json::object out{
        {"valid", true}, {"tries_left", probed->tries_left}, {"already_voted", already_voted}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> AuthApi::verify(RequestContext& rc) {
    const auto v = rc.request.version();
    if (auto refused = refuse_step(rc.request)) co_return std::move(*refused);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto read = read_verify_form(std::get<json::object>(body), v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& form = std::get<VerifyForm>(read);
    const auto min_age = ctx_.config.campaign.min_age;
    const auto* commune = ctx_.communes.find(form.commune);
    const auto eligible = voting::check_eligibility(
        form.person.birth_date, paris_today(ctx_.clock.now()), min_age, commune != nullptr);
    if (!eligible) {
        if (eligible.error() == voting::EligibilityError::not_resident)
            co_return unknown_commune_refusal(form.commune, v);
        co_return eligibility_refusal(eligible.error(), min_age, v);
    }
    // Before the code is used: an adult sent to FranceConnect keeps their code for nothing, but
    // their mailbox stays free.
    if (auto refused = email_method_refusal(ctx_.config.identity, eligible->age, v))
        co_return std::move(*refused);
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);
    co_return co_await open_session(form, *commune, rc.client_ip, v);
}

asio::awaitable<Response> AuthApi::open_session(const VerifyForm& form,
                                                const config::Commune& commune,
                                                std::string client_ip, unsigned version) {
    const auto& otp = ctx_.config.otp;
    auto keys = keyring_.keys_of(form.person);
    // read_verify_form checked the names: no keys would be our mistake.
    if (!keys) co_return fail(Error::invalid_name, version);
    // The mailbox is bound to the primary claim: the same person declared the same way (or
    // with a middle name added, or names swapped) opens a session again; another person, or
    // the same one declared too differently, is refused (email_already_used).
    const auto checked = co_await ctx_.stores.codes.check(
        mailbox_hash(form.mailbox), form.code, keys->primary, otp.max_tries,
        binding_ttl(ctx_.config, ctx_.clock.now(), otp.code_ttl), otp.code_ttl);
    if (!checked) co_return store_refusal(checked.error(), version);
    switch (checked->outcome) {
        case storage::CodeCheck::ok:
            break;
        case storage::CodeCheck::wrong:
            co_return wrong_code_refusal(checked->tries_left, version);
        case storage::CodeCheck::dead:
            co_return fail_with(Error::code_dead, version, {{"tries_left", 0}});
        case storage::CodeCheck::bound:
            co_return fail(Error::email_already_used, version);
    }
    // Said now, before the ballot page offers any choice (null if it cannot be read now: the
    // ballot itself would still be refused).
    const auto voted = co_await ctx_.stores.ballots.has_voted(keys->claims);
    // Sealed for the Mission's offline duplicate audit, never linked to the ballot; a person
    // who has voted already is no new identity.
    // (A named value: GCC 12 destroys a temporary passed to a coroutine twice.)
    if (!(voted && *voted)) {
        AuditedIdentity audited{.person = form.person,
                                .commune = commune.code,
                                .method = "email",
                                .email = form.email,
                                .client_ip = std::move(client_ip)};
        co_await ctx_.identity_audit.record(std::move(audited));
    }
    const VoterSession session{keys->primary, commune.territory,
                               ctx_.clock.now() + otp.session_ttl.count(), std::move(keys->claims),
                               storage::VoteMethod::email};
    co_return session_response(session, voted ? std::optional<bool>(*voted) : std::nullopt,
                               version);
}

Response AuthApi::session_response(const VoterSession& session, std::optional<bool> already_voted,
                                   unsigned version) const {
    const auto token = sessions_.issue(session);
    json::object out{{"token", token},
                     {"expires_at", config::format_paris_time(session.expires_unix)},
                     {"territory", session.territory}};
    if (already_voted)
        out["already_voted"] = *already_voted;
    else
        out["already_voted"] = nullptr;
    auto res = http::json_response(http::status::ok, out, version);
    res.set(http::field::set_cookie,
            voter_cookie(token, ctx_.config.otp.session_ttl, ctx_.config.tls.enabled()));
    return res;
}

asio::awaitable<Response> AuthApi::communes(RequestContext& rc) {
    // About 80 KB that a resident's phone fetches once a day at most: compressed as the client
    // allows, kept a day by caches, revalidated by its ETag.
    co_return http::respond_with(rc.request, communes_, "application/json; charset=utf-8",
                                 "public, max-age=86400");
}

}  // namespace budget::server::api
