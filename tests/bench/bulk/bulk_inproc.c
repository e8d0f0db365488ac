/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulk_inproc: one bulk TCP connection between two ptcp stacks in ONE
 * process, over net_ring (tests/pkt/harness.h: h_pair_create()).
 *
 * Stack A (10.95.0.1) connects to stack B (10.95.0.2:5001) and sends; B
 * counts what its data callback gets and frees it. One thread alternates
 * the two loop passes (A, then B) with the real clock: each pass gets the
 * milliseconds elapsed since its engine started. So both ends share one
 * core, as the Linux figure of run.sh does when both of its threads are
 * pinned to one core.
 *
 * Modes:
 *   zc    ptcp_send_mbuf() of mbufs from a pool of our own whose data rooms
 *         were filled once at start: no byte is written per send by the
 *         app (the cost of producing data is not the stack's)
 *   copy  ptcp_send() from a static buffer, --copy-size bytes per call
 * With --verify every byte carries a pattern of its stream offset (period
 * 65521, so a segment out of place shows); the zc sender then writes each
 * mbuf before sending it, and the receiver checks every byte.
 *
 * The measured window starts when B has received --warmup bytes (slow
 * start is over) and ends when B has received the last byte. --duration S:
 * A stops queueing S seconds into the window; --bytes N: A sends N bytes
 * in all. Then A closes, B closes on the FIN, both sides' TIME-WAIT runs
 * out (fast-forwarded clock), and the program checks that every mbuf is
 * back in its pool (both engines' and the app's): it prints the result and
 * exits 1 if one is missing.
 *
 * For callgrind (callgrind.sh) the passes of the measured window go
 * through bulk_sender_measured() (A's pass and the app's sends) and
 * bulk_receiver_measured() (B's pass, the data callback included), so
 * --toggle-collect on those leaves out EAL, setup, the handshake, the
 * warm-up and the close. --virtual N replaces the real clock by one that
 * advances 1 ms every N passes, so that a run under valgrind (50x slower)
 * sees timers fire per pass as a native run would and repeats exactly.
 *
 * Output: one "bulk_inproc:" line of key value pairs, and one "mbufs:"
 * line. Exit 0, or 1 on a failure (stall, verify error, mbuf missing).
 *
 * Usage: bulk_inproc [--mode zc|copy] [--duration S | --bytes N]
 *        [--warmup N] [--chunk N] [--copy-size N] [--verify]
 *        [--virtual N] [--timeout S] [--set section.key=value]...
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp_test_eal.h"
#include "harness.h"
#include "ptcp_tcp.h"

#define PROG "bulk_inproc"
#define BULK_PORT 5001
#define PAT_PERIOD 65521u           /* prime: shifted data shows */
#define PAT_EXTRA 65536u            /* longest piece read at one offset */
#define MAX_CHUNK 16384u
#define MAX_SETS 16
#define FILL_MAX_CALLS 4096         /* sends per fill: bounded */

enum bulk_mode { MODE_ZC, MODE_COPY };

struct bulk {
	struct h_stack a, b;
	struct h_wire w;
	struct rte_mempool *app_pool;   /* zc payload mbufs */
	struct ptcp_conn *tx, *rx;
	enum bulk_mode mode;
	bool verify;
	uint32_t chunk;                 /* zc bytes per mbuf */
	uint32_t copy_size;             /* copy bytes per ptcp_send() */
	uint64_t limit;                 /* bytes A sends in all */
	uint64_t queued;                /* bytes A's sends took */
	uint64_t received;              /* bytes B's data callback got */
	uint64_t bad;                   /* verify: bytes that differ */
	uint64_t first_bad;             /* verify: stream offset of the first */
	struct rte_mbuf *pending;       /* zc: refused for space, kept */
	int send_error;                 /* other than -ENOBUFS */
	bool connected, tx_closed, rx_closed, close_sent;
	int tx_reason, rx_reason;
	unsigned int accepted;
	uint64_t virt;                  /* passes per ms, 0 = real clock */
	uint64_t passes;
	uint64_t skip_ms;               /* fast-forward at the end */
};

static struct bulk B;
static uint8_t pattern[PAT_PERIOD + PAT_EXTRA];

/* The pattern: byte i of the stream is pattern[i % PAT_PERIOD]. */
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
	for (i = 0; i < PAT_EXTRA; i++)
		pattern[PAT_PERIOD + i] = pattern[i % PAT_PERIOD];
}

static inline const uint8_t *
pattern_at(uint64_t off)
{
	return pattern + off % PAT_PERIOD;
}

/* Pool object init: fill the data room once (zc without --verify). */
static void
app_obj_fill(struct rte_mempool *mp, void *arg, void *obj, unsigned int i)
{
	struct rte_mbuf *m = obj;

	RTE_SET_USED(mp);
	RTE_SET_USED(arg);
	RTE_SET_USED(i);
	memcpy((uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM, pattern,
		RTE_MIN((uint32_t)m->buf_len - RTE_PKTMBUF_HEADROOM, PAT_EXTRA));
}

/* The clock of a pass, ms since @s started (real, or @passes / virt). */
static uint64_t
now_of(const struct h_stack *s)
{
	uint64_t ms;

	if (B.virt != 0)
		ms = B.passes / B.virt;
	else
		ms = (rte_rdtsc() - s->e->start_tsc) * 1000 / s->e->tsc_hz;
	return ms + B.skip_ms;
}

/* Queue as much as the send buffer takes, up to B.limit. */
static void
bulk_fill(void)
{
	struct ptcp_conn *c = B.tx;
	struct rte_mbuf *m;
	uint64_t left;
	uint32_t len;
	unsigned int n;
	int ret;

	if (c == NULL || !B.connected || B.close_sent || B.send_error != 0)
		return;
	for (n = 0; n < FILL_MAX_CALLS && B.queued < B.limit; n++) {
		left = B.limit - B.queued;
		if (B.mode == MODE_COPY) {
			len = (uint32_t)RTE_MIN(left, (uint64_t)B.copy_size);
			ret = ptcp_send(c, pattern_at(B.queued), len);
			if (ret < 0 && ret != -ENOBUFS)
				B.send_error = ret;
			if (ret <= 0)
				return;
			B.queued += (uint64_t)ret;
			if ((uint32_t)ret < len)
				return;
			continue;
		}
		len = (uint32_t)RTE_MIN(left, (uint64_t)B.chunk);
		m = B.pending;
		B.pending = NULL;
		if (m == NULL) {
			m = rte_pktmbuf_alloc(B.app_pool);
			if (m == NULL)
				return;
			/* the data room was filled at start: no write */
			if (rte_pktmbuf_append(m, (uint16_t)len) == NULL) {
				rte_pktmbuf_free(m);
				B.send_error = -ENOSPC;
				return;
			}
			if (B.verify)
				memcpy(rte_pktmbuf_mtod(m, uint8_t *),
					pattern_at(B.queued), len);
		}
		ret = ptcp_send_mbuf(c, m);
		if (ret != 0) {
			if (ret == -ENOBUFS)
				B.pending = m;      /* same bytes, next time */
			else {
				rte_pktmbuf_free(m);
				B.send_error = ret;
			}
			return;
		}
		B.queued += len;
	}
}

/* ---- callbacks ------------------------------------------------------- */

static void
tx_connected(struct ptcp_conn *c)
{
	RTE_SET_USED(c);
	B.connected = true;
	bulk_fill();
}

static void
tx_writable(struct ptcp_conn *c)
{
	RTE_SET_USED(c);
	bulk_fill();
}

static void
tx_peer_closed(struct ptcp_conn *c)
{
	RTE_SET_USED(c);
}

static void
tx_closed(struct ptcp_conn *c, enum ptcp_close_reason reason)
{
	RTE_SET_USED(c);
	B.tx_closed = true;
	B.tx_reason = (int)reason;
	B.tx = NULL;
}

static int
rx_accepted(struct ptcp_conn *c, void *arg)
{
	RTE_SET_USED(arg);
	if (B.accepted++ != 0)
		return -1;
	B.rx = c;
	return 0;
}

static void
rx_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	const uint8_t *p, *want;
	uint32_t i;

	RTE_SET_USED(c);
	if (!B.verify) {
		B.received += rte_pktmbuf_pkt_len(m);
		rte_pktmbuf_free(m);
		return;
	}
	for (s = m; s != NULL; s = s->next) {
		p = rte_pktmbuf_mtod(s, const uint8_t *);
		want = pattern_at(B.received);
		if (memcmp(p, want, s->data_len) != 0) {
			for (i = 0; i < s->data_len; i++) {
				if (p[i] == want[i])
					continue;
				if (B.bad++ == 0)
					B.first_bad = B.received + i;
			}
		}
		B.received += s->data_len;
	}
	rte_pktmbuf_free(m);
}

static void
rx_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
rx_closed(struct ptcp_conn *c, enum ptcp_close_reason reason)
{
	RTE_SET_USED(c);
	B.rx_closed = true;
	B.rx_reason = (int)reason;
	B.rx = NULL;
}

static const struct ptcp_tcp_ops tx_ops = {
	.connected = tx_connected,
	.writable = tx_writable,
	.peer_closed = tx_peer_closed,
	.closed = tx_closed,
};

static const struct ptcp_tcp_ops rx_ops = {
	.accepted = rx_accepted,
	.data = rx_data,
	.peer_closed = rx_peer_closed,
	.closed = rx_closed,
};

/* ---- the loop --------------------------------------------------------- */

/* Measured (callgrind --toggle-collect): A's pass and the app's sends. */
void bulk_sender_measured(void);
/* Measured: B's pass, the data callback included. */
void bulk_receiver_measured(void);

__rte_noinline void
bulk_sender_measured(void)
{
	h_stack_poll(&B.a, now_of(&B.a));
	bulk_fill();
}

__rte_noinline void
bulk_receiver_measured(void)
{
	h_stack_poll(&B.b, now_of(&B.b));
}

static void
pass(bool measured)
{
	if (measured) {
		bulk_sender_measured();
		bulk_receiver_measured();
	} else {
		h_stack_poll(&B.a, now_of(&B.a));
		bulk_fill();
		h_stack_poll(&B.b, now_of(&B.b));
	}
	B.passes++;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static uint64_t
stat2(const struct h_stack *s, enum ptcp_stat_id id)
{
	return h_stack_stat(s, id);
}

static int
usage(void)
{
	fprintf(stderr,
"usage: " PROG " [--mode zc|copy] [--duration S | --bytes N] [--warmup N]\n"
"       [--chunk N] [--copy-size N] [--verify] [--virtual N] [--timeout S]\n"
"       [--set section.key=value]...   (both stacks; see the file comment)\n");
	return 2;
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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "copy-size", required_argument, NULL, 'C' },
		{ "verify", no_argument, NULL, 'v' },
		{ "virtual", required_argument, NULL, 'V' },
		{ "timeout", required_argument, NULL, 't' },
		{ "set", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *eal_argv[] = {
		argv[0], "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
		"-l", "0", "--no-telemetry", "--log-level=warning",
	};
	const char *sets[MAX_SETS];
	unsigned int nsets = 0;
	double duration = 3.0, timeout_s = 120.0, secs, cpu, cpu0, cpu1;
	uint64_t bytes = 0, warmup = 1u << 20, hz, t_start, t_end, t_stop = 0;
	uint64_t deadline, rx0 = 0, q0 = 0, segs_a0 = 0, segs_b0 = 0;
	uint64_t passes0 = 0, iter, in_use_a, in_use_b, app_in_use;
	struct ptcp_stats sa, sb;
	bool measuring = false, ok = true;
	uint32_t pool_n;
	int opt, ret;

	memset(&B, 0, sizeof(B));
	B.mode = MODE_ZC;
	B.chunk = 1448;
	B.copy_size = 65536;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (strcmp(optarg, "zc") == 0)
				B.mode = MODE_ZC;
			else if (strcmp(optarg, "copy") == 0)
				B.mode = MODE_COPY;
			else
				return usage();
			break;
		case 'd':
			duration = atof(optarg);
			bytes = 0;
			break;
		case 'n':
			bytes = num(optarg);
			break;
		case 'w':
			warmup = num(optarg);
			break;
		case 'c':
			B.chunk = (uint32_t)num(optarg);
			break;
		case 'C':
			B.copy_size = (uint32_t)num(optarg);
			break;
		case 'v':
			B.verify = true;
			break;
		case 'V':
			B.virt = num(optarg);
			break;
		case 't':
			timeout_s = atof(optarg);
			break;
		case 's':
			if (nsets == MAX_SETS)
				return usage();
			sets[nsets++] = optarg;
			break;
		default:
			return usage();
		}
	}
	if (B.chunk == 0 || B.chunk > MAX_CHUNK || B.copy_size == 0 ||
			B.copy_size > PAT_EXTRA || duration <= 0 || timeout_s <= 0)
		return usage();
	pattern_init();
	ret = ptcp_test_eal_init((int)RTE_DIM(eal_argv), eal_argv);
	if (ret < 0) {
		fprintf(stderr, PROG ": EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	hz = rte_get_tsc_hz();
	if (h_pair_create(&B.a, &B.b, &B.w, "10.95.0.1/24", sets, nsets,
			"10.95.0.2/24", sets, nsets) != 0) {
		fprintf(stderr, PROG ": pair setup failed\n");
		h_pair_destroy(&B.a, &B.b, &B.w);
		rte_eal_cleanup();
		return 1;
	}
	/* Twice the send buffer in chunks (queued plus one refused), and
	 * slack: the pool never limits the sender. */
	pool_n = 2 * (B.a.e->cfg.tcp.snd_buf / B.chunk + 1) + 1024;
	B.app_pool = rte_pktmbuf_pool_create("bulk_app", pool_n, 256, 0,
		(uint16_t)(RTE_PKTMBUF_HEADROOM + B.chunk), (int)rte_socket_id());
	if (B.app_pool == NULL) {
		fprintf(stderr, PROG ": app pool: %s\n", rte_strerror(rte_errno));
		ok = false;
		goto out;
	}
	rte_mempool_obj_iter(B.app_pool, app_obj_fill, NULL);
	if (ptcp_listen(B.b.lc, BULK_PORT, &rx_ops, NULL, NULL) != 0) {
		fprintf(stderr, PROG ": listen failed\n");
		ok = false;
		goto out;
	}
	B.limit = bytes != 0 ? bytes : UINT64_MAX;
	if (bytes != 0 && warmup >= bytes)
		warmup = 0;
	{
		struct ptcp_connect_opts co = {
			.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 95, 0, 2)),
			.rport = BULK_PORT,
		};

		B.tx = ptcp_connect(B.a.lc, &co, &tx_ops);
	}
	if (B.tx == NULL) {
		fprintf(stderr, PROG ": connect: %s\n", rte_strerror(rte_errno));
		ok = false;
		goto out;
	}

	/*
	 * Handshake, warm-up, the measured window. Bounded by the wall clock
	 * (--timeout) and by a pass count that no sane run reaches.
	 */
	t_start = rte_rdtsc();
	deadline = t_start + (uint64_t)(timeout_s * (double)hz);
	cpu0 = 0;
	t_end = t_start;
	for (iter = 0; iter < 4000000000ull; iter++) {
		uint64_t now;

		pass(measuring);
		if (B.send_error != 0 || B.tx_closed || B.rx_closed)
			break;
		if (!measuring && B.received >= warmup && B.connected) {
			measuring = true;
			rx0 = B.received;
			q0 = B.queued;
			passes0 = B.passes;
			segs_a0 = stat2(&B.a, PTCP_STAT_tcp_segs_out);
			segs_b0 = stat2(&B.b, PTCP_STAT_tcp_segs_out);
			cpu0 = cpu_s();
			t_start = rte_rdtsc();
			if (bytes == 0)
				t_stop = t_start + (uint64_t)(duration * (double)hz);
		}
		if (measuring && B.received >= B.limit)
			break;
		if ((iter & 63) != 0)
			continue;
		now = rte_rdtsc();
		if (measuring && bytes == 0 && B.limit == UINT64_MAX &&
				now >= t_stop) {
			/* stop queueing: what is queued is the total */
			if (B.pending != NULL) {
				rte_pktmbuf_free(B.pending);
				B.pending = NULL;
			}
			B.limit = B.queued;
		}
		if (now >= deadline)
			break;
	}
	t_end = rte_rdtsc();
	cpu1 = cpu_s();
	ptcp_engine_stats(B.a.e, &sa);
	ptcp_engine_stats(B.b.e, &sb);
	if (!measuring || B.received != B.limit || B.send_error != 0 ||
			B.bad != 0) {
		fprintf(stderr, PROG ": FAILED: received %" PRIu64 " of %" PRIu64
			" bytes (queued %" PRIu64 "), send error %d, bad bytes %"
			PRIu64 " (first at %" PRIu64 "), closed tx %d rx %d, "
			"%.1f s\n", B.received, B.limit, B.queued, B.send_error,
			B.bad, B.first_bad, B.tx_closed, B.rx_closed,
			(double)(t_end - t_start) / (double)hz);
		ok = false;
	}
	secs = (double)(t_end - t_start) / (double)hz;
	cpu = cpu1 - cpu0;
	if (measuring && secs > 0) {
		double n = (double)(B.received - rx0);

		printf(PROG ": mode %s verify %s chunk %u bytes %" PRIu64
			" seconds %.3f gbps %.3f cpu_s %.3f cpu_ns_per_byte %.4f"
			" passes %" PRIu64 " segs_a %" PRIu64 " segs_b %" PRIu64
			" queued_in_window %" PRIu64 " rexmt %" PRIu64 " rto %"
			PRIu64 " delack %" PRIu64 " tso %" PRIu64 " drop_nombuf %"
			PRIu64 " tx_drop_full %" PRIu64 " clock %s\n",
			B.mode == MODE_ZC ? "zc" : "copy", B.verify ? "yes" : "no",
			B.mode == MODE_ZC ? B.chunk : B.copy_size,
			B.received - rx0, secs, n * 8 / secs / 1e9, cpu,
			n > 0 ? cpu * 1e9 / n : 0.0, B.passes - passes0,
			sa.c[PTCP_STAT_tcp_segs_out] - segs_a0,
			sb.c[PTCP_STAT_tcp_segs_out] - segs_b0,
			B.limit - q0,
			sa.c[PTCP_STAT_tcp_rexmt] + sb.c[PTCP_STAT_tcp_rexmt],
			sa.c[PTCP_STAT_tcp_rto] + sb.c[PTCP_STAT_tcp_rto],
			sb.c[PTCP_STAT_tcp_delack],
			sa.c[PTCP_STAT_tcp_tso_segs],
			sa.c[PTCP_STAT_tx_drop_nombuf] +
			sb.c[PTCP_STAT_tx_drop_nombuf],
			sa.c[PTCP_STAT_tx_drop_full] + sb.c[PTCP_STAT_tx_drop_full],
			B.virt != 0 ? "virtual" : "real");
	}

	/* Close: A first (it holds TIME-WAIT), B on the FIN. */
	if (B.pending != NULL) {
		rte_pktmbuf_free(B.pending);
		B.pending = NULL;
	}
	if (B.tx != NULL) {
		ptcp_close(B.tx);
		B.close_sent = true;
	}
	deadline = rte_rdtsc() + 10 * hz;
	for (iter = 0; iter < 10000000 && rte_rdtsc() < deadline; iter++) {
		pass(false);
		if (B.tx_closed && B.rx_closed)
			break;
	}
	if (!B.tx_closed || !B.rx_closed || B.tx_reason != PTCP_CLOSE_NORMAL ||
			B.rx_reason != PTCP_CLOSE_NORMAL) {
		fprintf(stderr, PROG ": close: tx %s (%s) rx %s (%s)\n",
			B.tx_closed ? "closed" : "open",
			ptcp_close_reason_name((unsigned int)B.tx_reason),
			B.rx_closed ? "closed" : "open",
			ptcp_close_reason_name((unsigned int)B.rx_reason));
		ok = false;
	}
	/* TIME-WAIT: run the clock forward 10 ms a pass until it is gone. */
	for (iter = 0; iter < 2000; iter++) {
		uint64_t left = 0;
		unsigned int st;

		for (st = 0; st < PTCP_TCPS_MAX; st++) {
			if (st == PTCP_TCPS_LISTEN)
				continue;
			left += h_stack_state(&B.a, st) + h_stack_state(&B.b, st);
		}
		if (left == 0)
			break;
		B.skip_ms += 10;
		pass(false);
	}
out:
	if (B.pending != NULL)
		rte_pktmbuf_free(B.pending);
	in_use_a = B.a.e != NULL ? ptcp_engine_mbufs_in_use(B.a.e) : 0;
	in_use_b = B.b.e != NULL ? ptcp_engine_mbufs_in_use(B.b.e) : 0;
	app_in_use = B.app_pool != NULL ?
		(uint64_t)rte_mempool_in_use_count(B.app_pool) : 0;
	if (B.a.e != NULL && B.b.e != NULL) {
		bool back = in_use_a == B.a.baseline &&
			in_use_b == B.b.baseline && app_in_use == 0;

		printf("mbufs: A %" PRIu64 " in use (baseline %u), B %" PRIu64
			" (baseline %u), app pool %" PRIu64 ": %s\n", in_use_a,
			B.a.baseline, in_use_b, B.b.baseline, app_in_use,
			back ? "all returned" : "MISSING");
		if (!back)
			ok = false;
	}
	h_pair_destroy(&B.a, &B.b, &B.w);
	rte_mempool_free(B.app_pool);
	rte_eal_cleanup();
	return ok ? 0 : 1;
}
