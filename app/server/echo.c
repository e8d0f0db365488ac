/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo (RFC 862): send back every byte received, zero copy: the received
 * mbuf chain itself goes to ptcp_send_mbuf().
 *
 * Backpressure: when the send buffer cannot take a chain, it waits in the
 * connection's hold (one chain, later arrivals appended) and is retried
 * from writable. A retry that still does not fit sends the whole leading
 * segments that do (zero copy), or copies the part of the first segment
 * that does, so a chain larger than the whole send buffer still drains.
 * What the hold keeps is told to TCP (ptcp_recv_hold/release), which
 * shrinks the window it offers: a peer that sends without reading our
 * echo is slowed down by flow control. The hold is still bounded
 * (svc_lcore.echo_hold_max bytes, SVC_HOLD_MAX_SEGS segments) against a
 * peer that ignores the window: it is aborted (RST), counted as overflow.
 *
 * The peer closes first: on its FIN, once the hold is empty, ptcp_close().
 */
#include <errno.h>

#include "services.h"

/* Queue as much of the hold as TCP takes. */
static void
echo_flush(struct svc_conn *x, struct ptcp_conn *c)
{
	struct svc_lcore *sl = x->sl;
	struct rte_mbuf *run, *last;
	uint32_t len, space;
	int ret;

	while (x->u.echo.head != NULL) {
		run = x->u.echo.head;
		len = run->pkt_len;
		ret = ptcp_send_mbuf(c, run);
		if (ret == 0) {
			x->u.echo.head = x->u.echo.tail = NULL;
			sl->st.echo_bytes += len;
			break;
		}
		if (ret != -ENOBUFS)
			goto fail;
		space = ptcp_send_space(c);
		if (space == 0)
			break;                  /* writable follows */
		run = svc_chain_split(&x->u.echo.head, space, &last);
		if (run != NULL) {
			len = run->pkt_len;
			if (ptcp_send_mbuf(c, run) != 0) {
				/* Space and refusal disagree: wait. */
				svc_chain_join(run, last, x->u.echo.head);
				x->u.echo.head = run;
				break;
			}
			sl->st.echo_bytes += len;
			if (x->u.echo.head == NULL)
				x->u.echo.tail = NULL;
			continue;
		}
		/* The first segment alone is larger than the space. */
		run = x->u.echo.head;
		ret = ptcp_send(c, rte_pktmbuf_mtod(run, const void *),
				RTE_MIN(space, (uint32_t)run->data_len));
		if (ret == -ENOBUFS || ret == 0)
			break;
		if (ret < 0)
			goto fail;
		sl->st.echo_bytes += (uint32_t)ret;
		x->u.echo.head = svc_chain_trim(run, (uint32_t)ret);
		if (x->u.echo.head == NULL)
			x->u.echo.tail = NULL;
	}
	return;
fail:
	/* -EPIPE/-ENOTCONN: nothing can be sent any more. */
	sl->st.send_errors[SVC_ECHO]++;
	rte_pktmbuf_free(x->u.echo.head);
	x->u.echo.head = x->u.echo.tail = NULL;
}

/* Tell TCP how much received data the hold keeps (its window follows). */
static void
echo_sync_window(struct svc_conn *x, struct ptcp_conn *c)
{
	uint32_t now = x->u.echo.head != NULL ? x->u.echo.head->pkt_len : 0;

	if (now > x->u.echo.held)
		ptcp_recv_hold(c, now - x->u.echo.held);
	else if (now < x->u.echo.held)
		ptcp_recv_release(c, x->u.echo.held - now);
	x->u.echo.held = now;
}

/* Close once the peer has and everything is queued. */
static void
echo_maybe_close(struct svc_conn *x, struct ptcp_conn *c)
{
	if (x->peer_closed && x->u.echo.head == NULL)
		svc_close(x, c);
}

static int
echo_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct svc_conn *x = svc_conn_get(listen_arg, SVC_ECHO, c);

	if (x == NULL)
		return -1;
	x->u.echo.head = x->u.echo.tail = NULL;
	x->u.echo.held = 0;
	return 0;
}

static void
echo_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	if (unlikely(x->closing)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (svc_chain_append(&x->u.echo.head, &x->u.echo.tail, m,
			x->sl->echo_hold_max) != 0) {
		rte_pktmbuf_free(m);
		x->sl->st.overflow[SVC_ECHO]++;
		ptcp_abort(c);          /* closed runs now: x is gone */
		return;
	}
	echo_flush(x, c);
	echo_sync_window(x, c);
}

static void
echo_writable(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	if (x->closing)
		return;
	echo_flush(x, c);
	echo_sync_window(x, c);
	echo_maybe_close(x, c);
}

static void
echo_peer_closed(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	x->peer_closed = true;
	echo_maybe_close(x, c);
}

const struct ptcp_tcp_ops svc_echo_ops = {
	.accepted = echo_accepted,
	.data = echo_data,
	.writable = echo_writable,
	.peer_closed = echo_peer_closed,
	.closed = svc_conn_closed,
};
