/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: TCP option parsing and building (lib/tcp/tcp_opt.c), SACK
 * blocks included. No EAL.
 * Under ASan (build with -Db_sanitize=address,undefined), the random blob
 * test puts every blob in a malloc'd buffer of exactly its length, so any
 * read outside it is reported.
 */
#include <stdlib.h>

#include "ptcp_test.h"
#include "tcp_opt.h"
#include "ptcp_test_rand.h"

#define STAT(st, name) PTCP_STAT_GET(st, name)

/* Parse @len bytes from a malloc'd copy of exactly @len bytes. */
static uint8_t
parse_exact(const uint8_t *bytes, unsigned int len, bool syn,
		struct tcp_opts *o, struct ptcp_stats *st)
{
	uint8_t *b = malloc(len ? len : 1);
	uint8_t r;

	if (b == NULL)
		abort();
	memcpy(b, bytes, len);
	r = tcp_opt_parse(b, len, syn, o, st);
	free(b);
	return r;
}

/* A SYN from Linux 6.x: MSS 1460, SACK-permitted, TS, NOP, WS 7. */
static const uint8_t linux_syn[] = {
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x00, 0x9a, 0x8b, 0x2c, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

static int
linux_syn_options_parse(void)
{
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	uint8_t r;

	r = parse_exact(linux_syn, sizeof(linux_syn), true, &o, &st);
	CHECK_EQ(r, TOF_MSS | TOF_SACKOK | TOF_TS | TOF_WSCALE);
	CHECK_EQ(o.present, r);
	CHECK_EQ(o.mss, 1460);
	CHECK_EQ(o.wscale, 7);
	CHECK_EQ(o.tsval, 0x009a8b2c);
	CHECK_EQ(o.tsecr, 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	CHECK_EQ(STAT(&st, tcp_opt_ws_clamped), 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_mss), 0);
	return 0;
}

static int
syn_only_options_ignored_on_non_syn(void)
{
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	uint8_t r;

	r = parse_exact(linux_syn, sizeof(linux_syn), false, &o, &st);
	CHECK_EQ(r, TOF_TS);
	CHECK_EQ(o.mss, 0);
	CHECK_EQ(o.wscale, 0);
	CHECK_EQ(o.tsval, 0x009a8b2c);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
zero_length_stops_and_counts(void)
{
	static const uint8_t b[] = {
		0x02, 0x04, 0x05, 0xb4,   /* MSS 1460 */
		0x08, 0x00,               /* TS with length 0 */
		0x04, 0x02,               /* SACK-permitted: not reached */
		0x01, 0x03, 0x03, 0x07,   /* WS: not reached */
	};
	/* Length 1 (would loop on a naive parser) after an option. */
	static const uint8_t c[] = { 0x04, 0x02, 0xfe, 0x01, 0x04, 0x02 };
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_MSS);
	CHECK_EQ(o.mss, 1460);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 1);

	CHECK_EQ(parse_exact(c, sizeof(c), true, &o, &st), TOF_SACKOK);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 2);
	return 0;
}

static int
length_past_the_end_stops_and_counts(void)
{
	/* WS then TS claiming 10 bytes with only 8 left. */
	static const uint8_t b[] = {
		0x01, 0x03, 0x03, 0x07,
		0x08, 0x0a, 0, 0, 0, 1, 0, 0,
	};
	/* A kind at the last byte, with no room for its length. */
	static const uint8_t c[] = { 0x01, 0x03, 0x03, 0x02, 0x01, 0x02 };
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_WSCALE);
	CHECK_EQ(o.wscale, 7);
	CHECK_EQ(o.tsval, 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 1);

	CHECK_EQ(parse_exact(c, sizeof(c), true, &o, &st), TOF_WSCALE);
	CHECK_EQ(o.wscale, 2);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 2);

	/* The same bytes cut short by len: the parser must honour len. */
	CHECK_EQ(parse_exact(linux_syn, 5, true, &o, &st), TOF_MSS);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 3);
	return 0;
}

static int
mss_length_3_ignored_and_counted(void)
{
	static const uint8_t b[] = {
		0x02, 0x03, 0x05,         /* MSS with length 3 */
		0x04, 0x02,               /* SACK-permitted still parsed */
		0x01, 0x01, 0x00,
	};
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_SACKOK);
	CHECK_EQ(o.mss, 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 1);
	return 0;
}

static int
ts_length_9_ignored_and_counted(void)
{
	static const uint8_t b[] = {
		0x08, 0x09, 1, 2, 3, 4, 5, 6, 7,   /* TS with length 9 */
		0x01, 0x03, 0x03, 0x05,            /* WS 5 still parsed */
	};
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_WSCALE);
	CHECK_EQ(o.tsval, 0);
	CHECK_EQ(o.tsecr, 0);
	CHECK_EQ(o.wscale, 5);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 1);
	return 0;
}

static int
wscale_15_clamped_to_14(void)
{
	static const uint8_t b[] = { 0x01, 0x03, 0x03, 0x0f };
	static const uint8_t c[] = { 0x01, 0x03, 0x03, 0xff };
	static const uint8_t d[] = { 0x01, 0x03, 0x03, 0x0e };
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_WSCALE);
	CHECK_EQ(o.wscale, 14);
	CHECK_EQ(STAT(&st, tcp_opt_ws_clamped), 1);
	CHECK_EQ(parse_exact(c, sizeof(c), true, &o, &st), TOF_WSCALE);
	CHECK_EQ(o.wscale, 14);
	CHECK_EQ(STAT(&st, tcp_opt_ws_clamped), 2);
	CHECK_EQ(parse_exact(d, sizeof(d), true, &o, &st), TOF_WSCALE);
	CHECK_EQ(o.wscale, 14);
	CHECK_EQ(STAT(&st, tcp_opt_ws_clamped), 2);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
mss_0_ignored_and_counted(void)
{
	static const uint8_t b[] = { 0x02, 0x04, 0x00, 0x00, 0x04, 0x02 };
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_SACKOK);
	CHECK_EQ(o.mss, 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_mss), 1);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
unknown_kind_skipped_by_length(void)
{
	static const uint8_t b[] = {
		0xfe, 0x06, 0x08, 0x0a, 0x08, 0x0a,   /* experimental, len 6 */
		0x08, 0x0a, 0, 0, 0, 7, 0, 0, 0, 9,   /* TS 7, 9 */
		0x05, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8,   /* one SACK block */
	};
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), false, &o, &st), TOF_TS | TOF_SACK);
	CHECK_EQ(o.tsval, 7);
	CHECK_EQ(o.tsecr, 9);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
eol_stops_parsing(void)
{
	static const uint8_t b[] = {
		0x02, 0x04, 0x05, 0xb4,
		0x00,                     /* EOL */
		0x04, 0x02, 0x08, 0x00,   /* garbage after EOL: not read */
	};
	static const uint8_t c[] = { 0x00, 0x02, 0x04, 0x05, 0xb4 };
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	CHECK_EQ(parse_exact(b, sizeof(b), true, &o, &st), TOF_MSS);
	CHECK_EQ(parse_exact(c, sizeof(c), true, &o, &st), 0);
	CHECK_EQ(parse_exact(c, 0, true, &o, &st), 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}


/*
 * Half the blobs are random bytes; half are random sequences of plausible
 * options (right kinds, right or nearly right lengths), to go deep.
 */
static unsigned int
random_blob(uint64_t *s, uint8_t *b)
{
	static const uint8_t kinds[] = { 0, 1, 2, 3, 4, 5, 5, 8, 0xfe };
	static const uint8_t lens[] = { 1, 1, 4, 3, 2, 10, 26, 10, 6 };
	unsigned int len = (unsigned int)(ptcp_test_rand(s) % (TCP_OPT_MAX_LEN + 1));
	unsigned int i, k, l;

	if (ptcp_test_rand(s) & 1) {
		for (i = 0; i < len; i++)
			b[i] = (uint8_t)ptcp_test_rand(s);
		return len;
	}
	for (i = 0; i < len; ) {
		k = (unsigned int)(ptcp_test_rand(s) % sizeof(kinds));
		b[i++] = kinds[k];
		if (lens[k] == 1 || i >= len)
			continue;
		l = lens[k];
		switch (ptcp_test_rand(s) % 8) {
		case 0: l = (uint8_t)ptcp_test_rand(s); break;
		case 1: l = l - 1; break;
		case 2: l = l + 1; break;
		default: break;
		}
		b[i++] = (uint8_t)l;
		/* bodies: edge values (0, 0xff) half the time */
		for (l = 2; l < lens[k] && i < len; l++) {
			uint64_t v = ptcp_test_rand(s);

			b[i++] = (v & 3) == 0 ? 0 : (v & 3) == 1 ? 0xff :
				(uint8_t)(v >> 8);
		}
	}
	return len;
}

static int
random_blobs_parse_in_bounds(void)
{
	uint8_t *buf[TCP_OPT_MAX_LEN + 1];
	uint8_t blob[TCP_OPT_MAX_LEN + 1];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	uint64_t seed = 0x5eed;
	unsigned int i, len, seen = 0;
	bool syn;
	uint8_t r;

	/* One buffer of exactly each length: the blob ends where it ends. */
	for (i = 0; i <= TCP_OPT_MAX_LEN; i++) {
		buf[i] = malloc(i ? i : 1);
		CHECK(buf[i] != NULL);
	}
	for (i = 0; i < 1000000; i++) {
		len = random_blob(&seed, blob);
		syn = (i & 2) != 0;
		/* len 0 reads nothing: the 1-byte buffer is never touched */
		memcpy(buf[len], blob, len);
		r = tcp_opt_parse(buf[len], len, syn, &o, &st);
		CHECK_EQ(r, o.present);
		CHECK((r & ~(TOF_MSS | TOF_WSCALE | TOF_SACKOK | TOF_TS |
			TOF_SACK)) == 0);
		if (!syn)
			CHECK((r & (TOF_MSS | TOF_WSCALE | TOF_SACKOK)) == 0);
		if (r & TOF_MSS)
			CHECK(o.mss != 0);
		else
			CHECK_EQ(o.mss, 0);
		/* SACK blocks: exactly with TOF_SACK, never on a SYN */
		CHECK_EQ((r & TOF_SACK) != 0, o.nsack != 0);
		CHECK(o.nsack <= TCP_OPT_MAX_SACK);
		if (syn)
			CHECK_EQ(o.nsack, 0);
		CHECK(o.wscale <= TCP_MAX_WSCALE);
		seen |= r;
	}
	for (i = 0; i <= TCP_OPT_MAX_LEN; i++)
		free(buf[i]);
	/* The generator reached every option. */
	CHECK_EQ(seen, TOF_MSS | TOF_WSCALE | TOF_SACKOK | TOF_TS | TOF_SACK);
	CHECK(STAT(&st, tcp_opt_bad_len) > 0);
	CHECK(STAT(&st, tcp_opt_ws_clamped) > 0);
	CHECK(STAT(&st, tcp_opt_bad_mss) > 0);
	return 0;
}

static int
build_syn_round_trips_all_16(void)
{
	static const uint8_t all[] = {
		0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
		0x00, 0x9a, 0x8b, 0x2c, 0x12, 0x34, 0x56, 0x78,
		0x01, 0x03, 0x03, 0x07,
	};
	static const uint8_t sack_ws[] = {
		0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07,
	};
	uint8_t b[TCP_OPT_MAX_LEN];
	struct ptcp_stats st = { 0 };
	struct tcp_opts in, out;
	unsigned int combo, len, i;
	uint8_t want;

	for (combo = 0; combo < 16; combo++) {
		want = 0;
		if (combo & 1)
			want |= TOF_MSS;
		if (combo & 2)
			want |= TOF_WSCALE;
		if (combo & 4)
			want |= TOF_SACKOK;
		if (combo & 8)
			want |= TOF_TS;
		memset(&in, 0, sizeof(in));
		in.present = want;
		in.mss = 1460;
		in.wscale = 7;
		in.tsval = 0x009a8b2c;
		in.tsecr = 0x12345678;
		memset(b, 0xee, sizeof(b));
		len = tcp_opt_build_syn(b, &in);
		CHECK_MSG(len % 4 == 0 && len <= TCP_OPT_MAX_LEN,
			"combo %u len %u", combo, len);
		for (i = len; i < sizeof(b); i++)
			CHECK_EQ(b[i], 0xee);
		CHECK_EQ(parse_exact(b, len, true, &out, &st), want);
		if (want & TOF_MSS)
			CHECK_EQ(out.mss, 1460);
		if (want & TOF_WSCALE)
			CHECK_EQ(out.wscale, 7);
		if (want & TOF_TS) {
			CHECK_EQ(out.tsval, 0x009a8b2c);
			CHECK_EQ(out.tsecr, 0x12345678);
		}
		if (want == (TOF_MSS | TOF_WSCALE | TOF_SACKOK | TOF_TS)) {
			CHECK_EQ(len, sizeof(all));
			CHECK(memcmp(b, all, sizeof(all)) == 0);
		}
		if (want == (TOF_WSCALE | TOF_SACKOK)) {
			CHECK_EQ(len, sizeof(sack_ws));
			CHECK(memcmp(b, sack_ws, sizeof(sack_ws)) == 0);
		}
		if (want == 0)
			CHECK_EQ(len, 0);
	}
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
build_ts_layout(void)
{
	static const uint8_t want[] = {
		0x01, 0x01, 0x08, 0x0a,
		0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
	};
	uint8_t b[TCP_OPT_TS_LEN + 1];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;

	b[TCP_OPT_TS_LEN] = 0xee;
	CHECK_EQ(tcp_opt_build_ts(b, 0xdeadbeef, 0x01020304), TCP_OPT_TS_LEN);
	CHECK(memcmp(b, want, sizeof(want)) == 0);
	CHECK_EQ(b[TCP_OPT_TS_LEN], 0xee);
	CHECK_EQ(parse_exact(b, TCP_OPT_TS_LEN, false, &o, &st), TOF_TS);
	CHECK_EQ(o.tsval, 0xdeadbeef);
	CHECK_EQ(o.tsecr, 0x01020304);
	return 0;
}

/* SACK option bytes: kind 5, length 2 + 8n, then n (start, end) pairs. */
static unsigned int
sack_opt(uint8_t *b, unsigned int n, uint32_t first)
{
	unsigned int i, k = 0;

	if (n > TCP_OPT_MAX_SACK)
		n = TCP_OPT_MAX_SACK;
	b[k++] = TCPOPT_SACK;
	b[k++] = (uint8_t)(2 + 8 * n);
	for (i = 0; i < n; i++) {
		uint32_t s = first + i * 0x01010101u, e = s + 1000 + i;

		b[k++] = (uint8_t)(s >> 24);
		b[k++] = (uint8_t)(s >> 16);
		b[k++] = (uint8_t)(s >> 8);
		b[k++] = (uint8_t)s;
		b[k++] = (uint8_t)(e >> 24);
		b[k++] = (uint8_t)(e >> 16);
		b[k++] = (uint8_t)(e >> 8);
		b[k++] = (uint8_t)e;
	}
	return k;
}

static int
sack_blocks_1_to_4_parse(void)
{
	/* 40 bytes are used; GCC 12's -Wstringop-overflow cannot tell */
	uint8_t b[64];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	unsigned int n, i, len;

	for (n = 1; n <= 4; n++) {
		/* NOP, NOP, SACK: how Linux aligns it */
		b[0] = TCPOPT_NOP;
		b[1] = TCPOPT_NOP;
		len = 2 + sack_opt(b + 2, n, 0xfffffe00u);
		CHECK_EQ(parse_exact(b, len, false, &o, &st), TOF_SACK);
		CHECK_EQ(o.nsack, n);
		for (i = 0; i < n; i++) {
			CHECK_EQ(o.sack[i].start, 0xfffffe00u + i * 0x01010101u);
			CHECK_EQ(o.sack[i].end,
				0xfffffe00u + i * 0x01010101u + 1000 + i);
		}
		for (; i < TCP_OPT_MAX_SACK; i++) {
			CHECK_EQ(o.sack[i].start, 0);
			CHECK_EQ(o.sack[i].end, 0);
		}
	}
	/* With timestamps before: 3 blocks fill the 40 bytes. */
	len = tcp_opt_build_ts(b, 7, 9);
	b[len++] = TCPOPT_NOP;
	b[len++] = TCPOPT_NOP;
	len += sack_opt(b + len, 3, 100);
	CHECK_EQ(len, TCP_OPT_MAX_LEN);
	CHECK_EQ(parse_exact(b, len, false, &o, &st), TOF_TS | TOF_SACK);
	CHECK_EQ(o.tsval, 7);
	CHECK_EQ(o.nsack, 3);
	CHECK_EQ(o.sack[2].start, 100 + 2 * 0x01010101u);
	/* A later SACK option replaces an earlier one. */
	len = sack_opt(b, 2, 5000);
	len += sack_opt(b + len, 1, 9000);
	CHECK_EQ(parse_exact(b, len, false, &o, &st), TOF_SACK);
	CHECK_EQ(o.nsack, 1);
	CHECK_EQ(o.sack[0].start, 9000);
	/* A parse with no SACK leaves none from a previous one. */
	CHECK_EQ(parse_exact(b, 0, false, &o, &st), 0);
	CHECK_EQ(o.nsack, 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
sack_bad_lengths_ignored_and_counted(void)
{
	/* lengths that are not 2 + 8n with 1 <= n <= 4 */
	static const uint8_t bad[] = { 2, 3, 9, 11, 17, 25, 33, 35, 42 };
	uint8_t b[64];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	unsigned int i, len;
	uint64_t want = 0;

	for (i = 0; i < sizeof(bad); i++) {
		memset(b, 0, sizeof(b));
		b[0] = TCPOPT_SACK;
		b[1] = bad[i];
		/* the option fits, then a window scale still parsed... */
		b[bad[i]] = TCPOPT_WSCALE;
		b[bad[i] + 1] = 3;
		b[bad[i] + 2] = 4;
		len = bad[i] + 3u;
		/* ...by a SYN, which takes no SACK in any case */
		CHECK_EQ(parse_exact(b, len, true, &o, &st), TOF_WSCALE);
		CHECK_EQ(STAT(&st, tcp_opt_bad_len), ++want);
		CHECK_EQ(parse_exact(b, len, false, &o, &st), 0);
		CHECK_EQ(o.nsack, 0);
		CHECK_MSG(STAT(&st, tcp_opt_bad_len) == ++want, "length %u",
			bad[i]);
	}
	/* Five blocks (42 bytes) cannot fit a TCP header anyway. */
	return 0;
}

static int
sack_blocks_on_syn_ignored(void)
{
	uint8_t b[TCP_OPT_MAX_LEN];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	unsigned int len;

	len = sizeof(linux_syn);
	memcpy(b, linux_syn, len);
	len += sack_opt(b + len, 2, 1000);
	CHECK_EQ(parse_exact(b, len, true, &o, &st),
		TOF_MSS | TOF_SACKOK | TOF_TS | TOF_WSCALE);
	CHECK_EQ(o.nsack, 0);
	CHECK_EQ(o.sack[0].start, 0);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static int
sack_truncated_stops_parsing(void)
{
	uint8_t b[TCP_OPT_MAX_LEN];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	unsigned int len, cut;
	uint64_t want = 0;

	len = tcp_opt_build_ts(b, 1, 2);
	len += sack_opt(b + len, 3, 77);
	CHECK_EQ(len, 38);
	/* Every cut inside the SACK option: TS kept, SACK not, counted. */
	for (cut = 13; cut < len; cut++) {
		CHECK_EQ(parse_exact(b, cut, false, &o, &st), TOF_TS);
		CHECK_EQ(o.nsack, 0);
		CHECK_EQ(o.tsval, 1);
		CHECK_EQ(STAT(&st, tcp_opt_bad_len), ++want);
	}
	CHECK_EQ(parse_exact(b, len, false, &o, &st), TOF_TS | TOF_SACK);
	CHECK_EQ(o.nsack, 3);
	return 0;
}

static int
build_ack_round_trips(void)
{
	struct tcp_sack_block blk[5], none[1];
	uint8_t b[TCP_OPT_MAX_LEN + 8];
	struct ptcp_stats st = { 0 };
	struct tcp_opts o;
	unsigned int ts, n, i, len, want_n;

	for (i = 0; i < 5; i++) {
		blk[i].start = 0xfffff000u + i * 3000;   /* wraps 2^32 */
		blk[i].end = blk[i].start + 1448 * (i + 1);
	}
	for (ts = 0; ts < 2; ts++) {
		for (n = 0; n <= 5; n++) {
			memset(b, 0xee, sizeof(b));
			len = tcp_opt_build_ack(b, ts, 0x01020304, 0xa0b0c0d0,
				blk, n);
			want_n = n < (ts ? 3u : 4u) ? n : (ts ? 3u : 4u);
			CHECK_MSG(len == (ts ? 12u : 0u) +
				(want_n ? 4 + 8 * want_n : 0),
				"ts %u n %u: len %u", ts, n, len);
			CHECK(len % 4 == 0 && len <= TCP_OPT_MAX_LEN);
			for (i = len; i < sizeof(b); i++)
				CHECK_EQ(b[i], 0xee);
			CHECK_EQ(parse_exact(b, len, false, &o, &st),
				(ts ? TOF_TS : 0) | (want_n ? TOF_SACK : 0));
			CHECK_EQ(o.nsack, want_n);
			for (i = 0; i < want_n; i++) {
				CHECK_EQ(o.sack[i].start, blk[i].start);
				CHECK_EQ(o.sack[i].end, blk[i].end);
			}
			if (ts) {
				CHECK_EQ(o.tsval, 0x01020304);
				CHECK_EQ(o.tsecr, 0xa0b0c0d0);
			}
		}
	}
	/* The wire layout: NOP NOP SACK len, network order. */
	len = tcp_opt_build_ack(b, false, 0, 0, blk, 1);
	CHECK_EQ(len, 12);
	CHECK_EQ(b[0], 1);
	CHECK_EQ(b[1], 1);
	CHECK_EQ(b[2], 5);
	CHECK_EQ(b[3], 10);
	CHECK_EQ(b[4], 0xff);   /* 0xfffff000 */
	CHECK_EQ(b[6], 0xf0);
	CHECK_EQ(b[7], 0x00);
	CHECK_EQ(b[8], 0xff);   /* 0xfffff5a8 */
	CHECK_EQ(b[10], 0xf5);
	CHECK_EQ(b[11], 0xa8);
	/* Timestamps only: the same 12 bytes as tcp_opt_build_ts(). */
	len = tcp_opt_build_ack(b, true, 5, 6, none, 0);
	CHECK_EQ(len, TCP_OPT_TS_LEN);
	CHECK_EQ(b[2], TCPOPT_TIMESTAMP);
	CHECK_EQ(STAT(&st, tcp_opt_bad_len), 0);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(linux_syn_options_parse),
	TEST(syn_only_options_ignored_on_non_syn),
	TEST(zero_length_stops_and_counts),
	TEST(length_past_the_end_stops_and_counts),
	TEST(mss_length_3_ignored_and_counted),
	TEST(ts_length_9_ignored_and_counted),
	TEST(wscale_15_clamped_to_14),
	TEST(mss_0_ignored_and_counted),
	TEST(unknown_kind_skipped_by_length),
	TEST(eol_stops_parsing),
	TEST(random_blobs_parse_in_bounds),
	TEST(build_syn_round_trips_all_16),
	TEST(build_ts_layout),
	TEST(sack_blocks_1_to_4_parse),
	TEST(sack_bad_lengths_ignored_and_counted),
	TEST(sack_blocks_on_syn_ignored),
	TEST(sack_truncated_stops_parsing),
	TEST(build_ack_round_trips),
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
