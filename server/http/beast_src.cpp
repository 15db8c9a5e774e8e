// Beast is compiled once, here (BOOST_BEAST_SEPARATE_COMPILATION), for every target that speaks
// HTTP: the server and the load generator. Asio is compiled in server/core/asio_src.cpp.
#include <boost/beast/src.hpp>
