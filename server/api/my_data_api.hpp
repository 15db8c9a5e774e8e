#pragma once
// The resident's report (issue 18): with a one-time code sent to their address by the residents'
// own challenge, what the engine holds about that address and the identity it verified: whether
// a ballot was cast for that identity, on which day and by which sign-in method. Never the
// choices, the ballot id or the receipt: nothing in the engine links a person to their ballot.
//
//   POST /api/v1/my-data   {"email","code"}   -> 200 {"email_bound","ballot","held"}
//
// The code is checked and consumed as the verification does (the same tries, the same per-client
// allowance), and binds nothing. The answer has the same shape for every address.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/core/crypto.hpp"
#include "server/http/router.hpp"
#include "server/storage/ballot_store.hpp"
#include "server/storage/code_store.hpp"

namespace budget::server::api {

/// One line of what the engine keeps, in French words ready to show.
struct HeldItem {
    std::string what;   ///< what is kept
    std::string form;   ///< in what form (hashed, sealed, counted...)
    std::string until;  ///< until when
};

/// What the engine keeps about an address and its identity now (after the code was consumed),
/// from the address's keys, the vote record of the identity it is bound to, the purge terms of
/// [privacy] and `now` (for the TTLs' dates, in Paris). Counters at 0 are keys that are not
/// there: nothing is said of them. The request's own client-address counter is always there
/// (it counted this request).
std::vector<HeldItem> held_items(const storage::AddressHoldings& address,
                                 const storage::VotedRecord& vote,
                                 const config::PrivacyConfig& privacy, std::int64_t now);

/// The report's body: {"email_bound", "ballot": {"cast","day","method","other_declaration"},
/// "held": [{"what","form","until"}...]}; `vote` is ignored when the address is bound to no one.
boost::json::object my_data_json(const storage::AddressHoldings& address,
                                 const storage::VotedRecord& vote,
                                 const std::vector<HeldItem>& held);

class MyDataApi {
  public:
    explicit MyDataApi(AppContext& ctx);
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> report(RequestContext& rc);

    AppContext& ctx_;
    crypto::Key32 email_key_, ip_key_;
};

}  // namespace budget::server::api
