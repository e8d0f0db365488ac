/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit path below TCP: next hop, ARP resolution, Ethernet header, TX
 * batch.
 */
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "core_priv.h"

void
core_tx_offload_ipv4(struct rte_mbuf *m, const struct ptcp_port *p)
{
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (p->tx_ip_csum)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
}

void
core_send_l3(struct ptcp_lcore *lc, struct ptcp_iface *ifc,
		struct rte_mbuf *m, const struct rte_ether_addr *dst)
{
	if (ptcp_eth_prepend(m, &ifc->port->mac, dst,
			RTE_ETHER_TYPE_IPV4) == NULL) {
		PTCP_STAT_INC(&lc->stats, tx_drop_nombuf);
		rte_pktmbuf_free(m);
		return;
	}
	core_tx_offload_ipv4(m, ifc->port);
	ptcp_txq_add(&ifc->txq, m, &lc->stats);
}

/* A broadcast ARP request from @sip for @tip. */
static void
arp_send_request(struct ptcp_lcore *lc, unsigned int ifidx, uint32_t sip,
		uint32_t tip)
{
	static const struct rte_ether_addr zero_mac;
	struct ptcp_iface *ifc = &lc->ifs[ifidx];
	struct rte_ether_addr bcast;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(lc->pool);
	if (m == NULL) {
		PTCP_STAT_INC(&lc->stats, tx_drop_nombuf);
		return;
	}
	memset(&bcast, 0xff, sizeof(bcast));
	if (ptcp_arp_build(m, RTE_ARP_OP_REQUEST, &bcast, &ifc->port->mac,
			sip, &zero_mac, tip) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (sip == tip)
		PTCP_STAT_INC(&lc->stats, arp_gratuitous_tx);
	else
		PTCP_STAT_INC(&lc->stats, arp_req_tx);
	ptcp_txq_add(&ifc->txq, m, &lc->stats);
}

void
ptcp_arp_request(struct ptcp_lcore *lc, unsigned int ifidx, uint32_t ip)
{
	arp_send_request(lc, ifidx, lc->ifs[ifidx].ip.addr, ip);
}

void
ptcp_arp_announce(struct ptcp_lcore *lc, unsigned int ifidx, uint32_t addr)
{
	arp_send_request(lc, ifidx, addr, addr);
}

void
ptcp_ip_output(struct ptcp_lcore *lc, unsigned int ifidx, struct rte_mbuf *m)
{
	struct ptcp_iface *ifc = &lc->ifs[ifidx];
	const struct rte_ipv4_hdr *ip;
	struct rte_ether_addr mac;
	uint32_t nh;

	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	m->l3_len = rte_ipv4_hdr_len(ip);
	nh = ip->dst_addr;
	if (!ptcp_ipv4_on_link(&ifc->ip, nh)) {
		if (ifc->gateway == 0) {
			PTCP_STAT_INC(&lc->stats, arp_no_route);
			rte_pktmbuf_free(m);
			return;
		}
		nh = ifc->gateway;
	}
	switch (ptcp_arp_resolve(ifc->arp, nh, lc->now_ms, m, &mac)) {
	case PTCP_ARP_HIT:
		core_send_l3(lc, ifc, m, &mac);
		break;
	case PTCP_ARP_QUEUED_NEW:
		ptcp_arp_request(lc, ifidx, nh);
		break;
	case PTCP_ARP_QUEUED:
		break;
	case PTCP_ARP_QUEUE_FULL:
		PTCP_STAT_INC(&lc->stats, arp_queue_full);
		rte_pktmbuf_free(m);
		break;
	case PTCP_ARP_NEW_HOLD_CAP:
		ptcp_arp_request(lc, ifidx, nh);
		/* fall through */
	case PTCP_ARP_HOLD_CAP:
		PTCP_STAT_INC(&lc->stats, arp_hold_cap);
		rte_pktmbuf_free(m);
		break;
	case PTCP_ARP_TABLE_FULL:
		PTCP_STAT_INC(&lc->stats, arp_cache_full);
		rte_pktmbuf_free(m);
		break;
	}
}

struct arp_age_ctx {
	struct ptcp_lcore *lc;
	unsigned int ifidx;
};

static void
arp_age_request(void *arg, uint32_t ip)
{
	struct arp_age_ctx *ctx = arg;

	ptcp_arp_request(ctx->lc, ctx->ifidx, ip);
}

void
core_arp_age(struct ptcp_lcore *lc)
{
	struct arp_age_ctx ctx = { .lc = lc };

	for (ctx.ifidx = 0; ctx.ifidx < lc->nb_ifs; ctx.ifidx++)
		ptcp_arp_age(lc->ifs[ctx.ifidx].arp, lc->now_ms,
			arp_age_request, &ctx, &lc->stats);
}
