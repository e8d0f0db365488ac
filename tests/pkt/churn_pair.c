/* SPDX-License-Identifier: BSD-3-Clause */
/* Two stacks, the churn workload and ptcp-server's services: see churn_pair.h. */
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
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
	char err[512], srv_sets[4][64];
	const char *srv[4];
	unsigned int i;

	memset(&P, 0, sizeof(P));
	snprintf(srv_sets[0], sizeof(srv_sets[0]), "server.rr_close=%s",
		rr_close);
	snprintf(srv_sets[1], sizeof(srv_sets[1]), "server.rr_request=%u",
		request);
	snprintf(srv_sets[2], sizeof(srv_sets[2]), "server.rr_response=%u",
		response);
	snprintf(srv_sets[3], sizeof(srv_sets[3]), "server.rr_port=%u",
		RR_PORT);
	for (i = 0; i < 4; i++)
		srv[i] = srv_sets[i];
	if (h_pair_create(&P.a, &P.b, &P.w, "10.96.0.1/24", client_sets,
			nb_client_sets, "10.96.0.2/24", srv, 4) != 0)
		return -1;
	P.sv = services_create(P.b.e, &P.b.e->cfg.server, err, sizeof(err));
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

void
tick(uint64_t ms)
{
	P.now_ms += ms;
	h_stack_poll(&P.a, P.now_ms);
	churn_lcore_step(P.cl, P.a.lc->now_tsc);
	if (P.measure)
		pair_server_pass_measured();
	else
		pair_server_pass();
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

