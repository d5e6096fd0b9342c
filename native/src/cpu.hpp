// ffiasm's field code uses mulx (BMI2) and adcx/adox (ADX): the prover runs only where the CPU
// has both, which this checks before any field operation.
#pragma once
#include <cpuid.h>

namespace zkm {

/** True when the CPU supports BMI2 and ADX (CPUID leaf 7, EBX bits 8 and 19). */
inline bool cpuSupported() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  return (ebx & (1u << 8)) != 0 && (ebx & (1u << 19)) != 0;
}

}  // namespace zkm
