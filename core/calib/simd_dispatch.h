#pragma once
// Hot loops of statistics collection are compiled several times and picked
// at load time for the CPU at hand: a portable x86-64 build is SSE2-only
// (FACTS.md), while histogramming every activation costs as much as the
// convolutions unless it uses the machine's vector width. GCC's
// target_clones does the dispatch (through an ifunc); other compilers get
// the portable version.

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define QS_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QS_SIMD_CLONES
#endif
