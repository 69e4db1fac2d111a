// The doctest main of corowasm_tests (see CMakeLists.txt for how ctest runs it).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
