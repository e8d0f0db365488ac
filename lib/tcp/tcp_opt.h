/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_OPT_H
#define TCP_OPT_H

/*
 * TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018): defensive parsing and
 * building. Internal to lib/tcp.
 */

#include <stdbool.h>
#include <stdint.h>

#include "ptcp_stats.h"
#include "tcp_sack.h"

#define TCPOPT_EOL        0
#define TCPOPT_NOP        1
#define TCPOPT_MSS        2
#define TCPOPT_WSCALE     3
#define TCPOPT_SACK_PERM  4
#define TCPOPT_SACK       5
#define TCPOPT_TIMESTAMP  8

#define TCP_MAX_WSCALE    14   /* RFC 7323 §2.3 */
#define TCP_OPT_MAX_LEN   40
#define TCP_OPT_MAX_SACK  4    /* blocks in one SACK option (RFC 2018 §3) */

/* Which options a segment carried (tcp_opts.present). */
#define TOF_MSS     0x01
#define TOF_WSCALE  0x02
#define TOF_SACKOK  0x04
#define TOF_TS      0x08
#define TOF_SACK    0x10

struct tcp_opts {
	uint8_t present;      /* TOF_* */
	uint8_t wscale;       /* clamped to TCP_MAX_WSCALE */
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t nsack;        /* SACK blocks in sack[] (TOF_SACK) */
	struct tcp_sack_block sack[TCP_OPT_MAX_SACK]; /* host order, as sent */
};

/*
 * Parse @len bytes of options at @p. MSS, window scale and SACK-permitted
 * count only on SYN segments (@syn). Rules (each counted in @st):
 *  - a length byte < 2 or running past the end: stop parsing, keep what
 *    was parsed (tcp_opt_bad_len);
 *  - MSS/WS/SACK-permitted/TS/SACK with the wrong length: that option
 *    ignored (tcp_opt_bad_len);
 *  - WS above 14: taken as 14 (tcp_opt_ws_clamped);
 *  - MSS of 0: ignored (tcp_opt_bad_mss);
 *  - unknown kinds: skipped by their length;
 *  - EOL stops parsing; a later option of the same kind replaces an
 *    earlier one;
 *  - SACK blocks (kind 5, length 2 + 8n, 1 <= n <= 4) count only on
 *    non-SYN segments: o->nsack = n, o->sack[] in host order and in the
 *    peer's order (the most recent block first, RFC 2018 §4), TOF_SACK.
 *    TOF_SACK is set exactly when nsack > 0. Blocks are not validated
 *    here (see tcp_sb_update()).
 * @o is cleared first; fields whose TOF_ bit is clear are 0.
 * Never reads outside [p, p + len). Returns the TOF_* set in o->present.
 */
uint8_t tcp_opt_parse(const uint8_t *p, unsigned int len, bool syn,
		struct tcp_opts *o, struct ptcp_stats *st);

/*
 * Options for a SYN or SYN-ACK, in Linux's order (MSS, SACK-permitted,
 * timestamps, NOP, window scale), each only when its TOF_ bit is set in
 * o->present; NOPs where Linux puts them so that the total is a multiple
 * of 4 (all four: 02 04 mm mm 04 02 08 0a <tsval> <tsecr> 01 03 03 ws,
 * 20 bytes; SACK-permitted without TS: 01 01 04 02). @p must hold
 * TCP_OPT_MAX_LEN bytes. Returns the length written (0..20).
 */
unsigned int tcp_opt_build_syn(uint8_t *p, const struct tcp_opts *o);

/* NOP, NOP, timestamps: 12 bytes, for every segment once negotiated. */
unsigned int tcp_opt_build_ts(uint8_t *p, uint32_t tsval, uint32_t tsecr);

#define TCP_OPT_TS_LEN 12

/*
 * Options for a non-SYN segment: NOP, NOP, timestamps if @ts (12 bytes),
 * then, if @nblk > 0, NOP, NOP, SACK with the first min(@nblk, @ts ? 3 : 4)
 * blocks of @blk (host order in, network order out; 4 + 8n bytes). The
 * caller orders @blk as RFC 2018 §4 asks (the block holding the segment
 * that triggered the ACK first). @p must hold TCP_OPT_MAX_LEN bytes.
 * Returns the length written: a multiple of 4, at most 40 (0 when
 * neither).
 */
unsigned int tcp_opt_build_ack(uint8_t *p, bool ts, uint32_t tsval,
		uint32_t tsecr, const struct tcp_sack_block *blk,
		unsigned int nblk);

#endif /* TCP_OPT_H */
