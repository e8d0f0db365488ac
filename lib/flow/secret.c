/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random secrets for keyed hashes: the flow table's (this library) and
 * TCP's ISN and SYN cookie key (lib/tcp).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <rte_random.h>

#include "ptcp_flow.h"

void
ptcp_random_secret(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t n;
	uint64_t r;

	while (got < len) {
		n = getrandom(p + got, len - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	/*
	 * No getrandom (old kernel, seccomp): DPDK's generator for the
	 * rest. Not cryptographic, but seeded from the TSC at start, so not
	 * known in advance either.
	 */
	for (; got < len; got += sizeof(r)) {
		r = rte_rand();
		memcpy(p + got, &r, RTE_MIN(sizeof(r), len - got));
	}
}
