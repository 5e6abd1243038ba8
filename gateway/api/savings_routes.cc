// Routes of the staff API: to be written (see gateway/api/route.h).
#include "gateway/api/route.h"

namespace shg::gateway::api {

void AddSavingsRoutes(std::vector<Route>&) {}

}  // namespace shg::gateway::api
