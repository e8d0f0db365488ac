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
 * Usage: inproc [--count N] [--warmup N] [--closer client|server|rst]
 *               [--concurrency C]
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

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--count N] [--warmup N] "
		"[--closer client|server|rst] [--concurrency C]\n", prog);
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
		{ NULL, 0, NULL, 0 },
	};
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
	if (count == 0 || concurrency == 0 || concurrency > 1024)
		return usage(argv[0]);
	if (h_eal_init(argv[0]) != 0)
		return 1;
	if (pair_setup(rr_close, 64, 64) != 0) {
		fprintf(stderr, "inproc: setup failed\n");
		return 1;
	}
	P.p.closer = closer;
	P.p.concurrency = concurrency;
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
	pair_teardown();
	rte_eal_cleanup();
	return 0;
}
