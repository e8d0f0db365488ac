/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp-server: the ptcp endpoint as a server.
 *
 *   ptcp-server [EAL options] -- [--config FILE] [--set section.key=value]...
 *
 * Setup only (as DPDK's l3fwd main.c), in the order main() calls them:
 * configure() (options, configuration, before the EAL), bring_up() (EAL,
 * engine, services, capture), run() (the workers until SIGINT/SIGTERM or
 * --duration), report() (the summary), tear_down().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "ptcp.h"
#include "ptcp_capture.h"
#include "ptcp_config.h"
#include "ptcp_obs.h"
#include "ptcp_tcp.h"
#include "services.h"

#define PROG "ptcp-server"

/* The one piece of process-wide state: what the signal handler stops. */
static struct ptcp_engine *volatile running_engine;

struct options {
	struct ptcp_config_args ca;  /* -c FILE, --set ... */
	bool dump_config;
	double duration;         /* seconds; 0 = until a signal */
	const char *capture;     /* --capture FILE, or NULL */
	const char *capture_filter;
	struct ptcp_capture_filter cap_filter;
};

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [EAL options] -- [options]\n"
"\n"
"Serves TCP on DPDK ports (and answers ARP and ICMP echo). Services, each\n"
"on the port its [server] key gives (0 turns it off; see docs/server.md):\n"
"  echo     RFC 862, server.echo_port     (default 7)\n"
"  discard  RFC 863, server.discard_port  (default 9)\n"
"  daytime  RFC 867, server.daytime_port  (default 13)\n"
"  chargen  RFC 864, server.chargen_port  (default 19)\n"
"  http     HTTP/1.1 GET/HEAD, server.http_port (default 80); body of\n"
"           server.http_body bytes (64), head limit server.http_max_request\n"
"           bytes (8192)\n"
"  rr       one request, one response, then a close (ptcp-churn's peer),\n"
"           server.rr_port (default 5001); server.rr_request bytes in (64),\n"
"           server.rr_response bytes out (64), server.rr_close = client|server\n"
"           (who closes first: client)\n"
"Every service's connections: keepalive (server.keepalive, yes; after\n"
"server.keepalive_idle_s 60 s idle, server.keepalive_cnt 5 probes\n"
"server.keepalive_intvl_s 10 s apart) and an idle timeout\n"
"(server.idle_timeout_s, 300 s with nothing received; 0 = off)\n"
"\n"
"Options:\n"
"  -c, --config FILE        INI configuration (see docs/configuration.md)\n"
"  -s, --set SEC.KEY=VALUE  override one key; repeatable; applied after FILE\n"
"      --dump-config        print the effective configuration and exit\n"
"  -d, --duration SECONDS   stop by itself after this long (default: never)\n"
"      --capture FILE       write what the ports receive and send to FILE,\n"
"                           pcapng (tshark -r FILE; see docs/capture.md)\n"
"      --capture-filter EXPR  only frames matching 'port N', 'host A.B.C.D'\n"
"                           or 'port N and host A.B.C.D' (TCP/UDP port and\n"
"                           IPv4 address, either direction)\n"
"  -h, --help               this text\n"
"\n"
"Example (no NIC, no hugepages):\n"
"  " PROG " --no-huge -m 512 --no-shconf --no-pci --vdev=net_tap0,iface=ptcp0 \\\n"
"      -- -c config/tap.ini\n"
"\n"
"Exit status: 0 on a clean stop, 1 on a runtime error, 2 on bad usage or\n"
"configuration.\n");
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		PTCP_CONFIG_LONGOPTS,
		{ "dump-config", no_argument, NULL, 'D' },
		{ "duration", required_argument, NULL, 'd' },
		{ "capture", required_argument, NULL, 'C' },
		{ "capture-filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[160];
	char *end;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:s:d:h", longopts, NULL)) != -1) {
		ret = ptcp_config_args_take(&o->ca, opt, optarg, PROG);
		if (ret < 0)
			return -1;
		if (ret > 0)
			continue;
		switch (opt) {
		case 'D':
			o->dump_config = true;
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || o->duration < 0) {
				fprintf(stderr, PROG ": --duration: '%s' is not "
					"a number of seconds\n", optarg);
				return -1;
			}
			break;
		case 'C':
			o->capture = optarg;
			break;
		case 'F':
			o->capture_filter = optarg;
			if (ptcp_capture_filter_parse(optarg, &o->cap_filter,
					err, sizeof(err)) != 0) {
				fprintf(stderr, PROG ": %s\n", err);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, PROG ": see --help\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return -1;
	}
	if (o->capture_filter != NULL && o->capture == NULL) {
		fprintf(stderr, PROG ": --capture-filter needs --capture FILE\n");
		return -1;
	}
	return 0;
}

static void
on_signal(int sig)
{
	struct ptcp_engine *e = running_engine;

	(void)sig;
	if (e != NULL)
		ptcp_engine_quit(e);
}

static void
print_ports(const struct ptcp_engine *e)
{
	char ip[16], mask[16];
	unsigned int i;
	uint32_t a, m;

	for (i = 0; i < e->nb_ports; i++) {
		const struct ptcp_port *p = &e->ports[i];

		a = rte_be_to_cpu_32(e->cfg.port[i].addr);
		m = rte_be_to_cpu_32(e->cfg.port[i].netmask);
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
			(a >> 8) & 255, a & 255);
		snprintf(mask, sizeof(mask), "/%u", __builtin_popcount(m));
		if (a == 0) {   /* address = none: VLANs only */
			snprintf(ip, sizeof(ip), "%s", "none");
			mask[0] = '\0';
		}
		printf(PROG ": port%u %s %s%s mac " RTE_ETHER_ADDR_PRT_FMT
			" queues %u csum-offload rx %s/%s tx %s/%s tx-chains %s"
			" tso %s\n", i,
			p->name, ip, mask, RTE_ETHER_ADDR_BYTES(&p->mac),
			p->nb_queues, p->rx_ip_csum ? "ip" : "-",
			p->rx_l4_csum ? "tcp" : "-", p->tx_ip_csum ? "ip" : "-",
			p->tx_l4_csum ? "tcp" : "-",
			p->tx_multi_seg ? "yes" : "no", p->tx_tso ? "yes" : "no");
	}
	for (i = 0; i < PTCP_MAX_VLANS; i++) {
		const struct ptcp_vlan_config *v = &e->cfg.vlan[i];
		const struct ptcp_port *p = &e->ports[v->port];

		if (!v->enabled)
			continue;
		a = rte_be_to_cpu_32(v->addr);
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
			(a >> 8) & 255, a & 255);
		printf(PROG ": vlan%u port%u VLAN %u %s/%u tags tx %s rx %s\n",
			i, v->port, v->id, ip, __builtin_popcount(v->netmask),
			p->tx_vlan_insert ? "nic" : "software",
			p->rx_vlan_strip ? "nic" : "software");
	}
}

/* Wait on the main lcore's behalf when it is not a worker. */
static int
wait_loop(struct ptcp_engine *e, double duration)
{
	uint64_t end = duration > 0 ?
		rte_get_tsc_cycles() + (uint64_t)(duration * rte_get_tsc_hz()) : 0;

	while (!e->force_quit) {
		if (end != 0 && rte_get_tsc_cycles() >= end)
			ptcp_engine_quit(e);
		usleep(10000);
	}
	return 0;
}

struct main_arg {
	struct ptcp_engine *e;
	double duration;
};

/* Worker body on the main lcore: the loop, plus the --duration check. */
static int
main_lcore(void *arg)
{
	struct main_arg *ma = arg;
	struct ptcp_engine *e = ma->e;
	struct ptcp_lcore *lc = ptcp_engine_lcore(e);
	uint64_t end = ma->duration > 0 ? rte_get_tsc_cycles() +
		(uint64_t)(ma->duration * rte_get_tsc_hz()) : 0;

	if (lc == NULL)
		return wait_loop(e, ma->duration);
	while (!e->force_quit) {
		ptcp_lcore_poll(lc);
		if (end != 0 && lc->now_tsc >= end)
			ptcp_engine_quit(e);
	}
	ptcp_tcp_drain(lc);
	ptcp_lcore_tx_drain(lc);
	return 0;
}

/* Worker body on the other lcores: the loop, then TCP's drain. */
static int
worker(void *arg)
{
	struct ptcp_engine *e = arg;
	struct ptcp_lcore *lc = ptcp_engine_lcore(e);

	if (lc == NULL)
		return 0;
	while (!e->force_quit)
		ptcp_lcore_poll(lc);
	ptcp_tcp_drain(lc);
	ptcp_lcore_tx_drain(lc);
	return 0;
}

/* Everything the program brings up, for the run, the report and the end. */
struct server {
	struct ptcp_config cfg;
	struct ptcp_config_schema schema;   /* [server], registered */
	struct ptcp_server_config scfg;     /* what [server] says */
	struct ptcp_engine *e;
	struct services *sv;
	struct ptcp_capture *cap;
	struct ptcp_capture_summary csum;
	int cap_fd;                         /* --capture's, until the capture's */
	bool eal;                           /* rte_eal_init() done */
	bool attached;                      /* ptcp_tcp_attach() done */
	bool pdump;                         /* ptcp_capture_pdump_init() done */
};

/*
 * Our options (after "--"), the configuration, --dump-config and the
 * capture file: every usage error before the EAL starts. Sets *nargs to
 * the EAL's argument count. Returns -1 to go on, else the exit status.
 */
static int
configure(int argc, char **argv, struct options *o, struct server *s,
		int *nargs)
{
	int n = ptcp_config_args_split(argc, argv);

	if (n < 0) {
		usage(stdout);
		return 0;
	}
	*nargs = n;
	ptcp_config_schema_init(&s->schema);
	if (server_config_register(&s->schema, &s->scfg) != 0)
		return 1;
	if (n < argc) {
		argv[n] = argv[0];
		if (parse_args(argc - n, argv + n, o) != 0)
			return 2;
	}
	if (ptcp_config_load_args(&s->cfg, &s->schema, &o->ca, PROG) != 0)
		return 2;
	if (o->dump_config) {
		ptcp_config_dump(&s->cfg, stdout);
		return 0;
	}
	if (s->cfg.nb_ports == 0) {
		fprintf(stderr, PROG ": no port configured: give -c FILE with "
			"a [port0] section, or --set port0.address=A.B.C.D/N\n");
		return 2;
	}
	/* The capture file: a bad path is a usage error, before the EAL. */
	if (o->capture != NULL) {
		s->cap_fd = open(o->capture, O_WRONLY | O_CREAT | O_TRUNC |
			O_CLOEXEC, 0644);
		if (s->cap_fd < 0) {
			fprintf(stderr, PROG ": --capture: cannot open '%s': "
				"%s\n", o->capture, strerror(errno));
			return 2;
		}
	}
	return -1;
}

/*
 * EAL, engine, TCP, telemetry, services listening on every worker, the
 * capture, the ports started. Returns 0, or the exit status (what is up
 * is left for tear_down()).
 */
static int
bring_up(struct server *s, const struct options *o, int nargs, char **argv)
{
	char err[PTCP_CONFIG_ERRLEN * 2];
	unsigned int i;

	if (rte_eal_init(nargs, argv) < 0) {
		fprintf(stderr, PROG ": EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	s->eal = true;
	s->e = ptcp_engine_create(&s->cfg, err, sizeof(err));
	if (s->e == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (ptcp_engine_check_lcores(s->e, err, sizeof(err)) != 0 ||
			ptcp_tcp_attach(s->e, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	s->attached = true;
	ptcp_obs_register(s->e);     /* /ptcp/ telemetry commands */
	/* dpdk-dumpcap can attach (with hugepages and shared config). */
	s->pdump = ptcp_capture_pdump_init();
	s->sv = services_create(s->e, &s->scfg, err, sizeof(err));
	if (s->sv == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return rte_errno == EINVAL ? 2 : 1;
	}
	for (i = 0; i < s->e->nb_lcores; i++) {
		if (services_listen(s->sv, s->e->lcores[i], err,
				sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return 1;
		}
	}
	if (s->cap_fd >= 0) {
		/* Before the ports start: the gratuitous ARPs are in it. */
		s->cap = ptcp_capture_start(s->e, &(struct ptcp_capture_conf){
			.fd = s->cap_fd, .filter = o->cap_filter,
			.appname = PROG }, err, sizeof(err));
		s->cap_fd = -1;          /* the capture's, even on failure */
		if (s->cap == NULL) {
			fprintf(stderr, PROG ": %s\n", err);
			return 1;
		}
	}
	running_engine = s->e;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ptcp_engine_start(s->e, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		running_engine = NULL;
		return 1;
	}
	print_ports(s->e);
	services_describe(s->sv, stdout, PROG ": ");
	printf(PROG ": ready, %u worker lcore(s)\n", s->e->nb_lcores);
	fflush(stdout);
	return 0;
}

/* Every worker polls until a signal or --duration; then all drain. */
static void
run(struct server *s, const struct options *o)
{
	struct main_arg ma = { .e = s->e, .duration = o->duration };
	unsigned int lcore_id;

	RTE_LCORE_FOREACH_WORKER(lcore_id)
		rte_eal_remote_launch(worker, s->e, lcore_id);
	main_lcore(&ma);
	rte_eal_mp_wait_lcore();
	/* No worker polls: nothing is in a capture callback. */
	ptcp_capture_stop(s->cap, &s->csum);
	s->cap = NULL;
	/* Every worker drained: every connection got its closed callback. */
	ptcp_tcp_detach(s->e);
	s->attached = false;
}

/* The counters, per worker, per service, and the capture's summary. */
static void
report(const struct server *s, const struct options *o)
{
	const struct ptcp_engine *e = s->e;
	struct ptcp_stats st;
	unsigned int i, j;

	ptcp_engine_stats(e, &st);
	printf(PROG ": stopping; counters:\n");
	ptcp_stats_print(&st, stdout, "  ");
	if (e->nb_lcores > 1) {
		/* Who did the work, and what steering moved between whom. */
		printf(PROG ": workers:\n");
		for (i = 0; i < e->nb_lcores; i++) {
			const struct ptcp_lcore *w = e->lcores[i];

			printf("  worker %u: rx_pkts %" PRIu64 " tcp_passive_open "
				"%" PRIu64 " steer_out %" PRIu64 " steer_in %"
				PRIu64 " to", i,
				PTCP_STAT_GET(&w->stats, rx_pkts),
				PTCP_STAT_GET(&w->stats, tcp_passive_open),
				PTCP_STAT_GET(&w->stats, steer_out),
				PTCP_STAT_GET(&w->stats, steer_in));
			for (j = 0; j < e->nb_lcores; j++)
				printf(" %" PRIu64, w->steer_to[j]);
			printf("\n");
		}
	}
	printf(PROG ": services:\n");
	services_print(s->sv, stdout, "  ");
	if (o->capture != NULL)
		printf(PROG ": capture: %" PRIu64 " frames (%" PRIu64 " bytes) "
			"written to %s, %" PRIu64 " not captured (pool or ring "
			"full), %" PRIu64 " lost to write errors\n",
			s->csum.written, s->csum.bytes, o->capture,
			s->csum.dropped, s->csum.write_errors);
	printf(PROG ": mbufs in use at stop: %u\n",
		ptcp_engine_mbufs_in_use(e));
	fflush(stdout);
}

/* Whatever is up, in reverse order. */
static void
tear_down(struct server *s)
{
	running_engine = NULL;
	if (s->cap_fd >= 0)
		close(s->cap_fd);
	ptcp_capture_stop(s->cap, NULL);
	if (s->attached)
		ptcp_tcp_detach(s->e);
	services_destroy(s->sv);
	if (s->e != NULL)
		ptcp_engine_destroy(s->e);
	if (s->pdump)
		ptcp_capture_pdump_uninit();
	if (s->eal)
		rte_eal_cleanup();
}

int
main(int argc, char **argv)
{
	struct server s = { .cap_fd = -1 };
	struct options o = { 0 };
	int ret, nargs;

	ret = configure(argc, argv, &o, &s, &nargs);
	if (ret >= 0)
		return ret;    /* help, --dump-config or a usage error: no EAL */
	ret = bring_up(&s, &o, nargs, argv);
	if (ret == 0) {
		run(&s, &o);
		report(&s, &o);
		ret = s.csum.write_errors != 0 ? 1 : 0;
	}
	tear_down(&s);
	return ret;
}
