/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-to-worker hash: symmetric Toeplitz, the same key a port doing
 * RSS is programmed with (port.c).
 *
 * Toeplitz is linear over XOR, and with a key that repeats every 16 bits
 * (0x6d5a...) the 32-bit window applied to input bit i depends only on
 * i mod 16. So the hash of a tuple depends only on the XOR of its six
 * 16-bit words, x, and is linear in x: hash = T_hi[x >> 8] ^ T_lo[x & 0xff],
 * two 256-entry tables filled once with rte_softrss() itself. That is the
 * symmetry (swapping source and destination leaves x unchanged) and it
 * costs about 20 instructions instead of rte_softrss()'s ~450 per tuple
 * (tests/bench/lcores/callgrind.sh); tests/unit/test_rss.c checks it
 * against rte_softrss() on random tuples.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_thash.h>

#include "ptcp_rss.h"

const uint8_t ptcp_rss_key[PTCP_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

static uint32_t rss_hi[256], rss_lo[256];

uint32_t
ptcp_rss_softrss(uint32_t saddr, uint32_t daddr, uint16_t sport,
		uint16_t dport)
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

RTE_INIT(ptcp_rss_tables)
{
	uint32_t t[3] = { 0, 0, 0 };
	unsigned int b;

	/* A tuple whose first 16-bit word is x and the rest 0 has XOR x. */
	for (b = 0; b < 256; b++) {
		t[0] = b << 24;
		rss_hi[b] = rte_softrss(t, 3, ptcp_rss_key);
		t[0] = b << 16;
		rss_lo[b] = rte_softrss(t, 3, ptcp_rss_key);
	}
}

uint32_t
ptcp_rss_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
	/* XOR in network order, then one swap: XOR commutes with it. */
	uint32_t w = saddr ^ daddr;
	uint16_t x = (uint16_t)((w >> 16) ^ w ^ sport ^ dport);

	x = rte_be_to_cpu_16(x);
	return rss_hi[x >> 8] ^ rss_lo[x & 0xff];
}

uint32_t
ptcp_rss_softrss6(const uint8_t saddr[16], const uint8_t daddr[16],
		uint16_t sport, uint16_t dport)
{
	uint32_t t[9];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		t[i] = (uint32_t)saddr[4 * i] << 24 | saddr[4 * i + 1] << 16 |
			saddr[4 * i + 2] << 8 | saddr[4 * i + 3];
		t[4 + i] = (uint32_t)daddr[4 * i] << 24 |
			daddr[4 * i + 1] << 16 | daddr[4 * i + 2] << 8 |
			daddr[4 * i + 3];
	}
	t[8] = ((uint32_t)rte_be_to_cpu_16(sport) << 16) |
		rte_be_to_cpu_16(dport);
	return rte_softrss(t, 9, ptcp_rss_key);
}

/*
 * The key repeats every 16 bits all along its 40 bytes, so IPv6's 36-byte
 * tuple also hashes to a function of the XOR of its 16-bit words: the
 * tables of the IPv4 hash serve.
 */
uint32_t
ptcp_rss_hash6(const uint8_t saddr[16], const uint8_t daddr[16],
		uint16_t sport, uint16_t dport)
{
	uint64_t a[2], b[2], w;
	uint16_t x;

	memcpy(a, saddr, 16);
	memcpy(b, daddr, 16);
	w = a[0] ^ a[1] ^ b[0] ^ b[1];
	w ^= w >> 32;
	x = (uint16_t)((w >> 16) ^ w ^ sport ^ dport);
	x = rte_be_to_cpu_16(x);
	return rss_hi[x >> 8] ^ rss_lo[x & 0xff];
}
