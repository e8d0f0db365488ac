/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive path below TCP: ptcp_input() -> arp_input() | ipv4 -> icmp/l4.
 *
 * With several workers a frame is first taken to the worker that owns it
 * (steer_split()): a TCP segment to the owner of its flow (the RETA entry
 * of its symmetric Toeplitz hash: the NIC's, or rte_softrss here), ARP and
 * ICMP to worker 0. Worker 0 answers ARP and passes every ARP frame it
 * learns from to the other workers, which keep their own cache replica
 * from them (read with no lock).
 *
 * Every frame ends here in exactly one of three ways: transmitted (a reply
 * built in place), handed to the layer-4 hook (which then owns it), or
 * freed with its drop reason counted.
 */
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "core_priv.h"

/* Worker 0 passes an ARP frame it learnt from to every other worker. */
static void
arp_share(struct ptcp_lcore *lc, const struct rte_mbuf *m)
{
	struct rte_ring *const *r = lc->eng->steer[0];
	struct rte_mbuf *c;
	unsigned int j;

	for (j = 1; j < lc->eng->nb_lcores; j++) {
		c = rte_pktmbuf_copy(m, lc->pool, 0, UINT32_MAX);
		if (c == NULL || rte_ring_sp_enqueue(r[j], c) != 0) {
			PTCP_STAT_INC(&lc->stats, steer_drop);
			rte_pktmbuf_free(c);
			continue;
		}
		PTCP_STAT_INC(&lc->stats, steer_out);
		lc->steer_to[j]++;
	}
}

/* A worker other than 0 keeps its replica: learn, never answer. */
static void
arp_replica_input(struct ptcp_lcore *lc, struct ptcp_iface *ifc,
		struct rte_mbuf *m)
{
	struct rte_mbuf *released[PTCP_ARP_PENDING_MAX];
	struct ptcp_arp_info a;
	unsigned int n, i;

	PTCP_STAT_INC(&lc->stats, arp_replica_rx);
	if (ptcp_arp_parse(m, &a, &lc->stats) == 0) {
		n = ptcp_arp_learn(ifc->arp, a.sip, &a.sha, lc->now_ms,
				ptcp_ipv4_is_ours(&ifc->ip, a.tip), released,
				RTE_DIM(released), &lc->stats);
		for (i = 0; i < n; i++)
			core_send_l3(lc, ifc, released[i], &a.sha);
	}
	rte_pktmbuf_free(m);
}

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
	if (lc->eng->nb_lcores > 1 && a.sip != 0 &&
			!ptcp_ipv4_is_ours(&ifc->ip, a.sip))
		arp_share(lc, m);
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

/*
 * ICMP Parameter Problem about @m (RFC 1122 §3.2.1.8), within the worker's
 * budget per second ([ip] icmp_error_limit) and never about an ICMP error.
 */
static void
param_problem(struct ptcp_lcore *lc, struct ptcp_iface *ifc,
		const struct rte_mbuf *m, uint8_t pointer)
{
	uint64_t sec = lc->now_ms / 1000;
	struct rte_mbuf *out;

	if (!ptcp_icmp_may_answer(m))
		return;
	if (sec != lc->icmp_err_sec) {
		lc->icmp_err_sec = sec;
		lc->icmp_err_count = 0;
	}
	if (lc->icmp_err_count >= lc->icmp_err_limit) {
		PTCP_STAT_INC(&lc->stats, icmp_error_limited);
		return;
	}
	out = rte_pktmbuf_alloc(lc->pool);
	if (out == NULL) {
		PTCP_STAT_INC(&lc->stats, tx_drop_nombuf);
		return;
	}
	if (ptcp_icmp_param_problem(out, m, pointer, &ifc->port->mac, lc->ttl,
			ifc->port->tx_ip_csum) != 0) {
		rte_pktmbuf_free(out);
		return;
	}
	lc->icmp_err_count++;
	PTCP_STAT_INC(&lc->stats, icmp_param_prob_tx);
	core_tx_offload_ipv4(out, ifc->port);
	ptcp_txq_add(&ifc->txq, out, &lc->stats);
}

/* @return true if @m is a TCP datagram for the layer-4 batch. */
static bool
ipv4_input(struct ptcp_lcore *lc, unsigned int ifidx, struct rte_mbuf *m)
{
	struct ptcp_iface *ifc = &lc->ifs[ifidx];
	const struct rte_ipv4_hdr *ip;
	int rc = ptcp_ipv4_input(m, &ifc->ip, &lc->stats);

	if (unlikely(rc != 0)) {
		if (rc >= PTCP_IPV4_PARAM_PROBLEM)
			param_problem(lc, ifc, m,
				(uint8_t)(rc - PTCP_IPV4_PARAM_PROBLEM));
		goto drop;
	}
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

/*
 * The worker that owns frame @m received on @port: ARP and ICMP are worker
 * 0's, a TCP segment belongs to the owner of its flow, anything else (to
 * be dropped and counted) stays where it is.
 */
static inline unsigned int
frame_owner(const struct ptcp_lcore *lc, const struct ptcp_port *port,
		const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	unsigned int ihl, l2 = sizeof(*eh);
	uint16_t type;

	if (unlikely(m->data_len < sizeof(*eh) + sizeof(*ip)))
		return lc->idx;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	type = eh->ether_type;
	if (unlikely(type == RTE_BE16(RTE_ETHER_TYPE_VLAN))) {
		/* A VLAN's frame: the same owner as untagged, by what the
		 * tag carries. */
		l2 += sizeof(struct rte_vlan_hdr);
		if (m->data_len < l2 + sizeof(*ip))
			return lc->idx;
		type = ((const struct rte_vlan_hdr *)(eh + 1))->eth_proto;
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return 0;
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return lc->idx;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	if (ip->next_proto_id == IPPROTO_ICMP)
		return 0;
	if (ip->next_proto_id != IPPROTO_TCP)
		return lc->idx;
	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return ptcp_port_owner(port, m->hash.rss);
	ihl = (ip->version_ihl & 0x0f) * 4u;
	if (unlikely(ihl < sizeof(*ip) ||
			m->data_len < l2 + ihl + 4))
		return lc->idx;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	return ptcp_port_owner(port, ptcp_rss_hash(ip->src_addr,
		ip->dst_addr, th->src_port, th->dst_port));
}

/*
 * Hand the frames of @pkts that another worker owns to it (single
 * producer, single consumer ring per pair); keep ours, in order.
 * @return how many are ours, now at the front of @pkts.
 */
static unsigned int
steer_split(struct ptcp_lcore *lc, struct ptcp_iface *ifc,
		struct rte_mbuf **pkts, unsigned int n)
{
	struct rte_ring *const *out = lc->eng->steer[lc->idx];
	unsigned int i, k = 0, o;

	for (i = 0; i < n; i++) {
		o = frame_owner(lc, ifc->port, pkts[i]);
		if (likely(o == lc->idx)) {
			pkts[k++] = pkts[i];
			continue;
		}
		if (unlikely(rte_ring_sp_enqueue(out[o], pkts[i]) != 0)) {
			PTCP_STAT_INC(&lc->stats, steer_drop);
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		PTCP_STAT_INC(&lc->stats, steer_out);
		lc->steer_to[o]++;
	}
	return k;
}

static __rte_always_inline void input_local(struct ptcp_lcore *lc,
		unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n, bool steered);

void
core_input_burst(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	/* Counted where they came in, steered or not. */
	PTCP_STAT_ADD(&lc->stats, rx_pkts, n);
	for (i = 0; i < n; i++)
		PTCP_STAT_ADD(&lc->stats, rx_bytes, rte_pktmbuf_pkt_len(pkts[i]));
	if (lc->eng->nb_lcores > 1)
		n = steer_split(lc, &lc->ifs[ifidx], pkts, n);
	input_local(lc, ifidx, pkts, n, false);
}

void
core_input_steered(struct ptcp_lcore *lc, struct rte_mbuf **pkts,
		unsigned int n)
{
	const int8_t *port_to_if = lc->eng->port_to_if;
	unsigned int i, j;
	int ifidx;

	PTCP_STAT_ADD(&lc->stats, steer_in, n);
	/* In runs of the same port. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && pkts[j]->port == pkts[i]->port; j++)
			;
		ifidx = port_to_if[pkts[i]->port];
		if (unlikely(ifidx < 0)) {
			rte_pktmbuf_free_bulk(pkts + i, j - i);
			continue;
		}
		input_local(lc, (unsigned int)ifidx, pkts + i, j - i, true);
	}
}

/*
 * The interface of a frame that came tagged (@tci, from the NIC or
 * ptcp_eth_classify()) on port interface @ifidx: the VLAN's, the port's
 * own for a priority tag (VID 0), or -1: a VLAN not configured there.
 */
static int
vlan_iface(const struct ptcp_lcore *lc, unsigned int ifidx, uint16_t tci)
{
	uint32_t key = (uint32_t)lc->ifs[ifidx].port_idx << 16 |
		(tci & RTE_VLAN_ID_MASK);
	unsigned int k, nb = (unsigned int)(lc->nb_ifs - lc->nb_ports);

	if ((tci & RTE_VLAN_ID_MASK) == 0)
		return (int)ifidx;
	for (k = 0; k < nb; k++)
		if (lc->vlan_key[k] == key)
			return (int)(lc->nb_ports + k);
	return -1;
}

/* Handle one frame of class @cls on interface @ifidx. @return true if it
 * is a TCP datagram for the layer-4 batch. */
static inline bool
input_one(struct ptcp_lcore *lc, unsigned int ifidx, struct rte_mbuf *m,
		enum ptcp_l2_class cls, bool steered)
{
	switch (cls) {
	case PTCP_L2_IPV4:
		return ipv4_input(lc, ifidx, m);
	case PTCP_L2_ARP:
		/* On a worker other than 0, ARP only comes steered:
		 * worker 0 passing it on for the replica. */
		if (steered && lc->idx != 0)
			arp_replica_input(lc, &lc->ifs[ifidx], m);
		else
			arp_input(lc, &lc->ifs[ifidx], m);
		return false;
	default:
		rte_pktmbuf_free(m);
		return false;
	}
}

/*
 * A frame that came tagged (the NIC or ptcp_eth_classify() stripped it):
 * handled on its VLAN's interface. Out of line, so that the loop over
 * untagged frames stays as it was. @return true if it is a TCP segment
 * for the layer-4 batch.
 */
static __rte_noinline bool
vlan_input(struct ptcp_lcore *lc, unsigned int ifidx, struct rte_mbuf *m,
		enum ptcp_l2_class cls, bool steered)
{
	int vi;

	if (cls == PTCP_L2_DROP) {
		rte_pktmbuf_free(m);
		return false;
	}
	vi = vlan_iface(lc, ifidx, m->vlan_tci);
	if (vi < 0) {
		PTCP_STAT_INC(&lc->stats, rx_vlan_unknown);
		rte_pktmbuf_free(m);
		return false;
	}
	/* VID 0: the port's own interface, which may have no address. */
	if (unlikely(lc->ifs[vi].ip.addr == 0)) {
		PTCP_STAT_INC(&lc->stats, rx_no_addr);
		rte_pktmbuf_free(m);
		return false;
	}
	return input_one(lc, (unsigned int)vi, m, cls, steered);
}

/*
 * The layer-4 batch of a burst that had tagged TCP segments: the untagged
 * ones first, as one call, then the tagged ones in runs of the same
 * interface (frames of different interfaces are different connections:
 * an address is on one interface only).
 */
static __rte_noinline void
l4_input_vlans(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n)
{
	struct rte_mbuf *v[PTCP_TX_BATCH_MAX];
	uint8_t vif[PTCP_TX_BATCH_MAX];
	unsigned int i, j, k = 0, nv = 0;

	for (i = 0; i < n; i++) {
		if (pkts[i]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
			vif[nv] = (uint8_t)vlan_iface(lc, ifidx,
				pkts[i]->vlan_tci);
			v[nv++] = pkts[i];
		} else {
			pkts[k++] = pkts[i];
		}
	}
	if (k != 0)
		lc->l4_input(lc, ifidx, pkts, k);
	for (i = 0; i < nv; i = j) {
		for (j = i + 1; j < nv && vif[j] == vif[i]; j++)
			;
		lc->l4_input(lc, vif[i], v + i, j - i);
	}
}

/*
 * The frames of a port whose own interface has no address ([portN]
 * address = none): only its VLANs' are taken, the untagged ones are
 * dropped (rx_no_addr).
 */
static __rte_noinline void
input_vlans_only(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n, bool steered)
{
	enum ptcp_l2_class cls;
	struct rte_mbuf *m;
	unsigned int i, nl4 = 0;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		cls = ptcp_eth_classify(m, &lc->ifs[ifidx].port->mac,
			&lc->stats);
		if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
			if (vlan_input(lc, ifidx, m, cls, steered))
				pkts[nl4++] = m;
			continue;
		}
		if (cls != PTCP_L2_DROP)
			PTCP_STAT_INC(&lc->stats, rx_no_addr);
		rte_pktmbuf_free(m);
	}
	if (nl4 != 0)
		l4_input_vlans(lc, ifidx, pkts, nl4);
}

/*
 * Frames this worker owns: classify, ARP/ICMP in place, TCP in a batch
 * per interface. Untagged frames pay one test of ol_flags for VLANs.
 * Inlined in both callers (the compiler did so before the VLAN code made
 * it bigger: a call per burst less).
 */
static __rte_always_inline void
input_local(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n, bool steered)
{
	struct ptcp_iface *ifc = &lc->ifs[ifidx];
	enum ptcp_l2_class cls;
	struct rte_mbuf *m;
	unsigned int i, nl4 = 0, nv = 0;

	if (unlikely(ifc->ip.addr == 0)) {
		input_vlans_only(lc, ifidx, pkts, n, steered);
		return;
	}
	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		cls = ptcp_eth_classify(m, &ifc->port->mac, &lc->stats);
		if (unlikely(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)) {
			if (vlan_input(lc, ifidx, m, cls, steered)) {
				pkts[nl4++] = m;
				nv++;
			}
			continue;
		}
		/* TCP segments are gathered in place for one call. */
		if (input_one(lc, ifidx, m, cls, steered))
			pkts[nl4++] = m;
	}
	if (unlikely(nv != 0))
		l4_input_vlans(lc, ifidx, pkts, nl4);
	else if (nl4 != 0)
		lc->l4_input(lc, ifidx, pkts, nl4);
}
