/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 input validation (RFC 8200): the fixed header, then the extension
 * headers walked with bounds to the upper layer. No reassembly: fragments
 * are dropped and counted (an atomic fragment, RFC 6946, is not one).
 *
 * Issue 17's first piece: the engine does not call it yet (ptcp_eth_classify()
 * still drops IPv6 frames as rx_not_ip_arp); tests/unit/test_net.c does.
 */
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ptcp_net.h"

/* Extension headers (RFC 8200 §4, IANA "IPv6 Extension Header Types"). */
#define NH_HOPOPTS   0
#define NH_ROUTING   43
#define NH_FRAGMENT  44
#define NH_ESP       50
#define NH_AH        51
#define NH_NONE      59
#define NH_DSTOPTS   60

/* Most extension headers walked before the upper layer (RFC 7045 leaves
 * the bound to the node; Linux has none but the packet's length). */
#define EXT_MAX 8

bool
ptcp_ipv6_is_ours(const struct ptcp_ipv6_if *ifc, const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < ifc->nb_addrs; i++)
		if (memcmp(ifc->addrs[i], a, 16) == 0)
			return true;
	if (!ptcp_ipv6_is_multicast(a))
		return false;
	/* ff02::1, all nodes on the link. */
	if (a[1] == 0x02 && a[15] == 1 && a[14] == 0 && a[13] == 0 &&
			a[12] == 0 && a[11] == 0 && a[10] == 0 &&
			memcmp(a + 2, "\0\0\0\0\0\0\0\0", 8) == 0)
		return true;
	/* ff02::1:ffXX:XXXX, the solicited-node group of one of ours. */
	if (memcmp(a, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff", 13) == 0)
		for (i = 0; i < ifc->nb_addrs; i++)
			if (memcmp(ifc->addrs[i] + 13, a + 13, 3) == 0)
				return true;
	return false;
}

/*
 * The options of a hop-by-hop or destination options header at @off
 * (@len bytes), RFC 8200 §4.2: the two high bits of an unknown option's
 * type say what to do with the packet.
 */
static int
options_check(const uint8_t *h, uint32_t off, uint32_t len, bool mcast_dst,
		struct ptcp_stats *st)
{
	uint32_t i = off + 2, end = off + len;

	while (i < end) {
		uint8_t type = h[i];

		if (type == 0) {                /* Pad1 */
			i++;
			continue;
		}
		if (end - i < 2 || (uint32_t)h[i + 1] + 2 > end - i) {
			PTCP_STAT_INC(st, rx_ip6_bad_ext);
			return PTCP_IPV6_PARAM_PROBLEM(0, i + 1);
		}
		if (type != 1) {                /* not PadN: unknown to us */
			switch (type >> 6) {
			case 0:                 /* skip it */
				break;
			case 1:                 /* discard */
				PTCP_STAT_INC(st, rx_ip6_unknown_opt);
				return -1;
			case 3:                 /* discard; ICMP unless multicast */
				if (mcast_dst) {
					PTCP_STAT_INC(st, rx_ip6_unknown_opt);
					return -1;
				}
				/* fall through */
			default:                /* discard and ICMP */
				PTCP_STAT_INC(st, rx_ip6_unknown_opt);
				return PTCP_IPV6_PARAM_PROBLEM(2, i);
			}
		}
		i += 2u + h[i + 1];
	}
	return 0;
}

int
ptcp_ipv6_input(struct rte_mbuf *m, const struct ptcp_ipv6_if *ifc,
		struct ptcp_stats *st, uint8_t *proto)
{
	const struct rte_ipv6_hdr *ip;
	const uint8_t *h;
	uint32_t avail, plen, off, len, n, nh_at;
	uint8_t nh;
	bool mcast_dst;
	int rc;

	avail = rte_pktmbuf_data_len(m) - m->l2_len;
	if (unlikely(rte_pktmbuf_data_len(m) < m->l2_len ||
			avail < sizeof(*ip))) {
		PTCP_STAT_INC(st, rx_ip6_short);
		return -1;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
			m->l2_len);
	h = (const uint8_t *)ip;
	if (unlikely((h[0] >> 4) != 6)) {
		PTCP_STAT_INC(st, rx_ip6_version);
		return -1;
	}
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* 0 is a jumbogram (RFC 2675): not on a link ptcp serves. */
	if (unlikely(plen == 0 ||
			plen > rte_pktmbuf_pkt_len(m) - m->l2_len - sizeof(*ip))) {
		PTCP_STAT_INC(st, rx_ip6_bad_len);
		return -1;
	}
	if (unlikely(!ptcp_ipv6_is_ours(ifc, ip->dst_addr))) {
		PTCP_STAT_INC(st, rx_ip6_not_for_us);
		return -1;
	}
	/* RFC 4291 §2.7: never from a multicast source; ours is spoofing. */
	if (unlikely(ptcp_ipv6_is_multicast(ip->src_addr) ||
			ptcp_ipv6_is_ours(ifc, ip->src_addr))) {
		PTCP_STAT_INC(st, rx_ip6_bad_src);
		return -1;
	}
	/* Drop Ethernet padding so pkt_len is exactly the datagram. */
	if (rte_pktmbuf_pkt_len(m) > m->l2_len + sizeof(*ip) + plen)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - m->l2_len -
			(uint32_t)sizeof(*ip) - plen);
	mcast_dst = ptcp_ipv6_is_multicast(ip->dst_addr);
	avail = RTE_MIN(avail, (uint32_t)sizeof(*ip) + plen);

	/* The extension headers, in the first segment, at most EXT_MAX. */
	nh = ip->proto;
	nh_at = 6;                              /* offset of the Next Header */
	off = sizeof(*ip);
	for (n = 0; ; n++) {
		switch (nh) {
		case IPPROTO_TCP:
		case IPPROTO_ICMPV6:
			*proto = nh;
			m->l3_len = off;
			return 0;
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_FRAGMENT:
		case NH_DSTOPTS:
			break;
		case NH_NONE:
			PTCP_STAT_INC(st, rx_ip6_no_next);
			return -1;
		default:
			/* ESP, AH, UDP, ...: nothing here takes them. */
			PTCP_STAT_INC(st, rx_ip6_proto);
			return PTCP_IPV6_PARAM_PROBLEM(1, nh_at);
		}
		if (unlikely(n == EXT_MAX)) {
			PTCP_STAT_INC(st, rx_ip6_ext_limit);
			return -1;
		}
		/* Hop-by-hop only right after the fixed header (§4.1). */
		if (nh == NH_HOPOPTS && off != sizeof(*ip)) {
			PTCP_STAT_INC(st, rx_ip6_bad_ext);
			return PTCP_IPV6_PARAM_PROBLEM(1, nh_at);
		}
		if (unlikely(avail - off < 8)) {
			PTCP_STAT_INC(st, rx_ip6_bad_ext);
			return -1;
		}
		len = nh == NH_FRAGMENT ? 8 : 8u * (h[off + 1] + 1u);
		if (unlikely(len > avail - off)) {
			PTCP_STAT_INC(st, rx_ip6_bad_ext);
			return -1;
		}
		switch (nh) {
		case NH_HOPOPTS:
		case NH_DSTOPTS:
			rc = options_check(h, off, len, mcast_dst, st);
			if (rc != 0)
				return rc;
			break;
		case NH_ROUTING:
			/* Segments left 0: ignored, whatever the type. Type 0
			 * is deprecated (RFC 5095) and no other is ours to
			 * process, so any route to go on is a Parameter
			 * Problem at its type (RFC 8200 §4.4). */
			if (h[off + 3] != 0) {
				PTCP_STAT_INC(st, rx_ip6_routing);
				return PTCP_IPV6_PARAM_PROBLEM(0, off + 2);
			}
			break;
		case NH_FRAGMENT:
			/* An atomic fragment (offset 0, M clear) is a whole
			 * datagram (RFC 6946); others need reassembly. */
			if ((h[off + 2] << 8 | h[off + 3]) & 0xfff9) {
				PTCP_STAT_INC(st, rx_ip6_frag);
				return -1;
			}
			break;
		}
		nh_at = off;
		nh = h[off];
		off += len;
	}
}

void
ptcp_ipv6_fill(struct rte_ipv6_hdr *ip, const uint8_t *src,
		const uint8_t *dst, uint8_t proto, uint16_t payload_len,
		uint8_t hop_limit, uint32_t flow_label)
{
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | (flow_label & 0xfffff));
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limits = hop_limit;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
}

uint32_t
ptcp_ipv6_phdr_sum(const struct rte_ipv6_hdr *ip, uint8_t proto,
		uint32_t l4len)
{
	uint32_t sum = ptcp_cksum(ip->src_addr, 32, 0);
	uint32_t be_len = rte_cpu_to_be_32(l4len);

	sum += (be_len >> 16) + (be_len & 0xffff);
	sum += rte_cpu_to_be_16((uint16_t)proto);
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}
