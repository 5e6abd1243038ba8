// Private to domain/*.cc: the page rule of every paged query (services.h,
// loans.h): 1..1000 rows and an offset >= 0.
#pragma once

#include "domain/result.h"

namespace shg {

inline Status CheckPage(int limit, int offset) {
  if (limit < 1 || limit > 1000 || offset < 0) {
    return Status::InvalidArgument("page must have 1..1000 rows and a non-negative offset");
  }
  return Status::Ok();
}

}  // namespace shg
