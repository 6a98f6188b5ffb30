// Beast is built with BOOST_BEAST_SEPARATE_COMPILATION: its implementation is compiled once, here.
#include <boost/beast/src.hpp>
