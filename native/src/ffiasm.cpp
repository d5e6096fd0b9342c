#include "ffiasm.hpp"

#include <cstdlib>

// Only the raw (Montgomery) functions are linked, and they never fail; the non-raw functions
// that would call these are not used.
extern "C" void Fq_fail() { std::abort(); }
extern "C" void Fr_fail() { std::abort(); }
