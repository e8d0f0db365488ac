/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp-churn: connection churn on ptcp's own stack (docs/churn.md).
 *
 *   ptcp-churn [EAL options] -- -c FILE [--set k=v]... --server A.B.C.D:PORT
 *       (--count N | --duration S) [options]
 *
 * Setup, command line and report only (main() calls configure(),
 * bring_up(), run(), tear_down()): the workload is churn.c, run by
 * every worker lcore on its own connections; the main lcore is a worker
 * too and, between two passes of its loop, prints a progress line once a
 * second from the other lcores' plain counters.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_obs.h"
#include "ptcp_tcp.h"

#include "churn.h"
#include "hist.h"
#include "server_config.h"
#include "tw.h"

#define PROG "ptcp-churn"
/* Open connections get this long to finish after a stop. */
#define GRACE_MS 2000
/* Link up and the server's ARP answer: wait at most this long. */
#define READY_MS 5000

/* What the signal handler stops, and how the lcores learn of it. */
struct churn_run {
	volatile bool stop;          /* open nothing more (SIGINT, duration) */
	volatile bool quit;          /* second SIGINT: drain now */
	struct ptcp_engine *e;
	struct churn_params p;
	struct churn_lcore *cl[RTE_MAX_LCORE];   /* by worker index */
	unsigned int nb;
};

/* The one piece of process-wide state: the run the signal handler stops. */
static struct churn_run *volatile running;

struct options {
	struct ptcp_config_args ca;  /* -c FILE, --set ... */
	const char *server;
	double duration;             /* 0: none */
	uint64_t max_failures;
	bool json, quiet;
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [EAL options] -- -c FILE --server A.B.C.D:PORT\n"
"           (--count N | --duration S) [options]\n"
"\n"
"Opens TCP connections on ptcp's own stack, each: connect, send a request,\n"
"read the whole response, close; and again. Reports connections/s, connect\n"
"latency and failures by kind (docs/churn.md).\n"
"\n"
"Options:\n"
"  -c, --config FILE        INI configuration (as ptcp-server's)\n"
"  -s, --set SEC.KEY=VALUE  override one key; repeatable\n"
"      --server A.B.C.D:PORT  where to connect (required)\n"
"  -n, --count N            connections in all (attempts, failed ones too)\n"
"  -d, --duration S         seconds; with --count: whichever comes first\n"
"      --concurrency C      connections open at once (default 64)\n"
"      --rate R             or: connections opened per second, paced\n"
"      --request N          request bytes (default 64)\n"
"      --response M         response bytes expected (default 64)\n"
"      --http               GET / HTTP/1.1 instead; read the head and\n"
"                           Content-Length bytes of body\n"
"      --verify             check the response bytes are the rr pattern\n"
"                           (ptcp-server's rr, or echo with M == N)\n"
"      --closer WHO         client (default): close after the response;\n"
"                           server: wait for the server's FIN, then close;\n"
"                           rst: abort (RST) after the response;\n"
"                           mix (with --http): client, server, rst in\n"
"                           turn, one connection each\n"
"      --lport-min P        local ports (default 32768..60999)\n"
"      --lport-max P\n"
"      --src LIST           source addresses, in turn: A.B.C.D,A.B.C.E-F,...\n"
"                           (each the port's address or one of its\n"
"                           extra_addresses; default: the port's address);\n"
"                           every source has the whole port range\n"
"      --connect-timeout MS SYN to connected (default 3000; 0 = none)\n"
"      --timeout MS         connected to done (default 10000; 0 = none)\n"
"      --max-failures N     exit 1 when failures exceed N (default 0)\n"
"      --json               summary as one JSON object on stdout\n"
"                           (progress lines go to stderr)\n"
"  -q, --quiet              no progress lines\n"
"  -h, --help               this text\n"
"\n"
"Example (two processes over net_memif; start ptcp-server first):\n"
"  " PROG " --no-huge -m 1024 --no-shconf --no-pci -l 1 --file-prefix churn \\\n"
"      --vdev=net_memif0,role=client,socket=/tmp/ptcp-memif.sock \\\n"
"      -- -c config/memif-churn.ini --server 10.97.0.1:5001 -d 10\n"
"\n"
"Exit status: 0, 1 when failures exceed --max-failures or on a runtime\n"
"error, 2 on bad usage or configuration.\n");
}

/* Whole unsigned number in [min, max]. */
static int
parse_num(const char *opt, const char *s, uint64_t min, uint64_t max,
		uint64_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		goto bad;
	*v = x;
	return 0;
bad:
	fprintf(stderr, PROG ": --%s: '%s' is not a number in %" PRIu64
		"..%" PRIu64 "\n", opt, s, min, max);
	return -1;
}

static int
parse_seconds(const char *opt, const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s || !(*v > 0) ||
			*v > 1e9) {
		fprintf(stderr, PROG ": --%s: '%s' is not a positive number\n",
			opt, s);
		return -1;
	}
	return 0;
}

static int
parse_server(const char *s, struct churn_params *p)
{
	char addr[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	struct in_addr a;
	uint64_t port;
	size_t n;

	n = colon != NULL ? (size_t)(colon - s) : 0;
	if (colon == NULL || n == 0 || n >= sizeof(addr))
		goto bad;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1 || a.s_addr == 0)
		goto bad;
	if (parse_num("server", colon + 1, 1, 65535, &port) != 0)
		return -1;
	p->raddr = a.s_addr;
	p->rport = (uint16_t)port;
	return 0;
bad:
	fprintf(stderr, PROG ": --server: '%s' is not A.B.C.D:PORT\n", s);
	return -1;
}

/* The rules between options, once all are read. */
static int
check_args(const struct options *o, struct churn_params *p, bool conc_set,
		bool resp_set)
{
	if (o->server == NULL) {
		fprintf(stderr, PROG ": --server A.B.C.D:PORT is required\n");
		return -1;
	}
	if (p->count == 0 && o->duration == 0) {
		fprintf(stderr, PROG ": give --count N or --duration S (or "
			"both)\n");
		return -1;
	}
	if (conc_set && p->rate > 0) {
		fprintf(stderr, PROG ": --concurrency and --rate exclude each "
			"other\n");
		return -1;
	}
	if (p->http && (resp_set || p->verify)) {
		fprintf(stderr, PROG ": --http reads the response's "
			"Content-Length: no --response or --verify with it\n");
		return -1;
	}
	if (p->closer == CHURN_CLOSE_MIX && !p->http) {
		fprintf(stderr, PROG ": --closer mix needs --http (rr's "
			"closer is the server's [server] rr_close)\n");
		return -1;
	}
	if (p->lport_max < p->lport_min) {
		fprintf(stderr, PROG ": --lport-max %u is below --lport-min "
			"%u\n", p->lport_max, p->lport_min);
		return -1;
	}
	if (p->rate > 0)
		p->concurrency = 0;
	return 0;
}

enum {
	O_SERVER = 256, O_CONC, O_RATE, O_REQ, O_RESP, O_HTTP, O_VERIFY,
	O_CLOSER, O_LMIN, O_LMAX, O_SRC, O_CTMO, O_TMO, O_MAXF, O_JSON,
};

static int
parse_args(int argc, char **argv, struct options *o, struct churn_params *p)
{
	static const struct option longopts[] = {
		PTCP_CONFIG_LONGOPTS,
		{ "server", required_argument, NULL, O_SERVER },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "concurrency", required_argument, NULL, O_CONC },
		{ "rate", required_argument, NULL, O_RATE },
		{ "request", required_argument, NULL, O_REQ },
		{ "response", required_argument, NULL, O_RESP },
		{ "http", no_argument, NULL, O_HTTP },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "closer", required_argument, NULL, O_CLOSER },
		{ "lport-min", required_argument, NULL, O_LMIN },
		{ "lport-max", required_argument, NULL, O_LMAX },
		{ "src", required_argument, NULL, O_SRC },
		{ "connect-timeout", required_argument, NULL, O_CTMO },
		{ "timeout", required_argument, NULL, O_TMO },
		{ "max-failures", required_argument, NULL, O_MAXF },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool conc_set = false, resp_set = false;
	uint64_t v;
	int cl;
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:s:n:d:qh", longopts,
			NULL)) != -1) {
		ret = ptcp_config_args_take(&o->ca, opt, optarg, PROG);
		if (ret < 0)
			return -1;
		if (ret > 0)
			continue;
		switch (opt) {
		case O_SERVER:
			o->server = optarg;
			if (parse_server(optarg, p) != 0)
				return -1;
			break;
		case 'n':
			if (parse_num("count", optarg, 1, UINT64_MAX / 2,
					&p->count) != 0)
				return -1;
			break;
		case 'd':
			if (parse_seconds("duration", optarg, &o->duration) != 0)
				return -1;
			break;
		case O_CONC:
			if (parse_num("concurrency", optarg, 1, 1u << 24,
					&v) != 0)
				return -1;
			p->concurrency = (uint32_t)v;
			conc_set = true;
			break;
		case O_RATE:
			if (parse_seconds("rate", optarg, &p->rate) != 0)
				return -1;
			break;
		case O_REQ:
			if (parse_num("request", optarg, 0, 1u << 30, &v) != 0)
				return -1;
			p->request = (uint32_t)v;
			break;
		case O_RESP:
			if (parse_num("response", optarg, 0, 1u << 30, &v) != 0)
				return -1;
			p->response = (uint32_t)v;
			resp_set = true;
			break;
		case O_HTTP:
			p->http = true;
			break;
		case O_VERIFY:
			p->verify = true;
			break;
		case O_CLOSER:
			cl = churn_closer_parse(optarg);
			if (cl < 0) {
				fprintf(stderr, PROG ": --closer: '%s' is not "
					"client, server, rst or mix\n", optarg);
				return -1;
			}
			p->closer = (uint8_t)cl;
			break;
		case O_LMIN:
		case O_LMAX:
			if (parse_num(opt == O_LMIN ? "lport-min" : "lport-max",
					optarg, 1, 65535, &v) != 0)
				return -1;
			if (opt == O_LMIN)
				p->lport_min = (uint16_t)v;
			else
				p->lport_max = (uint16_t)v;
			break;
		case O_SRC: {
			char why[PTCP_CONFIG_ERRLEN];

			if (ptcp_parse_addr_list(optarg, p->src, CHURN_MAX_SRC,
					&p->nb_src, why, sizeof(why)) != 0) {
				fprintf(stderr, PROG ": --src: %s\n", why);
				return -1;
			}
			break;
		}
		case O_CTMO:
		case O_TMO:
			if (parse_num(opt == O_CTMO ? "connect-timeout" :
					"timeout", optarg, 0, 3600000, &v) != 0)
				return -1;
			if (opt == O_CTMO)
				p->connect_timeout_ms = (uint32_t)v;
			else
				p->io_timeout_ms = (uint32_t)v;
			break;
		case O_MAXF:
			if (parse_num("max-failures", optarg, 0, UINT64_MAX / 2,
					&o->max_failures) != 0)
				return -1;
			break;
		case O_JSON:
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr, PROG ": %s needs a value (see --help)\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, PROG ": unknown option '%s' (see "
				"--help)\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return -1;
	}
	return check_args(o, p, conc_set, resp_set);
}

static void
on_signal(int sig)
{
	struct churn_run *r = running;

	(void)sig;
	if (r == NULL)
		return;
	if (r->stop)
		r->quit = true;
	r->stop = true;
}

/* ----- reading the lcores' counters (any lcore, no locks) ----- */

struct totals {
	struct churn_stats st;         /* summed; finished: all of them */
	uint64_t failed;
};

static void
sum_stats(const struct churn_run *r, struct totals *t)
{
	unsigned int i, k;

	memset(t, 0, sizeof(*t));
	t->st.finished = true;
	for (i = 0; i < r->nb; i++) {
		const volatile struct churn_stats *s = &r->cl[i]->st;

		t->st.started += s->started;
		t->st.connected += s->connected;
		t->st.ok += s->ok;
		for (k = 0; k < CHURN_FAIL_MAX; k++)
			t->st.fail[k] += s->fail[k];
		t->st.unfinished += s->unfinished;
		t->st.open += s->open;
		t->st.established += s->established;
		t->st.bytes_out += s->bytes_out;
		t->st.bytes_in += s->bytes_in;
		t->st.tw += s->tw;
		t->st.finished = t->st.finished && s->finished;
	}
	for (k = 0; k < CHURN_FAIL_MAX; k++)
		t->failed += t->st.fail[k];
}

/* The stacks' TIME-WAIT figures, summed over the lcores (tw.h). */
static void
sum_tw(const struct churn_run *r, struct churn_tw *tw)
{
	unsigned int i;

	memset(tw, 0, sizeof(*tw));
	for (i = 0; i < r->nb; i++)
		churn_tw_add(tw, r->e->lcores[i]);
}

static void
merge_hist(const struct churn_run *r, struct hist *out)
{
	unsigned int i;

	hist_reset(out);
	for (i = 0; i < r->nb; i++)
		hist_merge(out, &r->cl[i]->lat);
}

/* ----- progress ----- */

struct progress {
	uint64_t start_tsc;
	uint64_t next_tsc;
	uint64_t last_tsc;
	uint64_t last_ok;
	uint64_t last_port_fail;
	double peak_cps;
	struct hist prev, now, sec;    /* cumulative then, now; the second */
	FILE *out;
	bool quiet;
};

static void
tuple_notice(const struct churn_run *r, const struct totals *t)
{
	const struct churn_params *p = &r->p;
	const struct ptcp_config *cfg = &r->e->cfg;
	struct in_addr a = { .s_addr = p->raddr };
	char ip[INET_ADDRSTRLEN];
	const char *why;

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (!cfg->tcp.timestamps)
		why = "[tcp] timestamps is off: our TIME-WAIT tuples cannot "
			"be reused before 2*MSL; turn it on, or see --closer "
			"server";
	else if (p->closer == CHURN_CLOSE_CLIENT)
		why = "TIME-WAIT reuse needs timestamps and 1 s: see "
			"--closer server";
	else
		why = "widen --lport-min/--lport-max, add --src addresses, or "
			"lower --concurrency";
	fprintf(stderr, PROG ": tuple space exhausted: %u local ports x %u "
		"source address(es) toward %s:%u, %" PRIu64 " open, %" PRIu64
		" in TIME-WAIT (%s)\n",
		(unsigned int)(p->lport_max - p->lport_min + 1),
		RTE_MAX(p->nb_src, 1u), ip, p->rport, t->st.open, t->st.tw,
		why);
}

/* Every --src must be an address of the port that reaches the server. */
static int
check_sources(const struct ptcp_config *cfg, const struct churn_params *p)
{
	char ip[INET_ADDRSTRLEN];
	const struct ptcp_port_config *pc = NULL;
	unsigned int i, k;
	bool ok;

	for (i = 0; i < cfg->nb_ports && pc == NULL; i++)
		if (((cfg->port[i].addr ^ p->raddr) & cfg->port[i].netmask) == 0)
			pc = &cfg->port[i];
	for (i = 0; i < cfg->nb_ports && pc == NULL; i++)
		if (cfg->port[i].gateway != 0)
			pc = &cfg->port[i];
	for (i = 0; i < p->nb_src && pc != NULL; i++) {
		ok = p->src[i] == pc->addr;
		for (k = 0; k < pc->nb_extra && !ok; k++)
			ok = p->src[i] == pc->extra_addr[k];
		if (!ok) {
			inet_ntop(AF_INET, &p->src[i], ip, sizeof(ip));
			fprintf(stderr, PROG ": --src %s: not an address of the "
				"port toward the server (add it to [port%u] "
				"extra_addresses)\n", ip,
				(unsigned int)(pc - cfg->port));
			return -1;
		}
	}
	return 0;
}

static void
progress_line(struct churn_run *r, struct progress *pg, uint64_t now)
{
	double dt = (double)(now - pg->last_tsc) / (double)r->p.tsc_hz;
	double el = (double)(now - pg->start_tsc) / (double)r->p.tsc_hz;
	struct churn_tw tw;
	struct totals t;
	double cps;
	unsigned int k;
	bool any = false;

	sum_stats(r, &t);
	merge_hist(r, &pg->now);
	hist_diff(&pg->sec, &pg->now, &pg->prev);
	pg->prev = pg->now;
	cps = dt > 0 ? (double)(t.st.ok - pg->last_ok) / dt : 0;
	if (cps > pg->peak_cps)
		pg->peak_cps = cps;
	pg->last_ok = t.st.ok;
	pg->last_tsc = now;
	if (t.st.fail[CHURN_FAIL_PORT] != pg->last_port_fail) {
		pg->last_port_fail = t.st.fail[CHURN_FAIL_PORT];
		tuple_notice(r, &t);
	}
	if (pg->quiet)
		return;
	fprintf(pg->out, "%7.1f s  cps %8.0f  est %6" PRIu64 "  ok %10" PRIu64
		"  fail %" PRIu64, el, cps, t.st.established, t.st.ok,
		t.failed);
	for (k = 0; k < CHURN_FAIL_MAX; k++) {
		if (t.st.fail[k] == 0)
			continue;
		fprintf(pg->out, "%s%s %" PRIu64, any ? ", " : " (",
			churn_fail_name(k), t.st.fail[k]);
		any = true;
	}
	/* The TIME-WAIT account goes before "tw N", which stays the last
	 * field (tests/bench/churn/timewait.sh reads it as $NF). */
	sum_tw(r, &tw);
	fprintf(pg->out, "%s  connect p50 %.1f p99 %.1f us  tw_in %" PRIu64
		"  tw_cap %" PRIu64 "  tw_reuse %" PRIu64 "/%" PRIu64
		"  tw_peak %" PRIu64 "  tw %" PRIu64 "\n",
		any ? ")" : "", hist_percentile(&pg->sec, 50) / 1e3,
		hist_percentile(&pg->sec, 99) / 1e3, tw.entered, tw.cap,
		tw.reuse_connect, tw.reuse_syn, tw.peak, t.st.tw);
	fflush(pg->out);
}

/* ----- the lcores ----- */

struct lcore_arg {
	struct churn_run *r;
	struct churn_lcore *cl;
	struct progress *pg;           /* main lcore only */
	double duration;
};

/* Poll and step until done; then drain (what is left is unfinished). */
static void
lcore_run(struct lcore_arg *a)
{
	struct churn_run *r = a->r;
	struct churn_lcore *cl = a->cl;
	struct ptcp_lcore *lc = cl->lc;
	struct progress *pg = a->pg;
	uint64_t hz = r->p.tsc_hz, stop_tsc = 0, end_tsc = 0, now;
	struct totals t;

	if (pg != NULL && a->duration > 0)
		end_tsc = pg->start_tsc + (uint64_t)(a->duration * (double)hz);
	while (!r->quit) {
		ptcp_lcore_poll(lc);
		now = lc->now_tsc;
		churn_lcore_step(cl, now);
		if (r->stop && stop_tsc == 0) {
			churn_lcore_stop(cl);
			stop_tsc = now;
		}
		if (pg != NULL) {
			/* The main lcore: the clock and the progress line. */
			if (end_tsc != 0 && now >= end_tsc)
				r->stop = true;
			if (now >= pg->next_tsc) {
				progress_line(r, pg, now);
				pg->next_tsc += hz;
			}
			if (cl->st.finished) {
				sum_stats(r, &t);
				if (t.st.finished)
					break;
			}
		} else if (cl->st.finished) {
			break;
		}
		if (stop_tsc != 0 && now - stop_tsc >= hz * GRACE_MS / 1000)
			break;
	}
	churn_lcore_draining(cl);
	ptcp_tcp_drain(lc);
	ptcp_lcore_tx_drain(lc);
}

static int
worker(void *arg)
{
	lcore_run(arg);
	return 0;
}

/*
 * Before the clock starts: every port's link up, and the next hop toward
 * the server answering ARP on the main lcore (the others' first SYNs wait
 * on their own ARP). Bounded; says what it did not get.
 */
static void
wait_ready(struct churn_run *r, struct ptcp_lcore *lc)
{
	const struct churn_params *p = &r->p;
	uint64_t hz = p->tsc_hz, end = rte_get_tsc_cycles() + hz * READY_MS /
		1000, next_req = 0;
	struct rte_eth_link link;
	unsigned int i, ifidx;
	enum ptcp_arp_state s;
	uint32_t nh = 0;
	bool up = false;

	for (ifidx = 0; ifidx < lc->nb_ifs; ifidx++)
		if (ptcp_ipv4_on_link(&lc->ifs[ifidx].ip, p->raddr))
			break;
	if (ifidx < lc->nb_ifs)
		nh = p->raddr;
	else
		for (ifidx = 0; ifidx < lc->nb_ifs; ifidx++)
			if ((nh = lc->ifs[ifidx].gateway) != 0)
				break;
	while (!r->stop && rte_get_tsc_cycles() < end) {
		ptcp_lcore_poll(lc);
		for (i = 0, up = true; i < r->e->nb_ports; i++) {
			memset(&link, 0, sizeof(link));
			if (rte_eth_link_get_nowait(r->e->ports[i].port_id,
					&link) != 0 || !link.link_status)
				up = false;
		}
		if (!up) {
			usleep(1000);
			continue;
		}
		if (nh == 0 || ifidx >= lc->nb_ifs)
			return;
		s = ptcp_arp_state_of(lc->ifs[ifidx].arp, nh);
		if (s == PTCP_ARP_REACHABLE || s == PTCP_ARP_STATIC)
			return;
		if (lc->now_tsc >= next_req) {
			ptcp_arp_request(lc, ifidx, nh);
			next_req = lc->now_tsc + hz / 5;
		}
	}
	if (r->stop)
		return;
	if (!up)
		fprintf(stderr, PROG ": link still down after %u ms; starting "
			"anyway\n", READY_MS);
	else
		fprintf(stderr, PROG ": no ARP answer from the next hop after "
			"%u ms; starting anyway\n", READY_MS);
}

/* ----- the summary ----- */

static void
print_summary(const struct churn_run *r, const struct progress *pg,
		double elapsed, const char *reason, FILE *f, bool json)
{
	static const enum ptcp_stat_id tcp_ids[] = {
		PTCP_STAT_tcp_active_open, PTCP_STAT_tcp_rst_rx,
		PTCP_STAT_tcp_syn_rexmt, PTCP_STAT_tcp_tw_reuse_connect,
		PTCP_STAT_tcp_port_exhausted, PTCP_STAT_tcp_segs_out,
		PTCP_STAT_tcp_rexmt, PTCP_STAT_tcp_fin_rexmt, PTCP_STAT_tcp_rto,
	};
	static const char *const tcp_names[] = {
		"tcp_active_open", "tcp_rst_rx", "tcp_syn_rexmt",
		"tcp_tw_reuse_connect", "tcp_port_exhausted", "tcp_segs_out",
		"tcp_rexmt", "tcp_fin_rexmt", "tcp_rto",
	};
	static const double pct[] = { 50, 90, 99, 99.9 };
	static const char *const pct_names[] = { "p50", "p90", "p99", "p999" };
	const struct churn_params *p = &r->p;
	struct in_addr a = { .s_addr = p->raddr };
	char ip[INET_ADDRSTRLEN];
	uint32_t max_tw = r->e->cfg.tcp.max_tw;
	struct ptcp_stats st;
	struct churn_tw tw;
	struct totals t;
	struct hist *h;
	double avg;
	unsigned int k;

	h = rte_malloc("churn_hist", sizeof(*h), 0);
	if (h == NULL)
		return;
	merge_hist(r, h);
	sum_stats(r, &t);
	sum_tw(r, &tw);
	ptcp_engine_stats(r->e, &st);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	avg = elapsed > 0 ? (double)t.st.ok / elapsed : 0;
	if (json) {
		fprintf(f, "{\"server\": \"%s:%u\", \"closer\": \"%s\", "
			"\"mode\": \"%s\", \"concurrency\": %u, \"rate\": %.0f, "
			"\"lcores\": %u, \"elapsed_s\": %.3f, \"stop\": \"%s\", "
			"\"started\": %" PRIu64 ", \"ok\": %" PRIu64
			", \"failed\": %" PRIu64 ", \"unfinished\": %" PRIu64
			", \"cps_avg\": %.1f, \"cps_peak\": %.1f, "
			"\"connect_us\": {", ip, p->rport,
			churn_closer_name(p->closer), p->http ? "http" : "rr",
			p->concurrency, p->rate, r->nb, elapsed, reason,
			t.st.started, t.st.ok, t.failed, t.st.unfinished, avg,
			pg->peak_cps);
		for (k = 0; k < RTE_DIM(pct); k++)
			fprintf(f, "\"%s\": %.3f, ", pct_names[k],
				hist_percentile(h, pct[k]) / 1e3);
		fprintf(f, "\"max\": %.3f, \"mean\": %.3f, \"count\": %"
			PRIu64 "}, \"failures\": {",
			h->count ? h->max / 1e3 : 0.0, hist_mean(h) / 1e3,
			h->count);
		for (k = 0; k < CHURN_FAIL_MAX; k++)
			fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "",
				churn_fail_name(k), t.st.fail[k]);
		fprintf(f, "}, \"bytes_out\": %" PRIu64 ", \"bytes_in\": %"
			PRIu64 ", \"tcp\": {", t.st.bytes_out, t.st.bytes_in);
		for (k = 0; k < RTE_DIM(tcp_ids); k++)
			fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "",
				tcp_names[k], st.c[tcp_ids[k]]);
		fprintf(f, "}, ");
		churn_tw_print_json(f, &tw, p->closer, max_tw);
		fprintf(f, ", \"time_wait\": %" PRIu64 ", \"mbufs_in_use\": "
			"%u}\n", t.st.tw, ptcp_engine_mbufs_in_use(r->e));
	} else {
		fprintf(f, PROG ": %s after %.2f s, %s:%u, closer %s, %s, %u "
			"lcore(s)\n", reason, elapsed, ip, p->rport,
			churn_closer_name(p->closer), p->http ? "http" : "rr",
			r->nb);
		fprintf(f, "  connections  ok %" PRIu64 "  failed %" PRIu64
			"  unfinished %" PRIu64 "  started %" PRIu64 "\n",
			t.st.ok, t.failed, t.st.unfinished, t.st.started);
		fprintf(f, "  per second   average %.0f  peak %.0f\n", avg,
			pg->peak_cps);
		fprintf(f, "  connect us  ");
		for (k = 0; k < RTE_DIM(pct); k++)
			fprintf(f, " %s %.1f", pct_names[k],
				hist_percentile(h, pct[k]) / 1e3);
		fprintf(f, " max %.1f mean %.1f (%" PRIu64 " samples)\n",
			h->count ? h->max / 1e3 : 0.0, hist_mean(h) / 1e3,
			h->count);
		fprintf(f, "  failures    ");
		for (k = 0; k < CHURN_FAIL_MAX; k++)
			fprintf(f, " %s %" PRIu64, churn_fail_name(k),
				t.st.fail[k]);
		fprintf(f, "\n  bytes        out %" PRIu64 "  in %" PRIu64
			"\n  tcp         ", t.st.bytes_out, t.st.bytes_in);
		for (k = 0; k < RTE_DIM(tcp_ids); k++)
			fprintf(f, " %s %" PRIu64, tcp_names[k],
				st.c[tcp_ids[k]]);
		fprintf(f, "\n  time-wait    %" PRIu64 " (at the last sample)\n",
			t.st.tw);
		churn_tw_print_text(f, &tw, p->closer, max_tw, r->nb);
		fprintf(f, "  mbufs in use at stop: %u\n",
			ptcp_engine_mbufs_in_use(r->e));
	}
	fflush(f);
	rte_free(h);
}

/* ----- main ----- */

/* Each worker's churn state, its connection contexts allocated. */
static int
lcores_init(struct churn_run *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->nb; i++) {
		r->cl[i] = rte_zmalloc("churn_lcore", sizeof(struct churn_lcore),
				RTE_CACHE_LINE_SIZE);
		if (r->cl[i] == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			return 1;
		}
		ret = churn_lcore_init(r->cl[i], r->e->lcores[i], &r->p, i,
			r->nb);
		if (ret == -EINVAL) {
			fprintf(stderr, PROG ": %u local ports for %u lcores\n",
				r->p.lport_max - r->p.lport_min + 1, r->nb);
			return 2;
		}
		if (ret != 0) {
			fprintf(stderr, PROG ": worker %u: out of memory for "
				"%u connection contexts\n", i,
				r->cl[i]->nb_conns);
			return 1;
		}
	}
	return 0;
}

/* Every worker churns until done; returns the seconds it took. */
static double
launch(struct churn_run *r, struct progress *pg, const struct options *o)
{
	struct lcore_arg args[RTE_MAX_LCORE];
	unsigned int i, lcore_id;
	double elapsed;

	pg->start_tsc = pg->last_tsc = rte_get_tsc_cycles();
	pg->next_tsc = pg->start_tsc + r->p.tsc_hz;
	for (i = 0; i < r->nb; i++) {
		args[i].r = r;
		args[i].cl = r->cl[i];
		args[i].pg = i == 0 ? pg : NULL;
		args[i].duration = o->duration;
	}
	RTE_LCORE_FOREACH_WORKER(lcore_id) {
		int idx = r->e->lcore_to_idx[lcore_id];

		if (idx > 0)
			rte_eal_remote_launch(worker, &args[idx], lcore_id);
	}
	lcore_run(&args[0]);
	elapsed = (double)(rte_get_tsc_cycles() - pg->start_tsc) /
		(double)r->p.tsc_hz;
	rte_eal_mp_wait_lcore();
	return elapsed;
}

/* The summary, and the exit status: 1 past --max-failures. */
static int
report(struct churn_run *r, const struct progress *pg, double elapsed,
		const struct options *o)
{
	struct totals t;
	const char *reason;

	sum_stats(r, &t);
	if (r->quit)
		reason = "interrupted";
	else if (r->stop && o->duration > 0 && elapsed >= o->duration)
		reason = "duration reached";
	else if (r->stop)
		reason = "stopped";
	else
		reason = "count reached";
	print_summary(r, pg, elapsed, reason, stdout, o->json);
	if (t.failed > o->max_failures) {
		fprintf(stderr, PROG ": %" PRIu64 " failures, more than "
			"--max-failures %" PRIu64 "\n", t.failed,
			o->max_failures);
		return 1;
	}
	return 0;
}

static int
run(struct churn_run *r, const struct options *o)
{
	struct ptcp_lcore *lc = ptcp_engine_lcore(r->e);
	struct progress *pg;
	double elapsed;
	int ret;

	if (lc == NULL || lc->idx != 0) {
		fprintf(stderr, PROG ": the main lcore must be worker 0\n");
		return 1;
	}
	pg = rte_zmalloc("churn_progress", sizeof(*pg), 0);
	if (pg == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	hist_reset(&pg->prev);
	pg->out = o->json ? stderr : stdout;
	pg->quiet = o->quiet;
	ret = lcores_init(r);
	if (ret == 0) {
		wait_ready(r, lc);
		elapsed = launch(r, pg, o);
		ret = report(r, pg, elapsed, o);
	}
	rte_free(pg);
	return ret;
}

/* The configuration, and the [server] section a shared file may hold. */
struct churn_config {
	struct ptcp_config cfg;
	struct ptcp_config_schema schema;
	struct ptcp_server_config server;    /* checked, not used */
};

/*
 * Our options (after "--") and the configuration: every usage error
 * before the EAL starts. Sets *nargs to the EAL's argument count. Returns
 * -1 to go on, else the exit status.
 */
static int
configure(int argc, char **argv, struct options *o, struct churn_params *p,
		struct churn_config *c, int *nargs)
{
	struct ptcp_config *cfg = &c->cfg;
	int n = ptcp_config_args_split(argc, argv);

	if (n < 0) {
		usage(stdout);
		return 0;
	}
	if (n == argc) {
		fprintf(stderr, PROG ": no options: give EAL options, then "
			"-- -c FILE --server A.B.C.D:PORT ... (see --help)\n");
		return 2;
	}
	*nargs = n;
	argv[n] = argv[0];
	if (parse_args(argc - n, argv + n, o, p) != 0)
		return 2;
	ptcp_config_schema_init(&c->schema);
	if (server_config_register(&c->schema, &c->server) != 0)
		return 1;
	if (ptcp_config_load_args(cfg, &c->schema, &o->ca, PROG) != 0)
		return 2;
	if (cfg->nb_ports == 0) {
		fprintf(stderr, PROG ": no port configured: give -c FILE\n");
		return 2;
	}
	if (check_sources(cfg, p) != 0)
		return 2;
	p->max_open = cfg->tcp.max_conns;
	return -1;
}

/*
 * The EAL, the engine with TCP, started; the run the signals stop.
 * Without an engine, nothing is left up (*ep stays NULL).
 */
static int
bring_up(struct churn_run **rp, struct ptcp_engine **ep,
		const struct ptcp_config *cfg, struct churn_params *p,
		int nargs, char **argv)
{
	char err[PTCP_CONFIG_ERRLEN * 2];
	struct churn_run *r;
	struct ptcp_engine *e;

	if (rte_eal_init(nargs, argv) < 0) {
		fprintf(stderr, PROG ": EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	p->tsc_hz = rte_get_tsc_hz();
	e = ptcp_engine_create(cfg, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		rte_eal_cleanup();
		return 1;
	}
	*ep = e;
	r = rte_zmalloc("churn_run", sizeof(*r), 0);
	*rp = r;
	if (r == NULL || ptcp_engine_check_lcores(e, err, sizeof(err)) != 0 ||
			ptcp_tcp_attach(e, err, sizeof(err)) != 0 ||
			ptcp_engine_start(e, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", r == NULL ? "out of memory" :
			err);
		return 1;
	}
	ptcp_obs_register(e);     /* /ptcp/ telemetry commands */
	r->e = e;
	r->p = *p;
	r->nb = e->nb_lcores;
	return 0;
}

/* What bring_up() and run() set up, the EAL last. */
static void
tear_down(struct churn_run *r, struct ptcp_engine *e)
{
	unsigned int i;

	ptcp_tcp_detach(e);
	if (r != NULL) {
		for (i = 0; i < r->nb; i++) {
			if (r->cl[i] != NULL)
				churn_lcore_free(r->cl[i]);
			rte_free(r->cl[i]);
		}
		rte_free(r);
	}
	ptcp_engine_destroy(e);
	rte_eal_cleanup();
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct churn_run *r = NULL;
	struct ptcp_engine *e = NULL;
	struct churn_config c;
	struct churn_params p = {
		.concurrency = 64,
		.request = 64,
		.response = 64,
		.closer = CHURN_CLOSE_CLIENT,
		.lport_min = 32768,
		.lport_max = 60999,
		.connect_timeout_ms = 3000,
		.io_timeout_ms = 10000,
	};
	int ret, nargs;

	ret = configure(argc, argv, &o, &p, &c, &nargs);
	if (ret >= 0)
		return ret;    /* help or a usage error: no EAL */
	ret = bring_up(&r, &e, &c.cfg, &p, nargs, argv);
	if (e == NULL)
		return ret;    /* no EAL, or no engine (EAL cleaned up) */
	if (ret == 0) {
		running = r;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		ret = run(r, &o);
		running = NULL;
	}
	tear_down(r, e);
	return ret;
}
