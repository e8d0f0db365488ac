/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: Ethernet, ARP, IPv4 and ICMP through a real engine on net_ring
 * ports. Every test ends by checking that the engine's pools and the test's
 * own pool are back where they started.
 */
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "harness.h"
#include "ptcp_test.h"

#define OUR_IP   RTE_IPV4(10, 98, 0, 1)
#define PEER_IP  RTE_IPV4(10, 98, 0, 9)
#define OTHER_IP RTE_IPV4(10, 98, 0, 77)

static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr bcast_mac = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static int
gratuitous_arp_sent_at_start(void)
{
	struct harness h;
	struct rte_mbuf *m[4];
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	unsigned int n;

	CHECK(h_setup(&h, 1, false, NULL, 0) == 0);
	n = h_collect(&h, 0, m, RTE_DIM(m));
	CHECK_EQ(n, 1);
	m[0]->l2_len = sizeof(struct rte_ether_hdr);
	CHECK(ptcp_arp_parse(m[0], &a, &st) == 0);
	CHECK_EQ(a.op, RTE_ARP_OP_REQUEST);
	CHECK_EQ(a.sip, rte_cpu_to_be_32(OUR_IP));
	CHECK_EQ(a.tip, rte_cpu_to_be_32(OUR_IP));
	CHECK(rte_is_broadcast_ether_addr(
		&rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *)->dst_addr));
	rte_pktmbuf_free_bulk(m, n);
	CHECK_EQ(H_STAT(&h, arp_gratuitous_tx), 1);
	return h_end_clean(&h);
}

static int
arp_request_for_us_gets_reply(void)
{
	struct harness h;
	struct rte_mbuf *m[4];
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	const struct rte_ether_hdr *eh;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	h_inject(&h, 0, h_arp(&h, RTE_ARP_OP_REQUEST, &bcast_mac, &h_peer_mac,
		PEER_IP, &zero_mac, OUR_IP));
	CHECK_EQ(h_poll(&h, 1), 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	eh = rte_pktmbuf_mtod(m[0], const struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &h_peer_mac));
	CHECK(rte_is_same_ether_addr(&eh->src_addr, h_mac(&h, 0)));
	m[0]->l2_len = sizeof(*eh);
	CHECK(ptcp_arp_parse(m[0], &a, &st) == 0);
	CHECK_EQ(a.op, RTE_ARP_OP_REPLY);
	CHECK(rte_is_same_ether_addr(&a.sha, h_mac(&h, 0)));
	CHECK_EQ(a.sip, rte_cpu_to_be_32(OUR_IP));
	CHECK(rte_is_same_ether_addr(&a.tha, &h_peer_mac));
	CHECK_EQ(a.tip, rte_cpu_to_be_32(PEER_IP));
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(H_STAT(&h, arp_req_rx), 1);
	/* RFC 826: the requester was learnt. */
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[0].arp, rte_cpu_to_be_32(PEER_IP)),
		PTCP_ARP_REACHABLE);
	return h_end_clean(&h);
}

static int
arp_request_for_other_not_answered_nor_learnt(void)
{
	struct harness h;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	h_inject(&h, 0, h_arp(&h, RTE_ARP_OP_REQUEST, &bcast_mac, &h_peer_mac,
		PEER_IP, &zero_mac, OTHER_IP));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, arp_not_for_us), 1);
	CHECK_EQ(ptcp_arp_count(h.lc->ifs[0].arp), 0);
	return h_end_clean(&h);
}

static int
malformed_arp_dropped_and_counted(void)
{
	struct harness h;
	struct rte_mbuf *m;
	struct rte_arp_hdr *a;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	/* Wrong hardware length. */
	m = h_arp(&h, RTE_ARP_OP_REQUEST, &bcast_mac, &h_peer_mac, PEER_IP,
		&zero_mac, OUR_IP);
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
		sizeof(struct rte_ether_hdr));
	a->arp_hlen = 8;
	h_inject(&h, 0, m);
	/* Truncated: header cut short. */
	m = h_arp(&h, RTE_ARP_OP_REQUEST, &bcast_mac, &h_peer_mac, PEER_IP,
		&zero_mac, OUR_IP);
	rte_pktmbuf_trim(m, 10);
	h_inject(&h, 0, m);
	/* Unknown opcode. */
	m = h_arp(&h, 9, &bcast_mac, &h_peer_mac, PEER_IP, &zero_mac, OUR_IP);
	h_inject(&h, 0, m);
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, arp_bad), 3);
	return h_end_clean(&h);
}

static int
icmp_echo_gets_reply(void)
{
	struct harness h;
	struct rte_mbuf *m[4];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_icmp_hdr *icmp;
	const uint8_t *payload;
	uint16_t i;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 0x1234,
		7, 100));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	eh = rte_pktmbuf_mtod(m[0], const struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &h_peer_mac));
	CHECK(rte_is_same_ether_addr(&eh->src_addr, h_mac(&h, 0)));
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	CHECK_EQ(ip->src_addr, rte_cpu_to_be_32(OUR_IP));
	CHECK_EQ(ip->dst_addr, rte_cpu_to_be_32(PEER_IP));
	CHECK_EQ(ip->time_to_live, 64);
	/* Checksums: filled in software or flagged for the NIC. */
	if (!(m[0]->ol_flags & RTE_MBUF_F_TX_IP_CKSUM))
		CHECK_EQ(rte_ipv4_cksum(ip), 0);
	icmp = (const struct rte_icmp_hdr *)(ip + 1);
	CHECK_EQ(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CHECK_EQ(rte_be_to_cpu_16(icmp->icmp_ident), 0x1234);
	CHECK_EQ(rte_be_to_cpu_16(icmp->icmp_seq_nb), 7);
	CHECK_EQ(rte_raw_cksum(icmp, sizeof(*icmp) + 100), 0xffff);
	payload = (const uint8_t *)(icmp + 1);
	for (i = 0; i < 100; i++)
		CHECK_EQ(payload[i], (uint8_t)(i * 7 + 1));
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 1);
	return h_end_clean(&h);
}

static int
ttl_on_output_from_config(void)
{
	static const char *const sets[] = { "ip.ttl=17" };
	struct harness h;
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;

	CHECK(h_setup1(&h, sets, 1) == 0);
	h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 8));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, &m, 1), 1);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
		sizeof(struct rte_ether_hdr));
	CHECK_EQ(ip->time_to_live, 17);
	rte_pktmbuf_free(m);
	return h_end_clean(&h);
}

/* An echo request whose IPv4 header is then damaged by @damage. */
typedef void (*damage_fn)(struct rte_mbuf *m, struct rte_ipv4_hdr *ip);

static void
bad_csum(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->hdr_checksum ^= 0x0101;
}

static void
fragment(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
later_fragment(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->fragment_offset = RTE_BE16(185);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
foreign_dst(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->dst_addr = rte_cpu_to_be_32(OTHER_IP);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
truncated(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)ip;
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) -
		(uint32_t)sizeof(struct rte_ether_hdr) - 12);
}

static void
version6(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->version_ihl = 0x65;
}

static void
ihl_too_small(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->version_ihl = 0x44;
}

static void
total_len_beyond_frame(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->total_length = rte_cpu_to_be_16(1400);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
broadcast_src(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->src_addr = RTE_BE32(UINT32_MAX);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
udp_proto(struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	(void)m;
	ip->next_proto_id = IPPROTO_UDP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static int
check_dropped(damage_fn damage, enum ptcp_stat_id id, const char *what)
{
	struct harness h;
	struct rte_mbuf *m;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 32);
	damage(m, rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
		sizeof(struct rte_ether_hdr)));
	h_inject(&h, 0, m);
	h_poll(&h, 1);
	CHECK_MSG(h_drain(&h, 0) == 0, "%s was answered", what);
	CHECK_MSG(h_stat(&h, id) == 1, "%s: counter %s is %" PRIu64, what,
		ptcp_stat_name(id), h_stat(&h, id));
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 0);
	return h_end_clean(&h);
}

static int
bad_ip_checksum_dropped_and_counted(void)
{
	return check_dropped(bad_csum, PTCP_STAT_rx_bad_ip_csum, "bad csum");
}

static int
ip_fragments_dropped_and_counted(void)
{
	CHECK(check_dropped(fragment, PTCP_STAT_rx_ip_frag, "MF") == 0);
	return check_dropped(later_fragment, PTCP_STAT_rx_ip_frag, "offset");
}

static int
foreign_destination_dropped_and_counted(void)
{
	return check_dropped(foreign_dst, PTCP_STAT_rx_not_for_us, "foreign");
}

static int
truncated_ip_header_dropped_and_counted(void)
{
	return check_dropped(truncated, PTCP_STAT_rx_ip_short, "truncated");
}

static int
bad_version_ihl_length_dropped_and_counted(void)
{
	CHECK(check_dropped(version6, PTCP_STAT_rx_ip_version, "v6") == 0);
	CHECK(check_dropped(ihl_too_small, PTCP_STAT_rx_ip_bad_ihl, "ihl") == 0);
	return check_dropped(total_len_beyond_frame, PTCP_STAT_rx_ip_bad_len,
		"len");
}

static int
bad_source_and_protocol_dropped_and_counted(void)
{
	CHECK(check_dropped(broadcast_src, PTCP_STAT_rx_ip_bad_src, "src") == 0);
	return check_dropped(udp_proto, PTCP_STAT_rx_ip_proto, "udp");
}

/*
 * An echo request (seq @seq) to us carrying the 4 bytes of IPv4 options
 * @opt: the header grows to IHL 6.
 */
static struct rte_mbuf *
echo_with_options(struct harness *h, const uint8_t opt[4], uint16_t seq)
{
	struct rte_mbuf *e = h_icmp_echo(h, h_mac(h, 0), PEER_IP, OUR_IP, 9,
		seq, 32);
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	const uint32_t hl = sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr);
	uint32_t len;
	uint8_t *p;
	struct rte_ipv4_hdr *ip;

	if (e == NULL || m == NULL)
		goto fail;
	len = rte_pktmbuf_pkt_len(e);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len + 4));
	if (p == NULL)
		goto fail;
	memcpy(p, rte_pktmbuf_mtod(e, const uint8_t *), hl);
	memcpy(p + hl, opt, 4);
	memcpy(p + hl + 4, rte_pktmbuf_mtod_offset(e, const uint8_t *, hl),
		len - hl);
	ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
	ip->version_ihl = 0x46;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len + 4 -
		sizeof(struct rte_ether_hdr)));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~ptcp_cksum(ip, 24, 0);
	rte_pktmbuf_free(e);
	return m;
fail:
	rte_pktmbuf_free(e);
	rte_pktmbuf_free(m);
	return NULL;
}

/*
 * RFC 1122 §3.2.1.8 through the engine: a datagram whose options are
 * malformed is dropped (no echo reply) and answered with an ICMP Parameter
 * Problem pointing at the bad octet, at most [ip] icmp_error_limit per
 * second; a source route is dropped without a word; well-formed options
 * ptcp does not act on do not stop the echo.
 */
static int
ip_options_malformed_get_parameter_problem_within_budget(void)
{
	static const uint8_t bad[4] = { 148, 8, 0, 0 };    /* past the end */
	static const uint8_t lsrr[4] = { 131, 3, 4, 0 };
	static const uint8_t alert[4] = { 148, 4, 0, 0 };
	static const char *const sets[] = { "ip.icmp_error_limit=3" };
	struct harness h;
	struct rte_mbuf *m[8];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *icmp;
	unsigned int i, n;

	CHECK(h_setup1(&h, sets, RTE_DIM(sets)) == 0);
	for (i = 0; i < 5; i++)
		h_inject(&h, 0, echo_with_options(&h, bad, (uint16_t)i));
	h_poll(&h, 1);
	n = h_collect(&h, 0, m, RTE_DIM(m));
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		eh = rte_pktmbuf_mtod(m[i], const struct rte_ether_hdr *);
		ip = (const struct rte_ipv4_hdr *)(eh + 1);
		icmp = (const uint8_t *)(ip + 1);
		CHECK(rte_is_same_ether_addr(&eh->dst_addr, &h_peer_mac));
		CHECK_EQ(ip->dst_addr, rte_cpu_to_be_32(PEER_IP));
		CHECK_EQ(ip->src_addr, rte_cpu_to_be_32(OUR_IP));
		CHECK_EQ(ip->next_proto_id, IPPROTO_ICMP);
		CHECK_EQ(icmp[0], 12);          /* Parameter Problem */
		CHECK_EQ(icmp[1], 0);
		CHECK_EQ(icmp[4], 20);          /* the option's type octet */
		/* It quotes the offending header, options and all. */
		CHECK_EQ(icmp[8], 0x46);
		CHECK_EQ(icmp[8 + 20], 148);
		rte_pktmbuf_free(m[i]);
	}
	CHECK_EQ(H_STAT(&h, rx_ip_opt_len), 5);
	CHECK_EQ(H_STAT(&h, icmp_param_prob_tx), 3);
	CHECK_EQ(H_STAT(&h, icmp_error_limited), 2);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 0);

	/* The next second has a budget again. */
	h_inject(&h, 0, echo_with_options(&h, bad, 9));
	h_poll(&h, 1000);
	CHECK_EQ(h_drain(&h, 0), 1);
	CHECK_EQ(H_STAT(&h, icmp_param_prob_tx), 4);

	/* A source route: dropped, not answered. */
	h_inject(&h, 0, echo_with_options(&h, lsrr, 10));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_ip_srcroute), 1);

	/* Router alert: well formed, not acted upon, the echo answered. */
	h_inject(&h, 0, echo_with_options(&h, alert, 11));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	eh = rte_pktmbuf_mtod(m[0], const struct rte_ether_hdr *);
	icmp = (const uint8_t *)eh + sizeof(*eh) + 24;
	CHECK_EQ(icmp[0], RTE_IP_ICMP_ECHO_REPLY);
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 1);
	return h_end_clean(&h);
}

static int
non_ip_vlan_runt_foreign_mac_dropped_and_counted(void)
{
	static const struct rte_ether_addr other = {
		.addr_bytes = { 0x02, 0, 0, 0, 0xbb, 0xbb } };
	struct harness h;
	struct rte_mbuf *m;
	struct rte_ether_hdr *eh;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 8);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	h_inject(&h, 0, m);
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 8);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_QINQ);
	h_inject(&h, 0, m);
	m = h_icmp_echo(&h, &other, PEER_IP, OUR_IP, 1, 1, 8);
	h_inject(&h, 0, m);
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 8);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 10);
	h_inject(&h, 0, m);
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_not_ip_arp), 1);
	CHECK_EQ(H_STAT(&h, rx_vlan), 1);
	CHECK_EQ(H_STAT(&h, rx_not_our_mac), 1);
	CHECK_EQ(H_STAT(&h, rx_runt), 1);
	(void)eh;
	return h_end_clean(&h);
}

/* The ICMP sequence number of an echo reply. */
static uint16_t
echo_reply_seq(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	const struct rte_icmp_hdr *icmp = (const struct rte_icmp_hdr *)(ip + 1);

	return rte_be_to_cpu_16(icmp->icmp_seq_nb);
}

/*
 * Frames the port refuses wait in the TX backlog and leave, oldest first,
 * before anything newer; only what finds the backlog full is dropped.
 */
static int
tx_backlog_holds_refused_frames_in_order_up_to_its_bound(void)
{
	static const char *const sets[] = { "lcores.tx_backlog=32" };
	static struct h_tx_gate g;
	struct harness h;
	struct rte_mbuf *m[128];
	unsigned int i, n, got;
	uint64_t tx0;

	CHECK(h_setup1(&h, sets, RTE_DIM(sets)) == 0);
	CHECK_EQ(h_tx_gate_attach(&g, h.port_id[0]), 0);
	g.on = true;
	g.take = 0;
	tx0 = H_STAT(&h, tx_pkts);   /* the gratuitous ARP */

	/* 100 echo requests while the port takes nothing: 32 held. */
	for (i = 0; i < 100; i++)
		h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP,
			1, (uint16_t)i, 8));
	for (i = 0; i < 8; i++)
		h_poll(&h, 1);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 100);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 0);
	CHECK_EQ(h.lc->ifs[0].txq.bl_n, 32);
	CHECK_EQ(H_STAT(&h, tx_backlog_held), 32);
	CHECK_EQ(H_STAT(&h, tx_drop_full), 68);
	CHECK_EQ(H_STAT(&h, tx_backlog_sent), 0);
	CHECK_EQ(H_STAT(&h, tx_pkts), tx0);

	/* The port takes again: the 32 leave, the oldest first. */
	g.on = false;
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 32);
	for (i = 0; i < 32; i++) {
		CHECK_EQ(echo_reply_seq(m[i]), i);
		rte_pktmbuf_free(m[i]);
	}
	CHECK_EQ(H_STAT(&h, tx_backlog_sent), 32);
	CHECK_EQ(H_STAT(&h, tx_pkts), tx0 + 32);
	CHECK_EQ(h.lc->ifs[0].txq.bl_n, 0);

	/*
	 * A slow port (3 frames a call) while requests keep coming, 10 a
	 * pass: nothing is dropped, nothing newer overtakes a held frame.
	 */
	g.on = true;
	g.take = 3;
	for (got = 0, i = 0; i < 100 && got < 30; i++) {
		if (i < 3)
			for (n = 0; n < 10; n++)
				h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0),
					PEER_IP, OUR_IP, 1,
					(uint16_t)(1000 + i * 10 + n), 8));
		h_poll(&h, 1);
		CHECK(h.lc->ifs[0].txq.bl_n <= 32);
		n = h_collect(&h, 0, m, RTE_DIM(m));
		CHECK(n <= 3);
		for (unsigned int k = 0; k < n; k++, got++) {
			CHECK_EQ(echo_reply_seq(m[k]), 1000 + got);
			rte_pktmbuf_free(m[k]);
		}
	}
	CHECK_EQ(got, 30);
	CHECK_EQ(H_STAT(&h, tx_drop_full), 68);
	CHECK_EQ(H_STAT(&h, tx_backlog_held), H_STAT(&h, tx_backlog_sent));
	CHECK(H_STAT(&h, tx_backlog_held) > 32);
	h_tx_gate_detach(&g);
	return h_end_clean(&h);
}

/*
 * The engine's millisecond clock is exact however long it has run: at
 * 1, 71, 72, 200 and 400 days of TSC after start (the plain
 * (tsc - start) * 1000 / hz wrapped near 71 days of a 3 GHz TSC), and
 * the loop still answers a ping there.
 */
static int
engine_clock_exact_past_the_wrap_points(void)
{
	static const uint64_t days[] = { 1, 71, 72, 200, 400 };
	struct harness h;
	struct rte_mbuf *m[4];
	uint64_t tsc = 0, hz;
	unsigned int i;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	hz = h.e->tsc_hz;
	for (i = 0; i < RTE_DIM(days); i++) {
		tsc = h.e->start_tsc + (uint64_t)((unsigned __int128)days[i] *
			86400 * hz);
		ptcp_lcore_poll_at(h.lc, tsc);
		CHECK_EQ(h.lc->now_ms, days[i] * 86400 * 1000);
		CHECK_EQ(h.lc->now_tsc, tsc);
	}
	/* half a millisecond later: still the same millisecond */
	ptcp_lcore_poll_at(h.lc, tsc + hz / 2000);
	CHECK_EQ(h.lc->now_ms, days[RTE_DIM(days) - 1] * 86400 * 1000);
	h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1,
		8));
	ptcp_lcore_poll_at(h.lc, tsc + hz / 1000);
	CHECK_EQ(h.lc->now_ms, days[RTE_DIM(days) - 1] * 86400 * 1000 + 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 1);
	return h_end_clean(&h);
}

static int
icmp_bad_checksum_and_other_types_not_answered(void)
{
	struct harness h;
	struct rte_mbuf *m;
	struct rte_icmp_hdr *icmp;
	const uint32_t off = sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr);

	CHECK(h_setup1(&h, NULL, 0) == 0);
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 8);
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, off);
	icmp->icmp_cksum ^= 0x00ff;
	h_inject(&h, 0, m);
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 1, 8);
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, off);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + 8);
	h_inject(&h, 0, m);
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, icmp_bad_csum), 1);
	CHECK_EQ(H_STAT(&h, icmp_other), 1);
	return h_end_clean(&h);
}

/* A datagram built by the test and sent through ptcp_ip_output(). */
static struct rte_mbuf *
ip_datagram(struct harness *h, uint32_t dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->lc->pool);
	struct rte_ipv4_hdr *ip;

	if (m == NULL)
		return NULL;
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, sizeof(*ip) + 20);
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(ip + 1, 0x5a, 20);
	ptcp_ipv4_fill(ip, rte_cpu_to_be_32(OUR_IP), rte_cpu_to_be_32(dst),
		253, 20, 64, 1, false);
	return m;
}

static int
ip_output_resolves_next_hop_then_sends_held_packets(void)
{
	struct harness h;
	struct rte_mbuf *m[8];
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	unsigned int n, i;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	h_poll(&h, 1);
	ptcp_ip_output(h.lc, 0, ip_datagram(&h, PEER_IP));
	ptcp_ip_output(h.lc, 0, ip_datagram(&h, PEER_IP));
	h_poll(&h, 1);
	/* One request for two held packets. */
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	m[0]->l2_len = sizeof(struct rte_ether_hdr);
	CHECK(ptcp_arp_parse(m[0], &a, &st) == 0);
	CHECK_EQ(a.op, RTE_ARP_OP_REQUEST);
	CHECK_EQ(a.tip, rte_cpu_to_be_32(PEER_IP));
	rte_pktmbuf_free(m[0]);
	CHECK_EQ(H_STAT(&h, arp_req_tx), 1);

	h_inject(&h, 0, h_arp(&h, RTE_ARP_OP_REPLY, h_mac(&h, 0), &h_peer_mac,
		PEER_IP, h_mac(&h, 0), OUR_IP));
	h_poll(&h, 1);
	n = h_collect(&h, 0, m, RTE_DIM(m));
	CHECK_EQ(n, 2);
	for (i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m[i], const struct rte_ether_hdr *);

		CHECK(rte_is_same_ether_addr(&eh->dst_addr, &h_peer_mac));
		CHECK_EQ(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
		CHECK_EQ(rte_pktmbuf_pkt_len(m[i]), 14 + 20 + 20);
	}
	rte_pktmbuf_free_bulk(m, n);
	/* Now cached: the next one goes straight out. */
	ptcp_ip_output(h.lc, 0, ip_datagram(&h, PEER_IP));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 1);
	return h_end_clean(&h);
}

static int
arp_waiting_queue_full_drops_and_counts(void)
{
	static const char *const sets[] = { "arp.pending=3" };
	struct harness h;
	int i;

	CHECK(h_setup1(&h, sets, 1) == 0);
	for (i = 0; i < 5; i++)
		ptcp_ip_output(h.lc, 0, ip_datagram(&h, PEER_IP));
	CHECK_EQ(H_STAT(&h, arp_queue_full), 2);
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 1);   /* the request */
	/* The three held ones are still waiting, then time out. */
	CHECK_EQ(h_engine_mbufs_leaked(&h), 3);
	h_poll(&h, 5000);
	CHECK_EQ(H_STAT(&h, arp_resolve_timeout), 3);
	return h_end_clean(&h);
}

static int
arp_resolution_retries_then_times_out_and_frees(void)
{
	static const char *const sets[] = {
		"arp.resolve_ms=1000", "arp.retries=4" };
	struct harness h;
	int i;

	CHECK(h_setup1(&h, sets, 2) == 0);
	for (i = 0; i < 3; i++)
		ptcp_ip_output(h.lc, 0, ip_datagram(&h, PEER_IP));
	/* Walk 1.2 s in 50 ms steps: 4 requests in all, then give up. */
	for (i = 0; i < 24; i++)
		h_poll(&h, 50);
	CHECK_EQ(H_STAT(&h, arp_req_tx), 4);
	CHECK_EQ(h_drain(&h, 0), 4);
	CHECK_EQ(H_STAT(&h, arp_resolve_timeout), 3);
	CHECK_EQ(ptcp_arp_count(h.lc->ifs[0].arp), 0);
	return h_end_clean(&h);
}

static int
arp_entry_ages_out(void)
{
	static const char *const sets[] = { "arp.timeout=2" };
	struct harness h;
	uint32_t peer = rte_cpu_to_be_32(PEER_IP);

	CHECK(h_setup1(&h, sets, 1) == 0);
	h_inject(&h, 0, h_arp(&h, RTE_ARP_OP_REQUEST, &bcast_mac, &h_peer_mac,
		PEER_IP, &zero_mac, OUR_IP));
	h_poll(&h, 1);
	h_drain(&h, 0);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[0].arp, peer), PTCP_ARP_REACHABLE);
	h_poll(&h, 1900);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[0].arp, peer), PTCP_ARP_REACHABLE);
	h_poll(&h, 200);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[0].arp, peer), PTCP_ARP_FREE);
	CHECK_EQ(H_STAT(&h, arp_expired), 1);
	return h_end_clean(&h);
}

static int
static_arp_entry_used_and_never_ages(void)
{
	static const char *const sets[] = {
		"arp.static.10.98.0.9=02:00:00:00:aa:01", "arp.timeout=1" };
	struct harness h;

	CHECK(h_setup1(&h, sets, 2) == 0);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[0].arp, rte_cpu_to_be_32(PEER_IP)),
		PTCP_ARP_STATIC);
	h_poll(&h, 5000);
	ptcp_ip_output(h.lc, 0, ip_datagram(&h, PEER_IP));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 1);
	CHECK_EQ(H_STAT(&h, arp_req_tx), 0);
	return h_end_clean(&h);
}

static int
off_link_without_gateway_dropped_and_counted(void)
{
	struct harness h;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	ptcp_ip_output(h.lc, 0, ip_datagram(&h, RTE_IPV4(192u, 0, 2, 1)));
	CHECK_EQ(H_STAT(&h, arp_no_route), 1);
	return h_end_clean(&h);
}

static int
two_ports_resolve_each_other_and_ping(void)
{
	struct harness h;
	struct ptcp_lcore *lc;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	int i;

	CHECK(h_setup(&h, 2, true, NULL, 0) == 0);
	lc = h.lc;
	/* port0 sends an echo request to port1's address. */
	m = rte_pktmbuf_alloc(lc->pool);
	CHECK(m != NULL);
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m,
		sizeof(*ip) + sizeof(*icmp));
	CHECK(ip != NULL);
	ptcp_ipv4_fill(ip, rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 1)),
		rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 2)), IPPROTO_ICMP,
		sizeof(*icmp), 64, 9, false);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(icmp, 0, sizeof(*icmp));
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp));
	ptcp_ip_output(lc, 0, m);
	for (i = 0; i < 5; i++)
		h_poll(&h, 1);
	/* ARP both ways, the echo answered by port1, the reply seen. */
	CHECK_EQ(H_STAT(&h, arp_req_tx), 1);
	CHECK_EQ(H_STAT(&h, arp_reply_rx), 1);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 1);
	CHECK_EQ(H_STAT(&h, icmp_other), 1);  /* the reply at port0 */
	CHECK_EQ(ptcp_arp_state_of(lc->ifs[0].arp,
		rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 2))), PTCP_ARP_REACHABLE);
	CHECK_EQ(h_engine_mbufs_leaked(&h), 0);
	h_teardown(&h);
	return 0;
}

static int
extra_addresses_answer_arp_and_ping_and_are_announced(void)
{
	static const char *const sets[] = {
		"port0.extra_addresses=10.98.0.20-10.98.0.21" };
	struct harness h;
	struct rte_mbuf *m[8];
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	const struct rte_ipv4_hdr *ip;
	unsigned int n, i, announced = 0;

	CHECK(h_setup(&h, 1, false, sets, 1) == 0);
	/* A gratuitous ARP for each address at start. */
	n = h_collect(&h, 0, m, RTE_DIM(m));
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		m[i]->l2_len = sizeof(struct rte_ether_hdr);
		CHECK(ptcp_arp_parse(m[i], &a, &st) == 0);
		CHECK_EQ(a.sip, a.tip);
		announced += a.sip == rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 21));
	}
	rte_pktmbuf_free_bulk(m, n);
	CHECK_EQ(announced, 1);
	/* ARP for an extra address: answered from that address. */
	h_inject(&h, 0, h_arp(&h, RTE_ARP_OP_REQUEST, &bcast_mac, &h_peer_mac,
		PEER_IP, &zero_mac, RTE_IPV4(10, 98, 0, 21)));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, 1), 1);
	m[0]->l2_len = sizeof(struct rte_ether_hdr);
	CHECK(ptcp_arp_parse(m[0], &a, &st) == 0);
	CHECK_EQ(a.op, RTE_ARP_OP_REPLY);
	CHECK_EQ(a.sip, rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 21)));
	rte_pktmbuf_free(m[0]);
	/* ping it: the reply comes from it. */
	h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0), PEER_IP,
		RTE_IPV4(10, 98, 0, 20), 1, 1, 8));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, 1), 1);
	ip = rte_pktmbuf_mtod_offset(m[0], const struct rte_ipv4_hdr *,
		sizeof(struct rte_ether_hdr));
	CHECK_EQ(ip->src_addr, rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 20)));
	rte_pktmbuf_free(m[0]);
	/* Not ours: still dropped. */
	h_inject(&h, 0, h_icmp_echo(&h, h_mac(&h, 0), PEER_IP,
		RTE_IPV4(10, 98, 0, 22), 1, 1, 8));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_not_for_us), 1);
	return h_end_clean(&h);
}

static const struct ptcp_test tests[] = {
	TEST(gratuitous_arp_sent_at_start),
	TEST(arp_request_for_us_gets_reply),
	TEST(arp_request_for_other_not_answered_nor_learnt),
	TEST(malformed_arp_dropped_and_counted),
	TEST(icmp_echo_gets_reply),
	TEST(ttl_on_output_from_config),
	TEST(bad_ip_checksum_dropped_and_counted),
	TEST(ip_fragments_dropped_and_counted),
	TEST(foreign_destination_dropped_and_counted),
	TEST(truncated_ip_header_dropped_and_counted),
	TEST(bad_version_ihl_length_dropped_and_counted),
	TEST(bad_source_and_protocol_dropped_and_counted),
	TEST(ip_options_malformed_get_parameter_problem_within_budget),
	TEST(non_ip_vlan_runt_foreign_mac_dropped_and_counted),
	TEST(icmp_bad_checksum_and_other_types_not_answered),
	TEST(tx_backlog_holds_refused_frames_in_order_up_to_its_bound),
	TEST(engine_clock_exact_past_the_wrap_points),
	TEST(ip_output_resolves_next_hop_then_sends_held_packets),
	TEST(arp_waiting_queue_full_drops_and_counts),
	TEST(arp_resolution_retries_then_times_out_and_frees),
	TEST(arp_entry_ages_out),
	TEST(static_arp_entry_used_and_never_ages),
	TEST(off_link_without_gateway_dropped_and_counted),
	TEST(two_ports_resolve_each_other_and_ping),
	TEST(extra_addresses_answer_arp_and_ping_and_are_announced),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, h_after_test);
}
