/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * steer_inproc: the churn workload against ptcp-server's rr service, two
 * stacks of W workers each in ONE process (tests/pkt/harness.c, h_mpair),
 * for counting the server's instructions per connection and per steered
 * frame with callgrind (issue 7). tests/bench/churn/inproc.c is the same
 * with one worker and no choice of wire.
 *
 * The test is the wire between the stacks' net_ring ports and picks the RX
 * queue of every frame (--wire):
 *
 *   one        every frame on RX queue 0, no hash: a port without RSS (the
 *              port then has one RX queue, --rxq 1). Worker 0 receives
 *              everything and steers what others own over the SP/SC rings
 *   rss        the owner's queue, with m->hash.rss set: a NIC doing RSS
 *              with ptcp's key and RETA (--rxq = --workers). Nothing is
 *              steered, and frame_owner() reads the NIC's hash
 *   rss-nohash the owner's queue, no hash: nothing is steered, but every
 *              frame's owner is computed in software (rte_softrss), as with
 *              "one". "one" minus this is the steering alone
 *
 * ptcp-churn's workload runs on every client worker (concurrency and count
 * split between them; each picks local ports that hash to itself), so the
 * server's flows are spread over its workers as the RETA says.
 *
 * After --warmup connections every server loop pass, of every server worker,
 * goes through server_passes_measured() until --count more are done:
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=server_passes_measured steer_inproc ...
 *
 * --idle P instead runs no traffic: P passes of every server worker through
 * server_passes_measured() (the cost of a pass with nothing to do, which
 * with W workers polls W - 1 steering rings).
 *
 * Prints one line of key=value: the configuration, connections measured,
 * server passes (ticks x workers), frames the server took from its port
 * (rx_pkts), frames steered (steer_out), frames sent, failures; one line per
 * server worker (its counters since start).
 *
 * Usage: steer_inproc [--workers W] [--rxq Q] [--wire one|rss|rss-nohash]
 *        [--count N] [--warmup N] [--closer client|server|rst]
 *        [--concurrency C] [--idle P]
 */
#include <getopt.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ptcp_test_eal.h"
#include "harness.h"
#include "ptcp.h"
#include "ptcp_io.h"
#include "ptcp_rss.h"
#include "ptcp_tcp.h"

#include "churn.h"
#include "services.h"

/* tests/pkt/churn_pair.c (whose header's names clash with this file's) */
int pair_server_config(struct ptcp_server_config *sc, const char *rr_close,
		uint32_t request, uint32_t response, uint16_t port);

#define RR_PORT 5001
#define ITER_MAX 100000000ull

enum wire { WIRE_ONE, WIRE_RSS, WIRE_RSS_NOHASH };

static const char *const wire_names[] = {
	[WIRE_ONE] = "one", [WIRE_RSS] = "rss",
	[WIRE_RSS_NOHASH] = "rss-nohash",
};

static struct {
	struct h_mstack a, b;                /* client (churn), server */
	struct services *sv;
	struct ptcp_server_config srv;       /* the server's [server] */
	struct churn_lcore *cl[H_MQ_MAX];
	struct churn_params p;
	unsigned int workers;
	enum wire wire;
	uint64_t now_ms;
	unsigned int dropped;
	bool measure;
} S;

/* The NIC of the stack receiving @m: see the file comment. */
static int
wire_pick(struct h_mstack *dst, struct rte_mbuf *m, void *arg)
{
	uint32_t saddr, daddr, hash;
	uint16_t sport, dport;
	unsigned int w;

	RTE_SET_USED(arg);
	m->ol_flags &= ~RTE_MBUF_F_RX_RSS_HASH;
	if (S.wire == WIRE_ONE ||
			!h_frame_tuple(m, &saddr, &daddr, &sport, &dport))
		return 0;
	hash = ptcp_rss_hash(saddr, daddr, sport, dport);
	w = ptcp_port_owner(&dst->s.e->ports[0], hash);
	if (S.wire == WIRE_RSS) {
		m->hash.rss = hash;
		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	}
	return w < dst->nb_rxq ? (int)w : 0;
}

/*
 * The server workers' passes; never inlined, so callgrind can collect just
 * these (--toggle-collect=server_passes_measured), and tell worker 0's
 * (the one receiving every frame with --wire one) from the others'
 * (inclusive costs of server_pass0 and server_passn).
 */
__rte_noinline void server_pass0(void);
__rte_noinline void server_passn(void);
__rte_noinline void server_passes_measured(void);
__rte_noinline void server_passes(void);

__rte_noinline void
server_pass0(void)
{
	h_mstack_poll_one(&S.b, 0, S.now_ms);
}

__rte_noinline void
server_passn(void)
{
	unsigned int w;

	for (w = 1; w < S.workers; w++)
		h_mstack_poll_one(&S.b, w, S.now_ms);
}

__rte_noinline void
server_passes_measured(void)
{
	server_pass0();
	server_passn();
}

__rte_noinline void
server_passes(void)
{
	h_mstack_poll(&S.b, S.now_ms);
}

/* As h_eal_init() with room for 8 workers' pools in each of two stacks. */
static int
eal_init(const char *prog)
{
	const char *argv[] = {
		prog, "--no-huge", "-m", "1024",
		"--no-shconf", "--no-pci", "-l", "0", "--log-level=warning",
		"--no-telemetry",
	};

	if (ptcp_test_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* One millisecond: client workers (each with its churn step), the wire
 * A -> B, every server worker, the wire B -> A. */
static void
tick(void)
{
	unsigned int w;

	S.now_ms++;
	for (w = 0; w < S.workers; w++) {
		h_mstack_poll_one(&S.a, w, S.now_ms);
		if (S.cl[w] != NULL)
			churn_lcore_step(S.cl[w], S.a.s.e->lcores[w]->now_tsc);
	}
	h_mwire_move(&S.a, &S.b, wire_pick, NULL, &S.dropped);
	if (S.measure)
		server_passes_measured();
	else
		server_passes();
	h_mwire_move(&S.b, &S.a, wire_pick, NULL, &S.dropped);
}

static uint64_t
srv_stat(enum ptcp_stat_id id)
{
	uint64_t sum = 0;
	unsigned int w;

	for (w = 0; w < S.workers; w++)
		sum += h_mstack_lcore_stat(&S.b, w, id);
	return sum;
}

static uint64_t
cli_sum(size_t off)
{
	uint64_t sum = 0;
	unsigned int w;

	for (w = 0; w < S.workers; w++)
		if (S.cl[w] != NULL)
			sum += *(const uint64_t *)((const char *)&S.cl[w]->st +
				off);
	return sum;
}

static bool
cli_finished(void)
{
	unsigned int w;

	for (w = 0; w < S.workers; w++)
		if (S.cl[w] != NULL && !S.cl[w]->st.finished)
			return false;
	return true;
}

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--workers W] [--rxq Q] "
		"[--wire one|rss|rss-nohash] [--count N] [--warmup N] "
		"[--closer client|server|rst] [--concurrency C] [--idle P]\n",
		prog);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workers", required_argument, NULL, 'W' },
		{ "rxq", required_argument, NULL, 'Q' },
		{ "wire", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "closer", required_argument, NULL, 'c' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "idle", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 20000, warmup = 5000, idle = 0, iter, passes = 0;
	uint64_t acc0, acc1, rx0, rx1, st0, st1, tx0, tx1;
	int k;
	unsigned int concurrency = 64, closer = CHURN_CLOSE_CLIENT, rxq = 1;
	unsigned int w, i;
	const char *rr_close = "client";
	char err[512];
	int opt, ret = 1;

	memset(&S, 0, sizeof(S));
	S.workers = 1;
	S.wire = WIRE_ONE;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'W':
			S.workers = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'Q':
			rxq = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			for (i = 0; i < RTE_DIM(wire_names); i++)
				if (strcmp(optarg, wire_names[i]) == 0)
					break;
			if (i == RTE_DIM(wire_names))
				return usage(argv[0]);
			S.wire = (enum wire)i;
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtoull(optarg, NULL, 10);
			break;
		case 'C':
			concurrency = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			idle = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			k = churn_closer_parse(optarg);
			if (k < 0)
				return usage(argv[0]);
			closer = (unsigned int)k;
			if (closer == CHURN_CLOSE_SERVER)
				rr_close = "server";
			break;
		default:
			return usage(argv[0]);
		}
	}
	if (S.workers == 0 || S.workers > H_MQ_MAX || rxq == 0 ||
			rxq > S.workers || count == 0 || concurrency == 0 ||
			concurrency > 1024 || concurrency < S.workers ||
			idle > 10000000)
		return usage(argv[0]);
	if (S.wire != WIRE_ONE && rxq != S.workers) {
		fprintf(stderr, "steer_inproc: --wire %s needs --rxq %u\n",
			wire_names[S.wire], S.workers);
		return 2;
	}
	if (eal_init(argv[0]) != 0)
		return 1;

	if (pair_server_config(&S.srv, rr_close, 64, 64, RR_PORT) != 0 ||
			h_mpair_create(&S.a, &S.b, S.workers, rxq,
				"10.96.0.1/24", NULL, 0, "10.96.0.2/24", NULL,
				0) != 0) {
		fprintf(stderr, "steer_inproc: pair setup failed\n");
		goto out;
	}
	if (S.b.s.e->nb_lcores != S.workers) {
		fprintf(stderr, "steer_inproc: %u server workers, asked %u\n",
			S.b.s.e->nb_lcores, S.workers);
		goto out;
	}
	S.sv = services_create(S.b.s.e, &S.srv, err, sizeof(err));
	if (S.sv == NULL) {
		fprintf(stderr, "services: %s\n", err);
		goto out;
	}
	for (w = 0; w < S.workers; w++)
		if (services_listen(S.sv, S.b.s.e->lcores[w], err,
				sizeof(err)) != 0) {
			fprintf(stderr, "services: %s\n", err);
			goto out;
		}

	if (idle != 0) {
		/* Let the gratuitous ARPs cross, then passes with nothing. */
		for (i = 0; i < 5; i++)
			tick();
		S.measure = true;
		for (iter = 0; iter < idle; iter++) {
			S.now_ms++;
			server_passes_measured();
		}
		S.measure = false;
		printf("steer_inproc: workers=%u rxq=%u wire=%s idle_ticks=%"
			PRIu64 " server_passes=%" PRIu64 "\n", S.workers, rxq,
			wire_names[S.wire], idle, idle * S.workers);
		ret = 0;
		goto out;
	}

	S.p.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 2));
	S.p.rport = RR_PORT;
	S.p.lport_min = 32768;
	S.p.lport_max = 60999;
	S.p.concurrency = concurrency;
	S.p.request = 64;
	S.p.response = 64;
	S.p.closer = closer;
	S.p.count = warmup + count;
	S.p.verify = false;
	S.p.connect_timeout_ms = 3000;
	S.p.io_timeout_ms = 10000;
	S.p.max_open = 1024;
	S.p.tsc_hz = S.a.s.e->tsc_hz;
	for (w = 0; w < S.workers; w++) {
		S.cl[w] = rte_zmalloc("steer_inproc_churn", sizeof(*S.cl[w]),
			RTE_CACHE_LINE_SIZE);
		if (S.cl[w] == NULL || churn_lcore_init(S.cl[w],
				S.a.s.e->lcores[w], &S.p, w, S.workers) != 0) {
			fprintf(stderr, "steer_inproc: churn init failed\n");
			goto out;
		}
	}

	tick();
	for (iter = 0; iter < ITER_MAX && cli_sum(offsetof(struct churn_stats,
			ok)) < warmup && !cli_finished(); iter++)
		tick();
	acc0 = srv_stat(PTCP_STAT_tcp_passive_open);
	/* rx_pkts: where frames came in, steered or not. */
	rx0 = srv_stat(PTCP_STAT_rx_pkts);
	st0 = srv_stat(PTCP_STAT_steer_out);
	tx0 = srv_stat(PTCP_STAT_tx_pkts);
	S.measure = true;
	for (; iter < ITER_MAX && !cli_finished(); iter++, passes++)
		tick();
	S.measure = false;
	acc1 = srv_stat(PTCP_STAT_tcp_passive_open);
	rx1 = srv_stat(PTCP_STAT_rx_pkts);
	st1 = srv_stat(PTCP_STAT_steer_out);
	tx1 = srv_stat(PTCP_STAT_tx_pkts);
	printf("steer_inproc: workers=%u rxq=%u wire=%s closer=%s "
		"connections=%" PRIu64 " server_passes=%" PRIu64
		" frames_in=%" PRIu64 " steered=%" PRIu64 " frames_out=%"
		PRIu64 " failures=%" PRIu64 " wire_drops=%u\n", S.workers, rxq,
		wire_names[S.wire], churn_closer_name(closer), acc1 - acc0,
		passes * S.workers, rx1 - rx0, st1 - st0, tx1 - tx0,
		cli_sum(offsetof(struct churn_stats, started)) -
		cli_sum(offsetof(struct churn_stats, ok)), S.dropped);
	for (w = 0; w < S.workers; w++)
		printf("steer_inproc: server worker %u: passive_open=%" PRIu64
			" rx_pkts=%" PRIu64 " steer_out=%" PRIu64 " steer_in=%"
			PRIu64 "\n", w, h_mstack_lcore_stat(&S.b, w,
				PTCP_STAT_tcp_passive_open),
			h_mstack_lcore_stat(&S.b, w, PTCP_STAT_rx_pkts),
			h_mstack_lcore_stat(&S.b, w, PTCP_STAT_steer_out),
			h_mstack_lcore_stat(&S.b, w, PTCP_STAT_steer_in));
	ret = 0;
out:
	h_mpair_destroy(&S.a, &S.b);
	for (w = 0; w < H_MQ_MAX; w++)
		if (S.cl[w] != NULL) {
			churn_lcore_free(S.cl[w]);
			rte_free(S.cl[w]);
		}
	services_destroy(S.sv);
	rte_eal_cleanup();
	return ret;
}
