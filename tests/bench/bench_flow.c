/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table cost as the table grows: lib/flow (rte_hash, CRC32-C, extendable
 * buckets) at 1K, 100K, 1M and 4M entries, each table created for exactly
 * its N and filled to N with random keys.
 *
 * For each N:
 *  - fill:    ns per ptcp_flow_add() while filling the empty table to N
 *             (one pass: includes drawing the key and first-touch faults);
 *  - hit:     ns per ptcp_flow_lookup() of a present key, keys in a random
 *             permutation (no locality for the caches to use);
 *  - bulk32:  ns per key of ptcp_flow_lookup_bulk() over 32 keys at a time,
 *             same random order (a 32-packet RX burst);
 *  - miss:    ns per single lookup of a key that is absent;
 *  - del+add: ns per pair ptcp_flow_del() then ptcp_flow_add() of the same
 *             key, random order (2^20 pairs), so the table stays full;
 *  - bytes/entry: DPDK heap bytes the table took (rte_malloc socket stats
 *             before and after creation; rte_hash's rings are memzones,
 *             carved from the same heap), divided by N.
 * Each time is the best of REPS runs of at least OPS_MIN operations, in
 * the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that a busy machine
 * stretches the run but not the figures (much: caches are still shared).
 *
 * Usage: bench_flow [N ...]   (default 1024 100000 1000000 4194304)
 * Run through `meson test -C <build> --benchmark flow`; it is not part of
 * any test suite.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ptcp_flow.h"
#include "ptcp_test_flow.h"

#define REPS 3
#define OPS_MIN (1u << 22)	/* lookups per timed run, at least */
#define DELADD_OPS (1u << 20)	/* del+add pairs per timed run, about */
#define MISSES 65536u
#define BULK 32u

struct result {
	uint32_t n;
	double fill_ns, hit_ns, bulk_ns, miss_ns, deladd_ns;
	double bytes_per_entry;
};



static uint64_t
now_ns(void)
{
	struct timespec ts;

	/* this thread's CPU time: time the shared machine takes away is out */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t
heap_bytes(int socket)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats(socket, &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

static int
run_one(uint32_t n, int socket, uint64_t seed, struct result *r)
{
	const struct ptcp_flow_key **order = NULL;
	struct ptcp_flow_key *keys = NULL, *miss = NULL;
	struct ptcp_flow_table *t = NULL;
	void *owners[BULK];
	uint32_t i, j, *perm = NULL, ops, rounds, deladd;
	uint64_t t0, best, sink = 0, hits;
	size_t before, after;
	int rep, ret = -1;

	memset(r, 0, sizeof(*r));
	r->n = n;
	keys = malloc((size_t)n * sizeof(*keys));
	perm = malloc((size_t)n * sizeof(*perm));
	order = malloc((size_t)n * sizeof(*order));
	miss = malloc(MISSES * sizeof(*miss));
	if (keys == NULL || perm == NULL || order == NULL || miss == NULL)
		goto out;

	before = heap_bytes(socket);
	t = ptcp_flow_table_create("bench_flow", n, socket);
	if (t == NULL) {
		fprintf(stderr, "create %u: %s\n", n, rte_strerror(rte_errno));
		goto out;
	}
	after = heap_bytes(socket);
	r->bytes_per_entry = (double)(after - before) / n;

	/* fill: keys drawn as we go, a (never seen) duplicate redrawn */
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int e;

		do {
			keys[i] = ptcp_test_flow_key(&seed);
			e = ptcp_flow_add(t, &keys[i], &keys[i]);
		} while (e == -EEXIST);
		if (e != 0) {
			fprintf(stderr, "fill %u: add %u: %d\n", n, i, e);
			goto out;
		}
	}
	r->fill_ns = (double)(now_ns() - t0) / n;

	/* a random permutation (Fisher-Yates), as key pointers */
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		uint32_t tmp;

		j = (uint32_t)(ptcp_test_rand(&seed) % (i + 1));
		tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (i = 0; i < n; i++)
		order[i] = &keys[perm[i]];
	for (i = 0; i < MISSES; i++) {
		do {
			miss[i] = ptcp_test_flow_key(&seed);
		} while (ptcp_flow_lookup(t, &miss[i]) != NULL);
	}

	/* whole passes over the permutation, OPS_MIN lookups at least */
	rounds = (OPS_MIN + n - 1) / n;
	ops = rounds * n;

	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		hits = 0;
		t0 = now_ns();
		for (j = 0; j < rounds; j++)
			for (i = 0; i < n; i++)
				hits += ptcp_flow_lookup(t, order[i]) ==
					order[i];
		best = RTE_MIN(best, now_ns() - t0);
		if (hits != ops) {
			fprintf(stderr, "hit %u: %" PRIu64 " of %u\n", n,
				hits, ops);
			goto out;
		}
	}
	r->hit_ns = (double)best / ops;

	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		hits = 0;
		t0 = now_ns();
		for (j = 0; j < rounds; j++) {
			for (i = 0; i < n; i += BULK) {
				unsigned int b = RTE_MIN(BULK, n - i);

				hits += ptcp_flow_lookup_bulk(t, order + i, b,
					owners);
				sink += (uintptr_t)owners[0];
			}
		}
		best = RTE_MIN(best, now_ns() - t0);
		if (hits != ops) {
			fprintf(stderr, "bulk %u: %" PRIu64 " of %u\n", n,
				hits, ops);
			goto out;
		}
	}
	r->bulk_ns = (double)best / ops;

	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		hits = 0;
		t0 = now_ns();
		for (i = 0; i < OPS_MIN; i++)
			hits += ptcp_flow_lookup(t, &miss[i % MISSES]) != NULL;
		best = RTE_MIN(best, now_ns() - t0);
		if (hits != 0)
			goto out;
	}
	r->miss_ns = (double)best / OPS_MIN;

	/* a prefix of the permutation, or whole passes over a small one */
	deladd = RTE_MIN(n, DELADD_OPS);
	rounds = DELADD_OPS / deladd;
	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (i = 0; i < deladd * rounds; i++) {
			const struct ptcp_flow_key *k = order[i % deladd];

			if (ptcp_flow_del(t, k) != 0 ||
					ptcp_flow_add(t, k, (void *)(uintptr_t)k)
					!= 0) {
				fprintf(stderr, "del+add %u: failed\n", n);
				goto out;
			}
		}
		best = RTE_MIN(best, now_ns() - t0);
	}
	r->deladd_ns = (double)best / (deladd * rounds);
	if (ptcp_flow_count(t) != n)
		goto out;
	ret = 0;
out:
	if (sink == 1)
		fprintf(stderr, "(sink)\n");
	ptcp_flow_table_free(t);
	free(keys);
	free(perm);
	free(order);
	free(miss);
	return ret;
}

int
main(int argc, char **argv)
{
	static const uint32_t defaults[] = { 1024, 100000, 1000000, 4194304 };
	char *eal[] = { argv[0], "--no-huge", "-m", "1024", "--no-shconf",
		"--no-pci", "-l", "0", "--no-telemetry", "--log-level=warning" };
	uint32_t sizes[16];
	unsigned int nb = 0, i;
	struct result r;
	int socket, failed = 0;

	for (i = 1; i < (unsigned int)argc && nb < RTE_DIM(sizes); i++) {
		unsigned long v = strtoul(argv[i], NULL, 0);

		if (v < 8 || v > (1u << 24)) {
			fprintf(stderr, "usage: %s [N ...] (8..16777216)\n",
				argv[0]);
			return 2;
		}
		sizes[nb++] = (uint32_t)v;
	}
	if (nb == 0) {
		memcpy(sizes, defaults, sizeof(defaults));
		nb = RTE_DIM(defaults);
	}
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	socket = (int)rte_socket_id();

	printf("flow table: rte_hash + rte_hash_crc, EXT_TABLE, key 12 B; "
		"random keys, random order; best of %d; ns of thread CPU time "
		"per operation\n",
		REPS);
	printf("%10s %8s %8s %10s %8s %9s %12s\n", "entries", "fill",
		"hit", "bulk32/key", "miss", "del+add", "bytes/entry");
	for (i = 0; i < nb; i++) {
		if (run_one(sizes[i], socket, 1 + i, &r) != 0) {
			printf("%10u failed\n", sizes[i]);
			failed = 1;
			continue;
		}
		printf("%10u %8.1f %8.1f %10.1f %8.1f %9.1f %12.1f\n", r.n,
			r.fill_ns, r.hit_ns, r.bulk_ns, r.miss_ns,
			r.deladd_ns, r.bytes_per_entry);
		fflush(stdout);
	}
	rte_eal_cleanup();
	return failed;
}
