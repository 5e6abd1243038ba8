// Demonstration data for a fresh database (`shg-gateway demo`, manual tests
// over a USSD simulator, load tests).
//
// Always loaded (30 members):
//   Training programme: step 1 "s1-group-dynamics" (Group dynamics),
//   "s1-saving-habit" (Saving and budgeting); step 2 "s2-business-basics"
//   (Starting a business), "s2-finance-marketing" (Finance and marketing);
//   step 3 "s3-loans" (Using a business loan).
//
//   "Upendo Women Group" (KE, KES, Tuesday, Kibera social hall), 20 members
//   on +254700000001 .. +254700000019 (+254700000020 is not used):
//     001 Amina Wekesa   member     trained (steps 1-2), joined 8 months ago,
//                                   8 confirmed savings: 7 x KES 500 + KES 750
//                                   = KES 4,250, one a month, confirmed by the
//                                   treasurer
//     002 Wanjiru Kamau  treasurer  trained, 6 x KES 500 (confirmed by the chair)
//     003 Grace Achieng  chair      trained, 6 x KES 500
//     004 Faith Njeri    member     NO PIN yet, no training, no savings
//     005 Mary Otieno    member     step 1 only, 3 x KES 300
//     006 Halima Hassan  member     language "sw", trained, 5 x KES 400
//     007 Rose Mwangi    member     trained, 4 x KES 500
//     007 Joy Mwangi     member     (shares Rose's phone) trained, 4 x KES 250
//     008..019           12 more members, trained, 4 x KES 500 each
//   "Tumaini Group" (UG, UGX, Thursday, Kawempe community centre), 10 members
//   on +256700000001 .. +256700000010 (001 chair, 002 treasurer), trained,
//   2 x UGX 10,000 confirmed each.
//
// Then, while fewer than `total_members` are loaded, KES groups "Demo Group
// 1", "Demo Group 2", ... of 20 members (the last one holds the remainder) on
// consecutive phones from +254700000021 upward: first member chair, second
// treasurer, trained, 3 x KES 500 confirmed each.
//
// Every PIN is 2580 (except Faith's: none). Every confirmed saving is logged
// and confirmed through Services (LogSaving + DecideSaving), so it is posted
// to the ledger exactly like a real one.
//
// Everything is loaded in ONE transaction: on failure nothing is left behind.
// FailedPrecondition if the database already has a group.
#pragma once

#include <cstdint>

#include "domain/pin.h"
#include "domain/result.h"
#include "domain/store/store.h"

namespace shg {

inline constexpr int kDemoFixedMembers = 30;  // Upendo (20) + Tumaini (10)
inline constexpr char kDemoPin[] = "2580";

// `now` is the Unix time the demo treats as today (savings are dated in the
// months before it). REQUIRES: `pins` outlives the call.
Status LoadDemo(store::Store& store, const PinHasher& pins, int total_members, int64_t now);

}  // namespace shg
