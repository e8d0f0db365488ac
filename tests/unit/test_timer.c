/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/timer (the per-lcore timing wheel). No EAL: time is
 * driven by hand with ptcp_timer_wheel_advance() and, for the TSC path,
 * with made-up TSC values and a made-up TSC rate.
 *
 * Usage: test_timer [test-name ...]  (default: all)
 * The randomized test takes its seed from PTCP_TEST_SEED (default fixed)
 * and prints it on failure.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "ptcp_timer.h"
#include "ptcp_test.h"
#include "ptcp_test_rand.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}


static uint64_t
rnd_below(uint64_t *s, uint64_t n)
{
	return n ? ptcp_test_rand(s) % n : 0;
}

/* ---- a recording owner ----------------------------------------------- */

#define MAX_LOG 100000

struct obj;

struct rec {
	struct ptcp_timer_wheel *w;
	struct obj *objs;
	unsigned int n;
	unsigned int ids[MAX_LOG];
	uint32_t ticks[MAX_LOG];
};

struct obj {
	uint64_t pad0;               /* the timer is not the first member */
	struct ptcp_timer tm;
	unsigned int id;
	uint32_t period;             /* re-arm self with this delay */
	uint32_t fires;              /* stop re-arming after this many */
	int cancel_victim;           /* id to cancel from the handler, or -1 */
	int rearm_self_at_past;      /* re-arm with arm_at(now - x) */
	struct rec *rec;
};

static void
rec_handler(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct rec *r = arg;
	struct obj *o = container_of(t, struct obj, tm);

	if (r->w != w || o->rec != r) {
		TEST_FAIL("handler got the wrong wheel or owner");
		return;
	}
	if (ptcp_timer_pending(t)) {
		TEST_FAIL("timer %u still pending in its handler", o->id);
		return;
	}
	if (ptcp_timer_wheel_now(w) != ptcp_timer_expires(t)) {
		TEST_FAIL("timer %u fired at tick %" PRIu32 ", expiry %" PRIu32,
			o->id, ptcp_timer_wheel_now(w), ptcp_timer_expires(t));
		return;
	}
	if (r->n < MAX_LOG) {
		r->ids[r->n] = o->id;
		r->ticks[r->n] = ptcp_timer_wheel_now(w);
	}
	r->n++;
	if (o->cancel_victim >= 0)
		ptcp_timer_cancel(w, &r->objs[o->cancel_victim].tm);
	/* fires: how many more times it may fire; 0: no limit */
	if (o->fires > 0 && --o->fires == 0)
		return;
	if (o->rearm_self_at_past)
		ptcp_timer_arm_at(w, t, 0, ptcp_timer_wheel_now(w) -
			(uint32_t)o->rearm_self_at_past);
	else if (o->period != UINT32_MAX)
		ptcp_timer_arm(w, t, 0, o->period);
}

/* A wheel with nobjs recording owners, all handled by kind 0. */
static struct rec *
rec_new(struct ptcp_timer_wheel *w, const struct ptcp_timer_wheel_conf *c,
		unsigned int nobjs)
{
	struct rec *r = calloc(1, sizeof(*r));
	unsigned int i;

	if (r == NULL)
		abort();
	r->objs = calloc(nobjs, sizeof(*r->objs));
	if (r->objs == NULL)
		abort();
	r->w = w;
	if (ptcp_timer_wheel_init(w, c) != 0)
		abort();
	ptcp_timer_wheel_set_handler(w, 0, rec_handler, r);
	for (i = 0; i < nobjs; i++) {
		ptcp_timer_init(&r->objs[i].tm);
		r->objs[i].id = i;
		r->objs[i].period = UINT32_MAX;
		r->objs[i].cancel_victim = -1;
		r->objs[i].rec = r;
	}
	return r;
}

static void
rec_free(struct rec *r)
{
	free(r->objs);
	free(r);
}

static struct ptcp_timer_wheel *
wheel_new(void)
{
	struct ptcp_timer_wheel *w = malloc(sizeof(*w));

	if (w == NULL)
		abort();
	return w;
}

/* ---- tests ------------------------------------------------------------ */

static int
node_is_24_bytes(void)
{
	CHECK_EQ(sizeof(struct ptcp_timer), 24);
	CHECK(sizeof(struct ptcp_timer_wheel) < 8192);
	return 0;
}

static int
init_and_argument_errors(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct ptcp_timer_wheel_conf c = { .tick_ns = UINT64_C(2000000000000) };
	struct ptcp_timer t;
	uint32_t tick;

	CHECK_EQ(ptcp_timer_wheel_init(NULL, NULL), -EINVAL);
	CHECK_EQ(ptcp_timer_wheel_init(w, &c), -EINVAL);
	CHECK_EQ(ptcp_timer_wheel_init(w, NULL), 0);
	CHECK_EQ(ptcp_timer_wheel_now(w), 0);
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &tick), -ENOENT);
	CHECK_EQ(ptcp_timer_wheel_set_handler(w, PTCP_TIMER_KINDS,
		rec_handler, NULL), -EINVAL);
	CHECK_EQ(ptcp_timer_wheel_set_handler(w, PTCP_TIMER_KINDS - 1,
		rec_handler, NULL), 0);

	memset(&t, 0xa5, sizeof(t));
	ptcp_timer_init(&t);
	CHECK(!ptcp_timer_pending(&t));
	CHECK_EQ(ptcp_timer_arm(w, &t, PTCP_TIMER_KINDS, 5), -EINVAL);
	CHECK(!ptcp_timer_pending(&t));
	CHECK_EQ(ptcp_timer_arm(w, &t, 0, PTCP_TIMER_MAX_TICKS + 1), -ERANGE);
	CHECK(!ptcp_timer_pending(&t));
	CHECK_EQ(ptcp_timer_arm_at(w, &t, 255, 5), -EINVAL);
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);

	CHECK_EQ(ptcp_timer_arm(w, &t, 1, 5), 0);
	CHECK(ptcp_timer_pending(&t));
	CHECK_EQ(ptcp_timer_expires(&t), 5);
	CHECK_EQ(ptcp_timer_wheel_count(w), 1);
	/* a failed re-arm leaves a pending timer as it was */
	CHECK_EQ(ptcp_timer_arm(w, &t, 0, UINT32_MAX), -ERANGE);
	CHECK(ptcp_timer_pending(&t));
	CHECK_EQ(ptcp_timer_expires(&t), 5);
	/* no handler for kind 1: dropped silently but counted as fired */
	CHECK_EQ(ptcp_timer_wheel_advance(w, 10), 1);
	CHECK(!ptcp_timer_pending(&t));
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	CHECK_EQ(ptcp_timer_wheel_now(w), 10);

	/* the EAL is not initialised here: no TSC rate unless given one */
	if (w->tsc_hz == 0)
		CHECK_EQ(ptcp_timer_wheel_advance_tsc(w, 12345), -ENOTSUP);
	free(w);
	return 0;
}

static int
same_tick_fires_in_arm_order(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, 100);
	unsigned int i;

	/* 0..49 armed from tick 0 (level 2), 50..99 from tick 4000 (level 1) */
	for (i = 0; i < 50; i++)
		CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[i].tm, 0, 5000), 0);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 4000), 0);
	for (i = 50; i < 100; i++)
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0, 1000), 0);
	/* re-arming moves a timer to the back of its tick */
	CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[10].tm, 0, 5000), 0);
	CHECK_EQ(ptcp_timer_wheel_count(w), 100);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 4999), 0);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 5000), 100);
	CHECK_OK();
	CHECK_EQ(r->n, 100);
	for (i = 0; i < 99; i++) {
		unsigned int want = i < 10 ? i : i + 1;

		CHECK_EQ(r->ids[i], want);
		CHECK_EQ(r->ticks[i], 5000);
	}
	CHECK_EQ(r->ids[99], 10);
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	rec_free(r);
	free(w);
	return 0;
}

/*
 * Check the log is sorted by (expiry, arm order), every timer fired once.
 * A failure is counted (the test fails) whether or not the caller checks
 * the return value.
 */
static int
check_sorted_log(const struct rec *r, const uint32_t *exp,
		const unsigned int *seq, unsigned int n, uint32_t origin)
{
	unsigned int i;

	CHECK_EQ(r->n, n);
	for (i = 0; i < n; i++) {
		unsigned int id = r->ids[i];

		CHECK_EQ(r->ticks[i], exp[id]);
		if (i > 0) {
			unsigned int p = r->ids[i - 1];
			uint32_t a = exp[p] - origin, b = exp[id] - origin;

			if (a > b || (a == b && seq[p] > seq[id])) {
				TEST_FAIL("order: #%u id %u (tick %" PRIu32
					") before id %u (tick %" PRIu32 ")",
					i, p, exp[p], id, exp[id]);
				return -1;
			}
		}
	}
	return 0;
}

static int
order_across_slots_and_levels(void)
{
	enum { N = 5000 };
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, N);
	static uint32_t exp[N];
	static unsigned int seq[N];
	uint64_t s = 42;
	unsigned int i;

	for (i = 0; i < N; i++) {
		/* log-uniform delays: every level gets some */
		unsigned int bits = 1 + (unsigned int)rnd_below(&s, 27);
		uint32_t d = 1 + (uint32_t)rnd_below(&s, UINT64_C(1) << bits);

		if (i % 7 == 0 && i > 0)
			d = exp[i - 1];	/* some share a tick */
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0, d), 0);
		exp[i] = d;
		seq[i] = i;
	}
	while (ptcp_timer_wheel_count(w) > 0) {
		uint32_t before = ptcp_timer_wheel_now(w);

		ptcp_timer_wheel_advance(w, before + 1 +
			(uint32_t)rnd_below(&s, 1u << rnd_below(&s, 22)));
		CHECK_OK();
	}
	check_sorted_log(r, exp, seq, N, 0);
	rec_free(r);
	free(w);
	return 0;
}

static int
cancel_before_expiry(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, 6);
	unsigned int i;

	for (i = 0; i < 6; i++)
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0,
			i < 3 ? 10 : 100000), 0);
	/* head, middle and tail of one slot; one on a high level */
	ptcp_timer_cancel(w, &r->objs[0].tm);
	ptcp_timer_cancel(w, &r->objs[2].tm);
	ptcp_timer_cancel(w, &r->objs[4].tm);
	ptcp_timer_cancel(w, &r->objs[4].tm);	/* idle: no-op */
	CHECK(!ptcp_timer_pending(&r->objs[4].tm));
	CHECK_EQ(ptcp_timer_wheel_count(w), 3);
	/* the slot whose tail was cancelled still appends correctly */
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0, 10), 0);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 10), 2);
	CHECK_OK();
	CHECK_EQ(r->ids[0], 1);
	CHECK_EQ(r->ids[1], 0);
	CHECK_EQ(ptcp_timer_wheel_count(w), 2);
	ptcp_timer_cancel(w, &r->objs[3].tm);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 200000), 1);
	CHECK_EQ(r->ids[2], 5);
	CHECK_EQ(r->ticks[2], 100000);
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	rec_free(r);
	free(w);
	return 0;
}

static int
cancel_inside_callback_same_tick(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, 6);
	unsigned int i;

	/* 0..4 due at tick 70; 0 cancels 4 (tail), 1 cancels 2 (middle) */
	for (i = 0; i < 5; i++)
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0, 70), 0);
	r->objs[0].cancel_victim = 4;
	r->objs[1].cancel_victim = 2;
	CHECK_EQ(ptcp_timer_wheel_advance(w, 100), 3);
	CHECK_OK();
	CHECK_EQ(r->n, 3);
	CHECK_EQ(r->ids[0], 0);
	CHECK_EQ(r->ids[1], 1);
	CHECK_EQ(r->ids[2], 3);
	CHECK(!ptcp_timer_pending(&r->objs[2].tm));
	CHECK(!ptcp_timer_pending(&r->objs[4].tm));
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);

	/* the same level-0 slot (tick 70 + 64) works after all that */
	CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[4].tm, 0, 134), 0);
	CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[2].tm, 0, 134), 0);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 134), 2);
	CHECK_EQ(r->ids[3], 4);
	CHECK_EQ(r->ids[4], 2);

	/* a handler cancels itself (idle: no-op) and one of a later tick */
	r->objs[0].cancel_victim = 0;
	r->objs[5].cancel_victim = 1;
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[5].tm, 0, 1), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[1].tm, 0, 2), 0);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 1000), 1);
	CHECK_EQ(r->ids[5], 5);
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	rec_free(r);
	free(w);
	return 0;
}

static int
rearm_inside_callback_periodic(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, 2);
	unsigned int i;

	r->objs[0].period = 7;
	r->objs[1].period = 1000;
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0, 7), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[1].tm, 0, 1000), 0);
	/* one call across 10000 ticks == 10000 calls of one tick */
	CHECK_EQ(ptcp_timer_wheel_advance(w, 10000), 10000 / 7 + 10);
	CHECK_OK();
	CHECK_EQ(r->n, 10000 / 7 + 10);
	CHECK_EQ(ptcp_timer_wheel_count(w), 2);
	for (i = 1; i <= 10000; i++)
		ptcp_timer_wheel_advance(w, 10000 + i);
	CHECK_OK();
	CHECK_EQ(r->n, 20000 / 7 + 20);
	CHECK_EQ(r->ticks[0], 7);
	CHECK_EQ(ptcp_timer_expires(&r->objs[0].tm) - 7, 20000 / 7 * 7);
	rec_free(r);
	free(w);
	return 0;
}

static int
rearm_now_or_past_fires_next_tick(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, 3);
	unsigned int i;

	/* outside a handler: now or past means the next tick */
	CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[2].tm, 0, 0), 0);
	CHECK_EQ(ptcp_timer_expires(&r->objs[2].tm), 1);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[2].tm, 0, 0), 0);
	CHECK_EQ(ptcp_timer_expires(&r->objs[2].tm), 1);
	ptcp_timer_cancel(w, &r->objs[2].tm);

	r->objs[0].period = 0;                 /* arm(0) from its handler */
	r->objs[1].rearm_self_at_past = 5;     /* arm_at(now - 5) */
	r->objs[0].fires = 1000;               /* bounded, just in case */
	r->objs[1].fires = 1000;
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0, 1), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[1].tm, 0, 1), 0);
	/* once per tick each, no recursion */
	CHECK_EQ(ptcp_timer_wheel_advance(w, 1), 2);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 11), 20);
	CHECK_OK();
	for (i = 0; i < 22; i++)
		CHECK_EQ(r->ticks[i], i / 2 + 1);
	CHECK_EQ(ptcp_timer_expires(&r->objs[0].tm), 12);
	CHECK_EQ(ptcp_timer_expires(&r->objs[1].tm), 12);
	/* a stall: one fire per missed tick, in order */
	CHECK_EQ(ptcp_timer_wheel_advance(w, 1000000), 2 * 989);
	CHECK_OK();
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	CHECK_EQ(r->ticks[r->n - 1], 1000);
	rec_free(r);
	free(w);
	return 0;
}

static int
far_end_of_span(void)
{
	static const uint32_t starts[] = { 0, 0x7fffffffu, 0xfffffff0u,
		123456789u };
	unsigned int k;

	for (k = 0; k < RTE_DIM(starts); k++) {
		struct ptcp_timer_wheel_conf c = { .start_tick = starts[k] };
		struct ptcp_timer_wheel *w = wheel_new();
		struct rec *r = rec_new(w, &c, 3);
		uint32_t s = starts[k];
		uint32_t keep = ptcp_timer_ms_to_ticks(w, 7200 * 1000);
		uint32_t t;

		CHECK_EQ(keep, 7200000);
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0,
			PTCP_TIMER_MAX_TICKS), 0);
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[1].tm, 0, keep), 0);
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[2].tm, 0,
			PTCP_TIMER_MAX_TICKS - 1), 0);
		CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
		CHECK_EQ(t, (uint32_t)(s + keep));
		CHECK_EQ(ptcp_timer_wheel_advance(w, s + keep - 1), 0);
		CHECK_EQ(ptcp_timer_wheel_advance(w, s + keep), 1);
		CHECK_OK();
		CHECK_EQ(r->ids[0], 1);
		CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
		CHECK_EQ(t, (uint32_t)(s + PTCP_TIMER_MAX_TICKS - 1));
		CHECK_EQ(ptcp_timer_wheel_advance(w,
			s + PTCP_TIMER_MAX_TICKS - 2), 0);
		CHECK_EQ(ptcp_timer_wheel_advance(w,
			s + PTCP_TIMER_MAX_TICKS - 1), 1);
		CHECK_EQ(ptcp_timer_wheel_advance(w,
			s + PTCP_TIMER_MAX_TICKS + 10), 1);
		CHECK_OK();
		CHECK_EQ(r->n, 3);
		CHECK_EQ(r->ids[1], 2);
		CHECK_EQ(r->ids[2], 0);
		CHECK_EQ(r->ticks[2], (uint32_t)(s + PTCP_TIMER_MAX_TICKS));
		rec_free(r);
		free(w);
	}
	return 0;
}

static int
stall_ten_minutes_in_order(void)
{
	enum { N = 20000, STALL = 600000 };
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, N + 1);
	static uint32_t exp[N + 1];
	static unsigned int seq[N + 1];
	uint64_t s = 7;
	unsigned int i;
	double t0, dt;

	for (i = 0; i < N; i++) {
		exp[i] = 1 + (uint32_t)rnd_below(&s, STALL);
		seq[i] = i;
		CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[i].tm, 0, exp[i]), 0);
	}
	/* one that must not fire early, one tick after the stall */
	CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[N].tm, 0, STALL + 1), 0);
	t0 = now_s();
	CHECK_EQ(ptcp_timer_wheel_advance(w, STALL), N);
	dt = now_s() - t0;
	CHECK_OK();
	CHECK_EQ(ptcp_timer_wheel_now(w), STALL);
	CHECK(ptcp_timer_pending(&r->objs[N].tm));
	check_sorted_log(r, exp, seq, N, 0);
	CHECK_OK();
	if (dt > 0.5) {
		TEST_FAIL("stall of %u ticks with %u timers took %.3f s", STALL, N,
			dt);
		return -1;
	}
	printf("  %u timers over a %u-tick stall: %.3f ms\n", N, STALL,
		dt * 1e3);
	rec_free(r);
	free(w);
	return 0;
}

static int
sparse_jump_skips_empty_ticks(void)
{
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, NULL, 4);
	double t0, dt;

	/* empty wheel: 24 days at once */
	t0 = now_s();
	CHECK_EQ(ptcp_timer_wheel_advance(w, PTCP_TIMER_MAX_TICKS), 0);
	CHECK_EQ(ptcp_timer_wheel_now(w), PTCP_TIMER_MAX_TICKS);
	/* sparse: 4 timers spread over 24 days, then wrap past 2^32 */
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0, 3), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[1].tm, 0, 600000), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[2].tm, 0, 1u << 30), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[3].tm, 0,
		PTCP_TIMER_MAX_TICKS), 0);
	CHECK_EQ(ptcp_timer_wheel_advance(w, UINT32_MAX - 1), 4);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 1u << 30), 0);
	dt = now_s() - t0;
	CHECK_OK();
	CHECK_EQ(ptcp_timer_wheel_now(w), 1u << 30);
	CHECK_EQ(r->ticks[3], UINT32_MAX - 1);
	/* walking ~2^32 ticks one by one would take seconds */
	if (dt > 0.05) {
		TEST_FAIL("jumping 2^32 sparse ticks took %.3f s", dt);
		return -1;
	}
	rec_free(r);
	free(w);
	return 0;
}

static int
tick_counter_wraps(void)
{
	enum { N = 3000 };
	struct ptcp_timer_wheel_conf c = { .start_tick = UINT32_MAX - 1000 };
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, &c, N);
	static uint32_t exp[N];
	static unsigned int seq[N];
	uint64_t s = 99;
	unsigned int i;
	uint32_t t;

	for (i = 0; i < N; i++) {
		uint32_t d = 1 + (uint32_t)rnd_below(&s, i < N / 2 ? 3000 :
			5000000);

		exp[i] = c.start_tick + d;
		seq[i] = i;
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0, d), 0);
	}
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
	/* step across the wrap, some steps of one tick */
	for (i = 0; i < 2000; i++)
		ptcp_timer_wheel_advance(w, c.start_tick + i + 1);
	CHECK_OK();
	CHECK_EQ(ptcp_timer_wheel_now(w), 999);
	while (ptcp_timer_wheel_count(w) > 0)
		ptcp_timer_wheel_advance(w, ptcp_timer_wheel_now(w) + 997);
	CHECK_OK();
	check_sorted_log(r, exp, seq, N, c.start_tick);
	CHECK_OK();
	CHECK_EQ(r->ticks[0], t);
	rec_free(r);
	free(w);
	return 0;
}

static int
work_bound_carries_over(void)
{
	struct ptcp_timer_wheel_conf c = { .max_fire = 10 };
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, &c, 50);
	unsigned int i;

	for (i = 0; i < 35; i++)
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0, 5), 0);
	for (i = 35; i < 45; i++)
		CHECK_EQ(ptcp_timer_arm(w, &r->objs[i].tm, 0, 6), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[45].tm, 0, 1000), 0);

	CHECK_EQ(ptcp_timer_wheel_advance(w, 2000), 10);
	/* stopped on the tick it was firing */
	CHECK_EQ(ptcp_timer_wheel_now(w), 5);
	CHECK_EQ(ptcp_timer_wheel_count(w), 36);
	/* a carried-over timer can be cancelled, or re-armed, in between */
	ptcp_timer_cancel(w, &r->objs[12].tm);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[13].tm, 0, 1), 0);
	CHECK_EQ(ptcp_timer_expires(&r->objs[13].tm), 6);
	/* a call for an earlier tick still makes progress */
	CHECK_EQ(ptcp_timer_wheel_advance(w, 0), 10);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 2000), 10);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 2000), 10);
	CHECK_EQ(ptcp_timer_wheel_now(w), 6);
	/* 42..44, then 13 (re-armed last), then 45 at tick 1000 */
	CHECK_EQ(ptcp_timer_wheel_advance(w, 2000), 5);
	CHECK_EQ(ptcp_timer_wheel_now(w), 2000);
	CHECK_EQ(ptcp_timer_wheel_advance(w, 2000), 0);
	CHECK_OK();
	CHECK_EQ(r->n, 45);
	for (i = 0; i < 33; i++) {
		CHECK_EQ(r->ids[i], i < 12 ? i : i + 2);
		CHECK_EQ(r->ticks[i], 5);
	}
	for (i = 33; i < 43; i++) {
		CHECK_EQ(r->ids[i], i + 2);
		CHECK_EQ(r->ticks[i], 6);
	}
	CHECK_EQ(r->ids[43], 13);
	CHECK_EQ(r->ticks[43], 6);
	CHECK_EQ(r->ids[44], 45);
	CHECK_EQ(r->ticks[44], 1000);
	rec_free(r);
	free(w);
	return 0;
}

static int
cascade_bound_spreads_a_big_slot(void)
{
	enum { N = 1000, B = 1 << 18 };
	struct ptcp_timer_wheel_conf c = { .max_cascade = 100 };
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, &c, N + 1);
	static uint32_t exp[N + 1];
	static unsigned int seq[N + 1];
	unsigned int i, calls = 0, fired = 0;
	uint32_t t;

	/* all on one level-3 slot: [2^18, 2^19) */
	for (i = 0; i < N; i++) {
		exp[i] = B + 1 + i % 50;
		seq[i] = i;
		CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[i].tm, 0, exp[i]), 0);
	}
	CHECK_EQ(ptcp_timer_wheel_advance(w, B - 1), 0);
	CHECK(!ptcp_timer_wheel_backlog(w));
	/* the boundary tick: 100 moves, then the call gives up */
	CHECK_EQ(ptcp_timer_wheel_advance(w, B + 100), 0);
	CHECK_EQ(ptcp_timer_wheel_now(w), B);
	CHECK(ptcp_timer_wheel_backlog(w));
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
	CHECK_EQ(t, B);
	/* meanwhile: cancel the list's tail and a middle one, arm another */
	ptcp_timer_cancel(w, &r->objs[N - 1].tm);
	ptcp_timer_cancel(w, &r->objs[500].tm);
	CHECK_EQ(ptcp_timer_arm_at(w, &r->objs[N].tm, 0, B + 1), 0);
	exp[N] = B + 1;
	seq[N] = N;
	CHECK_EQ(ptcp_timer_wheel_count(w), N - 1);
	while (ptcp_timer_wheel_backlog(w) && calls < 100) {
		fired += ptcp_timer_wheel_advance(w, B + 100);
		calls++;
	}
	CHECK_OK();
	/* 898 left + 1 armed = 899 moves: 8 more calls that give up, and
	 * the 9th finishes the tick and goes on to B + 100, firing all */
	CHECK_EQ(calls, 9);
	CHECK_EQ(fired, N - 1);
	CHECK_EQ(r->n, N - 1);
	CHECK_EQ(ptcp_timer_wheel_now(w), B + 100);
	CHECK_EQ(ptcp_timer_wheel_count(w), 0);
	/* check_sorted_log wants every timer: drop the two cancelled */
	for (i = 0; i < r->n; i++)
		CHECK(r->ids[i] != N - 1 && r->ids[i] != 500);
	exp[N - 1] = exp[500] = 0;
	{
		unsigned int k = 0;

		for (i = 0; i <= N; i++)
			if (i != N - 1 && i != 500)
				seq[i] = k++;
	}
	for (i = 1; i < r->n; i++) {
		unsigned int a = r->ids[i - 1], b = r->ids[i];

		CHECK_EQ(r->ticks[i], exp[b]);
		CHECK(exp[a] < exp[b] || (exp[a] == exp[b] && seq[a] < seq[b]));
	}
	CHECK_EQ(r->ids[19], N);	/* behind the 19 others of tick B + 1 */
	rec_free(r);
	free(w);
	return 0;
}

static int
advance_tsc_exact_no_drift(void)
{
	static const uint64_t rates[] = { 2999999999u, 1000000000u, 3u,
		2100000000u };
	unsigned int k;

	for (k = 0; k < RTE_DIM(rates); k++) {
		struct ptcp_timer_wheel_conf c = {
			.tsc_hz = rates[k],
			.tick_ns = k == 2 ? 1000000000u : 1000000u,
			.start_tsc = UINT64_C(1) << 40,
			.start_tick = UINT32_MAX - 5,
		};
		struct ptcp_timer_wheel *w = wheel_new();
		struct rec *r = rec_new(w, &c, 1);
		unsigned __int128 p = (unsigned __int128)c.tsc_hz * c.tick_ns;
		uint64_t tsc = c.start_tsc, s = k;
		unsigned int i;

		CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0, 20), 0);
		for (i = 0; i < 200000; i++) {
			uint64_t el;
			uint32_t want;
			unsigned int x = (unsigned int)rnd_below(&s, 100);

			tsc += x < 90 ? rnd_below(&s, 3 * (uint64_t)(p /
				1000000000u) / 2 + 2) : x < 99 ?
				rnd_below(&s, 20 * (uint64_t)(p / 1000000000u)) :
				rnd_below(&s, RTE_MIN(UINT64_C(1) << 36,
				(uint64_t)(p / 1000000000u) << 28));
			el = tsc - c.start_tsc;
			want = c.start_tick + (uint32_t)(uint64_t)
				((unsigned __int128)el * 1000000000u / p);
			CHECK(ptcp_timer_wheel_advance_tsc(w, tsc) >= 0);
			CHECK_EQ(ptcp_timer_wheel_now(w), want);
			/* the same TSC again changes nothing */
			CHECK_EQ(ptcp_timer_wheel_advance_tsc(w, tsc), 0);
			CHECK_EQ(ptcp_timer_wheel_now(w), want);
			CHECK_OK();
		}
		CHECK_EQ(r->n, 1);
		CHECK_EQ(r->ticks[0], (uint32_t)(c.start_tick + 20));
		rec_free(r);
		free(w);
	}
	return 0;
}

static int
ms_to_ticks_rounds_up(void)
{
	struct ptcp_timer_wheel_conf c = { .tick_ns = 10000000 };
	struct ptcp_timer_wheel *w = wheel_new();

	CHECK_EQ(ptcp_timer_wheel_init(w, NULL), 0);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w, 60000), 60000);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w, 0), 0);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w,
		UINT64_C(1) << 40), PTCP_TIMER_MAX_TICKS);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w, UINT64_MAX), PTCP_TIMER_MAX_TICKS);
	CHECK_EQ(ptcp_timer_wheel_init(w, &c), 0);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w, 15), 2);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w, 10), 1);
	CHECK_EQ(ptcp_timer_ms_to_ticks(w, 7200000), 720000);
	free(w);
	return 0;
}

static int
next_expiry_is_exact(void)
{
	struct ptcp_timer_wheel_conf c = { .start_tick = UINT32_MAX - 100 };
	struct ptcp_timer_wheel *w = wheel_new();
	struct rec *r = rec_new(w, &c, 4);
	uint32_t t;

	CHECK_EQ(ptcp_timer_arm(w, &r->objs[0].tm, 0, 300000), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[1].tm, 0, 299999), 0);
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[2].tm, 0, 300001), 0);
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
	CHECK_EQ(t, (uint32_t)(c.start_tick + 299999));
	CHECK_EQ(ptcp_timer_arm(w, &r->objs[3].tm, 0, 3), 0);
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
	CHECK_EQ(t, (uint32_t)(c.start_tick + 3));
	ptcp_timer_cancel(w, &r->objs[3].tm);
	ptcp_timer_cancel(w, &r->objs[1].tm);
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
	CHECK_EQ(t, (uint32_t)(c.start_tick + 300000));
	CHECK_EQ(ptcp_timer_wheel_advance(w, t - 1), 0);
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), 0);
	CHECK_EQ(t, (uint32_t)(c.start_tick + 300000));
	CHECK_EQ(ptcp_timer_wheel_advance(w, t + 1), 2);
	CHECK_EQ(ptcp_timer_wheel_next_expiry(w, &t), -ENOENT);
	rec_free(r);
	free(w);
	return 0;
}

/* ---- randomized against a reference model ---------------------------- */

/*
 * The model: an indexed binary heap of pending timers keyed by (expiry in
 * serial order, arm sequence). The wheel and the model get the same
 * operations; each time the wheel fires a timer, it must be the model's
 * minimum and fire at exactly its expiry. Handlers arm and cancel timers
 * (their own and others, including ones due on the same tick) through both.
 */
struct model {
	unsigned int n;              /* heap size */
	unsigned int *heap;          /* ids */
	unsigned int *pos;           /* id -> heap index, UINT_MAX: idle */
	uint32_t *exp;
	uint64_t *seq;
	uint64_t next_seq;
	uint32_t now;
};

struct fuzz {
	struct ptcp_timer_wheel *w;
	struct model m;
	struct ptcp_timer *tm;
	unsigned int ntm;
	uint64_t rng;
	uint64_t fired;
	uint64_t seed;
};

static bool
m_less(const struct model *m, unsigned int a, unsigned int b)
{
	int32_t d = (int32_t)(m->exp[a] - m->exp[b]);

	return d != 0 ? d < 0 : m->seq[a] < m->seq[b];
}

static void
m_swap(struct model *m, unsigned int i, unsigned int j)
{
	unsigned int a = m->heap[i], b = m->heap[j];

	m->heap[i] = b;
	m->heap[j] = a;
	m->pos[b] = i;
	m->pos[a] = j;
}

static void
m_fix(struct model *m, unsigned int i)
{
	while (i > 0 && m_less(m, m->heap[i], m->heap[(i - 1) / 2])) {
		m_swap(m, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, b = i;

		if (l < m->n && m_less(m, m->heap[l], m->heap[b]))
			b = l;
		if (r < m->n && m_less(m, m->heap[r], m->heap[b]))
			b = r;
		if (b == i)
			break;
		m_swap(m, i, b);
		i = b;
	}
}

static void
m_cancel(struct model *m, unsigned int id)
{
	unsigned int i = m->pos[id];

	if (i == UINT32_MAX)
		return;
	m->pos[id] = UINT32_MAX;
	m->n--;
	if (i != m->n) {
		m->heap[i] = m->heap[m->n];
		m->pos[m->heap[i]] = i;
		m_fix(m, i);
	}
}

static void
m_arm_at(struct model *m, unsigned int id, uint32_t tick)
{
	m_cancel(m, id);
	if ((int32_t)(tick - m->now) <= 0)
		tick = m->now + 1;
	m->exp[id] = tick;
	m->seq[id] = m->next_seq++;
	m->pos[id] = m->n;
	m->heap[m->n++] = id;
	m_fix(m, m->n - 1);
}

static uint32_t
fuzz_delay(struct fuzz *f)
{
	unsigned int x = (unsigned int)rnd_below(&f->rng, 100);

	if (x < 50)
		return (uint32_t)rnd_below(&f->rng, 80);
	if (x < 75)
		return (uint32_t)rnd_below(&f->rng, 5000);
	if (x < 92)
		return (uint32_t)rnd_below(&f->rng, 300000);
	return (uint32_t)rnd_below(&f->rng, (uint64_t)PTCP_TIMER_MAX_TICKS + 1);
}

/* One random arm or cancel, on both the wheel and the model. */
static void
fuzz_touch(struct fuzz *f, unsigned int id, unsigned int x)
{
	struct model *m = &f->m;

	if (x < 60) {
		uint32_t d = fuzz_delay(f);

		if (ptcp_timer_arm(f->w, &f->tm[id], 0, d) != 0) {
			TEST_FAIL("arm failed (seed %" PRIu64 ")", f->seed);
			return;
		}
		m_arm_at(m, id, m->now + d);
	} else if (x < 65) {
		uint32_t at = m->now - (uint32_t)rnd_below(&f->rng, 1000);

		if (ptcp_timer_arm_at(f->w, &f->tm[id], 0, at) != 0) {
			TEST_FAIL("arm_at failed (seed %" PRIu64 ")", f->seed);
			return;
		}
		m_arm_at(m, id, at);
	} else {
		ptcp_timer_cancel(f->w, &f->tm[id]);
		m_cancel(m, id);
	}
}

static void
fuzz_handler(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct fuzz *f = arg;
	struct model *m = &f->m;
	unsigned int id = (unsigned int)(t - f->tm);
	unsigned int want;
	unsigned int x;

	if (m->n == 0) {
		TEST_FAIL("timer %u fired at %" PRIu32 ", model has none pending "
			"(seed %" PRIu64 ")", id, ptcp_timer_wheel_now(w),
			f->seed);
		return;
	}
	want = m->heap[0];
	if (want != id || m->exp[want] != ptcp_timer_wheel_now(w)) {
		TEST_FAIL("fire #%" PRIu64 ": got timer %u at tick %" PRIu32
			" (expiry %" PRIu32 "), model expects timer %u at tick "
			"%" PRIu32 " (seed %" PRIu64 ")", f->fired, id,
			ptcp_timer_wheel_now(w), ptcp_timer_expires(t), want,
			m->exp[want], f->seed);
		return;
	}
	m->now = m->exp[want];
	m_cancel(m, want);
	f->fired++;
	/* handlers do things too: re-arm self, touch another (maybe due) */
	x = (unsigned int)rnd_below(&f->rng, 100);
	if (x < 20)
		fuzz_touch(f, id, (unsigned int)rnd_below(&f->rng, 65));
	else if (x < 50)
		fuzz_touch(f, (unsigned int)rnd_below(&f->rng, f->ntm),
			(unsigned int)rnd_below(&f->rng, 100));
}

static int
fuzz_check_all(struct fuzz *f)
{
	unsigned int i;

	CHECK_EQ(ptcp_timer_wheel_count(f->w), f->m.n);
	for (i = 0; i < f->ntm; i++) {
		bool p = f->m.pos[i] != UINT32_MAX;

		if (p != ptcp_timer_pending(&f->tm[i]) ||
				(p && f->m.exp[i] != ptcp_timer_expires(&f->tm[i]))) {
			TEST_FAIL("timer %u: model pending %d expiry %" PRIu32
				", wheel pending %d expiry %" PRIu32
				" (seed %" PRIu64 ")", i, p, f->m.exp[i],
				ptcp_timer_pending(&f->tm[i]),
				ptcp_timer_expires(&f->tm[i]), f->seed);
			return -1;
		}
	}
	return 0;
}

static void
fuzz_run(uint64_t seed, uint32_t max_fire, uint32_t max_cascade,
		unsigned int ops)
{
	enum { NTM = 2000 };
	struct ptcp_timer_wheel_conf c = {
		.max_fire = max_fire,
		.max_cascade = max_cascade,
	};
	struct fuzz *f = calloc(1, sizeof(*f));
	unsigned int i;

	if (f == NULL)
		abort();
	f->seed = seed;
	f->rng = seed;
	f->ntm = NTM;
	f->w = wheel_new();
	f->tm = calloc(NTM, sizeof(*f->tm));
	f->m.heap = calloc(NTM, sizeof(unsigned int));
	f->m.pos = calloc(NTM, sizeof(unsigned int));
	f->m.exp = calloc(NTM, sizeof(uint32_t));
	f->m.seq = calloc(NTM, sizeof(uint64_t));
	if (!f->tm || !f->m.heap || !f->m.pos || !f->m.exp || !f->m.seq)
		abort();
	for (i = 0; i < NTM; i++)
		f->m.pos[i] = UINT32_MAX;
	/* start anywhere, often close to the wrap */
	c.start_tick = (ptcp_test_rand(&f->rng) & 1) ? UINT32_MAX -
		(uint32_t)rnd_below(&f->rng, 100000) : (uint32_t)ptcp_test_rand(&f->rng);
	f->m.now = c.start_tick;
	if (ptcp_timer_wheel_init(f->w, &c) != 0)
		abort();
	ptcp_timer_wheel_set_handler(f->w, 0, fuzz_handler, f);

	for (i = 0; i < ops && !ptcp_test_failures(); i++) {
		unsigned int x = (unsigned int)rnd_below(&f->rng, 100);

		if (x < 65) {
			fuzz_touch(f, (unsigned int)rnd_below(&f->rng, NTM),
				(unsigned int)rnd_below(&f->rng, 100));
		} else {
			unsigned int y = (unsigned int)rnd_below(&f->rng, 100);
			uint32_t step = y < 60 ? (uint32_t)rnd_below(&f->rng, 10) :
				y < 85 ? (uint32_t)rnd_below(&f->rng, 200) :
				y < 97 ? (uint32_t)rnd_below(&f->rng, 70000) :
				(uint32_t)rnd_below(&f->rng, 1u << 30);
			uint32_t target = f->m.now + step;
			uint64_t before = f->fired;
			unsigned int n = ptcp_timer_wheel_advance(f->w, target);

			if (ptcp_test_failures())
				break;
			if (n != f->fired - before) {
				TEST_FAIL("advance returned %u, %" PRIu64
					" fired (seed %" PRIu64 ")", n,
					f->fired - before, f->seed);
				break;
			}
			if (max_fire == 0 && max_cascade == 0) {
				/* no bound: reached, nothing due is left */
				if (ptcp_timer_wheel_now(f->w) != target ||
						ptcp_timer_wheel_backlog(f->w)) {
					TEST_FAIL("wheel at %" PRIu32 ", target %"
						PRIu32 " (seed %" PRIu64 ")",
						ptcp_timer_wheel_now(f->w),
						target, f->seed);
					break;
				}
			} else {
				/* bounded: rests on a tick, at most target */
				uint32_t wn = ptcp_timer_wheel_now(f->w);

				if ((int32_t)(wn - f->m.now) < 0 ||
						(int32_t)(target - wn) < 0) {
					TEST_FAIL("wheel at %" PRIu32 ", out of %"
						PRIu32 "..%" PRIu32 " (seed %"
						PRIu64 ")", wn, f->m.now,
						target, f->seed);
					break;
				}
				f->m.now = wn;
				target = wn;
			}
			/* nothing before the wheel's tick is left */
			if (f->m.n > 0) {
				int32_t d = (int32_t)(f->m.exp[f->m.heap[0]] -
					target);

				if (d < 0 || (d == 0 &&
						!ptcp_timer_wheel_backlog(f->w))) {
					TEST_FAIL("timer %u due at %" PRIu32
						" not fired by %" PRIu32
						" (seed %" PRIu64 ")",
						f->m.heap[0],
						f->m.exp[f->m.heap[0]], target,
						f->seed);
					break;
				}
			}
			f->m.now = target;
		}
		if (i % 4096 == 0)
			fuzz_check_all(f);
	}
	if (!ptcp_test_failures())
		fuzz_check_all(f);
	if (!ptcp_test_failures())
		printf("  seed %" PRIu64 " max_fire %u max_cascade %u: %u ops, "
			"%" PRIu64 " fired, %u pending at the end\n", seed,
			max_fire, max_cascade, ops, f->fired, f->m.n);
	free(f->tm);
	free(f->m.heap);
	free(f->m.pos);
	free(f->m.exp);
	free(f->m.seq);
	free(f->w);
	free(f);
}

static uint64_t
fuzz_seed(void)
{
	const char *s = getenv("PTCP_TEST_SEED");

	return s != NULL ? strtoull(s, NULL, 0) : UINT64_C(0x5eed2026);
}

/* fuzz_run() reports with TEST_FAIL: the runner fails the test. */
static int
randomized_against_model(void)
{
	fuzz_run(fuzz_seed(), 0, 0, 1000000);
	CHECK_OK();
	return 0;
}

static int
randomized_against_model_bounded(void)
{
	fuzz_run(fuzz_seed() + 1, 7, 0, 300000);
	fuzz_run(fuzz_seed() + 2, 0, 3, 300000);
	fuzz_run(fuzz_seed() + 3, 5, 2, 300000);
	CHECK_OK();
	return 0;
}

/*
 * ptcp_tsc_to() is exact (against 128-bit arithmetic) at and around the
 * points where tsc * 1000 and tsc * 1000000 wrap 2^64, at the top of the
 * range, and on random values, for several TSC rates; and monotonic
 * across each wrap point (the naive conversion jumps back there).
 */
static int
tsc_conversion_exact_past_the_wrap_points(void)
{
	static const uint64_t hzs[] = { 1000000000ull, 2999999999ull,
		3000000000ull, 2500000007ull, 1000000000000ull };
	static const uint64_t per[] = { 1000, 1000000 };
	uint64_t seed = 7, tsc, got, prev, want;
	unsigned int h, u, i;
	int d;

	for (h = 0; h < RTE_DIM(hzs); h++) {
		for (u = 0; u < RTE_DIM(per); u++) {
			const uint64_t wrap = UINT64_MAX / per[u];
			const uint64_t pts[] = { 0, 1, hzs[h] - 1, hzs[h],
				wrap - 1, wrap, wrap + 1, UINT64_MAX / 2,
				UINT64_MAX - 1, UINT64_MAX };

			for (i = 0; i < RTE_DIM(pts); i++) {
				for (d = -3; d <= 3; d++) {
					tsc = pts[i] + (uint64_t)(int64_t)d;
					want = (uint64_t)((unsigned __int128)tsc *
						per[u] / hzs[h]);
					CHECK_EQ(ptcp_tsc_to(tsc, hzs[h],
						per[u]), want);
				}
			}
			for (i = 0; i < 100000; i++) {
				tsc = ptcp_test_rand(&seed);
				want = (uint64_t)((unsigned __int128)tsc *
					per[u] / hzs[h]);
				CHECK_EQ(ptcp_tsc_to(tsc, hzs[h], per[u]), want);
			}
			/* monotonic across the wrap of tsc * per_s */
			prev = ptcp_tsc_to(wrap - 2 * hzs[h], hzs[h], per[u]);
			for (tsc = wrap - 2 * hzs[h]; tsc < wrap + 2 * hzs[h];
					tsc += hzs[h] / 7 + 1) {
				got = ptcp_tsc_to(tsc, hzs[h], per[u]);
				CHECK(got >= prev);
				prev = got;
			}
			/* where the naive conversion would have wrapped */
			CHECK(ptcp_tsc_to(wrap + 1, hzs[h], per[u]) >
				(wrap + 1) * per[u] / hzs[h]);
		}
	}
	return 0;
}


/* ---- main -------------------------------------------------------------- */

static const struct ptcp_test tests[] = {
	TEST(node_is_24_bytes),
	TEST(init_and_argument_errors),
	TEST(same_tick_fires_in_arm_order),
	TEST(order_across_slots_and_levels),
	TEST(cancel_before_expiry),
	TEST(cancel_inside_callback_same_tick),
	TEST(rearm_inside_callback_periodic),
	TEST(rearm_now_or_past_fires_next_tick),
	TEST(far_end_of_span),
	TEST(stall_ten_minutes_in_order),
	TEST(sparse_jump_skips_empty_ticks),
	TEST(tick_counter_wraps),
	TEST(work_bound_carries_over),
	TEST(cascade_bound_spreads_a_big_slot),
	TEST(advance_tsc_exact_no_drift),
	TEST(ms_to_ticks_rounds_up),
	TEST(next_expiry_is_exact),
	TEST(randomized_against_model),
	TEST(randomized_against_model_bounded),
	TEST(tsc_conversion_exact_past_the_wrap_points),
	{ 0 }
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
