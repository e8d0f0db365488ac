/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CORE_PRIV_H
#define CORE_PRIV_H

/* Internal to lib/core. */

#include <string.h>

#include "ptcp.h"

/* Most packets one ARP entry holds ([arp] pending's upper bound). */
#define PTCP_ARP_PENDING_MAX 256

/* Handle a received burst (consumes every frame). */
void core_input_burst(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n);

/* Handle frames another worker steered to us (consumes every frame). */
void core_input_steered(struct ptcp_lcore *lc, struct rte_mbuf **pkts,
		unsigned int n);

/* Set the IPv4 TX offload flags of @m for port @p. */
void core_tx_offload_ipv4(struct rte_mbuf *m, const struct ptcp_port *p);

/* Prepend Ethernet (to @dst) to the IPv4 datagram @m and batch it. */
void core_send_l3(struct ptcp_lcore *lc, struct ptcp_iface *ifc,
		struct rte_mbuf *m, const struct rte_ether_addr *dst);

/* Age every ARP cache of @lc: expiry, retries, resolution time-outs. */
void core_arp_age(struct ptcp_lcore *lc);

#endif /* CORE_PRIV_H */
