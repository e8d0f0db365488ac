/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive path below TCP: ptcp_input() -> arp_input() | ipv4 -> icmp/l4.
 *
 * Every frame ends here in exactly one of three ways: transmitted (a reply
 * built in place), handed to the layer-4 hook (which then owns it), or
 * freed with its drop reason counted.
 */
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "core_priv.h"

static void
arp_input(struct ptcp_lcore *lc, struct ptcp_iface *ifc, struct rte_mbuf *m)
{
	struct rte_mbuf *released[PTCP_ARP_PENDING_MAX];
	struct ptcp_arp_info a;
	unsigned int n, i;
	bool for_us;

	if (ptcp_arp_parse(m, &a, &lc->stats) != 0)
		goto drop;

	for_us = ptcp_ipv4_is_ours(&ifc->ip, a.tip);
	/*
	 * RFC 826 merge: refresh the sender if known; learn it if the packet
	 * is for us. 0.0.0.0 (an RFC 5227 probe) is never learnt.
	 */
	if (a.sip != 0 && !ptcp_ipv4_is_ours(&ifc->ip, a.sip)) {
		n = ptcp_arp_learn(ifc->arp, a.sip, &a.sha, lc->now_ms, for_us,
				released, RTE_DIM(released), &lc->stats);
		for (i = 0; i < n; i++)
			core_send_l3(lc, ifc, released[i], &a.sha);
	}
	if (!for_us) {
		PTCP_STAT_INC(&lc->stats, arp_not_for_us);
		goto drop;
	}
	if (a.op == RTE_ARP_OP_REPLY) {
		PTCP_STAT_INC(&lc->stats, arp_reply_rx);
		goto drop;
	}

	/* A request for us: answer in the same mbuf. */
	PTCP_STAT_INC(&lc->stats, arp_req_rx);
	rte_pktmbuf_reset(m);
	/* From the address asked for: the primary or an extra one. */
	if (ptcp_arp_build(m, RTE_ARP_OP_REPLY, &a.sha, &ifc->port->mac,
			a.tip, &a.sha, a.sip) != 0)
		goto drop;
	ptcp_txq_add(&ifc->txq, m, &lc->stats);
	return;
drop:
	rte_pktmbuf_free(m);
}

/* @return true if @m is a TCP datagram for the layer-4 batch. */
static bool
ipv4_input(struct ptcp_lcore *lc, unsigned int ifidx, struct rte_mbuf *m)
{
	struct ptcp_iface *ifc = &lc->ifs[ifidx];
	const struct rte_ipv4_hdr *ip;

	if (ptcp_ipv4_input(m, &ifc->ip, &lc->stats) != 0)
		goto drop;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		if (ptcp_icmp_input(m, &ifc->port->mac, lc->ttl,
				ifc->port->tx_ip_csum, &lc->stats) == 0)
			goto drop;
		core_tx_offload_ipv4(m, ifc->port);
		ptcp_txq_add(&ifc->txq, m, &lc->stats);
		return false;
	case IPPROTO_TCP:
		PTCP_STAT_INC(&lc->stats, tcp_rx);
		if (lc->l4_input != NULL)
			return true;
		goto drop;
	default:
		PTCP_STAT_INC(&lc->stats, rx_ip_proto);
		goto drop;
	}
drop:
	rte_pktmbuf_free(m);
	return false;
}

void
core_input_burst(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n)
{
	struct ptcp_iface *ifc = &lc->ifs[ifidx];
	struct rte_mbuf *m;
	unsigned int i, nl4 = 0;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		PTCP_STAT_INC(&lc->stats, rx_pkts);
		PTCP_STAT_ADD(&lc->stats, rx_bytes, rte_pktmbuf_pkt_len(m));
		switch (ptcp_eth_classify(m, &ifc->port->mac, &lc->stats)) {
		case PTCP_L2_IPV4:
			/* TCP segments are gathered in place for one call. */
			if (ipv4_input(lc, ifidx, m))
				pkts[nl4++] = m;
			break;
		case PTCP_L2_ARP:
			arp_input(lc, ifc, m);
			break;
		default:
			rte_pktmbuf_free(m);
			break;
		}
	}
	if (nl4 != 0)
		lc->l4_input(lc, ifidx, pkts, nl4);
}
