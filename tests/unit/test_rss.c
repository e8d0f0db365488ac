/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: the flow hash (lib/io/rss.c). ptcp_rss_hash() is two table
 * lookups that must give exactly rte_softrss() with the symmetric key, on
 * any tuple; it must be symmetric; and the owners it gives through a RETA
 * must be balanced. No EAL (the tables are filled by a constructor).
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>

#include <rte_byteorder.h>

#include "ptcp_rss.h"
#include "ptcp_test.h"
#include "ptcp_test_rand.h"

static int
hash_equals_rte_softrss_on_random_tuples(void)
{
	uint64_t r = 0x7155;
	uint32_t s, d, i;
	uint16_t sp, dp;

	for (i = 0; i < 1000000; i++) {
		s = (uint32_t)ptcp_test_rand(&r);
		d = (uint32_t)ptcp_test_rand(&r);
		sp = (uint16_t)ptcp_test_rand(&r);
		dp = (uint16_t)ptcp_test_rand(&r);
		if (ptcp_rss_hash(s, d, sp, dp) != ptcp_rss_softrss(s, d, sp, dp)) {
			printf("  tuple %08x %08x %04x %04x: %08x != %08x\n", s,
				d, sp, dp, ptcp_rss_hash(s, d, sp, dp),
				ptcp_rss_softrss(s, d, sp, dp));
			return -1;
		}
		CHECK_EQ(ptcp_rss_hash(s, d, sp, dp), ptcp_rss_hash(d, s, dp, sp));
	}
	return 0;
}

static int
known_tuple_and_edges(void)
{
	/* 10.0.0.1:1234 -> 10.0.0.2:80, and the all-zero / all-one tuples. */
	uint32_t a = rte_cpu_to_be_32(0x0a000001), b = rte_cpu_to_be_32(0x0a000002);
	uint16_t p = rte_cpu_to_be_16(1234), q = rte_cpu_to_be_16(80);

	CHECK_EQ(ptcp_rss_hash(a, b, p, q), ptcp_rss_softrss(a, b, p, q));
	CHECK_EQ(ptcp_rss_hash(0, 0, 0, 0), 0);
	CHECK_EQ(ptcp_rss_hash(UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT16_MAX),
		ptcp_rss_softrss(UINT32_MAX, UINT32_MAX, UINT16_MAX,
			UINT16_MAX));
	return 0;
}

/* One source, one server port, the client port varying (a churn client):
 * the low bits that pick a RETA entry spread over 2, 3, 4 and 16 workers. */
static int
owners_balanced_over_client_ports(void)
{
	static const unsigned int workers[] = { 2, 3, 4, 16 };
	uint32_t a = rte_cpu_to_be_32(0x0a000001), b = rte_cpu_to_be_32(0x0a000002);
	unsigned int w, n, i, cnt[16], min, max;

	for (w = 0; w < RTE_DIM(workers); w++) {
		n = workers[w];
		for (i = 0; i < n; i++)
			cnt[i] = 0;
		for (i = 32768; i < 61000; i++)
			cnt[(ptcp_rss_hash(a, b, rte_cpu_to_be_16((uint16_t)i),
				rte_cpu_to_be_16(80)) & 511) % n]++;
		min = max = cnt[0];
		for (i = 1; i < n; i++) {
			min = RTE_MIN(min, cnt[i]);
			max = RTE_MAX(max, cnt[i]);
		}
		printf("  %u workers: %u..%u ports each\n", n, min, max);
		CHECK(max - min <= (max + min) / 10);
	}
	return 0;
}

/*
 * The IPv6 hash: exactly rte_softrss() over the 36-byte tuple with the
 * same key, on random tuples, and symmetric.
 */
static int
hash6_equals_rte_softrss_on_random_tuples(void)
{
	uint64_t r = 0x8200;
	uint8_t s[16], d[16];
	uint16_t sp, dp;
	unsigned int i, k;

	for (i = 0; i < 300000; i++) {
		for (k = 0; k < 16; k++) {
			s[k] = (uint8_t)ptcp_test_rand(&r);
			d[k] = (uint8_t)ptcp_test_rand(&r);
		}
		sp = (uint16_t)ptcp_test_rand(&r);
		dp = (uint16_t)ptcp_test_rand(&r);
		if (ptcp_rss_hash6(s, d, sp, dp) !=
				ptcp_rss_softrss6(s, d, sp, dp)) {
			printf("  tuple %u: %08x != %08x\n", i,
				ptcp_rss_hash6(s, d, sp, dp),
				ptcp_rss_softrss6(s, d, sp, dp));
			return -1;
		}
		CHECK_EQ(ptcp_rss_hash6(s, d, sp, dp),
			ptcp_rss_hash6(d, s, dp, sp));
	}
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(hash_equals_rte_softrss_on_random_tuples),
	TEST(known_tuple_and_edges),
	TEST(owners_balanced_over_client_ports),
	TEST(hash6_equals_rte_softrss_on_random_tuples),
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
