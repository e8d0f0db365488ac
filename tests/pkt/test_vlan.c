/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: 802.1Q VLANs ([vlanN]) through a real engine on net_ring
 * ports. A VLAN is an interface of its own: ARP, ICMP and TCP on it are
 * answered with its tag, from its addresses, with its ARP cache; frames
 * of VLANs the port does not carry are dropped and counted; untagged
 * frames keep working on the port's own interface. net_ring offers no
 * VLAN offload, so the tags are written and stripped in software here;
 * the offload paths are pinned by setting the flags a NIC would.
 */
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "harness.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"

#define OUR_IP   RTE_IPV4(10, 98, 0, 1)
#define PEER_IP  RTE_IPV4(10, 98, 0, 9)
#define V100_IP  RTE_IPV4(10, 98, 100, 1)
#define V100_PEER RTE_IPV4(10, 98, 100, 9)
#define V200_IP  RTE_IPV4(10, 98, 200, 1)
#define SRV_PORT 8080

static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr bcast_mac = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/* VLAN 100 (10.98.100.1/24) and 200 (10.98.200.1/24) on port0. */
static const char *const two_vlans[] = {
	"vlan0.port=0", "vlan0.id=100", "vlan0.address=10.98.100.1/24",
	"vlan1.port=0", "vlan1.id=200", "vlan1.address=10.98.200.1/24",
};

/*
 * The VLAN ID of a frame the endpoint sent, its tag taken off so that it
 * parses as untagged (l2_len set); -1: it came untagged.
 */
static int
untag(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	int vid = -1;

	m->ol_flags = 0;
	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		rte_vlan_strip(m);
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
	}
	m->l2_len = sizeof(struct rte_ether_hdr);
	return vid;
}

/* An ARP request from @sha/@sip for @tip, tagged @vid (0: untagged). */
static struct rte_mbuf *
arp_req(struct harness *h, uint16_t vid, const struct rte_ether_addr *sha,
		uint32_t sip, uint32_t tip)
{
	struct rte_mbuf *m = h_arp(h, RTE_ARP_OP_REQUEST, &bcast_mac, sha,
		sip, &zero_mac, tip);

	return vid != 0 ? h_vlan_tag(m, vid) : m;
}

/* An echo request from @src to @dst, tagged @vid (0: untagged). */
static struct rte_mbuf *
echo(struct harness *h, uint16_t vid, uint32_t src, uint32_t dst,
		uint16_t seq)
{
	struct rte_mbuf *m = h_icmp_echo(h, h_mac(h, 0), src, dst, 1, seq, 8);

	return vid != 0 ? h_vlan_tag(m, vid) : m;
}

/* Take the one frame sent: its VLAN ID (-1 untagged), untagged in @out. */
static int
take_one(struct harness *h, struct rte_mbuf **out)
{
	struct rte_mbuf *m[4];

	if (h_collect(h, 0, m, RTE_DIM(m)) != 1)
		return -2;
	*out = m[0];
	return untag(m[0]);
}

static int
gratuitous_arp_for_every_interface_with_its_tag(void)
{
	struct harness h;
	struct rte_mbuf *m[8];
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	unsigned int n, i;
	int vid[3];
	uint32_t sip[3];

	CHECK(h_setup(&h, 1, false, two_vlans, RTE_DIM(two_vlans)) == 0);
	n = h_collect(&h, 0, m, RTE_DIM(m));
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		vid[i] = untag(m[i]);
		CHECK(ptcp_arp_parse(m[i], &a, &st) == 0);
		sip[i] = a.sip;
		rte_pktmbuf_free(m[i]);
	}
	CHECK_EQ(vid[0], -1);
	CHECK_EQ(sip[0], rte_cpu_to_be_32(OUR_IP));
	CHECK_EQ(vid[1], 100);
	CHECK_EQ(sip[1], rte_cpu_to_be_32(V100_IP));
	CHECK_EQ(vid[2], 200);
	CHECK_EQ(sip[2], rte_cpu_to_be_32(V200_IP));
	return h_end_clean(&h);
}

static int
arp_and_echo_on_a_vlan_answered_with_its_tag(void)
{
	struct harness h;
	struct rte_mbuf *m;
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	const struct rte_ipv4_hdr *ip;
	const struct rte_icmp_hdr *ic;

	CHECK(h_setup1(&h, two_vlans, RTE_DIM(two_vlans)) == 0);
	/* ARP for the VLAN's address, tagged: answered with the tag. */
	h_inject(&h, 0, arp_req(&h, 100, &h_peer_mac, V100_PEER, V100_IP));
	h_poll(&h, 1);
	CHECK_EQ(take_one(&h, &m), 100);
	CHECK(ptcp_arp_parse(m, &a, &st) == 0);
	CHECK_EQ(a.op, RTE_ARP_OP_REPLY);
	CHECK_EQ(a.sip, rte_cpu_to_be_32(V100_IP));
	CHECK_EQ(a.tip, rte_cpu_to_be_32(V100_PEER));
	rte_pktmbuf_free(m);
	/* Learnt in the VLAN's cache, not the port's. */
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[1].arp,
		rte_cpu_to_be_32(V100_PEER)), PTCP_ARP_REACHABLE);
	CHECK_EQ(ptcp_arp_count(h.lc->ifs[0].arp), 0);
	CHECK_EQ(ptcp_arp_count(h.lc->ifs[2].arp), 0);

	/* Echo on VLAN 200: the reply carries 200, from its address. */
	h_inject(&h, 0, echo(&h, 200, RTE_IPV4(10, 98, 200, 9), V200_IP, 7));
	h_poll(&h, 1);
	CHECK_EQ(take_one(&h, &m), 200);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
		sizeof(struct rte_ether_hdr));
	ic = (const struct rte_icmp_hdr *)(ip + 1);
	CHECK_EQ(ip->src_addr, rte_cpu_to_be_32(V200_IP));
	CHECK_EQ(ic->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	CHECK_EQ(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	rte_pktmbuf_free(m);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 1);

	/* A VLAN's address asked on another VLAN or untagged: not ours
	 * there (a VLAN is a link of its own). */
	h_inject(&h, 0, arp_req(&h, 200, &h_peer_mac,
		RTE_IPV4(10, 98, 200, 9), V100_IP));
	h_inject(&h, 0, arp_req(&h, 0, &h_peer_mac, PEER_IP, V100_IP));
	h_inject(&h, 0, echo(&h, 0, PEER_IP, V100_IP, 8));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, arp_not_for_us), 2);
	CHECK_EQ(H_STAT(&h, rx_not_for_us), 1);
	CHECK_EQ(H_STAT(&h, rx_vlan_unknown), 0);
	return h_end_clean(&h);
}

static int
untagged_and_priority_tagged_frames_stay_on_the_port(void)
{
	struct harness h;
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;

	CHECK(h_setup1(&h, two_vlans, RTE_DIM(two_vlans)) == 0);
	h_inject(&h, 0, echo(&h, 0, PEER_IP, OUR_IP, 1));
	h_poll(&h, 1);
	CHECK_EQ(take_one(&h, &m), -1);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
		sizeof(struct rte_ether_hdr));
	CHECK_EQ(ip->src_addr, rte_cpu_to_be_32(OUR_IP));
	rte_pktmbuf_free(m);
	/* VID 0 (802.1p priority only) is the untagged interface's. */
	m = h_icmp_echo(&h, h_mac(&h, 0), PEER_IP, OUR_IP, 1, 2, 8);
	m = h_vlan_tag(m, 0);
	CHECK(m != NULL);
	/* priority 5, VID 0 */
	rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *,
		2 * RTE_ETHER_ADDR_LEN + 2)->vlan_tci = RTE_BE16(5 << 13);
	h_inject(&h, 0, m);
	h_poll(&h, 1);
	CHECK_EQ(take_one(&h, &m), -1);
	rte_pktmbuf_free(m);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 2);
	/* ARP untagged for the port's address still answered untagged. */
	h_inject(&h, 0, arp_req(&h, 0, &h_peer_mac, PEER_IP, OUR_IP));
	h_poll(&h, 1);
	CHECK_EQ(take_one(&h, &m), -1);
	rte_pktmbuf_free(m);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[0].arp,
		rte_cpu_to_be_32(PEER_IP)), PTCP_ARP_REACHABLE);
	return h_end_clean(&h);
}

static int
unknown_vlan_qinq_and_double_tag_dropped_and_counted(void)
{
	struct harness h;
	struct rte_mbuf *m;

	CHECK(h_setup1(&h, two_vlans, RTE_DIM(two_vlans)) == 0);
	/* VLAN 300 is not on the port. */
	h_inject(&h, 0, echo(&h, 300, PEER_IP, OUR_IP, 1));
	h_inject(&h, 0, arp_req(&h, 300, &h_peer_mac, PEER_IP, V100_IP));
	/* QinQ (0x88a8 outside) */
	m = echo(&h, 100, PEER_IP, V100_IP, 2);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_QINQ);
	h_inject(&h, 0, m);
	/* 802.1Q inside 802.1Q */
	h_inject(&h, 0, h_vlan_tag(echo(&h, 100, PEER_IP, V100_IP, 3), 100));
	/* a tag in the bytes of a frame the NIC says it stripped */
	m = echo(&h, 100, PEER_IP, V100_IP, 4);
	m->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 100;
	h_inject(&h, 0, m);
	/* A tag cut short */
	m = echo(&h, 100, PEER_IP, V100_IP, 5);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 16);
	h_inject(&h, 0, m);
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_vlan_unknown), 2);
	CHECK_EQ(H_STAT(&h, rx_vlan), 3);
	CHECK_EQ(H_STAT(&h, rx_runt), 1);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 0);
	return h_end_clean(&h);
}

static int
tagged_frames_on_a_port_without_vlans_dropped_as_unknown(void)
{
	struct harness h;

	CHECK(h_setup1(&h, NULL, 0) == 0);
	h_inject(&h, 0, echo(&h, 100, PEER_IP, OUR_IP, 1));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_vlan_unknown), 1);
	return h_end_clean(&h);
}

/* The offload paths, with the flags a NIC with VLAN_INSERT/STRIP uses. */
static int
offload_paths_leave_the_tag_to_the_nic(void)
{
	struct harness h;
	struct rte_mbuf *m[4];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;

	CHECK(h_setup1(&h, two_vlans, RTE_DIM(two_vlans)) == 0);
	/* As if the port offered RTE_ETH_TX_OFFLOAD_VLAN_INSERT. */
	h.lc->ifs[1].txq.vlan_hw = true;
	/* As if the NIC stripped the tag: untagged bytes, tag in the mbuf. */
	m[0] = echo(&h, 0, V100_PEER, V100_IP, 1);
	m[0]->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m[0]->vlan_tci = 100;
	h_inject(&h, 0, m[0]);
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	eh = rte_pktmbuf_mtod(m[0], const struct rte_ether_hdr *);
	/* left for the NIC to insert: flag and TCI, no tag in the bytes */
	CHECK_EQ(eh->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	CHECK(m[0]->ol_flags & RTE_MBUF_F_TX_VLAN);
	CHECK_EQ(m[0]->vlan_tci, 100);
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	CHECK_EQ(ip->src_addr, rte_cpu_to_be_32(V100_IP));
	rte_pktmbuf_free(m[0]);
	/* The software path: the same reply with the tag in its bytes. */
	h.lc->ifs[1].txq.vlan_hw = false;
	m[0] = echo(&h, 0, V100_PEER, V100_IP, 2);
	m[0]->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m[0]->vlan_tci = 100;
	h_inject(&h, 0, m[0]);
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	CHECK(!(m[0]->ol_flags & RTE_MBUF_F_TX_VLAN));
	CHECK_EQ(m[0]->l2_len, sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_vlan_hdr));
	CHECK_EQ(untag(m[0]), 100);
	rte_pktmbuf_free(m[0]);
	/* A stripped tag of a VLAN not on the port: unknown. */
	m[0] = echo(&h, 0, V100_PEER, V100_IP, 3);
	m[0]->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m[0]->vlan_tci = 999;
	h_inject(&h, 0, m[0]);
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_vlan_unknown), 1);
	return h_end_clean(&h);
}

/* A port used only for VLANs ([port0] address = none). */
static int
port_without_address_takes_only_its_vlans(void)
{
	static const char *const sets[] = {
		"port0.address=none",
		"vlan0.port=0", "vlan0.id=100", "vlan0.address=10.98.100.1/24",
	};
	struct harness h;
	struct rte_mbuf *m[4];
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };

	CHECK(h_setup(&h, 1, false, sets, RTE_DIM(sets)) == 0);
	/* Only the VLAN's address is announced. */
	CHECK_EQ(h_collect(&h, 0, m, RTE_DIM(m)), 1);
	CHECK_EQ(untag(m[0]), 100);
	CHECK(ptcp_arp_parse(m[0], &a, &st) == 0);
	CHECK_EQ(a.sip, rte_cpu_to_be_32(V100_IP));
	rte_pktmbuf_free(m[0]);
	/* The VLAN works. */
	h_inject(&h, 0, echo(&h, 100, V100_PEER, V100_IP, 1));
	h_poll(&h, 1);
	CHECK_EQ(take_one(&h, &m[0]), 100);
	rte_pktmbuf_free(m[0]);
	/* Nothing untagged is taken: not the old address, not 0.0.0.0, not
	 * an ARP probe, not a priority tag. */
	h_inject(&h, 0, echo(&h, 0, PEER_IP, OUR_IP, 2));
	h_inject(&h, 0, echo(&h, 0, PEER_IP, 0, 3));
	h_inject(&h, 0, arp_req(&h, 0, &h_peer_mac, 0, 0));
	m[0] = h_vlan_tag(echo(&h, 0, PEER_IP, 0, 4), 0);
	h_inject(&h, 0, m[0]);
	h_inject(&h, 0, h_tcp_frame(&h, PEER_IP, 4000, 0, 80, 1, 0,
		RTE_TCP_SYN_FLAG, 65535, NULL, 0, NULL, 0));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_no_addr), 5);
	CHECK_EQ(H_STAT(&h, icmp_echo_rx), 1);
	CHECK_EQ(ptcp_arp_count(h.lc->ifs[0].arp), 0);
	return h_end_clean(&h);
}

/* ---- TCP over a VLAN, the test playing the peer ---------------------- */

static struct {
	unsigned int accepted, closed;
	uint64_t bytes;
} srv;

static int
srv_accepted(struct ptcp_conn *c, void *arg)
{
	RTE_SET_USED(c);
	RTE_SET_USED(arg);
	srv.accepted++;
	return 0;
}

static void
srv_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	srv.bytes += rte_pktmbuf_pkt_len(m);
	if (ptcp_send_mbuf(c, m) != 0)
		rte_pktmbuf_free(m);
}

static void
srv_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
srv_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	RTE_SET_USED(c);
	RTE_SET_USED(why);
	srv.closed++;
}

static const struct ptcp_tcp_ops srv_ops = {
	.accepted = srv_accepted,
	.data = srv_data,
	.peer_closed = srv_peer_closed,
	.closed = srv_closed,
};

/* A TCP frame from the VLAN 100 peer to our VLAN 100 address, tagged. */
static struct rte_mbuf *
vtcp(struct harness *h, uint32_t seq, uint32_t ack, uint8_t flags,
		const void *data, uint16_t len)
{
	return h_vlan_tag(h_tcp_frame(h, V100_PEER, 40000, V100_IP, SRV_PORT,
		seq, ack, flags, 65535, NULL, 0, data, len), 100);
}

static int
tcp_connection_over_a_vlan(void)
{
	struct harness h;
	struct h_seg s;
	uint32_t iss = 1000, srv_iss;

	memset(&srv, 0, sizeof(srv));
	CHECK(h_setup_tcp(&h, two_vlans, RTE_DIM(two_vlans)) == 0);
	h_drain(&h, 0);
	CHECK(ptcp_listen(h.lc, SRV_PORT, &srv_ops, NULL, NULL) == 0);
	/* The peer makes itself known on VLAN 100 (its ARP request). */
	h_inject(&h, 0, arp_req(&h, 100, &h_peer_mac, V100_PEER, V100_IP));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 1);

	h_inject(&h, 0, vtcp(&h, iss, 0, RTE_TCP_SYN_FLAG, NULL, 0));
	h_poll(&h, 1);
	CHECK_EQ(h_tcp_recv(&h, 0, &s), 1);
	CHECK_EQ(h.last_vid, 100);
	CHECK_EQ(s.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CHECK_EQ(s.saddr, V100_IP);
	CHECK_EQ(s.ack, iss + 1);
	srv_iss = s.seq;
	h_inject(&h, 0, vtcp(&h, iss + 1, srv_iss + 1, RTE_TCP_ACK_FLAG |
		RTE_TCP_PSH_FLAG, "hello vlan", 10));
	h_poll(&h, 1);
	CHECK_EQ(srv.accepted, 1);
	CHECK_EQ(srv.bytes, 10);
	/* The echo comes back on the VLAN, with the data. */
	CHECK_EQ(h_tcp_recv(&h, 0, &s), 1);
	CHECK_EQ(h.last_vid, 100);
	CHECK_EQ(s.len, 10);
	CHECK(memcmp(s.data, "hello vlan", 10) == 0);
	CHECK_EQ(s.seq, srv_iss + 1);
	/* Close from the peer: FIN, the server closes too. */
	h_inject(&h, 0, vtcp(&h, iss + 11, srv_iss + 11, RTE_TCP_ACK_FLAG |
		RTE_TCP_FIN_FLAG, NULL, 0));
	h_poll(&h, 1);
	CHECK_EQ(h_tcp_recv(&h, 0, &s), 1);
	CHECK_EQ(h.last_vid, 100);
	CHECK(s.flags & RTE_TCP_FIN_FLAG);
	CHECK_EQ(s.ack, iss + 12);
	h_inject(&h, 0, vtcp(&h, iss + 12, srv_iss + 12, RTE_TCP_ACK_FLAG,
		NULL, 0));
	h_poll(&h, 1);
	CHECK_EQ(srv.closed, 1);
	/* The same segment untagged is the port's: nobody there listens on
	 * 10.98.100.1 (not its address). */
	h_inject(&h, 0, h_tcp_frame(&h, V100_PEER, 40001, V100_IP, SRV_PORT,
		5000, 0, RTE_TCP_SYN_FLAG, 65535, NULL, 0, NULL, 0));
	h_poll(&h, 1);
	CHECK_EQ(h_drain(&h, 0), 0);
	CHECK_EQ(H_STAT(&h, rx_not_for_us), 1);
	CHECK_EQ(H_STAT(&h, tx_vlan_drop), 0);
	CHECK(ptcp_unlisten(h.lc, SRV_PORT) == 0);
	return h_end_clean(&h);
}

/*
 * Two VLANs holding the same subnet, each with a host 10.98.50.9 of its
 * own (two MACs): connections from each VLAN's address resolve and reach
 * their own host, with their own tag.
 */
static int
two_vlans_same_remote_address_kept_apart(void)
{
	static const char *const sets[] = {
		"vlan0.port=0", "vlan0.id=100", "vlan0.address=10.98.50.1/24",
		"vlan1.port=0", "vlan1.id=200", "vlan1.address=10.98.50.2/24",
	};
	static const struct rte_ether_addr mac_a = {
		.addr_bytes = { 0x02, 0, 0, 0, 0xaa, 0x01 } };
	static const struct rte_ether_addr mac_b = {
		.addr_bytes = { 0x02, 0, 0, 0, 0xbb, 0x02 } };
	const uint32_t remote = RTE_IPV4(10, 98, 50, 9);
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(remote), .rport = 80,
	};
	const struct rte_ether_hdr *eh;
	struct ptcp_conn *ca, *cb;
	struct ptcp_arp_info a;
	struct ptcp_stats st = { 0 };
	struct harness h;
	struct rte_mbuf *m;
	struct h_seg s;

	memset(&srv, 0, sizeof(srv));
	CHECK(h_setup_tcp(&h, sets, RTE_DIM(sets)) == 0);
	h_drain(&h, 0);

	o.laddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 50, 1));
	ca = ptcp_connect(h.lc, &o, &srv_ops);
	CHECK(ca != NULL);
	h_poll(&h, 1);
	/* ARP request on VLAN 100 only. */
	CHECK_EQ(take_one(&h, &m), 100);
	CHECK(ptcp_arp_parse(m, &a, &st) == 0);
	CHECK_EQ(a.sip, rte_cpu_to_be_32(RTE_IPV4(10, 98, 50, 1)));
	CHECK_EQ(a.tip, rte_cpu_to_be_32(remote));
	rte_pktmbuf_free(m);
	h_inject(&h, 0, h_vlan_tag(h_arp(&h, RTE_ARP_OP_REPLY, h_mac(&h, 0),
		&mac_a, remote, h_mac(&h, 0), RTE_IPV4(10, 98, 50, 1)), 100));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, &m, 1), 1);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &mac_a));
	rte_pktmbuf_free(m);

	o.laddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 50, 2));
	cb = ptcp_connect(h.lc, &o, &srv_ops);
	CHECK(cb != NULL);
	h_poll(&h, 1);
	/* Not resolved by VLAN 100's cache: its own request, on 200. */
	CHECK_EQ(take_one(&h, &m), 200);
	CHECK(ptcp_arp_parse(m, &a, &st) == 0);
	CHECK_EQ(a.sip, rte_cpu_to_be_32(RTE_IPV4(10, 98, 50, 2)));
	rte_pktmbuf_free(m);
	h_inject(&h, 0, h_vlan_tag(h_arp(&h, RTE_ARP_OP_REPLY, h_mac(&h, 0),
		&mac_b, remote, h_mac(&h, 0), RTE_IPV4(10, 98, 50, 2)), 200));
	h_poll(&h, 1);
	CHECK_EQ(h_collect(&h, 0, &m, 1), 1);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &mac_b));
	CHECK_EQ(untag(m), 200);
	rte_pktmbuf_free(m);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[1].arp, rte_cpu_to_be_32(remote)),
		PTCP_ARP_REACHABLE);
	CHECK_EQ(ptcp_arp_state_of(h.lc->ifs[2].arp, rte_cpu_to_be_32(remote)),
		PTCP_ARP_REACHABLE);
	CHECK_EQ(ptcp_arp_count(h.lc->ifs[0].arp), 0);

	/* A SYN retransmitted later goes each to its own host and tag. */
	h_poll(&h, 1100);
	CHECK_EQ(h_tcp_recv(&h, 0, &s), 1);
	CHECK_EQ(h.last_vid, s.saddr == RTE_IPV4(10, 98, 50, 1) ? 100 : 200);
	CHECK_EQ(h_tcp_recv(&h, 0, &s), 1);
	CHECK_EQ(h.last_vid, s.saddr == RTE_IPV4(10, 98, 50, 1) ? 100 : 200);
	ptcp_abort(ca);
	ptcp_abort(cb);
	h_poll(&h, 1);
	h_drain(&h, 0);
	/* A local address on no interface: refused. */
	o.laddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 50, 3));
	CHECK(ptcp_connect(h.lc, &o, &srv_ops) == NULL);
	return h_end_clean(&h);
}

/* ---- Two workers, software steering of tagged frames ------------------ */

struct steer_wire {
	unsigned int tcp, tagged;
};

/* One RX queue (software steering); count what goes by tagged. */
static int
steer_pick(struct h_mstack *dst, struct rte_mbuf *m, void *arg)
{
	struct steer_wire *w = arg;
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eh + 1);

	RTE_SET_USED(dst);
	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) &&
			vh->eth_proto == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		w->tcp++;
		if ((rte_be_to_cpu_16(vh->vlan_tci) & RTE_VLAN_ID_MASK) == 42)
			w->tagged++;
	}
	return 0;
}

/*
 * Two stacks of two workers on one RX queue each, connected over VLAN
 * 42: every segment is steered to the worker that owns its flow by the
 * hash of the IPv4/TCP headers behind the tag, so that connections opened
 * from worker 1 get their answers there.
 */
static int
tagged_frames_steered_to_the_owner_of_their_flow(void)
{
	static const char *const sa[] = {
		"vlan0.port=0", "vlan0.id=42", "vlan0.address=10.97.42.1/24",
	};
	static const char *const sb[] = {
		"vlan0.port=0", "vlan0.id=42", "vlan0.address=10.97.42.2/24",
	};
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 97, 42, 2)),
		.rport = SRV_PORT,
	};
	struct h_mstack a, b;
	struct steer_wire w = { 0, 0 };
	unsigned int i, c, drop = 0;
	uint64_t t = 0;

	memset(&srv, 0, sizeof(srv));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK(h_mpair_create(&a, &b, 2, 1, "10.97.0.1/24", sa, RTE_DIM(sa),
		"10.97.0.2/24", sb, RTE_DIM(sb)) == 0);
	for (i = 0; i < 2; i++)
		CHECK(ptcp_listen(b.s.e->lcores[i], SRV_PORT, &srv_ops, NULL,
			NULL) == 0);
	for (c = 0; c < 16; c++)
		CHECK(ptcp_connect(a.s.e->lcores[c % 2], &o, &srv_ops) != NULL);
	for (i = 0; i < 200 && (h_mstack_state(&a,
			PTCP_TCPS_ESTABLISHED) < 16 || srv.accepted < 16); i++) {
		h_mstack_poll(&a, t);
		h_mwire_move(&a, &b, steer_pick, &w, &drop);
		h_mstack_poll(&b, t);
		h_mwire_move(&b, &a, steer_pick, &w, &drop);
		t++;
	}
	CHECK_EQ(h_mstack_state(&a, PTCP_TCPS_ESTABLISHED), 16);
	CHECK_EQ(srv.accepted, 16);
	CHECK_EQ(drop, 0);
	CHECK(w.tcp > 32);
	CHECK_EQ(w.tagged, w.tcp);
	/* Worker 0 of each side took frames for worker 1 there. */
	CHECK(h_mstack_lcore_stat(&a, 0, PTCP_STAT_steer_out) > 0);
	CHECK(h_mstack_lcore_stat(&b, 0, PTCP_STAT_steer_out) > 0);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(h_mstack_lcore_stat(&a, i, PTCP_STAT_rx_vlan_unknown), 0);
		CHECK_EQ(h_mstack_lcore_stat(&a, i, PTCP_STAT_tcp_rst_tx), 0);
		CHECK_EQ(h_mstack_lcore_stat(&b, i, PTCP_STAT_tcp_rst_tx), 0);
	}
	h_mpair_destroy(&a, &b);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(gratuitous_arp_for_every_interface_with_its_tag),
	TEST(arp_and_echo_on_a_vlan_answered_with_its_tag),
	TEST(untagged_and_priority_tagged_frames_stay_on_the_port),
	TEST(unknown_vlan_qinq_and_double_tag_dropped_and_counted),
	TEST(tagged_frames_on_a_port_without_vlans_dropped_as_unknown),
	TEST(offload_paths_leave_the_tag_to_the_nic),
	TEST(port_without_address_takes_only_its_vlans),
	TEST(tcp_connection_over_a_vlan),
	TEST(two_vlans_same_remote_address_kept_apart),
	TEST(tagged_frames_steered_to_the_owner_of_their_flow),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, h_after_test);
}
