/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_STAT_PROM_H
#define PTCP_STAT_PROM_H

/**
 * @file
 * The Prometheus text exposition format (version 0.0.4), as the
 * node_exporter textfile collector reads it, and ptcp's metrics in it.
 *
 * A family is written as "# HELP", "# TYPE", then its samples, once; the
 * writer refuses a family name seen before or invalid, and a series
 * (family and label value) twice, so whatever it wrote is valid.
 */

#include <stdint.h>
#include <stdio.h>

#include "tel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most families one writer takes. */
#define PROM_MAX_FAMILIES 1024
/** Most samples one family takes. */
#define PROM_MAX_SERIES 1024
/** Longest metric name. */
#define PROM_NAME_MAX 128

/** A writer; zero it (and set f) before use, prom_end() after. */
struct prom {
	FILE *f;
	char *err;
	size_t errlen;
	char cur[PROM_NAME_MAX];            /**< family being written */
	const char *cur_type;
	char *families[PROM_MAX_FAMILIES];  /**< names written */
	unsigned int nb_families;
	char *series[PROM_MAX_SERIES];      /**< labels of cur's samples */
	unsigned int nb_series;
};

/**
 * Make a metric name from @p prefix, @p name and @p suffix: characters
 * outside [a-zA-Z0-9_] become '_', and @p suffix is not doubled when
 * @p name already ends with it.
 *
 * @return 0, or -1 when it does not fit @p len or is no valid name.
 */
int prom_name(char *buf, size_t len, const char *prefix, const char *name,
	const char *suffix);

/**
 * Start family @p name of @p type ("counter" or "gauge") with one line of
 * @p help (escaped here).
 *
 * @return 0, or -1 with the reason in w->err: invalid or repeated name,
 *   a counter not named *_total, too many families.
 */
int prom_family(struct prom *w, const char *name, const char *type,
	const char *help);
/**
 * A sample of the current family: unlabelled when @p label is NULL, else
 * with label @p label="@p value" (escaped here).
 *
 * @return 0, or -1 with the reason in w->err (repeated series, invalid
 *   label name, a counter going negative).
 */
int prom_sample(struct prom *w, const char *label, const char *value,
	int64_t v);
/** The same for an unsigned value. */
int prom_sample_u64(struct prom *w, const char *label, const char *value,
	uint64_t v);
/**
 * A sample of the current family with @p nl labels: @p lv holds name,
 * value, name, value...
 *
 * @return 0, or -1 with the reason in w->err.
 */
int prom_sample_labels(struct prom *w, unsigned int nl,
	const char *const *lv, uint64_t v);
/** Free what @p w holds. */
void prom_end(struct prom *w);

/**
 * One line about ptcp counter @p name (lib/stats's description), or NULL
 * for a name lib/stats does not list.
 */
const char *prom_counter_help(const char *name);

/** RFC 9293 name of TCP state @p i in ptcp's order ("CLOSE-WAIT"), or NULL. */
const char *prom_state_name(unsigned int i);
/**
 * Index of the state named @p key, as the RFC writes it or with '_' for
 * '-' as DPDK 22.11's telemetry keys must ("CLOSE_WAIT"); -1 if none.
 */
int prom_state_index(const char *key);
/** The RFC name of state @p key, or @p key itself when it names none. */
const char *prom_state_label(const char *key);

/**
 * ptcp's metrics from the replies to /ptcp/stats, /ptcp/states,
 * /ptcp/lcores and /ptcp/transitions (whole replies as parsed; any may be
 * NULL to leave that part out), to @p f:
 *   ptcp_<counter>_total                    counter, one per counter
 *   ptcp_mbufs_in_use, ptcp_mbufs_capacity  gauges
 *   ptcp_connections{state="..."}           gauge, one series per state
 *   ptcp_lcore_<counter>_total{lcore="N"}   counters (rx_pkts, ...)
 *   ptcp_lcore_<gauge>{lcore="N"}           gauges (conns, time_wait, ...)
 *   ptcp_transitions_total{from="..",to=".."} counter, per edge taken
 * State names are the RFC's ("CLOSE-WAIT") whatever the server's keys.
 * Replies of the wrong shape (a value not an integer, lcores not objects,
 * null for an unknown command) are errors; part of the output may have
 * been written then, so write to a buffer and copy it out on success.
 *
 * @return 0, or -1 with a one-line reason in @p err.
 */
int prom_write_ptcp(FILE *f, const struct tel_doc *stats,
	const struct tel_doc *states, const struct tel_doc *lcores,
	const struct tel_doc *transitions, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_STAT_PROM_H */
