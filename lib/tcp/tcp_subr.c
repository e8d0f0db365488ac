/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB life cycle and bookkeeping: allocation, state changes with their
 * per-state counts, the end of a connection (deferred free), the send
 * queue, MSS and window scale choices, the RTO estimator (RFC 6298).
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcp_priv.h"

RTE_LOG_REGISTER(ptcp_logtype_tcp, ptcp.tcp, INFO);

static const char *const state_names[PTCP_TCPS_MAX] = {
	[PTCP_TCPS_CLOSED] = "CLOSED",
	[PTCP_TCPS_LISTEN] = "LISTEN",
	[PTCP_TCPS_SYN_SENT] = "SYN-SENT",
	[PTCP_TCPS_SYN_RECEIVED] = "SYN-RECEIVED",
	[PTCP_TCPS_ESTABLISHED] = "ESTABLISHED",
	[PTCP_TCPS_CLOSE_WAIT] = "CLOSE-WAIT",
	[PTCP_TCPS_FIN_WAIT_1] = "FIN-WAIT-1",
	[PTCP_TCPS_CLOSING] = "CLOSING",
	[PTCP_TCPS_LAST_ACK] = "LAST-ACK",
	[PTCP_TCPS_FIN_WAIT_2] = "FIN-WAIT-2",
	[PTCP_TCPS_TIME_WAIT] = "TIME-WAIT",
};

static const char *const reason_names[PTCP_CLOSE_REASON_MAX] = {
	[PTCP_CLOSE_NORMAL] = "normal",
	[PTCP_CLOSE_RESET] = "reset",
	[PTCP_CLOSE_TIMEOUT] = "timeout",
	[PTCP_CLOSE_REFUSED] = "refused",
	[PTCP_CLOSE_ABORTED] = "aborted",
};

const char *
ptcp_tcp_state_name(unsigned int state)
{
	return state < PTCP_TCPS_MAX ? state_names[state] : "?";
}

const char *
ptcp_close_reason_name(unsigned int reason)
{
	return reason < PTCP_CLOSE_REASON_MAX ? reason_names[reason] : "?";
}

void
tcp_set_state(struct ptcp_conn *tp, unsigned int state)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	unsigned int from = tp->state;

	tl->state_count[from]--;
	tl->state_count[state]++;
	/*
	 * Per edge, as RFC 9293's diagram draws them: a passive open leaves
	 * LISTEN (its TCB is CLOSED only while it is made), and a TCB leaves
	 * TIME-WAIT only to hand over to its compact entry, whose end
	 * counts TIME-WAIT -> CLOSED (tcp_tw_free(), the cap).
	 */
	if (from != state && from != PTCP_TCPS_TIME_WAIT) {
		if (from == PTCP_TCPS_CLOSED && state == PTCP_TCPS_SYN_RECEIVED)
			from = PTCP_TCPS_LISTEN;
		tl->trans[from][state]++;
	}
	TCP_LOG_DP("%s -> %s\n", state_names[tp->state], state_names[state]);
	tp->state = (uint8_t)state;
	tp->state_ms = (uint32_t)tp->lc->now_ms;
}

uint16_t
tcp_our_mss(const struct tcp_lcore *tl, unsigned int ifidx)
{
	uint32_t mtu_mss = (uint32_t)tl->lc->ifs[ifidx].port->mtu - 40;

	return (uint16_t)RTE_MIN((uint32_t)tl->cfg->mss, mtu_mss);
}

uint8_t
tcp_our_wscale(const struct tcp_lcore *tl)
{
	uint8_t ws = 0;

	/* Smallest shift that lets the window field cover rcv_buf. */
	while (ws < TCP_MAX_WSCALE && (tl->cfg->rcv_buf >> ws) > UINT16_MAX)
		ws++;
	return ws;
}

/* The MSS we send with: the peer's, bounded by ours (RFC 9293 §3.7.1). */
void
tcp_set_mss(struct ptcp_conn *tp, uint16_t peer_mss)
{
	uint16_t mss = tcp_our_mss(tcp_lc(tp->lc), tp->ifidx);

	if (peer_mss == 0)
		peer_mss = 536;              /* RFC 9293 default */
	mss = RTE_MIN(mss, peer_mss);
	if (tp->flags & TF_TS)
		mss -= TCP_OPT_TS_LEN;
	tp->t_maxseg = RTE_MAX(mss, (uint16_t)64);
	tcp_cc_conn_init(tp);
}

struct ptcp_conn *
tcp_conn_alloc(struct tcp_lcore *tl, unsigned int ifidx,
		const struct ptcp_flow_key *key)
{
	struct ptcp_conn *tp;
	void *obj;

	if (tcp_nb_conns(tl) >= tl->cfg->max_conns ||
			rte_mempool_get(tl->tcb_pool, &obj) != 0) {
		PTCP_STAT_INC(&tl->lc->stats, tcp_conn_cap);
		return NULL;
	}
	tp = obj;
	memset(tp, 0, sizeof(*tp));
	tp->kind = TCP_KIND_TCB;
	tp->state = PTCP_TCPS_CLOSED;
	tp->ifidx = (uint8_t)ifidx;
	tp->key = *key;
	tp->lc = tl->lc;
	tp->lst_idx = TCP_LST_NONE;
	if (tl->cfg->nagle)
		tp->flags |= TF_NAGLE;
	if (tl->cfg->cc == PTCP_CC_CUBIC)
		tp->flags |= TF_CUBIC;
	tp->state_ms = (uint32_t)tl->lc->now_ms;
	tp->idle_ms = tp->state_ms;
	ptcp_timer_init(&tp->t_rexmt);
	ptcp_timer_init(&tp->t_keep);
	tl->state_count[PTCP_TCPS_CLOSED]++;
	TAILQ_INSERT_TAIL(&tl->conns, tp, link);
	return tp;
}

/*
 * Put @tp in the flow table. Every caller has just seen the tuple missing
 * (a lookup that missed, or a TIME-WAIT entry freed), and the caps on TCBs
 * and TIME-WAIT entries keep the table below its size: no checks again.
 * @return 0 or -ENOSPC.
 */
int
tcp_conn_hash(struct tcp_lcore *tl, struct ptcp_conn *tp)
{
	int ret = ptcp_flow_insert(tl->flows, &tp->key, tp);

	if (ret == 0) {
		tl->flow_gen++;
		tp->flags |= TF_HASHED;
	}
	return ret;
}

void
tcp_flow_del(struct tcp_lcore *tl, const struct ptcp_flow_key *k)
{
	if (ptcp_flow_del(tl->flows, k) == 0)
		tl->flow_gen++;
}

void
tcp_sndq_free(struct ptcp_conn *tp)
{
	struct rte_mbuf *m = tp->sndq_head, *next;

	while (m != NULL) {
		next = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	tp->sndq_head = tp->sndq_tail = tp->snd_cur = NULL;
	tp->sndq_len = 0;
}

/* Drop @bytes from the front of the send queue (they were acknowledged). */
void
tcp_sndq_drop(struct ptcp_conn *tp, uint32_t bytes)
{
	struct rte_mbuf *m;

	bytes = RTE_MIN(bytes, tp->sndq_len);
	tp->sndq_len -= bytes;
	while (bytes != 0 && (m = tp->sndq_head) != NULL) {
		if (m == tp->snd_cur)
			tp->snd_cur = NULL;   /* freed, or its start moves */
		if (m->data_len <= bytes) {
			bytes -= m->data_len;
			tp->sndq_head = m->next;
			m->next = NULL;
			m->nb_segs = 1;
			rte_pktmbuf_free_seg(m);
		} else {
			m->data_off += (uint16_t)bytes;
			m->data_len -= (uint16_t)bytes;
			bytes = 0;
		}
	}
	/* Empty segments may remain at the head; skip them too. */
	while ((m = tp->sndq_head) != NULL && m->data_len == 0 &&
			m != tp->sndq_tail) {
		if (m == tp->snd_cur)
			tp->snd_cur = NULL;
		tp->sndq_head = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
	if (tp->sndq_head == NULL)
		tp->sndq_tail = NULL;
}

/*
 * End a connection: out of the flow table, timers stopped, data freed,
 * the app told (unless it never saw the connection), and the TCB queued
 * for freeing at the end of the pass (callers up the stack may still
 * hold it). Idempotent.
 */
void
tcp_conn_drop(struct ptcp_conn *tp, enum ptcp_close_reason why)
{
	struct tcp_lcore *tl = tcp_lc(tp->lc);
	struct ptcp_timer_wheel *w = &tl->wheel;

	if (tp->flags & TF_DEAD)
		return;
	tp->flags |= TF_DEAD;
	ptcp_timer_cancel(w, &tp->t_rexmt);
	ptcp_timer_cancel(w, &tp->t_keep);
	if (tp->flags & TF_IN_BACKLOG) {
		tcp_conn_listener(tp)->nsynrcvd--;
		tp->flags &= ~TF_IN_BACKLOG;
	}
	/* Unless a TIME-WAIT entry took the tuple over. */
	if (tp->flags & TF_HASHED) {
		tcp_flow_del(tl, &tp->key);
		tp->flags &= ~TF_HASHED;
	}
	tcp_sndq_free(tp);
	if (tp->recov != NULL)
		tcp_recov_free(tp);
	tcp_set_state(tp, PTCP_TCPS_CLOSED);
	TAILQ_REMOVE(&tl->conns, tp, link);
	TAILQ_INSERT_TAIL(&tl->dead, tp, link);
	if ((tp->flags & TF_NOTIFIED) && tp->ops != NULL &&
			tp->ops->closed != NULL)
		tp->ops->closed(tp, why);
}

void
tcp_conn_free_dead(struct tcp_lcore *tl)
{
	struct ptcp_conn *tp;

	while ((tp = TAILQ_FIRST(&tl->dead)) != NULL) {
		TAILQ_REMOVE(&tl->dead, tp, link);
		tl->state_count[PTCP_TCPS_CLOSED]--;
		tp->kind = 0;
		rte_mempool_put(tl->tcb_pool, tp);
	}
}

/* RFC 6298 §2: a new RTT sample (tcp_cc.c has the arithmetic). */
void
tcp_rtt_update(struct ptcp_conn *tp, uint32_t rtt)
{
	const struct ptcp_tcp_config *cfg = tcp_lc(tp->lc)->cfg;

	tcp_rtt_estimate(&tp->srtt_ms8, &tp->rttvar_ms4, rtt, cfg->rto_min_ms,
		cfg->rto_max_ms);
}

/* The RTO with exponential backoff applied. */
uint32_t
tcp_rexmt_ms(const struct ptcp_conn *tp)
{
	const struct ptcp_tcp_config *cfg = tcp_lc(tp->lc)->cfg;
	uint64_t ms = (uint64_t)tcp_rto_of(tp->srtt_ms8, tp->rttvar_ms4,
		cfg->rto_init_ms, cfg->rto_min_ms, cfg->rto_max_ms) <<
		RTE_MIN(tp->rexmt_shift, 20);

	return (uint32_t)RTE_MIN(ms, (uint64_t)cfg->rto_max_ms);
}

struct tcp_listener *
tcp_listener_find(struct tcp_lcore *tl, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		if (tl->listeners[i].port == port)
			return &tl->listeners[i];
	return NULL;
}

/*
 * Cut @len bytes from the front of the payload chain @m (rte_pktmbuf_adj
 * only reaches into the first segment). Segments left empty are freed,
 * except the last. @return the new head.
 */
struct rte_mbuf *
tcp_mbuf_cut_front(struct rte_mbuf *m, uint32_t len)
{
	uint32_t pkt_len = m->pkt_len;
	uint16_t nb = m->nb_segs;
	struct rte_mbuf *n;

	while (len != 0 && len >= m->data_len && m->next != NULL) {
		n = m->next;
		len -= m->data_len;
		pkt_len -= m->data_len;
		nb--;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = n;
	}
	len = RTE_MIN(len, (uint32_t)m->data_len);
	m->data_off = (uint16_t)(m->data_off + len);
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len = pkt_len - len;
	m->nb_segs = nb;
	return m;
}

/* Cut @len bytes from the back of the payload chain @m. */
void
tcp_mbuf_cut_back(struct rte_mbuf *m, uint32_t len)
{
	uint32_t keep = len >= m->pkt_len ? 0 : m->pkt_len - len, acc = 0;
	struct rte_mbuf *s;
	uint16_t nb = 1;

	for (s = m; s != NULL; s = s->next, nb++) {
		if (acc + s->data_len >= keep || s->next == NULL) {
			s->data_len = (uint16_t)(keep - acc);
			if (s->next != NULL) {
				rte_pktmbuf_free(s->next);
				s->next = NULL;
			}
			break;
		}
		acc += s->data_len;
	}
	m->pkt_len = keep;
	m->nb_segs = nb;
}
