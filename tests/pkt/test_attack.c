/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: RFC 5961 against an off-path, blind attacker (issue 9).
 *
 * Two stacks back to back (A the client, B the server) keep a pattern
 * stream flowing both ways, checked byte-exact at each end. The attacker
 * knows the 4-tuple and the MACs, not the sequence numbers: it puts
 * spoofed frames "from A" on B's RX ring. The test itself is omniscient
 * (it reads the TCB) only to aim a guess at a class of sequence numbers
 * (out of the window, in it, exactly RCV.NXT) and so to check what each
 * class does, and to give its frames a timestamp PAWS lets through (the
 * connection negotiated them, and B drops a segment without one: a blind
 * attacker's random TSval passes PAWS half of the time). Attacker frames are injected right after B's pass emptied
 * its RX ring, so B's RCV.NXT when it reads them is the one they were
 * aimed at.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_net.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"
#include "tcp_priv.h"

#define SRV_PORT   5001
#define CHUNK      1400
#define PASS_BYTES (4 * CHUNK)         /* each side, each pass */
#define ATK_POOL   4095

struct side {
	struct ptcp_conn *c;
	uint64_t sent, got;                /* pattern offsets */
	uint64_t bad;                      /* bytes off the pattern */
	unsigned int closed;
	enum ptcp_close_reason why;
};

static struct {
	struct h_stack a, b;
	struct h_wire w;
	struct rte_mempool *pool;          /* the attacker's frames */
	struct side sa, sb;                /* A's and B's view */
	uint64_t now_ms;
	uint64_t rng;
	unsigned int ring_full;
	/* A second, idle connection on the same lcores (the flood test). */
	struct ptcp_conn *by_a, *by_b;
	uint16_t by_port;                  /* by_a's port */
	uint64_t acks_to_a, acks_to_by;    /* pure ACKs B sent (counting) */
	bool count;
} T;

/* Byte @off of the stream from @dir (0: A to B, 1: B to A). */
static inline uint8_t
pattern(unsigned int dir, uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 11) + dir * 59);
}

static uint32_t
rnd(void)
{
	/* xorshift64*: seeded and printed per test. */
	T.rng ^= T.rng >> 12;
	T.rng ^= T.rng << 25;
	T.rng ^= T.rng >> 27;
	return (uint32_t)((T.rng * 2685821657736338717ull) >> 32);
}

static void
on_data(struct side *s, unsigned int dir, struct rte_mbuf *m)
{
	const struct rte_mbuf *seg;
	uint16_t i;

	for (seg = m; seg != NULL; seg = seg->next)
		for (i = 0; i < seg->data_len; i++, s->got++)
			if (rte_pktmbuf_mtod(seg, uint8_t *)[i] !=
					pattern(dir, s->got))
				s->bad++;
	rte_pktmbuf_free(m);
}

static void
cli_connected(struct ptcp_conn *c)
{
	(void)c;
}

static void
cli_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	(void)c;
	on_data(&T.sa, 1, m);
}

static void
side_closed(struct side *s, struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	s->closed++;
	s->why = why;
	s->c = NULL;
}

static void
cli_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	side_closed(&T.sa, c, why);
}

static void
peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static const struct ptcp_tcp_ops cli_ops = {
	.connected = cli_connected,
	.data = cli_data,
	.peer_closed = peer_closed,
	.closed = cli_closed,
};

static int
srv_accepted(struct ptcp_conn *c, void *arg)
{
	(void)arg;
	if (T.sb.c == NULL)
		T.sb.c = c;
	else
		T.by_b = c;
	return 0;
}

static void
srv_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	(void)c;
	on_data(&T.sb, 0, m);
}

static void
srv_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	if (c == T.by_b) {
		T.by_b = NULL;
		return;
	}
	side_closed(&T.sb, c, why);
}

static void
by_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	(void)why;
	T.by_a = NULL;
}

static const struct ptcp_tcp_ops by_ops = {
	.connected = cli_connected,
	.peer_closed = peer_closed,
	.closed = by_closed,
};

static const struct ptcp_tcp_ops srv_ops = {
	.accepted = srv_accepted,
	.data = srv_data,
	.peer_closed = peer_closed,
	.closed = srv_closed,
};

/* Keep @s's send buffer fed with its pattern, PASS_BYTES at most. */
static void
feed(struct side *s, unsigned int dir)
{
	uint8_t buf[CHUNK];
	unsigned int done = 0, i;
	int n;

	while (s->c != NULL && done < PASS_BYTES &&
			ptcp_conn_state(s->c) == PTCP_TCPS_ESTABLISHED) {
		for (i = 0; i < CHUNK; i++)
			buf[i] = pattern(dir, s->sent + i);
		n = ptcp_send(s->c, buf, CHUNK);
		if (n <= 0)
			break;
		s->sent += (uint64_t)n;
		done += (unsigned int)n;
	}
}

/*
 * Count the pure ACKs (no data, no SYN/FIN/RST) B just put on the wire
 * towards A's main connection and towards the bystander; the frames go
 * back on the ring in their order.
 */
static void
count_acks(void)
{
	struct rte_mbuf *ms[512];
	unsigned int n, i;

	n = rte_ring_dequeue_burst(T.w.ba, (void **)ms, RTE_DIM(ms), NULL);
	for (i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(ms[i],
			const struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
		const struct rte_tcp_hdr *th;
		uint16_t dport;

		if (ip->next_proto_id != IPPROTO_TCP)
			continue;
		th = (const struct rte_tcp_hdr *)((const uint8_t *)ip +
			(ip->version_ihl & 0xf) * 4);
		if (th->tcp_flags != RTE_TCP_ACK_FLAG ||
				rte_be_to_cpu_16(ip->total_length) !=
				(ip->version_ihl & 0xf) * 4 +
				(th->data_off >> 4) * 4)
			continue;
		dport = rte_be_to_cpu_16(th->dst_port);
		if (dport == T.by_port)
			T.acks_to_by++;
		else
			T.acks_to_a++;
	}
	if (n != 0 && rte_ring_enqueue_bulk(T.w.ba, (void **)ms, n, NULL) == 0)
		abort();                   /* it held them a moment ago */
}

/*
 * One millisecond: B's pass (it empties its RX ring), the attacker's
 * frames (@atk, may be NULL), then A's pass.
 */
static void
step(void (*atk)(void *), void *arg)
{
	T.now_ms++;
	feed(&T.sb, 1);
	h_stack_poll(&T.b, T.now_ms);
	if (T.count)
		count_acks();
	if (atk != NULL)
		atk(arg);
	feed(&T.sa, 0);
	h_stack_poll(&T.a, T.now_ms);
}

static void
run(unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms; i++)
		step(NULL, NULL);
}

/* ---- the attacker --------------------------------------------------- */

/* A TCP frame "from A" to B, put on B's RX ring (A's own wire). */
static void
spoof_to(struct ptcp_conn *tp, uint32_t seq, uint32_t ack, uint8_t flags,
		const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(T.pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t laddr, raddr, optlen = 0;
	uint16_t lport, rport;
	uint8_t *opt;

	if (m == NULL) {
		T.ring_full++;
		return;
	}
	if (tp->flags & TF_TS)
		optlen = 12;                /* NOP, NOP, timestamps */
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eh) + sizeof(*ip) + sizeof(*th) + optlen +
		len));
	/* B's view of the tuple: its local side is the destination. */
	ptcp_conn_tuple(tp, &laddr, &lport, &raddr, &rport);
	rte_ether_addr_copy(&T.a.e->ports[0].mac, &eh->src_addr);
	rte_ether_addr_copy(&T.b.e->ports[0].mac, &eh->dst_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ptcp_ipv4_fill(ip, raddr, laddr, IPPROTO_TCP,
		(uint16_t)(sizeof(*th) + optlen + len), 64, 1, false);
	th = (struct rte_tcp_hdr *)(ip + 1);
	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(rport);
	th->dst_port = rte_cpu_to_be_16(lport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)(((sizeof(*th) + optlen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(8192);
	opt = (uint8_t *)(th + 1);
	if (optlen != 0) {
		uint32_t tsval = rte_cpu_to_be_32(tp->ts_recent);

		opt[0] = 1;
		opt[1] = 1;
		opt[2] = 8;
		opt[3] = 10;
		memcpy(opt + 4, &tsval, 4);
		memset(opt + 8, 0, 4);
	}
	if (len != 0)
		memcpy(opt + optlen, data, len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	if (rte_ring_enqueue(T.w.ab, m) != 0) {
		rte_pktmbuf_free(m);
		T.ring_full++;
	}
}

/* A TCP frame "from A" to B's main connection. */
static void
spoof(uint32_t seq, uint32_t ack, uint8_t flags, const void *data,
		uint16_t len)
{
	spoof_to(T.sb.c, seq, ack, flags, data, len);
}

/* ---- set up, tear down, checks ------------------------------------- */

/*
 * Tests 1-3 look at the lcore's challenge-ACK budget alone (RFC 5961 §7):
 * the per-connection limit ([tcp] invalid_ratelimit_ms) is off there; test
 * 4 puts the two together.
 */
static const char *const lim_sets[] = { "tcp.challenge_ack_limit=100",
	"tcp.invalid_ratelimit_ms=0" };
static const char *const no_conn_lim[] = { "tcp.invalid_ratelimit_ms=0" };

static int
start(const char *const *sets, unsigned int nsets, uint64_t seed)
{
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 97, 0, 2)),
		.rport = SRV_PORT,
	};
	unsigned int i;

	memset(&T, 0, sizeof(T));
	T.rng = seed;
	printf("  seed 0x%" PRIx64 "\n", seed);
	if (h_pair_create(&T.a, &T.b, &T.w, "10.97.0.1/24", sets, nsets,
			"10.97.0.2/24", sets, nsets) != 0)
		return -1;
	T.pool = rte_pktmbuf_pool_create("atk_pool", ATK_POOL, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (T.pool == NULL || ptcp_listen(T.b.lc, SRV_PORT, &srv_ops, NULL,
			NULL) != 0)
		return -1;
	run(1);                            /* gratuitous ARPs cross */
	T.sa.c = ptcp_connect(T.a.lc, &o, &cli_ops);
	if (T.sa.c == NULL)
		return -1;
	for (i = 0; i < 1000 && (T.sa.got < 1000000 || T.sb.got < 1000000);
			i++)
		run(1);
	printf("  warm-up: %" PRIu64 " / %" PRIu64 " bytes in %" PRIu64
		" ms\n", T.sb.got, T.sa.got, T.now_ms);
	return T.sb.c != NULL && T.sa.got >= 1000000 &&
		T.sb.got >= 1000000 ? 0 : -1;
}

static void
finish(void)
{
	h_pair_destroy(&T.a, &T.b, &T.w);
	rte_mempool_free(T.pool);
	memset(&T, 0, sizeof(T));
}

static void
after(void)
{
	if (T.a.e != NULL || T.w.ab != NULL || T.pool != NULL)
		finish();
}

#define ST(s, name) h_stack_stat(&T.s, PTCP_STAT_##name)

static void
print_stats(const char *who, const struct h_stack *s)
{
	static const enum ptcp_stat_id ids[] = {
		PTCP_STAT_tcp_rst_rx, PTCP_STAT_tcp_rst_rx_bad,
		PTCP_STAT_tcp_rst_rx_inexact, PTCP_STAT_tcp_challenge_ack,
		PTCP_STAT_tcp_challenge_ack_limited,
		PTCP_STAT_tcp_out_of_window,
		PTCP_STAT_tcp_ack_unsent, PTCP_STAT_tcp_ack_old,
		PTCP_STAT_tcp_dup_ack_rx, PTCP_STAT_tcp_fast_rexmt,
		PTCP_STAT_tcp_recovery, PTCP_STAT_tcp_rexmt,
		PTCP_STAT_tcp_rst_tx, PTCP_STAT_tcp_data_bytes_in,
	};
	static const char *const names[] = {
		"tcp_rst_rx", "tcp_rst_rx_bad", "tcp_rst_rx_inexact",
		"tcp_challenge_ack", "tcp_challenge_ack_limited",
		"tcp_out_of_window", "tcp_ack_unsent", "tcp_ack_old",
		"tcp_dup_ack_rx", "tcp_fast_rexmt", "tcp_recovery",
		"tcp_rexmt", "tcp_rst_tx", "tcp_data_bytes_in",
	};
	unsigned int i;

	printf("  %s:", who);
	for (i = 0; i < RTE_DIM(ids); i++)
		printf("%s %s %" PRIu64, i % 4 == 0 ? "\n   " : ",", names[i],
			h_stack_stat(s, ids[i]));
	printf("\n");
}

/* The stream still flows after an attack: more bytes both ways, exact. */
static int
survives(void)
{
	uint64_t a0 = T.sa.got, b0 = T.sb.got;

	run(500);
	printf("  after: %" PRIu64 " / %" PRIu64 " more bytes in 500 ms\n",
		T.sb.got - b0, T.sa.got - a0);
	CHECK(T.sb.got - b0 > 100000);
	CHECK(T.sa.got - a0 > 100000);
	CHECK_EQ(T.sa.bad + T.sb.bad, 0);
	CHECK_EQ(T.sa.closed + T.sb.closed, 0);
	CHECK_EQ(ST(b, tcp_rst_rx) + ST(a, tcp_rst_rx), 0);
	return 0;
}

/* Close both ends, let TIME-WAIT pass, every pool back. */
static int
close_and_check_pools(bool abort)
{
	unsigned int i, s;

	if (abort) {
		if (T.sa.c != NULL)
			ptcp_abort(T.sa.c);
		if (T.sb.c != NULL)
			ptcp_abort(T.sb.c);
	} else {
		CHECK(T.sa.c != NULL);
		ptcp_close(T.sa.c);
	}
	for (i = 0; i < 3000; i++) {
		T.now_ms += 1;
		h_stack_poll(&T.b, T.now_ms);
		h_stack_poll(&T.a, T.now_ms);
		for (s = 0; s < PTCP_TCPS_MAX; s++)
			if (s != PTCP_TCPS_LISTEN &&
					(h_stack_state(&T.a, s) != 0 ||
					 h_stack_state(&T.b, s) != 0))
				break;
		if (s == PTCP_TCPS_MAX && rte_ring_count(T.w.ab) == 0 &&
				rte_ring_count(T.w.ba) == 0)
			break;
	}
	CHECK_MSG(i < 3000, "connections left after 3 s");
	CHECK_EQ(T.sa.closed, 1);
	CHECK_EQ(T.sb.closed, 1);
	CHECK_EQ(ptcp_engine_mbufs_in_use(T.a.e), T.a.baseline);
	CHECK_EQ(ptcp_engine_mbufs_in_use(T.b.e), T.b.baseline);
	CHECK_EQ(rte_mempool_avail_count(T.pool), ATK_POOL);
	CHECK_EQ(T.ring_full, 0);
	finish();
	return 0;
}

/* ---- 1. spoofed RSTs ------------------------------------------------- */

struct burst {
	unsigned int kind;                 /* what to send */
	unsigned int per_pass, left;
	uint64_t first_ms, last_ms;
	unsigned int by_at;                /* FLOOD: when left is this, one
	                                    * in-window RST at the bystander */
	uint64_t by_ms;                    /* when it went */
};

enum {
	RST_OUT, RST_IN, RST_EXACT, SYN_OUT, SYN_IN, DATA_ACK_UNSENT,
	DATA_ACK_OLD, DATA_ACK_OK, FLOOD,
};

static void
attack(void *arg)
{
	struct burst *b = arg;
	struct ptcp_conn *tp = T.sb.c;
	uint32_t wnd = tcp_rcv_wnd(tp), seq;
	uint8_t junk[100];
	unsigned int i;

	/* Only on an empty ring: B reads these at the RCV.NXT seen here. */
	if (b->left == 0 || rte_ring_count(T.w.ab) != 0)
		return;
	if (b->first_ms == 0)
		b->first_ms = T.now_ms;
	b->last_ms = T.now_ms;
	memset(junk, 0xee, sizeof(junk));
	if (b->kind == FLOOD && b->left == b->by_at && T.by_b != NULL) {
		uint32_t bw = tcp_rcv_wnd(T.by_b);

		spoof_to(T.by_b, T.by_b->rcv_nxt + 1 + rnd() % (bw - 1), 0,
			RTE_TCP_RST_FLAG, NULL, 0);
		b->by_ms = T.now_ms;
	}
	for (i = 0; i < b->per_pass && b->left > 0; i++, b->left--) {
		switch (b->kind) {
		case RST_OUT:
			/* Beyond the window by at least 1 MiB. */
			seq = tp->rcv_nxt + wnd + (1u << 20) +
				rnd() % (1u << 30);
			spoof(seq, 0, RTE_TCP_RST_FLAG, NULL, 0);
			break;
		case RST_IN:
			seq = tp->rcv_nxt + 1 + rnd() % (wnd - 1);
			spoof(seq, 0, RTE_TCP_RST_FLAG, NULL, 0);
			break;
		case RST_EXACT:
			spoof(tp->rcv_nxt, 0, RTE_TCP_RST_FLAG, NULL, 0);
			break;
		case SYN_OUT:
			seq = tp->rcv_nxt + wnd + (1u << 20) +
				rnd() % (1u << 30);
			spoof(seq, 0, RTE_TCP_SYN_FLAG, NULL, 0);
			break;
		case SYN_IN:
			seq = tp->rcv_nxt + rnd() % wnd;
			spoof(seq, 0, RTE_TCP_SYN_FLAG, NULL, 0);
			break;
		case DATA_ACK_UNSENT:
			/* Past anything B sent. */
			spoof(tp->rcv_nxt, tp->snd_max + 1 + rnd() % (1u << 30),
				RTE_TCP_ACK_FLAG, junk, sizeof(junk));
			break;
		case DATA_ACK_OLD:
			/* Below SND.UNA - max(SND.WND, 64 KiB). */
			spoof(tp->rcv_nxt, tp->snd_una -
				RTE_MAX(tp->snd_wnd, 65535u) - 1 -
				rnd() % (1u << 30), RTE_TCP_ACK_FLAG, junk,
				sizeof(junk));
			break;
		case DATA_ACK_OK:
			spoof(tp->rcv_nxt, tp->snd_una, RTE_TCP_ACK_FLAG, junk,
				sizeof(junk));
			break;
		case FLOOD:
			/* Pure guesses: any sequence number. */
			spoof(rnd(), 0, (i & 1) ? RTE_TCP_SYN_FLAG :
				RTE_TCP_RST_FLAG, NULL, 0);
			break;
		}
	}
}

/*
 * Run @b to its end (bounded), from the start of a second of the clock:
 * a burst shorter than a second then meets a whole challenge-ACK budget.
 */
static int
launch(struct burst *b)
{
	unsigned int i;

	run((unsigned int)(999 - T.now_ms % 1000));
	for (i = 0; i < 20000 && b->left > 0; i++)
		step(attack, b);
	CHECK_MSG(b->left == 0, "%u frames not sent", b->left);
	run(2);                            /* B reads the last ones */
	return 0;
}

/*
 * Challenge ACKs @b may draw: the limit for each second of B's clock in
 * which B read its frames (a pass after they were put on the ring).
 */
static uint64_t
budget(const struct burst *b, uint64_t limit)
{
	return limit * ((b->last_ms + 1) / 1000 - (b->first_ms + 1) / 1000 + 1);
}

static int
spoofed_rst_out_in_and_exact(void)
{
	struct burst out = { RST_OUT, 10, 2000, 0, 0 };
	struct burst in = { RST_IN, 10, 500, 0, 0 };
	struct burst exact = { RST_EXACT, 1, 1, 0, 0 };
	uint64_t bad0, inx0, ch0, lim0, dup0, frx0, ch, lim;

	CHECK(start(lim_sets, RTE_DIM(lim_sets), 0x5961a001) == 0);

	/* Out of the window: ignored, not even an ACK. */
	bad0 = ST(b, tcp_rst_rx_bad);
	ch0 = ST(b, tcp_challenge_ack);
	lim0 = ST(b, tcp_challenge_ack_limited);
	CHECK(launch(&out) == 0);
	printf("  2000 RSTs outside the window:\n");
	print_stats("B", &T.b);
	CHECK_EQ(ST(b, tcp_rst_rx_bad) - bad0, 2000);
	CHECK_EQ(ST(b, tcp_challenge_ack) - ch0, 0);
	CHECK_EQ(ST(b, tcp_challenge_ack_limited) - lim0, 0);
	CHECK(survives() == 0);

	/* In the window, not RCV.NXT: a challenge ACK each, limited. */
	inx0 = ST(b, tcp_rst_rx_inexact);
	ch0 = ST(b, tcp_challenge_ack);
	lim0 = ST(b, tcp_challenge_ack_limited);
	dup0 = ST(a, tcp_dup_ack_rx);
	frx0 = ST(a, tcp_fast_rexmt);
	CHECK(launch(&in) == 0);
	ch = ST(b, tcp_challenge_ack) - ch0;
	lim = ST(b, tcp_challenge_ack_limited) - lim0;
	printf("  500 RSTs in the window (limit 100/s, %" PRIu64 "..%" PRIu64
		" ms): %" PRIu64 " challenge ACKs, %" PRIu64 " limited; A saw "
		"%" PRIu64 " dup ACKs, %" PRIu64 " fast retransmits\n",
		in.first_ms, in.last_ms, ch, lim,
		ST(a, tcp_dup_ack_rx) - dup0, ST(a, tcp_fast_rexmt) - frx0);
	print_stats("B", &T.b);
	print_stats("A", &T.a);
	CHECK_EQ(ST(b, tcp_rst_rx_inexact) - inx0, 500);
	CHECK_EQ(ch + lim, 500);
	CHECK(ch >= 100 && ch <= budget(&in, 100));
	CHECK(survives() == 0);

	/* Exactly RCV.NXT: the one guess that resets (RFC 5961 §3.2). */
	CHECK(launch(&exact) == 0);
	print_stats("B", &T.b);
	CHECK_EQ(ST(b, tcp_rst_rx), 1);
	CHECK_EQ(T.sb.closed, 1);
	CHECK_EQ(T.sb.why, PTCP_CLOSE_RESET);
	/* A learns it from B's RST for its next segment. */
	run(50);
	CHECK_EQ(T.sa.closed, 1);
	CHECK_EQ(T.sa.why, PTCP_CLOSE_RESET);
	CHECK_EQ(T.sa.bad + T.sb.bad, 0);
	return close_and_check_pools(true);
}

/* ---- 2. spoofed SYNs ------------------------------------------------ */

static int
spoofed_syn_in_and_out_of_window(void)
{
	struct burst out = { SYN_OUT, 10, 300, 0, 0 };
	struct burst in = { SYN_IN, 10, 300, 0, 0 };
	uint64_t ch0, lim0, ch, lim;
	struct burst *bs[2] = { &out, &in };
	unsigned int k;

	CHECK(start(lim_sets, RTE_DIM(lim_sets), 0x5961a002) == 0);
	for (k = 0; k < 2; k++) {
		ch0 = ST(b, tcp_challenge_ack);
		lim0 = ST(b, tcp_challenge_ack_limited);
		CHECK(launch(bs[k]) == 0);
		ch = ST(b, tcp_challenge_ack) - ch0;
		lim = ST(b, tcp_challenge_ack_limited) - lim0;
		printf("  300 SYNs %s the window: %" PRIu64 " challenge ACKs, %"
			PRIu64 " limited\n", k == 0 ? "outside" : "inside", ch,
			lim);
		print_stats("B", &T.b);
		CHECK_EQ(ch + lim, 300);
		CHECK(ch >= 100 && ch <= budget(bs[k], 100));
		CHECK_EQ(ST(b, tcp_rst_tx) + ST(a, tcp_rst_tx), 0);
		CHECK(survives() == 0);
	}
	return close_and_check_pools(false);
}

/* ---- 3. blind data injection ---------------------------------------- */

static int
blind_data_needs_an_acceptable_ack(void)
{
	struct burst unsent = { DATA_ACK_UNSENT, 5, 200, 0, 0 };
	struct burst old = { DATA_ACK_OLD, 5, 200, 0, 0 };
	struct burst ok = { DATA_ACK_OK, 1, 1, 0, 0 };
	uint64_t un0, ch0, lim0, in0;

	CHECK(start(no_conn_lim, RTE_DIM(no_conn_lim), 0x5961a003) == 0);

	/* ACK beyond SND.MAX: dropped, answered with an ACK. */
	un0 = ST(b, tcp_ack_unsent);
	in0 = ST(b, tcp_data_bytes_in);
	CHECK(launch(&unsent) == 0);
	printf("  200 data segments at RCV.NXT, ACK past SND.MAX:\n");
	print_stats("B", &T.b);
	CHECK_EQ(ST(b, tcp_ack_unsent) - un0, 200);
	CHECK(survives() == 0);

	/* ACK below SND.UNA - MAX.SND.WND: challenge ACK, dropped. */
	ch0 = ST(b, tcp_challenge_ack);
	lim0 = ST(b, tcp_challenge_ack_limited);
	CHECK(launch(&old) == 0);
	printf("  200 data segments at RCV.NXT, ACK too old:\n");
	print_stats("B", &T.b);
	CHECK_EQ(ST(b, tcp_challenge_ack) - ch0 +
		ST(b, tcp_challenge_ack_limited) - lim0, 200);
	CHECK(survives() == 0);
	/* Nothing of the junk reached B's app (the pattern check). */
	CHECK_EQ(T.sb.bad, 0);
	CHECK(ST(b, tcp_data_bytes_in) - in0 > 0);

	/*
	 * The residual risk RFC 5961 §5 accepts: a guess at both an
	 * in-window sequence and an ACK in [SND.UNA - MAX.SND.WND, SND.MAX]
	 * is data. Here the test aims it exactly; the stream is corrupt
	 * after it, which is the point.
	 */
	CHECK_EQ(T.sb.bad, 0);
	CHECK(launch(&ok) == 0);
	run(10);
	printf("  one 100-byte segment with an acceptable ACK: %" PRIu64
		" bytes B received off the pattern\n", T.sb.bad);
	CHECK(T.sb.bad > 0 && T.sb.bad <= 100);
	return close_and_check_pools(true);
}

/* ---- 4. a flood of guesses ------------------------------------------ */

/* A second connection from A to B, idle: the bystander. */
static int
bystander(void)
{
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 97, 0, 2)),
		.rport = SRV_PORT,
	};
	uint32_t la, ra;
	uint16_t rp;

	T.by_a = ptcp_connect(T.a.lc, &o, &by_ops);
	CHECK(T.by_a != NULL);
	run(5);
	CHECK(T.by_b != NULL);
	CHECK_EQ(ptcp_conn_state(T.by_b), PTCP_TCPS_ESTABLISHED);
	ptcp_conn_tuple(T.by_a, &la, &T.by_port, &ra, &rp);
	return 0;
}

/*
 * 100000 guesses (RSTs and SYNs at any sequence number, half of the RSTs
 * in the window) at B's main connection for 10 s, while a second
 * connection on the same lcores sits idle; 5.5 s in (mid-second), one
 * in-window RST at that bystander. With @per_conn, [tcp]
 * invalid_ratelimit_ms at its default (500 ms) on top of the lcore's
 * budget (1000 a second); without, the lcore's budget alone (as before
 * the per-connection limit). @return 0, with what B sent in @ch (challenge
 * ACKs), @lim (held back by the lcore's budget), @conn_lim (held back by
 * the connection's limit) and @by (pure ACKs to the bystander).
 */
static int
flood(bool per_conn, uint64_t seed, uint64_t *ch, uint64_t *lim,
		uint64_t *conn_lim, uint64_t *by)
{
	static const char *const on[] = { "tcp.challenge_ack_limit=1000" };
	static const char *const off[] = { "tcp.challenge_ack_limit=1000",
		"tcp.invalid_ratelimit_ms=0" };
	struct burst fl = { FLOOD, 10, 100000, 0, 0, 45000, 0 };
	uint64_t bad0, inx0, ch0, lim0, cl0, dup0, frx0, a0, b0, rst;

	CHECK(start(per_conn ? on : off, per_conn ? RTE_DIM(on) :
		RTE_DIM(off), seed) == 0);
	CHECK(bystander() == 0);
	bad0 = ST(b, tcp_rst_rx_bad);
	inx0 = ST(b, tcp_rst_rx_inexact);
	ch0 = ST(b, tcp_challenge_ack);
	lim0 = ST(b, tcp_challenge_ack_limited);
	cl0 = ST(b, tcp_oow_ack_limited);
	dup0 = ST(a, tcp_dup_ack_rx);
	frx0 = ST(a, tcp_fast_rexmt);
	a0 = T.sa.got;
	b0 = T.sb.got;
	T.count = true;
	CHECK(launch(&fl) == 0);
	T.count = false;
	*ch = ST(b, tcp_challenge_ack) - ch0;
	*lim = ST(b, tcp_challenge_ack_limited) - lim0;
	*conn_lim = ST(b, tcp_oow_ack_limited) - cl0;
	*by = T.acks_to_by;
	rst = ST(b, tcp_rst_rx_bad) - bad0 + ST(b, tcp_rst_rx_inexact) - inx0;
	printf("  per-connection limit %s: 100000 guesses in %" PRIu64 "..%"
		PRIu64 " ms: %" PRIu64 " RSTs ignored, %" PRIu64 " in the "
		"window, %" PRIu64 " challenge ACKs (lcore budget %" PRIu64
		"), %" PRIu64 " held back by the lcore budget, %" PRIu64
		" by the connection's limit; A saw %" PRIu64 " dup ACKs, %"
		PRIu64 " fast retransmits; %" PRIu64 " / %" PRIu64 " stream "
		"bytes meanwhile; the bystander's RST at %" PRIu64 " ms drew %"
		PRIu64 " ACK\n", per_conn ? "500 ms" : "off",
		fl.first_ms, fl.last_ms, ST(b, tcp_rst_rx_bad) - bad0,
		ST(b, tcp_rst_rx_inexact) - inx0, *ch, budget(&fl, 1000),
		*lim, *conn_lim, ST(a, tcp_dup_ack_rx) - dup0,
		ST(a, tcp_fast_rexmt) - frx0, T.sb.got - b0, T.sa.got - a0,
		fl.by_ms, *by);
	print_stats("B", &T.b);
	print_stats("A", &T.a);
	CHECK(fl.last_ms - fl.first_ms < 10000);
	CHECK(fl.by_ms != 0);
	CHECK_EQ(rst, 50000 + 1);
	/* Every SYN and in-window RST drew a challenge ACK or was held
	 * back by one of the two limits. */
	CHECK_EQ(*ch + *lim + *conn_lim,
		50000 + ST(b, tcp_rst_rx_inexact) - inx0);
	CHECK(*ch <= budget(&fl, 1000));
	/* With it, the peer under attack never retransmits for nothing. */
	if (per_conn)
		CHECK_EQ(ST(a, tcp_fast_rexmt) - frx0, 0);
	CHECK(T.sb.got - b0 > 1000000 && T.sa.got - a0 > 1000000);
	CHECK(survives() == 0);
	ptcp_abort(T.by_a);
	return close_and_check_pools(false);
}

/*
 * The per-connection limit on top of the lcore's budget: the flood costs
 * the attacked connection's peer at most two challenge ACKs a second
 * (500 ms apart), the lcore's budget is never reached, and the bystander's
 * challenge ACK goes at once.
 */
static int
flood_costs_its_target_two_acks_a_second_and_spares_the_rest(void)
{
	uint64_t ch, lim, conn_lim, by, secs;

	CHECK(flood(true, 0x5961a004, &ch, &lim, &conn_lim, &by) == 0);
	secs = 11;                         /* the flood spans 10 s */
	CHECK(ch - by <= 2 * secs);
	CHECK(ch - by >= 2 * (secs - 2));
	CHECK_EQ(lim, 0);
	CHECK_EQ(by, 1);
	return 0;
}

/*
 * Without it (the lcore's budget alone, RFC 5961 §7): the flood takes the
 * whole budget every second, and the bystander's challenge ACK, due from
 * the same budget, is held back. This is what the per-connection limit
 * changes.
 */
static int
flood_without_per_connection_limit_starves_the_bystander(void)
{
	uint64_t ch, lim, conn_lim, by;

	CHECK(flood(false, 0x5961a005, &ch, &lim, &conn_lim, &by) == 0);
	CHECK(ch >= 9000);
	CHECK(lim > 0);
	CHECK_EQ(conn_lim, 0);
	CHECK_EQ(by, 0);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(spoofed_rst_out_in_and_exact),
	TEST(spoofed_syn_in_and_out_of_window),
	TEST(blind_data_needs_an_acceptable_ack),
	TEST(flood_costs_its_target_two_acks_a_second_and_spares_the_rest),
	TEST(flood_without_per_connection_limit_starves_the_bystander),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
