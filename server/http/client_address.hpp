#pragma once
// The address a request comes from, for per-address rate limits (one-time codes, staff logins).
// Behind a reverse proxy every request arrives from the proxy; the proxy names the real client in
// X-Forwarded-For. That header is believed only when the TCP peer is a configured trusted proxy,
// and only as far back as the chain is made of trusted proxies: anything a client writes itself
// sits further left and is never used.

#include <string>
#include <string_view>
#include <vector>

namespace budget::server::http {

/// `peer`: the TCP peer's address. `forwarded_for`: every X-Forwarded-For value of the request,
/// joined with commas (empty when absent). `trusted`: IP addresses of the trusted proxies.
/// Returns the right-most address of the chain that is not a trusted proxy, the peer when the
/// peer is not trusted, or the peer when the header is absent or unreadable.
std::string client_address(const std::string& peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted);

/// Whether `text` is an IPv4 or IPv6 address; `canonical` receives its standard spelling.
bool parse_ip(std::string_view text, std::string* canonical = nullptr);

}  // namespace budget::server::http
