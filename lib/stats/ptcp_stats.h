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
	X(tx_drop_full,       "frames dropped: TX queue and its backlog full") \
	X(tx_backlog_held,    "frames the TX queue refused, held in the backlog") \
	X(tx_backlog_sent,    "held frames sent by a later flush") \
	X(tx_drop_stale,      "held frames dropped: the port took none for 1 s") \
	X(tx_drop_nombuf,     "replies not sent: mbuf pool empty") \
	X(tx_vlan_drop,       "dropped: no room for a software 802.1Q tag (shared or headroomless first segment)") \
	X(rx_runt,            "dropped: frame shorter than an Ethernet header") \
	X(rx_vlan,            "dropped: QinQ (0x88a8) or a second 802.1Q tag") \
	X(rx_vlan_unknown,    "dropped: 802.1Q tag of a VLAN not configured on the port") \
	X(rx_no_addr,         "dropped: untagged or priority-tagged frame on a port without an address (address = none)") \
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
	X(arp_hold_cap,       "dropped: the port's unresolved next hops hold [arp] pending_total already") \
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
	X(rx_ip_opt_len,      "dropped: IPv4 option length 0, 1 or beyond the header") \
	X(rx_ip_opt_ptr,      "dropped: IPv4 record route or timestamp option pointer, flag or overflow invalid") \
	X(rx_ip_srcroute,     "dropped: IPv4 source route option (LSRR, SSRR; RFC 7126)") \
	X(rx_ip_proto,        "dropped: IP protocol neither ICMP nor TCP") \
	X(rx_ip6_short,       "dropped: IPv6 header truncated") \
	X(rx_ip6_version,     "dropped: IPv6 version not 6") \
	X(rx_ip6_bad_len,     "dropped: IPv6 payload length 0 (jumbogram) or beyond the frame") \
	X(rx_ip6_not_for_us,  "dropped: IPv6 destination not ours") \
	X(rx_ip6_bad_src,     "dropped: IPv6 source multicast or ours") \
	X(rx_ip6_bad_ext,     "dropped: IPv6 extension header truncated, misplaced or malformed") \
	X(rx_ip6_ext_limit,   "dropped: more than 8 IPv6 extension headers") \
	X(rx_ip6_unknown_opt, "dropped: IPv6 option whose type says discard (RFC 8200 4.2)") \
	X(rx_ip6_routing,     "dropped: IPv6 routing header with segments left (type 0 included, RFC 5095)") \
	X(rx_ip6_frag,        "dropped: IPv6 fragment (no reassembly)") \
	X(rx_ip6_no_next,     "dropped: IPv6 No Next Header") \
	X(rx_ip6_proto,       "dropped: IPv6 upper layer neither ICMPv6 nor TCP") \
	X(icmp_rx,            "ICMP messages received") \
	X(icmp_bad_csum,      "dropped: ICMP checksum wrong") \
	X(icmp_short,         "dropped: ICMP message truncated") \
	X(icmp_echo_rx,       "ICMP echo requests answered") \
	X(icmp_other,         "ICMP messages of other types (ignored)") \
	X(icmp6_rx,           "ICMPv6 messages received") \
	X(icmp6_short,        "dropped: ICMPv6 message truncated") \
	X(icmp6_bad_csum,     "dropped: ICMPv6 checksum wrong") \
	X(icmp6_echo_rx,      "ICMPv6 echo requests received") \
	X(icmp6_other,        "ICMPv6 messages of other types (ignored)") \
	X(nd_bad,             "dropped: Neighbor Solicitation or Advertisement failing RFC 4861 7.1") \
	X(nd_ns_rx,           "Neighbor Solicitations received") \
	X(nd_na_rx,           "Neighbor Advertisements received") \
	X(nd_learnt,          "neighbour cache entries created or changed") \
	X(nd_cache_full,      "neighbour entries not learnt: cache full") \
	X(nd_queue_full,      "dropped: waiting queue of a neighbour full") \
	X(nd_resolve_timeout, "dropped: neighbour did not answer its solicitations") \
	X(nd_expired,         "neighbour entries gone: STALE and unused") \
	X(nd_probe_failed,    "neighbour entries gone: unicast probes unanswered") \
	X(icmp_param_prob_tx, "ICMP Parameter Problems sent (malformed IPv4 options)") \
	X(icmp_error_limited, "ICMP errors not sent: the worker's [ip] icmp_error_limit per second reached") \
	X(steer_out,          "frames handed to another worker (its flow, or ARP copies from worker 0)") \
	X(steer_in,           "frames taken from another worker") \
	X(steer_drop,         "dropped: a steering ring full, or no mbuf for an ARP copy") \
	X(arp_replica_rx,     "ARP frames passed on by worker 0 to keep this replica") \
	X(tcp_rx,             "TCP segments received (handled by lib/tcp)") \
	X(tcp_short,          "dropped: TCP header truncated") \
	X(tcp_bad_off,        "dropped: TCP data offset < 5 or beyond the segment") \
	X(tcp_bad_csum,       "dropped: TCP checksum wrong") \
	X(tcp_bad_flags,      "dropped: impossible flags (SYN+FIN, SYN+RST)") \
	X(tcp_bad_port,       "dropped: port 0 on either side") \
	X(tcp_opt_bad_len,    "TCP options with a bad length (ignored)") \
	X(tcp_opt_ws_clamped, "window scale above 14 taken as 14") \
	X(tcp_opt_bad_mss,    "MSS option of 0 (ignored)") \
	X(tcp_segs_out,       "TCP segments sent") \
	X(tcp_data_bytes_in,  "TCP payload bytes delivered in order") \
	X(tcp_data_bytes_out, "TCP payload bytes sent (first transmission)") \
	X(tcp_no_conn_rst,    "RSTs sent for segments no connection accepts (RFC 9293 3.10.7.1)") \
	X(tcp_no_conn_drop,   "segments for no connection, RST not allowed (RST in)") \
	X(tcp_listen_no_ack,  "dropped: a segment with neither SYN nor ACK for a listener (RFC 9293 3.10.7.2)") \
	X(tcp_rst_tx,         "RSTs sent (all reasons)") \
	X(tcp_rst_tx_no_conn, "RSTs sent: segment for no connection or listener") \
	X(tcp_rst_tx_bad_ack, "RSTs sent: unacceptable ACK in SYN-SENT or SYN-RECEIVED, or no valid cookie") \
	X(tcp_rst_tx_abort,   "RSTs sent: ptcp_abort(), or ptcp_unlisten() of a half-open connection") \
	X(tcp_rst_tx_timeout, "RSTs sent: retries, keepalive probes or idle timeout") \
	X(tcp_rst_tx_data_after_close,"RSTs sent: data for a connection the app closed") \
	X(tcp_rst_tx_accept_refused,"RSTs sent: the accepted callback refused the connection") \
	X(tcp_rst_tx_drain,   "RSTs sent: shutdown (half-open, or drain time over)") \
	X(tcp_rst_rx,         "acceptable RSTs received (connection reset)") \
	X(tcp_rst_rx_bad,     "RSTs ignored: outside the window, or no acceptable ACK in SYN-SENT") \
	X(tcp_rst_rx_inexact, "RSTs in the window but not at RCV.NXT: challenge ACK (RFC 5961)") \
	X(tcp_rst_tw_ignored, "RSTs ignored in TIME-WAIT (RFC 1337)") \
	X(tcp_challenge_ack,  "challenge ACKs sent (RFC 5961)") \
	X(tcp_challenge_ack_limited, "challenge ACKs suppressed by the rate limit") \
	X(tcp_paws_drop,      "segments dropped by PAWS (RFC 7323)") \
	X(tcp_oow_ack_limited, "replies not sent to dropped segments: the connection answered one less than [tcp] invalid_ratelimit_ms ago") \
	X(tcp_ts_missing,     "segments without timestamps dropped on a connection that negotiated them (RFC 7323 3.2; [tcp] ts_required)") \
	X(tcp_out_of_window,  "unacceptable segments (answered with an ACK)") \
	X(tcp_ack_unsent,     "ACKs for data not yet sent (answered with an ACK)") \
	X(tcp_ack_old,        "duplicate or old ACKs ignored") \
	X(tcp_ooo_drop,       "out-of-order segments dropped: queue full or no recovery block") \
	X(tcp_ooo_segs,       "out-of-order segments queued") \
	X(tcp_ooo_bytes,      "out-of-order payload bytes queued") \
	X(tcp_dup_data,       "segments whose data had all arrived already") \
	X(tcp_dup_ack_tx,     "duplicate ACKs sent at once for out-of-order data") \
	X(tcp_dup_ack_rx,     "duplicate ACKs received") \
	X(tcp_sack_blocks_tx, "SACK blocks sent") \
	X(tcp_sack_blocks_rx, "SACK blocks received") \
	X(tcp_delack,         "delayed ACKs sent when their timer ran out") \
	X(tcp_data_after_close,"data for a closed app, RST sent") \
	X(tcp_passive_open,   "connections accepted (SYN-RECEIVED -> ESTABLISHED)") \
	X(tcp_active_open,    "active opens started (SYN sent)") \
	X(tcp_accept_refused, "accepted callback refused the connection") \
	X(tcp_synrcvd_reset,  "half-open connections reset by the peer (RST in SYN-RECEIVED)") \
	X(tcp_conn_cap,       "dropped: connection cap ([tcp] max_conns)") \
	X(tcp_syn_backlog_full,"SYNs with the listener's backlog full") \
	X(tcp_syn_shed,       "SYNs not answered: TX backlog over half full") \
	X(tcp_syncookie_sent, "SYN cookies sent") \
	X(tcp_syncookie_ok,   "SYN cookies validated (connection made)") \
	X(tcp_syncookie_bad,  "ACKs to a listener that are no valid cookie (RST sent)") \
	X(tcp_syn_drop,       "SYNs dropped: backlog full and cookies off") \
	X(tcp_tw_cap,         "TIME-WAIT entries not kept: cap ([tcp] max_tw)") \
	X(tcp_tw_reack,       "retransmitted FINs re-ACKed in TIME-WAIT") \
	X(tcp_tw_reuse_syn,   "TIME-WAIT tuples reused by a new SYN (RFC 6191)") \
	X(tcp_tw_reuse_connect,"TIME-WAIT tuples reused by our connect") \
	X(tcp_tw_expired,     "TIME-WAIT entries expired after 2*MSL") \
	X(tcp_rexmt,          "data segments retransmitted (all reasons)") \
	X(tcp_fast_rexmt,     "fast retransmits: loss found by dup ACKs or SACK") \
	X(tcp_sack_rexmt,     "segments retransmitted in SACK recovery (RFC 6675)") \
	X(tcp_partial_ack,    "partial ACKs in NewReno recovery (RFC 6582)") \
	X(tcp_recovery,       "fast recovery episodes") \
	X(tcp_recov_cap,      "recovery blocks refused: [tcp] max_recovery reached") \
	X(tcp_tso_segs,       "TSO segments handed to the port") \
	X(tcp_rto,            "retransmission time-outs") \
	X(tcp_syn_rexmt,      "SYNs retransmitted") \
	X(tcp_synack_rexmt,   "SYN-ACKs retransmitted") \
	X(tcp_fin_rexmt,      "FINs retransmitted") \
	X(tcp_zero_window_probe,"zero-window probes sent") \
	X(tcp_timeout_drop,   "connections dropped: retries exhausted") \
	X(tcp_fin_wait_2_timeout,"closed connections dropped in FIN-WAIT-2") \
	X(tcp_keepalive_probe,"keepalive probes sent") \
	X(tcp_keepalive_drop, "connections dropped: keepalive unanswered") \
	X(tcp_idle_drop,      "connections reset: idle timeout (no segment received)") \
	X(tcp_close_wait_old, "connections found in CLOSE-WAIT too long") \
	X(tcp_shutdown_rst,   "connections reset at shutdown (drain time over)") \
	X(tcp_port_exhausted, "connects refused: no free local port") \
	X(capture_pkts,       "frames copied for --capture") \
	X(capture_drop,       "frames not captured: capture pool or ring full")

/** Counter indices, in list order. */
enum ptcp_stat_id {
/** @cond PRIVATE */
#define PTCP_STAT_ENUM(n, d) PTCP_STAT_##n,
/** @endcond */
	PTCP_STATS_LIST(PTCP_STAT_ENUM)
#undef PTCP_STAT_ENUM
	PTCP_STAT_MAX
};

/** One lcore's counters. */
struct ptcp_stats {
	uint64_t c[PTCP_STAT_MAX];  /**< by enum ptcp_stat_id */
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
