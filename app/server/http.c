/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small HTTP/1.1 responder (docs/server.md):
 *   GET   -> 200, text/plain, a body of [server] http_body bytes of 'x'
 *   HEAD  -> the same head, no body
 *   other -> 405 with "Allow: GET, HEAD"
 *   malformed -> 400, head over http_max_request bytes -> 431; both close.
 * Keep-alive by HTTP/1.1 default; "Connection: close", or HTTP/1.0 without
 * "Connection: keep-alive", closes after the response (the server closes
 * first and takes the TIME-WAIT). Request bodies (Content-Length) are read
 * and skipped. Pipelined requests are answered in order.
 *
 * Input is parsed as it arrives (http_parse.c). A response is queued with
 * ptcp_send(); when that is short, the rest of the response is queued from
 * writable, and input that arrives meanwhile (or was left after the
 * request) is held, unparsed, until the response is all queued, so that
 * responses never overtake each other. The held input is bounded
 * (svc_lcore.http_hold_max): a client that pipelines more without reading
 * is aborted and counted as overflow.
 *
 * The response head is rendered again (same status, same Date second, so
 * the same bytes) whenever a short send stopped inside it: a connection
 * keeps ~40 bytes of response state rather than a copy of its head.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "services.h"

/* Head plus the first body bytes, rendered on the stack per send. */
#define HTTP_OUT_BUF 1024

/* The Date text for second @t (the lcore caches the current one). */
static const char *
http_date(struct svc_lcore *sl, time_t t, char *tmp)
{
	if (t == sl->date_t)
		return sl->date;
	if (http_date_format(tmp, HTTP_DATE_MAX, t) == 0)
		tmp[0] = '\0';
	return tmp;
}

/*
 * Render the response's head and as much of its body as fits in @buf:
 * its first out->prefix_len bytes. @head_len: the head's length.
 */
static size_t
http_prefix(struct svc_lcore *sl, const struct http_out *o, char *buf,
		size_t size, size_t *head_len)
{
	char tmp[HTTP_DATE_MAX];
	size_t n, body;

	n = http_head_format(buf, size, o->status, o->body_len, o->conn,
			http_date(sl, o->date, tmp));
	*head_len = n;
	if (o->head_only)
		return n;
	body = RTE_MIN((uint64_t)(size - n), o->body_len);
	if (o->status == 200)
		memset(buf + n, 'x', body);
	else
		memcpy(buf + n, http_error_body(o->status), body);
	return n + body;
}

static enum svc_http_status
status_index(unsigned int status)
{
	switch (status) {
	case 200: return SVC_HTTP_200;
	case 405: return SVC_HTTP_405;
	case 431: return SVC_HTTP_431;
	default: return SVC_HTTP_400;
	}
}

/* Start a response. */
static void
http_respond(struct svc_conn *x, unsigned int status, bool head_only,
		enum http_conn_hdr conn)
{
	struct svc_lcore *sl = x->sl;
	struct http_out *o = &x->u.http.out;
	char buf[HTTP_OUT_BUF];
	time_t now = time(NULL);
	size_t head_len;

	if (now != sl->date_t) {
		if (http_date_format(sl->date, sizeof(sl->date), now) == 0)
			sl->date[0] = '\0';
		sl->date_t = now;
	}
	o->date = now;
	o->status = (uint16_t)status;
	o->conn = (uint8_t)conn;
	o->head_only = head_only;
	o->body_len = status == 200 ? sl->http_body_len :
		strlen(http_error_body(status));
	o->prefix_len = (uint32_t)http_prefix(sl, o, buf, sizeof(buf),
			&head_len);
	o->total = head_len + (head_only ? 0 : o->body_len);
	o->off = 0;
	o->active = true;
	sl->st.http_status[status_index(status)]++;
}

/*
 * Queue what TCP takes of the response.
 * @return 0 all queued, 1 blocked (writable follows), -1 cannot send
 */
static int
http_pump(struct svc_conn *x, struct ptcp_conn *c)
{
	struct svc_lcore *sl = x->sl;
	struct http_out *o = &x->u.http.out;
	char buf[HTTP_OUT_BUF];
	const char *p;
	size_t n, head_len;
	int ret;

	while (o->off < o->total) {
		if (o->off < o->prefix_len) {
			http_prefix(sl, o, buf, sizeof(buf), &head_len);
			p = buf + o->off;
			n = o->prefix_len - o->off;
		} else {
			/* The rest of a 200 body: 'x' from the lcore's chunk. */
			p = sl->http_body;
			n = (size_t)RTE_MIN(o->total - o->off,
					(uint64_t)SVC_HTTP_BODY_CHUNK);
		}
		ret = ptcp_send(c, p, n);
		if (ret < 0) {
			sl->st.send_errors[SVC_HTTP]++;
			return -1;
		}
		o->off += (uint32_t)ret;
		sl->st.http_bytes += (uint32_t)ret;
		if ((size_t)ret < n)
			return 1;
	}
	o->active = false;
	return 0;
}

/*
 * The response is all queued (or cannot be): close if it says so.
 * @return true when the connection goes on
 */
static bool
http_sent(struct svc_conn *x, struct ptcp_conn *c, int pumped)
{
	if (pumped < 0 || x->u.http.out.conn == HTTP_CONN_CLOSE) {
		svc_close(x, c);
		return false;
	}
	return true;
}

/* Answer one parsed request. */
static void
http_answer(struct svc_conn *x, const struct http_request *r)
{
	enum http_conn_hdr conn;

	if (!r->keep_alive)
		conn = HTTP_CONN_CLOSE;
	else if (r->version_minor == 0)
		conn = HTTP_CONN_KEEP_ALIVE;
	else
		conn = HTTP_CONN_NONE;
	switch (r->method) {
	case HTTP_METHOD_GET:
		http_respond(x, 200, false, conn);
		break;
	case HTTP_METHOD_HEAD:
		http_respond(x, 200, true, conn);
		break;
	default:
		http_respond(x, 405, false, conn);
		break;
	}
}

/*
 * Parse chain @m and answer each request in it, in order; stop when a
 * response blocks (the rest of @m is held) or the connection closes.
 * Consumes @m.
 */
static void
http_input(struct svc_conn *x, struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct http_conn *h = &x->u.http;
	enum http_parse_result r;
	size_t used;
	int pumped;

	while (m != NULL && !x->closing) {
		r = http_parse(&h->p, rte_pktmbuf_mtod(m, const void *),
				m->data_len, &used);
		m = svc_chain_trim(m, (uint32_t)used);
		if (r == HTTP_PARSE_MORE)
			continue;
		if (r == HTTP_PARSE_ERROR)
			http_respond(x, h->p.req.status, false,
				HTTP_CONN_CLOSE);
		else
			http_answer(x, &h->p.req);
		http_parser_reset(&h->p);
		pumped = http_pump(x, c);
		if (pumped > 0) {
			/* Blocked: keep the rest for after the response. */
			h->held = m;
			h->held_tail = m != NULL ? rte_pktmbuf_lastseg(m) : NULL;
			return;
		}
		if (!http_sent(x, c, pumped))
			break;
	}
	rte_pktmbuf_free(m);
}

static int
http_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct svc_conn *x = svc_conn_get(listen_arg, SVC_HTTP, c);

	if (x == NULL)
		return -1;
	memset(&x->u.http, 0, sizeof(x->u.http));
	http_parser_init(&x->u.http.p, x->sl->http_max_request);
	return 0;
}

static void
http_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct svc_conn *x = ptcp_conn_arg(c);
	struct http_conn *h = &x->u.http;

	if (unlikely(x->closing)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (h->out.active) {
		if (svc_chain_append(&h->held, &h->held_tail, m,
				x->sl->http_hold_max) != 0) {
			rte_pktmbuf_free(m);
			x->sl->st.overflow[SVC_HTTP]++;
			ptcp_abort(c);  /* closed runs now: x is gone */
		}
		return;
	}
	http_input(x, c, m);
}

static void
http_writable(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);
	struct http_conn *h = &x->u.http;
	struct rte_mbuf *m;
	int pumped;

	if (x->closing || !h->out.active)
		return;
	pumped = http_pump(x, c);
	if (pumped > 0)
		return;
	if (!http_sent(x, c, pumped))
		return;
	m = h->held;
	h->held = h->held_tail = NULL;
	http_input(x, c, m);
	if (x->peer_closed && !h->out.active)
		svc_close(x, c);
}

static void
http_peer_closed(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	/*
	 * Requests already received are still answered: close once the
	 * last response is queued (now, or from writable). A partial
	 * request is dropped.
	 */
	x->peer_closed = true;
	if (!x->u.http.out.active)
		svc_close(x, c);
}

const struct ptcp_tcp_ops svc_http_ops = {
	.accepted = http_accepted,
	.data = http_data,
	.writable = http_writable,
	.peer_closed = http_peer_closed,
	.closed = svc_conn_closed,
};
