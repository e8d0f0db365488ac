/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CHURN_TW_H
#define CHURN_TW_H

/**
 * @file
 * ptcp-churn's TIME-WAIT account: what its own stack did with the
 * connections that closed first on this side, so that a connections/s
 * figure says whether each connection paid for a whole lifecycle.
 *
 * A connection that closes first reaches TIME-WAIT; it then either gets
 * an entry (held 2*MSL, or until a new connection reuses its tuple) or,
 * with [tcp] max_tw entries held already on its lcore, ends at once
 * (tcp_tw_cap). A run with cap drops measured something cheaper than a
 * full lifecycle: no entry made, none looked up, none freed, and its
 * tuple free again at once.
 *
 * Read from the stack's own counters (any thread may: plain integers,
 * per lcore), summed over the lcores; main.c prints it every second and
 * in the summary, the pkt test checks it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ptcp.h"

/** One lcore's TIME-WAIT figures, or their sum. */
struct churn_tw {
	uint64_t reached;        /**< connections that reached TIME-WAIT
	                              (closed first): entered + cap */
	uint64_t entered;        /**< of those, kept as an entry */
	uint64_t cap;            /**< of those, ended at once: max_tw full
	                              (tcp_tw_cap) */
	uint64_t reuse_connect;  /**< entries reused by our ptcp_connect() */
	uint64_t reuse_syn;      /**< entries reused by a peer's SYN */
	uint64_t expired;        /**< entries that lasted 2*MSL */
	uint64_t now;            /**< entries held now */
	uint64_t peak;           /**< high-water mark (summed: per lcore) */
};

/** Add lcore @p lc's figures into @p tw (from any thread). */
void churn_tw_add(struct churn_tw *tw, const struct ptcp_lcore *lc);

/** What the summary can say of TIME-WAIT on this side. */
enum churn_tw_verdict {
	CHURN_TW_EVERY = 0,   /**< every connection that closed first here
	                           got its entry */
	CHURN_TW_SKIPPED,     /**< some ended without: cap drops */
	CHURN_TW_SERVER,      /**< --closer server: the server holds it */
	CHURN_TW_NOBODY,      /**< --closer rst: no TIME-WAIT anywhere */
	CHURN_TW_NONE,        /**< no connection reached TIME-WAIT here */
};

/**
 * The plain statement of the summary into @p buf (NUL-terminated, cut to
 * @p len):
 * - SKIPPED: "N of M connections skipped TIME-WAIT (cap max_tw=K): not a
 *   full-lifecycle figure" (cap drops come first, whatever the closer);
 * - SERVER: "TIME-WAIT held by the server";
 * - NOBODY: "no TIME-WAIT: every connection ends with a RST";
 * - EVERY: "every connection went through TIME-WAIT";
 * - NONE: "no connection reached TIME-WAIT".
 * @param closer enum churn_closer
 */
enum churn_tw_verdict churn_tw_verdict(const struct churn_tw *tw,
		unsigned int closer, uint32_t max_tw, char *buf, size_t len);

/** Where TIME-WAIT is for @p closer: "client", "server" or "none". */
const char *churn_tw_holder(unsigned int closer);

/**
 * The summary's lines after "time-wait N (at the last sample)": the
 * figures and the statement, each line starting with two spaces.
 */
void churn_tw_print_text(FILE *f, const struct churn_tw *tw,
		unsigned int closer, uint32_t max_tw, unsigned int lcores);

/**
 * The JSON member "tw": {...} (no separator before or after): held_by,
 * reached, entered, cap_drops, reuse_connect, reuse_syn, expired, peak,
 * max_tw, full_lifecycle, verdict.
 */
void churn_tw_print_json(FILE *f, const struct churn_tw *tw,
		unsigned int closer, uint32_t max_tw);

#endif /* CHURN_TW_H */
