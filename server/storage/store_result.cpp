#include "server/storage/store_result.hpp"

#include <stdexcept>
#include <string>

namespace budget::server::storage {

void throw_exception_from_error(StoreError error, const boost::source_location&) {
    throw std::runtime_error("store error " + std::to_string(static_cast<int>(error)));
}

}  // namespace budget::server::storage
