/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: every hard limit hit on purpose (issue 9). Two stacks back to
 * back, A the clients, B a server on port 7. Each test first opens a few
 * "existing" connections that keep exchanging data (A sends a message,
 * B echoes it, both check every byte), then puts one limit under
 * pressure with a second set of connections, and checks that:
 *  (a) the work beyond the limit is refused and counted by its counter,
 *  (b) the existing connections kept working (no close, bytes exact),
 *  (c) once the pressure stops everything recovers: new connections work,
 *      the pressure connections finish, state counts go back to zero after
 *      close + 2*MSL, and every mbuf pool is back at its baseline.
 *
 * The wire is the harness's two rings; between one stack's pass and the
 * other's the test takes every frame off the ring and may drop some (the
 * SYN-ACKs of the pressure connections, or the first data segment of
 * each: a hole that queues what follows out of order). The pressure and
 * the existing connections are told apart by A's local port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"

#define SRV_PORT     7
#define P_MIN        40000   /* pressure connections: A's ports */
#define P_MAX        40999
#define E_MIN        41000   /* existing (and new) connections */
#define E_MAX        41999
#define NREC         (E_MAX - P_MIN + 1)
#define NEXIST       4
#define MSG          128     /* one round of an existing connection */
#define CHUNK        16384
#define MAX_HELD     16384
#define IDLE_MS      20000   /* bound of every wait, virtual ms */

/* What the test knows of one connection, by A's local port. */
struct rec {
	bool used, up, closed;
	bool closing;                  /* A called ptcp_close() */
	bool srv_up, srv_closed;
	enum ptcp_close_reason why, srv_why;
	struct ptcp_conn *c;           /* A's end */
	struct ptcp_conn *sc;          /* B's end */
	uint64_t sent;                 /* queued by A */
	uint64_t target;               /* pressure: bytes to send in all */
	uint64_t echoed;               /* existing: echo back at A */
	uint64_t srv_rcvd;             /* in order at B */
	uint32_t held;                 /* bytes B holds (ptcp_recv_hold) */
	unsigned int bad;              /* bytes not as sent */
	unsigned int writable, enobufs;
	bool close_after_send;         /* TIME-WAIT test: close once queued */
	bool hole_set;
	uint32_t hole;                 /* sequence number of the hole */
};

struct limits {
	struct h_stack a, b;
	struct h_wire w;
	uint64_t now_ms;
	struct rec r[NREC];
	/* the wire's mischief */
	bool drop_synack;              /* B->A frames to pressure ports */
	bool hole;                     /* A->B first data segment, pressure */
	uint64_t wire_dropped;
	/* B's hold mode: keep the pressure connections' data */
	bool hold;
	struct rte_mbuf *held[MAX_HELD];
	unsigned int nheld;
	unsigned int held_overflow;
	unsigned int srv_accepted;
	bool quiet;                    /* existing: no new message */
	bool close_when_done;          /* A closes a pressure connection
	                                * once B has all its data */
};

static struct limits L;

static uint8_t
pattern(uint16_t port, uint64_t i)
{
	return (uint8_t)(port * 31u + i * 7u + (i >> 11));
}

static bool
is_pressure(uint16_t port)
{
	return port >= P_MIN && port <= P_MAX;
}

static struct rec *
rec_of(uint16_t aport)
{
	if (aport < P_MIN || aport > E_MAX)
		return NULL;
	return &L.r[aport - P_MIN];
}

static uint16_t
rec_port(const struct rec *r)
{
	return (uint16_t)(P_MIN + (r - L.r));
}

/* Check @m against @port's pattern from @off; @return the bytes. */
static uint32_t
check_bytes(struct rec *r, uint16_t port, uint64_t off,
		const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t n = 0;
	uint16_t i;

	for (s = m; s != NULL; s = s->next)
		for (i = 0; i < s->data_len; i++, n++)
			if (rte_pktmbuf_mtod(s, const uint8_t *)[i] !=
					pattern(port, off + n))
				r->bad++;
	return n;
}

/* ---- A: the clients --------------------------------------------------- */

static struct rec *
cli_rec(struct ptcp_conn *c)
{
	uint16_t lport;

	ptcp_conn_tuple(c, NULL, &lport, NULL, NULL);
	return rec_of(lport);
}

static void cli_send(struct rec *r);

static void
cli_connected(struct ptcp_conn *c)
{
	struct rec *r = cli_rec(c);

	r->up = true;
	cli_send(r);
}

static void
cli_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct rec *r = cli_rec(c);

	/* Only existing connections get data: their echo. */
	r->echoed += check_bytes(r, rec_port(r), r->echoed, m);
	if (r->echoed > r->sent)
		r->bad++;
	rte_pktmbuf_free(m);
}

static void
cli_writable(struct ptcp_conn *c)
{
	struct rec *r = cli_rec(c);

	r->writable++;
	cli_send(r);
}

static void
cli_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
cli_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct rec *r = cli_rec(c);

	r->closed = true;
	r->why = why;
	r->c = NULL;
}

static const struct ptcp_tcp_ops cli_ops = {
	.connected = cli_connected,
	.data = cli_data,
	.writable = cli_writable,
	.peer_closed = cli_peer_closed,
	.closed = cli_closed,
};

/* Queue @n bytes of @r's stream; @return what was queued. */
static int
send_pattern(struct rec *r, uint32_t n)
{
	static uint8_t buf[CHUNK];
	uint16_t port = rec_port(r);
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++)
		buf[i] = pattern(port, r->sent + i);
	ret = ptcp_send(r->c, buf, n);
	if (ret == -ENOBUFS)
		r->enobufs++;
	else if (ret > 0)
		r->sent += (uint64_t)ret;
	else if (ret < 0)
		r->bad++;
	return ret;
}

/*
 * An existing connection sends its next message once the last one came
 * back; a pressure connection queues what it can up to its target.
 */
static void
cli_send(struct rec *r)
{
	unsigned int k;
	uint32_t n;
	int ret;

	if (r->c == NULL || !r->up || r->closing)
		return;
	if (!is_pressure(rec_port(r))) {
		if (r->echoed == r->sent && !L.quiet)
			send_pattern(r, MSG);
		else if (r->sent % MSG != 0)  /* a short send: finish it */
			send_pattern(r, (uint32_t)(MSG - r->sent % MSG));
		return;
	}
	for (k = 0; k < 64 && r->sent < r->target; k++) {
		n = (uint32_t)RTE_MIN((uint64_t)CHUNK, r->target - r->sent);
		ret = send_pattern(r, n);
		if (ret < (int)n)
			break;
	}
	if (r->close_after_send && r->sent == r->target) {
		r->close_after_send = false;
		r->closing = true;
		ptcp_close(r->c);
	}
}

static struct rec *
open_conn(uint16_t lo, uint16_t hi, uint64_t target)
{
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 97, 0, 2)),
		.rport = SRV_PORT,
		.lport_min = lo,
		.lport_max = hi,
	};
	struct ptcp_conn *c;
	struct rec *r;
	uint16_t lport;

	c = ptcp_connect(L.a.lc, &o, &cli_ops);
	if (c == NULL)
		return NULL;
	ptcp_conn_tuple(c, NULL, &lport, NULL, NULL);
	r = rec_of(lport);
	if (r == NULL || r->used) {
		/* A port reused while its record is still in use: a test
		 * bug; abort so the check below fails cleanly. */
		ptcp_abort(c);
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->c = c;
	r->target = target;
	return r;
}

/* ---- B: the server ------------------------------------------------------- */

static struct rec *
srv_rec(struct ptcp_conn *c)
{
	uint16_t rport;

	ptcp_conn_tuple(c, NULL, NULL, NULL, &rport);
	return rec_of(rport);
}

static int
srv_accepted(struct ptcp_conn *c, void *arg)
{
	struct rec *r = srv_rec(c);

	(void)arg;
	if (r == NULL)
		return -1;
	r->sc = c;
	r->srv_up = true;
	L.srv_accepted++;
	return 0;
}

static void
srv_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	static uint8_t buf[4096];
	struct rec *r = srv_rec(c);
	uint16_t port = rec_port(r);
	const void *p;
	uint32_t n;

	n = check_bytes(r, port, r->srv_rcvd, m);
	if (is_pressure(port)) {
		r->srv_rcvd += n;
		if (L.hold && L.nheld < MAX_HELD) {
			ptcp_recv_hold(c, n);
			r->held += n;
			L.held[L.nheld++] = m;
			return;
		}
		if (L.hold)
			L.held_overflow++;
		rte_pktmbuf_free(m);
		return;
	}
	/* Echo: the same bytes back (small messages: always fit). */
	p = n <= sizeof(buf) ? rte_pktmbuf_read(m, 0, n, buf) : NULL;
	if (p == NULL || ptcp_send(c, p, n) != (int)n)
		r->bad++;
	r->srv_rcvd += n;
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
	struct rec *r = srv_rec(c);

	r->srv_closed = true;
	r->srv_why = why;
	r->sc = NULL;
}

static const struct ptcp_tcp_ops srv_ops = {
	.accepted = srv_accepted,
	.data = srv_data,
	.peer_closed = srv_peer_closed,
	.closed = srv_closed,
};

/* ---- The wire --------------------------------------------------------- */

/*
 * The TCP header of frame @m and its payload length, or NULL (headers
 * not all in the first segment, not IPv4/TCP).
 */
static const struct rte_tcp_hdr *
frame_tcp(const struct rte_mbuf *m, uint32_t *plen)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ih;
	const struct rte_tcp_hdr *th;
	uint32_t ihl, off;

	if (m->data_len < sizeof(*eh) + sizeof(*ih) + sizeof(*th))
		return NULL;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return NULL;
	ih = (const struct rte_ipv4_hdr *)(eh + 1);
	if (ih->next_proto_id != IPPROTO_TCP)
		return NULL;
	ihl = (uint32_t)(ih->version_ihl & 0xf) * 4;
	if (m->data_len < sizeof(*eh) + ihl + sizeof(*th))
		return NULL;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ih + ihl);
	off = (uint32_t)(th->data_off >> 4) * 4;
	*plen = rte_be_to_cpu_16(ih->total_length) - ihl - off;
	return th;
}

/* Should frame @m, going A->B (@ab) or B->A, be lost? */
static bool
wire_drops(const struct rte_mbuf *m, bool ab)
{
	const struct rte_tcp_hdr *th;
	uint32_t plen, seq;
	struct rec *r;

	th = frame_tcp(m, &plen);
	if (th == NULL)
		return false;
	if (!ab)
		return L.drop_synack &&
			is_pressure(rte_be_to_cpu_16(th->dst_port));
	if (!L.hole || plen == 0 ||
			!is_pressure(rte_be_to_cpu_16(th->src_port)))
		return false;
	r = rec_of(rte_be_to_cpu_16(th->src_port));
	seq = rte_be_to_cpu_32(th->sent_seq);
	if (!r->hole_set) {
		r->hole_set = true;
		r->hole = seq;
	}
	return seq == r->hole;
}

static void
wire_pass(struct rte_ring *ring, bool ab)
{
	static struct rte_mbuf *f[4096];
	unsigned int n, i, k = 0;

	n = rte_ring_dequeue_burst(ring, (void **)f, RTE_DIM(f), NULL);
	for (i = 0; i < n; i++) {
		if (wire_drops(f[i], ab)) {
			rte_pktmbuf_free(f[i]);
			L.wire_dropped++;
		} else {
			f[k++] = f[i];
		}
	}
	if (k > 0)
		rte_ring_enqueue_burst(ring, (void **)f, k, NULL);
}

/* One millisecond: A's pass, the wire, B's pass, the wire, the senders. */
static void
step(void)
{
	unsigned int i;

	L.now_ms++;
	h_stack_poll(&L.a, L.now_ms);
	wire_pass(L.w.ab, true);
	h_stack_poll(&L.b, L.now_ms);
	wire_pass(L.w.ba, false);
	for (i = 0; i < NREC; i++) {
		struct rec *r = &L.r[i];

		if (!r->used || r->c == NULL)
			continue;
		cli_send(r);
		if (L.close_when_done && r->c != NULL &&
				is_pressure(rec_port(r)) && r->target > 0 &&
				r->srv_rcvd >= r->target &&
				!r->closing) {
			r->closing = true;
			ptcp_close(r->c);
		}
	}
}

static void
run_ms(unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms; i++)
		step();
}

/* ---- Common phases ---------------------------------------------------- */

static int
setup(const char *const *sets_a, unsigned int na, const char *const *sets_b,
		unsigned int nb)
{
	memset(&L, 0, sizeof(L));
	if (h_pair_create(&L.a, &L.b, &L.w, "10.97.0.1/24", sets_a, na,
			"10.97.0.2/24", sets_b, nb) != 0)
		return -1;
	if (ptcp_listen(L.b.lc, SRV_PORT, &srv_ops, NULL, NULL) != 0)
		return -1;
	run_ms(1);   /* the gratuitous ARPs cross */
	return 0;
}

static void
teardown(void)
{
	unsigned int i;

	for (i = 0; i < L.nheld; i++)
		rte_pktmbuf_free(L.held[i]);
	L.nheld = 0;
	h_pair_destroy(&L.a, &L.b, &L.w);
	memset(&L, 0, sizeof(L));
}

static bool
all_up(uint16_t lo, uint16_t hi)
{
	unsigned int p;

	for (p = lo; p <= hi; p++) {
		const struct rec *r = rec_of((uint16_t)p);

		if (r->used && !r->closed && (!r->up || !r->srv_up))
			return false;
	}
	return true;
}

/* Open @n existing connections and let each do a few rounds. */
static int
open_existing(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (open_conn(E_MIN, E_MAX, 0) == NULL)
			return -1;
	for (i = 0; i < IDLE_MS && !all_up(E_MIN, E_MAX); i++)
		step();
	run_ms(50);
	return all_up(E_MIN, E_MAX) ? 0 : -1;
}

/* Sum of the echoes of the live existing connections. */
static uint64_t
existing_echoed(void)
{
	uint64_t sum = 0;
	unsigned int p;

	for (p = E_MIN; p <= E_MAX; p++)
		if (rec_of((uint16_t)p)->used)
			sum += rec_of((uint16_t)p)->echoed;
	return sum;
}

/* Every existing connection has its last message back. */
static bool
existing_idle(void)
{
	unsigned int p;

	for (p = E_MIN; p <= E_MAX; p++) {
		const struct rec *r = rec_of((uint16_t)p);

		if (r->used && !r->closed && r->echoed != r->sent)
			return false;
	}
	return true;
}

/* Every existing connection still open on both sides, no byte wrong. */
static int
existing_ok(void)
{
	unsigned int p, n = 0;

	for (p = E_MIN; p <= E_MAX; p++) {
		const struct rec *r = rec_of((uint16_t)p);

		if (!r->used)
			continue;
		n++;
		CHECK_MSG(!r->closed && !r->srv_closed && r->bad == 0 &&
			r->echoed > 0,
			"existing :%u closed %d/%d bad %u echoed %" PRIu64, p,
			r->closed, r->srv_closed, r->bad, r->echoed);
	}
	CHECK(n > 0);
	return 0;
}

/* Bytes wrong on any connection. */
static unsigned int
bad_total(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < NREC; i++)
		bad += L.r[i].bad;
	return bad;
}

/* The pressure connections that are still open all sent and delivered
 * their target? */
static bool
pressure_done(void)
{
	unsigned int p;

	for (p = P_MIN; p <= P_MAX; p++) {
		const struct rec *r = rec_of((uint16_t)p);

		if (r->used && !r->closed && r->srv_rcvd < r->target)
			return false;
	}
	return true;
}

static int
wait_pressure_done(void)
{
	unsigned int i;

	for (i = 0; i < IDLE_MS && !pressure_done(); i++)
		step();
	CHECK_MSG(pressure_done(), "pressure data not through after %u ms",
		i);
	return 0;
}

static void
print_counters(const char *what, struct h_stack *s)
{
	struct ptcp_stats st;

	ptcp_engine_stats(s->e, &st);
	printf("  %s counters:\n", what);
	ptcp_stats_print(&st, stdout, "    ");
}

/*
 * Recovery: new connections work, then everyone closes; after 2*MSL no
 * state is left and the pools are back at their baselines.
 */
static int
recover_and_close(void)
{
	unsigned int i, p, s, left;
	uint64_t before;

	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();
	run_ms(50);
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);

	/*
	 * The existing connections finish their last round first: data the
	 * echo sends after A's close would be answered with RST.
	 */
	L.quiet = true;
	for (i = 0; i < IDLE_MS && !existing_idle(); i++)
		step();
	CHECK(existing_idle());
	for (p = P_MIN; p <= E_MAX; p++) {
		struct rec *r = rec_of((uint16_t)p);

		if (r->used && r->c != NULL && !r->closing) {
			r->closing = true;
			ptcp_close(r->c);
		}
	}
	for (i = 0; i < IDLE_MS; i++) {
		step();
		for (s = 0, left = 0; s < PTCP_TCPS_MAX; s++)
			if (s != PTCP_TCPS_LISTEN)
				left += (unsigned int)(h_stack_state(&L.a, s) +
					h_stack_state(&L.b, s));
		if (left == 0)
			break;
	}
	if (left != 0) {
		print_counters("A", &L.a);
		print_counters("B", &L.b);
	}
	for (s = 0; s < PTCP_TCPS_MAX; s++) {
		if (s == PTCP_TCPS_LISTEN)
			continue;
		CHECK_MSG(h_stack_state(&L.a, s) == 0 &&
			h_stack_state(&L.b, s) == 0,
			"state %s: A %" PRIu64 " B %" PRIu64,
			ptcp_tcp_state_name(s), h_stack_state(&L.a, s),
			h_stack_state(&L.b, s));
	}
	for (p = E_MIN; p <= E_MAX; p++) {
		const struct rec *r = rec_of((uint16_t)p);

		if (r->used)
			CHECK_MSG(r->closed && r->why == PTCP_CLOSE_NORMAL &&
				r->srv_closed &&
				r->srv_why == PTCP_CLOSE_NORMAL,
				"existing :%u closed %d (%s) server %d (%s)", p,
				r->closed, ptcp_close_reason_name(r->why),
				r->srv_closed,
				ptcp_close_reason_name(r->srv_why));
	}
	CHECK_EQ(bad_total(), 0);
	CHECK_EQ(ptcp_engine_mbufs_in_use(L.a.e), L.a.baseline);
	CHECK_EQ(ptcp_engine_mbufs_in_use(L.b.e), L.b.baseline);
	return 0;
}

#define STAT(s, name) h_stack_stat(&L.s, PTCP_STAT_##name)

/* ---- The tests -------------------------------------------------------- */

/*
 * B takes 16 TCBs, A 32: B drops the SYNs beyond its cap (they stay in
 * SYN-SENT on A), A's own connect fails with ENOBUFS at its cap.
 */
static int
connection_cap(void)
{
	static const char *const sa[] = { "tcp.max_conns=32" };
	static const char *const sb[] = { "tcp.max_conns=16" };
	uint64_t before;
	unsigned int i, opened = 0, synsent;
	struct rec *r;

	CHECK(setup(sa, RTE_DIM(sa), sb, RTE_DIM(sb)) == 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();

	/* 20 more to B: 12 fit under its cap, 8 do not. */
	for (i = 0; i < 20; i++)
		CHECK(open_conn(P_MIN, P_MAX, 4096) != NULL);
	run_ms(100);
	CHECK_EQ(h_stack_state(&L.b, PTCP_TCPS_ESTABLISHED), 16);
	CHECK_EQ(STAT(b, tcp_conn_cap), 8);
	synsent = (unsigned int)h_stack_state(&L.a, PTCP_TCPS_SYN_SENT);
	CHECK_EQ(synsent, 8);
	/* A at its own cap: 4 + 20 + 8 = 32, then ENOBUFS. */
	for (i = 0; i < 16; i++) {
		r = open_conn(P_MIN, P_MAX, 4096);
		if (r == NULL)
			break;
		opened++;
	}
	CHECK_EQ(opened, 8);
	CHECK_EQ(rte_errno, ENOBUFS);
	CHECK_EQ(STAT(a, tcp_conn_cap), 1);
	run_ms(100);
	CHECK(STAT(b, tcp_conn_cap) > 8);
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);
	printf("  B tcp_conn_cap %" PRIu64 ", A tcp_conn_cap %" PRIu64
		", wire: existing echoed %" PRIu64 " bytes under pressure\n",
		STAT(b, tcp_conn_cap), STAT(a, tcp_conn_cap),
		existing_echoed() - before);

	/*
	 * Pressure off: the connections B took send their data and close;
	 * then the ones it refused get in on their SYN retries.
	 */
	L.close_when_done = true;
	for (i = 0; i < IDLE_MS && (!all_up(P_MIN, P_MAX) ||
			!pressure_done()); i++)
		step();
	CHECK_MSG(all_up(P_MIN, P_MAX) && pressure_done(),
		"refused connections did not get in after the cap freed");
	CHECK_EQ(L.srv_accepted, NEXIST + 20 + 8);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

/*
 * A listener with a backlog of 4 whose SYN-ACKs to the pressure ports are
 * lost: 4 wait in SYN-RECEIVED, the others are answered with a cookie
 * (or dropped with cookies off). Once the wire delivers again, the SYN
 * retries get everyone in.
 */
static int
backlog_body(bool cookies)
{
	static const char *const sb_on[] = { "tcp.syn_backlog=4",
		"tcp.syncookies=yes" };
	static const char *const sb_off[] = { "tcp.syn_backlog=4",
		"tcp.syncookies=no" };
	uint64_t before;
	unsigned int i;

	CHECK(setup(NULL, 0, cookies ? sb_on : sb_off, 2) == 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();
	L.drop_synack = true;
	for (i = 0; i < 12; i++)
		CHECK(open_conn(P_MIN, P_MAX, 2048) != NULL);
	run_ms(100);
	CHECK_EQ(h_stack_state(&L.b, PTCP_TCPS_SYN_RECEIVED), 4);
	CHECK_EQ(STAT(b, tcp_syn_backlog_full), 8);
	if (cookies) {
		CHECK_EQ(STAT(b, tcp_syncookie_sent), 8);
		CHECK_EQ(STAT(b, tcp_syn_drop), 0);
	} else {
		CHECK_EQ(STAT(b, tcp_syncookie_sent), 0);
		CHECK_EQ(STAT(b, tcp_syn_drop), 8);
	}
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);
	printf("  backlog_full %" PRIu64 " cookie_sent %" PRIu64
		" syn_drop %" PRIu64 "\n", STAT(b, tcp_syn_backlog_full),
		STAT(b, tcp_syncookie_sent), STAT(b, tcp_syn_drop));

	L.drop_synack = false;
	for (i = 0; i < IDLE_MS && (!all_up(P_MIN, P_MAX) ||
			!pressure_done()); i++)
		step();
	CHECK_MSG(all_up(P_MIN, P_MAX) && pressure_done(),
		"pressure connections not in after %u ms", i);
	CHECK_EQ(L.srv_accepted, NEXIST + 12);
	printf("  all in after %u ms; cookie_ok %" PRIu64 "\n", i,
		STAT(b, tcp_syncookie_ok));
	CHECK_EQ(h_stack_state(&L.b, PTCP_TCPS_SYN_RECEIVED), 0);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

static int
syn_backlog_with_cookies(void)
{
	return backlog_body(true);
}

static int
syn_backlog_without_cookies(void)
{
	return backlog_body(false);
}

/*
 * A keeps 4 TIME-WAIT entries: 12 short connections closed by A leave 4
 * and are counted tcp_tw_cap for the rest; after 2*MSL the entries are
 * free for the next ones.
 */
static int
time_wait_cap(void)
{
	static const char *const sa[] = { "tcp.max_tw=4" };
	uint64_t before;
	unsigned int i;
	struct rec *r;

	CHECK(setup(sa, RTE_DIM(sa), NULL, 0) == 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();
	for (i = 0; i < 12; i++) {
		CHECK((r = open_conn(P_MIN, P_MAX, 1000)) != NULL);
		r->close_after_send = true;
	}
	for (i = 0; i < 200 && h_stack_state(&L.a, PTCP_TCPS_TIME_WAIT) +
			STAT(a, tcp_tw_cap) < 12; i++)
		step();
	CHECK_EQ(h_stack_state(&L.a, PTCP_TCPS_TIME_WAIT), 4);
	CHECK_EQ(STAT(a, tcp_tw_cap), 8);
	CHECK_EQ(ptcp_tcp_tw_peak(L.a.lc), 4);
	for (i = 0; i < NREC; i++)
		if (L.r[i].used && is_pressure(rec_port(&L.r[i])))
			CHECK(L.r[i].closed &&
				L.r[i].why == PTCP_CLOSE_NORMAL &&
				L.r[i].srv_rcvd == 1000);
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);
	printf("  TIME-WAIT 4 kept, tcp_tw_cap %" PRIu64 "\n",
		STAT(a, tcp_tw_cap));

	/* 2*MSL later the cap has room again. */
	for (i = 0; i < 1200 && h_stack_state(&L.a, PTCP_TCPS_TIME_WAIT); i++)
		step();
	CHECK_EQ(h_stack_state(&L.a, PTCP_TCPS_TIME_WAIT), 0);
	CHECK_EQ(STAT(a, tcp_tw_expired), 4);
	for (i = 0; i < NREC; i++)
		if (is_pressure(rec_port(&L.r[i])))
			L.r[i].used = false;
	for (i = 0; i < 4; i++) {
		CHECK((r = open_conn(P_MIN, P_MAX, 1000)) != NULL);
		r->close_after_send = true;
	}
	for (i = 0; i < 200 && h_stack_state(&L.a, PTCP_TCPS_TIME_WAIT) < 4;
			i++)
		step();
	CHECK_EQ(h_stack_state(&L.a, PTCP_TCPS_TIME_WAIT), 4);
	CHECK_EQ(STAT(a, tcp_tw_cap), 8);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

/*
 * Pressure connections whose first data segment is lost for a while:
 * what follows waits out of order at B, beyond a small budget it is
 * dropped; when the wire heals, retransmission fills everything in.
 */
static int
hole_body(const char *const *sb, unsigned int nb, unsigned int nconn,
		unsigned int hole_ms)
{
	uint64_t before;
	unsigned int i;

	CHECK(setup(NULL, 0, sb, nb) == 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();
	L.hole = true;
	for (i = 0; i < nconn; i++)
		CHECK(open_conn(P_MIN, P_MAX, 256 * 1024) != NULL);
	run_ms(hole_ms);
	CHECK(STAT(b, tcp_ooo_drop) > 0);
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);
	L.hole = false;
	CHECK_EQ(wait_pressure_done(), 0);
	CHECK_EQ(bad_total(), 0);
	printf("  B: ooo_segs %" PRIu64 " ooo_drop %" PRIu64 " recov_cap %"
		PRIu64 "; A: rexmt %" PRIu64 " rto %" PRIu64
		"; wire dropped %" PRIu64 "\n", STAT(b, tcp_ooo_segs),
		STAT(b, tcp_ooo_drop), STAT(b, tcp_recov_cap),
		STAT(a, tcp_rexmt), STAT(a, tcp_rto), L.wire_dropped);
	return 0;
}

static int
out_of_order_budget(void)
{
	static const char *const sb[] = { "tcp.ooo_max=8192" };
	uint64_t drop, segs;
	struct rec *r;
	unsigned int i;

	CHECK_EQ(hole_body(sb, RTE_DIM(sb), 3, 300), 0);
	CHECK(STAT(b, tcp_ooo_segs) > 0);
	CHECK_EQ(STAT(b, tcp_recov_cap), 0);
	/* Healed: a new hole queues again. */
	drop = STAT(b, tcp_ooo_drop);
	segs = STAT(b, tcp_ooo_segs);
	L.hole = true;
	CHECK((r = open_conn(P_MIN, P_MAX, 64 * 1024)) != NULL);
	for (i = 0; i < 200 && STAT(b, tcp_ooo_segs) == segs; i++)
		step();
	CHECK(STAT(b, tcp_ooo_segs) > segs);
	L.hole = false;
	CHECK_EQ(wait_pressure_done(), 0);
	printf("  after: ooo_segs +%" PRIu64 " ooo_drop +%" PRIu64 "\n",
		STAT(b, tcp_ooo_segs) - segs, STAT(b, tcp_ooo_drop) - drop);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

static int
recovery_block_cap(void)
{
	static const char *const sb[] = { "tcp.max_recovery=2" };
	uint64_t cap, segs;
	struct rec *r;
	unsigned int i;

	CHECK_EQ(hole_body(sb, RTE_DIM(sb), 6, 300), 0);
	CHECK(STAT(b, tcp_recov_cap) > 0);
	/*
	 * The holes are filled and the pressure connections idle but open:
	 * does a new connection with a hole get a block? It must: a holder
	 * whose recovery is over and whose out-of-order queue is empty gives
	 * its block back when the pool runs short (tcp_recov_release_idle),
	 * so long-lived connections cannot starve the others of recovery.
	 */
	run_ms(2000);
	cap = STAT(b, tcp_recov_cap);
	segs = STAT(b, tcp_ooo_segs);
	L.hole = true;
	CHECK((r = open_conn(P_MIN, P_MAX, 64 * 1024)) != NULL);
	run_ms(300);
	printf("  idle holders still open, a new hole: recov_cap +%" PRIu64
		", ooo_segs +%" PRIu64 "\n", STAT(b, tcp_recov_cap) - cap,
		STAT(b, tcp_ooo_segs) - segs);
	CHECK_EQ(STAT(b, tcp_recov_cap), cap);
	CHECK(STAT(b, tcp_ooo_segs) > segs);
	L.hole = false;
	CHECK_EQ(wait_pressure_done(), 0);
	/* Once the holders close their blocks are back: a new hole gets one. */
	for (i = 0; i < NREC; i++)
		if (L.r[i].used && is_pressure(rec_port(&L.r[i])) &&
				L.r[i].c != NULL) {
			L.r[i].closing = true;
			ptcp_close(L.r[i].c);
		}
	run_ms(100);
	cap = STAT(b, tcp_recov_cap);
	segs = STAT(b, tcp_ooo_segs);
	L.hole = true;
	CHECK((r = open_conn(P_MIN, P_MAX, 64 * 1024)) != NULL);
	for (i = 0; i < 200 && STAT(b, tcp_ooo_segs) == segs; i++)
		step();
	CHECK(STAT(b, tcp_ooo_segs) > segs);
	CHECK_EQ(STAT(b, tcp_recov_cap), cap);
	L.hole = false;
	CHECK_EQ(wait_pressure_done(), 0);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

/*
 * A has 2047 mbufs; B keeps every byte of the pressure connections
 * (ptcp_recv_hold and the mbufs themselves, which are A's: the ring
 * passes them over) until A's pool is dry. A keeps running: sends fail
 * with ENOBUFS, what it cannot transmit is counted. Released, the pool
 * refills, the writable callbacks come, and everything completes.
 */
static int
mbuf_pool(void)
{
	static const char *const sa[] = { "mempool.mbufs=2047" };
	struct rte_mempool *pool;
	unsigned int i, j, enobufs = 0, writable = 0, dry_at = 0;
	uint64_t nombuf, before;

	CHECK(setup(sa, RTE_DIM(sa), NULL, 0) == 0);
	pool = L.a.e->pools[0];
	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();
	L.hold = true;
	for (i = 0; i < 12; i++)
		CHECK(open_conn(P_MIN, P_MAX, 1024 * 1024) != NULL);
	for (i = 0; i < 3000; i++) {
		step();
		for (j = 0, enobufs = 0; j < NREC; j++)
			enobufs += L.r[j].enobufs;
		if (dry_at == 0 && (enobufs > 0 ||
				STAT(a, tx_drop_nombuf) > 0))
			dry_at = i;
		if (dry_at != 0 && i > dry_at + 200)
			break;
	}
	CHECK_MSG(dry_at != 0, "A's pool never ran dry: %u free",
		rte_mempool_avail_count(pool));
	nombuf = STAT(a, tx_drop_nombuf);
	printf("  dry after %u ms, B holds %u chains, A in use %u: "
		"ENOBUFS %u, tx_drop_nombuf %" PRIu64 "\n", dry_at, L.nheld,
		rte_mempool_in_use_count(pool), enobufs, nombuf);
	CHECK_EQ(L.held_overflow, 0);
	CHECK(enobufs > 0);
	CHECK(nombuf > 0);
	CHECK(existing_echoed() > before);
	for (i = E_MIN; i <= E_MAX; i++)
		CHECK(!rec_of((uint16_t)i)->closed);

	/* Release: B lets go of everything and consumes from now on. */
	L.hold = false;
	for (i = 0; i < L.nheld; i++)
		rte_pktmbuf_free(L.held[i]);
	L.nheld = 0;
	for (i = 0; i < NREC; i++)
		if (L.r[i].held > 0 && L.r[i].sc != NULL) {
			ptcp_recv_release(L.r[i].sc, L.r[i].held);
			L.r[i].held = 0;
		}
	before = existing_echoed();
	run_ms(10);
	for (i = 0, writable = 0; i < NREC; i++)
		writable += L.r[i].writable;
	CHECK(writable > 0);
	CHECK_EQ(wait_pressure_done(), 0);
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);
	printf("  released: %u writable callbacks, tx_drop_nombuf %" PRIu64
		"\n", writable, STAT(a, tx_drop_nombuf));
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

/*
 * B's TX queue refuses every frame for 120 ms (less than the minimum RTO),
 * then takes 16 a call for 300 ms, while the existing connections echo and
 * 20 new ones connect and send 32 KiB each: every refused frame waits in
 * B's TX backlog and leaves in order, so nothing is lost, nothing is
 * retransmitted and no SYN is shed.
 */
static int
tx_queue_refusing_frames_loses_no_segment(void)
{
	static struct h_tx_gate g;
	uint64_t before;
	unsigned int i, peak = 0;

	CHECK(setup(NULL, 0, NULL, 0) == 0);
	CHECK_EQ(h_tx_gate_attach(&g, L.b.lc->ifs[0].txq.port_id), 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	before = existing_echoed();
	g.on = true;
	for (i = 0; i < 20; i++)
		CHECK(open_conn(P_MIN, P_MAX, 32 * 1024) != NULL);
	for (i = 0; i < 420; i++) {
		if (i == 120)
			g.take = 16;
		step();
		peak = RTE_MAX(peak, L.b.lc->ifs[0].txq.bl_n);
	}
	g.on = false;
	CHECK_EQ(wait_pressure_done(), 0);
	CHECK(all_up(P_MIN, P_MAX));
	CHECK(existing_echoed() > before);
	CHECK_EQ(existing_ok(), 0);
	printf("  B: backlog peak %u, held %" PRIu64 ", sent later %" PRIu64
		", dropped %" PRIu64 "\n", peak, STAT(b, tx_backlog_held),
		STAT(b, tx_backlog_sent), STAT(b, tx_drop_full));
	CHECK(peak > 0);
	CHECK(STAT(b, tx_backlog_held) > 0);
	CHECK_EQ(STAT(b, tx_backlog_sent), STAT(b, tx_backlog_held));
	CHECK_EQ(STAT(b, tx_drop_full), 0);
	CHECK_EQ(STAT(b, tcp_syn_shed), 0);
	/* Nothing had to be sent twice, by either side. */
	CHECK_EQ(STAT(a, tcp_rto) + STAT(b, tcp_rto), 0);
	CHECK_EQ(STAT(a, tcp_rexmt) + STAT(b, tcp_rexmt), 0);
	CHECK_EQ(STAT(a, tcp_syn_rexmt) + STAT(b, tcp_synack_rexmt), 0);
	CHECK_EQ(STAT(a, tcp_ooo_segs), 0);
	h_tx_gate_detach(&g);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

/*
 * A backlog of 16 and a port that refuses everything for 300 ms while 20
 * connections try to get in: once it is more than half full B stops
 * answering SYNs (tcp_syn_shed) instead of queueing SYN-ACKs; it never
 * holds more than its bound, and what does not fit is dropped and
 * counted. When the port takes again, the shed connections get in on
 * their SYN retries and everything recovers.
 */
static int
tx_backlog_bound_sheds_syns_first(void)
{
	static const char *const sb[] = { "lcores.tx_backlog=16" };
	static struct h_tx_gate g;
	unsigned int i, peak = 0;

	CHECK(setup(NULL, 0, sb, RTE_DIM(sb)) == 0);
	CHECK_EQ(h_tx_gate_attach(&g, L.b.lc->ifs[0].txq.port_id), 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	g.on = true;
	for (i = 0; i < 300; i++) {
		if (i < 20)   /* one new connection a millisecond */
			CHECK(open_conn(P_MIN, P_MAX, 4096) != NULL);
		step();
		peak = RTE_MAX(peak, L.b.lc->ifs[0].txq.bl_n);
	}
	printf("  B: backlog peak %u, held %" PRIu64 ", dropped %" PRIu64
		", SYNs shed %" PRIu64 "\n", peak, STAT(b, tx_backlog_held),
		STAT(b, tx_drop_full), STAT(b, tcp_syn_shed));
	CHECK(peak <= 16);
	CHECK(STAT(b, tcp_syn_shed) > 0);
	/* SYN-ACKs queued only while it was at most half full */
	CHECK(h_stack_state(&L.b, PTCP_TCPS_SYN_RECEIVED) <= 9);
	g.on = false;
	L.close_when_done = true;
	for (i = 0; i < IDLE_MS && (!all_up(P_MIN, P_MAX) ||
			!pressure_done()); i++)
		step();
	CHECK_MSG(all_up(P_MIN, P_MAX) && pressure_done(),
		"shed connections did not get in");
	CHECK_EQ(L.srv_accepted, NEXIST + 20);
	CHECK_EQ(L.b.lc->ifs[0].txq.bl_n, 0);
	CHECK_EQ(STAT(b, tx_backlog_sent), STAT(b, tx_backlog_held));
	CHECK_EQ(existing_ok(), 0);
	h_tx_gate_detach(&g);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

/*
 * A port that takes nothing at all (a memif whose peer is gone): what B's
 * backlog holds is kept while the port might still take it, and dropped
 * once it has taken none of it for PTCP_TX_STALE_MS (tx_drop_stale), so
 * the pool gets its mbufs back. When the port takes again, the
 * connections recover by retransmission.
 */
static int
tx_backlog_of_a_dead_port_is_dropped(void)
{
	static struct h_tx_gate g;
	uint32_t held = 0;
	uint64_t in_use;
	unsigned int i;

	CHECK(setup(NULL, 0, NULL, 0) == 0);
	CHECK_EQ(h_tx_gate_attach(&g, L.b.lc->ifs[0].txq.port_id), 0);
	CHECK_EQ(open_existing(NEXIST), 0);
	g.on = true;                         /* g.take 0: refuses every frame */
	for (i = 0; i < 20; i++)
		CHECK(open_conn(P_MIN, P_MAX, 32 * 1024) != NULL);
	for (i = 0; i < PTCP_TX_STALE_MS / 2; i++) {
		step();
		held = RTE_MAX(held, L.b.lc->ifs[0].txq.bl_n);
	}
	CHECK(held > 0);
	CHECK_EQ(STAT(b, tx_drop_stale), 0);     /* not yet: it may move */
	in_use = ptcp_engine_mbufs_in_use(L.b.e);
	for (i = 0; i < PTCP_TX_STALE_MS + 10; i++)
		step();
	printf("  B: backlog peak %u, dropped stale %" PRIu64 ", mbufs in use "
		"%" PRIu64 " -> %u\n", held, STAT(b, tx_drop_stale), in_use,
		ptcp_engine_mbufs_in_use(L.b.e));
	CHECK(STAT(b, tx_drop_stale) >= held);
	CHECK(STAT(b, tx_drop_stale) < STAT(b, tx_backlog_held) + 1);
	/* a retransmission may be held again since: at most one pass' worth */
	CHECK(L.b.lc->ifs[0].txq.bl_n < held);
	CHECK(ptcp_engine_mbufs_in_use(L.b.e) < in_use);
	g.on = false;
	L.close_when_done = true;
	for (i = 0; i < 20 * IDLE_MS && (!all_up(P_MIN, P_MAX) ||
			!pressure_done()); i++)
		step();
	CHECK_MSG(all_up(P_MIN, P_MAX) && pressure_done(),
		"connections did not recover");
	CHECK_EQ(L.b.lc->ifs[0].txq.bl_n, 0);
	h_tx_gate_detach(&g);
	CHECK_EQ(recover_and_close(), 0);
	teardown();
	return 0;
}

static void
after(void)
{
	if (L.a.e != NULL || L.w.ab != NULL)
		teardown();
}

static const struct ptcp_test tests[] = {
	TEST(connection_cap),
	TEST(syn_backlog_with_cookies),
	TEST(syn_backlog_without_cookies),
	TEST(time_wait_cap),
	TEST(out_of_order_budget),
	TEST(recovery_block_cap),
	TEST(mbuf_pool),
	TEST(tx_queue_refusing_frames_loses_no_segment),
	TEST(tx_backlog_bound_sheds_syns_first),
	TEST(tx_backlog_of_a_dead_port_is_dropped),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
