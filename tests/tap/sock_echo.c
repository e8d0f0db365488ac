/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock-echo: an echo server (RFC 862) written against ptcp's socket layer
 * (lib/sock), as a program ported from BSD sockets and epoll would be:
 * one lcore, one table, one epoll, level-triggered. A connection whose
 * echo cannot be written stops being read (EPOLLOUT instead of EPOLLIN)
 * until it can, so a client that does not read sees the window close.
 * tests/tap/tap_sock.sh drives it with Linux clients over net_tap.
 *
 *   sock_echo [EAL options] -- CONFIG PORT SECONDS [section.key=value...]
 *
 * It prints "sock-echo: ready" once it listens, and at the end one line
 * "sock-echo: accepted N echoed BYTES resets R open O" (O: sockets still
 * open when it stopped), then exits 0; 1 on a setup error, 2 on usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_sock.h"
#include "ptcp_tcp.h"

#define MAX_FDS   1024
#define BUF_SIZE  16384         /* read, not yet written back, per socket */
#define MAX_EV    64

/* What one connection has read and not yet written back. */
struct conn {
	uint32_t off, len;
	int eof;                /* the client finished sending */
	char buf[BUF_SIZE];
};

struct echo {
	struct ptcp_sock_table *t;
	int ep, lfd;
	uint64_t accepted, echoed, resets;
	struct conn conns[MAX_FDS];     /* by descriptor: no allocation */
};

static struct ptcp_engine *engine;

static void
on_signal(int sig)
{
	(void)sig;
	ptcp_engine_quit(engine);
}

static void
watch(struct echo *s, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	ptcp_epoll_ctl(s->t, s->ep, EPOLL_CTL_MOD, fd, &ev);
}

static void
conn_close(struct echo *s, int fd)
{
	ptcp_sock_close(s->t, fd);      /* leaves the epoll too */
}

/* Write back what is pending; @return 0, 1 (blocked), -1 (gone). */
static int
flush(struct echo *s, int fd, struct conn *c)
{
	while (c->len != 0) {
		ssize_t w = ptcp_sock_write(s->t, fd, c->buf + c->off, c->len);

		if (w < 0)
			return errno == EAGAIN ? 1 : -1;
		c->off += (uint32_t)w;
		c->len -= (uint32_t)w;
		s->echoed += (uint64_t)w;
	}
	c->off = 0;
	return 0;
}

static void
serve(struct echo *s, int fd, uint32_t events)
{
	struct conn *c = &s->conns[fd];
	ssize_t r;
	int f;

	for (;;) {
		f = flush(s, fd, c);
		if (f < 0)
			goto gone;
		if (f > 0) {
			/* Stop reading until the client reads: backpressure. */
			watch(s, fd, EPOLLOUT);
			return;
		}
		if (c->eof) {
			/* All echoed: our FIN after it. */
			conn_close(s, fd);
			return;
		}
		r = ptcp_sock_read(s->t, fd, c->buf, sizeof(c->buf));
		if (r > 0) {
			c->len = (uint32_t)r;
			continue;
		}
		if (r == 0) {
			c->eof = 1;
			continue;
		}
		if (errno == EAGAIN) {
			if (!(events & EPOLLIN))
				watch(s, fd, EPOLLIN | EPOLLRDHUP);
			return;
		}
		goto gone;
	}
gone:
	if (errno == ECONNRESET)
		s->resets++;
	conn_close(s, fd);
}

static void
accept_all(struct echo *s)
{
	struct epoll_event ev;
	int fd, one = 1;

	while ((fd = ptcp_sock_accept4(s->t, s->lfd, NULL, NULL,
			SOCK_NONBLOCK)) >= 0) {
		s->accepted++;
		memset(&s->conns[fd], 0, offsetof(struct conn, buf));
		ptcp_sock_setsockopt(s->t, fd, IPPROTO_TCP, TCP_NODELAY, &one,
			sizeof(one));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.fd = fd;
		if (ptcp_epoll_ctl(s->t, s->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			ptcp_sock_close(s->t, fd);
	}
}

static int
run(struct echo *s, uint16_t port, uint64_t seconds)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct epoll_event evs[MAX_EV], ev;
	uint64_t end = rte_get_tsc_cycles() + seconds * rte_get_tsc_hz();
	int one = 1, n, i;

	sin.sin_port = htons(port);
	s->lfd = ptcp_sock_socket(s->t, AF_INET, SOCK_STREAM, 0);
	s->ep = ptcp_epoll_create1(s->t, 0);
	if (s->lfd < 0 || s->ep < 0 ||
			ptcp_sock_setsockopt(s->t, s->lfd, SOL_SOCKET,
				SO_REUSEADDR, &one, sizeof(one)) != 0 ||
			ptcp_sock_bind(s->t, s->lfd, (struct sockaddr *)&sin,
				sizeof(sin)) != 0 ||
			ptcp_sock_listen(s->t, s->lfd, 128) != 0) {
		fprintf(stderr, "sock-echo: listen on %u: %s\n", port,
			strerror(errno));
		return -1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = s->lfd;
	ptcp_epoll_ctl(s->t, s->ep, EPOLL_CTL_ADD, s->lfd, &ev);
	printf("sock-echo: ready on port %u\n", port);
	fflush(stdout);
	while (!engine->force_quit && rte_get_tsc_cycles() < end) {
		/* Not blocking: with nothing ready it runs one loop pass. */
		n = ptcp_epoll_wait(s->t, s->ep, evs, MAX_EV, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == s->lfd)
				accept_all(s);
			else
				serve(s, evs[i].data.fd, evs[i].events);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct echo s;          /* large: not on the stack */
	struct ptcp_config cfg;
	char err[PTCP_CONFIG_ERRLEN];
	struct ptcp_lcore *lc;
	int n, rc;
	unsigned int open;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	if (argc < 4) {
		fprintf(stderr, "usage: sock_echo [EAL] -- CONFIG PORT SECONDS"
			" [section.key=value...]\n");
		return 2;
	}
	if (ptcp_config_load(&cfg, argv[1], (const char *const *)&argv[4],
			(unsigned int)(argc - 4), err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	engine = ptcp_engine_create(&cfg, err, sizeof(err));
	if (engine == NULL || ptcp_tcp_attach(engine, err, sizeof(err)) != 0 ||
			ptcp_engine_start(engine, err, sizeof(err)) != 0) {
		fprintf(stderr, "sock-echo: %s\n", err);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	lc = ptcp_engine_lcore(engine);
	ptcp_lcore_poll(lc);
	s.t = ptcp_sock_table_create(lc, MAX_FDS);
	if (s.t == NULL) {
		fprintf(stderr, "sock-echo: table: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	rc = run(&s, (uint16_t)atoi(argv[2]), strtoull(argv[3], NULL, 10));
	/* The listener and the epoll are two of the table's descriptors. */
	open = ptcp_sock_table_used(s.t) - 2;
	printf("sock-echo: accepted %" PRIu64 " echoed %" PRIu64 " resets %"
		PRIu64 " open %u\n", s.accepted, s.echoed, s.resets, open);
	ptcp_sock_table_destroy(s.t);   /* RST what is still open */
	ptcp_tcp_drain(lc);
	ptcp_tcp_detach(engine);
	ptcp_engine_destroy(engine);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
