#include "server/redis/reply.hpp"

#include <stdexcept>

namespace budget::server::redis {

const Reply* Reply::field(std::string_view name) const {
    for (std::size_t i = 0; i + 1 < elements.size(); i += 2) {
        if (elements[i].str == name) return &elements[i + 1];
    }
    return nullptr;
}

std::string_view describe(Errc code) {
    switch (code) {
        case Errc::unavailable:
            return "redis unavailable";
        case Errc::timeout:
            return "redis command timed out";
        case Errc::connection_lost:
            return "redis connection lost";
        case Errc::error_reply:
            return "redis error reply";
    }
    return "redis error";
}

Result failure(Errc code) { return Error{code, std::string(describe(code))}; }

Result settle(Reply reply) {
    if (reply.is_error()) return Error{Errc::error_reply, std::move(reply.str)};
    return reply;
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
    throw std::runtime_error(error.message.empty() ? std::string(describe(error.code))
                                                   : error.message);
}

}  // namespace budget::server::redis
