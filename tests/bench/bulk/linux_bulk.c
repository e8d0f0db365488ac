/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linux_bulk: the Linux kernel's side of the bulk benchmark.
 *
 * One TCP connection over loopback inside this process: a sender thread
 * writes with plain blocking send() of --buf bytes, a receiver thread
 * reads with blocking recv() of --buf bytes, as the simplest fast program
 * would. Socket buffers are left to the kernel's autotuning (setting
 * SO_SNDBUF/SO_RCVBUF would turn it off). --cpus S,R pins the sender to
 * CPU S and the receiver to CPU R: "0,0" puts both ends on one core, as
 * bulk_inproc does with ptcp.
 *
 * The measured window is bulk_inproc's: from the moment the receiver has
 * --warmup bytes to the last byte (EOF). --duration S: the sender stops
 * S seconds into the window and shuts its side down; --bytes N: it sends
 * N bytes in all. With --verify every byte carries the pattern of
 * bulk_inproc (its stream offset modulo 65521) and the receiver checks
 * it; the sender always sends from the pattern (no cost: it is a buffer).
 *
 * CPU: the kernel's work cannot be counted in instructions here
 * (callgrind sees user space only; this VM exposes no PMU to perf), so
 * the figure is CPU time: getrusage(RUSAGE_SELF) user + system of both
 * threads over the window, which includes the softirq work done in their
 * context (loopback delivers in the sender's context; tick accounting,
 * no IRQ time accounting, charges it to the task), plus the time of
 * every ksoftirqd thread over the same window (work deferred there is
 * ours too on an otherwise quiet network). cpu_ns_per_byte is that total
 * over the bytes of the window.
 *
 * Usage: linux_bulk [--duration S | --bytes N] [--warmup N] [--buf N]
 *                   [--cpus S,R] [--port P] [--verify]
 * Output: one "linux_bulk:" line of key value pairs. Exit 0, or 1.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "linux_bulk"
#define PAT_PERIOD 65521u
#define MAX_BUF (1u << 20)

static uint8_t pattern[PAT_PERIOD + MAX_BUF];

static struct {
	int lfd;
	uint16_t port;
	uint32_t buf;
	uint64_t bytes;          /* 0: --duration */
	uint64_t warmup;
	double duration;
	bool verify;
	int cpu_snd, cpu_rcv;    /* -1: not pinned */
	/* set by the receiver when the window opens, read by the sender */
	_Atomic uint64_t stop_ns;
	_Atomic int error;
	/* results (receiver) */
	uint64_t received, rx0, bad, first_bad;
	double t0, t1, cpu_user, cpu_sys, softirq;
	uint64_t sent;
	int mss;
} L;

static void
pattern_init(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned int i;

	for (i = 0; i < PAT_PERIOD; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pattern[i] = (uint8_t)(x >> 24);
	}
	for (i = 0; i < MAX_BUF; i++)
		pattern[PAT_PERIOD + i] = pattern[i % PAT_PERIOD];
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
rusage_s(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
	*sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* CPU seconds of every ksoftirqd/N thread (utime + stime). */
static double
ksoftirqd_s(void)
{
	char path[300], comm[64], stat[1024];
	unsigned long ut, st;
	double total = 0;
	struct dirent *d;
	DIR *dir;
	FILE *f;
	char *p;

	dir = opendir("/proc");
	if (dir == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) == NULL ||
				strncmp(comm, "ksoftirqd/", 10) != 0) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(stat, sizeof(stat), f) != NULL &&
				(p = strrchr(stat, ')')) != NULL &&
				sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u "
				"%*u %*u %*u %lu %lu", &ut, &st) == 2)
			total += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		fclose(f);
	}
	closedir(dir);
	return total;
}

static void
pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		fprintf(stderr, PROG ": cannot pin to CPU %d\n", cpu);
}

static void *
sender(void *arg)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(L.port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	uint64_t limit = L.bytes != 0 ? L.bytes : UINT64_MAX, stop;
	ssize_t n;
	size_t len;
	socklen_t sl = sizeof(L.mss);
	int fd;

	(void)arg;
	pin(L.cpu_snd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror(PROG ": connect");
		L.error = 1;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &L.mss, &sl);
	while (L.sent < limit && L.error == 0) {
		if (L.bytes == 0) {
			stop = atomic_load_explicit(&L.stop_ns,
				memory_order_relaxed);
			if (stop != 0 && now_ns() >= stop)
				break;
		}
		len = (size_t)(limit - L.sent < L.buf ? limit - L.sent : L.buf);
		n = send(fd, pattern + L.sent % PAT_PERIOD, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror(PROG ": send");
			L.error = 1;
			break;
		}
		L.sent += (uint64_t)n;
	}
	shutdown(fd, SHUT_WR);
	/* wait for the receiver's close, so that nothing is reset */
	{
		char c;

		while (recv(fd, &c, 1, 0) > 0)
			;
	}
	close(fd);
	return NULL;
}

static void *
receiver(void *arg)
{
	uint8_t *buf = malloc(L.buf);
	bool measuring = false;
	double u0 = 0, s0 = 0, k0 = 0, u1, s1;
	const uint8_t *want;
	ssize_t n, i;
	int fd;

	(void)arg;
	pin(L.cpu_rcv);
	fd = accept(L.lfd, NULL, NULL);
	if (fd < 0 || buf == NULL) {
		perror(PROG ": accept");
		L.error = 1;
		free(buf);
		return NULL;
	}
	for (;;) {
		n = recv(fd, buf, L.buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				perror(PROG ": recv");
				L.error = 1;
			}
			break;
		}
		if (L.verify) {
			want = pattern + L.received % PAT_PERIOD;
			if (memcmp(buf, want, (size_t)n) != 0) {
				for (i = 0; i < n; i++) {
					if (buf[i] != want[i] && L.bad++ == 0)
						L.first_bad = L.received +
							(uint64_t)i;
				}
			}
		}
		L.received += (uint64_t)n;
		if (!measuring && L.received >= L.warmup) {
			measuring = true;
			k0 = ksoftirqd_s();
			rusage_s(&u0, &s0);
			L.rx0 = L.received;
			L.t0 = (double)now_ns() * 1e-9;
			atomic_store(&L.stop_ns, now_ns() +
				(uint64_t)(L.duration * 1e9));
		}
	}
	L.t1 = (double)now_ns() * 1e-9;
	rusage_s(&u1, &s1);
	L.softirq = ksoftirqd_s() - k0;
	L.cpu_user = u1 - u0;
	L.cpu_sys = s1 - s0;
	if (!measuring)
		L.error = 1;
	close(fd);
	free(buf);
	return NULL;
}

static uint64_t
num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0') {
		fprintf(stderr, PROG ": '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static int
usage(void)
{
	fprintf(stderr,
"usage: " PROG " [--duration S | --bytes N] [--warmup N] [--buf N]\n"
"                  [--cpus S,R] [--port P] [--verify]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "buf", required_argument, NULL, 'b' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "verify", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in sa = { .sin_family = AF_INET };
	pthread_t ts, tr;
	double secs, cpu, n;
	int opt, one = 1;

	L.port = 5001;
	L.buf = 256u << 10;
	L.warmup = 1u << 20;
	L.duration = 3.0;
	L.cpu_snd = L.cpu_rcv = -1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			L.duration = atof(optarg);
			L.bytes = 0;
			break;
		case 'n':
			L.bytes = num(optarg);
			break;
		case 'w':
			L.warmup = num(optarg);
			break;
		case 'b':
			L.buf = (uint32_t)num(optarg);
			break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &L.cpu_snd, &L.cpu_rcv) != 2)
				return usage();
			break;
		case 'p':
			L.port = (uint16_t)num(optarg);
			break;
		case 'v':
			L.verify = true;
			break;
		default:
			return usage();
		}
	}
	if (L.buf == 0 || L.buf > MAX_BUF || L.duration <= 0)
		return usage();
	if (L.bytes != 0 && L.warmup >= L.bytes)
		L.warmup = 0;
	pattern_init();
	sa.sin_port = htons(L.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	L.lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (L.lfd < 0 ||
			setsockopt(L.lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) != 0 ||
			bind(L.lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			listen(L.lfd, 1) != 0) {
		perror(PROG ": listen");
		return 1;
	}
	if (pthread_create(&tr, NULL, receiver, NULL) != 0 ||
			pthread_create(&ts, NULL, sender, NULL) != 0) {
		fprintf(stderr, PROG ": pthread_create failed\n");
		return 1;
	}
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	close(L.lfd);
	if (L.error != 0 || L.received != L.sent || L.bad != 0) {
		fprintf(stderr, PROG ": FAILED: sent %" PRIu64 " received %"
			PRIu64 " bad bytes %" PRIu64 " (first at %" PRIu64 ")\n",
			L.sent, L.received, L.bad, L.first_bad);
		return 1;
	}
	secs = L.t1 - L.t0;
	n = (double)(L.received - L.rx0);
	cpu = L.cpu_user + L.cpu_sys + L.softirq;
	printf(PROG ": verify %s buf %u bytes %" PRIu64 " seconds %.3f gbps %.3f"
		" cpu_s %.3f cpu_ns_per_byte %.4f user_s %.3f sys_s %.3f"
		" ksoftirqd_s %.3f cpus %d,%d mss %d\n",
		L.verify ? "yes" : "no", L.buf, L.received - L.rx0, secs,
		secs > 0 ? n * 8 / secs / 1e9 : 0.0, cpu,
		n > 0 ? cpu * 1e9 / n : 0.0, L.cpu_user, L.cpu_sys, L.softirq,
		L.cpu_snd, L.cpu_rcv, L.mss);
	return 0;
}
