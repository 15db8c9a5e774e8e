#include "server/storage/identity_audit_store.hpp"

#include "server/core/crypto.hpp"
#include "server/storage/detail/failures.hpp"

namespace budget::server::storage {

std::string IdentityAuditStore::bucket_key(std::string_view campaign, int k) {
    std::string key = "budget:{c";
    key.append(campaign).append(":a").append(std::to_string(k)).append("}:identity-audit");
    return key;
}

boost::asio::awaitable<StoreResult<void>> IdentityAuditStore::add(std::string sealed) {
    // SHA-256 of the ciphertext: its field (128 bits), and (its first byte) its bucket.
    auto digest = crypto::sha256_hex(sealed);
    const int k = std::stoi(digest.substr(0, 2), nullptr, 16) % kBuckets;
    digest.resize(32);
    std::vector<std::string> cmd{"HSETNX", bucket_key(campaign_, k), std::move(digest),
                                 std::move(sealed)};
    auto reply = co_await redis_.command(std::move(cmd));
    if (!reply) co_return detail::write_failure(reply.error(), "identity_audit_add");
    co_return StoreResult<void>();
}

boost::asio::awaitable<StoreResult<std::vector<std::string>>> IdentityAuditStore::bucket(int k) {
    std::vector<std::string> cmd{"HGETALL", bucket_key(campaign_, k)};
    auto reply = co_await redis_.command(std::move(cmd));
    if (!reply) co_return detail::read_failure(reply.error(), "identity_audit_bucket");
    std::vector<std::string> out;
    out.reserve(reply->elements.size() / 2);
    for (std::size_t i = 1; i < reply->elements.size(); i += 2) {
        out.push_back(std::move(reply->elements[i].str));
    }
    co_return out;
}

}  // namespace budget::server::storage
