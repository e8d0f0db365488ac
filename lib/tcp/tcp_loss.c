/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control and loss recovery on a TCB. The window arithmetic is
 * in tcp_cc.c and the scoreboard in tcp_sack.c (both pure); this file
 * decides when to use them:
 *
 *   new cumulative ACK   slow start / congestion avoidance, or, in fast
 *                        recovery, a partial ACK (RFC 6582 §3.2 step 5)
 *                        or the end of recovery (step 3)
 *   duplicate ACK        RFC 3042 limited transmit for the first two;
 *                        the third (or a SACK scoreboard that says the
 *                        first segment is lost, RFC 6675 §5) enters fast
 *                        recovery once per window (RFC 6582 "recover");
 *                        NewReno inflates cwnd by one MSS per further one
 *   SACK blocks          the scoreboard; in recovery the RFC 6675 pipe
 *                        decides what goes out (tcp_sack_output)
 *   RTO                  cwnd = 1 MSS, ssthresh once per series, the
 *                        scoreboard forgotten (RFC 6675 §5.1), go back N
 *
 * Recovery state (out-of-order queue, scoreboard, CUBIC epoch) lives in a
 * recovery block taken on first need; without one a connection falls back
 * to NewReno without SACK, and drops out-of-order data.
 */
#include <string.h>

#include <rte_mempool.h>

#include "tcp_priv.h"

struct tcp_recov *
tcp_recov_get(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl;
	void *obj;

	if (likely(tp->recov != NULL))
		return tp->recov;
	tl = tcp_lc(tp->lc);
	if (tl->recov_pool == NULL || rte_mempool_get(tl->recov_pool, &obj) != 0) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_recov_cap);
		return NULL;
	}
	tp->recov = obj;
	tcp_ooo_init(&tp->recov->ooo);
	tcp_sb_reset(&tp->recov->sb, tp->snd_una);
	memset(&tp->recov->cubic, 0, sizeof(tp->recov->cubic));
	tl->nb_recov++;
	return tp->recov;
}

void
tcp_recov_free(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);

	if (tp->recov == NULL)
		return;
	tcp_ooo_free(&tp->recov->ooo);
	rte_mempool_put(tl->recov_pool, tp->recov);
	tp->recov = NULL;
	tl->nb_recov--;
}

/*
 * Give the block back when nothing in it is in use (no recovery, nothing
 * out of order, nothing SACKed) and the pool runs short: otherwise
 * max_recovery long-lived connections that once saw a loss would keep
 * every other connection from recovering. What is lost is CUBIC's memory
 * of the last reduction (the next loss starts a fresh epoch).
 */
void
tcp_recov_release_idle(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	struct tcp_recov *r = tp->recov;

	if (r == NULL || (tp->flags & TF_RECOVERY) || r->ooo.nb != 0 ||
			r->sb.n != 0)
		return;
	if (rte_mempool_avail_count(tl->recov_pool) * 4 >=
			tl->cfg->max_recovery)
		return;
	tcp_recov_free(tp);
}

static inline enum tcp_cc_algo
cc_algo(const struct ptcp_conn *tp)
{
	return (tp->flags & TF_CUBIC) ? TCP_CC_CUBIC : TCP_CC_NEWRENO;
}

/* CUBIC's state, if the connection has (or can get) a recovery block. */
static struct tcp_cubic *
cubic_of(struct ptcp_conn *tp)
{
	struct tcp_recov *r;

	if (!(tp->flags & TF_CUBIC))
		return NULL;
	r = tcp_recov_get(tp);
	return r != NULL ? &r->cubic : NULL;
}

/* Initial window, once the MSS is known (tcp_set_mss). */
void
tcp_cc_conn_init(struct ptcp_conn *tp)
{
	tcp_cc_init(&tp->cc, tp->recov != NULL ? &tp->recov->cubic : NULL,
		tp->t_maxseg, tcp_lc(tp->lc)->cfg->init_cwnd);
}

/* cwnd never usefully exceeds what the send buffer can hold in flight. */
static inline uint32_t
cwnd_limit(const struct ptcp_conn *tp)
{
	uint32_t buf = tcp_lc(tp->lc)->cfg->snd_buf;

	return buf > UINT32_MAX / 2 ? UINT32_MAX : 2 * buf;
}

static inline bool
sack_recovery(const struct ptcp_conn *tp)
{
	return (tp->flags & TF_SACK_OK) && tp->recov != NULL;
}

/*
 * The ACK carried SACK blocks: take them into the scoreboard (after the
 * cumulative ACK moved snd_una). @return bytes newly SACKed.
 */
uint32_t
tcp_loss_sack(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	struct tcp_recov *r;

	if (!(tp->flags & TF_SACK_OK) || seg->opt.nsack == 0)
		return 0;
	PTCP_STAT_ADD(&tp->lc->stats, tcp_sack_blocks_rx, seg->opt.nsack);
	r = tcp_recov_get(tp);
	if (r == NULL)
		return 0;
	tcp_sb_advance(&r->sb, tp->snd_una);
	return tcp_sb_update(&r->sb, seg->opt.sack, seg->opt.nsack,
		tp->snd_una, tp->snd_max);
}

/* The first segment again: fast retransmit, or a NewReno partial ACK. */
static void
rexmt_first(struct ptcp_conn *tp)
{
	uint32_t len = tp->t_maxseg;

	if (sack_recovery(tp)) {
		struct tcp_scoreboard *sb = &tp->recov->sb;
		unsigned int i;

		/* Up to the first SACKed range. */
		for (i = 0; i < sb->n; i++)
			if (SEQ_GT(sb->r[i].start, tp->snd_una)) {
				len = RTE_MIN(len, sb->r[i].start - tp->snd_una);
				break;
			}
		len = tcp_send_range(tp, tp->snd_una, len);
		if (len != 0 && SEQ_GT(tp->snd_una + len, sb->high_rxt))
			sb->high_rxt = tp->snd_una + len;
		return;
	}
	tcp_send_range(tp, tp->snd_una, len);
}

static void
enter_recovery(struct ptcp_conn *tp)
{
	struct ptcp_stats *st = &tp->lc->stats;
	uint32_t flight = tp->snd_max - tp->snd_una;

	tp->recover = tp->snd_max;
	tcp_cc_loss(cc_algo(tp), &tp->cc, cubic_of(tp), flight, tp->t_maxseg);
	tp->flags |= TF_RECOVERY;
	PTCP_STAT_INC(st, tcp_recovery);
	PTCP_STAT_INC(st, tcp_fast_rexmt);
	if (sack_recovery(tp)) {
		tp->recov->sb.high_rxt = tp->snd_una;
		tp->recov->sb.rescue_rxt = tp->snd_una;
	}
	rexmt_first(tp);
	if (!sack_recovery(tp))
		/* RFC 6582 §3.2 step 2: inflate by the three that came. */
		tp->cc.cwnd = tp->cc.ssthresh + 3u * tp->t_maxseg;
	tcp_rexmt_arm(tp);
}

/* A duplicate ACK (RFC 5681 §2, or one with new SACK information). */
void
tcp_loss_dupack(struct ptcp_conn *tp)
{
	PTCP_STAT_INC(&tp->lc->stats, tcp_dup_ack_rx);
	if (tp->dupacks < UINT8_MAX)
		tp->dupacks++;
	if (tp->flags & TF_RECOVERY) {
		if (!sack_recovery(tp))
			tp->cc.cwnd += tp->t_maxseg;   /* NewReno inflation */
		return;
	}
	/* Losses of a window already recovered (or of what an RTO sent
	 * again) do not count again (RFC 6582 §3.2 step 2). */
	if (SEQ_LT(tp->snd_una, tp->recover))
		return;
	if (tp->dupacks >= TCP_DUPTHRESH || (sack_recovery(tp) &&
			tcp_sb_is_lost(&tp->recov->sb, tp->snd_una,
				tp->t_maxseg)))
		enter_recovery(tp);
}

/* tcp_loss_ack() when more than the window's bookkeeping is needed. */
void
tcp_loss_ack_slow(struct ptcp_conn *tp, uint32_t acked, uint32_t flight)
{
	const struct tcp_lcore *tl = tcp_lc(tp->lc);

	tp->flags &= ~TF_RTO_SERIES;
	if (tp->recov != NULL)
		tcp_sb_advance(&tp->recov->sb, tp->snd_una);
	if (tp->flags & TF_RECOVERY) {
		if (SEQ_GEQ(tp->snd_una, tp->recover)) {
			/* Full ACK: recovery is over (RFC 6582 §3.2 step 3). */
			tp->flags &= ~TF_RECOVERY;
			tp->dupacks = 0;
			tcp_cc_recovery_end(&tp->cc, tp->snd_max - tp->snd_una,
				tp->t_maxseg);
			tcp_recov_release_idle(tp);
			return;
		}
		PTCP_STAT_INC(&tp->lc->stats, tcp_partial_ack);
		if (sack_recovery(tp))
			return;           /* the pipe decides (RFC 6675) */
		/* RFC 6582 §3.2 step 5: the next hole now, partial deflation. */
		rexmt_first(tp);
		tp->cc.cwnd = tp->cc.cwnd > acked ? tp->cc.cwnd - acked : 0;
		if (acked >= tp->t_maxseg)
			tp->cc.cwnd += tp->t_maxseg;
		tp->cc.cwnd = RTE_MAX(tp->cc.cwnd, (uint32_t)tp->t_maxseg);
		return;
	}
	tp->dupacks = 0;
	if ((uint64_t)flight * 2 < tp->cc.cwnd)
		return;                 /* application-limited (RFC 7661) */
	tcp_cc_ack(cc_algo(tp), &tp->cc,
		(tp->flags & TF_CUBIC) && tp->recov != NULL ?
			&tp->recov->cubic : NULL,
		acked, tp->t_maxseg, (uint32_t)tl->lc->now_ms,
		tp->srtt_ms8 >> 3, cwnd_limit(tp));
}

/* The retransmission timer went off with data outstanding. */
void
tcp_loss_rto(struct ptcp_conn *tp)
{
	tcp_cc_rto(cc_algo(tp), &tp->cc, cubic_of(tp),
		tp->snd_max - tp->snd_una, tp->t_maxseg,
		!(tp->flags & TF_RTO_SERIES));
	tp->flags |= TF_RTO_SERIES;
	tp->flags &= ~TF_RECOVERY;
	tp->dupacks = 0;
	/* No fast retransmit for the duplicates go-back-N will cause. */
	tp->recover = tp->snd_max;
	if (tp->recov != NULL)
		tcp_sb_reset(&tp->recov->sb, tp->snd_una);
}

/* Data (and FIN) end: the sequence space the send queue covers. */
static inline uint32_t
data_end(const struct ptcp_conn *tp)
{
	return tp->snd_una + tp->sndq_len;
}

/*
 * RFC 6675 §5 steps (C) and NextSeg(): while the pipe leaves a segment's
 * room in cwnd, send the first lost hole, else new data, else an unSACKed
 * range below the highest SACKed byte.
 */
void
tcp_sack_output(struct ptcp_conn *tp)
{
	struct tcp_scoreboard *sb = &tp->recov->sb;
	struct ptcp_stats *st = &tp->lc->stats;
	uint32_t mss = tp->t_maxseg, pipe, seq, len, sent;
	unsigned int n;

	for (n = 0; n < 256; n++) {
		pipe = tcp_sb_pipe(sb, tp->snd_una, tp->snd_max, mss);
		if (pipe >= tp->cc.cwnd || tp->cc.cwnd - pipe < mss)
			break;
		if (tcp_sb_next_lost(sb, tp->snd_una, mss, &seq, &len) ||
				(!(SEQ_LT(tp->snd_nxt, data_end(tp)) &&
				   SEQ_LT(tp->snd_nxt,
					tp->snd_una + tp->snd_wnd)) &&
				 tcp_sb_next_unsacked(sb, tp->snd_una, mss,
					&seq, &len))) {
			sent = tcp_send_range(tp, seq, len);
			if (sent == 0)
				break;
			sb->high_rxt = seq + sent;
			PTCP_STAT_INC(st, tcp_sack_rexmt);
			continue;
		}
		/* Rule 2: new data, one segment. */
		if (tcp_output_new(tp, mss) == 0)
			break;
	}
}
