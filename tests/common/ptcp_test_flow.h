/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TEST_FLOW_H
#define PTCP_TEST_FLOW_H

/* Random 4-tuples for the flow table's test and benchmark. */

#include "ptcp_flow.h"
#include "ptcp_test_rand.h"

static inline struct ptcp_flow_key
ptcp_test_flow_key(uint64_t *s)
{
	uint64_t a = ptcp_test_rand(s), b = ptcp_test_rand(s);
	struct ptcp_flow_key k = {
		.laddr = (uint32_t)a,
		.raddr = (uint32_t)(a >> 32),
		.lport = (uint16_t)b,
		.rport = (uint16_t)(b >> 16),
	};

	return k;
}

#endif /* PTCP_TEST_FLOW_H */
