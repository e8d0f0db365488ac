/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linux_server: the Linux kernel's side of the churn benchmark (issue 5).
 *
 * A minimal single-threaded epoll server, non-blocking everywhere: accept,
 * read a request of --request bytes, write a response of --response bytes,
 * then close as --closer says:
 *   client  wait for the client's FIN (read returns 0), then close: the
 *           client holds TIME-WAIT (also what to use for --closer rst on the
 *           client side: the client's RST ends the connection here)
 *   server  close right after the response: the server holds TIME-WAIT
 *   rst     abort right after the response (SO_LINGER {1, 0}): no TIME-WAIT
 *
 * The same workload as ptcp-server's rr service ([server] rr_port,
 * rr_request, rr_response, rr_close). Also usable by the tap tests:
 *
 *   linux_server [--bind A.B.C.D] --port P [--request N] --response M
 *                [--closer client|server|rst] [--duration S] [--quiet]
 *
 * Prints "linux_server: ready" once listening, and on SIGINT/SIGTERM (or at
 * the end of --duration) one summary line: accepted, completed, errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "linux_server"
#define MAX_EVENTS 256
#define MAX_MSG (1 << 20)

enum closer { CLOSER_CLIENT, CLOSER_SERVER, CLOSER_RST };

/* Per connection, indexed by fd. */
struct conn {
	uint32_t got;        /* request bytes read */
	uint8_t phase;       /* 0 free, 1 reading request, 2 waiting for EOF */
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [--bind A.B.C.D] --port P [--request N] [--response M]\n"
"                    [--closer client|server|rst] [--duration S] [--quiet]\n"
"Request/response TCP server for the churn benchmark (epoll, one thread).\n"
"  --bind      address to listen on (default 0.0.0.0)\n"
"  --port      port to listen on (required)\n"
"  --request   request bytes to read before answering (default 64)\n"
"  --response  response bytes (default 64)\n"
"  --closer    client: wait for the client's FIN, then close (default);\n"
"              server: close after the response; rst: abort after it\n"
"  --duration  stop after S seconds (default: at SIGINT/SIGTERM)\n"
"  --quiet     no ready line\n");
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

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


/* The request is in: answer and apply the closer. Returns true when the
 * connection is done (the caller closes it). */
static bool
respond(int fd, struct conn *c, const char *wbuf, long response,
	enum closer closer, uint64_t *completed, uint64_t *errors)
{
	static const struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (response > 0 && write(fd, wbuf, (size_t)response) != response) {
		(*errors)++;
		return true;
	}
	if (closer == CLOSER_RST)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (closer != CLOSER_CLIENT) {
		(*completed)++;
		return true;
	}
	c->phase = 2;
	return false;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "request", required_argument, NULL, 'q' },
		{ "response", required_argument, NULL, 'r' },
		{ "closer", required_argument, NULL, 'C' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct epoll_event ev, events[MAX_EVENTS];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	enum closer closer = CLOSER_CLIENT;
	uint64_t accepted = 0, completed = 0, errors = 0, eof_early = 0;
	long port = -1, request = 64, response = 64;
	double duration = 0, end = 0;
	bool quiet = false;
	struct conn *conns;
	char *rbuf, *wbuf;
	int lfd, ep, one = 1, opt, nconns;

	while ((opt = getopt_long(argc, argv, "b:p:q:r:C:d:Qh", longopts,
			NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (inet_pton(AF_INET, optarg, &sa.sin_addr) != 1) {
				fprintf(stderr, PROG ": --bind: '%s' is not an "
					"IPv4 address\n", optarg);
				return 2;
			}
			break;
		case 'p':
			port = num_arg("--port", optarg, 1, 65535);
			break;
		case 'q':
			request = num_arg("--request", optarg, 0, MAX_MSG);
			break;
		case 'r':
			response = num_arg("--response", optarg, 0, MAX_MSG);
			break;
		case 'C':
			if (strcmp(optarg, "client") == 0)
				closer = CLOSER_CLIENT;
			else if (strcmp(optarg, "server") == 0)
				closer = CLOSER_SERVER;
			else if (strcmp(optarg, "rst") == 0)
				closer = CLOSER_RST;
			else {
				fprintf(stderr, PROG ": --closer: client, server "
					"or rst, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'd':
			duration = (double)num_arg("--duration", optarg, 1,
					86400 * 365);
			break;
		case 'Q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || port < 0) {
		usage(stderr);
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);

	nconns = (int)sysconf(_SC_OPEN_MAX);
	if (nconns < 1024)
		nconns = 1024;
	conns = calloc((size_t)nconns, sizeof(*conns));
	rbuf = malloc((size_t)request + 4096);
	wbuf = malloc((size_t)response + 1);
	if (conns == NULL || rbuf == NULL || wbuf == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	memset(wbuf, 'y', (size_t)response + 1);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
			sizeof(one)) != 0 ||
			bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			listen(lfd, 65535) != 0) {
		fprintf(stderr, PROG ": listen on port %ld: %s\n", port,
			strerror(errno));
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		fprintf(stderr, PROG ": epoll: %s\n", strerror(errno));
		return 1;
	}
	if (!quiet) {
		printf(PROG ": ready, port %ld, request %ld, response %ld, "
			"closer %s\n", port, request, response,
			closer == CLOSER_CLIENT ? "client" :
			closer == CLOSER_SERVER ? "server" : "rst");
		fflush(stdout);
	}
	if (duration > 0)
		end = now_s() + duration;

	while (!quit) {
		int n = epoll_wait(ep, events, MAX_EVENTS, 100);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": epoll_wait: %s\n",
				strerror(errno));
			return 1;
		}
		if (end > 0 && now_s() >= end)
			break;
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			struct conn *c;
			ssize_t r;

			if (fd == lfd) {
				for (;;) {
					int cfd = accept4(lfd, NULL, NULL,
						SOCK_NONBLOCK | SOCK_CLOEXEC);

					if (cfd < 0)
						break;
					if (cfd >= nconns) {
						close(cfd);
						errors++;
						continue;
					}
					accepted++;
					conns[cfd].got = 0;
					conns[cfd].phase = 1;
					if (request == 0 && respond(cfd,
							&conns[cfd], wbuf,
							response, closer,
							&completed, &errors)) {
						conns[cfd].phase = 0;
						close(cfd);
						continue;
					}
					ev.events = EPOLLIN;
					ev.data.fd = cfd;
					epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
				}
				continue;
			}
			c = &conns[fd];
			/* One read per event (epoll is level-triggered): the
			 * request, or later (closer client) the FIN. */
			r = read(fd, rbuf, (size_t)request + 4096);
			if (r > 0)
				c->got += (uint32_t)r;
			if (r < 0 && errno != EAGAIN) {
				/* reset by the client (closer rst, or a
				 * client that gave up) */
				if (c->phase == 2)
					completed++;
				else
					errors++;
				goto done;
			}
			if (c->phase == 1 && c->got >= (uint32_t)request &&
					respond(fd, c, wbuf, response, closer,
						&completed, &errors))
				goto done;
			if (r == 0) {
				/* the client's FIN */
				if (c->phase == 2)
					completed++;
				else
					eof_early++;
				goto done;
			}
			continue;
done:
			c->phase = 0;
			close(fd);  /* also takes it out of the epoll set */
		}
	}
	printf(PROG ": accepted %" PRIu64 " completed %" PRIu64
		" errors %" PRIu64 " eof_before_request %" PRIu64 "\n",
		accepted, completed, errors, eof_early);
	fflush(stdout);
	free(conns);
	free(rbuf);
	free(wbuf);
	return 0;
}
