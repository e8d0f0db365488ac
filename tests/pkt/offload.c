/* SPDX-License-Identifier: BSD-3-Clause */
/* Checksum offload modelled on the wire of a two-stack pair: see offload.h. */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "offload.h"

/* Where a frame's IPv4 and TCP headers are, from its bytes. */
struct frame {
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;        /* NULL: not TCP */
	uint32_t l3off, l4off, l4len;
};

/* @return false if @m is no IPv4 frame with whole headers in its first
 * segment and lengths that agree with the mbuf's. */
static bool
frame_parse(struct rte_mbuf *m, struct frame *f)
{
	struct rte_ether_hdr *eh;
	uint32_t ihl, tot;

	if (m->data_len < sizeof(*eh) + sizeof(*f->ip))
		return false;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	f->l3off = sizeof(*eh);
	f->ip = (struct rte_ipv4_hdr *)(eh + 1);
	ihl = (f->ip->version_ihl & 0x0f) * 4u;
	tot = rte_be_to_cpu_16(f->ip->total_length);
	if (ihl < sizeof(*f->ip) || m->data_len < f->l3off + ihl ||
			tot < ihl || f->l3off + tot > rte_pktmbuf_pkt_len(m))
		return false;
	f->l4off = f->l3off + ihl;
	f->l4len = tot - ihl;
	f->th = NULL;
	if (f->ip->next_proto_id == IPPROTO_TCP) {
		if (f->l4len < sizeof(*f->th) ||
				m->data_len < f->l4off + sizeof(*f->th))
			return false;
		f->th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
			f->l4off);
	}
	return true;
}

/*
 * The 16-bit one's complement sum of @len bytes of chain @m from @off.
 * Each segment's sum is folded before a segment starting at an odd
 * offset is byte-swapped (DPDK 22.11's rte_raw_cksum_mbuf does not, and
 * loses carries: lib/tcp has the same fix). Bounded by the chain.
 */
static uint16_t
chain_sum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0, n;
	uint16_t s;

	for (; m != NULL && len > 0; m = m->next) {
		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		n = RTE_MIN((uint32_t)m->data_len - off, len);
		s = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *,
			off), n);
		if (done & 1)
			s = (uint16_t)((s << 8) | (s >> 8));
		sum += s;
		done += n;
		len -= n;
		off = 0;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool
ip_ok(const struct frame *f)
{
	return rte_raw_cksum(f->ip, f->l4off - f->l3off) == 0xffff;
}

static bool
tcp_ok(const struct rte_mbuf *m, const struct frame *f)
{
	uint32_t sum = (uint32_t)rte_ipv4_phdr_cksum(f->ip, 0) +
		chain_sum(m, f->l4off, f->l4len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * The NIC side's transmit: fill in what it was asked to, as a NIC does
 * (IPv4: the header sum; TCP: the sum of the segment over the pseudo-
 * header sum already in the field), then check the frame as it leaves.
 * A fresh RX descriptor at the peer: no TX request, no RX verdict, so the
 * peer checks in software too.
 */
static uint16_t
nic_tx_cb(uint16_t port_id __rte_unused, uint16_t queue __rte_unused,
		struct rte_mbuf *pkts[], uint16_t nb_pkts,
		uint16_t max_pkts __rte_unused, void *arg)
{
	struct h_offload *o = arg;
	struct frame f;
	struct rte_mbuf *m;
	uint64_t fl, l4;
	uint16_t i;

	for (i = 0; i < nb_pkts; i++) {
		m = pkts[i];
		fl = m->ol_flags;
		m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK |
			RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
		if (!frame_parse(m, &f)) {
			/* ARP; IPv4 that is not whole is a fault if the NIC
			 * was asked to checksum it. */
			if (fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK))
				o->wire_bad++;
			continue;
		}
		l4 = fl & RTE_MBUF_F_TX_L4_MASK;
		if ((fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)) &&
				(m->l2_len != f.l3off ||
				 m->l3_len != f.l4off - f.l3off ||
				 !(fl & RTE_MBUF_F_TX_IPV4) ||
				 (fl & RTE_MBUF_F_TX_TCP_SEG) ||
				 (l4 != 0 && (l4 != RTE_MBUF_F_TX_TCP_CKSUM ||
					f.th == NULL)))) {
			/* The offload contract broken: a NIC would send
			 * garbage; so does the model, and says so. */
			o->wire_bad++;
			continue;
		}
		if (fl & RTE_MBUF_F_TX_IP_CKSUM) {
			f.ip->hdr_checksum = 0;
			f.ip->hdr_checksum = rte_ipv4_cksum(f.ip);
			o->ip_filled++;
		}
		if (l4 == RTE_MBUF_F_TX_TCP_CKSUM) {
			f.th->cksum = (uint16_t)~chain_sum(m, f.l4off, f.l4len);
			o->tcp_filled++;
		}
		o->wire_checked++;
		if (!ip_ok(&f) || (f.th != NULL && !tcp_ok(m, &f)))
			o->wire_bad++;
	}
	return nb_pkts;
}

/*
 * The NIC side's receive: check what the peer sends and give the verdict
 * in the mbuf, as a NIC with RX checksum offload does. Non-TCP IPv4 gets
 * only the IP verdict (L4 unknown: ptcp checks ICMP itself).
 */
static uint16_t
nic_rx_cb(uint16_t port_id __rte_unused, uint16_t queue __rte_unused,
		struct rte_mbuf *pkts[], uint16_t nb_pkts, void *arg)
{
	struct h_offload *o = arg;
	struct frame f;
	struct rte_mbuf *m;
	bool good, l4good;
	uint16_t i;

	for (i = 0; i < nb_pkts; i++) {
		m = pkts[i];
		m->ol_flags &= ~(RTE_MBUF_F_TX_OFFLOAD_MASK |
			RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
		if (!frame_parse(m, &f))
			continue;
		good = ip_ok(&f);
		m->ol_flags |= good ? RTE_MBUF_F_RX_IP_CKSUM_GOOD :
			RTE_MBUF_F_RX_IP_CKSUM_BAD;
		if (f.th != NULL) {
			l4good = tcp_ok(m, &f);
			m->ol_flags |= l4good ? RTE_MBUF_F_RX_L4_CKSUM_GOOD :
				RTE_MBUF_F_RX_L4_CKSUM_BAD;
			good = good && l4good;
		}
		if (good)
			o->rx_good++;
		else
			o->rx_bad++;
	}
	return nb_pkts;
}

int
h_offload_attach(struct h_offload *o, struct h_stack *nic,
		struct h_stack *peer)
{
	struct ptcp_port *p = &nic->e->ports[0];
	int ret;

	memset(o, 0, sizeof(*o));
	o->peer_port = peer->e->ports[0].port_id;
	o->rx_cb = rte_eth_add_rx_callback(o->peer_port, 0, nic_tx_cb, o);
	o->tx_cb = rte_eth_add_tx_callback(o->peer_port, 0, nic_rx_cb, o);
	if (o->rx_cb == NULL || o->tx_cb == NULL) {
		ret = rte_errno != 0 ? -rte_errno : -EINVAL;
		h_offload_detach(o);
		return ret;
	}
	/*
	 * What ptcp_port_setup() sets when the device offers the offloads.
	 * The engine reads them on every segment through its port pointer
	 * and derives nothing from them at start, so setting them before
	 * the first pass is as if the device had advertised them.
	 */
	p->rx_ip_csum = true;
	p->rx_l4_csum = true;
	p->tx_ip_csum = true;
	p->tx_l4_csum = true;
	return 0;
}

void
h_offload_detach(struct h_offload *o)
{
	/* One lcore: nothing can be inside a callback now, so their memory
	 * can go back at once (ethdev leaves that to us). */
	if (o->rx_cb != NULL && rte_eth_remove_rx_callback(o->peer_port, 0,
			o->rx_cb) == 0)
		rte_free((void *)(uintptr_t)o->rx_cb);
	if (o->tx_cb != NULL && rte_eth_remove_tx_callback(o->peer_port, 0,
			o->tx_cb) == 0)
		rte_free((void *)(uintptr_t)o->tx_cb);
	o->rx_cb = NULL;
	o->tx_cb = NULL;
}
