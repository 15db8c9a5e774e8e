#pragma once
// The Redis ACL of budgetd and budgetctl: the least rights they need, written once here and
// used for the embedded redis-server, printed by `budgetctl keys redis-password` for an
// operator's ACL file, and quoted in docs/deploy.md (a test keeps the three equal and runs the
// ballot path and the tally under it, so that a command missing from it fails).

#include <string>
#include <string_view>

namespace budget::server::redis {

/// The rules after the user name and password: every key under budget:, no channel, and only
/// the commands the client and the storage scripts send (those called from Lua included:
/// Redis checks them against the same ACL).
std::string_view budgetd_acl_rules();

/// "user NAME on #SHA256(password) RULES": one line of an ACL file (or redis.conf); the
/// password itself is not in it.
std::string acl_user_line(const std::string& user, const std::string& password);

}  // namespace budget::server::redis
