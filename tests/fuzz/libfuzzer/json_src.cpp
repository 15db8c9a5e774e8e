// Boost.JSON compiled into the fuzz build, so that its parser is instrumented too.
#include <boost/json/src.hpp>
