/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TEST_RAND_H
#define PTCP_TEST_RAND_H

/*
 * The tests' and benchmarks' random numbers: splitmix64, deterministic
 * from the caller's seed, no state but the caller's.
 */

#include <stdint.h>

static inline uint64_t
ptcp_test_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#endif /* PTCP_TEST_RAND_H */
