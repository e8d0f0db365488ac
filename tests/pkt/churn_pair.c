/* SPDX-License-Identifier: BSD-3-Clause */
/* Two stacks, the churn workload and ptcp-server's services: see churn_pair.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "churn_pair.h"
#include "harness.h"

struct churn_pair P;
/* The server: ptcp-server's services on stack B, rr closing as @server_rr. */
int
pair_setup(const char *rr_close, uint32_t request, uint32_t response)
{
	return pair_setup_ex(rr_close, request, response, NULL, 0);
}

int
pair_setup_ex(const char *rr_close, uint32_t request, uint32_t response,
		const char *const *client_sets, unsigned int nb_client_sets)
{
	return pair_setup_sets(rr_close, request, response, client_sets,
		nb_client_sets, NULL, 0);
}

int
pair_server_config(struct ptcp_server_config *sc, const char *rr_close,
		uint32_t request, uint32_t response, uint16_t port)
{
	ptcp_config_section_defaults(&server_config_section, sc);
	if (strcmp(rr_close, "client") == 0)
		sc->rr_close = PTCP_RR_CLOSE_CLIENT;
	else if (strcmp(rr_close, "server") == 0)
		sc->rr_close = PTCP_RR_CLOSE_SERVER;
	else
		return -1;
	sc->rr_request = request;
	sc->rr_response = response;
	sc->rr_port = port;
	return 0;
}

int
pair_setup_sets(const char *rr_close, uint32_t request, uint32_t response,
		const char *const *client_sets, unsigned int nb_client_sets,
		const char *const *server_sets, unsigned int nb_server_sets)
{
	char err[512];

	memset(&P, 0, sizeof(P));
	if (pair_server_config(&P.srv, rr_close, request, response,
			RR_PORT) != 0)
		return -1;
	if (h_pair_create(&P.a, &P.b, &P.w, "10.96.0.1/24", client_sets,
			nb_client_sets, "10.96.0.2/24", server_sets,
			nb_server_sets) != 0)
		return -1;
	P.sv = services_create(P.b.e, &P.srv, err, sizeof(err));
	if (P.sv == NULL || services_listen(P.sv, P.b.lc, err,
			sizeof(err)) != 0) {
		fprintf(stderr, "services: %s\n", err);
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

void
pair_teardown(void)
{
	/* The services' contexts live in their pools until detach. */
	h_pair_destroy(&P.a, &P.b, &P.w);
	if (P.cl != NULL) {
		churn_lcore_free(P.cl);
		rte_free(P.cl);
	}
	services_destroy(P.sv);
	memset(&P, 0, sizeof(P));
}

/* One millisecond: client pass, churn step, server pass. */
__rte_noinline void
pair_server_pass(void)
{
	h_stack_poll(&P.b, P.now_ms);
}

__rte_noinline void
pair_server_pass_measured(void)
{
	h_stack_poll(&P.b, P.now_ms);
}

/* The client's loop pass and ptcp-churn's step (opens, timeouts). */
__rte_noinline void
pair_client_pass(void)
{
	h_stack_poll(&P.a, P.now_ms);
	churn_lcore_step(P.cl, P.a.lc->now_tsc);
}

__rte_noinline void
pair_client_pass_measured(void)
{
	h_stack_poll(&P.a, P.now_ms);
	churn_lcore_step(P.cl, P.a.lc->now_tsc);
}

void
tick(uint64_t ms)
{
	uint64_t t;

	P.now_ms += ms;
	if (P.measure)
		pair_client_pass_measured();
	else
		pair_client_pass();
	if (P.measure) {
		/* Timed out here: callgrind collects only the callee. */
		t = rte_rdtsc();
		pair_server_pass_measured();
		P.measured_tsc += rte_rdtsc() - t;
	} else {
		pair_server_pass();
	}
}

uint64_t
count_state(const struct h_stack *s, unsigned int state)
{
	return h_stack_state(s, state);
}

uint64_t
stat_of(const struct h_stack *s, enum ptcp_stat_id id)
{
	return h_stack_stat(s, id);
}

void
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


/* ---- tables filled before a measurement ----------------------------- */

static void
fill_idle_connected(struct ptcp_conn *c __rte_unused)
{
	P.fill.idle_up++;
}

/* Idle connections send nothing: any data would be a fault of the fill. */
static void
fill_data(struct ptcp_conn *c __rte_unused, struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

static void
fill_idle_closed(struct ptcp_conn *c __rte_unused,
		enum ptcp_close_reason reason __rte_unused)
{
	P.fill.lost++;
}

/* The server closed first: close too (LAST-ACK), the server ends in
 * TIME-WAIT. */
static void
fill_tw_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
fill_tw_closed(struct ptcp_conn *c __rte_unused,
		enum ptcp_close_reason reason)
{
	if (reason == PTCP_CLOSE_NORMAL)
		P.fill.tw_closed++;
	else
		P.fill.lost++;
}

static int
fill_idle_accepted(struct ptcp_conn *c __rte_unused, void *arg __rte_unused)
{
	P.fill.idle_accepted++;
	return 0;
}

static int
fill_tw_accepted(struct ptcp_conn *c, void *arg __rte_unused)
{
	P.fill.tw_accepted++;
	return ptcp_close(c) == 0 ? 0 : -1;
}

/* The server's side of a TIME-WAIT connection ends on entering TIME-WAIT
 * (closed callback, reason normal). */
static void
fill_srv_tw_closed(struct ptcp_conn *c __rte_unused,
		enum ptcp_close_reason reason)
{
	if (reason != PTCP_CLOSE_NORMAL)
		P.fill.lost++;
}

static const struct ptcp_tcp_ops fill_idle_client_ops = {
	.connected = fill_idle_connected,
	.data = fill_data,
	.closed = fill_idle_closed,
};
static const struct ptcp_tcp_ops fill_tw_client_ops = {
	.data = fill_data,
	.peer_closed = fill_tw_peer_closed,
	.closed = fill_tw_closed,
};
static const struct ptcp_tcp_ops fill_idle_server_ops = {
	.accepted = fill_idle_accepted,
	.data = fill_data,
	.closed = fill_idle_closed,
};
static const struct ptcp_tcp_ops fill_tw_server_ops = {
	.accepted = fill_tw_accepted,
	.data = fill_data,
	.closed = fill_srv_tw_closed,
};

/* Connections one batch opens: its SYNs, SYN-ACKs and ACKs fit the wire's
 * 4096-frame rings. */
#define FILL_BATCH 1024u
/* Passes of both stacks one batch may take (the clock moves 1 ms on each
 * pass that leaves nothing in flight: some 200 s of virtual time). */
#define FILL_BATCH_PASSES 200000u

/* Run both stacks until *@done reaches @target. */
static int
fill_settle(const uint64_t *done, uint64_t target)
{
	unsigned int pass;

	for (pass = 0; pass < FILL_BATCH_PASSES && *done < target; pass++) {
		h_stack_poll(&P.a, P.now_ms);
		h_stack_poll(&P.b, P.now_ms);
		/* Nothing in flight and some not done: what they wait for
		 * needs time (ARP resolution, a retransmission). */
		if (rte_ring_count(P.w.ab) == 0 &&
				rte_ring_count(P.w.ba) == 0 && *done < target) {
			P.now_ms++;
			P.fill.clock_steps++;
		}
	}
	return *done >= target ? 0 : -1;
}

/* Open @n connections to server ports from @rport0 with @ops, in batches,
 * each batch settled when *@done (server side last) reaches its end. */
static int
fill_run(uint64_t n, uint16_t rport0, const struct ptcp_tcp_ops *ops,
		const uint64_t *done, const char *what)
{
	const uint32_t base = RTE_IPV4(10, 96, 0, 10);
	struct ptcp_connect_opts o;
	uint64_t i = 0, b, k, r, done0;

	memset(&o, 0, sizeof(o));
	o.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 96, 0, 2));
	while (i < n) {
		b = RTE_MIN((uint64_t)FILL_BATCH, n - i);
		done0 = *done;
		for (k = 0; k < b; k++, i++) {
			r = i % PAIR_FILL_PER_RPORT;
			o.rport = (uint16_t)(rport0 + i / PAIR_FILL_PER_RPORT);
			/* Addresses round robin: each is ARPed in the first
			 * batch, the rest find it resolved. */
			o.laddr = r % (PAIR_FILL_EXTRA + 1) == 0 ? 0 :
				rte_cpu_to_be_32(base + (uint32_t)(r %
					(PAIR_FILL_EXTRA + 1)) - 1);
			o.lport = (uint16_t)(PAIR_FILL_LPORT_MIN +
				r / (PAIR_FILL_EXTRA + 1));
			if (ptcp_connect(P.a.lc, &o, ops) == NULL) {
				fprintf(stderr, "pair_fill: %s connection %"
					PRIu64 ": %s\n", what, i,
					rte_strerror(rte_errno));
				return -1;
			}
		}
		if (fill_settle(done, done0 + b) != 0 || P.fill.lost != 0) {
			fprintf(stderr, "pair_fill: %s: %" PRIu64 " of %" PRIu64
				" in place, %" PRIu64 " lost\n", what, *done,
				done0 + b, P.fill.lost);
			return -1;
		}
	}
	return 0;
}

int
pair_fill(uint64_t idle, uint64_t tw)
{
	const struct ptcp_listen_opts lo = {
		.backlog = 2 * FILL_BATCH, .keepalive = 0,
	};
	uint64_t k, nports;
	uint16_t port = 0;
	int ret;

	if (idle > PAIR_FILL_MAX || tw > PAIR_FILL_MAX) {
		fprintf(stderr, "pair_fill: at most %" PRIu64 " of each\n",
			PAIR_FILL_MAX);
		return -1;
	}
	/* Idle ones without keepalive: no timer of theirs runs during the
	 * measurement. */
	nports = (idle + PAIR_FILL_PER_RPORT - 1) / PAIR_FILL_PER_RPORT;
	for (k = 0; k < nports; k++) {
		port = (uint16_t)(PAIR_IDLE_PORT + k);
		ret = ptcp_listen(P.b.lc, port, &fill_idle_server_ops, NULL,
			&lo);
		if (ret != 0)
			goto listen_failed;
	}
	nports = (tw + PAIR_FILL_PER_RPORT - 1) / PAIR_FILL_PER_RPORT;
	for (k = 0; k < nports; k++) {
		port = (uint16_t)(PAIR_TW_PORT + k);
		ret = ptcp_listen(P.b.lc, port, &fill_tw_server_ops, NULL,
			&lo);
		if (ret != 0)
			goto listen_failed;
	}
	if (fill_run(idle, PAIR_IDLE_PORT, &fill_idle_client_ops,
			&P.fill.idle_accepted, "idle") != 0 ||
			fill_run(tw, PAIR_TW_PORT, &fill_tw_client_ops,
				&P.fill.tw_closed, "TIME-WAIT") != 0)
		return -1;
	if (P.fill.idle_up != idle || P.fill.tw_accepted != tw ||
			h_stack_state(&P.b, PTCP_TCPS_ESTABLISHED) != idle ||
			h_stack_state(&P.a, PTCP_TCPS_ESTABLISHED) != idle ||
			h_stack_state(&P.b, PTCP_TCPS_TIME_WAIT) != tw) {
		fprintf(stderr, "pair_fill: books disagree: client up %" PRIu64
			" server accepted %" PRIu64 "/%" PRIu64 ", server "
			"ESTABLISHED %" PRIu64 " TIME-WAIT %" PRIu64 "\n",
			P.fill.idle_up, P.fill.idle_accepted,
			P.fill.tw_accepted,
			h_stack_state(&P.b, PTCP_TCPS_ESTABLISHED),
			h_stack_state(&P.b, PTCP_TCPS_TIME_WAIT));
		return -1;
	}
	return 0;
listen_failed:
	fprintf(stderr, "pair_fill: listen on port %u: %s\n", port,
		strerror(-ret));
	return -1;
}
