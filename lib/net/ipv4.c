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

/* IPv4 option types (RFC 791 §3.1; IANA ip-parameters). */
#define IPV4_OPT_EOL    0
#define IPV4_OPT_NOP    1
#define IPV4_OPT_RR     7       /* record route */
#define IPV4_OPT_TS     68      /* timestamp */
#define IPV4_OPT_LSRR   131     /* loose source route */
#define IPV4_OPT_SSRR   137     /* strict source route */

/*
 * Walk the option list of @ip (IHL > 5) with bounds, with the checks of
 * Linux's ip_options_compile(): every option but EOL and NOP has a length
 * octet of at least 2 that stays inside the header; Record Route and
 * Timestamp have a pointer inside their option and room for the slot it
 * points at (or point past the end: full), Timestamp a known flag and,
 * when full, an overflow count below 15. Source routes (LSRR, SSRR) are
 * dropped (RFC 7126 §4.3, §4.4: a host does not act on them). Options
 * well formed and not acted upon (security, router alert, unknown) are
 * accepted.
 *
 * @return 0, or PTCP_IPV4_PARAM_PROBLEM + the offending octet's offset in
 *         the header (ICMP Parameter Problem's pointer), or -1 for a
 *         source route; the reason counted
 */
static int
ipv4_options_check(const struct rte_ipv4_hdr *ip, uint32_t ihl,
		struct ptcp_stats *st)
{
	const uint8_t *h = (const uint8_t *)ip;
	uint32_t off = sizeof(*ip), len, ptr, slot;

	while (off < ihl) {
		const uint8_t *o = h + off;

		if (o[0] == IPV4_OPT_EOL)
			break;
		if (o[0] == IPV4_OPT_NOP) {
			off++;
			continue;
		}
		if (ihl - off < 2 || o[1] < 2 || o[1] > ihl - off) {
			PTCP_STAT_INC(st, rx_ip_opt_len);
			return PTCP_IPV4_PARAM_PROBLEM + (int)off;
		}
		len = o[1];
		switch (o[0]) {
		case IPV4_OPT_LSRR:
		case IPV4_OPT_SSRR:
			PTCP_STAT_INC(st, rx_ip_srcroute);
			return -1;
		case IPV4_OPT_RR:
			if (len < 3) {
				PTCP_STAT_INC(st, rx_ip_opt_len);
				return PTCP_IPV4_PARAM_PROBLEM + (int)off + 1;
			}
			ptr = o[2];
			if (ptr < 4 || (ptr <= len && ptr + 3 > len)) {
				PTCP_STAT_INC(st, rx_ip_opt_ptr);
				return PTCP_IPV4_PARAM_PROBLEM + (int)off + 2;
			}
			break;
		case IPV4_OPT_TS:
			if (len < 4) {
				PTCP_STAT_INC(st, rx_ip_opt_len);
				return PTCP_IPV4_PARAM_PROBLEM + (int)off + 1;
			}
			ptr = o[2];
			/* Flag 0: timestamps; 1 and 3: address + timestamp. */
			slot = (o[3] & 0xf) == 0 ? 4 : 8;
			if ((o[3] & 0xf) != 0 && (o[3] & 0xf) != 1 &&
					(o[3] & 0xf) != 3) {
				PTCP_STAT_INC(st, rx_ip_opt_ptr);
				return PTCP_IPV4_PARAM_PROBLEM + (int)off + 3;
			}
			if (ptr < 5 || (ptr <= len && ptr + slot - 1 > len)) {
				PTCP_STAT_INC(st, rx_ip_opt_ptr);
				return PTCP_IPV4_PARAM_PROBLEM + (int)off + 2;
			}
			/* Full, and its overflow count full too. */
			if (ptr > len && (o[3] & 0xf0) == 0xf0) {
				PTCP_STAT_INC(st, rx_ip_opt_ptr);
				return PTCP_IPV4_PARAM_PROBLEM + (int)off + 3;
			}
			break;
		default:
			break;
		}
		off += len;
	}
	return 0;
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
	/* Options: after the address checks, so that a Parameter Problem
	 * only ever goes to a unicast source about a datagram for us. */
	if (unlikely(ihl > sizeof(*ip))) {
		int rc = ipv4_options_check(ip, ihl, st);

		if (rc != 0) {
			m->l3_len = ihl;
			return rc;
		}
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
