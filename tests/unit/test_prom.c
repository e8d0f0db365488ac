/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit: ptcp-stat's JSON reader (app/stat/tel.c) and Prometheus writer
 * (app/stat/prom.c), on telemetry replies recorded as literal strings.
 *
 * The reader: the replies round-trip byte for byte, values and escapes
 * decode, and malformed input (every truncation of every reply, wrong
 * tokens, bad escapes and UTF-8, numbers out of range, nesting too deep)
 * fails with a message; random mutations never crash it (run under ASan
 * too). The writer: its output goes through a parser of the exposition
 * format written here (line by line, token by token; not a grep), which
 * checks names, label syntax and escapes, HELP and TYPE once per family
 * before its samples, families not repeated, counters named *_total, no
 * series twice; replies of the wrong shape are refused. C and jansson (the
 * reader's), no DPDK.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "ptcp_test.h"
#include "ptcp_test_rand.h"
#include "tel.h"

/* Replies as the telemetry commands send them (compact, DPDK's JSON). */
static const char greeting[] =
	"{\"version\":\"DPDK 22.11.11\",\"pid\":29321,"
	"\"max_output_len\":16384}";
static const char r_stats[] =
	"{\"/ptcp/stats\":{\"rx_pkts\":123456,\"rx_bytes\":98765432,"
	"\"tx_pkts\":120001,\"tx_bytes\":87654321,\"rx_bad_ip_csum\":3,"
	"\"tcp_rx\":123000,\"tcp_segs_out\":119990,\"tcp_bad_csum\":10,"
	"\"tcp_rst_tx\":7,\"tcp_rst_rx\":2,\"tcp_rexmt\":12,"
	"\"tcp_syn_rexmt\":1,\"tcp_ooo_drop\":0,\"tcp_passive_open\":500,"
	"\"tcp_tw_cap\":0,\"trans_ESTABLISHED_CLOSE-WAIT\":40,"
	"\"big\":18446744073709551615,"
	"\"mbufs_in_use\":1234,\"mbufs_total\":8191}}";
static const char r_states[] =
	"{\"/ptcp/states\":{\"CLOSED\":0,\"LISTEN\":4,\"SYN-SENT\":0,"
	"\"SYN-RECEIVED\":1,\"ESTABLISHED\":5,\"CLOSE-WAIT\":2,"
	"\"FIN-WAIT-1\":0,\"CLOSING\":0,\"LAST-ACK\":1,\"FIN-WAIT-2\":1,"
	"\"TIME-WAIT\":3,\"total\":17}}";
static const char r_lcores[] =
	"{\"/ptcp/lcores\":{\"0\":{\"lcore_id\":0,\"rx_pkts\":100000,"
	"\"tx_pkts\":90000,\"conns\":10,\"time_wait\":2,\"steer_out\":7,"
	"\"steer_in\":3,\"mbufs_in_use\":600,\"timers\":12,"
	"\"recovery_blocks\":1},\"1\":{\"lcore_id\":2,"
	"\"rx_pkts\":23456,\"tx_pkts\":30001,\"conns\":7,\"time_wait\":1,"
	"\"steer_out\":3,\"steer_in\":7,\"mbufs_in_use\":634,\"timers\":8,"
	"\"recovery_blocks\":0}}}";
static const char r_conns_arr[] =
	"{\"/ptcp/conns\":{\"total\":3,\"shown\":2,\"conns\":["
	"{\"laddr\":\"10.0.0.2\",\"lport\":80,\"raddr\":\"10.0.0.1\","
	"\"rport\":43210,\"state\":\"ESTABLISHED\",\"lcore\":0,"
	"\"age_ms\":1234,\"timers\":\"rexmt,keep\",\"rtt_ms\":1,"
	"\"cwnd\":14600,\"bytes_in\":77,\"bytes_out\":4096},"
	"{\"laddr\":\"10.0.0.2\",\"lport\":7,\"raddr\":\"10.0.0.1\","
	"\"rport\":50000,\"state\":\"CLOSE-WAIT\",\"lcore\":1,"
	"\"age_ms\":65000,\"timers\":\"\",\"rtt_ms\":0,\"cwnd\":2920,"
	"\"bytes_in\":0,\"bytes_out\":0}]}}";
/* The same, should 22.11 not nest dicts in arrays: a dict keyed "0".. */
static const char r_conns_obj[] =
	"{\"/ptcp/conns\":{\"total\":1,\"shown\":1,\"conns\":{\"0\":"
	"{\"laddr\":\"10.0.0.2\",\"lport\":80,\"raddr\":\"10.0.0.1\","
	"\"rport\":43210,\"state\":\"TIME-WAIT\",\"lcore\":0,"
	"\"age_ms\":30000,\"timers\":\"2msl\",\"rtt_ms\":0,\"cwnd\":0,"
	"\"bytes_in\":10,\"bytes_out\":20}}}}";
static const char r_config[] =
	"{\"/ptcp/config\":{\"port0.address\":\"10.98.0.1/24\","
	"\"port0.gateway\":\"none\",\"tcp.max_conns\":\"65536\","
	"\"http.body\":\"say \\\"hi\\\"\\\\n\\n\\t\\u0001\"}}";
/*
 * lib/obs's own shapes: 22.11's keys take no '-' ("CLOSE_WAIT"), the
 * listing's rows sit in the reply beside its totals, transitions are
 * "FROM/TO".
 */
static const char r_states_obs[] =
	"{\"/ptcp/states\":{\"CLOSED\":0,\"LISTEN\":4,\"SYN_SENT\":0,"
	"\"SYN_RECEIVED\":1,\"ESTABLISHED\":5,\"CLOSE_WAIT\":2,"
	"\"FIN_WAIT_1\":0,\"CLOSING\":0,\"LAST_ACK\":1,\"FIN_WAIT_2\":1,"
	"\"TIME_WAIT\":3,\"total\":13}}";
static const char r_trans[] =
	"{\"/ptcp/transitions\":{\"CLOSED/SYN_SENT\":3,"
	"\"LISTEN/SYN_RECEIVED\":9,\"SYN_RECEIVED/ESTABLISHED\":8,"
	"\"ESTABLISHED/CLOSE_WAIT\":2,\"FIN_WAIT_2/TIME_WAIT\":4}}";
static const char r_conns_obs[] =
	"{\"/ptcp/conns\":{\"0\":{\"laddr\":\"10.0.0.2\",\"lport\":80,"
	"\"raddr\":\"10.0.0.1\",\"rport\":43210,\"state\":\"CLOSE_WAIT\","
	"\"lcore\":0,\"age_ms\":61000,\"timers\":\"keep\",\"rtt_ms\":0,"
	"\"cwnd\":14600,\"bytes_in\":5,\"bytes_out\":0},\"total\":4,"
	"\"time_wait\":1,\"shown\":1,\"busy_lcores\":[2]}}";
/*
 * Recorded from ptcp-server (2 workers on net_tap, config/tap.ini) with 3
 * echo connections held open, 2 chargen ones the peer half-closed (the
 * server closed them too: LAST-ACK), 4 daytime ones over (TIME-WAIT).
 */
static const char rec_greeting[] =
	"{\"version\":\"DPDK 22.11.11\",\"pid\":13682,"
	"\"max_output_len\":16384}";
static const char rec_stats[] =
	"{\"/ptcp/stats\":{\"rx_pkts\":93,\"rx_bytes\":6324,"
	"\"tx_pkts\":45,\"tx_bytes\":49516,\"tx_drop_full\":0,"
	"\"tx_drop_nombuf\":0,\"rx_runt\":0,\"rx_vlan\":0,"
	"\"rx_not_ip_arp\":6,\"rx_not_our_mac\":0,\"arp_rx\":2,"
	"\"arp_bad\":0,\"arp_not_for_us\":0,\"arp_req_rx\":1,"
	"\"arp_reply_rx\":0,\"arp_req_tx\":0,\"arp_gratuitous_tx\":1,"
	"\"arp_learnt\":2,\"arp_cache_full\":0,\"arp_expired\":0,"
	"\"arp_queue_full\":0,\"arp_resolve_timeout\":0,"
	"\"arp_no_route\":0,\"rx_ip_short\":0,\"rx_ip_version\":0,"
	"\"rx_ip_bad_ihl\":0,\"rx_ip_bad_len\":0,\"rx_bad_ip_csum\":0,"
	"\"rx_ip_frag\":0,\"rx_not_for_us\":0,\"rx_ip_bad_src\":0,"
	"\"rx_ip_proto\":0,\"icmp_rx\":0,\"icmp_bad_csum\":0,"
	"\"icmp_short\":0,\"icmp_echo_rx\":0,\"icmp_other\":0,"
	"\"steer_out\":11,\"steer_in\":11,\"steer_drop\":0,"
	"\"arp_replica_rx\":1,\"tcp_rx\":86,\"tcp_short\":0,"
	"\"tcp_bad_off\":0,\"tcp_bad_csum\":0,\"tcp_bad_flags\":0,"
	"\"tcp_bad_port\":0,\"tcp_opt_bad_len\":0,"
	"\"tcp_opt_ws_clamped\":0,\"tcp_opt_bad_mss\":0,"
	"\"tcp_segs_out\":43,\"tcp_data_bytes_in\":18,"
	"\"tcp_data_bytes_out\":43626,\"tcp_no_conn_rst\":0,"
	"\"tcp_no_conn_drop\":0,\"tcp_rst_tx\":0,"
	"\"tcp_rst_tx_no_conn\":0,\"tcp_rst_tx_bad_ack\":0,"
	"\"tcp_rst_tx_abort\":0,\"tcp_rst_tx_timeout\":0,"
	"\"tcp_rst_tx_data_after_close\":0,"
	"\"tcp_rst_tx_accept_refused\":0,\"tcp_rst_tx_drain\":0,"
	"\"tcp_rst_rx\":0,\"tcp_rst_rx_bad\":0,"
	"\"tcp_rst_rx_inexact\":0,\"tcp_rst_tw_ignored\":0,"
	"\"tcp_challenge_ack\":0,\"tcp_challenge_ack_limited\":0,"
	"\"tcp_paws_drop\":0,\"tcp_out_of_window\":11,"
	"\"tcp_ack_unsent\":0,\"tcp_ack_old\":0,\"tcp_ooo_drop\":0,"
	"\"tcp_ooo_segs\":0,\"tcp_ooo_bytes\":0,\"tcp_dup_data\":0,"
	"\"tcp_dup_ack_tx\":0,\"tcp_dup_ack_rx\":34,"
	"\"tcp_sack_blocks_tx\":0,\"tcp_sack_blocks_rx\":0,"
	"\"tcp_delack\":0,\"tcp_data_after_close\":0,"
	"\"tcp_passive_open\":9,\"tcp_active_open\":0,"
	"\"tcp_accept_refused\":0,\"tcp_conn_cap\":0,"
	"\"tcp_syn_backlog_full\":0,\"tcp_syncookie_sent\":0,"
	"\"tcp_syncookie_ok\":0,\"tcp_syncookie_bad\":0,"
	"\"tcp_syn_drop\":0,\"tcp_tw_cap\":0,\"tcp_tw_reack\":0,"
	"\"tcp_tw_reuse_syn\":0,\"tcp_tw_reuse_connect\":0,"
	"\"tcp_tw_expired\":0,\"tcp_rexmt\":2,\"tcp_fast_rexmt\":2,"
	"\"tcp_sack_rexmt\":0,\"tcp_partial_ack\":0,\"tcp_recovery\":2,"
	"\"tcp_recov_cap\":0,\"tcp_tso_segs\":6,\"tcp_rto\":8,"
	"\"tcp_syn_rexmt\":0,\"tcp_synack_rexmt\":0,"
	"\"tcp_fin_rexmt\":0,\"tcp_zero_window_probe\":0,"
	"\"tcp_timeout_drop\":0,\"tcp_fin_wait_2_timeout\":0,"
	"\"tcp_keepalive_probe\":0,\"tcp_keepalive_drop\":0,"
	"\"tcp_close_wait_old\":0,\"tcp_shutdown_rst\":0,"
	"\"tcp_port_exhausted\":0,\"capture_pkts\":0,"
	"\"capture_drop\":0,\"mbufs_in_use\":2299,"
	"\"mbufs_total\":16382}}";
static const char rec_states[] =
	"{\"/ptcp/states\":{\"CLOSED\":0,\"LISTEN\":12,\"SYN_SENT\":0,"
	"\"SYN_RECEIVED\":0,\"ESTABLISHED\":3,\"CLOSE_WAIT\":0,"
	"\"FIN_WAIT_1\":0,\"CLOSING\":0,\"LAST_ACK\":2,"
	"\"FIN_WAIT_2\":0,\"TIME_WAIT\":4,\"total\":9}}";
static const char rec_lcores[] =
	"{\"/ptcp/lcores\":{\"0\":{\"lcore_id\":0,\"rx_pkts\":48,"
	"\"tx_pkts\":23,\"conns\":2,\"time_wait\":2,\"steer_out\":7,"
	"\"steer_in\":4,\"mbufs_in_use\":1150},\"1\":{\"lcore_id\":1,"
	"\"rx_pkts\":45,\"tx_pkts\":22,\"conns\":3,\"time_wait\":2,"
	"\"steer_out\":4,\"steer_in\":7,\"mbufs_in_use\":1149}}}";
static const char rec_conns[] =
	"{\"/ptcp/conns\":{\"0\":{\"laddr\":\"10.99.0.2\",\"lport\":7,"
	"\"raddr\":\"10.99.0.1\",\"rport\":41580,"
	"\"state\":\"ESTABLISHED\",\"lcore\":0,\"age_ms\":3764,"
	"\"timers\":\"\",\"rtt_ms\":1,\"cwnd\":14480,\"bytes_in\":6,"
	"\"bytes_out\":6},\"1\":{\"laddr\":\"10.99.0.2\",\"lport\":19,"
	"\"raddr\":\"10.99.0.1\",\"rport\":47758,"
	"\"state\":\"LAST_ACK\",\"lcore\":0,\"age_ms\":3752,"
	"\"timers\":\"rexmt\",\"rtt_ms\":2,\"cwnd\":1448,"
	"\"bytes_in\":0,\"bytes_out\":7170},"
	"\"2\":{\"laddr\":\"10.99.0.2\",\"lport\":7,"
	"\"raddr\":\"10.99.0.1\",\"rport\":41564,"
	"\"state\":\"ESTABLISHED\",\"lcore\":1,\"age_ms\":3764,"
	"\"timers\":\"\",\"rtt_ms\":1,\"cwnd\":14480,\"bytes_in\":6,"
	"\"bytes_out\":6},\"3\":{\"laddr\":\"10.99.0.2\",\"lport\":7,"
	"\"raddr\":\"10.99.0.1\",\"rport\":41574,"
	"\"state\":\"ESTABLISHED\",\"lcore\":1,\"age_ms\":3764,"
	"\"timers\":\"\",\"rtt_ms\":1,\"cwnd\":14480,\"bytes_in\":6,"
	"\"bytes_out\":6},\"4\":{\"laddr\":\"10.99.0.2\",\"lport\":19,"
	"\"raddr\":\"10.99.0.1\",\"rport\":47768,"
	"\"state\":\"LAST_ACK\",\"lcore\":1,\"age_ms\":3763,"
	"\"timers\":\"rexmt\",\"rtt_ms\":1,\"cwnd\":1448,"
	"\"bytes_in\":0,\"bytes_out\":7170},\"total\":5,"
	"\"time_wait\":4,\"shown\":5,\"busy_lcores\":[]}}";
static const char rec_trans[] =
	"{\"/ptcp/transitions\":{\"LISTEN/SYN_RECEIVED\":9,"
	"\"SYN_RECEIVED/ESTABLISHED\":9,\"ESTABLISHED/CLOSE_WAIT\":2,"
	"\"ESTABLISHED/FIN_WAIT_1\":4,\"CLOSE_WAIT/LAST_ACK\":2,"
	"\"FIN_WAIT_1/FIN_WAIT_2\":4,\"FIN_WAIT_2/TIME_WAIT\":4}}";
static const char rec_config[] =
	"{\"/ptcp/config\":{\"port0/device\":\"net_tap0\","
	"\"port0/address\":\"10.99.0.2/24\","
	"\"port0/extra_addresses\":\"none\",\"port0/gateway\":\"none\","
	"\"port0/rx_desc\":\"1024\",\"port0/tx_desc\":\"1024\","
	"\"port0/mtu\":\"1500\",\"lcores/burst\":\"32\","
	"\"lcores/tx_flush_us\":\"0\",\"lcores/workers\":\"0\","
	"\"lcores/steer_ring\":\"1024\",\"mempool/mbufs\":\"8191\","
	"\"mempool/cache\":\"256\",\"mempool/data_room\":\"2176\","
	"\"ip/ttl\":\"64\",\"arp/entries\":\"1024\","
	"\"arp/timeout\":\"300\",\"arp/resolve_ms\":\"1000\","
	"\"arp/retries\":\"3\",\"arp/pending\":\"64\","
	"\"arp/gratuitous\":\"yes\",\"timer/tick_us\":\"1000\","
	"\"tcp/max_conns\":\"65536\",\"tcp/max_tw\":\"65536\","
	"\"tcp/syn_backlog\":\"1024\",\"tcp/syncookies\":\"yes\","
	"\"tcp/msl_ms\":\"30000\",\"tcp/rto_init_ms\":\"1000\","
	"\"tcp/rto_min_ms\":\"200\",\"tcp/rto_max_ms\":\"60000\","
	"\"tcp/syn_retries\":\"6\",\"tcp/synack_retries\":\"5\","
	"\"tcp/data_retries\":\"15\",\"tcp/orphan_retries\":\"8\","
	"\"tcp/fin_wait2_ms\":\"60000\",\"tcp/keepalive\":\"no\","
	"\"tcp/keepalive_idle_s\":\"7200\","
	"\"tcp/keepalive_intvl_s\":\"75\",\"tcp/keepalive_cnt\":\"9\","
	"\"tcp/close_wait_warn_s\":\"60\",\"tcp/mss\":\"1460\","
	"\"tcp/rcv_buf\":\"262140\",\"tcp/snd_buf\":\"262144\","
	"\"tcp/timestamps\":\"yes\",\"tcp/window_scaling\":\"yes\","
	"\"tcp/sack\":\"yes\",\"tcp/challenge_ack_limit\":\"1000\","
	"\"tcp/drain_ms\":\"2000\",\"tcp/cc\":\"cubic\","
	"\"tcp/init_cwnd\":\"10\",\"tcp/delack_ms\":\"40\","
	"\"tcp/nagle\":\"no\",\"tcp/ooo_max\":\"0\","
	"\"tcp/max_recovery\":\"16384\",\"tcp/tso\":\"yes\","
	"\"server/echo_port\":\"7\",\"server/discard_port\":\"9\","
	"\"server/daytime_port\":\"13\",\"server/chargen_port\":\"19\","
	"\"server/http_port\":\"80\",\"server/rr_port\":\"5001\","
	"\"server/http_body\":\"64\","
	"\"server/http_max_request\":\"8192\","
	"\"server/rr_request\":\"64\",\"server/rr_response\":\"64\","
	"\"server/rr_close\":\"client\"}}";
static const char r_list[] =
	"{\"/\":[\"/\",\"/ethdev/list\",\"/ptcp/conns\",\"/ptcp/stats\"]}";
static const char r_null[] = "{\"/ptcp/stats\":null}";
static const char r_misc[] =
	"[true,false,null,-9223372036854775808,0,-1,[],{},[[{}]],\"\"]";

static const char *const examples[] = {
	greeting, r_stats, r_states, r_lcores, r_conns_arr, r_conns_obj,
	r_config, r_list, r_null, r_misc, r_states_obs, r_trans, r_conns_obs,
	rec_greeting, rec_stats, rec_states, rec_lcores, rec_conns, rec_trans,
	rec_config,
};
#define NB_EXAMPLES (sizeof(examples) / sizeof(examples[0]))

/* Parse @s (a C string) into @d; 0 or -1, the error in @err. */
static int
parse(struct tel_doc *d, const char *s, char *err, size_t errlen)
{
	return tel_json_parse(d, s, strlen(s), err, errlen);
}

/* @n written as JSON, in a malloc'd string. */
static char *
to_json(const struct tel_doc *d, const struct tel_node *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	tel_json_write(d, n, f);
	fclose(f);
	return buf;
}

/*
 * A parser of the text exposition format, as strict as Prometheus's own
 * (and stricter where ptcp's conventions are: only counter and gauge, no
 * gauge named *_total, no timestamps). It records each sample as a
 * series key "name{label=value,...}" (values unescaped) and its value.
 */
#define CHK_MAX 4096

struct chk {
	char err[256];
	unsigned int line;
	unsigned int nb_fam, nb_samples;
	struct {
		char name[PROM_NAME_MAX];
		char type[8];
		bool help, typed, sampled;
	} fam[CHK_MAX];
	int cur;                         /* family last named, or -1 */
	char *key[CHK_MAX];
	double val[CHK_MAX];
};

static int
chk_fail(struct chk *c, const char *why, const char *at)
{
	snprintf(c->err, sizeof(c->err), "line %u: %s at \"%.40s\"", c->line,
		why, at);
	return -1;
}

static bool
is_alpha_(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		ch == '_';
}

/* A name at *p ([a-zA-Z_:][a-zA-Z0-9_:]*, colons only for metrics). */
static int
chk_name(const char **p, char *out, size_t len, bool label)
{
	size_t n = 0;

	if (!is_alpha_(**p) && (label || **p != ':'))
		return -1;
	while (is_alpha_(**p) || (**p >= '0' && **p <= '9') ||
			(!label && **p == ':')) {
		if (n + 1 >= len)
			return -1;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return 0;
}

static int
chk_family(struct chk *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nb_fam; i++)
		if (strcmp(c->fam[i].name, name) == 0)
			return (int)i;
	if (c->nb_fam == CHK_MAX)
		return -1;
	snprintf(c->fam[c->nb_fam].name, PROM_NAME_MAX, "%s", name);
	c->fam[c->nb_fam].type[0] = '\0';
	c->fam[c->nb_fam].help = c->fam[c->nb_fam].typed = false;
	c->fam[c->nb_fam].sampled = false;
	return (int)c->nb_fam++;
}

/* "# HELP name text" or "# TYPE name type"; @p is past "# HELP ". */
static int
chk_meta(struct chk *c, const char *p, const char *eol, bool help)
{
	char name[PROM_NAME_MAX];
	int f;

	if (chk_name(&p, name, sizeof(name), false) < 0)
		return chk_fail(c, "bad metric name", p);
	if (*p != ' ')
		return chk_fail(c, "space expected after the name", p);
	p++;
	f = chk_family(c, name);
	if (f < 0)
		return chk_fail(c, "too many families", name);
	/* Another family's lines came between: this one is repeated. */
	if (f != c->cur && (c->fam[f].help || c->fam[f].typed ||
			c->fam[f].sampled))
		return chk_fail(c, "family repeated", name);
	if (c->fam[f].sampled)
		return chk_fail(c, "HELP or TYPE after samples", name);
	c->cur = f;
	if (help) {
		if (c->fam[f].help)
			return chk_fail(c, "second HELP", name);
		c->fam[f].help = true;
		for (; p < eol; p++)
			if (*p == '\\' && (p + 1 >= eol ||
					(p[1] != '\\' && p[1] != 'n')))
				return chk_fail(c, "bad escape in HELP", p);
			else if (*p == '\\')
				p++;
		return 0;
	}
	if (c->fam[f].typed)
		return chk_fail(c, "second TYPE", name);
	c->fam[f].typed = true;
	if ((size_t)(eol - p) == 7 && memcmp(p, "counter", 7) == 0)
		strcpy(c->fam[f].type, "counter");
	else if ((size_t)(eol - p) == 5 && memcmp(p, "gauge", 5) == 0)
		strcpy(c->fam[f].type, "gauge");
	else
		return chk_fail(c, "type neither counter nor gauge", p);
	{
		size_t n = strlen(name);
		bool total = n >= 6 && strcmp(name + n - 6, "_total") == 0;

		if (strcmp(c->fam[f].type, "counter") == 0 && !total)
			return chk_fail(c, "counter not named *_total", name);
		if (strcmp(c->fam[f].type, "gauge") == 0 && total)
			return chk_fail(c, "gauge named *_total", name);
	}
	return 0;
}

/* A float as the format writes it: Go's ParseFloat, or NaN, +Inf, -Inf. */
static int
chk_value(const char *p, const char *eol, double *v)
{
	char buf[64], *end;
	size_t n = (size_t)(eol - p);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	if (strcmp(buf, "NaN") == 0 || strcmp(buf, "+Inf") == 0 ||
			strcmp(buf, "-Inf") == 0) {
		*v = 0;
		return 0;
	}
	if (strspn(buf, "0123456789+-.eE") != n)
		return -1;
	*v = strtod(buf, &end);
	return *end == '\0' ? 0 : -1;
}

static int
chk_sample(struct chk *c, const char *p, const char *eol)
{
	char name[PROM_NAME_MAX], lname[PROM_NAME_MAX], key[1024];
	char lnames[8][PROM_NAME_MAX];
	unsigned int nl = 0, i;
	size_t k;
	int f;

	if (chk_name(&p, name, sizeof(name), false) < 0)
		return chk_fail(c, "bad metric name", p);
	k = (size_t)snprintf(key, sizeof(key), "%s", name);
	for (f = 0; f < (int)c->nb_fam; f++)
		if (strcmp(c->fam[f].name, name) == 0)
			break;
	if (f == (int)c->nb_fam || !c->fam[f].help || !c->fam[f].typed)
		return chk_fail(c, "sample without HELP and TYPE first",
			name);
	if (f != c->cur)
		return chk_fail(c, "family repeated (samples apart)", name);
	c->fam[f].sampled = true;
	if (*p == '{') {
		p++;
		key[k++] = '{';
		while (*p != '}') {
			if (nl > 0) {
				if (*p != ',')
					return chk_fail(c, "',' expected", p);
				p++;
				key[k++] = ',';
			}
			if (chk_name(&p, lname, sizeof(lname), true) < 0)
				return chk_fail(c, "bad label name", p);
			if (lname[0] == '_' && lname[1] == '_')
				return chk_fail(c, "reserved label name",
					lname);
			for (i = 0; i < nl; i++)
				if (strcmp(lnames[i], lname) == 0)
					return chk_fail(c, "label twice",
						lname);
			if (nl == 8)
				return chk_fail(c, "too many labels", p);
			strcpy(lnames[nl++], lname);
			if (p[0] != '=' || p[1] != '"')
				return chk_fail(c, "=\" expected", p);
			p += 2;
			k += (size_t)snprintf(key + k, sizeof(key) - k,
				"%s=", lname);
			for (;;) {
				char ch;

				if (p >= eol)
					return chk_fail(c, "unterminated label "
						"value", p);
				if (*p == '"')
					break;
				ch = *p++;
				if (ch == '\\') {
					if (*p == '\\' || *p == '"')
						ch = *p++;
					else if (*p == 'n')
						ch = '\n', p++;
					else
						return chk_fail(c, "bad escape "
							"in label value", p);
				}
				if (k + 4 >= sizeof(key))
					return chk_fail(c, "series too long",
						name);
				key[k++] = ch;
			}
			p++;
			if (p >= eol)
				return chk_fail(c, "'}' expected", p);
		}
		p++;
		key[k++] = '}';
		key[k] = '\0';
	}
	if (*p != ' ')
		return chk_fail(c, "one space before the value", p);
	p++;
	if (c->nb_samples == CHK_MAX)
		return chk_fail(c, "too many samples", name);
	/* No timestamps: a textfile's samples are "now". */
	if (chk_value(p, eol, &c->val[c->nb_samples]) < 0)
		return chk_fail(c, "bad value", p);
	if (strcmp(c->fam[f].type, "counter") == 0 &&
			c->val[c->nb_samples] < 0)
		return chk_fail(c, "negative counter", name);
	for (i = 0; i < c->nb_samples; i++)
		if (strcmp(c->key[i], key) == 0)
			return chk_fail(c, "series twice", key);
	c->key[c->nb_samples++] = strdup(key);
	return 0;
}

static void
chk_free(struct chk *c)
{
	unsigned int i;

	for (i = 0; i < c->nb_samples; i++)
		free(c->key[i]);
	c->nb_samples = 0;
}

/* Check @text; 0, or -1 with the reason in c->err. */
static int
chk_run(struct chk *c, const char *text)
{
	const char *p = text, *eol;

	memset(c, 0, sizeof(*c));
	c->cur = -1;
	if (*text != '\0' && text[strlen(text) - 1] != '\n') {
		c->line = 0;
		return chk_fail(c, "no newline at the end", text);
	}
	for (; *p != '\0'; p = eol + 1) {
		eol = strchr(p, '\n');
		c->line++;
		if (eol == p)
			continue;        /* empty lines are allowed */
		if (strncmp(p, "# HELP ", 7) == 0) {
			if (chk_meta(c, p + 7, eol, true) < 0)
				return -1;
		} else if (strncmp(p, "# TYPE ", 7) == 0) {
			if (chk_meta(c, p + 7, eol, false) < 0)
				return -1;
		} else if (*p == '#') {
			continue;        /* a comment */
		} else if (chk_sample(c, p, eol) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The value of series @key, or -1 when absent. */
static double
chk_get(const struct chk *c, const char *key)
{
	unsigned int i;

	for (i = 0; i < c->nb_samples; i++)
		if (strcmp(c->key[i], key) == 0)
			return c->val[i];
	return -1;
}

static struct chk C;

/* prom_write_ptcp() of the replies given (NULL: left out), as text. */
static char *
ptcp_prom4(const char *stats, const char *states, const char *lcores,
	const char *trans, char *err, size_t errlen)
{
	struct tel_doc d[4] = { { 0 } };
	const char *src[4] = { stats, states, lcores, trans };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i, r;

	for (i = 0; i < 4; i++)
		if (src[i] != NULL && parse(&d[i], src[i], err, errlen) < 0)
			goto fail;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		goto fail;
	r = prom_write_ptcp(f, stats != NULL ? &d[0] : NULL,
		states != NULL ? &d[1] : NULL, lcores != NULL ? &d[2] : NULL,
		trans != NULL ? &d[3] : NULL, err, errlen);
	fclose(f);
	for (i = 0; i < 4; i++)
		tel_doc_free(&d[i]);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
fail:
	for (i = 0; i < 4; i++)
		tel_doc_free(&d[i]);
	return NULL;
}

static char *
ptcp_prom(const char *stats, const char *states, const char *lcores,
	char *err, size_t errlen)
{
	return ptcp_prom4(stats, states, lcores, NULL, err, errlen);
}

static int
test_json_roundtrip(void)
{
	struct tel_doc d = { 0 }, d2 = { 0 };
	char err[256], *out, *out2;
	size_t i;

	for (i = 0; i < NB_EXAMPLES; i++) {
		CHECK_MSG(parse(&d, examples[i], err, sizeof(err)) == 0,
			"example %zu: %s", i, err);
		out = to_json(&d, tel_root(&d));
		CHECK(out != NULL);
		CHECK_MSG(strcmp(out, examples[i]) == 0,
			"example %zu:\n  in  %s\n  out %s", i, examples[i], out);
		/* and what it wrote reads back the same */
		CHECK(parse(&d2, out, err, sizeof(err)) == 0);
		out2 = to_json(&d2, tel_root(&d2));
		CHECK(out2 != NULL && strcmp(out, out2) == 0);
		CHECK_EQ(d.nb, d2.nb);
		free(out);
		free(out2);
	}
	/* Whitespace, and escapes written the long way, come out compact. */
	CHECK(parse(&d, " {\n\t\"a\\u0062\" : [ 1 ,\r\n -2 ] , \"\\/\" :"
		"\"\\u00e9\\ud83d\\ude00\\u20ac\" } \n", err, sizeof(err)) == 0);
	out = to_json(&d, tel_root(&d));
	CHECK_MSG(strcmp(out, "{\"ab\":[1,-2],\"/\":\"\xc3\xa9\xf0\x9f\x98\x80"
		"\xe2\x82\xac\"}") == 0, "%s", out);
	free(out);
	tel_doc_free(&d);
	tel_doc_free(&d2);
	return 0;
}

static int
test_json_values(void)
{
	struct tel_doc d = { 0 };
	const struct tel_node *r, *v, *k;
	char err[256];
	uint64_t u;
	int64_t i;
	unsigned int n;

	CHECK(parse(&d, r_stats, err, sizeof(err)) == 0);
	r = tel_reply(&d, "/ptcp/stats", err, sizeof(err));
	CHECK(r != NULL && r->type == TEL_OBJ && r->n == 19);
	CHECK(tel_uint64(tel_get(&d, r, "tcp_rx"), &u) && u == 123000);
	CHECK(tel_uint64(tel_get(&d, r, "big"), &u) && u == UINT64_MAX);
	CHECK(!tel_int64(tel_get(&d, r, "big"), &i));
	CHECK(tel_get(&d, r, "nope") == NULL);
	/* iteration visits every member once, in order */
	n = 0;
	for (k = tel_first(&d, r); k != NULL; k = tel_next(&d, r, k), n++)
		CHECK(k->type == TEL_STR && tel_val(k)->type == TEL_INT);
	CHECK_EQ(n, 19);
	/* a reply to "/ptcp/stats,x" is keyed "/ptcp/stats" */
	CHECK(tel_reply(&d, "/ptcp/stats,5", err, sizeof(err)) == r);
	CHECK(tel_reply(&d, "/ptcp/states", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "about") != NULL);

	CHECK(parse(&d, r_misc, err, sizeof(err)) == 0);
	r = tel_root(&d);
	CHECK(r->type == TEL_ARR && r->n == 10);
	v = tel_first(&d, r);
	CHECK(v->type == TEL_BOOL && v->b);
	v = tel_next(&d, r, v);
	CHECK(v->type == TEL_BOOL && !v->b);
	v = tel_next(&d, r, v);
	CHECK(v->type == TEL_NULL);
	v = tel_next(&d, r, v);
	CHECK(tel_int64(v, &i) && i == INT64_MIN && !tel_uint64(v, &u));
	v = tel_next(&d, r, v);
	CHECK(tel_int64(v, &i) && i == 0);
	v = tel_next(&d, r, v);
	CHECK(tel_int64(v, &i) && i == -1);
	v = tel_next(&d, r, v);
	CHECK(v->type == TEL_ARR && v->n == 0 && tel_first(&d, v) == NULL);
	v = tel_next(&d, r, v);
	CHECK(v->type == TEL_OBJ && v->n == 0);
	v = tel_next(&d, r, v);
	CHECK(v->type == TEL_ARR && v->n == 1);
	v = tel_next(&d, r, v);
	CHECK(v->type == TEL_STR && v->len == 0 && v->s[0] == '\0');
	CHECK(tel_next(&d, r, v) == NULL);

	/* escapes decode to the bytes they stand for */
	CHECK(parse(&d, r_config, err, sizeof(err)) == 0);
	v = tel_get(&d, tel_reply(&d, "/ptcp/config", err, sizeof(err)),
		"http.body");
	CHECK(v != NULL && v->type == TEL_STR);
	CHECK_MSG(strcmp(v->s, "say \"hi\"\\n\n\t\x01") == 0, "%s", v->s);
	CHECK_EQ(v->len, strlen("say \"hi\"\\n\n\t\x01"));

	/* the conns list, either nesting */
	CHECK(parse(&d, r_conns_arr, err, sizeof(err)) == 0);
	r = tel_reply(&d, "/ptcp/conns,100", err, sizeof(err));
	v = tel_get(&d, r, "conns");
	CHECK(v != NULL && v->type == TEL_ARR && v->n == 2);
	k = tel_next(&d, v, tel_first(&d, v));
	CHECK(strcmp(tel_get(&d, k, "state")->s, "CLOSE-WAIT") == 0);
	CHECK(parse(&d, r_conns_obj, err, sizeof(err)) == 0);
	r = tel_reply(&d, "/ptcp/conns", err, sizeof(err));
	v = tel_get(&d, r, "conns");
	CHECK(v != NULL && v->type == TEL_OBJ && v->n == 1);
	CHECK(tel_uint64(tel_get(&d, tel_val(tel_first(&d, v)), "bytes_out"),
		&u) && u == 20);
	tel_doc_free(&d);
	return 0;
}

static int
test_json_bad(void)
{
	static const struct {
		const char *in;
		size_t len;          /* 0: strlen */
	} bad[] = {
		{ "", 0 }, { " ", 0 }, { "{", 0 }, { "}", 0 }, { "[", 0 },
		{ "[1,]", 0 }, { "[,1]", 0 }, { "{\"a\":1,}", 0 },
		{ "{\"a\" 1}", 0 }, { "{\"a\":}", 0 }, { "{a:1}", 0 },
		{ "{'a':1}", 0 }, { "{1:1}", 0 }, { "[1 2]", 0 },
		{ "{} x", 0 }, { "{}{}", 0 }, { "nul", 0 }, { "tru", 0 },
		{ "True", 0 }, { "NaN", 0 }, { "Infinity", 0 }, { "-", 0 },
		{ "01", 0 }, { "-01", 0 }, { "1.5", 0 }, { "1e3", 0 },
		{ "1E3", 0 }, { "+1", 0 }, { ".5", 0 }, { "0x10", 0 },
		{ "18446744073709551616", 0 },
		{ "99999999999999999999999", 0 },
		{ "-9223372036854775809", 0 },
		{ "\"abc", 0 }, { "\"a\\\"", 0 }, { "\"\\x41\"", 0 },
		{ "\"\\u12\"", 0 }, { "\"\\u12g4\"", 0 },
		{ "\"\\ud800\"", 0 }, { "\"\\udc00\"", 0 },
		{ "\"\\ud800\\u0041\"", 0 }, { "\"\\ud800x\"", 0 },
		{ "\"\\u0000\"", 0 }, { "\"a\tb\"", 0 }, { "\"a\nb\"", 0 },
		{ "\"\x7f\x80\"", 0 }, { "\"\xc0\x80\"", 0 },
		{ "\"\xc3\"", 0 }, { "\"\xe2\x82\"", 0 },
		{ "\"\xed\xa0\x80\"", 0 }, { "\"\xf4\x90\x80\x80\"", 0 },
		{ "\"\xf5\x80\x80\x80\"", 0 }, { "\"\xff\"", 0 },
		{ "\"\xe0\x80\xaf\"", 0 },
		{ "{\"a\":1}\0", 8 }, { "[\0]", 3 }, { "\"a\0b\"", 5 },
		{ "\xef\xbb\xbf{}", 0 },            /* a BOM */
	};
	struct tel_doc d = { 0 };
	static char trunc[TEL_JSON_MAX_LEN];
	char err[256];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = bad[i].len != 0 ? bad[i].len : strlen(bad[i].in);

		err[0] = '\0';
		CHECK_MSG(tel_json_parse(&d, bad[i].in, len, err,
			sizeof(err)) < 0, "accepted bad input %zu: %s", i,
			bad[i].in);
		CHECK_MSG(strncmp(err, "bad JSON", 8) == 0, "input %zu: "
			"message '%s'", i, err);
		CHECK(d.nb == 0 && d.nodes == NULL && tel_root(&d) == NULL);
	}
	/* Every proper prefix of every reply is incomplete. */
	for (i = 0; i < NB_EXAMPLES; i++) {
		for (n = 0; n < strlen(examples[i]); n++) {
			memcpy(trunc, examples[i], n);
			err[0] = '\0';
			CHECK_MSG(tel_json_parse(&d, trunc, n, err,
				sizeof(err)) < 0, "example %zu cut at %zu "
				"accepted", i, n);
			CHECK(err[0] != '\0');
		}
	}
	/* The limits that are right at the edge still parse. */
	CHECK(parse(&d, "18446744073709551615", err, sizeof(err)) == 0);
	CHECK(parse(&d, "-9223372036854775808", err, sizeof(err)) == 0);
	CHECK(parse(&d, "-0", err, sizeof(err)) == 0);
	CHECK(parse(&d, "\"\xf4\x8f\xbf\xbf\"", err, sizeof(err)) == 0);
	CHECK(parse(&d, "\"\\udbff\\udfff\"", err, sizeof(err)) == 0);
	CHECK_EQ(tel_root(&d)->len, 4);
	/* an error message names the place (jansson's: just past it) */
	CHECK(parse(&d, "{\"a\":[1,2,x]}", err, sizeof(err)) < 0);
	CHECK_MSG(strcmp(err, "bad JSON at byte 11: invalid token near 'x'")
		== 0, "%s", err);
	/* and so do the checks jansson leaves to tel.c */
	CHECK(parse(&d, "[1,{\"b\":-2.5}]", err, sizeof(err)) < 0);
	CHECK_MSG(strcmp(err, "bad JSON at byte 10: only integers are "
		"expected") == 0, "%s", err);
	CHECK(parse(&d, "[1,18446744073709551616]", err, sizeof(err)) < 0);
	CHECK_MSG(strcmp(err, "bad JSON at byte 3: integer out of range") ==
		0, "%s", err);
	CHECK(parse(&d, "{\"a\":1,\"a\":1}", err, sizeof(err)) < 0);
	CHECK_MSG(strcmp(err, "bad JSON at byte 10: key \"a\" twice in one "
		"object") == 0, "%s", err);
	CHECK(parse(&d, "{\"a\":[1,", err, sizeof(err)) < 0);
	CHECK_MSG(strcmp(err, "bad JSON at byte 8: truncated: ']' expected")
		== 0, "%s", err);
	/* too long */
	CHECK(tel_json_parse(&d, "", TEL_JSON_MAX_LEN + 1, err,
		sizeof(err)) < 0);
	tel_doc_free(&d);
	return 0;
}

static int
test_json_depth(void)
{
	static char deep[200001];
	struct tel_doc d = { 0 };
	char err[256];
	unsigned int i;

	/* TEL_JSON_MAX_DEPTH containers parse, one more does not */
	for (i = 0; i < TEL_JSON_MAX_DEPTH; i++)
		deep[i] = '[';
	for (i = 0; i < TEL_JSON_MAX_DEPTH; i++)
		deep[TEL_JSON_MAX_DEPTH + i] = ']';
	CHECK_MSG(tel_json_parse(&d, deep, 2 * TEL_JSON_MAX_DEPTH, err,
		sizeof(err)) == 0, "%s", err);
	CHECK_EQ(d.nb, TEL_JSON_MAX_DEPTH);
	memmove(deep + 1, deep, 2 * TEL_JSON_MAX_DEPTH);
	deep[2 * TEL_JSON_MAX_DEPTH + 1] = ']';
	CHECK(tel_json_parse(&d, deep, 2 * TEL_JSON_MAX_DEPTH + 2, err,
		sizeof(err)) < 0);
	CHECK_MSG(strstr(err, "deeper") != NULL, "%s", err);
	/* objects count too (a whole document: jansson checks the syntax
	 * before tel.c counts the depth, so a cut one says "truncated") */
	snprintf(deep, sizeof(deep), "%s", "");
	for (i = 0; i <= TEL_JSON_MAX_DEPTH; i++)
		strcat(deep, "{\"k\":");
	CHECK(parse(&d, deep, err, sizeof(err)) < 0);
	strcat(deep, "1");
	for (i = 0; i <= TEL_JSON_MAX_DEPTH; i++)
		strcat(deep, "}");
	CHECK(parse(&d, deep, err, sizeof(err)) < 0);
	CHECK_MSG(strstr(err, "deeper") != NULL, "%s", err);
	/* and 100,000 openings stop at the limit, not the stack's */
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	CHECK(tel_json_parse(&d, deep, 200000, err, sizeof(err)) < 0);
	CHECK(strstr(err, "deeper") != NULL);
	tel_doc_free(&d);
	return 0;
}

static int
test_prom_ptcp(void)
{
	char err[256], *text;
	unsigned int i, counters = 0, gauges = 0;

	text = ptcp_prom(r_stats, r_states, r_lcores, err, sizeof(err));
	CHECK_MSG(text != NULL, "%s", err);
	CHECK_MSG(chk_run(&C, text) == 0, "%s\n%s", C.err, text);
	for (i = 0; i < C.nb_fam; i++) {
		counters += strcmp(C.fam[i].type, "counter") == 0;
		gauges += strcmp(C.fam[i].type, "gauge") == 0;
		CHECK(C.fam[i].help && C.fam[i].typed && C.fam[i].sampled);
	}
	/* 17 counters, 2 mbuf gauges, states, 4 + 5 lcore families */
	CHECK_EQ(counters, 17 + 4);
	CHECK_EQ(gauges, 2 + 1 + 5);
	CHECK_EQ(C.nb_samples, 17 + 2 + 11 + 9 * 2);
	CHECK(chk_get(&C, "ptcp_tcp_rx_total") == 123000);
	CHECK(chk_get(&C, "ptcp_rx_bad_ip_csum_total") == 3);
	CHECK(chk_get(&C, "ptcp_tcp_ooo_drop_total") == 0);
	CHECK(chk_get(&C, "ptcp_trans_ESTABLISHED_CLOSE_WAIT_total") == 40);
	CHECK(chk_get(&C, "ptcp_big_total") == 18446744073709551615.0);
	CHECK(chk_get(&C, "ptcp_mbufs_in_use") == 1234);
	CHECK(chk_get(&C, "ptcp_mbufs_capacity") == 8191);
	CHECK(chk_get(&C, "ptcp_mbufs_in_use_total") == -1);
	CHECK(chk_get(&C, "ptcp_connections{state=ESTABLISHED}") == 5);
	CHECK(chk_get(&C, "ptcp_connections{state=TIME-WAIT}") == 3);
	CHECK(chk_get(&C, "ptcp_connections{state=CLOSED}") == 0);
	CHECK(chk_get(&C, "ptcp_connections{state=total}") == -1);
	/* the label is the lcore id, not the entry's key */
	CHECK(chk_get(&C, "ptcp_lcore_rx_pkts_total{lcore=0}") == 100000);
	CHECK(chk_get(&C, "ptcp_lcore_rx_pkts_total{lcore=2}") == 23456);
	CHECK(chk_get(&C, "ptcp_lcore_rx_pkts_total{lcore=1}") == -1);
	CHECK(chk_get(&C, "ptcp_lcore_conns{lcore=2}") == 7);
	CHECK(chk_get(&C, "ptcp_lcore_time_wait{lcore=0}") == 2);
	CHECK(chk_get(&C, "ptcp_lcore_mbufs_in_use{lcore=2}") == 634);
	CHECK(chk_get(&C, "ptcp_lcore_steer_in_total{lcore=0}") == 3);
	CHECK(chk_get(&C, "ptcp_lcore_timers{lcore=0}") == 12);
	CHECK(chk_get(&C, "ptcp_lcore_recovery_blocks{lcore=2}") == 0);
	CHECK(chk_get(&C, "ptcp_lcore_recovery_blocks_total{lcore=0}") == -1);
	/* lib/stats's descriptions are the HELP text */
	CHECK(strstr(text, "# HELP ptcp_tcp_rexmt_total data segments "
		"retransmitted (all reasons)\n") != NULL);
	CHECK(strstr(text, "# HELP ptcp_big_total ptcp counter big\n") !=
		NULL);
	chk_free(&C);
	free(text);

	/* each part alone, and none */
	text = ptcp_prom(NULL, r_states, NULL, err, sizeof(err));
	CHECK(text != NULL && chk_run(&C, text) == 0 && C.nb_fam == 1);
	chk_free(&C);
	free(text);
	text = ptcp_prom(NULL, NULL, r_lcores, err, sizeof(err));
	CHECK(text != NULL && chk_run(&C, text) == 0 && C.nb_fam == 9);
	chk_free(&C);
	free(text);
	text = ptcp_prom(NULL, NULL, NULL, err, sizeof(err));
	CHECK(text != NULL && text[0] == '\0');
	free(text);
	return 0;
}

/* lib/obs's key spelling: state names as the RFC writes them. */
static int
test_prom_obs(void)
{
	char err[256], *text;

	CHECK_EQ(prom_state_index("CLOSE_WAIT"), 5);
	CHECK_EQ(prom_state_index("CLOSE-WAIT"), 5);
	CHECK_EQ(prom_state_index("FIN_WAIT_2"), 9);
	CHECK_EQ(prom_state_index("FIN_WAIT"), -1);
	CHECK_EQ(prom_state_index("CLOSE_WAITS"), -1);
	CHECK_EQ(prom_state_index("closed"), -1);
	CHECK_EQ(prom_state_index(""), -1);
	CHECK(strcmp(prom_state_label("SYN_RECEIVED"), "SYN-RECEIVED") == 0);
	CHECK(strcmp(prom_state_label("odd_one"), "odd_one") == 0);
	CHECK(prom_state_name(11) == NULL);

	text = ptcp_prom4(r_stats, r_states_obs, r_lcores, r_trans, err,
		sizeof(err));
	CHECK_MSG(text != NULL, "%s", err);
	CHECK_MSG(chk_run(&C, text) == 0, "%s\n%s", C.err, text);
	CHECK(chk_get(&C, "ptcp_connections{state=CLOSE-WAIT}") == 2);
	CHECK(chk_get(&C, "ptcp_connections{state=CLOSE_WAIT}") == -1);
	CHECK(chk_get(&C, "ptcp_connections{state=SYN-RECEIVED}") == 1);
	CHECK(chk_get(&C, "ptcp_transitions_total{from=ESTABLISHED,"
		"to=CLOSE-WAIT}") == 2);
	CHECK(chk_get(&C, "ptcp_transitions_total{from=CLOSED,"
		"to=SYN-SENT}") == 3);
	CHECK_EQ(C.nb_samples, 17 + 2 + 11 + 9 * 2 + 5);
	chk_free(&C);
	free(text);

	/* no edge taken yet: the family, no samples */
	text = ptcp_prom4(NULL, NULL, NULL, "{\"/ptcp/transitions\":{}}",
		err, sizeof(err));
	CHECK(text != NULL && chk_run(&C, text) == 0 && C.nb_fam == 1 &&
		C.nb_samples == 0);
	chk_free(&C);
	free(text);
	return 0;
}

/* What a live server said, formatted. */
static int
test_prom_recorded(void)
{
	struct tel_doc d = { 0 };
	const struct tel_node *r;
	char err[256], *text;

	CHECK(parse(&d, rec_stats, err, sizeof(err)) == 0);
	r = tel_reply(&d, "/ptcp/stats", err, sizeof(err));
	CHECK(r != NULL && r->n == 120);
	tel_doc_free(&d);

	text = ptcp_prom4(rec_stats, rec_states, rec_lcores, rec_trans, err,
		sizeof(err));
	CHECK_MSG(text != NULL, "%s", err);
	CHECK_MSG(chk_run(&C, text) == 0, "%s\n%s", C.err, text);
	/* 118 counters, 2 mbuf gauges; 11 states; 7 x 2 lcores; 7 edges */
	CHECK_EQ(C.nb_fam, 118 + 2 + 1 + 7 + 1);
	CHECK_EQ(C.nb_samples, 118 + 2 + 11 + 14 + 7);
	CHECK(chk_get(&C, "ptcp_tcp_passive_open_total") == 9);
	CHECK(chk_get(&C, "ptcp_mbufs_capacity") == 16382);
	CHECK(chk_get(&C, "ptcp_connections{state=ESTABLISHED}") == 3);
	CHECK(chk_get(&C, "ptcp_connections{state=LAST-ACK}") == 2);
	CHECK(chk_get(&C, "ptcp_connections{state=TIME-WAIT}") == 4);
	CHECK(chk_get(&C, "ptcp_connections{state=LISTEN}") == 12);
	CHECK(chk_get(&C, "ptcp_lcore_steer_out_total{lcore=1}") == 4);
	CHECK(chk_get(&C, "ptcp_lcore_conns{lcore=0}") == 2);
	CHECK(chk_get(&C, "ptcp_transitions_total{from=FIN-WAIT-2,"
		"to=TIME-WAIT}") == 4);
	chk_free(&C);
	free(text);
	return 0;
}

/* Names made valid, labels and HELP escaped. */
static int
test_prom_escape(void)
{
	char err[256], *text, name[PROM_NAME_MAX];

	/* An lcore without lcore_id is labelled by its key, escaped. */
	text = ptcp_prom(
		"{\"/ptcp/stats\":{\"we\\\\ird\\nna.me-x\":5,\"_total\":1,"
		"\"\xc3\xa9t\xc3\xa9\":2}}",
		"{\"/ptcp/states\":{\"A\\\"B\":1,\"\\\\\":2,\"x\\ny\":3}}",
		"{\"/ptcp/lcores\":{\"a\\\"b\\\\c\\nd\":{\"rx_pkts\":9,"
		"\"new_gauge_thing\":4}}}", err, sizeof(err));
	CHECK_MSG(text != NULL, "%s", err);
	CHECK_MSG(chk_run(&C, text) == 0, "%s\n%s", C.err, text);
	CHECK(chk_get(&C, "ptcp_we_ird_na_me_x_total") == 5);
	CHECK(chk_get(&C, "ptcp__total") == 1);
	CHECK(chk_get(&C, "ptcp___t___total") == 2);
	CHECK(strstr(text, "# HELP ptcp_we_ird_na_me_x_total ptcp counter "
		"we\\\\ird\\nna.me-x\n") != NULL);
	CHECK(chk_get(&C, "ptcp_connections{state=A\"B}") == 1);
	CHECK(chk_get(&C, "ptcp_connections{state=\\}") == 2);
	CHECK(chk_get(&C, "ptcp_connections{state=x\ny}") == 3);
	CHECK(strstr(text, "{state=\"A\\\"B\"}") != NULL);
	CHECK(chk_get(&C, "ptcp_lcore_rx_pkts_total{lcore=a\"b\\c\nd}") == 9);
	CHECK(chk_get(&C, "ptcp_lcore_new_gauge_thing_total{lcore=a\"b\\c\n"
		"d}") == 4);
	chk_free(&C);
	free(text);

	CHECK(prom_name(name, sizeof(name), "ptcp_", "a b", "_total") == 0);
	CHECK(strcmp(name, "ptcp_a_b_total") == 0);
	CHECK(prom_name(name, sizeof(name), "ptcp_", "x_total", "_total") ==
		0 && strcmp(name, "ptcp_x_total") == 0);
	CHECK(prom_name(name, sizeof(name), "", "9lives", "") < 0);
	CHECK(prom_name(name, 8, "ptcp_", "long", "_total") < 0);
	return 0;
}

/* Replies of the wrong shape are refused, with the reason. */
static int
test_prom_bad_types(void)
{
	static const struct {
		const char *stats, *states, *lcores, *why;
	} bad[] = {
		{ "{\"/ptcp/stats\":null}", NULL, NULL, "null" },
		{ "{\"/ptcp/stats\":[1,2]}", NULL, NULL, "not an object" },
		{ "{\"/ptcp/stats\":{\"a\":\"1\"}}", NULL, NULL, "\"a\"" },
		{ "{\"/ptcp/stats\":{\"a\":-1}}", NULL, NULL, "\"a\"" },
		{ "{\"/ptcp/stats\":{\"a\":true}}", NULL, NULL, "\"a\"" },
		{ "{\"/ptcp/stats\":{\"a\":{\"b\":1}}}", NULL, NULL, "\"a\"" },
		{ "{\"/ptcp/stats\":{\"mbufs_in_use\":\"x\"}}", NULL, NULL,
			"mbufs_in_use" },
		{ "{\"/ptcp/stats\":{\"a.b\":1,\"a_b\":2}}", NULL, NULL,
			"ptcp_a_b_total twice" },
		{ "{\"/ptcp/states\":{}}", NULL, NULL, "about" },
		{ "{\"/ptcp/stats\":{},\"x\":1}", NULL, NULL, "one member" },
		{ "[]", NULL, NULL, "one member" },
		{ NULL, "{\"/ptcp/states\":{\"LISTEN\":null}}", NULL,
			"LISTEN" },
		{ NULL, "{\"/ptcp/states\":{\"A\":1,\"A\":2}}", NULL,
			"twice" },
		{ NULL, "{\"/ptcp/states\":\"ESTABLISHED\"}", NULL, "object" },
		{ NULL, NULL, "{\"/ptcp/lcores\":{\"0\":5}}", "\"0\"" },
		{ NULL, "{\"/ptcp/states\":{\"CLOSE_WAIT\":1,"
			"\"CLOSE-WAIT\":1}}", NULL, "twice" },
		{ NULL, NULL, "{\"/ptcp/lcores\":{\"0\":{\"conns\":[]}}}",
			"conns" },
		{ NULL, NULL, "{\"/ptcp/lcores\":{\"0\":{\"lcore_id\":1},"
			"\"1\":{\"lcore_id\":1,\"conns\":1},"
			"\"2\":{\"lcore_id\":1,\"conns\":2}}}", "twice" },
	};
	static const char *const bad_trans[] = {
		"{\"/ptcp/transitions\":{\"ESTABLISHED\":1}}",
		"{\"/ptcp/transitions\":{\"A/B/C\":1}}",
		"{\"/ptcp/transitions\":{\"A/B\":\"1\"}}",
		"{\"/ptcp/transitions\":{\"A/B\":1,\"A/B\":1}}",
		"{\"/ptcp/transitions\":null}",
	};
	char err[256], *text;
	size_t i;

	for (i = 0; i < sizeof(bad_trans) / sizeof(bad_trans[0]); i++) {
		err[0] = '\0';
		text = ptcp_prom4(NULL, NULL, NULL, bad_trans[i], err,
			sizeof(err));
		CHECK_MSG(text == NULL, "transitions %zu accepted:\n%s", i,
			text);
		CHECK(err[0] != '\0');
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		text = ptcp_prom(bad[i].stats, bad[i].states, bad[i].lcores,
			err, sizeof(err));
		CHECK_MSG(text == NULL, "case %zu accepted:\n%s", i, text);
		CHECK_MSG(strstr(err, bad[i].why) != NULL, "case %zu: '%s' "
			"does not say '%s'", i, err, bad[i].why);
	}
	return 0;
}

/* The writer's own refusals. */
static int
test_prom_writer(void)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct prom w = { .f = f, .err = err, .errlen = sizeof(err) };

	CHECK(f != NULL);
	CHECK(prom_sample(&w, NULL, NULL, 1) < 0);
	CHECK(prom_family(&w, "a_total", "counter", "h") == 0);
	CHECK(prom_sample(&w, NULL, NULL, 1) == 0);
	CHECK(prom_sample(&w, NULL, NULL, 2) < 0);
	CHECK(strstr(err, "twice") != NULL);
	CHECK(prom_sample(&w, "l", "x", -1) < 0);
	CHECK(strstr(err, "negative") != NULL);
	CHECK(prom_family(&w, "a_total", "counter", "h") < 0);
	CHECK(prom_family(&w, "b", "counter", "h") < 0);
	CHECK(prom_family(&w, "b_total", "gauge", "h") < 0);
	CHECK(prom_family(&w, "b", "histogram", "h") < 0);
	CHECK(prom_family(&w, "1b", "gauge", "h") < 0);
	CHECK(prom_family(&w, "b-c", "gauge", "h") < 0);
	CHECK(prom_family(&w, "b", "gauge", "back\\slash\nnew") == 0);
	CHECK(prom_sample(&w, "__name", "x", 1) < 0);
	CHECK(prom_sample(&w, "0l", "x", 1) < 0);
	CHECK(prom_sample(&w, "l:x", "x", 1) < 0);
	CHECK(prom_sample(&w, "l", "x", -1) == 0);
	CHECK(prom_sample(&w, "l", "y", 1) == 0);
	CHECK(prom_sample(&w, "l", "y", 1) < 0);
	prom_end(&w);
	fclose(f);
	CHECK_MSG(strcmp(buf, "# HELP a_total h\n# TYPE a_total counter\n"
		"a_total 1\n# HELP b back\\\\slash\\nnew\n# TYPE b gauge\n"
		"b{l=\"x\"} -1\nb{l=\"y\"} 1\n") == 0, "%s", buf);
	CHECK(chk_run(&C, buf) == 0);
	chk_free(&C);
	free(buf);
	return 0;
}

/* The checker rejects what it should (so a pass above means something). */
static int
test_checker(void)
{
	static const char *const bad[] = {
		"a_total 1\n",                                 /* no HELP */
		"# HELP a_total h\na_total 1\n",               /* no TYPE */
		"# TYPE a_total counter\na_total 1\n",
		"# HELP a h\n# TYPE a counter\na 1\n",          /* _total */
		"# HELP a_total h\n# TYPE a_total gauge\na_total 1\n",
		"# HELP a h\n# TYPE a summary\na 1\n",
		"# HELP a h\n# HELP a h\n# TYPE a gauge\na 1\n",
		"# HELP a h\n# TYPE a gauge\n# TYPE a gauge\na 1\n",
		"# HELP a h\n# TYPE a gauge\na 1\n# HELP a h\n",
		"# HELP a h\n# TYPE a gauge\n# HELP b h\n# TYPE b gauge\n"
			"a 1\n",
		"# HELP a h\n# TYPE a gauge\na 1\n# HELP b h\n"
			"# TYPE b gauge\nb 1\na 2\n",
		"# HELP a h\n# TYPE a gauge\na 1\na 2\n",
		"# HELP a h\n# TYPE a gauge\na{l=\"1\"} 1\na{l=\"1\"} 2\n",
		"# HELP a h\n# TYPE a gauge\na{l=\"1\",l=\"2\"} 1\n",
		"# HELP a h\n# TYPE a gauge\na{1l=\"1\"} 1\n",
		"# HELP a h\n# TYPE a gauge\na{__l=\"1\"} 1\n",
		"# HELP a h\n# TYPE a gauge\na{l=1} 1\n",
		"# HELP a h\n# TYPE a gauge\na{l=\"\\t\"} 1\n",
		"# HELP a h\n# TYPE a gauge\na{l=\"x} 1\n",
		"# HELP a h\n# TYPE a gauge\na{l=\"x\"  1\n",
		"# HELP a h\n# TYPE a gauge\na  1\n",
		"# HELP a h\n# TYPE a gauge\na one\n",
		"# HELP a h\n# TYPE a gauge\na 1 2\n",
		"# HELP a h\n# TYPE a gauge\na\n",
		"# HELP a h\n# TYPE a gauge\na 1",
		"# HELP a bad\\escape\n# TYPE a gauge\na 1\n",
		"# HELP a-b h\n",
		"# HELP a_total h\n# TYPE a_total counter\na_total -1\n",
	};
	static const char good[] =
		"# a comment\n\n# HELP a_total h \\\\ \\n\n"
		"# TYPE a_total counter\na_total 1\n"
		"# HELP b h\n# TYPE b gauge\nb{l=\"\\\"\\\\\\n\",m=\"\"} -2.5\n"
		"b{l=\"2\"} NaN\nb 1e3\n";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_MSG(chk_run(&C, bad[i]) < 0, "checker took case %zu:\n%s",
			i, bad[i]);
		chk_free(&C);
	}
	CHECK_MSG(chk_run(&C, good) == 0, "%s", C.err);
	CHECK(chk_get(&C, "b{l=\"\\\n,m=}") == -2.5);
	CHECK(chk_get(&C, "b") == 1000);
	chk_free(&C);
	return 0;
}

/*
 * Random mutations of the replies: the reader must neither crash nor
 * take what it cannot write back; what it takes either round-trips and
 * formats into valid exposition text, or the formatter says why not.
 */
static int
test_fuzz(void)
{
	static const char *const cmds[] = { "/ptcp/stats", "/ptcp/states",
		"/ptcp/lcores", "/ptcp/transitions" };
	static const char *const seeds[] = { r_stats, r_states, r_lcores,
		r_conns_arr, r_states_obs, r_trans, rec_stats, rec_lcores,
		rec_conns, rec_trans };
	static const char junk[] = "{}[]\",:\\u0123456789-eEtrufalsn \x80\xff";
	struct tel_doc d = { 0 }, d2 = { 0 };
	uint64_t seed = 8, ok = 0, prom_ok = 0;
	char buf[4096], err[256], *out, *out2, *text;
	unsigned int it;

	for (it = 0; it < 30000; it++) {
		const char *src = seeds[ptcp_test_rand(&seed) %
			(sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = strlen(src), n, j;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, src, len);
		n = 1 + ptcp_test_rand(&seed) % 4;
		for (j = 0; j < n; j++) {
			size_t at = ptcp_test_rand(&seed) % (len + 1);
			char ch = junk[ptcp_test_rand(&seed) %
				(sizeof(junk) - 1)];

			switch (ptcp_test_rand(&seed) % 4) {
			case 0:             /* replace */
				if (at < len)
					buf[at] = ch;
				break;
			case 1:             /* insert */
				if (len + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at,
						len - at);
					buf[at] = ch;
					len++;
				}
				break;
			case 2:             /* delete */
				if (at < len) {
					memmove(buf + at, buf + at + 1,
						len - at - 1);
					len--;
				}
				break;
			default:            /* cut */
				len = at;
			}
		}
		err[0] = '\0';
		if (tel_json_parse(&d, buf, len, err, sizeof(err)) < 0) {
			CHECK(err[0] != '\0' && d.nb == 0);
			continue;
		}
		ok++;
		out = to_json(&d, tel_root(&d));
		CHECK(out != NULL);
		CHECK_MSG(parse(&d2, out, err, sizeof(err)) == 0, "%s: %s",
			out, err);
		out2 = to_json(&d2, tel_root(&d2));
		CHECK(out2 != NULL && strcmp(out, out2) == 0);
		/* whichever reply it looks like, format it as that */
		for (j = 0; j < 4; j++)
			if (tel_reply(&d, cmds[j], NULL, 0) != NULL)
				break;
		text = ptcp_prom4(j == 0 ? out : NULL, j == 1 ? out : NULL,
			j == 2 ? out : NULL, j == 3 ? out : NULL, err,
			sizeof(err));
		if (text != NULL) {
			CHECK_MSG(chk_run(&C, text) == 0, "%s\n%s\nfrom %s",
				C.err, text, out);
			chk_free(&C);
			prom_ok++;
		}
		free(text);
		free(out);
		free(out2);
	}
	printf("  fuzz: 30000 inputs, %" PRIu64 " parsed, %" PRIu64
		" formatted\n", ok, prom_ok);
	CHECK(ok > 100 && prom_ok > 10);
	tel_doc_free(&d);
	tel_doc_free(&d2);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(test_json_roundtrip),
	TEST(test_json_values),
	TEST(test_json_bad),
	TEST(test_json_depth),
	TEST(test_prom_ptcp),
	TEST(test_prom_obs),
	TEST(test_prom_recorded),
	TEST(test_prom_escape),
	TEST(test_prom_bad_types),
	TEST(test_prom_writer),
	TEST(test_checker),
	TEST(test_fuzz),
	{ 0 }
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
