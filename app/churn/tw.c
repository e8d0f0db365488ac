/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp-churn's TIME-WAIT account (tw.h), from the stack's own books:
 *
 *   reached        every edge into TIME-WAIT (ptcp_tcp_transitions()):
 *                  a TCB counts it before it learns whether it gets an
 *                  entry, so reached = entered + cap
 *   cap            tcp_tw_cap: no entry, max_tw full
 *   entered        reached - cap
 *   reuse_connect  tcp_tw_reuse_connect, reuse_syn tcp_tw_reuse_syn,
 *   expired        tcp_tw_expired
 *   now, peak      ptcp_tcp_state_counts(), ptcp_tcp_tw_peak()
 *
 * Everything is a plain per-lcore integer that only its lcore writes, so
 * the main lcore may read a running worker's (a sum taken mid-pass is off
 * by that pass at most, as for every progress figure).
 */
#include <inttypes.h>
#include <string.h>

#include "ptcp.h"
#include "ptcp_stats.h"
#include "ptcp_tcp.h"

#include "churn.h"
#include "tw.h"

void
churn_tw_add(struct churn_tw *tw, const struct ptcp_lcore *lc)
{
	uint64_t trans[PTCP_TCPS_MAX][PTCP_TCPS_MAX];
	uint64_t counts[PTCP_TCPS_MAX];
	uint64_t reached = 0, cap;
	unsigned int s;

	ptcp_tcp_transitions(lc, trans);
	ptcp_tcp_state_counts(lc, counts);
	for (s = 0; s < PTCP_TCPS_MAX; s++)
		if (s != PTCP_TCPS_TIME_WAIT)
			reached += trans[s][PTCP_TCPS_TIME_WAIT];
	cap = PTCP_STAT_GET(&lc->stats, tcp_tw_cap);
	/* Read apart from the edge count: mid-pass, cap may be one ahead. */
	if (cap > reached)
		cap = reached;
	tw->reached += reached;
	tw->cap += cap;
	tw->entered += reached - cap;
	tw->reuse_connect += PTCP_STAT_GET(&lc->stats, tcp_tw_reuse_connect);
	tw->reuse_syn += PTCP_STAT_GET(&lc->stats, tcp_tw_reuse_syn);
	tw->expired += PTCP_STAT_GET(&lc->stats, tcp_tw_expired);
	tw->now += counts[PTCP_TCPS_TIME_WAIT];
	tw->peak += ptcp_tcp_tw_peak(lc);
}

const char *
churn_tw_holder(unsigned int closer)
{
	switch (closer) {
	case CHURN_CLOSE_SERVER:
		return "server";
	case CHURN_CLOSE_RST:
		return "none";
	case CHURN_CLOSE_MIX:
		return "client,server";
	default:
		return "client";
	}
}

enum churn_tw_verdict
churn_tw_verdict(const struct churn_tw *tw, unsigned int closer,
		uint32_t max_tw, char *buf, size_t len)
{
	/*
	 * Cap drops first: whatever the closer, a connection that closed
	 * first here and got no entry makes the figure a cheaper one. A
	 * simultaneous close reaches TIME-WAIT on both sides, so it can
	 * happen with --closer server too.
	 */
	if (tw->cap != 0) {
		snprintf(buf, len, "%" PRIu64 " of %" PRIu64 " connections "
			"skipped TIME-WAIT (cap max_tw=%u): not a "
			"full-lifecycle figure", tw->cap, tw->reached, max_tw);
		return CHURN_TW_SKIPPED;
	}
	if (closer == CHURN_CLOSE_SERVER) {
		snprintf(buf, len, "TIME-WAIT held by the server");
		return CHURN_TW_SERVER;
	}
	if (closer == CHURN_CLOSE_RST) {
		snprintf(buf, len, "no TIME-WAIT: every connection ends with "
			"a RST");
		return CHURN_TW_NOBODY;
	}
	if (tw->reached == 0) {
		snprintf(buf, len, "no connection reached TIME-WAIT");
		return CHURN_TW_NONE;
	}
	snprintf(buf, len, closer == CHURN_CLOSE_MIX ? "every connection "
		"we closed first went through TIME-WAIT (mix: the server "
		"holds the others')" :
		"every connection went through TIME-WAIT");
	return CHURN_TW_EVERY;
}

void
churn_tw_print_text(FILE *f, const struct churn_tw *tw, unsigned int closer,
		uint32_t max_tw, unsigned int lcores)
{
	char verdict[160];

	churn_tw_verdict(tw, closer, max_tw, verdict, sizeof(verdict));
	fprintf(f, "  tw account   reached %" PRIu64 " = entered %" PRIu64
		" + cap_drops %" PRIu64 "; reuse_connect %" PRIu64
		" reuse_syn %" PRIu64 " expired %" PRIu64 "; peak %" PRIu64,
		tw->reached, tw->entered, tw->cap, tw->reuse_connect,
		tw->reuse_syn, tw->expired, tw->peak);
	if (lcores > 1)
		fprintf(f, " (sum of %u lcores' peaks; max_tw %u per lcore)\n",
			lcores, max_tw);
	else
		fprintf(f, " (max_tw %u)\n", max_tw);
	fprintf(f, "  tw verdict   %s\n", verdict);
}

void
churn_tw_print_json(FILE *f, const struct churn_tw *tw, unsigned int closer,
		uint32_t max_tw)
{
	char verdict[160];
	const char *full;

	switch (churn_tw_verdict(tw, closer, max_tw, verdict,
			sizeof(verdict))) {
	case CHURN_TW_EVERY:
		full = "true";
		break;
	case CHURN_TW_SERVER:
		full = "null";          /* the server's books, not ours */
		break;
	default:
		full = "false";
		break;
	}
	/* The verdict is our own text: nothing in it needs escaping. */
	fprintf(f, "\"tw\": {\"held_by\": \"%s\", \"reached\": %" PRIu64
		", \"entered\": %" PRIu64 ", \"cap_drops\": %" PRIu64
		", \"reuse_connect\": %" PRIu64 ", \"reuse_syn\": %" PRIu64
		", \"expired\": %" PRIu64 ", \"peak\": %" PRIu64
		", \"max_tw\": %u, \"full_lifecycle\": %s, \"verdict\": \"%s\"}",
		churn_tw_holder(closer), tw->reached, tw->entered, tw->cap,
		tw->reuse_connect, tw->reuse_syn, tw->expired, tw->peak,
		max_tw, full, verdict);
}
