/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer cost as the number of live timers grows: the ptcp wheel and DPDK's
 * rte_timer side by side, in one run, on one pinned core.
 *
 * For each size N (default 1K, 1M, 10M):
 *  - N background timers are armed at random expiries between 1 s and 2 h;
 *    a background timer that expires re-arms itself the same way, so N
 *    stays constant;
 *  - arm+cancel: a probe set of P timers is armed (random delays up to
 *    60 s) then cancelled, many rounds; cost per arm+cancel pair;
 *  - arm+expire: the P probes are armed at short random delays and the
 *    clock is advanced until all have fired; cost per probe, including
 *    the work of getting there (cascades, background expiries).
 * The ptcp wheel runs on virtual time (1 ms ticks, advanced by hand);
 * rte_timer runs on the TSC, as it must (delays in TSC cycles of the same
 * length, short delays of a few hundred cycles so that they are due by the
 * time rte_timer_manage() runs). Each figure is the best of REPS runs, in
 * ns of thread CPU time.
 * An arm+expire run covers 256 x 16 = 4096 ticks, a whole turn of level 1,
 * so every run carries its share of background expiries and cascades; the
 * clock is first moved past the start (ptcp: 8192 ticks; rte_timer: one
 * rte_timer_manage() for the backlog that came due during setup).
 *
 * Usage: bench_timer [N ...] [--no-rte] [--rte-setup-limit SECONDS]
 * Run through tests/bench/timer.sh or `meson test --benchmark`; it is not
 * part of any test suite.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_timer.h>

#include "ptcp_test_eal.h"
#include "ptcp_timer.h"
#include "ptcp_test_rand.h"

#define PROBES 1024
#define REPS 7
#define CANCEL_ROUNDS 200       /* x PROBES arm+cancel pairs per rep */
#define EXPIRE_ROUNDS 256       /* x PROBES arm+expire per rep */
#define EXPIRE_SPREAD 16        /* ticks: probes due within this */
#define BG_MIN_MS 1000u
#define BG_MAX_MS 7200000u
#define PROBE_MAX_MS 60000u
#define DELAYS 4096             /* precomputed random delays */
#define WARMUP_TICKS 8192       /* ptcp: reach steady state first */
#define CASCADE_BOUND 4096      /* max_cascade for the bounded run */

struct result {
	uint64_t live;          /* background timers actually armed */
	double setup_ns;        /* per background arm */
	double cancel_ns;       /* per arm+cancel pair */
	double expire_ns;       /* per arm+expire */
	uint64_t bg_fired;      /* background expiries during expire runs */
	double cascade_ms;      /* ptcp: the one tick that cascades level 3 */
	double bounded_ms;      /* the same, longest call with a bound */
	double bg_tick_ns;      /* ptcp: background upkeep per tick */
	unsigned int bounded_calls; /* calls it took with the bound */
	bool ok;
};

static double
now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: time the shared machine takes away from
	 * it is not counted (cache contention still is) */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}


static uint32_t
rnd_range(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(ptcp_test_rand(s) % (hi - lo + 1));
}

/*
 * Memory for the background timers: anonymous, in transparent huge pages
 * where the kernel gives them, as TCBs would be in a hugepage mempool.
 * Both implementations get the same.
 */
static void *
big_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

/*
 * The best run: other work on a shared machine only adds time, and every
 * run does the same work (each arm+expire run spans a whole level-1 turn,
 * with its share of background upkeep and one level-2 cascade).
 */
static double
best(const double *v, unsigned int n)
{
	double b = v[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		b = RTE_MIN(b, v[i]);
	return b;
}

/* ---- ptcp wheel ------------------------------------------------------- */

struct ptcp_ctx {
	uint64_t rng;
	uint64_t bg_fired;
	uint64_t probe_fired;
};

enum { KIND_BG, KIND_PROBE };

static void
ptcp_bg_cb(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct ptcp_ctx *c = arg;

	c->bg_fired++;
	ptcp_timer_arm(w, t, KIND_BG, rnd_range(&c->rng, BG_MIN_MS,
		BG_MAX_MS));
}

static void
ptcp_probe_cb(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct ptcp_ctx *c = arg;

	RTE_SET_USED(w);
	RTE_SET_USED(t);
	c->probe_fired++;
}

static struct result
bench_ptcp(uint64_t n)
{
	struct result r = { 0 };
	struct ptcp_timer_wheel *w = malloc(sizeof(*w));
	struct ptcp_timer *bg = big_alloc(n * sizeof(*bg));
	static struct ptcp_timer probes[PROBES];
	static uint32_t delays[DELAYS], short_delays[DELAYS];
	struct ptcp_ctx c = { .rng = 1 };
	double t0, runs[REPS];
	uint64_t i, k;
	int rep;

	if (w == NULL || bg == NULL) {
		fprintf(stderr, "ptcp: no memory for %" PRIu64 " timers\n", n);
		free(w);
		if (bg != NULL)
			munmap(bg, n * sizeof(*bg));
		return r;
	}
	ptcp_timer_wheel_init(w, NULL);
	ptcp_timer_wheel_set_handler(w, KIND_BG, ptcp_bg_cb, &c);
	ptcp_timer_wheel_set_handler(w, KIND_PROBE, ptcp_probe_cb, &c);
	for (i = 0; i < DELAYS; i++) {
		delays[i] = rnd_range(&c.rng, 1, PROBE_MAX_MS);
		short_delays[i] = rnd_range(&c.rng, 1, EXPIRE_SPREAD);
	}
	for (i = 0; i < PROBES; i++)
		ptcp_timer_init(&probes[i]);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		ptcp_timer_init(&bg[i]);
		ptcp_timer_arm(w, &bg[i], KIND_BG, rnd_range(&c.rng, BG_MIN_MS,
			BG_MAX_MS));
	}
	r.setup_ns = (now_ns() - t0) / (double)n;
	r.live = ptcp_timer_wheel_count(w);

	for (rep = 0; rep < REPS; rep++) {
		k = rep * 977;
		t0 = now_ns();
		for (i = 0; i < CANCEL_ROUNDS; i++) {
			unsigned int p;

			for (p = 0; p < PROBES; p++)
				ptcp_timer_arm(w, &probes[p], KIND_PROBE,
					delays[k++ & (DELAYS - 1)]);
			for (p = 0; p < PROBES; p++)
				ptcp_timer_cancel(w, &probes[p]);
		}
		runs[rep] = (now_ns() - t0) / ((double)CANCEL_ROUNDS * PROBES);
	}
	r.cancel_ns = best(runs, REPS);

	ptcp_timer_wheel_advance(w, ptcp_timer_wheel_now(w) + WARMUP_TICKS);
	for (rep = 0; rep < REPS; rep++) {
		uint64_t bg0 = c.bg_fired, fired0 = c.probe_fired;

		k = rep * 977;
		t0 = now_ns();
		for (i = 0; i < EXPIRE_ROUNDS; i++) {
			unsigned int p;

			for (p = 0; p < PROBES; p++)
				ptcp_timer_arm(w, &probes[p], KIND_PROBE,
					short_delays[k++ & (DELAYS - 1)]);
			ptcp_timer_wheel_advance(w, ptcp_timer_wheel_now(w) +
				EXPIRE_SPREAD);
		}
		runs[rep] = (now_ns() - t0) / ((double)EXPIRE_ROUNDS * PROBES);
		if (c.probe_fired - fired0 != (uint64_t)EXPIRE_ROUNDS * PROBES)
			fprintf(stderr, "ptcp: %" PRIu64 " probes fired, "
				"expected %u\n", c.probe_fired - fired0,
				EXPIRE_ROUNDS * PROBES);
		r.bg_fired += c.bg_fired - bg0;
	}
	r.expire_ns = best(runs, REPS);

	/* the same stretch of time with no probes: the background's upkeep */
	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (i = 0; i < EXPIRE_ROUNDS; i++)
			ptcp_timer_wheel_advance(w, ptcp_timer_wheel_now(w) +
				EXPIRE_SPREAD);
		runs[rep] = (now_ns() - t0) / ((double)EXPIRE_ROUNDS *
			EXPIRE_SPREAD);
	}
	r.bg_tick_ns = best(runs, REPS);

	/*
	 * The worst single tick: the next level-3 boundary (every 2^18 ticks)
	 * cascades one level-3 slot, all of it at once. Then the boundary
	 * after it with max_cascade set: the same work over several calls.
	 */
	{
		uint32_t b = (ptcp_timer_wheel_now(w) | 0x3ffff) + 1;
		double d;

		ptcp_timer_wheel_advance(w, b - 1);
		t0 = now_ns();
		ptcp_timer_wheel_advance(w, b);
		r.cascade_ms = (now_ns() - t0) / 1e6;

		ptcp_timer_wheel_set_bounds(w, 0, CASCADE_BOUND);
		b += 0x40000;
		ptcp_timer_wheel_advance(w, b - 1);
		do {
			t0 = now_ns();
			ptcp_timer_wheel_advance(w, b);
			d = (now_ns() - t0) / 1e6;
			r.bounded_ms = RTE_MAX(r.bounded_ms, d);
			r.bounded_calls++;
		} while (ptcp_timer_wheel_backlog(w) ||
				ptcp_timer_wheel_now(w) != b);
	}
	r.ok = ptcp_timer_wheel_count(w) == n;
	munmap(bg, n * sizeof(*bg));
	free(w);
	return r;
}

/* ---- rte_timer ------------------------------------------------------- */

struct rte_ctx {
	uint64_t rng;
	uint64_t hz_ms;         /* TSC cycles per ms */
	uint64_t bg_fired;
	uint64_t probe_fired;
};

static void
rte_bg_cb(struct rte_timer *t, void *arg)
{
	struct rte_ctx *c = arg;

	c->bg_fired++;
	rte_timer_reset(t, c->hz_ms * rnd_range(&c->rng, BG_MIN_MS,
		BG_MAX_MS), SINGLE, rte_lcore_id(), rte_bg_cb, c);
}

static void
rte_probe_cb(struct rte_timer *t, void *arg)
{
	struct rte_ctx *c = arg;

	RTE_SET_USED(t);
	c->probe_fired++;
}

static struct result
bench_rte(uint64_t n, double setup_limit_s)
{
	struct result r = { 0 };
	struct rte_timer *bg = big_alloc(n * sizeof(*bg));
	static struct rte_timer probes[PROBES];
	static uint64_t delays[DELAYS], short_delays[DELAYS];
	struct rte_ctx c = { .rng = 1 };
	unsigned int lcore = rte_lcore_id();
	double t0, runs[REPS];
	uint64_t i, k;
	int rep;

	if (bg == NULL) {
		fprintf(stderr, "rte_timer: no memory for %" PRIu64
			" timers\n", n);
		return r;
	}
	c.hz_ms = rte_get_tsc_hz() / 1000;
	for (i = 0; i < DELAYS; i++) {
		delays[i] = c.hz_ms * rnd_range(&c.rng, 1, PROBE_MAX_MS);
		/* due almost at once: manage() finds them expired */
		short_delays[i] = rnd_range(&c.rng, 1, 500);
	}
	for (i = 0; i < PROBES; i++)
		rte_timer_init(&probes[i]);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		rte_timer_init(&bg[i]);
		rte_timer_reset(&bg[i], c.hz_ms * rnd_range(&c.rng, BG_MIN_MS,
			BG_MAX_MS), SINGLE, lcore, rte_bg_cb, &c);
		if ((i & 0xffff) == 0 && i > 0 &&
				now_ns() - t0 > setup_limit_s * 1e9) {
			i++;
			break;
		}
	}
	r.live = i;
	r.setup_ns = (now_ns() - t0) / (double)r.live;

	for (rep = 0; rep < REPS; rep++) {
		k = rep * 977;
		t0 = now_ns();
		for (i = 0; i < CANCEL_ROUNDS; i++) {
			unsigned int p;

			for (p = 0; p < PROBES; p++)
				rte_timer_reset(&probes[p],
					delays[k++ & (DELAYS - 1)], SINGLE,
					lcore, rte_probe_cb, &c);
			for (p = 0; p < PROBES; p++)
				rte_timer_stop(&probes[p]);
		}
		runs[rep] = (now_ns() - t0) / ((double)CANCEL_ROUNDS * PROBES);
	}
	r.cancel_ns = best(runs, REPS);

	rte_timer_manage();
	for (rep = 0; rep < REPS; rep++) {
		uint64_t bg0 = c.bg_fired;

		k = rep * 977;
		t0 = now_ns();
		for (i = 0; i < EXPIRE_ROUNDS; i++) {
			uint64_t want = c.probe_fired + PROBES;
			unsigned int p;

			for (p = 0; p < PROBES; p++)
				rte_timer_reset(&probes[p],
					short_delays[k++ & (DELAYS - 1)],
					SINGLE, lcore, rte_probe_cb, &c);
			while (c.probe_fired < want)
				rte_timer_manage();
		}
		runs[rep] = (now_ns() - t0) / ((double)EXPIRE_ROUNDS * PROBES);
		r.bg_fired += c.bg_fired - bg0;
	}
	r.expire_ns = best(runs, REPS);
	r.ok = true;
	for (i = 0; i < r.live; i++)
		rte_timer_stop(&bg[i]);
	munmap(bg, n * sizeof(*bg));
	return r;
}

/* ---- main -------------------------------------------------------------- */

static const char *
human(uint64_t n, char *buf, size_t len)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, len, "%" PRIu64 "M", n / 1000000);
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, len, "%" PRIu64 "K", n / 1000);
	else
		snprintf(buf, len, "%" PRIu64, n);
	return buf;
}

int
main(int argc, char **argv)
{
	const char *eal_argv[] = { argv[0], "--no-huge", "-m", "2048",
		"--no-shconf", "--no-pci", "-l", "0", "--log-level=warning",
		NULL };
	uint64_t sizes[8] = { 1000, 1000000, 10000000 };
	unsigned int nsizes = 0, i;
	struct result p[8], q[8];
	double setup_limit = 60;
	bool rte = true;
	const struct rte_memzone *mz;
	char h[32];
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--no-rte") == 0)
			rte = false;
		else if (strcmp(argv[a], "--rte-setup-limit") == 0 &&
				a + 1 < argc)
			setup_limit = atof(argv[++a]);
		else if (nsizes < RTE_DIM(sizes))
			sizes[nsizes++] = strtoull(argv[a], NULL, 0);
	}
	if (nsizes == 0)
		nsizes = 3;

	if (ptcp_test_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "bench_timer: rte_eal_init failed\n");
		return 1;
	}
	if (rte && rte_timer_subsystem_init() < 0) {
		fprintf(stderr, "bench_timer: rte_timer_subsystem_init "
			"failed\n");
		return 1;
	}

	printf("bench_timer: %u probes, best of %u reps, TSC %.3f GHz\n",
		PROBES, REPS, rte_get_tsc_hz() / 1e9);
	printf("background timers at random 1 s..2 h (re-arm on expiry); "
		"arm+cancel probes at 1 ms..60 s;\n");
	printf("arm+expire probes due within %u ms (ptcp: virtual 1 ms "
		"ticks; rte_timer: TSC, due at once)\n\n", EXPIRE_SPREAD);

	for (i = 0; i < nsizes; i++) {
		p[i] = bench_ptcp(sizes[i]);
		printf("ptcp      live %-5s setup %7.1f ns/arm  arm+cancel "
			"%7.1f ns  arm+expire %7.1f ns  (bg expiries %" PRIu64
			")\n", human(p[i].live, h, sizeof(h)), p[i].setup_ns,
			p[i].cancel_ns, p[i].expire_ns, p[i].bg_fired);
		fflush(stdout);
		if (!rte)
			continue;
		q[i] = bench_rte(sizes[i], setup_limit);
		printf("rte_timer live %-5s setup %7.1f ns/arm  arm+cancel "
			"%7.1f ns  arm+expire %7.1f ns  (bg expiries %" PRIu64
			")%s\n", human(q[i].live, h, sizeof(h)), q[i].setup_ns,
			q[i].cancel_ns, q[i].expire_ns, q[i].bg_fired,
			q[i].live < sizes[i] ? "  [setup time bound hit]" : "");
		fflush(stdout);
	}

	printf("\n| live timers | op | ptcp wheel (ns) | rte_timer (ns) | "
		"rte_timer / ptcp |\n|---|---|---:|---:|---:|\n");
	for (i = 0; i < nsizes; i++) {
		const char *ops[] = { "arm+cancel", "arm+expire" };
		unsigned int o;

		for (o = 0; o < 2; o++) {
			double pv = o ? p[i].expire_ns : p[i].cancel_ns;

			printf("| %s | %s | %.1f |", human(sizes[i], h,
				sizeof(h)), ops[o], pv);
			if (rte) {
				double qv = o ? q[i].expire_ns : q[i].cancel_ns;

				printf(" %.1f%s | %.1fx |\n", qv,
					q[i].live < sizes[i] ? " *" : "",
					qv / pv);
			} else {
				printf(" - | - |\n");
			}
		}
	}
	if (rte)
		for (i = 0; i < nsizes; i++)
			if (q[i].live < sizes[i])
				printf("\n* rte_timer: setup bound (%.0f s) hit "
					"at %" PRIu64 " live timers\n",
					setup_limit, q[i].live);

	printf("\nmemory: ptcp %zu B/timer + %zu B per wheel (per lcore); "
		"rte_timer %zu B/timer", sizeof(struct ptcp_timer),
		sizeof(struct ptcp_timer_wheel), sizeof(struct rte_timer));
	mz = rte ? rte_memzone_lookup("rte_timer_mz") : NULL;
	if (mz != NULL)
		printf(" + %zu B memzone (all lcores)", mz->len);
	printf("\n");

	if (nsizes >= 2) {
		printf("ptcp cost at %s vs %s live: arm+cancel %.2fx, "
			"arm+expire %.2fx (target <= 2x)\n",
			human(sizes[nsizes - 1], h, sizeof(h)),
			human(sizes[0], (char[32]){ 0 }, 32),
			p[nsizes - 1].cancel_ns / p[0].cancel_ns,
			p[nsizes - 1].expire_ns / p[0].expire_ns);
	}
	printf("ptcp background upkeep (expiries, re-arms, cascades) per "
		"1 ms tick, no probes:");
	for (i = 0; i < nsizes; i++)
		printf(" %s live %.0f ns%s", human(sizes[i], h, sizeof(h)),
			p[i].bg_tick_ns, i + 1 < nsizes ? "," : "");
	printf("\n  = per probe in arm+expire (%u probes per %u ticks):",
		PROBES, EXPIRE_SPREAD);
	for (i = 0; i < nsizes; i++)
		printf(" %s %.1f ns%s", human(sizes[i], h, sizeof(h)),
			p[i].bg_tick_ns * EXPIRE_SPREAD / PROBES,
			i + 1 < nsizes ? "," : "\n");
	printf("ptcp longest single tick (a level-3 cascade, every 2^18 "
		"ticks), unbounded | with max_cascade %u:\n", CASCADE_BOUND);
	for (i = 0; i < nsizes; i++)
		printf("  %s live: %.2f ms | longest call %.2f ms, %u calls\n",
			human(sizes[i], h, sizeof(h)), p[i].cascade_ms,
			p[i].bounded_ms, p[i].bounded_calls);
	for (i = 0; i < nsizes; i++)
		if (!p[i].ok)
			printf("ptcp: live count drifted at %" PRIu64 "\n",
				sizes[i]);
	rte_eal_cleanup();
	return 0;
}
