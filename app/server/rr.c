/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rr: one request, one response, one close; the peer of ptcp-churn
 * (docs/server.md, docs/churn.md).
 *
 * The server reads [server] rr_request bytes (any content; bytes past the
 * request are dropped), then queues rr_response bytes of the rr pattern
 * (rr_pattern.h: byte i is i mod 251) with ptcp_send(), continuing from
 * writable when the send buffer is short. Then, by [server] rr_close:
 *   server  ptcp_close() at once: the server's FIN follows the response and
 *           the server holds the TIME-WAIT;
 *   client  wait for the client's FIN, then ptcp_close() (LAST-ACK).
 * A FIN before the whole request is counted (short) and closed; a RST from
 * the client ends the connection with closed(RESET), counted by reason like
 * every service's.
 */
#include <errno.h>

#include "services.h"

/* Queue what TCP takes of the response; close when it is all queued and
 * it is the server's turn (or the client has already closed). */
static void
rr_pump(struct svc_conn *x, struct ptcp_conn *c)
{
	struct svc_lcore *sl = x->sl;
	uint32_t n;
	int ret;

	while (x->u.rr.sent < sl->rr_response) {
		n = RTE_MIN(sl->rr_response - x->u.rr.sent, RR_PATTERN_CHUNK);
		ret = ptcp_send(c, rr_pattern_at(sl->rr_buf, x->u.rr.sent), n);
		if (ret == -ENOBUFS)
			return;                 /* writable follows */
		if (ret < 0) {
			sl->st.send_errors[SVC_RR]++;
			svc_close(x, c);
			return;
		}
		x->u.rr.sent += (uint32_t)ret;
		sl->st.rr_bytes += (uint32_t)ret;
		if ((uint32_t)ret < n)
			return;                 /* writable follows */
	}
	sl->st.rr_responses++;
	if (sl->rr_server_closes || x->peer_closed)
		svc_close(x, c);
}

static int
rr_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct svc_conn *x = svc_conn_get(listen_arg, SVC_RR, c);

	if (x == NULL)
		return -1;
	x->u.rr.got = 0;
	x->u.rr.sent = 0;
	x->u.rr.answering = false;
	return 0;
}

static void
rr_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct svc_conn *x = ptcp_conn_arg(c);
	uint32_t len = m->pkt_len;

	rte_pktmbuf_free(m);
	if (x->closing || x->u.rr.answering)
		return;                         /* past the request: dropped */
	if (len < x->sl->rr_request - x->u.rr.got) {
		x->u.rr.got += len;
		return;
	}
	x->u.rr.got = x->sl->rr_request;
	x->u.rr.answering = true;
	rr_pump(x, c);
}

static void
rr_writable(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	if (!x->closing && x->u.rr.answering)
		rr_pump(x, c);
}

static void
rr_peer_closed(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	x->peer_closed = true;
	if (!x->u.rr.answering) {
		x->sl->st.rr_short++;
		svc_close(x, c);
	} else if (x->u.rr.sent == x->sl->rr_response) {
		svc_close(x, c);
	}
	/* else: rr_pump() closes once the response is queued */
}

const struct ptcp_tcp_ops svc_rr_ops = {
	.accepted = rr_accepted,
	.data = rr_data,
	.writable = rr_writable,
	.peer_closed = rr_peer_closed,
	.closed = svc_conn_closed,
};
