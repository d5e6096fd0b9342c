// Declarations of the Montgomery-form ("raw") functions of the x86-64 field code that ffiasm
// (npm package `ffiasm`, GPL-3.0) generates at build time for the BN254 base field (Fq) and
// scalar field (Fr). Only these raw functions are linked: they need no GMP. The generated code
// uses mulx/adcx/adox, so it runs only on CPUs with BMI2 and ADX (see cpu.hpp).
#pragma once
#include <cstdint>

extern "C" {
void Fq_rawAdd(uint64_t *r, const uint64_t *a, const uint64_t *b);
void Fq_rawSub(uint64_t *r, const uint64_t *a, const uint64_t *b);
void Fq_rawNeg(uint64_t *r, const uint64_t *a);
void Fq_rawMMul(uint64_t *r, const uint64_t *a, const uint64_t *b);
void Fq_rawMSquare(uint64_t *r, const uint64_t *a);
void Fq_rawToMontgomery(uint64_t *r, const uint64_t *a);
void Fq_rawFromMontgomery(uint64_t *r, const uint64_t *a);
extern uint64_t Fq_rawq[4];

void Fr_rawAdd(uint64_t *r, const uint64_t *a, const uint64_t *b);
void Fr_rawSub(uint64_t *r, const uint64_t *a, const uint64_t *b);
void Fr_rawNeg(uint64_t *r, const uint64_t *a);
void Fr_rawMMul(uint64_t *r, const uint64_t *a, const uint64_t *b);
void Fr_rawMSquare(uint64_t *r, const uint64_t *a);
void Fr_rawToMontgomery(uint64_t *r, const uint64_t *a);
void Fr_rawFromMontgomery(uint64_t *r, const uint64_t *a);
extern uint64_t Fr_rawq[4];
}

// The generated code calls these on errors of its non-raw functions, which are not used here.
extern "C" __attribute__((visibility("hidden"))) void Fq_fail();
extern "C" __attribute__((visibility("hidden"))) void Fr_fail();
