/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RR_PATTERN_H
#define RR_PATTERN_H

/**
 * @file
 * The bytes of ptcp-server's rr service and of ptcp-churn's requests:
 * byte i of a message is i mod 251 (a prime, so that a lost, repeated or
 * shifted run shows against any power-of-two segment or buffer size).
 * Both sides send from a buffer filled once, starting at offset
 * i mod RR_PATTERN_PERIOD, so a send of up to RR_PATTERN_CHUNK bytes
 * never needs more than RR_PATTERN_BUF bytes. Pure C, no DPDK.
 */

#include <stddef.h>
#include <stdint.h>

#define RR_PATTERN_PERIOD 251u
/** Most bytes sent from the buffer in one call. */
#define RR_PATTERN_CHUNK 16384u
/** Size of a pattern buffer. */
#define RR_PATTERN_BUF (RR_PATTERN_CHUNK + RR_PATTERN_PERIOD)

/** Byte @p i of a message. */
static inline uint8_t
rr_pattern_byte(uint64_t i)
{
	return (uint8_t)(i % RR_PATTERN_PERIOD);
}

/** Fill @p buf with bytes 0..n-1 of the pattern. */
static inline void
rr_pattern_fill(uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = rr_pattern_byte(i);
}

/** Where in a pattern buffer bytes from offset @p off of a message start. */
static inline const uint8_t *
rr_pattern_at(const uint8_t *buf, uint64_t off)
{
	return buf + off % RR_PATTERN_PERIOD;
}

#endif /* RR_PATTERN_H */
