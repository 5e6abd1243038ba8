// Placeholder until the baseline lands (branch pg-schema).
#include "domain/store/pg_schema.h"

namespace shg::store::pg {

std::span<const SchemaStep> SchemaSteps() { return {}; }

}  // namespace shg::store::pg
