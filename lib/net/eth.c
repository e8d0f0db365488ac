/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II: classify received frames, prepend headers on output.
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ptcp_net.h"

/*
 * One 802.1Q tag is taken off here as a NIC would strip it (the frame is
 * then untagged, the tag in m->vlan_tci with RTE_MBUF_F_RX_VLAN_STRIPPED):
 * the caller picks the VLAN's interface. QinQ, or a tag behind a tag, is
 * not ours. Out of line: untagged frames do not pay for it.
 * @return the EtherType behind the tag, or 0 (dropped, counted)
 */
static __rte_noinline uint16_t
vlan_strip(struct rte_mbuf *m, uint16_t type, struct ptcp_stats *st)
{
	if (type == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
			(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)) {
		PTCP_STAT_INC(st, rx_vlan);
		return 0;
	}
	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_vlan_hdr)) {
		PTCP_STAT_INC(st, rx_runt);
		return 0;
	}
	rte_vlan_strip(m);
	type = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
			type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
		PTCP_STAT_INC(st, rx_vlan);
		return 0;
	}
	if (unlikely(type == 0))        /* 0 is our "dropped" */
		PTCP_STAT_INC(st, rx_not_ip_arp);
	return type;
}

enum ptcp_l2_class
ptcp_eth_classify(struct rte_mbuf *m, const struct rte_ether_addr *our_mac,
		struct ptcp_stats *st)
{
	const struct rte_ether_hdr *eh;
	uint16_t type;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh))) {
		PTCP_STAT_INC(st, rx_runt);
		return PTCP_L2_DROP;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	type = eh->ether_type;

	if (unlikely(type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
			type == RTE_BE16(RTE_ETHER_TYPE_QINQ))) {
		type = vlan_strip(m, type, st);
		if (type == 0)
			return PTCP_L2_DROP;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
			type != RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		PTCP_STAT_INC(st, rx_not_ip_arp);
		return PTCP_L2_DROP;
	}
	/*
	 * Unicast must be ours; broadcast is fine for both (an IPv4
	 * broadcast is then dropped by the destination check); multicast
	 * only for ARP.
	 */
	if (!rte_is_same_ether_addr(&eh->dst_addr, our_mac) &&
			!rte_is_broadcast_ether_addr(&eh->dst_addr) &&
			!(rte_is_multicast_ether_addr(&eh->dst_addr) &&
			  type == RTE_BE16(RTE_ETHER_TYPE_ARP))) {
		PTCP_STAT_INC(st, rx_not_our_mac);
		return PTCP_L2_DROP;
	}
	m->l2_len = sizeof(*eh);
	return type == RTE_BE16(RTE_ETHER_TYPE_IPV4) ? PTCP_L2_IPV4 :
		PTCP_L2_ARP;
}

struct rte_ether_hdr *
ptcp_eth_prepend(struct rte_mbuf *m, const struct rte_ether_addr *src,
		const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eh;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (eh == NULL)
		return NULL;
	rte_ether_addr_copy(src, &eh->src_addr);
	rte_ether_addr_copy(dst, &eh->dst_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	m->l2_len = sizeof(*eh);
	return eh;
}
