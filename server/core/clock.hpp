#pragma once
// The engine's one reading of the wall clock, injected wherever a rule depends on the time (the
// campaign's phase, code expiry, timestamps), so that window edges are unit-tested with a fixed
// clock instead of waiting for them.

#include <chrono>
#include <cstdint>

namespace budget::server {

class Clock {
  public:
    virtual ~Clock() = default;
    /// Seconds since the epoch.
    virtual std::int64_t now() const = 0;
};

/// The system clock (the one `faketime` moves in the end-to-end window test).
class SystemClock final : public Clock {
  public:
    std::int64_t now() const override {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

/// A clock that says what it is told: for tests.
class FixedClock final : public Clock {
  public:
    explicit FixedClock(std::int64_t now) : now_(now) {}
    std::int64_t now() const override { return now_; }
    void set(std::int64_t now) { now_ = now; }

  private:
    std::int64_t now_;
};

}  // namespace budget::server
