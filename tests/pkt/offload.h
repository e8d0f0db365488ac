/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PKT_OFFLOAD_H
#define PKT_OFFLOAD_H

/*
 * Checksum offload modelled on a two-stack pair (harness.h): one stack
 * (the "NIC" side, the server of tests/bench/churn/inproc --offload)
 * believes its port offers IPv4 and TCP checksum offload both ways, and
 * the wire does what such a NIC would, so that ptcp's offload paths run
 * and are costed as on real hardware, while net_ring offers none.
 *
 * Where the NIC's work runs matters: callgrind collects only the
 * server's loop pass, and a TX callback of the server's port runs inside
 * its rte_eth_tx_burst(), an RX callback inside its rte_eth_rx_burst().
 * So both halves live on the PEER's port, in the peer's pass:
 *
 *   - RX callback of the peer's port = the NIC's transmit side: fills in
 *     the IPv4 header checksum of frames flagged RTE_MBUF_F_TX_IP_CKSUM
 *     and the TCP checksum of frames flagged RTE_MBUF_F_TX_TCP_CKSUM (the
 *     field holds the pseudo-header sum ptcp placed, as DPDK's offload
 *     contract asks, with l2_len/l3_len set), then checks every IPv4/TCP
 *     frame as it would leave on the wire: bad ones are counted
 *     (wire_bad), and a run with any fails.
 *   - TX callback of the peer's port = the NIC's receive side: checks the
 *     checksums of what the peer sends and marks the mbuf
 *     RTE_MBUF_F_RX_IP_CKSUM_GOOD/BAD and RTE_MBUF_F_RX_L4_CKSUM_GOOD/BAD,
 *     so the NIC side skips its software checks.
 *
 * The peer keeps computing and checking its checksums in software.
 */

#include <stdint.h>

#include <rte_ethdev.h>

#include "harness.h"

struct h_offload {
	const struct rte_eth_rxtx_callback *rx_cb;  /* on the peer's port */
	const struct rte_eth_rxtx_callback *tx_cb;  /* on the peer's port */
	uint16_t peer_port;
	/* NIC transmit side (frames the NIC side sent) */
	uint64_t ip_filled;            /* IPv4 checksums filled in */
	uint64_t tcp_filled;           /* TCP checksums filled in */
	uint64_t wire_checked;         /* IPv4 frames checked on the wire */
	uint64_t wire_bad;             /* ... with a wrong checksum or an
	                                *   offload request the model cannot
	                                *   honour (lengths, other L4) */
	/* NIC receive side (frames the peer sent) */
	uint64_t rx_good;              /* marked IP and L4 good */
	uint64_t rx_bad;               /* marked bad (the NIC side drops) */
};

/*
 * Make @nic's port advertise IPv4/TCP checksum offload, RX and TX (the
 * ptcp_port capability booleans, set after start: the engine is started
 * but has run no pass), and add the wire's callbacks to @peer's port.
 * @return 0, or -errno from ethdev (nothing left attached).
 */
int h_offload_attach(struct h_offload *o, struct h_stack *nic,
		struct h_stack *peer);

/* Remove the callbacks (before the pair is destroyed). */
void h_offload_detach(struct h_offload *o);

#endif /* PKT_OFFLOAD_H */
