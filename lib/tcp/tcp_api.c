/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application API (ptcp_tcp.h): listen, connect, send, shutdown,
 * close, abort; and TCP's attachment to the engine's workers (attach,
 * drain at shutdown, detach).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

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
			opts->keepalive_cnt > UINT8_MAX)))
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
	return lc->nb_workers <= 1 ||
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
	/* The port whose subnet holds the peer, else one with a gateway. */
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
	if (opts->laddr != 0 && !ptcp_ipv4_is_ours(&lc->ifs[ifidx].ip,
			opts->laddr)) {
		rte_errno = EINVAL;
		return NULL;
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
	 * by half the buffer; otherwise the next ACK carries it.
	 */
	offered = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	now = tcp_rcv_space(tp);
	if ((offered < tp->t_maxseg && now >= tp->t_maxseg) ||
			now >= offered + tcp_rcv_buf(tp) / 2) {
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

static void
observable_set(const struct ptcp_engine *e, bool on)
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
static void __rte_cold
snap_serve(struct tcp_lcore *tl)
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
	s->total = tl->nb_conns;
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

/* ------------------------------------------------------------------ */
/* Attach, drain, detach                                               */
/* ------------------------------------------------------------------ */

/* Mbufs free again after a send failed for lack of them. */
#define NOBUFS_RESUME_MBUFS 64

/*
 * A send refused for lack of mbufs has no ACK to wait for: once the pool
 * has room again, call writable for every connection that asked. Rare, so
 * a walk of the lcore's connections is fine.
 */
static void
nobufs_resume(struct tcp_lcore *tl)
{
	struct ptcp_conn *tp, *next;

	if (rte_mempool_avail_count(tl->lc->pool) < NOBUFS_RESUME_MBUFS)
		return;
	tl->nobufs_waiting = false;
	for (tp = TAILQ_FIRST(&tl->conns); tp != NULL; tp = next) {
		next = TAILQ_NEXT(tp, link);
		if (!(tp->flags & TF_WANT_WRITE) || ptcp_send_space(tp) == 0)
			continue;
		tp->flags &= ~TF_WANT_WRITE;
		if (tp->ops != NULL && tp->ops->writable != NULL)
			tp->ops->writable(tp);
		if (next != NULL && (next->flags & TF_DEAD))
			next = TAILQ_FIRST(&tl->conns);
	}
}

static void
tcp_poll(struct ptcp_lcore *lc)
{
	struct tcp_lcore *tl = tcp_lc(lc);

	if (unlikely(tl->nobufs_waiting))
		nobufs_resume(tl);
	if (!TAILQ_EMPTY(&tl->dead))
		tcp_conn_free_dead(tl);
	/* Another thread asks for a listing (ptcp_tcp_snapshot()). */
	if (unlikely(__atomic_load_n(&tl->snap_state, __ATOMIC_RELAXED) ==
			TCP_SNAP_ASKED))
		snap_serve(tl);
}

/*
 * Our timestamp clock (TSval, RFC 7323): milliseconds since boot plus an
 * offset fixed for the boot (a hash of the kernel's boot_id), so that
 * it never goes back when the process restarts: a peer holding one of our
 * old tuples in TIME-WAIT checks the new SYN's TSval against the old
 * connection's (PAWS, RFC 6191), and a clock that restarted lower would
 * see every such SYN refused. The offset keeps the uptime from the peer.
 * @return the offset that turns the lcore's ms clock into it.
 */
static uint32_t
ts_clock_offset(const struct ptcp_engine *e)
{
	static const struct tcp_secret public_key;   /* boot_id is the secret */
	char boot_id[64] = "";
	struct timespec ts;
	uint64_t boot_ms, now_ms;
	uint32_t per_boot = 0;
	FILE *f;

	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f != NULL) {
		if (fgets(boot_id, sizeof(boot_id), f) != NULL)
			per_boot = (uint32_t)tcp_siphash(&public_key, boot_id,
				(unsigned int)strlen(boot_id));
		fclose(f);
	}
	clock_gettime(CLOCK_BOOTTIME, &ts);
	boot_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	now_ms = ptcp_tsc_to(rte_rdtsc() - e->start_tsc, e->tsc_hz, 1000);
	return (uint32_t)(boot_ms + per_boot - now_ms);
}

static int
tcp_lcore_create(struct ptcp_engine *e, struct ptcp_lcore *lc, char *err,
		size_t errlen)
{
	const struct ptcp_config *cfg = &e->cfg;
	int sock = (int)rte_lcore_to_socket_id(lc->lcore_id);
	struct ptcp_timer_wheel_conf wc = {
		.tick_ns = (uint64_t)cfg->tick_us * 1000,
		.tsc_hz = e->tsc_hz,
		.start_tsc = e->start_tsc,
		/* A level-3 slot holding 360K timers (10M live) would be moved
		 * down in one ~55 ms pass; spread it (docs/timer.md). */
		.max_cascade = 4096,
	};
	struct tcp_lcore *tl;
	char name[RTE_MEMPOOL_NAMESIZE];

	tl = rte_zmalloc_socket("ptcp_tcp_lcore", sizeof(*tl),
			RTE_CACHE_LINE_SIZE, sock);
	if (tl == NULL) {
		snprintf(err, errlen, "worker %u: out of memory", lc->idx);
		return -ENOMEM;
	}
	lc->l4 = tl;
	tl->lc = lc;
	tl->cfg = &e->cfg.tcp;
	TAILQ_INIT(&tl->conns);
	TAILQ_INIT(&tl->dead);
	tcp_secret_init(&tl->secret);
	tl->ts_offset = ts_clock_offset(e);
	tl->lport_next = (uint32_t)rte_rand();
	tl->tick_us = cfg->tick_us;
	snprintf(name, sizeof(name), "ptcp%u_flow_%u", e->id, lc->idx);
	tl->flows = ptcp_flow_table_create(name,
		cfg->tcp.max_conns + cfg->tcp.max_tw, sock);
	if (tl->flows == NULL) {
		snprintf(err, errlen, "worker %u: cannot create a flow table of "
			"%u entries: %s (raise -m, or lower [tcp] max_conns / "
			"max_tw)", lc->idx, cfg->tcp.max_conns + cfg->tcp.max_tw,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "ptcp%u_tcb_%u", e->id, lc->idx);
	tl->tcb_pool = ptcp_obj_pool_create(name, cfg->tcp.max_conns,
		sizeof(struct ptcp_conn), sock);
	if (tl->tcb_pool == NULL) {
		snprintf(err, errlen, "worker %u: cannot create %u TCBs: %s "
			"(raise -m, or lower [tcp] max_conns)", lc->idx,
			cfg->tcp.max_conns, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (cfg->tcp.max_tw != 0) {
		snprintf(name, sizeof(name), "ptcp%u_tw_%u", e->id, lc->idx);
		tl->tw_pool = ptcp_obj_pool_create(name, cfg->tcp.max_tw,
			sizeof(struct tcp_tw), sock);
		if (tl->tw_pool == NULL) {
			snprintf(err, errlen, "worker %u: cannot create %u "
				"TIME-WAIT entries: %s (raise -m, or lower [tcp] "
				"max_tw)", lc->idx, cfg->tcp.max_tw,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	if (cfg->tcp.max_recovery != 0) {
		snprintf(name, sizeof(name), "ptcp%u_rcv_%u", e->id, lc->idx);
		tl->recov_pool = ptcp_obj_pool_create(name, cfg->tcp.max_recovery,
			sizeof(struct tcp_recov), sock);
		if (tl->recov_pool == NULL) {
			snprintf(err, errlen, "worker %u: cannot create %u "
				"recovery blocks: %s (raise -m, or lower [tcp] "
				"max_recovery)", lc->idx, cfg->tcp.max_recovery,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	/* Indirect mbufs (no data room) for zero-copy transmission. */
	snprintf(name, sizeof(name), "ptcp%u_ind_%u", e->id, lc->idx);
	tl->ind_pool = rte_pktmbuf_pool_create(name, cfg->mbufs,
		RTE_MIN(cfg->mbuf_cache, (uint32_t)RTE_MEMPOOL_CACHE_MAX_SIZE),
		0, 0, sock);
	if (tl->ind_pool == NULL) {
		snprintf(err, errlen, "worker %u: cannot create %u indirect "
			"mbufs: %s (raise -m, or lower [mempool] mbufs)",
			lc->idx, cfg->mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	tl->ooo_max = cfg->tcp.ooo_max != 0 ? cfg->tcp.ooo_max :
		(cfg->tcp.rcv_buf > UINT32_MAX / 2 ? UINT32_MAX :
		 2 * cfg->tcp.rcv_buf);
	if (ptcp_timer_wheel_init(&tl->wheel, &wc) != 0) {
		snprintf(err, errlen, "worker %u: bad timer configuration",
			lc->idx);
		return -EINVAL;
	}
	tcp_timers_register(tl);
	lc->wheel = &tl->wheel;
	lc->l4_input = tcp_input_burst;
	lc->l4_poll = tcp_poll;
	return 0;
}

int
ptcp_tcp_attach(struct ptcp_engine *e, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	if (tcp_ooo_register() != 0) {
		snprintf(err, errlen, "cannot register the mbuf field of the "
			"out-of-order queue: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < e->nb_lcores; i++) {
		ret = tcp_lcore_create(e, e->lcores[i], err, errlen);
		if (ret != 0) {
			ptcp_tcp_detach(e);
			return ret;
		}
	}
	observable_set(e, true);
	return 0;
}

/*
 * Free every TIME-WAIT entry. Each batch is collected, then freed, and the
 * walk goes on from where it was: starting every batch again from the
 * first slot made the drain quadratic (each batch walked past every slot
 * freed before it: 5 s for 33k entries in a table sized for max_tw = 2M,
 * hours for 2M). Deleting may move a later key of the same bucket chain
 * into a slot already walked (rte_hash compacts its chains), so a pass
 * that freed anything is followed by another; the last one finds none.
 */
static void
tw_free_all(struct tcp_lcore *tl)
{
	const struct ptcp_flow_key *k;
	struct tcp_tw *batch[64];
	unsigned int n, i;
	uint32_t next;
	void *owner;
	bool freed;

	do {
		freed = false;
		next = 0;
		do {
			n = 0;
			while (n < RTE_DIM(batch) && ptcp_flow_iterate(
					tl->flows, &next, &k, &owner) == 0)
				if (*(const uint8_t *)owner == TCP_KIND_TW)
					batch[n++] = owner;
			for (i = 0; i < n; i++)
				tcp_tw_free(tl, batch[i]);
			freed = freed || n != 0;
		} while (n == RTE_DIM(batch));
	} while (freed);
}

void
ptcp_tcp_drain(struct ptcp_lcore *lc)
{
	struct tcp_lcore *tl = tcp_lc(lc);
	struct ptcp_conn *tp, *next;
	uint64_t end;
	unsigned int i;


	if (tl == NULL)
		return;
	tl->draining = true;
	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		if (tl->listeners[i].port != 0)
			ptcp_unlisten(lc, tl->listeners[i].port);
	/*
	 * FIN every synchronized connection; reset half-open ones. A closed
	 * callback may end other connections: when the next one left the
	 * list, start again from the head (closing twice is harmless).
	 */
	for (tp = TAILQ_FIRST(&tl->conns); tp != NULL; tp = next) {
		next = TAILQ_NEXT(tp, link);
		if (PTCP_TCPS_HAVE_ESTABLISHED(tp->state))
			ptcp_close(tp);
		else
			ptcp_abort(tp);
		if (next != NULL && (next->flags & TF_DEAD))
			next = TAILQ_FIRST(&tl->conns);
	}
	end = rte_rdtsc() + tl->cfg->drain_ms * lc->eng->tsc_hz / 1000;
	while (!TAILQ_EMPTY(&tl->conns) && rte_rdtsc() < end)
		ptcp_lcore_poll(lc);
	/* Whatever is left is reset: no peer stays half-open. */
	while ((tp = TAILQ_FIRST(&tl->conns)) != NULL) {
		PTCP_STAT_INC(&lc->stats, tcp_shutdown_rst);
		ptcp_abort(tp);
	}
	tw_free_all(tl);
	ptcp_lcore_poll(lc);       /* send the RSTs, free the TCBs */
}

void
ptcp_tcp_detach(struct ptcp_engine *e)
{
	struct tcp_lcore *tl;
	struct ptcp_conn *tp;
	unsigned int i;

	/* Waits for an observer (telemetry) reading it now. */
	observable_set(e, false);
	for (i = 0; i < e->nb_lcores; i++) {
		struct ptcp_lcore *lc = e->lcores[i];

		tl = lc != NULL ? tcp_lc(lc) : NULL;
		if (tl == NULL)
			continue;
		if (tl->tcb_pool != NULL) {
			/* Connections left (no drain): gone without a word. */
			while ((tp = TAILQ_FIRST(&tl->conns)) != NULL) {
				tp->flags &= ~TF_NOTIFIED;
				tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
			}
			tcp_conn_free_dead(tl);
		}
		if (tl->flows != NULL && tl->tw_pool != NULL)
			tw_free_all(tl);
		lc->l4_input = NULL;
		lc->l4_poll = NULL;
		lc->wheel = NULL;
		lc->l4 = NULL;
		/* A listing that timed out while the worker filled it. */
		if (tl->snap_state != TCP_SNAP_IDLE)
			free(tl->snap);
		ptcp_flow_table_free(tl->flows);
		rte_mempool_free(tl->tcb_pool);
		rte_mempool_free(tl->tw_pool);
		rte_mempool_free(tl->recov_pool);
		rte_mempool_free(tl->ind_pool);
		rte_free(tl);
	}
}
