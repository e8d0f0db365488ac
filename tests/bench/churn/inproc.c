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
 * --offload: the server's port advertises IPv4/TCP checksum offload, RX
 * and TX, and the wire honours it as a NIC would, in the client's pass
 * (tests/pkt/offload.h), so that the figure is that of a server on a NIC
 * with checksum offload. One more line, "inproc-offload:", gives the
 * model's books; any frame that left the server with a wrong checksum,
 * or any the client sent that the model found bad, fails the run.
 *
 * --idle N, --tw N: before the warmup, N connections stay idle
 * (ESTABLISHED on both sides) and N more are closed by the server, which
 * holds them in TIME-WAIT for the whole run (its MSL becomes 10 minutes,
 * 20 of TIME-WAIT; the run lasts seconds of virtual time), so that the
 * measurement pays for tables that size (tests/pkt/churn_pair.h,
 * pair_fill()). Both sides' max_conns, the server's max_tw and the EAL
 * memory grow to fit. A suffix k or M counts thousands or millions
 * (1k = 1000). One more line, "inproc-tables:", gives the fill's books
 * and time, the wall time of the server's measured passes alone
 * (server_ms), and checks that none of them left during the run.
 *
 * Filling millions of connections under callgrind takes long: run it
 * with --instr-atstart=no, and inproc starts the instrumentation itself
 * once the fill is done (the collected figure does not change: only
 * pair_server_pass_measured is collected either way).
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
 *               [--offload] [--idle N] [--tw N] [--mem MiB]
 */
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_random.h>

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION do { } while (0)
#endif

#include "churn_pair.h"
#include "harness.h"
#include "offload.h"

/* Most --set options. */
#define MAX_SETS 16

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--count N] [--warmup N] "
		"[--closer client|server|rst] [--concurrency C | --rate R] "
		"[--sources N] [--lport-min P] [--lport-max P] "
		"[--set SEC.KEY=VALUE]... [--offload] [--idle N] [--tw N] "
		"[--mem MiB]\n", prog);
	return 2;
}

/* "1000", "1k", "10M": @return false if @s is not such a count. */
static bool
parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K') {
		v *= 1000;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		v *= 1000000;
		end++;
	}
	*out = v;
	return *end == '\0';
}

/*
 * EAL memory for the fill: per idle connection a TCB on each side (256 B
 * plus the mempool's header) and a flow entry on each side; per
 * TIME-WAIT entry 64 B plus a header and a flow entry on the server. The
 * estimate is generous: untouched memory costs nothing (--no-huge maps
 * it anonymous).
 */
static unsigned int
mem_mb(uint64_t idle, uint64_t tw)
{
	return (unsigned int)(256 + (idle * 1200 + tw * 400) / (1u << 20));
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
		{ "offload", no_argument, NULL, 'o' },
		{ "idle", required_argument, NULL, 'i' },
		{ "tw", required_argument, NULL, 't' },
		{ "mem", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sets[MAX_SETS + 4];
	char extra[64], cset[64], sset[3][64];
	unsigned int nb_sets = 0, sources = 1, lport_min = 32768,
		lport_max = 60999, i;
	double rate = 0;
	const char *ssets[3];
	unsigned int nss = 0, mb = 0;
	uint64_t idle = 0, tw = 0, est0 = 0, tw0 = 0, fill0 = 0, fill1 = 0;
	struct h_offload off;
	bool offload = false, fail = false;
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
		case 'o':
			offload = true;
			break;
		case 'i':
			if (!parse_count(optarg, &idle))
				return usage(argv[0]);
			break;
		case 't':
			if (!parse_count(optarg, &tw))
				return usage(argv[0]);
			break;
		case 'm':
			mb = (unsigned int)strtoul(optarg, NULL, 10);
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
			lport_max < lport_min || rate < 0 ||
			idle > PAIR_FILL_MAX || tw > PAIR_FILL_MAX)
		return usage(argv[0]);
	/* The fill's extra addresses (below) include these. */
	if (sources > 1 && idle + tw == 0) {
		snprintf(extra, sizeof(extra), "port0.extra_addresses="
			"10.96.0.10-10.96.0.%u", 10 + sources - 2);
		sets[nb_sets++] = extra;
	}
	if (h_eal_init_mb(argv[0], mb != 0 ? mb : mem_mb(idle, tw)) != 0)
		return 1;
	if (idle + tw != 0) {
		/*
		 * Where the churn's tuples fall among millions of parked ones
		 * (bucket neighbours, chains) moves the count by a few
		 * hundred Ir per connection: the churn's first local port
		 * comes from rte_rand() (lib/tcp), so seed it, and the same
		 * binary counts the same at any N.
		 */
		rte_srand(13);
		/* The test pair's 1024 TCBs and 16384 TIME-WAIT entries
		 * (harness.h), plus the parked ones, plus on the client a
		 * batch of the TIME-WAIT fill in LAST-ACK; with closer
		 * server the churn's own TIME-WAIT entries stay as long as
		 * the parked ones (MSL). */
		sets[nb_sets++] = PAIR_FILL_CLIENT_SET;
		snprintf(cset, sizeof(cset), "tcp.max_conns=%" PRIu64,
			1024 + idle + 1024);
		sets[nb_sets++] = cset;
		snprintf(sset[0], sizeof(sset[0]), "tcp.max_conns=%" PRIu64,
			1024 + idle);
		ssets[nss++] = sset[0];
		snprintf(sset[1], sizeof(sset[1]), "tcp.max_tw=%" PRIu64,
			16384 + tw + (tw != 0 && closer == CHURN_CLOSE_SERVER ?
				warmup + count : 0));
		ssets[nss++] = sset[1];
		if (tw != 0)
			ssets[nss++] = "tcp.msl_ms=600000";
	}
	if (pair_setup_sets(rr_close, 64, 64, sets, nb_sets, ssets, nss) != 0) {
		fprintf(stderr, "inproc: setup failed\n");
		return 1;
	}
	if (offload && h_offload_attach(&off, &P.b, &P.a) != 0) {
		fprintf(stderr, "inproc: cannot attach the offload model\n");
		return 1;
	}
	if (idle + tw != 0) {
		fill0 = rte_rdtsc();
		if (pair_fill(idle, tw) != 0)
			return 1;
		fill1 = rte_rdtsc();
		est0 = count_state(&P.b, PTCP_TCPS_ESTABLISHED);
		tw0 = count_state(&P.b, PTCP_TCPS_TIME_WAIT);
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
	CALLGRIND_START_INSTRUMENTATION;
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
	if (offload) {
		printf("inproc-offload: ip_filled %" PRIu64 " tcp_filled %"
			PRIu64 " wire_checked %" PRIu64 " wire_bad %" PRIu64
			" rx_good %" PRIu64 " rx_bad %" PRIu64 "\n",
			off.ip_filled, off.tcp_filled, off.wire_checked,
			off.wire_bad, off.rx_good, off.rx_bad);
		/* Every frame checked, none bad, and the server's TCP
		 * checksums all left to the model. */
		if (off.wire_bad != 0 || off.rx_bad != 0 ||
				off.tcp_filled == 0 ||
				stat_of(&P.b, PTCP_STAT_tcp_bad_csum) != 0) {
			fprintf(stderr, "inproc: offload model: bad frames\n");
			fail = true;
		}
		h_offload_detach(&off);
	}
	if (idle + tw != 0) {
		/* The parked ones are all still there: none closed (lost),
		 * the server's TIME-WAIT count did not fall below them. */
		printf("inproc-tables: idle %" PRIu64 " tw %" PRIu64
			" fill_s %.1f fill_clock_ms %" PRIu64 " server_ms %.1f"
			" server "
			"established %" PRIu64 "->%" PRIu64 " time_wait %"
			PRIu64 "->%" PRIu64 " lost %" PRIu64 "\n", idle, tw,
			(double)(fill1 - fill0) / (double)rte_get_tsc_hz(),
			P.fill.clock_steps, (double)P.measured_tsc * 1000.0 /
			(double)rte_get_tsc_hz(), est0,
			count_state(&P.b, PTCP_TCPS_ESTABLISHED), tw0,
			count_state(&P.b, PTCP_TCPS_TIME_WAIT), P.fill.lost);
		if (P.fill.lost != 0 ||
				count_state(&P.b, PTCP_TCPS_TIME_WAIT) < tw ||
				count_state(&P.b, PTCP_TCPS_ESTABLISHED) < idle) {
			fprintf(stderr, "inproc: parked connections left\n");
			fail = true;
		}
	}
	/*
	 * Detach frees millions of parked entries one by one and checks
	 * nothing here (before b341c47 it was quadratic in TIME-WAIT
	 * entries: 19 s for a million). With the tables filled the process
	 * just exits, and the kernel takes the memory back.
	 */
	if (tw != 0) {
		fflush(stdout);
		return fail ? 1 : 0;
	}
	pair_teardown();
	rte_eal_cleanup();
	return fail ? 1 : 0;
}
