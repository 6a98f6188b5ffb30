// Asio is built with BOOST_ASIO_SEPARATE_COMPILATION: its implementation is compiled once, here,
// instead of in every translation unit that includes it.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
