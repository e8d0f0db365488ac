/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * inproc: the churn workload and ptcp-server in ONE process, for counting
 * the server's instructions per connection with callgrind (issue 5).
 *
 * Stack A runs ptcp-churn's workload (app/churn/churn.c), stack B runs
 * ptcp-server's real services (app/server: the rr service answers 64
 * bytes), cross-connected over net_ring, the clock driven by hand
 * (tests/pkt/churn_pair.c). After --warmup connections, every server loop
 * pass goes through pair_server_pass_measured() until --count more have
 * completed, so
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=pair_server_pass_measured inproc ...
 *
 * collects exactly the server's steady-state passes (RX from the ring to
 * TX flush: parsing, flow lookup, TCP, the rr service, timers) and
 * nothing of the client. Two processes over net_memif are the real
 * benchmark (run.sh); under valgrind the memif handshake rarely completes,
 * and this is also repeatable to the instruction.
 *
 * Prints one line: closer, measured connections, server passes, and wall
 * time (meaningless under valgrind).
 *
 * The client's side can be shaped as ptcp-churn's options do (--rate,
 * --sources: the port's address and extra addresses 10.96.0.10 and up,
 * --lport-min/--lport-max) and its stack configured (--set, e.g.
 * tcp.msl_ms=30000 so that TIME-WAIT outlives the 1 s reuse delay), to
 * count what connect costs once the tuple space is full of TIME-WAIT:
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=ptcp_connect inproc --rate 20000 --sources 64 ...
 *
 * Usage: inproc [--count N] [--warmup N] [--closer client|server|rst]
 *               [--concurrency C | --rate R] [--sources N]
 *               [--lport-min P] [--lport-max P] [--set SEC.KEY=VALUE]...
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "churn_pair.h"
#include "harness.h"

/* Most --set options. */
#define MAX_SETS 16

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--count N] [--warmup N] "
		"[--closer client|server|rst] [--concurrency C | --rate R] "
		"[--sources N] [--lport-min P] [--lport-max P] "
		"[--set SEC.KEY=VALUE]...\n", prog);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "closer", required_argument, NULL, 'c' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "rate", required_argument, NULL, 'r' },
		{ "sources", required_argument, NULL, 's' },
		{ "lport-min", required_argument, NULL, 'l' },
		{ "lport-max", required_argument, NULL, 'L' },
		{ "set", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sets[MAX_SETS + 1];
	char extra[64];
	unsigned int nb_sets = 0, sources = 1, lport_min = 32768,
		lport_max = 60999, i;
	double rate = 0;
	uint64_t count = 20000, warmup = 5000, acc0, acc1, t0, t1, passes = 0;
	int k;
	unsigned int concurrency = 64, closer = CHURN_CLOSE_CLIENT;
	const char *rr_close = "client";
	uint64_t iter;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtoull(optarg, NULL, 10);
			break;
		case 'C':
			concurrency = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 's':
			sources = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			lport_min = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'L':
			lport_max = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			if (nb_sets == MAX_SETS)
				return usage(argv[0]);
			sets[nb_sets++] = optarg;
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
	if (count == 0 || concurrency == 0 || concurrency > 1024 ||
			sources == 0 || sources > CHURN_MAX_SRC ||
			lport_min == 0 || lport_max > 65535 ||
			lport_max < lport_min || rate < 0)
		return usage(argv[0]);
	if (sources > 1) {
		snprintf(extra, sizeof(extra), "port0.extra_addresses="
			"10.96.0.10-10.96.0.%u", 10 + sources - 2);
		sets[nb_sets++] = extra;
	}
	if (h_eal_init(argv[0]) != 0)
		return 1;
	if (pair_setup_ex(rr_close, 64, 64, sets, nb_sets) != 0) {
		fprintf(stderr, "inproc: setup failed\n");
		return 1;
	}
	P.p.closer = closer;
	P.p.concurrency = rate > 0 ? 0 : concurrency;
	P.p.rate = rate;
	P.p.lport_min = (uint16_t)lport_min;
	P.p.lport_max = (uint16_t)lport_max;
	if (sources > 1) {
		P.p.nb_src = sources;
		P.p.src[0] = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 1));
		for (i = 1; i < sources; i++)
			P.p.src[i] = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0,
				10 + i - 1));
	}
	P.p.count = warmup + count;
	P.p.verify = false;
	if (churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1) != 0) {
		fprintf(stderr, "inproc: churn init failed\n");
		return 1;
	}
	tick(1);
	for (iter = 0; iter < 100000000 && P.cl->st.ok < warmup &&
			!P.cl->st.finished; iter++)
		tick(1);
	acc0 = stat_of(&P.b, PTCP_STAT_tcp_passive_open);
	t0 = rte_rdtsc();
	P.measure = true;
	for (; iter < 100000000 && !P.cl->st.finished; iter++, passes++)
		tick(1);
	P.measure = false;
	t1 = rte_rdtsc();
	acc1 = stat_of(&P.b, PTCP_STAT_tcp_passive_open);
	printf("inproc: closer %s connections %" PRIu64 " server_passes %"
		PRIu64 " failures %" PRIu64 " wall_ms %.1f\n",
		churn_closer_name(closer), acc1 - acc0, passes,
		P.cl->st.started - P.cl->st.ok,
		(double)(t1 - t0) * 1000.0 / (double)rte_get_tsc_hz());
	printf("inproc: client active_open %" PRIu64 " tw_reuse_connect %"
		PRIu64 " tw_cap %" PRIu64 " port_exhausted %" PRIu64
		" time_wait %" PRIu64 " virtual_ms %" PRIu64 " churn_fail",
		stat_of(&P.a, PTCP_STAT_tcp_active_open),
		stat_of(&P.a, PTCP_STAT_tcp_tw_reuse_connect),
		stat_of(&P.a, PTCP_STAT_tcp_tw_cap),
		stat_of(&P.a, PTCP_STAT_tcp_port_exhausted),
		count_state(&P.a, PTCP_TCPS_TIME_WAIT), P.now_ms);
	for (k = 0; k < CHURN_FAIL_MAX; k++)
		if (P.cl->st.fail[k] != 0)
			printf(" %s %" PRIu64, churn_fail_name((unsigned int)k),
				P.cl->st.fail[k]);
	printf("\n");
	pair_teardown();
	rte_eal_cleanup();
	return 0;
}
