/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: observability (issue 8). Two ptcp stacks in this process
 * (the pair harness), a client C and a server S whose connections the
 * test puts in known states: held open, CLOSE-WAIT (the client shut down,
 * the server app does not close), TIME-WAIT (the server closed first).
 * Then it asks the /ptcp/ telemetry commands over the EAL's real telemetry
 * socket, as dpdk-telemetry.py does, from another thread while this one
 * runs the workers' loop passes, and checks the numbers in the JSON. Also:
 * the listing of a worker that does not poll, the listing that fills a
 * reply, parameters and the engine's end, every RST counted under one
 * reason (the test as the peer), and the rate-limited warnings.
 *
 * This program runs its own EAL, with telemetry (a file prefix of its
 * own), and removes the runtime directory when it ends.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_tcp.h>
#include <rte_telemetry.h>

#include "ptcp_test_eal.h"
#include "harness.h"
#include "ptcp.h"
#include "ptcp_obs.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"

#define SRV_PORT   7
#define N_HOLD     3
#define N_CW       2
#define N_TW       4
#define REPLY_MAX  20000

/* ---- the telemetry client: another thread, the real socket ----------- */

struct tq {
	char cmd[128];
	char *out;
	size_t len;
	int n;                     /* bytes of the reply, or -errno */
	int done;
};

static void *
tq_thread(void *arg)
{
	struct tq *q = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	int s, n;

	q->n = -EIO;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (s < 0)
		goto out;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
			read(s, q->out, q->len - 1) <= 0 ||   /* the greeting */
			write(s, q->cmd, strlen(q->cmd)) < 0) {
		close(s);
		goto out;
	}
	n = (int)read(s, q->out, q->len - 1);
	if (n > 0) {
		q->out[n] = '\0';
		q->n = n;
	}
	close(s);
out:
	__atomic_store_n(&q->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The pair, and the clock of the pair. */
static struct h_stack C, S;
static struct h_wire W;
static bool pair_live;
static uint64_t now_ms;

static void
poll_both(uint64_t ms)
{
	now_ms += ms;
	h_stack_poll(&S, now_ms);
	h_stack_poll(&C, now_ms);
}

/*
 * Ask @cmd over the socket; meanwhile run the pair's passes (the clock
 * stands still) unless @poll is false (a worker that does not answer).
 * @return the reply's length, or negative.
 */
static int
ask(const char *cmd, char *out, size_t len, bool poll)
{
	struct tq q = { .out = out, .len = len };
	uint64_t end = rte_get_timer_cycles() + 10 * rte_get_timer_hz();
	pthread_t t;

	snprintf(q.cmd, sizeof(q.cmd), "%s", cmd);
	out[0] = '\0';
	if (pthread_create(&t, NULL, tq_thread, &q) != 0)
		return -1;
	while (!__atomic_load_n(&q.done, __ATOMIC_ACQUIRE) &&
			rte_get_timer_cycles() < end) {
		if (poll)
			poll_both(0);
		else
			rte_delay_us_sleep(1000);
	}
	pthread_join(t, NULL);
	return q.n;
}

/* ---- a little JSON: the replies are flat but for one level ----------- */

/* The number after "key": in @js. */
static bool
jnum(const char *js, const char *key, uint64_t *v)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(js, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	if (*p < '0' || *p > '9')
		return false;
	*v = strtoull(p, NULL, 10);
	return true;
}

/* The string after "key": in @js, into @out. */
static bool
jstr(const char *js, const char *key, char *out, size_t len)
{
	char pat[96];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(js, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	e = strchr(p, '"');
	if (e == NULL || (size_t)(e - p) >= len)
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

/* The object under key @key ("0", "1"...: rows, workers) into @out. */
static bool
jobj(const char *js, const char *key, char *out, size_t len)
{
	char pat[32];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":{", key);
	p = strstr(js, pat);
	if (p == NULL)
		return false;
	p += strlen(pat) - 1;
	e = strchr(p, '}');
	if (e == NULL || (size_t)(e - p + 1) >= len)
		return false;
	memcpy(out, p, (size_t)(e - p + 1));
	out[e - p + 1] = '\0';
	return true;
}

static unsigned int
count_of(const char *js, const char *pat)
{
	unsigned int n = 0;

	for (js = strstr(js, pat); js != NULL; js = strstr(js + 1, pat))
		n++;
	return n;
}

#define CHECK_NUM(js, key, want) do { \
	uint64_t v_ = 0; \
	CHECK_MSG(jnum(js, key, &v_), "no \"%s\" in %.300s", key, js); \
	CHECK_MSG(v_ == (uint64_t)(want), "\"%s\": %" PRIu64 ", want %" \
		PRIu64, key, v_, (uint64_t)(want)); \
} while (0)

/* ---- the applications ------------------------------------------------ */

enum role { HOLD = 1, CW, TW, REFUSE_DATA };

struct app_counts {
	unsigned int accepted, closed, closed_reset, connected, refused;
};
static struct app_counts A;

/* Client: the role is its arg; it says it in its first byte. */
static void
cli_connected(struct ptcp_conn *c)
{
	uintptr_t role = (uintptr_t)ptcp_conn_arg(c);
	char msg[8] = { (char)role, 'h', 'e', 'l', 'l', 'o', '!', '!' };

	A.connected++;
	switch (role) {
	case HOLD:
		ptcp_send(c, msg, 7);
		break;
	case CW:
		ptcp_send(c, msg, 5);
		ptcp_shutdown(c);       /* FIN-WAIT-2 here, CLOSE-WAIT there */
		break;
	case TW:
		ptcp_send(c, msg, 4);
		break;
	case REFUSE_DATA:
		ptcp_send(c, msg, 1);
		break;
	default:
		break;
	}
}

static void
cli_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	(void)c;
	rte_pktmbuf_free(m);
}

static void
cli_peer_closed(struct ptcp_conn *c)
{
	/* After the server's close: data it no longer reads. */
	if ((uintptr_t)ptcp_conn_arg(c) == REFUSE_DATA)
		ptcp_send(c, "late", 4);
	else
		ptcp_close(c);
}

static void
cli_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	A.closed++;
	if (why == PTCP_CLOSE_RESET)
		A.closed_reset++;
	if (why == PTCP_CLOSE_REFUSED)
		A.refused++;
}

static const struct ptcp_tcp_ops cli_ops = {
	.connected = cli_connected,
	.data = cli_data,
	.peer_closed = cli_peer_closed,
	.closed = cli_closed,
};

/* Server: the role arrives in the first byte; kept in the arg. */
static int
srv_accepted(struct ptcp_conn *c, void *arg)
{
	A.accepted++;
	ptcp_conn_set_arg(c, NULL);
	return arg != NULL ? -1 : 0;    /* a listener arg: refuse */
}

static void
srv_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	uintptr_t role = (uintptr_t)ptcp_conn_arg(c);

	if (role == 0) {
		role = rte_pktmbuf_mtod(m, uint8_t *)[0];
		ptcp_conn_set_arg(c, (void *)role);
		if (role == HOLD)
			ptcp_send(c, "ok!", 3);
		else if (role == TW || role == REFUSE_DATA)
			ptcp_close(c);
	}
	rte_pktmbuf_free(m);
}

static void
srv_peer_closed(struct ptcp_conn *c)
{
	/* CLOSE-WAIT: the app forgets to close. */
	if ((uintptr_t)ptcp_conn_arg(c) != CW)
		ptcp_close(c);
}

static const struct ptcp_tcp_ops srv_ops = {
	.accepted = srv_accepted,
	.data = srv_data,
	.peer_closed = srv_peer_closed,
};

static int
pair_up(const char *const *sets_s, unsigned int ns)
{
	memset(&A, 0, sizeof(A));
	now_ms = 0;
	pair_live = true;
	if (h_pair_create(&C, &S, &W, "10.98.0.1/24", NULL, 0,
			"10.98.0.2/24", sets_s, ns) != 0)
		return -1;
	if (ptcp_listen(S.lc, SRV_PORT, &srv_ops, NULL, NULL) != 0 ||
			ptcp_obs_register(S.e) != 0)
		return -1;
	poll_both(1);                   /* the gratuitous ARPs */
	return 0;
}

static void
pair_down(void)
{
	if (pair_live)
		h_pair_destroy(&C, &S, &W);
	pair_live = false;
}

static struct ptcp_conn *
open_one(uintptr_t role, uint16_t port)
{
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 2)),
		.rport = port,
		.arg = (void *)role,
	};

	return ptcp_connect(C.lc, &o, &cli_ops);
}

static uint64_t
sstate(const struct h_stack *s, unsigned int st)
{
	return h_stack_state(s, st);
}

/* Open the known mix and run until it has settled (bounded). */
static int
open_mix(void)
{
	unsigned int i;

	for (i = 0; i < N_HOLD; i++)
		CHECK(open_one(HOLD, SRV_PORT) != NULL);
	for (i = 0; i < N_CW; i++)
		CHECK(open_one(CW, SRV_PORT) != NULL);
	for (i = 0; i < N_TW; i++)
		CHECK(open_one(TW, SRV_PORT) != NULL);
	/* Past the delayed ACKs: no timer but those the states keep. */
	for (i = 0; i < 200; i++)
		poll_both(1);
	CHECK_EQ(sstate(&S, PTCP_TCPS_ESTABLISHED), N_HOLD);
	CHECK_EQ(sstate(&S, PTCP_TCPS_CLOSE_WAIT), N_CW);
	CHECK_EQ(sstate(&S, PTCP_TCPS_TIME_WAIT), N_TW);
	CHECK_EQ(sstate(&C, PTCP_TCPS_FIN_WAIT_2), N_CW);
	return 0;
}

/* In - out == now, for every state but CLOSED and LISTEN. */
static int
transitions_balance(const struct h_stack *s)
{
	uint64_t t[PTCP_TCPS_MAX][PTCP_TCPS_MAX], c[PTCP_TCPS_MAX];
	unsigned int a, b;

	ptcp_tcp_transitions(s->lc, t);
	ptcp_tcp_state_counts(s->lc, c);
	for (a = PTCP_TCPS_SYN_SENT; a < PTCP_TCPS_MAX; a++) {
		uint64_t in = 0, out = 0;

		for (b = 0; b < PTCP_TCPS_MAX; b++) {
			in += t[b][a];
			out += t[a][b];
		}
		CHECK_MSG(in - out == c[a], "%s: in %" PRIu64 " out %" PRIu64
			" now %" PRIu64, ptcp_tcp_state_name(a), in, out, c[a]);
	}
	return 0;
}

/* ==================================================================== */

static int
telemetry_reports_known_states(void)
{
	static char js[REPLY_MAX];
	char row[1024], s[64], key[8];
	unsigned int i, n_cw = 0, n_est = 0;
	uint64_t v;

	CHECK(pair_up(NULL, 0) == 0);
	CHECK(open_mix() == 0);
	poll_both(500);                 /* an age, within 2*MSL */
	CHECK(transitions_balance(&S) == 0);
	CHECK(transitions_balance(&C) == 0);

	/* /ptcp/states: exactly the mix, and one listener. */
	CHECK(ask("/ptcp/states", js, sizeof(js), true) > 0);
	printf("  %s\n", js);
	CHECK(strncmp(js, "{\"/ptcp/states\":{", 17) == 0);
	CHECK_NUM(js, "ESTABLISHED", N_HOLD);
	CHECK_NUM(js, "CLOSE_WAIT", N_CW);
	CHECK_NUM(js, "TIME_WAIT", N_TW);
	CHECK_NUM(js, "LISTEN", 1);
	for (i = 0; i < PTCP_TCPS_MAX; i++)
		CHECK(jnum(js, ptcp_obs_key(s, sizeof(s),
			ptcp_tcp_state_name(i)), &v));
	CHECK_NUM(js, "SYN_SENT", 0);
	CHECK_NUM(js, "FIN_WAIT_2", 0);
	CHECK_NUM(js, "total", N_HOLD + N_CW + N_TW);

	/* /ptcp/conns: a row per TCB; TIME-WAIT entries only counted. */
	CHECK(ask("/ptcp/conns", js, sizeof(js), true) > 0);
	printf("  %s\n", js);
	CHECK_NUM(js, "total", N_HOLD + N_CW);
	CHECK_NUM(js, "time_wait", N_TW);
	CHECK_NUM(js, "shown", N_HOLD + N_CW);
	CHECK(strstr(js, "\"busy_lcores\":[]") != NULL);
	for (i = 0; i < N_HOLD + N_CW; i++) {
		snprintf(key, sizeof(key), "%u", i);
		CHECK(jobj(js, key, row, sizeof(row)));
		CHECK(jstr(row, "laddr", s, sizeof(s)));
		CHECK(strcmp(s, "10.98.0.2") == 0);
		CHECK(jstr(row, "raddr", s, sizeof(s)));
		CHECK(strcmp(s, "10.98.0.1") == 0);
		CHECK_NUM(row, "lport", SRV_PORT);
		CHECK_NUM(row, "lcore", S.lc->lcore_id);
		CHECK(jnum(row, "rport", &v) && v >= 1024);
		CHECK(jnum(row, "age_ms", &v) && v >= 500 && v < 1000);
		CHECK(jnum(row, "cwnd", &v) && v > 0);
		CHECK(jnum(row, "rtt_ms", &v));
		CHECK(jstr(row, "state", s, sizeof(s)));
		if (strcmp(s, "ESTABLISHED") == 0) {
			n_est++;
			CHECK_NUM(row, "bytes_in", 7);
			CHECK_NUM(row, "bytes_out", 3);
			CHECK(strstr(row, "\"timers\":\"\"") != NULL);
		} else {
			CHECK(strcmp(s, "CLOSE_WAIT") == 0);
			n_cw++;
			CHECK_NUM(row, "bytes_in", 5);   /* the FIN is no byte */
			CHECK_NUM(row, "bytes_out", 0);
			/* close_wait_warn_s's timer */
			CHECK(jstr(row, "timers", s, sizeof(s)));
			CHECK(strcmp(s, "keep") == 0);
		}
	}
	CHECK_EQ(n_est, N_HOLD);
	CHECK_EQ(n_cw, N_CW);
	CHECK(!jobj(js, "5", row, sizeof(row)));
	CHECK(ask("/ptcp/conns,2", js, sizeof(js), true) > 0);
	CHECK_NUM(js, "shown", 2);
	CHECK_NUM(js, "total", N_HOLD + N_CW);
	CHECK(!jobj(js, "2", row, sizeof(row)));

	/* /ptcp/lcores: the one worker. */
	CHECK(ask("/ptcp/lcores", js, sizeof(js), true) > 0);
	printf("  %s\n", js);
	CHECK(jobj(js, "0", row, sizeof(row)));
	CHECK_NUM(row, "lcore_id", S.lc->lcore_id);
	CHECK_NUM(row, "conns", N_HOLD + N_CW);
	CHECK_NUM(row, "time_wait", N_TW);
	CHECK_NUM(row, "rx_pkts", PTCP_STAT_GET(&S.lc->stats, rx_pkts));
	CHECK_NUM(row, "mbufs_in_use", ptcp_engine_mbufs_in_use(S.e));
	CHECK(jnum(row, "steer_out", &v) && jnum(row, "steer_in", &v));
	CHECK_NUM(row, "timers", ptcp_tcp_timers_armed(S.lc));
	CHECK(jnum(row, "timers", &v) && v >= N_TW);   /* each entry's 2*MSL */
	CHECK_NUM(row, "recovery_blocks", 0);

	/* /ptcp/transitions: the edges of the diagram these took. */
	CHECK(ask("/ptcp/transitions", js, sizeof(js), true) > 0);
	printf("  %s\n", js);
	CHECK_NUM(js, "LISTEN/SYN_RECEIVED", N_HOLD + N_CW + N_TW);
	CHECK_NUM(js, "SYN_RECEIVED/ESTABLISHED", N_HOLD + N_CW + N_TW);
	CHECK_NUM(js, "ESTABLISHED/CLOSE_WAIT", N_CW);
	CHECK_NUM(js, "ESTABLISHED/FIN_WAIT_1", N_TW);
	CHECK_NUM(js, "FIN_WAIT_2/TIME_WAIT", N_TW);
	CHECK(!jnum(js, "TIME_WAIT/CLOSED", &v));

	/* /ptcp/stats: every counter, and the mbufs. */
	CHECK(ask("/ptcp/stats", js, sizeof(js), true) > 0);
	CHECK_EQ(count_of(js, "\":"), PTCP_STAT_MAX + 2 + 1);
	CHECK_NUM(js, "tcp_passive_open", N_HOLD + N_CW + N_TW);
	CHECK_NUM(js, "tcp_rst_tx", 0);
	CHECK_NUM(js, "mbufs_total", S.e->pools[0]->size);
	CHECK_NUM(js, "mbufs_in_use", ptcp_engine_mbufs_in_use(S.e));

	/* /ptcp/config: what --dump-config prints, section/key. */
	CHECK(ask("/ptcp/config", js, sizeof(js), true) > 0);
	CHECK(strstr(js, "\"tcp/msl_ms\":\"500\"") != NULL);
	CHECK(strstr(js, "\"port0/address\":\"10.98.0.2/24\"") != NULL);
	CHECK(strstr(js, "\"tcp/cc\":\"cubic\"") != NULL);

	/* A worker that runs no pass: named, its counts still there. */
	CHECK(ask("/ptcp/conns", js, sizeof(js), false) > 0);
	printf("  %s\n", js);
	snprintf(row, sizeof(row), "\"busy_lcores\":[%u]", S.lc->lcore_id);
	CHECK(strstr(js, row) != NULL);
	CHECK_NUM(js, "shown", 0);
	CHECK_NUM(js, "total", N_HOLD + N_CW);
	CHECK_NUM(js, "time_wait", N_TW);
	/* The request was withdrawn: the next one is served. */
	poll_both(0);
	CHECK(ask("/ptcp/conns", js, sizeof(js), true) > 0);
	CHECK_NUM(js, "shown", N_HOLD + N_CW);

	/* 2*MSL later the TIME-WAIT entries have gone through CLOSED. */
	for (i = 0; i < 30; i++)
		poll_both(100);
	CHECK_EQ(sstate(&S, PTCP_TCPS_TIME_WAIT), 0);
	CHECK(ask("/ptcp/transitions", js, sizeof(js), true) > 0);
	CHECK_NUM(js, "TIME_WAIT/CLOSED", N_TW);
	CHECK(transitions_balance(&S) == 0);
	pair_down();
	return 0;
}

static int
conns_listing_fits_one_reply(void)
{
	static char js[REPLY_MAX];
	char row[1024], key[8];
	unsigned int i, n = 300;
	uint64_t shown = 0;
	int len;

	CHECK(pair_up(NULL, 0) == 0);
	/* The first one resolves the next hop: the rest wait on nothing. */
	CHECK(open_one(HOLD, SRV_PORT) != NULL);
	for (i = 0; i < 20; i++)
		poll_both(1);
	for (i = 1; i < n; i++)
		CHECK(open_one(HOLD, SRV_PORT) != NULL);
	for (i = 0; i < 100; i++)
		poll_both(1);
	CHECK_EQ(sstate(&S, PTCP_TCPS_ESTABLISHED), n);
	len = ask("/ptcp/conns,1000", js, sizeof(js), true);
	printf("  /ptcp/conns,1000 with %u connections: %d bytes\n", n, len);
	CHECK(len > 0 && len <= 16384);
	CHECK_NUM(js, "total", n);
	CHECK(jnum(js, "shown", &shown));
	printf("  shown %" PRIu64 "\n", shown);
	/* As many rows as it says: none was dropped by lib/telemetry. */
	CHECK(shown > 50 && shown < n);
	CHECK_EQ(count_of(js, "{\"laddr\":"), shown);
	snprintf(key, sizeof(key), "%u", (unsigned int)shown - 1);
	CHECK(jobj(js, key, row, sizeof(row)));
	CHECK(strcmp(js + len - 2, "}}") == 0);
	CHECK(ask("/ptcp/conns,0", js, sizeof(js), true) > 0);
	CHECK_NUM(js, "shown", 0);
	CHECK_NUM(js, "total", n);
	CHECK(ask("/ptcp/conns,40", js, sizeof(js), true) > 0);
	CHECK_NUM(js, "shown", 40);
	CHECK_EQ(count_of(js, "{\"laddr\":"), 40);
	pair_down();
	return 0;
}

static int
commands_check_parameters_and_engine_end(void)
{
	static char js[REPLY_MAX];
	struct rte_tel_data *d = rte_tel_data_alloc();

	CHECK(d != NULL);
	CHECK(pair_up(NULL, 0) == 0);
	CHECK_EQ(ptcp_obs_handle("/ptcp/nothing", NULL, d), -ENOENT);
	CHECK_EQ(ptcp_obs_handle("/ptcp/conns", "x", d), -EINVAL);
	CHECK_EQ(ptcp_obs_handle("/ptcp/conns", "-1", d), -EINVAL);
	CHECK_EQ(ptcp_obs_handle("/ptcp/conns", "1001", d), -EINVAL);
	CHECK_EQ(ptcp_obs_handle("/ptcp/conns", "10x", d), -EINVAL);
	CHECK(ask("/ptcp/conns,abc", js, sizeof(js), true) > 0);
	CHECK(strcmp(js, "{\"/ptcp/conns\":null}") == 0);
	CHECK_EQ(ptcp_obs_handle("/ptcp/states", NULL, d), 0);
	rte_tel_data_free(d);
	/* Every command is listed. */
	CHECK(ask("/", js, sizeof(js), true) > 0);
	CHECK(strstr(js, "\"/ptcp/stats\"") && strstr(js, "\"/ptcp/states\"") &&
		strstr(js, "\"/ptcp/lcores\"") && strstr(js, "\"/ptcp/conns\"") &&
		strstr(js, "\"/ptcp/config\"") &&
		strstr(js, "\"/ptcp/transitions\""));
	/* Detached and destroyed: null, and nothing touched. */
	pair_down();
	CHECK(ask("/ptcp/states", js, sizeof(js), false) > 0);
	CHECK(strcmp(js, "{\"/ptcp/states\":null}") == 0);
	CHECK(ask("/ptcp/conns", js, sizeof(js), false) > 0);
	CHECK(strcmp(js, "{\"/ptcp/conns\":null}") == 0);
	d = rte_tel_data_alloc();
	CHECK(d != NULL);
	CHECK_EQ(ptcp_obs_handle("/ptcp/stats", NULL, d), -ENODEV);
	rte_tel_data_free(d);
	return 0;
}

/* Sum of the reasons == the total, on both sides. */
static int
rst_reasons_sum(const struct h_stack *s)
{
	static const enum ptcp_stat_id why[] = {
		PTCP_STAT_tcp_rst_tx_no_conn, PTCP_STAT_tcp_rst_tx_bad_ack,
		PTCP_STAT_tcp_rst_tx_abort, PTCP_STAT_tcp_rst_tx_timeout,
		PTCP_STAT_tcp_rst_tx_data_after_close,
		PTCP_STAT_tcp_rst_tx_accept_refused, PTCP_STAT_tcp_rst_tx_drain,
	};
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(why); i++)
		sum += h_stack_stat(s, why[i]);
	CHECK_EQ(sum, h_stack_stat(s, PTCP_STAT_tcp_rst_tx));
	return 0;
}

static int
rst_counted_by_reason(void)
{
	struct ptcp_conn *c;
	unsigned int i;

	CHECK(pair_up(NULL, 0) == 0);
	CHECK(ptcp_listen(S.lc, 8, &srv_ops, (void *)1, NULL) == 0);
	/* No listener: RST (no_conn); the client's SYN-SENT takes it. */
	CHECK(open_one(0, 99) != NULL);
	/* A listener whose app refuses: RST (accept_refused). */
	CHECK(open_one(0, 8) != NULL);
	/* Data after the server app closed: RST (data_after_close). */
	CHECK(open_one(REFUSE_DATA, SRV_PORT) != NULL);
	/* The client aborts: RST (abort). */
	c = open_one(0, SRV_PORT);
	CHECK(c != NULL);
	for (i = 0; i < 100; i++)
		poll_both(1);
	CHECK(ptcp_conn_state(c) == PTCP_TCPS_ESTABLISHED);
	ptcp_abort(c);
	for (i = 0; i < 100; i++)
		poll_both(1);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_rst_tx_no_conn), 1);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_no_conn_rst), 1);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_rst_tx_accept_refused), 1);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_rst_tx_data_after_close), 1);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_rst_tx), 3);
	CHECK_EQ(h_stack_stat(&C, PTCP_STAT_tcp_rst_tx_abort), 1);
	CHECK_EQ(h_stack_stat(&C, PTCP_STAT_tcp_rst_tx), 1);
	CHECK(rst_reasons_sum(&S) == 0);
	CHECK(rst_reasons_sum(&C) == 0);
	/* Received: every one acceptable, on both sides. */
	CHECK_EQ(h_stack_stat(&C, PTCP_STAT_tcp_rst_rx), 3);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_rst_rx), 1);
	CHECK_EQ(A.refused, 1);
	CHECK_EQ(A.closed_reset, 2);
	CHECK(transitions_balance(&S) == 0);
	CHECK(transitions_balance(&C) == 0);
	pair_down();
	return 0;
}

/* ---- warnings -------------------------------------------------------- */

static char *log_buf;
static size_t log_len;
static FILE *log_f;

static int
log_capture(void)
{
	log_f = open_memstream(&log_buf, &log_len);
	if (log_f == NULL || rte_openlog_stream(log_f) != 0)
		return -1;
	rte_log_set_global_level(RTE_LOG_NOTICE);
	return 0;
}

static void
log_release(void)
{
	rte_log_set_global_level(RTE_LOG_WARNING);
	rte_openlog_stream(NULL);
	if (log_f != NULL)
		fclose(log_f);
	free(log_buf);
	log_f = NULL;
	log_buf = NULL;
}

static unsigned int
log_lines(const char *pat)
{
	fflush(log_f);
	return log_buf != NULL ? count_of(log_buf, pat) : 0;
}

static int
warnings_are_rate_limited(void)
{
	static const char *const sets[] = {
		"tcp.max_tw=1", "tcp.close_wait_warn_s=1",
	};
	unsigned int i;

	CHECK(log_capture() == 0);
	CHECK(pair_up(sets, RTE_DIM(sets)) == 0);
	/* Three closes by the server: one TIME-WAIT entry, two capped. */
	for (i = 0; i < 3; i++)
		CHECK(open_one(TW, SRV_PORT) != NULL);
	for (i = 0; i < 100; i++)
		poll_both(1);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_tw_cap), 2);
	CHECK_EQ(log_lines("TIME-WAIT cap reached"), 1);
	CHECK_EQ(log_lines("1 connection(s) ended without TIME-WAIT"), 1);
	/* Two CLOSE-WAIT connections passing the age at once: one line. */
	for (i = 0; i < 2; i++)
		CHECK(open_one(CW, SRV_PORT) != NULL);
	for (i = 0; i < 15; i++)
		poll_both(100);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_close_wait_old), 2);
	CHECK_EQ(log_lines("in CLOSE-WAIT since the last report"), 1);
	CHECK_EQ(log_lines("2 in CLOSE-WAIT now"), 1);
	/* A minute on, the next of each kind is told, with the count. */
	for (i = 0; i < 60; i++)
		poll_both(1000);
	for (i = 0; i < 2; i++)
		CHECK(open_one(TW, SRV_PORT) != NULL);
	CHECK(open_one(CW, SRV_PORT) != NULL);
	for (i = 0; i < 15; i++)
		poll_both(100);
	CHECK_EQ(h_stack_stat(&S, PTCP_STAT_tcp_tw_cap), 3);
	CHECK_EQ(log_lines("TIME-WAIT cap reached"), 2);
	CHECK_EQ(log_lines("2 connection(s) ended without TIME-WAIT"), 1);
	CHECK_EQ(log_lines("in CLOSE-WAIT since the last report"), 2);
	CHECK_EQ(log_lines("2 connection(s) passed 1 s in CLOSE-WAIT"), 1);
	CHECK_EQ(log_lines("3 in CLOSE-WAIT now"), 1);
	printf("%s", log_buf);
	pair_down();
	log_release();
	return 0;
}

static void
after(void)
{
	pair_down();
	if (log_f != NULL)
		log_release();
}

static const struct ptcp_test tests[] = {
	TEST(telemetry_reports_known_states),
	TEST(conns_listing_fits_one_reply),
	TEST(commands_check_parameters_and_engine_end),
	TEST(rst_counted_by_reason),
	TEST(warnings_are_rate_limited),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	char prefix[64], path[PATH_MAX + 32], dir[PATH_MAX];
	const char *eal[] = {
		argv[0], "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
		"-l", "0", "--log-level=warning", prefix,
	};
	int ret;

	/* Telemetry on, in a runtime directory of this run's own. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=ptcp_test_obs_%d",
		(int)getpid());
	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	ret = ptcp_test_run_after(tests, argc, argv, after);
	rte_eal_cleanup();
	snprintf(path, sizeof(path), "%s/dpdk_telemetry.v2", dir);
	unlink(path);
	rmdir(dir);
	return ret;
}
