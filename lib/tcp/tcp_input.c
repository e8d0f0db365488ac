/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input.
 *
 *   tcp_input_burst()    validate and parse each segment once, look the
 *                        whole burst up in the flow table at once
 *     tcp_listen_input() no connection: LISTEN (SYN, cookie ACK) or RST
 *     tcp_tw_input()     TIME-WAIT entries (tcp_timewait.c)
 *     tcp_do_segment()   every other state, in RFC 9293 §3.10.7 order:
 *                        SYN-SENT; PAWS; sequence check and trim; RST
 *                        (RFC 5961 §3); SYN (RFC 5961 §4); ACK; data; FIN
 *
 * A segment's mbuf is consumed on every path: its payload is handed to the
 * application, or it is freed.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "tcp_priv.h"

/* 24 days in ms: older ts_recent values are not used for PAWS
 * (RFC 7323 §5.5). */
#define PAWS_IDLE_MS (24u * 24 * 3600 * 1000)

/*
 * Validate the TCP header after IPv4 (m->l2_len, m->l3_len set, m trimmed
 * to the datagram), fill @seg, and leave only the payload in @m.
 * @return 0, or -1 to drop (counted; the caller frees @m)
 */
static int
tcp_parse(struct tcp_lcore *tl, struct rte_mbuf **mp, struct tcp_seg *seg)
{
	struct ptcp_stats *st = &tl->lc->stats;
	struct rte_mbuf *m = *mp, *n;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	uint32_t l4off = m->l2_len + m->l3_len, l4len, thlen, raw;
	uint64_t csum;

	if (unlikely(rte_pktmbuf_pkt_len(m) < l4off + sizeof(*th))) {
		PTCP_STAT_INC(st, tcp_short);
		return -1;
	}
	/*
	 * The headers must be in the first segment (a chain whose payload
	 * follows in other segments stays as it is: zero copy); a chain that
	 * splits them is made contiguous.
	 */
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, l4off);
	if (unlikely(m->data_len < l4off + sizeof(*th) ||
			m->data_len < l4off + (uint32_t)(th->data_off >> 4) * 4)) {
		if (rte_pktmbuf_linearize(m) != 0) {
			PTCP_STAT_INC(st, tcp_short);
			return -1;
		}
		th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
			l4off);
	}
	l4len = rte_pktmbuf_pkt_len(m) - l4off;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	thlen = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(thlen < sizeof(*th) || thlen > l4len)) {
		PTCP_STAT_INC(st, tcp_bad_off);
		return -1;
	}
	csum = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (likely(csum == RTE_MBUF_F_RX_L4_CKSUM_GOOD))
		raw = 0xffff;
	else if (unlikely(csum == RTE_MBUF_F_RX_L4_CKSUM_BAD))
		raw = 0;
	else if (m->nb_segs == 1)
		raw = ptcp_cksum(th, l4len,
			ptcp_ipv4_phdr_sum(ip, IPPROTO_TCP, l4len));
	else
		raw = tcp_cksum_chain(m, ip, l4off, l4len);
	if (unlikely(raw != 0xffff)) {
		PTCP_STAT_INC(st, tcp_bad_csum);
		return -1;
	}
	if (unlikely(th->src_port == 0 || th->dst_port == 0)) {
		PTCP_STAT_INC(st, tcp_bad_port);
		return -1;
	}
	seg->flags = th->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG |
		RTE_TCP_RST_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG |
		RTE_TCP_URG_FLAG);
	/*
	 * SYN with FIN or RST: no state accepts it. A segment with none of
	 * SYN, RST and ACK (a bare FIN, data) goes on: each state has its
	 * rule for it (RFC 9293 §3.10.7: a RST where there is no
	 * connection, dropped by a listener and by the ACK check).
	 */
	if (unlikely((seg->flags & RTE_TCP_SYN_FLAG) &&
			(seg->flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)))) {
		PTCP_STAT_INC(st, tcp_bad_flags);
		return -1;
	}
	seg->seq = rte_be_to_cpu_32(th->sent_seq);
	seg->ack = rte_be_to_cpu_32(th->recv_ack);
	seg->wnd = rte_be_to_cpu_16(th->rx_win);
	seg->len = l4len - thlen;
	seg->opt.present = 0;
	if (thlen > sizeof(*th))
		tcp_opt_parse((const uint8_t *)(th + 1), thlen - sizeof(*th),
			(seg->flags & RTE_TCP_SYN_FLAG) != 0, &seg->opt, st);
	seg->key.laddr = ip->dst_addr;
	seg->key.raddr = ip->src_addr;
	seg->key.lport = th->dst_port;
	seg->key.rport = th->src_port;
	seg->key.pad = 0;
	rte_pktmbuf_adj(m, (uint16_t)(l4off + thlen));
	/* A first segment that held only headers is not kept. */
	if (m->data_len == 0 && m->next != NULL) {
		n = m->next;
		n->nb_segs = (uint16_t)(m->nb_segs - 1);
		n->pkt_len = m->pkt_len;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		*mp = n;
	}
	return 0;
}

/* Options of a SYN (or SYN-ACK) that both sides must agree on. */
static void
apply_syn_options(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	const struct tcp_opts *o = &seg->opt;

	if ((o->present & TOF_WSCALE) && tl->cfg->window_scaling) {
		tp->flags |= TF_WS;
		tp->snd_wscale = o->wscale;
		tp->rcv_wscale = tcp_our_wscale(tl);
	} else {
		tp->snd_wscale = 0;
		tp->rcv_wscale = 0;
	}
	if ((o->present & TOF_TS) && tl->cfg->timestamps) {
		tp->flags |= TF_TS;
		tp->ts_recent = o->tsval;
	}
	if ((o->present & TOF_SACKOK) && tl->cfg->sack)
		tp->flags |= TF_SACK_OK;
	tcp_set_mss(tp, (o->present & TOF_MSS) ? o->mss : 0);
	/* The window of a SYN is never scaled (RFC 7323 §2.2). */
	tp->snd_wnd = seg->wnd;
	tp->snd_wl1 = seg->seq;
	tp->snd_wl2 = seg->ack;
}

/* Make a TCB for a connection a listener accepted (SYN or cookie). */
static struct ptcp_conn *
conn_from_listener(struct tcp_lcore *tl, unsigned int ifidx,
		struct tcp_listener *lst, const struct tcp_seg *seg)
{
	struct ptcp_conn *tp = tcp_conn_alloc(tl, ifidx, &seg->key);

	if (tp == NULL)
		return NULL;
	tp->ops = lst->ops;
	tp->arg = lst->arg;
	tp->lst_idx = (uint8_t)(lst - tl->listeners);
	if (lst->keepalive) {
		tp->flags |= TF_KEEPALIVE;
		tp->keep_idle_s = lst->keep_idle_s;
		tp->keep_intvl_s = lst->keep_intvl_s;
		tp->keep_cnt = lst->keep_cnt;
	}
	tp->idle_to_s = lst->idle_to_s;
	if (tcp_conn_hash(tl, tp) != 0) {
		tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
		return NULL;
	}
	return tp;
}

/*
 * SYN-RECEIVED -> ESTABLISHED on a passive open (or a simultaneous one):
 * out of the backlog, the app told. @return false if the app refused it
 * (the connection was reset).
 */
static bool
tcp_established(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);

	struct tcp_listener *lst = tcp_conn_listener(tp);

	if (tp->flags & TF_IN_BACKLOG) {
		lst->nsynrcvd--;
		tp->flags &= ~TF_IN_BACKLOG;
	}
	/* A shutdown during the handshake takes effect now. */
	tcp_set_state(tp, (tp->flags & TF_FIN_QUEUED) ?
		PTCP_TCPS_FIN_WAIT_1 : PTCP_TCPS_ESTABLISHED);
	tp->recover = tp->snd_una;
	tcp_keep_arm_for_state(tp);
	if (tp->flags & TF_ACTIVE) {
		/* Closed by the app during the handshake: it hears only closed. */
		if (!(tp->flags & TF_ORPHAN) && tp->ops != NULL &&
				tp->ops->connected != NULL)
			tp->ops->connected(tp);
		return !(tp->flags & TF_DEAD);
	}
	PTCP_STAT_INC(&tl->lc->stats, tcp_passive_open);
	tp->flags |= TF_NOTIFIED;
	if (tp->ops != NULL && tp->ops->accepted != NULL &&
			tp->ops->accepted(tp, lst != NULL ? lst->arg : NULL) < 0) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_accept_refused);
		tp->flags &= ~TF_NOTIFIED;
		tcp_send_rst(tp, PTCP_STAT_tcp_rst_tx_accept_refused);
		tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
		return false;
	}
	tp->lst_idx = TCP_LST_NONE;
	return !(tp->flags & TF_DEAD);
}

/* An ACK for a listener with no connection: is it a SYN cookie? */
static void
cookie_input(struct tcp_lcore *tl, unsigned int ifidx,
		struct tcp_listener *lst, struct tcp_seg *seg, struct rte_mbuf *m)
{
	struct ptcp_conn *tp;
	uint16_t mss;
	int wscale = -1;
	bool sack = false;

	if (!tl->cfg->syncookies ||
			!tcp_cookie_check(&tl->secret, seg->key.laddr,
				seg->key.lport, seg->key.raddr, seg->key.rport,
				seg->seq - 1, seg->ack - 1,
				(uint32_t)(tl->lc->now_ms / 64000), &mss)) {
		if (tl->cfg->syncookies)
			PTCP_STAT_INC(&tl->lc->stats, tcp_syncookie_bad);
		tcp_reset_for(tl, ifidx, seg, tl->cfg->syncookies ?
			PTCP_STAT_tcp_rst_tx_bad_ack :
			PTCP_STAT_tcp_rst_tx_no_conn);
		rte_pktmbuf_free(m);
		return;
	}
	tp = conn_from_listener(tl, ifidx, lst, seg);
	if (tp == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	PTCP_STAT_INC(&tl->lc->stats, tcp_syncookie_ok);
	/* What the SYN said, as far as the cookie could keep it. */
	if ((seg->opt.present & TOF_TS) && tl->cfg->timestamps) {
		tcp_cookie_ts_decode(seg->opt.tsecr, &wscale, &sack);
		tp->flags |= TF_TS;
		tp->ts_recent = seg->opt.tsval;
	}
	if (wscale >= 0 && tl->cfg->window_scaling) {
		tp->flags |= TF_WS;
		tp->snd_wscale = (uint8_t)wscale;
		tp->rcv_wscale = tcp_our_wscale(tl);
	}
	if (sack && tl->cfg->sack)
		tp->flags |= TF_SACK_OK;
	tcp_set_mss(tp, mss);
	tp->irs = seg->seq - 1;
	tp->rcv_nxt = seg->seq;
	tp->rcv_adv = tp->rcv_nxt;
	tp->iss = seg->ack - 1;
	tp->snd_una = tp->snd_nxt = tp->snd_max = seg->ack;
	tp->snd_wnd = seg->wnd << tp->snd_wscale;
	tp->snd_wl1 = seg->seq;
	tp->snd_wl2 = seg->ack;
	tp->last_ack_sent = tp->rcv_nxt;
	tcp_set_state(tp, PTCP_TCPS_SYN_RECEIVED);
	if (!tcp_established(tp)) {
		rte_pktmbuf_free(m);
		return;
	}
	/* The ACK may carry data or a FIN: the normal path takes it. */
	tcp_do_segment(tp, seg, m);
}

/* A segment for no connection on a port we listen on. */
static void
tcp_listen_input(struct tcp_lcore *tl, unsigned int ifidx,
		struct tcp_listener *lst, struct tcp_seg *seg, struct rte_mbuf *m)
{
	struct ptcp_stats *st = &tl->lc->stats;
	struct ptcp_conn *tp;
	uint32_t cookie;
	uint16_t mss;
	bool with_ts;

	if (seg->flags & RTE_TCP_RST_FLAG) {
		PTCP_STAT_INC(st, tcp_no_conn_drop);
		goto drop;
	}
	/* RFC 9293 §3.10.7.2: neither SYN nor ACK (a bare FIN, data). */
	if (!(seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG))) {
		PTCP_STAT_INC(st, tcp_listen_no_ack);
		goto drop;
	}
	if ((seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			RTE_TCP_ACK_FLAG) {
		cookie_input(tl, ifidx, lst, seg, m);
		return;
	}
	if (!(seg->flags & RTE_TCP_SYN_FLAG) || (seg->flags & RTE_TCP_ACK_FLAG)) {
		tcp_reset_for(tl, ifidx, seg, PTCP_STAT_tcp_rst_tx_no_conn);
		goto drop;
	}
	if (tcp_nb_conns(tl) >= tl->cfg->max_conns) {
		PTCP_STAT_INC(st, tcp_conn_cap);
		goto drop;
	}
	/*
	 * The port has been refusing our frames for a while: a SYN-ACK now
	 * would compete with the segments of connections already accepted.
	 * Shed the SYN (the peer retries it) rather than lose theirs.
	 */
	if (ptcp_txq_pressed(&tl->lc->ifs[ifidx].txq)) {
		PTCP_STAT_INC(st, tcp_syn_shed);
		goto drop;
	}
	if (lst->nsynrcvd >= lst->backlog) {
		PTCP_STAT_INC(st, tcp_syn_backlog_full);
		if (!tl->cfg->syncookies) {
			PTCP_STAT_INC(st, tcp_syn_drop);
			goto drop;
		}
		mss = (seg->opt.present & TOF_MSS) ? seg->opt.mss : 536;
		mss = RTE_MIN(mss, tcp_our_mss(tl, ifidx));
		cookie = tcp_cookie_make(&tl->secret, seg->key.laddr,
			seg->key.lport, seg->key.raddr, seg->key.rport, seg->seq,
			mss, (uint32_t)(tl->lc->now_ms / 64000));
		/*
		 * Without timestamps the cookie keeps only the MSS: offer
		 * no window scaling or SACK we could not remember.
		 */
		with_ts = (seg->opt.present & TOF_TS) && tl->cfg->timestamps;
		tcp_send_synack_cookie(tl, ifidx, seg, cookie, mss, with_ts,
			with_ts && (seg->opt.present & TOF_WSCALE) &&
			tl->cfg->window_scaling ? seg->opt.wscale : -1,
			with_ts && (seg->opt.present & TOF_SACKOK) &&
			tl->cfg->sack);
		PTCP_STAT_INC(st, tcp_syncookie_sent);
		goto drop;
	}
	tp = conn_from_listener(tl, ifidx, lst, seg);
	if (tp == NULL)
		goto drop;
	tp->flags |= TF_IN_BACKLOG;
	lst->nsynrcvd++;
	apply_syn_options(tp, seg);
	tp->irs = seg->seq;
	tp->rcv_nxt = seg->seq + 1;
	tp->rcv_adv = tp->rcv_nxt;
	tp->iss = tcp_isn(&tl->secret, seg->key.laddr, seg->key.lport,
		seg->key.raddr, seg->key.rport,
		ptcp_tsc_to(tl->lc->now_tsc, tl->lc->eng->tsc_hz, 1000000));
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tcp_set_state(tp, PTCP_TCPS_SYN_RECEIVED);
	/* Data on a SYN is not kept: the peer sends it again. */
	tcp_send_syn(tp);
drop:
	rte_pktmbuf_free(m);
}

/* RFC 9293 §3.10.7.3: SYN-SENT. */
static void
syn_sent_input(struct ptcp_conn *tp, struct tcp_seg *seg)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	bool ack = (seg->flags & RTE_TCP_ACK_FLAG) != 0;

	if (ack && (SEQ_LEQ(seg->ack, tp->iss) || SEQ_GT(seg->ack, tp->snd_max))) {
		if (seg->flags & RTE_TCP_RST_FLAG)
			PTCP_STAT_INC(&tl->lc->stats, tcp_rst_rx_bad);
		else
			tcp_reset_for(tl, tp->ifidx, seg,
				PTCP_STAT_tcp_rst_tx_bad_ack);
		return;
	}
	if (seg->flags & RTE_TCP_RST_FLAG) {
		/* RFC 9293 §3.10.7.3: only with an acceptable ACK. */
		if (ack) {
			PTCP_STAT_INC(&tl->lc->stats, tcp_rst_rx);
			tcp_conn_drop(tp, PTCP_CLOSE_REFUSED);
		} else {
			PTCP_STAT_INC(&tl->lc->stats, tcp_rst_rx_bad);
		}
		return;
	}
	if (!(seg->flags & RTE_TCP_SYN_FLAG))
		return;
	tp->irs = seg->seq;
	tp->rcv_nxt = seg->seq + 1;
	tp->rcv_adv = tp->rcv_nxt;
	apply_syn_options(tp, seg);
	if (!ack) {
		/* Simultaneous open: answer with SYN-ACK (same ISS). */
		tcp_set_state(tp, PTCP_TCPS_SYN_RECEIVED);
		tp->rexmt_shift = 0;
		tcp_send_syn(tp);
		return;
	}
	tp->snd_una = seg->ack;
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	if (tp->rexmt_shift == 0)
		tcp_rtt_update(tp, (uint32_t)tp->lc->now_ms - tp->state_ms);
	tp->rexmt_shift = 0;
	tcp_rexmt_stop(tp);
	tp->flags |= TF_ACKNOW;
	if (!tcp_established(tp))
		return;
	tcp_output(tp);
}

/* RFC 9293 §3.10.7.4, first check: is the segment acceptable? */
static bool
seq_acceptable(const struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	uint32_t wnd = tcp_rcv_wnd(tp);
	uint32_t seglen = seg->len +
		((seg->flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
		((seg->flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

	if (seglen == 0)
		return wnd == 0 ? seg->seq == tp->rcv_nxt :
			SEQ_IN(seg->seq, tp->rcv_nxt, tp->rcv_nxt + wnd);
	if (wnd == 0)
		return false;
	return SEQ_IN(seg->seq, tp->rcv_nxt, tp->rcv_nxt + wnd) ||
		SEQ_IN(seg->seq + seglen - 1, tp->rcv_nxt, tp->rcv_nxt + wnd);
}

/*
 * May @tp answer segment @seg, which it drops (outside the window, PAWS,
 * an ACK of data never sent, a challenge ACK)? At most once per [tcp]
 * invalid_ratelimit_ms per connection, as Linux's tcp_invalid_ratelimit,
 * so that a flood aimed at one connection costs its peer a bounded number
 * of duplicate ACKs a second (and two stacks cannot loop on them). Unlike
 * Linux, segments with data are limited too (a blind data flood is bounded
 * the same way); a zero-window probe (exactly at RCV.NXT into a closed
 * window) is not: the peer's persist timer needs each answer. The time is
 * kept in 16 ms units in 16 bits: after 17 minutes without one, a reply
 * is wrongly held back with a chance of limit / 17 min (0.05 % at 500 ms).
 */
static bool
oow_ack_allowed(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	uint32_t lim = tl->cfg->invalid_ratelimit_ms;
	uint16_t now16 = (uint16_t)(tl->lc->now_ms >> 4);

	if (lim == 0 || (seg->len != 0 && seg->seq == tp->rcv_nxt &&
			tcp_rcv_wnd(tp) == 0))
		return true;
	if ((tp->flags & TF_OOW_ACKED) &&
			(uint16_t)(now16 - tp->oow_ack_t16) < (lim + 15) / 16) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_oow_ack_limited);
		return false;
	}
	tp->oow_ack_t16 = now16;
	tp->flags |= TF_OOW_ACKED;
	return true;
}

/* RFC 5961 §7: per connection first, then the lcore's budget. */
static void
challenge_ack(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	if (oow_ack_allowed(tp, seg) &&
			tcp_challenge_ack_allowed(tcp_lc(tp->lc)))
		tcp_send_ack(tp);
}

/* The peer's FIN was received in order. @return false if @tp ended. */
static bool
fin_input(struct ptcp_conn *tp)
{
	bool notify = !(tp->flags & TF_ORPHAN) && tp->ops != NULL &&
		tp->ops->peer_closed != NULL;

	tp->rcv_nxt++;
	tp->flags |= TF_ACKNOW;
	switch (tp->state) {
	case PTCP_TCPS_ESTABLISHED:
		tcp_set_state(tp, PTCP_TCPS_CLOSE_WAIT);
		tcp_keep_arm_for_state(tp);
		break;
	case PTCP_TCPS_FIN_WAIT_1:
		/* Our FIN is not acknowledged yet: simultaneous close. */
		tcp_set_state(tp, PTCP_TCPS_CLOSING);
		break;
	case PTCP_TCPS_FIN_WAIT_2:
		if (notify)
			tp->ops->peer_closed(tp);
		if (tp->flags & TF_DEAD)
			return false;
		tcp_enter_timewait(tp);
		return false;
	default:
		return true;
	}
	if (notify)
		tp->ops->peer_closed(tp);
	return !(tp->flags & TF_DEAD);
}

/*
 * When to acknowledge in-order data: at once without delayed ACKs, on
 * every second full-sized segment, else within [tcp] delack_ms (RFC 9293
 * §3.8.6.3, RFC 5681 §4.2).
 */
static void
ack_policy(struct ptcp_conn *tp, uint32_t len)
{
	if (tcp_lc(tp->lc)->cfg->delack_ms == 0) {
		tp->flags |= TF_ACKNOW;
		return;
	}
	if (len >= tp->t_maxseg && ++tp->delack_segs >= 2) {
		tp->flags |= TF_ACKNOW;
		return;
	}
	tp->flags |= TF_DELACK;      /* tcp_do_segment() arms the timer */
}

/*
 * Data beyond a hole: into the out-of-order queue, and a duplicate ACK
 * with SACK blocks at once (RFC 5681 §4.2, RFC 2018). The queue takes
 * @m in every case.
 */
static void
data_ooo(struct ptcp_conn *tp, const struct tcp_seg *seg, struct rte_mbuf *m)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	struct ptcp_stats *st = &tl->lc->stats;
	struct tcp_recov *r = tcp_recov_get(tp);

	tp->flags |= TF_ACKNOW;
	PTCP_STAT_INC(st, tcp_dup_ack_tx);
	if (r == NULL) {
		PTCP_STAT_INC(st, tcp_ooo_drop);
		rte_pktmbuf_free(m);
		return;
	}
	switch (tcp_ooo_insert(&r->ooo, seg->seq, m,
			(seg->flags & RTE_TCP_FIN_FLAG) != 0, tl->ooo_max)) {
	case TCP_OOO_QUEUED:
		PTCP_STAT_INC(st, tcp_ooo_segs);
		PTCP_STAT_ADD(st, tcp_ooo_bytes, seg->len);
		break;
	case TCP_OOO_DUP:
		PTCP_STAT_INC(st, tcp_dup_data);
		break;
	default:
		PTCP_STAT_INC(st, tcp_ooo_drop);
		break;
	}
}

/*
 * In-order data: with whatever it joins up from the out-of-order queue,
 * to the app as one chain. *@fin is set when a queued FIN now follows.
 * @return false if the connection ended in the data callback.
 */
static bool
data_in_order(struct ptcp_conn *tp, const struct tcp_seg *seg,
		struct rte_mbuf *m, bool *fin)
{
	struct ptcp_stats *st = &tp->lc->stats;
	struct rte_mbuf *more;
	uint32_t len = seg->len;
	bool ofin = false;

	tp->rcv_nxt += seg->len;
	/* (Nothing can follow a FIN: a queue behind one is not taken.) */
	if (tp->recov != NULL && tp->recov->ooo.nb != 0 && !*fin) {
		uint32_t before = tp->rcv_nxt;

		more = tcp_ooo_pull(&tp->recov->ooo, &tp->rcv_nxt, &ofin);
		if (more != NULL) {
			len += tp->rcv_nxt - before;
			if (rte_pktmbuf_chain(m, more) != 0) {
				/* Too many segments for one chain: two calls. */
				PTCP_STAT_ADD(st, tcp_data_bytes_in, seg->len);
				if (tp->ops != NULL && tp->ops->data != NULL) {
					tp->ops->data(tp, m);
					if (tp->flags & TF_DEAD) {
						rte_pktmbuf_free(more);
						return false;
					}
				} else {
					rte_pktmbuf_free(m);
				}
				len -= seg->len;
				m = more;
			}
		}
		if (ofin)
			*fin = true;
		/* Filling a hole is acknowledged at once (RFC 5681 §4.2). */
		tp->flags |= TF_ACKNOW;
		if (tp->recov->ooo.nb == 0)
			tcp_recov_release_idle(tp);
	} else {
		ack_policy(tp, seg->len);
	}
	PTCP_STAT_ADD(st, tcp_data_bytes_in, len);
	if (tp->ops != NULL && tp->ops->data != NULL) {
		tp->ops->data(tp, m);
		if (tp->flags & TF_DEAD)
			return false;
	} else {
		rte_pktmbuf_free(m);
	}
	return true;
}

/*
 * What one step of a segment's processing decided (RFC 9293 §3.10.7.4
 * words): go on to the next step; drop the segment (what the step sent
 * or ended is done, and the mbuf, if it still holds one, is freed); or
 * send an acknowledgment and drop the segment.
 */
enum seg_verdict {
	SEG_CONTINUE,
	SEG_DROP,
	SEG_ACK_DROP,
};

/* The reply to a segment dropped for its sequence or ACK number. */
static inline enum seg_verdict
oow_ack_drop(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	return oow_ack_allowed(tp, seg) ? SEG_ACK_DROP : SEG_DROP;
}

/*
 * First check: the sequence number. PAWS (RFC 7323 §5.3), a retransmitted
 * SYN in SYN-RECEIVED, the acceptability test, a SYN in a synchronized
 * state (below), then the segment trimmed to the window. *@mp changes
 * when the front is cut.
 */
static __rte_always_inline enum seg_verdict
seg_check_seq(struct ptcp_conn *tp, struct tcp_seg *seg, struct rte_mbuf **mp,
		uint32_t idle_since)
{
	struct ptcp_stats *st = &tp->lc->stats;
	uint32_t todrop, wnd;

	/*
	 * RFC 7323 §3.2: once negotiated, every non-RST segment carries
	 * timestamps; one without is dropped silently ([tcp] ts_required;
	 * Linux and FreeBSD accept it).
	 */
	if (unlikely((tp->flags & TF_TS) && !(seg->opt.present & TOF_TS) &&
			!(seg->flags & RTE_TCP_RST_FLAG)) &&
			tcp_lc(tp->lc)->cfg->ts_required) {
		PTCP_STAT_INC(st, tcp_ts_missing);
		return SEG_DROP;
	}
	/* PAWS (RFC 7323 §5.3): an old timestamp, unless a RST. */
	if ((tp->flags & TF_TS) && (seg->opt.present & TOF_TS) &&
			!(seg->flags & RTE_TCP_RST_FLAG) &&
			TSTMP_LT(seg->opt.tsval, tp->ts_recent) &&
			(uint32_t)tp->lc->now_ms - idle_since < PAWS_IDLE_MS) {
		PTCP_STAT_INC(st, tcp_paws_drop);
		return oow_ack_drop(tp, seg);
	}

	/* A retransmitted SYN in SYN-RECEIVED: the SYN-ACK was lost. */
	if (tp->state == PTCP_TCPS_SYN_RECEIVED &&
			(seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
			  RTE_TCP_RST_FLAG)) == RTE_TCP_SYN_FLAG &&
			seg->seq == tp->irs) {
		tp->flags |= TF_ACKNOW;
		tcp_output(tp);
		return SEG_DROP;
	}

	if (!seq_acceptable(tp, seg)) {
		if (seg->flags & RTE_TCP_RST_FLAG) {
			PTCP_STAT_INC(st, tcp_rst_rx_bad);
			return SEG_DROP;
		}
		if (seg->flags & RTE_TCP_SYN_FLAG) {
			/* RFC 5961 §4: any SYN, whatever its sequence. */
			challenge_ack(tp, seg);
			return SEG_DROP;
		}
		PTCP_STAT_INC(st, tcp_out_of_window);
		return oow_ack_drop(tp, seg);
	}

	/*
	 * RFC 5961 §4: a SYN in a synchronized state draws a challenge ACK,
	 * whatever its sequence number. This belongs to the fourth check
	 * (seg_check_syn()) but must come before the trim below, which
	 * would strip the SYN of a segment that starts just before RCV.NXT.
	 */
	if ((seg->flags & RTE_TCP_SYN_FLAG) &&
			PTCP_TCPS_HAVE_ESTABLISHED(tp->state)) {
		challenge_ack(tp, seg);
		return SEG_DROP;
	}

	/* Trim what we already have from the front ... */
	if (SEQ_LT(seg->seq, tp->rcv_nxt)) {
		todrop = tp->rcv_nxt - seg->seq;
		if (seg->flags & RTE_TCP_SYN_FLAG) {
			seg->flags &= (uint8_t)~RTE_TCP_SYN_FLAG;
			seg->seq++;
			todrop--;
		}
		if (todrop >= seg->len) {
			/* All old: a FIN in it is old too. */
			if (todrop > seg->len || !(seg->flags & RTE_TCP_FIN_FLAG))
				seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
			tp->flags |= TF_ACKNOW;
			if (seg->len != 0)
				PTCP_STAT_INC(st, tcp_dup_data);
			todrop = seg->len;
		}
		*mp = tcp_mbuf_cut_front(*mp, todrop);
		seg->seq += todrop;
		seg->len -= todrop;
	}
	/* ... and what lies beyond the window from the back. */
	wnd = tcp_rcv_wnd(tp);
	if (SEQ_GT(seg->seq + seg->len, tp->rcv_nxt + wnd)) {
		todrop = seg->seq + seg->len - (tp->rcv_nxt + wnd);
		tcp_mbuf_cut_back(*mp, todrop);
		seg->len -= todrop;
		seg->flags &= (uint8_t)~RTE_TCP_FIN_FLAG;
		tp->flags |= TF_ACKNOW;
	}
	return SEG_CONTINUE;
}

/* Second check: the RST bit. RFC 5961 §3.2: only the exact sequence resets. */
static __rte_always_inline enum seg_verdict
seg_check_rst(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	struct ptcp_stats *st = &tp->lc->stats;

	if (!(seg->flags & RTE_TCP_RST_FLAG))
		return SEG_CONTINUE;
	if (seg->seq != tp->rcv_nxt) {
		PTCP_STAT_INC(st, tcp_rst_rx_inexact);
		challenge_ack(tp, seg);
		return SEG_DROP;
	}
	PTCP_STAT_INC(st, tcp_rst_rx);
	if (tp->state == PTCP_TCPS_SYN_RECEIVED && !(tp->flags & TF_ACTIVE))
		PTCP_STAT_INC(st, tcp_synrcvd_reset);
	tcp_conn_drop(tp, tp->state == PTCP_TCPS_SYN_RECEIVED &&
		(tp->flags & TF_ACTIVE) ? PTCP_CLOSE_REFUSED :
		PTCP_CLOSE_RESET);
	return SEG_DROP;
}

/*
 * Fourth check: the SYN bit. Only SYN-RECEIVED gets here with a SYN (the
 * synchronized states were challenged in seg_check_seq(), before the
 * trim): a SYN that is not the retransmission of the first one (that one
 * was trimmed to a duplicate and gets the SYN-ACK again) and falls in the
 * window. RFC 9293 §3.10.7.4 would send a passive open back to LISTEN;
 * RFC 5961 §4's challenge ACK, as Linux sends it in SYN_RECV too, lets a
 * blind attacker end nothing (test
 * syn_received_other_syn_in_window_gets_challenge_ack).
 */
static __rte_always_inline enum seg_verdict
seg_check_syn(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	if (!(seg->flags & RTE_TCP_SYN_FLAG))
		return SEG_CONTINUE;
	challenge_ack(tp, seg);
	return SEG_DROP;
}

/*
 * SYN-RECEIVED, the ACK of our SYN: an unacceptable one gets a RST, an
 * acceptable one completes the handshake (SEG_DROP if the accepted
 * callback refused or ended the connection).
 */
static __rte_always_inline enum seg_verdict
ack_syn_received(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	if (!SEQ_GT(seg->ack, tp->snd_una) || SEQ_GT(seg->ack, tp->snd_max)) {
		tcp_reset_for(tcp_lc(tp->lc), tp->ifidx, seg,
			PTCP_STAT_tcp_rst_tx_bad_ack);
		return SEG_DROP;
	}
	if (tp->rexmt_shift == 0)
		tcp_rtt_update(tp, (uint32_t)tp->lc->now_ms - tp->state_ms);
	tp->rexmt_shift = 0;
	tcp_rexmt_stop(tp);
	tp->snd_una = tp->iss + 1;      /* our SYN is acknowledged */
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	tp->snd_wnd = seg->wnd << tp->snd_wscale;
	tp->snd_wl1 = seg->seq;
	tp->snd_wl2 = seg->ack;
	return tcp_established(tp) ? SEG_CONTINUE : SEG_DROP;
}

/* SND.UNA < SEG.ACK <= SND.MAX: new data (or our FIN) acknowledged. */
static __rte_always_inline void
ack_advance(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	uint32_t acked = seg->ack - tp->snd_una;
	bool fin_acked = (tp->flags & TF_FIN_QUEUED) &&
		SEQ_GT(seg->ack, tp->fin_seq);
	uint32_t data_acked = acked - (fin_acked ? 1 : 0);

	tcp_sndq_drop(tp, data_acked);
	tp->snd_una = seg->ack;
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	if (tp->rtt_start_ms != 0 && SEQ_GT(seg->ack, tp->rtt_seq)) {
		tcp_rtt_update(tp, (uint32_t)tp->lc->now_ms - tp->rtt_start_ms);
		tp->rtt_start_ms = 0;
	}
	tp->rexmt_shift = 0;
	if (tp->snd_una == tp->snd_max)
		tcp_rexmt_stop(tp);
	else
		tcp_rexmt_arm(tp);
	if (seg->opt.nsack != 0)
		tcp_loss_sack(tp, seg);
	tcp_loss_ack(tp, data_acked, acked + (tp->snd_max - tp->snd_una));
}

/*
 * Our FIN acknowledged: FIN-WAIT-1 goes on to FIN-WAIT-2; CLOSING and
 * LAST-ACK end here (SEG_DROP).
 */
static __rte_always_inline enum seg_verdict
ack_our_fin(struct ptcp_conn *tp)
{
	if (!(tp->flags & TF_FIN_QUEUED) || !SEQ_GT(tp->snd_una, tp->fin_seq))
		return SEG_CONTINUE;
	switch (tp->state) {
	case PTCP_TCPS_FIN_WAIT_1:
		tcp_set_state(tp, PTCP_TCPS_FIN_WAIT_2);
		tcp_keep_arm_for_state(tp);
		return SEG_CONTINUE;
	case PTCP_TCPS_CLOSING:
		tcp_enter_timewait(tp);
		return SEG_DROP;
	case PTCP_TCPS_LAST_ACK:
		tcp_conn_drop(tp, PTCP_CLOSE_NORMAL);
		return SEG_DROP;
	default:
		return SEG_CONTINUE;
	}
}

/*
 * Fifth check: the ACK field. The timestamp to echo, the end of the
 * handshake in SYN-RECEIVED, SND.UNA, duplicate ACKs, the send window
 * (SND.WL1/WL2), our FIN.
 */
static __rte_always_inline enum seg_verdict
seg_check_ack(struct ptcp_conn *tp, const struct tcp_seg *seg)
{
	struct ptcp_stats *st = &tp->lc->stats;

	if (!(seg->flags & RTE_TCP_ACK_FLAG))
		return SEG_DROP;

	/* RFC 7323 §4.3: remember the timestamp to echo. */
	if ((tp->flags & TF_TS) && (seg->opt.present & TOF_TS) &&
			SEQ_LEQ(seg->seq, tp->last_ack_sent) &&
			TSTMP_GEQ(seg->opt.tsval, tp->ts_recent)) {
		tp->ts_recent = seg->opt.tsval;
	}

	if (tp->state == PTCP_TCPS_SYN_RECEIVED &&
			ack_syn_received(tp, seg) == SEG_DROP)
		return SEG_DROP;

	if (SEQ_GT(seg->ack, tp->snd_max)) {
		PTCP_STAT_INC(st, tcp_ack_unsent);
		return oow_ack_drop(tp, seg);
	}
	if (SEQ_LT(seg->ack, tp->snd_una)) {
		/* RFC 5961 §5: far below anything we could have sent. */
		if (SEQ_LT(seg->ack, tp->snd_una - RTE_MAX(tp->snd_wnd, 65535u))) {
			challenge_ack(tp, seg);
			return SEG_DROP;
		}
		PTCP_STAT_INC(st, tcp_ack_old);
	}
	/* An acceptable ACK (RFC 5961 §5.2): the peer is there, and a
	 * zero-window probe is answered (RFC 1122 §4.2.2.17). */
	persist_probes(tp) = 0;
	if (SEQ_GT(seg->ack, tp->snd_una)) {
		ack_advance(tp, seg);
	} else if (seg->ack == tp->snd_una && tp->snd_una != tp->snd_max &&
			!(seg->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG))) {
		/*
		 * A duplicate ACK (RFC 5681 §2): no data, same window. With
		 * SACK (RFC 6675 §2), also any ACK with new SACK information,
		 * data or not: in a two-way transfer the ACKs ride on data,
		 * and their blocks are what recovery needs.
		 */
		if ((seg->opt.nsack != 0 && tcp_loss_sack(tp, seg) != 0) ||
				(seg->len == 0 && (seg->wnd << tp->snd_wscale) ==
				 tp->snd_wnd))
			tcp_loss_dupack(tp);
	}
	/* Window update (RFC 9293 §3.10.7.4: SND.WL1/WL2). */
	if (SEQ_LT(tp->snd_wl1, seg->seq) || (tp->snd_wl1 == seg->seq &&
			SEQ_LEQ(tp->snd_wl2, seg->ack))) {
		tp->snd_wnd = seg->wnd << tp->snd_wscale;
		tp->snd_wl1 = seg->seq;
		tp->snd_wl2 = seg->ack;
		if (tp->snd_wnd != 0 && (tp->flags & TF_PERSIST))
			tcp_rexmt_stop(tp);
	}
	return ack_our_fin(tp);
}

/*
 * Seventh: the segment text. In order to the app (with what it joins up
 * from the out-of-order queue), beyond a hole into that queue, after the
 * app closed a RST. The mbuf is consumed in every case (*@mp = NULL).
 * *@fin is set when the peer's FIN is now in order.
 */
static __rte_always_inline enum seg_verdict
seg_text(struct ptcp_conn *tp, const struct tcp_seg *seg, struct rte_mbuf **mp,
		bool *fin)
{
	struct rte_mbuf *m = *mp;

	*mp = NULL;
	*fin = (seg->flags & RTE_TCP_FIN_FLAG) && seg->seq == tp->rcv_nxt;
	if (seg->len != 0) {
		switch (tp->state) {
		case PTCP_TCPS_ESTABLISHED:
		case PTCP_TCPS_FIN_WAIT_1:
		case PTCP_TCPS_FIN_WAIT_2:
			if (tp->flags & TF_ORPHAN) {
				/* Nobody will read it: tell the peer. */
				PTCP_STAT_INC(&tp->lc->stats,
					tcp_data_after_close);
				tcp_send_rst(tp,
					PTCP_STAT_tcp_rst_tx_data_after_close);
				tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
				*mp = m;
				return SEG_DROP;
			}
			if (seg->seq != tp->rcv_nxt) {
				/* Beyond a hole: queued, its FIN too. */
				data_ooo(tp, seg, m);
				*fin = false;
				return SEG_CONTINUE;
			}
			return data_in_order(tp, seg, m, fin) ?
				SEG_CONTINUE : SEG_DROP;
		default:
			/* After the peer's FIN: nothing more can arrive. */
			tp->flags |= TF_ACKNOW;
			break;
		}
	}
	rte_pktmbuf_free(m);
	return SEG_CONTINUE;
}

/* Eighth: the FIN bit. @fin: the peer's FIN is in order. */
static __rte_always_inline enum seg_verdict
seg_check_fin(struct ptcp_conn *tp, const struct tcp_seg *seg, bool fin)
{
	if (fin && !PTCP_TCPS_HAVE_RCVD_FIN(tp->state)) {
		if (!fin_input(tp))
			return SEG_DROP;
	} else if (seg->flags & RTE_TCP_FIN_FLAG) {
		/* A FIN again, or one beyond a hole: (duplicate) ACK. */
		tp->flags |= TF_ACKNOW;
	}
	return SEG_CONTINUE;
}

/*
 * One segment for @tp, in RFC 9293 §3.10.7.4's order: SYN-SENT apart
 * (§3.10.7.3), then one step per check; the first that does not say
 * "continue" ends the segment. Then the output and the writable callback.
 */
static void
do_segment(struct ptcp_conn *tp, struct tcp_seg *seg, struct rte_mbuf *m)
{
	uint32_t idle_since = tp->idle_ms;  /* the last segment before this */
	enum seg_verdict v;
	bool fin = false;

	tp->idle_ms = (uint32_t)tp->lc->now_ms;
	keep_probes(tp) = 0;

	if (tp->state == PTCP_TCPS_SYN_SENT) {
		rte_pktmbuf_free(m);
		syn_sent_input(tp, seg);
		return;
	}

	v = seg_check_seq(tp, seg, &m, idle_since);
	if (v == SEG_CONTINUE)
		v = seg_check_rst(tp, seg);
	/*
	 * Third check, security (RFC 9293 §3.10.7.4): ptcp has no IP
	 * security compartments (RFC 791's security option is not parsed),
	 * so there is nothing to check.
	 */
	if (v == SEG_CONTINUE)
		v = seg_check_syn(tp, seg);
	if (v == SEG_CONTINUE)
		v = seg_check_ack(tp, seg);
	/*
	 * Sixth check, the URG bit: ignored. ptcp has no urgent data
	 * (docs/tcp.md, what is not done yet); the bytes are ordinary data.
	 */
	if (v == SEG_CONTINUE)
		v = seg_text(tp, seg, &m, &fin);
	if (v == SEG_CONTINUE)
		v = seg_check_fin(tp, seg, fin);

	switch (v) {
	case SEG_CONTINUE:
		tcp_output(tp);
		if ((tp->flags & TF_WANT_WRITE) && !(tp->flags & TF_DEAD) &&
				ptcp_send_space(tp) != 0) {
			tp->flags &= ~TF_WANT_WRITE;
			if (tp->ops != NULL && tp->ops->writable != NULL)
				tp->ops->writable(tp);
		}
		return;
	case SEG_ACK_DROP:
		tcp_send_ack(tp);
		/* fall through */
	case SEG_DROP:
		break;
	}
	rte_pktmbuf_free(m);
}

/*
 * Process one segment for @tp. What the app sends or closes from its
 * callbacks meanwhile goes out at the end, with the ACK, in as few
 * segments as it fits.
 */
void
tcp_do_segment(struct ptcp_conn *tp, struct tcp_seg *seg, struct rte_mbuf *m)
{
	TCP_ASSERT_OWNER(tp);
	tp->flags |= TF_IN_INPUT;
	do_segment(tp, seg, m);
	tp->flags &= ~TF_IN_INPUT;
	if (tp->flags & TF_OUTPUT_LATER) {
		tp->flags &= ~TF_OUTPUT_LATER;
		tcp_output(tp);          /* returns at once if tp ended */
	}
	/* An ACK still owed (nothing we sent carried it): its timer. */
	if ((tp->flags & (TF_DELACK | TF_DEAD)) == TF_DELACK)
		tcp_delack_arm(tp);
}

static void
tcp_input_one(struct tcp_lcore *tl, unsigned int ifidx, struct tcp_seg *seg,
		struct rte_mbuf *m, void *owner)
{
	struct tcp_listener *lst;

	if (owner != NULL) {
		if (*(const uint8_t *)owner == TCP_KIND_TCB) {
			tcp_do_segment(owner, seg, m);
			return;
		}
		if (!tcp_tw_input(tl, owner, seg)) {
			rte_pktmbuf_free(m);
			return;
		}
		/* A new SYN reused the TIME-WAIT tuple: on to the listener. */
	}
	lst = tl->draining ? NULL :
		tcp_listener_find(tl, rte_be_to_cpu_16(seg->key.lport));
	if (lst == NULL) {
		tcp_reset_for(tl, ifidx, seg, PTCP_STAT_tcp_rst_tx_no_conn);
		rte_pktmbuf_free(m);
		return;
	}
	tcp_listen_input(tl, ifidx, lst, seg, m);
}

/*
 * Does a bulk-lookup result still stand after earlier segments of the
 * burst changed the table? A live TCB that still owns its tuple does (TCBs
 * are freed only at the end of the pass, so its memory is not reused); a
 * TIME-WAIT entry does if it is still one and for this tuple (entries are
 * freed at once and may be reused); a miss may have become a hit.
 */
static inline bool
owner_still_valid(const void *owner, const struct ptcp_flow_key *k)
{
	const struct ptcp_conn *tp = owner;
	const struct tcp_tw *tw = owner;

	if (owner == NULL)
		return false;
	if (tp->kind == TCP_KIND_TCB)
		return (tp->flags & (TF_DEAD | TF_HASHED)) == TF_HASHED;
	return tw->kind == TCP_KIND_TW && memcmp(&tw->key, k, sizeof(*k)) == 0;
}

void
tcp_input_burst(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n)
{
	struct tcp_lcore *tl = tcp_lc(lc);
	struct tcp_seg segs[PTCP_FLOW_BULK_MAX];
	const struct ptcp_flow_key *keys[PTCP_FLOW_BULK_MAX];
	struct rte_mbuf *ms[PTCP_FLOW_BULK_MAX];
	void *owners[PTCP_FLOW_BULK_MAX];
	unsigned int i, k, chunk;
	uint32_t gen;

	while (n != 0) {
		chunk = RTE_MIN(n, (unsigned int)PTCP_FLOW_BULK_MAX);
		for (i = 0, k = 0; i < chunk; i++) {
			if (tcp_parse(tl, &pkts[i], &segs[k]) != 0) {
				rte_pktmbuf_free(pkts[i]);
				continue;
			}
			ms[k] = pkts[i];
			keys[k] = &segs[k].key;
			k++;
		}
		pkts += chunk;
		n -= chunk;
		if (k == 0)
			continue;
		gen = tl->flow_gen;
		ptcp_flow_lookup_bulk(tl->flows, keys, k, owners);
		/*
		 * With many connections the TCBs are not in cache: ask for
		 * the first two lines of each (what every segment touches,
		 * struct ptcp_conn) while the earlier segments are handled.
		 * A TIME-WAIT entry is one line; the second costs nothing.
		 */
		for (i = 0; i < k; i++) {
			if (owners[i] != NULL) {
				rte_prefetch0(owners[i]);
				rte_prefetch0(RTE_PTR_ADD(owners[i],
					RTE_CACHE_LINE_SIZE));
			}
		}
		for (i = 0; i < k; i++) {
			/* An earlier segment of the burst changed the table. */
			if (tl->flow_gen != gen &&
					!owner_still_valid(owners[i], keys[i]))
				owners[i] = ptcp_flow_lookup(tl->flows, keys[i]);
			tcp_input_one(tl, ifidx, &segs[i], ms[i], owners[i]);
		}
	}
}
