#pragma once
// The ballot log during the vote, for auditors and voters: the latest signed tree head, every
// head, consistency proofs between two heads, and the inclusion proof of a ballot against a
// head (RFC 6962 §3.5 style). The trees and the signing are the log service's.

#include <boost/asio/awaitable.hpp>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/log_service.hpp"
#include "server/http/router.hpp"

namespace budget::server::api {

class LogApi {
  public:
    LogApi(AppContext& ctx, LogService& log);
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> head(RequestContext& rc);
    boost::asio::awaitable<Response> heads(RequestContext& rc);
    boost::asio::awaitable<Response> consistency(RequestContext& rc);
    boost::asio::awaitable<Response> inclusion(RequestContext& rc);

    AppContext& ctx_;
    LogService& log_;
};

}  // namespace budget::server::api
