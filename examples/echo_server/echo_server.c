/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal echo server on ptcp (RFC 862): every byte back, with
 * backpressure. Build against the ptcp libraries; run as
 *   echo_server [EAL options] -- CONFIG.ini
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_tcp.h"

#define HOLD_MAX (1u << 20)     /* bytes held per connection, then RST */

/* Per connection: received bytes not yet taken by ptcp_send(). */
struct echo_conn {
	struct rte_mbuf *head, *tail;   /* segments linked by ->next */
	uint32_t off;                   /* bytes of head already sent */
	uint32_t held;                  /* bytes held */
	bool peer_closed;
};

static struct ptcp_engine *engine;

static void
free_segs(struct rte_mbuf *m)
{
	struct rte_mbuf *next;

	for (; m != NULL; m = next) {
		next = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
}

/* Copy what TCP takes; stop at a short send (writable follows). */
static void
flush(struct ptcp_conn *c, struct echo_conn *ec)
{
	while (ec->head != NULL) {
		struct rte_mbuf *seg = ec->head;
		uint32_t n = seg->data_len - ec->off;
		int r = ptcp_send(c, rte_pktmbuf_mtod_offset(seg, char *,
				ec->off), n);

		if (r == -ENOBUFS)
			return;                 /* no mbuf: writable follows */
		if (r < 0) {                    /* -EPIPE, -ENOTCONN */
			ptcp_abort(c);
			return;
		}
		ec->held -= (uint32_t)r;
		ec->off += (uint32_t)r;
		if ((uint32_t)r < n)
			return;                 /* buffer full: writable follows */
		ec->head = seg->next;
		if (ec->head == NULL)
			ec->tail = NULL;
		ec->off = 0;
		seg->next = NULL;
		seg->nb_segs = 1;
		rte_pktmbuf_free_seg(seg);
	}
	if (ec->peer_closed)
		ptcp_close(c);                  /* all queued: FIN */
}

static int
echo_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct echo_conn *ec = calloc(1, sizeof(*ec));

	(void)listen_arg;
	if (ec == NULL)
		return -1;                      /* refused: RST, no closed */
	ptcp_conn_set_arg(c, ec);
	return 0;
}

static void
echo_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct echo_conn *ec = ptcp_conn_arg(c);
	struct rte_mbuf *last = rte_pktmbuf_lastseg(m);

	/* m is ours now: keep it until TCP has taken a copy. */
	ec->held += rte_pktmbuf_pkt_len(m);
	if (ec->tail != NULL)
		ec->tail->next = m;
	else
		ec->head = m;
	ec->tail = last;
	if (ec->held > HOLD_MAX) {
		ptcp_abort(c);          /* closed runs now: ec is freed */
		return;
	}
	flush(c, ec);
}

static void
echo_writable(struct ptcp_conn *c)
{
	flush(c, ptcp_conn_arg(c));
}

static void
echo_peer_closed(struct ptcp_conn *c)
{
	struct echo_conn *ec = ptcp_conn_arg(c);

	ec->peer_closed = true;
	if (ec->head == NULL)
		ptcp_close(c);
}

static void
echo_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct echo_conn *ec = ptcp_conn_arg(c);

	(void)why;
	free_segs(ec->head);
	free(ec);                       /* c is invalid once we return */
}

static const struct ptcp_tcp_ops echo_ops = {
	.accepted = echo_accepted,
	.data = echo_data,
	.writable = echo_writable,
	.peer_closed = echo_peer_closed,
	.closed = echo_closed,
};

static void
on_signal(int sig)
{
	(void)sig;
	ptcp_engine_quit(engine);
}

/* Every worker: the loop, then TCP's drain (FIN all, RST the rest). */
static int
worker(void *arg)
{
	struct ptcp_lcore *lc = ptcp_engine_lcore(arg);

	if (lc == NULL)
		return 0;
	while (!engine->force_quit)
		ptcp_lcore_poll(lc);
	ptcp_tcp_drain(lc);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ptcp_config cfg;
	char err[PTCP_CONFIG_ERRLEN];
	unsigned int i;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		return 2;
	argc -= n;
	argv += n;
	if (ptcp_config_load(&cfg, argc > 1 ? argv[1] : NULL, NULL, 0, err,
			sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	engine = ptcp_engine_create(&cfg, err, sizeof(err));
	if (engine == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (ptcp_tcp_attach(engine, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		ptcp_engine_destroy(engine);
		return 1;
	}
	/* Listen on every worker: a SYN is handled where it arrives. */
	for (i = 0; i < engine->nb_lcores; i++)
		if (ptcp_listen(engine->lcores[i], 7, &echo_ops, NULL,
				NULL) != 0)
			return 1;
	signal(SIGINT, on_signal);
	if (ptcp_engine_start(engine, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rte_eal_mp_remote_launch(worker, engine, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	ptcp_tcp_detach(engine);        /* after every drain returned */
	ptcp_engine_destroy(engine);
	rte_eal_cleanup();
	return 0;
}
