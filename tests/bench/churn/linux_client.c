/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linux_client: the Linux kernel's side of the churn benchmark (issue 5).
 *
 * A minimal single-threaded epoll client, non-blocking: keeps --concurrency
 * connections open; each one connects, writes a request of --request bytes,
 * reads a response of --response bytes and ends as --closer says:
 *   client  close() after the response: the client holds TIME-WAIT
 *   server  wait for the server's FIN (read returns 0), then close()
 *   rst     abort after the response (SO_LINGER {1, 0}): an RST, no TIME-WAIT
 * and is replaced by a new connection at once, for --duration seconds.
 *
 *   linux_client --server A.B.C.D:PORT [--concurrency C] [--duration S]
 *                [--request N] [--response M] [--closer client|server|rst]
 *                [--source A.B.C.D[-A.B.C.E]] [--timeout S] [--json] [--quiet]
 *
 * --source binds each socket to one of the addresses of the range in turn
 * (IP_BIND_ADDRESS_NO_PORT, so the kernel still picks the port at connect()
 * over the whole 4-tuple): several 127.0.0.x sources keep the client's own
 * TIME-WAIT from exhausting one address's ports.
 *
 * A progress line per second on stderr, a summary on stdout (text, or one
 * JSON line with --json: ok, failed, cps_avg, connect_us, failures{} as
 * ptcp-churn's, plus cps = cps_avg).
 * Exit 1 when more than --max-failures connections failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "linux_client"
#define MAX_EVENTS 256
#define MAX_MSG (1 << 20)
#define MAX_SOURCES 256

enum closer { CLOSER_CLIENT, CLOSER_SERVER, CLOSER_RST };
enum phase { PH_FREE, PH_CONNECTING, PH_READING, PH_WAIT_EOF };
/* Failure kinds, named as ptcp-churn's. */
enum fail {
	F_REFUSED,    /* the handshake failed: RST to our SYN, no answer */
	F_TIMEOUT,    /* no progress for --timeout seconds */
	F_RESET,      /* reset or error once connected */
	F_SHORT,      /* EOF before the whole response */
	F_PORT,       /* connect() EADDRNOTAVAIL: no local port left */
	F_OTHER,      /* socket(), bind(), connect() failed otherwise */
	F_KINDS
};
static const char *const fail_names[F_KINDS] = {
	"refused", "timeout", "reset", "short", "port_exhausted", "other",
};

struct conn {
	uint64_t start_ns;    /* connect() called */
	uint32_t got;         /* response bytes read */
	uint8_t phase;
};

/* Log-bucketed latency histogram (HDR-style): 8 linear sub-buckets per
 * power of two of nanoseconds; +-6% resolution, no sorting. */
#define HIST_SUB 8
#define HIST_BUCKETS (64 * HIST_SUB)
struct hist {
	uint64_t n;
	uint64_t b[HIST_BUCKETS];
};

static unsigned int
hist_index(uint64_t v)
{
	unsigned int e;

	if (v < HIST_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);   /* >= 3 */
	return (e - 2) * HIST_SUB +
		(unsigned int)((v >> (e - 3)) & (HIST_SUB - 1));
}

static uint64_t
hist_value(unsigned int i)
{
	unsigned int e;

	if (i < HIST_SUB)
		return i;
	e = i / HIST_SUB + 2;
	return ((uint64_t)(HIST_SUB + i % HIST_SUB)) << (e - 3);
}

static void
hist_add(struct hist *h, uint64_t v)
{
	h->n++;
	h->b[hist_index(v)]++;
}

static double
hist_pct_us(const struct hist *h, double p)
{
	uint64_t want, sum = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)ceil(p / 100.0 * (double)h->n);
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		sum += h->b[i];
		if (sum >= want && sum > 0)
			return (double)hist_value(i) / 1000.0;
	}
	return 0;
}

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " --server A.B.C.D:PORT [options]\n"
"Connection churn against a TCP server (epoll, one thread).\n"
"  --concurrency C   connections kept open (default 64)\n"
"  --duration S      seconds (default 10)\n"
"  --count N         stop after N completed connections instead\n"
"  --request N       request bytes (default 64)\n"
"  --response M      response bytes to read (default 64)\n"
"  --closer K        client: close after the response (default); server:\n"
"                    wait for the server's FIN; rst: abort (SO_LINGER 0)\n"
"  --source A[-B]    bind to these IPv4 addresses in turn\n"
"  --timeout S       a connection without progress for S s fails (default 5)\n"
"  --max-failures N  exit 1 above N failures (default 0)\n"
"  --json            the summary as one JSON line\n"
"  --quiet           no progress lines\n");
}

static double
num_arg(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= lo && v <= hi)) {
		fprintf(stderr, PROG ": %s: '%s' is not a number in %g..%g\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

struct client {
	struct sockaddr_in server;
	struct sockaddr_in src[MAX_SOURCES];
	unsigned int nb_src, next_src;
	enum closer closer;
	long request, response;
	uint64_t timeout_ns;
	int ep;
	struct conn *conns;
	int max_fd;
	int hi_fd;                   /* highest fd used + 1 */
	char *wbuf, *rbuf;
	unsigned int open;           /* connections in flight */
	uint64_t ok, fail[F_KINDS];
	struct hist connect_lat, conn_lat;
};

static uint64_t
failures(const struct client *cl)
{
	uint64_t f = 0;

	for (int i = 0; i < F_KINDS; i++)
		f += cl->fail[i];
	return f;
}

static void
conn_end(struct client *cl, int fd, bool rst)
{
	static const struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (rst)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	cl->conns[fd].phase = PH_FREE;
	cl->open--;
	close(fd);
}

static void
conn_fail(struct client *cl, int fd, enum fail kind)
{
	cl->fail[kind]++;
	conn_end(cl, fd, true);
}

/* Open one connection; false when connect() failed at once. */
static bool
conn_open(struct client *cl, uint64_t now)
{
	struct epoll_event ev;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || fd >= cl->max_fd) {
		if (fd >= 0)
			close(fd);
		cl->fail[F_OTHER]++;
		return false;
	}
	if (cl->nb_src > 0) {
		const struct sockaddr_in *s = &cl->src[cl->next_src];

		cl->next_src = (cl->next_src + 1) % cl->nb_src;
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			sizeof(one));
		if (bind(fd, (const struct sockaddr *)s, sizeof(*s)) != 0) {
			cl->fail[errno == EADDRINUSE ? F_PORT : F_OTHER]++;
			close(fd);
			return false;
		}
	}
	if (connect(fd, (const struct sockaddr *)&cl->server,
			sizeof(cl->server)) != 0 && errno != EINPROGRESS) {
		cl->fail[errno == EADDRNOTAVAIL ? F_PORT : F_OTHER]++;
		close(fd);
		return false;
	}
	if (fd >= cl->hi_fd)
		cl->hi_fd = fd + 1;
	cl->conns[fd].start_ns = now;
	cl->conns[fd].got = 0;
	cl->conns[fd].phase = PH_CONNECTING;
	ev.events = EPOLLOUT;
	ev.data.fd = fd;
	epoll_ctl(cl->ep, EPOLL_CTL_ADD, fd, &ev);
	cl->open++;
	return true;
}

static void
conn_event(struct client *cl, int fd, uint32_t events, uint64_t now)
{
	struct conn *c = &cl->conns[fd];
	struct epoll_event ev;
	ssize_t r;

	switch (c->phase) {
	case PH_CONNECTING:
		if (events & (EPOLLERR | EPOLLHUP)) {
			conn_fail(cl, fd, F_REFUSED);
			return;
		}
		hist_add(&cl->connect_lat, now - c->start_ns);
		if (cl->request > 0 && write(fd, cl->wbuf,
				(size_t)cl->request) != cl->request) {
			conn_fail(cl, fd, F_RESET);
			return;
		}
		c->phase = PH_READING;
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		epoll_ctl(cl->ep, EPOLL_CTL_MOD, fd, &ev);
		if (cl->response > 0)
			return;
		/* fall through: nothing to read */
		break;
	case PH_READING:
	case PH_WAIT_EOF:
		r = read(fd, cl->rbuf, (size_t)cl->response + 4096);
		if (r < 0) {
			if (errno == EAGAIN)
				return;
			conn_fail(cl, fd, F_RESET);
			return;
		}
		if (c->phase == PH_WAIT_EOF) {
			if (r == 0) {
				cl->ok++;
				hist_add(&cl->conn_lat, now - c->start_ns);
				conn_end(cl, fd, false);
			}
			return;
		}
		if (r == 0) {
			conn_fail(cl, fd, F_SHORT);
			return;
		}
		c->got += (uint32_t)r;
		if (c->got < (uint32_t)cl->response)
			return;
		break;
	default:
		return;
	}
	/* the whole response is in */
	if (cl->closer == CLOSER_SERVER) {
		c->phase = PH_WAIT_EOF;
		return;
	}
	cl->ok++;
	hist_add(&cl->conn_lat, now - c->start_ns);
	conn_end(cl, fd, cl->closer == CLOSER_RST);
}

static int
parse_source(struct client *cl, const char *arg)
{
	char buf[64], *dash;
	struct in_addr a, b;
	uint32_t lo, hi;

	snprintf(buf, sizeof(buf), "%s", arg);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 ||
			(dash != NULL && inet_pton(AF_INET, dash + 1, &b) != 1))
		return -1;
	lo = ntohl(a.s_addr);
	hi = dash != NULL ? ntohl(b.s_addr) : lo;
	if (hi < lo || hi - lo >= MAX_SOURCES)
		return -1;
	for (uint32_t v = lo; v <= hi; v++) {
		struct sockaddr_in *s = &cl->src[cl->nb_src++];

		memset(s, 0, sizeof(*s));
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(v);
	}
	return 0;
}

static int
parse_server(struct client *cl, const char *arg)
{
	char buf[64], *colon, *end;
	long port;

	snprintf(buf, sizeof(buf), "%s", arg);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return -1;
	cl->server.sin_family = AF_INET;
	cl->server.sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, buf, &cl->server.sin_addr) == 1 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "request", required_argument, NULL, 'q' },
		{ "response", required_argument, NULL, 'r' },
		{ "closer", required_argument, NULL, 'C' },
		{ "source", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-failures", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct client cl;
	struct epoll_event events[MAX_EVENTS];
	struct rlimit rl;
	double duration = 10, elapsed;
	uint64_t count = 0, max_failures = 0, start, end, now, next_tick;
	uint64_t last_ok = 0, next_scan;
	unsigned int concurrency = 64, tick = 0;
	bool json = false, quiet = false, have_server = false;
	int opt;

	cl.request = 64;
	cl.response = 64;
	cl.timeout_ns = 5000000000ull;
	while ((opt = getopt_long(argc, argv, "s:c:d:n:q:r:C:S:t:F:jQh",
			longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (parse_server(&cl, optarg) != 0) {
				fprintf(stderr, PROG ": --server: '%s' is not "
					"A.B.C.D:PORT\n", optarg);
				return 2;
			}
			have_server = true;
			break;
		case 'c':
			concurrency = (unsigned int)num_arg("--concurrency",
					optarg, 1, 1000000);
			break;
		case 'd':
			duration = num_arg("--duration", optarg, 0.01, 1e7);
			break;
		case 'n':
			count = (uint64_t)num_arg("--count", optarg, 1, 1e15);
			break;
		case 'q':
			cl.request = (long)num_arg("--request", optarg, 0,
					MAX_MSG);
			break;
		case 'r':
			cl.response = (long)num_arg("--response", optarg, 0,
					MAX_MSG);
			break;
		case 'C':
			if (strcmp(optarg, "client") == 0)
				cl.closer = CLOSER_CLIENT;
			else if (strcmp(optarg, "server") == 0)
				cl.closer = CLOSER_SERVER;
			else if (strcmp(optarg, "rst") == 0)
				cl.closer = CLOSER_RST;
			else {
				fprintf(stderr, PROG ": --closer: client, server "
					"or rst, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'S':
			if (parse_source(&cl, optarg) != 0) {
				fprintf(stderr, PROG ": --source: '%s' is not "
					"A.B.C.D or A.B.C.D-A.B.C.E (at most "
					"%d)\n", optarg, MAX_SOURCES);
				return 2;
			}
			break;
		case 't':
			cl.timeout_ns = (uint64_t)(num_arg("--timeout", optarg,
					0.001, 3600) * 1e9);
			break;
		case 'F':
			max_failures = (uint64_t)num_arg("--max-failures",
					optarg, 0, 1e15);
			break;
		case 'j':
			json = true;
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
	if (optind < argc || !have_server) {
		usage(stderr);
		return 2;
	}

	/* One fd per connection, plus slack. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	cl.max_fd = (int)sysconf(_SC_OPEN_MAX);
	if (cl.max_fd < (int)concurrency + 16) {
		fprintf(stderr, PROG ": --concurrency %u needs more open "
			"files than the limit %d\n", concurrency, cl.max_fd);
		return 2;
	}
	cl.conns = calloc((size_t)cl.max_fd, sizeof(*cl.conns));
	cl.wbuf = malloc((size_t)cl.request + 1);
	cl.rbuf = malloc((size_t)cl.response + 4096);
	cl.ep = epoll_create1(EPOLL_CLOEXEC);
	if (cl.conns == NULL || cl.wbuf == NULL || cl.rbuf == NULL ||
			cl.ep < 0) {
		fprintf(stderr, PROG ": out of memory or fds\n");
		return 1;
	}
	memset(cl.wbuf, 'x', (size_t)cl.request + 1);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	start = now_ns();
	end = start + (uint64_t)(duration * 1e9);
	next_tick = start + 1000000000u;
	next_scan = start + 100000000u;
	now = start;
	while (!quit && now < end && (count == 0 || cl.ok < count)) {
		int n, timeout;

		/* Refill to the concurrency (stop at the first connect()
		 * that fails at once: try again on the next pass). */
		while (cl.open < concurrency && (count == 0 ||
				cl.ok + cl.open < count))
			if (!conn_open(&cl, now))
				break;
		timeout = cl.open < concurrency ? 1 : 100;
		n = epoll_wait(cl.ep, events, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": epoll_wait: %s\n",
				strerror(errno));
			return 1;
		}
		now = now_ns();
		for (int i = 0; i < n; i++)
			conn_event(&cl, events[i].data.fd, events[i].events,
				now);
		if (now >= next_scan) {
			/* connections without progress: time out */
			next_scan = now + 100000000u;
			for (int fd = 0; fd < cl.hi_fd; fd++)
				if (cl.conns[fd].phase != PH_FREE &&
						now - cl.conns[fd].start_ns >
						cl.timeout_ns)
					conn_fail(&cl, fd, F_TIMEOUT);
		}
		if (now >= next_tick) {
			tick++;
			next_tick += 1000000000u;
			if (!quiet)
				fprintf(stderr, PROG ": %3us cps %" PRIu64
					" ok %" PRIu64 " failures %" PRIu64
					" open %u\n", tick, cl.ok - last_ok,
					cl.ok, failures(&cl), cl.open);
			last_ok = cl.ok;
		}
	}
	elapsed = (double)(now - start) * 1e-9;
	/* What is still open does not count: abort it. */
	for (int fd = 0; fd < cl.hi_fd; fd++)
		if (cl.conns[fd].phase != PH_FREE)
			conn_end(&cl, fd, true);

	if (json) {
		/* the keys of ptcp-churn --json where they overlap; "cps" is
		 * cps_avg again */
		printf("{\"tool\": \"linux_client\", \"closer\": \"%s\", "
			"\"mode\": \"rr\", \"concurrency\": %u, "
			"\"request\": %ld, \"response\": %ld, \"sources\": %u, "
			"\"elapsed_s\": %.3f, \"ok\": %" PRIu64 ", "
			"\"failed\": %" PRIu64 ", \"cps_avg\": %.1f, "
			"\"cps\": %.1f, \"connect_us\": {\"p50\": %.3f, "
			"\"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f, "
			"\"count\": %" PRIu64 "}, \"conn_us\": {\"p50\": %.3f, "
			"\"p99\": %.3f}, \"failures\": {",
			cl.closer == CLOSER_CLIENT ? "client" :
			cl.closer == CLOSER_SERVER ? "server" : "rst",
			concurrency, cl.request, cl.response, cl.nb_src,
			elapsed, cl.ok, failures(&cl),
			(double)cl.ok / elapsed, (double)cl.ok / elapsed,
			hist_pct_us(&cl.connect_lat, 50),
			hist_pct_us(&cl.connect_lat, 90),
			hist_pct_us(&cl.connect_lat, 99),
			hist_pct_us(&cl.connect_lat, 99.9),
			cl.connect_lat.n,
			hist_pct_us(&cl.conn_lat, 50),
			hist_pct_us(&cl.conn_lat, 99));
		for (int i = 0; i < F_KINDS; i++)
			printf("%s\"%s\": %" PRIu64, i ? ", " : "",
				fail_names[i], cl.fail[i]);
		printf("}}\n");
	} else {
		printf(PROG ": %.3f s, %" PRIu64 " connections ok, %" PRIu64
			" failures (", elapsed, cl.ok, failures(&cl));
		for (int i = 0; i < F_KINDS; i++)
			printf("%s%s %" PRIu64, i ? ", " : "", fail_names[i],
				cl.fail[i]);
		printf("), %.0f connections/s; connect p50 %.1f us p99 %.1f "
			"us; connection p50 %.1f us p99 %.1f us\n",
			(double)cl.ok / elapsed,
			hist_pct_us(&cl.connect_lat, 50),
			hist_pct_us(&cl.connect_lat, 99),
			hist_pct_us(&cl.conn_lat, 50),
			hist_pct_us(&cl.conn_lat, 99));
	}
	return failures(&cl) > max_failures ? 1 : 0;
}
