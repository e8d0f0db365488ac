/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: two ptcp stacks (two engines in this process) wired
 * back to back over net_ring. A client on stack A opens 10,000
 * connections to a server on stack B; each sends a 64-byte request and
 * gets a 64-byte response, and the close is done in turn by the client
 * first, the server first, and by both at once (simultaneous close, both
 * sides through CLOSING). Afterwards, with the virtual clock past 2*MSL,
 * every state count is zero on both sides, every byte arrived exactly once
 * and in order, and every mbuf pool is back where it started.
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"

#define NCONN      10000
#define CONCURRENT 32
#define MSG        64
#define SRV_PORT   7

enum mode { CLIENT_FIRST = 0, SERVER_FIRST, SIMULTANEOUS, NMODES };

struct pair {
	struct h_stack a, b;              /* client, server */
	struct h_wire w;
	uint64_t now_ms;
	/* client */
	unsigned int started, done, active;
	unsigned int closed_normal, closed_other;
	unsigned int bad_bytes;
	unsigned int port_conn[65536];    /* client port -> conn number */
	/* server */
	unsigned int accepted, srv_closed_normal, srv_closed_other;
	uint64_t closing_seen;
	unsigned int modes[NMODES];
};

static struct pair P;

/* Byte @i of connection @n's request (@dir 0) or response (@dir 1). */
static uint8_t
pattern(unsigned int n, unsigned int dir, unsigned int i)
{
	return (uint8_t)(n * 7 + i * 13 + dir * 101);
}

/* Per-connection client state, kept in the conn's arg. */
struct cli {
	unsigned int n;          /* connection number */
	unsigned int got;
	bool in_use;
};
static struct cli clis[CONCURRENT];

static void
cli_connected(struct ptcp_conn *c)
{
	struct cli *cl = ptcp_conn_arg(c);
	uint8_t req[MSG];
	unsigned int i;

	for (i = 0; i < MSG; i++)
		req[i] = pattern(cl->n, 0, i);
	req[0] = (uint8_t)(cl->n % NMODES);       /* the server's instruction */
	if (ptcp_send(c, req, MSG) != MSG)
		P.bad_bytes++;
	if (cl->n % NMODES == SIMULTANEOUS)
		ptcp_shutdown(c);
}

static void
cli_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct cli *cl = ptcp_conn_arg(c);
	const struct rte_mbuf *s;
	uint16_t i;

	for (s = m; s != NULL; s = s->next)
		for (i = 0; i < s->data_len; i++, cl->got++)
			if (cl->got >= MSG || rte_pktmbuf_mtod(s, uint8_t *)[i] !=
					pattern(cl->n, 1, cl->got))
				P.bad_bytes++;
	rte_pktmbuf_free(m);
	if (cl->got == MSG && cl->n % NMODES == CLIENT_FIRST)
		ptcp_close(c);
}

static void
cli_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
cli_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct cli *cl = ptcp_conn_arg(c);

	if (why == PTCP_CLOSE_NORMAL && cl->got == MSG)
		P.closed_normal++;
	else
		P.closed_other++;
	cl->in_use = false;
	P.active--;
	P.done++;
}

static const struct ptcp_tcp_ops cli_ops = {
	.connected = cli_connected,
	.data = cli_data,
	.peer_closed = cli_peer_closed,
	.closed = cli_closed,
};

/* The server keeps the bytes received so far in the conn's arg. */
static int
srv_accepted(struct ptcp_conn *c, void *arg)
{
	(void)arg;
	ptcp_conn_set_arg(c, (void *)(uintptr_t)0);
	P.accepted++;
	return 0;
}

static void
srv_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	uintptr_t got = (uintptr_t)ptcp_conn_arg(c);
	uint8_t resp[MSG];
	unsigned int mode = 0, n, i;
	uint16_t port;

	/* arg: bytes so far in the low 16 bits, the mode above them. */
	if (got == 0 && m->data_len > 0)
		got = (uintptr_t)rte_pktmbuf_mtod(m, uint8_t *)[0] << 16;
	got += rte_pktmbuf_pkt_len(m);
	rte_pktmbuf_free(m);
	ptcp_conn_set_arg(c, (void *)got);
	if ((got & 0xffff) != MSG)
		return;
	mode = (unsigned int)(got >> 16);
	/* The response pattern is the connection's number, which the
	 * client recorded by its source port. */
	ptcp_conn_tuple(c, NULL, NULL, NULL, &port);
	n = P.port_conn[port];
	for (i = 0; i < MSG; i++)
		resp[i] = pattern(n, 1, i);
	if (ptcp_send(c, resp, MSG) != MSG)
		P.bad_bytes++;
	if (mode == SERVER_FIRST || mode == SIMULTANEOUS)
		ptcp_close(c);
}

static void
srv_peer_closed(struct ptcp_conn *c)
{
	ptcp_close(c);
}

static void
srv_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	if (why == PTCP_CLOSE_NORMAL)
		P.srv_closed_normal++;
	else
		P.srv_closed_other++;
}

static const struct ptcp_tcp_ops srv_ops = {
	.accepted = srv_accepted,
	.data = srv_data,
	.peer_closed = srv_peer_closed,
	.closed = srv_closed,
};

static void
poll_both(uint64_t ms)
{
	P.now_ms += ms;
	h_stack_poll(&P.a, P.now_ms);
	h_stack_poll(&P.b, P.now_ms);
}

static uint64_t
count_state(struct h_stack *s, unsigned int state)
{
	return h_stack_state(s, state);
}

static uint64_t
stat_of(struct h_stack *s, enum ptcp_stat_id id)
{
	return h_stack_stat(s, id);
}

static int
pair_setup(void)
{
	memset(&P, 0, sizeof(P));
	if (h_pair_create(&P.a, &P.b, &P.w, "10.98.0.1/24", NULL, 0,
			"10.98.0.2/24", NULL, 0) != 0)
		return -1;
	return ptcp_listen(P.b.lc, SRV_PORT, &srv_ops, NULL, NULL);
}

static void
pair_teardown(void)
{
	h_pair_destroy(&P.a, &P.b, &P.w);
	memset(&P, 0, sizeof(P));
}

static int
open_one(void)
{
	struct ptcp_connect_opts o = {
		.raddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 2)),
		.rport = SRV_PORT,
	};
	struct ptcp_conn *c;
	uint16_t lport;
	unsigned int i;

	for (i = 0; i < CONCURRENT && clis[i].in_use; i++)
		;
	if (i == CONCURRENT)
		return -1;
	clis[i].n = P.started;
	clis[i].got = 0;
	clis[i].in_use = true;
	o.arg = &clis[i];
	c = ptcp_connect(P.a.lc, &o, &cli_ops);
	if (c == NULL) {
		clis[i].in_use = false;
		fprintf(stderr, "  connect #%u: %s\n", P.started,
			rte_strerror(rte_errno));
		return -1;
	}
	ptcp_conn_tuple(c, NULL, &lport, NULL, NULL);
	P.port_conn[lport] = P.started;
	P.modes[P.started % NMODES]++;
	P.started++;
	P.active++;
	return 0;
}

static int
ten_thousand_connections_each_side_closing_first_in_turn(void)
{
	unsigned int iter;
	int i;

	CHECK(pair_setup() == 0);
	/* Let the gratuitous ARPs cross. */
	poll_both(1);
	for (iter = 0; iter < 200000 && P.done < NCONN; iter++) {
		while (P.active < CONCURRENT && P.started < NCONN)
			CHECK(open_one() == 0);
		poll_both(1);
		P.closing_seen += count_state(&P.a, PTCP_TCPS_CLOSING) +
			count_state(&P.b, PTCP_TCPS_CLOSING);
	}
	printf("  %u connections in %" PRIu64 " virtual ms, %u passes\n",
		P.done, P.now_ms, iter);
	if (P.done != NCONN) {
		struct ptcp_stats st;

		ptcp_engine_stats(P.a.e, &st);
		printf("  client counters:\n");
		ptcp_stats_print(&st, stdout, "    ");
		ptcp_engine_stats(P.b.e, &st);
		printf("  server counters:\n");
		ptcp_stats_print(&st, stdout, "    ");
		for (i = 0; i < PTCP_TCPS_MAX; i++)
			printf("  %-12s client %" PRIu64 " server %" PRIu64 "\n",
				ptcp_tcp_state_name((unsigned int)i),
				count_state(&P.a, (unsigned int)i),
				count_state(&P.b, (unsigned int)i));
	}
	CHECK_EQ(P.done, NCONN);
	CHECK_EQ(P.closed_normal, NCONN);
	CHECK_EQ(P.closed_other, 0);
	CHECK_EQ(P.bad_bytes, 0);
	CHECK_EQ(P.accepted, NCONN);
	/* The server's last callback may lag the client's by a pass. */
	for (i = 0; i < 10 && P.srv_closed_normal < NCONN; i++)
		poll_both(1);
	CHECK_EQ(P.srv_closed_normal, NCONN);
	CHECK_EQ(P.srv_closed_other, 0);
	CHECK(P.closing_seen > 0);

	/* Who held TIME-WAIT: the side that closed first, both at once. */
	for (i = 0; i < 100 && (count_state(&P.a, PTCP_TCPS_TIME_WAIT) ||
			count_state(&P.b, PTCP_TCPS_TIME_WAIT)); i++)
		poll_both(100);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_tw_expired),
		P.modes[CLIENT_FIRST] + P.modes[SIMULTANEOUS]);
	CHECK_EQ(stat_of(&P.b, PTCP_STAT_tcp_tw_expired),
		P.modes[SERVER_FIRST] + P.modes[SIMULTANEOUS]);
	for (i = 0; i < PTCP_TCPS_MAX; i++) {
		if (i == PTCP_TCPS_LISTEN)
			continue;
		CHECK_MSG(count_state(&P.a, (unsigned int)i) == 0 &&
			count_state(&P.b, (unsigned int)i) == 0,
			"state %s not empty", ptcp_tcp_state_name((unsigned int)i));
	}
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rst_tx) +
		stat_of(&P.b, PTCP_STAT_tcp_rst_tx), 0);
	CHECK_EQ(stat_of(&P.a, PTCP_STAT_tcp_rexmt) +
		stat_of(&P.b, PTCP_STAT_tcp_rexmt), 0);
	CHECK_EQ(ptcp_engine_mbufs_in_use(P.a.e), P.a.baseline);
	CHECK_EQ(ptcp_engine_mbufs_in_use(P.b.e), P.b.baseline);
	pair_teardown();
	return 0;
}

static void
after(void)
{
	if (P.a.e != NULL || P.w.ab != NULL)
		pair_teardown();
}

static const struct ptcp_test tests[] = {
	TEST(ten_thousand_connections_each_side_closing_first_in_turn),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
