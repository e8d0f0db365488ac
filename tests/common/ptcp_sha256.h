/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_SHA256_H
#define PTCP_SHA256_H

/*
 * SHA-256 (FIPS 180-4) for the tests: a digest of what a sender sent and
 * of what a receiver got, compared at the end of a transfer. Plain C, no
 * library, no state but the caller's context. ptcp_sha256_self_check()
 * runs the FIPS 180-4 / NIST example vectors: a test that relies on the
 * digest calls it first, so a broken digest cannot make two different
 * streams look equal.
 *
 *   struct ptcp_sha256 h;
 *   uint8_t d[PTCP_SHA256_LEN];
 *
 *   ptcp_sha256_init(&h);
 *   ptcp_sha256_update(&h, buf, len);     // any number of times
 *   ptcp_sha256_final(&h, d);
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PTCP_SHA256_LEN 32

struct ptcp_sha256 {
	uint32_t h[8];
	uint64_t len;                  /* bytes hashed so far */
	uint8_t buf[64];               /* a partial block */
	unsigned int nbuf;
};

static const uint32_t ptcp_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t
ptcp_sha256_ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state (FIPS 180-4 6.2.2). */
static inline void
ptcp_sha256_block(uint32_t st[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			(uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = (ptcp_sha256_ror(w[i - 2], 17) ^
			ptcp_sha256_ror(w[i - 2], 19) ^ (w[i - 2] >> 10)) +
			w[i - 7] +
			(ptcp_sha256_ror(w[i - 15], 7) ^
			 ptcp_sha256_ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
			w[i - 16];
	a = st[0]; b = st[1]; c = st[2]; d = st[3];
	e = st[4]; f = st[5]; g = st[6]; h = st[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ptcp_sha256_ror(e, 6) ^ ptcp_sha256_ror(e, 11) ^
			ptcp_sha256_ror(e, 25)) + ((e & f) ^ (~e & g)) +
			ptcp_sha256_k[i] + w[i];
		t2 = (ptcp_sha256_ror(a, 2) ^ ptcp_sha256_ror(a, 13) ^
			ptcp_sha256_ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
	st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

static inline void
ptcp_sha256_init(struct ptcp_sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->nbuf = 0;
}

static inline void
ptcp_sha256_update(struct ptcp_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t n;

	s->len += len;
	if (s->nbuf != 0) {
		n = 64 - s->nbuf < len ? 64 - s->nbuf : len;
		memcpy(s->buf + s->nbuf, p, n);
		s->nbuf += (unsigned int)n;
		p += n;
		len -= n;
		if (s->nbuf < 64)
			return;
		ptcp_sha256_block(s->h, s->buf);
		s->nbuf = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		ptcp_sha256_block(s->h, p);
	memcpy(s->buf, p, len);
	s->nbuf = (unsigned int)len;
}

/* Pad (FIPS 180-4 5.1.1), take the digest; @s must be re-initialized. */
static inline void
ptcp_sha256_final(struct ptcp_sha256 *s, uint8_t out[PTCP_SHA256_LEN])
{
	uint64_t bits = s->len * 8;
	unsigned int i;

	s->buf[s->nbuf++] = 0x80;
	if (s->nbuf > 56) {
		memset(s->buf + s->nbuf, 0, 64 - s->nbuf);
		ptcp_sha256_block(s->h, s->buf);
		s->nbuf = 0;
	}
	memset(s->buf + s->nbuf, 0, 56 - s->nbuf);
	for (i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	ptcp_sha256_block(s->h, s->buf);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

/* @d as 64 hex digits and a NUL into @hex. */
static inline void
ptcp_sha256_hex(const uint8_t d[PTCP_SHA256_LEN], char hex[65])
{
	static const char x[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < PTCP_SHA256_LEN; i++) {
		hex[2 * i] = x[d[i] >> 4];
		hex[2 * i + 1] = x[d[i] & 15];
	}
	hex[64] = '\0';
}

/*
 * Known answers: FIPS 180-4's examples ("abc", the two-block 448-bit
 * message), the empty message, and one million 'a' fed in uneven pieces
 * (so the partial-block path is crossed at every offset).
 * @return 0, or -1 after printing which vector failed.
 */
static inline int
ptcp_sha256_self_check(void)
{
	static const struct {
		const char *msg;
		const char *hex;
	} v[] = {
		{ "abc", "ba7816bf8f01cfea414140de5dae2223"
			"b00361a396177a9cb410ff61f20015ad" },
		{ "", "e3b0c44298fc1c149afbf4c8996fb924"
			"27ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"248d6a61d20638b8e5c026930c3e6039"
			"a33ce45964ff2167f6ecedd419db06c1" },
	};
	static const char million_a[] = "cdc76e5c9914fb9281a1c7e284d73e67"
		"f1809a48a497200e046d39ccc7112cd0";
	struct ptcp_sha256 s;
	uint8_t d[PTCP_SHA256_LEN], a[997];
	char hex[65];
	size_t left, n, i;
	unsigned int k;

	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		ptcp_sha256_init(&s);
		ptcp_sha256_update(&s, v[k].msg, strlen(v[k].msg));
		ptcp_sha256_final(&s, d);
		ptcp_sha256_hex(d, hex);
		if (strcmp(hex, v[k].hex) != 0) {
			fprintf(stderr, "  sha256(\"%s\") = %s, expected %s\n",
				v[k].msg, hex, v[k].hex);
			return -1;
		}
	}
	memset(a, 'a', sizeof(a));
	ptcp_sha256_init(&s);
	for (left = 1000000, i = 1; left > 0; left -= n, i++) {
		n = i % sizeof(a);
		if (n > left)
			n = left;
		ptcp_sha256_update(&s, a, n);
	}
	ptcp_sha256_final(&s, d);
	ptcp_sha256_hex(d, hex);
	if (strcmp(hex, million_a) != 0) {
		fprintf(stderr, "  sha256(1e6 x 'a') = %s, expected %s\n", hex,
			million_a);
		return -1;
	}
	return 0;
}

#endif /* PTCP_SHA256_H */
