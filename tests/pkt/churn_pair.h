/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CHURN_PAIR_H
#define CHURN_PAIR_H

/*
 * ptcp-churn's workload (app/churn/churn.c) against ptcp-server's services
 * (app/server), two ptcp engines in one process over cross-connected
 * net_ring ports, with a clock driven by hand. Shared by the pkt test
 * (test_churn.c) and the instructions-per-connection benchmark
 * (tests/bench/churn/inproc.c). One pair at a time: the state is the
 * global P.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "ptcp.h"
#include "ptcp_tcp.h"

#include "harness.h"

#include "churn.h"
#include "services.h"

#define RR_PORT 5001
#define MSL_MS 500

/* Everything one run sets up (torn down by pair_teardown()). */
struct churn_pair {
	struct h_stack a, b;              /* client (churn), server */
	struct h_wire w;
	uint64_t now_ms;
	struct services *sv;
	struct churn_lcore *cl;
	struct churn_params p;
	bool measure;                     /* server passes via pair_server_pass_measured */
};

extern struct churn_pair P;

/* The server runs ptcp-server's rr service closing as @rr_close. */
int pair_setup(const char *rr_close, uint32_t request, uint32_t response);
/* As pair_setup(), with "section.key=value" settings for the client. */
int pair_setup_ex(const char *rr_close, uint32_t request, uint32_t response,
		const char *const *client_sets, unsigned int nb_client_sets);
void pair_teardown(void);
/* @ms of virtual time: client pass, churn step, server pass. */
void tick(uint64_t ms);
uint64_t count_state(const struct h_stack *s, unsigned int state);
uint64_t stat_of(const struct h_stack *s, enum ptcp_stat_id id);
void dump(void);

/* The server's loop pass; never inlined, so callgrind can collect just it
 * (--toggle-collect=pair_server_pass_measured). */
void pair_server_pass(void);
void pair_server_pass_measured(void);

#endif /* CHURN_PAIR_H */
