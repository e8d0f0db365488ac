/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keyed hashing for TCP: SipHash-2-4 (Aumasson and Bernstein, the reference
 * algorithm), initial sequence numbers per RFC 6528, SYN cookies per
 * RFC 4987 in Linux's layout, and the timestamp that carries the window
 * scale and SACK-permitted a cookie has no room for.
 *
 * Pure functions of their arguments: the secret and the clocks are the
 * caller's (per lcore).
 */

#include <string.h>

#include <rte_common.h>

#include "ptcp_flow.h"
#include "tcp_isn.h"

/* ---- SipHash-2-4 ---- */

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
} while (0)

static inline uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t
tcp_siphash(const struct tcp_secret *s, const void *data, unsigned int len)
{
	const uint8_t *in = data;
	const uint8_t *end = in + (len & ~7u);
	uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ s->k0;
	uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ s->k1;
	uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ s->k0;
	uint64_t v3 = UINT64_C(0x7465646279746573) ^ s->k1;
	uint64_t b = (uint64_t)len << 56;
	uint64_t m;
	unsigned int i;

	for (; in != end; in += 8) {
		m = le64(in);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (i = 0; i < (len & 7); i++)
		b |= (uint64_t)in[i] << (8 * i);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

void
tcp_secret_init(struct tcp_secret *s)
{
	ptcp_random_secret(s, sizeof(*s));
}

/* ---- hashed inputs ---- */

/* First byte of every hashed message: keeps ISNs and cookies apart. */
enum { HASH_ISN = 1, HASH_COOKIE = 2 };

static inline void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* The 4-tuple as it is on the wire (addresses and ports in network order). */
static inline void
put_tuple(uint8_t *p, uint32_t laddr, uint16_t lport, uint32_t raddr,
		uint16_t rport)
{
	put32(p, laddr);
	put32(p + 4, raddr);
	put16(p + 8, lport);
	put16(p + 10, rport);
}

/* A host-order value, little-endian, so the hash is the same on any host. */
static inline void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- RFC 6528 ---- */

/* An IPv6 4-tuple as it is on the wire: 36 bytes. */
#define TUPLE6_LEN 36

static inline void
put_tuple6(uint8_t *p, const uint8_t laddr[16], uint16_t lport,
		const uint8_t raddr[16], uint16_t rport)
{
	memcpy(p, laddr, 16);
	memcpy(p + 16, raddr, 16);
	put16(p + 32, lport);
	put16(p + 34, rport);
}

/* F() over the tuple's @tlen bytes (12 for IPv4, 36 for IPv6: the length
 * is hashed too, so the families never share a value by construction). */
static uint32_t
isn_of_tuple(const struct tcp_secret *s, const uint8_t *tuple,
		unsigned int tlen, uint64_t now_us)
{
	uint8_t b[1 + TUPLE6_LEN];
	uint64_t h;

	b[0] = HASH_ISN;
	memcpy(b + 1, tuple, tlen);
	h = tcp_siphash(s, b, 1 + tlen);
	return (uint32_t)(now_us >> 2) + (uint32_t)(h ^ (h >> 32));
}

uint32_t
tcp_isn(const struct tcp_secret *s, uint32_t laddr, uint16_t lport,
		uint32_t raddr, uint16_t rport, uint64_t now_us)
{
	uint8_t t[12];

	put_tuple(t, laddr, lport, raddr, rport);
	return isn_of_tuple(s, t, sizeof(t), now_us);
}

uint32_t
tcp_isn6(const struct tcp_secret *s, const uint8_t laddr[16], uint16_t lport,
		const uint8_t raddr[16], uint16_t rport, uint64_t now_us)
{
	uint8_t t[TUPLE6_LEN];

	put_tuple6(t, laddr, lport, raddr, rport);
	return isn_of_tuple(s, t, sizeof(t), now_us);
}

/* ---- SYN cookies ---- */

#define COOKIE_T_SHIFT    27
#define COOKIE_T_MASK     0x1fu
#define COOKIE_MSS_SHIFT  24
#define COOKIE_MSS_MASK   0x7u
#define COOKIE_HASH_MASK  0xffffffu

/*
 * Linux's IPv4 table {536, 1300, 1440, 1460} and four more steps for
 * tunnels and PPPoE (1200, 1400, 1452) and tiny peers (216). Ascending:
 * an MSS is rounded down to the largest entry not above it.
 */
const uint16_t tcp_cookie_mss_table[8] = {
	216, 536, 1200, 1300, 1400, 1440, 1452, 1460,
};

static unsigned int
cookie_mss_index(uint16_t mss)
{
	unsigned int i;

	for (i = RTE_DIM(tcp_cookie_mss_table) - 1; i > 0; i--)
		if (mss >= tcp_cookie_mss_table[i])
			break;
	return i;
}

/* The 24 hashed bits, over the full minute (not only its low 5 bits),
 * of the tuple's @tlen bytes (12: IPv4, 36: IPv6). */
static uint32_t
cookie_hash(const struct tcp_secret *s, const uint8_t *tuple,
		unsigned int tlen, uint32_t peer_isn, uint32_t minute,
		unsigned int mss_idx)
{
	uint8_t b[2 + TUPLE6_LEN + 8];

	b[0] = HASH_COOKIE;
	b[1] = (uint8_t)mss_idx;
	memcpy(b + 2, tuple, tlen);
	put32le(b + 2 + tlen, minute);
	put32le(b + 6 + tlen, peer_isn);
	return (uint32_t)tcp_siphash(s, b, 10 + tlen) & COOKIE_HASH_MASK;
}

static uint32_t
cookie_make(const struct tcp_secret *s, const uint8_t *tuple,
		unsigned int tlen, uint32_t peer_isn, uint16_t mss,
		uint32_t now_min)
{
	unsigned int idx = cookie_mss_index(mss);

	return (now_min & COOKIE_T_MASK) << COOKIE_T_SHIFT |
		(uint32_t)idx << COOKIE_MSS_SHIFT |
		cookie_hash(s, tuple, tlen, peer_isn, now_min, idx);
}

static bool
cookie_check(const struct tcp_secret *s, const uint8_t *tuple,
		unsigned int tlen, uint32_t peer_isn, uint32_t cookie,
		uint32_t now_min, uint16_t *mss)
{
	uint32_t age, minute;
	unsigned int idx;

	/* Minutes since the cookie was made, mod 32: 31 -> 0 is age 1. */
	age = (now_min - (cookie >> COOKIE_T_SHIFT)) & COOKIE_T_MASK;
	if (age >= TCP_COOKIE_MAX_AGE)
		return false;
	minute = now_min - age;
	idx = (cookie >> COOKIE_MSS_SHIFT) & COOKIE_MSS_MASK;
	if ((cookie & COOKIE_HASH_MASK) != cookie_hash(s, tuple, tlen,
			peer_isn, minute, idx))
		return false;
	*mss = tcp_cookie_mss_table[idx];
	return true;
}

uint32_t
tcp_cookie_make(const struct tcp_secret *s, uint32_t laddr, uint16_t lport,
		uint32_t raddr, uint16_t rport, uint32_t peer_isn,
		uint16_t mss, uint32_t now_min)
{
	uint8_t t[12];

	put_tuple(t, laddr, lport, raddr, rport);
	return cookie_make(s, t, sizeof(t), peer_isn, mss, now_min);
}

bool
tcp_cookie_check(const struct tcp_secret *s, uint32_t laddr, uint16_t lport,
		uint32_t raddr, uint16_t rport, uint32_t peer_isn,
		uint32_t cookie, uint32_t now_min, uint16_t *mss)
{
	uint8_t t[12];

	put_tuple(t, laddr, lport, raddr, rport);
	return cookie_check(s, t, sizeof(t), peer_isn, cookie, now_min, mss);
}

uint32_t
tcp_cookie_make6(const struct tcp_secret *s, const uint8_t laddr[16],
		uint16_t lport, const uint8_t raddr[16], uint16_t rport,
		uint32_t peer_isn, uint16_t mss, uint32_t now_min)
{
	uint8_t t[TUPLE6_LEN];

	put_tuple6(t, laddr, lport, raddr, rport);
	return cookie_make(s, t, sizeof(t), peer_isn, mss, now_min);
}

bool
tcp_cookie_check6(const struct tcp_secret *s, const uint8_t laddr[16],
		uint16_t lport, const uint8_t raddr[16], uint16_t rport,
		uint32_t peer_isn, uint32_t cookie, uint32_t now_min,
		uint16_t *mss)
{
	uint8_t t[TUPLE6_LEN];

	put_tuple6(t, laddr, lport, raddr, rport);
	return cookie_check(s, t, sizeof(t), peer_isn, cookie, now_min, mss);
}

/* ---- options in the timestamp (Linux's cookie_init_timestamp()) ---- */

#define TS_OPT_WSCALE_MASK 0xfu   /* 0xf: no window scale */
#define TS_OPT_SACK        0x10u
#define TS_OPT_MASK        0x1fu
#define TS_OPT_MAX_WSCALE  14       /* RFC 7323 §2.3 */

uint32_t
tcp_cookie_tsval(uint32_t now_ts, int wscale, bool sack)
{
	uint32_t opts, ts;

	if (wscale < 0)
		opts = TS_OPT_WSCALE_MASK;
	else if (wscale > TS_OPT_MAX_WSCALE)
		opts = TS_OPT_MAX_WSCALE;
	else
		opts = (uint32_t)wscale;
	if (sack)
		opts |= TS_OPT_SACK;
	ts = (now_ts & ~TS_OPT_MASK) | opts;
	/* Never ahead of our clock: step back one period of the mask. */
	if (opts > (now_ts & TS_OPT_MASK))
		ts -= TS_OPT_MASK + 1;
	return ts;
}

void
tcp_cookie_ts_decode(uint32_t tsecr, int *wscale, bool *sack)
{
	uint32_t w = tsecr & TS_OPT_WSCALE_MASK;

	*wscale = w == TS_OPT_WSCALE_MASK ? -1 : (int)w;
	*sack = (tsecr & TS_OPT_SACK) != 0;
}
