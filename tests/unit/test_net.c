/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: lib/net with no ports: frame parsing and building, checksum
 * helpers against known answers, and the ARP cache's table under churn.
 * The EAL runs (for mbufs) with no hugepages and no devices.
 */
#include <stdlib.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "ptcp_test_eal.h"
#include "ptcp_net.h"
#include "ptcp_test.h"

static struct rte_mempool *pool;

static const struct rte_ether_addr our_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr peer_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 } };

#define OUR   RTE_BE32(RTE_IPV4(10, 0, 0, 1))
#define PEER  RTE_BE32(RTE_IPV4(10, 0, 0, 2))

/* An Ethernet + IPv4 frame with @plen payload bytes, protocol 253. */
static struct rte_mbuf *
ip_frame(uint16_t plen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		sizeof(*eh) + sizeof(struct rte_ipv4_hdr) + plen);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_ether_addr_copy(&our_mac, &eh->dst_addr);
	rte_ether_addr_copy(&peer_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ptcp_ipv4_fill((struct rte_ipv4_hdr *)(eh + 1), PEER, OUR, 253, plen,
		64, 7, false);
	m->l2_len = sizeof(*eh);
	return m;
}

static int
ipv4_checksum_known_answer(void)
{
	/* The header of RFC 1071-style worked examples (Wikipedia's IPv4). */
	static const uint8_t hdr[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	struct rte_ipv4_hdr ip;

	memcpy(&ip, hdr, sizeof(ip));
	/* Verifying a correct header folds to 0xffff. */
	CHECK_EQ(rte_raw_cksum(&ip, sizeof(ip)), 0xffff);
	ip.hdr_checksum = 0;
	CHECK_EQ(rte_be_to_cpu_16(rte_ipv4_cksum(&ip)), 0xb861);
	/* ptcp_ipv4_fill produces the same field for the same header. */
	ptcp_ipv4_fill(&ip, RTE_BE32(RTE_IPV4(192u, 168, 0, 1)),
		RTE_BE32(RTE_IPV4(192u, 168, 0, 199)), IPPROTO_UDP, 0x73 - 20, 64,
		0, false);
	CHECK_EQ(rte_be_to_cpu_16(ip.hdr_checksum), 0xb861);
	/* ... and leaves it to the NIC when asked. */
	ptcp_ipv4_fill(&ip, OUR, PEER, IPPROTO_TCP, 0, 64, 0, true);
	CHECK_EQ(ip.hdr_checksum, 0);
	return 0;
}

/*
 * ptcp_cksum() against DPDK's rte_raw_cksum() (the reference: 16-bit words
 * one at a time) on random bytes: every length 0..1600 at every start
 * offset 0..7, random start sums, and the all-0xff, all-zero and
 * single-carry edges; the IPv4 and TCP helpers against rte_ipv4_cksum()
 * and rte_ipv4_udptcp_cksum() on random datagrams.
 */
static int
cksum_equals_rte_raw_cksum_on_random_bytes(void)
{
	static uint8_t buf[1600 + 8 + 64];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned int len, off, i, k;
	uint32_t sum;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(buf); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = k == 0 ? (uint8_t)x : k == 1 ? 0xff : 0;
		}
		for (off = 0; off < 8; off++) {
			for (len = 0; len <= 1600; len++) {
				sum = k == 0 ? (uint32_t)(x >> (len & 31)) :
					k == 1 ? 0xffffffffu : 0;
				CHECK_EQ(ptcp_cksum(buf + off, len, sum & 0xffff),
					__rte_raw_cksum_reduce(__rte_raw_cksum(
						buf + off, len, sum & 0xffff)));
				/* a 32-bit start value too */
				CHECK_EQ(ptcp_cksum(buf + off, len, sum),
					__rte_raw_cksum_reduce(__rte_raw_cksum(
						buf + off, len, 0) + (sum & 0xffff) +
						(sum >> 16)));
			}
		}
	}
	/* Datagrams: an IPv4 header, then a TCP segment of 20..1480 bytes. */
	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = 20 + (unsigned int)(x % 1461);
		for (k = 0; k < sizeof(*ip) + len; k++)
			buf[k] = (uint8_t)(x >> (k % 57));
		ptcp_ipv4_fill(ip, (uint32_t)x, (uint32_t)(x >> 32),
			IPPROTO_TCP, (uint16_t)len, 64, (uint16_t)i, true);
		CHECK_EQ(ptcp_ipv4_hdr_cksum(ip), rte_ipv4_cksum(ip));
		((struct rte_tcp_hdr *)(ip + 1))->cksum = 0;
		CHECK_EQ(ptcp_ipv4_l4_cksum(ip, ip + 1, len),
			rte_ipv4_udptcp_cksum(ip, ip + 1));
		CHECK_EQ(ptcp_ipv4_phdr_sum(ip, IPPROTO_TCP, len) % 0xffff,
			(uint32_t)rte_ipv4_phdr_cksum(ip, 0) % 0xffff);
	}
	return 0;
}

static int
eth_classify_accepts_ours_and_broadcast(void)
{
	struct ptcp_stats st = { 0 };
	struct rte_mbuf *m = ip_frame(0);
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	CHECK_EQ(ptcp_eth_classify(m, &our_mac, &st), PTCP_L2_IPV4);
	CHECK_EQ(m->l2_len, 14);
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	CHECK_EQ(ptcp_eth_classify(m, &our_mac, &st), PTCP_L2_IPV4);
	/* IPv4 to a multicast MAC: not ours. ARP to multicast: accepted. */
	eh->dst_addr.addr_bytes[0] = 0x01;
	eh->dst_addr.addr_bytes[5] = 0x05;
	CHECK_EQ(ptcp_eth_classify(m, &our_mac, &st), PTCP_L2_DROP);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_not_our_mac), 1);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	CHECK_EQ(ptcp_eth_classify(m, &our_mac, &st), PTCP_L2_ARP);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_QINQ);
	CHECK_EQ(ptcp_eth_classify(m, &our_mac, &st), PTCP_L2_DROP);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_vlan), 1);
	rte_pktmbuf_free(m);
	return 0;
}

static int
ipv4_input_trims_padding_and_accepts_options(void)
{
	struct ptcp_ipv4_if ifc = { .addr = OUR,
		.netmask = RTE_BE32(0xffffff00) };
	struct ptcp_stats st = { 0 };
	struct rte_mbuf *m = ip_frame(6);
	struct rte_ipv4_hdr *ip;
	uint8_t *opt;

	/* Ethernet pads a 40-byte datagram to 46: the pad goes. */
	CHECK(rte_pktmbuf_append(m, 20) != NULL);
	CHECK_EQ(ptcp_ipv4_input(m, &ifc, &st), 0);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 14 + 20 + 6);
	CHECK_EQ(m->l3_len, 20);
	rte_pktmbuf_free(m);

	/* IHL 6: one word of options (NOP NOP NOP EOL). */
	m = ip_frame(8);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	opt = (uint8_t *)(ip + 1);
	memset(opt, 1, 3);
	opt[3] = 0;
	ip->version_ihl = 0x46;
	ip->total_length = rte_cpu_to_be_16(28);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	CHECK_EQ(ptcp_ipv4_input(m, &ifc, &st), 0);
	CHECK_EQ(m->l3_len, 24);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 14 + 28);
	rte_pktmbuf_free(m);

	/* The NIC's verdict is trusted both ways. */
	m = ip_frame(0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->hdr_checksum ^= 1;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	CHECK_EQ(ptcp_ipv4_input(m, &ifc, &st), 0);
	ip->hdr_checksum ^= 1;
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	CHECK_EQ(ptcp_ipv4_input(m, &ifc, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_bad_ip_csum), 1);
	rte_pktmbuf_free(m);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

static int
ipv4_input_rejects_header_split_across_segments(void)
{
	struct ptcp_ipv4_if ifc = { .addr = OUR,
		.netmask = RTE_BE32(0xffffff00) };
	struct ptcp_stats st = { 0 };
	struct rte_mbuf *m = ip_frame(0), *tail = ip_frame(0);

	/* First segment: Ethernet + 10 bytes of IP; the rest chained. */
	rte_pktmbuf_trim(m, 10);
	CHECK_EQ(rte_pktmbuf_chain(m, tail), 0);
	CHECK_EQ(ptcp_ipv4_input(m, &ifc, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_ip_short), 1);
	rte_pktmbuf_free(m);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

static int
arp_build_parse_round_trip(void)
{
	struct ptcp_stats st = { 0 };
	struct ptcp_arp_info a;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CHECK_EQ(ptcp_arp_build(m, RTE_ARP_OP_REPLY, &peer_mac, &our_mac, OUR,
		&peer_mac, PEER), 0);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 42);
	CHECK_EQ(ptcp_eth_classify(m, &peer_mac, &st), PTCP_L2_ARP);
	CHECK_EQ(ptcp_arp_parse(m, &a, &st), 0);
	CHECK_EQ(a.op, RTE_ARP_OP_REPLY);
	CHECK(rte_is_same_ether_addr(&a.sha, &our_mac));
	CHECK(rte_is_same_ether_addr(&a.tha, &peer_mac));
	CHECK_EQ(a.sip, OUR);
	CHECK_EQ(a.tip, PEER);
	/* A broadcast sender hardware address is refused. */
	rte_pktmbuf_reset(m);
	memset(&a.sha, 0xff, sizeof(a.sha));
	CHECK_EQ(ptcp_arp_build(m, RTE_ARP_OP_REQUEST, &peer_mac, &a.sha, OUR,
		&peer_mac, PEER), 0);
	m->l2_len = 14;
	CHECK_EQ(ptcp_arp_parse(m, &a, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, arp_bad), 1);
	rte_pktmbuf_free(m);
	return 0;
}

static int
icmp_reply_built_in_place_with_valid_checksums(void)
{
	struct ptcp_stats st = { 0 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	const uint16_t len = sizeof(*ic) + 57;   /* odd length */

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		sizeof(*eh) + sizeof(*ip) + len);
	rte_ether_addr_copy(&peer_mac, &eh->src_addr);
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ptcp_ipv4_fill(ip, PEER, OUR, IPPROTO_ICMP, len, 64, 1, false);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	memset(ic, 0xa5, len);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, len);
	m->l2_len = 14;
	m->l3_len = 20;
	CHECK_EQ(ptcp_icmp_input(m, &our_mac, 33, false, &st), 1);
	CHECK_EQ(ic->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CHECK_EQ(rte_raw_cksum(ic, len), 0xffff);
	CHECK_EQ(rte_raw_cksum(ip, 20), 0xffff);
	CHECK_EQ(ip->src_addr, OUR);
	CHECK_EQ(ip->dst_addr, PEER);
	CHECK_EQ(ip->time_to_live, 33);
	/* From our MAC even though the request went to broadcast. */
	CHECK(rte_is_same_ether_addr(&eh->src_addr, &our_mac));
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &peer_mac));
	rte_pktmbuf_free(m);
	return 0;
}

/* IPv4 options --------------------------------------------------------- */

/*
 * A frame to us whose header carries @olen bytes of options @opt (padded
 * with EOL to whole words), then 8 bytes of payload.
 */
static struct rte_mbuf *
opt_frame(const uint8_t *opt, unsigned int olen)
{
	unsigned int words = (olen + 3) / 4;
	struct rte_mbuf *m = ip_frame((uint16_t)(words * 4 + 8));
	struct rte_ipv4_hdr *ip;

	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	memset(ip + 1, 0, words * 4 + 8);
	memcpy(ip + 1, opt, olen);
	ip->version_ihl = (uint8_t)(0x40 | (5 + words));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/*
 * Every malformed shape of an option list (RFC 791 §3.1; Linux's
 * ip_options_compile() as the reference): dropped with its reason and the
 * Parameter Problem pointer Linux would send; source routes dropped
 * silently; well-formed lists, full RR/TS included, accepted.
 */
static int
ipv4_input_checks_every_option_shape(void)
{
	static const struct {
		const char *what;
		uint8_t opt[12];
		unsigned int len;
		int verdict;            /* 0, -1 or the pointer */
		unsigned int reason;    /* PTCP_STAT_ id, or 0 */
	} cases[] = {
		{ "NOPs and EOL", { 1, 1, 1, 0 }, 4, 0, 0 },
		{ "garbage after EOL", { 0, 0x44, 0, 0 }, 4, 0, 0 },
		{ "router alert", { 148, 4, 0, 0 }, 4, 0, 0 },
		{ "unknown type, good length", { 0x9e, 3, 7, 1 }, 4, 0, 0 },
		{ "security, length 11", { 130, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9,
			0 }, 12, 0, 0 },
		{ "length 0", { 1, 130, 0, 0 }, 4, 21, PTCP_STAT_rx_ip_opt_len },
		{ "length 1", { 130, 1, 0, 0 }, 4, 20, PTCP_STAT_rx_ip_opt_len },
		{ "length past the header", { 148, 8, 0, 0 }, 4, 20,
			PTCP_STAT_rx_ip_opt_len },
		{ "type in the last octet", { 1, 1, 1, 148 }, 4, 23,
			PTCP_STAT_rx_ip_opt_len },
		{ "RR length 2", { 7, 2, 1, 1 }, 4, 21, PTCP_STAT_rx_ip_opt_len },
		{ "RR pointer 3", { 7, 7, 3, 0, 0, 0, 0, 0 }, 8, 22,
			PTCP_STAT_rx_ip_opt_ptr },
		{ "RR pointer with no room", { 7, 7, 5, 0, 0, 0, 0, 0 }, 8, 22,
			PTCP_STAT_rx_ip_opt_ptr },
		{ "RR empty slot", { 7, 7, 4, 0, 0, 0, 0, 0 }, 8, 0, 0 },
		{ "RR full", { 7, 7, 8, 1, 2, 3, 4, 0 }, 8, 0, 0 },
		{ "TS length 3", { 68, 3, 5, 0 }, 4, 21, PTCP_STAT_rx_ip_opt_len },
		{ "TS pointer 4", { 68, 8, 4, 0, 0, 0, 0, 0 }, 8, 22,
			PTCP_STAT_rx_ip_opt_ptr },
		{ "TS flag 2", { 68, 8, 5, 2, 0, 0, 0, 0 }, 8, 23,
			PTCP_STAT_rx_ip_opt_ptr },
		{ "TS address slot with no room", { 68, 8, 5, 1, 0, 0, 0, 0 }, 8,
			22, PTCP_STAT_rx_ip_opt_ptr },
		{ "TS full, overflow 15", { 68, 8, 9, 0xf0, 0, 0, 0, 0 }, 8, 23,
			PTCP_STAT_rx_ip_opt_ptr },
		{ "TS empty slot", { 68, 8, 5, 0, 0, 0, 0, 0 }, 8, 0, 0 },
		{ "TS full, overflow 1", { 68, 8, 9, 0x10, 0, 0, 0, 0 }, 8, 0, 0 },
		{ "LSRR", { 131, 7, 4, 1, 2, 3, 4, 0 }, 8, -1,
			PTCP_STAT_rx_ip_srcroute },
		{ "SSRR after a NOP", { 1, 137, 7, 4, 1, 2, 3, 4 }, 8, -1,
			PTCP_STAT_rx_ip_srcroute },
	};
	struct ptcp_ipv4_if ifc = { .addr = OUR,
		.netmask = RTE_BE32(0xffffff00) };
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		struct ptcp_stats st = { 0 };
		struct rte_mbuf *m = opt_frame(cases[i].opt, cases[i].len);
		int want = cases[i].verdict > 0 ? PTCP_IPV4_PARAM_PROBLEM +
			cases[i].verdict : cases[i].verdict;
		int rc;

		CHECK(m != NULL);
		rc = ptcp_ipv4_input(m, &ifc, &st);
		if (rc != want) {
			TEST_FAIL("%s: verdict %d, want %d", cases[i].what, rc,
				want);
			rte_pktmbuf_free(m);
			return -1;
		}
		if (cases[i].reason != 0)
			CHECK_EQ(st.c[cases[i].reason], 1);
		CHECK_EQ(PTCP_STAT_GET(&st, rx_ip_opt_len) +
			PTCP_STAT_GET(&st, rx_ip_opt_ptr) +
			PTCP_STAT_GET(&st, rx_ip_srcroute),
			cases[i].reason != 0 ? 1u : 0u);
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

/*
 * The Parameter Problem about a datagram with a bad option: type 12 code
 * 0, the pointer, valid checksums, back to the sender's MAC and address,
 * quoting the datagram; none about an ICMP error.
 */
static int
icmp_param_problem_points_at_the_octet(void)
{
	static const uint8_t opt[4] = { 148, 8, 0, 0 };
	struct rte_mbuf *m = opt_frame(opt, sizeof(opt));
	struct rte_mbuf *out = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip, *ip0;
	struct rte_icmp_hdr *ic;
	uint32_t qlen;

	CHECK(m != NULL && out != NULL);
	m->l3_len = 24;
	ip0 = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	qlen = rte_be_to_cpu_16(ip0->total_length);
	CHECK(ptcp_icmp_may_answer(m));
	CHECK_EQ(ptcp_icmp_param_problem(out, m, 20, &our_mac, 33, false), 0);
	eh = rte_pktmbuf_mtod(out, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	CHECK_EQ(rte_pktmbuf_pkt_len(out), 14 + 20 + 8 + qlen);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &peer_mac));
	CHECK(rte_is_same_ether_addr(&eh->src_addr, &our_mac));
	CHECK_EQ(ip->src_addr, OUR);
	CHECK_EQ(ip->dst_addr, PEER);
	CHECK_EQ(ip->next_proto_id, IPPROTO_ICMP);
	CHECK_EQ(ip->time_to_live, 33);
	CHECK_EQ(rte_raw_cksum(ip, 20), 0xffff);
	CHECK_EQ(rte_raw_cksum(ic, 8 + qlen), 0xffff);
	CHECK_EQ(ic->icmp_type, 12);
	CHECK_EQ(ic->icmp_code, 0);
	CHECK_EQ(((const uint8_t *)ic)[4], 20);
	CHECK(memcmp(ic + 1, ip0, qlen) == 0);
	rte_pktmbuf_free(out);

	/* About an ICMP error (here a Parameter Problem): nothing. */
	ip0->next_proto_id = IPPROTO_ICMP;
	*((uint8_t *)ip0 + 24) = 12;
	CHECK(!ptcp_icmp_may_answer(m));
	*((uint8_t *)ip0 + 24) = RTE_IP_ICMP_ECHO_REQUEST;
	CHECK(ptcp_icmp_may_answer(m));
	rte_pktmbuf_free(m);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

/* IPv6 ------------------------------------------------------------------ */

static const uint8_t our6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0x12, 0x34 };
static const uint8_t ll6[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0xab, 0xcd };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0x02 };

/*
 * Ethernet + IPv6 from peer6 to @dst, whose payload is @ext (@elen bytes
 * of extension headers, their first Next Header @nh) then 20 bytes of a
 * TCP header (the last header's Next Header is the caller's to set).
 */
static struct rte_mbuf *
ip6_frame(const uint8_t *dst, uint8_t nh, const uint8_t *ext, uint16_t elen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eh) + sizeof(*ip) + elen + 20));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_ether_addr_copy(&our_mac, &eh->dst_addr);
	rte_ether_addr_copy(&peer_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip = (struct rte_ipv6_hdr *)(eh + 1);
	ptcp_ipv6_fill(ip, peer6, dst, nh, (uint16_t)(elen + 20), 64, 7);
	if (elen != 0)
		memcpy(ip + 1, ext, elen);
	memset((uint8_t *)(ip + 1) + elen, 0, 20);
	m->l2_len = sizeof(*eh);
	return m;
}

/*
 * RFC 8200's header chain, every shape: accepted chains (with the upper
 * layer and the header length found), and each malformed or refused one
 * with its drop reason and, where the RFC wants one, the Parameter
 * Problem's code and pointer.
 */
static int
ipv6_input_walks_every_header_chain(void)
{
	static const uint8_t addrs[2][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12,
			0x34 },
		{ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd },
	};
	static const uint8_t all_nodes[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t sol_ours[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 1, 0xff, 0, 0x12, 0x34 };
	static const uint8_t sol_other[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 1, 0xff, 0, 0x56, 0x78 };
	static const struct {
		const char *what;
		const uint8_t *dst;             /* NULL: our6 */
		uint8_t nh;
		uint8_t ext[80];
		uint16_t elen;
		int verdict;    /* 0, -1, or 1000 * (code + 1) + pointer */
		unsigned int reason;
		uint16_t l3_len;
	} c[] = {
		{ "TCP", NULL, 6, { 0 }, 0, 0, 0, 40 },
		{ "ICMPv6 to link-local", addrs[1], 58, { 0 }, 0, 0, 0, 40 },
		{ "to all nodes", all_nodes, 6, { 0 }, 0, 0, 0, 40 },
		{ "to our solicited-node group", sol_ours, 58, { 0 }, 0, 0, 0,
			40 },
		{ "to another solicited-node group", sol_other, 58, { 0 }, 0,
			-1, PTCP_STAT_rx_ip6_not_for_us, 0 },
		{ "hop-by-hop PadN, dest opts Pad1, routing done, atomic "
			"fragment", NULL, 0,
			{ 60, 0, 1, 4, 0, 0, 0, 0,          /* HBH: PadN 4 */
			  43, 0, 0, 0, 0, 0, 0, 0,          /* DST: Pad1 x6 */
			  44, 0, 0, 0, 0, 0, 0, 0,          /* RH0, left 0 */
			  6, 0, 0, 0, 0, 0, 0, 1 },         /* frag, offset 0 */
			32, 0, 0, 72 },
		{ "unknown option, action skip", NULL, 60,
			{ 6, 0, 0x05, 2, 0, 0, 1, 0 }, 8, 0, 0, 48 },
		{ "unknown option, action discard", NULL, 60,
			{ 6, 0, 0x45, 2, 0, 0, 1, 0 }, 8, -1,
			PTCP_STAT_rx_ip6_unknown_opt, 0 },
		{ "unknown option, action ICMP", NULL, 60,
			{ 6, 0, 0x85, 2, 0, 0, 1, 0 }, 8, 3042,
			PTCP_STAT_rx_ip6_unknown_opt, 0 },
		{ "unknown option, ICMP unless multicast: unicast", NULL, 60,
			{ 6, 0, 0xc5, 2, 0, 0, 1, 0 }, 8, 3042,
			PTCP_STAT_rx_ip6_unknown_opt, 0 },
		{ "unknown option, ICMP unless multicast: multicast",
			all_nodes, 60, { 6, 0, 0xc5, 2, 0, 0, 1, 0 }, 8, -1,
			PTCP_STAT_rx_ip6_unknown_opt, 0 },
		{ "option past its header", NULL, 60,
			{ 6, 0, 1, 9, 0, 0, 0, 0 }, 8, 1043,
			PTCP_STAT_rx_ip6_bad_ext, 0 },
		{ "hop-by-hop after dest opts", NULL, 60,
			{ 0, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0 }, 16,
			2040, PTCP_STAT_rx_ip6_bad_ext, 0 },
		{ "header longer than the datagram", NULL, 60,
			{ 6, 8, 1, 4, 0, 0, 0, 0 }, 8, -1,
			PTCP_STAT_rx_ip6_bad_ext, 0 },
		{ "routing type 0 with segments left", NULL, 43,
			{ 6, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			  0, 0, 0, 0, 0, 0, 0, 0 }, 24, 1042,
			PTCP_STAT_rx_ip6_routing, 0 },
		{ "routing type 4 with segments left", NULL, 43,
			{ 6, 2, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			  0, 0, 0, 0, 0, 0, 0, 0 }, 24, 1042,
			PTCP_STAT_rx_ip6_routing, 0 },
		{ "fragment, offset 8", NULL, 44, { 6, 0, 0, 0x40, 0, 0, 0, 1 },
			8, -1, PTCP_STAT_rx_ip6_frag, 0 },
		{ "fragment, more to come", NULL, 44,
			{ 6, 0, 0, 0x01, 0, 0, 0, 1 }, 8, -1,
			PTCP_STAT_rx_ip6_frag, 0 },
		{ "no next header", NULL, 59, { 0 }, 0, -1,
			PTCP_STAT_rx_ip6_no_next, 0 },
		{ "UDP", NULL, 17, { 0 }, 0, 2006, PTCP_STAT_rx_ip6_proto, 0 },
		{ "ESP after dest opts", NULL, 60,
			{ 50, 0, 1, 4, 0, 0, 0, 0 }, 8, 2040,
			PTCP_STAT_rx_ip6_proto, 0 },
		{ "nine dest opts", NULL, 60,
			{ 60, 0, 1, 4, 0, 0, 0, 0, 60, 0, 1, 4, 0, 0, 0, 0,
			  60, 0, 1, 4, 0, 0, 0, 0, 60, 0, 1, 4, 0, 0, 0, 0,
			  60, 0, 1, 4, 0, 0, 0, 0, 60, 0, 1, 4, 0, 0, 0, 0,
			  60, 0, 1, 4, 0, 0, 0, 0, 60, 0, 1, 4, 0, 0, 0, 0,
			  6, 0, 1, 4, 0, 0, 0, 0 }, 72, -1,
			PTCP_STAT_rx_ip6_ext_limit, 0 },
	};
	struct ptcp_ipv6_if ifc = { .addrs = addrs, .nb_addrs = 2 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(c); i++) {
		struct ptcp_stats st = { 0 };
		struct rte_mbuf *m = ip6_frame(c[i].dst != NULL ? c[i].dst :
			our6, c[i].nh, c[i].ext, c[i].elen);
		uint8_t proto = 0;
		int rc, want = c[i].verdict;

		CHECK(m != NULL);
		if (want >= 1000)
			want = PTCP_IPV6_PARAM_PROBLEM(want / 1000 - 1,
				want % 1000);
		rc = ptcp_ipv6_input(m, &ifc, &st, &proto);
		if (rc != want) {
			TEST_FAIL("%s: verdict %#x, want %#x", c[i].what, rc,
				want);
			rte_pktmbuf_free(m);
			return -1;
		}
		if (c[i].reason != 0)
			CHECK_EQ(st.c[c[i].reason], 1);
		if (rc == 0) {
			CHECK_EQ(m->l3_len, c[i].l3_len);
			CHECK(proto == IPPROTO_TCP || proto == IPPROTO_ICMPV6);
		}
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

/* The fixed header's checks, and the trim of Ethernet padding. */
static int
ipv6_input_checks_the_fixed_header(void)
{
	const uint8_t (*addrs)[16] = &our6;
	struct ptcp_ipv6_if ifc = { .addrs = addrs, .nb_addrs = 1 };
	struct ptcp_stats st = { 0 };
	struct rte_mbuf *m;
	struct rte_ipv6_hdr *ip;
	uint8_t proto;

	/* Padding goes. */
	m = ip6_frame(our6, 6, NULL, 0);
	CHECK(rte_pktmbuf_append(m, 6) != NULL);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), 0);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 14 + 40 + 20);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
	/* Version 4 in an IPv6 frame. */
	ip->vtc_flow = rte_cpu_to_be_32(4u << 28);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_ip6_version), 1);
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	/* Payload length 0 (a jumbogram) and beyond the frame. */
	ip->payload_len = 0;
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	ip->payload_len = rte_cpu_to_be_16(21);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_ip6_bad_len), 2);
	ip->payload_len = rte_cpu_to_be_16(20);
	/* From a multicast source, and from our own address. */
	ip->src_addr[0] = 0xff;
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	memcpy(ip->src_addr, our6, 16);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_ip6_bad_src), 2);
	memcpy(ip->src_addr, peer6, 16);
	/* To someone else. */
	memcpy(ip->dst_addr, ll6, 16);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_ip6_not_for_us), 1);
	memcpy(ip->dst_addr, our6, 16);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), 0);
	/* The header split across segments. */
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 30);
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, rx_ip6_short), 1);
	rte_pktmbuf_free(m);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

/* The pseudo-header sum against DPDK's rte_ipv6_udptcp_cksum(). */
static int
ipv6_pseudo_header_matches_dpdk(void)
{
	static uint8_t buf[40 + 1500];
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)buf;
	uint64_t x = 0x2545f4914f6cdd1dull;
	unsigned int len, i;

	for (len = 20; len <= 1500; len += 37) {
		for (i = 0; i < sizeof(buf); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		ptcp_ipv6_fill(ip, buf + 100, buf + 200, IPPROTO_TCP,
			(uint16_t)len, 64, 0);
		((struct rte_tcp_hdr *)(ip + 1))->cksum = 0;
		CHECK_EQ((uint16_t)~ptcp_cksum(ip + 1, len,
			ptcp_ipv6_phdr_sum(ip, IPPROTO_TCP, len)),
			rte_ipv6_udptcp_cksum(ip, ip + 1) == 0xffff ? 0 :
			rte_ipv6_udptcp_cksum(ip, ip + 1));
	}
	return 0;
}

/* A frame's ICMPv6 checksum is right (under its IPv6 pseudo-header). */
static bool
icmp6_sum_ok(const struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv6_hdr *, 14);
	uint32_t len = rte_be_to_cpu_16(ip->payload_len);

	return ptcp_cksum(ip + 1, len, ptcp_ipv6_phdr_sum(ip, IPPROTO_ICMPV6,
		len)) == 0xffff;
}

/*
 * Neighbor Discovery's messages, built and read back through
 * ptcp_ipv6_input() and ptcp_icmp6_input(): a resolution NS to the
 * solicited-node group, a solicited NA back, a DAD probe from ::, an
 * unsolicited NA to all nodes; and each way RFC 4861 §7.1 refuses one.
 */
static int
nd_messages_built_read_back_and_refused(void)
{
	static const uint8_t addrs[1][16] = { { 0x20, 0x01, 0x0d, 0xb8, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 } };
	static const uint8_t unspec[16];
	struct ptcp_ipv6_if ifc = { .addrs = addrs, .nb_addrs = 1 };
	struct ptcp_stats st = { 0 };
	struct ptcp_icmp6_info in;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip;
	uint8_t *icmp, proto;

	/* The peer resolves our address. */
	CHECK_EQ(ptcp_nd_build_ns(m, &peer_mac, peer6, our6, NULL), 0);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv6_hdr *)(eh + 1);
	CHECK_EQ(eh->dst_addr.addr_bytes[0], 0x33);
	CHECK_EQ(eh->dst_addr.addr_bytes[2], 0xff);
	CHECK_EQ(eh->dst_addr.addr_bytes[5], 0x34);
	CHECK_EQ(ip->dst_addr[0], 0xff);
	CHECK_EQ(ip->dst_addr[12], 0xff);
	CHECK_EQ(ip->hop_limits, 255);
	CHECK(icmp6_sum_ok(m));
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), 0);
	CHECK_EQ(proto, IPPROTO_ICMPV6);
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), 0);
	CHECK_EQ(in.type, PTCP_ICMP6_NS);
	CHECK(memcmp(in.target, our6, 16) == 0);
	CHECK(in.has_lladdr);
	CHECK(rte_is_same_ether_addr(&in.lladdr, &peer_mac));

	/* Our answer, solicited, to the asker. */
	rte_pktmbuf_reset(m);
	CHECK_EQ(ptcp_nd_build_na(m, &our_mac, our6, peer6, &peer_mac, true),
		0);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv6_hdr *)(eh + 1);
	icmp = (uint8_t *)(ip + 1);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &peer_mac));
	CHECK(memcmp(ip->src_addr, our6, 16) == 0);
	CHECK(memcmp(ip->dst_addr, peer6, 16) == 0);
	CHECK_EQ(icmp[4], 0x60);                /* Solicited, Override */
	CHECK(icmp6_sum_ok(m));
	m->l2_len = 14;
	m->l3_len = 40;
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), 0);
	CHECK(in.solicited && in.override && !in.router);
	CHECK(rte_is_same_ether_addr(&in.lladdr, &our_mac));

	/* A DAD probe: from ::, no source link-layer address. */
	rte_pktmbuf_reset(m);
	CHECK_EQ(ptcp_nd_build_ns(m, &our_mac, unspec, our6, NULL), 0);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 14 + 40 + 24);
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), 0);
	CHECK(!in.has_lladdr);
	/* The answer to one: to all nodes, not Solicited. */
	rte_pktmbuf_reset(m);
	CHECK_EQ(ptcp_nd_build_na(m, &our_mac, our6, unspec, NULL, true), 0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
	icmp = (uint8_t *)(ip + 1);
	CHECK_EQ(ip->dst_addr[15], 1);
	CHECK_EQ(icmp[4], 0x20);
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), 0);

	/* Refused: a solicited NA to a group (rebuilt with S set). */
	icmp[4] = 0x60;
	icmp[2] = icmp[3] = 0;
	{
		uint16_t c = (uint16_t)~ptcp_cksum(icmp, 32,
			ptcp_ipv6_phdr_sum(ip, IPPROTO_ICMPV6, 32));

		memcpy(icmp + 2, &c, 2);
	}
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, nd_bad), 1);
	/* ... a hop limit other than 255 (a router forwarded it) ... */
	rte_pktmbuf_reset(m);
	CHECK_EQ(ptcp_nd_build_ns(m, &peer_mac, peer6, our6, NULL), 0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
	icmp = (uint8_t *)(ip + 1);
	ip->hop_limits = 254;
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, nd_bad), 2);
	ip->hop_limits = 255;
	/* ... an option of length 0 (checksum fixed) ... */
	icmp[25] = 0;
	icmp[2] = icmp[3] = 0;
	{
		uint16_t c = (uint16_t)~ptcp_cksum(icmp, 32,
			ptcp_ipv6_phdr_sum(ip, IPPROTO_ICMPV6, 32));

		memcpy(icmp + 2, &c, 2);
	}
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, nd_bad), 3);
	/* ... and a checksum gone wrong. */
	icmp[25] = 1;
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), -1);
	CHECK_EQ(PTCP_STAT_GET(&st, icmp6_bad_csum), 1);
	rte_pktmbuf_free(m);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

/*
 * An echo request answered in place (checksum right, addresses turned
 * around); a Parameter Problem about a datagram with an unknown upper
 * layer, pointing where ptcp_ipv6_input() said.
 */
static int
icmp6_echo_reply_and_parameter_problem(void)
{
	const uint8_t (*addrs)[16] = &our6;
	struct ptcp_ipv6_if ifc = { .addrs = addrs, .nb_addrs = 1 };
	struct ptcp_stats st = { 0 };
	struct ptcp_icmp6_info in;
	struct rte_mbuf *m = ip6_frame(our6, IPPROTO_ICMPV6, NULL, 0);
	struct rte_mbuf *out = rte_pktmbuf_alloc(pool);
	struct rte_ipv6_hdr *ip;
	uint8_t *icmp, proto;
	int rc;

	CHECK(m != NULL && out != NULL);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14);
	icmp = (uint8_t *)(ip + 1);
	memset(icmp, 0x5a, 20);
	icmp[0] = PTCP_ICMP6_ECHO_REQUEST;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	{
		uint16_t c = (uint16_t)~ptcp_cksum(icmp, 20,
			ptcp_ipv6_phdr_sum(ip, IPPROTO_ICMPV6, 20));

		memcpy(icmp + 2, &c, 2);
	}
	CHECK_EQ(ptcp_ipv6_input(m, &ifc, &st, &proto), 0);
	CHECK_EQ(ptcp_icmp6_input(m, &in, &st), 0);
	CHECK_EQ(in.type, PTCP_ICMP6_ECHO_REQUEST);
	CHECK_EQ(ptcp_icmp6_echo_reply(m, our6, &our_mac, 64), 0);
	CHECK_EQ(icmp[0], PTCP_ICMP6_ECHO_REPLY);
	CHECK(memcmp(ip->dst_addr, peer6, 16) == 0);
	CHECK(memcmp(ip->src_addr, our6, 16) == 0);
	CHECK(icmp6_sum_ok(m));
	rte_pktmbuf_free(m);

	/* UDP: a Parameter Problem, code 1, at the Next Header (6). */
	m = ip6_frame(our6, 17, NULL, 0);
	rc = ptcp_ipv6_input(m, &ifc, &st, &proto);
	CHECK_EQ(PTCP_IPV6_PP_CODE(rc), 1);
	CHECK_EQ(PTCP_IPV6_PP_PTR(rc), 6);
	CHECK_EQ(ptcp_icmp6_param_problem(out, m, our6,
		(uint8_t)PTCP_IPV6_PP_CODE(rc), PTCP_IPV6_PP_PTR(rc), &our_mac,
		64), 0);
	ip = rte_pktmbuf_mtod_offset(out, struct rte_ipv6_hdr *, 14);
	icmp = (uint8_t *)(ip + 1);
	CHECK_EQ(icmp[0], PTCP_ICMP6_PARAM_PROBLEM);
	CHECK_EQ(icmp[1], 1);
	CHECK_EQ(icmp[7], 6);
	CHECK(memcmp(ip->dst_addr, peer6, 16) == 0);
	CHECK_EQ(rte_pktmbuf_pkt_len(out), 14 + 40 + 8 + 40 + 20);
	CHECK(icmp6_sum_ok(out));
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(out);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	return 0;
}

/* The neighbour cache ----------------------------------------------------- */

/* The model: RFC 4861 §7.3's states as plain records, one per host. */
struct nd_model {
	bool present;
	uint8_t state;
	uint8_t mac;                    /* last byte of the address */
	uint8_t tries;
	uint16_t npend;
	uint64_t expire, deadline;
};

#define ND_HOSTS 24

static struct {
	unsigned int multicast[ND_HOSTS], unicast[ND_HOSTS];
} nd_sent;

static void
nd_solicit(void *arg, const uint8_t ip[16],
		const struct rte_ether_addr *unicast_to)
{
	(void)arg;
	if (unicast_to != NULL)
		nd_sent.unicast[ip[15]]++;
	else
		nd_sent.multicast[ip[15]]++;
}

static void
nd_host(uint8_t ip[16], unsigned int h)
{
	memcpy(ip, peer6, 16);
	ip[15] = (uint8_t)h;
}

static void
model_state(const struct ptcp_nd_conf *c, struct nd_model *e, uint8_t st,
		uint64_t now)
{
	e->state = st;
	e->tries = 0;
	if (st == PTCP_ND_REACHABLE)
		e->expire = now + c->reachable_ms;
	else if (st == PTCP_ND_STALE)
		e->deadline = now;
	else if (st == PTCP_ND_DELAY)
		e->expire = now + c->delay_ms;
}

/*
 * The neighbour cache against a model of RFC 4861 §7.2-7.3 on random
 * traffic (fixed seed): packets to send (held or not), NS and NA with
 * every flag combination and address, confirmations from above, and
 * time passing, in a table too small for its 24 hosts. After every step
 * each host's state and address, the entry and held-packet counts, and
 * the solicitations sent (multicast to resolve, unicast to probe) agree.
 */
static int
nd_cache_follows_a_model(void)
{
	const struct ptcp_nd_conf c = { .entries = 12, .reachable_ms = 300,
		.retrans_ms = 20, .retries = 3, .probes = 2, .delay_ms = 50,
		.stale_ms = 400, .pending = 2, .pending_total = 10 };
	void *mem = rte_zmalloc(NULL, ptcp_nd_table_memsize(&c),
		RTE_CACHE_LINE_SIZE);
	struct ptcp_nd_table *t = ptcp_nd_table_init(mem, &c);
	struct nd_model model[ND_HOSTS], *e;
	unsigned int want_mc[ND_HOSTS] = { 0 }, want_uc[ND_HOSTS] = { 0 };
	struct ptcp_stats st = { 0 };
	struct rte_mbuf *released[4];
	unsigned int seed = 4861, step, h, i, used, held;
	uint64_t now = 1000;
	uint8_t ip[16];

	CHECK(t != NULL);
	memset(model, 0, sizeof(model));
	memset(&nd_sent, 0, sizeof(nd_sent));
	for (step = 0; step < 40000; step++) {
		unsigned int op = (unsigned int)rand_r(&seed) % 16;
		struct rte_ether_addr mac = peer_mac, got;

		h = (unsigned int)rand_r(&seed) % ND_HOSTS;
		e = &model[h];
		nd_host(ip, h);
		mac.addr_bytes[5] = (uint8_t)(rand_r(&seed) % 3);
		used = held = 0;
		for (i = 0; i < ND_HOSTS; i++) {
			used += model[i].present;
			held += model[i].npend;
		}
		if (op < 5) {                           /* a packet to send */
			struct rte_mbuf *m = op < 3 ? rte_pktmbuf_alloc(pool) :
				NULL;
			enum ptcp_arp_verdict v, want;

			v = ptcp_nd_resolve(t, ip, now, m, &got);
			if (e->present && e->state != PTCP_ND_INCOMPLETE) {
				if (e->state == PTCP_ND_STALE)
					model_state(&c, e, PTCP_ND_DELAY, now);
				want = PTCP_ARP_HIT;
				CHECK_EQ(got.addr_bytes[5], e->mac);
			} else if (e->present) {
				want = m == NULL ? PTCP_ARP_QUEUED :
					e->npend >= c.pending ?
					PTCP_ARP_QUEUE_FULL :
					held >= c.pending_total ?
					PTCP_ARP_HOLD_CAP : PTCP_ARP_QUEUED;
				if (want == PTCP_ARP_QUEUED && m != NULL)
					e->npend++;
			} else if (used >= c.entries) {
				want = PTCP_ARP_TABLE_FULL;
			} else {
				*e = (struct nd_model){ .present = true,
					.state = PTCP_ND_INCOMPLETE, .tries = 1,
					.expire = now + c.retrans_ms,
					.deadline = now + (uint64_t)c.retrans_ms *
						c.retries };
				want = m != NULL && held >= c.pending_total ?
					PTCP_ARP_NEW_HOLD_CAP :
					PTCP_ARP_QUEUED_NEW;
				if (want == PTCP_ARP_QUEUED_NEW && m != NULL)
					e->npend = 1;
			}
			CHECK_MSG(v == want, "step %u host %u: verdict %d, want "
				"%d", step, h, v, want);
			if (m != NULL && v != PTCP_ARP_QUEUED &&
					v != PTCP_ARP_QUEUED_NEW)
				rte_pktmbuf_free(m);
		} else if (op < 11) {                   /* an NS or an NA */
			enum ptcp_nd_news news = (enum ptcp_nd_news)(op - 6);
			bool no_mac = op == 5 ? false : rand_r(&seed) % 5 == 0;
			bool na, sol, ovr, differs;
			unsigned int n;

			if (op == 5)
				news = PTCP_ND_NEWS_NS;
			na = news != PTCP_ND_NEWS_NS;
			sol = news == PTCP_ND_NEWS_NA_S ||
				news == PTCP_ND_NEWS_NA_SO;
			ovr = news == PTCP_ND_NEWS_NA_O ||
				news == PTCP_ND_NEWS_NA_SO;
			n = ptcp_nd_learn(t, ip, no_mac ? NULL : &mac, now, news,
				released, RTE_DIM(released), &st);
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(released[i]);
			differs = !no_mac && e->present &&
				mac.addr_bytes[5] != e->mac;
			if (!e->present) {
				if (!na && !no_mac && used < c.entries) {
					*e = (struct nd_model){ .present = true,
						.mac = mac.addr_bytes[5] };
					model_state(&c, e, PTCP_ND_STALE, now);
				}
				CHECK_EQ(n, 0);
			} else if (e->state == PTCP_ND_INCOMPLETE) {
				if (!no_mac) {
					CHECK_EQ(n, e->npend);
					e->npend = 0;
					e->mac = mac.addr_bytes[5];
					model_state(&c, e, na && sol ?
						PTCP_ND_REACHABLE :
						PTCP_ND_STALE, now);
				}
			} else if (!na) {
				if (differs) {
					e->mac = mac.addr_bytes[5];
					model_state(&c, e, PTCP_ND_STALE, now);
				}
			} else if (!ovr && differs) {
				if (e->state == PTCP_ND_REACHABLE)
					model_state(&c, e, PTCP_ND_STALE, now);
			} else {
				if (differs)
					e->mac = mac.addr_bytes[5];
				if (sol)
					model_state(&c, e, PTCP_ND_REACHABLE,
						now);
				else if (differs)
					model_state(&c, e, PTCP_ND_STALE, now);
			}
		} else if (op < 12) {                   /* confirmed above */
			ptcp_nd_confirm(t, ip, now);
			if (e->present && e->state != PTCP_ND_INCOMPLETE)
				model_state(&c, e, PTCP_ND_REACHABLE, now);
		} else {                                /* time passes */
			now += (uint64_t)(rand_r(&seed) % 40);
			ptcp_nd_age(t, now, nd_solicit, NULL, &st);
			for (i = 0; i < ND_HOSTS; i++) {
				e = &model[i];
				if (!e->present)
					continue;
				switch (e->state) {
				case PTCP_ND_INCOMPLETE:
					if (now >= e->deadline) {
						e->present = false;
						e->npend = 0;
					} else if (now >= e->expire &&
							e->tries < c.retries) {
						e->tries++;
						e->expire = now + c.retrans_ms;
						want_mc[i]++;
					}
					break;
				case PTCP_ND_REACHABLE:
					if (now >= e->expire)
						model_state(&c, e,
							PTCP_ND_STALE, now);
					break;
				case PTCP_ND_STALE:
					if (now - e->deadline >= c.stale_ms)
						e->present = false;
					break;
				case PTCP_ND_DELAY:
				case PTCP_ND_PROBE:
					if (now < e->expire)
						break;
					if (e->state == PTCP_ND_DELAY) {
						e->state = PTCP_ND_PROBE;
						e->tries = 0;
					}
					if (e->tries >= c.probes) {
						e->present = false;
					} else {
						e->tries++;
						e->expire = now + c.retrans_ms;
						want_uc[i]++;
					}
					break;
				}
			}
		}
		/* Every host agrees with the model. */
		used = held = 0;
		for (i = 0; i < ND_HOSTS; i++) {
			struct rte_ether_addr m6;
			enum ptcp_nd_state s;

			nd_host(ip, i);
			s = ptcp_nd_state_of(t, ip, &m6);
			e = &model[i];
			CHECK_MSG(s == (e->present ? e->state : PTCP_ND_FREE),
				"step %u host %u: state %d, model %d", step, i,
				s, e->present ? e->state : 0);
			if (e->present && e->state != PTCP_ND_INCOMPLETE)
				CHECK_EQ(m6.addr_bytes[5], e->mac);
			CHECK_EQ(nd_sent.multicast[i], want_mc[i]);
			CHECK_EQ(nd_sent.unicast[i], want_uc[i]);
			used += e->present;
			held += e->npend;
		}
		CHECK_EQ(ptcp_nd_count(t), used);
		CHECK_EQ(rte_mempool_in_use_count(pool), held);
	}
	/* Every state and path was taken. */
	CHECK(PTCP_STAT_GET(&st, nd_resolve_timeout) > 0);
	CHECK(PTCP_STAT_GET(&st, nd_expired) > 0);
	CHECK(PTCP_STAT_GET(&st, nd_probe_failed) > 0);
	CHECK(PTCP_STAT_GET(&st, nd_cache_full) > 0);
	ptcp_nd_table_flush(t);
	CHECK_EQ(rte_mempool_in_use_count(pool), 0);
	rte_free(mem);
	return 0;
}

/* ARP cache ------------------------------------------------------------ */

static struct ptcp_arp_table *
arp_table(const struct ptcp_arp_conf *c)
{
	void *mem = rte_zmalloc(NULL, ptcp_arp_table_memsize(c),
		RTE_CACHE_LINE_SIZE);

	return mem == NULL ? NULL : ptcp_arp_table_init(mem, c);
}

static int
arp_cache_survives_churn_against_a_model(void)
{
	/* Small table, many collisions, random learn/expire; a plain array
	 * of expiry times is the model. Fixed seed. */
	const struct ptcp_arp_conf c = { .entries = 64, .timeout_ms = 100,
		.resolve_ms = 50, .retries = 1, .pending = 1 };
	struct ptcp_arp_table *t = arp_table(&c);
	struct ptcp_stats st = { 0 };
	uint64_t model[256] = { 0 };   /* expiry+1 per host, 0 = absent */
	unsigned int seed = 12345, live, i, step;
	struct rte_ether_addr mac = peer_mac;
	uint64_t now = 1;

	CHECK(t != NULL);
	for (step = 0; step < 30000; step++) {
		uint32_t host = (uint32_t)rand_r(&seed) % 256;
		uint32_t ip = rte_cpu_to_be_32(RTE_IPV4(10, 1, 0, 0) | host);

		now += (uint64_t)(rand_r(&seed) % 3);
		if (rand_r(&seed) % 8 == 0) {
			ptcp_arp_age(t, now, NULL, NULL, &st);
			for (i = 0; i < 256; i++)
				if (model[i] != 0 && model[i] - 1 <= now)
					model[i] = 0;
		}
		live = 0;
		for (i = 0; i < 256; i++)
			live += model[i] != 0;
		mac.addr_bytes[5] = (uint8_t)host;
		ptcp_arp_learn(t, ip, &mac, now, true, NULL, 0, &st);
		if (model[host] != 0 || live < c.entries)
			model[host] = now + c.timeout_ms + 1;
		/* Every host agrees with the model. */
		for (i = 0; i < 256; i++) {
			uint32_t hip = rte_cpu_to_be_32(RTE_IPV4(10, 1, 0, 0) | i);
			struct rte_ether_addr got;
			enum ptcp_arp_state s = ptcp_arp_state_of(t, hip);

			CHECK_MSG((s == PTCP_ARP_REACHABLE) == (model[i] != 0),
				"step %u host %u state %d model %" PRIu64,
				step, i, s, model[i]);
			if (s == PTCP_ARP_REACHABLE) {
				CHECK_EQ(ptcp_arp_resolve(t, hip, now, NULL, &got),
					PTCP_ARP_HIT);
				CHECK_EQ(got.addr_bytes[5], i);
			}
		}
	}
	CHECK(PTCP_STAT_GET(&st, arp_expired) > 500);
	CHECK(PTCP_STAT_GET(&st, arp_cache_full) > 0);
	rte_free(t);
	return 0;
}

static int
arp_static_entries_are_fixed(void)
{
	const struct ptcp_arp_conf c = { .entries = 4, .timeout_ms = 10,
		.resolve_ms = 10, .retries = 1, .pending = 1 };
	struct ptcp_arp_table *t = arp_table(&c);
	struct ptcp_stats st = { 0 };
	struct rte_ether_addr got;

	CHECK_EQ(ptcp_arp_add_static(t, PEER, &peer_mac), 0);
	CHECK_EQ(ptcp_arp_add_static(t, PEER, &our_mac), -EEXIST);
	/* An ARP packet cannot move a static entry. */
	ptcp_arp_learn(t, PEER, &our_mac, 1, true, NULL, 0, &st);
	ptcp_arp_age(t, 1000000, NULL, NULL, &st);
	CHECK_EQ(ptcp_arp_resolve(t, PEER, 1000000, NULL, &got), PTCP_ARP_HIT);
	CHECK(rte_is_same_ether_addr(&got, &peer_mac));
	CHECK_EQ(ptcp_arp_add_static(t, OUR, &peer_mac), 0);
	CHECK_EQ(ptcp_arp_add_static(t, RTE_BE32(1), &peer_mac), 0);
	CHECK_EQ(ptcp_arp_add_static(t, RTE_BE32(2), &peer_mac), 0);
	CHECK_EQ(ptcp_arp_add_static(t, RTE_BE32(3), &peer_mac), -ENOSPC);
	rte_free(t);
	return 0;
}

static int
arp_learn_without_create_only_refreshes(void)
{
	const struct ptcp_arp_conf c = { .entries = 4, .timeout_ms = 10,
		.resolve_ms = 10, .retries = 1, .pending = 1 };
	struct ptcp_arp_table *t = arp_table(&c);
	struct ptcp_stats st = { 0 };

	ptcp_arp_learn(t, PEER, &peer_mac, 1, false, NULL, 0, &st);
	CHECK_EQ(ptcp_arp_count(t), 0);
	ptcp_arp_learn(t, PEER, &peer_mac, 1, true, NULL, 0, &st);
	CHECK_EQ(ptcp_arp_count(t), 1);
	/* A refresh moves the expiry. */
	ptcp_arp_learn(t, PEER, &peer_mac, 8, false, NULL, 0, &st);
	ptcp_arp_age(t, 12, NULL, NULL, &st);
	CHECK_EQ(ptcp_arp_state_of(t, PEER), PTCP_ARP_REACHABLE);
	ptcp_arp_age(t, 18, NULL, NULL, &st);
	CHECK_EQ(ptcp_arp_state_of(t, PEER), PTCP_ARP_FREE);
	rte_free(t);
	return 0;
}

/*
 * Next hops that never answer must not pin the pool: what all entries hold
 * together is capped ([arp] pending_total); an entry is still made (the
 * request goes out) when only its packet cannot be held.
 */
static int
arp_held_packets_are_capped_across_entries(void)
{
	const struct ptcp_arp_conf c = { .entries = 16, .timeout_ms = 10,
		.resolve_ms = 10, .retries = 1, .pending = 2,
		.pending_total = 3 };
	struct ptcp_arp_table *t = arp_table(&c);
	struct ptcp_stats st = { 0 };
	struct rte_ether_addr got;
	struct rte_mbuf *m[6], *rel[4];
	unsigned int i, base = rte_mempool_in_use_count(pool), n;

	for (i = 0; i < 6; i++)
		CHECK((m[i] = rte_pktmbuf_alloc(pool)) != NULL);
	CHECK_EQ(ptcp_arp_resolve(t, RTE_BE32(1), 0, m[0], &got),
		PTCP_ARP_QUEUED_NEW);
	CHECK_EQ(ptcp_arp_resolve(t, RTE_BE32(1), 0, m[1], &got),
		PTCP_ARP_QUEUED);
	CHECK_EQ(ptcp_arp_resolve(t, RTE_BE32(2), 0, m[2], &got),
		PTCP_ARP_QUEUED_NEW);
	/* Three held: the fourth is refused, a new hop gets its entry only. */
	CHECK_EQ(ptcp_arp_resolve(t, RTE_BE32(2), 0, m[3], &got),
		PTCP_ARP_HOLD_CAP);
	CHECK_EQ(ptcp_arp_resolve(t, RTE_BE32(3), 0, m[4], &got),
		PTCP_ARP_NEW_HOLD_CAP);
	CHECK_EQ(ptcp_arp_state_of(t, RTE_BE32(3)), PTCP_ARP_INCOMPLETE);
	rte_pktmbuf_free(m[3]);
	rte_pktmbuf_free(m[4]);
	/* A reply releases two: room for one more. */
	n = ptcp_arp_learn(t, RTE_BE32(1), &peer_mac, 1, true, rel,
		RTE_DIM(rel), &st);
	CHECK_EQ(n, 2);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(rel[i]);
	CHECK_EQ(ptcp_arp_resolve(t, RTE_BE32(3), 1, m[5], &got),
		PTCP_ARP_QUEUED);
	/* The rest go when their entries time out. */
	ptcp_arp_age(t, 1000, NULL, NULL, &st);
	CHECK_EQ(rte_mempool_in_use_count(pool), base);
	rte_free(t);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(ipv4_checksum_known_answer),
	TEST(cksum_equals_rte_raw_cksum_on_random_bytes),
	TEST(eth_classify_accepts_ours_and_broadcast),
	TEST(ipv4_input_trims_padding_and_accepts_options),
	TEST(ipv4_input_rejects_header_split_across_segments),
	TEST(arp_build_parse_round_trip),
	TEST(icmp_reply_built_in_place_with_valid_checksums),
	TEST(ipv4_input_checks_every_option_shape),
	TEST(icmp_param_problem_points_at_the_octet),
	TEST(ipv6_input_walks_every_header_chain),
	TEST(ipv6_input_checks_the_fixed_header),
	TEST(ipv6_pseudo_header_matches_dpdk),
	TEST(nd_messages_built_read_back_and_refused),
	TEST(icmp6_echo_reply_and_parameter_problem),
	TEST(nd_cache_follows_a_model),
	TEST(arp_cache_survives_churn_against_a_model),
	TEST(arp_static_entries_are_fixed),
	TEST(arp_learn_without_create_only_refreshes),
	TEST(arp_held_packets_are_capped_across_entries),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	const char *eal[] = { argv[0], "--no-huge", "-m", "128", "--no-shconf",
		"--no-pci", "-l", "0", "--log-level=warning", "--no-telemetry" };
	int ret;

	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("unit_pool", 255, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	ret = ptcp_test_run(tests, argc, argv);
	if (rte_mempool_in_use_count(pool) != 0) {
		fprintf(stderr, "unit_pool: %u mbufs still in use\n",
			rte_mempool_in_use_count(pool));
		ret = 1;
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
