/* SPDX-License-Identifier: BSD-3-Clause */
/* A small HTTP/1.1 responder on ptcp: whatever the request, once its head
 * (up to the empty line) has arrived, answer 200 with a short text body
 * and close. Listens on every worker; run as
 *   http_server [EAL options] -- CONFIG.ini [PORT]      (PORT: 80)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_tcp.h"

#define HEAD_MAX 8192           /* request head bytes, then RST */

static const char response[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 16\r\n"
	"Connection: close\r\n"
	"\r\n"
	"hello from ptcp\n";

/* Per connection: how much of "\r\n\r\n" was seen last, head bytes. */
struct http_conn {
	unsigned int crlf;
	uint32_t head;
	bool answered;
};

static struct ptcp_engine *engine;

static int
http_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct http_conn *hc = calloc(1, sizeof(*hc));

	(void)listen_arg;
	if (hc == NULL)
		return -1;                      /* refused: RST, no closed */
	ptcp_conn_set_arg(c, hc);
	return 0;
}

/* Feed @p len bytes of the head; true once its empty line is seen. */
static bool
head_done(struct http_conn *hc, const char *p, uint32_t len)
{
	static const char end[] = "\r\n\r\n";
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == end[hc->crlf])
			hc->crlf++;
		else
			hc->crlf = p[i] == '\r' ? 1 : 0;
		if (hc->crlf == 4)
			return true;
	}
	return false;
}

static void
http_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct http_conn *hc = ptcp_conn_arg(c);
	const struct rte_mbuf *s;
	bool done = false;

	for (s = m; s != NULL && !done && !hc->answered; s = s->next)
		done = head_done(hc, rte_pktmbuf_mtod(s, const char *),
			s->data_len);
	hc->head += rte_pktmbuf_pkt_len(m);
	rte_pktmbuf_free(m);                    /* the chain is ours */
	if (hc->answered)
		return;                         /* a body or a pipelined request */
	if (!done) {
		if (hc->head > HEAD_MAX)
			ptcp_abort(c);          /* closed runs now */
		return;
	}
	hc->answered = true;
	if (ptcp_send(c, response, sizeof(response) - 1) !=
			(int)sizeof(response) - 1) {
		ptcp_abort(c);                  /* short or -errno */
		return;
	}
	ptcp_close(c);  /* response, FIN and ACK leave in one segment */
}

static void
http_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
http_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)why;
	free(ptcp_conn_arg(c));         /* c is invalid once we return */
}

static const struct ptcp_tcp_ops http_ops = {
	.accepted = http_accepted,
	.data = http_data,
	.peer_closed = http_peer_closed,
	.closed = http_closed,
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
	unsigned long port = 80;
	unsigned int i;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		return 2;
	argc -= n;
	argv += n;
	if (argc < 2 || argc > 3 || (argc == 3 &&
			((port = strtoul(argv[2], NULL, 10)) == 0 ||
			port > 65535))) {
		fprintf(stderr,
			"usage: http_server [EAL] -- CONFIG [PORT]\n");
		return 2;
	}
	if (ptcp_config_load(&cfg, argv[1], NULL, 0, err, sizeof(err)) != 0) {
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
	for (i = 0; i < engine->nb_lcores; i++)
		if (ptcp_listen(engine->lcores[i], (uint16_t)port, &http_ops,
				NULL, NULL) != 0) {
			fprintf(stderr, "listen on port %lu failed\n", port);
			return 1;
		}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ptcp_engine_start(engine, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("http_server: listening on port %lu\n", port);
	fflush(stdout);
	rte_eal_mp_remote_launch(worker, engine, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	ptcp_tcp_detach(engine);        /* after every drain returned */
	ptcp_engine_destroy(engine);
	rte_eal_cleanup();
	return 0;
}
