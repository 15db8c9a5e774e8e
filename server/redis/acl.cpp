#include "server/redis/acl.hpp"

#include "server/core/crypto.hpp"

namespace budget::server::redis {

std::string_view budgetd_acl_rules() {
    // Keyless: PING (health), EVALSHA/EVAL/SCRIPT LOAD (the storage scripts), WAIT
    // (replicated ballots), CONFIG GET (the production durability check), CLUSTER SLOTS and
    // ASKING (cluster routing). The rest: the data commands of server/storage, in scripts or not.
    return "resetchannels resetkeys ~budget:* -@all "
           "+ping +evalsha +eval +script|load +wait +config|get +cluster|slots +asking "
           "+get +set +del +exists +expire +ttl +incr +decr +copy +scan "
           "+hget +hset +hsetnx +hmget +hgetall +hexists +hincrby "
           "+lindex +llen +lrange +rpush +xadd +xrevrange "
           // The claims set of each ballot shard (issue 15).
           "+sadd +smismember "
           // Holders' applications (issue 17): a holder's set of files, the Mission's list.
           "+scard +smembers +hvals "
           // The purge (issue 18): keys removed in batches, a large claims set freed in the
           // background; then the append-only file rewritten, so that the files on disk stop
           // holding what was removed.
           "+unlink +bgrewriteaof";
}

std::string acl_user_line(const std::string& user, const std::string& password) {
    return "user " + user + " on #" + crypto::sha256_hex(password) + " " +
           std::string(budgetd_acl_rules());
}

}  // namespace budget::server::redis
