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

/*
 * Connections parked in both stacks' tables before a measurement
 * (pair_fill()): @idle ESTABLISHED on both sides, @tw closed by the
 * server first, so that the server holds them in TIME-WAIT (the client
 * goes through LAST-ACK to CLOSED). Tuples: the client's primary address
 * and PAIR_FILL_EXTRA extra ones, local ports 1024-65535, server ports
 * from PAIR_IDLE_PORT (idle) and PAIR_TW_PORT (TIME-WAIT), one more
 * server port every PAIR_FILL_PER_RPORT tuples; none can meet the churn's
 * (server port RR_PORT).
 */
#define PAIR_IDLE_PORT 7000
#define PAIR_TW_PORT 8000
#define PAIR_FILL_EXTRA 64
#define PAIR_FILL_LPORT_MIN 1024u
#define PAIR_FILL_PER_RPORT ((uint64_t)(PAIR_FILL_EXTRA + 1) * \
	(65536u - PAIR_FILL_LPORT_MIN))
/* Most listener ports each kind may take (lib/tcp has 32 listeners). */
#define PAIR_FILL_MAX_RPORTS 8
#define PAIR_FILL_MAX (PAIR_FILL_PER_RPORT * PAIR_FILL_MAX_RPORTS)
/* "port0.extra_addresses=..." for the client of a pair that fills. */
#define PAIR_FILL_CLIENT_SET "port0.extra_addresses=10.96.0.10-10.96.0.73"

struct pair_fill {
	uint64_t idle_up;                 /* client: connected (idle) */
	uint64_t idle_accepted;           /* server: accepted (idle) */
	uint64_t tw_accepted;             /* server: accepted, closed at once */
	uint64_t tw_closed;               /* client: closed normally (LAST-ACK) */
	uint64_t lost;                    /* either side: closed otherwise,
	                                   *   or an idle one closed at all */
	uint64_t clock_steps;             /* ms the clock moved while filling */
};

/* Everything one run sets up (torn down by pair_teardown()). */
struct churn_pair {
	struct h_stack a, b;              /* client (churn), server */
	struct h_wire w;
	uint64_t now_ms;
	struct services *sv;
	struct ptcp_server_config srv;    /* the server's [server] section */
	struct churn_lcore *cl;
	struct churn_params p;
	bool measure;                     /* server passes via pair_server_pass_measured */
	uint64_t measured_tsc;            /* TSC cycles spent in them (wall) */
	struct pair_fill fill;            /* pair_fill() */
};

extern struct churn_pair P;

/*
 * @sc: ptcp-server's [server] defaults with its rr service on @port,
 * closing as @rr_close ("client" or "server"); -1 for another name.
 */
int pair_server_config(struct ptcp_server_config *sc, const char *rr_close,
		uint32_t request, uint32_t response, uint16_t port);

/* The server runs ptcp-server's rr service closing as @rr_close. */
int pair_setup(const char *rr_close, uint32_t request, uint32_t response);
/* As pair_setup(), with "section.key=value" settings for the client. */
int pair_setup_ex(const char *rr_close, uint32_t request, uint32_t response,
		const char *const *client_sets, unsigned int nb_client_sets);
/* As pair_setup_ex(), with settings for the server too. */
int pair_setup_sets(const char *rr_close, uint32_t request,
		uint32_t response, const char *const *client_sets,
		unsigned int nb_client_sets, const char *const *server_sets,
		unsigned int nb_server_sets);
void pair_teardown(void);
/*
 * Open @idle connections that stay idle and @tw that the server closes
 * (TIME-WAIT on the server), with real handshakes and closes, in batches,
 * the clock still unless nothing is in flight and some are not done (ARP
 * resolution, a retransmission). The client needs PAIR_FILL_CLIENT_SET,
 * both sides max_conns (and the server max_tw and an MSL) sized for them.
 * Before churn_lcore_init(). @return 0 when every one is in place (books
 * in P.fill), -1 with one line on stderr.
 */
int pair_fill(uint64_t idle, uint64_t tw);
/* @ms of virtual time: client pass, churn step, server pass. */
void tick(uint64_t ms);
uint64_t count_state(const struct h_stack *s, unsigned int state);
uint64_t stat_of(const struct h_stack *s, enum ptcp_stat_id id);
void dump(void);

/* The server's loop pass; never inlined, so callgrind can collect just it
 * (--toggle-collect=pair_server_pass_measured). */
void pair_server_pass(void);
void pair_server_pass_measured(void);
/* The same for the client: its loop pass and ptcp-churn's step
 * (--toggle-collect=pair_client_pass_measured). */
void pair_client_pass(void);
void pair_client_pass_measured(void);

#endif /* CHURN_PAIR_H */
