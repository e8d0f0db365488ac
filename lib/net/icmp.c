/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP: echo replies (so ping works) and Parameter Problems about malformed
 * IPv4 options (RFC 1122 §3.2.1.8). Other types are counted and ignored;
 * closed TCP ports answer with RST, not ICMP.
 */
#include <string.h>

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

bool
ptcp_icmp_may_answer(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, m->l2_len);
	const struct rte_icmp_hdr *icmp;
	struct rte_icmp_hdr copy;

	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (ip->next_proto_id != IPPROTO_ICMP)
		return true;
	icmp = rte_pktmbuf_read(m, m->l2_len + m->l3_len, sizeof(copy),
		&copy);
	if (icmp == NULL)
		return true;            /* too short to be an error message */
	/* Errors: unreachable, source quench, redirect, time exceeded,
	 * parameter problem. */
	switch (icmp->icmp_type) {
	case 3: case 4: case 5: case 11: case 12:
		return false;
	default:
		return true;
	}
}

/* RFC 1812 §4.3.2.3: an ICMP error is at most 576 bytes of IP. */
#define ICMP_ERROR_MAX_IP 576

int
ptcp_icmp_param_problem(struct rte_mbuf *out, const struct rte_mbuf *m,
		uint8_t pointer, const struct rte_ether_addr *our_mac,
		uint8_t ttl, bool hw_ip_csum)
{
	const struct rte_ether_hdr *eh0 = rte_pktmbuf_mtod(m,
		const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip0 = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, m->l2_len);
	uint32_t quote = rte_be_to_cpu_16(ip0->total_length);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint8_t *body;
	uint32_t icmp_len;

	quote = RTE_MIN(quote, rte_pktmbuf_pkt_len(m) - m->l2_len);
	quote = RTE_MIN(quote, (uint32_t)(ICMP_ERROR_MAX_IP -
		sizeof(*ip) - sizeof(*icmp)));
	icmp_len = (uint32_t)sizeof(*icmp) + quote;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(out,
		(uint16_t)(sizeof(*eh) + sizeof(*ip) + icmp_len));
	if (eh == NULL)
		return -1;
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	body = (uint8_t *)(icmp + 1);
	if (rte_pktmbuf_read(m, m->l2_len, quote, body) != body)
		memcpy(body, rte_pktmbuf_mtod_offset(m, const uint8_t *,
			m->l2_len), quote);
	/* Type 12 code 0; the pointer, then three unused octets. */
	icmp->icmp_type = 12;
	icmp->icmp_code = 0;
	icmp->icmp_cksum = 0;
	icmp->icmp_ident = rte_cpu_to_be_16((uint16_t)(pointer << 8));
	icmp->icmp_seq_nb = 0;
	icmp->icmp_cksum = (uint16_t)~ptcp_cksum(icmp, icmp_len, 0);
	if (icmp->icmp_cksum == 0)
		icmp->icmp_cksum = 0xffff;
	ptcp_ipv4_fill(ip, ip0->dst_addr, ip0->src_addr, IPPROTO_ICMP,
		(uint16_t)icmp_len, ttl, 0, hw_ip_csum);
	rte_ether_addr_copy(&eh0->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(our_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	out->l2_len = sizeof(*eh);
	out->l3_len = sizeof(*ip);
	return 0;
}
