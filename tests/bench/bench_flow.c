/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table cost as the table grows: lib/flow (Robin Hood linear probing
 * over a keyed hash) side by side with what it replaced, rte_hash with
 * rte_hash_crc and extendable buckets, sized as lib/flow sized it
 * (entries + entries / 4). rte_hash lives here only, as the baseline.
 *
 * For each N, each table is created for exactly N and filled to N with
 * random keys; then:
 *  - fill:    ns per add while filling the empty table to N (one pass:
 *             includes drawing the key and first-touch faults);
 *  - hit:     ns per single lookup of a present key, keys in a random
 *             permutation (no locality for the caches to use);
 *  - bulk32:  ns per key of a bulk lookup of 32 present keys, same random
 *             order (a 32-packet RX burst);
 *  - miss:    ns per single lookup of an absent key;
 *  - del+ins: ns per pair delete then insert (ptcp_flow_insert(), as TCP
 *             adds a connection; rte_hash_add_key_data()) of the same key,
 *             random order, so the table stays full;
 *  - bytes/entry: DPDK heap bytes the table took (rte_malloc socket stats
 *             before and after creation) over N.
 * Each time is the best of REPS runs of at least OPS_MIN operations, in
 * the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that a busy machine
 * stretches the run but not the figures (much: caches are still shared).
 *
 * --steady N CYCLES: lib/flow only. A table for N, filled to N; bulk
 * lookups of all keys timed; then CYCLES cycles of "delete a random present
 * key, insert a new random one" (occupancy stays N); the bulk lookups timed
 * again, with the probe lengths (ptcp_flow_stats()) before and after.
 *
 * --impl flow|rte_hash runs one table only, and --ops N sets OPS_MIN, for
 * callgrind (tests/bench/flow_ir.sh counts instructions per operation).
 *
 * Usage: bench_flow [--impl I] [--ops N] [N ...]  (default 1024 1000000
 *        10000000)     bench_flow --steady N CYCLES
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
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ptcp_test_eal.h"
#include "ptcp_flow.h"
#include "ptcp_test_flow.h"

#define REPS 3
#define DELADD_OPS (1u << 20)	/* del+ins pairs per timed run, about */
#define MISSES 65536u
#define BULK 32u

/* One table implementation, behind the calls lib/tcp makes. */
struct impl {
	const char *name;
	void *(*create)(uint32_t n, int socket);
	void (*free)(void *t);
	int (*add)(void *t, const struct ptcp_flow_key *k, void *owner);
	int (*insert)(void *t, const struct ptcp_flow_key *k, void *owner);
	int (*del)(void *t, const struct ptcp_flow_key *k);
	void *(*lookup)(void *t, const struct ptcp_flow_key *k);
	unsigned int (*bulk)(void *t, const struct ptcp_flow_key *const *keys,
		unsigned int n, void **owners);
};

/* ---- lib/flow ---- */

static void *
p_create(uint32_t n, int socket)
{
	return ptcp_flow_table_create("bench_flow", n, socket);
}

static void
p_free(void *t)
{
	ptcp_flow_table_free(t);
}

static int
p_add(void *t, const struct ptcp_flow_key *k, void *owner)
{
	return ptcp_flow_add(t, k, owner);
}

static int
p_insert(void *t, const struct ptcp_flow_key *k, void *owner)
{
	return ptcp_flow_insert(t, k, owner);
}

static int
p_del(void *t, const struct ptcp_flow_key *k)
{
	return ptcp_flow_del(t, k);
}

static void *
p_lookup(void *t, const struct ptcp_flow_key *k)
{
	return ptcp_flow_lookup(t, k);
}

static unsigned int
p_bulk(void *t, const struct ptcp_flow_key *const *keys, unsigned int n,
		void **owners)
{
	return ptcp_flow_lookup_bulk(t, keys, n, owners);
}

/* ---- the baseline: lib/flow as it was on rte_hash ---- */

struct h_table {
	struct rte_hash *h;
	uint32_t max;
};

static void *
h_create(uint32_t n, int socket)
{
	struct rte_hash_parameters p = {
		.name = "bench_flow_h",
		.entries = RTE_MAX(n + n / 4, 8u),
		.key_len = PTCP_FLOW_KEY_LEN,
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct h_table *t = malloc(sizeof(*t));

	if (t == NULL)
		return NULL;
	t->max = n;
	t->h = rte_hash_create(&p);
	if (t->h == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static void
h_free(void *p)
{
	struct h_table *t = p;

	rte_hash_free(t->h);
	free(t);
}

static int
h_add(void *p, const struct ptcp_flow_key *k, void *owner)
{
	struct h_table *t = p;
	hash_sig_t sig = rte_hash_hash(t->h, k);
	int ret;

	if (rte_hash_lookup_with_hash(t->h, k, sig) >= 0)
		return -EEXIST;
	if ((uint32_t)rte_hash_count(t->h) >= t->max)
		return -ENOSPC;
	ret = rte_hash_add_key_with_hash_data(t->h, k, sig, owner);
	return ret < 0 ? ret : 0;
}

static int
h_insert(void *p, const struct ptcp_flow_key *k, void *owner)
{
	struct h_table *t = p;
	int ret = rte_hash_add_key_data(t->h, k, owner);

	return ret < 0 ? ret : 0;
}

static int
h_del(void *p, const struct ptcp_flow_key *k)
{
	struct h_table *t = p;
	int32_t ret = rte_hash_del_key(t->h, k);

	return ret < 0 ? ret : 0;
}

static void *
h_lookup(void *p, const struct ptcp_flow_key *k)
{
	struct h_table *t = p;
	void *owner;

	if (rte_hash_lookup_data(t->h, k, &owner) < 0)
		return NULL;
	return owner;
}

static unsigned int
h_bulk(void *p, const struct ptcp_flow_key *const *keys, unsigned int n,
		void **owners)
{
	struct h_table *t = p;
	uint64_t mask = 0;
	unsigned int i;

	if (rte_hash_lookup_bulk_data(t->h, (const void **)(uintptr_t)keys,
			n, &mask, owners) < 0)
		mask = 0;
	for (i = 0; i < n; i++)
		if ((mask & (UINT64_C(1) << i)) == 0)
			owners[i] = NULL;
	return (unsigned int)__builtin_popcountll(mask);
}

static const struct impl impls[] = {
	{ "lib/flow", p_create, p_free, p_add, p_insert, p_del, p_lookup,
		p_bulk },
	{ "rte_hash", h_create, h_free, h_add, h_insert, h_del, h_lookup,
		h_bulk },
};

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

static void
shuffle(uint32_t *perm, uint32_t n, uint64_t *seed)
{
	uint32_t i, j, tmp;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = (uint32_t)(ptcp_test_rand(seed) % (i + 1));
		tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
}

/*
 * The phases are functions of their own (noinline) so that callgrind can
 * count each: tests/bench/flow_ir.sh.
 */
static __rte_noinline uint64_t
phase_fill(const struct impl *im, void *t, struct ptcp_flow_key *keys,
		uint32_t n, uint64_t *seed)
{
	uint32_t i;
	int e;

	for (i = 0; i < n; i++) {
		do {
			keys[i] = ptcp_test_flow_key(seed);
			e = im->add(t, &keys[i], &keys[i]);
		} while (e == -EEXIST);
		if (e != 0) {
			fprintf(stderr, "fill %u: add %u: %d\n", n, i, e);
			return 0;
		}
	}
	return n;
}

static __rte_noinline uint64_t
phase_hit(const struct impl *im, void *t,
		const struct ptcp_flow_key **order, uint32_t n, uint32_t rounds)
{
	uint64_t hits = 0;
	uint32_t i, j;

	for (j = 0; j < rounds; j++)
		for (i = 0; i < n; i++)
			hits += im->lookup(t, order[i]) != NULL;
	return hits;
}

static __rte_noinline uint64_t
phase_bulk(const struct impl *im, void *t,
		const struct ptcp_flow_key **order, uint32_t n, uint32_t rounds)
{
	void *owners[BULK];
	uint64_t hits = 0;
	uint32_t i, j;

	for (j = 0; j < rounds; j++)
		for (i = 0; i < n; i += BULK)
			hits += im->bulk(t, order + i, RTE_MIN(BULK, n - i),
				owners);
	return hits;
}

static __rte_noinline uint64_t
phase_miss(const struct impl *im, void *t, const struct ptcp_flow_key *miss,
		uint32_t ops)
{
	uint64_t hits = 0;
	uint32_t i;

	for (i = 0; i < ops; i++)
		hits += im->lookup(t, &miss[i % MISSES]) != NULL;
	return hits;
}

static __rte_noinline uint64_t
phase_deladd(const struct impl *im, void *t,
		const struct ptcp_flow_key **order, uint32_t n, uint32_t ops)
{
	const struct ptcp_flow_key *k;
	uint32_t i;

	for (i = 0; i < ops; i++) {
		k = order[i % n];
		if (im->del(t, k) != 0 ||
				im->insert(t, k, (void *)(uintptr_t)k) != 0) {
			fprintf(stderr, "del+ins %u: failed\n", n);
			return 0;
		}
	}
	return ops;
}

static int
run_one(const struct impl *im, uint32_t n, uint32_t ops_min, int socket,
		uint64_t seed, struct result *r)
{
	const struct ptcp_flow_key **order = NULL;
	struct ptcp_flow_key *keys = NULL, *miss = NULL, *okeys = NULL;
	uint32_t i, *perm = NULL, ops, rounds, deladd;
	uint64_t t0, best;
	size_t before, after;
	void *t = NULL;
	int rep, ret = -1;

	memset(r, 0, sizeof(*r));
	r->n = n;
	keys = malloc((size_t)n * sizeof(*keys));
	perm = malloc((size_t)n * sizeof(*perm));
	order = malloc((size_t)n * sizeof(*order));
	okeys = malloc((size_t)n * sizeof(*okeys));
	miss = malloc(MISSES * sizeof(*miss));
	if (keys == NULL || perm == NULL || order == NULL || okeys == NULL ||
			miss == NULL)
		goto out;

	before = heap_bytes(socket);
	t = im->create(n, socket);
	if (t == NULL) {
		fprintf(stderr, "%s: create %u: %s\n", im->name, n,
			rte_strerror(rte_errno));
		goto out;
	}
	after = heap_bytes(socket);
	r->bytes_per_entry = (double)(after - before) / n;

	t0 = now_ns();
	if (phase_fill(im, t, keys, n, &seed) != n)
		goto out;
	r->fill_ns = (double)(now_ns() - t0) / n;

	shuffle(perm, n, &seed);
	/*
	 * The keys in a random order, copied one after the other: the table
	 * is read at random, the keys in sequence (as the RX path's keys,
	 * parsed from the burst just before, are in cache).
	 */
	for (i = 0; i < n; i++) {
		okeys[i] = keys[perm[i]];
		order[i] = &okeys[i];
	}
	for (i = 0; i < MISSES; i++) {
		do {
			miss[i] = ptcp_test_flow_key(&seed);
		} while (im->lookup(t, &miss[i]) != NULL);
	}

	/* whole passes over the permutation, ops_min lookups at least */
	rounds = (ops_min + n - 1) / n;
	ops = rounds * n;

	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		if (phase_hit(im, t, order, n, rounds) != ops)
			goto out;
		best = RTE_MIN(best, now_ns() - t0);
	}
	r->hit_ns = (double)best / ops;

	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		if (phase_bulk(im, t, order, n, rounds) != ops)
			goto out;
		best = RTE_MIN(best, now_ns() - t0);
	}
	r->bulk_ns = (double)best / ops;

	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		if (phase_miss(im, t, miss, ops_min) != 0)
			goto out;
		best = RTE_MIN(best, now_ns() - t0);
	}
	r->miss_ns = (double)best / ops_min;

	/* a prefix of the permutation, or whole passes over a small one */
	deladd = RTE_MIN(n, RTE_MIN(DELADD_OPS, ops_min));
	ops = RTE_MIN(DELADD_OPS, ops_min) / deladd * deladd;
	best = UINT64_MAX;
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		if (phase_deladd(im, t, order, deladd, ops) != ops)
			goto out;
		best = RTE_MIN(best, now_ns() - t0);
	}
	r->deladd_ns = (double)best / ops;
	ret = 0;
out:
	if (t != NULL)
		im->free(t);
	free(keys);
	free(perm);
	free(order);
	free(okeys);
	free(miss);
	return ret;
}

/* ns per key of bulk lookups of every key of @p in, in a random order. */
static double
time_bulk_all(struct ptcp_flow_table *t, struct ptcp_flow_key *in,
		uint32_t n, uint64_t *seed)
{
	const struct ptcp_flow_key **order;
	void *owners[BULK];
	uint64_t t0, best = UINT64_MAX, hits;
	uint32_t *perm, i;
	int rep;

	perm = malloc((size_t)n * sizeof(*perm));
	order = malloc((size_t)n * sizeof(*order));
	if (perm == NULL || order == NULL) {
		free(perm);
		free(order);
		return -1;
	}
	shuffle(perm, n, seed);
	for (i = 0; i < n; i++)
		order[i] = &in[perm[i]];
	for (rep = 0; rep < REPS; rep++) {
		hits = 0;
		t0 = now_ns();
		for (i = 0; i < n; i += BULK)
			hits += ptcp_flow_lookup_bulk(t, order + i,
				RTE_MIN(BULK, n - i), owners);
		best = RTE_MIN(best, now_ns() - t0);
		if (hits != n)
			best = 0;
	}
	free(perm);
	free(order);
	return (double)best / n;
}

/*
 * --steady: lookups before and after CYCLES delete+insert cycles at a
 * constant occupancy of N (what a server at its connection cap does).
 */
static int
steady(uint32_t n, uint64_t cycles, int socket)
{
	struct ptcp_flow_table *t;
	struct ptcp_flow_key *in;
	struct ptcp_flow_stats st;
	uint64_t seed = 77, c, t0;
	double before, after, cyc_ns;
	uint32_t i, a;
	int e;

	in = malloc((size_t)n * sizeof(*in));
	t = ptcp_flow_table_create("bench_steady", n, socket);
	if (in == NULL || t == NULL) {
		fprintf(stderr, "steady: no memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		do {
			in[i] = ptcp_test_flow_key(&seed);
			e = ptcp_flow_add(t, &in[i], &in[i]);
		} while (e == -EEXIST);
	}
	before = time_bulk_all(t, in, n, &seed);
	ptcp_flow_stats(t, &st);
	printf("steady %u: before: bulk32 %.1f ns/key, max probe %u, "
		"mean %.3f\n", n, before, st.max_probe,
		(double)st.probe_sum / st.entries);
	fflush(stdout);
	t0 = now_ns();
	for (c = 0; c < cycles; c++) {
		a = (uint32_t)(ptcp_test_rand(&seed) % n);
		if (ptcp_flow_del(t, &in[a]) != 0)
			return 1;
		do {
			in[a] = ptcp_test_flow_key(&seed);
			e = ptcp_flow_insert(t, &in[a], &in[a]);
		} while (e == -EEXIST);
		if (e != 0)
			return 1;
	}
	cyc_ns = (double)(now_ns() - t0) / (double)cycles;
	after = time_bulk_all(t, in, n, &seed);
	ptcp_flow_stats(t, &st);
	printf("steady %u: %" PRIu64 " cycles of del+insert, %.1f ns each\n",
		n, cycles, cyc_ns);
	printf("steady %u: after:  bulk32 %.1f ns/key, max probe %u, "
		"mean %.3f\n", n, after, st.max_probe,
		(double)st.probe_sum / st.entries);
	ptcp_flow_table_free(t);
	free(in);
	return before <= 0 || after <= 0;
}

int
main(int argc, char **argv)
{
	static const uint32_t defaults[] = { 1024, 1000000, 10000000 };
	const char *eal[] = { argv[0], "--no-huge", "-m", "3072", "--no-shconf",
		"--no-pci", "-l", "0", "--no-telemetry", "--log-level=warning" };
	uint32_t sizes[16], ops_min = 1u << 21;
	unsigned int nb = 0, i, m, first = 0, last = RTE_DIM(impls);
	uint64_t cycles = 0;
	struct result r;
	int socket, failed = 0, a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--impl") == 0 && a + 1 < argc) {
			a++;
			for (m = 0; m < RTE_DIM(impls); m++)
				if (strstr(impls[m].name, argv[a]) != NULL)
					break;
			if (m == RTE_DIM(impls))
				goto usage;
			first = m;
			last = m + 1;
		} else if (strcmp(argv[a], "--ops") == 0 && a + 1 < argc) {
			ops_min = (uint32_t)strtoul(argv[++a], NULL, 0);
			if (ops_min == 0)
				goto usage;
		} else if (strcmp(argv[a], "--steady") == 0 && a + 2 < argc) {
			sizes[0] = (uint32_t)strtoul(argv[++a], NULL, 0);
			cycles = strtoull(argv[++a], NULL, 0);
			nb = 1;
			if (sizes[0] < 8 || cycles == 0)
				goto usage;
		} else if (nb < RTE_DIM(sizes) && cycles == 0) {
			unsigned long v = strtoul(argv[a], NULL, 0);

			if (v < 8 || v > (1u << 25))
				goto usage;
			sizes[nb++] = (uint32_t)v;
		} else {
			goto usage;
		}
	}
	if (nb == 0) {
		memcpy(sizes, defaults, sizeof(defaults));
		nb = RTE_DIM(defaults);
	}
	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	socket = (int)rte_socket_id();
	if (cycles != 0) {
		failed = steady(sizes[0], cycles, socket);
		rte_eal_cleanup();
		return failed;
	}

	printf("flow tables: lib/flow (Robin Hood, keyed NH hash) and "
		"rte_hash (rte_hash_crc, EXT_TABLE, 1.25 N); random keys, "
		"random order; best of %d; ns of thread CPU time per "
		"operation\n", REPS);
	printf("%-9s %10s %8s %8s %10s %8s %9s %12s\n", "table", "entries",
		"fill", "hit", "bulk32/key", "miss", "del+ins",
		"bytes/entry");
	for (i = 0; i < nb; i++) {
		for (m = first; m < last; m++) {
			if (run_one(&impls[m], sizes[i], ops_min, socket,
					1 + i, &r) != 0) {
				printf("%-9s %10u failed\n", impls[m].name,
					sizes[i]);
				failed = 1;
				continue;
			}
			printf("%-9s %10u %8.1f %8.1f %10.1f %8.1f %9.1f "
				"%12.1f\n", impls[m].name, r.n, r.fill_ns,
				r.hit_ns, r.bulk_ns, r.miss_ns, r.deladd_ns,
				r.bytes_per_entry);
			fflush(stdout);
		}
	}
	rte_eal_cleanup();
	return failed;
usage:
	fprintf(stderr, "usage: %s [--impl flow|rte_hash] [--ops N] "
		"[N ...] (8..33554432)\n       %s --steady N CYCLES\n",
		argv[0], argv[0]);
	return 2;
}
