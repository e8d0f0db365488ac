/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_OBS_H
#define PTCP_OBS_H

/**
 * @file
 * Observability: ptcp's DPDK telemetry commands (docs/observability.md).
 *
 *     /ptcp/stats          every counter, summed over the workers; mbufs
 *     /ptcp/states         connections per TCP state
 *     /ptcp/transitions    state changes per edge ("FROM/TO")
 *     /ptcp/lcores         per worker: packets, connections, steering, mbufs
 *     /ptcp/conns,<limit>  an ss-like listing, copied by each worker
 *     /ptcp/config         the effective configuration
 *
 * Query them with `dpdk-telemetry.py -f <file-prefix>` (the EAL must run
 * without --no-telemetry). The handlers run in DPDK's telemetry threads,
 * never on a worker: counters are read as they are (plain integers each
 * worker writes), and connections, which belong to their worker, are
 * listed through ptcp_tcp_snapshot().
 */

#include <stddef.h>

#include <rte_telemetry.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ptcp_engine;

/** /ptcp/conns without a limit. */
#define PTCP_OBS_CONNS_DEFAULT 100
/** Largest /ptcp/conns limit (a reply holds fewer: see "shown"). */
#define PTCP_OBS_CONNS_MAX 1000
/** How long /ptcp/conns waits for each worker's listing, ms. */
#define PTCP_OBS_SNAPSHOT_TIMEOUT_MS 200

/**
 * Register the /ptcp/ telemetry commands for engine @p e. One engine per
 * process answers: a later call (another engine) takes the commands
 * over. Call once TCP is attached (ptcp_tcp_attach()); the commands
 * answer null once it is detached.
 *
 * @return 0, or a negative errno from rte_telemetry_register_cmd()
 */
int ptcp_obs_register(struct ptcp_engine *e);

/**
 * Run command @p cmd with @p params (what follows the comma, or NULL) as
 * the telemetry socket would, filling @p d (for tests and embedders).
 *
 * @return 0; -ENOENT (no such command), -EINVAL (bad parameters),
 *         -ENODEV (no engine registered, or TCP detached from it)
 */
int ptcp_obs_handle(const char *cmd, const char *params,
		struct rte_tel_data *d);

/**
 * @p name as a telemetry dictionary key: DPDK 22.11 accepts only letters,
 * digits, '_' and '/' there, so every other character becomes '_'
 * ("CLOSE-WAIT" -> "CLOSE_WAIT"). @return @p out
 */
char *ptcp_obs_key(char *out, size_t len, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_OBS_H */
