/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME-WAIT (RFC 9293 §3.10.7.4): the TCB is replaced by a one-cache-line
 * entry that the same flow lookup finds. It lasts 2*MSL, re-ACKs a
 * retransmitted FIN and restarts, ignores RSTs (RFC 1337), lets a new SYN
 * reopen the tuple when that is safe (RFC 6191 with timestamps, RFC 1122
 * §4.2.2.13 with a higher sequence number without), and is capped.
 */
#include <inttypes.h>

#include <rte_byteorder.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "tcp_priv.h"

void
tcp_tw_free(struct tcp_lcore *tl, struct tcp_tw *tw)
{
	/* A live entry always owns its tuple (see tcp_enter_timewait). */
	ptcp_timer_cancel(&tl->wheel, &tw->timer);
	tcp_flow_del(tl, &tw->key);
	tw->kind = 0;
	tl->nb_tw--;
	tl->trans[PTCP_TCPS_TIME_WAIT][PTCP_TCPS_CLOSED]++;
	rte_mempool_put(tl->tw_pool, tw);
}

static void
tw_arm(struct tcp_lcore *tl, struct tcp_tw *tw)
{
	ptcp_timer_arm(&tl->wheel, &tw->timer, PTCP_TT_2MSL,
		tcp_ms_to_ticks(tl, 2ull * tl->cfg->msl_ms));
}

/* The ACK a TIME-WAIT entry sends (for the FIN, or an unacceptable segment). */
static void
tw_send_ack(struct tcp_lcore *tl, const struct tcp_tw *tw)
{
	struct tcp_opts ts = { .present = 0 };
	uint8_t ws = (tw->flags & TWF_WS) ? tcp_our_wscale(tl) : 0;
	uint32_t wnd = RTE_MIN(tl->cfg->rcv_buf >> ws, (uint32_t)UINT16_MAX);

	if (tw->flags & TWF_TS) {
		ts.present = TOF_TS;
		ts.tsval = tcp_ts_now(tl);
		ts.tsecr = tw->ts_recent;
	}
	tcp_respond(tl, tw->ifidx, &tw->key, tw->snd_nxt, tw->rcv_nxt,
		RTE_TCP_ACK_FLAG, (uint16_t)wnd, &ts);
}

/*
 * The cap is reached in bursts (a wave of closes): one line a minute per
 * lcore says how many connections ended without TIME-WAIT meanwhile.
 * Not with max_tw = 0: no TIME-WAIT at all is then a choice.
 */
static void __rte_cold
tw_cap_warn(struct tcp_lcore *tl)
{
	uint64_t n = PTCP_STAT_GET(&tl->lc->stats, tcp_tw_cap);

	TCP_LOG(WARNING, "worker %u (lcore %u): TIME-WAIT cap reached: %u "
		"entries ([tcp] max_tw %u); %" PRIu64 " connection(s) ended "
		"without TIME-WAIT since the last report (tcp_tw_cap %" PRIu64
		"): raise max_tw, or check for a peer opening and closing "
		"connections faster than 2*MSL allows\n", tl->lc->idx,
		tl->lc->lcore_id, tl->nb_tw, tl->cfg->max_tw,
		n - tl->tw_warn_count, n);
	tl->tw_warn_count = n;
	tl->tw_warn_next_ms = tl->lc->now_ms + TCP_WARN_PERIOD_MS;
}

void
tcp_enter_timewait(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	struct tcp_tw *tw;
	void *obj;

	/* The ACK of the peer's FIN goes out first. */
	if (tp->flags & TF_ACKNOW)
		tcp_send_ack(tp);
	tcp_set_state(tp, PTCP_TCPS_TIME_WAIT);
	if (tl->tw_pool == NULL || tl->nb_tw >= tl->cfg->max_tw ||
			rte_mempool_get(tl->tw_pool, &obj) != 0) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_tw_cap);
		tl->trans[PTCP_TCPS_TIME_WAIT][PTCP_TCPS_CLOSED]++;
		if (tl->lc->now_ms >= tl->tw_warn_next_ms &&
				tl->cfg->max_tw != 0)
			tw_cap_warn(tl);
		tcp_conn_drop(tp, PTCP_CLOSE_NORMAL);
		return;
	}
	tw = obj;
	tw->kind = TCP_KIND_TW;
	tw->state = PTCP_TCPS_TIME_WAIT;
	tw->ifidx = tp->ifidx;
	tw->flags = (uint8_t)(((tp->flags & TF_TS) ? TWF_TS : 0) |
		((tp->flags & TF_WS) ? TWF_WS : 0));
	tw->snd_nxt = tp->snd_nxt;
	tw->rcv_nxt = tp->rcv_nxt;
	tw->ts_recent = tp->ts_recent;
	tw->ts_recent_ms = tp->idle_ms;
	tw->key = tp->key;
	ptcp_timer_init(&tw->timer);
	if (!(tp->flags & TF_HASHED) ||
			ptcp_flow_set(tl->flows, &tw->key, tw) != 0) {
		/* Not in the table (cannot happen): do not keep it. */
		tw->kind = 0;
		rte_mempool_put(tl->tw_pool, tw);
		tl->trans[PTCP_TCPS_TIME_WAIT][PTCP_TCPS_CLOSED]++;
	} else {
		/* A once-a-second sample of nb_tw misses the top of a wave
		 * of closes; ptcp-churn's report wants the real peak. */
		if (++tl->nb_tw > tl->nb_tw_peak)
			tl->nb_tw_peak = tl->nb_tw;
		tl->flow_gen++;        /* a burst's bulk lookup is stale */
		tp->flags &= ~TF_HASHED;    /* the entry owns it now */
		tw_arm(tl, tw);
	}
	tcp_conn_drop(tp, PTCP_CLOSE_NORMAL);
}

bool
tcp_tw_input(struct tcp_lcore *tl, struct tcp_tw *tw, struct tcp_seg *seg)
{
	struct ptcp_stats *st = &tl->lc->stats;
	bool has_ts = (tw->flags & TWF_TS) && (seg->opt.present & TOF_TS);
	bool newer;

	if (seg->flags & RTE_TCP_RST_FLAG) {
		/* RFC 1337: a RST must not cut TIME-WAIT short. */
		PTCP_STAT_INC(st, tcp_rst_tw_ignored);
		return false;
	}
	if ((seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			RTE_TCP_SYN_FLAG) {
		/*
		 * A new incarnation may start when it cannot be confused
		 * with the old one: a newer timestamp (RFC 6191), or without
		 * timestamps a sequence number past the old one (RFC 1122).
		 */
		newer = has_ts ? TSTMP_LT(tw->ts_recent, seg->opt.tsval) :
			SEQ_GT(seg->seq, tw->rcv_nxt);
		if (newer && !tl->draining &&
				tcp_listener_find(tl,
					rte_be_to_cpu_16(seg->key.lport)) != NULL) {
			PTCP_STAT_INC(st, tcp_tw_reuse_syn);
			tcp_tw_free(tl, tw);
			return true;
		}
		tw_send_ack(tl, tw);
		return false;
	}
	/* RFC 9293 §3.10.7.4: without ACK, dropped (with an ACK if it is
	 * not in sequence, as any segment out of the window). */
	if (!(seg->flags & RTE_TCP_ACK_FLAG)) {
		if (seg->len != 0 || seg->seq != tw->rcv_nxt)
			tw_send_ack(tl, tw);
		return false;
	}
	if (has_ts && TSTMP_LT(seg->opt.tsval, tw->ts_recent)) {
		PTCP_STAT_INC(st, tcp_paws_drop);
		tw_send_ack(tl, tw);
		return false;
	}
	if ((seg->flags & RTE_TCP_FIN_FLAG) &&
			seg->seq + seg->len + 1 == tw->rcv_nxt) {
		/* The peer did not get our ACK of its FIN: again, and wait
		 * 2*MSL from now. */
		PTCP_STAT_INC(st, tcp_tw_reack);
		if (has_ts) {
			tw->ts_recent = seg->opt.tsval;
			tw->ts_recent_ms = (uint32_t)tl->lc->now_ms;
		}
		tw_send_ack(tl, tw);
		tw_arm(tl, tw);
		return false;
	}
	/* Anything else that is not exactly in sequence gets an ACK. */
	if (seg->len != 0 || seg->seq != tw->rcv_nxt)
		tw_send_ack(tl, tw);
	return false;
}

/* Linux's tcp_tw_reuse: our own new SYN may take a TIME-WAIT tuple when
 * timestamps were on and the last one is over a second old, so the peer's
 * PAWS tells the incarnations apart. */
bool
tcp_tw_reusable_by_connect(const struct tcp_lcore *tl, const struct tcp_tw *tw)
{
	return (tw->flags & TWF_TS) && tl->cfg->timestamps &&
		(uint32_t)tl->lc->now_ms - tw->ts_recent_ms >= 1000;
}
