#pragma once
// What the holder and Mission integration tests share (issue 17): a campaign whose config has a
// call for initiatives ([campaign] call_opens/call_closes) and [holders] limits, budgetd started
// on it, holders signed in through the outbox, staff logged in, PDFs to attach.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tests/server/support/campaign_fixture.hpp"

namespace budget::test::holders {

namespace json = boost::json;

inline constexpr std::int64_t kDay = 86400;

/// A signed-in holder: the cookie and the CSRF token its writes send.
struct Holder {
    int port = 0;
    std::string email;
    std::string cookie;
    std::string csrf;

    HttpResult get(const std::string& path) const {
        return http_request(port, "GET", path, "", {{"Cookie", cookie}});
    }
    /// A write with the cookie and the CSRF token (and `headers`, which win).
    HttpResult send(const std::string& method, const std::string& path, const std::string& body,
                    std::map<std::string, std::string> headers = {}) const {
        headers.emplace("Cookie", cookie);
        headers.emplace("X-CSRF-Token", csrf);
        headers.emplace("Content-Type", "application/json");
        return http_request(port, method, path, body, headers);
    }
    HttpResult send(const std::string& method, const std::string& path,
                    const json::object& body) const {
        return send(method, path, json::serialize(body));
    }
    HttpResult upload(const std::string& id, const std::string& bytes,
                      const std::string& name = "statuts.pdf",
                      const std::string& type = "application/pdf") const {
        return http_request(
            port, "POST", "/api/v1/holder/applications/" + id + "/attachments?name=" + name, bytes,
            {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", type}});
    }
};

inline json::value json_of(const HttpResult& r) { return json::parse(r.body); }

/// The text of a JSON string (for comparisons with std::string).
inline std::string text(const json::value& v) { return std::string(v.as_string()); }

inline std::string error_code_of(const HttpResult& r) {
    const auto body = json::parse(r.body);
    return std::string(body.at("error").at("code").as_string());
}

/// A small PDF by its content; `tag` makes the bytes (and the SHA-256) differ.
inline std::string pdf(const std::string& tag = "a", std::size_t padding = 0) {
    return "%PDF-1.4\n% " + tag + "\n" + std::string(padding, 'x') +
           "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

/// A complete file in the shipped Arras commune, every question answered `answer`.
inline json::object complete_body(const json::value& questionnaire_markers, int answer = 3) {
    json::object answers;
    for (const auto& marker : questionnaire_markers.as_array())
        for (const auto& q : marker.at("questions").as_array())
            answers[q.at("id").as_string()] = answer;
    return {{"holder", "Association La Ressourcerie"},
            {"legal_form", "association"},
            {"siret", "732 829 320 00074"},
            {"contact_name", "Camille Martin"},
            {"contact_email", "camille@example.org"},
            {"contact_phone", "03 21 00 00 00"},
            {"commune", "62041"},
            {"title", "Ressourcerie solidaire"},
            {"summary", "Réparer et revendre des objets, avec des salariés en insertion."},
            {"description", "Une ressourcerie au cœur d’Arras.\nAtelier, boutique, ateliers."},
            {"requested_eur", 4000},
            {"self_assessment", std::move(answers)}};
}

/// A campaign with a call for initiatives; budgetd is started by start().
class HolderCampaign {
  public:
    /// `call` and `vote`: windows relative to now, in seconds.
    HolderCampaign(VoteWindow call, VoteWindow vote, std::string holders_lines = "")
        : campaign_(make_config(vote), CampaignLaunch{.start_budgetd = false}),
          call_(std::move(call)),
          holders_lines_(std::move(holders_lines)) {
        start();
    }

    /// The fixture's config with the call's dates in [campaign] and the [holders] section.
    std::string toml() const {
        auto text = campaign_.config_toml();
        const auto at = text.find("vote_closes = ");
        REQUIRE(at != std::string::npos);
        const auto end = text.find('\n', at) + 1;
        text.insert(
            end, "call_opens = \"" + call_.opens + "\"\ncall_closes = \"" + call_.closes + "\"\n");
        return text + "[holders]\n" + holders_lines_;
    }
    /// Starts (or restarts) budgetd on toml(); Redis and the data directory are kept.
    void start() {
        budgetd_.reset();
        budgetd_ = std::make_unique<Budgetd>(campaign_.dir(), toml());
    }
    /// Restarts budgetd with other windows (the call closed, the vote opened...).
    void restart(VoteWindow call, VoteWindow vote) {
        call_ = std::move(call);
        campaign_.config().window = std::move(vote);
        start();
    }
    int port() const { return budgetd_->port(); }
    TestCampaign& campaign() { return campaign_; }
    const std::string& dir() const { return campaign_.dir(); }

    HttpResult challenge(const std::string& email) {
        return http_request(port(), "POST", "/api/v1/holder/challenge",
                            json::serialize(json::object{{"email", email}}),
                            {{"Content-Type", "application/json"}});
    }
    HttpResult verify(const std::string& email, const std::string& code) {
        return http_request(port(), "POST", "/api/v1/holder/verify",
                            json::serialize(json::object{{"email", email}, {"code", code}}),
                            {{"Content-Type", "application/json"}});
    }
    /// Challenge, the code from the outbox, verify (REQUIREd): the holder signed in.
    Holder sign_in(const std::string& email) {
        const auto sent = challenge(email);
        INFO(sent.body);
        REQUIRE(sent.status == 202);
        // The code goes to the address as normalised (trimmed, lower case).
        std::string lower = email;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const auto code = campaign_.last_code(lower);
        REQUIRE(code.size() == 6);
        const auto r = verify(email, code);
        INFO(r.body);
        REQUIRE(r.status == 200);
        const auto& set_cookie = r.headers.at("set-cookie");
        return {port(), email, set_cookie.substr(0, set_cookie.find(';')),
                std::string(json_of(r).at("csrf_token").as_string())};
    }
    /// The account `<role>user` made with budgetctl (on this config), logged in.
    StaffSession staff(const std::string& role) {
        { std::ofstream(campaign_.config_path()) << toml(); }
        campaign_.add_staff(role, role + "user", kStaffPassword, /*replace=*/true);
        const auto r = http_request(port(), "POST", "/api/v1/admin/login",
                                    json::serialize(json::object{{"username", role + "user"},
                                                                 {"password", kStaffPassword}}),
                                    {{"Content-Type", "application/json"}});
        INFO(r.body);
        REQUIRE(r.status == 200);
        const auto& set_cookie = r.headers.at("set-cookie");
        return {port(), set_cookie.substr(0, set_cookie.find(';')),
                std::string(json_of(r).at("csrf_token").as_string())};
    }

  private:
    static EngineConfig make_config(VoteWindow vote) {
        EngineConfig config;
        config.window = std::move(vote);
        return config;
    }

    TestCampaign campaign_;
    VoteWindow call_;
    std::string holders_lines_;
    std::unique_ptr<Budgetd> budgetd_;
};

/// The call open now, the vote in two days.
inline VoteWindow call_open_now() { return VoteWindow::relative(-3600, kDay); }
inline VoteWindow vote_later() { return VoteWindow::relative(2 * kDay, 3 * kDay); }

}  // namespace budget::test::holders
