/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: segments of a connection (tcp_output, SYN, ACK, RST,
 * probes) and stateless replies (RST for no connection, cookie SYN-ACKs,
 * TIME-WAIT ACKs).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "tcp_priv.h"

/* Headers are prepended into the mbuf's headroom. */
_Static_assert(14 + 20 + 20 + TCP_OPT_MAX_LEN <= RTE_PKTMBUF_HEADROOM,
	"Ethernet + IPv4 + TCP with options must fit the mbuf headroom");

/*
 * Prepend TCP (with @optlen bytes of @opt) and IPv4 headers to @m (which
 * holds the payload, possibly none), checksum, and send it.
 */
static void
seg_send(struct tcp_lcore *tl, unsigned int ifidx, struct rte_mbuf *m,
		const struct ptcp_flow_key *key, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, const uint8_t *opt,
		unsigned int optlen)
{
	struct ptcp_lcore *lc = tl->lc;
	const struct ptcp_port *port = lc->ifs[ifidx].port;
	uint32_t plen = rte_pktmbuf_pkt_len(m);
	unsigned int thlen = sizeof(struct rte_tcp_hdr) + optlen;
	struct rte_tcp_hdr *th;
	struct rte_ipv4_hdr *ip;

	th = (struct rte_tcp_hdr *)rte_pktmbuf_prepend(m, (uint16_t)thlen);
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip));
	if (unlikely(th == NULL || ip == NULL)) {
		PTCP_STAT_INC(&lc->stats, tx_drop_nombuf);
		rte_pktmbuf_free(m);
		return;
	}
	th->src_port = key->lport;
	th->dst_port = key->rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((thlen / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(wnd);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (optlen != 0)
		memcpy(th + 1, opt, optlen);
	ptcp_ipv4_fill(ip, key->laddr, key->raddr, IPPROTO_TCP,
		(uint16_t)(thlen + plen), lc->ttl, lc->ip_id++,
		port->tx_ip_csum);
	m->l3_len = sizeof(*ip);
	m->l4_len = (uint8_t)thlen;
	if (port->tx_l4_csum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else {
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
	PTCP_STAT_INC(&lc->stats, tcp_segs_out);
	if (flags & RTE_TCP_RST_FLAG)
		PTCP_STAT_INC(&lc->stats, tcp_rst_tx);
	ptcp_ip_output(lc, ifidx, m);
}

static struct rte_mbuf *
seg_alloc(struct tcp_lcore *tl)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(tl->lc->pool);

	if (unlikely(m == NULL))
		PTCP_STAT_INC(&tl->lc->stats, tx_drop_nombuf);
	return m;
}

/* Copy @len bytes at @off of the send queue into @m. */
static int
copy_from_sndq(const struct ptcp_conn *tp, struct rte_mbuf *m, uint32_t off,
		uint32_t len)
{
	const struct rte_mbuf *s = tp->sndq_head;
	uint8_t *dst;
	uint32_t n;

	dst = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (dst == NULL)
		return -1;
	while (s != NULL && off >= s->data_len) {
		off -= s->data_len;
		s = s->next;
	}
	while (len != 0 && s != NULL) {
		n = RTE_MIN(len, (uint32_t)s->data_len - off);
		memcpy(dst, rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n);
		dst += n;
		len -= n;
		off = 0;
		s = s->next;
	}
	return len == 0 ? 0 : -1;
}

/* The window we advertise now, in the field's units. */
static uint16_t
rcv_wnd_field(struct ptcp_conn *tp, bool syn)
{
	uint32_t w = tcp_rcv_space(tp);

	if (syn)
		return (uint16_t)RTE_MIN(w, (uint32_t)UINT16_MAX);
	w >>= tp->rcv_wscale;
	w = RTE_MIN(w, (uint32_t)UINT16_MAX);
	/* Never shrink the right edge we already offered (RFC 9293 §3.8.6). */
	if (SEQ_LT(tp->rcv_nxt + (w << tp->rcv_wscale), tp->rcv_adv))
		w = (tp->rcv_adv - tp->rcv_nxt) >> tp->rcv_wscale;
	tp->rcv_adv = tp->rcv_nxt + (w << tp->rcv_wscale);
	return (uint16_t)w;
}

/* Send one segment of @tp: @len bytes from send-queue offset @off. */
static void
tcp_xmit(struct ptcp_conn *tp, uint32_t seq, uint8_t flags, uint32_t off,
		uint32_t len)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	uint8_t opt[TCP_OPT_MAX_LEN];
	unsigned int optlen = 0;
	struct rte_mbuf *m = seg_alloc(tl);
	uint16_t wnd;

	if (m == NULL)
		return;
	if (len != 0 && copy_from_sndq(tp, m, off, len) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (flags & RTE_TCP_SYN_FLAG) {
		struct tcp_opts o = {
			.present = TOF_MSS,
			.mss = tcp_our_mss(tl, tp->ifidx),
		};

		/* On a SYN-ACK, only what the SYN offered (RFC 7323 §2.2). */
		if (tl->cfg->window_scaling &&
				(!(flags & RTE_TCP_ACK_FLAG) || (tp->flags & TF_WS))) {
			o.present |= TOF_WSCALE;
			o.wscale = tp->rcv_wscale;
		}
		if (tl->cfg->sack &&
				(!(flags & RTE_TCP_ACK_FLAG) || (tp->flags & TF_SACK_OK)))
			o.present |= TOF_SACKOK;
		if (tl->cfg->timestamps &&
				(!(flags & RTE_TCP_ACK_FLAG) || (tp->flags & TF_TS))) {
			o.present |= TOF_TS;
			o.tsval = tcp_ts_now(tl);
			o.tsecr = (flags & RTE_TCP_ACK_FLAG) ? tp->ts_recent : 0;
		}
		optlen = tcp_opt_build_syn(opt, &o);
	} else if (tp->flags & TF_TS) {
		optlen = tcp_opt_build_ts(opt, tcp_ts_now(tl), tp->ts_recent);
	}
	wnd = rcv_wnd_field(tp, flags & RTE_TCP_SYN_FLAG);
	if (flags & RTE_TCP_ACK_FLAG)
		tp->last_ack_sent = tp->rcv_nxt;
	seg_send(tl, tp->ifidx, m, &tp->key, seq,
		(flags & RTE_TCP_ACK_FLAG) ? tp->rcv_nxt : 0, flags, wnd, opt,
		optlen);
}

/* SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED), first or again. */
void
tcp_send_syn(struct ptcp_conn *tp)
{
	uint8_t flags = RTE_TCP_SYN_FLAG;

	if (tp->state == PTCP_TCPS_SYN_RECEIVED)
		flags |= RTE_TCP_ACK_FLAG;
	tcp_xmit(tp, tp->iss, flags, 0, 0);
	tp->snd_nxt = tp->iss + 1;
	if (SEQ_GT(tp->snd_nxt, tp->snd_max))
		tp->snd_max = tp->snd_nxt;
	tcp_rexmt_arm(tp);
}

void
tcp_send_ack(struct ptcp_conn *tp)
{
	tp->flags &= (uint16_t)~TF_ACKNOW;
	tcp_xmit(tp, tp->snd_nxt, RTE_TCP_ACK_FLAG, 0, 0);
}

/* RST|ACK at SND.NXT (abort, RFC 9293 §3.10.5; orphan time-outs). */
void
tcp_send_rst(struct ptcp_conn *tp)
{
	tcp_xmit(tp, tp->snd_nxt, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, 0);
}

/* An ACK one below SND.UNA: makes the peer answer with its ACK and window
 * (keepalive, zero-window probe). */
void
tcp_send_probe(struct ptcp_conn *tp)
{
	tcp_xmit(tp, tp->snd_una - 1, RTE_TCP_ACK_FLAG, 0, 0);
}

void
tcp_output(struct ptcp_conn *tp)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	uint32_t off, avail, usable, len;
	uint8_t flags;
	bool fin;

	if (tp->flags & TF_DEAD)
		return;
	if (!PTCP_TCPS_HAVE_ESTABLISHED(tp->state)) {
		if ((tp->flags & TF_ACKNOW) &&
				tp->state == PTCP_TCPS_SYN_RECEIVED) {
			tp->flags &= (uint16_t)~TF_ACKNOW;
			tcp_xmit(tp, tp->iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				0, 0);
		}
		return;
	}
	for (;;) {
		off = tp->snd_nxt - tp->snd_una;
		avail = tp->sndq_len > off ? tp->sndq_len - off : 0;
		usable = SEQ_GT(tp->snd_una + tp->snd_wnd, tp->snd_nxt) ?
			tp->snd_una + tp->snd_wnd - tp->snd_nxt : 0;
		len = RTE_MIN(RTE_MIN(avail, usable), (uint32_t)tp->t_maxseg);
		fin = (tp->flags & TF_FIN_QUEUED) &&
			tp->snd_nxt + len == tp->fin_seq;
		if (len == 0 && !fin)
			break;
		flags = RTE_TCP_ACK_FLAG;
		if (fin)
			flags |= RTE_TCP_FIN_FLAG;
		if (len != 0 && len == avail)
			flags |= RTE_TCP_PSH_FLAG;
		if (len != 0 && tp->rtt_start_ms == 0 &&
				tp->snd_nxt == tp->snd_max) {
			tp->rtt_seq = tp->snd_nxt;
			tp->rtt_start_ms = (uint32_t)tp->lc->now_ms;
		}
		if (len != 0 && SEQ_GEQ(tp->snd_nxt, tp->snd_max))
			PTCP_STAT_ADD(&tp->lc->stats, tcp_data_bytes_out, len);
		else if (len != 0)
			PTCP_STAT_INC(&tp->lc->stats, tcp_rexmt);
		else if (fin && SEQ_LT(tp->snd_nxt, tp->snd_max))
			PTCP_STAT_INC(&tp->lc->stats, tcp_fin_rexmt);
		tcp_xmit(tp, tp->snd_nxt, flags, off, len);
		tp->flags &= (uint16_t)~TF_ACKNOW;
		tp->snd_nxt += len + (fin ? 1 : 0);
		if (SEQ_GT(tp->snd_nxt, tp->snd_max))
			tp->snd_max = tp->snd_nxt;
		if (!ptcp_timer_pending(&tp->t_rexmt) ||
				(tp->flags & TF_PERSIST)) {
			tp->flags &= (uint16_t)~TF_PERSIST;
			tcp_rexmt_arm(tp);
		}
		if (fin)
			break;
	}
	if (tp->flags & TF_ACKNOW)
		tcp_send_ack(tp);
	/* Data waits on a zero window with nothing in flight: probe it. */
	if (tp->snd_una == tp->snd_max && tp->sndq_len != 0 &&
			tp->snd_wnd == 0 && !ptcp_timer_pending(&tp->t_rexmt)) {
		tp->flags |= TF_PERSIST;
		tcp_rexmt_arm(tp);
	}
	RTE_SET_USED(tl);
}

void
tcp_respond(struct tcp_lcore *tl, unsigned int ifidx,
		const struct ptcp_flow_key *key, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, const struct tcp_opts *ts)
{
	uint8_t opt[TCP_OPT_TS_LEN];
	unsigned int optlen = 0;
	struct rte_mbuf *m = seg_alloc(tl);

	if (m == NULL)
		return;
	if (ts != NULL && (ts->present & TOF_TS))
		optlen = tcp_opt_build_ts(opt, ts->tsval, ts->tsecr);
	seg_send(tl, ifidx, m, key, seq, ack, flags, wnd, opt, optlen);
}

/*
 * RST for a segment that belongs to no connection (RFC 9293 §3.10.7.1):
 * never for a RST; seq = SEG.ACK when the segment has ACK, else seq 0 and
 * RST|ACK acknowledging all it occupied.
 */
void
tcp_reset_for(struct tcp_lcore *tl, unsigned int ifidx,
		const struct tcp_seg *seg)
{
	uint32_t ack;

	if (seg->flags & RTE_TCP_RST_FLAG) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_no_conn_drop);
		return;
	}
	PTCP_STAT_INC(&tl->lc->stats, tcp_no_conn_rst);
	if (seg->flags & RTE_TCP_ACK_FLAG) {
		tcp_respond(tl, ifidx, &seg->key, seg->ack, 0, RTE_TCP_RST_FLAG,
			0, NULL);
		return;
	}
	ack = seg->seq + seg->len;
	if (seg->flags & RTE_TCP_SYN_FLAG)
		ack++;
	if (seg->flags & RTE_TCP_FIN_FLAG)
		ack++;
	tcp_respond(tl, ifidx, &seg->key, 0, ack,
		RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, NULL);
}

void
tcp_send_synack_cookie(struct tcp_lcore *tl, unsigned int ifidx,
		const struct tcp_seg *seg, uint32_t cookie, uint16_t mss,
		bool with_ts, int wscale, bool sack)
{
	uint8_t opt[TCP_OPT_MAX_LEN];
	struct tcp_opts o = { .present = TOF_MSS, .mss = mss };
	struct rte_mbuf *m = seg_alloc(tl);
	unsigned int optlen;

	if (m == NULL)
		return;
	if (wscale >= 0) {
		o.present |= TOF_WSCALE;
		o.wscale = tcp_our_wscale(tl);
	}
	if (sack && with_ts)
		o.present |= TOF_SACKOK;
	if (with_ts) {
		o.present |= TOF_TS;
		o.tsval = tcp_cookie_tsval(tcp_ts_now(tl), wscale, sack);
		o.tsecr = seg->opt.tsval;
	}
	optlen = tcp_opt_build_syn(opt, &o);
	seg_send(tl, ifidx, m, &seg->key, cookie, seg->seq + 1,
		RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		(uint16_t)RTE_MIN(tl->cfg->rcv_buf, (uint32_t)UINT16_MAX), opt,
		optlen);
}

/* RFC 5961 §7: a per-lcore budget of challenge ACKs per second. */
bool
tcp_challenge_ack_allowed(struct tcp_lcore *tl)
{
	uint64_t sec = tl->lc->now_ms / 1000;

	if (sec != tl->challenge_sec) {
		tl->challenge_sec = sec;
		tl->challenge_count = 0;
	}
	if (tl->challenge_count >= tl->cfg->challenge_ack_limit) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_challenge_ack_limited);
		return false;
	}
	tl->challenge_count++;
	PTCP_STAT_INC(&tl->lc->stats, tcp_challenge_ack);
	return true;
}
