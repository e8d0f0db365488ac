/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chargen (RFC 864): stream lines of 72 printable characters, line i
 * starting at character i mod 95 of 0x20..0x7e, each ended by CRLF, as
 * fast as the send buffer takes them, until the peer closes or resets.
 *
 * The connection keeps only its position in the 7030-byte cycle; the bytes
 * come from the lcore's copy of two cycles, so any position has a whole
 * cycle after it and each ptcp_send() offers one cycle. A short send means
 * the buffer is full and writable follows. Input is dropped. The peer
 * closes first: its FIN is answered with ptcp_close().
 */
#include <errno.h>

#include "services.h"

static void
chargen_pump(struct svc_conn *x, struct ptcp_conn *c)
{
	struct svc_lcore *sl = x->sl;
	int ret;

	while (!x->closing) {
		ret = ptcp_send(c, sl->chargen + x->u.chargen.pos,
				CHARGEN_CYCLE);
		if (ret < 0) {
			/* -ENOBUFS: no mbuf now; retried on the next writable. */
			if (ret != -ENOBUFS)
				sl->st.send_errors[SVC_CHARGEN]++;
			return;
		}
		sl->st.chargen_bytes += (uint32_t)ret;
		x->u.chargen.pos = (x->u.chargen.pos + (uint32_t)ret) %
			CHARGEN_CYCLE;
		if (ret < CHARGEN_CYCLE)
			return;         /* writable follows */
	}
}

static int
chargen_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct svc_conn *x = svc_conn_get(listen_arg, SVC_CHARGEN, c);

	if (x == NULL)
		return -1;
	x->u.chargen.pos = 0;
	chargen_pump(x, c);
	return 0;
}

static void
chargen_writable(struct ptcp_conn *c)
{
	chargen_pump(ptcp_conn_arg(c), c);
}

const struct ptcp_tcp_ops svc_chargen_ops = {
	.accepted = chargen_accepted,
	.data = svc_data_drop,
	.writable = chargen_writable,
	.peer_closed = svc_peer_closed_close,
	.closed = svc_conn_closed,
};
