#pragma once
// Initiative holders (issue 17, docs/api.md "Initiative holders"): sign-in without password by a
// one-time code sent to their e-mail address (the residents' machinery: the same delivery and
// code store, with their own keys and limits), a session cookie with CSRF and Origin checks like
// the staff's, and their applications: create, save as a draft, submit, edit until the call
// closes, attach up to 3 PDFs, read their own radar and the history of their file.
//
//   POST   /api/v1/holder/challenge {"email"}            -> 202
//   POST   /api/v1/holder/verify    {"email","code"}     -> 200 {"email","csrf_token"} + cookie
//   GET    /api/v1/holder/me                             -> 200 {"email","csrf_token"}
//   POST   /api/v1/holder/logout                         -> 204
//   GET    /api/v1/holder/questionnaire                  -> 200 the committee's questions
//   GET    /api/v1/holder/applications                   -> 200 {"applications",...}
//   POST   /api/v1/holder/applications                   -> 201 Application
//   GET    /api/v1/holder/applications/{id}              -> 200 Application
//   PUT    /api/v1/holder/applications/{id}              -> 200 Application
//   POST   /api/v1/holder/applications/{id}/submit       -> 200 Application
//   POST   /api/v1/holder/applications/{id}/attachments?name=...   (raw PDF)   -> 201
//   DELETE /api/v1/holder/applications/{id}/attachments/{sha256}              -> 200
//   GET    /api/v1/holder/applications/{id}/radar.svg    -> 200 image/svg+xml
//
// Another holder's file answers exactly as an unknown id (404 application_not_found). Every
// write is checked whole before the store is called; the store's script checks the status and
// that nobody wrote in between (stale: read again and retry).

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/holder_guard.hpp"
#include "server/api/otp_delivery.hpp"
#include "server/http/router.hpp"
#include "server/storage/application_store.hpp"

namespace budget::server::api {

/// Whether `id` has the shape of an application id: "d-" and 10 lower-case hex digits.
bool is_application_id(std::string_view id);

/// The refusal of a holder's write outside the call for initiatives (409 call_not_open, naming
/// its dates); std::nullopt while it is open.
std::optional<Response> call_refusal(const config::CampaignConfig& campaign, std::int64_t now,
                                     unsigned version);

class HolderApi {
  public:
    explicit HolderApi(AppContext& ctx);
    ~HolderApi();
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> challenge(RequestContext& rc);
    boost::asio::awaitable<Response> verify(RequestContext& rc);
    boost::asio::awaitable<Response> me(RequestContext& rc);
    boost::asio::awaitable<Response> logout(RequestContext& rc);
    boost::asio::awaitable<Response> questionnaire(RequestContext& rc);
    boost::asio::awaitable<Response> list(RequestContext& rc);
    boost::asio::awaitable<Response> create(RequestContext& rc);
    boost::asio::awaitable<Response> get(RequestContext& rc);
    boost::asio::awaitable<Response> update(RequestContext& rc);
    boost::asio::awaitable<Response> submit(RequestContext& rc);
    boost::asio::awaitable<Response> add_attachment(RequestContext& rc);
    boost::asio::awaitable<Response> remove_attachment(RequestContext& rc);
    boost::asio::awaitable<Response> radar_svg(RequestContext& rc);

    /// 429 past `[holders] max_requests_per_ip_hour` (503 when it cannot be counted).
    boost::asio::awaitable<std::optional<Response>> limit_client(const RequestContext& rc);
    /// The keyed hash of a normalised address: the code store's key and the owner of the files.
    std::string owner_of(const std::string& email) const;

    /// The holder's application of that id, or 404 (unknown, or another holder's).
    boost::asio::awaitable<std::variant<storage::StoredApplication, Response>> owned(
        const HolderSession& holder, const std::string& id, unsigned version);
    /// An application as its holder reads it (the campaign's facts read only once the Mission
    /// has admitted it: nothing is derived before).
    boost::asio::awaitable<Response> application_response(
        const storage::StoredApplication& application, http::status status, unsigned version);
    boost::json::object view(const storage::StoredApplication& application,
                             const labelling::CampaignFacts& facts) const;

    // One attempt at each write, over the application as it stands: the answer, or std::nullopt
    // when it changed between the read and the write (try again on fresh data).
    boost::asio::awaitable<std::optional<Response>> try_update(const HolderSession& holder,
                                                               const std::string& id,
                                                               const boost::json::object& body,
                                                               unsigned version);
    boost::asio::awaitable<std::optional<Response>> try_submit(const HolderSession& holder,
                                                               const std::string& id,
                                                               unsigned version);
    boost::asio::awaitable<std::optional<Response>> try_add_attachment(
        const HolderSession& holder, const std::string& id, const std::string& bytes,
        const std::string& sha256, const std::string& name, bool& file_written, unsigned version);
    boost::asio::awaitable<std::optional<Response>> try_remove_attachment(
        const HolderSession& holder, const std::string& id, const std::string& sha256,
        unsigned version);

    AppContext& ctx_;
    HolderGuard guard_;
    crypto::Key32 email_key_, ip_key_;
    std::unique_ptr<OtpDelivery> delivery_;
};

}  // namespace budget::server::api
