/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 (RFC 4443) and Neighbor Discovery's two messages a host needs
 * (RFC 4861 §4.3, §4.4): validation with RFC 4861 §7.1's rules, echo
 * replies built in place, Neighbor Solicitations and Advertisements
 * built, Parameter Problems built.
 *
 * Issue 17's second piece: the engine does not call it yet;
 * tests/unit/test_net.c does.
 */
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ptcp_net.h"

/* RFC 4861 §4.6: option types. */
#define ND_OPT_SRC_LLADDR 1
#define ND_OPT_TGT_LLADDR 2

/* RFC 4443 §2.4 (c): an error message is at most the IPv6 minimum MTU. */
#define ICMP6_ERROR_MAX 1280

void
ptcp_ipv6_solicited_node(uint8_t out[16], const uint8_t addr[16])
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0x01, 0xff };

	memcpy(out, prefix, 13);
	memcpy(out + 13, addr + 13, 3);
}

void
ptcp_ipv6_mcast_mac(struct rte_ether_addr *mac, const uint8_t addr[16])
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], addr + 12, 4);
}

/* The ICMPv6 checksum of @len bytes at @icmp, under @ip's pseudo-header. */
static uint16_t
icmp6_sum(const struct rte_ipv6_hdr *ip, const void *icmp, uint32_t len)
{
	return ptcp_cksum(icmp, len,
		ptcp_ipv6_phdr_sum(ip, IPPROTO_ICMPV6, len));
}

/*
 * The options of an ND message (RFC 4861 §4.6): each length non-zero and
 * inside the message; the link-layer address option of @want, if any, in
 * @lladdr. @return 0, or -1 for a malformed list.
 */
static int
nd_options(const uint8_t *o, uint32_t len, uint8_t want,
		struct rte_ether_addr *lladdr, bool *have)
{
	uint32_t i = 0;

	*have = false;
	while (i < len) {
		uint32_t olen;

		if (len - i < 2 || o[i + 1] == 0)
			return -1;
		olen = 8u * o[i + 1];
		if (olen > len - i)
			return -1;
		/* Ethernet's is 8 bytes (RFC 2464 §6); others are skipped. */
		if (o[i] == want && olen == 8) {
			memcpy(lladdr, o + i + 2, RTE_ETHER_ADDR_LEN);
			*have = true;
		}
		i += olen;
	}
	return 0;
}

int
ptcp_icmp6_input(struct rte_mbuf *m, struct ptcp_icmp6_info *out,
		struct ptcp_stats *st)
{
	const struct rte_ipv6_hdr *ip;
	const uint8_t *icmp;
	uint32_t len;
	bool have;

	PTCP_STAT_INC(st, icmp6_rx);
	len = rte_pktmbuf_pkt_len(m) - m->l2_len - m->l3_len;
	if (unlikely(len < 8)) {
		PTCP_STAT_INC(st, icmp6_short);
		return -1;
	}
	if (unlikely(!rte_pktmbuf_is_contiguous(m)) &&
			rte_pktmbuf_linearize(m) != 0) {
		PTCP_STAT_INC(st, icmp6_short);
		return -1;
	}
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
			m->l2_len);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *,
			m->l2_len + m->l3_len);
	if (icmp6_sum(ip, icmp, len) != 0xffff) {
		PTCP_STAT_INC(st, icmp6_bad_csum);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = icmp[0];
	switch (icmp[0]) {
	case PTCP_ICMP6_ECHO_REQUEST:
		if (icmp[1] != 0)
			break;
		PTCP_STAT_INC(st, icmp6_echo_rx);
		return 0;
	case PTCP_ICMP6_NS:
	case PTCP_ICMP6_NA:
		/* RFC 4861 §7.1.1, §7.1.2: from the link (hop limit 255),
		 * code 0, 24 bytes at least, a unicast target, sane
		 * options. */
		if (ip->hop_limits != 255 || icmp[1] != 0 || len < 24 ||
				ptcp_ipv6_is_multicast(icmp + 8) ||
				nd_options(icmp + 24, len - 24, icmp[0] ==
					PTCP_ICMP6_NS ? ND_OPT_SRC_LLADDR :
					ND_OPT_TGT_LLADDR, &out->lladdr,
					&have) != 0)
			goto bad_nd;
		memcpy(out->target, icmp + 8, 16);
		out->has_lladdr = have;
		if (icmp[0] == PTCP_ICMP6_NS) {
			/* DAD probes come from :: to a solicited-node group,
			 * without a source link-layer address. */
			if (ptcp_ipv6_is_unspecified(ip->src_addr) &&
					(have || ip->dst_addr[0] != 0xff ||
					 ip->dst_addr[11] != 0x01 ||
					 ip->dst_addr[12] != 0xff))
				goto bad_nd;
			PTCP_STAT_INC(st, nd_ns_rx);
		} else {
			out->router = (icmp[4] & 0x80) != 0;
			out->solicited = (icmp[4] & 0x40) != 0;
			out->override = (icmp[4] & 0x20) != 0;
			/* Solicited answers go to the asker, not a group. */
			if (out->solicited && ptcp_ipv6_is_multicast(ip->dst_addr))
				goto bad_nd;
			PTCP_STAT_INC(st, nd_na_rx);
		}
		return 0;
	default:
		break;
	}
	PTCP_STAT_INC(st, icmp6_other);
	return -1;
bad_nd:
	PTCP_STAT_INC(st, nd_bad);
	return -1;
}

int
ptcp_icmp6_echo_reply(struct rte_mbuf *m, const uint8_t src[16],
		const struct rte_ether_addr *our_mac, uint8_t hop_limit)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv6_hdr *, m->l2_len);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *,
		m->l2_len + m->l3_len);
	uint32_t len = rte_pktmbuf_pkt_len(m) - m->l2_len - m->l3_len;
	uint16_t c;

	if (m->l3_len != sizeof(*ip) || !rte_pktmbuf_is_contiguous(m))
		return -1;              /* extension headers are not echoed */
	/* To whoever asked, from the address it asked (or @src for a
	 * request to a group). */
	memcpy(ip->dst_addr, ip->src_addr, 16);
	memcpy(ip->src_addr, src, 16);
	ip->hop_limits = hop_limit;
	icmp[0] = PTCP_ICMP6_ECHO_REPLY;
	icmp[2] = 0;
	icmp[3] = 0;
	c = (uint16_t)~icmp6_sum(ip, icmp, len);
	memcpy(icmp + 2, &c, 2);
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(our_mac, &eh->src_addr);
	return 0;
}

/* Ethernet + IPv6 + an ND message of 24 bytes plus an 8-byte link-layer
 * address option of @opt_type carrying @mac; checksummed. */
static int
nd_build(struct rte_mbuf *m, const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *mac, const uint8_t src[16],
		const uint8_t dst[16], uint8_t type, uint8_t flags,
		const uint8_t target[16], uint8_t opt_type)
{
	const uint32_t len = 24 + (opt_type != 0 ? 8 : 0);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip;
	uint8_t *icmp;
	uint16_t c;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eh) + sizeof(*ip) + len));
	if (eh == NULL)
		return -1;
	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	rte_ether_addr_copy(mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip = (struct rte_ipv6_hdr *)(eh + 1);
	ptcp_ipv6_fill(ip, src, dst, IPPROTO_ICMPV6, (uint16_t)len, 255, 0);
	icmp = (uint8_t *)(ip + 1);
	memset(icmp, 0, len);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	if (opt_type != 0) {
		icmp[24] = opt_type;
		icmp[25] = 1;
		memcpy(icmp + 26, mac, RTE_ETHER_ADDR_LEN);
	}
	c = (uint16_t)~icmp6_sum(ip, icmp, len);
	memcpy(icmp + 2, &c, 2);
	m->l2_len = sizeof(*eh);
	m->l3_len = sizeof(*ip);
	return 0;
}

int
ptcp_nd_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		const uint8_t src[16], const uint8_t target[16],
		const struct rte_ether_addr *unicast_to)
{
	uint8_t dst[16];
	struct rte_ether_addr eth_dst;

	/* A resolution goes to the target's solicited-node group; a probe
	 * of a known neighbour (unicast_to) to the target itself. */
	if (unicast_to != NULL) {
		memcpy(dst, target, 16);
		eth_dst = *unicast_to;
	} else {
		ptcp_ipv6_solicited_node(dst, target);
		ptcp_ipv6_mcast_mac(&eth_dst, dst);
	}
	/* From :: (duplicate address detection) without our address. */
	return nd_build(m, &eth_dst, mac, src, dst, PTCP_ICMP6_NS, 0, target,
		ptcp_ipv6_is_unspecified(src) ? 0 : ND_OPT_SRC_LLADDR);
}

int
ptcp_nd_build_na(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		const uint8_t target[16], const uint8_t dst[16],
		const struct rte_ether_addr *eth_dst, bool solicited)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1 };
	struct rte_ether_addr mcast;

	/* An answer to a DAD probe (from ::), or an unsolicited one, goes
	 * to all nodes, not solicited (RFC 4861 §7.2.4). */
	if (dst == NULL || ptcp_ipv6_is_unspecified(dst)) {
		ptcp_ipv6_mcast_mac(&mcast, all_nodes);
		return nd_build(m, &mcast, mac, target, all_nodes,
			PTCP_ICMP6_NA, 0x20, target, ND_OPT_TGT_LLADDR);
	}
	return nd_build(m, eth_dst, mac, target, dst, PTCP_ICMP6_NA,
		(uint8_t)((solicited ? 0x40 : 0) | 0x20), target,
		ND_OPT_TGT_LLADDR);
}

int
ptcp_icmp6_param_problem(struct rte_mbuf *out, const struct rte_mbuf *m,
		const uint8_t src[16], uint8_t code, uint32_t pointer,
		const struct rte_ether_addr *our_mac, uint8_t hop_limit)
{
	const struct rte_ether_hdr *eh0 = rte_pktmbuf_mtod(m,
		const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip0 = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv6_hdr *, m->l2_len);
	uint32_t quote = rte_pktmbuf_pkt_len(m) - m->l2_len, len;
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip;
	uint8_t *icmp;
	uint32_t be_ptr = rte_cpu_to_be_32(pointer);
	uint16_t c;

	quote = RTE_MIN(quote, (uint32_t)(ICMP6_ERROR_MAX - sizeof(*ip) - 8));
	len = 8 + quote;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(out,
		(uint16_t)(sizeof(*eh) + sizeof(*ip) + len));
	if (eh == NULL)
		return -1;
	ip = (struct rte_ipv6_hdr *)(eh + 1);
	icmp = (uint8_t *)(ip + 1);
	if (rte_pktmbuf_read(m, m->l2_len, quote, icmp + 8) != icmp + 8)
		memcpy(icmp + 8, rte_pktmbuf_mtod_offset(m, const uint8_t *,
			m->l2_len), quote);
	ptcp_ipv6_fill(ip, src, ip0->src_addr, IPPROTO_ICMPV6, (uint16_t)len,
		hop_limit, 0);
	icmp[0] = PTCP_ICMP6_PARAM_PROBLEM;
	icmp[1] = code;
	icmp[2] = 0;
	icmp[3] = 0;
	memcpy(icmp + 4, &be_ptr, 4);
	c = (uint16_t)~icmp6_sum(ip, icmp, len);
	memcpy(icmp + 2, &c, 2);
	rte_ether_addr_copy(&eh0->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(our_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	out->l2_len = sizeof(*eh);
	out->l3_len = sizeof(*ip);
	return 0;
}
