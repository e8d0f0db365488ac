/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_ISN_H
#define TCP_ISN_H

/*
 * Keyed hashing for initial sequence numbers (RFC 6528) and SYN cookies
 * (RFC 4987). Internal to lib/tcp. The secret is made once per lcore at
 * start from a good random source.
 */

#include <stdbool.h>
#include <stdint.h>

struct tcp_secret {
	uint64_t k0, k1;            /* SipHash-2-4 key */
};

/* Fill @s from getrandom(2) (falling back to rte_rand()). */
void tcp_secret_init(struct tcp_secret *s);

/* SipHash-2-4 of @len bytes (any alignment). */
uint64_t tcp_siphash(const struct tcp_secret *s, const void *data,
		unsigned int len);

/*
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secret),
 * M a clock ticking every 4 microseconds (@now_us / 4). Addresses and
 * ports in network order.
 */
uint32_t tcp_isn(const struct tcp_secret *s, uint32_t laddr, uint16_t lport,
		uint32_t raddr, uint16_t rport, uint64_t now_us);

/* The same over an IPv6 4-tuple (16-byte addresses, network order). */
uint32_t tcp_isn6(const struct tcp_secret *s, const uint8_t laddr[16],
		uint16_t lport, const uint8_t raddr[16], uint16_t rport,
		uint64_t now_us);

/*
 * SYN cookies (RFC 4987), after Linux (which keeps 8 bits of time and
 * adds the MSS index into the hashed bits instead):
 *   bits 31..27: t mod 32, t = minutes (64 s units) of the lcore clock
 *   bits 26..24: index of the MSS in the table below
 *   bits 23..0 : hash(secret, tuple, minute, peer ISN, MSS index) & 0xffffff
 * The cookie is our ISN; the ACK that completes the handshake carries it
 * plus one. A cookie is valid for the current and the previous minute
 * (up to 2 minutes of age, TCP_COOKIE_MAX_AGE): its age is
 * (now_min - t) mod 32 and it is accepted when age < TCP_COOKIE_MAX_AGE,
 * i.e. at age 0 and 1 (made at t = 31, still good at now_min = 32, where
 * t mod 32 = 0; rejected from age 2 on, and when from the "future").
 * The hash covers the full 32-bit minute (now_min - age), and the MSS
 * index too, so that neither the 5 time bits nor the 3 MSS bits can be
 * changed without breaking the hash.
 */
#define TCP_COOKIE_MAX_AGE 2
extern const uint16_t tcp_cookie_mss_table[8];

/* The cookie for a SYN with sequence @peer_isn and MSS @mss (rounded down
 * to the table; MSS below the smallest takes the smallest). */
uint32_t tcp_cookie_make(const struct tcp_secret *s, uint32_t laddr,
		uint16_t lport, uint32_t raddr, uint16_t rport, uint32_t peer_isn,
		uint16_t mss, uint32_t now_min);

/*
 * Check @cookie (= ACK - 1) for the segment whose seq - 1 is @peer_isn.
 * Returns true and the MSS the SYN carried (table value) in @mss when
 * valid for @now_min; @mss is untouched when not.
 */
bool tcp_cookie_check(const struct tcp_secret *s, uint32_t laddr,
		uint16_t lport, uint32_t raddr, uint16_t rport, uint32_t peer_isn,
		uint32_t cookie, uint32_t now_min, uint16_t *mss);

/* tcp_cookie_make() and tcp_cookie_check() over an IPv6 4-tuple (the
 * same MSS table: an IPv6 MSS of 1220..1439 rounds down to 1200). */
uint32_t tcp_cookie_make6(const struct tcp_secret *s, const uint8_t laddr[16],
		uint16_t lport, const uint8_t raddr[16], uint16_t rport,
		uint32_t peer_isn, uint16_t mss, uint32_t now_min);
bool tcp_cookie_check6(const struct tcp_secret *s, const uint8_t laddr[16],
		uint16_t lport, const uint8_t raddr[16], uint16_t rport,
		uint32_t peer_isn, uint32_t cookie, uint32_t now_min,
		uint16_t *mss);

/*
 * With timestamps, the SYN-ACK's TSval carries what the cookie has no room
 * for (Linux's scheme): low 4 bits = peer's window scale (0xf: none; a
 * @wscale < 0 is none, above 14 is taken as 14), bit 4 = SACK-permitted. @now_ts is our clock; the result is <= now_ts
 * and > now_ts - 32 so our timestamps stay monotonic.
 */
uint32_t tcp_cookie_tsval(uint32_t now_ts, int wscale, bool sack);

/* Decode the TSecr of the completing ACK. wscale -1 = none. */
void tcp_cookie_ts_decode(uint32_t tsecr, int *wscale, bool *sack);

#endif /* TCP_ISN_H */
