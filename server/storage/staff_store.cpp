#include "server/storage/staff_store.hpp"

#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;

namespace {

/// KEYS: user. ARGV: password hash, role, created at, replace (1/0).
/// Returns 1 when written, 0 when the user exists and replace was not asked.
constexpr const char* kAddUser = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 and ARGV[4] ~= '1' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'password_hash', ARGV[1], 'role', ARGV[2], 'created_at', ARGV[3])
return 1
)lua";

/// KEYS: session. ARGV: username, role, csrf token, created at, ttl (s).
constexpr const char* kOpenSession = R"lua(
redis.call('HSET', KEYS[1], 'username', ARGV[1], 'role', ARGV[2], 'csrf', ARGV[3],
           'created_at', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
)lua";

std::string text_of(const redis::Reply& hash, std::string_view field) {
    const auto* v = hash.field(field);
    return v ? v->str : std::string();
}

}  // namespace

StaffStore::StaffStore(redis::Client& redis)
    : redis_(redis), add_user_script_(kAddUser), open_session_script_(kOpenSession) {}

asio::awaitable<StoreResult<std::optional<StaffUser>>> StaffStore::user(std::string username) {
    std::vector<std::string> cmd{"HGETALL", keys::staff_user(username)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "staff_user");
    if (r->elements.empty()) co_return std::optional<StaffUser>();
    co_return std::optional<StaffUser>(StaffUser{
        text_of(*r, "password_hash"), text_of(*r, "role"), text_of(*r, "created_at")});
}

asio::awaitable<StoreResult<bool>> StaffStore::add_user(std::string username, StaffUser user,
                                                        bool replace) {
    std::vector<std::string> keys{keys::staff_user(username)};
    std::vector<std::string> args{std::move(user.password_hash), std::move(user.role),
                                  std::move(user.created_at), replace ? "1" : "0"};
    auto r = co_await redis_.eval(add_user_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "add_user");
    co_return r->integer == 1;
}

asio::awaitable<StoreResult<void>> StaffStore::open_session(std::string session_id,
                                                            StaffSessionRecord session,
                                                            std::chrono::seconds ttl) {
    std::vector<std::string> keys{keys::staff_session(session_id)};
    std::vector<std::string> args{std::move(session.username), std::move(session.role),
                                  std::move(session.csrf_token), std::move(session.created_at),
                                  std::to_string(ttl.count())};
    auto r = co_await redis_.eval(open_session_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "open_session");
    co_return StoreResult<void>();
}

asio::awaitable<StoreResult<std::optional<StaffSessionRecord>>> StaffStore::session(
    std::string session_id) {
    std::vector<std::string> cmd{"HGETALL", keys::staff_session(session_id)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "staff_session");
    StaffSessionRecord s{text_of(*r, "username"), text_of(*r, "role"), text_of(*r, "csrf"),
                         text_of(*r, "created_at")};
    if (s.username.empty() || s.csrf_token.empty() || s.role.empty())
        co_return std::optional<StaffSessionRecord>();
    co_return std::optional<StaffSessionRecord>(std::move(s));
}

asio::awaitable<StoreResult<void>> StaffStore::close_session(std::string session_id) {
    std::vector<std::string> cmd{"DEL", keys::staff_session(session_id)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::write_failure(r.error(), "close_session");
    co_return StoreResult<void>();
}

}  // namespace budget::server::storage
