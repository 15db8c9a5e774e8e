#pragma once
// What a store answers: a value, or why there is none. Redis's own errors stop here; above this
// layer only these kinds exist, and one table in the API maps them to HTTP statuses.

#include <boost/system/result.hpp>

namespace budget::server::storage {

enum class StoreError {
    unavailable = 1,  ///< Redis unreachable, timed out on a read, or refused: nothing was done
    outcome_unknown,  ///< a write was sent but its answer lost: it may have been applied
    corrupt,          ///< stored data does not read back (a digest or a shape does not match)
    not_sealed,       ///< the vote has not opened: there is no sealed ballot yet
};

template <typename T>
using StoreResult = boost::system::result<T, StoreError>;

/// For StoreResult::value() on an error (a broken invariant: callers check first).
[[noreturn]] void throw_exception_from_error(StoreError error, const boost::source_location& loc);

}  // namespace budget::server::storage
