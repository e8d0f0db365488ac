/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp-stat: what ss and netstat would say about ptcp's connections, from
 * its DPDK telemetry commands (docs/ptcp-stat.md).
 *
 *   ptcp-stat [--file-prefix P | --socket PATH] [--watch [SECONDS]]
 *       [--prometheus] [--states] [--conns [N]] [--lcores]
 *
 * No DPDK here: the telemetry socket is a plain UNIX socket speaking JSON
 * (tel.c), so this runs beside a live endpoint without joining its EAL,
 * and builds where no DPDK is installed. Each refresh asks the commands
 * its views need, renders into memory, and writes once: a --prometheus
 * file is whole or not written at all, a --watch screen does not flicker.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "prom.h"
#include "tel.h"

#define PROG "ptcp-stat"
/* A server busy-polling its own cores still answers within this. */
#define TIMEOUT_MS 5000
#define CONNS_DEFAULT 100
/* lib/obs's PTCP_OBS_CONNS_MAX; a reply holds what fits 16 KiB anyway */
#define CONNS_MAX 1000
#define WATCH_MIN 0.1
#define WATCH_MAX 86400.0
#define ERRLEN 512

/* Exit codes: 1 for what went wrong at run time, 2 for bad usage. */
enum { EXIT_RUN = 1, EXIT_USAGE = 2 };

struct options {
	const char *prefix;
	const char *socket;
	double watch;              /* seconds between refreshes; 0: once */
	unsigned long conns;       /* listing limit; 0: no listing */
	bool prom, states, lcores;
};

/* One refresh's replies. */
struct snap {
	struct tel_doc stats, states, lcores, conns, transitions;
	struct timespec t;
};

/* What a view renders from. */
struct view {
	const struct options *o;
	const struct tel_conn *c;
	const struct snap *cur;
	const struct snap *prev;   /* the refresh before, in --watch */
	double dt;                 /* seconds since prev */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* TCP states (prom_state_name()). */
#define NB_STATES 11

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [--file-prefix P | --socket PATH] [--watch [SECONDS]]\n"
"           [--prometheus] [--states] [--conns [N]] [--lcores]\n"
"\n"
"Shows a running ptcp endpoint's connections and counters from its DPDK\n"
"telemetry socket (docs/ptcp-stat.md). Without a view option: a summary\n"
"like ss -s, then connections per state.\n"
"\n"
"Options:\n"
"  -f, --file-prefix P  the EAL --file-prefix of the endpoint (default rte)\n"
"  -s, --socket PATH    the telemetry socket itself\n"
"  --states             connections per state\n"
"  --lcores             one line per worker lcore\n"
"  --conns [N]          list up to N connections, like ss (default %d)\n"
"  -w, --watch [S]      refresh every S seconds (default 1) until Ctrl-C,\n"
"                       with rates of the counters\n"
"  -p, --prometheus     counters, states and workers in the Prometheus\n"
"                       text format (for node_exporter's textfile collector)\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 ok, 1 no endpoint or a bad reply, 2 bad usage.\n",
		CONNS_DEFAULT);
}

/* One line on stderr; -1. */
static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* @p a (its first @p n bytes: up to any '=') is option @p l or @p s. */
static bool
is_opt(const char *a, size_t n, const char *l, const char *s)
{
	if (strlen(l) == n && strncmp(a, l, n) == 0)
		return true;
	return s != NULL && strcmp(a, s) == 0;
}

/* "--name=value" or "--name value": the value, or NULL when absent. */
static const char *
opt_value(int argc, char **argv, int *i, const char *arg, bool optional)
{
	const char *eq = strchr(arg, '=');

	if (arg[0] == '-' && arg[1] == '-' && eq != NULL)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	/* An optional value is taken only when it looks like a number. */
	if (optional && strspn(argv[*i + 1], "0123456789.") !=
			strlen(argv[*i + 1]))
		return NULL;
	if (optional && argv[*i + 1][0] == '\0')
		return NULL;
	return argv[++*i];
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		size_t n = strcspn(a, "=");
		char *end;

		if (a[0] != '-') {
			return usage_error("unexpected argument '%s' (see "
				"--help)", a);
		} else if (is_opt(a, n, "--help", "-h")) {
			usage(stdout);
			exit(0);
		} else if (is_opt(a, n, "--file-prefix", "-f")) {
			v = opt_value(argc, argv, &i, a, false);
			if (v == NULL)
				return usage_error("%s needs a value (see "
					"--help)", "--file-prefix");
			if (*v == '\0' || strchr(v, '/') != NULL)
				return usage_error("--file-prefix: '%s' is "
					"not a file prefix", v);
			o->prefix = v;
		} else if (is_opt(a, n, "--socket", "-s")) {
			v = opt_value(argc, argv, &i, a, false);
			if (v == NULL || *v == '\0')
				return usage_error("%s needs a value (see "
					"--help)", "--socket");
			o->socket = v;
		} else if (is_opt(a, n, "--watch", "-w")) {
			v = opt_value(argc, argv, &i, a, true);
			o->watch = 1;
			if (v == NULL)
				continue;
			errno = 0;
			o->watch = strtod(v, &end);
			if (errno != 0 || *end != '\0' || end == v ||
					!(o->watch >= WATCH_MIN &&
					o->watch <= WATCH_MAX))
				return usage_error("--watch: '%s' is not a "
					"number of seconds in [0.1, 86400]", v);
		} else if (is_opt(a, n, "--conns", NULL)) {
			v = opt_value(argc, argv, &i, a, true);
			o->conns = CONNS_DEFAULT;
			if (v == NULL)
				continue;
			errno = 0;
			o->conns = strtoul(v, &end, 10);
			if (errno != 0 || *end != '\0' || end == v ||
					o->conns < 1 || o->conns > CONNS_MAX)
				return usage_error("--conns: '%s' is not a "
					"count in [1, 1000]", v);
		} else if (a[n] == '=' && (is_opt(a, n, "--prometheus", NULL) ||
				is_opt(a, n, "--states", NULL) ||
				is_opt(a, n, "--lcores", NULL))) {
			return usage_error("%s takes no value", a);
		} else if (is_opt(a, n, "--prometheus", "-p")) {
			o->prom = true;
		} else if (is_opt(a, n, "--states", NULL)) {
			o->states = true;
		} else if (is_opt(a, n, "--lcores", NULL)) {
			o->lcores = true;
		} else {
			return usage_error("unknown option '%s' (see --help)",
				a);
		}
	}
	if (o->prefix != NULL && o->socket != NULL)
		return usage_error("--file-prefix and --socket exclude each "
			"other");
	if (o->prom && o->watch > 0)
		return usage_error("--prometheus and --watch exclude each "
			"other (a scraper asks when it wants)");
	if (o->prom && (o->states || o->lcores || o->conns > 0))
		return usage_error("--prometheus writes states and lcores "
			"already, and never connections: no --states, "
			"--lcores or --conns with it");
	return 0;
}

/* The value of reply @p d to @p cmd: an object, or NULL with a reason. */
static const struct tel_node *
reply_obj(const struct tel_doc *d, const char *cmd, char *err, size_t errlen)
{
	const struct tel_node *v = tel_reply(d, cmd, err, errlen);

	if (v == NULL)
		return NULL;
	if (v->type != TEL_OBJ) {
		snprintf(err, errlen, "%s: reply is not an object", cmd);
		return NULL;
	}
	return v;
}

/* Integer member @p key of object @p o, or false. */
static bool
num(const struct tel_doc *d, const struct tel_node *o, const char *key,
	uint64_t *v)
{
	return tel_uint64(tel_get(d, o, key), v);
}

/* Every member of object @p o is a non-negative integer. */
static int
all_counts(const struct tel_doc *d, const struct tel_node *o,
	const char *cmd, char *err, size_t errlen)
{
	const struct tel_node *k;
	uint64_t v;

	for (k = tel_first(d, o); k != NULL; k = tel_next(d, o, k))
		if (!tel_uint64(tel_val(k), &v)) {
			snprintf(err, errlen, "%s: \"%.64s\" is not a count",
				cmd, k->s);
			return -1;
		}
	return 0;
}

/* The summary's counter lines: label (with its line break), counter. */
static const struct {
	const char *label;
	const char *key;
} summary_counters[] = {
	{ "Frames:     in", "rx_pkts" },
	{ ", out", "tx_pkts" },
	{ "\nSegments:   in", "tcp_rx" },
	{ ", out", "tcp_segs_out" },
	{ "\nRetransmit: data", "tcp_rexmt" },
	{ ", SYN", "tcp_syn_rexmt" },
	{ ", SYN-ACK", "tcp_synack_rexmt" },
	{ ", FIN", "tcp_fin_rexmt" },
	{ ", timeouts", "tcp_rto" },
	{ "\nRSTs:       sent", "tcp_rst_tx" },
	{ ", received", "tcp_rst_rx" },
	{ "\nOpens:      passive", "tcp_passive_open" },
	{ ", active", "tcp_active_open" },
};
#define NB_SUMMARY_COUNTERS \
	(sizeof(summary_counters) / sizeof(summary_counters[0]))

/*
 * Counter @p key of stats and, in --watch, its rate since the refresh
 * before: " 1234" or " 1234 (56/s)".
 */
static void
put_counter(FILE *f, const struct view *v, const char *label,
	const char *key)
{
	const struct tel_node *o, *po;
	uint64_t x, px;

	o = tel_reply(&v->cur->stats, "/ptcp/stats", NULL, 0);
	if (!num(&v->cur->stats, o, key, &x)) {
		fprintf(f, "%s -", label);
		return;
	}
	fprintf(f, "%s %" PRIu64, label, x);
	if (v->prev == NULL || v->dt <= 0)
		return;
	po = tel_reply(&v->prev->stats, "/ptcp/stats", NULL, 0);
	if (num(&v->prev->stats, po, key, &px) && x >= px)
		fprintf(f, " (%.0f/s)", (double)(x - px) / v->dt);
}

/* Counters that count what was dropped (their name or description). */
static bool
is_drop(const char *name)
{
	const char *h = prom_counter_help(name);

	if (h != NULL && strncmp(h, "dropped", 7) == 0)
		return true;
	/* connections dropped are not frames dropped */
	return strstr(name, "drop") != NULL &&
		(h == NULL || strncmp(h, "connections", 11) != 0);
}

static int
show_summary(FILE *f, const struct view *v, char *err, size_t errlen)
{
	const struct tel_doc *sd = &v->cur->stats, *td = &v->cur->states;
	const struct tel_doc *ld = &v->cur->lcores;
	const struct tel_node *so, *to, *lo, *k, *top[3] = { NULL };
	uint64_t st[NB_STATES] = { 0 }, total = 0, x, y, drops = 0;
	size_t i, j;

	if ((so = reply_obj(sd, "/ptcp/stats", err, errlen)) == NULL ||
			all_counts(sd, so, "/ptcp/stats", err, errlen) < 0 ||
			(to = reply_obj(td, "/ptcp/states", err, errlen)) ==
			NULL ||
			all_counts(td, to, "/ptcp/states", err, errlen) < 0 ||
			(lo = reply_obj(ld, "/ptcp/lcores", err, errlen)) ==
			NULL)
		return -1;
	/* by name, "CLOSE-WAIT" or "CLOSE_WAIT" */
	for (k = tel_first(td, to); k != NULL; k = tel_next(td, to, k)) {
		int s = prom_state_index(k->s);

		if (s >= 0)
			st[s] = tel_val(k)->u;
	}
	/* the server's total leaves listeners out: connections only */
	if (!num(td, to, "total", &total))
		for (i = 0; i < NB_STATES; i++)
			total += i == 1 ? 0 : st[i];

	fprintf(f, "Total: %" PRIu64 " connections, %u worker%s", total,
		lo->n, lo->n == 1 ? "" : "s");
	if (num(sd, so, "mbufs_in_use", &x) && num(sd, so, "mbufs_total", &y))
		fprintf(f, ", mbufs %" PRIu64 " of %" PRIu64 " in use", x, y);
	if (v->c->pid >= 0)
		fprintf(f, " (pid %ld)", v->c->pid);
	/* ss -s's line; orphaned: closed by us, not yet gone */
	fprintf(f, "\nTCP:   %" PRIu64 " (estab %" PRIu64 ", closed %" PRIu64
		", orphaned %" PRIu64 ", timewait %" PRIu64 ")\n", total,
		st[4], st[0], st[6] + st[7] + st[8] + st[9], st[10]);
	fprintf(f, "       (listen %" PRIu64 ", synsent %" PRIu64 ", synrecv %"
		PRIu64 ", closewait %" PRIu64 ")\n\n", st[1], st[2], st[3],
		st[5]);

	for (i = 0; i < NB_SUMMARY_COUNTERS; i++)
		put_counter(f, v, summary_counters[i].label,
			summary_counters[i].key);

	/* Drops: the sum, and the three largest reasons. */
	for (k = tel_first(sd, so); k != NULL; k = tel_next(sd, so, k)) {
		if (!is_drop(k->s) || !tel_uint64(tel_val(k), &x) || x == 0)
			continue;
		drops += x;
		for (i = 0; i < 3; i++)
			if (top[i] == NULL || x > tel_val(top[i])->u)
				break;
		if (i == 3)
			continue;
		for (j = 2; j > i; j--)
			top[j] = top[j - 1];
		top[i] = k;
	}
	fprintf(f, "\nDrops:      %" PRIu64, drops);
	for (i = 0; i < 3 && top[i] != NULL; i++)
		fprintf(f, "%s%s %" PRIu64, i == 0 ? " (" : ", ", top[i]->s,
			tel_val(top[i])->u);
	fprintf(f, "%s\n", top[0] != NULL ? ")" : "");
	return 0;
}

static int
show_states(FILE *f, const struct view *v, char *err, size_t errlen)
{
	const struct tel_doc *d = &v->cur->states;
	const struct tel_node *o, *po = NULL, *k;
	uint64_t x, px, listen = 0, sum = 0;
	const char *name;

	if ((o = reply_obj(d, "/ptcp/states", err, errlen)) == NULL ||
			all_counts(d, o, "/ptcp/states", err, errlen) < 0)
		return -1;
	if (v->prev != NULL)
		po = tel_reply(&v->prev->states, "/ptcp/states", NULL, 0);
	for (k = tel_first(d, o); k != NULL; k = tel_next(d, o, k))
		if (prom_state_index(k->s) >= 0)
			sum += tel_val(k)->u;
	num(d, o, "LISTEN", &listen);
	fprintf(f, "%-14s %10s%s\n", "State", "Count",
		po != NULL ? "     Change" : "");
	/* The server's order (the RFC's), "total" last as it sends it. */
	for (k = tel_first(d, o); k != NULL; k = tel_next(d, o, k)) {
		x = tel_val(k)->u;
		name = prom_state_label(k->s);
		/* lib/obs's total counts connections: listeners left out */
		if (strcmp(k->s, "total") == 0 && x != sum && x == sum - listen)
			name = "total-LISTEN";
		fprintf(f, "%-14s %10" PRIu64, name, x);
		if (po != NULL && num(&v->prev->states, po, k->s, &px) &&
				px != x)
			fprintf(f, " %+10" PRId64, (int64_t)(x - px));
		fputc('\n', f);
	}
	return 0;
}

/* Monotonic members of an lcore entry: their rate is shown in --watch. */
static bool
lcore_counter(const char *key)
{
	return strcmp(key, "rx_pkts") == 0 || strcmp(key, "tx_pkts") == 0;
}

static int
show_lcores(FILE *f, const struct view *v, char *err, size_t errlen)
{
	const struct tel_doc *d = &v->cur->lcores, *pd = NULL;
	const struct tel_node *o, *po = NULL, *l, *first, *m, *pl;
	uint64_t x, px;

	if ((o = reply_obj(d, "/ptcp/lcores", err, errlen)) == NULL)
		return -1;
	for (l = tel_first(d, o); l != NULL; l = tel_next(d, o, l))
		if (tel_val(l)->type != TEL_OBJ ||
				all_counts(d, tel_val(l), "/ptcp/lcores", err,
				errlen) < 0) {
			if (tel_val(l)->type != TEL_OBJ)
				snprintf(err, errlen, "/ptcp/lcores: \"%.64s\""
					" is not an object", l->s);
			return -1;
		}
	if (v->prev != NULL) {
		pd = &v->prev->lcores;
		po = tel_reply(pd, "/ptcp/lcores", NULL, 0);
	}
	if ((first = tel_first(d, o)) == NULL) {
		fprintf(f, "no workers\n");
		return 0;
	}
	/* Columns: the first lcore's members, in its order. */
	fprintf(f, "%5s", "lcore");
	for (m = tel_first(d, tel_val(first)); m != NULL;
			m = tel_next(d, tel_val(first), m)) {
		if (strcmp(m->s, "lcore_id") == 0)
			continue;
		fprintf(f, " %12.24s", m->s);
		if (po != NULL && lcore_counter(m->s))
			fprintf(f, " %8.8s/s", m->s);
	}
	fputc('\n', f);
	for (l = first; l != NULL; l = tel_next(d, o, l)) {
		if (num(d, tel_val(l), "lcore_id", &x))
			fprintf(f, "%5" PRIu64, x);
		else
			fprintf(f, "%5.16s", l->s);
		pl = po != NULL ? tel_get(pd, po, l->s) : NULL;
		for (m = tel_first(d, tel_val(first)); m != NULL;
				m = tel_next(d, tel_val(first), m)) {
			if (strcmp(m->s, "lcore_id") == 0)
				continue;
			if (num(d, tel_val(l), m->s, &x))
				fprintf(f, " %12" PRIu64, x);
			else
				fprintf(f, " %12s", "-");
			if (po == NULL || !lcore_counter(m->s))
				continue;
			if (num(d, tel_val(l), m->s, &x) &&
					num(pd, pl, m->s, &px) && x >= px &&
					v->dt > 0)
				fprintf(f, " %10.0f", (double)(x - px) / v->dt);
			else
				fprintf(f, " %10s", "-");
		}
		fputc('\n', f);
	}
	return 0;
}

/* "850ms", "12.3s", "5m02s", "3h05m", "2d03h" */
static void
fmt_age(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "s", s,
			ms % 1000 / 100);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
			s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			s % 86400 / 3600);
}

/* String member @p key of @p o, "-" when absent, NULL when no string. */
static const char *
str_of(const struct tel_doc *d, const struct tel_node *o, const char *key)
{
	const struct tel_node *n = tel_get(d, o, key);

	if (n == NULL)
		return "-";
	return n->type == TEL_STR ? n->s : NULL;
}

/* Integer member @p key of @p o as text, "-" when absent; false if no int. */
static bool
int_of(const struct tel_doc *d, const struct tel_node *o, const char *key,
	char *buf, size_t len)
{
	const struct tel_node *n = tel_get(d, o, key);
	uint64_t x;

	if (n == NULL) {
		snprintf(buf, len, "-");
		return true;
	}
	if (!tel_uint64(n, &x))
		return false;
	snprintf(buf, len, "%" PRIu64, x);
	return true;
}

/* One row of the listing, from connection object @p c. */
static int
conn_line(FILE *f, const struct tel_doc *d, const struct tel_node *c,
	char *err, size_t errlen)
{
	static const char *const ints[] = {
		"lport", "rport", "lcore", "rtt_ms", "cwnd", "bytes_in",
		"bytes_out",
	};
	char num_s[7][24], age[24], local[72], peer[72];
	const char *state, *la, *ra, *timers;
	uint64_t ms;
	size_t i;

	if (c->type != TEL_OBJ) {
		snprintf(err, errlen, "/ptcp/conns: a connection is not an "
			"object");
		return -1;
	}
	state = str_of(d, c, "state");
	la = str_of(d, c, "laddr");
	ra = str_of(d, c, "raddr");
	timers = str_of(d, c, "timers");
	for (i = 0; i < 7; i++)
		if (!int_of(d, c, ints[i], num_s[i], sizeof(num_s[i]))) {
			snprintf(err, errlen, "/ptcp/conns: \"%s\" of a "
				"connection is not a count", ints[i]);
			return -1;
		}
	if (state == NULL || la == NULL || ra == NULL || timers == NULL) {
		snprintf(err, errlen, "/ptcp/conns: state, laddr, raddr or "
			"timers of a connection is not a string");
		return -1;
	}
	if (num(d, c, "age_ms", &ms))
		fmt_age(age, sizeof(age), ms);
	else
		snprintf(age, sizeof(age), "-");
	snprintf(local, sizeof(local), "%.40s:%s", la, num_s[0]);
	snprintf(peer, sizeof(peer), "%.40s:%s", ra, num_s[1]);
	fprintf(f, "%-12.16s %-21s %-21s %5s %6s %-14.32s %6s %6s %10s %10s\n",
		prom_state_label(state), local, peer, num_s[2], age,
		*timers == '\0' ? "-" : timers, num_s[3], num_s[4], num_s[5],
		num_s[6]);
	return 0;
}

static int
show_conns(FILE *f, const struct view *v, char *err, size_t errlen)
{
	static const char cmd[] = "/ptcp/conns";
	const struct tel_doc *d = &v->cur->conns;
	const struct tel_node *o, *list, *e, *busy;
	uint64_t total = 0, tw = 0, n = 0, x;

	if ((o = reply_obj(d, cmd, err, errlen)) == NULL)
		return -1;
	if (!num(d, o, "total", &total)) {
		snprintf(err, errlen, "%s: reply without a total", cmd);
		return -1;
	}
	fprintf(f, "%-12s %-21s %-21s %5s %6s %-14s %6s %6s %10s %10s\n",
		"State", "Local Address:Port", "Peer Address:Port", "Lcore",
		"Age", "Timers", "RTT ms", "Cwnd", "Bytes in", "Bytes out");
	/*
	 * The rows: a "conns" array, or a "conns" dict keyed "0", "1"...,
	 * or (lib/obs, as 22.11 nests one level only) those numbered rows
	 * in the reply itself beside "total" and "shown".
	 */
	list = tel_get(d, o, "conns");
	if (list != NULL && list->type != TEL_ARR && list->type != TEL_OBJ) {
		snprintf(err, errlen, "%s: \"conns\" is no list", cmd);
		return -1;
	}
	if (list == NULL)
		list = o;
	for (e = tel_first(d, list); e != NULL; e = tel_next(d, list, e)) {
		if (list == o && (tel_val(e)->type != TEL_OBJ ||
				e->len == 0 ||
				strspn(e->s, "0123456789") != e->len))
			continue;
		if (conn_line(f, d, list->type == TEL_OBJ ? tel_val(e) : e,
				err, errlen) < 0)
			return -1;
		n++;
	}
	fprintf(f, "%" PRIu64 " shown; in all %" PRIu64 " connections",
		n, total);
	if (num(d, o, "time_wait", &tw))
		fprintf(f, " and %" PRIu64 " in TIME-WAIT", tw);
	fprintf(f, "%s\n", n < total && n < v->o->conns ?
		" (the reply holds no more)" : n < total ?
		" (--conns N for more)" : "");
	busy = tel_get(d, o, "busy_lcores");
	if (busy != NULL && busy->type == TEL_ARR && busy->n > 0) {
		fprintf(f, "not listed, busy: lcore");
		for (e = tel_first(d, busy); e != NULL;
				e = tel_next(d, busy, e))
			if (tel_uint64(e, &x))
				fprintf(f, " %" PRIu64, x);
		fputc('\n', f);
	}
	return 0;
}

/*
 * Ask @p cmd. A null reply is an error naming whether the command is
 * unknown or failed, except for an @p optional one: 1 then, @p d freed.
 */
static int
ask(struct tel_conn *c, const char *cmd, struct tel_doc *d, bool optional,
	char *err, size_t errlen)
{
	const struct tel_node *v, *k;
	struct tel_doc list = { 0 };
	size_t clen = strcspn(cmd, ",");
	char why[256];
	bool known = false;

	if (tel_query(c, cmd, d, err, errlen) < 0)
		return -1;
	v = tel_reply(d, cmd, why, sizeof(why));
	if (v == NULL) {
		snprintf(err, errlen, "%s: %s", c->path, why);
		return -1;
	}
	if (v->type != TEL_NULL)
		return 0;
	if (optional) {
		tel_doc_free(d);
		return 1;
	}
	/* null: an unknown command, or one that failed; "/" lists them. */
	if (tel_query(c, "/", &list, why, sizeof(why)) == 0 &&
			(v = tel_reply(&list, "/", why, sizeof(why))) != NULL)
		for (k = tel_first(&list, v); k != NULL;
				k = tel_next(&list, v, k))
			if (k->type == TEL_STR && k->len == clen &&
					memcmp(k->s, cmd, clen) == 0)
				known = true;
	tel_doc_free(&list);
	if (known)
		snprintf(err, errlen, "%s: %.*s answered null (TCP not "
			"attached yet, or any more?)", c->path, (int)clen, cmd);
	else
		snprintf(err, errlen, "%s: no %.*s command there (pid %ld, "
			"%s): not a ptcp endpoint, or one without telemetry "
			"commands", c->path, (int)clen, cmd, c->pid,
			c->version[0] != '\0' ? c->version : "DPDK");
	return -1;
}

static int
fetch(struct tel_conn *c, const struct options *o, struct snap *s,
	char *err, size_t errlen)
{
	bool summary = !o->states && !o->lcores && o->conns == 0;
	char cmd[64];

	clock_gettime(CLOCK_MONOTONIC, &s->t);
	if ((summary || o->prom) && ask(c, "/ptcp/stats", &s->stats, false,
			err, errlen) < 0)
		return -1;
	if ((summary || o->prom || o->states) && ask(c, "/ptcp/states",
			&s->states, false, err, errlen) < 0)
		return -1;
	if ((summary || o->prom || o->lcores) && ask(c, "/ptcp/lcores",
			&s->lcores, false, err, errlen) < 0)
		return -1;
	/* Not in every ptcp: left out when unknown. */
	if (o->prom && ask(c, "/ptcp/transitions", &s->transitions, true,
			err, errlen) < 0)
		return -1;
	if (o->conns > 0) {
		snprintf(cmd, sizeof(cmd), "/ptcp/conns,%lu", o->conns);
		if (ask(c, cmd, &s->conns, false, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int
render(FILE *f, const struct view *v, char *err, size_t errlen)
{
	const struct options *o = v->o;
	bool summary = !o->states && !o->lcores && o->conns == 0;
	bool sep = false;

	if (o->prom)
		return prom_write_ptcp(f, &v->cur->stats, &v->cur->states,
			&v->cur->lcores, v->cur->transitions.nb > 0 ?
			&v->cur->transitions : NULL, err, errlen);
	if (summary) {
		if (show_summary(f, v, err, errlen) < 0)
			return -1;
		fputc('\n', f);
		return show_states(f, v, err, errlen);
	}
	if (o->states) {
		if (show_states(f, v, err, errlen) < 0)
			return -1;
		sep = true;
	}
	if (o->lcores) {
		if (sep)
			fputc('\n', f);
		if (show_lcores(f, v, err, errlen) < 0)
			return -1;
		sep = true;
	}
	if (o->conns > 0) {
		if (sep)
			fputc('\n', f);
		if (show_conns(f, v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static void
snap_free(struct snap *s)
{
	tel_doc_free(&s->stats);
	tel_doc_free(&s->states);
	tel_doc_free(&s->lcores);
	tel_doc_free(&s->conns);
	tel_doc_free(&s->transitions);
}

/* Sleep @p s seconds, or less when a signal stops the watch. */
static void
nap(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - floor(s)) * 1e9),
	};

	while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	struct options o = { .watch = 0 };
	struct snap snaps[2] = { 0 };
	struct tel_conn c;
	char path[256], err[ERRLEN], *buf = NULL;
	size_t len = 0;
	unsigned int turn = 0;
	bool tty = isatty(STDOUT_FILENO);
	int rc = 0;

	if (parse_options(argc, argv, &o) < 0)
		return EXIT_USAGE;
	if (o.socket != NULL) {
		snprintf(path, sizeof(path), "%s", o.socket);
	} else if (tel_socket_path(o.prefix != NULL ? o.prefix : "rte", path,
			sizeof(path)) < 0) {
		fprintf(stderr, PROG ": --file-prefix: '%s' makes too long a "
			"socket path\n", o.prefix);
		return EXIT_USAGE;
	}
	if (tel_open(&c, path, TIMEOUT_MS, err, sizeof(err)) < 0) {
		const char *hint = "";
		struct stat st;

		if (errno == ENOENT || errno == ENOTDIR)
			hint = o.socket != NULL ? " (is ptcp-server running "
				"with telemetry?)" : " (is ptcp-server running "
				"with telemetry, and is --file-prefix right?)";
		else if (errno == ECONNREFUSED)
			hint = stat(path, &st) == 0 && !S_ISSOCK(st.st_mode) ?
				" (not a socket)" : " (a socket left by a "
				"process that is gone?)";
		else if (errno == EACCES || errno == EPERM)
			hint = " (run as the endpoint's user)";
		fprintf(stderr, PROG ": %s%s\n", err, hint);
		return EXIT_RUN;
	}
	if (o.watch > 0) {
		struct sigaction sa = { .sa_handler = on_signal };

		/* no SA_RESTART: the signal cuts the sleep short */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	do {
		struct snap *cur = &snaps[turn & 1], *prev = &snaps[!(turn & 1)];
		struct view v = { .o = &o, .c = &c, .cur = cur };
		FILE *mem;

		if (fetch(&c, &o, cur, err, sizeof(err)) < 0) {
			if (stop)
				break;
			fprintf(stderr, PROG ": %s\n", err);
			rc = EXIT_RUN;
			break;
		}
		if (turn > 0) {
			v.prev = prev;
			v.dt = (double)(cur->t.tv_sec - prev->t.tv_sec) +
				(cur->t.tv_nsec - prev->t.tv_nsec) / 1e9;
		}
		mem = open_memstream(&buf, &len);
		if (mem == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			rc = EXIT_RUN;
			break;
		}
		if (o.watch > 0) {
			time_t now = time(NULL);
			char when[32];

			strftime(when, sizeof(when), "%H:%M:%S",
				localtime(&now));
			/* Clear the screen only on a terminal. */
			fprintf(mem, "%s%s pid %ld, every %g s, %s (Ctrl-C to "
				"stop)\n\n", tty ? "\033[H\033[2J" :
				turn > 0 ? "\n" : "", c.path, c.pid, o.watch,
				when);
		}
		if (render(mem, &v, err, sizeof(err)) < 0) {
			fclose(mem);
			fprintf(stderr, PROG ": %s: %s\n", c.path, err);
			rc = EXIT_RUN;
			break;
		}
		if (fclose(mem) != 0 || fwrite(buf, 1, len, stdout) != len ||
				fflush(stdout) != 0) {
			fprintf(stderr, PROG ": writing the output: %s\n",
				strerror(errno));
			rc = EXIT_RUN;
			break;
		}
		free(buf);
		buf = NULL;
		turn++;
		if (o.watch > 0)
			nap(o.watch);
	} while (o.watch > 0 && !stop);
	free(buf);
	snap_free(&snaps[0]);
	snap_free(&snaps[1]);
	tel_close(&c);
	return rc;
}
