/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_SEQ_H
#define TCP_SEQ_H

/*
 * TCP sequence number arithmetic modulo 2^32 (RFC 9293 §3.4; FreeBSD
 * netinet/tcp_seq.h). a < b when b is "after" a by less than 2^31.
 */

#include <stdint.h>

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (a) : (b))
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (a) : (b))

/* a <= x < b, modulo 2^32. */
#define SEQ_IN(x, a, b) (SEQ_LEQ(a, x) && SEQ_LT(x, b))

/* Timestamps compare the same way (RFC 7323 §5.2). */
#define TSTMP_LT(a, b)  SEQ_LT(a, b)
#define TSTMP_GEQ(a, b) SEQ_GEQ(a, b)

#endif /* TCP_SEQ_H */
