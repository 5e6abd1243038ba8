// Internal to the fake provider: the state of its fake MFI partners
// (fake_provider.h documents the behaviour). Included by fake_provider.cc
// (which owns the object) and fake_mfi.cc (which implements the partners).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/fake/fake_provider.h"

namespace shg::gateway {

struct FakeProvider::Mfi {
  struct Partner {
    FakeMfiPartnerOptions options;
    std::string prefix;  // "IMR"
    // Id counters, guarded by mu.
    uint64_t next_referral = 1;
    uint64_t next_transaction = 1;
    uint64_t next_payment = 1;
  };
  // What the fake knows of a loan: from its referral, or from a call that
  // named the terms itself.
  struct Track {
    std::string partner_id;
    std::string currency;
    int64_t amount = 0;  // requested
    int term_months = 0;
    int64_t approved_amount = 0;  // 0 until this fake approved it
    std::string transaction_id;   // "" until this fake disbursed it
  };

  explicit Mfi(const std::vector<FakeMfiPartnerOptions>& options);

  // The partner `id`, or nullptr. REQUIRES mu held.
  Partner* Find(std::string_view id);
  // The partner of the loan `reference`: the one its referral went to (or a
  // call named), else `hint` when not "", else the first. nullptr when
  // there is none. REQUIRES mu held.
  Partner* PartnerFor(const std::string& reference, std::string_view hint);

  std::vector<Partner> partners;  // fixed after construction (counters aside)
  mutable std::mutex mu;
  mutable std::condition_variable referrals_cv;
  std::vector<FakeReferral> referrals;    // guarded by mu
  std::map<std::string, Track> tracks;    // guarded by mu; by loan reference
  std::map<std::string, std::string> seen;  // guarded by mu; partner id + '/' + key -> id
  int fail_remaining = 0;                 // guarded by mu
  int fail_status = 503;                  // guarded by mu
  size_t request_count = 0;               // guarded by mu
};

}  // namespace shg::gateway
