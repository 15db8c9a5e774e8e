#include "server/voter_api.hpp"

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <stdexcept>

#include "config/paris_time.hpp"
#include "server/api_error.hpp"
#include "server/campaign_store.hpp"
#include "server/json_body.hpp"
#include "server/log.hpp"
#include "server/redis_keys.hpp"
#include "server/voter_scripts.hpp"
#include "voting/ballot.hpp"
#include "voting/eligibility.hpp"
#include "voting/merkle.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// format_paris_time(now), computed once per second per thread: every ballot's receipt needs it.
std::string paris_time_cached(std::int64_t unix) {
    struct SecondCache {
        std::int64_t second = 0;
        std::string text;
    };
    thread_local SecondCache cache;
    if (cache.text.empty() || cache.second != unix) {
        cache.text = config::format_paris_time(unix);
        cache.second = unix;
    }
    return cache.text;
}

// The "choices" of a ballot request. The JSON tree is built in a buffer on the stack and dropped
// once the ids are copied out: no allocation for it on the ballot path.
std::variant<std::vector<std::string>, Rejection> requested_choices(const Request& req) {
    std::array<unsigned char, 4096> buffer;
    json::monotonic_resource resource(buffer.data(), buffer.size());
    auto body = parse_json_object(req, &resource);
    if (auto* rej = std::get_if<Rejection>(&body)) return std::move(*rej);
    return get_string_array(std::get<json::object>(body), "choices", 100);
}

// "YYYY-MM-DD" of the civil day in Paris at that instant.
std::string paris_day(std::int64_t unix) { return config::format_paris_time(unix).substr(0, 10); }

std::string french_date(const std::string& rfc3339_paris) {
    static const char* kMonths[] = {"janvier",   "février", "mars",     "avril",
                                    "mai",       "juin",    "juillet",  "août",
                                    "septembre", "octobre", "novembre", "décembre"};
    const int day = std::stoi(rfc3339_paris.substr(8, 2));
    const int month = std::stoi(rfc3339_paris.substr(5, 2));
    return std::to_string(day) + (day == 1 ? "er " : " ") + kMonths[month - 1] + " " +
           rfc3339_paris.substr(0, 4) + " à " + rfc3339_paris.substr(11, 5);
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        auto part = header.substr(0, semi);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        if (semi == std::string_view::npos) break;
        header.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

constexpr std::string_view kVoterCookie = "budget_voter";

// 503 when the ballot was sent to Redis but its fate is unknown (timeout, lost connection,
// replicas not confirmed): the resident must not be told that nothing was recorded.
Response outcome_unknown(unsigned version) {
    return error_response(
        ApiError::storage_unavailable, version,
        std::string("Nous n'avons pas pu confirmer l'enregistrement de votre vote. "
                    "Réessayez dans quelques instants : si votre vote a bien été "
                    "enregistré, le site vous l'indiquera."),
        std::string("ballot_outcome_unknown"));
}

}  // namespace

// ---------------------------------------------------------------- sessions and addresses

VoterSessions::VoterSessions(const crypto::Key32& pepper, std::string campaign)
    : key_(crypto::derive_key(pepper, "voter-session")), campaign_(std::move(campaign)) {}

std::string VoterSessions::issue(const VoterSession& s) const {
    return crypto::seal_token(key_, "v1|" + campaign_ + "|" + s.identity_key + "|" + s.territory +
                                        "|" + std::to_string(s.expires_unix));
}

std::optional<VoterSession> VoterSessions::open(std::string_view token, std::int64_t now) const {
    const auto plain = crypto::open_token(key_, token);
    if (!plain) return std::nullopt;
    std::array<std::string_view, 5> parts;
    std::string_view rest = *plain;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto bar = rest.find('|');
        if ((bar == std::string_view::npos) != (i + 1 == parts.size())) return std::nullopt;
        parts[i] = rest.substr(0, bar);
        rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 1);
    }
    if (parts[0] != "v1" || parts[1] != campaign_) return std::nullopt;
    VoterSession s{std::string(parts[2]), std::string(parts[3]), 0};
    const auto [end, ec] =
        std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), s.expires_unix);
    if (ec != std::errc() || end != parts[4].data() + parts[4].size()) return std::nullopt;
    if (s.expires_unix < now) return std::nullopt;
    return s;
}

std::string normalise_email(std::string_view email) {
    while (!email.empty() && email.front() == ' ') email.remove_prefix(1);
    while (!email.empty() && email.back() == ' ') email.remove_suffix(1);
    std::string out(email);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool plausible_email(std::string_view email) {
    if (email.size() < 3 || email.size() > 254) return false;
    const auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos ||
        email.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = email.substr(at + 1);
    if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.')
        return false;
    for (const char c : email) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
            c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
            return false;
    }
    return true;
}

// ---------------------------------------------------------------- the API

VoterApi::VoterApi(AppContext& ctx)
    : ctx_(ctx),
      identity_key_(crypto::derive_key(ctx.pepper, "identity")),
      email_key_(crypto::derive_key(ctx.pepper, "email")),
      otp_key_(crypto::derive_key(ctx.pepper, "otp")),
      ip_key_(crypto::derive_key(ctx.pepper, "client-address")),
      retry_key_(crypto::derive_key(ctx.pepper, "ballot-retry")),
      sessions_(ctx.pepper, ctx.config.campaign.id),
      delivery_(make_delivery(ctx.config.otp, ctx.blocking_pool)),
      cast_ballot_(scripts::kCastBallot),
      issue_code_(scripts::kIssueCode),
      check_code_(scripts::kCheckCode),
      rate_count_(scripts::kRateCount),
      agree_shards_(scripts::kAgreeShards) {
    for (const auto* s : {&cast_ballot_, &issue_code_, &check_code_, &rate_count_})
        ctx.redis.preload(*s);
    // The commune list for the form's autocomplete never changes while running: serialise once.
    json::array list;
    for (const auto& [code, c] : ctx.communes.communes()) {
        json::array postal(c.postal_codes.begin(), c.postal_codes.end());
        list.push_back(json::object{{"code", code},
                                    {"name", c.name},
                                    {"postal_codes", postal},
                                    {"territory", c.territory}});
    }
    json::array territories;
    for (const auto& t : ctx.communes.territories()) {
        territories.push_back(json::object{{"id", t.id}, {"label", t.label}});
    }
    communes_json_ =
        json::serialize(json::object{{"communes", list}, {"territories", territories}});
}

VoterApi::~VoterApi() = default;

void VoterApi::register_routes(Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    router.add(http::verb::post, "/api/v1/auth/challenge", bind(&VoterApi::challenge));
    router.add(http::verb::post, "/api/v1/auth/verify", bind(&VoterApi::verify));
    router.add(http::verb::post, "/api/v1/ballots", bind(&VoterApi::cast_ballot));
    router.add(http::verb::get, "/api/v1/communes", bind(&VoterApi::communes));
}

std::string VoterApi::email_key(const std::string& normalised_email) const {
    // The tag keeps one address's code, counter and binding in one slot; no raw address is stored.
    const auto h = crypto::hmac_hex(email_key_, normalised_email);
    return "budget:{c" + ctx_.config.campaign.id + ":e" + h.substr(0, 32) + "}:";
}

std::string VoterApi::shard_tag(const std::string& identity_key) const {
    const auto shards = static_cast<unsigned long>(ctx_.config.redis.ballot_shards);
    // The first 32 bits of the (hex) identity key; from_chars rather than stoul(substr()): this
    // runs for every ballot.
    unsigned long prefix = 0;
    const auto* first = identity_key.data();
    const auto [end, ec] =
        std::from_chars(first, first + std::min<std::size_t>(identity_key.size(), 8), prefix, 16);
    if (ec != std::errc() || end == first) throw std::invalid_argument("identity key is not hex");
    const auto shard = prefix % shards;
    return "budget:{c" + ctx_.config.campaign.id + ":b" + std::to_string(shard) + "}:";
}

asio::awaitable<std::optional<Response>> VoterApi::limit_client(const RequestContext& rc) {
    const auto key = "budget:{c" + ctx_.config.campaign.id +
                     ":ip}:" + crypto::hmac_hex(ip_key_, rc.client_ip).substr(0, 32);
    std::vector<std::string> keys{key};
    std::vector<std::string> args{std::to_string(ctx_.config.otp.max_requests_per_ip_hour), "3600"};
    auto r = co_await ctx_.redis.eval(rate_count_, std::move(keys), std::move(args));
    if (!r || r->is_error() || r->elements.size() != 2) {
        co_return error_response(ApiError::storage_unavailable, rc.request.version());
    }
    if (r->elements[0].integer > ctx_.config.otp.max_requests_per_ip_hour) {
        auto res = error_response(ApiError::rate_limited, rc.request.version());
        res.set(http::field::retry_after,
                std::to_string(std::max<long long>(1, r->elements[1].integer)));
        co_return res;
    }
    co_return std::nullopt;
}

asio::awaitable<Response> VoterApi::challenge(RequestContext& rc) {
    const auto v = rc.request.version();
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto email_field = get_string(std::get<json::object>(body), "email", 254);
    if (auto* rej = std::get_if<Rejection>(&email_field)) co_return rej->to_response(v);
    const auto email = normalise_email(std::get<std::string>(email_field));
    if (!plausible_email(email)) {
        co_return reject(ApiError::unprocessable, v, "invalid_email",
                         "L'adresse électronique n'est pas valide.");
    }
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);

    const auto code_text = [] {
        auto n = std::to_string(crypto::random_below(1'000'000));
        return std::string(6 - n.size(), '0') + n;
    }();
    const auto prefix = email_key(email);
    std::vector<std::string> keys{prefix + "otp", prefix + "codes"};
    std::vector<std::string> args{crypto::hmac_hex(otp_key_, prefix + code_text),
                                  std::to_string(ctx_.config.otp.code_ttl.count()),
                                  std::to_string(ctx_.config.otp.max_codes_per_hour), "3600"};
    auto r = co_await ctx_.redis.eval(issue_code_, std::move(keys), std::move(args));
    if (!r || r->is_error() || r->elements.size() != 2) {
        co_return error_response(ApiError::storage_unavailable, v);
    }
    if (r->elements[0].integer == 0) {
        auto res = reject(ApiError::rate_limited, v, "rate_limited",
                          "Trop de codes demandés pour cette adresse. Réessayez dans une heure.");
        res.set(http::field::retry_after,
                std::to_string(std::max<long long>(1, r->elements[1].integer)));
        co_return res;
    }
    if (!co_await delivery_->send(email, code_text)) {
        co_return reject(ApiError::storage_unavailable, v, "delivery_failed",
                         "Le code n'a pas pu être envoyé. Réessayez dans quelques instants.");
    }
    // The same answer for every address: whether anyone uses it is nobody's business.
    json::object ok{
        {"status", "sent"},
        {"message", "Si l'adresse est valide, un code à 6 chiffres vient d'y être envoyé."},
        {"valid_seconds", ctx_.config.otp.code_ttl.count()}};
    co_return json_response(http::status::accepted, ok, v);
}

asio::awaitable<Response> VoterApi::verify(RequestContext& rc) {
    const auto v = rc.request.version();
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const auto& o = std::get<json::object>(body);
    std::string fields[6];
    const char* names[6] = {"email", "code", "first_name", "last_name", "birth_date", "commune"};
    for (int i = 0; i < 6; ++i) {
        auto f = get_string(o, names[i], i == 0 ? 254 : 100);
        if (auto* rej = std::get_if<Rejection>(&f)) co_return rej->to_response(v);
        fields[i] = std::move(std::get<std::string>(f));
    }
    const auto email = normalise_email(fields[0]);
    const auto& code = fields[1];
    if (!plausible_email(email)) {
        co_return reject(ApiError::unprocessable, v, "invalid_email",
                         "L'adresse électronique n'est pas valide.");
    }
    const auto first = voting::normalise_name(fields[2]);
    const auto last = voting::normalise_name(fields[3]);
    if (!first || !last) {
        co_return reject(
            ApiError::unprocessable, v, "invalid_name",
            "Le prénom et le nom ne doivent contenir que des lettres, des espaces, des "
            "traits d'union ou des apostrophes.");
    }
    const auto birth = voting::parse_date(fields[4]);
    if (!birth) {
        co_return reject(ApiError::unprocessable, v, "invalid_birth_date",
                         "La date de naissance doit être une date réelle au format AAAA-MM-JJ.");
    }
    if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos) {
        co_return reject(ApiError::not_authenticated, v, "invalid_code",
                         "Le code doit comporter 6 chiffres.");
    }
    const auto now = config::unix_now();
    const auto today = *voting::parse_date(paris_day(now));
    const auto* commune = ctx_.communes.find(fields[5]);
    const auto eligible =
        voting::check_eligibility(*birth, today, ctx_.config.campaign.min_age, commune != nullptr);
    if (!eligible) {
        switch (eligible.error()) {
            case voting::EligibilityError::invalid_birth_date:
                co_return reject(ApiError::unprocessable, v, "invalid_birth_date",
                                 "La date de naissance n'est pas plausible.");
            case voting::EligibilityError::too_young:
                co_return reject(ApiError::forbidden, v, "too_young",
                                 "Il faut avoir au moins " +
                                     std::to_string(ctx_.config.campaign.min_age) +
                                     " ans le jour du vote pour participer.");
            case voting::EligibilityError::not_resident:
                co_return reject(ApiError::forbidden, v, "not_resident",
                                 "Le vote est réservé aux habitants du Pas-de-Calais : la commune "
                                 "indiquée n'en fait pas partie.");
        }
    }
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);

    const auto identity =
        crypto::hmac_hex(identity_key_, voting::identity_material(*first, *last, *birth));
    const auto prefix = email_key(email);
    std::vector<std::string> keys{prefix + "otp", prefix + "identity"};
    // The binding outlives the campaign's vote: an address serves one person for the campaign.
    std::vector<std::string> args{crypto::hmac_hex(otp_key_, prefix + code), identity,
                                  std::to_string(ctx_.config.otp.max_tries),
                                  std::to_string(400 * 24 * 3600)};
    auto r = co_await ctx_.redis.eval(check_code_, std::move(keys), std::move(args));
    if (!r || r->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    if (r->str == "wrong") {
        co_return reject(ApiError::not_authenticated, v, "invalid_code",
                         "Code incorrect. Vérifiez le code reçu par courriel.");
    }
    if (r->str == "dead") {
        co_return reject(
            ApiError::not_authenticated, v, "invalid_code",
            "Ce code n'est plus valable (expiré ou trop d'essais). Demandez un nouveau code.");
    }
    if (r->str == "bound") {
        co_return reject(ApiError::conflict, v, "email_already_used",
                         "Cette adresse électronique a déjà servi à vérifier une autre personne.");
    }
    if (r->str != "ok") co_return error_response(ApiError::internal, v);

    const VoterSession session{identity, commune->territory,
                               now + ctx_.config.otp.session_ttl.count()};
    const auto token = sessions_.issue(session);
    json::object out{{"token", token},
                     {"expires_at", config::format_paris_time(session.expires_unix)},
                     {"territory", commune->territory}};
    auto res = json_response(http::status::ok, out, v);
    res.set(http::field::set_cookie, std::string(kVoterCookie) + "=" + token +
                                         "; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=" +
                                         std::to_string(ctx_.config.otp.session_ttl.count()) +
                                         (ctx_.config.tls.enabled() ? "; Secure" : ""));
    co_return res;
}

std::optional<VoterSession> VoterApi::session_of(const Request& req, std::int64_t now) const {
    const auto auth = req[http::field::authorization];
    if (auth.size() > 7 && auth.substr(0, 7) == "Bearer ")
        return sessions_.open(auth.substr(7), now);
    if (auto token = cookie_value(req[http::field::cookie], kVoterCookie))
        return sessions_.open(*token, now);
    return std::nullopt;
}

std::optional<bool> VoterApi::known_durability(std::int64_t now) const {
    if (!ctx_.config.server.production || ctx_.config.redis.wait_replicas > 0) return true;
    // Re-read Redis's settings every few seconds (every second while not durable, so that the
    // vote reopens promptly once an operator fixes the persistence).
    if (now - durability_checked_at_.load() < (durable_.load() ? 5 : 1)) return durable_.load();
    return std::nullopt;
}

asio::awaitable<bool> VoterApi::storage_is_durable() {
    const auto now = config::unix_now();
    if (const auto known = known_durability(now)) co_return *known;
    // Every master holds ballots (Redis Cluster spreads the shards): each must persist them.
    std::vector<std::string> cmd{"CONFIG", "GET", "append*"};
    const auto replies = co_await ctx_.redis.command_on_masters(std::move(cmd));
    bool ok = !replies.empty();
    for (const auto& r : replies) {
        if (!r || r->is_error()) co_return false;
        bool aof = false, always = false;
        for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
            if (r->elements[i].str == "appendonly") aof = r->elements[i + 1].str == "yes";
            if (r->elements[i].str == "appendfsync") always = r->elements[i + 1].str == "always";
        }
        ok = ok && aof && always;
    }
    if (!ok && durable_.load()) log_event("error", "storage_not_durable");
    durable_ = ok;
    durability_checked_at_ = now;
    co_return ok;
}

// The ballot path is cut into synchronous steps around its few co_awaits. A coroutine's frame
// holds every local of its body and is allocated on every call: with all of them it was 1.2 KB
// (GCC 12), past glibc's per-thread cache (1 KB), and that one malloc cost some 2,400
// instructions per ballot. Keep cast_ballot's frame small (now 0.9 KB).

std::variant<VoterApi::BallotRequest, Response> VoterApi::read_ballot_request(
    const Request& req, std::int64_t now) const {
    const auto v = req.version();
    const auto& campaign = ctx_.config.campaign;
    if (now < campaign.vote_opens_unix || now > campaign.vote_closes_unix) {
        return reject(ApiError::forbidden, v, "vote_not_open",
                      "Le vote n'est pas ouvert : il a lieu du " +
                          french_date(config::format_paris_time(campaign.vote_opens_unix)) +
                          " au " +
                          french_date(config::format_paris_time(campaign.vote_closes_unix)) + ".");
    }
    auto session = session_of(req, now);
    if (!session) {
        return reject(ApiError::not_authenticated, v, "not_authenticated",
                      "Votre session a expiré ou n'existe pas : vérifiez de nouveau votre adresse "
                      "électronique pour voter.");
    }
    auto choices = requested_choices(req);
    if (auto* rej = std::get_if<Rejection>(&choices)) return rej->to_response(v);
    return BallotRequest{std::move(*session),
                         std::move(std::get<std::vector<std::string>>(choices))};
}

std::variant<std::vector<std::string>, Response> VoterApi::check_choices(
    const std::vector<std::string>& choices, const SealedBallot& sealed, unsigned version) const {
    const auto max_choices = ctx_.config.campaign.max_choices;
    auto valid = voting::validate_choices(
        choices, max_choices, [&](std::string_view id) { return sealed.find(id) != nullptr; });
    if (!valid) {
        return reject(ApiError::unprocessable, version, "invalid_choices",
                      voting::describe(valid.error(), max_choices));
    }
    return std::move(*valid);
}

VoterApi::PreparedBallot VoterApi::prepare_ballot(const VoterSession& session,
                                                  const std::vector<std::string>& sorted_choices,
                                                  std::int64_t now) const {
    PreparedBallot b;
    b.cast_at = paris_time_cached(now);  // once: the day and the receipt use it
    b.ballot_id = crypto::random_hex(16);
    auto bytes = voting::canonical_ballot(b.ballot_id, sorted_choices);
    b.ballot_hash = voting::to_hex(voting::leaf_hash(bytes));
    b.tag = shard_tag(session.identity_key);
    const auto& tag = b.tag;
    // Appended in place rather than from initializer lists, which copy every string once more.
    const auto key = [&tag](std::string_view a, std::string_view b = {}) {
        std::string k;
        k.reserve(tag.size() + a.size() + b.size());
        k.append(tag).append(a).append(b);
        return k;
    };
    b.keys.reserve(4);
    b.keys.push_back(key("voted:", session.identity_key));
    b.keys.push_back(key("log"));
    b.keys.push_back(key("receipts"));
    b.keys.push_back(key("stats"));
    b.args.reserve(4);
    b.args.push_back(std::move(bytes));
    b.args.push_back(b.ballot_id);
    b.args.push_back(b.cast_at.substr(0, 10));
    b.args.push_back(session.territory);
    return b;
}

void VoterApi::add_retry_key(PreparedBallot& b, const VoterSession& session,
                             std::string_view idempotency_key) const {
    // Bound to the identity: another resident sending the same key finds nothing. Kept a day,
    // long enough for any retry, never linked to the ballot outside this script's keys.
    std::string bound = session.identity_key;
    bound.append(":").append(idempotency_key);
    b.keys.push_back(b.tag + "retry:" + crypto::hmac_hex(retry_key_, bound).substr(0, 32));
    b.args.push_back(receipt_json(b));
    b.args.emplace_back("86400");
}

bool VoterApi::ballot_recorded(const redis::Result& r) {
    return r && ((r->type == redis::Reply::Type::integer && r->integer >= 0) ||
                 r->type == redis::Reply::Type::string);
}

Response VoterApi::ballot_refusal(const redis::Result& r, unsigned version) const {
    if (!r && r.error() != redis::Errc::unavailable) {
        // Sent, but no answer: the script may have run. Saying "nothing was saved" could be false.
        return outcome_unknown(version);
    }
    if (!r || r->is_error() || r->type != redis::Reply::Type::integer) {
        if (r && r->is_error()) log_event("error", "ballot_script_failed", {{"reason", r->str}});
        return error_response(ApiError::storage_unavailable, version);
    }
    return reject(ApiError::conflict, version, "already_voted",
                  "Vous avez déjà voté pour ce budget citoyen : une seule participation par "
                  "personne est possible.");
}

std::string VoterApi::receipt_json(const PreparedBallot& b) {
    // What json::serialize writes for {"receipt":{"ballot_id","ballot_hash","cast_at"}}, without
    // building the tree: hex digits and a timestamp need no escaping.
    std::string body;
    body.reserve(160);
    body.append(R"({"receipt":{"ballot_id":")")
        .append(b.ballot_id)
        .append(R"(","ballot_hash":")")
        .append(b.ballot_hash)
        .append(R"(","cast_at":")")
        .append(b.cast_at)
        .append(R"("}})");
    return body;
}

Response VoterApi::receipt_for(const redis::Result& r, const PreparedBallot& b, unsigned version) {
    // A string is the receipt of the same request, recorded earlier: the one the resident lost.
    auto body = r->type == redis::Reply::Type::string ? r->str : receipt_json(b);
    return text_response(http::status::created, std::move(body), "application/json; charset=utf-8",
                         version);
}

namespace {

bool valid_idempotency_key(std::string_view key) {
    return key.size() >= 16 && key.size() <= 64 &&
           key.find_first_not_of(
               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string_view::npos;
}

Response storage_not_durable(unsigned version) {
    return reject(ApiError::storage_unavailable, version, "storage_not_durable",
                  "Le vote est momentanément suspendu. Réessayez dans quelques instants ; rien "
                  "n'a été enregistré.");
}

}  // namespace

asio::awaitable<Response> VoterApi::cast_ballot(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto now = config::unix_now();
    auto request = read_ballot_request(rc.request, now);
    if (auto* refused = std::get_if<Response>(&request)) co_return std::move(*refused);
    const auto& [session, choices] = std::get<BallotRequest>(request);
    const auto idempotency_key = rc.request["Idempotency-Key"];
    if (!idempotency_key.empty() && !valid_idempotency_key(idempotency_key)) {
        co_return reject(
            ApiError::invalid_field, v, "invalid_idempotency_key",
            "L'en-tête Idempotency-Key doit compter de 16 à 64 lettres, chiffres, « - » "
            "ou « _ ».");
    }

    // Once loaded, the ballot is taken from memory without entering a coroutine.
    auto sealed = ctx_.campaign_store->cached_ballot();
    if (!sealed) sealed = co_await load_sealed_ballot();
    if (!sealed) co_return error_response(ApiError::storage_unavailable, v);
    auto valid = check_choices(choices, *sealed, v);
    if (auto* refused = std::get_if<Response>(&valid)) co_return std::move(*refused);
    const auto durability = known_durability(config::unix_now());
    if (!(durability ? *durability : co_await storage_is_durable())) {
        co_return storage_not_durable(v);
    }
    if (!shards_agreed_.load(std::memory_order_relaxed) && !co_await shards_agreed()) {
        co_return reject(ApiError::storage_unavailable, v, "storage_misconfigured",
                         "Le vote est momentanément suspendu. Réessayez plus tard ; rien n'a été "
                         "enregistré.");
    }

    auto ballot = prepare_ballot(session, std::get<std::vector<std::string>>(valid), now);
    if (!idempotency_key.empty()) add_retry_key(ballot, session, idempotency_key);
    if (ctx_.config.redis.wait_replicas > 0)
        co_return co_await cast_replicated(std::move(ballot), v);
    const auto r =
        co_await ctx_.redis.eval(cast_ballot_, std::move(ballot.keys), std::move(ballot.args));
    if (!ballot_recorded(r)) co_return ballot_refusal(r, v);
    co_return receipt_for(r, ballot, v);
}

asio::awaitable<bool> VoterApi::shards_agreed() {
    const auto mine = std::to_string(ctx_.config.redis.ballot_shards);
    std::vector<std::string> key(1, keys::ballot_shards(ctx_.config.campaign.id));
    std::vector<std::string> arg(1, mine);  // not braced lists: GCC 12 coroutines
    auto r = co_await ctx_.redis.eval(agree_shards_, std::move(key), std::move(arg));
    if (!r || r->type != redis::Reply::Type::string) co_return false;
    if (r->str != mine) {
        log_event("error", "ballot_shards_mismatch",
                  {{"configured", ctx_.config.redis.ballot_shards}, {"campaign", r->str}});
        co_return false;
    }
    shards_agreed_ = true;
    co_return true;
}

asio::awaitable<std::shared_ptr<const SealedBallot>> VoterApi::load_sealed_ballot() {
    auto loaded = co_await ctx_.campaign_store->sealed_ballot();
    if (!loaded) co_return nullptr;
    co_return std::move(*loaded);
}

asio::awaitable<Response> VoterApi::cast_replicated(PreparedBallot ballot, unsigned version) {
    // WAIT right behind the script on its connection: WAIT counts that connection's writes.
    const int replicas = ctx_.config.redis.wait_replicas;
    const auto replies = co_await ctx_.redis.eval_and_wait(cast_ballot_, std::move(ballot.keys),
                                                           std::move(ballot.args), replicas,
                                                           ctx_.config.redis.wait_timeout);
    if (!ballot_recorded(replies.first)) co_return ballot_refusal(replies.first, version);
    const auto& acked = replies.second;
    if (!acked || acked->type != redis::Reply::Type::integer || acked->integer < replicas) {
        // Stored on the primary but not yet on enough replicas: no receipt is promised.
        log_event("warn", "ballot_wait_unsatisfied");
        co_return outcome_unknown(version);
    }
    co_return receipt_for(replies.first, ballot, version);
}

asio::awaitable<Response> VoterApi::communes(RequestContext& rc) {
    auto res = text_response(http::status::ok, communes_json_, "application/json; charset=utf-8",
                             rc.request.version());
    res.set(http::field::cache_control, "public, max-age=86400");
    co_return res;
}

}  // namespace budget::server
