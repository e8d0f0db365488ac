/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP options: defensive parsing (RFC 9293 §3.1 and §3.2: "must be prepared
 * to handle an illegal option length"), and building the option blocks we
 * send (RFC 7323 timestamps and window scale, RFC 2018 SACK-permitted and
 * SACK blocks).
 *
 * The parser reads only bytes inside [p, p + len): before reading a length
 * byte it checks that one is there, and before using an option's body it
 * checks that the length keeps it inside the block.
 */

#include <string.h>

#include "tcp_opt.h"

#define TCPOLEN_MSS        4
#define TCPOLEN_WSCALE     3
#define TCPOLEN_SACK_PERM  2
#define TCPOLEN_TIMESTAMP  10
#define TCPOLEN_SACK_BASE  2
#define TCPOLEN_SACK_BLOCK 8

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * One option of kind p[0] and length olen (2 <= olen, all inside the
 * block). A known kind with the wrong length is ignored and counted, on any
 * segment; MSS, window scale and SACK-permitted are then taken only from a
 * SYN.
 */
static void
opt_one(const uint8_t *p, unsigned int olen, bool syn, struct tcp_opts *o,
		struct ptcp_stats *st)
{
	unsigned int i, n;
	uint16_t mss;
	uint8_t ws;

	switch (p[0]) {
	case TCPOPT_MSS:
		if (olen != TCPOLEN_MSS)
			goto bad_len;
		if (!syn)
			return;
		mss = rd16(p + 2);
		if (mss == 0) {
			PTCP_STAT_INC(st, tcp_opt_bad_mss);
			return;
		}
		o->mss = mss;
		o->present |= TOF_MSS;
		return;
	case TCPOPT_WSCALE:
		if (olen != TCPOLEN_WSCALE)
			goto bad_len;
		if (!syn)
			return;
		ws = p[2];
		if (ws > TCP_MAX_WSCALE) {
			PTCP_STAT_INC(st, tcp_opt_ws_clamped);
			ws = TCP_MAX_WSCALE;
		}
		o->wscale = ws;
		o->present |= TOF_WSCALE;
		return;
	case TCPOPT_SACK_PERM:
		if (olen != TCPOLEN_SACK_PERM)
			goto bad_len;
		if (syn)
			o->present |= TOF_SACKOK;
		return;
	case TCPOPT_TIMESTAMP:
		if (olen != TCPOLEN_TIMESTAMP)
			goto bad_len;
		o->tsval = rd32(p + 2);
		o->tsecr = rd32(p + 6);
		o->present |= TOF_TS;
		return;
	case TCPOPT_SACK:
		if (olen < TCPOLEN_SACK_BASE + TCPOLEN_SACK_BLOCK ||
				(olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK ||
				(olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK >
				TCP_OPT_MAX_SACK)
			goto bad_len;
		/* A SYN acknowledges nothing that could be selective. */
		if (syn)
			return;
		n = (olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK;
		for (i = 0; i < n; i++) {
			o->sack[i].start = rd32(p + 2 + i * TCPOLEN_SACK_BLOCK);
			o->sack[i].end = rd32(p + 6 + i * TCPOLEN_SACK_BLOCK);
		}
		o->nsack = (uint8_t)n;
		o->present |= TOF_SACK;
		return;
	default:
		return;
	}
bad_len:
	PTCP_STAT_INC(st, tcp_opt_bad_len);
}

uint8_t
tcp_opt_parse(const uint8_t *p, unsigned int len, bool syn,
		struct tcp_opts *o, struct ptcp_stats *st)
{
	unsigned int i = 0, olen;

	memset(o, 0, sizeof(*o));
	/*
	 * Almost every segment of a connection with timestamps carries
	 * exactly NOP, NOP, TS (RFC 7323 Appendix A's layout): take it in
	 * one step, as Linux's tcp_parse_aligned_timestamp() does.
	 */
	if (len == TCP_OPT_TS_LEN && p[0] == TCPOPT_NOP &&
			p[1] == TCPOPT_NOP && p[2] == TCPOPT_TIMESTAMP &&
			p[3] == 10) {
		o->present = TOF_TS;
		o->tsval = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) |
			((uint32_t)p[6] << 8) | p[7];
		o->tsecr = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) |
			((uint32_t)p[10] << 8) | p[11];
		return o->present;
	}
	while (i < len) {
		if (p[i] == TCPOPT_EOL)
			break;
		if (p[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		/* A kind that needs a length byte, and may not have one. */
		if (len - i < 2) {
			PTCP_STAT_INC(st, tcp_opt_bad_len);
			break;
		}
		olen = p[i + 1];
		if (olen < 2 || olen > len - i) {
			PTCP_STAT_INC(st, tcp_opt_bad_len);
			break;
		}
		opt_one(p + i, olen, syn, o, st);
		i += olen;
	}
	return o->present;
}

/*
 * Linux's tcp_options_write() layout, every piece a multiple of 4:
 *   MSS                  02 04 mm mm
 *   SACK-perm + TS       04 02 08 0a <tsval> <tsecr>
 *   TS alone             01 01 08 0a <tsval> <tsecr>
 *   SACK-perm alone      01 01 04 02
 *   window scale         01 03 03 ws
 * At most 4 + 12 + 4 = 20 bytes.
 */
unsigned int
tcp_opt_build_syn(uint8_t *p, const struct tcp_opts *o)
{
	unsigned int n = 0;

	if (o->present & TOF_MSS) {
		p[n++] = TCPOPT_MSS;
		p[n++] = TCPOLEN_MSS;
		wr16(p + n, o->mss);
		n += 2;
	}
	if (o->present & TOF_TS) {
		if (o->present & TOF_SACKOK) {
			p[n++] = TCPOPT_SACK_PERM;
			p[n++] = TCPOLEN_SACK_PERM;
		} else {
			p[n++] = TCPOPT_NOP;
			p[n++] = TCPOPT_NOP;
		}
		p[n++] = TCPOPT_TIMESTAMP;
		p[n++] = TCPOLEN_TIMESTAMP;
		wr32(p + n, o->tsval);
		wr32(p + n + 4, o->tsecr);
		n += 8;
	} else if (o->present & TOF_SACKOK) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_SACK_PERM;
		p[n++] = TCPOLEN_SACK_PERM;
	}
	if (o->present & TOF_WSCALE) {
		p[n++] = TCPOPT_NOP;
		p[n++] = TCPOPT_WSCALE;
		p[n++] = TCPOLEN_WSCALE;
		p[n++] = o->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE :
			o->wscale;
	}
	return n;
}

unsigned int
tcp_opt_build_ts(uint8_t *p, uint32_t tsval, uint32_t tsecr)
{
	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_TIMESTAMP;
	p[3] = TCPOLEN_TIMESTAMP;
	wr32(p + 4, tsval);
	wr32(p + 8, tsecr);
	return TCP_OPT_TS_LEN;
}

/*
 * RFC 7323 Appendix A and RFC 2018 §3 layouts, each a multiple of 4:
 *   TS                   01 01 08 0a <tsval> <tsecr>
 *   SACK, n blocks       01 01 05 (2 + 8n) <start> <end> ...
 * 12 + 4 + 3 * 8 = 40 bytes with timestamps, 4 + 4 * 8 = 36 without.
 */
unsigned int
tcp_opt_build_ack(uint8_t *p, bool ts, uint32_t tsval, uint32_t tsecr,
		const struct tcp_sack_block *blk, unsigned int nblk)
{
	unsigned int n = 0, i, max = ts ? TCP_OPT_MAX_SACK - 1 :
		TCP_OPT_MAX_SACK;

	if (ts)
		n = tcp_opt_build_ts(p, tsval, tsecr);
	if (nblk > max)
		nblk = max;
	if (nblk == 0)
		return n;
	p[n++] = TCPOPT_NOP;
	p[n++] = TCPOPT_NOP;
	p[n++] = TCPOPT_SACK;
	p[n++] = (uint8_t)(TCPOLEN_SACK_BASE + nblk * TCPOLEN_SACK_BLOCK);
	for (i = 0; i < nblk; i++) {
		wr32(p + n, blk[i].start);
		wr32(p + n + 4, blk[i].end);
		n += TCPOLEN_SACK_BLOCK;
	}
	return n;
}
