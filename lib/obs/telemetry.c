/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp's DPDK telemetry commands (ptcp_obs.h, docs/observability.md).
 *
 * DPDK 22.11's rte_tel_data shapes the replies: dictionary keys of letters,
 * digits, '_' and '/' only; at most 256 entries in a dictionary; one level
 * of containers (the reply's dictionary may hold dictionaries or arrays of
 * plain values, and those nothing more: deeper ones are silently left
 * out); and at most 16 KiB of JSON, beyond which entries are silently left
 * out too. Hence state names with '_' for '-', "section/key" for the
 * configuration, and the connection listing as numbered rows in the reply
 * itself, as many as fit.
 *
 * Every handler runs in a telemetry thread. It reads counters and counts
 * as they are (plain integers, each written by one worker), mempool
 * levels, and the read-only configuration; connections are copied by
 * their own workers (ptcp_tcp_snapshot()). ptcp_tcp_observe_begin() keeps
 * the engine from being torn down meanwhile.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_obs.h"
#include "ptcp_stats.h"
#include "ptcp_tcp.h"

/*
 * Most JSON one reply carries: lib/telemetry's MAX_OUTPUT_LEN in 22.11,
 * the "max_output_len" every client is greeted with.
 */
#define OBS_REPLY_MAX 16384
/* Kept for the command name and the listing's own fields. */
#define OBS_REPLY_HEAD 512
/* Listing rows besides those fields ("total", "shown", ...). */
#define OBS_ROWS_MAX (RTE_TEL_MAX_DICT_ENTRIES - 8)

_Static_assert(PTCP_STAT_MAX + 2 <= RTE_TEL_MAX_DICT_ENTRIES,
	"every counter of /ptcp/stats must fit one telemetry dictionary");
_Static_assert(PTCP_MAX_WORKERS <= RTE_TEL_MAX_DICT_ENTRIES,
	"every worker of /ptcp/lcores must fit one telemetry dictionary");

/* The engine the commands answer for (one per process). */
static struct ptcp_engine *obs_engine;
static bool obs_registered;

char *
ptcp_obs_key(char *out, size_t len, const char *name)
{
	size_t i;

	if (len == 0)
		return out;
	for (i = 0; i + 1 < len && name[i] != '\0'; i++) {
		char c = name[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '/' ?
			c : '_';
	}
	out[i] = '\0';
	return out;
}

static const char *
state_key(unsigned int s, char *buf, size_t len)
{
	return ptcp_obs_key(buf, len, ptcp_tcp_state_name(s));
}

static void
ip_str(uint32_t addr_be, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&addr_be;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* ---- /ptcp/stats ------------------------------------------------------ */

static int
cmd_stats(struct ptcp_engine *e, const char *params, struct rte_tel_data *d)
{
	uint64_t in_use = 0, total = 0;
	struct ptcp_stats st;
	unsigned int i;

	RTE_SET_USED(params);
	ptcp_engine_stats(e, &st);
	for (i = 0; i < e->nb_lcores; i++) {
		in_use += rte_mempool_in_use_count(e->pools[i]);
		total += e->pools[i]->size;
	}
	rte_tel_data_start_dict(d);
	for (i = 0; i < PTCP_STAT_MAX; i++)
		rte_tel_data_add_dict_u64(d, ptcp_stat_name(i), st.c[i]);
	rte_tel_data_add_dict_u64(d, "mbufs_in_use", in_use);
	rte_tel_data_add_dict_u64(d, "mbufs_total", total);
	return 0;
}

/* ---- /ptcp/states, /ptcp/transitions ----------------------------------- */

/* Connections per state, summed over the workers (TIME-WAIT entries in). */
static void
state_counts(const struct ptcp_engine *e, uint64_t sum[PTCP_TCPS_MAX])
{
	uint64_t c[PTCP_TCPS_MAX];
	unsigned int i, s;

	memset(sum, 0, sizeof(uint64_t) * PTCP_TCPS_MAX);
	for (i = 0; i < e->nb_lcores; i++) {
		ptcp_tcp_state_counts(e->lcores[i], c);
		for (s = 0; s < PTCP_TCPS_MAX; s++)
			sum[s] += c[s];
	}
}

/* Connections in @c that are TCBs: not listeners, not TIME-WAIT entries. */
static uint64_t
tcb_count(const uint64_t c[PTCP_TCPS_MAX])
{
	uint64_t n = 0;
	unsigned int s;

	for (s = 0; s < PTCP_TCPS_MAX; s++)
		if (s != PTCP_TCPS_LISTEN && s != PTCP_TCPS_CLOSED &&
				s != PTCP_TCPS_TIME_WAIT)
			n += c[s];
	return n;
}

static int
cmd_states(struct ptcp_engine *e, const char *params, struct rte_tel_data *d)
{
	uint64_t sum[PTCP_TCPS_MAX], total = 0;
	char key[32];
	unsigned int s;

	RTE_SET_USED(params);
	state_counts(e, sum);
	rte_tel_data_start_dict(d);
	for (s = 0; s < PTCP_TCPS_MAX; s++) {
		rte_tel_data_add_dict_u64(d, state_key(s, key, sizeof(key)),
			sum[s]);
		if (s != PTCP_TCPS_LISTEN)
			total += sum[s];
	}
	rte_tel_data_add_dict_u64(d, "total", total);
	return 0;
}

static int
cmd_transitions(struct ptcp_engine *e, const char *params,
		struct rte_tel_data *d)
{
	uint64_t sum[PTCP_TCPS_MAX][PTCP_TCPS_MAX], t[PTCP_TCPS_MAX][PTCP_TCPS_MAX];
	char from[32], to[32], key[72];
	unsigned int i, a, b;

	RTE_SET_USED(params);
	memset(sum, 0, sizeof(sum));
	for (i = 0; i < e->nb_lcores; i++) {
		ptcp_tcp_transitions(e->lcores[i], t);
		for (a = 0; a < PTCP_TCPS_MAX; a++)
			for (b = 0; b < PTCP_TCPS_MAX; b++)
				sum[a][b] += t[a][b];
	}
	/* 121 edges fit a dictionary; only those taken are shown. */
	rte_tel_data_start_dict(d);
	for (a = 0; a < PTCP_TCPS_MAX; a++)
		for (b = 0; b < PTCP_TCPS_MAX; b++) {
			if (sum[a][b] == 0)
				continue;
			snprintf(key, sizeof(key), "%s/%s",
				state_key(a, from, sizeof(from)),
				state_key(b, to, sizeof(to)));
			rte_tel_data_add_dict_u64(d, key, sum[a][b]);
		}
	return 0;
}

/* ---- /ptcp/lcores ------------------------------------------------------ */

static int
cmd_lcores(struct ptcp_engine *e, const char *params, struct rte_tel_data *d)
{
	uint64_t c[PTCP_TCPS_MAX];
	struct rte_tel_data *w;
	char key[16];
	unsigned int i;

	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < e->nb_lcores; i++) {
		const struct ptcp_lcore *lc = e->lcores[i];

		w = rte_tel_data_alloc();
		if (w == NULL)
			return -ENOMEM;
		ptcp_tcp_state_counts(lc, c);
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_u64(w, "lcore_id", lc->lcore_id);
		rte_tel_data_add_dict_u64(w, "rx_pkts",
			PTCP_STAT_GET(&lc->stats, rx_pkts));
		rte_tel_data_add_dict_u64(w, "tx_pkts",
			PTCP_STAT_GET(&lc->stats, tx_pkts));
		rte_tel_data_add_dict_u64(w, "conns", tcb_count(c));
		rte_tel_data_add_dict_u64(w, "time_wait",
			c[PTCP_TCPS_TIME_WAIT]);
		rte_tel_data_add_dict_u64(w, "steer_out",
			PTCP_STAT_GET(&lc->stats, steer_out));
		rte_tel_data_add_dict_u64(w, "steer_in",
			PTCP_STAT_GET(&lc->stats, steer_in));
		rte_tel_data_add_dict_u64(w, "mbufs_in_use",
			rte_mempool_in_use_count(e->pools[i]));
		rte_tel_data_add_dict_u64(w, "timers",
			ptcp_tcp_timers_armed(lc));
		rte_tel_data_add_dict_u64(w, "recovery_blocks",
			ptcp_tcp_recov_in_use(lc));
		snprintf(key, sizeof(key), "%u", i);
		if (rte_tel_data_add_dict_container(d, key, w, 0) != 0) {
			rte_tel_data_free(w);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- /ptcp/conns,<limit> ----------------------------------------------- */

static int
parse_limit(const char *params, unsigned int *limit)
{
	unsigned long v;
	char *end;

	*limit = PTCP_OBS_CONNS_DEFAULT;
	if (params == NULL || params[0] == '\0')
		return 0;
	if (params[0] < '0' || params[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || v > PTCP_OBS_CONNS_MAX)
		return -EINVAL;
	*limit = (unsigned int)v;
	return 0;
}

static const char *
timers_str(uint8_t t, char *buf, size_t len)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ PTCP_CONN_TIMER_REXMT, "rexmt" },
		{ PTCP_CONN_TIMER_PERSIST, "persist" },
		{ PTCP_CONN_TIMER_KEEP, "keep" },
		{ PTCP_CONN_TIMER_DELACK, "delack" },
	};
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < RTE_DIM(names); i++)
		if ((t & names[i].bit) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
				used != 0 ? "," : "", names[i].name);
	return buf;
}

/*
 * One row: a dictionary in @d under key @row. @return the bytes of JSON it
 * takes in the reply (what lib/telemetry will print: no spaces), or
 * negative on failure.
 */
static int
conn_row(struct rte_tel_data *d, unsigned int row, unsigned int lcore_id,
		const struct ptcp_conn_info *ci, size_t room)
{
	char la[16], ra[16], st[32], tm[40], key[16], json[512];
	struct rte_tel_data *c;
	int n;

	ip_str(ci->laddr, la, sizeof(la));
	ip_str(ci->raddr, ra, sizeof(ra));
	state_key(ci->state, st, sizeof(st));
	timers_str(ci->timers, tm, sizeof(tm));
	snprintf(key, sizeof(key), "%u", row);
	n = snprintf(json, sizeof(json), ",\"%s\":{\"laddr\":\"%s\","
		"\"lport\":%u,\"raddr\":\"%s\",\"rport\":%u,\"state\":\"%s\","
		"\"lcore\":%u,\"age_ms\":%u,\"timers\":\"%s\",\"rtt_ms\":%u,"
		"\"cwnd\":%u,\"bytes_in\":%u,\"bytes_out\":%u}", key, la,
		ci->lport, ra, ci->rport, st, lcore_id, ci->age_ms, tm,
		ci->srtt_ms, ci->cwnd, ci->bytes_in, ci->bytes_out);
	if (n < 0 || (size_t)n > room)
		return -ENOSPC;
	c = rte_tel_data_alloc();
	if (c == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "laddr", la);
	rte_tel_data_add_dict_u64(c, "lport", ci->lport);
	rte_tel_data_add_dict_string(c, "raddr", ra);
	rte_tel_data_add_dict_u64(c, "rport", ci->rport);
	rte_tel_data_add_dict_string(c, "state", st);
	rte_tel_data_add_dict_u64(c, "lcore", lcore_id);
	rte_tel_data_add_dict_u64(c, "age_ms", ci->age_ms);
	rte_tel_data_add_dict_string(c, "timers", tm);
	rte_tel_data_add_dict_u64(c, "rtt_ms", ci->srtt_ms);
	rte_tel_data_add_dict_u64(c, "cwnd", ci->cwnd);
	rte_tel_data_add_dict_u64(c, "bytes_in", ci->bytes_in);
	rte_tel_data_add_dict_u64(c, "bytes_out", ci->bytes_out);
	if (rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOMEM;
	}
	return n;
}

static int
cmd_conns(struct ptcp_engine *e, const char *params, struct rte_tel_data *d)
{
	struct ptcp_tcp_snapshot *s;
	struct rte_tel_data *busy;
	uint64_t total = 0, tw = 0, c[PTCP_TCPS_MAX];
	size_t room = OBS_REPLY_MAX - OBS_REPLY_HEAD;
	unsigned int limit, shown = 0, i, k, want;
	bool full = false;
	int n, ret;

	ret = parse_limit(params, &limit);
	if (ret != 0)
		return ret;
	busy = rte_tel_data_alloc();
	if (busy == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(busy, RTE_TEL_INT_VAL);
	rte_tel_data_start_dict(d);
	for (i = 0; i < e->nb_lcores; i++) {
		const struct ptcp_lcore *lc = e->lcores[i];

		/* Every worker answers its totals, listing or not. */
		want = full ? 0 : RTE_MIN(limit - shown,
			(unsigned int)OBS_ROWS_MAX - shown);
		s = ptcp_tcp_snapshot(e, i, want,
			PTCP_OBS_SNAPSHOT_TIMEOUT_MS);
		if (s == NULL) {
			/* Not polling (or gone): its counts, no rows. */
			if (rte_errno == ENOMEM) {
				rte_tel_data_free(busy);
				return -ENOMEM;
			}
			rte_tel_data_add_array_int(busy, (int)lc->lcore_id);
			ptcp_tcp_state_counts(lc, c);
			total += tcb_count(c);
			tw += c[PTCP_TCPS_TIME_WAIT];
			continue;
		}
		total += s->total;
		tw += s->time_wait;
		for (k = 0; k < s->n && !full; k++) {
			n = conn_row(d, shown, lc->lcore_id, &s->conns[k],
				room);
			if (n == -ENOMEM) {
				free(s);
				rte_tel_data_free(busy);
				return -ENOMEM;
			}
			if (n < 0) {
				full = true;    /* the reply is full */
				break;
			}
			room -= (size_t)n;
			shown++;
		}
		if (shown == limit || shown == OBS_ROWS_MAX)
			full = true;
		free(s);
	}
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "time_wait", tw);
	rte_tel_data_add_dict_u64(d, "shown", shown);
	if (rte_tel_data_add_dict_container(d, "busy_lcores", busy, 0) != 0)
		rte_tel_data_free(busy);
	return 0;
}

/* ---- /ptcp/config ------------------------------------------------------ */

/*
 * The text --dump-config prints, as "section/key" -> value: the same
 * source, so the two never differ.
 */
static int
cmd_config(struct ptcp_engine *e, const char *params, struct rte_tel_data *d)
{
	char section[64] = "", name[RTE_TEL_MAX_STRING_LEN];
	char *text = NULL, *line, *save = NULL, *eq, *end, *v;
	unsigned int entries = 0;
	size_t size = 0;
	FILE *f;

	RTE_SET_USED(params);
	f = open_memstream(&text, &size);
	if (f == NULL)
		return -ENOMEM;
	ptcp_config_dump(&e->cfg, f);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	for (line = strtok_r(text, "\n", &save); line != NULL;
			line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[') {
			end = strchr(line, ']');
			if (end != NULL)
				*end = '\0';
			snprintf(section, sizeof(section), "%s", line + 1);
			continue;
		}
		eq = strstr(line, " = ");
		if (line[0] == ';' || eq == NULL)
			continue;
		*eq = '\0';
		v = eq + 3;
		/* "value\t; what the key is" */
		end = strstr(v, "\t;");
		if (end != NULL)
			*end = '\0';
		if (entries == RTE_TEL_MAX_DICT_ENTRIES)
			break;
		snprintf(name, sizeof(name), "%s/%s", section, line);
		ptcp_obs_key(name, sizeof(name), name);
		rte_tel_data_add_dict_string(d, name, v);
		entries++;
	}
	free(text);
	return 0;
}

/* ---- registration ------------------------------------------------------ */

struct obs_cmd {
	const char *name;
	int (*fn)(struct ptcp_engine *e, const char *params,
			struct rte_tel_data *d);
	const char *help;
};

static const struct obs_cmd obs_cmds[] = {
	{ "/ptcp/stats", cmd_stats,
	  "ptcp counters summed over the workers, and mbufs. No parameters" },
	{ "/ptcp/states", cmd_states,
	  "ptcp connections per TCP state, and total. No parameters" },
	{ "/ptcp/transitions", cmd_transitions,
	  "ptcp state changes per edge FROM/TO. No parameters" },
	{ "/ptcp/lcores", cmd_lcores,
	  "ptcp per worker: lcore, packets, connections, steering, mbufs, "
	  "timers, recovery blocks. "
	  "No parameters" },
	{ "/ptcp/conns", cmd_conns,
	  "ptcp connections, ss-like. Parameter: limit (default 100, max "
	  "1000)" },
	{ "/ptcp/config", cmd_config,
	  "ptcp effective configuration, section/key. No parameters" },
};

int
ptcp_obs_handle(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct ptcp_engine *e;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(obs_cmds); i++)
		if (cmd != NULL && strcmp(cmd, obs_cmds[i].name) == 0)
			break;
	if (i == RTE_DIM(obs_cmds))
		return -ENOENT;
	e = __atomic_load_n(&obs_engine, __ATOMIC_ACQUIRE);
	if (ptcp_tcp_observe_begin(e) != 0)
		return -ENODEV;
	ret = obs_cmds[i].fn(e, params, d);
	ptcp_tcp_observe_end();
	return ret;
}

static int
obs_telemetry_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	return ptcp_obs_handle(cmd, params, d);
}

int
ptcp_obs_register(struct ptcp_engine *e)
{
	unsigned int i;
	int ret;

	__atomic_store_n(&obs_engine, e, __ATOMIC_RELEASE);
	if (obs_registered)
		return 0;
	for (i = 0; i < RTE_DIM(obs_cmds); i++) {
		ret = rte_telemetry_register_cmd(obs_cmds[i].name,
			obs_telemetry_cb, obs_cmds[i].help);
		if (ret != 0) {
			PTCP_LOG(WARNING, "telemetry command %s not "
				"registered: %s\n", obs_cmds[i].name,
				strerror(-ret));
			return ret;
		}
	}
	obs_registered = true;
	return 0;
}
