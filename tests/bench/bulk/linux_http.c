/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linux_http: the Linux kernel's side of the HTTP keep-alive benchmark
 * (keepalive.sh). A minimal single-threaded epoll server that answers
 * every request head (up to the blank line) with the same bytes as
 * ptcp-server's http service (app/server/http.c, textgen.c) with its
 * defaults:
 *
 *   HTTP/1.1 200 OK\r\n
 *   Server: ptcp\r\n
 *   Date: Sat, 21 Nov 2026 17:23:00 GMT\r\n
 *   Content-Type: text/plain\r\n
 *   Content-Length: 64\r\n
 *   \r\n
 *   xxxx... (--body bytes of 'x'; none for HEAD)
 *
 * Keep-alive as ptcp's service decides it (HTTP/1.1 unless "Connection:
 * close"; HTTP/1.0 only with "Connection: keep-alive"), with the same
 * Connection header in the response; closes after the last. Pipelined
 * requests are answered in order, their responses written together.
 * Request bodies are not supported (wrk and ab send none). Responses
 * that do not fit the socket are kept and written on EPOLLOUT.
 *
 *   linux_http [--bind A.B.C.D] [--port P] [--body N] [--duration S]
 *
 * Prints "linux_http: ready" once listening, and on SIGINT/SIGTERM (or at
 * the end of --duration) a summary: connections, requests, errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "linux_http"
#define MAX_EVENTS 256
#define MAX_FD 65536
#define IN_MAX 8192              /* request head limit, as [server] */
#define BODY_MAX (1u << 20)

struct conn {
	char *in;                /* IN_MAX bytes, allocated on accept */
	uint32_t in_len;
	char *out;               /* unsent responses, or NULL */
	uint32_t out_len, out_off, out_cap;
	bool close_after;
	bool want_out;           /* EPOLLOUT registered */
};

static struct conn *conns;
static volatile sig_atomic_t quit;
static char body[BODY_MAX];
static uint32_t body_len = 64;
static char head[256];
static size_t head_len;
static time_t head_t;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* The response head for this second (the Date changes each second), up
 * to the Connection line and the blank line, which answer() adds. */
static void
head_update(void)
{
	time_t t = time(NULL);
	char date[64];
	struct tm tm;

	if (t == head_t && head_len != 0)
		return;
	head_t = t;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	head_len = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		"Server: ptcp\r\n"
		"Date: %s\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: %u\r\n", date, body_len);
}

static void
conn_free(int ep, int fd)
{
	struct conn *c = &conns[fd];

	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

static int
out_add(struct conn *c, const char *p, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		uint32_t cap = c->out_cap != 0 ? c->out_cap : 4096;
		char *q;

		while (cap < c->out_len + n)
			cap *= 2;
		q = realloc(c->out, cap);
		if (q == NULL)
			return -1;
		c->out = q;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += (uint32_t)n;
	return 0;
}

/* Write what is pending; 1 when all written, 0 to wait, -1 on error. */
static int
flush(int ep, int fd, struct conn *c)
{
	struct epoll_event ev = { .data.fd = fd };
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = write(fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!c->want_out) {
				ev.events = EPOLLIN | EPOLLOUT;
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
				c->want_out = true;
			}
			return 0;
		}
		if (n <= 0)
			return -1;
		c->out_off += (uint32_t)n;
	}
	c->out_len = c->out_off = 0;
	if (c->want_out) {
		/* one syscall only when the socket had been full */
		ev.events = EPOLLIN;
		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
		c->want_out = false;
	}
	return 1;
}

/* Is @what (lower case) in @p..@end, case-insensitively? */
static bool
has(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; p + n <= end; p++) {
		if ((*p | 0x20) == what[0] && strncasecmp(p, what, n) == 0)
			return true;
	}
	return false;
}

/*
 * Answer every complete request head in c->in; -1 on a bad one. The
 * Connection header of the response follows ptcp's service: keep-alive
 * unless the request says close, or is HTTP/1.0 without keep-alive;
 * "Connection: close" when closing, "Connection: keep-alive" for a
 * HTTP/1.0 request kept alive, none otherwise.
 */
static int
answer(struct conn *c, uint64_t *requests)
{
	uint32_t off = 0, hl;
	const char *conn_line;
	char *end, *p, *eol;
	bool is_head, v10, keep;

	while (!c->close_after && off < c->in_len &&
			(end = memmem(c->in + off, c->in_len - off, "\r\n\r\n",
				4)) != NULL) {
		p = c->in + off;
		hl = (uint32_t)(end + 4 - p);
		is_head = hl >= 5 && memcmp(p, "HEAD ", 5) == 0;
		eol = memmem(p, hl, "\r\n", 2);
		v10 = eol - p >= 8 && memcmp(eol - 8, "HTTP/1.0", 8) == 0;
		if (has(p, end, "connection: close"))
			keep = false;
		else
			keep = !v10 || has(p, end, "connection: keep-alive");
		if (!keep)
			conn_line = "Connection: close\r\n\r\n";
		else if (v10)
			conn_line = "Connection: keep-alive\r\n\r\n";
		else
			conn_line = "\r\n";
		c->close_after = !keep;
		head_update();
		if (out_add(c, head, head_len) != 0 ||
				out_add(c, conn_line, strlen(conn_line)) != 0 ||
				(!is_head && out_add(c, body, body_len) != 0))
			return -1;
		(*requests)++;
		off += hl;
	}
	if (off != 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return c->in_len == IN_MAX ? -1 : 0;
}

static long
num_arg(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, PROG ": %s: '%s' is not a number in %ld..%ld\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [--bind A.B.C.D] [--port P] [--body N] "
		"[--duration S]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "body", required_argument, NULL, 'B' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev, evs[MAX_EVENTS];
	uint64_t accepted = 0, requests = 0, errors = 0;
	struct sigaction sig = { .sa_handler = on_signal };
	long duration = 0;
	time_t t_end = 0;
	int opt, lfd, ep, n, i, fd, one = 1;
	struct conn *c;
	ssize_t r;

	sa.sin_port = htons(80);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (inet_pton(AF_INET, optarg, &sa.sin_addr) != 1) {
				fprintf(stderr, PROG ": bad address %s\n", optarg);
				return 2;
			}
			break;
		case 'p':
			sa.sin_port = htons((uint16_t)num_arg("--port", optarg,
				1, 65535));
			break;
		case 'B':
			body_len = (uint32_t)num_arg("--body", optarg, 0,
				BODY_MAX);
			break;
		case 'd':
			duration = num_arg("--duration", optarg, 1, 86400);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	memset(body, 'x', sizeof(body));
	conns = calloc(MAX_FD, sizeof(*conns));
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGTERM, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (conns == NULL || lfd < 0 ||
			setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) != 0 ||
			bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			listen(lfd, 4096) != 0) {
		perror(PROG ": listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		perror(PROG ": epoll");
		return 1;
	}
	if (duration != 0)
		t_end = time(NULL) + duration;
	printf(PROG ": ready on port %u, body %u bytes\n", ntohs(sa.sin_port),
		body_len);
	fflush(stdout);
	while (!quit && (t_end == 0 || time(NULL) < t_end)) {
		n = epoll_wait(ep, evs, MAX_EVENTS, 200);
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL,
						SOCK_NONBLOCK)) >= 0) {
					if (fd >= MAX_FD) {
						close(fd);
						errors++;
						continue;
					}
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
						&one, sizeof(one));
					c = &conns[fd];
					c->in = malloc(IN_MAX);
					ev.events = EPOLLIN;
					ev.data.fd = fd;
					if (c->in == NULL || epoll_ctl(ep,
							EPOLL_CTL_ADD, fd, &ev) != 0) {
						errors++;
						free(c->in);
						c->in = NULL;
						close(fd);
						continue;
					}
					accepted++;
				}
				continue;
			}
			c = &conns[fd];
			if (evs[i].events & EPOLLOUT) {
				r = flush(ep, fd, c);
				if (r < 0 || (r == 1 && c->close_after)) {
					errors += r < 0;
					conn_free(ep, fd);
					continue;
				}
				if (r == 0)
					continue;
			}
			if (!(evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
				continue;
			r = read(fd, c->in + c->in_len, IN_MAX - c->in_len);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				/* a client may end with RST (wrk does) */
				errors += r < 0 && errno != ECONNRESET;
				conn_free(ep, fd);
				continue;
			}
			c->in_len += (uint32_t)r;
			if (answer(c, &requests) != 0) {
				errors++;
				conn_free(ep, fd);
				continue;
			}
			r = flush(ep, fd, c);
			if (r < 0 || (r == 1 && c->close_after)) {
				errors += r < 0;
				conn_free(ep, fd);
			}
		}
	}
	for (fd = 0; fd < MAX_FD; fd++) {
		if (conns[fd].in != NULL)
			conn_free(ep, fd);
	}
	close(ep);
	close(lfd);
	free(conns);
	printf(PROG ": connections %" PRIu64 " requests %" PRIu64
		" errors %" PRIu64 "\n", accepted, requests, errors);
	return 0;
}
