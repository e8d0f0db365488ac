/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: many workers per stack ([lcores] workers=2 on one EAL lcore,
 * every worker polled in turn from this thread). Two stacks A and B, each
 * a client of the other's server: clients on both workers of A connect to
 * a server listening on every worker of B and the other way round, 10,000
 * connections each way, a 64-byte request and a 64-byte response checked
 * byte for byte, closed by the client first, the server first and both at
 * once in turn.
 *
 *  - RSS wire: each port has a RX queue per worker and the test, as a NIC
 *    doing RSS, puts every TCP frame on the queue of the worker that owns
 *    its flow (ptcp_rss_hash + ptcp_port_owner) with the hash in
 *    m->hash.rss: no TCP frame needs steering.
 *  - One RX queue: every frame on queue 0 with no hash; worker 0 hands the
 *    frames of worker 1's flows over (software steering).
 *  - A NIC with another RETA: the hash right, every TCP frame on the other
 *    worker's queue; each worker hands all of them over.
 *
 * In both, every callback of a connection runs on the worker that owns its
 * flow (the test knows which worker it is polling), and the debug build
 * aborts on a TCB touched by another worker. Then: ptcp_rss_hash is
 * symmetric, and the local ports ptcp_connect() chooses bring the replies
 * to the opening worker.
 *
 * PTCP_MULTI_CONNS sets the connections each way (10,000; the sanitizer
 * build does them all too, in about ten seconds); PTCP_SEED fixes the seed
 * of the random tuples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_io.h"
#include "ptcp_rss.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"
#include "ptcp_test_rand.h"

#define NCONN_DEFAULT 10000
#define NW            2         /* workers per stack */
#define CONC          32        /* client connections at once per worker */
#define SRV_MAX       1024      /* server connections at once per stack */
#define MSG           64
#define HDR           5         /* request: conn number (4), client side */
#define WALL_LIMIT_S  240       /* wall-clock bound of one run */

enum mode { CLIENT_FIRST = 0, SERVER_FIRST, SIMULTANEOUS, NMODES };

/* How the wire picks the RX queue of a TCP frame. */
enum wire {
	WIRE_RSS,        /* the owner's queue, hash set: a NIC with RSS */
	WIRE_ONE_QUEUE,  /* queue 0, no hash */
	WIRE_RSS_OTHER,  /* hash set, but the other worker's queue: a NIC
	                  * whose RETA is not the engine's */
};

struct side;

struct cli {
	struct side *s;
	unsigned int w;              /* worker that opened it */
	unsigned int n;              /* connection number */
	unsigned int got;
	bool in_use;
};

struct srv {
	struct side *s;              /* the side serving */
	unsigned int w;              /* worker that accepted it */
	unsigned int got;
	bool responded;
	bool in_use;
	uint8_t req[MSG];
};

/* One stack: a client of the other side's server and a server for it. */
struct side {
	struct h_mstack st;
	unsigned int idx;            /* 0: A, 1: B */
	uint32_t addr;               /* host order */
	uint16_t srv_port;           /* what it listens on */
	/* client */
	unsigned int started, done;
	unsigned int active[NW], started_w[NW], done_w[NW];
	unsigned int closed_normal, closed_other;
	unsigned int modes[NMODES];
	struct cli cli[NW][CONC];
	/* server */
	unsigned int accepted, accepted_w[NW];
	unsigned int srv_closed_normal, srv_closed_other, srv_full;
	struct srv srv[SRV_MAX];
	/* the wire into this stack */
	enum wire wire;
	uint64_t wire_q[H_MQ_MAX];   /* frames put on RX queue q */
	uint64_t wire_arp, wire_other;
	uint64_t wire_owned[NW];     /* TCP frames by owner worker */
	unsigned int wire_drop;
};

static struct {
	struct side s[2];
	uint64_t now_ms;
	unsigned int nconn;
	struct ptcp_lcore *cur_lc;   /* the worker being polled, or NULL */
	unsigned int bad_bytes;
	unsigned int wrong_lcore;    /* callback on a worker not the conn's */
	unsigned int wrong_owner;    /* conn on a worker not the flow's owner */
	unsigned int errors;         /* sends refused, server table full */
} T;

static uint8_t
pattern(unsigned int side, unsigned int n, unsigned int dir, unsigned int i)
{
	return (uint8_t)(n * 7 + i * 13 + dir * 101 + side * 59);
}

/* The worker index that owns @c's flow on @s's port. */
static unsigned int
conn_owner(const struct side *s, const struct ptcp_conn *c)
{
	uint32_t laddr, raddr;
	uint16_t lport, rport;

	ptcp_conn_tuple(c, &laddr, &lport, &raddr, &rport);
	return ptcp_port_owner(&s->st.s.e->ports[0],
		ptcp_rss_hash(laddr, raddr, rte_cpu_to_be_16(lport),
			rte_cpu_to_be_16(rport)));
}

/* A callback of a connection of worker @w of @s: is that who runs it? */
static void
check_lcore(const struct side *s, const struct ptcp_conn *c, unsigned int w)
{
	if (T.cur_lc == NULL || T.cur_lc != s->st.s.e->lcores[w] ||
			ptcp_conn_lcore(c) != T.cur_lc)
		T.wrong_lcore++;
}

/* ---- client ---------------------------------------------------------- */

static void
cli_connected(struct ptcp_conn *c)
{
	struct cli *cl = ptcp_conn_arg(c);
	uint8_t req[MSG];
	unsigned int i;

	check_lcore(cl->s, c, cl->w);
	req[0] = (uint8_t)cl->n;
	req[1] = (uint8_t)(cl->n >> 8);
	req[2] = (uint8_t)(cl->n >> 16);
	req[3] = (uint8_t)(cl->n >> 24);
	req[4] = (uint8_t)cl->s->idx;
	for (i = HDR; i < MSG; i++)
		req[i] = pattern(cl->s->idx, cl->n, 0, i);
	if (ptcp_send(c, req, MSG) != MSG)
		T.errors++;
	if (cl->n % NMODES == SIMULTANEOUS)
		ptcp_shutdown(c);
}

static void
cli_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct cli *cl = ptcp_conn_arg(c);
	const struct rte_mbuf *seg;
	uint16_t i;

	check_lcore(cl->s, c, cl->w);
	for (seg = m; seg != NULL; seg = seg->next)
		for (i = 0; i < seg->data_len; i++, cl->got++)
			if (cl->got >= MSG ||
					rte_pktmbuf_mtod(seg, uint8_t *)[i] !=
					pattern(cl->s->idx, cl->n, 1, cl->got))
				T.bad_bytes++;
	rte_pktmbuf_free(m);
	if (cl->got == MSG && cl->n % NMODES == CLIENT_FIRST)
		ptcp_close(c);
}

static void
cli_peer_closed(struct ptcp_conn *c)
{
	struct cli *cl = ptcp_conn_arg(c);

	check_lcore(cl->s, c, cl->w);
	ptcp_close(c);
}

static void
cli_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct cli *cl = ptcp_conn_arg(c);
	struct side *s = cl->s;

	check_lcore(s, c, cl->w);
	if (why == PTCP_CLOSE_NORMAL && cl->got == MSG)
		s->closed_normal++;
	else
		s->closed_other++;
	cl->in_use = false;
	s->active[cl->w]--;
	s->done_w[cl->w]++;
	s->done++;
}

static const struct ptcp_tcp_ops cli_ops = {
	.connected = cli_connected,
	.data = cli_data,
	.peer_closed = cli_peer_closed,
	.closed = cli_closed,
};

/* ---- server ---------------------------------------------------------- */

static int
srv_accepted(struct ptcp_conn *c, void *arg)
{
	struct side *s = arg;
	struct srv *sv;
	unsigned int i, w;

	if (T.cur_lc == NULL) {
		T.wrong_lcore++;
		return -1;
	}
	w = T.cur_lc->idx;
	if (w >= NW || ptcp_conn_lcore(c) != T.cur_lc)
		T.wrong_lcore++;
	if (w >= NW || conn_owner(s, c) != w)
		T.wrong_owner++;
	for (i = 0; i < SRV_MAX && s->srv[i].in_use; i++)
		;
	if (i == SRV_MAX || w >= NW) {
		s->srv_full++;
		return -1;
	}
	sv = &s->srv[i];
	memset(sv, 0, sizeof(*sv));
	sv->s = s;
	sv->w = w;
	sv->in_use = true;
	ptcp_conn_set_arg(c, sv);
	s->accepted++;
	s->accepted_w[w]++;
	return 0;
}

static void
srv_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct srv *sv = ptcp_conn_arg(c);
	const struct rte_mbuf *seg;
	uint8_t resp[MSG];
	unsigned int n, cs, i;
	uint16_t k;

	check_lcore(sv->s, c, sv->w);
	for (seg = m; seg != NULL; seg = seg->next)
		for (k = 0; k < seg->data_len; k++, sv->got++) {
			if (sv->got >= MSG) {
				T.bad_bytes++;
				continue;
			}
			sv->req[sv->got] = rte_pktmbuf_mtod(seg, uint8_t *)[k];
		}
	rte_pktmbuf_free(m);
	if (sv->got != MSG || sv->responded)
		return;
	n = (unsigned int)sv->req[0] | (unsigned int)sv->req[1] << 8 |
		(unsigned int)sv->req[2] << 16 | (unsigned int)sv->req[3] << 24;
	cs = sv->req[4];
	/* The client is the other side, and its number one it opened. */
	if (cs != 1u - sv->s->idx || n >= T.nconn) {
		T.bad_bytes++;
		cs = 1u - sv->s->idx;
	}
	for (i = HDR; i < MSG; i++)
		if (sv->req[i] != pattern(cs, n, 0, i))
			T.bad_bytes++;
	for (i = 0; i < MSG; i++)
		resp[i] = pattern(cs, n, 1, i);
	if (ptcp_send(c, resp, MSG) != MSG)
		T.errors++;
	sv->responded = true;
	if (n % NMODES == SERVER_FIRST || n % NMODES == SIMULTANEOUS)
		ptcp_close(c);
}

static void
srv_peer_closed(struct ptcp_conn *c)
{
	struct srv *sv = ptcp_conn_arg(c);

	check_lcore(sv->s, c, sv->w);
	ptcp_close(c);
}

static void
srv_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct srv *sv = ptcp_conn_arg(c);

	check_lcore(sv->s, c, sv->w);
	if (why == PTCP_CLOSE_NORMAL && sv->responded)
		sv->s->srv_closed_normal++;
	else
		sv->s->srv_closed_other++;
	sv->in_use = false;
}

static const struct ptcp_tcp_ops srv_ops = {
	.accepted = srv_accepted,
	.data = srv_data,
	.peer_closed = srv_peer_closed,
	.closed = srv_closed,
};

/* ---- the wire -------------------------------------------------------- */

/*
 * Frame @m arrives at @dst (the side @arg): as a NIC doing RSS with the
 * stack's key and RETA, or as one with a single queue. ARP (no 4-tuple)
 * goes to queue 0 without a hash.
 */
static int
wire_pick(struct h_mstack *dst, struct rte_mbuf *m, void *arg)
{
	struct side *s = arg;
	const struct rte_ether_hdr *eh;
	uint32_t saddr, daddr, hash;
	uint16_t sport, dport;
	unsigned int w, q = 0;

	m->ol_flags &= ~RTE_MBUF_F_RX_RSS_HASH;
	if (!h_frame_tuple(m, &saddr, &daddr, &sport, &dport)) {
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (m->data_len >= sizeof(*eh) &&
				eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			s->wire_arp++;
		else
			s->wire_other++;
		s->wire_q[0]++;
		return 0;
	}
	hash = ptcp_rss_hash(saddr, daddr, sport, dport);
	w = ptcp_port_owner(&dst->s.e->ports[0], hash);
	if (w < NW)
		s->wire_owned[w]++;
	if (s->wire != WIRE_ONE_QUEUE) {
		m->hash.rss = hash;
		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		q = w < dst->nb_rxq ? w : 0;
		if (s->wire == WIRE_RSS_OTHER)
			q = (q + 1) % dst->nb_rxq;
	}
	s->wire_q[q]++;
	return (int)q;
}

/* One pass: every worker of A, the wire A -> B, B's workers, B -> A. */
static void
pass(uint64_t ms)
{
	unsigned int i, w;

	T.now_ms += ms;
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i], *o = &T.s[1 - i];

		for (w = 0; w < s->st.s.e->nb_lcores; w++) {
			T.cur_lc = s->st.s.e->lcores[w];
			h_mstack_poll_one(&s->st, w, T.now_ms);
		}
		T.cur_lc = NULL;
		h_mwire_move(&s->st, &o->st, wire_pick, o, &o->wire_drop);
	}
}

static double
wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned int
nconn_each_way(void)
{
	const char *v = getenv("PTCP_MULTI_CONNS");
	unsigned long n;

	if (v == NULL || *v == '\0')
		return NCONN_DEFAULT;
	n = strtoul(v, NULL, 10);
	return n >= 1 && n <= 1000000 ? (unsigned int)n : NCONN_DEFAULT;
}

static uint64_t
lstat(const struct side *s, unsigned int w, enum ptcp_stat_id id)
{
	return h_mstack_lcore_stat(&s->st, w, id);
}

static uint64_t
steer_to(const struct side *s, unsigned int w, unsigned int j)
{
	return s->st.s.e->lcores[w]->steer_to[j];
}

static void
dump(void)
{
	struct ptcp_stats st;
	unsigned int i, w, k;

	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];

		if (s->st.s.e == NULL)
			continue;
		printf("  stack %c: client started %u done %u normal %u "
			"other %u; server accepted %u closed normal %u other "
			"%u; wire q0 %" PRIu64 " q1 %" PRIu64 " arp %" PRIu64
			" other %" PRIu64 " drop %u\n", 'A' + i, s->started,
			s->done, s->closed_normal, s->closed_other,
			s->accepted, s->srv_closed_normal, s->srv_closed_other,
			s->wire_q[0], s->wire_q[1], s->wire_arp,
			s->wire_other, s->wire_drop);
		for (w = 0; w < s->st.s.e->nb_lcores && w < NW; w++)
			printf("    worker %u: steer_out %" PRIu64 " in %"
				PRIu64 " drop %" PRIu64 " to[0] %" PRIu64
				" to[1] %" PRIu64 "\n", w,
				lstat(s, w, PTCP_STAT_steer_out),
				lstat(s, w, PTCP_STAT_steer_in),
				lstat(s, w, PTCP_STAT_steer_drop),
				steer_to(s, w, 0), steer_to(s, w, 1));
		ptcp_engine_stats(s->st.s.e, &st);
		ptcp_stats_print(&st, stdout, "    ");
		for (k = 0; k < PTCP_TCPS_MAX; k++)
			if (h_mstack_state(&s->st, k) != 0)
				printf("    %-12s %" PRIu64 "\n",
					ptcp_tcp_state_name(k),
					h_mstack_state(&s->st, k));
	}
}

/* ---- setup ----------------------------------------------------------- */

static void
teardown(void)
{
	h_mpair_destroy(&T.s[0].st, &T.s[1].st);
	memset(&T, 0, sizeof(T));
}

static int
setup(unsigned int nb_rxq, enum wire wire, const char *const *sets,
		unsigned int nsets)
{
	unsigned int i, w;
	int ret;

	memset(&T, 0, sizeof(T));
	T.nconn = nconn_each_way();
	if (h_mpair_create(&T.s[0].st, &T.s[1].st, NW, nb_rxq,
			"10.98.0.1/24", sets, nsets,
			"10.98.0.2/24", sets, nsets) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];

		s->idx = i;
		s->addr = RTE_IPV4(10, 98, 0, 1 + i);
		s->srv_port = (uint16_t)(7 + i);
		s->wire = wire;
		if (s->st.s.e->nb_lcores != NW) {
			fprintf(stderr, "  stack %c: %u workers, asked %u\n",
				'A' + i, s->st.s.e->nb_lcores, NW);
			return -1;
		}
		for (w = 0; w < NW; w++) {
			ret = ptcp_listen(s->st.s.e->lcores[w], s->srv_port,
					&srv_ops, s, NULL);
			if (ret != 0) {
				fprintf(stderr, "  listen: %s\n",
					strerror(-ret));
				return -1;
			}
		}
	}
	/* Let the gratuitous ARPs cross and reach every worker. */
	for (i = 0; i < 5; i++)
		pass(1);
	return 0;
}

static int
open_one(struct side *s, unsigned int w)
{
	const struct side *peer = &T.s[1 - s->idx];
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(peer->addr),
		.rport = peer->srv_port,
	};
	struct ptcp_conn *c;
	struct cli *cl;
	unsigned int i;

	for (i = 0; i < CONC && s->cli[w][i].in_use; i++)
		;
	if (i == CONC)
		return -1;
	cl = &s->cli[w][i];
	cl->s = s;
	cl->w = w;
	cl->n = s->started;
	cl->got = 0;
	cl->in_use = true;
	o.arg = cl;
	c = ptcp_connect(s->st.s.e->lcores[w], &o, &cli_ops);
	if (c == NULL) {
		cl->in_use = false;
		fprintf(stderr, "  stack %c worker %u: connect #%u: %s\n",
			'A' + s->idx, w, s->started, rte_strerror(rte_errno));
		return -1;
	}
	if (conn_owner(s, c) != w)
		T.wrong_owner++;
	s->modes[s->started % NMODES]++;
	s->started++;
	s->started_w[w]++;
	s->active[w]++;
	return 0;
}

/* ---- the run: both ways, checks common to both wires ----------------- */

static int
run_both_ways(void)
{
	const unsigned int N = T.nconn;
	double t0 = wall_s();
	unsigned int iter, i, w, k;

	for (iter = 0; iter < 400000 &&
			(T.s[0].done < N || T.s[1].done < N); iter++) {
		for (i = 0; i < 2; i++) {
			struct side *s = &T.s[i];

			for (w = 0; w < NW; w++)
				while (s->active[w] < CONC && s->started < N)
					CHECK(open_one(s, w) == 0);
		}
		pass(1);
		if ((iter & 1023) == 0 && wall_s() - t0 > WALL_LIMIT_S) {
			fprintf(stderr, "  wall-clock limit (%d s)\n",
				WALL_LIMIT_S);
			break;
		}
	}
	printf("  %u + %u connections in %" PRIu64 " virtual ms, %u passes, "
		"%.1f s\n", T.s[0].done, T.s[1].done, T.now_ms, iter,
		wall_s() - t0);
	/* The servers' last callbacks may lag the clients' by a pass. */
	for (k = 0; k < 20 && (T.s[0].srv_closed_normal +
			T.s[0].srv_closed_other < T.s[1].started ||
			T.s[1].srv_closed_normal +
			T.s[1].srv_closed_other < T.s[0].started); k++)
		pass(1);
	if (T.s[0].done != N || T.s[1].done != N || T.bad_bytes != 0 ||
			T.wrong_lcore != 0 || T.wrong_owner != 0)
		dump();
	CHECK_EQ(T.bad_bytes, 0);
	CHECK_EQ(T.wrong_lcore, 0);
	CHECK_EQ(T.wrong_owner, 0);
	CHECK_EQ(T.errors, 0);
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];

		printf("  stack %c: opened %u/%u accepted %u/%u by worker\n",
			'A' + i, s->started_w[0], s->started_w[1],
			s->accepted_w[0], s->accepted_w[1]);
		CHECK_EQ(s->done, N);
		CHECK_EQ(s->closed_normal, N);
		CHECK_EQ(s->closed_other, 0);
		CHECK_EQ(s->accepted, N);
		CHECK_EQ(s->srv_closed_normal, N);
		CHECK_EQ(s->srv_closed_other, 0);
		CHECK_EQ(s->srv_full, 0);
		CHECK_EQ(s->wire_drop, 0);
		CHECK_EQ(s->wire_other, 0);
		/* Both workers did work of both kinds, and the engine's per
		 * worker counts agree with where the callbacks ran. */
		CHECK_EQ(s->started_w[0] + s->started_w[1], N);
		CHECK_EQ(s->accepted_w[0] + s->accepted_w[1], N);
		for (w = 0; w < NW; w++) {
			CHECK_MSG(s->started_w[w] > 0 && s->accepted_w[w] > 0,
				"stack %c worker %u idle", 'A' + i, w);
			CHECK_EQ(s->done_w[w], s->started_w[w]);
			CHECK_EQ(lstat(s, w, PTCP_STAT_tcp_active_open),
				s->started_w[w]);
			CHECK_EQ(lstat(s, w, PTCP_STAT_tcp_passive_open),
				s->accepted_w[w]);
			CHECK_EQ(lstat(s, w, PTCP_STAT_steer_drop), 0);
			CHECK(s->wire_owned[w] > 0);
		}
	}

	/* Past 2*MSL: every TIME-WAIT gone, on the side that closed first. */
	for (k = 0; k < 100 &&
			(h_mstack_state(&T.s[0].st, PTCP_TCPS_TIME_WAIT) ||
			 h_mstack_state(&T.s[1].st, PTCP_TCPS_TIME_WAIT)); k++)
		pass(100);
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i], *o = &T.s[1 - i];

		CHECK_EQ(h_stack_stat(&s->st.s, PTCP_STAT_tcp_tw_expired),
			s->modes[CLIENT_FIRST] + s->modes[SIMULTANEOUS] +
			o->modes[SERVER_FIRST] + o->modes[SIMULTANEOUS]);
		for (k = 0; k < PTCP_TCPS_MAX; k++) {
			if (k == PTCP_TCPS_LISTEN)
				continue;
			CHECK_MSG(h_mstack_state(&s->st, k) == 0,
				"stack %c: state %s not empty", 'A' + i,
				ptcp_tcp_state_name(k));
		}
		CHECK_EQ(h_stack_stat(&s->st.s, PTCP_STAT_tcp_rst_tx), 0);
		CHECK_EQ(h_stack_stat(&s->st.s, PTCP_STAT_tcp_rexmt), 0);
		CHECK_EQ(h_stack_stat(&s->st.s, PTCP_STAT_tcp_syn_rexmt), 0);
	}
	return 0;
}

/* Nothing left anywhere: rings empty, every pool at its baseline. */
static int
check_pools(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];

		CHECK_EQ(h_mstack_ring_count(&s->st), 0);
		CHECK_EQ(ptcp_engine_mbufs_in_use(s->st.s.e), s->st.s.baseline);
	}
	return 0;
}

static void
print_steer(void)
{
	unsigned int i, w;

	for (i = 0; i < 2; i++) {
		const struct side *s = &T.s[i];

		printf("  stack %c: wire q0 %" PRIu64 " q1 %" PRIu64 " (arp %"
			PRIu64 "), TCP owned by w0 %" PRIu64 " w1 %" PRIu64
			"\n", 'A' + i, s->wire_q[0], s->wire_q[1],
			s->wire_arp, s->wire_owned[0], s->wire_owned[1]);
		for (w = 0; w < NW; w++)
			printf("    worker %u: steer_out %" PRIu64 " steer_in %"
				PRIu64 " steer_drop %" PRIu64 " to[0] %" PRIu64
				" to[1] %" PRIu64 "\n", w,
				lstat(s, w, PTCP_STAT_steer_out),
				lstat(s, w, PTCP_STAT_steer_in),
				lstat(s, w, PTCP_STAT_steer_drop),
				steer_to(s, w, 0), steer_to(s, w, 1));
	}
}

/*
 * Test 1: the wire puts every TCP frame on its owner's queue with the
 * hash, as a NIC with RSS. No TCP frame is handed between workers: only
 * worker 0 hands anything over, and no more than the ARP frames it got
 * (each passed to the other worker's ARP cache replica).
 */
static int
rss_wire_ten_thousand_each_way(void)
{
	unsigned int i, w;

	CHECK(setup(NW, WIRE_RSS, NULL, 0) == 0);
	printf("  %u connections each way, %u workers, %u RX queues\n",
		T.nconn, NW, NW);
	if (run_both_ways() != 0) {
		print_steer();
		return -1;
	}
	print_steer();
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];

		for (w = 0; w < NW; w++) {
			CHECK(s->wire_q[w] > 0);
			/* Every TCP frame reached its owner's queue. */
			CHECK_EQ(steer_to(s, w, 0), 0);
			if (w > 0) {
				CHECK_EQ(lstat(s, w, PTCP_STAT_steer_out), 0);
				CHECK_EQ(steer_to(s, w, w), 0);
			}
		}
		CHECK_MSG(lstat(s, 0, PTCP_STAT_steer_out) <=
			s->wire_arp * (NW - 1),
			"stack %c: worker 0 steered %" PRIu64 " frames, only %"
			PRIu64 " ARP frames came in", 'A' + i,
			lstat(s, 0, PTCP_STAT_steer_out), s->wire_arp);
		/* Worker 1 took only ARP frames: worker 0's copies for its
		 * replica, counted on both sides. */
		CHECK(lstat(s, 1, PTCP_STAT_arp_replica_rx) > 0);
		CHECK(lstat(s, 1, PTCP_STAT_arp_replica_rx) <= s->wire_arp);
		CHECK_EQ(steer_to(s, 0, 1),
			lstat(s, 1, PTCP_STAT_arp_replica_rx));
		CHECK_EQ(lstat(s, 1, PTCP_STAT_steer_in), steer_to(s, 0, 1));
	}
	CHECK(check_pools() == 0);
	teardown();
	return 0;
}

/*
 * Test 2: one RX queue per port, no hash: worker 0 receives everything,
 * computes the hash and hands worker 1's flows over. Worker 1 takes every
 * one of them; nothing is dropped; each connection still lives on one
 * worker (callbacks checked, and the debug build's owner assert).
 */
static int
one_rx_queue_software_steering(void)
{
	unsigned int i;

	CHECK(setup(1, WIRE_ONE_QUEUE, NULL, 0) == 0);
	printf("  %u connections each way, %u workers, 1 RX queue\n",
		T.nconn, NW);
	if (run_both_ways() != 0) {
		print_steer();
		return -1;
	}
	print_steer();
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];
		uint64_t to1 = steer_to(s, 0, 1);

		CHECK_EQ(s->wire_q[1], 0);
		CHECK(lstat(s, 0, PTCP_STAT_steer_out) > 0);
		CHECK(lstat(s, 1, PTCP_STAT_steer_in) > 0);
		CHECK_EQ(lstat(s, 0, PTCP_STAT_steer_drop) +
			lstat(s, 1, PTCP_STAT_steer_drop), 0);
		/* Worker 1 has no queue: it hands nothing over. */
		CHECK_EQ(lstat(s, 1, PTCP_STAT_steer_out), 0);
		CHECK_EQ(steer_to(s, 1, 0), 0);
		CHECK_EQ(lstat(s, 0, PTCP_STAT_steer_in), 0);
		CHECK_EQ(steer_to(s, 0, 0), 0);
		/* What worker 0 handed to worker 1: exactly the TCP frames
		 * of worker 1's flows, and the copies of the ARP frames for
		 * its replica; worker 1 took every one. */
		CHECK_MSG(to1 == s->wire_owned[1] +
			lstat(s, 1, PTCP_STAT_arp_replica_rx),
			"stack %c: steer_to[1] %" PRIu64 ", worker 1 owned %"
			PRIu64 " TCP frames", 'A' + i, to1, s->wire_owned[1]);
		CHECK_EQ(lstat(s, 0, PTCP_STAT_steer_out), to1);
		CHECK(lstat(s, 1, PTCP_STAT_arp_replica_rx) <= s->wire_arp);
		CHECK_EQ(lstat(s, 1, PTCP_STAT_steer_in), to1);
	}
	CHECK(check_pools() == 0);
	teardown();
	return 0;
}

/*
 * Test 4: a NIC whose RETA is not the engine's: the hash is right but
 * every TCP frame lands on the other worker's queue. Each worker hands
 * every TCP frame it receives to the other (both directions of steering,
 * from the hash the NIC reported), and the connections do not notice.
 */
static int
rss_wire_other_reta_steers_both_ways(void)
{
	unsigned int i;

	CHECK(setup(NW, WIRE_RSS_OTHER, NULL, 0) == 0);
	printf("  %u connections each way, %u workers, %u RX queues, every "
		"TCP frame on the wrong one\n", T.nconn, NW, NW);
	if (run_both_ways() != 0) {
		print_steer();
		return -1;
	}
	print_steer();
	for (i = 0; i < 2; i++) {
		struct side *s = &T.s[i];

		CHECK_EQ(steer_to(s, 0, 1), s->wire_owned[1] +
			lstat(s, 1, PTCP_STAT_arp_replica_rx));
		CHECK_EQ(steer_to(s, 1, 0), s->wire_owned[0]);
		CHECK_EQ(steer_to(s, 0, 0) + steer_to(s, 1, 1), 0);
		CHECK_EQ(lstat(s, 0, PTCP_STAT_steer_out), steer_to(s, 0, 1));
		CHECK_EQ(lstat(s, 1, PTCP_STAT_steer_out), s->wire_owned[0]);
		CHECK_EQ(lstat(s, 0, PTCP_STAT_steer_in), steer_to(s, 1, 0));
		CHECK_EQ(lstat(s, 1, PTCP_STAT_steer_in), steer_to(s, 0, 1));
		CHECK_EQ(lstat(s, 0, PTCP_STAT_steer_drop) +
			lstat(s, 1, PTCP_STAT_steer_drop), 0);
	}
	CHECK(check_pools() == 0);
	teardown();
	return 0;
}

/* ---- test 3: the hash and the ports connect chooses ----------------- */

#define T3_CONNS 1000
#define T3_PORT  9               /* nobody listens: the SYNs get RSTs */

static unsigned int t3_closed, t3_closed_other;

static void
t3_closed_cb(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	if (why == PTCP_CLOSE_ABORTED)
		t3_closed++;
	else
		t3_closed_other++;
}

static const struct ptcp_tcp_ops t3_ops = {
	.closed = t3_closed_cb,
};

static uint64_t
test_seed(void)
{
	const char *v = getenv("PTCP_SEED");

	if (v != NULL && *v != '\0')
		return strtoull(v, NULL, 0);
	return rte_rdtsc();
}

static int
connect_ports_owned(unsigned int nb_rxq)
{
	static struct ptcp_conn *conns[NW][T3_CONNS];
	static uint8_t used[65536];
	static const char *const sets[] = { "tcp.max_conns=4096" };
	struct side *a;
	unsigned int w, k, n;
	uint32_t laddr, raddr;
	uint16_t lport, rport;

	CHECK(setup(nb_rxq, nb_rxq > 1 ? WIRE_RSS : WIRE_ONE_QUEUE, sets,
		RTE_DIM(sets)) == 0);
	a = &T.s[0];
	memset(used, 0, sizeof(used));
	t3_closed = t3_closed_other = 0;
	for (w = 0; w < NW; w++) {
		struct ptcp_lcore *lc = a->st.s.e->lcores[w];
		struct ptcp_connect_opts o = {
			.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 2)),
			.rport = T3_PORT,
		};

		for (k = 0; k < T3_CONNS; k++) {
			conns[w][k] = ptcp_connect(lc, &o, &t3_ops);
			CHECK_MSG(conns[w][k] != NULL, "worker %u connect #%u: "
				"%s", w, k, rte_strerror(rte_errno));
			ptcp_conn_tuple(conns[w][k], &laddr, &lport, &raddr,
				&rport);
			CHECK(ptcp_conn_lcore(conns[w][k]) == lc);
			CHECK_EQ(rport, T3_PORT);
			CHECK_EQ(raddr, o.raddr);
			CHECK_MSG(lport >= 32768 && lport <= 60999,
				"port %u", lport);
			CHECK_MSG(used[lport] == 0, "worker %u: port %u chosen "
				"twice", w, lport);
			used[lport] = 1;
			/* The reply (B -> A) hashes the same (symmetric) and
			 * must land on this worker. */
			CHECK_MSG(ptcp_port_owner(&a->st.s.e->ports[0],
				ptcp_rss_hash(raddr, laddr,
					rte_cpu_to_be_16(rport),
					rte_cpu_to_be_16(lport))) == w,
				"worker %u: port %u brings replies elsewhere",
				w, lport);
		}
	}
	/* Abort them: in SYN-SENT, closed runs at once. */
	for (w = 0; w < NW; w++)
		for (k = 0; k < T3_CONNS; k++)
			ptcp_abort(conns[w][k]);
	CHECK_EQ(t3_closed, NW * T3_CONNS);
	CHECK_EQ(t3_closed_other, 0);
	/* The SYNs already out get RSTs, which find nothing: let it all
	 * pass until the wire is idle. */
	for (n = 0; n < 5000; n++) {
		pass(1);
		if (h_mstack_ring_count(&T.s[0].st) == 0 &&
				h_mstack_ring_count(&T.s[1].st) == 0 && n > 10)
			break;
	}
	for (n = 0; n < 20; n++)
		pass(100);
	for (k = 0; k < PTCP_TCPS_MAX; k++) {
		if (k == PTCP_TCPS_LISTEN)
			continue;
		CHECK_MSG(h_mstack_state(&T.s[0].st, k) == 0 &&
			h_mstack_state(&T.s[1].st, k) == 0,
			"state %s not empty", ptcp_tcp_state_name(k));
	}
	CHECK_EQ(T.wrong_lcore, 0);
	CHECK(check_pools() == 0);
	printf("  %u RX queue(s): %u ports chosen per worker, each owned by "
		"its worker\n", nb_rxq, T3_CONNS);
	teardown();
	return 0;
}

static int
rss_hash_symmetric_and_connect_ports_owned(void)
{
	uint64_t seed = test_seed(), s = seed;
	unsigned int i, odd = 0;

	printf("  seed %" PRIu64 " (PTCP_SEED)\n", seed);
	for (i = 0; i < 10000; i++) {
		uint64_t r = ptcp_test_rand(&s), r2 = ptcp_test_rand(&s);
		uint32_t sa = (uint32_t)r, da = (uint32_t)(r >> 32);
		uint16_t sp = (uint16_t)r2, dp = (uint16_t)(r2 >> 16);
		uint32_t h = ptcp_rss_hash(sa, da, sp, dp);

		CHECK_MSG(h == ptcp_rss_hash(da, sa, dp, sp),
			"not symmetric: %08x %08x %u %u", sa, da, sp, dp);
		odd += h & 1;
	}
	/* A hash that spreads: both values of a bit, not near all one. */
	CHECK_MSG(odd > 4000 && odd < 6000, "%u of 10000 hashes odd", odd);
	CHECK(connect_ports_owned(NW) == 0);
	CHECK(connect_ports_owned(1) == 0);
	return 0;
}

static void
after(void)
{
	if (T.s[0].st.s.e != NULL || T.s[1].st.s.e != NULL ||
			T.s[0].st.rx[0] != NULL || T.s[1].st.rx[0] != NULL)
		teardown();
}

static const struct ptcp_test tests[] = {
	TEST(rss_hash_symmetric_and_connect_ports_owned),
	TEST(rss_wire_ten_thousand_each_way),
	TEST(one_rx_queue_software_steering),
	TEST(rss_wire_other_reta_steers_both_ways),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
