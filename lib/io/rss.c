/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-to-worker hash: symmetric Toeplitz (rte_softrss), the same key
 * a port doing RSS is programmed with (port.c).
 */
#include <rte_byteorder.h>
#include <rte_thash.h>

#include "ptcp_rss.h"

const uint8_t ptcp_rss_key[PTCP_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

uint32_t
ptcp_rss_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
	/* rte_softrss() takes the tuple in host order (as a NIC reads the
	 * headers' bytes most significant first). */
	uint32_t t[3] = {
		rte_be_to_cpu_32(saddr),
		rte_be_to_cpu_32(daddr),
		((uint32_t)rte_be_to_cpu_16(sport) << 16) |
			rte_be_to_cpu_16(dport),
	};

	return rte_softrss(t, 3, ptcp_rss_key);
}
