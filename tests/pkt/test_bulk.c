/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: nothing is lost. Two ptcp stacks in this process (an h_pair)
 * joined by a faulty wire (wire.h) that drops, duplicates, reorders and
 * corrupts TCP segments and limits bandwidth and delay, all in a virtual
 * clock. One connection carries a seeded pseudo-random stream each way at
 * once; what arrives is compared byte by byte with the stream and its
 * SHA-256 with the sender's, both sides close, every close is NORMAL, and
 * every pool (both engines', the wire's) is back at its baseline.
 *
 * Also here: the same with SACK off (the NewReno path), a reader that
 * stops reading (the window closes, the sender probes it for a virtual
 * minute, then everything arrives), and the wire's own checks: the rates
 * it was asked for, the reordering bound, bandwidth and delay, and that a
 * corruption never writes into a buffer the sender shares.
 *
 * Every failure prints its seed; PTCP_WIRE_SEED=<seed> ./test_bulk <test>
 * replays it. PTCP_BULK_MB sets the bulk size (default 100 MiB each way;
 * the sanitizer build uses less, see meson.build).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_sha256.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"
#include "ptcp_test_rand.h"
#include "wire.h"

#define SRV_PORT      5001
#define MIB           (UINT64_C(1) << 20)
#define CHUNK         (64 * 1024)     /* most one ptcp_send() is asked */
#define MIN_STEP_US   5               /* clock step while frames move */
#define MAX_HELD      16384           /* chains a holding reader keeps */
#define RCV_BUF       1048576
#define NO_BAD        UINT64_MAX

#define ADDR_A        "10.98.0.1/24"
#define ADDR_B        "10.98.0.2/24"

/* One direction of the transfer. */
struct flow {
	uint64_t seed;                 /* of the byte stream */
	uint64_t total;                /* bytes to send */
	uint64_t sent;                 /* bytes ptcp_send() took */
	uint64_t rcvd;                 /* bytes the receiver was handed */
	uint64_t bad_at;               /* first byte that differs, or NO_BAD */
	bool eof;                      /* the receiver got peer_closed */
	uint64_t last_us;              /* when bytes last arrived */
	struct ptcp_sha256 tx, rx;
};

/* One side's connection and application. */
struct end {
	const char *name;
	struct ptcp_conn *c;
	struct flow *out, *in;
	bool shut;                     /* all sent, FIN asked for */
	bool peer_closed, closed;
	int reason;
	int send_err;                  /* a send error other than ENOBUFS */
	uint64_t writable;             /* writable callbacks */
	/* a reader that stops reading */
	bool holding;
	struct rte_mbuf **held;
	unsigned int nheld;
	uint64_t held_bytes;
	bool held_overflow;
};

struct bulk {
	struct h_stack a, b;
	struct h_wire hw;
	struct wire *w;
	uint64_t now_us;
	uint64_t seed;
	const char *test;
	struct flow ab, ba;
	struct end ea, eb;
	uint64_t iters;
	uint8_t chunk[CHUNK];
	uint8_t expect[CHUNK];
};

static struct bulk B;

static double
wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtoull(s, &end, 0);
	return *end == '\0' && v > 0 ? (uint64_t)v : dflt;
}

static uint64_t
bulk_bytes(void)
{
	return env_u64("PTCP_BULK_MB", 100) * MIB;
}

/* ---- the byte stream ------------------------------------------------ */

/* Bytes @off.. of stream @seed into @buf: 8-byte words from splitmix64 of
 * their index, so any range can be made without the ones before it. */
static void
stream_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t s, word;
	size_t n, o;

	while (len > 0) {
		s = seed + (off / 8) * UINT64_C(0x9e3779b97f4a7c15);
		word = ptcp_test_rand(&s);
		o = off % 8;
		n = RTE_MIN(8 - o, len);
		memcpy(buf, (uint8_t *)&word + o, n);
		buf += n;
		off += n;
		len -= n;
	}
}

static void
flow_init(struct flow *f, uint64_t seed, uint64_t total)
{
	memset(f, 0, sizeof(*f));
	f->seed = seed;
	f->total = total;
	f->bad_at = NO_BAD;
	ptcp_sha256_init(&f->tx);
	ptcp_sha256_init(&f->rx);
}

/* Bytes the receiver of @f was handed: into the digest, and checked
 * against the stream where they should be. */
static void
flow_consume(struct flow *f, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	ptcp_sha256_update(&f->rx, p, len);
	if (f->bad_at == NO_BAD) {
		if (f->rcvd + len > f->total) {
			f->bad_at = f->total;       /* more than was sent */
		} else {
			stream_fill(f->seed, f->rcvd, B.expect, len);
			if (memcmp(p, B.expect, len) != 0) {
				for (i = 0; p[i] == B.expect[i]; i++)
					;
				f->bad_at = f->rcvd + i;
			}
		}
	}
	f->rcvd += len;
	f->last_us = B.now_us;
}

static void
flow_consume_chain(struct flow *f, const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		flow_consume(f, rte_pktmbuf_mtod(m, const uint8_t *),
			m->data_len);
}

/* ---- the application on each side ---------------------------------- */

/*
 * Send what the buffer takes. Each call asks for one byte more than
 * ptcp_send_space() (or a chunk), so the last call comes back short and
 * leaves a writable request: the writable callback calls this again.
 */
static void
pump(struct end *e)
{
	struct flow *f = e->out;
	unsigned int guard;
	uint32_t space;
	size_t len;
	int n;

	if (e->c == NULL || e->shut)
		return;
	for (guard = 0; guard < 4096 && f->sent < f->total; guard++) {
		space = ptcp_send_space(e->c);
		len = (size_t)RTE_MIN(f->total - f->sent,
			RTE_MIN((uint64_t)space + 1, (uint64_t)CHUNK));
		stream_fill(f->seed, f->sent, B.chunk, len);
		n = ptcp_send(e->c, B.chunk, len);
		if (n < 0) {
			if (n != -ENOBUFS)
				e->send_err = n;
			return;
		}
		ptcp_sha256_update(&f->tx, B.chunk, (size_t)n);
		f->sent += (uint64_t)n;
		if ((size_t)n < len)
			return;
	}
	if (f->sent < f->total)
		return;
	/* All queued: FIN after it. Close if the peer is done too. */
	e->shut = true;
	if (e->peer_closed)
		ptcp_close(e->c);
	else if (ptcp_shutdown(e->c) != 0)
		e->send_err = -EPIPE;
}

static void
on_connected(struct ptcp_conn *c)
{
	struct end *e = ptcp_conn_arg(c);

	e->c = c;
	pump(e);
}

static int
on_accepted(struct ptcp_conn *c, void *arg)
{
	struct end *e = arg;

	if (e->c != NULL || e->closed)
		return -1;                 /* one connection per test */
	e->c = c;
	ptcp_conn_set_arg(c, e);
	pump(e);
	return 0;
}

static void
on_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct end *e = ptcp_conn_arg(c);

	if (e->holding) {
		/* The app keeps it and tells ptcp so: the window shrinks. */
		if (e->nheld < MAX_HELD) {
			e->held[e->nheld++] = m;
			e->held_bytes += rte_pktmbuf_pkt_len(m);
			ptcp_recv_hold(c, rte_pktmbuf_pkt_len(m));
			return;
		}
		e->held_overflow = true;
	}
	flow_consume_chain(e->in, m);
	rte_pktmbuf_free(m);
}

static void
on_writable(struct ptcp_conn *c)
{
	struct end *e = ptcp_conn_arg(c);

	e->writable++;
	pump(e);
}

static void
on_peer_closed(struct ptcp_conn *c)
{
	struct end *e = ptcp_conn_arg(c);

	e->peer_closed = true;
	e->in->eof = true;
	if (e->shut)
		ptcp_close(c);
}

static void
on_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct end *e = ptcp_conn_arg(c);

	e->closed = true;
	e->reason = (int)why;
	e->c = NULL;
}

static const struct ptcp_tcp_ops bulk_ops = {
	.accepted = on_accepted,
	.connected = on_connected,
	.data = on_data,
	.writable = on_writable,
	.peer_closed = on_peer_closed,
	.closed = on_closed,
};

/* What a holding reader kept: checked and digested now, then released. */
static void
release_held(struct end *e)
{
	unsigned int i;

	for (i = 0; i < e->nheld; i++) {
		flow_consume_chain(e->in, e->held[i]);
		rte_pktmbuf_free(e->held[i]);
	}
	e->nheld = 0;
	e->holding = false;
	if (e->c != NULL)
		ptcp_recv_release(e->c, (uint32_t)e->held_bytes);
	e->held_bytes = 0;
}

/* ---- the pair, the wire, the clock ---------------------------------- */

static void
bulk_teardown(void)
{
	struct rte_ring *r[2] = { B.hw.ab, B.hw.ba };
	struct rte_mbuf *m;
	unsigned int i, k;

	/* The app's chains, then the wire's frames, then what waits on the
	 * rings, all while the pools they came from still exist. */
	for (k = 0; k < 2; k++) {
		struct end *e = k == 0 ? &B.ea : &B.eb;

		for (i = 0; i < e->nheld; i++)
			rte_pktmbuf_free(e->held[i]);
		e->nheld = 0;
		free(e->held);
		e->held = NULL;
	}
	wire_detach(B.w);
	for (i = 0; i < 2; i++)
		while (r[i] != NULL && rte_ring_dequeue(r[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
	/* Each stack's queues hold the other's mbufs: both let go before
	 * either pool goes. */
	if (B.a.e != NULL)
		ptcp_tcp_detach(B.a.e);
	if (B.b.e != NULL)
		ptcp_tcp_detach(B.b.e);
	h_pair_destroy(&B.a, &B.b, &B.hw);
	wire_free(B.w);
	B.w = NULL;
}

static void
after(void)
{
	if (B.a.e != NULL || B.b.e != NULL || B.w != NULL || B.hw.ab != NULL)
		bulk_teardown();
	memset(&B, 0, offsetof(struct bulk, chunk));
}

/* One loop pass of each stack, then the clock moves on: by a small step
 * while frames wait on a ring, else to the next thing due (a frame on the
 * wire, or the next millisecond, where the timers are). */
static void
step(void)
{
	uint64_t next = B.now_us + MIN_STEP_US, edge, due;

	h_stack_poll_us(&B.a, B.now_us);
	h_stack_poll_us(&B.b, B.now_us);
	B.iters++;
	if (rte_ring_count(B.hw.ab) == 0 && rte_ring_count(B.hw.ba) == 0) {
		edge = (B.now_us / 1000 + 1) * 1000;
		due = wire_next_due_us(B.w);
		next = RTE_MAX(next, RTE_MIN(edge, due));
	}
	B.now_us = next;
}

struct limits {
	uint64_t virt_us;              /* virtual time */
	uint64_t iters;                /* loop passes */
	double wall_s;                 /* real time */
};

/*
 * Step until @done() or a limit. @return 0 if done, -1 (having said which
 * limit) if not.
 */
static int
run_until(bool (*done)(void), const struct limits *lim, const char *what)
{
	uint64_t t0 = B.now_us, i0 = B.iters;
	double w0 = wall_s(), w = w0;

	while (!done()) {
		if (B.now_us - t0 >= lim->virt_us ||
				B.iters - i0 >= lim->iters || w - w0 >= lim->wall_s) {
			fprintf(stderr, "  %s: not done after %.3f virtual "
				"s, %" PRIu64 " passes, %.1f wall s (limits %.0f "
				"s, %" PRIu64 ", %.0f s)\n", what,
				(double)(B.now_us - t0) * 1e-6, B.iters - i0,
				w - w0, (double)lim->virt_us * 1e-6, lim->iters,
				lim->wall_s);
			return -1;
		}
		step();
		if (((B.iters - i0) & 1023) == 0)
			w = wall_s();
	}
	return 0;
}

static int
pair_up(const char *const *sets, unsigned int nsets,
		const struct wire_params *wp, uint64_t bytes_ab,
		uint64_t bytes_ba)
{
	uint64_t s = B.seed;
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 2)),
		.rport = SRV_PORT,
		.arg = &B.ea,
	};

	flow_init(&B.ab, ptcp_test_rand(&s), bytes_ab);
	flow_init(&B.ba, ptcp_test_rand(&s), bytes_ba);
	B.ea = (struct end){ .name = "A", .out = &B.ab, .in = &B.ba };
	B.eb = (struct end){ .name = "B", .out = &B.ba, .in = &B.ab };
	B.ea.held = calloc(MAX_HELD, sizeof(*B.ea.held));
	B.eb.held = calloc(MAX_HELD, sizeof(*B.eb.held));
	if (B.ea.held == NULL || B.eb.held == NULL)
		return -1;
	if (h_pair_create(&B.a, &B.b, &B.hw, ADDR_A, sets, nsets, ADDR_B,
			sets, nsets) != 0)
		return -1;
	B.w = wire_create(&B.now_us, B.seed, wp, wp);
	if (B.w == NULL || wire_attach(B.w, &B.a, &B.b, &B.hw) != 0)
		return -1;
	if (ptcp_listen(B.b.lc, SRV_PORT, &bulk_ops, &B.eb, NULL) != 0)
		return -1;
	/* The gratuitous ARPs cross first. */
	B.now_us = 0;
	step();
	step();
	if (ptcp_connect(B.a.lc, &o, &bulk_ops) == NULL) {
		fprintf(stderr, "  connect: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static bool
both_closed(void)
{
	return (B.ea.closed && B.eb.closed) || B.ea.send_err != 0 ||
		B.eb.send_err != 0;
}

static bool
quiet(void)
{
	unsigned int st;

	if (wire_held(B.w) != 0)
		return false;
	for (st = 0; st < PTCP_TCPS_MAX; st++)
		if (st != PTCP_TCPS_LISTEN && (h_stack_state(&B.a, st) != 0 ||
				h_stack_state(&B.b, st) != 0))
			return false;
	return true;
}

/* ---- reports -------------------------------------------------------- */

static const enum ptcp_stat_id recovery_stats[] = {
	PTCP_STAT_tcp_segs_out, PTCP_STAT_tcp_rexmt, PTCP_STAT_tcp_fast_rexmt,
	PTCP_STAT_tcp_sack_rexmt, PTCP_STAT_tcp_partial_ack,
	PTCP_STAT_tcp_recovery, PTCP_STAT_tcp_rto,
	PTCP_STAT_tcp_sack_blocks_rx, PTCP_STAT_tcp_sack_blocks_tx,
	PTCP_STAT_tcp_ooo_segs, PTCP_STAT_tcp_ooo_bytes,
	PTCP_STAT_tcp_ooo_drop, PTCP_STAT_tcp_dup_ack_tx,
	PTCP_STAT_tcp_dup_ack_rx, PTCP_STAT_tcp_dup_data,
	PTCP_STAT_tcp_delack, PTCP_STAT_tcp_recov_cap,
	PTCP_STAT_tcp_zero_window_probe, PTCP_STAT_tcp_bad_csum,
	PTCP_STAT_tcp_bad_off, PTCP_STAT_tcp_out_of_window,
	PTCP_STAT_tcp_ack_unsent, PTCP_STAT_tcp_ack_old,
	PTCP_STAT_tcp_challenge_ack, PTCP_STAT_tcp_timeout_drop,
	PTCP_STAT_tx_drop_full, PTCP_STAT_tx_drop_nombuf,
};

static void
print_counters(void)
{
	static const char *const names[] = {
#define NAME(n, d) #n,
		PTCP_STATS_LIST(NAME)
#undef NAME
	};
	struct ptcp_stats sa, sb;
	unsigned int i;

	ptcp_engine_stats(B.a.e, &sa);
	ptcp_engine_stats(B.b.e, &sb);
	printf("    %-22s %12s %12s\n", "counter", "A", "B");
	for (i = 0; i < RTE_DIM(recovery_stats); i++)
		printf("    %-22s %12" PRIu64 " %12" PRIu64 "\n",
			names[recovery_stats[i]], sa.c[recovery_stats[i]],
			sb.c[recovery_stats[i]]);
	wire_print(B.w, "    ");
}

static void
print_progress(void)
{
	unsigned int st;

	printf("    at %.3f virtual s: A->B sent %" PRIu64 " rcvd %" PRIu64
		" of %" PRIu64 " (last at %.3f s); B->A sent %" PRIu64 " rcvd %"
		PRIu64 " of %" PRIu64 " (last at %.3f s)\n",
		(double)B.now_us * 1e-6, B.ab.sent, B.ab.rcvd, B.ab.total,
		(double)B.ab.last_us * 1e-6, B.ba.sent, B.ba.rcvd, B.ba.total,
		(double)B.ba.last_us * 1e-6);
	printf("    A: shut %d peer_closed %d closed %d (%s) writable %" PRIu64
		"; B: shut %d peer_closed %d closed %d (%s) writable %" PRIu64
		"\n", B.ea.shut, B.ea.peer_closed, B.ea.closed,
		B.ea.closed ? ptcp_close_reason_name((unsigned int)B.ea.reason) :
		"-", B.ea.writable, B.eb.shut, B.eb.peer_closed, B.eb.closed,
		B.eb.closed ? ptcp_close_reason_name((unsigned int)B.eb.reason) :
		"-", B.eb.writable);
	for (st = 0; st < PTCP_TCPS_MAX; st++)
		if (h_stack_state(&B.a, st) + h_stack_state(&B.b, st) != 0)
			printf("    state %-12s A %" PRIu64 " B %" PRIu64 "\n",
				ptcp_tcp_state_name(st), h_stack_state(&B.a, st),
				h_stack_state(&B.b, st));
}

/* ---- the checks shared by every transfer ---------------------------- */

static int
check_flow(const char *dir, struct flow *f)
{
	uint8_t dt[PTCP_SHA256_LEN], dr[PTCP_SHA256_LEN];
	char ht[65], hr[65];

	CHECK_MSG(f->bad_at == NO_BAD, "%s: byte %" PRIu64 " differs from "
		"what was sent", dir, f->bad_at);
	CHECK_MSG(f->sent == f->total, "%s: sent %" PRIu64 " of %" PRIu64,
		dir, f->sent, f->total);
	CHECK_MSG(f->rcvd == f->total, "%s: received %" PRIu64 " of %" PRIu64,
		dir, f->rcvd, f->total);
	CHECK_MSG(f->eof, "%s: no end of stream", dir);
	ptcp_sha256_final(&f->tx, dt);
	ptcp_sha256_final(&f->rx, dr);
	ptcp_sha256_hex(dt, ht);
	ptcp_sha256_hex(dr, hr);
	printf("    %s %" PRIu64 " bytes, sha256 sent %.16s.. received "
		"%.16s..\n", dir, f->rcvd, ht, hr);
	CHECK_MSG(memcmp(dt, dr, sizeof(dt)) == 0, "%s: sha256 sent %s, "
		"received %s", dir, ht, hr);
	return 0;
}

/*
 * The transfer is over: closes, streams, the wire's books, then (2*MSL
 * later) empty tables and every pool at its baseline.
 */
static int
check_end(const struct limits *lim)
{
	const struct wire_counters *c;
	unsigned int d;

	CHECK_MSG(B.ea.send_err == 0 && B.eb.send_err == 0,
		"send errors A %d B %d", B.ea.send_err, B.eb.send_err);
	CHECK_MSG(B.ea.reason == PTCP_CLOSE_NORMAL, "A closed: %s",
		ptcp_close_reason_name((unsigned int)B.ea.reason));
	CHECK_MSG(B.eb.reason == PTCP_CLOSE_NORMAL, "B closed: %s",
		ptcp_close_reason_name((unsigned int)B.eb.reason));
	CHECK(!B.ea.held_overflow && !B.eb.held_overflow);
	if (check_flow("A->B", &B.ab) != 0 || check_flow("B->A", &B.ba) != 0)
		return -1;
	/* TIME-WAIT (2*MSL = 1 s here) and the last frames in flight. */
	CHECK(run_until(quiet, lim, "TIME-WAIT and wire drain") == 0);
	for (d = 0; d < WIRE_NB_DIRS; d++) {
		const struct h_stack *rx = d == WIRE_AB ? &B.b : &B.a;

		c = wire_counters(B.w, (enum wire_dir_id)d);
		CHECK_EQ(c->in + c->duplicated,
			c->passed + c->dropped + c->queue_dropped);
		/* Every corrupted frame delivered was caught, and counted. */
		CHECK_EQ(h_stack_stat(rx, PTCP_STAT_tcp_bad_csum) +
			h_stack_stat(rx, PTCP_STAT_tcp_bad_off),
			c->corrupted_out);
	}
	CHECK_EQ(ptcp_engine_mbufs_in_use(B.a.e), B.a.baseline);
	CHECK_EQ(ptcp_engine_mbufs_in_use(B.b.e), B.b.baseline);
	wire_detach(B.w);
	CHECK_EQ(wire_mbufs_in_use(B.w), 0);
	return 0;
}

/* ---- the bulk transfers --------------------------------------------- */

struct bulk_case {
	const char *name;
	double drop, dup, reorder, corrupt;
	bool no_sack;
	uint64_t virt_s;               /* virtual time limit */
};

static void
print_seed(void)
{
	printf("  seed %#" PRIx64 " (replay: PTCP_WIRE_SEED=%#" PRIx64
		" ./test_bulk %s)\n", B.seed, B.seed, B.test);
}

static int
bulk_body(const struct bulk_case *bc)
{
	static const char *const sets_sack[] = {
		"tcp.rcv_buf=1048576", "tcp.snd_buf=1048576",
	};
	static const char *const sets_nosack[] = {
		"tcp.rcv_buf=1048576", "tcp.snd_buf=1048576", "tcp.sack=no",
	};
	/*
	 * 10 Gbit/s and 1 ms each way: the bandwidth-delay product (2.5 MB)
	 * is above the 1 MB window, so the window limits the transfer
	 * (about 4 Gbit/s at best) and a loss leaves ~700 segments in
	 * flight behind it. The 4 MiB bottleneck queue holds a whole window,
	 * so the wire itself drops nothing but what it is told to.
	 */
	struct wire_params wp = {
		.drop = bc->drop, .dup = bc->dup, .corrupt = bc->corrupt,
		.reorder = bc->reorder, .reorder_max = 8,
		.rate_bps = UINT64_C(10000000000), .delay_us = 1000,
		.queue_bytes = 4 * MIB,
	};
	struct limits lim = {
		.virt_us = bc->virt_s * 1000000, .iters = 50000000,
		.wall_s = (double)env_u64("PTCP_BULK_WALL_S", 120),
	};
	struct limits drain = { .virt_us = 10000000, .iters = 10000000,
		.wall_s = 30 };
	uint64_t bytes = bulk_bytes(), t0;
	double w0, wall;
	bool lossy = bc->drop > 0;
	unsigned int k;

	CHECK(ptcp_sha256_self_check() == 0);
	print_seed();
	CHECK(pair_up(bc->no_sack ? sets_nosack : sets_sack,
		bc->no_sack ? RTE_DIM(sets_nosack) : RTE_DIM(sets_sack), &wp,
		bytes, bytes) == 0);
	t0 = B.now_us;
	w0 = wall_s();
	if (run_until(both_closed, &lim, bc->name) != 0) {
		print_progress();
		print_counters();
		return -1;
	}
	wall = wall_s() - w0;
	printf("  %s: ended at %.3f virtual s, %.2f wall s, %" PRIu64
		" passes: A->B %" PRIu64 " and B->A %" PRIu64 " of %" PRIu64
		" bytes (%.2f Gbit/s each way)\n", bc->name,
		(double)(B.now_us - t0) * 1e-6, wall, B.iters, B.ab.rcvd,
		B.ba.rcvd, bytes, (double)(B.ab.rcvd + B.ba.rcvd) * 4 /
		((double)(B.now_us - t0) * 1e3));
	if (check_end(&drain) != 0) {
		print_progress();
		print_counters();
		return -1;
	}
	print_counters();
	for (k = 0; k < 2 && lossy; k++) {
		const struct h_stack *s = k == 0 ? &B.a : &B.b;
		const char *n = k == 0 ? "A" : "B";

		/* Recovered by dup ACKs (or SACK), not only by time-outs. */
		CHECK_MSG(h_stack_stat(s, PTCP_STAT_tcp_dup_ack_rx) > 0,
			"%s: no duplicate ACK received", n);
		if (bc->no_sack) {
			CHECK_MSG(h_stack_stat(s, PTCP_STAT_tcp_fast_rexmt) +
				h_stack_stat(s, PTCP_STAT_tcp_partial_ack) > 0,
				"%s: no fast retransmit nor partial ACK", n);
			CHECK_EQ(h_stack_stat(s,
				PTCP_STAT_tcp_sack_blocks_tx), 0);
			CHECK_EQ(h_stack_stat(s,
				PTCP_STAT_tcp_sack_blocks_rx), 0);
		} else {
			CHECK_MSG(h_stack_stat(s, PTCP_STAT_tcp_fast_rexmt) > 0,
				"%s: no fast retransmit", n);
		}
	}
	for (k = 0; k < WIRE_NB_DIRS && bc->corrupt > 0; k++)
		CHECK(wire_counters(B.w,
			(enum wire_dir_id)k)->corrupted_out > 0);
	bulk_teardown();
	return 0;
}

static int
bulk_run(const struct bulk_case *bc, uint64_t seed)
{
	memset(&B, 0, offsetof(struct bulk, chunk));
	B.seed = wire_seed(seed);
	B.test = bc->name;
	if (bulk_body(bc) == 0)
		return 0;
	printf("  FAILED with seed %#" PRIx64 ": PTCP_WIRE_SEED=%#" PRIx64
		" ./test_bulk %s\n", B.seed, B.seed, bc->name);
	return -1;
}

static int
bulk_both_ways_no_loss(void)
{
	static const struct bulk_case bc = {
		.name = "bulk_both_ways_no_loss", .virt_s = 60,
	};

	return bulk_run(&bc, 0xb0100);
}

static int
bulk_both_ways_1pct_loss(void)
{
	static const struct bulk_case bc = {
		.name = "bulk_both_ways_1pct_loss", .drop = 0.01, .dup = 0.01,
		.reorder = 0.01, .corrupt = 0.005, .virt_s = 600,
	};

	return bulk_run(&bc, 0xb0101);
}

static int
bulk_both_ways_5pct_loss(void)
{
	static const struct bulk_case bc = {
		.name = "bulk_both_ways_5pct_loss", .drop = 0.05, .dup = 0.01,
		.reorder = 0.02, .corrupt = 0.005, .virt_s = 600,
	};

	return bulk_run(&bc, 0xb0105);
}

static int
bulk_newreno_no_sack_1pct_loss(void)
{
	static const struct bulk_case bc = {
		.name = "bulk_newreno_no_sack_1pct_loss", .drop = 0.01,
		.dup = 0.01, .reorder = 0.01, .corrupt = 0.005, .no_sack = true,
		.virt_s = 600,
	};

	return bulk_run(&bc, 0xb0201);
}

/* ---- a reader that stops reading ------------------------------------ */

static uint64_t zw_last_change_us, zw_last_sent, zw_last_held;

/* A's sends and B's window have not moved for a virtual second. */
static bool
stalled(void)
{
	if (B.ab.sent != zw_last_sent || B.eb.held_bytes != zw_last_held) {
		zw_last_sent = B.ab.sent;
		zw_last_held = B.eb.held_bytes;
		zw_last_change_us = B.now_us;
		return false;
	}
	return B.now_us - zw_last_change_us >= 1000000 || both_closed();
}

static uint64_t zw_until_us;

static bool
minute_over(void)
{
	return B.now_us >= zw_until_us || B.ea.closed || B.eb.closed ||
		B.eb.held_bytes > RCV_BUF;
}

static int
zero_window_body(void)
{
	static const char *const sets[] = {
		"tcp.rcv_buf=1048576", "tcp.snd_buf=1048576",
	};
	struct wire_params wp = {
		.rate_bps = UINT64_C(10000000000), .delay_us = 1000,
	};
	struct limits lim = { .virt_us = 20000000, .iters = 10000000,
		.wall_s = 60 };
	struct limits minute = { .virt_us = 61000000, .iters = 10000000,
		.wall_s = 60 };
	uint64_t bytes = 8 * MIB, probes0, probes, held0, t0;

	print_seed();
	CHECK(pair_up(sets, RTE_DIM(sets), &wp, bytes, 0) == 0);
	B.eb.holding = true;
	zw_last_change_us = B.now_us;
	zw_last_sent = zw_last_held = 0;
	CHECK(run_until(stalled, &lim, "until the sender stalls") == 0);
	CHECK(!B.ea.closed && !B.eb.closed);
	held0 = B.eb.held_bytes;
	printf("  stalled at %.3f virtual s: B holds %" PRIu64 " bytes, A "
		"has sent %" PRIu64 " of %" PRIu64 "\n", (double)B.now_us * 1e-6,
		held0, B.ab.sent, bytes);
	CHECK(held0 > 0 && held0 <= RCV_BUF);
	CHECK(B.ab.sent < bytes);
	CHECK_EQ(B.ab.rcvd, 0);

	/* A virtual minute with the window shut: A probes, nobody gives up,
	 * and B never takes more than it offered. */
	probes0 = h_stack_stat(&B.a, PTCP_STAT_tcp_zero_window_probe);
	t0 = B.now_us;
	zw_until_us = B.now_us + 60000000;
	CHECK(run_until(minute_over, &minute, "a minute of zero window") == 0);
	probes = h_stack_stat(&B.a, PTCP_STAT_tcp_zero_window_probe) - probes0;
	printf("  %.1f virtual s of zero window: %" PRIu64 " probes from A, B "
		"holds %" PRIu64 " bytes\n", (double)(B.now_us - t0) * 1e-6,
		probes, B.eb.held_bytes);
	CHECK_MSG(!B.ea.closed && !B.eb.closed, "closed while the window was "
		"shut: A %s B %s",
		B.ea.closed ? ptcp_close_reason_name((unsigned int)B.ea.reason) :
		"open", B.eb.closed ?
		ptcp_close_reason_name((unsigned int)B.eb.reason) : "open");
	CHECK(B.eb.held_bytes <= RCV_BUF);
	CHECK_MSG(probes > 0, "no zero-window probe in a minute");
	CHECK_EQ(B.ab.rcvd, 0);

	/* B reads it all: the window opens, the rest follows. */
	release_held(&B.eb);
	CHECK_EQ(B.ab.rcvd, held0);
	CHECK_EQ(B.ab.bad_at, NO_BAD);
	CHECK(run_until(both_closed, &lim, "transfer after the release") == 0);
	printf("  done at %.3f virtual s, %" PRIu64 " passes\n",
		(double)B.now_us * 1e-6, B.iters);
	if (check_end(&lim) != 0) {
		print_progress();
		print_counters();
		return -1;
	}
	print_counters();
	bulk_teardown();
	return 0;
}

static int
zero_window_reader_then_release(void)
{
	memset(&B, 0, offsetof(struct bulk, chunk));
	B.seed = wire_seed(0x20e0);
	B.test = "zero_window_reader_then_release";
	if (zero_window_body() == 0)
		return 0;
	print_progress();
	printf("  FAILED with seed %#" PRIx64 ": PTCP_WIRE_SEED=%#" PRIx64
		" ./test_bulk %s\n", B.seed, B.seed, B.test);
	return -1;
}

/* ---- the wire itself ------------------------------------------------ */

#define WT_FRAMES   100000
#define WT_PAYLOAD  512

/* The frames of the wire tests: Ethernet/IPv4/TCP whose payload is an
 * indirect mbuf on one shared buffer (a zero-copy sender's send queue).
 * Frame i comes from 10.(i >> 16).(i >> 8).i: the IP header is never
 * corrupted, so a frame is known by it. */
struct wt {
	struct rte_mempool *pool;
	struct rte_mbuf *payload;      /* the shared buffer */
	uint64_t now_us;
	struct wire *w;
	uint8_t *seen;                 /* times each frame was delivered */
	uint32_t *bit;                 /* Fenwick tree of delivered frames */
	uint64_t *sent_at;             /* when each frame was pushed, us */
};

static struct wt T;

static void
wt_teardown(void)
{
	if (T.w != NULL)
		wire_detach(T.w);
	rte_pktmbuf_free(T.payload);
	wire_free(T.w);
	rte_mempool_free(T.pool);
	free(T.seen);
	free(T.bit);
	free(T.sent_at);
	memset(&T, 0, sizeof(T));
}

static uint8_t
wt_pattern(unsigned int i)
{
	return (uint8_t)(i * 31 + 7);
}

static int
wt_setup(void)
{
	static unsigned int gen;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint8_t *p;
	unsigned int i;

	memset(&T, 0, sizeof(T));
	snprintf(name, sizeof(name), "wt_pool%u", ++gen);
	T.pool = rte_pktmbuf_pool_create(name, 16383, 64, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (T.pool == NULL)
		return -1;
	T.payload = rte_pktmbuf_alloc(T.pool);
	if (T.payload == NULL)
		return -1;
	p = (uint8_t *)rte_pktmbuf_append(T.payload, WT_PAYLOAD);
	for (i = 0; i < WT_PAYLOAD; i++)
		p[i] = wt_pattern(i);
	return 0;
}

static uint32_t
wt_src(unsigned int i)
{
	return RTE_IPV4(10, 0, 0, 0) | (i & 0xffffff);
}

static struct rte_mbuf *
wt_frame(unsigned int i)
{
	struct rte_mbuf *h = rte_pktmbuf_alloc(T.pool);
	struct rte_mbuf *d = rte_pktmbuf_alloc(T.pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t sum;

	if (h == NULL || d == NULL) {
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(d);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(h,
		sizeof(*eh) + sizeof(*ip) + sizeof(*th));
	memset(eh, 0, sizeof(*eh) + sizeof(*ip) + sizeof(*th));
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ptcp_ipv4_fill(ip, rte_cpu_to_be_32(wt_src(i)),
		rte_cpu_to_be_32(RTE_IPV4(10, 255, 0, 1)), IPPROTO_TCP,
		(uint16_t)(sizeof(*th) + WT_PAYLOAD), 64, 1, false);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = RTE_BE16(1234);
	th->dst_port = RTE_BE16(80);
	th->sent_seq = rte_cpu_to_be_32(i * WT_PAYLOAD);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_ACK_FLAG;
	th->rx_win = RTE_BE16(65535);
	/* The payload: no copy, the shared buffer. */
	rte_pktmbuf_attach(d, T.payload);
	if (rte_pktmbuf_chain(h, d) != 0) {
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(d);
		return NULL;
	}
	sum = rte_ipv4_phdr_cksum(ip, 0);
	sum += rte_raw_cksum(th, sizeof(*th));
	sum += rte_raw_cksum(rte_pktmbuf_mtod(d, void *), WT_PAYLOAD);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	th->cksum = (uint16_t)~sum;
	if (th->cksum == 0)
		th->cksum = 0xffff;
	return h;
}

/* Frame index of @m, and whether its TCP checksum holds. */
static unsigned int
wt_parse(const struct rte_mbuf *m, bool *csum_ok)
{
	uint8_t buf[2048];
	const uint8_t *f;
	const struct rte_ipv4_hdr *ip;
	uint32_t len = rte_pktmbuf_pkt_len(m), sum;

	f = rte_pktmbuf_read(m, 0, len, buf);
	ip = (const struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	sum = rte_ipv4_phdr_cksum(ip, 0);
	sum += rte_raw_cksum(ip + 1, len - sizeof(struct rte_ether_hdr) -
		sizeof(*ip));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*csum_ok = sum == 0xffff;
	return rte_be_to_cpu_32(ip->src_addr) & 0xffffff;
}

/* Fenwick tree over frame indices: how many delivered so far are <= i. */
static void
bit_add(uint32_t *bit, unsigned int n, unsigned int i)
{
	for (i++; i <= n; i += i & -i)
		bit[i]++;
}

static uint64_t
bit_sum(const uint32_t *bit, unsigned int i)
{
	uint64_t s = 0;

	for (i++; i > 0; i -= i & -i)
		s += bit[i];
	return s;
}

/* |got - expected| within 5 standard deviations of a binomial(n, p). */
static int
check_rate(const char *what, uint64_t got, uint64_t n, double p)
{
	double exp = (double)n * p, sd = sqrt((double)n * p * (1 - p));

	printf("    %-10s %7" PRIu64 " of %7" PRIu64 " = %.4f (asked %.4f)\n",
		what, got, n, (double)got / (double)n, p);
	CHECK_MSG(fabs((double)got - exp) <= 5 * sd + 1, "%s: %" PRIu64
		" of %" PRIu64 ", expected %.0f +- %.0f", what, got, n, exp,
		5 * sd);
	return 0;
}

static int
wire_rates_body(uint64_t seed)
{
	const unsigned int R = 8;
	struct wire_params wp = {
		.drop = 0.05, .dup = 0.02, .corrupt = 0.01, .reorder = 0.02,
		.reorder_max = R,
	};
	struct wire_params none = { 0 };
	const struct wire_counters *c;
	struct rte_mbuf *in[8], *out[32];
	uint8_t *seen;
	uint32_t *bit;
	uint64_t delivered = 0, bad_csum = 0, late = 0, twice = 0, never = 0;
	unsigned int i, k, n, idx, maxdist = 0, dist, guard;
	const uint8_t *p;
	bool ok;

	CHECK(wt_setup() == 0);
	seen = T.seen = calloc(WT_FRAMES, 1);
	bit = T.bit = calloc(WT_FRAMES + 1, sizeof(*bit));
	CHECK(seen != NULL && bit != NULL);
	T.w = wire_create(&T.now_us, seed, &wp, &none);
	CHECK(T.w != NULL);
	for (i = 0, guard = 0; guard < 2 * WT_FRAMES; guard++) {
		for (k = 0; k < RTE_DIM(in) && i < WT_FRAMES; k++, i++) {
			in[k] = wt_frame(i);
			CHECK(in[k] != NULL);
		}
		wire_push(T.w, WIRE_AB, in, k);
		/* Every 8 frames the clock moves 1 us; after the last, far
		 * enough for any held frame to time out. */
		T.now_us += i < WT_FRAMES ? 1 : 10000;
		while ((n = wire_pull(T.w, WIRE_AB, out, RTE_DIM(out))) > 0) {
			for (k = 0; k < n; k++) {
				idx = wt_parse(out[k], &ok);
				rte_pktmbuf_free(out[k]);
				CHECK_MSG(idx < WT_FRAMES, "frame %u", idx);
				delivered++;
				bad_csum += !ok;
				if (seen[idx]++ == 1)
					twice++;
				/* frames out before it that came in after it */
				dist = (unsigned int)(delivered - 1 -
					bit_sum(bit, idx));
				bit_add(bit, WT_FRAMES, idx);
				late += dist > 0;
				maxdist = RTE_MAX(maxdist, dist);
			}
		}
		if (i == WT_FRAMES && wire_held(T.w) == 0)
			break;
	}
	for (i = 0; i < WT_FRAMES; i++)
		never += seen[i] == 0;
	c = wire_counters(T.w, WIRE_AB);
	wire_print(T.w, "    ");
	printf("    delivered %" PRIu64 ", late %" PRIu64 ", farthest %u "
		"(bound %u), bad checksums %" PRIu64 "\n", delivered, late,
		maxdist, R, bad_csum);
	if (check_rate("dropped", c->dropped, WT_FRAMES, wp.drop) != 0 ||
			check_rate("duplicated", c->duplicated,
				WT_FRAMES - c->dropped, wp.dup) != 0 ||
			check_rate("corrupted", c->corrupted,
				WT_FRAMES - c->dropped, wp.corrupt) != 0 ||
			check_rate("reordered", c->reordered, c->passed,
				wp.reorder) != 0)
		return -1;
	/* What the receiver saw agrees with the wire's books. */
	CHECK_EQ(c->in, WT_FRAMES);
	CHECK_EQ(wire_held(T.w), 0);
	CHECK_EQ(never, c->dropped);
	CHECK_EQ(twice, c->duplicated);
	CHECK_EQ(delivered, c->passed);
	CHECK_EQ(delivered, WT_FRAMES - c->dropped + c->duplicated);
	CHECK_EQ(c->queue_dropped + c->nomem, 0);
	CHECK_EQ(bad_csum, c->corrupted_out);
	CHECK(c->corrupted_out >= c->corrupted);
	/* Reordering happened, and never beyond its bound. */
	CHECK_MSG(maxdist <= R, "a frame came %u places late, bound %u",
		maxdist, R);
	CHECK(maxdist == R);
	CHECK(late <= c->reordered && late >= c->reordered * 9 / 10);
	/* The shared payload was never written; everything is back. */
	p = rte_pktmbuf_mtod(T.payload, const uint8_t *);
	for (i = 0; i < WT_PAYLOAD; i++)
		CHECK_MSG(p[i] == wt_pattern(i), "shared payload byte %u "
			"written by the wire", i);
	CHECK_EQ(rte_mbuf_refcnt_read(T.payload), 1);
	CHECK_EQ(rte_mempool_in_use_count(T.pool), 1);
	CHECK_EQ(wire_mbufs_in_use(T.w), 0);
	wt_teardown();
	return 0;
}

static int
wire_drop_dup_corrupt_reorder_rates_and_bound(void)
{
	uint64_t seed = wire_seed(0x3173);

	printf("  seed %#" PRIx64 "\n", seed);
	if (wire_rates_body(seed) == 0)
		return 0;
	printf("  FAILED with seed %#" PRIx64 ": PTCP_WIRE_SEED=%#" PRIx64
		" ./test_bulk wire_drop_dup_corrupt_reorder_rates_and_bound\n",
		seed, seed);
	wt_teardown();
	return -1;
}

/*
 * 100 Mbit/s, 500 us, a 30,000-byte queue, offered 1.8 times what it
 * carries: frames leave spaced by their serialization time, arrive no
 * earlier than sent + serialization + delay and no later than a full
 * queue allows, the excess is dropped and counted, and what the wire
 * still holds at the end is freed by wire_detach().
 */
static int
wire_bandwidth_body(void)
{
	const uint64_t rate = 100000000, delay = 500, qbytes = 30000;
	struct wire_params wp = {
		.rate_bps = rate, .delay_us = delay, .queue_bytes = qbytes,
	};
	struct wire_params none = { 0 };
	const unsigned int nsteps = 10000;     /* 100 us each: 1 s */
	const unsigned int per = 4;            /* frames offered a step */
	const uint32_t flen = 14 + 20 + 20 + WT_PAYLOAD;
	const double ser_us = (double)flen * 8 * 1e6 / (double)rate;
	uint64_t *sent_at;
	uint64_t last_arrival = 0, delivered = 0, first = UINT64_MAX;
	double lat, lat_min = 1e18, lat_max = 0, gap, gap_min = 1e18;
	const struct wire_counters *c;
	struct rte_mbuf *in[4], *out[32];
	unsigned int s, n, k, idx, t;
	bool ok;

	CHECK(wt_setup() == 0);
	sent_at = T.sent_at = calloc(per * nsteps, sizeof(*sent_at));
	CHECK(sent_at != NULL);
	T.w = wire_create(&T.now_us, 1, &wp, &none);
	CHECK(T.w != NULL);
	for (s = 0; s < nsteps; s++) {
		for (k = 0; k < per; k++) {
			sent_at[per * s + k] = T.now_us;
			in[k] = wt_frame(per * s + k);
			CHECK(in[k] != NULL);
		}
		wire_push(T.w, WIRE_AB, in, per);
		for (t = 0; t < 100; t++, T.now_us++) {
			n = wire_pull(T.w, WIRE_AB, out, RTE_DIM(out));
			for (k = 0; k < n; k++) {
				idx = wt_parse(out[k], &ok);
				rte_pktmbuf_free(out[k]);
				CHECK(ok && idx < per * nsteps);
				lat = (double)(T.now_us - sent_at[idx]);
				lat_min = RTE_MIN(lat_min, lat);
				lat_max = RTE_MAX(lat_max, lat);
				gap = (double)(T.now_us - last_arrival);
				if (delivered > 0)
					gap_min = RTE_MIN(gap_min, gap);
				if (first == UINT64_MAX)
					first = T.now_us;
				last_arrival = T.now_us;
				delivered++;
			}
		}
	}
	c = wire_counters(T.w, WIRE_AB);
	wire_print(T.w, "    ");
	printf("    delivered %" PRIu64 " at %.1f Mbit/s; latency %.0f..%.0f us"
		" (serialization %.1f, delay %" PRIu64 ", queue %.0f); closest "
		"arrivals %.0f us apart; %u held at the end\n", delivered,
		(double)(delivered - 1) * flen * 8 /
		(double)(last_arrival - first), lat_min, lat_max, ser_us, delay,
		(double)qbytes * 8 * 1e6 / (double)rate, gap_min,
		wire_held(T.w));
	/* On time: never before serialization + delay, never after a full
	 * queue's worth more (the clock counts whole microseconds). */
	CHECK(lat_min + 1 >= ser_us + (double)delay);
	CHECK(lat_max <= ser_us + (double)delay +
		(double)qbytes * 8 * 1e6 / (double)rate + 2);
	CHECK(gap_min + 1 >= ser_us);
	/* At the rate: the link was busy all along. */
	CHECK(fabs((double)(delivered - 1) * ser_us -
		(double)(last_arrival - first)) <= 2 * ser_us);
	CHECK(c->queue_dropped > 0);
	CHECK_EQ(c->delayed, c->in - c->queue_dropped);
	CHECK_EQ(c->in, c->passed + c->queue_dropped + wire_held(T.w));
	CHECK(wire_held(T.w) > 0);
	/* What it holds goes back to the sender's pool with the wire. */
	wire_detach(T.w);
	CHECK_EQ(wire_held(T.w), 0);
	CHECK_EQ(rte_mempool_in_use_count(T.pool), 1);
	CHECK_EQ(wire_mbufs_in_use(T.w), 0);
	wt_teardown();
	return 0;
}

static int
wire_bandwidth_delay_and_queue_limit(void)
{
	if (wire_bandwidth_body() == 0)
		return 0;
	wt_teardown();
	return -1;
}

/* The digest the bulk tests trust, on its own. */
static int
sha256_known_answers(void)
{
	CHECK(ptcp_sha256_self_check() == 0);
	return 0;
}

static void
after_test(void)
{
	after();
	if (T.pool != NULL || T.w != NULL)
		wt_teardown();
}

static const struct ptcp_test tests[] = {
	TEST(sha256_known_answers),
	TEST(wire_drop_dup_corrupt_reorder_rates_and_bound),
	TEST(wire_bandwidth_delay_and_queue_limit),
	TEST(bulk_both_ways_no_loss),
	TEST(zero_window_reader_then_release),
	TEST(bulk_both_ways_1pct_loss),
	TEST(bulk_both_ways_5pct_loss),
	TEST(bulk_newreno_no_sack_1pct_loss),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	/* Results and failures in the order they happened. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return h_main(tests, argc, argv, after_test);
}
