#pragma once
// The network a client address belongs to, as the throttles count it (issue 14): an attacker
// changes addresses within their network easily, a victim elsewhere is on another network, so
// limits aimed at one person (a resident's address, a staff username) are kept per network and
// cannot be used by one network to lock somebody out.

#include <string>
#include <string_view>

namespace budget::server::api {

/// "a.b.c.0/24" for IPv4 (and IPv4-mapped IPv6), the /56 prefix for IPv6 ("2001:db8:0:ab00::/56":
/// a household or a small site is delegated a /56 or a /64); the text itself, unchanged, when it
/// is not an IP address (a test's or a proxy's oddity: still one bucket per value).
std::string client_network(std::string_view address);

}  // namespace budget::server::api
