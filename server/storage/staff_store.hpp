#pragma once
// Staff accounts and their sessions (shared by every campaign of the Redis).
//
// Keys (keys.hpp):
//   budget:{staff}:user:<username>        hash  password_hash (Argon2id string), role, created_at
//   budget:{staff}:session:<sha256(id)>   hash  username, role, csrf, created_at; TTL (absolute,
//                                               not sliding); the cookie holds the id, Redis only
//                                               its hash

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

struct StaffUser {
    std::string password_hash;
    std::string role;  ///< "committee" or "mission"
    std::string created_at;
};

struct StaffSessionRecord {
    std::string username;
    std::string role;
    std::string csrf_token;
    std::string created_at;
};

class StaffStore {
  public:
    explicit StaffStore(redis::Client& redis);

    /// The account, or std::nullopt when there is none of that name.
    boost::asio::awaitable<StoreResult<std::optional<StaffUser>>> user(std::string username);
    /// Creates the account; with `replace` overwrites one of that name. False when it exists
    /// and `replace` was not asked (nothing written).
    boost::asio::awaitable<StoreResult<bool>> add_user(std::string username, StaffUser user,
                                                       bool replace);

    boost::asio::awaitable<StoreResult<void>> open_session(std::string session_id,
                                                           StaffSessionRecord session,
                                                           std::chrono::seconds ttl);
    /// The live session of that id, or std::nullopt (unknown or expired).
    boost::asio::awaitable<StoreResult<std::optional<StaffSessionRecord>>> session(
        std::string session_id);
    boost::asio::awaitable<StoreResult<void>> close_session(std::string session_id);

  private:
    redis::Client& redis_;
    redis::Script add_user_script_, open_session_script_;
};

}  // namespace budget::server::storage
