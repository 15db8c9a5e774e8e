#include "server/api/client_network.hpp"

#include <boost/asio/ip/address.hpp>

namespace budget::server::api {

std::string client_network(std::string_view address) {
    namespace ip = boost::asio::ip;
    boost::system::error_code ec;
    auto parsed = ip::make_address(std::string(address), ec);
    if (ec) return std::string(address);
    if (parsed.is_v6() && parsed.to_v6().is_v4_mapped())
        parsed = ip::make_address_v4(ip::v4_mapped, parsed.to_v6());
    if (parsed.is_v4()) {
        const auto bits = parsed.to_v4().to_uint() & 0xFFFFFF00u;
        return ip::address_v4(bits).to_string() + "/24";
    }
    auto bytes = parsed.to_v6().to_bytes();
    for (std::size_t i = 7; i < bytes.size(); ++i) bytes[i] = 0;
    return ip::address_v6(bytes).to_string() + "/56";
}

}  // namespace budget::server::api
