/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP: echo replies (so ping works). Other types are counted and ignored;
 * closed TCP ports answer with RST, not ICMP.
 */
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ptcp_net.h"

int
ptcp_icmp_input(struct rte_mbuf *m, const struct rte_ether_addr *our_mac,
		uint8_t ttl, bool hw_ip_csum, struct ptcp_stats *st)
{
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint32_t len, tmp_ip;

	PTCP_STAT_INC(st, icmp_rx);
	len = rte_pktmbuf_pkt_len(m) - m->l2_len - m->l3_len;
	if (unlikely(len < sizeof(*icmp))) {
		PTCP_STAT_INC(st, icmp_short);
		return 0;
	}
	/* An echo may span segments; linearize rather than refuse it. */
	if (unlikely(!rte_pktmbuf_is_contiguous(m)) &&
			rte_pktmbuf_linearize(m) != 0) {
		PTCP_STAT_INC(st, icmp_short);
		return 0;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *,
			m->l2_len + m->l3_len);

	if (ptcp_cksum(icmp, len, 0) != 0xffff) {
		PTCP_STAT_INC(st, icmp_bad_csum);
		return 0;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		PTCP_STAT_INC(st, icmp_other);
		return 0;
	}
	PTCP_STAT_INC(st, icmp_echo_rx);

	/* Turn the request around in place. */
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~ptcp_cksum(icmp, len, 0);
	if (icmp->icmp_cksum == 0)
		icmp->icmp_cksum = 0xffff;

	tmp_ip = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp_ip;
	ip->time_to_live = ttl;
	ip->fragment_offset = 0;
	ip->hdr_checksum = 0;
	if (!hw_ip_csum)
		ip->hdr_checksum = rte_ipv4_cksum(ip);

	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(our_mac, &eh->src_addr);
	return 1;
}
