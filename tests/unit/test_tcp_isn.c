/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: SipHash-2-4, RFC 6528 ISNs, SYN cookies and the cookie
 * timestamp (lib/tcp/tcp_isn.c). No EAL: tcp_secret_init() takes its key
 * from getrandom(2), which needs none.
 */
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "ptcp_test.h"
#include "tcp_isn.h"
#include "tcp_seq.h"

#define LADDR RTE_BE32(RTE_IPV4(10, 0, 0, 1))
#define RADDR RTE_BE32(RTE_IPV4(10, 0, 0, 2))
#define LPORT RTE_BE16(80)
#define RPORT RTE_BE16(40000)

/* The key of the SipHash paper's test vector: bytes 00..0f. */
static const struct tcp_secret paper_key = {
	.k0 = UINT64_C(0x0706050403020100),
	.k1 = UINT64_C(0x0f0e0d0c0b0a0908),
};

static const struct tcp_secret other_key = {
	.k0 = UINT64_C(0x0706050403020100),
	.k1 = UINT64_C(0x0f0e0d0c0b0a0909),
};

static int
siphash_reference_vector(void)
{
	uint8_t msg[64 + 1];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	/* Appendix A of the paper: 15 bytes 00..0e. */
	CHECK_EQ(tcp_siphash(&paper_key, msg, 15),
		UINT64_C(0xa129ca6149be45e5));
	/* vectors.h of the reference code: the empty message, and 8 bytes. */
	CHECK_EQ(tcp_siphash(&paper_key, msg, 0),
		UINT64_C(0x726fdb47dd0e0e31));
	CHECK_EQ(tcp_siphash(&paper_key, msg, 8),
		UINT64_C(0x93f5f5799a932462));
	/* Any alignment: the same bytes one off. */
	memmove(msg + 1, msg, 15);
	CHECK_EQ(tcp_siphash(&paper_key, msg + 1, 15),
		UINT64_C(0xa129ca6149be45e5));
	return 0;
}

static int
secret_init_fills_a_fresh_key(void)
{
	struct tcp_secret a = { 0, 0 }, b = { 0, 0 };

	tcp_secret_init(&a);
	tcp_secret_init(&b);
	CHECK(a.k0 != 0 || a.k1 != 0);
	CHECK(a.k0 != b.k0 || a.k1 != b.k1);
	return 0;
}

static int
isn_differs_by_tuple_secret_and_clock(void)
{
	const uint64_t t = UINT64_C(123456789012);
	uint32_t isn = tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT, t);

	/* Deterministic for the same inputs. */
	CHECK_EQ(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT, t), isn);
	/* Each part of the tuple, and the secret, changes F. */
	CHECK(tcp_isn(&paper_key, LADDR + 1, LPORT, RADDR, RPORT, t) != isn);
	CHECK(tcp_isn(&paper_key, LADDR, LPORT + 1, RADDR, RPORT, t) != isn);
	CHECK(tcp_isn(&paper_key, LADDR, LPORT, RADDR + 1, RPORT, t) != isn);
	CHECK(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT + 1, t) != isn);
	CHECK(tcp_isn(&paper_key, RADDR, RPORT, LADDR, LPORT, t) != isn);
	CHECK(tcp_isn(&other_key, LADDR, LPORT, RADDR, RPORT, t) != isn);
	/* M ticks every 4 us: same within a tick, +1000 after 4 ms. */
	CHECK_EQ(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT, t + 3),
		isn + (((t + 3) >> 2) - (t >> 2)));
	CHECK_EQ(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT, t + 4000),
		isn + 1000);
	CHECK(SEQ_GT(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT,
		t + 1000000), isn));
	/* ... and wraps mod 2^32 with the clock. */
	CHECK_EQ(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT,
		t + (UINT64_C(1) << 34)), isn);
	return 0;
}

static int
cookie_round_trips_every_mss(void)
{
	const uint32_t peer_isn = 0x89abcdef, now = 1000;
	uint32_t c;
	uint16_t mss;
	unsigned int i;

	for (i = 0; i < RTE_DIM(tcp_cookie_mss_table); i++) {
		c = tcp_cookie_make(&paper_key, LADDR, LPORT, RADDR, RPORT,
			peer_isn, tcp_cookie_mss_table[i], now);
		CHECK_EQ(c >> 27, now % 32);
		CHECK_EQ((c >> 24) & 7, i);
		mss = 0;
		CHECK(tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
			peer_isn, c, now, &mss));
		CHECK_EQ(mss, tcp_cookie_mss_table[i]);
	}
	return 0;
}

static int
cookie_mss_rounds_down(void)
{
	static const struct { uint16_t in, out; } cases[] = {
		{ 1459, 1452 }, { 100, 216 }, { 0, 216 }, { 216, 216 },
		{ 535, 216 }, { 536, 536 }, { 1460, 1460 }, { 9000, 1460 },
		{ 65535, 1460 }, { 1399, 1300 }, { 1448, 1440 },
	};
	const uint32_t peer_isn = 1, now = 7;
	uint32_t c;
	uint16_t mss;
	unsigned int i;

	for (i = 1; i < RTE_DIM(tcp_cookie_mss_table); i++)
		CHECK(tcp_cookie_mss_table[i - 1] < tcp_cookie_mss_table[i]);
	for (i = 0; i < RTE_DIM(cases); i++) {
		c = tcp_cookie_make(&paper_key, LADDR, LPORT, RADDR, RPORT,
			peer_isn, cases[i].in, now);
		mss = 0;
		CHECK(tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
			peer_isn, c, now, &mss));
		CHECK_MSG(mss == cases[i].out, "mss %u -> %u, expected %u",
			cases[i].in, mss, cases[i].out);
	}
	return 0;
}

static int
cookie_rejected_when_anything_differs(void)
{
	const uint32_t peer_isn = 0x01020304, now = 5000;
	uint32_t c;
	uint16_t mss = 0;
	unsigned int bit;

	c = tcp_cookie_make(&paper_key, LADDR, LPORT, RADDR, RPORT, peer_isn,
		1460, now);
	CHECK(tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, now, &mss));
	/* Wrong tuple, field by field. */
	CHECK(!tcp_cookie_check(&paper_key, LADDR + 1, LPORT, RADDR, RPORT,
		peer_isn, c, now, &mss));
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT + 1, RADDR, RPORT,
		peer_isn, c, now, &mss));
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR + 1, RPORT,
		peer_isn, c, now, &mss));
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT + 1,
		peer_isn, c, now, &mss));
	/* Wrong peer ISN (off by one either way), wrong secret. */
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn + 1, c, now, &mss));
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn - 1, c, now, &mss));
	CHECK(!tcp_cookie_check(&other_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, now, &mss));
	/* Every single flipped bit: hash, MSS index and time bits alike. */
	for (bit = 0; bit < 32; bit++)
		CHECK_MSG(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR,
			RPORT, peer_isn, c ^ (UINT32_C(1) << bit), now, &mss),
			"bit %u", bit);
	/* The ACK's number itself (cookie + 1) is not the cookie. */
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c + 1, now, &mss));
	CHECK_EQ(mss, 1460);   /* untouched by the failures */
	return 0;
}

/*
 * "Valid for the current and the previous minute": age = (now_min - t)
 * mod 32, accepted when age < TCP_COOKIE_MAX_AGE (2), so at age 0 and 1.
 */
static int
cookie_valid_current_and_previous_minute(void)
{
	static const uint32_t made[] = {
		0, 5, 30, 31, 63, 1000, UINT32_MAX - 1, UINT32_MAX,
	};
	const uint32_t peer_isn = 0xfffffff0;
	uint32_t c, age;
	uint16_t mss;
	unsigned int i;
	bool ok;

	CHECK_EQ(TCP_COOKIE_MAX_AGE, 2);
	for (i = 0; i < RTE_DIM(made); i++) {
		c = tcp_cookie_make(&paper_key, LADDR, LPORT, RADDR, RPORT,
			peer_isn, 1460, made[i]);
		/* From the past 100 minutes to 100 minutes on. */
		for (age = 0; age < 200; age++) {
			uint32_t now = made[i] - 100 + age;
			uint32_t d = now - made[i];

			ok = tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR,
				RPORT, peer_isn, c, now, &mss);
			CHECK_MSG(ok == (d < TCP_COOKIE_MAX_AGE),
				"made %u checked %u: %s", made[i], now,
				ok ? "accepted" : "rejected");
		}
	}
	/* The wrap explicitly: t = 31 still good at t = 0, not at 1. */
	c = tcp_cookie_make(&paper_key, LADDR, LPORT, RADDR, RPORT, peer_isn,
		536, 31);
	CHECK_EQ(c >> 27, 31);
	CHECK(tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, 31, &mss));
	CHECK(tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, 32, &mss));
	CHECK_EQ(mss, 536);
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, 33, &mss));
	/* 32 minutes later the 5 bits match again: the hash still says no. */
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, 31 + 32, &mss));
	CHECK(!tcp_cookie_check(&paper_key, LADDR, LPORT, RADDR, RPORT,
		peer_isn, c, 32 + 32, &mss));
	return 0;
}

static int
cookie_tsval_carries_wscale_and_sack(void)
{
	static const uint32_t clocks[] = {
		0, 1, 15, 16, 31, 32, 33, 0x12345678, 0x1234567f,
		UINT32_MAX - 31, UINT32_MAX,
	};
	uint32_t ts;
	unsigned int i;
	int ws, got_ws;
	bool sack, got_sack;

	for (i = 0; i < RTE_DIM(clocks); i++) {
		for (ws = -1; ws <= 14; ws++) {
			for (sack = false; ; sack = true) {
				ts = tcp_cookie_tsval(clocks[i], ws, sack);
				/* <= now_ts and > now_ts - 32, mod 2^32 */
				CHECK_MSG(clocks[i] - ts < 32,
					"now %u ws %d sack %d -> %u",
					clocks[i], ws, sack, ts);
				CHECK(TSTMP_GEQ(clocks[i], ts));
				tcp_cookie_ts_decode(ts, &got_ws, &got_sack);
				CHECK_EQ(got_ws, ws);
				CHECK_EQ(got_sack, sack);
				if (sack)
					break;
			}
		}
	}
	/* Above 14 is sent as 14, and decodes as 14. */
	tcp_cookie_ts_decode(tcp_cookie_tsval(1000, 15, false), &got_ws,
		&got_sack);
	CHECK_EQ(got_ws, 14);
	CHECK(!got_sack);
	/* Exact bits: none = 0xf, SACK = 0x10; no step back when it fits. */
	CHECK_EQ(tcp_cookie_tsval(0x1000001f, -1, true), 0x1000001f);
	CHECK_EQ(tcp_cookie_tsval(0x1000001f, 7, false), 0x10000007);
	CHECK_EQ(tcp_cookie_tsval(0x10000000, 7, false), 0x0fffffe7);
	return 0;
}

/*
 * Known answers with the paper's key, so that the ISN and cookie of an
 * IPv4 tuple stay what they were (the values were computed before the
 * hashing took tuples of either family: issue 17).
 */
static int
ipv4_isn_and_cookie_known_answers(void)
{
	CHECK_EQ(tcp_isn(&paper_key, LADDR, LPORT, RADDR, RPORT, 123456789),
		1050246002u);
	CHECK_EQ(tcp_cookie_make(&paper_key, LADDR, LPORT, RADDR, RPORT,
		0x01020304, 1460, 5000), 1197076716u);
	return 0;
}

/*
 * RFC 6528 and the SYN cookie over IPv6 tuples: every field and the
 * secret change the ISN; the clock moves it as for IPv4; a cookie round
 * trips, and fails for any other field, ISN or minute out of range.
 */
static int
ipv6_isn_and_cookie(void)
{
	uint8_t l[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 1 };
	uint8_t r[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 2 };
	const uint64_t t = 1000000;
	uint32_t isn = tcp_isn6(&paper_key, l, LPORT, r, RPORT, t), c;
	uint16_t mss = 0;
	unsigned int i;

	CHECK_EQ(tcp_isn6(&paper_key, l, LPORT, r, RPORT, t), isn);
	CHECK_EQ(tcp_isn6(&paper_key, l, LPORT, r, RPORT, t + 4000),
		isn + 1000);
	CHECK(tcp_isn6(&other_key, l, LPORT, r, RPORT, t) != isn);
	CHECK(tcp_isn6(&paper_key, r, RPORT, l, LPORT, t) != isn);
	CHECK(tcp_isn6(&paper_key, l, LPORT + 1, r, RPORT, t) != isn);
	CHECK(tcp_isn6(&paper_key, l, LPORT, r, RPORT + 1, t) != isn);
	for (i = 0; i < 16; i++) {
		l[i] ^= 0x80;
		CHECK_MSG(tcp_isn6(&paper_key, l, LPORT, r, RPORT, t) != isn,
			"local byte %u", i);
		l[i] ^= 0x80;
		r[i] ^= 0x01;
		CHECK_MSG(tcp_isn6(&paper_key, l, LPORT, r, RPORT, t) != isn,
			"remote byte %u", i);
		r[i] ^= 0x01;
	}
	for (i = 0; i < RTE_DIM(tcp_cookie_mss_table); i++) {
		c = tcp_cookie_make6(&paper_key, l, LPORT, r, RPORT, 77,
			tcp_cookie_mss_table[i], 9000);
		CHECK(tcp_cookie_check6(&paper_key, l, LPORT, r, RPORT, 77, c,
			9001, &mss));
		CHECK_EQ(mss, tcp_cookie_mss_table[i]);
		CHECK(!tcp_cookie_check6(&paper_key, l, LPORT, r, RPORT, 77, c,
			9002, &mss));
		CHECK(!tcp_cookie_check6(&paper_key, l, LPORT, r, RPORT, 78, c,
			9000, &mss));
		r[15] ^= 1;
		CHECK(!tcp_cookie_check6(&paper_key, l, LPORT, r, RPORT, 77, c,
			9000, &mss));
		r[15] ^= 1;
		CHECK(!tcp_cookie_check6(&other_key, l, LPORT, r, RPORT, 77, c,
			9000, &mss));
	}
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(siphash_reference_vector),
	TEST(secret_init_fills_a_fresh_key),
	TEST(isn_differs_by_tuple_secret_and_clock),
	TEST(cookie_round_trips_every_mss),
	TEST(cookie_mss_rounds_down),
	TEST(cookie_rejected_when_anything_differs),
	TEST(cookie_valid_current_and_previous_minute),
	TEST(cookie_tsval_carries_wscale_and_sack),
	TEST(ipv4_isn_and_cookie_known_answers),
	TEST(ipv6_isn_and_cookie),
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
