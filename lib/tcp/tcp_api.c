/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application API (ptcp_tcp.h): listen, connect, send, shutdown,
 * close, abort, and a connection's accessors. The per-lcore life cycle
 * (attach, drain, detach) is in tcp_lcore.c; what observers read (state
 * counts, connection snapshots) in tcp_snapshot.c.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "tcp_priv.h"

/* ------------------------------------------------------------------ */
/* Listen                                                               */
/* ------------------------------------------------------------------ */

int
ptcp_listen(struct ptcp_lcore *lc, uint16_t port,
		const struct ptcp_tcp_ops *ops, void *arg,
		const struct ptcp_listen_opts *opts)
{
	struct tcp_lcore *tl = tcp_lc(lc);
	const struct ptcp_tcp_config *cfg = tl->cfg;
	struct tcp_listener *l;

	/* The TCB keeps them in 16 and 8 bits. */
	if (port == 0 || (opts != NULL && (opts->keepalive_idle_s > UINT16_MAX ||
			opts->keepalive_intvl_s > UINT16_MAX ||
			opts->keepalive_cnt > UINT8_MAX ||
			opts->idle_timeout_s > UINT16_MAX)))
		return -EINVAL;
	if (tcp_listener_find(tl, port) != NULL)
		return -EADDRINUSE;
	l = tcp_listener_find(tl, 0);
	if (l == NULL)
		return -ENOSPC;
	memset(l, 0, sizeof(*l));
	l->port = port;
	l->ops = ops;
	l->arg = arg;
	l->backlog = opts != NULL && opts->backlog != 0 ? opts->backlog :
		cfg->syn_backlog;
	l->keepalive = opts != NULL && opts->keepalive >= 0 ? opts->keepalive :
		cfg->keepalive;
	l->keep_idle_s = (uint16_t)(opts != NULL && opts->keepalive_idle_s ?
		opts->keepalive_idle_s : cfg->keepalive_idle_s);
	l->keep_intvl_s = (uint16_t)(opts != NULL && opts->keepalive_intvl_s ?
		opts->keepalive_intvl_s : cfg->keepalive_intvl_s);
	l->keep_cnt = (uint8_t)(opts != NULL && opts->keepalive_cnt ?
		opts->keepalive_cnt : cfg->keepalive_cnt);
	l->idle_to_s = (uint16_t)(opts != NULL ? opts->idle_timeout_s : 0);
	return 0;
}

int
ptcp_unlisten(struct ptcp_lcore *lc, uint16_t port)
{
	struct tcp_lcore *tl = tcp_lc(lc);
	struct tcp_listener *l = port != 0 ? tcp_listener_find(tl, port) : NULL;
	struct ptcp_conn *tp, *next;

	if (l == NULL)
		return -ENOENT;
	/*
	 * Half-open connections of this listener are reset; established ones
	 * only forget it. Dropping moves a TCB to the dead list: take the
	 * next one first.
	 */
	for (tp = TAILQ_FIRST(&tl->conns); tp != NULL; tp = next) {
		next = TAILQ_NEXT(tp, link);
		if (tp->lst_idx != (uint8_t)(l - tl->listeners))
			continue;
		if (tp->state == PTCP_TCPS_SYN_RECEIVED) {
			tcp_send_rst(tp, tl->draining ?
				PTCP_STAT_tcp_rst_tx_drain :
				PTCP_STAT_tcp_rst_tx_abort);
			tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
		}
		tp->flags &= ~TF_IN_BACKLOG;
		tp->lst_idx = TCP_LST_NONE;
	}
	l->port = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Connect                                                              */
/* ------------------------------------------------------------------ */

/*
 * Will the peer's segments for @k reach this worker? With several, a
 * tuple belongs to the worker its symmetric hash maps to on the port (the
 * NIC's RSS or software steering sends every segment there).
 */
static inline bool
tuple_is_ours(const struct ptcp_lcore *lc, unsigned int ifidx,
		const struct ptcp_flow_key *k)
{
	return lc->eng->nb_lcores <= 1 ||
		ptcp_port_owner(lc->ifs[ifidx].port, ptcp_rss_hash(k->raddr,
			k->laddr, k->rport, k->lport)) == lc->idx;
}

/* Take @k for a new connection: free, or a TIME-WAIT entry safe to reuse. */
static int
tuple_take(struct tcp_lcore *tl, const struct ptcp_flow_key *k)
{
	void *owner = ptcp_flow_lookup(tl->flows, k);

	if (owner == NULL)
		return 0;
	if (*(const uint8_t *)owner == TCP_KIND_TW &&
			tcp_tw_reusable_by_connect(tl, owner)) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_tw_reuse_connect);
		tcp_tw_free(tl, owner);
		return 0;
	}
	return -EADDRINUSE;
}

struct ptcp_conn *
ptcp_connect(struct ptcp_lcore *lc, const struct ptcp_connect_opts *opts,
		const struct ptcp_tcp_ops *ops)
{
	struct tcp_lcore *tl = tcp_lc(lc);
	struct ptcp_flow_key k;
	struct ptcp_conn *tp;
	unsigned int ifidx, i, n, lo, hi;
	uint16_t p;

	if (opts == NULL || opts->raddr == 0 || opts->rport == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	/*
	 * With a local address, the interface (port or VLAN) that has it: two
	 * VLANs may hold the same subnet, each its own link. Without, the
	 * first interface whose subnet holds the peer, else the first with a
	 * gateway.
	 */
	if (opts->laddr != 0) {
		for (ifidx = 0; ifidx < lc->nb_ifs; ifidx++)
			if (ptcp_ipv4_is_ours(&lc->ifs[ifidx].ip, opts->laddr))
				break;
		if (ifidx == lc->nb_ifs || (lc->ifs[ifidx].gateway == 0 &&
				!ptcp_ipv4_on_link(&lc->ifs[ifidx].ip,
				opts->raddr))) {
			rte_errno = EINVAL;
			return NULL;
		}
	} else {
		for (ifidx = 0; ifidx < lc->nb_ifs; ifidx++)
			if (ptcp_ipv4_on_link(&lc->ifs[ifidx].ip, opts->raddr))
				break;
		if (ifidx == lc->nb_ifs)
			for (ifidx = 0; ifidx < lc->nb_ifs; ifidx++)
				if (lc->ifs[ifidx].gateway != 0)
					break;
		if (ifidx == lc->nb_ifs) {
			rte_errno = ENETUNREACH;
			return NULL;
		}
	}
	k.laddr = opts->laddr != 0 ? opts->laddr : lc->ifs[ifidx].ip.addr;
	k.raddr = opts->raddr;
	k.pad = 0;
	k.rport = rte_cpu_to_be_16(opts->rport);
	if (opts->lport != 0) {
		k.lport = rte_cpu_to_be_16(opts->lport);
		if (!tuple_is_ours(lc, ifidx, &k)) {
			rte_errno = EXDEV;
			return NULL;
		}
		if (tuple_take(tl, &k) != 0) {
			rte_errno = EADDRINUSE;
			return NULL;
		}
	} else {
		lo = opts->lport_min != 0 ? opts->lport_min : 32768;
		hi = opts->lport_max != 0 ? opts->lport_max : 60999;
		if (hi < lo) {
			rte_errno = EINVAL;
			return NULL;
		}
		n = hi - lo + 1;
		for (i = 0; i < n; i++) {
			p = (uint16_t)(lo + (tl->lport_next + i) % n);
			k.lport = rte_cpu_to_be_16(p);
			/* With N workers, one port in N is ours. */
			if (tuple_is_ours(lc, ifidx, &k) &&
					tuple_take(tl, &k) == 0)
				break;
		}
		if (i == n) {
			PTCP_STAT_INC(&lc->stats, tcp_port_exhausted);
			rte_errno = EADDRNOTAVAIL;
			return NULL;
		}
		tl->lport_next += i + 1;
	}
	tp = tcp_conn_alloc(tl, ifidx, &k);
	if (tp == NULL) {
		rte_errno = ENOBUFS;
		return NULL;
	}
	tp->ops = ops;
	tp->arg = opts->arg;
	tp->flags |= TF_ACTIVE | TF_NOTIFIED;
	tp->rcv_wscale = tl->cfg->window_scaling ? tcp_our_wscale(tl) : 0;
	tcp_set_mss(tp, 0);
	tp->iss = tcp_isn(&tl->secret, k.laddr, k.lport, k.raddr, k.rport,
		ptcp_tsc_to(lc->now_tsc, lc->eng->tsc_hz, 1000000));
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	if (tcp_conn_hash(tl, tp) != 0) {
		tp->flags &= ~TF_NOTIFIED;
		tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
		rte_errno = ENOBUFS;
		return NULL;
	}
	tcp_set_state(tp, PTCP_TCPS_SYN_SENT);
	PTCP_STAT_INC(&lc->stats, tcp_active_open);
	tcp_send_syn(tp);
	return tp;
}

/* ------------------------------------------------------------------ */
/* Send, shutdown, close, abort                                        */
/* ------------------------------------------------------------------ */

static int
send_check(const struct ptcp_conn *tp)
{
	if ((tp->flags & (TF_DEAD | TF_FIN_QUEUED)) != 0)
		return -EPIPE;
	if (!PTCP_TCPS_HAVE_ESTABLISHED(tp->state))
		return -ENOTCONN;
	return 0;
}

void
ptcp_recv_hold(struct ptcp_conn *tp, uint32_t bytes)
{
	tp->rcv_held = bytes > UINT32_MAX - tp->rcv_held ? UINT32_MAX :
		tp->rcv_held + bytes;
}

void
ptcp_recv_release(struct ptcp_conn *tp, uint32_t bytes)
{
	uint32_t offered, now;

	tp->rcv_held -= RTE_MIN(bytes, tp->rcv_held);
	if ((tp->flags & TF_DEAD) || !PTCP_TCPS_HAVE_ESTABLISHED(tp->state) ||
			PTCP_TCPS_HAVE_RCVD_FIN(tp->state))
		return;
	/*
	 * RFC 1122 4.2.3.3 (receiver SWS avoidance): tell the peer at once
	 * when the window grows from less than a segment to at least one, or
	 * by half the buffer; otherwise the next ACK carries it. What can
	 * be offered is bounded by the window field (65535 << scale): an
	 * "update" that offers nothing more would only be a duplicate ACK.
	 */
	offered = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	now = RTE_MIN(tcp_rcv_space(tp) >> tp->rcv_wscale,
		(uint32_t)UINT16_MAX) << tp->rcv_wscale;
	if (now > offered && ((offered < tp->t_maxseg && now >= tp->t_maxseg) ||
			now >= offered + tcp_rcv_buf(tp) / 2)) {
		tp->flags |= TF_ACKNOW;
		tcp_output_app(tp);
	}
}

uint32_t
ptcp_send_space(const struct ptcp_conn *tp)
{
	uint32_t buf = tcp_lc(tp->lc)->cfg->snd_buf;

	if (send_check(tp) != 0)
		return 0;
	return tp->sndq_len >= buf ? 0 : buf - tp->sndq_len;
}

static void
sndq_append(struct ptcp_conn *tp, struct rte_mbuf *seg)
{
	seg->next = NULL;
	if (tp->sndq_tail == NULL)
		tp->sndq_head = seg;
	else
		tp->sndq_tail->next = seg;
	tp->sndq_tail = seg;
}

int
ptcp_send(struct ptcp_conn *tp, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	struct rte_mbuf *m = tp->sndq_tail;
	uint32_t space = ptcp_send_space(tp), done = 0, n;
	int ret = send_check(tp);
	char *dst;

	TCP_ASSERT_OWNER(tp);
	if (ret != 0)
		return ret;
	if (len > space) {
		tp->flags |= TF_WANT_WRITE;
		len = space;
	}
	/* Fill the tail first when it is our own, unshared buffer. */
	if (m != NULL && RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
			m->pool == tp->lc->pool) {
		n = RTE_MIN((uint32_t)len, (uint32_t)rte_pktmbuf_tailroom(m));
		if (n != 0) {
			memcpy(rte_pktmbuf_mtod_offset(m, char *, m->data_len),
				src, n);
			m->data_len += (uint16_t)n;
			m->pkt_len = m->data_len;
			done += n;
		}
	}
	while (done < len) {
		m = rte_pktmbuf_alloc(tp->lc->pool);
		if (m == NULL) {
			/* tcp_poll() calls writable once mbufs are back,
			 * even if no segment from the peer comes first. */
			PTCP_STAT_INC(&tp->lc->stats, tx_drop_nombuf);
			tp->flags |= TF_WANT_WRITE;
			tcp_lc(tp->lc)->nobufs_waiting = true;
			break;
		}
		n = RTE_MIN((uint32_t)(len - done),
			(uint32_t)rte_pktmbuf_tailroom(m));
		dst = rte_pktmbuf_append(m, (uint16_t)n);
		memcpy(dst, src + done, n);
		sndq_append(tp, m);
		done += n;
	}
	tp->sndq_len += done;
	if (done == 0 && len != 0)
		return -ENOBUFS;
	tcp_output_app(tp);
	return (int)done;
}

int
ptcp_send_mbuf(struct ptcp_conn *tp, struct rte_mbuf *m)
{
	struct rte_mbuf *seg, *next;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	int ret = send_check(tp);

	TCP_ASSERT_OWNER(tp);
	if (ret != 0)
		return ret;
	if (len > ptcp_send_space(tp)) {
		tp->flags |= TF_WANT_WRITE;
		return -ENOBUFS;
	}
	for (seg = m; seg != NULL; seg = next) {
		next = seg->next;
		if (seg->data_len == 0) {
			seg->next = NULL;
			seg->nb_segs = 1;
			rte_pktmbuf_free_seg(seg);
			continue;
		}
		seg->nb_segs = 1;
		seg->pkt_len = seg->data_len;
		sndq_append(tp, seg);
	}
	tp->sndq_len += len;
	tcp_output_app(tp);
	return 0;
}

int
ptcp_shutdown(struct ptcp_conn *tp)
{
	TCP_ASSERT_OWNER(tp);
	if (tp->flags & (TF_DEAD | TF_FIN_QUEUED))
		return -EPIPE;
	switch (tp->state) {
	case PTCP_TCPS_SYN_RECEIVED:
		/* RFC 9293 §3.10.4: queued until ESTABLISHED, where
		 * tcp_established() goes on to FIN-WAIT-1. */
		tp->flags |= TF_FIN_QUEUED;
		tp->fin_seq = tp->iss + 1 + tp->sndq_len;
		return 0;
	case PTCP_TCPS_ESTABLISHED:
		tcp_set_state(tp, PTCP_TCPS_FIN_WAIT_1);
		break;
	case PTCP_TCPS_CLOSE_WAIT:
		tcp_set_state(tp, PTCP_TCPS_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	tp->flags |= TF_FIN_QUEUED;
	tp->flags &= ~TF_WANT_WRITE;
	tp->fin_seq = tp->snd_una + tp->sndq_len;
	tcp_keep_arm_for_state(tp);
	tcp_output_app(tp);
	return 0;
}

int
ptcp_close(struct ptcp_conn *tp)
{
	TCP_ASSERT_OWNER(tp);
	if (tp->flags & TF_DEAD)
		return 0;
	if (tp->state == PTCP_TCPS_SYN_SENT) {
		tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
		return 0;
	}
	tp->flags |= TF_ORPHAN;
	if (!(tp->flags & TF_FIN_QUEUED))
		ptcp_shutdown(tp);
	else
		tcp_keep_arm_for_state(tp);    /* FIN-WAIT-2 limit */
	return 0;
}

void
ptcp_abort(struct ptcp_conn *tp)
{
	TCP_ASSERT_OWNER(tp);
	if (tp->flags & TF_DEAD)
		return;
	if (PTCP_TCPS_HAVE_ESTABLISHED(tp->state) ||
			tp->state == PTCP_TCPS_SYN_RECEIVED)
		tcp_send_rst(tp, tcp_lc(tp->lc)->draining ?
			PTCP_STAT_tcp_rst_tx_drain : PTCP_STAT_tcp_rst_tx_abort);
	tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
}

void
ptcp_conn_set_nagle(struct ptcp_conn *tp, bool on)
{
	if (on) {
		tp->flags |= TF_NAGLE;
	} else if (tp->flags & TF_NAGLE) {
		tp->flags &= ~TF_NAGLE;
		/* What Nagle held back may go now. */
		tcp_output_app(tp);
	}
}

void *
ptcp_conn_arg(const struct ptcp_conn *tp)
{
	return tp->arg;
}

void
ptcp_conn_set_arg(struct ptcp_conn *tp, void *arg)
{
	tp->arg = arg;
}

enum ptcp_tcp_state
ptcp_conn_state(const struct ptcp_conn *tp)
{
	return (enum ptcp_tcp_state)tp->state;
}

void
ptcp_conn_tuple(const struct ptcp_conn *tp, uint32_t *laddr, uint16_t *lport,
		uint32_t *raddr, uint16_t *rport)
{
	if (laddr != NULL)
		*laddr = tp->key.laddr;
	if (lport != NULL)
		*lport = rte_be_to_cpu_16(tp->key.lport);
	if (raddr != NULL)
		*raddr = tp->key.raddr;
	if (rport != NULL)
		*rport = rte_be_to_cpu_16(tp->key.rport);
}

struct ptcp_lcore *
ptcp_conn_lcore(const struct ptcp_conn *tp)
{
	return tp->lc;
}
