/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal ptcp client: connect, send a request, half-close, print the
 * reply, close. One lcore (-l 0); run as
 *   client [EAL options] -- CONFIG.ini A.B.C.D PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_tcp.h"

static const char request[] = "hello, ptcp\r\n";
static bool done;

static void
cli_connected(struct ptcp_conn *c)
{
	int r = ptcp_send(c, request, sizeof(request) - 1);

	if (r != (int)sizeof(request) - 1) {    /* short or -errno */
		ptcp_abort(c);                  /* closed(ABORTED) runs now */
		return;
	}
	ptcp_shutdown(c);       /* FIN after the request; keep receiving */
}

static void
cli_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	const struct rte_mbuf *s;

	(void)c;
	for (s = m; s != NULL; s = s->next)
		fwrite(rte_pktmbuf_mtod(s, const void *), 1, s->data_len,
			stdout);
	rte_pktmbuf_free(m);                    /* the chain is ours */
}

static void
cli_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);          /* both sides done: closed(NORMAL) follows */
}

static void
cli_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	printf("closed: %s\n", ptcp_close_reason_name(why));
	done = true;
}

static const struct ptcp_tcp_ops cli_ops = {
	.connected = cli_connected,
	.data = cli_data,
	.peer_closed = cli_peer_closed,
	.closed = cli_closed,
};

int
main(int argc, char **argv)
{
	struct ptcp_connect_opts co = { 0 };
	struct ptcp_config cfg;
	struct ptcp_engine *e;
	struct ptcp_lcore *lc;
	struct in_addr a;
	char err[PTCP_CONFIG_ERRLEN];
	uint64_t end;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		return 2;
	argc -= n;
	argv += n;
	if (argc != 4 || inet_pton(AF_INET, argv[2], &a) != 1) {
		fprintf(stderr, "usage: client [EAL] -- CONFIG ADDR PORT\n");
		return 2;
	}
	if (ptcp_config_load(&cfg, argv[1], NULL, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	e = ptcp_engine_create(&cfg, err, sizeof(err));
	if (e == NULL || ptcp_tcp_attach(e, err, sizeof(err)) != 0 ||
			ptcp_engine_start(e, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	lc = ptcp_engine_lcore(e);              /* this thread's worker */
	ptcp_lcore_poll(lc);                    /* read the clock once */

	co.raddr = a.s_addr;                    /* network order */
	co.rport = (uint16_t)atoi(argv[3]);     /* host order */
	if (ptcp_connect(lc, &co, &cli_ops) == NULL) {
		fprintf(stderr, "connect: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* Drive this lcore's loop by hand until closed (or 10 s). */
	end = rte_get_tsc_cycles() + 10 * rte_get_tsc_hz();
	while (!done && rte_get_tsc_cycles() < end)
		ptcp_lcore_poll(lc);
	ptcp_tcp_drain(lc);                     /* RST what is still open */
	ptcp_tcp_detach(e);
	ptcp_engine_destroy(e);
	rte_eal_cleanup();
	return done ? 0 : 1;
}
