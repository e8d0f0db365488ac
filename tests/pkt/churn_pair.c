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

struct churn_pair P;
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
int
pair_setup(const char *rr_close, uint32_t request, uint32_t response)
{
	return pair_setup_ex(rr_close, request, response, NULL, 0);
}

int
pair_setup_ex(const char *rr_close, uint32_t request, uint32_t response,
		const char *const *client_sets, unsigned int nb_client_sets)
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
	if (stack_create(&P.a, name, "10.96.0.1/24", client_sets,
			nb_client_sets) != 0)
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

void
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
__rte_noinline void
pair_server_pass(void)
{
	ptcp_lcore_poll_at(P.b.lc, tsc_of(&P.b));
}

__rte_noinline void
pair_server_pass_measured(void)
{
	ptcp_lcore_poll_at(P.b.lc, tsc_of(&P.b));
}

void
tick(uint64_t ms)
{
	P.now_ms += ms;
	ptcp_lcore_poll_at(P.a.lc, tsc_of(&P.a));
	churn_lcore_step(P.cl, P.a.lc->now_tsc);
	if (P.measure)
		pair_server_pass_measured();
	else
		pair_server_pass();
}

uint64_t
count_state(const struct stack *s, unsigned int state)
{
	uint64_t c[PTCP_TCPS_MAX];

	ptcp_tcp_state_counts(s->lc, c);
	return c[state];
}

uint64_t
stat_of(const struct stack *s, enum ptcp_stat_id id)
{
	struct ptcp_stats st;

	ptcp_engine_stats(s->e, &st);
	return st.c[id];
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

