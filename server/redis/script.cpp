#include "server/redis/script.hpp"

#include <openssl/evp.h>

namespace budget::server::redis {

Script::Script(std::string text) : source(std::move(text)) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(source.data(), source.size(), md, &len, EVP_sha1(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        sha1 += kHex[md[i] >> 4];
        sha1 += kHex[md[i] & 15];
    }
}

}  // namespace budget::server::redis
