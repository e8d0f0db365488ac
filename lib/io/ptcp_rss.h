/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_RSS_H
#define PTCP_RSS_H

/**
 * @file
 * Which worker owns a flow: a symmetric Toeplitz hash of the IPv4/TCP
 * 4-tuple and a redirection table (RETA) per port, the same in software
 * (rte_softrss) and in a NIC that does RSS, so that both directions of a
 * connection reach the same worker, whatever queue a frame came in on.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Toeplitz key length (bytes), as most NICs take. */
#define PTCP_RSS_KEY_LEN 40
/** Entries of a software RETA (and the most a port's table may have). */
#define PTCP_RETA_MAX 512

/**
 * The key: 0x6d5a repeated, which makes the Toeplitz hash symmetric for
 * IPv4 and TCP ports (swapping source and destination gives the same
 * hash; Woo and Park, "Scalable TCP Session Monitoring with Symmetric
 * Receive-side Scaling", 2012).
 */
extern const uint8_t ptcp_rss_key[PTCP_RSS_KEY_LEN];

/**
 * Toeplitz hash (rte_softrss() with ptcp_rss_key) of an IPv4/TCP 4-tuple,
 * addresses and ports in network byte order as they are in the headers.
 * Symmetric: ptcp_rss_hash(a, b, p, q) == ptcp_rss_hash(b, a, q, p). It is
 * the hash a NIC programmed with ptcp_rss_key reports in m->hash.rss for
 * RTE_ETH_RSS_NONFRAG_IPV4_TCP.
 */
uint32_t ptcp_rss_hash(uint32_t saddr, uint32_t daddr, uint16_t sport,
		uint16_t dport);

/** The same hash computed by rte_softrss() (reference, for tests). */
uint32_t ptcp_rss_softrss(uint32_t saddr, uint32_t daddr, uint16_t sport,
		uint16_t dport);

/**
 * The same for an IPv6/TCP 4-tuple (16-byte addresses and ports in
 * network order, as in the headers): what a NIC programmed with
 * ptcp_rss_key reports for RTE_ETH_RSS_NONFRAG_IPV6_TCP (the 36-byte
 * input uses all 40 bytes of the key). Symmetric as ptcp_rss_hash(), and
 * as cheap: it takes the same two tables (rss.c says why).
 */
uint32_t ptcp_rss_hash6(const uint8_t saddr[16], const uint8_t daddr[16],
		uint16_t sport, uint16_t dport);

/** ptcp_rss_hash6() computed by rte_softrss() (reference, for tests). */
uint32_t ptcp_rss_softrss6(const uint8_t saddr[16], const uint8_t daddr[16],
		uint16_t sport, uint16_t dport);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_RSS_H */
