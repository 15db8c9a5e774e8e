#pragma once
// The Mission ESS's side of the call for initiatives (issue 17, docs/api.md "Initiative
// holders"): the submitted applications with filters, one application, the decision of
// admissibility (an admissible file becomes an initiative for the committee, in the store the
// imports use, in the same script), and the attachments and the holder's own radar, which the
// committee may also read once the file is admissible.
//
//   GET  /api/v1/admin/applications?territory=&status=&category=      mission
//   GET  /api/v1/admin/applications/{id}                              mission; committee once
//   recevable POST /api/v1/admin/applications/{id}/admissibility {"admissible","reason"}   mission,
//   CSRF GET  /api/v1/admin/applications/{id}/attachments/{sha256}         mission; committee once
//   recevable GET  /api/v1/admin/applications/{id}/radar.svg                    mission; committee
//   once recevable

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/staff_guard.hpp"
#include "server/http/router.hpp"
#include "server/storage/application_store.hpp"

namespace budget::server::api {

/// Whether a staff member of `role` may read an application whose recorded status is `status`:
/// the Mission every submitted file, the committee the admitted ones; nobody a draft.
bool staff_may_read(StaffRole role, labelling::ApplicationStatus status);

/// `Content-Disposition` of a downloaded attachment: `attachment; filename="<ASCII fallback>";
/// filename*=UTF-8''<percent-encoded name>` (RFC 6266, RFC 8187).
std::string attachment_disposition(std::string_view name);

/// The Mission's list filters; empty: no filter.
struct ApplicationFilters {
    std::string territory;
    std::string status;
    std::string category;
};

class ApplicationsApi {
  public:
    /// `guard` is shared with the other staff routes and must outlive this object.
    ApplicationsApi(AppContext& ctx, StaffGuard& guard);
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> list(RequestContext& rc);
    boost::asio::awaitable<Response> get(RequestContext& rc);
    boost::asio::awaitable<Response> admissibility(RequestContext& rc);
    boost::asio::awaitable<Response> attachment(RequestContext& rc);
    boost::asio::awaitable<Response> radar_svg(RequestContext& rc);

    /// The application of that id if this staff member may read it, else 404.
    boost::asio::awaitable<std::variant<storage::StoredApplication, Response>> readable(
        const StaffSession& session, const std::string& id, unsigned version);

    AppContext& ctx_;
    StaffGuard& guard_;
};

}  // namespace budget::server::api
