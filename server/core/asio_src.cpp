// Asio (with its TLS layer over OpenSSL) is compiled once, here, for the whole project
// (BOOST_ASIO_SEPARATE_COMPILATION): every other file only sees its declarations, which keeps a
// clean build on two cores short. Beast is compiled once in server/http/beast_src.cpp.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
