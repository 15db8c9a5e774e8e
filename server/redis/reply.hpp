#pragma once
// What a Redis command gives back, as owned values (hiredis frees its own reply objects as soon
// as the callback returns), and the one place where a Redis error reply becomes an error value:
// above this layer a command either succeeded (a Reply) or failed (an Error), never both.

#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace budget::server::redis {

/// A Redis reply. Error replies never reach callers as a Reply: see Error.
struct Reply {
    enum class Type { nil, status, error, integer, string, array };
    Type type = Type::nil;
    long long integer = 0;
    std::string str;
    std::vector<Reply> elements;

    bool is_nil() const { return type == Type::nil; }
    bool is_error() const { return type == Type::error; }

    /// The value of `field` in a flat [field, value, ...] array (HGETALL, CONFIG GET); null
    /// when absent.
    const Reply* field(std::string_view name) const;
};

enum class Errc {
    unavailable = 1,  ///< no connection to Redis right now: the command was not sent
    timeout,          ///< sent, no answer within the command timeout: it may have run
    connection_lost,  ///< sent, the connection dropped before the answer: it may have run
    error_reply,      ///< Redis answered with an error (`message` holds its text)
};

/// Why a command failed. Only `timeout` and `connection_lost` leave its outcome unknown.
struct Error {
    Errc code = Errc::unavailable;
    std::string message;  ///< Redis's error text for error_reply; a description otherwise

    /// Whether the command may have run although no answer says so.
    bool outcome_unknown() const { return code == Errc::timeout || code == Errc::connection_lost; }
};
inline bool operator==(const Error& e, Errc code) { return e.code == code; }

/// The text of an error code ("redis unavailable"...).
std::string_view describe(Errc code);

using Result = boost::system::result<Reply, Error>;

/// A failed result of that kind.
Result failure(Errc code);

/// Turns a reply as Redis sent it into a result: an error reply becomes Errc::error_reply with
/// its text. The client calls it once per command, after its own handling of the error replies
/// that concern it (cluster redirections, NOSCRIPT).
Result settle(Reply reply);

[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

}  // namespace budget::server::redis
