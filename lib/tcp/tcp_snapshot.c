/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What observers read: a worker's state counts, TIME-WAIT peak and
 * transitions (ptcp_tcp_state_counts() ...), and, from other threads
 * (telemetry), the list of observable engines and connection snapshots
 * that a worker fills at the end of its loop pass (tcp_snap_serve()).
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "tcp_priv.h"

void
ptcp_tcp_state_counts(const struct ptcp_lcore *lc,
		uint64_t counts[PTCP_TCPS_MAX])
{
	const struct tcp_lcore *tl = tcp_lc(lc);
	unsigned int i;

	for (i = 0; i < PTCP_TCPS_MAX; i++)
		counts[i] = tl->state_count[i];
	/* A TCB is counted CLOSED only until the end of its pass. */
	counts[PTCP_TCPS_TIME_WAIT] += tl->nb_tw;
	counts[PTCP_TCPS_LISTEN] = 0;
	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		counts[PTCP_TCPS_LISTEN] += tl->listeners[i].port != 0;
}

uint32_t
ptcp_tcp_tw_peak(const struct ptcp_lcore *lc)
{
	return tcp_lc(lc)->nb_tw_peak;
}

uint32_t
ptcp_tcp_timers_armed(const struct ptcp_lcore *lc)
{
	return ptcp_timer_wheel_count(&tcp_lc(lc)->wheel);
}

uint32_t
ptcp_tcp_recov_in_use(const struct ptcp_lcore *lc)
{
	return tcp_lc(lc)->nb_recov;
}

void
ptcp_tcp_transitions(const struct ptcp_lcore *lc,
		uint64_t trans[PTCP_TCPS_MAX][PTCP_TCPS_MAX])
{
	memcpy(trans, tcp_lc(lc)->trans, sizeof(tcp_lc(lc)->trans));
}


/* ------------------------------------------------------------------ */
/* Observers on other threads                                          */
/* ------------------------------------------------------------------ */

/*
 * The engines TCP is attached to, for observers (telemetry) that may ask
 * about one while it is torn down: detach takes it out of the list under
 * the lock an observer holds, so it waits for the observer and the
 * observer sees it gone afterwards. Few engines live in one process (two
 * in the pair tests); one that finds no slot is simply not observable.
 */
#define TCP_OBSERVABLE_MAX 16
static pthread_mutex_t observe_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct ptcp_engine *observable[TCP_OBSERVABLE_MAX];

void
tcp_observable_set(const struct ptcp_engine *e, bool on)
{
	unsigned int i;

	pthread_mutex_lock(&observe_lock);
	for (i = 0; i < TCP_OBSERVABLE_MAX; i++) {
		if (on && observable[i] == NULL) {
			observable[i] = e;
			break;
		}
		if (!on && observable[i] == e)
			observable[i] = NULL;
	}
	pthread_mutex_unlock(&observe_lock);
}

int
ptcp_tcp_observe_begin(const struct ptcp_engine *e)
{
	unsigned int i;

	pthread_mutex_lock(&observe_lock);
	for (i = 0; i < TCP_OBSERVABLE_MAX; i++)
		if (e != NULL && observable[i] == e)
			return 0;
	pthread_mutex_unlock(&observe_lock);
	return -ENODEV;
}

void
ptcp_tcp_observe_end(void)
{
	pthread_mutex_unlock(&observe_lock);
}

static void
conn_info(const struct ptcp_conn *tp, struct ptcp_conn_info *ci)
{
	uint32_t in = 0, out = 0;

	ci->laddr = tp->key.laddr;
	ci->raddr = tp->key.raddr;
	ci->lport = rte_be_to_cpu_16(tp->key.lport);
	ci->rport = rte_be_to_cpu_16(tp->key.rport);
	ci->state = tp->state;
	ci->timers = 0;
	if (ptcp_timer_pending(&tp->t_rexmt))
		ci->timers |= (tp->flags & TF_PERSIST) ?
			PTCP_CONN_TIMER_PERSIST : PTCP_CONN_TIMER_REXMT;
	if (ptcp_timer_pending(&tp->t_keep))
		ci->timers |= (tp->flags & TF_DELACK) ?
			PTCP_CONN_TIMER_DELACK : PTCP_CONN_TIMER_KEEP;
	ci->pad = 0;
	ci->age_ms = (uint32_t)tp->lc->now_ms - tp->state_ms;
	ci->srtt_ms = tp->srtt_ms8 >> 3;
	ci->cwnd = tp->cc.cwnd;
	/* The SYNs and FINs take sequence numbers but are no data. */
	if (tp->state >= PTCP_TCPS_SYN_RECEIVED) {
		in = tp->rcv_nxt - tp->irs - 1;
		if (PTCP_TCPS_HAVE_RCVD_FIN(tp->state))
			in--;
	}
	if (PTCP_TCPS_HAVE_ESTABLISHED(tp->state)) {
		out = tp->snd_una - tp->iss - 1;
		if ((tp->flags & TF_FIN_QUEUED) &&
				SEQ_GT(tp->snd_una, tp->fin_seq))
			out--;
	}
	ci->bytes_in = in;
	ci->bytes_out = out;
}

/*
 * The worker's side of ptcp_tcp_snapshot(), at the end of a loop pass
 * (the dead TCBs are freed: the list holds exactly the connections).
 */
void __rte_cold
tcp_snap_serve(struct tcp_lcore *tl)
{
	uint32_t expected = TCP_SNAP_ASKED;
	struct ptcp_tcp_snapshot *s;
	const struct ptcp_conn *tp;
	uint32_t n = 0;

	/* The asker may have given up in the meantime. */
	if (!__atomic_compare_exchange_n(&tl->snap_state, &expected,
			TCP_SNAP_BUSY, false, __ATOMIC_ACQUIRE,
			__ATOMIC_RELAXED))
		return;
	s = tl->snap;
	s->total = tcp_nb_conns(tl);
	s->time_wait = tl->nb_tw;
	TAILQ_FOREACH(tp, &tl->conns, link) {
		if (n == s->max)
			break;
		conn_info(tp, &s->conns[n++]);
	}
	s->n = n;
	__atomic_store_n(&tl->snap_state, TCP_SNAP_DONE, __ATOMIC_RELEASE);
}

/* How long a worker that claimed a request may take to fill it. */
#define SNAP_FILL_GRACE_MS 1000

struct ptcp_tcp_snapshot *
ptcp_tcp_snapshot(struct ptcp_engine *e, unsigned int idx, unsigned int max,
		unsigned int timeout_ms)
{
	uint64_t hz = rte_get_tsc_hz(), end;
	struct ptcp_tcp_snapshot *s;
	struct tcp_lcore *tl;
	bool grace = false;
	uint32_t st;

	if (idx >= e->nb_lcores || e->lcores[idx] == NULL ||
			(tl = tcp_lc(e->lcores[idx])) == NULL) {
		rte_errno = ENODEV;
		return NULL;
	}
	st = __atomic_load_n(&tl->snap_state, __ATOMIC_ACQUIRE);
	if (st == TCP_SNAP_DONE) {
		/* A request that timed out while being filled: the worker
		 * is done with its buffer now. */
		free(tl->snap);
		tl->snap = NULL;
		__atomic_store_n(&tl->snap_state, TCP_SNAP_IDLE,
			__ATOMIC_RELAXED);
	} else if (st != TCP_SNAP_IDLE) {
		rte_errno = EBUSY;
		return NULL;
	}
	s = calloc(1, sizeof(*s) + (size_t)max * sizeof(s->conns[0]));
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->max = max;
	tl->snap = s;
	__atomic_store_n(&tl->snap_state, TCP_SNAP_ASKED, __ATOMIC_RELEASE);
	end = rte_get_tsc_cycles() + timeout_ms * hz / 1000;
	while ((st = __atomic_load_n(&tl->snap_state, __ATOMIC_ACQUIRE)) !=
			TCP_SNAP_DONE) {
		if (rte_get_tsc_cycles() < end) {
			rte_delay_us_sleep(20);
			continue;
		}
		st = TCP_SNAP_ASKED;
		if (__atomic_compare_exchange_n(&tl->snap_state, &st,
				TCP_SNAP_IDLE, false, __ATOMIC_ACQUIRE,
				__ATOMIC_ACQUIRE)) {
			/* Withdrawn before the worker saw it. */
			tl->snap = NULL;
			free(s);
			rte_errno = ETIMEDOUT;
			return NULL;
		}
		if (st == TCP_SNAP_BUSY && !grace) {
			/* Claimed just now: filling takes microseconds. */
			grace = true;
			end = rte_get_tsc_cycles() + SNAP_FILL_GRACE_MS * hz /
				1000;
			continue;
		}
		if (st != TCP_SNAP_DONE) {
			/* Still writing to it: the buffer is left to the
			 * worker, and freed by the next request. */
			rte_errno = ETIMEDOUT;
			return NULL;
		}
	}
	tl->snap = NULL;
	__atomic_store_n(&tl->snap_state, TCP_SNAP_IDLE, __ATOMIC_RELEASE);
	return s;
}
