/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: ptcp-churn's workload (app/churn/churn.c) against
 * ptcp-server's services (app/server: the real rr and HTTP code), two
 * ptcp engines in this process over cross-connected net_ring ports, with
 * a clock driven by hand. For each closer: thousands of connections, zero
 * failures, as many opened as closed on both sides (client ok == server
 * accepted == server closed callbacks), every state count zero once 2*MSL
 * has passed, every mbuf pool back where it started. Then ptcp-churn's
 * TIME-WAIT account (app/churn/tw.c) of each run, text and JSON, against
 * the client stack's own counters: cap drops reported as such, a run
 * sized as docs/churn.md says reported as a full-lifecycle one.
 */
#include <inttypes.h>
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


#include "churn_pair.h"
#include "offload.h"
#include "tw.h"

/* What ptcp-churn's summary and --json say of the client's TIME-WAIT. */
struct tw_report {
	struct churn_tw tw;
	enum churn_tw_verdict v;
	char text[1024];
	char json[1024];
};

/*
 * The client's TIME-WAIT account, as ptcp-churn prints it (one lcore),
 * checked against the stack's counters: every figure is a counter or
 * follows from them, whatever the run.
 */
static int
tw_report(struct tw_report *r)
{
	uint32_t max_tw = P.a.e->cfg.tcp.max_tw;
	char verdict[160], want[200];
	FILE *f;

	memset(r, 0, sizeof(*r));
	churn_tw_add(&r->tw, P.a.lc);
	r->v = churn_tw_verdict(&r->tw, P.p.closer, max_tw, verdict,
		sizeof(verdict));
	f = fmemopen(r->text, sizeof(r->text) - 1, "w");
	CHECK(f != NULL);
	churn_tw_print_text(f, &r->tw, P.p.closer, max_tw, 1);
	fclose(f);
	f = fmemopen(r->json, sizeof(r->json) - 1, "w");
	CHECK(f != NULL);
	churn_tw_print_json(f, &r->tw, P.p.closer, max_tw);
	fclose(f);
	printf("  %s  %s\n", r->text, r->json);

	CHECK_EQ(r->tw.cap, stat_of(&P.a, PTCP_STAT_tcp_tw_cap));
	CHECK_EQ(r->tw.reuse_connect,
		stat_of(&P.a, PTCP_STAT_tcp_tw_reuse_connect));
	CHECK_EQ(r->tw.reuse_syn, stat_of(&P.a, PTCP_STAT_tcp_tw_reuse_syn));
	CHECK_EQ(r->tw.expired, stat_of(&P.a, PTCP_STAT_tcp_tw_expired));
	CHECK_EQ(r->tw.entered + r->tw.cap, r->tw.reached);
	CHECK_EQ(r->tw.now, count_state(&P.a, PTCP_TCPS_TIME_WAIT));
	CHECK(r->tw.peak <= max_tw);
	/* Each entry made ends once: expired, reused, or still here. */
	CHECK_EQ(r->tw.entered, r->tw.expired + r->tw.reuse_connect +
		r->tw.reuse_syn + r->tw.now);

	/* The JSON member carries the same figures and the statement. */
	CHECK(strncmp(r->json, "\"tw\": {", 7) == 0);
	CHECK(r->json[strlen(r->json) - 1] == '}');
#define JSON_HAS(fmt, ...) do { \
		snprintf(want, sizeof(want), fmt, __VA_ARGS__); \
		CHECK_MSG(strstr(r->json, want) != NULL, "no %s in %s", want, \
			r->json); \
	} while (0)
	JSON_HAS("\"held_by\": \"%s\"", churn_tw_holder(P.p.closer));
	JSON_HAS("\"reached\": %" PRIu64 ",", r->tw.reached);
	JSON_HAS("\"entered\": %" PRIu64 ",", r->tw.entered);
	JSON_HAS("\"cap_drops\": %" PRIu64 ",", r->tw.cap);
	JSON_HAS("\"reuse_connect\": %" PRIu64 ",", r->tw.reuse_connect);
	JSON_HAS("\"reuse_syn\": %" PRIu64 ",", r->tw.reuse_syn);
	JSON_HAS("\"expired\": %" PRIu64 ",", r->tw.expired);
	JSON_HAS("\"peak\": %" PRIu64 ",", r->tw.peak);
	JSON_HAS("\"max_tw\": %u,", max_tw);
	JSON_HAS("\"verdict\": \"%s\"}", verdict);
	JSON_HAS("\"full_lifecycle\": %s,", r->v == CHURN_TW_EVERY ? "true" :
		r->v == CHURN_TW_SERVER ? "null" : "false");
#undef JSON_HAS
	/* The text: the figures' line, then the statement's. */
	snprintf(want, sizeof(want), "  tw verdict   %s\n", verdict);
	CHECK_MSG(strstr(r->text, want) != NULL, "no '%s' in '%s'", want,
		r->text);
	snprintf(want, sizeof(want), "reached %" PRIu64 " = entered %" PRIu64
		" + cap_drops %" PRIu64 ";", r->tw.reached, r->tw.entered,
		r->tw.cap);
	CHECK_MSG(strstr(r->text, want) != NULL, "no '%s' in '%s'", want,
		r->text);
	return 0;
}

/* run_and_check()'s srv_reason when the closers are mixed: not checked. */
#define SRV_REASON_MIXED ((enum ptcp_close_reason)-1)

/* The last report, kept for the test that asked for it. */
static struct tw_report R;

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
	if (srv_reason != SRV_REASON_MIXED)
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
	/* max_tw (65536) above what 2*MSL holds: no cap drop, and the
	 * report says every connection paid for its TIME-WAIT. */
	CHECK(tw_report(&R) == 0);
	CHECK_EQ(R.v, CHURN_TW_EVERY);
	CHECK_EQ(R.tw.reached, 3000);
	CHECK_EQ(R.tw.cap, 0);
	CHECK(R.tw.peak > 0);
	CHECK(strstr(R.text, "every connection went through TIME-WAIT") !=
		NULL);
	CHECK(strstr(R.json, "\"cap_drops\": 0,") != NULL);
	CHECK(strstr(R.json, "\"full_lifecycle\": true,") != NULL);
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
	CHECK(tw_report(&R) == 0);
	CHECK_EQ(R.v, CHURN_TW_SERVER);
	CHECK_EQ(R.tw.reached, 0);
	CHECK(strstr(R.text, "TIME-WAIT held by the server") != NULL);
	CHECK(strstr(R.json, "\"held_by\": \"server\"") != NULL);
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
	CHECK(tw_report(&R) == 0);
	CHECK_EQ(R.v, CHURN_TW_NOBODY);
	CHECK(strstr(R.json, "\"held_by\": \"none\"") != NULL);
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

/* --closer mix: client, server, rst in turn, a third of the connections
 * each, over one HTTP workload; the books close as for a single closer. */
static int
http_mixed_closers_take_turns(void)
{
	struct svc_stats ss;

	CHECK(pair_setup("client", 64, 64) == 0);
	P.p.http = true;
	P.p.verify = false;
	P.p.rport = 80;
	P.p.closer = CHURN_CLOSE_MIX;
	CHECK(run_and_check(900, SRV_REASON_MIXED) == 0);
	services_stats(P.sv, &ss);
	CHECK_EQ(ss.closed[PTCP_CLOSE_NORMAL], 600);
	CHECK_EQ(ss.closed[PTCP_CLOSE_RESET], 300);
	/* client closer: our TIME-WAIT; server closer: theirs; rst: none */
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_tw_expired), 300);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_tw_expired), 300);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rst_tx), 300);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_rst_rx), 300);
	CHECK(tw_report(&R) == 0);
	CHECK_EQ(R.v, CHURN_TW_EVERY);
	CHECK(strstr(R.json, "\"held_by\": \"client,server\"") != NULL);
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

/*
 * [tcp] max_tw = 16: the client closes first 3000 times, far faster than
 * 2*MSL frees entries, so most connections end without TIME-WAIT. The
 * run still passes (the cap is no failure), but the report must say it is
 * not a full-lifecycle figure, with the count from tcp_tw_cap.
 */
static int
time_wait_cap_drops_are_reported_not_hidden(void)
{
	static const char *const cli[] = { "tcp.max_tw=16" };
	char want[160];

	CHECK(pair_setup_ex("client", 64, 64, cli, RTE_DIM(cli)) == 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	CHECK(run_and_check(3000, PTCP_CLOSE_NORMAL) == 0);
	CHECK(tw_report(&R) == 0);
	CHECK_EQ(R.v, CHURN_TW_SKIPPED);
	CHECK_EQ(R.tw.reached, 3000);
	CHECK(R.tw.cap > 0);
	CHECK_EQ(R.tw.peak, 16);
	snprintf(want, sizeof(want), "%" PRIu64 " of 3000 connections skipped "
		"TIME-WAIT (cap max_tw=16): not a full-lifecycle figure",
		R.tw.cap);
	CHECK_MSG(strstr(R.text, want) != NULL, "no '%s'", want);
	CHECK(strstr(R.json, want) != NULL);
	CHECK(strstr(R.json, "\"full_lifecycle\": false,") != NULL);
	CHECK(strstr(R.json, "\"max_tw\": 16,") != NULL);
	return 0;
}

/*
 * docs/churn.md's sizing in miniature: one source, 100 local ports, 80
 * connections/s paced, so each tuple comes round every 1.25 s, past the
 * 1 s after which our connect reuses a TIME-WAIT tuple (timestamps on);
 * max_tw = 100 = the tuple space. Every connection goes through
 * TIME-WAIT, nearly all of them reused by a later connect, and no
 * connect finds its ports all taken.
 */
static int
sized_tuple_space_reuses_time_wait_with_no_cap_drop(void)
{
	static const char *const cli[] = { "tcp.max_tw=100", "tcp.msl_ms=30000" };

	CHECK(pair_setup_ex("client", 64, 64, cli, RTE_DIM(cli)) == 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	P.p.lport_min = 40000;
	P.p.lport_max = 40099;
	P.p.rate = 80;
	P.p.concurrency = 0;
	P.p.count = 400;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	for (unsigned int i = 0; i < 100000 && !P.cl->st.finished; i++)
		tick(1);
	CHECK(P.cl->st.finished);
	CHECK_EQ(P.cl->st.ok, 400);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_port_exhausted), 0);
	CHECK(tw_report(&R) == 0);
	CHECK_EQ(R.v, CHURN_TW_EVERY);
	CHECK_EQ(R.tw.reached, 400);
	CHECK_EQ(R.tw.cap, 0);
	/* the first round of 100 tuples is new; the rest reuse one */
	CHECK_EQ(R.tw.reuse_connect, 300);
	CHECK_EQ(R.tw.peak, 100);
	CHECK(strstr(R.text, "every connection went through TIME-WAIT") !=
		NULL);
	return 0;
}

/*
 * The drain frees every TIME-WAIT entry, in a table sized far above them
 * (max_tw 262144: 3000 entries are sparse in it), walking the table once
 * rather than once per batch (lib/tcp tw_free_all()).
 */
static int
drain_frees_every_time_wait_entry(void)
{
	static const char *const cli[] = { "tcp.max_tw=262144",
		"tcp.msl_ms=30000" };
	uint64_t trans[PTCP_TCPS_MAX][PTCP_TCPS_MAX];

	CHECK(pair_setup_ex("client", 64, 64, cli, RTE_DIM(cli)) == 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	P.p.count = 3000;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	for (unsigned int i = 0; i < 100000 && !P.cl->st.finished; i++)
		tick(1);
	CHECK_EQ(P.cl->st.ok, 3000);
	CHECK_EQ(count_state(&P.a, PTCP_TCPS_TIME_WAIT), 3000);
	ptcp_tcp_drain(P.a.lc);
	CHECK_EQ(count_state(&P.a, PTCP_TCPS_TIME_WAIT), 0);
	ptcp_tcp_transitions(P.a.lc, trans);
	CHECK_EQ(trans[PTCP_TCPS_TIME_WAIT][PTCP_TCPS_CLOSED], 3000);
	CHECK_EQ(ptcp_tcp_tw_peak(P.a.lc), 3000);
	return 0;
}

static int
more_source_addresses_widen_the_tuple_space(void)
{
	static const char *const cli[] = {
		"port0.extra_addresses=10.96.0.11" };

	CHECK(pair_setup_ex("client", 64, 64, cli, 1) == 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	P.p.lport_min = 40000;
	P.p.lport_max = 40099;                   /* 100 ports per source */
	P.p.count = 150;                         /* > 100: needs both */
	P.p.src[0] = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 1));
	P.p.src[1] = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 11));
	P.p.nb_src = 2;
	CHECK(run_and_check(150, PTCP_CLOSE_NORMAL) == 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_port_exhausted), 0);
	return 0;
}

/*
 * The server's port offers checksum offload (modelled: tests/pkt/
 * offload.h): ptcp leaves its TCP and IPv4 checksums to the wire, which
 * fills them in, and skips its checks of what the NIC marked good. Large
 * responses go out as chains (zero copy), which the model sums across
 * segments. Every frame leaves with the right checksums.
 */
static int
offloaded_checksums_are_filled_in_and_trusted(void)
{
	struct h_offload off;

	CHECK(pair_setup("server", 4000, 30000) == 0);
	CHECK(h_offload_attach(&off, &P.b, &P.a) == 0);
	P.p.closer = CHURN_CLOSE_SERVER;
	P.p.concurrency = 8;
	CHECK(run_and_check(300, PTCP_CLOSE_NORMAL) == 0);
	h_offload_detach(&off);
	printf("  offload: %" PRIu64 " TCP and %" PRIu64 " IPv4 checksums "
		"filled in, %" PRIu64 " frames checked, %" PRIu64
		" marked good\n", off.tcp_filled, off.ip_filled,
		off.wire_checked, off.rx_good);
	CHECK_EQ(off.wire_bad, 0);
	CHECK_EQ(off.rx_bad, 0);
	CHECK(off.tcp_filled > 300 * 4);
	CHECK_EQ(off.ip_filled, off.wire_checked);
	CHECK(off.rx_good > 300 * 3);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_bad_csum) +
		stat_of(&P.b, PTCP_STAT_tcp_bad_csum), 0);
	return 0;
}

/*
 * pair_fill() parks idle connections and server-side TIME-WAIT entries
 * (more than one batch of each) with real handshakes and closes; churn
 * then runs beside them and leaves them all in place.
 */
static int
parked_connections_stay_through_churn(void)
{
	static const char *const cli[] = {
		PAIR_FILL_CLIENT_SET, "tcp.max_conns=6000" };
	static const char *const srv[] = {
		"tcp.max_conns=4096", "tcp.max_tw=20000", "tcp.msl_ms=600000" };
	unsigned int iter;

	CHECK(pair_setup_sets("client", 64, 64, cli, 2, srv, 3) == 0);
	CHECK(pair_fill(3000, 2500) == 0);
	CHECK_EQ(count_state(&P.a, PTCP_TCPS_ESTABLISHED), 3000);
	CHECK_EQ(count_state(&P.b, PTCP_TCPS_ESTABLISHED), 3000);
	CHECK_EQ(count_state(&P.b, PTCP_TCPS_TIME_WAIT), 2500);
	CHECK_EQ(count_state(&P.a, PTCP_TCPS_TIME_WAIT), 0);
	P.p.closer = CHURN_CLOSE_CLIENT;
	P.p.count = 2000;
	CHECK_EQ(churn_lcore_init(P.cl, P.a.lc, &P.p, 0, 1), 0);
	for (iter = 0; iter < 100000 && !P.cl->st.finished; iter++)
		tick(1);
	CHECK_EQ(P.cl->st.ok, 2000);
	for (iter = 0; iter < 10; iter++)
		tick(1);
	CHECK_EQ(P.fill.lost, 0);
	CHECK_EQ(count_state(&P.a, PTCP_TCPS_ESTABLISHED), 3000);
	CHECK_EQ(count_state(&P.b, PTCP_TCPS_ESTABLISHED), 3000);
	CHECK_EQ(count_state(&P.b, PTCP_TCPS_TIME_WAIT), 2500);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_tw_expired), 0);
	return 0;
}

static void
after(void)
{
	if (P.a.e != NULL || P.w.ab != NULL)
		pair_teardown();
}

static const struct ptcp_test tests[] = {
	TEST(client_closes_first_client_holds_time_wait),
	TEST(server_closes_first_server_holds_time_wait),
	TEST(rst_closer_leaves_no_time_wait_and_server_counts_resets),
	TEST(large_request_and_response_pass_byte_exact),
	TEST(http_against_the_http_service),
	TEST(http_mixed_closers_take_turns),
	TEST(refused_connections_are_counted_as_refused),
	TEST(unanswered_connects_time_out),
	TEST(tuple_space_exhaustion_is_counted),
	TEST(more_source_addresses_widen_the_tuple_space),
	TEST(time_wait_cap_drops_are_reported_not_hidden),
	TEST(sized_tuple_space_reuses_time_wait_with_no_cap_drop),
	TEST(drain_frees_every_time_wait_entry),
	TEST(offloaded_checksums_are_filled_in_and_trusted),
	TEST(parked_connections_stay_through_churn),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
