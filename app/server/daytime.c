/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daytime (RFC 867): on accept, send one line of the wall clock in UTC
 * ("Saturday, November 21, 2026 16:07:36-UTC\r\n") and close. The server
 * closes first, so the server side goes through TIME-WAIT. Input is
 * dropped.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "services.h"

/* Send the rest of the line; close when it is all queued. */
static void
daytime_send(struct svc_conn *x, struct ptcp_conn *c)
{
	int ret;

	ret = ptcp_send(c, x->u.daytime.line + x->u.daytime.off,
			x->u.daytime.len - x->u.daytime.off);
	if (ret < 0) {
		x->sl->st.send_errors[SVC_DAYTIME]++;
		svc_close(x, c);
		return;
	}
	x->u.daytime.off += (uint8_t)ret;
	if (x->u.daytime.off < x->u.daytime.len)
		return;                 /* writable follows */
	x->sl->st.daytime_lines++;
	svc_close(x, c);
}

static int
daytime_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct svc_conn *x = svc_conn_get(listen_arg, SVC_DAYTIME, c);
	size_t n;

	if (x == NULL)
		return -1;
	n = daytime_format(x->u.daytime.line, sizeof(x->u.daytime.line),
			time(NULL));
	x->u.daytime.len = (uint8_t)n;
	x->u.daytime.off = 0;
	daytime_send(x, c);
	return 0;
}

static void
daytime_writable(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	if (!x->closing)
		daytime_send(x, c);
}

static void
daytime_peer_closed(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	/* Normally already closing; the line is still sent if not. */
	x->peer_closed = true;
}

const struct ptcp_tcp_ops svc_daytime_ops = {
	.accepted = daytime_accepted,
	.data = svc_data_drop,
	.writable = daytime_writable,
	.peer_closed = daytime_peer_closed,
	.closed = svc_conn_closed,
};
