/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <rte_tcp.h>

#include "ptcp_test_eal.h"
#include "harness.h"
#include "ptcp_test.h"
#include "ptcp_tcp.h"

const struct rte_ether_addr h_peer_mac = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x01 } };

int
h_eal_init(const char *prog)
{
	return h_eal_init_mb(prog, 256);
}

int
h_eal_init_mb(const char *prog, unsigned int mb)
{
	char mem[16];
	const char *argv[] = {
		prog, "--no-huge", "-m", mem,
		"--no-shconf", "--no-pci", "-l", "0", "--log-level=warning",
		"--no-telemetry",
	};

	snprintf(mem, sizeof(mem), "%u", mb);

	if (ptcp_test_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/*
 * A copy of the harness a test set up and has not torn down: a test that
 * fails half-way returns without teardown, and its own struct is gone with
 * its stack frame. Teardown needs only fields fixed at setup.
 */
static struct harness live;
static bool live_set;

void
h_after_test(void)
{
	if (live_set)
		h_teardown(&live);
}

static int setup(struct harness *h, unsigned int nb_ports, bool cross,
		const char *const *overrides, unsigned int nb_overrides);

int
h_main(const struct ptcp_test *tests, int argc, char **argv,
		void (*after)(void))
{
	int ret;

	if (h_eal_init(argv[0]) != 0)
		return 1;
	ret = ptcp_test_run_after(tests, argc, argv, after);
	rte_eal_cleanup();
	return ret;
}

int
h_setup(struct harness *h, unsigned int nb_ports, bool cross,
		const char *const *overrides, unsigned int nb_overrides)
{
	h_after_test();
	h->tcp = false;
	if (setup(h, nb_ports, cross, overrides, nb_overrides) != 0) {
		h_teardown(h);
		return -1;
	}
	live = *h;
	live_set = true;
	return 0;
}

int
h_setup_tcp(struct harness *h, const char *const *overrides,
		unsigned int nb_overrides)
{
	h_after_test();
	h->tcp = true;
	if (setup(h, 1, false, overrides, nb_overrides) != 0) {
		h_teardown(h);
		return -1;
	}
	live = *h;
	live_set = true;
	return 0;
}

static int
setup(struct harness *h, unsigned int nb_ports, bool cross,
		const char *const *overrides, unsigned int nb_overrides)
{
	bool tcp = h->tcp;

	const char *sets[32];
	char names[H_MAX_PORTS][2 * RTE_ETH_NAME_MAX_LEN + 32];
	char devs[H_MAX_PORTS][RTE_ETH_NAME_MAX_LEN];
	char err[512];
	struct ptcp_config cfg;
	unsigned int i, n = 0;
	static unsigned int gen;  /* unique ring/port names per setup */
	int ret;

	memset(h, 0, sizeof(*h));
	h->tcp = tcp;
	h->nb_ports = nb_ports;
	gen++;
	h->cross = cross && nb_ports == 2;
	for (i = 0; i < nb_ports; i++) {
		char rn[RTE_RING_NAMESIZE];

		snprintf(rn, sizeof(rn), "h_rx%u_%u", i, gen);
		h->rx[i] = rte_ring_create(rn, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (h->rx[i] == NULL)
			return -1;
		if (h->cross)
			continue;
		snprintf(rn, sizeof(rn), "h_tx%u_%u", i, gen);
		h->tx[i] = rte_ring_create(rn, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (h->tx[i] == NULL)
			return -1;
	}
	if (h->cross) {
		/* What port0 sends, port1 receives, and back. */
		h->tx[0] = h->rx[1];
		h->tx[1] = h->rx[0];
	}
	for (i = 0; i < nb_ports; i++) {
		snprintf(devs[i], sizeof(devs[i]), "net_ring_h%u_%u", i, gen);
		ret = rte_eth_from_rings(devs[i], &h->rx[i], 1, &h->tx[i], 1,
				rte_socket_id());
		if (ret < 0) {
			fprintf(stderr, "rte_eth_from_rings: %s\n",
				rte_strerror(rte_errno));
			return -1;
		}
		h->port_id[i] = (uint16_t)ret;
		h->has_port[i] = true;
		/* The driver may decorate the name: ask it back. */
		if (rte_eth_dev_get_name_by_port((uint16_t)ret, devs[i]) != 0)
			return -1;
		snprintf(names[i], sizeof(names[i]), "port%u.device=%s", i,
			devs[i]);
		sets[n++] = names[i];
	}
	sets[n++] = "port0.address=10.98.0.1/24";
	if (nb_ports > 1)
		sets[n++] = "port1.address=10.98.0.2/24";
	sets[n++] = "mempool.mbufs=2047";
	sets[n++] = "mempool.cache=32";
	/* The tests playing the peer expect every segment ACKed at once;
	 * those about delayed ACKs set it back. */
	sets[n++] = "tcp.delack_ms=0";
	for (i = 0; i < nb_overrides && n < RTE_DIM(sets); i++)
		sets[n++] = overrides[i];
	ret = ptcp_config_load(&cfg, NULL, sets, n, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	h->e = ptcp_engine_create(&cfg, err, sizeof(err));
	if (h->e == NULL) {
		fprintf(stderr, "engine: %s\n", err);
		return -1;
	}
	if (h->tcp && ptcp_tcp_attach(h->e, err, sizeof(err)) != 0) {
		fprintf(stderr, "tcp: %s\n", err);
		return -1;
	}
	/* Before start: the gratuitous ARP is the first mbuf it takes. */
	h->baseline_in_use = ptcp_engine_mbufs_in_use(h->e);
	if (ptcp_engine_start(h->e, err, sizeof(err)) != 0) {
		fprintf(stderr, "start: %s\n", err);
		return -1;
	}
	h->lc = ptcp_engine_lcore(h->e);
	h->pool = rte_pktmbuf_pool_create("h_pool", 1023, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (h->lc == NULL || h->pool == NULL)
		return -1;
	return 0;
}

void
h_teardown(struct harness *h)
{
	unsigned int i;

	/* Whatever is still on a ring goes back to its pool. */
	for (i = 0; i < h->nb_ports; i++) {
		struct rte_mbuf *m;

		while (h->rx[i] != NULL &&
				rte_ring_dequeue(h->rx[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		if (!h->cross && h->tx[i] != NULL)
			h_drain(h, i);
	}
	if (h->e != NULL) {
		if (h->tcp)
			ptcp_tcp_detach(h->e);
		ptcp_engine_destroy(h->e);
	}
	/* Ports the engine did not get to close (setup failed). */
	for (i = 0; i < h->nb_ports; i++)
		if (h->has_port[i] && rte_eth_dev_is_valid_port(h->port_id[i]))
			rte_eth_dev_close(h->port_id[i]);
	/* The ring PMD does not own rings made by rte_eth_from_rings(). */
	for (i = 0; i < h->nb_ports; i++) {
		rte_ring_free(h->rx[i]);
		if (!h->cross)
			rte_ring_free(h->tx[i]);
	}
	rte_mempool_free(h->pool);
	memset(h, 0, sizeof(*h));
	live_set = false;
}

unsigned int
h_poll(struct harness *h, uint64_t ms)
{
	const struct ptcp_engine *e = h->e;

	h->now_ms += ms;
	return ptcp_lcore_poll_at(h->lc,
		e->start_tsc + h->now_ms * e->tsc_hz / 1000 + 1);
}

void
h_inject(struct harness *h, unsigned int p, struct rte_mbuf *m)
{
	if (rte_ring_enqueue(h->rx[p], m) != 0)
		rte_pktmbuf_free(m);
}

unsigned int
h_collect(struct harness *h, unsigned int p, struct rte_mbuf **out,
		unsigned int n)
{
	return rte_ring_dequeue_burst(h->tx[p], (void **)out, n, NULL);
}

unsigned int
h_drain(struct harness *h, unsigned int p)
{
	struct rte_mbuf *m[64];
	unsigned int n, total = 0;

	while ((n = h_collect(h, p, m, RTE_DIM(m))) > 0) {
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	return total;
}

uint64_t
h_stat(struct harness *h, enum ptcp_stat_id id)
{
	struct ptcp_stats st;

	ptcp_engine_stats(h->e, &st);
	return st.c[id];
}

int
h_engine_mbufs_leaked(struct harness *h)
{
	return (int)ptcp_engine_mbufs_in_use(h->e) - (int)h->baseline_in_use;
}

const struct rte_ether_addr *
h_mac(struct harness *h, unsigned int p)
{
	return &h->e->ports[p].mac;
}

struct rte_mbuf *
h_arp(struct harness *h, uint16_t op, const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t sip,
		const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);

	if (m == NULL)
		return NULL;
	if (ptcp_arp_build(m, op, eth_dst, sha, rte_cpu_to_be_32(sip), tha,
			rte_cpu_to_be_32(tip)) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* ptcp_arp_build puts sha as the Ethernet source: keep it. */
	return m;
}

struct rte_mbuf *
h_icmp_echo(struct harness *h, const struct rte_ether_addr *eth_dst,
		uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
		uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint8_t *payload;
	uint16_t i;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*ip) + sizeof(*icmp) + len);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_ether_addr_copy(&h_peer_mac, &eh->src_addr);
	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ptcp_ipv4_fill(ip, rte_cpu_to_be_32(src), rte_cpu_to_be_32(dst),
		IPPROTO_ICMP, (uint16_t)(sizeof(*icmp) + len), 64, 1, false);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_code = 0;
	icmp->icmp_ident = rte_cpu_to_be_16(id);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	payload = (uint8_t *)(icmp + 1);
	for (i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + len);
	return m;
}

struct rte_mbuf *
h_tcp_frame(struct harness *h, uint32_t src, uint16_t sport, uint32_t dst,
		uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t wnd, const uint8_t *opt, unsigned int optlen,
		const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	unsigned int thlen = sizeof(*th) + ((optlen + 3) & ~3u);

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			(uint16_t)(sizeof(*eh) + sizeof(*ip) + thlen + len));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	rte_ether_addr_copy(&h_peer_mac, &eh->src_addr);
	rte_ether_addr_copy(h_mac(h, 0), &eh->dst_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ptcp_ipv4_fill(ip, rte_cpu_to_be_32(src), rte_cpu_to_be_32(dst),
		IPPROTO_TCP, (uint16_t)(thlen + len), 64, 1, false);
	th = (struct rte_tcp_hdr *)(ip + 1);
	memset(th, 0, thlen);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((thlen / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(wnd);
	if (optlen != 0) {
		memcpy(th + 1, opt, optlen);
		/* pad with EOL (zeros, from the memset) */
	}
	if (len != 0)
		memcpy((uint8_t *)th + thlen, data, len);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return m;
}

static uint16_t
fold16(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

struct rte_mbuf *
h_vlan_tag(struct rte_mbuf *m, uint16_t vid)
{
	m->vlan_tci = vid;
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	if (rte_vlan_insert(&m) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->ol_flags = 0;
	return m;
}

int
h_tcp_recv(struct harness *h, unsigned int p, struct h_seg *s)
{
	struct ptcp_stats st = { 0 };
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t l4len, thlen;

	for (;;) {
		if (h_collect(h, p, &m, 1) == 0)
			return 0;
		h->last_vid = 0;
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
				RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
			m->ol_flags = 0;
			rte_vlan_strip(m);
			h->last_vid = m->vlan_tci & RTE_VLAN_ID_MASK;
		}
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		ip = (const struct rte_ipv4_hdr *)(eh + 1);
		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
				ip->next_proto_id == IPPROTO_TCP)
			break;
		rte_pktmbuf_free(m);
	}
	/* Payload may come zero copy, chained after the headers. */
	if (!rte_pktmbuf_is_contiguous(m) && rte_pktmbuf_linearize(m) != 0) {
		fprintf(stderr, "  h_tcp_recv: cannot linearize a chain\n");
		rte_pktmbuf_free(m);
		return -1;
	}
	if (rte_raw_cksum(ip, 20) != 0xffff) {
		fprintf(stderr, "  h_tcp_recv: bad IPv4 header\n");
		rte_pktmbuf_free(m);
		return -1;
	}
	l4len = rte_be_to_cpu_16(ip->total_length) - 20u;
	th = (const struct rte_tcp_hdr *)(ip + 1);
	thlen = (uint32_t)(th->data_off >> 4) * 4;
	if (rte_pktmbuf_pkt_len(m) != 14 + 20 + l4len || thlen < 20 ||
			thlen > l4len ||
			fold16((uint32_t)rte_ipv4_phdr_cksum(ip, 0) +
				rte_raw_cksum(th, l4len)) != 0xffff) {
		fprintf(stderr, "  h_tcp_recv: bad TCP segment (length or "
			"checksum)\n");
		rte_pktmbuf_free(m);
		return -1;
	}
	memset(s, 0, offsetof(struct h_seg, data));
	s->saddr = rte_be_to_cpu_32(ip->src_addr);
	s->daddr = rte_be_to_cpu_32(ip->dst_addr);
	s->sport = rte_be_to_cpu_16(th->src_port);
	s->dport = rte_be_to_cpu_16(th->dst_port);
	s->seq = rte_be_to_cpu_32(th->sent_seq);
	s->ack = rte_be_to_cpu_32(th->recv_ack);
	s->wnd = rte_be_to_cpu_16(th->rx_win);
	s->flags = th->tcp_flags;
	s->len = l4len - thlen;
	tcp_opt_parse((const uint8_t *)(th + 1), thlen - 20,
		(s->flags & RTE_TCP_SYN_FLAG) != 0, &s->opt, &st);
	if (s->len > sizeof(s->data))
		s->len = sizeof(s->data);
	memcpy(s->data, (const uint8_t *)th + thlen, s->len);
	rte_pktmbuf_free(m);
	return 1;
}

/* ---- two stacks ----------------------------------------------------- */

static int
stack_create(struct h_stack *s, const char *dev, const char *addr,
		const char *const *extra, unsigned int nb_extra)
{
	static const char *const base[] = {
		"mempool.mbufs=8191", "mempool.cache=64", "tcp.max_conns=1024",
		"tcp.max_tw=16384", "tcp.msl_ms=500", "tcp.syn_backlog=256",
	};
	char dev_set[RTE_ETH_NAME_MAX_LEN + 16], addr_set[64];
	const char *p[32];
	struct ptcp_config cfg;
	char err[512];
	unsigned int i, n = 0;

	snprintf(dev_set, sizeof(dev_set), "port0.device=%s", dev);
	snprintf(addr_set, sizeof(addr_set), "port0.address=%s", addr);
	p[n++] = dev_set;
	p[n++] = addr_set;
	for (i = 0; i < RTE_DIM(base); i++)
		p[n++] = base[i];
	for (i = 0; i < nb_extra && n < RTE_DIM(p); i++)
		p[n++] = extra[i];
	if (ptcp_config_load(&cfg, NULL, p, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	s->e = ptcp_engine_create(&cfg, err, sizeof(err));
	if (s->e == NULL || ptcp_tcp_attach(s->e, err, sizeof(err)) != 0) {
		fprintf(stderr, "engine: %s\n", err);
		return -1;
	}
	s->baseline = ptcp_engine_mbufs_in_use(s->e);
	if (ptcp_engine_start(s->e, err, sizeof(err)) != 0) {
		fprintf(stderr, "start: %s\n", err);
		return -1;
	}
	s->lc = ptcp_engine_lcore(s->e);
	return s->lc != NULL ? 0 : -1;
}

int
h_pair_create(struct h_stack *a, struct h_stack *b, struct h_wire *w,
		const char *addr_a, const char *const *sets_a, unsigned int na,
		const char *addr_b, const char *const *sets_b, unsigned int nb)
{
	static unsigned int pairs;  /* ring and port names: one per call */
	char name[RTE_ETH_NAME_MAX_LEN];
	int pa, pb;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	memset(w, 0, sizeof(*w));
	pairs++;
	snprintf(name, sizeof(name), "h_ab%u", pairs);
	w->ab = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "h_ba%u", pairs);
	w->ba = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->ab == NULL || w->ba == NULL)
		return -1;
	snprintf(name, sizeof(name), "net_ring_pa%u", pairs);
	pa = rte_eth_from_rings(name, &w->ba, 1, &w->ab, 1, rte_socket_id());
	snprintf(name, sizeof(name), "net_ring_pb%u", pairs);
	pb = rte_eth_from_rings(name, &w->ab, 1, &w->ba, 1, rte_socket_id());
	if (pa < 0 || pb < 0)
		return -1;
	rte_eth_dev_get_name_by_port((uint16_t)pa, name);
	if (stack_create(a, name, addr_a, sets_a, na) != 0)
		return -1;
	rte_eth_dev_get_name_by_port((uint16_t)pb, name);
	return stack_create(b, name, addr_b, sets_b, nb);
}

void
h_pair_destroy(struct h_stack *a, struct h_stack *b, struct h_wire *w)
{
	struct h_stack *s[2] = { a, b };
	struct rte_ring *r[2] = { w->ab, w->ba };
	struct rte_mbuf *m;
	unsigned int i;

	/*
	 * Each stack may hold the other's mbufs (zero copy: queued data,
	 * indirect segments on the rings), so both let go of everything
	 * before either pool goes away.
	 */
	for (i = 0; i < 2; i++)
		if (s[i]->e != NULL)
			ptcp_tcp_detach(s[i]->e);
	for (i = 0; i < 2; i++)
		while (r[i] != NULL && rte_ring_dequeue(r[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
	for (i = 0; i < 2; i++) {
		if (s[i]->e != NULL)
			ptcp_engine_destroy(s[i]->e);
		s[i]->e = NULL;
		rte_ring_free(r[i]);
	}
	memset(w, 0, sizeof(*w));
}

void
h_stack_poll(struct h_stack *s, uint64_t now_ms)
{
	ptcp_lcore_poll_at(s->lc, s->e->start_tsc +
		now_ms * s->e->tsc_hz / 1000 + 1);
}

uint64_t
h_stack_state(const struct h_stack *s, unsigned int state)
{
	uint64_t c[PTCP_TCPS_MAX];

	ptcp_tcp_state_counts(s->lc, c);
	return c[state];
}

uint64_t
h_stack_stat(const struct h_stack *s, enum ptcp_stat_id id)
{
	struct ptcp_stats st;

	ptcp_engine_stats(s->e, &st);
	return st.c[id];
}

void
h_stack_poll_us(struct h_stack *s, uint64_t now_us)
{
	ptcp_lcore_poll_at(s->lc, s->e->start_tsc +
		now_us * s->e->tsc_hz / 1000000 + 1);
}

/* ---- many workers ---------------------------------------------------- */

static int
mstack_rings(struct h_mstack *s, unsigned int pair, char side,
		unsigned int workers, unsigned int nb_rxq)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int q;
	int ret;

	s->nb_workers = workers;
	s->nb_rxq = nb_rxq;
	/* Deep enough that a pass of every connection's frames fits: the
	 * wire counts what does not as a drop and the test fails on it. */
	for (q = 0; q < nb_rxq; q++) {
		snprintf(name, sizeof(name), "h_m%u%c_rx%u", pair, side, q);
		s->rx[q] = rte_ring_create(name, 8192, 0,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (s->rx[q] == NULL)
			return -1;
	}
	for (q = 0; q < workers; q++) {
		snprintf(name, sizeof(name), "h_m%u%c_tx%u", pair, side, q);
		s->tx[q] = rte_ring_create(name, 8192, 0,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (s->tx[q] == NULL)
			return -1;
	}
	snprintf(name, sizeof(name), "net_ring_m%u%c", pair, side);
	ret = rte_eth_from_rings(name, s->rx, nb_rxq, s->tx, workers,
			rte_socket_id());
	if (ret < 0) {
		fprintf(stderr, "rte_eth_from_rings: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	s->port_id = (uint16_t)ret;
	s->has_port = true;
	return 0;
}

static int
mstack_create(struct h_mstack *s, const char *addr, const char *workers_set,
		const char *const *sets, unsigned int n)
{
	char dev[RTE_ETH_NAME_MAX_LEN];
	const char *p[32];
	unsigned int i, k = 0;

	if (rte_eth_dev_get_name_by_port(s->port_id, dev) != 0)
		return -1;
	p[k++] = workers_set;
	for (i = 0; i < n && k < RTE_DIM(p); i++)
		p[k++] = sets[i];
	return stack_create(&s->s, dev, addr, p, k);
}

int
h_mpair_create(struct h_mstack *a, struct h_mstack *b, unsigned int workers,
		unsigned int nb_rxq, const char *addr_a,
		const char *const *sets_a, unsigned int na, const char *addr_b,
		const char *const *sets_b, unsigned int nb)
{
	static unsigned int pairs;  /* ring and port names: one per call */
	char workers_set[32];

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	pairs++;
	if (workers == 0 || workers > H_MQ_MAX || nb_rxq == 0 ||
			nb_rxq > workers)
		return -1;
	if (mstack_rings(a, pairs, 'a', workers, nb_rxq) != 0 ||
			mstack_rings(b, pairs, 'b', workers, nb_rxq) != 0)
		return -1;
	snprintf(workers_set, sizeof(workers_set), "lcores.workers=%u",
		workers);
	if (mstack_create(a, addr_a, workers_set, sets_a, na) != 0)
		return -1;
	return mstack_create(b, addr_b, workers_set, sets_b, nb);
}

static void
ring_free_all(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (r != NULL && rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

void
h_mpair_destroy(struct h_mstack *a, struct h_mstack *b)
{
	struct h_mstack *s[2] = { a, b };
	unsigned int i, q;

	/* As h_pair_destroy(): each stack may hold the other's mbufs, so
	 * both let go of everything before either pool goes away. */
	for (i = 0; i < 2; i++)
		if (s[i]->s.e != NULL)
			ptcp_tcp_detach(s[i]->s.e);
	for (i = 0; i < 2; i++)
		for (q = 0; q < H_MQ_MAX; q++) {
			ring_free_all(s[i]->rx[q]);
			ring_free_all(s[i]->tx[q]);
		}
	for (i = 0; i < 2; i++) {
		if (s[i]->s.e != NULL)
			ptcp_engine_destroy(s[i]->s.e);
		s[i]->s.e = NULL;
		/* A port no engine took (creation failed half-way). */
		if (s[i]->has_port && rte_eth_dev_is_valid_port(s[i]->port_id))
			rte_eth_dev_close(s[i]->port_id);
	}
	/* The ring PMD does not own rings made by rte_eth_from_rings(). */
	for (i = 0; i < 2; i++) {
		for (q = 0; q < H_MQ_MAX; q++) {
			rte_ring_free(s[i]->rx[q]);
			rte_ring_free(s[i]->tx[q]);
		}
		memset(s[i], 0, sizeof(*s[i]));
	}
}

void
h_mstack_poll_one(struct h_mstack *s, unsigned int w, uint64_t now_ms)
{
	const struct ptcp_engine *e = s->s.e;

	ptcp_lcore_poll_at(e->lcores[w],
		e->start_tsc + now_ms * e->tsc_hz / 1000 + 1);
}

void
h_mstack_poll(struct h_mstack *s, uint64_t now_ms)
{
	unsigned int w;

	for (w = 0; w < s->s.e->nb_lcores; w++)
		h_mstack_poll_one(s, w, now_ms);
}

uint64_t
h_mstack_state(const struct h_mstack *s, unsigned int state)
{
	uint64_t c[PTCP_TCPS_MAX], sum = 0;
	unsigned int w;

	for (w = 0; w < s->s.e->nb_lcores; w++) {
		ptcp_tcp_state_counts(s->s.e->lcores[w], c);
		sum += c[state];
	}
	return sum;
}

uint64_t
h_mstack_lcore_stat(const struct h_mstack *s, unsigned int w,
		enum ptcp_stat_id id)
{
	return s->s.e->lcores[w]->stats.c[id];
}

unsigned int
h_mwire_move(struct h_mstack *from, struct h_mstack *to, h_mwire_pick_t pick,
		void *arg, unsigned int *dropped)
{
	struct rte_mbuf *pkts[64];
	unsigned int q, i, n, moved = 0;
	int r;

	for (q = 0; q < from->nb_workers; q++) {
		/* Bounded: nothing adds to the ring while we take from it. */
		while ((n = rte_ring_dequeue_burst(from->tx[q], (void **)pkts,
				RTE_DIM(pkts), NULL)) > 0) {
			for (i = 0; i < n; i++) {
				r = pick(to, pkts[i], arg);
				if (r < 0 || (unsigned int)r >= to->nb_rxq ||
						rte_ring_enqueue(to->rx[r],
							pkts[i]) != 0) {
					rte_pktmbuf_free(pkts[i]);
					(*dropped)++;
					continue;
				}
				moved++;
			}
		}
	}
	return moved;
}

unsigned int
h_mstack_ring_count(const struct h_mstack *s)
{
	unsigned int q, n = 0;

	for (q = 0; q < H_MQ_MAX; q++) {
		if (s->rx[q] != NULL)
			n += rte_ring_count(s->rx[q]);
		if (s->tx[q] != NULL)
			n += rte_ring_count(s->tx[q]);
	}
	return n;
}

bool
h_frame_tuple(const struct rte_mbuf *m, uint32_t *saddr, uint32_t *daddr,
		uint16_t *sport, uint16_t *dport)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	unsigned int ihl;

	if (m->data_len < sizeof(*eh) + sizeof(*ip))
		return false;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	ihl = (ip->version_ihl & 0x0f) * 4u;
	if (ip->next_proto_id != IPPROTO_TCP || ihl < sizeof(*ip) ||
			m->data_len < sizeof(*eh) + ihl + sizeof(*th))
		return false;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
	*saddr = ip->src_addr;
	*daddr = ip->dst_addr;
	*sport = th->src_port;
	*dport = th->dst_port;
	return true;
}

/* ---- A TX queue that refuses frames ---------------------------------- */

static uint16_t
tx_gate_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n, void *arg)
{
	const struct h_tx_gate *g = arg;

	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(pkts);
	return g->on ? RTE_MIN(n, g->take) : n;
}

int
h_tx_gate_attach(struct h_tx_gate *g, uint16_t port)
{
	g->on = false;
	g->take = 0;
	g->port = port;
	g->cb = rte_eth_add_tx_callback(port, 0, tx_gate_cb, g);
	return g->cb != NULL ? 0 : -1;
}

void
h_tx_gate_detach(struct h_tx_gate *g)
{
	/* One lcore: nothing can be inside the callback now, so its
	 * memory can go at once. */
	if (g->cb != NULL && rte_eth_remove_tx_callback(g->port, 0,
			g->cb) == 0)
		rte_free((void *)(uintptr_t)g->cb);
	g->cb = NULL;
	g->on = false;
}

int
h_setup1(struct harness *h, const char *const *overrides,
		unsigned int nb_overrides)
{
	if (h_setup(h, 1, false, overrides, nb_overrides) != 0)
		return -1;
	h_drain(h, 0);
	return 0;
}

int
h_end_clean(struct harness *h)
{
	h_poll(h, 0);
	h_drain(h, 0);
	CHECK_EQ(h_engine_mbufs_leaked(h), 0);
	CHECK_EQ(rte_mempool_in_use_count(h->pool), 0);
	h_teardown(h);
	return 0;
}
