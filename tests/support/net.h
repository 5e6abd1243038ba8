// Loopback helpers for end-to-end tests that start a real gateway and a real
// fake provider. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace shg::testing {

// A 127.0.0.1 TCP port that was free a moment ago. For a gateway whose
// address must be known before it starts (Twilio signs it; the fake
// provider sends delivery reports and partner callbacks to it). Another
// process may take it meanwhile; tests accept that small race.
uint16_t FreePort();

// Polls `done` every `step` until it returns true or `timeout` has passed,
// then asks once more; returns its last answer. Never a timing assertion:
// the timeout only bounds a wait for something that must happen.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout,
             std::chrono::milliseconds step = std::chrono::milliseconds(20));

}  // namespace shg::testing
