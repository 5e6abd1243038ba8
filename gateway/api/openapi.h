// The OpenAPI 3 document of the staff API (GET /api/v1/openapi.json),
// written by hand next to the routes; tests/api checks that its paths and
// methods are exactly the routes StaffApi serves.
#pragma once

#include <string>

namespace shg::gateway::api {

// The document as JSON text (built once; thread-safe).
const std::string& OpenApiDocument();

}  // namespace shg::gateway::api
