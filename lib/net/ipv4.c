/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input validation and header building. No reassembly: fragments are
 * dropped and counted.
 */
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ptcp_net.h"

static inline bool
bad_source(uint32_t src, const struct ptcp_ipv4_if *ifc)
{
	uint32_t h = rte_be_to_cpu_32(src);

	return h == 0 || h == UINT32_MAX ||        /* 0.0.0.0, broadcast */
		(h >> 28) == 0xe ||                   /* multicast 224/4 */
		ptcp_ipv4_is_ours(ifc, src) ||        /* spoofing us */
		(ifc->netmask != UINT32_MAX &&        /* subnet broadcast */
		 (src | ifc->netmask) == UINT32_MAX);
}

int
ptcp_ipv4_input(struct rte_mbuf *m, const struct ptcp_ipv4_if *ifc,
		struct ptcp_stats *st)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t avail, ihl, tot;
	uint64_t csum_flags;

	/* The whole header must sit in the first segment. */
	avail = rte_pktmbuf_data_len(m) - m->l2_len;
	if (unlikely(rte_pktmbuf_data_len(m) < m->l2_len ||
			avail < sizeof(*ip))) {
		PTCP_STAT_INC(st, rx_ip_short);
		return -1;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
			m->l2_len);
	if (unlikely((ip->version_ihl >> 4) != 4)) {
		PTCP_STAT_INC(st, rx_ip_version);
		return -1;
	}
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (unlikely(ihl < sizeof(*ip) || ihl > avail)) {
		PTCP_STAT_INC(st, rx_ip_bad_ihl);
		return -1;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tot < ihl ||
			tot > rte_pktmbuf_pkt_len(m) - m->l2_len)) {
		PTCP_STAT_INC(st, rx_ip_bad_len);
		return -1;
	}

	csum_flags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (unlikely(csum_flags == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		PTCP_STAT_INC(st, rx_bad_ip_csum);
		return -1;
	}
	if (csum_flags != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			unlikely(ptcp_cksum(ip, ihl, 0) != 0xffff)) {
		PTCP_STAT_INC(st, rx_bad_ip_csum);
		return -1;
	}

	/* MF set or a non-zero offset: a fragment. */
	if (unlikely(ip->fragment_offset &
			RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
		PTCP_STAT_INC(st, rx_ip_frag);
		return -1;
	}
	if (unlikely(!ptcp_ipv4_is_ours(ifc, ip->dst_addr))) {
		PTCP_STAT_INC(st, rx_not_for_us);
		return -1;
	}
	if (unlikely(bad_source(ip->src_addr, ifc))) {
		PTCP_STAT_INC(st, rx_ip_bad_src);
		return -1;
	}

	/* Drop Ethernet padding so pkt_len is exactly the datagram. */
	if (rte_pktmbuf_pkt_len(m) > m->l2_len + tot)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - m->l2_len - tot);
	m->l3_len = ihl;
	return 0;
}

void
ptcp_ipv4_fill(struct rte_ipv4_hdr *ip, uint32_t src, uint32_t dst,
		uint8_t proto, uint16_t payload_len, uint8_t ttl, uint16_t id,
		bool hw_csum)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + payload_len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = src;
	ip->dst_addr = dst;
	if (!hw_csum)
		ip->hdr_checksum = ptcp_ipv4_hdr_cksum(ip);
}
