#pragma once
// The sealed records of the duplicate audit (issue 15): one per verified identity, opaque to the
// server (sealed to the Mission's public key), kept so that nothing orders them like the ballots.
//
// Keys (built here, not in keys.hpp: no other store reads them):
//   budget:{c<id>:a<k>}:identity-audit   hash, k in [0, kBuckets): field = SHA-256 of the sealed
//                                        record (32 hex digits), value = the sealed record (binary)
// Why hashes of hashes and not a list: a list keeps the order of arrival, and whoever holds both
// it and the ballot log (whose order is the order of casting) could pair the n-th record with the
// n-th ballot. Here a record's bucket and its place in the bucket follow from a hash of the
// ciphertext, which is random (a fresh ephemeral key per seal); a bucket of records longer than
// 64 bytes (always: 48 bytes of seal alone) is a Redis hash table, whose order is that of the
// field's hash under the server's random seed, not of arrival. HSETNX makes a retried write
// harmless; the buckets, each its own hash tag, spread the records over a cluster and keep every
// read to a bounded reply (HGETALL of one bucket) with the commands the ACL already allows.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

class IdentityAuditStore {
  public:
    static constexpr int kBuckets = 64;

    IdentityAuditStore(redis::Client& redis, std::string campaign)
        : redis_(redis), campaign_(std::move(campaign)) {}

    /// The key of bucket `k` (for the listing of keys and the tests).
    static std::string bucket_key(std::string_view campaign, int k);

    /// Stores one sealed record. `unavailable` or `outcome_unknown` when Redis did not answer
    /// (the record may be missing: the caller counts it).
    boost::asio::awaitable<StoreResult<void>> add(std::string sealed);

    /// Every sealed record of bucket `k`, in the bucket's (hash) order.
    boost::asio::awaitable<StoreResult<std::vector<std::string>>> bucket(int k);

  private:
    redis::Client& redis_;
    std::string campaign_;
};

}  // namespace budget::server::storage
