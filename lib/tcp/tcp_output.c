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
	if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && port->tso_frame_in_mtu)
		m->tso_segsz = (uint16_t)RTE_MIN((uint32_t)m->tso_segsz,
			(uint32_t)port->mtu - RTE_ETHER_HDR_LEN - sizeof(*ip) -
			thlen - (lc->ifs[ifidx].vlan_id != 0 ?
			sizeof(struct rte_vlan_hdr) : 0));
	if (port->tx_l4_csum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else if (m->nb_segs == 1) {
		th->cksum = ptcp_ipv4_l4_cksum(ip, th, thlen + plen);
	} else {
		th->cksum = (uint16_t)~tcp_cksum_chain(m, ip, sizeof(*ip),
			thlen + plen);
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

/*
 * Payload of at most this many bytes is copied into the header mbuf; more
 * is attached zero copy (indirect mbufs into the send queue), where the
 * port takes chains.
 */
#define TCP_COPY_MAX 512

/*
 * Find the send-queue segment holding offset *@off (from SND.UNA); *@off
 * becomes the offset within it. Segments go out in order, so the search
 * starts where the last one began (tp->snd_cur) unless @off lies before
 * it: without that, each segment of a long queue would walk it from the
 * head.
 */
static const struct rte_mbuf *
sndq_seek(struct ptcp_conn *tp, uint32_t *off)
{
	uint32_t seq = tp->snd_una + *off, base = tp->snd_una;
	struct rte_mbuf *s = tp->sndq_head;

	if (tp->snd_cur != NULL && SEQ_GEQ(seq, tcp_ooo_seq(tp->snd_cur))) {
		s = tp->snd_cur;
		base = tcp_ooo_seq(s);
		*off = seq - base;
	}
	while (s != NULL && *off >= s->data_len) {
		*off -= s->data_len;
		base += s->data_len;
		s = s->next;
	}
	/* (The head needs no cursor: short queues never pay for one.) */
	if (s != NULL && s != tp->snd_cur && s != tp->sndq_head) {
		tp->snd_cur = s;
		tcp_ooo_set_seq(s, base);
	}
	return s;
}

/* Copy @len bytes at @off of the send queue to the end of @m. */
static int
copy_from_sndq(struct ptcp_conn *tp, struct rte_mbuf *m, uint32_t off,
		uint32_t len)
{
	const struct rte_mbuf *s = sndq_seek(tp, &off);
	uint8_t *dst;
	uint32_t n;

	dst = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (dst == NULL)
		return -1;
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

/*
 * Chain @len bytes at @off of the send queue after @m without copying:
 * one indirect mbuf per send-queue segment touched, each holding a
 * reference on its buffer until the port has sent it.
 */
static int
attach_from_sndq(struct tcp_lcore *tl, struct ptcp_conn *tp,
		struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *s = sndq_seek(tp, &off);
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m), *mi;
	uint32_t n;

	while (len != 0 && s != NULL) {
		n = RTE_MIN(len, (uint32_t)s->data_len - off);
		mi = rte_pktmbuf_alloc(tl->ind_pool);
		if (unlikely(mi == NULL))
			return -1;
		rte_pktmbuf_attach(mi, (struct rte_mbuf *)(uintptr_t)s);
		mi->data_off = (uint16_t)(mi->data_off + off);
		mi->data_len = (uint16_t)n;
		mi->pkt_len = n;
		mi->nb_segs = 1;
		mi->next = NULL;
		last->next = mi;
		last = mi;
		m->nb_segs++;
		m->pkt_len += n;
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

	if (syn) {
		w = RTE_MIN(w, (uint32_t)UINT16_MAX);
		if (SEQ_GT(tp->rcv_nxt + w, tp->rcv_adv))
			tp->rcv_adv = tp->rcv_nxt + w;
		return (uint16_t)w;
	}
	w >>= tp->rcv_wscale;
	w = RTE_MIN(w, (uint32_t)UINT16_MAX);
	/* Never shrink the right edge we already offered (RFC 9293 §3.8.6). */
	if (SEQ_LT(tp->rcv_nxt + (w << tp->rcv_wscale), tp->rcv_adv))
		w = (tp->rcv_adv - tp->rcv_nxt) >> tp->rcv_wscale;
	tp->rcv_adv = tp->rcv_nxt + (w << tp->rcv_wscale);
	return (uint16_t)w;
}

/* Bytes a SACK option of @n blocks takes, with its two NOPs. */
#define SACK_OPT_LEN(n) (4u + 8u * (n))

/*
 * The SACK blocks the next ACK of @tp would carry (RFC 2018): one per
 * out-of-order range held, at most 3 beside timestamps, else 4.
 */
static unsigned int
sack_blocks_due(const struct ptcp_conn *tp)
{
	if (likely(tp->recov == NULL) || !(tp->flags & TF_SACK_OK) ||
			tp->recov->ooo.nb == 0)
		return 0;
	return RTE_MIN(tp->recov->ooo.nb,
		(tp->flags & TF_TS) ? 3u : (unsigned int)TCP_OOO_SACK_MAX);
}

/*
 * Payload bytes a segment of @tp carries at most: t_maxseg (the MSS less
 * timestamps), less the SACK option it will carry, as Linux's
 * tcp_current_mss(). Without that a full segment with SACK blocks is up
 * to 28 bytes over the peer's MSS and the link's MTU.
 */
static uint32_t
seg_mss(const struct ptcp_conn *tp)
{
	unsigned int n = sack_blocks_due(tp);

	if (likely(n == 0))
		return tp->t_maxseg;
	return RTE_MAX(tp->t_maxseg - SACK_OPT_LEN(n), 64u);
}

/*
 * Options of a non-SYN segment: timestamps, SACK blocks (RFC 2018); at
 * most @room bytes of SACK option (what the segment's payload leaves of
 * t_maxseg), so that no frame exceeds the MSS.
 */
static unsigned int
ack_options(struct tcp_lcore *tl, struct ptcp_conn *tp, uint8_t *opt,
		bool ack, uint32_t room)
{
	struct tcp_sack_block blk[TCP_OOO_SACK_MAX];
	unsigned int n = 0, max;
	bool ts = (tp->flags & TF_TS) != 0;

	if (likely(tp->recov == NULL))
		return ts ? tcp_opt_build_ts(opt, tcp_ts_now(tl), tp->ts_recent) :
			0;
	max = ts ? 3 : TCP_OOO_SACK_MAX;
	while (max != 0 && SACK_OPT_LEN(max) > room)
		max--;
	if (ack && (tp->flags & TF_SACK_OK) && tp->recov->ooo.nb != 0 &&
			max != 0) {
		n = tcp_ooo_sack_blocks(&tp->recov->ooo, blk, max);
		PTCP_STAT_ADD(&tl->lc->stats, tcp_sack_blocks_tx, n);
	}
	if (n == 0)
		return ts ? tcp_opt_build_ts(opt, tcp_ts_now(tl), tp->ts_recent) :
			0;
	return tcp_opt_build_ack(opt, ts, tcp_ts_now(tl), tp->ts_recent, blk,
		n);
}

/*
 * Send one segment of @tp: @len bytes from send-queue offset @off (more
 * than one MSS only for TSO). @return 0, or -1 when no mbuf was free.
 */
static int
tcp_xmit(struct ptcp_conn *tp, uint32_t seq, uint8_t flags, uint32_t off,
		uint32_t len)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	const struct ptcp_port *port = tp->lc->ifs[tp->ifidx].port;
	uint8_t opt[TCP_OPT_MAX_LEN];
	unsigned int optlen = 0;
	struct rte_mbuf *m = seg_alloc(tl);
	uint32_t mss = seg_mss(tp), piece;
	uint16_t wnd;
	int ret;

	if (m == NULL)
		return -1;
	if (len == 0)
		ret = 0;
	else if (len <= TCP_COPY_MAX || !port->tx_multi_seg)
		ret = copy_from_sndq(tp, m, off, len);
	else
		ret = attach_from_sndq(tl, tp, m, off, len);
	if (ret != 0) {
		PTCP_STAT_INC(&tl->lc->stats, tx_drop_nombuf);
		rte_pktmbuf_free(m);
		return -1;
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
	} else {
		/* TSO: each piece is seg_mss(); else the segment is len. */
		piece = len > mss ? mss : len;
		optlen = ack_options(tl, tp, opt,
			(flags & RTE_TCP_ACK_FLAG) != 0,
			tp->t_maxseg > piece ? tp->t_maxseg - piece : 0);
	}
	wnd = rcv_wnd_field(tp, flags & RTE_TCP_SYN_FLAG);
	if (flags & RTE_TCP_ACK_FLAG) {
		tp->last_ack_sent = tp->rcv_nxt;
		/* This segment carries the ACK that was owed. */
		tp->flags &= ~(TF_ACKNOW | TF_DELACK);
		tp->delack_segs = 0;
	}
	if (len > mss) {
		/* TSO: the port cuts it into seg_mss() pieces. */
		m->tso_segsz = mss;
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		PTCP_STAT_INC(&tl->lc->stats, tcp_tso_segs);
	}
	seg_send(tl, tp->ifidx, m, &tp->key, seq,
		(flags & RTE_TCP_ACK_FLAG) ? tp->rcv_nxt : 0, flags, wnd, opt,
		optlen);
	return 0;
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

/*
 * A pure ACK carries SND.MAX, not SND.NXT (as BSD): after an RTO rewound
 * SND.NXT, a sequence number below what the peer already has would make
 * the ACK unacceptable there, and its acknowledgment would be ignored;
 * two sides both rewound would then wait on each other forever.
 */
void
tcp_send_ack(struct ptcp_conn *tp)
{
	tp->flags &= ~TF_ACKNOW;
	tcp_xmit(tp, tp->snd_max, RTE_TCP_ACK_FLAG, 0, 0);
}

/*
 * RST|ACK at SND.NXT (abort, RFC 9293 §3.10.5; orphan time-outs). The
 * reason is counted here, the RST itself (tcp_rst_tx) once it is built:
 * they differ only when no mbuf was free.
 */
void
tcp_send_rst(struct ptcp_conn *tp, enum ptcp_stat_id why)
{
	tp->lc->stats.c[why]++;
	tcp_xmit(tp, tp->snd_nxt, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0, 0);
}

/* An ACK one below SND.UNA: makes the peer answer with its ACK and window
 * (keepalive, zero-window probe). */
void
tcp_send_probe(struct ptcp_conn *tp)
{
	tcp_xmit(tp, tp->snd_una - 1, RTE_TCP_ACK_FLAG, 0, 0);
}

/*
 * (Re)send @len bytes from @seq (within [snd_una, snd_max)), without
 * moving snd_nxt: fast retransmit, NewReno's partial ACKs, SACK recovery.
 * The FIN goes along when the range reaches it. @return the sequence
 * space sent (0: no mbuf).
 */
uint32_t
tcp_send_range(struct ptcp_conn *tp, uint32_t seq, uint32_t len)
{
	uint32_t off = seq - tp->snd_una, mss = seg_mss(tp);
	uint8_t flags = RTE_TCP_ACK_FLAG;
	bool fin;

	len = RTE_MIN(len, tp->sndq_len > off ? tp->sndq_len - off : 0);
	/* One segment's worth leaves room for the SACK blocks it carries. */
	if (len > mss && len <= tp->t_maxseg)
		len = mss;
	fin = (tp->flags & TF_FIN_QUEUED) && seq + len == tp->fin_seq &&
		SEQ_LT(tp->fin_seq, tp->snd_max);
	if (len == 0 && !fin)
		return 0;
	if (fin)
		flags |= RTE_TCP_FIN_FLAG;
	if (len != 0 && off + len == tp->sndq_len)
		flags |= RTE_TCP_PSH_FLAG;
	if (tcp_xmit(tp, seq, flags, off, len) != 0)
		return 0;
	PTCP_STAT_INC(&tp->lc->stats, tcp_rexmt);
	/* Karn: no RTT sample from a range sent twice. */
	if (tp->rtt_start_ms != 0 && SEQ_LT(seq, tp->rtt_seq + 1) &&
			SEQ_GT(seq + len, tp->rtt_seq))
		tp->rtt_start_ms = 0;
	return len + (fin ? 1 : 0);
}

/* Largest TSO segment: a 64 KB IP datagram, in whole segments of @mss. */
static uint32_t
tso_max(uint32_t mss)
{
	uint32_t room = 65535 - 20 - 20 - TCP_OPT_MAX_LEN;

	return room / mss * mss;
}

/*
 * Send new data (or data again after an RTO) from snd_nxt: at most
 * @budget bytes of sequence space in this call (UINT32_MAX: no limit),
 * within the peer's window, the congestion window (plus RFC 3042 limited
 * transmit), Nagle and sender SWS avoidance. @return bytes sent.
 */
uint32_t
tcp_output_new(struct ptcp_conn *tp, uint32_t budget)
{
	const struct ptcp_port *port = tp->lc->ifs[tp->ifidx].port;
	struct ptcp_stats *st = &tp->lc->stats;
	uint32_t off, avail, usable, len, wnd, cwnd, sent = 0, maxseg, mss;
	uint8_t flags;
	bool fin;

	/* Nothing new to send, and no FIN waiting: the common case. */
	if (tp->snd_nxt - tp->snd_una >= tp->sndq_len &&
			!((tp->flags & TF_FIN_QUEUED) &&
			  SEQ_LEQ(tp->snd_nxt, tp->fin_seq)))
		return 0;
	cwnd = tp->cc.cwnd;
	if (!(tp->flags & TF_RECOVERY) && tp->dupacks != 0 &&
			tp->dupacks < TCP_DUPTHRESH)
		cwnd += (uint32_t)tp->dupacks * tp->t_maxseg;   /* RFC 3042 */
	wnd = RTE_MIN(tp->snd_wnd, cwnd);
	/* In SACK recovery the caller checked cwnd against the pipe. */
	if ((tp->flags & TF_RECOVERY) && (tp->flags & TF_SACK_OK) &&
			tp->recov != NULL)
		wnd = tp->snd_wnd;
	/* The segment size: t_maxseg less the SACK blocks we owe. */
	mss = seg_mss(tp);
	maxseg = port->tx_tso && tcp_lc(tp->lc)->cfg->tso ? tso_max(mss) : mss;
	while (sent < budget) {
		off = tp->snd_nxt - tp->snd_una;
		avail = tp->sndq_len > off ? tp->sndq_len - off : 0;
		usable = SEQ_GT(tp->snd_una + wnd, tp->snd_nxt) ?
			tp->snd_una + wnd - tp->snd_nxt : 0;
		len = RTE_MIN(RTE_MIN(avail, usable), budget - sent);
		len = RTE_MIN(len, maxseg);
		if (len > mss && len < avail)
			len -= len % mss;            /* whole segments for TSO */
		fin = (tp->flags & TF_FIN_QUEUED) &&
			tp->snd_nxt + len == tp->fin_seq;
		if (len < mss && len < avail &&
				tp->snd_max != tp->snd_una) {
			/* Window-limited runt: wait for the ACK that opens
			 * the window (sender SWS avoidance, RFC 9293
			 * §3.8.6.2.1). */
			break;
		}
		if (len != 0 && len < mss && len == avail && !fin &&
				(tp->flags & TF_NAGLE) &&
				tp->snd_max != tp->snd_una) {
			/* Nagle: one small segment in flight at a time. */
			break;
		}
		if (len == 0 && !fin)
			break;
		flags = RTE_TCP_ACK_FLAG;
		if (fin)
			flags |= RTE_TCP_FIN_FLAG;
		if (len != 0 && len == avail)
			flags |= RTE_TCP_PSH_FLAG;
		if (tcp_xmit(tp, tp->snd_nxt, flags, off, len) != 0)
			break;
		if (len != 0 && tp->rtt_start_ms == 0 &&
				tp->snd_nxt == tp->snd_max) {
			tp->rtt_seq = tp->snd_nxt;
			tp->rtt_start_ms = (uint32_t)tp->lc->now_ms;
			if (tp->rtt_start_ms == 0)
				tp->rtt_start_ms = 1;
		}
		if (len != 0 && SEQ_GEQ(tp->snd_nxt, tp->snd_max))
			PTCP_STAT_ADD(st, tcp_data_bytes_out, len);
		else if (len != 0)
			PTCP_STAT_INC(st, tcp_rexmt);
		else if (fin && SEQ_LT(tp->snd_nxt, tp->snd_max))
			PTCP_STAT_INC(st, tcp_fin_rexmt);
		tp->snd_nxt += len + (fin ? 1 : 0);
		sent += len + (fin ? 1 : 0);
		if (SEQ_GT(tp->snd_nxt, tp->snd_max))
			tp->snd_max = tp->snd_nxt;
		if (!ptcp_timer_pending(&tp->t_rexmt) ||
				(tp->flags & TF_PERSIST)) {
			tp->flags &= ~TF_PERSIST;
			tcp_rexmt_arm(tp);
		}
		if (fin)
			break;
	}
	return sent;
}

void
tcp_output(struct ptcp_conn *tp)
{
	TCP_ASSERT_OWNER(tp);
	if (tp->flags & TF_DEAD)
		return;
	if (!PTCP_TCPS_HAVE_ESTABLISHED(tp->state)) {
		if ((tp->flags & TF_ACKNOW) &&
				tp->state == PTCP_TCPS_SYN_RECEIVED) {
			tp->flags &= ~TF_ACKNOW;
			tcp_xmit(tp, tp->iss, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				0, 0);
		}
		return;
	}
	if ((tp->flags & TF_RECOVERY) && tp->recov != NULL &&
			(tp->flags & TF_SACK_OK))
		tcp_sack_output(tp);
	else
		tcp_output_new(tp, UINT32_MAX);
	if (tp->flags & TF_ACKNOW)
		tcp_send_ack(tp);
	/* Data waits on a zero window with nothing in flight: probe it. */
	if (tp->snd_una == tp->snd_max && tp->sndq_len != 0 &&
			tp->snd_wnd == 0 && !ptcp_timer_pending(&tp->t_rexmt)) {
		tp->flags |= TF_PERSIST;
		tcp_rexmt_arm(tp);
	}
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
		const struct tcp_seg *seg, enum ptcp_stat_id why)
{
	uint32_t ack;

	if (seg->flags & RTE_TCP_RST_FLAG) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_no_conn_drop);
		return;
	}
	/* tcp_no_conn_rst: every reply of this kind, whatever the reason. */
	PTCP_STAT_INC(&tl->lc->stats, tcp_no_conn_rst);
	tl->lc->stats.c[why]++;
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
