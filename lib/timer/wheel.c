/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical hashed timing wheel (Varghese & Lauck, scheme 7), in the
 * shape of the classic Linux timer wheel, with exact expiry.
 *
 * Placement. A pending timer with expiry E sits at the level of the most
 * significant 6-bit digit in which E differs from the current tick `now`,
 * in the slot named by E's digit at that level:
 *
 *	level = msb(E ^ now) / 6, slot = (E >> 6 * level) & 63
 *
 * Every timer on level L shares all digits above L with `now`, and its
 * digit L is after now's. As the clock reaches the first tick of a level-L
 * slot (digits below L all zero), that slot's timers are re-placed
 * relative to the new `now` (cascade): they land on lower levels. A level-0
 * slot reached by the clock holds exactly the timers of that tick: they
 * are moved in O(1) to the wheel's due list, then fired one by one. The
 * invariant "level and slot are a function of E ^ now" holds at all times,
 * which gives:
 *  - all timers with the same expiry share one list, so appending at the
 *    tail makes same-tick firing FIFO in arm order (cascades keep order);
 *  - at a level-L boundary all lower levels are empty, so the next event
 *    (fire or cascade) is the first occupied slot of the lowest occupied
 *    level, found with one ctz: empty time is skipped in one step.
 * The top level holds only bits 30-31 of the tick; its slots are ordered
 * modulo 2^32, which is what makes the tick counter wrap cleanly.
 *
 * Cancel must work on due timers too (a handler cancelling a timer of the
 * same tick): the due list uses the same next/pprev links, and a node knows
 * it is no longer the tail of its slot because the slot's tail does not
 * point at it.
 *
 * Bounded cascades (max_cascade): when the clock reaches a tick, the slots
 * to cascade are spliced onto one cascade list (top level first), which is
 * then moved down timer by timer. If the bound stops that, the tick stays
 * in progress (in_tick): the next call finishes it before anything else,
 * and timers armed in between are appended to the cascade list, behind any
 * older timer of the same expiry.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_branch_prediction.h>
#include <rte_debug.h>

#include "ptcp_timer.h"

static_assert(sizeof(struct ptcp_timer) == 24,
	"struct ptcp_timer must stay 24 bytes");
static_assert(PTCP_TIMER_LEVELS * PTCP_TIMER_LEVEL_BITS >= 32,
	"levels must cover the 32-bit tick space");
static_assert(PTCP_TIMER_SLOTS == 64, "occupancy bitmaps are uint64_t");
static_assert(PTCP_TIMER_KINDS <= 256, "kind is a byte");

#define SLOT_MASK (PTCP_TIMER_SLOTS - 1)
#define NSEC_PER_SEC 1000000000u
#define MAX_RATE 1000000000000ull	/* bound on tick_ns and tsc_hz */
#define STEP_TICKS 4	/* TSC ticks stepped one by one before dividing */

static inline uint64_t tsc_next(const struct ptcp_timer_wheel *w);

int
ptcp_timer_wheel_init(struct ptcp_timer_wheel *w,
		const struct ptcp_timer_wheel_conf *conf)
{
	static const struct ptcp_timer_wheel_conf defaults;
	unsigned int l, s;
	unsigned __int128 p;

	if (w == NULL)
		return -EINVAL;
	if (conf == NULL)
		conf = &defaults;
	if (conf->tick_ns > MAX_RATE || conf->tsc_hz > MAX_RATE)
		return -EINVAL;

	w->now = conf->start_tick;
	w->count = 0;
	w->max_fire = conf->max_fire;
	w->max_cascade = conf->max_cascade;
	w->in_tick = 0;
	w->due = NULL;
	w->casc = NULL;
	w->casc_tail = &w->casc;
	for (l = 0; l < PTCP_TIMER_LEVELS; l++) {
		w->occupied[l] = 0;
		for (s = 0; s < PTCP_TIMER_SLOTS; s++) {
			w->slots[l][s].head = NULL;
			w->slots[l][s].tail = &w->slots[l][s].head;
		}
	}
	for (l = 0; l < PTCP_TIMER_KINDS; l++) {
		w->handlers[l].fn = NULL;
		w->handlers[l].arg = NULL;
	}

	w->tick_ns = conf->tick_ns ? conf->tick_ns : PTCP_TIMER_DEFAULT_TICK_NS;
	w->tsc_hz = conf->tsc_hz ? conf->tsc_hz : rte_get_tsc_hz();
	w->base_tsc = conf->start_tsc ? conf->start_tsc : rte_rdtsc();
	w->base_tick = conf->start_tick;
	w->tsc_tick = conf->start_tick;
	w->tsc_k = 0;
	w->tsc_whole = 0;
	w->tsc_num = 0;
	w->pad = 0;
	/* cycles per tick = tsc_hz * tick_ns / 1e9 = cyc_q + cyc_r / 1e9 */
	p = (unsigned __int128)w->tsc_hz * w->tick_ns;
	w->cyc_q = (uint64_t)(p / NSEC_PER_SEC);
	w->cyc_r = (uint32_t)(p % NSEC_PER_SEC);
	w->next_tsc = tsc_next(w);
	return 0;
}

void
ptcp_timer_wheel_set_bounds(struct ptcp_timer_wheel *w, uint32_t max_fire,
		uint32_t max_cascade)
{
	w->max_fire = max_fire;
	w->max_cascade = max_cascade;
}

int
ptcp_timer_wheel_set_handler(struct ptcp_timer_wheel *w, uint8_t kind,
		ptcp_timer_cb_t fn, void *arg)
{
	if (kind >= PTCP_TIMER_KINDS)
		return -EINVAL;
	w->handlers[kind].fn = fn;
	w->handlers[kind].arg = arg;
	return 0;
}

/* Append t to the slot its expiry maps to, relative to w->now. */
static inline void
enqueue(struct ptcp_timer_wheel *w, struct ptcp_timer *t)
{
	/* x | 1: an expiry equal to now (cascade onto this tick) is level 0 */
	uint32_t x = (t->expire ^ w->now) | 1;
	unsigned int lvl = (31 - __builtin_clz(x)) / PTCP_TIMER_LEVEL_BITS;
	unsigned int s = (t->expire >> (lvl * PTCP_TIMER_LEVEL_BITS)) &
		SLOT_MASK;
	struct ptcp_timer_slot *sl = &w->slots[lvl][s];

	t->level = (uint8_t)lvl;
	t->slot = (uint8_t)s;
	t->next = NULL;
	t->pprev = sl->tail;
	*sl->tail = t;
	sl->tail = &t->next;
	w->occupied[lvl] |= UINT64_C(1) << s;
}

/* Append t to the list of timers left to cascade on this tick. */
static inline void
casc_append(struct ptcp_timer_wheel *w, struct ptcp_timer *t)
{
	t->level = 0;
	t->slot = 0;
	t->next = NULL;
	t->pprev = w->casc_tail;
	*w->casc_tail = t;
	w->casc_tail = &t->next;
}

/* Remove a pending timer from its slot, the due list or the cascade list. */
static inline void
unlink_timer(struct ptcp_timer_wheel *w, struct ptcp_timer *t)
{
	struct ptcp_timer *n = t->next;
	struct ptcp_timer **pp = t->pprev;

	*pp = n;
	if (n != NULL) {
		n->pprev = pp;
	} else if (w->casc_tail == &t->next) {
		w->casc_tail = pp;
	} else {
		struct ptcp_timer_slot *sl = &w->slots[t->level][t->slot];

		/* a due timer is no slot's tail any more */
		if (sl->tail == &t->next) {
			sl->tail = pp;
			if (pp == &sl->head)
				w->occupied[t->level] &=
					~(UINT64_C(1) << t->slot);
		}
	}
	t->next = NULL;
	t->pprev = NULL;
	w->count--;
}

int
ptcp_timer_arm_at(struct ptcp_timer_wheel *w, struct ptcp_timer *t,
		uint8_t kind, uint32_t tick)
{
	if (kind >= PTCP_TIMER_KINDS)
		return -EINVAL;
	if (t->pprev != NULL)
		unlink_timer(w, t);
	/* now or past: next tick, never the one being processed */
	if ((int32_t)(tick - w->now) <= 0)
		tick = w->now + 1;
	t->expire = tick;
	t->kind = kind;
	/* a bounded cascade is unfinished: queue behind it (keeps FIFO) */
	if (unlikely(w->in_tick != 0))
		casc_append(w, t);
	else
		enqueue(w, t);
	w->count++;
	return 0;
}

int
ptcp_timer_arm(struct ptcp_timer_wheel *w, struct ptcp_timer *t,
		uint8_t kind, uint32_t ticks)
{
	if (ticks > PTCP_TIMER_MAX_TICKS)
		return -ERANGE;
	return ptcp_timer_arm_at(w, t, kind, w->now + ticks);
}

void
ptcp_timer_cancel(struct ptcp_timer_wheel *w, struct ptcp_timer *t)
{
	if (t->pprev != NULL)
		unlink_timer(w, t);
}

/*
 * Ticks from now to the next event: the first tick at which an occupied
 * slot is reached (a level-0 slot fires, a higher one cascades). The
 * lowest occupied level has it (see the file comment). false: empty.
 */
static inline bool
next_event(const struct ptcp_timer_wheel *w, uint32_t *dist)
{
	unsigned int lvl;

	for (lvl = 0; lvl < PTCP_TIMER_LEVELS; lvl++) {
		uint64_t m = w->occupied[lvl];
		unsigned int shift = lvl * PTCP_TIMER_LEVEL_BITS;
		unsigned int d, s;
		uint64_t after, base;

		if (m == 0)
			continue;
		d = (w->now >> shift) & SLOT_MASK;
		/* slots after now's digit; d == 63 gives an empty mask */
		after = m & ~((UINT64_C(2) << d) - 1);
		/*
		 * Only the top level can have slots before now's digit:
		 * those come after the tick counter wraps, and the 32-bit
		 * truncation of base + (s << shift) below places them there.
		 */
		RTE_ASSERT(after != 0 || lvl == PTCP_TIMER_LEVELS - 1);
		s = (unsigned int)__builtin_ctzll(after != 0 ? after : m);
		base = ((uint64_t)w->now >> (shift + PTCP_TIMER_LEVEL_BITS)) <<
			(shift + PTCP_TIMER_LEVEL_BITS);
		*dist = (uint32_t)(base + ((uint64_t)s << shift)) - w->now;
		return true;
	}
	return false;
}

/*
 * The clock has just reached w->now: splice every slot whose first tick
 * this is onto the cascade list, top level first. Each splice is O(1);
 * run_tick() then moves the timers down.
 */
static void
start_tick(struct ptcp_timer_wheel *w)
{
	uint32_t now = w->now;
	unsigned int lvl, s;

	w->in_tick = 1;
	if ((now & SLOT_MASK) != 0)
		return;
	for (lvl = PTCP_TIMER_LEVELS - 1; lvl >= 1; lvl--) {
		struct ptcp_timer_slot *sl;

		if ((now & ((UINT32_C(1) << (lvl * PTCP_TIMER_LEVEL_BITS)) -
				1)) != 0)
			continue;
		s = (now >> (lvl * PTCP_TIMER_LEVEL_BITS)) & SLOT_MASK;
		if ((w->occupied[lvl] & (UINT64_C(1) << s)) == 0)
			continue;
		sl = &w->slots[lvl][s];
		w->occupied[lvl] &= ~(UINT64_C(1) << s);
		*w->casc_tail = sl->head;
		sl->head->pprev = w->casc_tail;
		w->casc_tail = sl->tail;
		sl->head = NULL;
		sl->tail = &sl->head;
	}
}

/*
 * Move the cascade list down (at most *moves timers), then move the
 * tick's timers to the due list. false: the bound was hit first; the tick
 * stays in progress and timers armed meanwhile queue behind the list.
 */
static bool
run_tick(struct ptcp_timer_wheel *w, uint32_t *moves)
{
	struct ptcp_timer_slot *sl;
	struct ptcp_timer *t;
	unsigned int s;

	while ((t = w->casc) != NULL) {
		struct ptcp_timer *n = t->next;

		if (*moves == 0)
			return false;
		(*moves)--;
		w->casc = n;
		if (n != NULL)
			n->pprev = &w->casc;
		else
			w->casc_tail = &w->casc;
		enqueue(w, t);
	}
	w->in_tick = 0;
	s = w->now & SLOT_MASK;
	if ((w->occupied[0] & (UINT64_C(1) << s)) == 0)
		return true;
	/* the due list is empty here: splice the whole slot onto it */
	sl = &w->slots[0][s];
	w->due = sl->head;
	sl->head->pprev = &w->due;
	sl->head = NULL;
	sl->tail = &sl->head;
	w->occupied[0] &= ~(UINT64_C(1) << s);
	return true;
}

static inline void
fire_one(struct ptcp_timer_wheel *w)
{
	struct ptcp_timer *t = w->due;
	struct ptcp_timer *n = t->next;
	const struct ptcp_timer_handler *h;

	w->due = n;
	if (n != NULL)
		n->pprev = &w->due;
	t->next = NULL;
	t->pprev = NULL;
	w->count--;
	h = &w->handlers[t->kind];
	if (h->fn != NULL)
		h->fn(w, t, h->arg);
}

unsigned int
ptcp_timer_wheel_advance(struct ptcp_timer_wheel *w, uint32_t tick)
{
	uint32_t budget = w->max_fire ? w->max_fire : UINT32_MAX;
	uint32_t moves = w->max_cascade ? w->max_cascade : UINT32_MAX;
	unsigned int fired = 0;

	for (;;) {
		uint32_t dist;
		int32_t left;

		while (w->due != NULL) {
			if (fired >= budget)
				return fired;
			fire_one(w);
			fired++;
		}
		if (fired >= budget)
			return fired;
		if (unlikely(w->in_tick != 0)) {
			/* finish the tick a bound interrupted */
			if (!run_tick(w, &moves))
				return fired;
			continue;
		}
		left = (int32_t)(tick - w->now);
		if (left <= 0)
			return fired;
		if (!next_event(w, &dist) || dist > (uint32_t)left) {
			/* nothing happens up to tick: jump there */
			w->now = tick;
			return fired;
		}
		w->now += dist;
		start_tick(w);
		if (!run_tick(w, &moves))
			return fired;
	}
}

/* TSC at which tick tsc_k + 1 starts: base + ceil((tsc_k + 1) * cycles) */
static inline uint64_t
tsc_next(const struct ptcp_timer_wheel *w)
{
	uint64_t sum = (uint64_t)w->tsc_num + w->cyc_r;

	return w->base_tsc + w->tsc_whole + w->cyc_q + sum / NSEC_PER_SEC +
		(sum % NSEC_PER_SEC != 0);
}

/* Step the TSC clock by one tick (exact: carries the fraction). */
static inline void
tsc_step(struct ptcp_timer_wheel *w)
{
	w->tsc_k++;
	w->tsc_whole += w->cyc_q;
	w->tsc_num += w->cyc_r;
	if (w->tsc_num >= NSEC_PER_SEC) {
		w->tsc_num -= NSEC_PER_SEC;
		w->tsc_whole++;
	}
}

/* The TSC has passed next_tsc: find the tick it is in. */
static void
tsc_update(struct ptcp_timer_wheel *w, uint64_t now_tsc)
{
	unsigned int i;

	for (i = 0; i < STEP_TICKS; i++) {
		tsc_step(w);
		/* start of tick k + 1: base + ceil((k + 1) * cycles/tick) */
		w->next_tsc = tsc_next(w);
		if ((int64_t)(now_tsc - w->next_tsc) < 0)
			goto done;
	}
	{
		/* a long stall: divide once */
		unsigned __int128 p = (unsigned __int128)w->tsc_hz * w->tick_ns;
		unsigned __int128 c;
		uint64_t k;

		k = (uint64_t)((unsigned __int128)(now_tsc - w->base_tsc) *
			NSEC_PER_SEC / p);
		c = (unsigned __int128)k * p;
		w->tsc_k = k;
		w->tsc_whole = (uint64_t)(c / NSEC_PER_SEC);
		w->tsc_num = (uint32_t)(c % NSEC_PER_SEC);
		w->next_tsc = tsc_next(w);
	}
done:
	w->tsc_tick = w->base_tick + (uint32_t)w->tsc_k;
}

int
ptcp_timer_wheel_advance_tsc(struct ptcp_timer_wheel *w, uint64_t now_tsc)
{
	if (w->tsc_hz == 0)
		return -ENOTSUP;
	if ((int64_t)(now_tsc - w->next_tsc) >= 0)
		tsc_update(w, now_tsc);
	return (int)ptcp_timer_wheel_advance(w, w->tsc_tick);
}

int
ptcp_timer_wheel_next_expiry(const struct ptcp_timer_wheel *w,
		uint32_t *tick)
{
	const struct ptcp_timer *t;
	uint32_t dist, best;
	unsigned int lvl;

	if (w->due != NULL || w->in_tick != 0) {
		*tick = w->now;
		return 0;
	}
	if (!next_event(w, &dist))
		return -ENOENT;
	/* the lowest occupied level's first slot holds the earliest timer */
	for (lvl = 0; w->occupied[lvl] == 0; lvl++)
		;
	if (lvl == 0) {
		*tick = w->now + dist;
		return 0;
	}
	t = w->slots[lvl][((w->now + dist) >> (lvl * PTCP_TIMER_LEVEL_BITS)) &
		SLOT_MASK].head;
	best = t->expire;
	for (t = t->next; t != NULL; t = t->next)
		if (PTCP_TIMER_BEFORE(t->expire, best))
			best = t->expire;
	*tick = best;
	return 0;
}
