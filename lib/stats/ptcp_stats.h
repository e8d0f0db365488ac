/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_STATS_H
#define PTCP_STATS_H

/**
 * @file
 * Per-lcore counters.
 *
 * Every counter is a plain uint64_t in the owning lcore's struct: only that
 * lcore writes it, with no atomics; readers (telemetry, the final summary)
 * sum the lcores' copies. The list below is the one place a counter is
 * declared: its name in the list is its name in every report.
 */

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * X(name, description). Drops are named after their reason.
 */
#define PTCP_STATS_LIST(X) \
	X(rx_pkts,            "frames received from the ports") \
	X(rx_bytes,           "bytes received from the ports") \
	X(tx_pkts,            "frames handed to the ports") \
	X(tx_bytes,           "bytes handed to the ports") \
	X(tx_drop_full,       "frames dropped: TX queue full after a burst") \
	X(tx_drop_nombuf,     "replies not sent: mbuf pool empty") \
	X(rx_runt,            "dropped: frame shorter than an Ethernet header") \
	X(rx_vlan,            "dropped: VLAN-tagged frame (not supported yet)") \
	X(rx_not_ip_arp,      "dropped: EtherType neither ARP nor IPv4") \
	X(rx_not_our_mac,     "dropped: unicast to another MAC") \
	X(arp_rx,             "ARP frames received") \
	X(arp_bad,            "dropped: malformed ARP (hw/proto type, lengths)") \
	X(arp_not_for_us,     "ARP requests for another address (learnt nothing)") \
	X(arp_req_rx,         "ARP requests for our address answered") \
	X(arp_reply_rx,       "ARP replies received") \
	X(arp_req_tx,         "ARP requests sent (resolution)") \
	X(arp_gratuitous_tx,  "gratuitous ARPs sent") \
	X(arp_learnt,         "ARP cache entries created or refreshed") \
	X(arp_cache_full,     "ARP entries not learnt: cache full") \
	X(arp_expired,        "ARP entries aged out") \
	X(arp_queue_full,     "dropped: waiting queue of a next hop full") \
	X(arp_resolve_timeout,"dropped: next hop did not answer ARP in time") \
	X(arp_no_route,       "dropped: destination off-link and no gateway") \
	X(rx_ip_short,        "dropped: IPv4 header truncated") \
	X(rx_ip_version,      "dropped: IP version not 4") \
	X(rx_ip_bad_ihl,      "dropped: IHL < 5 or beyond the frame") \
	X(rx_ip_bad_len,      "dropped: total length < IHL or beyond the frame") \
	X(rx_bad_ip_csum,     "dropped: IPv4 header checksum wrong") \
	X(rx_ip_frag,         "dropped: IPv4 fragment (no reassembly)") \
	X(rx_not_for_us,      "dropped: IPv4 destination not ours") \
	X(rx_ip_bad_src,      "dropped: source is broadcast, multicast or ours") \
	X(rx_ip_proto,        "dropped: IP protocol neither ICMP nor TCP") \
	X(icmp_rx,            "ICMP messages received") \
	X(icmp_bad_csum,      "dropped: ICMP checksum wrong") \
	X(icmp_short,         "dropped: ICMP message truncated") \
	X(icmp_echo_rx,       "ICMP echo requests answered") \
	X(icmp_other,         "ICMP messages of other types (ignored)") \
	X(tcp_rx,             "TCP segments received (handled by lib/tcp)") \
	X(sw_steer_rx,        "frames received from other lcores (software RSS)")

/** Counter indices, in list order. */
enum ptcp_stat_id {
#define PTCP_STAT_ENUM(n, d) PTCP_STAT_##n,
	PTCP_STATS_LIST(PTCP_STAT_ENUM)
#undef PTCP_STAT_ENUM
	PTCP_STAT_MAX
};

/** One lcore's counters. */
struct ptcp_stats {
	uint64_t c[PTCP_STAT_MAX];
};

/** Add @p v to counter @p name (a bare name from the list) of @p s. */
#define PTCP_STAT_ADD(s, name, v) ((s)->c[PTCP_STAT_##name] += (v))
/** Add one to counter @p name of @p s. */
#define PTCP_STAT_INC(s, name) PTCP_STAT_ADD(s, name, 1)
/** Read counter @p name of @p s. */
#define PTCP_STAT_GET(s, name) ((s)->c[PTCP_STAT_##name])

/** Name of counter @p id ("rx_bad_ip_csum"), or NULL when out of range. */
const char *ptcp_stat_name(unsigned int id);
/** One-line description of counter @p id, or NULL when out of range. */
const char *ptcp_stat_desc(unsigned int id);
/** Add every counter of @p src into @p dst. */
void ptcp_stats_sum(struct ptcp_stats *dst, const struct ptcp_stats *src);
/** Print the non-zero counters of @p s, one "name value" per line. */
void ptcp_stats_print(const struct ptcp_stats *s, FILE *f, const char *indent);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_STATS_H */
