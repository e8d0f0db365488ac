/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TIMER_H
#define PTCP_TIMER_H

/**
 * @file
 * ptcp per-lcore timer wheel: a hierarchical hashed timing wheel
 * (Varghese & Lauck) with 6 levels of 64 slots over a 32-bit tick counter.
 *
 * - O(1) arm, cancel and re-arm; expiry visits only due slots and cascades
 *   higher levels down as the clock reaches them. Empty stretches of time
 *   are skipped with per-level occupancy bitmaps, so a long stall costs a
 *   few bit scans, not one step per tick.
 * - The timer node (struct ptcp_timer, 24 bytes) is embedded in its owner's
 *   struct; arming never allocates. The handler is chosen by a kind byte
 *   from a small per-wheel table; the handler gets the node back and finds
 *   its owner with container_of().
 * - Ticks are 32-bit and compared as serial numbers (like TCP sequence
 *   numbers): the counter wraps cleanly, and a timer may be armed at most
 *   #PTCP_TIMER_MAX_TICKS ticks ahead (24.8 days at the default 1 ms tick).
 * - Time is injected: the lcore loop calls ptcp_timer_wheel_advance_tsc()
 *   with the TSC it read once for the pass; tests call
 *   ptcp_timer_wheel_advance() with a tick of their choosing.
 * - Every function acts on one wheel owned by one lcore: no locks, no
 *   atomics, no allocation after ptcp_timer_wheel_init(), no logging.
 *
 * Guarantees: a timer fires at exactly the tick it expires (never early,
 * never on a later tick than the one being processed), ticks are processed
 * in order even when many were missed, and timers due on the same tick fire
 * in the order they were (last) armed (FIFO). Advancing by N ticks at once
 * behaves exactly as advancing N times by one tick.
 *
 * See docs/timer.md for the design and an example.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bits of tick per wheel level. */
#define PTCP_TIMER_LEVEL_BITS 6
/** Slots per wheel level (one uint64_t occupancy bitmap per level). */
#define PTCP_TIMER_SLOTS (1u << PTCP_TIMER_LEVEL_BITS)
/** Levels: 6 x 6 bits cover the whole 32-bit tick space. */
#define PTCP_TIMER_LEVELS 6
/** Number of timer kinds (handler table size); kinds are 0 .. KINDS-1. */
#define PTCP_TIMER_KINDS 16
/** Longest delay, in ticks, that a timer can be armed with (2^31 - 1). */
#define PTCP_TIMER_MAX_TICKS ((uint32_t)INT32_MAX)
/** Default tick length: 1 ms. */
#define PTCP_TIMER_DEFAULT_TICK_NS 1000000u

struct ptcp_timer_wheel;

/**
 * A timer, embedded in the struct that owns it. 24 bytes.
 *
 * All fields are private to the wheel except @c user, which the wheel never
 * reads or writes (only ptcp_timer_init() zeroes it). Initialise with ptcp_timer_init() (or zero it) before first use.
 */
struct ptcp_timer {
	struct ptcp_timer *next;    /**< next in slot list */
	struct ptcp_timer **pprev;  /**< link that points here; NULL: idle */
	uint32_t expire;            /**< tick it fires at */
	uint8_t kind;               /**< index into the handler table */
	uint8_t level;              /**< wheel level (kept on the due list) */
	uint8_t slot;               /**< slot within the level */
	uint8_t user;               /**< free for the owner (never read) */
};

/**
 * Timer handler, one per kind.
 *
 * Called from ptcp_timer_wheel_advance() (or _advance_tsc()) on the lcore
 * that owns the wheel, with @p t already idle: the handler may re-arm it,
 * arm or cancel any other timer (including ones due on the same tick, which
 * then do not fire), or free the owner. ptcp_timer_wheel_now() is the tick
 * being processed, which equals ptcp_timer_expires(t).
 *
 * @param w
 *   The wheel.
 * @param t
 *   The timer that expired; use container_of() to reach its owner.
 * @param arg
 *   The argument given to ptcp_timer_wheel_set_handler() for this kind.
 */
typedef void (*ptcp_timer_cb_t)(struct ptcp_timer_wheel *w,
		struct ptcp_timer *t, void *arg);

/** Wheel configuration. A zeroed struct (or NULL) means all defaults. */
struct ptcp_timer_wheel_conf {
	/** Tick length in ns; 0: #PTCP_TIMER_DEFAULT_TICK_NS (1 ms). */
	uint64_t tick_ns;
	/** TSC frequency; 0: rte_get_tsc_hz() (0 before rte_eal_init()). */
	uint64_t tsc_hz;
	/** TSC value that corresponds to @c start_tick; 0: rte_rdtsc(). */
	uint64_t start_tsc;
	/** Initial value of the tick counter (tests start near wrap). */
	uint32_t start_tick;
	/** Most timers fired per advance call; 0: no bound. The rest fire
	 *  on the next call, in order. */
	uint32_t max_fire;
	/** Most timers moved down by cascades per advance call; 0: no bound.
	 *  A cascade moves a whole slot at once: with 10M timers spread
	 *  over 2 h at 1 ms, a level-3 slot holds ~360K timers. A bound
	 *  spreads that over several calls (the wheel rests on the tick
	 *  until it is done) instead of stalling one loop pass. */
	uint32_t max_cascade;
};

/** One slot: a FIFO list. */
struct ptcp_timer_slot {
	struct ptcp_timer *head;   /**< first timer, or NULL */
	struct ptcp_timer **tail;  /**< last timer's next link, or &head */
};

/** Handler table entry. */
struct ptcp_timer_handler {
	ptcp_timer_cb_t fn;        /**< NULL: timers of this kind are dropped */
	void *arg;                 /**< passed to fn */
};

/**
 * A timer wheel. The caller owns the memory (it may be embedded in the
 * per-lcore struct); all fields are private. About 6.6 KiB. Slots point
 * into the struct itself: do not copy or move a wheel after init.
 */
struct ptcp_timer_wheel {
	uint32_t now;              /**< last tick processed */
	uint32_t count;            /**< pending timers (wheel + due list) */
	uint32_t max_fire;         /**< bound per advance call; 0: none */
	uint32_t tsc_tick;         /**< tick the TSC clock has reached */
	uint32_t max_cascade;      /**< bound on cascade moves; 0: none */
	uint32_t in_tick;          /**< tick @c now cut short by a bound */
	struct ptcp_timer *due;    /**< timers of tick @c now left to fire */
	struct ptcp_timer *casc;   /**< timers left to cascade on @c now */
	struct ptcp_timer **casc_tail; /**< last link of @c casc */
	uint64_t occupied[PTCP_TIMER_LEVELS]; /**< non-empty slot bitmaps */
	uint64_t tick_ns;          /**< tick length */
	uint64_t tsc_hz;           /**< TSC frequency; 0: hand-driven only */
	uint64_t base_tsc;         /**< TSC at tick @c base_tick */
	uint64_t next_tsc;         /**< TSC at which the next tick begins */
	uint64_t tsc_k;            /**< whole ticks from base_tsc to now */
	uint64_t tsc_whole;        /**< floor(tsc_k * cycles per tick) */
	uint64_t cyc_q;            /**< cycles per tick, whole part */
	uint32_t cyc_r;            /**< cycles per tick, fraction (/1e9) */
	uint32_t tsc_num;          /**< fraction of tsc_k * cycles (/1e9) */
	uint32_t base_tick;        /**< tick at base_tsc */
	uint32_t pad;              /**< 0 */
	struct ptcp_timer_handler handlers[PTCP_TIMER_KINDS]; /**< by kind */
	/** The timers, per level and slot. */
	struct ptcp_timer_slot slots[PTCP_TIMER_LEVELS][PTCP_TIMER_SLOTS];
};

/**
 * Initialise a wheel in caller-owned memory. Nothing to free afterwards.
 *
 * @param w
 *   The wheel to initialise.
 * @param conf
 *   Configuration, or NULL for defaults (1 ms tick, TSC rate from the EAL,
 *   tick counter starting at 0, no bound on work per call).
 * @return
 *   - 0 on success.
 *   - -EINVAL if @p w is NULL, or tick_ns or tsc_hz exceeds 10^12.
 */
int ptcp_timer_wheel_init(struct ptcp_timer_wheel *w,
		const struct ptcp_timer_wheel_conf *conf);

/**
 * Change the bounds on work per advance call (see struct
 * ptcp_timer_wheel_conf). Takes effect on the next call.
 *
 * @param w
 *   The wheel.
 * @param max_fire
 *   Most timers fired per call; 0: no bound.
 * @param max_cascade
 *   Most timers moved by cascades per call; 0: no bound.
 */
void ptcp_timer_wheel_set_bounds(struct ptcp_timer_wheel *w,
		uint32_t max_fire, uint32_t max_cascade);

/**
 * Set the handler of a timer kind.
 *
 * @param w
 *   The wheel.
 * @param kind
 *   Timer kind, below #PTCP_TIMER_KINDS.
 * @param fn
 *   Handler; NULL removes it (pending timers of that kind then expire
 *   silently).
 * @param arg
 *   Passed to @p fn.
 * @return
 *   - 0 on success.
 *   - -EINVAL if @p kind is out of range.
 */
int ptcp_timer_wheel_set_handler(struct ptcp_timer_wheel *w, uint8_t kind,
		ptcp_timer_cb_t fn, void *arg);

/**
 * Make a timer node idle. Equivalent to zeroing it (@c user included).
 * Never call it on a pending timer: cancel it first.
 *
 * @param t
 *   The timer.
 */
static inline void
ptcp_timer_init(struct ptcp_timer *t)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expire = 0;
	t->kind = 0;
	t->level = 0;
	t->slot = 0;
	t->user = 0;
}

/**
 * Is the timer armed (waiting in the wheel or due and not yet fired)?
 *
 * @param t
 *   The timer.
 * @return
 *   true if pending, false if idle.
 */
static inline bool
ptcp_timer_pending(const struct ptcp_timer *t)
{
	return t->pprev != NULL;
}

/**
 * Tick a pending timer fires at. Meaningless for an idle timer.
 *
 * @param t
 *   The timer.
 * @return
 *   The expiry tick.
 */
static inline uint32_t
ptcp_timer_expires(const struct ptcp_timer *t)
{
	return t->expire;
}

/**
 * Current tick of the wheel: the last tick processed (inside a handler,
 * the tick being processed).
 *
 * @param w
 *   The wheel.
 * @return
 *   The current tick.
 */
static inline uint32_t
ptcp_timer_wheel_now(const struct ptcp_timer_wheel *w)
{
	return w->now;
}

/**
 * Number of pending timers.
 *
 * @param w
 *   The wheel.
 * @return
 *   Timers armed and not yet fired or cancelled.
 */
static inline uint32_t
ptcp_timer_wheel_count(const struct ptcp_timer_wheel *w)
{
	return w->count;
}

/**
 * Is work left on the current tick (timers due and not yet fired, or a
 * cascade not finished) because the last advance call hit a bound?
 * Call advance again soon (do not sleep) while this is true.
 *
 * @param w
 *   The wheel.
 * @return
 *   true if the current tick is not fully processed.
 */
static inline bool
ptcp_timer_wheel_backlog(const struct ptcp_timer_wheel *w)
{
	return w->due != NULL || w->in_tick != 0;
}

/**
 * Serial-number comparison of two ticks: is @p a before @p b?
 * Valid when the two are less than 2^31 ticks apart.
 */
#define PTCP_TIMER_BEFORE(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)

/**
 * Convert milliseconds to ticks of this wheel, rounding up (a timeout never
 * fires early), saturating at #PTCP_TIMER_MAX_TICKS.
 *
 * @param w
 *   The wheel.
 * @param ms
 *   Duration in milliseconds.
 * @return
 *   Duration in ticks.
 */
static inline uint32_t
ptcp_timer_ms_to_ticks(const struct ptcp_timer_wheel *w, uint64_t ms)
{
	uint64_t ticks;

	if (ms > UINT64_MAX / 1000000u)
		return PTCP_TIMER_MAX_TICKS;
	ticks = (ms * 1000000u + w->tick_ns - 1) / w->tick_ns;
	return ticks > PTCP_TIMER_MAX_TICKS ? PTCP_TIMER_MAX_TICKS :
		(uint32_t)ticks;
}

/**
 * Arm (or re-arm) a timer to fire @p ticks ticks after the current tick.
 * A pending timer is moved (its previous expiry is forgotten). O(1).
 *
 * A delay of 0 fires on the next tick processed (never inside the current
 * call to a handler, so a handler re-arming itself with 0 cannot loop).
 *
 * @param w
 *   The wheel.
 * @param t
 *   The timer, idle or pending on @p w.
 * @param kind
 *   Handler kind, below #PTCP_TIMER_KINDS.
 * @param ticks
 *   Delay in ticks, at most #PTCP_TIMER_MAX_TICKS.
 * @return
 *   - 0 on success.
 *   - -EINVAL if @p kind is out of range (the timer is left as it was).
 *   - -ERANGE if @p ticks exceeds #PTCP_TIMER_MAX_TICKS (left as it was).
 */
int ptcp_timer_arm(struct ptcp_timer_wheel *w, struct ptcp_timer *t,
		uint8_t kind, uint32_t ticks);

/**
 * Arm (or re-arm) a timer to fire at an absolute tick. A tick at or before
 * the current one (in serial order) fires on the next tick processed, and
 * ptcp_timer_expires() then reports that tick. O(1).
 *
 * @param w
 *   The wheel.
 * @param t
 *   The timer, idle or pending on @p w.
 * @param kind
 *   Handler kind, below #PTCP_TIMER_KINDS.
 * @param tick
 *   Absolute expiry tick, less than 2^31 ticks after the current tick.
 * @return
 *   - 0 on success.
 *   - -EINVAL if @p kind is out of range (the timer is left as it was).
 */
int ptcp_timer_arm_at(struct ptcp_timer_wheel *w, struct ptcp_timer *t,
		uint8_t kind, uint32_t tick);

/**
 * Cancel a timer. Idle timers are left alone, so this is always safe on a
 * timer that was initialised. Works on a timer due on the tick being
 * processed (it then does not fire). O(1).
 *
 * @param w
 *   The wheel the timer is pending on.
 * @param t
 *   The timer.
 */
void ptcp_timer_cancel(struct ptcp_timer_wheel *w, struct ptcp_timer *t);

/**
 * Advance the wheel to tick @p tick, firing every timer due in between, in
 * order of expiry, then of arming. Ticks are processed in order as if the
 * wheel had been advanced one tick at a time; empty stretches are skipped
 * in a few steps. If a configured bound (max_fire, max_cascade) is reached,
 * the call returns early with the wheel's tick on the tick being processed
 * (ptcp_timer_wheel_backlog() tells whether work is left on it); the next
 * call resumes there. A @p tick at or before the current one (serially)
 * only fires what a bound left over.
 *
 * Not re-entrant: never call it (or _advance_tsc()) from a handler.
 *
 * @param w
 *   The wheel.
 * @param tick
 *   Target tick, less than 2^31 ticks after the current tick.
 * @return
 *   Number of timers fired (handlers called or dropped for lack of one).
 */
unsigned int ptcp_timer_wheel_advance(struct ptcp_timer_wheel *w,
		uint32_t tick);

/**
 * Advance the wheel to the tick that a TSC value falls in, then as
 * ptcp_timer_wheel_advance(). Call once per loop pass with the TSC read for
 * that pass. The TSC-to-tick conversion is exact (no rounding drift: the
 * tick at TSC c is floor((c - start_tsc) * 10^9 / (tsc_hz * tick_ns))),
 * and a call inside the current tick costs one comparison.
 *
 * @param w
 *   The wheel.
 * @param now_tsc
 *   TSC value for this pass (rte_rdtsc()).
 * @return
 *   - Number of timers fired (>= 0).
 *   - -ENOTSUP if the wheel has no TSC rate (conf.tsc_hz was 0 and the EAL
 *     did not know it at init): drive it with ptcp_timer_wheel_advance().
 */
int ptcp_timer_wheel_advance_tsc(struct ptcp_timer_wheel *w,
		uint64_t now_tsc);

/**
 * Earliest expiry among pending timers. O(1) when it is on level 0 or due;
 * while a bounded cascade is unfinished it reports the current tick (a
 * lower bound); otherwise walks one slot (use it to decide how long an idle loop may
 * sleep, not per packet).
 *
 * @param w
 *   The wheel.
 * @param tick
 *   Filled with the earliest expiry tick on success.
 * @return
 *   - 0 on success.
 *   - -ENOENT if no timer is pending.
 */
int ptcp_timer_wheel_next_expiry(const struct ptcp_timer_wheel *w,
		uint32_t *tick);

/**
 * @p tsc cycles of a @p hz clock in units of 1/@p per_s second (1000:
 * milliseconds, 1000000: microseconds), rounded down, exactly, for every
 * @p tsc: whole seconds and the remainder are converted apart. The plain
 * tsc * per_s / hz wraps once tsc passes 2^64 / per_s: after 71 days of
 * a 3 GHz TSC for milliseconds, after 1.7 hours for microseconds (and a
 * TSC counts from power-on). Needs hz * per_s < 2^64 (hz up to 10^12 with
 * microseconds).
 */
static inline uint64_t
ptcp_tsc_to(uint64_t tsc, uint64_t hz, uint64_t per_s)
{
	return tsc / hz * per_s + tsc % hz * per_s / hz;
}

#ifdef __cplusplus
}
#endif

#endif /* PTCP_TIMER_H */
