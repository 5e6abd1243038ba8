// The one translation unit that compiles Boost.JSON (header-only mode): every
// other file includes <boost/json.hpp> and links shg_domain for the symbols.
#include <boost/json/src.hpp>
