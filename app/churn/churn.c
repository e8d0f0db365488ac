/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp-churn's per-lcore workload (churn.h). One connection:
 *
 *   churn_lcore_step()  ptcp_connect()            -> connecting FIFO
 *   connected           latency recorded, request queued -> exchanging FIFO
 *   data                response counted (and checked); when it is whole:
 *                         client: ptcp_close()   server: wait for the FIN
 *                         rst:    ptcp_abort()
 *                       (--closer mix, HTTP: each connection takes the
 *                       next of client, server, rst at its open; the
 *                       server's turn asks for Connection: close)
 *   peer_closed         before the whole response: short; else (server
 *                       closer) ptcp_close()
 *   closed              ok, or a failure by reason; context back to free
 *
 * Until a first connection has an answer (connected or closed), an lcore
 * opens one at a time: its first SYN waits on ARP for the next hop, and
 * ARP holds only a few packets per next hop ([arp] pending), so a full
 * burst then would lose SYNs to a 1 s retransmission.
 *
 * Connect and I/O time limits are fixed lengths, so each is a FIFO in
 * start order and only its head is checked (O(1) per pass). Nothing here
 * allocates after churn_lcore_init(), takes a lock, or logs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "churn.h"
#include "rr_pattern.h"

/* Most opens one rate-mode pass makes (the rest wait for the next). */
#define RATE_BURST 64
/* After ptcp_connect() fails for lack of ports or memory: wait this long. */
#define BACKOFF_MS 1
/* Longest HTTP response head we read. */
#define HTTP_HEAD_MAX 16384

static const char *const closer_names[CHURN_CLOSER_MAX] = {
	[CHURN_CLOSE_CLIENT] = "client",
	[CHURN_CLOSE_SERVER] = "server",
	[CHURN_CLOSE_RST] = "rst",
	[CHURN_CLOSE_MIX] = "mix",
};

static const char *const fail_names[CHURN_FAIL_MAX] = {
	[CHURN_FAIL_REFUSED] = "refused",
	[CHURN_FAIL_TIMEOUT] = "timeout",
	[CHURN_FAIL_RESET] = "reset",
	[CHURN_FAIL_SHORT] = "short",
	[CHURN_FAIL_BAD] = "bad_response",
	[CHURN_FAIL_PORT] = "port_exhausted",
	[CHURN_FAIL_NOMEM] = "nomem",
	[CHURN_FAIL_OTHER] = "other",
};

const char *
churn_closer_name(unsigned int closer)
{
	return closer < CHURN_CLOSER_MAX ? closer_names[closer] : "?";
}

int
churn_closer_parse(const char *name)
{
	unsigned int k;

	for (k = 0; k < CHURN_CLOSER_MAX; k++)
		if (strcmp(name, closer_names[k]) == 0)
			return (int)k;
	return -1;
}

const char *
churn_fail_name(unsigned int kind)
{
	return kind < CHURN_FAIL_MAX ? fail_names[kind] : "?";
}

/* ----- the HTTP response head, scanned as it arrives ----- */

enum { H_STATUS = 0, H_LINE, H_NAME, H_VALUE, H_SKIP };

static const char content_length[] = "content-length:";

/*
 * Scan @p n bytes at @p p of a response head. *@p used: how many belong
 * to the head (the rest is body; h->in_body is set when the head ended).
 * @return 0, or -1 when the head is malformed or too long
 */
static int
http_scan(struct churn_http *h, const uint8_t *p, uint32_t n, uint32_t *used)
{
	uint32_t i;
	uint8_t ch;

	for (i = 0; i < n && !h->in_body; i++) {
		ch = p[i];
		if (++h->head > HTTP_HEAD_MAX)
			return -1;
		switch (h->state) {
		case H_STATUS:         /* HTTP/1.1 200 OK */
			if (ch == '\n') {
				if (h->sp == 0)
					return -1;
				h->state = H_LINE;
			} else if (ch == ' ') {
				h->sp++;
			} else if (h->sp == 1 && ch != '\r') {
				if (ch < '0' || ch > '9' || h->status >= 100)
					return -1;
				h->status = (uint16_t)(h->status * 10 + ch - '0');
			}
			break;
		case H_LINE:
			if (ch == '\r')
				break;
			if (ch == '\n') {
				h->in_body = true;       /* the empty line */
				break;
			}
			h->match = 0;
			h->state = H_NAME;
			/* fall through */
		case H_NAME:
			if (ch == '\n') {
				h->state = H_LINE;
				break;
			}
			if ((ch | 0x20) == (uint8_t)content_length[h->match] ||
					ch == (uint8_t)content_length[h->match]) {
				if (++h->match == sizeof(content_length) - 1) {
					h->state = H_VALUE;
					h->body = 0;
				}
			} else {
				h->state = H_SKIP;
			}
			break;
		case H_VALUE:
			if (ch >= '0' && ch <= '9') {
				if (h->body > (UINT64_MAX - 9) / 10)
					return -1;
				h->body = h->body * 10 + (uint64_t)(ch - '0');
				h->have_len = true;
			} else if (ch == '\n') {
				h->state = H_LINE;
			} else if (ch != ' ' && ch != '\t' && ch != '\r') {
				return -1;
			}
			break;
		default:               /* H_SKIP */
			if (ch == '\n')
				h->state = H_LINE;
			break;
		}
	}
	*used = i;
	return 0;
}

/* ----- one connection ----- */

static void
conn_fail(struct churn_conn *x, enum churn_fail kind)
{
	if (x->failed)
		return;
	x->failed = true;
	x->cl->st.fail[kind]++;
}

/* Fail and RST: closed runs before this returns (x goes back to free). */
static void
conn_abort(struct churn_conn *x, enum churn_fail kind)
{
	conn_fail(x, kind);
	ptcp_abort(x->c);
}

/* Queue what TCP takes of the request. */
static void
conn_send(struct churn_conn *x)
{
	struct churn_lcore *cl = x->cl;
	const struct churn_params *p = cl->p;
	bool close = x->closer == CHURN_CLOSE_SERVER;
	const char *req = close ? cl->http_close : cl->http_req;
	uint64_t total = !p->http ? p->request :
		close ? cl->http_close_len : cl->http_req_len;
	const void *src;
	uint32_t n;
	int ret;

	while (x->sent < total) {
		n = (uint32_t)RTE_MIN(total - x->sent,
				(uint64_t)RR_PATTERN_CHUNK);
		src = p->http ? (const void *)(req + x->sent) :
			(const void *)rr_pattern_at(cl->pattern, x->sent);
		ret = ptcp_send(x->c, src, n);
		if (ret == -ENOBUFS)
			return;                 /* writable follows */
		if (ret < 0) {
			conn_abort(x, CHURN_FAIL_OTHER);
			return;
		}
		x->sent += (uint32_t)ret;
		cl->st.bytes_out += (uint32_t)ret;
		if ((uint32_t)ret < n)
			return;
	}
}

/* The whole response is in: close as --closer says. */
static void
conn_done(struct churn_conn *x)
{
	x->done = true;
	x->phase = CP_CLOSING;
	switch (x->closer) {
	case CHURN_CLOSE_RST:
		ptcp_abort(x->c);               /* closed(ABORTED) runs now */
		break;
	case CHURN_CLOSE_SERVER:
		if (x->peer_fin)
			ptcp_close(x->c);
		break;
	default:
		ptcp_close(x->c);
		break;
	}
}

/* rr: count and check @p n response bytes at @p d. @return 0, -1 bad */
static int
rr_take(struct churn_conn *x, const uint8_t *d, uint32_t n)
{
	const struct churn_params *p = x->cl->p;
	uint32_t i;

	if (x->got + n > p->response)
		return -1;
	if (p->verify)
		for (i = 0; i < n; i++)
			if (d[i] != rr_pattern_byte(x->got + i))
				return -1;
	x->got += n;
	return 0;
}

/* HTTP: scan the head, then count the body. @return 0, -1 bad */
static int
http_take(struct churn_conn *x, const uint8_t *d, uint32_t n)
{
	struct churn_http *h = &x->h;
	uint32_t used = 0;

	if (!h->in_body) {
		if (http_scan(h, d, n, &used) != 0)
			return -1;
		if (h->in_body && (h->status < 200 || h->status > 299))
			return -1;
	}
	n -= used;
	if (n == 0)
		return 0;
	if (h->have_len && x->got + n > h->body)
		return -1;
	x->got += n;
	return 0;
}

static bool
response_whole(const struct churn_conn *x)
{
	if (!x->cl->p->http)
		return x->got == x->cl->p->response;
	return x->h.in_body && x->h.have_len && x->got == x->h.body;
}

static void
cb_connected(struct ptcp_conn *c)
{
	struct churn_conn *x = ptcp_conn_arg(c);
	struct churn_lcore *cl = x->cl;
	uint64_t now = cl->lc->now_tsc;

	TAILQ_REMOVE(&cl->connecting, x, link);
	cl->warm = true;
	hist_record(&cl->lat, (uint64_t)((double)(now - x->t0) *
			cl->ns_per_tsc));
	x->t0 = now;
	x->phase = CP_EXCHANGE;
	TAILQ_INSERT_TAIL(&cl->exchanging, x, link);
	cl->st.connected++;
	cl->st.established++;
	conn_send(x);
	if (!x->failed && response_whole(x))     /* --response 0 */
		conn_done(x);
}

static void
cb_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct churn_conn *x = ptcp_conn_arg(c);
	const struct rte_mbuf *s;
	int bad = 0;

	x->cl->st.bytes_in += m->pkt_len;
	if (x->phase != CP_EXCHANGE) {
		bad = 1;                        /* more than the response */
	} else {
		for (s = m; s != NULL && bad == 0; s = s->next) {
			const uint8_t *d = rte_pktmbuf_mtod(s, const uint8_t *);

			bad = x->cl->p->http ? http_take(x, d, s->data_len) :
				rr_take(x, d, s->data_len);
		}
	}
	rte_pktmbuf_free(m);
	if (bad != 0) {
		conn_abort(x, CHURN_FAIL_BAD);
		return;
	}
	if (response_whole(x))
		conn_done(x);
}

static void
cb_writable(struct ptcp_conn *c)
{
	struct churn_conn *x = ptcp_conn_arg(c);

	if (x->phase == CP_EXCHANGE)
		conn_send(x);
}

static void
cb_peer_closed(struct ptcp_conn *c)
{
	struct churn_conn *x = ptcp_conn_arg(c);

	x->peer_fin = true;
	if (x->done) {
		if (x->closer == CHURN_CLOSE_SERVER)
			ptcp_close(c);
		return;
	}
	/* HTTP without Content-Length: the body ends with the connection. */
	if (x->cl->p->http && x->h.in_body && !x->h.have_len) {
		conn_done(x);           /* peer_fin is set: every closer closes */
		return;
	}
	conn_fail(x, CHURN_FAIL_SHORT);
	ptcp_close(c);
}

static void
cb_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct churn_conn *x = ptcp_conn_arg(c);
	struct churn_lcore *cl;
	bool ok;

	if (x == NULL)
		return;
	cl = x->cl;
	cl->warm = true;
	ok = x->done && (why == PTCP_CLOSE_NORMAL ||
		(why == PTCP_CLOSE_ABORTED &&
			x->closer == CHURN_CLOSE_RST));
	if (x->failed) {
		/* counted when it failed */
	} else if (ok) {
		cl->st.ok++;
	} else if (cl->draining) {
		cl->st.unfinished++;
	} else {
		switch (why) {
		case PTCP_CLOSE_REFUSED:
			conn_fail(x, CHURN_FAIL_REFUSED);
			break;
		case PTCP_CLOSE_TIMEOUT:
			conn_fail(x, CHURN_FAIL_TIMEOUT);
			break;
		case PTCP_CLOSE_RESET:
			conn_fail(x, CHURN_FAIL_RESET);
			break;
		case PTCP_CLOSE_NORMAL:
			conn_fail(x, CHURN_FAIL_SHORT);
			break;
		default:
			conn_fail(x, CHURN_FAIL_OTHER);
			break;
		}
	}
	if (x->phase == CP_CONNECTING) {
		TAILQ_REMOVE(&cl->connecting, x, link);
	} else {
		TAILQ_REMOVE(&cl->exchanging, x, link);
		cl->st.established--;
	}
	ptcp_conn_set_arg(c, NULL);
	x->phase = CP_FREE;
	x->c = NULL;
	TAILQ_INSERT_HEAD(&cl->free, x, link);      /* warm first */
	cl->st.open--;
}

static const struct ptcp_tcp_ops churn_ops = {
	.connected = cb_connected,
	.data = cb_data,
	.writable = cb_writable,
	.peer_closed = cb_peer_closed,
	.closed = cb_closed,
};

/* ----- the lcore ----- */

/* One ptcp_connect(). @return 0, or -1: stop opening in this pass */
static int
open_one(struct churn_lcore *cl, uint64_t now)
{
	const struct churn_params *p = cl->p;
	struct ptcp_connect_opts o = {
		.raddr = p->raddr,
		.rport = p->rport,
		.lport_min = cl->lport_min,
		.lport_max = cl->lport_max,
	};
	struct churn_conn *x = TAILQ_FIRST(&cl->free);
	struct ptcp_conn *c;
	enum churn_fail kind;

	cl->to_open--;
	if (x == NULL) {
		cl->st.fail[CHURN_FAIL_NOMEM]++;
		return -1;
	}
	o.arg = x;
	if (p->nb_src == 0) {
		c = ptcp_connect(cl->lc, &o, &churn_ops);
	} else {
		/* Source addresses in turn; one whose ports are all taken
		 * gives its turn to the next. */
		unsigned int k;

		c = NULL;
		for (k = 0; k < p->nb_src && c == NULL; k++) {
			o.laddr = p->src[cl->src_next++ % p->nb_src];
			c = ptcp_connect(cl->lc, &o, &churn_ops);
			if (c == NULL && rte_errno != EADDRNOTAVAIL)
				break;
		}
	}
	if (c == NULL) {
		switch (rte_errno) {
		case EADDRNOTAVAIL:
			kind = CHURN_FAIL_PORT;
			cl->st.exhausted_tsc = now;
			cl->next_sample = 0;    /* TIME-WAIT count: now */
			break;
		case ENOBUFS:
			kind = CHURN_FAIL_NOMEM;
			break;
		default:
			kind = CHURN_FAIL_OTHER;
			break;
		}
		cl->st.fail[kind]++;
		cl->backoff_until = now + p->tsc_hz * BACKOFF_MS / 1000;
		return -1;
	}
	TAILQ_REMOVE(&cl->free, x, link);
	memset(&x->h, 0, sizeof(x->h));
	x->c = c;
	x->t0 = now;
	x->sent = x->got = 0;
	x->phase = CP_CONNECTING;
	x->done = x->failed = x->peer_fin = false;
	x->closer = p->closer;
	if (p->closer == CHURN_CLOSE_MIX) {
		x->closer = cl->mix_next;
		cl->mix_next = (uint8_t)((cl->mix_next + 1) % CHURN_CLOSE_MIX);
	}
	TAILQ_INSERT_TAIL(&cl->connecting, x, link);
	cl->st.open++;
	cl->st.started++;
	return 0;
}

static void
expire(struct churn_lcore *cl, uint64_t now)
{
	struct churn_conn *x;

	while (cl->connect_tmo != 0 &&
			(x = TAILQ_FIRST(&cl->connecting)) != NULL &&
			now - x->t0 >= cl->connect_tmo)
		conn_abort(x, CHURN_FAIL_TIMEOUT);
	while (cl->io_tmo != 0 &&
			(x = TAILQ_FIRST(&cl->exchanging)) != NULL &&
			now - x->t0 >= cl->io_tmo)
		conn_abort(x, CHURN_FAIL_TIMEOUT);
}

void
churn_lcore_step(struct churn_lcore *cl, uint64_t now)
{
	uint64_t counts[PTCP_TCPS_MAX];
	unsigned int n;

	expire(cl, now);
	if (now >= cl->next_sample) {
		ptcp_tcp_state_counts(cl->lc, counts);
		cl->st.tw = counts[PTCP_TCPS_TIME_WAIT];
		cl->next_sample = now + cl->p->tsc_hz;
	}
	if (!cl->stopping && now >= cl->backoff_until) {
		if (!cl->warm) {
			if (cl->st.open == 0 && cl->to_open > 0)
				open_one(cl, now);
		} else if (cl->interval == 0) {
			while (cl->st.open < cl->target && cl->to_open > 0)
				if (open_one(cl, now) != 0)
					break;
		} else {
			if (cl->next_open == 0)
				cl->next_open = now;
			for (n = 0; n < RATE_BURST && cl->to_open > 0 &&
					now >= cl->next_open; n++) {
				cl->next_open += cl->interval;
				if (open_one(cl, now) != 0)
					break;
			}
			/* More than a second behind: give up the debt. */
			if (now > cl->next_open + cl->p->tsc_hz)
				cl->next_open = now;
		}
	}
	if (!cl->st.finished && cl->st.open == 0 &&
			(cl->to_open == 0 || cl->stopping))
		cl->st.finished = true;
}

void
churn_lcore_stop(struct churn_lcore *cl)
{
	cl->stopping = true;
}

void
churn_lcore_draining(struct churn_lcore *cl)
{
	cl->stopping = true;
	cl->draining = true;
}

/* GET / into @p buf (CHURN_HTTP_REQ_MAX bytes), asking the server to
 * close after the response when @p close. @return its length */
static uint16_t
http_request(char *buf, const char *host, uint16_t rport, bool close)
{
	const char *conn = close ? "Connection: close\r\n" : "";
	int n;

	if (rport == 80)
		n = snprintf(buf, CHURN_HTTP_REQ_MAX,
			"GET / HTTP/1.1\r\nHost: %s\r\n%s\r\n", host, conn);
	else
		n = snprintf(buf, CHURN_HTTP_REQ_MAX,
			"GET / HTTP/1.1\r\nHost: %s:%u\r\n%s\r\n", host,
			rport, conn);
	return (uint16_t)RTE_MIN((unsigned int)RTE_MAX(n, 0),
		CHURN_HTTP_REQ_MAX - 1u);
}

int
churn_lcore_init(struct churn_lcore *cl, struct ptcp_lcore *lc,
		const struct churn_params *p, unsigned int idx,
		unsigned int nb)
{
	int socket = (int)rte_lcore_to_socket_id(lc->lcore_id);
	uint32_t ports = (uint32_t)p->lport_max - p->lport_min + 1;
	char host[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = p->raddr };
	double rate;
	uint32_t i;

	memset(cl, 0, sizeof(*cl));
	hist_reset(&cl->lat);
	if (p->lport_max < p->lport_min || ports < nb)
		return -EINVAL;
	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = SOCKET_ID_ANY;
	cl->lc = lc;
	cl->p = p;
	/* Each lcore has its own flow table: give each its own ports, so
	 * that two lcores never pick the same 4-tuple. */
	cl->lport_min = (uint16_t)(p->lport_min + (uint64_t)ports * idx / nb);
	cl->lport_max = (uint16_t)(p->lport_min +
		(uint64_t)ports * (idx + 1) / nb - 1);
	cl->to_open = p->count != 0 ? churn_share(p->count, idx, nb) :
		UINT64_MAX;
	if (p->rate > 0) {
		rate = p->rate / nb;
		cl->interval = (uint64_t)((double)p->tsc_hz / rate);
		if (cl->interval == 0)
			cl->interval = 1;
		cl->nb_conns = p->max_open;
		cl->target = p->max_open;
	} else {
		cl->target = (uint32_t)churn_share(p->concurrency, idx, nb);
		cl->nb_conns = cl->target;
	}
	cl->connect_tmo = p->tsc_hz * p->connect_timeout_ms / 1000;
	cl->io_tmo = p->tsc_hz * p->io_timeout_ms / 1000;
	cl->ns_per_tsc = 1e9 / (double)p->tsc_hz;
	TAILQ_INIT(&cl->free);
	TAILQ_INIT(&cl->connecting);
	TAILQ_INIT(&cl->exchanging);
	cl->pattern = rte_malloc_socket("churn_pattern", RR_PATTERN_BUF, 0,
			socket);
	cl->conns = rte_zmalloc_socket("churn_conns", sizeof(*cl->conns) *
			RTE_MAX(cl->nb_conns, 1u), RTE_CACHE_LINE_SIZE, socket);
	if (cl->pattern == NULL || cl->conns == NULL) {
		churn_lcore_free(cl);
		return -ENOMEM;
	}
	rr_pattern_fill(cl->pattern, RR_PATTERN_BUF);
	for (i = cl->nb_conns; i > 0; i--) {
		cl->conns[i - 1].cl = cl;
		TAILQ_INSERT_HEAD(&cl->free, &cl->conns[i - 1], link);
	}
	inet_ntop(AF_INET, &a, host, sizeof(host));
	cl->http_req_len = http_request(cl->http_req, host, p->rport, false);
	cl->http_close_len = http_request(cl->http_close, host, p->rport,
		true);
	if (cl->to_open == 0 || cl->target == 0)
		cl->st.finished = true;
	return 0;
}

void
churn_lcore_free(struct churn_lcore *cl)
{
	rte_free(cl->conns);
	rte_free(cl->pattern);
	cl->conns = NULL;
	cl->pattern = NULL;
	cl->nb_conns = 0;
}
