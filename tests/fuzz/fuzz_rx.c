/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the receive path: Ethernet -> ARP / IPv4 -> ICMP /
 * TCP (options, SACK, the state machine, timers) of one ptcp worker on a
 * net_ring port (tests/pkt/harness.c). The worker holds listeners and a
 * set of connections in every state, put in place at start by a scripted
 * peer, so that arbitrary frames meet deep TCP state at once.
 *
 * Input format (the first byte is the control byte):
 *   ctl bits 0-1: clock step per pass {1, 5, 50, 1000} ms
 *   ctl bits 2-3: worker passes after the frames are injected, minus one
 *   ctl bit 7 clear: raw frames, each [len lo][len hi][len bytes]
 *     ctl bit 6: write the endpoint's MAC as the Ethernet destination
 *     ctl bit 5: fix the IPv4 header and TCP/ICMP checksums (behind
 *       one 802.1Q tag too)
 *     ctl bit 4: each frame is [split][len lo][len hi][len bytes], and
 *       arrives as a chain of mbufs (chain_split(): split != 0)
 *   ctl bit 7 set: template frames from the peer of one connection,
 *     each [sel][flags][seq delta:2][ack delta:2][wnd:2][optlen][opt]
 *     [paylen][payload][npatch][(offset, value) * npatch]
 *     npatch bits 4-7: split (chain_split(): the frame as a chain)
 *     sel bits 0-3: connection (modulo the set), bits 4-5: style
 *       0: as given, checksums right; 1: patches after checksums;
 *       2: patches, then checksums fixed; 3: as 0 with the connection's
 *       timestamps first (when it has them)
 *     sel bit 6: the deltas count KiB (out of window); bit 7: the seq and
 *     ack are absolute (the deltas are ignored but still read)
 * Multi-byte numbers are little-endian. Truncated records take what is left.
 *
 * Invariants checked after every input: the endpoint sends only well
 * formed TCP (checksums, lengths; h_tcp_recv()), the engine's mbufs in use
 * stay bounded, and at every rebuild of the connection set (every
 * REBUILD_EVERY inputs, or sooner once fewer than STATES_MIN states are
 * left) all of them come back once no connection is left.
 *
 * FUZZ_RX_DUMP=DIR writes the seed corpus (tests/fuzz/corpus) and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "ptcp_test_eal.h"
#include "harness.h"
#include "ptcp_tcp.h"
#include "tcp_opt.h"
#include "tcp_seq.h"

#define OUR       RTE_IPV4(10, 98, 0, 1)
#define PEER      RTE_IPV4(10, 98, 0, 9)
#define CLI_PORT  40000
#define VLAN_OUR  RTE_IPV4(10, 98, 100, 1)   /* [vlan0], VLAN 100 */
#define VLAN_PEER RTE_IPV4(10, 98, 100, 9)

#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG

#define REBUILD_EVERY  512     /* inputs between rebuilds of the set */
#define REBUILD_MIN    32      /* ... at least, when the states ran out */
#define STATES_MIN     6       /* distinct states below which they did */
#define MAX_FRAMES     16      /* frames per input */
#define MAX_FRAME      1900    /* bytes per frame (mbuf data room) */
#define MAX_CONNS      64
#define MAX_TMPL       16
/* More engine mbufs than this in use after a drain is a leak: the pool
 * has 2047, the connections' buffers are far smaller. */
#define INUSE_BOUND    1500

static const char *const sets[] = {
	"arp.static.10.98.0.9=02:00:00:00:aa:01",
	"arp.gratuitous=no",
	"tcp.max_conns=64",
	"tcp.max_tw=32",
	"tcp.msl_ms=30000",
	"tcp.syn_backlog=8",
	"tcp.rto_init_ms=1000",
	"tcp.rto_min_ms=200",
	"tcp.rto_max_ms=8000",
	"tcp.syn_retries=3",
	"tcp.synack_retries=3",
	"tcp.data_retries=6",
	"tcp.orphan_retries=3",
	"tcp.fin_wait2_ms=120000",
	"tcp.challenge_ack_limit=10",
	"tcp.snd_buf=16384",
	"tcp.rcv_buf=16384",
	/* VLAN 100 on the port: an interface of its own (the raw-vlan seeds) */
	"vlan0.port=0",
	"vlan0.id=100",
	"vlan0.address=10.98.100.1/24",
};

/* ---- the application: one behaviour per listener --------------------- */

enum app_mode { APP_ECHO = 1, APP_HOLD, APP_CLOSE };

static struct harness H;
static struct harness *h = &H;
static struct ptcp_conn *conns[MAX_CONNS];
static struct ptcp_conn *last_conn;

static void
conn_add(struct ptcp_conn *c)
{
	unsigned int i;

	last_conn = c;
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i] == NULL) {
			conns[i] = c;
			return;
		}
	/* The engine caps connections at MAX_CONNS: cannot happen. */
	abort();
}

static int
app_accepted(struct ptcp_conn *c, void *arg)
{
	ptcp_conn_set_arg(c, arg);
	conn_add(c);
	return 0;
}

static void
app_connected(struct ptcp_conn *c)
{
	(void)c;
}

static void
app_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	uintptr_t mode = (uintptr_t)ptcp_conn_arg(c);
	uint8_t buf[256];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint32_t n = RTE_MIN(len, (uint32_t)sizeof(buf));

	if (mode == APP_ECHO) {
		const void *p = rte_pktmbuf_read(m, 0, n, buf);

		if (p != NULL && p != buf)
			memcpy(buf, p, n);
	}
	rte_pktmbuf_free(m);
	switch (mode) {
	case APP_ECHO:
		/* Echo (a part of) what came: data flows back on every
		 * connection that gets some. */
		(void)ptcp_send(c, buf, n);
		break;
	case APP_HOLD:
		ptcp_recv_hold(c, len);
		break;
	case APP_CLOSE:
		(void)ptcp_send(c, "bye\n", 4);
		(void)ptcp_close(c);
		break;
	}
}

static void
app_writable(struct ptcp_conn *c)
{
	(void)c;
}

static void
app_peer_closed(struct ptcp_conn *c)
{
	if ((uintptr_t)ptcp_conn_arg(c) == APP_ECHO)
		(void)ptcp_close(c);
}

static void
app_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	unsigned int i;

	(void)why;
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i] == c)
			conns[i] = NULL;
	if (last_conn == c)
		last_conn = NULL;
}

static const struct ptcp_tcp_ops app_ops = {
	.accepted = app_accepted,
	.connected = app_connected,
	.data = app_data,
	.writable = app_writable,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

/* ---- the peer: one template per connection ---------------------------- */

struct tmpl {
	uint16_t pport, lport;   /* peer's port, ours */
	uint32_t seq, ack;       /* the peer's next seq, what it acks */
	bool ts;
	uint32_t tsval, tsecr;
};

static struct tmpl tm[MAX_TMPL];
static unsigned int nb_tm;
static uint64_t inputs, rebuilds, fresh, max_inuse, since_rebuild;

/* Learn from a segment the endpoint sent (as the test peers do). */
static void
tmpl_learn(const struct h_seg *s)
{
	unsigned int i;

	for (i = 0; i < nb_tm; i++) {
		struct tmpl *t = &tm[i];
		uint32_t end;

		if (s->daddr != PEER || s->dport != t->pport ||
				s->sport != t->lport)
			continue;
		if (s->flags & F_RST)
			return;
		end = s->seq + s->len + ((s->flags & F_SYN) ? 1 : 0) +
			((s->flags & F_FIN) ? 1 : 0);
		if ((s->flags & F_SYN) || SEQ_GT(end, t->ack))
			t->ack = end;
		if ((s->flags & F_ACK) && SEQ_GT(s->ack, t->seq))
			t->seq = s->ack;
		if (s->opt.present & TOF_TS)
			t->tsecr = s->opt.tsval;
		return;
	}
}

/* Take everything the endpoint sent; the endpoint never sends a
 * malformed TCP segment. */
static void
sync_tx(void)
{
	static struct rte_mbuf *ms[1024];
	static uint8_t copy[2048];
	unsigned int i, k, n;
	struct h_seg s;
	int r;

	/* Each frame alone on the ring through h_tcp_recv(), so that a
	 * malformed one can be shown. */
	n = h_collect(h, 0, ms, RTE_DIM(ms));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = ms[i];
		uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(m),
			(uint32_t)sizeof(copy));
		const void *p = rte_pktmbuf_read(m, 0, len, copy);
		unsigned int segs = m->nb_segs;

		if (p != NULL && p != copy)
			memcpy(copy, p, len);
		if (rte_ring_enqueue(h->tx[0], m) != 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		r = h_tcp_recv(h, 0, &s);
		if (r == 1)
			tmpl_learn(&s);
		if (r < 0) {
			fprintf(stderr, "fuzz_rx: the endpoint sent a "
				"malformed TCP segment (%u bytes, %u segs):",
				len, segs);
			for (k = 0; k < len; k++)
				fprintf(stderr, "%s%02x", k % 16 ? " " : "\n  ",
					copy[k]);
			fprintf(stderr, "\n");
			abort();
		}
	}
}

static void
step(uint64_t ms)
{
	h_poll(h, ms);
	sync_tx();
}

static struct rte_mbuf *
tmpl_frame(const struct tmpl *t, uint32_t seq, uint32_t ack, uint8_t flags,
		uint16_t wnd, const uint8_t *opt, unsigned int optlen,
		const void *data, uint16_t len)
{
	return h_tcp_frame(h, PEER, t->pport, OUR, t->lport, seq, ack, flags,
		wnd, opt, optlen, data, len);
}

/* The peer sends in sequence (its seq moves on). */
static void
t_send(struct tmpl *t, uint8_t flags, const void *data, uint16_t len)
{
	uint8_t opt[40];
	unsigned int optlen = 0;

	if (flags & F_SYN) {
		struct tcp_opts o = { .present = TOF_MSS | TOF_WSCALE |
			TOF_SACKOK, .mss = 1460, .wscale = 7 };

		if (t->ts) {
			o.present |= TOF_TS;
			o.tsval = t->tsval;
			o.tsecr = t->tsecr;
		}
		optlen = tcp_opt_build_syn(opt, &o);
	} else if (t->ts) {
		optlen = tcp_opt_build_ts(opt, t->tsval, t->tsecr);
	}
	h_inject(h, 0, tmpl_frame(t, t->seq, (flags & F_ACK) ? t->ack : 0,
		flags, 65535, opt, optlen, data, len));
	t->seq += len + ((flags & F_SYN) ? 1 : 0) + ((flags & F_FIN) ? 1 : 0);
	if (t->ts)
		t->tsval += 10;
}

static struct tmpl *
tmpl_new(uint16_t lport, bool ts)
{
	struct tmpl *t = &tm[nb_tm++];

	memset(t, 0, sizeof(*t));
	t->pport = (uint16_t)(2000 + nb_tm);
	t->lport = lport;
	t->seq = 100000u * nb_tm;
	t->ts = ts;
	t->tsval = 5000;
	return t;
}

/* Passive open on @lport: SYN, SYN-ACK, ACK. @return the connection. */
static struct ptcp_conn *
establish(struct tmpl **out, uint16_t lport, bool ts)
{
	struct tmpl *t = tmpl_new(lport, ts);

	*out = t;
	last_conn = NULL;
	t_send(t, F_SYN, NULL, 0);
	step(1);
	t_send(t, F_ACK, NULL, 0);
	step(1);
	return last_conn;
}

static void
put_conns_in_place(void)
{
	static const char data[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct ptcp_connect_opts co = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 5555, .lport = CLI_PORT };
	struct ptcp_conn *c;
	struct tmpl *t;
	uint8_t sack[12];

	nb_tm = 0;
	/* ESTABLISHED, data both ways, ours unacknowledged (in flight). */
	establish(&t, 80, true);
	t_send(t, F_ACK | F_PSH, data, sizeof(data) - 1);
	step(1);
	/* ESTABLISHED, in-order data held, an out-of-order queue: the peer
	 * skips 100 bytes twice (two holes, SACK blocks back). */
	establish(&t, 81, false);
	t_send(t, F_ACK | F_PSH, "abc", 3);
	h_inject(h, 0, tmpl_frame(t, t->seq + 100, t->ack, F_ACK, 65535,
		NULL, 0, data, 20));
	h_inject(h, 0, tmpl_frame(t, t->seq + 300, t->ack, F_ACK, 65535,
		NULL, 0, data, 20));
	step(1);
	/* CLOSE-WAIT: the peer's FIN, the app keeps its side open. */
	establish(&t, 81, true);
	t_send(t, F_FIN | F_ACK, NULL, 0);
	step(1);
	/* FIN-WAIT-1: our FIN not acknowledged. */
	c = establish(&t, 81, true);
	if (c != NULL)
		(void)ptcp_shutdown(c);
	step(1);
	/* FIN-WAIT-2: our FIN acknowledged. */
	c = establish(&t, 81, false);
	if (c != NULL)
		(void)ptcp_shutdown(c);
	step(1);
	t_send(t, F_ACK, NULL, 0);
	step(1);
	/* CLOSING: the FINs crossed. */
	c = establish(&t, 81, true);
	if (c != NULL)
		(void)ptcp_shutdown(c);
	h_poll(h, 1);
	/* Do not learn our FIN: the peer's FIN acks data only. */
	h_drain(h, 0);
	t_send(t, F_FIN | F_ACK, NULL, 0);
	step(1);
	/* LAST-ACK: CLOSE-WAIT, then the app closes; the FIN unacked. */
	c = establish(&t, 81, false);
	t_send(t, F_FIN | F_ACK, NULL, 0);
	step(1);
	if (c != NULL)
		(void)ptcp_close(c);
	step(1);
	/* TIME-WAIT: we closed first, the peer's FIN came last. */
	c = establish(&t, 82, true);
	if (c != NULL)
		(void)ptcp_shutdown(c);
	step(1);
	t_send(t, F_ACK, NULL, 0);
	step(1);
	t_send(t, F_FIN | F_ACK, NULL, 0);
	step(1);
	/* SYN-RECEIVED: the handshake's last ACK never comes. */
	t = tmpl_new(80, true);
	t_send(t, F_SYN, NULL, 0);
	step(1);
	/* SYN-SENT: our active open, unanswered. */
	t = tmpl_new(CLI_PORT, false);
	t->pport = 5555;
	t->seq = 7000;
	c = ptcp_connect(h->lc, &co, &app_ops);
	if (c != NULL) {
		ptcp_conn_set_arg(c, (void *)(uintptr_t)APP_ECHO);
		conn_add(c);
	}
	step(0);
	/* ESTABLISHED on the closing service, and one that has seen SACK
	 * blocks from the peer for its in-flight data. */
	establish(&t, 82, false);
	c = establish(&t, 80, true);
	t_send(t, F_ACK | F_PSH, data, sizeof(data) - 1);
	step(1);
	if (c != NULL) {
		static uint8_t big[3000];

		(void)ptcp_send(c, big, sizeof(big));
		step(0);
		/* SACK the second segment only. */
		sack[0] = 1;
		sack[1] = 1;
		sack[2] = 5;
		sack[3] = 10;
		{
			uint32_t l = rte_cpu_to_be_32(t->ack - 1500);
			uint32_t r = rte_cpu_to_be_32(t->ack);

			memcpy(sack + 4, &l, 4);
			memcpy(sack + 8, &r, 4);
		}
		h_inject(h, 0, tmpl_frame(t, t->seq, t->ack - 3000 -
			(uint32_t)(sizeof(data) - 1), F_ACK, 65535, sack,
			sizeof(sack), NULL, 0));
		step(1);
	}
}

static void
teardown_and_setup(void)
{
	fresh++;
	memset(conns, 0, sizeof(conns));
	h_teardown(h);
	if (h_setup_tcp(h, sets, RTE_DIM(sets)) != 0 ||
			ptcp_listen(h->lc, 80, &app_ops,
				(void *)(uintptr_t)APP_ECHO, NULL) != 0 ||
			ptcp_listen(h->lc, 81, &app_ops,
				(void *)(uintptr_t)APP_HOLD, NULL) != 0 ||
			ptcp_listen(h->lc, 82, &app_ops,
				(void *)(uintptr_t)APP_CLOSE, NULL) != 0) {
		fprintf(stderr, "fuzz_rx: setup failed\n");
		abort();
	}
}

/*
 * Empty the worker: abort every connection, let every timer run out
 * (TIME-WAIT, SYN-RECEIVED retries), and check that every mbuf came back.
 * A worker that does not empty (a connection the app never saw, stuck) is
 * replaced by a new engine.
 */
static void
rebuild(bool first)
{
	uint64_t cnt[PTCP_TCPS_MAX];
	unsigned int i, left = 0;

	rebuilds++;
	since_rebuild = 0;
	if (first) {
		teardown_and_setup();
	} else {
		for (i = 0; i < MAX_CONNS; i++)
			if (conns[i] != NULL)
				ptcp_abort(conns[i]);
		for (i = 0; i < 40; i++) {
			h_poll(h, 10000);
			h_drain(h, 0);
		}
		ptcp_tcp_state_counts(h->lc, cnt);
		for (i = 0; i < PTCP_TCPS_MAX; i++)
			if (i != PTCP_TCPS_LISTEN && i != PTCP_TCPS_CLOSED)
				left += (unsigned int)cnt[i];
		if (left == 0 && h_engine_mbufs_leaked(h) != 0) {
			fprintf(stderr, "fuzz_rx: %d engine mbufs leaked with "
				"no connection left (after %llu inputs)\n",
				h_engine_mbufs_leaked(h),
				(unsigned long long)inputs);
			abort();
		}
		if (left != 0)
			teardown_and_setup();
	}
	put_conns_in_place();
}

/* ---- frames from the input -------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t
rd8(struct rd *r)
{
	uint8_t v = 0;

	if (r->n > 0) {
		v = *r->p++;
		r->n--;
	}
	return v;
}

static uint16_t
rd16(struct rd *r)
{
	uint16_t lo = rd8(r);

	return (uint16_t)(lo | (uint16_t)(rd8(r) << 8));
}

static size_t
rdn(struct rd *r, size_t want, const uint8_t **out)
{
	size_t n = RTE_MIN(want, r->n);

	*out = r->p;
	r->p += n;
	r->n -= n;
	return n;
}

/*
 * A multi-segment frame, as a NIC's scattered receive makes it: @m cut into
 * a chain whose first segment holds 14 + (split & 0x3f) bytes (headers
 * split anywhere: the parsers must cope or drop), then segments of
 * 16 * ((split >> 6) + 1) bytes. split 0: @m as it is. @return the chain,
 * or @m unchanged when the test's pool runs short.
 */
static struct rte_mbuf *
chain_split(struct rte_mbuf *m, uint8_t split)
{
	uint32_t len = rte_pktmbuf_pkt_len(m), first, seg, off;
	struct rte_mbuf *head, *last, *n;
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);

	if (split == 0 || len < 2)
		return m;
	first = RTE_MIN(14u + (split & 0x3fu), len - 1);
	seg = 16u * ((uint32_t)(split >> 6) + 1);
	head = rte_pktmbuf_alloc(h->pool);
	if (head == NULL)
		return m;
	memcpy(rte_pktmbuf_append(head, (uint16_t)first), src, first);
	last = head;
	for (off = first; off < len; off += seg) {
		uint32_t n_len = RTE_MIN(seg, len - off);

		n = rte_pktmbuf_alloc(h->pool);
		if (n == NULL) {
			rte_pktmbuf_free(head);
			return m;
		}
		memcpy(rte_pktmbuf_append(n, (uint16_t)n_len), src + off, n_len);
		last->next = n;
		last = n;
		head->nb_segs++;
		head->pkt_len += n_len;
	}
	rte_pktmbuf_free(m);
	return head;
}

/* Right checksums for an IPv4 frame, as far as its lengths are sane. */
static void
fix_cksums(struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t flen = rte_pktmbuf_data_len(m);
	struct rte_ipv4_hdr *ip;
	uint32_t ihl, tot, l2 = 14;

	/* behind one 802.1Q tag too */
	if (flen >= 18 && f[12] == 0x81 && f[13] == 0x00)
		l2 = 18;
	if (flen < l2 + 20 || f[l2 - 2] != 0x08 || f[l2 - 1] != 0x00)
		return;
	ip = (struct rte_ipv4_hdr *)(f + l2);
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl < 20 || l2 + ihl > flen)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, ihl);
	if (tot < ihl || l2 + tot > flen)
		return;
	if (ip->next_proto_id == IPPROTO_TCP && tot - ihl >= 20) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip +
			ihl);
		uint32_t sum;

		th->cksum = 0;
		sum = rte_ipv4_phdr_cksum(ip, 0);
		/* rte_ipv4_phdr_cksum takes the length from total_length
		 * minus a 20-byte header: add the options back. */
		sum = (uint32_t)rte_raw_cksum(th, tot - ihl) +
			(uint32_t)rte_cpu_to_be_16((uint16_t)(tot - ihl)) +
			(ip->src_addr & 0xffff) + (ip->src_addr >> 16) +
			(ip->dst_addr & 0xffff) + (ip->dst_addr >> 16) +
			rte_cpu_to_be_16(IPPROTO_TCP);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		th->cksum = (uint16_t)~sum;
		if (th->cksum == 0)
			th->cksum = 0xffff;
	} else if (ip->next_proto_id == IPPROTO_ICMP && tot - ihl >= 8) {
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip +
			ihl);

		ic->icmp_cksum = 0;
		ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, tot - ihl);
	}
}

static void
inject_raw(uint8_t ctl, struct rd *r)
{
	unsigned int k;

	for (k = 0; k < MAX_FRAMES && r->n > 0; k++) {
		uint8_t split = (ctl & 0x10) ? rd8(r) : 0;
		const uint8_t *b;
		size_t len = rdn(r, RTE_MIN(rd16(r), MAX_FRAME), &b);
		struct rte_mbuf *m = rte_pktmbuf_alloc(h->pool);
		uint8_t *d;

		if (m == NULL)
			return;
		d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
		if (d == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
		memcpy(d, b, len);
		if ((ctl & 0x40) && len >= 6)
			memcpy(d, h_mac(h, 0), 6);
		if (ctl & 0x20)
			fix_cksums(m);
		h_inject(h, 0, chain_split(m, split));
	}
}

static void
inject_tmpl(struct rd *r)
{
	unsigned int k;

	for (k = 0; k < MAX_FRAMES && r->n > 0 && nb_tm > 0; k++) {
		uint8_t sel = rd8(r);
		struct tmpl *t = &tm[(sel & 0xf) % nb_tm];
		unsigned int style = (sel >> 4) & 3;
		uint8_t flags = rd8(r);
		int32_t sd = (int16_t)rd16(r), ad = (int16_t)rd16(r);
		uint16_t wnd = rd16(r);
		uint8_t opt[64];
		const uint8_t *b;
		unsigned int optlen = 0, np, i;
		uint8_t split;
		size_t n;
		uint32_t seq, ack;
		struct rte_mbuf *m;

		if (style == 3 && t->ts)
			optlen = tcp_opt_build_ts(opt, t->tsval, t->tsecr);
		n = rdn(r, RTE_MIN(rd8(r), 40u), &b);
		n = RTE_MIN(n, 40u - optlen);
		memcpy(opt + optlen, b, n);
		optlen += (unsigned int)n;
		n = rdn(r, rd8(r) * 8u, &b);
		if (sel & 0x40) {
			sd *= 1024;
			ad *= 1024;
		}
		seq = t->seq + (uint32_t)sd;
		ack = t->ack + (uint32_t)ad;
		if (sel & 0x80) {
			seq = (uint32_t)sd;
			ack = (uint32_t)ad;
		}
		m = tmpl_frame(t, seq, ack, flags, wnd, opt, optlen, b,
			(uint16_t)n);
		if (t->ts)
			t->tsval += 1;
		np = rd8(r);
		split = (uint8_t)(np >> 4);
		np &= 0xf;
		for (i = 0; i < np; i++) {
			uint16_t off = rd8(r);
			uint8_t v = rd8(r);

			if (m != NULL && style != 0 && style != 3 &&
					off < rte_pktmbuf_data_len(m))
				rte_pktmbuf_mtod(m, uint8_t *)[off] = v;
		}
		if (m == NULL)
			return;
		if (style == 2)
			fix_cksums(m);
		/* A template frame's headers stay in the first segment
		 * (14 + 20 + 20 + options): only its payload is split. */
		h_inject(h, 0, chain_split(m, split == 0 ? 0 : (uint8_t)(
			((split & 3) << 6) | RTE_MIN(40u + optlen, 63u))));
	}
}

/* ---- the seed corpus -------------------------------------------------- */

static void
seed_write(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(b, 1, n, f) != n) {
		fprintf(stderr, "fuzz_rx: cannot write %s\n", path);
		exit(1);
	}
	fclose(f);
}

/* A raw-mode seed of one frame. */
static void
seed_frame(const char *dir, const char *name, uint8_t ctl,
		const struct rte_mbuf *m)
{
	uint8_t b[2048];
	uint16_t len = rte_pktmbuf_data_len(m);

	b[0] = ctl;
	b[1] = (uint8_t)len;
	b[2] = (uint8_t)(len >> 8);
	memcpy(b + 3, rte_pktmbuf_mtod(m, const uint8_t *), len);
	seed_write(dir, name, b, 3u + len);
}

/* A raw-mode seed of one frame that arrives as a chain (ctl bit 4). */
static void
seed_frame_split(const char *dir, const char *name, uint8_t ctl,
		uint8_t split, const struct rte_mbuf *m)
{
	uint8_t b[2048];
	uint16_t len = rte_pktmbuf_data_len(m);

	b[0] = (uint8_t)(ctl | 0x10);
	b[1] = split;
	b[2] = (uint8_t)len;
	b[3] = (uint8_t)(len >> 8);
	memcpy(b + 4, rte_pktmbuf_mtod(m, const uint8_t *), len);
	seed_write(dir, name, b, 4u + len);
}

/*
 * @m (one segment, Ethernet + IPv4 + payload) with @olen bytes of IPv4
 * options @opt inserted after its 20-byte header (@olen a multiple of 4);
 * lengths fixed, checksums left to the harness (ctl bit 5).
 */
static struct rte_mbuf *
with_ip_options(struct rte_mbuf *m, const uint8_t *opt, uint8_t olen)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, olen);
	struct rte_ipv4_hdr *ip;

	if (p == NULL)
		return m;
	memmove(p, p + olen, 14 + 20);
	memcpy(p + 14 + 20, opt, olen);
	ip = (struct rte_ipv4_hdr *)(p + 14);
	ip->version_ihl = (uint8_t)(0x45 + olen / 4);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(
		rte_be_to_cpu_16(ip->total_length) + olen));
	return m;
}

/* A template-mode seed: one segment on connection @ti, as a chain of
 * mbufs when @split (1..15) is not 0. */
static void
seed_tmpl_split(const char *dir, const char *name, uint8_t ti,
		uint8_t style, uint8_t flags, int16_t sd, int16_t ad,
		const uint8_t *opt, uint8_t optlen, uint8_t pay8, uint8_t split)
{
	uint8_t b[512];
	size_t n = 0;
	unsigned int i;

	b[n++] = 0x80 | 0x04 | 0x01;  /* template, two passes, 5 ms */
	b[n++] = (uint8_t)(ti | (style << 4));
	b[n++] = flags;
	b[n++] = (uint8_t)sd;
	b[n++] = (uint8_t)((uint16_t)sd >> 8);
	b[n++] = (uint8_t)ad;
	b[n++] = (uint8_t)((uint16_t)ad >> 8);
	b[n++] = 0xff;
	b[n++] = 0xff;
	b[n++] = optlen;
	if (optlen != 0)
		memcpy(b + n, opt, optlen);
	n += optlen;
	b[n++] = pay8;
	for (i = 0; i < pay8 * 8u; i++)
		b[n++] = (uint8_t)('a' + i % 26);
	b[n++] = (uint8_t)(split << 4);
	seed_write(dir, name, b, n);
}

/* A template-mode seed: one segment on connection @ti. */
static void
seed_tmpl(const char *dir, const char *name, uint8_t ti, uint8_t style,
		uint8_t flags, int16_t sd, int16_t ad, const uint8_t *opt,
		uint8_t optlen, uint8_t pay8)
{
	seed_tmpl_split(dir, name, ti, style, flags, sd, ad, opt, optlen,
		pay8, 0);
}

static void
dump_corpus(const char *dir)
{
	static const uint8_t all_opts[] = {
		2, 4, 0x05, 0xb4,           /* MSS 1460 */
		1, 3, 3, 7,                 /* NOP, window scale 7 */
		4, 2,                       /* SACK permitted */
		8, 10, 0, 0, 0x13, 0x88, 0, 0, 0, 0,  /* timestamps */
		1, 1,                       /* NOP NOP */
		5, 10, 0, 0, 0, 1, 0, 0, 0, 2,  /* a SACK block */
		0,                          /* EOL */
	};
	static const uint8_t sack3[] = {
		1, 1, 5, 26,
		0, 0, 0x10, 0, 0, 0, 0x20, 0,
		0, 0, 0x30, 0, 0, 0, 0x40, 0,
		0, 0, 0x50, 0, 0, 0, 0x60, 0,
	};
	static const uint8_t bad_opts[] = { 2, 0, 8, 1, 5, 3, 3, 0xff };
	const struct rte_ether_addr bcast = { .addr_bytes = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	const struct rte_ether_addr zero = { .addr_bytes = { 0 } };
	struct rte_mbuf *m;
	struct tcp_opts o = { .present = TOF_MSS | TOF_WSCALE | TOF_SACKOK |
		TOF_TS, .mss = 1460, .wscale = 7, .tsval = 1, .tsecr = 0 };
	uint8_t opt[40];
	unsigned int optlen = tcp_opt_build_syn(opt, &o);
	char name[64];
	unsigned int i;

	/* Raw frames: the Ethernet destination and checksums fixed by the
	 * harness (ctl 0x60), so they survive mutation. */
	m = h_arp(h, RTE_ARP_OP_REQUEST, &bcast, &h_peer_mac, PEER, &zero,
		OUR);
	seed_frame(dir, "raw-arp-request", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_arp(h, RTE_ARP_OP_REPLY, h_mac(h, 0), &h_peer_mac,
		RTE_IPV4(10, 98, 0, 7), h_mac(h, 0), OUR);
	seed_frame(dir, "raw-arp-reply", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_icmp_echo(h, h_mac(h, 0), PEER, OUR, 1, 1, 56);
	seed_frame(dir, "raw-icmp-echo", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_icmp_echo(h, h_mac(h, 0), PEER, OUR, 2, 9, 1400);
	seed_frame(dir, "raw-icmp-echo-big", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3333, OUR, 80, 1, 0, F_SYN, 65535, opt,
		optlen, NULL, 0);
	seed_frame(dir, "raw-tcp-syn-opts", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3334, OUR, 81, 1, 0, F_SYN, 65535, NULL, 0,
		NULL, 0);
	seed_frame(dir, "raw-tcp-syn-bare", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3335, OUR, 9, 1, 0, F_SYN, 65535, NULL, 0,
		NULL, 0);
	seed_frame(dir, "raw-tcp-syn-closed-port", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3336, OUR, 80, 1, 7, F_ACK, 65535, NULL, 0,
		"x", 1);
	seed_frame(dir, "raw-tcp-ack-no-conn", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3337, OUR, 80, 1, 0, F_RST, 0, NULL, 0,
		NULL, 0);
	seed_frame(dir, "raw-tcp-rst-no-conn", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3338, OUR, 80, 1, 0, F_SYN | F_FIN | F_PSH |
		0x20, 65535, all_opts, sizeof(all_opts), "data", 4);
	seed_frame(dir, "raw-tcp-xmas-opts", 0x60, m);
	rte_pktmbuf_free(m);
	m = h_tcp_frame(h, PEER, 3339, OUR, 80, 1, 0, F_SYN, 65535, NULL, 0,
		NULL, 0);
	/* raw, checksums as they are: one wrong on purpose */
	rte_pktmbuf_mtod(m, uint8_t *)[50] ^= 0xff;
	seed_frame(dir, "raw-tcp-syn-bad-cksum", 0x00, m);
	rte_pktmbuf_free(m);

	/* IPv4 options (RFC 791): well formed, malformed, source routed. */
	{
		static const struct {
			const char *name;
			uint8_t len;
			uint8_t opt[12];
		} ipo[] = {
			{ "raw-ip-opt-rr-syn", 8, { 7, 7, 4, 0, 0, 0, 0, 0 } },
			{ "raw-ip-opt-ts-syn", 12, { 68, 12, 5, 0x01, 0, 0, 0,
				0, 0, 0, 0, 0 } },
			{ "raw-ip-opt-alert-syn", 4, { 148, 4, 0, 0 } },
			{ "raw-ip-opt-lsrr-syn", 8, { 131, 7, 4, 10, 98, 0, 1,
				0 } },
			{ "raw-ip-opt-bad-len-syn", 4, { 1, 130, 9, 0 } },
			{ "raw-ip-opt-rr-bad-ptr-syn", 8, { 7, 7, 2, 0, 0, 0,
				0, 0 } },
		};

		for (i = 0; i < RTE_DIM(ipo); i++) {
			m = h_tcp_frame(h, PEER, (uint16_t)(3400 + i), OUR, 80,
				1, 0, F_SYN, 65535, opt, optlen, NULL, 0);
			m = with_ip_options(m, ipo[i].opt, ipo[i].len);
			seed_frame(dir, ipo[i].name, 0x60, m);
			rte_pktmbuf_free(m);
		}
		m = h_icmp_echo(h, h_mac(h, 0), PEER, OUR, 3, 3, 32);
		m = with_ip_options(m, ipo[1].opt, ipo[1].len);
		seed_frame(dir, "raw-ip-opt-ts-echo", 0x60, m);
		rte_pktmbuf_free(m);
	}
	/* Chains: headers split at the IPv4 header, inside the TCP header,
	 * inside the options, data in small segments. */
	m = h_tcp_frame(h, PEER, 3500, OUR, 80, 1, 0, F_SYN, 65535, opt,
		optlen, NULL, 0);
	seed_frame_split(dir, "raw-chain-syn-split-ip", 0x60, 10, m);
	seed_frame_split(dir, "raw-chain-syn-split-tcp", 0x60, 30, m);
	seed_frame_split(dir, "raw-chain-syn-split-opts", 0x60, 44, m);
	rte_pktmbuf_free(m);
	m = h_icmp_echo(h, h_mac(h, 0), PEER, OUR, 4, 4, 600);
	seed_frame_split(dir, "raw-chain-icmp-echo", 0x60, 0xc0 | 30, m);
	rte_pktmbuf_free(m);

	/* 802.1Q: frames for the VLAN 100 interface (10.98.100.1), a VLAN
	 * not on the port, a priority tag, QinQ, a tag behind a tag. */
	{
		static const struct {
			const char *name;
			uint16_t tci;
			uint8_t kind;       /* 0 ARP, 1 echo, 2 SYN */
			uint32_t dst;
		} vl[] = {
			{ "raw-vlan-arp-request", 100, 0, VLAN_OUR },
			{ "raw-vlan-icmp-echo", 100, 1, VLAN_OUR },
			{ "raw-vlan-tcp-syn-opts", 100, 2, VLAN_OUR },
			{ "raw-vlan-unknown-syn", 300, 2, VLAN_OUR },
			{ "raw-vlan-prio-echo", 5 << 13, 1, OUR },
			{ "raw-vlan-wrong-vlan-echo", 100, 1, OUR },
		};

		for (i = 0; i < RTE_DIM(vl); i++) {
			uint32_t src = vl[i].dst == OUR ? PEER : VLAN_PEER;

			if (vl[i].kind == 0)
				m = h_arp(h, RTE_ARP_OP_REQUEST, &bcast,
					&h_peer_mac, src, &zero, vl[i].dst);
			else if (vl[i].kind == 1)
				m = h_icmp_echo(h, h_mac(h, 0), src, vl[i].dst,
					5, 5, 56);
			else
				m = h_tcp_frame(h, src, (uint16_t)(3600 + i),
					vl[i].dst, 80, 1, 0, F_SYN, 65535, opt,
					optlen, NULL, 0);
			m = h_vlan_tag(m, 0);
			rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *,
				12)->vlan_tci = rte_cpu_to_be_16(vl[i].tci);
			seed_frame(dir, vl[i].name, 0x60, m);
			rte_pktmbuf_free(m);
		}
		m = h_icmp_echo(h, h_mac(h, 0), VLAN_PEER, VLAN_OUR, 6, 6, 56);
		m = h_vlan_tag(h_vlan_tag(m, 100), 100);
		seed_frame(dir, "raw-vlan-double-tag", 0x60, m);
		rte_pktmbuf_free(m);
		m = h_icmp_echo(h, h_mac(h, 0), VLAN_PEER, VLAN_OUR, 7, 7, 56);
		m = h_vlan_tag(m, 100);
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
			RTE_BE16(RTE_ETHER_TYPE_QINQ);
		seed_frame(dir, "raw-vlan-qinq", 0x60, m);
		rte_pktmbuf_free(m);
	}

	/* Template segments on each connection of the set. */
	for (i = 0; i < nb_tm; i++) {
		uint8_t ti = (uint8_t)i;

		snprintf(name, sizeof(name), "tm%02u-ack", i);
		seed_tmpl(dir, name, ti, 3, F_ACK, 0, 0, NULL, 0, 0);
		snprintf(name, sizeof(name), "tm%02u-data", i);
		seed_tmpl(dir, name, ti, 3, F_ACK | F_PSH, 0, 0, NULL, 0, 4);
		snprintf(name, sizeof(name), "tm%02u-fin", i);
		seed_tmpl(dir, name, ti, 3, F_ACK | F_FIN, 0, 0, NULL, 0, 0);
		snprintf(name, sizeof(name), "tm%02u-rst", i);
		seed_tmpl(dir, name, ti, 0, F_RST, 0, 0, NULL, 0, 0);
		snprintf(name, sizeof(name), "tm%02u-syn", i);
		seed_tmpl(dir, name, ti, 0, F_SYN, 0, 0, opt,
			(uint8_t)optlen, 0);
		snprintf(name, sizeof(name), "tm%02u-sack", i);
		seed_tmpl(dir, name, ti, 3, F_ACK, 0, 0, sack3, sizeof(sack3),
			0);
	}
	seed_tmpl(dir, "tm-ooo-data", 1, 3, F_ACK, 200, 0, NULL, 0, 8);
	seed_tmpl(dir, "tm-rst-in-window", 0, 0, F_RST, 100, 0, NULL, 0, 0);
	seed_tmpl(dir, "tm-ack-ahead", 0, 3, F_ACK, 0, 5000, NULL, 0, 0);
	seed_tmpl(dir, "tm-synack", 9, 0, F_SYN | F_ACK, 0, 0, opt,
		(uint8_t)optlen, 0);
	seed_tmpl(dir, "tm-all-opts", 0, 0, F_ACK, 0, 0, all_opts,
		sizeof(all_opts), 1);
	seed_tmpl(dir, "tm-bad-opts", 0, 0, F_ACK, 0, 0, bad_opts,
		sizeof(bad_opts), 1);
	seed_tmpl(dir, "tm-old-seq", 0, 3, F_ACK | F_PSH, -3000, 0, NULL, 0,
		2);
	seed_tmpl_split(dir, "tm-data-chain", 0, 3, F_ACK | F_PSH, 0, 0, NULL,
		0, 40, 1);
	seed_tmpl_split(dir, "tm-ooo-data-chain", 1, 3, F_ACK, 200, 0, NULL, 0,
		30, 3);
	printf("fuzz_rx: seed corpus written to %s\n", dir);
}

/* ---- libFuzzer -------------------------------------------------------- */

/* Distinct states (not LISTEN) the worker's connections are in. */
static unsigned int
states_left(void)
{
	uint64_t cnt[PTCP_TCPS_MAX];
	unsigned int i, n = 0;

	ptcp_tcp_state_counts(h->lc, cnt);
	for (i = 0; i < PTCP_TCPS_MAX; i++)
		if (i != PTCP_TCPS_LISTEN && i != PTCP_TCPS_CLOSED &&
				cnt[i] != 0)
			n++;
	return n;
}

static void
report(void)
{
	fprintf(stderr, "fuzz_rx: %llu inputs, %llu rebuilds (%llu with a "
		"new engine), at most %llu engine mbufs in use after a drain\n",
		(unsigned long long)inputs, (unsigned long long)rebuilds,
		(unsigned long long)fresh, (unsigned long long)max_inuse);
}

/* libFuzzer's entry points (it has no header that declares them). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *eal[] = {
		(*argv)[0], "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
		"--no-telemetry", "-l", "0", "--log-level=*:error",
	};
	const char *dump = getenv("FUZZ_RX_DUMP");
	uint64_t cnt[PTCP_TCPS_MAX];
	unsigned int i;

	(void)argc;
	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "fuzz_rx: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		exit(1);
	}
	rebuild(true);
	ptcp_tcp_state_counts(h->lc, cnt);
	fprintf(stderr, "fuzz_rx: %u connections in place:", nb_tm);
	for (i = 0; i < PTCP_TCPS_MAX; i++)
		if (cnt[i] != 0)
			fprintf(stderr, " %s=%llu", ptcp_tcp_state_name(i),
				(unsigned long long)cnt[i]);
	fprintf(stderr, "\n");
	atexit(report);
	if (dump != NULL) {
		dump_corpus(dump);
		h_teardown(h);
		rte_eal_cleanup();
		exit(0);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t steps[] = { 1, 5, 50, 1000 };
	struct rd r = { data, size };
	uint8_t ctl;
	unsigned int i, passes;
	int inuse;

	if (size == 0)
		return 0;
	if (since_rebuild >= REBUILD_EVERY ||
			(since_rebuild >= REBUILD_MIN && states_left() < STATES_MIN))
		rebuild(false);
	inputs++;
	since_rebuild++;
	ctl = rd8(&r);
	if (ctl & 0x80)
		inject_tmpl(&r);
	else
		inject_raw(ctl, &r);
	passes = 1 + ((ctl >> 2) & 3);
	for (i = 0; i < passes; i++)
		step(steps[ctl & 3]);
	inuse = h_engine_mbufs_leaked(h);
	if (inuse > 0 && (uint64_t)inuse > max_inuse)
		max_inuse = (uint64_t)inuse;
	if (inuse > INUSE_BOUND) {
		fprintf(stderr, "fuzz_rx: %d engine mbufs in use after a "
			"drain (bound %d)\n", inuse, INUSE_BOUND);
		abort();
	}
	return 0;
}
