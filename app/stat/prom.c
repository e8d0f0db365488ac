/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition (format 0.0.4): the writer, then ptcp's
 * metrics from its telemetry replies.
 *
 * The format, as the node_exporter textfile collector parses it: lines
 * "# HELP name text" (text escapes \\ and \n), "# TYPE name counter|gauge",
 * and samples "name{label="value",...} value"; names [a-zA-Z_:][a-zA-Z0-9_:]*
 * (colons are for recording rules: not used here), label names
 * [a-zA-Z_][a-zA-Z0-9_]*, label values escaping \\, \" and \n. A family's
 * HELP and TYPE come before its samples and all of them together: the
 * collector rejects a whole file that repeats a family.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ptcp_stats.h"

#include "prom.h"

static int __attribute__((format(printf, 2, 3)))
werr(struct prom *w, const char *fmt, ...)
{
	va_list ap;

	if (w->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(w->err, w->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool
name_ok(const char *s, bool label)
{
	const char *p;

	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') || *p == '_' ||
				(!label && *p == ':')))
			return false;
	/* Label names starting "__" are Prometheus's own. */
	return !(label && s[0] == '_' && s[1] == '_');
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
prom_name(char *buf, size_t len, const char *prefix, const char *name,
	const char *suffix)
{
	size_t n = 0;
	const char *p;
	int r;

	if (ends_with(name, suffix))
		suffix = "";
	r = snprintf(buf, len, "%s%s%s", prefix, name, suffix);
	if (r < 0 || (size_t)r >= len)
		return -1;
	n = strlen(prefix);
	for (p = name; *p != '\0'; p++, n++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') || *p == '_'))
			buf[n] = '_';
	return name_ok(buf, false) ? 0 : -1;
}

static void
free_series(struct prom *w)
{
	unsigned int i;

	for (i = 0; i < w->nb_series; i++)
		free(w->series[i]);
	w->nb_series = 0;
}

void
prom_end(struct prom *w)
{
	unsigned int i;

	free_series(w);
	for (i = 0; i < w->nb_families; i++)
		free(w->families[i]);
	w->nb_families = 0;
}

int
prom_family(struct prom *w, const char *name, const char *type,
	const char *help)
{
	unsigned int i;
	char *copy;

	if (strlen(name) >= sizeof(w->cur) || !name_ok(name, false))
		return werr(w, "invalid metric name '%.64s'", name);
	if (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0)
		return werr(w, "%s: unknown type %.16s", name, type);
	/* Prometheus's convention, which rate() users rely on. */
	if (strcmp(type, "counter") == 0 && !ends_with(name, "_total"))
		return werr(w, "counter %s not named *_total", name);
	if (strcmp(type, "gauge") == 0 && ends_with(name, "_total"))
		return werr(w, "gauge %s named *_total", name);
	for (i = 0; i < w->nb_families; i++)
		if (strcmp(w->families[i], name) == 0)
			return werr(w, "metric %s twice (two names that "
				"differ only in characters outside "
				"[a-zA-Z0-9_]?)", name);
	if (w->nb_families == PROM_MAX_FAMILIES)
		return werr(w, "too many metrics, at %s", name);
	copy = strdup(name);
	if (copy == NULL)
		return werr(w, "out of memory");
	w->families[w->nb_families++] = copy;
	free_series(w);
	memcpy(w->cur, name, strlen(name) + 1);
	w->cur_type = strcmp(type, "counter") == 0 ? "counter" : "gauge";

	fprintf(w->f, "# HELP %s ", name);
	for (; *help != '\0'; help++) {
		if (*help == '\\')
			fputs("\\\\", w->f);
		else if (*help == '\n')
			fputs("\\n", w->f);
		else
			putc(*help, w->f);
	}
	fprintf(w->f, "\n# TYPE %s %s\n", name, w->cur_type);
	return 0;
}

/* @p s with \\, \" and \n escaped, appended to @p f. */
static void
put_escaped(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			putc(*s, f);
	}
}

/* Name, labels and the space before the value. */
static int
sample_head(struct prom *w, unsigned int nl, const char *const *lv)
{
	char *labels = NULL;
	size_t len = 0;
	unsigned int i, j;
	FILE *f;

	if (w->cur[0] == '\0')
		return werr(w, "sample before any family");
	for (i = 0; i < nl; i++) {
		if (!name_ok(lv[2 * i], true))
			return werr(w, "%s: invalid label name '%.64s'",
				w->cur, lv[2 * i]);
		for (j = 0; j < i; j++)
			if (strcmp(lv[2 * i], lv[2 * j]) == 0)
				return werr(w, "%s: label %.64s twice", w->cur,
					lv[2 * i]);
	}
	if (w->nb_series == PROM_MAX_SERIES)
		return werr(w, "%s: too many series", w->cur);
	/* The labels as written: the series' identity within its family. */
	f = open_memstream(&labels, &len);
	if (f == NULL)
		return werr(w, "out of memory");
	for (i = 0; i < nl; i++) {
		fprintf(f, "%s%s=\"", i == 0 ? "{" : ",", lv[2 * i]);
		put_escaped(f, lv[2 * i + 1]);
		putc('"', f);
	}
	if (nl > 0)
		putc('}', f);
	if (fclose(f) != 0 || labels == NULL) {
		free(labels);
		return werr(w, "out of memory");
	}
	for (i = 0; i < w->nb_series; i++)
		if (strcmp(w->series[i], labels) == 0) {
			werr(w, "%s: series %.64s twice", w->cur,
				nl > 0 ? labels : "{}");
			free(labels);
			return -1;
		}
	w->series[w->nb_series++] = labels;
	fprintf(w->f, "%s%s ", w->cur, labels);
	return 0;
}

int
prom_sample(struct prom *w, const char *label, const char *value, int64_t v)
{
	const char *lv[2] = { label, value };

	if (v < 0 && strcmp(w->cur_type != NULL ? w->cur_type : "",
			"counter") == 0)
		return werr(w, "counter %s{%.64s} is negative", w->cur,
			label != NULL ? value : "");
	if (sample_head(w, label != NULL, lv) < 0)
		return -1;
	fprintf(w->f, "%" PRId64 "\n", v);
	return 0;
}

int
prom_sample_u64(struct prom *w, const char *label, const char *value,
	uint64_t v)
{
	const char *lv[2] = { label, value };

	return prom_sample_labels(w, label != NULL, lv, v);
}

int
prom_sample_labels(struct prom *w, unsigned int nl, const char *const *lv,
	uint64_t v)
{
	if (sample_head(w, nl, lv) < 0)
		return -1;
	fprintf(w->f, "%" PRIu64 "\n", v);
	return 0;
}

/* RFC 9293's state names, in ptcp's order (lib/tcp). */
static const char *const state_names[] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
	"CLOSE-WAIT", "FIN-WAIT-1", "CLOSING", "LAST-ACK", "FIN-WAIT-2",
	"TIME-WAIT",
};

const char *
prom_state_name(unsigned int i)
{
	return i < sizeof(state_names) / sizeof(state_names[0]) ?
		state_names[i] : NULL;
}

int
prom_state_index(const char *key)
{
	unsigned int i;
	size_t j;

	/* 22.11's keys take no '-': the server writes "CLOSE_WAIT". */
	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		for (j = 0; state_names[i][j] != '\0'; j++)
			if (key[j] != state_names[i][j] && !(key[j] == '_' &&
					state_names[i][j] == '-'))
				break;
		if (state_names[i][j] == '\0' && key[j] == '\0')
			return (int)i;
	}
	return -1;
}

const char *
prom_state_label(const char *key)
{
	int i = prom_state_index(key);

	return i < 0 ? key : state_names[i];
}

/* ptcp's metrics. */

static const struct {
	const char *name, *desc;
} stat_descs[] = {
#define STAT_DESC(n, d) { #n, d },
	PTCP_STATS_LIST(STAT_DESC)
#undef STAT_DESC
};

const char *
prom_counter_help(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(stat_descs) / sizeof(stat_descs[0]); i++)
		if (strcmp(stat_descs[i].name, name) == 0)
			return stat_descs[i].desc;
	return NULL;
}

/* Gauges among /ptcp/stats's members (the rest count up). */
static const struct {
	const char *key, *metric, *help;
} stats_gauges[] = {
	{ "mbufs_in_use", "ptcp_mbufs_in_use",
		"mbufs taken from ptcp's pools (all workers)" },
	{ "mbufs_total", "ptcp_mbufs_capacity",
		"mbufs in ptcp's pools, free or not (all workers)" },
};

/* Members of each /ptcp/lcores entry: gauges, and the others' help. */
static const struct {
	const char *key, *help;
	bool gauge;
} lcore_keys[] = {
	{ "rx_pkts", "frames received by the worker", false },
	{ "tx_pkts", "frames sent by the worker", false },
	{ "conns", "connections the worker owns, listeners and TIME-WAIT "
		"left out", true },
	{ "time_wait", "TIME-WAIT entries the worker keeps", true },
	{ "steer_out", "frames the worker handed to another", false },
	{ "steer_in", "frames the worker took from another", false },
	{ "mbufs_in_use", "mbufs taken from the worker's pool", true },
	{ "timers", "timers pending on the worker's wheel", true },
	{ "recovery_blocks", "recovery blocks the worker's connections hold",
		true },
};

static int
perr(char *err, size_t errlen, const char *cmd, const char *what,
	const char *key)
{
	snprintf(err, errlen, "%s: %s%s%.64s%s", cmd, what,
		key != NULL ? " \"" : "", key != NULL ? key : "",
		key != NULL ? "\"" : "");
	return -1;
}

/* The value of reply @p d to @p cmd, an object. */
static const struct tel_node *
reply_obj(const struct tel_doc *d, const char *cmd, char *err, size_t errlen)
{
	const struct tel_node *v = tel_reply(d, cmd, err, errlen);

	if (v == NULL)
		return NULL;
	if (v->type == TEL_NULL) {
		snprintf(err, errlen, "%s: null reply (no such command, or "
			"it failed)", cmd);
		return NULL;
	}
	if (v->type != TEL_OBJ) {
		snprintf(err, errlen, "%s: reply is not an object", cmd);
		return NULL;
	}
	return v;
}

static int
write_stats(struct prom *w, const struct tel_doc *d, char *err,
	size_t errlen)
{
	static const char cmd[] = "/ptcp/stats";
	const struct tel_node *o = reply_obj(d, cmd, err, errlen), *k;
	char name[PROM_NAME_MAX], help[256];
	uint64_t v;
	size_t i;

	if (o == NULL)
		return -1;
	/* Counters first, in the server's order; then the gauges. */
	for (k = tel_first(d, o); k != NULL; k = tel_next(d, o, k)) {
		const char *desc;

		for (i = 0; i < sizeof(stats_gauges) / sizeof(stats_gauges[0]);
				i++)
			if (strcmp(k->s, stats_gauges[i].key) == 0)
				break;
		if (i < sizeof(stats_gauges) / sizeof(stats_gauges[0]))
			continue;
		if (!tel_uint64(tel_val(k), &v))
			return perr(err, errlen, cmd, "not a counter:", k->s);
		if (prom_name(name, sizeof(name), "ptcp_", k->s, "_total") < 0)
			return perr(err, errlen, cmd, "no metric name for",
				k->s);
		desc = prom_counter_help(k->s);
		if (desc != NULL)
			snprintf(help, sizeof(help), "%s", desc);
		else
			snprintf(help, sizeof(help), "ptcp counter %s",
				k->s);
		if (prom_family(w, name, "counter", help) < 0 ||
				prom_sample_u64(w, NULL, NULL, v) < 0)
			return -1;
	}
	for (i = 0; i < sizeof(stats_gauges) / sizeof(stats_gauges[0]); i++) {
		const struct tel_node *g = tel_get(d, o, stats_gauges[i].key);

		if (g == NULL)
			continue;
		if (!tel_uint64(g, &v))
			return perr(err, errlen, cmd, "not a count:",
				stats_gauges[i].key);
		if (prom_family(w, stats_gauges[i].metric, "gauge",
				stats_gauges[i].help) < 0 ||
				prom_sample_u64(w, NULL, NULL, v) < 0)
			return -1;
	}
	return 0;
}

static int
write_states(struct prom *w, const struct tel_doc *d, char *err,
	size_t errlen)
{
	static const char cmd[] = "/ptcp/states";
	const struct tel_node *o = reply_obj(d, cmd, err, errlen), *k;
	uint64_t v;

	if (o == NULL)
		return -1;
	if (prom_family(w, "ptcp_connections", "gauge",
			"connections in each TCP state (RFC 9293), all "
			"workers; TIME-WAIT counts the compact entries") < 0)
		return -1;
	for (k = tel_first(d, o); k != NULL; k = tel_next(d, o, k)) {
		if (!tel_uint64(tel_val(k), &v))
			return perr(err, errlen, cmd, "not a count:", k->s);
		/* The sum of the others: a query's job, not a series. */
		if (strcmp(k->s, "total") == 0)
			continue;
		if (prom_sample_u64(w, "state", prom_state_label(k->s), v) < 0)
			return -1;
	}
	return 0;
}

/* The label value of lcore entry @p k ("lcore_id", else its key). */
static void
lcore_label(const struct tel_doc *d, const struct tel_node *k, char *buf,
	size_t len)
{
	uint64_t id;

	if (tel_uint64(tel_get(d, tel_val(k), "lcore_id"), &id))
		snprintf(buf, len, "%" PRIu64, id);
	else
		snprintf(buf, len, "%s", k->s);
}

static int
write_lcores(struct prom *w, const struct tel_doc *d, char *err,
	size_t errlen)
{
	static const char cmd[] = "/ptcp/lcores";
	const struct tel_node *o = reply_obj(d, cmd, err, errlen), *l, *m, *l2;
	char name[PROM_NAME_MAX], help[256], label[128];
	uint64_t v;
	size_t i;

	if (o == NULL)
		return -1;
	for (l = tel_first(d, o); l != NULL; l = tel_next(d, o, l)) {
		if (tel_val(l)->type != TEL_OBJ)
			return perr(err, errlen, cmd, "not an object:", l->s);
		for (m = tel_first(d, tel_val(l)); m != NULL;
				m = tel_next(d, tel_val(l), m))
			if (!tel_uint64(tel_val(m), &v))
				return perr(err, errlen, cmd,
					"not a count:", m->s);
	}
	/*
	 * One family per member name, in order of first appearance over
	 * all lcores; each with a sample per lcore that has it.
	 */
	for (l = tel_first(d, o); l != NULL; l = tel_next(d, o, l)) {
		for (m = tel_first(d, tel_val(l)); m != NULL;
				m = tel_next(d, tel_val(l), m)) {
			bool gauge = false, seen = false;
			const char *h = NULL;

			if (strcmp(m->s, "lcore_id") == 0)
				continue;
			for (l2 = tel_first(d, o); l2 != l && !seen;
					l2 = tel_next(d, o, l2))
				seen = tel_get(d, tel_val(l2), m->s) != NULL;
			if (seen)
				continue;
			for (i = 0; i < sizeof(lcore_keys) /
					sizeof(lcore_keys[0]); i++)
				if (strcmp(m->s, lcore_keys[i].key) == 0) {
					gauge = lcore_keys[i].gauge;
					h = lcore_keys[i].help;
				}
			if (prom_name(name, sizeof(name), "ptcp_lcore_", m->s,
					gauge ? "" : "_total") < 0)
				return perr(err, errlen, cmd,
					"no metric name for", m->s);
			if (h == NULL)
				snprintf(help, sizeof(help), "ptcp per-worker "
					"%s %s", gauge ? "gauge" : "counter",
					m->s);
			else
				snprintf(help, sizeof(help), "%s", h);
			if (prom_family(w, name, gauge ? "gauge" : "counter",
					help) < 0)
				return -1;
			for (l2 = l; l2 != NULL; l2 = tel_next(d, o, l2)) {
				if (!tel_uint64(tel_get(d, tel_val(l2), m->s),
						&v))
					continue;
				lcore_label(d, l2, label, sizeof(label));
				if (prom_sample_u64(w, "lcore", label, v) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int
write_transitions(struct prom *w, const struct tel_doc *d, char *err,
	size_t errlen)
{
	static const char cmd[] = "/ptcp/transitions";
	const struct tel_node *o = reply_obj(d, cmd, err, errlen), *k;
	char from[128];
	const char *lv[4];
	uint64_t v;
	size_t n;

	if (o == NULL)
		return -1;
	if (prom_family(w, "ptcp_transitions_total", "counter",
			"TCP state changes, per edge taken (RFC 9293 "
			"figure 5), all workers") < 0)
		return -1;
	for (k = tel_first(d, o); k != NULL; k = tel_next(d, o, k)) {
		if (!tel_uint64(tel_val(k), &v))
			return perr(err, errlen, cmd, "not a count:", k->s);
		/* "FROM/TO" */
		n = strcspn(k->s, "/");
		if (k->s[n] != '/' || n >= sizeof(from) ||
				strchr(k->s + n + 1, '/') != NULL)
			return perr(err, errlen, cmd, "not FROM/TO:", k->s);
		memcpy(from, k->s, n);
		from[n] = '\0';
		lv[0] = "from";
		lv[1] = prom_state_label(from);
		lv[2] = "to";
		lv[3] = prom_state_label(k->s + n + 1);
		if (prom_sample_labels(w, 2, lv, v) < 0)
			return -1;
	}
	return 0;
}

int
prom_write_ptcp(FILE *f, const struct tel_doc *stats,
	const struct tel_doc *states, const struct tel_doc *lcores,
	const struct tel_doc *transitions, char *err, size_t errlen)
{
	struct prom w = { .f = f, .err = err, .errlen = errlen };
	int r = 0;

	if (stats != NULL)
		r = write_stats(&w, stats, err, errlen);
	if (r == 0 && states != NULL)
		r = write_states(&w, states, err, errlen);
	if (r == 0 && lcores != NULL)
		r = write_lcores(&w, lcores, err, errlen);
	if (r == 0 && transitions != NULL)
		r = write_transitions(&w, transitions, err, errlen);
	prom_end(&w);
	if (r == 0 && ferror(f)) {
		snprintf(err, errlen, "write error");
		r = -1;
	}
	return r;
}
