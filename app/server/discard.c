/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * discard (RFC 863): free everything received, send nothing. The peer
 * closes first; its FIN is answered with ptcp_close().
 */
#include "services.h"

static int
discard_accepted(struct ptcp_conn *c, void *listen_arg)
{
	return svc_conn_get(listen_arg, SVC_DISCARD, c) == NULL ? -1 : 0;
}

const struct ptcp_tcp_ops svc_discard_ops = {
	.accepted = discard_accepted,
	.data = svc_data_drop,
	.peer_closed = svc_peer_closed_close,
	.closed = svc_conn_closed,
};
