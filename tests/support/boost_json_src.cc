// Boost.JSON's compiled part, for the WebDriver client (webdriver.cc); once
// per program. shg_test_support does not link shg_domain; when shg_domain
// gets its own copy (domain/boost_json.cc), this file goes.
#include <boost/json/src.hpp>
