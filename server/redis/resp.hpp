#pragma once
// The Redis protocol (RESP2) on the way out: a command as the bytes sent on the socket.

#include <string>
#include <vector>

namespace budget::server::redis {

/// Replaces `out` with "*<argc>\r\n" then "$<length>\r\n<bytes>\r\n" for each argument: what
/// redisFormatSdsCommandArgv writes, for a fraction of its cost.
void format_command(const std::vector<std::string>& args, std::string& out);

}  // namespace budget::server::redis
