/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: ptcp-churn's workload (app/churn/churn.c) against
 * ptcp-server's services (app/server: the real rr and HTTP code), two
 * ptcp engines in this process over cross-connected net_ring ports, with
 * a clock driven by hand. For each closer: thousands of connections, zero
 * failures, as many opened as closed on both sides (client ok == server
 * accepted == server closed callbacks), every state count zero once 2*MSL
 * has passed, every mbuf pool back where it started.
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"

#include "churn.h"
#include "services.h"

#define RR_PORT 5001
#define MSL_MS 500

struct stack {
	struct ptcp_engine *e;
	struct ptcp_lcore *lc;
	unsigned int baseline;
};

/* Everything one test sets up (torn down by after(), pass or fail). */
struct churn_pair {
	struct stack a, b;                /* client (churn), server */
	struct rte_ring *ab, *ba;
	uint64_t now_ms;
	struct services *sv;
	struct churn_lcore *cl;
	struct churn_params p;
};

static struct churn_pair P;
static unsigned int setups;          /* ring and port names are per setup */

static int
stack_create(struct stack *s, const char *dev, const char *addr,
		const char *const *extra, unsigned int nb_extra)
{
	char sets[16][96];
	const char *p[16];
	struct ptcp_config cfg;
	char err[512];
	unsigned int i, n = 0;

	snprintf(sets[n++], sizeof(sets[0]), "port0.device=%s", dev);
	snprintf(sets[n++], sizeof(sets[0]), "port0.address=%s", addr);
	snprintf(sets[n++], sizeof(sets[0]), "mempool.mbufs=8191");
	snprintf(sets[n++], sizeof(sets[0]), "mempool.cache=64");
	snprintf(sets[n++], sizeof(sets[0]), "tcp.max_conns=1024");
	snprintf(sets[n++], sizeof(sets[0]), "tcp.max_tw=16384");
	snprintf(sets[n++], sizeof(sets[0]), "tcp.msl_ms=%u", MSL_MS);
	for (i = 0; i < n; i++)
		p[i] = sets[i];
	for (i = 0; i < nb_extra && n < RTE_DIM(p); i++)
		p[n++] = extra[i];
	if (ptcp_config_load(&cfg, NULL, p, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	s->e = ptcp_engine_create(&cfg, err, sizeof(err));
	if (s->e == NULL || ptcp_tcp_attach(s->e, err, sizeof(err)) != 0) {
		fprintf(stderr, "engine: %s\n", err);
		return -1;
	}
	s->baseline = ptcp_engine_mbufs_in_use(s->e);
	s->lc = ptcp_engine_lcore(s->e);
	return s->lc != NULL ? 0 : -1;
}

/* The server: ptcp-server's services on stack B, rr closing as @server_rr. */
static int
pair_setup(const char *rr_close, uint32_t request, uint32_t response)
{
	char name[RTE_ETH_NAME_MAX_LEN], err[512];
	char srv_sets[4][64], rname[32];
	const char *srv[4];
	int ret, pa, pb;

	memset(&P, 0, sizeof(P));
	setups++;
	snprintf(rname, sizeof(rname), "churn_ab%u", setups);
	P.ab = rte_ring_create(rname, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "churn_ba%u", setups);
	P.ba = rte_ring_create(rname, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (P.ab == NULL || P.ba == NULL)
		return -1;
	snprintf(rname, sizeof(rname), "net_ring_ca%u", setups);
	pa = rte_eth_from_rings(rname, &P.ba, 1, &P.ab, 1, rte_socket_id());
	snprintf(rname, sizeof(rname), "net_ring_cb%u", setups);
	pb = rte_eth_from_rings(rname, &P.ab, 1, &P.ba, 1, rte_socket_id());
	if (pa < 0 || pb < 0)
		return -1;
	snprintf(srv_sets[0], sizeof(srv_sets[0]), "server.rr_close=%s",
		rr_close);
	snprintf(srv_sets[1], sizeof(srv_sets[1]), "server.rr_request=%u",
		request);
	snprintf(srv_sets[2], sizeof(srv_sets[2]), "server.rr_response=%u",
		response);
	snprintf(srv_sets[3], sizeof(srv_sets[3]), "server.rr_port=%u",
		RR_PORT);
	for (ret = 0; ret < 4; ret++)
		srv[ret] = srv_sets[ret];
	rte_eth_dev_get_name_by_port((uint16_t)pa, name);
	if (stack_create(&P.a, name, "10.96.0.1/24", NULL, 0) != 0)
		return -1;
	rte_eth_dev_get_name_by_port((uint16_t)pb, name);
	if (stack_create(&P.b, name, "10.96.0.2/24", srv, 4) != 0)
		return -1;
	P.sv = services_create(P.b.e, &P.b.e->cfg.server, err, sizeof(err));
	if (P.sv == NULL || services_listen(P.sv, P.b.lc, err,
			sizeof(err)) != 0) {
		fprintf(stderr, "services: %s\n", err);
		return -1;
	}
	if (ptcp_engine_start(P.a.e, err, sizeof(err)) != 0 ||
			ptcp_engine_start(P.b.e, err, sizeof(err)) != 0) {
		fprintf(stderr, "start: %s\n", err);
		return -1;
	}
	P.p.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 2));
	P.p.rport = RR_PORT;
	P.p.lport_min = 32768;
	P.p.lport_max = 60999;
	P.p.concurrency = 32;
	P.p.request = request;
	P.p.response = response;
	P.p.verify = true;
	P.p.connect_timeout_ms = 3000;
	P.p.io_timeout_ms = 10000;
	P.p.max_open = 1024;
	P.p.tsc_hz = P.a.e->tsc_hz;
	P.cl = rte_zmalloc("test_churn_lcore", sizeof(*P.cl),
		RTE_CACHE_LINE_SIZE);
	return P.cl != NULL ? 0 : -1;
}

static void
pair_teardown(void)
{
	struct rte_mbuf *m;

	if (P.a.e != NULL) {
		ptcp_tcp_detach(P.a.e);
		ptcp_engine_destroy(P.a.e);
	}
	if (P.b.e != NULL) {
		ptcp_tcp_detach(P.b.e);
		ptcp_engine_destroy(P.b.e);
	}
	if (P.cl != NULL) {
		churn_lcore_free(P.cl);
		rte_free(P.cl);
	}
	services_destroy(P.sv);
	while (P.ab != NULL && rte_ring_dequeue(P.ab, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (P.ba != NULL && rte_ring_dequeue(P.ba, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(P.ab);
	rte_ring_free(P.ba);
	memset(&P, 0, sizeof(P));
}

static uint64_t
tsc_of(const struct stack *s)
{
	return s->e->start_tsc + P.now_ms * s->e->tsc_hz / 1000 + 1;
}

/* One millisecond: client pass, churn step, server pass. */
static void
tick(uint64_t ms)
{
	P.now_ms += ms;
	ptcp_lcore_poll_at(P.a.lc, tsc_of(&P.a));
	churn_lcore_step(P.cl, P.a.lc->now_tsc);
	ptcp_lcore_poll_at(P.b.lc, tsc_of(&P.b));
}

static uint64_t
count_state(const struct stack *s, unsigned int state)
{
	uint64_t c[PTCP_TCPS_MAX];

	ptcp_tcp_state_counts(s->lc, c);
	return c[state];
}

static uint64_t
stat_of(const struct stack *s, enum ptcp_stat_id id)
{
	struct ptcp_stats st;

	ptcp_engine_stats(s->e, &st);
	return st.c[id];
}

static void
dump(void)
{
	struct ptcp_stats st;
	unsigned int k;

	printf("  churn: started %" PRIu64 " connected %" PRIu64 " ok %"
		PRIu64 " open %" PRIu64, P.cl->st.started, P.cl->st.connected,
		P.cl->st.ok, P.cl->st.open);
	for (k = 0; k < CHURN_FAIL_MAX; k++)
		printf(" %s %" PRIu64, churn_fail_name(k), P.cl->st.fail[k]);
	printf("\n  server services:\n");
	services_print(P.sv, stdout, "    ");
	ptcp_engine_stats(P.a.e, &st);
	printf("  client counters:\n");
	ptcp_stats_print(&st, stdout, "    ");
	ptcp_engine_stats(P.b.e, &st);
	printf("  server counters:\n");
	ptcp_stats_print(&st, stdout, "    ");
}

/*
 * Run @n connections of the workload in P.p (closer and sizes set), then
 * check the books on both sides and, 2*MSL later, that nothing is left.
 */
static int
run_and_check(uint64_t n, enum ptcp_close_reason srv_reason)
{
	struct svc_stats ss;
	unsigned int iter, i, k;
	enum svc_kind kind = P.p.http ? SVC_HTTP : SVC_RR;

	uint64_t t0 = P.now_ms;

	P.p.count = n;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	tick(1);                             /* gratuitous ARPs cross */
	for (iter = 0; iter < 400000 && !P.cl->st.finished; iter++)
		tick(1);
	printf("  %" PRIu64 " connections (closer %s) in %" PRIu64
		" virtual ms\n", P.cl->st.ok,
		churn_closer_name(P.p.closer), P.now_ms - t0);
	/* the server's last callbacks may lag the client's by a pass */
	for (i = 0; i < 10; i++)
		tick(1);
	services_stats(P.sv, &ss);
	if (P.cl->st.ok != n)
		dump();
	CHECK(P.cl->st.finished);
	CHECK_EQ(P.cl->st.started, n);
	CHECK_EQ(P.cl->st.connected, n);
	CHECK_EQ(P.cl->st.ok, n);
	for (k = 0; k < CHURN_FAIL_MAX; k++)
		CHECK_MSG(P.cl->st.fail[k] == 0, "%s: %" PRIu64,
			churn_fail_name(k), P.cl->st.fail[k]);
	CHECK_EQ(P.cl->st.open, 0);
	CHECK_EQ(P.cl->st.established, 0);
	CHECK_EQ(P.cl->lat.count, n);
	CHECK_EQ(ss.accepted[kind], n);
	CHECK_EQ(ss.refused[kind], 0);
	CHECK_EQ(ss.closed[srv_reason], n);
	CHECK_EQ(ss.closed[0] + ss.closed[1] + ss.closed[2] + ss.closed[3] +
		ss.closed[4], n);
	if (!P.p.http) {
		CHECK_EQ(ss.rr_responses, n);
		CHECK_EQ(ss.rr_short, 0);
		CHECK_EQ(ss.rr_bytes, n * P.p.response);
		CHECK_EQ(P.cl->st.bytes_in, n * P.p.response);
		CHECK_EQ(P.cl->st.bytes_out, n * P.p.request);
	}
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_active_open), n);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_passive_open), n);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rexmt) +
		stat_of(&P.b, PTCP_STAT_tcp_rexmt), 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_syn_rexmt), 0);

	/* 2*MSL later nothing is left on either side */
	for (i = 0; i < 4 * MSL_MS / 100; i++)
		tick(100);
	for (i = 0; i < PTCP_TCPS_MAX; i++) {
		if (i == PTCP_TCPS_LISTEN)
			continue;
		CHECK_MSG(count_state(&P.a, i) == 0 && count_state(&P.b, i) == 0,
			"state %s: client %" PRIu64 " server %" PRIu64,
			ptcp_tcp_state_name(i), count_state(&P.a, i),
			count_state(&P.b, i));
	}
	CHECK_EQ(ptcp_engine_mbufs_in_use(P.a.e), P.a.baseline);
	CHECK_EQ(ptcp_engine_mbufs_in_use(P.b.e), P.b.baseline);
	return 0;
}

static int
client_closes_first_client_holds_time_wait(void)
{
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	CHECK(run_and_check(3000, PTCP_CLOSE_NORMAL) == 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_tw_expired), 3000);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_tw_expired), 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rst_tx) +
		stat_of(&P.b, PTCP_STAT_tcp_rst_tx), 0);
	return 0;
}

static int
server_closes_first_server_holds_time_wait(void)
{
	CHECK(pair_setup("server", 64, 64) == 0);
	P.p.closer = CHURN_CLOSE_SERVER;
	CHECK(run_and_check(3000, PTCP_CLOSE_NORMAL) == 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_tw_expired), 0);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_tw_expired), 3000);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rst_tx) +
		stat_of(&P.b, PTCP_STAT_tcp_rst_tx), 0);
	return 0;
}

static int
rst_closer_leaves_no_time_wait_and_server_counts_resets(void)
{
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.closer = CHURN_CLOSE_RST;
	CHECK(run_and_check(3000, PTCP_CLOSE_RESET) == 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_tw_expired) +
		stat_of(&P.b, PTCP_STAT_tcp_tw_expired), 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rst_tx), 3000);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_rst_rx), 3000);
	return 0;
}

/* Requests and responses larger than the send buffer: writable paths. */
static int
large_request_and_response_pass_byte_exact(void)
{
	/* 300 KB > [tcp] snd_buf (256 KiB): the server waits for writable */
	CHECK(pair_setup("server", 40000, 300000) == 0);
	P.p.closer = CHURN_CLOSE_SERVER;
	P.p.concurrency = 4;
	CHECK(run_and_check(100, PTCP_CLOSE_NORMAL) == 0);
	return 0;
}

static int
http_against_the_http_service(void)
{
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.http = true;
	P.p.verify = false;
	P.p.rport = 80;
	P.p.closer = CHURN_CLOSE_CLIENT;         /* keep-alive: we close */
	CHECK(run_and_check(500, PTCP_CLOSE_NORMAL) == 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_tw_expired), 500);
	pair_teardown();
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.http = true;
	P.p.verify = false;
	P.p.rport = 80;
	P.p.closer = CHURN_CLOSE_SERVER;         /* Connection: close */
	CHECK(run_and_check(500, PTCP_CLOSE_NORMAL) == 0);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_tw_expired), 500);
	return 0;
}

/* Nobody listens: every connection is refused, and counted so. */
static int
refused_connections_are_counted_as_refused(void)
{
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.rport = 4999;
	P.p.count = 200;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	for (unsigned int i = 0; i < 10000 && !P.cl->st.finished; i++)
		tick(1);
	CHECK(P.cl->st.finished);
	CHECK_EQ(P.cl->st.ok, 0);
	CHECK_EQ(P.cl->st.fail[CHURN_FAIL_REFUSED], 200);
	return 0;
}

/* Nobody answers (no such host): the connect time limit counts timeouts. */
static int
unanswered_connects_time_out(void)
{
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 9));
	P.p.connect_timeout_ms = 300;
	P.p.count = 20;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	for (unsigned int i = 0; i < 100000 && !P.cl->st.finished; i++)
		tick(1);
	CHECK(P.cl->st.finished);
	CHECK_EQ(P.cl->st.fail[CHURN_FAIL_TIMEOUT], 20);
	CHECK_EQ(P.cl->st.open, 0);
	return 0;
}

/* Fewer local ports than connections and TIME-WAIT on our side: the
 * shortage is counted as port_exhausted, not hidden. */
static int
tuple_space_exhaustion_is_counted(void)
{
	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	P.p.lport_min = 40000;
	P.p.lport_max = 40099;                   /* 100 ports */
	P.p.count = 300;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	for (unsigned int i = 0; i < 100000 && !P.cl->st.finished; i++)
		tick(1);
	CHECK(P.cl->st.finished);
	CHECK(P.cl->st.fail[CHURN_FAIL_PORT] > 0);
	CHECK_EQ(P.cl->st.ok + P.cl->st.fail[CHURN_FAIL_PORT], 300);
	CHECK(stat_of(&P.a, PTCP_STAT_tcp_port_exhausted) > 0);
	return 0;
}

static void
after(void)
{
	if (P.a.e != NULL || P.ab != NULL)
		pair_teardown();
}

static const struct ptcp_test tests[] = {
	TEST(client_closes_first_client_holds_time_wait),
	TEST(server_closes_first_server_holds_time_wait),
	TEST(rst_closer_leaves_no_time_wait_and_server_counts_resets),
	TEST(large_request_and_response_pass_byte_exact),
	TEST(http_against_the_http_service),
	TEST(refused_connections_are_counted_as_refused),
	TEST(unanswered_connects_time_out),
	TEST(tuple_space_exhaustion_is_counted),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
