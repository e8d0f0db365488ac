/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers, all on the lcore's wheel (lib/timer):
 *   PTCP_TT_REXMT  SYN / SYN-ACK / data / FIN retransmission with
 *                  exponential backoff and a bounded number of tries;
 *                  zero-window probes (persist)
 *   PTCP_TT_KEEP   keepalive (ESTABLISHED), the FIN-WAIT-2 limit of a
 *                  closed connection, the CLOSE-WAIT age report, the idle
 *                  timeout (every state from ESTABLISHED on), and the
 *                  delayed ACK: while TF_DELACK is set the timer runs for
 *                  it. It runs for the earliest of them; each use checks
 *                  its own deadline when it fires, so firing early costs
 *                  a re-arm, and nothing else
 *   PTCP_TT_2MSL   end of a TIME-WAIT entry
 */
#include <inttypes.h>

#include <rte_common.h>

#include "tcp_priv.h"

void
tcp_rexmt_arm(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);

	ptcp_timer_arm(&tl->wheel, &tp->t_rexmt, PTCP_TT_REXMT,
		tcp_ms_to_ticks(tl, tcp_rexmt_ms(tp)));
}

void
tcp_rexmt_stop(struct ptcp_conn *tp)
{
	ptcp_timer_cancel(&tcp_lc(tp->lc)->wheel, &tp->t_rexmt);
	tp->flags &= ~TF_PERSIST;
}

/*
 * The idle timeout (ptcp_listen_opts.idle_timeout_s): ms until it ends
 * @tp (0: now), or UINT64_MAX if it has none, or none yet (before
 * ESTABLISHED the handshake's retransmissions bound a connection).
 * "Idle" is the time since the last segment received (idle_ms, which the
 * input path keeps for keepalive anyway): nothing at all from the peer,
 * not even an answer to a keepalive probe.
 */
static uint64_t
idle_left_ms(const struct ptcp_conn *tp, uint32_t now)
{
	uint32_t idle, limit;

	if (tp->idle_to_s == 0 || !PTCP_TCPS_HAVE_ESTABLISHED(tp->state))
		return UINT64_MAX;
	idle = now - tp->idle_ms;
	limit = (uint32_t)tp->idle_to_s * 1000;
	return idle >= limit ? 0 : limit - idle;
}

/*
 * Arm KEEP to fire in @ms (UINT64_MAX: the state has no deadline of its
 * own), or sooner if the idle timeout is due first; with neither, stop
 * it. An expiry already pending no later than that is kept: each use
 * checks its own deadline when it fires, so a state change that comes
 * with a later deadline costs no re-arm.
 */
static void
keep_arm_ms(struct ptcp_conn *tp, uint64_t ms)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	uint32_t ticks;

	ms = RTE_MIN(ms, idle_left_ms(tp, (uint32_t)tl->lc->now_ms));
	if (ms == UINT64_MAX) {
		ptcp_timer_cancel(&tl->wheel, &tp->t_keep);
		return;
	}
	ticks = tcp_ms_to_ticks(tl, ms);
	if (ptcp_timer_pending(&tp->t_keep) &&
			(int32_t)(ptcp_timer_expires(&tp->t_keep) -
			(uint32_t)(ptcp_timer_wheel_now(&tl->wheel) + ticks)) <= 0)
		return;
	ptcp_timer_arm(&tl->wheel, &tp->t_keep, PTCP_TT_KEEP, ticks);
}

/*
 * An ACK is owed (TF_DELACK) and no segment took it along during the
 * input that made it due: it goes with the next segment we send, or when
 * [tcp] delack_ms runs out. (Arming only now saves a timer for the usual
 * case of an app that answers from its data callback.)
 */
void
tcp_delack_arm(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	uint32_t ticks = tcp_ms_to_ticks(tl, tl->cfg->delack_ms);

	/* Only ever earlier than what the timer waits for already. */
	if (ptcp_timer_pending(&tp->t_keep) &&
			(int32_t)(ptcp_timer_expires(&tp->t_keep) -
			(uint32_t)(ptcp_timer_wheel_now(&tl->wheel) + ticks)) <= 0)
		return;
	ptcp_timer_arm(&tl->wheel, &tp->t_keep, PTCP_TT_KEEP, ticks);
}

/*
 * Does keepalive run for @tp in its state? As Linux: where nothing of ours
 * is in flight but the connection is still open to the peer's data:
 * ESTABLISHED, CLOSE-WAIT (the peer closed; we may still send) and
 * FIN-WAIT-2 while the app holds the socket (our FIN was acknowledged;
 * the peer may still send). An orphan in FIN-WAIT-2 has fin_wait2_ms
 * instead; FIN-WAIT-1, CLOSING and LAST-ACK have a FIN in flight, whose
 * retransmissions bound them.
 */
static inline bool
keepalive_runs(const struct ptcp_conn *tp)
{
	if (!(tp->flags & TF_KEEPALIVE))
		return false;
	return tp->state == PTCP_TCPS_ESTABLISHED ||
		tp->state == PTCP_TCPS_CLOSE_WAIT ||
		(tp->state == PTCP_TCPS_FIN_WAIT_2 &&
		 !(tp->flags & TF_ORPHAN));
}

/* Arm (or stop) the KEEP timer for what the new state needs. */
void
tcp_keep_arm_for_state(struct ptcp_conn *tp)
{
	const struct ptcp_tcp_config *cfg = tcp_lc(tp->lc)->cfg;
	uint64_t ms = UINT64_MAX;           /* the idle timeout, if any */

	/* A delayed ACK is due first; its expiry comes back here. */
	if (tp->flags & TF_DELACK) {
		if (!ptcp_timer_pending(&tp->t_keep))
			keep_arm_ms(tp, cfg->delack_ms);
		return;
	}
	if (keepalive_runs(tp))
		ms = (uint64_t)tp->keep_idle_s * 1000;
	if (tp->state == PTCP_TCPS_CLOSE_WAIT && cfg->close_wait_warn_s != 0)
		ms = RTE_MIN(ms, (uint64_t)cfg->close_wait_warn_s * 1000);
	if (tp->state == PTCP_TCPS_FIN_WAIT_2 && (tp->flags & TF_ORPHAN))
		ms = RTE_MIN(ms, (uint64_t)cfg->fin_wait2_ms);
	keep_arm_ms(tp, ms);
}

static void
rexmt_expired(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct ptcp_conn *tp = container_of(t, struct ptcp_conn, t_rexmt);
	struct tcp_lcore *tl = arg;
	const struct ptcp_tcp_config *cfg = tl->cfg;
	struct ptcp_stats *st = &tl->lc->stats;
	uint32_t limit;

	RTE_SET_USED(w);
	if (tp->flags & TF_PERSIST) {
		/*
		 * Zero window: probe, backing off. RFC 1122 §4.2.2.17: as
		 * long as the peer answers the probes, the connection stays
		 * open; data_retries probes in a row unanswered end it (the
		 * peer's ACKs reset the count, as Linux's icsk_probes_out).
		 * Once orphaned, orphan_retries probes end it, answered or
		 * not (Linux's tcp_orphan_retries on the backoff).
		 */
		if ((tp->flags & TF_ORPHAN) ?
				tp->rexmt_shift >= cfg->orphan_retries :
				persist_probes(tp) >= cfg->data_retries)
			goto timeout;
		PTCP_STAT_INC(st, tcp_zero_window_probe);
		if (tp->rexmt_shift < 30)
			tp->rexmt_shift++;
		if (persist_probes(tp) < UINT8_MAX)
			persist_probes(tp)++;
		tcp_send_probe(tp);
		tcp_rexmt_arm(tp);
		return;
	}
	switch (tp->state) {
	case PTCP_TCPS_SYN_SENT:
		if (tp->rexmt_shift >= cfg->syn_retries)
			goto timeout;
		tp->rexmt_shift++;
		PTCP_STAT_INC(st, tcp_syn_rexmt);
		tcp_send_syn(tp);
		return;
	case PTCP_TCPS_SYN_RECEIVED:
		if (tp->rexmt_shift >= cfg->synack_retries)
			goto timeout;
		tp->rexmt_shift++;
		PTCP_STAT_INC(st, tcp_synack_rexmt);
		tcp_send_syn(tp);
		return;
	default:
		break;
	}
	limit = (tp->flags & TF_ORPHAN) ? cfg->orphan_retries : cfg->data_retries;
	if (tp->rexmt_shift >= limit)
		goto timeout;
	tp->rexmt_shift++;
	PTCP_STAT_INC(st, tcp_rto);
	tcp_loss_rto(tp);
	/* Go back to the oldest unacknowledged byte (or the FIN). */
	tp->snd_nxt = tp->snd_una;
	tp->rtt_start_ms = 0;                 /* Karn: no sample from these */
	tcp_output(tp);
	if (!ptcp_timer_pending(&tp->t_rexmt) && tp->snd_una != tp->snd_max)
		tcp_rexmt_arm(tp);
	return;
timeout:
	PTCP_STAT_INC(st, tcp_timeout_drop);
	if (PTCP_TCPS_HAVE_ESTABLISHED(tp->state) ||
			tp->state == PTCP_TCPS_SYN_RECEIVED)
		tcp_send_rst(tp, PTCP_STAT_tcp_rst_tx_timeout);
	tcp_conn_drop(tp, PTCP_CLOSE_TIMEOUT);
}

/*
 * CLOSE-WAIT connections older than [tcp] close_wait_warn_s: each is
 * counted once (tcp_close_wait_old); one line a minute per lcore says
 * how many there were since the last line and how many wait now.
 */
static void __rte_cold
close_wait_warn(struct tcp_lcore *tl, uint32_t age_ms)
{
	uint64_t n = PTCP_STAT_GET(&tl->lc->stats, tcp_close_wait_old);

	TCP_LOG(NOTICE, "worker %u (lcore %u): %" PRIu64 " connection(s) "
		"passed %u s in CLOSE-WAIT since the last report (one for %u "
		"s; %u in CLOSE-WAIT now, tcp_close_wait_old %" PRIu64 "): "
		"does the application close what its peers closed?\n",
		tl->lc->idx, tl->lc->lcore_id, n - tl->cw_warn_count,
		tl->cfg->close_wait_warn_s, age_ms / 1000,
		tl->state_count[PTCP_TCPS_CLOSE_WAIT], n);
	tl->cw_warn_count = n;
	tl->cw_warn_next_ms = tl->lc->now_ms + TCP_WARN_PERIOD_MS;
}

/*
 * Keepalive (keepalive_runs()): probe n + 1 is due keep_idle_s + n x
 * keep_intvl_s after the last segment received (any segment resets n),
 * and the reset keep_cnt intervals after the first probe. Computed from
 * idle_ms each time, so an expiry that comes early for another use of
 * the timer sends nothing. Lowers *@next to the ms until the next probe;
 * @return false if the connection ended.
 */
static bool
keepalive_expired(struct tcp_lcore *tl, struct ptcp_conn *tp, uint32_t now,
		uint64_t *next)
{
	struct ptcp_stats *st = &tl->lc->stats;
	uint64_t idle = now - tp->idle_ms;
	uint64_t due = ((uint64_t)tp->keep_idle_s +
		(uint64_t)keep_probes(tp) * tp->keep_intvl_s) * 1000;

	if (idle < due) {
		*next = RTE_MIN(*next, due - idle);
		return true;
	}
	if (keep_probes(tp) >= tp->keep_cnt) {
		PTCP_STAT_INC(st, tcp_keepalive_drop);
		tcp_send_rst(tp, PTCP_STAT_tcp_rst_tx_timeout);
		tcp_conn_drop(tp, PTCP_CLOSE_TIMEOUT);
		return false;
	}
	keep_probes(tp)++;
	PTCP_STAT_INC(st, tcp_keepalive_probe);
	tcp_send_probe(tp);
	/* The next one intvl_s after this one was due (at once if the
	 * timer came later than that). */
	due += (uint64_t)tp->keep_intvl_s * 1000;
	*next = RTE_MIN(*next, due > idle ? due - idle : 0);
	return true;
}

static void
keep_expired(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct ptcp_conn *tp = container_of(t, struct ptcp_conn, t_keep);
	struct tcp_lcore *tl = arg;
	const struct ptcp_tcp_config *cfg = tl->cfg;
	struct ptcp_stats *st = &tl->lc->stats;
	uint64_t next = UINT64_MAX;        /* the next use's deadline, ms */
	uint32_t now;

	RTE_SET_USED(w);
	if (tp->flags & TF_DELACK) {
		PTCP_STAT_INC(st, tcp_delack);
		tp->flags |= TF_ACKNOW;
		tcp_output(tp);                  /* clears TF_DELACK */
		tp->flags &= ~TF_DELACK;
		tcp_keep_arm_for_state(tp);
		return;
	}
	now = (uint32_t)tl->lc->now_ms;
	if (idle_left_ms(tp, now) == 0) {
		/* Nothing from the peer for idle_to_s: it is gone (or holds
		 * the connection for nothing). Whatever state it is in. */
		PTCP_STAT_INC(st, tcp_idle_drop);
		tcp_send_rst(tp, PTCP_STAT_tcp_rst_tx_timeout);
		tcp_conn_drop(tp, PTCP_CLOSE_TIMEOUT);
		return;
	}
	switch (tp->state) {
	case PTCP_TCPS_FIN_WAIT_2:
		if (!(tp->flags & TF_ORPHAN))
			break;
		if (now - tp->state_ms < cfg->fin_wait2_ms) {
			/* Early (a delayed ACK used the timer): wait on. */
			keep_arm_ms(tp, cfg->fin_wait2_ms - (now - tp->state_ms));
			return;
		}
		/* Closed by the app, and the peer never sends its FIN. */
		PTCP_STAT_INC(st, tcp_fin_wait_2_timeout);
		tcp_conn_drop(tp, PTCP_CLOSE_TIMEOUT);
		return;
	case PTCP_TCPS_CLOSE_WAIT:
		if (cfg->close_wait_warn_s == 0)
			break;
		if (now - tp->state_ms < cfg->close_wait_warn_s * 1000u) {
			/* Not yet (keepalive below may want it sooner). */
			next = cfg->close_wait_warn_s * 1000u -
				(now - tp->state_ms);
			break;
		}
		/* The peer closed long ago and the app has not: counted once
		 * (the deadline is behind us from now on). */
		if (!(tp->flags & TF_CW_REPORTED)) {
			tp->flags |= TF_CW_REPORTED;
			PTCP_STAT_INC(st, tcp_close_wait_old);
			if (tl->lc->now_ms >= tl->cw_warn_next_ms)
				close_wait_warn(tl, now - tp->state_ms);
		}
		break;
	default:
		break;
	}
	if (keepalive_runs(tp) && !keepalive_expired(tl, tp, now, &next))
		return;
	keep_arm_ms(tp, next);             /* or the idle timeout, if sooner */
}

static void
tw_expired(struct ptcp_timer_wheel *w, struct ptcp_timer *t, void *arg)
{
	struct tcp_tw *tw = container_of(t, struct tcp_tw, timer);
	struct tcp_lcore *tl = arg;

	RTE_SET_USED(w);
	PTCP_STAT_INC(&tl->lc->stats, tcp_tw_expired);
	tcp_tw_free(tl, tw);
}

void
tcp_timers_register(struct tcp_lcore *tl)
{
	ptcp_timer_wheel_set_handler(&tl->wheel, PTCP_TT_REXMT, rexmt_expired, tl);
	ptcp_timer_wheel_set_handler(&tl->wheel, PTCP_TT_KEEP, keep_expired, tl);
	ptcp_timer_wheel_set_handler(&tl->wheel, PTCP_TT_2MSL, tw_expired, tl);
}
