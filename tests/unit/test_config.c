/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/config: defaults, the example files, every error path
 * with its exact message, --set overrides, and the dump -> load round trip.
 * No EAL: the parser runs before rte_eal_init().
 *
 * Each test writes its INI text to t.ini in a private temporary directory.
 * Expected messages that start with ':' are prefixed with that file's path;
 * the others ("command line: ...") are compared as they are.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "ptcp_config.h"
#include "ptcp_config_value.h"
#include "ptcp_test.h"
#include "server_config.h"

#ifndef PTCP_SOURCE_ROOT
#define PTCP_SOURCE_ROOT "."
#endif

struct env {
	char dir[PATH_MAX / 2];	/* the temporary directory */
	char path[PATH_MAX];	/* dir/t.ini */
	struct ptcp_config cfg;
	/* ptcp-server's [server], registered as ptcp-server does */
	struct ptcp_config_schema schema;
	struct ptcp_server_config srv;
	char err[PTCP_CONFIG_ERRLEN];
};

/* The one environment of every test (main() makes it and the directory). */
static struct env *env;

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Write @p ini to t.ini and load it with the overrides. */
static int
load(struct env *e, const char *ini, const char *const *ovr, unsigned int n)
{
	if (write_file(e->path, ini) != 0) {
		fprintf(stderr, "  cannot write %s\n", e->path);
		exit(2);
	}
	e->err[0] = '\0';
	return ptcp_config_load_with(&e->cfg, &e->schema,
		e->path, ovr, n, e->err,
		sizeof(e->err));
}

/* A load that must fail with -EINVAL and exactly @p expect. */
static int
fails(struct env *e, const char *ini, const char *const *ovr,
		unsigned int n, const char *expect)
{
	char full[PATH_MAX + PTCP_CONFIG_ERRLEN];
	int ret = load(e, ini, ovr, n);

	if (expect[0] == ':')
		snprintf(full, sizeof(full), "%s%s", e->path, expect);
	else
		snprintf(full, sizeof(full), "%s", expect);
	CHECK_EQ(ret, (unsigned long long)-EINVAL);
	CHECK(strchr(e->err, '\n') == NULL);
	CHECK_STR(e->err, full);
	return 0;
}

#define FAILS(ini, expect) CHECK(fails(e, ini, NULL, 0, expect) == 0)
#define FAILS_SET(ini, ovr, expect) \
	CHECK(fails(e, ini, ovr, RTE_DIM(ovr), expect) == 0)
#define LOADS(ini) do { \
	int r_ = load(e, ini, NULL, 0); \
	if (r_ != 0) { \
		TEST_FAIL("load: %d %s", r_, e->err); \
		return -1; \
	} \
} while (0)

#define PORT0 "[port0]\naddress = 10.0.0.2/24\n"

/* ----- defaults and example files ----- */

static int
defaults_are_the_documented_ones(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;
	unsigned int i;

	ptcp_config_defaults(c);
	ptcp_config_section_defaults(&server_config_section, &e->srv);
	CHECK_EQ(c->nb_ports, 0);
	for (i = 0; i < PTCP_MAX_PORTS; i++) {
		CHECK(!c->port[i].enabled);
		CHECK_EQ(c->port[i].rx_desc, 1024);
		CHECK_EQ(c->port[i].tx_desc, 1024);
		CHECK_EQ(c->port[i].mtu, 1500);
		CHECK_EQ(c->port[i].gateway, 0);
		CHECK(!c->port[i].mac_set);
		CHECK_STR(c->port[i].device, "");
	}
	CHECK_EQ(c->lcores.burst, 32);
	CHECK_EQ(c->lcores.tx_flush_us, 0);
	CHECK_EQ(c->mempool.mbufs, 8191);
	CHECK_EQ(c->mempool.cache, 256);
	CHECK_EQ(c->mempool.data_room, 2176);
	CHECK_EQ(c->ip.ttl, 64);
	CHECK_EQ(c->arp.entries, 1024);
	CHECK_EQ(c->arp.timeout_s, 300);
	CHECK_EQ(c->arp.resolve_ms, 1000);
	CHECK_EQ(c->arp.retries, 3);
	CHECK_EQ(c->arp.pending, 64);
	CHECK(c->arp.gratuitous);
	CHECK_EQ(c->nb_arp_static, 0);
	CHECK_EQ(c->timer.tick_us, 1000);

	CHECK_EQ(c->tcp.max_conns, 65536);
	CHECK_EQ(c->tcp.max_tw, 65536);
	CHECK_EQ(c->tcp.syn_backlog, 1024);
	CHECK(c->tcp.syncookies);
	CHECK_EQ(c->tcp.msl_ms, 30000);
	CHECK_EQ(c->tcp.rto_init_ms, 1000);
	CHECK_EQ(c->tcp.rto_min_ms, 200);
	CHECK_EQ(c->tcp.rto_max_ms, 60000);
	CHECK_EQ(c->tcp.syn_retries, 6);
	CHECK_EQ(c->tcp.synack_retries, 5);
	CHECK_EQ(c->tcp.data_retries, 15);
	CHECK_EQ(c->tcp.orphan_retries, 8);
	CHECK_EQ(c->tcp.fin_wait2_ms, 60000);
	CHECK(!c->tcp.keepalive);
	CHECK_EQ(c->tcp.keepalive_idle_s, 7200);
	CHECK_EQ(c->tcp.keepalive_intvl_s, 75);
	CHECK_EQ(c->tcp.keepalive_cnt, 9);
	CHECK_EQ(c->tcp.close_wait_warn_s, 60);
	CHECK_EQ(c->tcp.mss, 1460);
	CHECK_EQ(c->tcp.rcv_buf, 65535 * 4);
	CHECK_EQ(c->tcp.snd_buf, 256 * 1024);
	CHECK(c->tcp.timestamps);
	CHECK(c->tcp.window_scaling);
	CHECK(c->tcp.sack);
	CHECK_EQ(c->tcp.challenge_ack_limit, 1000);
	CHECK_EQ(c->tcp.drain_ms, 2000);

	CHECK_EQ(e->srv.echo_port, 7);
	CHECK_EQ(e->srv.discard_port, 9);
	CHECK_EQ(e->srv.daytime_port, 13);
	CHECK_EQ(e->srv.chargen_port, 19);
	CHECK_EQ(e->srv.http_port, 80);
	CHECK_EQ(e->srv.http_body, 64);
	CHECK_EQ(e->srv.http_max_request, 8192);
	CHECK_EQ(e->srv.rr_port, 5001);
	CHECK_EQ(e->srv.rr_request, 64);
	CHECK_EQ(e->srv.rr_response, 64);
	CHECK_EQ(e->srv.rr_close, PTCP_RR_CLOSE_CLIENT);
	return 0;
}

static int
every_example_file_loads(void)
{
	struct env *e = env;
	const char *dir = PTCP_SOURCE_ROOT "/config";
	char path[PATH_MAX];
	struct dirent *d;
	unsigned int n = 0;
	DIR *dp;
	int ret;

	dp = opendir(dir);
	CHECK(dp != NULL);
	while ((d = readdir(dp)) != NULL) {
		size_t len = strlen(d->d_name);

		if (len < 4 || strcmp(d->d_name + len - 4, ".ini") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		ret = ptcp_config_load_with(&e->cfg, &e->schema,
		path, NULL, 0, e->err,
			sizeof(e->err));
		if (ret != 0)
			fprintf(stderr, "  %s: %s\n", path, e->err);
		CHECK_EQ(ret, 0);
		n++;
	}
	closedir(dp);
	CHECK(n >= 3);
	return 0;
}

static int
ptcp_ini_holds_the_defaults(void)
{
	struct env *e = env;
	struct ptcp_server_config srv;
	struct ptcp_config def;
	int ret;

	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		PTCP_SOURCE_ROOT "/config/ptcp.ini",
		NULL, 0, e->err, sizeof(e->err));
	CHECK_EQ(ret, 0);
	CHECK_EQ(e->cfg.nb_ports, 1);
	CHECK_EQ(e->cfg.port[0].addr, ip("192.0.2.2"));
	CHECK_EQ(e->cfg.port[0].netmask, ip("255.255.255.0"));
	/* apart from the port, the file is the defaults */
	ptcp_config_defaults(&def);
	def.port[0] = e->cfg.port[0];
	def.nb_ports = 1;
	def.schema = &e->schema;
	CHECK(memcmp(&def, &e->cfg, sizeof(def)) == 0);
	memset(&srv, 0, sizeof(srv));
	ptcp_config_section_defaults(&server_config_section, &srv);
	CHECK(memcmp(&srv, &e->srv, sizeof(srv)) == 0);
	return 0;
}

/* Whether INI @p text has "key = " (uncommented) in "[section]". */
static int
ini_has_key(const char *text, const char *section, const char *key)
{
	char head[80];
	const char *p, *end;
	size_t klen = strlen(key);

	snprintf(head, sizeof(head), "\n[%s]\n", section);
	p = strstr(text, head);
	if (p == NULL)
		return 0;
	p += strlen(head);
	end = strstr(p, "\n[");
	while (p != NULL && *p != '\0' && (end == NULL || p < end)) {
		if (strncmp(p, key, klen) == 0 &&
				strncmp(p + klen, " =", 2) == 0)
			return 1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

static int
read_text(const char *path, char *text, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(text, 1, size - 1, f);
	text[n] = '\0';
	fclose(f);
	return n < size - 1 ? 0 : -1;
}

/* Every key the dump writes (so every key there is) is in ptcp.ini. */
static int
ptcp_ini_names_every_key(void)
{
	struct env *e = env;
	static char ini[16384], dump[16384];
	char section[64] = "", path[PATH_MAX + 16], *line, *save, *eq;
	FILE *f;
	unsigned int n = 0;

	CHECK_EQ(read_text(PTCP_SOURCE_ROOT "/config/ptcp.ini", ini + 1,
		sizeof(ini) - 1), 0);
	ini[0] = '\n';
	CHECK_EQ(ptcp_config_load_with(&e->cfg, &e->schema,
		PTCP_SOURCE_ROOT "/config/ptcp.ini",
		NULL, 0, e->err, sizeof(e->err)), 0);
	snprintf(path, sizeof(path), "%s/dump.ini", e->dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	ptcp_config_dump(&e->cfg, f);
	CHECK(fclose(f) == 0);
	CHECK_EQ(read_text(path, dump, sizeof(dump)), 0);
	unlink(path);
	for (line = strtok_r(dump, "\n", &save); line != NULL;
			line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[') {
			snprintf(section, sizeof(section), "%.*s",
				(int)strcspn(line + 1, "]"), line + 1);
			continue;
		}
		eq = strstr(line, " = ");
		if (line[0] == ';' || eq == NULL)
			continue;
		*eq = '\0';
		if (!ini_has_key(ini, section, line))
			fprintf(stderr, "  config/ptcp.ini lacks [%s] %s\n",
				section, line);
		CHECK(ini_has_key(ini, section, line));
		n++;
	}
	CHECK(n >= 50);
	return 0;
}

static int
tap_and_ring_files_say_what_the_tests_need(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;

	CHECK_EQ(ptcp_config_load_with(c, &e->schema,
		PTCP_SOURCE_ROOT "/config/tap.ini",
		NULL, 0, e->err, sizeof(e->err)), 0);
	CHECK_EQ(c->nb_ports, 1);
	CHECK_STR(c->port[0].device, "net_tap0");
	CHECK_EQ(c->port[0].addr, ip("10.99.0.2"));
	CHECK_EQ(c->port[0].netmask, ip("255.255.255.0"));
	CHECK_EQ(c->port[0].gateway, 0);

	CHECK_EQ(ptcp_config_load_with(c, &e->schema,
		PTCP_SOURCE_ROOT "/config/ring.ini",
		NULL, 0, e->err, sizeof(e->err)), 0);
	CHECK_EQ(c->nb_ports, 2);
	CHECK_STR(c->port[0].device, "net_ring0");
	CHECK_STR(c->port[1].device, "net_ring1");
	CHECK_EQ(c->port[0].addr, ip("10.98.0.1"));
	CHECK_EQ(c->port[1].addr, ip("10.98.0.2"));
	return 0;
}

/* ----- the file's syntax ----- */

static int
unreadable_file_is_enoent(void)
{
	struct env *e = env;
	char path[PATH_MAX + 16], expect[PATH_MAX + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/missing.ini", e->dir);
	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		path, NULL, 0, e->err,
		sizeof(e->err));
	CHECK_EQ(ret, (unsigned long long)-ENOENT);
	snprintf(expect, sizeof(expect),
		"%s: cannot read: No such file or directory", path);
	CHECK_STR(e->err, expect);

	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		e->dir, NULL, 0, e->err,
		sizeof(e->err));
	CHECK_EQ(ret, (unsigned long long)-ENOENT);
	snprintf(expect, sizeof(expect), "%s: cannot read: Is a directory",
		e->dir);
	CHECK_STR(e->err, expect);
	return 0;
}

static int
comments_blanks_spaces_and_crlf_are_fine(void)
{
	struct env *e = env;
	LOADS("\xef\xbb\xbf; comment\n# comment\n\n  [ port0 ]  ; trailing\r\n"
		"\taddress\t=\t10.0.0.2/24 # trailing\r\n"
		"mtu=1400\n[ip]\nttl = 0x20\n");
	CHECK_EQ(e->cfg.port[0].addr, ip("10.0.0.2"));
	CHECK_EQ(e->cfg.port[0].mtu, 1400);
	CHECK_EQ(e->cfg.ip.ttl, 32);
	return 0;
}

static int
syntax_errors_name_the_line(void)
{
	struct env *e = env;
	FAILS(PORT0 "mtu 1500\n",
		":3: 'mtu 1500' is neither '[section]' nor 'key = value'");
	FAILS("[port0\naddress = 10.0.0.2/24\n",
		":1: '[port0': no closing ']'");
	FAILS("[port0] x\n", ":1: 'x' after ']'");
	FAILS("[]\n", ":1: empty section name");
	FAILS("[port 0]\n",
		":1: [port 0]: a name is letters, digits, '_', '.', '-', ':'");
	FAILS("mtu = 1500\n" PORT0,
		":1: mtu: key before the first [section]");
	FAILS(PORT0 "= 5\n", ":3: no key before '='");
	FAILS(PORT0 "rx desc = 5\n",
		":3: 'rx desc': a name is letters, digits, '_', '.', '-', ':'");
	FAILS(PORT0 "mtu =\n", ":3: [port0] mtu: empty value");
	FAILS(PORT0 "mtu = ; nothing\n", ":3: [port0] mtu: empty value");
	return 0;
}

static int
overlong_names_and_values_are_errors_not_truncated(void)
{
	struct env *e = env;
	char ini[1024], expect[128];

	snprintf(ini, sizeof(ini), PORT0 "device = %0300d\n", 0);
	FAILS(ini, ":3: [port0] device: value is 300 characters long, "
		"at most 255");
	/* 255 fits rte_cfgfile but not the device name */
	snprintf(ini, sizeof(ini), PORT0 "device = %0255d\n", 0);
	FAILS(ini, ": [port0] device: '0000000000000000000000000000000000"
		"000000000000000000000000000000' is longer than 63 characters");
	snprintf(ini, sizeof(ini), PORT0 "%070d = 1\n", 0);
	FAILS(ini, ":3: key is 70 characters long, at most 63");
	snprintf(ini, sizeof(ini), "[%064d]\n", 0);
	FAILS(ini, ":1: section name is 64 characters long, at most 63");
	/* a very long line is read whole, not split */
	snprintf(ini, sizeof(ini), PORT0 "device = net_tap0%0900d\n", 0);
	snprintf(expect, sizeof(expect), ":3: [port0] device: value is %d "
		"characters long, at most 255", 908);
	FAILS(ini, expect);
	return 0;
}

static int
duplicates_are_errors(void)
{
	struct env *e = env;
	FAILS(PORT0 "mtu = 1500\nmtu = 1400\n",
		":4: [port0] mtu: duplicate key (first on line 3)");
	FAILS(PORT0 "[ip]\nttl = 5\n[port0]\nmtu = 1400\n",
		":5: [port0]: duplicate section (first on line 1)");
	return 0;
}

/* ----- sections and keys ----- */

static int
unknown_sections_and_keys_are_errors(void)
{
	struct env *e = env;
	FAILS(PORT0 "[udp]\nmsl = 30\n", ": [udp]: unknown section (known: "
		"port0..port3, vlan0..vlan7, lcores, mempool, ip, arp, arp.static, timer, tcp, "
		"server)");
	FAILS(PORT0 "[port4]\naddress = 10.0.4.2/24\n", ": [port4]: unknown "
		"section (known: port0..port3, vlan0..vlan7, lcores, mempool, ip, arp, "
		"arp.static, timer, tcp, server)");
	FAILS(PORT0 "[tcp]\nmsl = 30\n", ": [tcp] msl: unknown key");
	FAILS(PORT0 "[server]\nftp_port = 21\n",
		": [server] ftp_port: unknown key");
	FAILS(PORT0 "[ip]\nttl = 5\ntos = 3\n", ": [ip] tos: unknown key");
	FAILS(PORT0 "MTU = 1500\n", ": [port0] MTU: unknown key (known: "
		"device, address, extra_addresses, netmask, gateway, mac, rx_desc, "
		"tx_desc, mtu)");
	return 0;
}

static int
numbers_are_strict(void)
{
	struct env *e = env;
	FAILS(PORT0 "mtu = 1500x\n", ": [port0] mtu: '1500x' is not an "
		"unsigned integer");
	FAILS(PORT0 "mtu = -1\n",
		": [port0] mtu: '-1' is not an unsigned integer");
	FAILS(PORT0 "mtu = +1500\n",
		": [port0] mtu: '+1500' is not an unsigned integer");
	FAILS(PORT0 "mtu = 1 500\n",
		": [port0] mtu: '1 500' is not an unsigned integer");
	FAILS(PORT0 "mtu = 0x\n",
		": [port0] mtu: '0x' is not an unsigned integer");
	FAILS(PORT0 "mtu = 0x0x10\n",
		": [port0] mtu: '0x0x10' is not an unsigned integer");
	FAILS(PORT0 "mtu = 1.5e3\n",
		": [port0] mtu: '1.5e3' is not an unsigned integer");
	FAILS(PORT0 "mtu = 99999999999999999999999\n", ": [port0] mtu: "
		"99999999999999999999999 is out of range 68..9000");
	FAILS(PORT0 "mtu = 67\n", ": [port0] mtu: 67 is out of range 68..9000");
	FAILS(PORT0 "mtu = 9001\n",
		": [port0] mtu: 9001 is out of range 68..9000");
	FAILS(PORT0 "rx_desc = 99999\n",
		": [port0] rx_desc: 99999 is out of range 32..16384");
	/* a uint16_t field must not wrap: 65536 + 1024 */
	FAILS(PORT0 "tx_desc = 66560\n",
		": [port0] tx_desc: 66560 is out of range 32..16384");
	FAILS(PORT0 "[lcores]\nburst = 0\n",
		": [lcores] burst: 0 is out of range 1..512");
	FAILS(PORT0 "[mempool]\nmbufs = 67108865\n",
		": [mempool] mbufs: 67108865 is out of range 1023..67108864");
	FAILS(PORT0 "[mempool]\ncache = 513\n",
		": [mempool] cache: 513 is out of range 0..512");
	FAILS(PORT0 "[ip]\nttl = 256\n",
		": [ip] ttl: 256 is out of range 1..255");
	FAILS(PORT0 "[arp]\nretries = 11\n",
		": [arp] retries: 11 is out of range 1..10");
	FAILS(PORT0 "[timer]\ntick_us = 9\n",
		": [timer] tick_us: 9 is out of range 10..1000000");
	LOADS(PORT0 "mtu = 0x5dc\nrx_desc = 0X200\ntx_desc = 0032\n"
		"[mempool]\nmbufs = 67108864\ncache = 0\n");
	CHECK_EQ(e->cfg.port[0].mtu, 1500);
	CHECK_EQ(e->cfg.port[0].rx_desc, 512);
	CHECK_EQ(e->cfg.port[0].tx_desc, 32);
	CHECK_EQ(e->cfg.mempool.mbufs, 1u << 26);
	CHECK_EQ(e->cfg.mempool.cache, 0);
	return 0;
}

static int
booleans_take_every_documented_form(void)
{
	struct env *e = env;
	static const char *const yes[] = { "yes", "true", "on", "1", "YES",
		"True" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	char ini[256];
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		snprintf(ini, sizeof(ini), PORT0 "[arp]\ngratuitous = %s\n",
			yes[i]);
		LOADS(ini);
		CHECK(e->cfg.arp.gratuitous);
	}
	for (i = 0; i < RTE_DIM(no); i++) {
		snprintf(ini, sizeof(ini), PORT0 "[arp]\ngratuitous = %s\n",
			no[i]);
		LOADS(ini);
		CHECK(!e->cfg.arp.gratuitous);
	}
	FAILS(PORT0 "[arp]\ngratuitous = 2\n", ": [arp] gratuitous: '2' is "
		"not a boolean (yes/no, true/false, on/off, 1/0)");
	return 0;
}

static int
every_key_is_read(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;

	LOADS("[port0]\ndevice = net_tap0\naddress = 10.0.0.2\n"
		"netmask = 255.255.0.0\ngateway = 10.0.255.254\n"
		"mac = 02:00:00:AB:cd:01\nrx_desc = 512\ntx_desc = 2048\n"
		"mtu = 1400\n"
		"[lcores]\nburst = 64\ntx_flush_us = 100\n"
		"[mempool]\nmbufs = 4095\ncache = 128\ndata_room = 4096\n"
		"[ip]\nttl = 128\n"
		"[arp]\nentries = 16\ntimeout = 86400\nresolve_ms = 10\n"
		"retries = 10\npending = 256\ngratuitous = off\n"
		"[arp.static]\n10.0.1.1 = 02-00-00-00-00-09\n"
		"[timer]\ntick_us = 100\n");
	CHECK_EQ(c->nb_ports, 1);
	CHECK(c->port[0].enabled);
	CHECK_STR(c->port[0].device, "net_tap0");
	CHECK_EQ(c->port[0].addr, ip("10.0.0.2"));
	CHECK_EQ(c->port[0].netmask, ip("255.255.0.0"));
	CHECK_EQ(c->port[0].gateway, ip("10.0.255.254"));
	CHECK(c->port[0].mac_set);
	CHECK_EQ(c->port[0].mac.addr_bytes[3], 0xab);
	CHECK_EQ(c->port[0].mac.addr_bytes[4], 0xcd);
	CHECK_EQ(c->port[0].rx_desc, 512);
	CHECK_EQ(c->port[0].tx_desc, 2048);
	CHECK_EQ(c->port[0].mtu, 1400);
	CHECK_EQ(c->lcores.burst, 64);
	CHECK_EQ(c->lcores.tx_flush_us, 100);
	CHECK_EQ(c->mempool.mbufs, 4095);
	CHECK_EQ(c->mempool.cache, 128);
	CHECK_EQ(c->mempool.data_room, 4096);
	CHECK_EQ(c->ip.ttl, 128);
	CHECK_EQ(c->arp.entries, 16);
	CHECK_EQ(c->arp.timeout_s, 86400);
	CHECK_EQ(c->arp.resolve_ms, 10);
	CHECK_EQ(c->arp.retries, 10);
	CHECK_EQ(c->arp.pending, 256);
	CHECK(!c->arp.gratuitous);
	CHECK_EQ(c->nb_arp_static, 1);
	CHECK_EQ(c->arp_static[0].ip, ip("10.0.1.1"));
	CHECK_EQ(c->arp_static[0].mac.addr_bytes[5], 9);
	CHECK_EQ(c->arp_static[0].port, 0);
	CHECK_EQ(c->timer.tick_us, 100);
	return 0;
}

/* ----- ports ----- */

static int
netmask_comes_from_cidr_or_netmask_key(void)
{
	struct env *e = env;
	LOADS("[port0]\naddress = 10.0.0.2/16\n");
	CHECK_EQ(e->cfg.port[0].netmask, ip("255.255.0.0"));
	LOADS("[port0]\naddress = 10.0.0.2\nnetmask = 255.255.255.128\n");
	CHECK_EQ(e->cfg.port[0].netmask, ip("255.255.255.128"));
	LOADS("[port0]\naddress = 10.0.0.2/24\nnetmask = 255.255.255.0\n");
	CHECK_EQ(e->cfg.port[0].netmask, ip("255.255.255.0"));
	LOADS("[port0]\naddress = 10.0.0.2/32\n");
	CHECK_EQ(e->cfg.port[0].netmask, ip("255.255.255.255"));
	LOADS("[port0]\naddress = 10.0.0.0/31\n");
	FAILS("[port0]\naddress = 10.0.0.2/24\nnetmask = 255.255.0.0\n",
		": [port0] netmask: 255.255.0.0 disagrees with the /24 of "
		"address");
	FAILS("[port0]\naddress = 10.0.0.2\n", ": [port0] netmask: missing: "
		"give 'netmask = A.B.C.D' or 'address = A.B.C.D/N'");
	return 0;
}

static int
netmask_zero_and_bad_masks_are_errors(void)
{
	struct env *e = env;
	FAILS("[port0]\naddress = 10.0.0.2\nnetmask = 0.0.0.0\n",
		": [port0] netmask: 0.0.0.0 leaves no subnet");
	FAILS("[port0]\naddress = 10.0.0.2/0\n", ": [port0] address: "
		"'10.0.0.2/0': the prefix length after '/' must be 1..32");
	FAILS("[port0]\naddress = 10.0.0.2/33\n", ": [port0] address: "
		"'10.0.0.2/33': the prefix length after '/' must be 1..32");
	FAILS("[port0]\naddress = 10.0.0.2/\n", ": [port0] address: "
		"'10.0.0.2/': the prefix length after '/' must be 1..32");
	FAILS("[port0]\naddress = 10.0.0.2\nnetmask = 255.0.255.0\n",
		": [port0] netmask: 255.0.255.0 is not a contiguous netmask");
	FAILS("[port0]\naddress = 10.0.0.2\nnetmask = 24\n",
		": [port0] netmask: '24' is not a dotted netmask "
		"(255.255.255.0)");
	return 0;
}

static int
bad_addresses_are_errors(void)
{
	struct env *e = env;
	FAILS("[port0]\naddress = 10.0.0.300\n",
		": [port0] address: '10.0.0.300' is not an IPv4 address");
	FAILS("[port0]\naddress = 10.0.0.300/24\n",
		": [port0] address: '10.0.0.300' is not an IPv4 address");
	FAILS("[port0]\naddress = 10.0.2\n",
		": [port0] address: '10.0.2' is not an IPv4 address");
	FAILS("[port0]\naddress = 10.0.0.02/24\n",
		": [port0] address: '10.0.0.02' is not an IPv4 address");
	FAILS("[port0]\naddress = 10.0.0.0/24\n", ": [port0] address: "
		"10.0.0.0 is the network address of 10.0.0.0/24");
	FAILS("[port0]\naddress = 10.0.0.255/24\n", ": [port0] address: "
		"10.0.0.255 is the broadcast address of 10.0.0.0/24");
	FAILS("[port0]\naddress = 127.0.0.1/8\n", ": [port0] address: "
		"127.0.0.1 is not a unicast host address");
	FAILS("[port0]\naddress = 224.0.0.1/24\n", ": [port0] address: "
		"224.0.0.1 is not a unicast host address");
	FAILS("[port0]\nmtu = 1500\n",
		": [port0] address: missing (required)");
	return 0;
}

static int
gateway_must_be_a_host_of_the_subnet(void)
{
	struct env *e = env;
	LOADS(PORT0 "gateway = 10.0.0.1\n");
	CHECK_EQ(e->cfg.port[0].gateway, ip("10.0.0.1"));
	LOADS(PORT0 "gateway = none\n");
	CHECK_EQ(e->cfg.port[0].gateway, 0);
	FAILS(PORT0 "gateway = 10.0.1.1\n", ": [port0] gateway: 10.0.1.1 is "
		"outside the port's subnet 10.0.0.0/24");
	FAILS(PORT0 "gateway = 10.0.0.2\n",
		": [port0] gateway: 10.0.0.2 is the port's own address");
	FAILS(PORT0 "gateway = 10.0.0.255\n", ": [port0] gateway: "
		"10.0.0.255 is not a host address of 10.0.0.0/24");
	FAILS(PORT0 "gateway = 0.0.0.0\n", ": [port0] gateway: '0.0.0.0' "
		"is not an IPv4 address or 'none'");
	FAILS(PORT0 "gateway = router\n", ": [port0] gateway: 'router' is "
		"not an IPv4 address or 'none'");
	return 0;
}

static int
extra_addresses_lists_ranges_and_rules(void)
{
	struct env *e = env;
	struct ptcp_port_config *pc = &e->cfg.port[0];
	char path[PATH_MAX + 8];
	FILE *f;

	LOADS(PORT0 "extra_addresses = 10.0.0.5, 10.0.0.10-10.0.0.12,10.0.0.7\n");
	CHECK_EQ(pc->nb_extra, 5);
	CHECK_EQ(pc->extra_addr[0], ip("10.0.0.5"));
	CHECK_EQ(pc->extra_addr[1], ip("10.0.0.10"));
	CHECK_EQ(pc->extra_addr[3], ip("10.0.0.12"));
	CHECK_EQ(pc->extra_addr[4], ip("10.0.0.7"));
	LOADS(PORT0 "extra_addresses = none\n");
	CHECK_EQ(pc->nb_extra, 0);
	LOADS(PORT0 "extra_addresses = 10.0.0.3-10.0.0.66\n");
	CHECK_EQ(pc->nb_extra, PTCP_MAX_EXTRA_ADDRS);
	FAILS(PORT0 "extra_addresses = 10.0.0.3-10.0.0.67\n",
		": [port0] extra_addresses: more than 64 addresses");
	FAILS(PORT0 "extra_addresses = 10.0.1.5\n", ": [port0] "
		"extra_addresses: 10.0.1.5 is outside the port's subnet "
		"10.0.0.0/24");
	FAILS(PORT0 "extra_addresses = 10.0.0.2\n",
		": [port0] extra_addresses: 10.0.0.2 is the port's address");
	FAILS(PORT0 "gateway = 10.0.0.1\nextra_addresses = 10.0.0.1\n",
		": [port0] extra_addresses: 10.0.0.1 is the port's gateway");
	FAILS(PORT0 "extra_addresses = 10.0.0.255\n", ": [port0] "
		"extra_addresses: 10.0.0.255 is not a host address of "
		"10.0.0.0/24");
	FAILS(PORT0 "extra_addresses = 10.0.0.5,10.0.0.4-10.0.0.6\n",
		": [port0] extra_addresses: 10.0.0.5 is listed twice");
	FAILS(PORT0 "extra_addresses = 10.0.0.9-10.0.0.8\n", ": [port0] "
		"extra_addresses: range 10.0.0.9-10.0.0.8 runs backwards");
	FAILS(PORT0 "extra_addresses = 10.0.0.x\n", ": [port0] "
		"extra_addresses: '10.0.0.x' is not an address or a range "
		"A.B.C.D-A.B.C.E");
	FAILS(PORT0 "extra_addresses = ,\n",
		": [port0] extra_addresses: no address (write 'none' for none)");
	/* The dump writes consecutive addresses as ranges and reads back. */
	LOADS(PORT0 "extra_addresses = 10.0.0.5,10.0.0.10-10.0.0.12\n");
	snprintf(path, sizeof(path), "%s.dump", e->path);
	f = fopen(path, "w");
	CHECK(f != NULL);
	ptcp_config_dump(&e->cfg, f);
	fclose(f);
	{
		struct ptcp_config back;
		char err[PTCP_CONFIG_ERRLEN];
		char line[256];
		bool seen = false;

		CHECK_EQ(ptcp_config_load_with(&back, &e->schema,
		path, NULL, 0, err,
			sizeof(err)), 0);
		CHECK_EQ(back.port[0].nb_extra, 4);
		CHECK(memcmp(back.port[0].extra_addr, pc->extra_addr,
			4 * sizeof(uint32_t)) == 0);
		f = fopen(path, "r");
		CHECK(f != NULL);
		while (fgets(line, sizeof(line), f) != NULL)
			seen |= strcmp(line, "extra_addresses = "
				"10.0.0.5,10.0.0.10-10.0.0.12\n") == 0;
		fclose(f);
		CHECK(seen);
	}
	unlink(path);
	return 0;
}

static int
mac_must_be_unicast_and_well_formed(void)
{
	struct env *e = env;
	FAILS(PORT0 "mac = 02:00:00:00:00\n", ": [port0] mac: "
		"'02:00:00:00:00' is not a MAC address (xx:xx:xx:xx:xx:xx)");
	FAILS(PORT0 "mac = 02:00:00:00:00:1\n", ": [port0] mac: "
		"'02:00:00:00:00:1' is not a MAC address (xx:xx:xx:xx:xx:xx)");
	FAILS(PORT0 "mac = 02:00-00:00:00:01\n", ": [port0] mac: "
		"'02:00-00:00:00:01' is not a MAC address (xx:xx:xx:xx:xx:xx)");
	FAILS(PORT0 "mac = 02:00:00:00:00:0g\n", ": [port0] mac: "
		"'02:00:00:00:00:0g' is not a MAC address (xx:xx:xx:xx:xx:xx)");
	FAILS(PORT0 "mac = 01:00:5e:00:00:01\n",
		": [port0] mac: 01:00:5e:00:00:01 is not a unicast address");
	FAILS(PORT0 "mac = 00:00:00:00:00:00\n",
		": [port0] mac: 00:00:00:00:00:00 is not a unicast address");
	return 0;
}

static int
ports_are_contiguous_from_port0(void)
{
	struct env *e = env;
	FAILS("[port0]\naddress = 10.0.0.2/24\n[port2]\n"
		"address = 10.0.2.2/24\n", ": [port1]: missing: ports are "
		"numbered from port0 without gaps ([port2] is present)");
	FAILS("[port1]\naddress = 10.0.1.2/24\n", ": [port0]: missing: "
		"ports are numbered from port0 without gaps ([port1] is "
		"present)");
	FAILS("[ip]\nttl = 3\n",
		": [port0]: missing: at least one port is required");
	LOADS("[port0]\naddress = 10.0.0.2/24\n[port3]\n"
		"address = 10.0.3.2/24\n[port1]\naddress = 10.0.1.2/24\n"
		"[port2]\naddress = 10.0.2.2/24\n");
	CHECK_EQ(e->cfg.nb_ports, 4);
	return 0;
}

static int
overlapping_subnets_are_allowed_duplicate_addresses_are_not(void)
{
	struct env *e = env;
	LOADS("[port0]\naddress = 10.98.0.1/24\n"
		"[port1]\naddress = 10.98.0.2/16\n");
	CHECK_EQ(e->cfg.nb_ports, 2);
	FAILS("[port0]\naddress = 10.98.0.1/24\n"
		"[port1]\naddress = 10.98.0.1/24\n",
		": [port1] address: 10.98.0.1 is also port0's address");
	FAILS("[port0]\naddress = 10.98.0.1/24\ndevice = net_ring0\n"
		"[port1]\naddress = 10.98.0.2/24\ndevice = net_ring0\n",
		": [port1] device: net_ring0 is also port0's device");
	FAILS(PORT0 "device = net tap\n",
		": [port0] device: 'net tap': a device name has no spaces");
	return 0;
}

static int
mtu_must_fit_one_mbuf(void)
{
	struct env *e = env;
	LOADS(PORT0 "mtu = 2034\n");
	FAILS(PORT0 "mtu = 2035\n", ": [port0] mtu: 2035 needs [mempool] "
		"data_room >= 2177 (mtu + 14 Ethernet + 128 headroom), it is "
		"2176");
	LOADS(PORT0 "mtu = 9000\n[mempool]\ndata_room = 9142\n");
	return 0;
}

/* ----- [vlanN] ----- */

static int
vlans_are_interfaces_on_ports(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;

	LOADS("[port0]\naddress = 10.0.0.2/24\n"
		"[vlan0]\nport = 0\nid = 100\naddress = 10.0.100.2/24\n"
		"gateway = 10.0.100.1\nextra_addresses = 10.0.100.3-10.0.100.4\n"
		"[vlan3]\nport = 0\nid = 4094\naddress = 10.0.0.3\n"
		"netmask = 255.255.255.0\n");
	CHECK_EQ(c->nb_vlans, 2);
	CHECK(c->vlan[0].enabled);
	CHECK_EQ(c->vlan[0].port, 0);
	CHECK_EQ(c->vlan[0].id, 100);
	CHECK_EQ(c->vlan[0].addr, ip("10.0.100.2"));
	CHECK_EQ(c->vlan[0].netmask, ip("255.255.255.0"));
	CHECK_EQ(c->vlan[0].gateway, ip("10.0.100.1"));
	CHECK_EQ(c->vlan[0].nb_extra, 2);
	CHECK(!c->vlan[1].enabled);
	/* the same subnet as the port's: another link, allowed */
	CHECK_EQ(c->vlan[3].addr, ip("10.0.0.3"));
	CHECK_EQ(c->vlan[3].id, 4094);
	/* the same VLAN ID on two ports is two VLANs */
	LOADS("[port0]\naddress = 10.0.0.2/24\n"
		"[port1]\naddress = 10.0.1.2/24\n"
		"[vlan0]\nport = 0\nid = 7\naddress = 10.1.0.2/24\n"
		"[vlan1]\nport = 1\nid = 7\naddress = 10.1.0.3/24\n");
	CHECK_EQ(c->nb_vlans, 2);
	return 0;
}

static int
vlan_errors_are_one_line_each(void)
{
	struct env *e = env;

	FAILS(PORT0 "[vlan0]\nport = 0\nid = 0\naddress = 10.0.1.2/24\n",
		": [vlan0] id: '0' is not a VLAN ID (1..4094)");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 4095\naddress = 10.0.1.2/24\n",
		": [vlan0] id: '4095' is not a VLAN ID (1..4094)");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = x\naddress = 10.0.1.2/24\n",
		": [vlan0] id: 'x' is not a VLAN ID (1..4094)");
	FAILS(PORT0 "[vlan0]\nport = 0\naddress = 10.0.1.2/24\n",
		": [vlan0] id: missing: the VLAN ID (1..4094)");
	FAILS(PORT0 "[vlan0]\nid = 5\naddress = 10.0.1.2/24\n",
		": [vlan0] port: missing: the index of the port the VLAN is on");
	FAILS(PORT0 "[vlan0]\nport = 4\nid = 5\naddress = 10.0.1.2/24\n",
		": [vlan0] port: '4' is not a port index (0..3)");
	FAILS(PORT0 "[vlan0]\nport = 1\nid = 5\naddress = 10.0.1.2/24\n",
		": [vlan0] port: port1 is not configured");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 5\n",
		": [vlan0] address: missing (required)");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 5\naddress = 10.0.1.2/24\n"
		"[vlan1]\nport = 0\nid = 5\naddress = 10.0.2.2/24\n",
		": [vlan1] id: VLAN 5 is also vlan0's on port0");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 5\naddress = 10.0.0.2/24\n",
		": [vlan0] address: 10.0.0.2 is also port0's");
	FAILS(PORT0 "extra_addresses = 10.0.0.9\n"
		"[vlan0]\nport = 0\nid = 5\naddress = 10.0.0.3/24\n"
		"extra_addresses = 10.0.0.9\n",
		": [vlan0] extra_addresses: 10.0.0.9 is also port0's");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 5\naddress = 10.0.1.2/24\n"
		"[vlan1]\nport = 0\nid = 6\naddress = 10.0.1.2/24\n",
		": [vlan1] address: 10.0.1.2 is also vlan0's");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 5\naddress = 10.0.1.2/24\n"
		"gateway = 10.0.2.1\n",
		": [vlan0] gateway: 10.0.2.1 is outside the VLAN's subnet "
		"10.0.1.0/24");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 5\naddress = 10.0.1.2/24\n"
		"mtu = 1500\n", ": [vlan0] mtu: unknown key (known: port, id, "
		"address, extra_addresses, netmask, gateway)");
	/* a tagged frame of the port's MTU must fit one mbuf too */
	LOADS(PORT0 "mtu = 2034\n");
	FAILS(PORT0 "mtu = 2034\n[vlan0]\nport = 0\nid = 5\n"
		"address = 10.0.1.2/24\n", ": [port0] mtu: 2034 needs [mempool] "
		"data_room >= 2180 (mtu + 18 Ethernet with an 802.1Q tag + 128 "
		"headroom), it is 2176");
	FAILS(PORT0 "[vlan8]\nport = 0\nid = 5\naddress = 10.0.1.2/24\n",
		": [vlan8]: unknown section (known: port0..port3, vlan0..vlan7, "
		"lcores, mempool, ip, arp, arp.static, timer, tcp, server)");
	return 0;
}

/* ----- [arp.static] ----- */

static int
static_arp_goes_to_the_port_of_its_subnet(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;

	LOADS("[port0]\naddress = 10.0.0.2/24\n"
		"[port1]\naddress = 10.0.1.2/24\n"
		"[arp.static]\n10.0.1.9 = 02:00:00:00:00:09\n"
		"10.0.0.8 = 02:00:00:00:00:08\n");
	CHECK_EQ(c->nb_arp_static, 2);
	CHECK_EQ(c->arp_static[0].ip, ip("10.0.1.9"));
	CHECK_EQ(c->arp_static[0].port, 1);
	CHECK_EQ(c->arp_static[1].ip, ip("10.0.0.8"));
	CHECK_EQ(c->arp_static[1].port, 0);
	CHECK_EQ(c->arp_static[1].mac.addr_bytes[5], 8);
	/* overlapping subnets: the port is named */
	LOADS("[port0]\naddress = 10.98.0.1/24\n"
		"[port1]\naddress = 10.98.0.2/24\n"
		"[arp.static]\n10.98.0.9 = 02:00:00:00:00:09  port  1\n");
	CHECK_EQ(c->arp_static[0].port, 1);
	return 0;
}

static int
static_arp_errors(void)
{
	struct env *e = env;
	char ini[8192];
	size_t n;
	unsigned int i;

	FAILS(PORT0 "[arp.static]\n10.0.1.9 = 02:00:00:00:00:09\n",
		": [arp.static] 10.0.1.9: 10.0.1.9 is in no port's subnet");
	FAILS("[port0]\naddress = 10.98.0.1/24\n"
		"[port1]\naddress = 10.98.0.2/24\n"
		"[arp.static]\n10.98.0.9 = 02:00:00:00:00:09\n",
		": [arp.static] 10.98.0.9: in the subnets of port0 and port1: "
		"write 'MAC port N'");
	FAILS(PORT0 "[arp.static]\n10.0.0.9 = 02:00:00:00:00:09 port 1\n",
		": [arp.static] 10.0.0.9: port 1 is not configured (ports: 0..0)");
	FAILS("[port0]\naddress = 10.0.0.2/24\n"
		"[port1]\naddress = 10.0.1.2/24\n"
		"[arp.static]\n10.0.0.9 = 02:00:00:00:00:09 port 1\n",
		": [arp.static] 10.0.0.9: outside port1's subnet 10.0.1.0/24");
	FAILS(PORT0 "[arp.static]\n10.0.0.2 = 02:00:00:00:00:09\n",
		": [arp.static] 10.0.0.2: is port0's own address");
	FAILS(PORT0 "[arp.static]\n10.0.0.256 = 02:00:00:00:00:09\n",
		": [arp.static] 10.0.0.256: key is not an IPv4 address");
	FAILS(PORT0 "[arp.static]\nrouter = 02:00:00:00:00:09\n",
		": [arp.static] router: key is not an IPv4 address");
	FAILS(PORT0 "[arp.static]\n10.0.0.9 = 02:00:00:00:00:09 port\n",
		": [arp.static] 10.0.0.9: '02:00:00:00:00:09 port' is not "
		"'xx:xx:xx:xx:xx:xx' or 'xx:xx:xx:xx:xx:xx port N'");
	FAILS(PORT0 "[arp.static]\n10.0.0.9 = 02:00:00:00:00:09 dev 0\n",
		": [arp.static] 10.0.0.9: '02:00:00:00:00:09 dev 0' is not "
		"'xx:xx:xx:xx:xx:xx' or 'xx:xx:xx:xx:xx:xx port N'");
	FAILS(PORT0 "[arp.static]\n10.0.0.9 = 02:00:00:00:00:09 port 0 x\n",
		": [arp.static] 10.0.0.9: '02:00:00:00:00:09 port 0 x' is not "
		"'xx:xx:xx:xx:xx:xx' or 'xx:xx:xx:xx:xx:xx port N'");
	FAILS(PORT0 "[arp.static]\n10.0.0.9 = ff:ff:ff:ff:ff:ff\n",
		": [arp.static] 10.0.0.9: ff:ff:ff:ff:ff:ff is not a unicast "
		"address");
	FAILS(PORT0 "[arp.static]\n10.0.0.9 = 02:00:00:00:00:09\n"
		"10.0.0.9 = 02:00:00:00:00:08\n", ":5: [arp.static] 10.0.0.9: "
		"duplicate key (first on line 4)");

	n = snprintf(ini, sizeof(ini), "[port0]\naddress = 10.0.0.2/16\n"
		"[arp.static]\n");
	for (i = 0; i <= PTCP_MAX_STATIC_ARP; i++)
		n += snprintf(ini + n, sizeof(ini) - n,
			"10.0.1.%u = 02:00:00:00:01:%02x\n", i + 1, i + 1);
	FAILS(ini, ": [arp.static] 10.0.1.65: more than 64 entries");
	return 0;
}

/* ----- overrides ----- */

static int
override_sets_a_new_key(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "port0.mtu=1400", "ip.ttl = 9" };

	CHECK_EQ(load(e, PORT0, ovr, RTE_DIM(ovr)), 0);
	CHECK_EQ(e->cfg.port[0].mtu, 1400);
	CHECK_EQ(e->cfg.ip.ttl, 9);
	return 0;
}

static int
override_replaces_a_file_value_and_the_last_wins(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "port0.address=10.1.0.2/16",
		"port0.mtu=1000", "port0.mtu=1200" };

	CHECK_EQ(load(e, PORT0 "mtu = 1400\n", ovr, RTE_DIM(ovr)), 0);
	CHECK_EQ(e->cfg.port[0].addr, ip("10.1.0.2"));
	CHECK_EQ(e->cfg.port[0].netmask, ip("255.255.0.0"));
	CHECK_EQ(e->cfg.port[0].mtu, 1200);
	return 0;
}

static int
override_adds_a_section(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "port1.address=10.0.1.2/24",
		"port1.device=net_ring1",
		"arp.static.10.0.1.7=02:00:00:00:00:07" };

	CHECK_EQ(load(e, PORT0, ovr, RTE_DIM(ovr)), 0);
	CHECK_EQ(e->cfg.nb_ports, 2);
	CHECK_STR(e->cfg.port[1].device, "net_ring1");
	CHECK_EQ(e->cfg.nb_arp_static, 1);
	CHECK_EQ(e->cfg.arp_static[0].ip, ip("10.0.1.7"));
	CHECK_EQ(e->cfg.arp_static[0].port, 1);
	return 0;
}

static int
overrides_without_a_file(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "port0.address=10.0.0.2/24",
		"timer.tick_us=10" };
	static const char *const bad[] = { "port0.mtu=1400" };
	int ret;

	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		NULL, ovr, RTE_DIM(ovr), e->err,
		sizeof(e->err));
	CHECK_EQ(ret, 0);
	CHECK_EQ(e->cfg.timer.tick_us, 10);
	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		NULL, bad, RTE_DIM(bad), e->err,
		sizeof(e->err));
	CHECK_EQ(ret, (unsigned long long)-EINVAL);
	CHECK_STR(e->err, "command line: [port0] address: missing (required)");
	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		NULL, NULL, 0, e->err,
		sizeof(e->err));
	CHECK_EQ(ret, (unsigned long long)-EINVAL);
	CHECK_STR(e->err,
		"command line: [port0]: missing: at least one port is required");
	return 0;
}

static int
malformed_overrides_are_errors(void)
{
	struct env *e = env;
	static const char *const noeq[] = { "noequals" };
	static const char *const nodot[] = { "nodot=1" };
	static const char *const nokey[] = { "port0.=1" };
	static const char *const nosec[] = { ".mtu=1" };
	static const char *const noval[] = { "port0.mtu=" };
	static const char *const badkey[] = { "port0.m u=1" };
	static const char *const comment[] = { "port0.device=a;b" };

	FAILS_SET(PORT0, noeq,
		"command line: 'noequals': expected section.key=value");
	FAILS_SET(PORT0, nodot, "command line: 'nodot=1': expected "
		"section.key=value, no '.' in 'nodot'");
	FAILS_SET(PORT0, nokey,
		"command line: 'port0.=1': expected section.key=value");
	FAILS_SET(PORT0, nosec,
		"command line: '.mtu=1': expected section.key=value");
	FAILS_SET(PORT0, noval, "command line: [port0] mtu: empty value");
	FAILS_SET(PORT0, badkey, "command line: 'port0.m u=1': bad key name");
	FAILS_SET(PORT0, comment, "command line: [port0] device: 'a;b': a "
		"value cannot hold ';' or '#' (they start comments in a file)");
	return 0;
}

static int
override_errors_name_the_command_line(void)
{
	struct env *e = env;
	static const char *const range[] = { "port0.rx_desc=99999" };
	static const char *const sec[] = { "foo.bar.baz=1" };
	static const char *const key[] = { "arp.bogus=1" };
	static const char *const ok[] = { "port0.mtu=1400" };
	static const char *const newport[] = { "port1.mtu=1400" };
	char ini[300];

	FAILS_SET(PORT0, range,
		"command line: [port0] rx_desc: 99999 is out of range 32..16384");
	FAILS_SET(PORT0, sec, "command line: [foo.bar]: unknown section "
		"(known: port0..port3, vlan0..vlan7, lcores, mempool, ip, arp, arp.static, "
		"timer, tcp, server)");
	FAILS_SET(PORT0 "[arp]\ntimeout = 5\n", key,
		"command line: [arp] bogus: unknown key");
	/* the file's mistake is still the file's */
	FAILS_SET(PORT0 "ttl = 3\n", ok, ": [port0] ttl: unknown key (known: "
		"device, address, extra_addresses, netmask, gateway, mac, rx_desc, "
		"tx_desc, mtu)");
	/* a section made on the command line is the command line's */
	FAILS_SET(PORT0, newport,
		"command line: [port1] address: missing (required)");
	/* an over-long value is refused, not truncated */
	snprintf(ini, sizeof(ini), "port0.device=%0256d", 0);
	{
		const char *const longv[] = { ini };

		FAILS_SET(PORT0, longv, "command line: [port0] device: value "
			"is 256 characters long, at most 255");
	}
	return 0;
}

/* ----- [tcp] and [server] ----- */

static int
every_tcp_and_server_key_is_read(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;

	LOADS(PORT0 "[tcp]\nmax_conns = 16\nmax_tw = 0\nsyn_backlog = 1\n"
		"syncookies = no\nmsl_ms = 10\nrto_init_ms = 3\n"
		"rto_min_ms = 2\nrto_max_ms = 4\nsyn_retries = 1\n"
		"synack_retries = 2\ndata_retries = 3\norphan_retries = 4\n"
		"fin_wait2_ms = 100\nkeepalive = yes\nkeepalive_idle_s = 5\n"
		"keepalive_intvl_s = 6\nkeepalive_cnt = 7\n"
		"close_wait_warn_s = 0\nmss = 536\nrcv_buf = 1024\n"
		"snd_buf = 2048\ntimestamps = off\nwindow_scaling = false\n"
		"sack = 0\nchallenge_ack_limit = 1\ndrain_ms = 0\n"
		"[server]\necho_port = 0\ndiscard_port = 0\n"
		"daytime_port = 1313\nchargen_port = 1919\nhttp_port = 8080\n"
		"http_body = 0\nhttp_max_request = 256\n");
	CHECK_EQ(c->tcp.max_conns, 16);
	CHECK_EQ(c->tcp.max_tw, 0);
	CHECK_EQ(c->tcp.syn_backlog, 1);
	CHECK(!c->tcp.syncookies);
	CHECK_EQ(c->tcp.msl_ms, 10);
	CHECK_EQ(c->tcp.rto_init_ms, 3);
	CHECK_EQ(c->tcp.rto_min_ms, 2);
	CHECK_EQ(c->tcp.rto_max_ms, 4);
	CHECK_EQ(c->tcp.syn_retries, 1);
	CHECK_EQ(c->tcp.synack_retries, 2);
	CHECK_EQ(c->tcp.data_retries, 3);
	CHECK_EQ(c->tcp.orphan_retries, 4);
	CHECK_EQ(c->tcp.fin_wait2_ms, 100);
	CHECK(c->tcp.keepalive);
	CHECK_EQ(c->tcp.keepalive_idle_s, 5);
	CHECK_EQ(c->tcp.keepalive_intvl_s, 6);
	CHECK_EQ(c->tcp.keepalive_cnt, 7);
	CHECK_EQ(c->tcp.close_wait_warn_s, 0);
	CHECK_EQ(c->tcp.mss, 536);
	CHECK_EQ(c->tcp.rcv_buf, 1024);
	CHECK_EQ(c->tcp.snd_buf, 2048);
	CHECK(!c->tcp.timestamps);
	CHECK(!c->tcp.window_scaling);
	CHECK(!c->tcp.sack);
	CHECK_EQ(c->tcp.challenge_ack_limit, 1);
	CHECK_EQ(c->tcp.drain_ms, 0);
	CHECK_EQ(e->srv.echo_port, 0);
	CHECK_EQ(e->srv.discard_port, 0);
	CHECK_EQ(e->srv.daytime_port, 1313);
	CHECK_EQ(e->srv.chargen_port, 1919);
	CHECK_EQ(e->srv.http_port, 8080);
	CHECK_EQ(e->srv.http_body, 0);
	CHECK_EQ(e->srv.http_max_request, 256);
	return 0;
}

/*
 * Each numeric key at both ends of its range loads, one past either end
 * fails with the range in the message. @p with sets other keys so that the
 * rules across keys hold at the extremes.
 */
static int
tcp_and_server_ranges(void)
{
	struct env *e = env;
	static const struct {
		const char *section, *key;
		unsigned long long min, max;
		const char *with;
	} r[] = {
		{ "tcp", "max_conns", 16, 1u << 24, "" },
		{ "tcp", "max_tw", 0, 1u << 24, "" },
		{ "tcp", "syn_backlog", 1, 1u << 20, "" },
		{ "tcp", "msl_ms", 10, 600000, "" },
		{ "tcp", "rto_init_ms", 1, 600000,
			"rto_min_ms = 1\nrto_max_ms = 600000\n" },
		{ "tcp", "rto_min_ms", 1, 10000,
			"rto_init_ms = 10000\nrto_max_ms = 10000\n" },
		{ "tcp", "rto_max_ms", 1, 600000,
			"rto_min_ms = 1\nrto_init_ms = 1\n" },
		{ "tcp", "syn_retries", 1, 30, "" },
		{ "tcp", "synack_retries", 1, 30, "" },
		{ "tcp", "data_retries", 1, 30, "" },
		{ "tcp", "orphan_retries", 1, 30, "" },
		{ "tcp", "fin_wait2_ms", 100, 3600000, "" },
		{ "tcp", "keepalive_idle_s", 1, 65535, "" },
		{ "tcp", "keepalive_intvl_s", 1, 3600, "" },
		{ "tcp", "keepalive_cnt", 1, 100, "" },
		{ "tcp", "close_wait_warn_s", 0, 86400, "" },
		{ "tcp", "mss", 88, 8960, "" },
		{ "tcp", "rcv_buf", 1024, 1u << 30, "" },
		{ "tcp", "snd_buf", 1024, 1u << 30, "" },
		{ "tcp", "challenge_ack_limit", 1, 1000000, "" },
		{ "tcp", "drain_ms", 0, 600000, "" },
		{ "server", "echo_port", 0, 65535, "" },
		{ "server", "discard_port", 0, 65535, "" },
		{ "server", "daytime_port", 0, 65535, "" },
		{ "server", "chargen_port", 0, 65535, "" },
		{ "server", "http_port", 0, 65535, "" },
		{ "server", "http_body", 0, 1u << 24, "" },
		{ "server", "http_max_request", 256, 1u << 20, "" },
		{ "server", "rr_port", 0, 65535, "" },
		{ "server", "rr_request", 1, 1u << 20, "" },
		{ "server", "rr_response", 0, 1u << 20, "" },
	};
	/* mtu 9000 (and an mbuf for it), so that any mss fits */
	const char *port = "[port0]\naddress = 10.0.0.2/24\nmtu = 9000\n"
		"[mempool]\ndata_room = 9142\n";
	char ini[512], expect[256];
	unsigned int i, end;

	for (i = 0; i < RTE_DIM(r); i++) {
		for (end = 0; end < 2; end++) {
			unsigned long long v = end ? r[i].max : r[i].min;

			snprintf(ini, sizeof(ini), "%s[%s]\n%s%s = %llu\n",
				port, r[i].section, r[i].with, r[i].key, v);
			LOADS(ini);
		}
		if (r[i].min > 0) {
			snprintf(ini, sizeof(ini), "%s[%s]\n%s%s = %llu\n",
				port, r[i].section, r[i].with, r[i].key,
				r[i].min - 1);
			snprintf(expect, sizeof(expect),
				": [%s] %s: %llu is out of range %llu..%llu",
				r[i].section, r[i].key, r[i].min - 1,
				r[i].min, r[i].max);
			FAILS(ini, expect);
		}
		snprintf(ini, sizeof(ini), "%s[%s]\n%s%s = %llu\n", port,
			r[i].section, r[i].with, r[i].key, r[i].max + 1);
		snprintf(expect, sizeof(expect),
			": [%s] %s: %llu is out of range %llu..%llu",
			r[i].section, r[i].key, r[i].max + 1, r[i].min,
			r[i].max);
		FAILS(ini, expect);
	}
	/* the fields are narrower than 64 bits: no wrap-around */
	FAILS(PORT0 "[tcp]\nmss = 65996\n",
		": [tcp] mss: 65996 is out of range 88..8960");
	FAILS(PORT0 "[server]\nhttp_port = 65616\n",
		": [server] http_port: 65616 is out of range 0..65535");
	FAILS(PORT0 "[tcp]\nmax_conns = 4294967312\n", ": [tcp] max_conns: "
		"4294967312 is out of range 16..16777216");
	FAILS(PORT0 "[tcp]\nsack = maybe\n", ": [tcp] sack: 'maybe' is not a "
		"boolean (yes/no, true/false, on/off, 1/0)");
	return 0;
}

static int
rto_floor_initial_ceiling_are_in_order(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "tcp.rto_max_ms=500" };

	LOADS(PORT0 "[tcp]\nrto_min_ms = 1000\nrto_init_ms = 1000\n"
		"rto_max_ms = 1000\n");
	/* the key given is named, against the other's value */
	FAILS(PORT0 "[tcp]\nrto_init_ms = 100\n",
		": [tcp] rto_init_ms: 100 is below rto_min_ms 200");
	FAILS(PORT0 "[tcp]\nrto_min_ms = 2000\n",
		": [tcp] rto_min_ms: 2000 is above rto_init_ms 1000");
	FAILS(PORT0 "[tcp]\nrto_init_ms = 70000\n",
		": [tcp] rto_init_ms: 70000 is above rto_max_ms 60000");
	FAILS(PORT0 "[tcp]\nrto_max_ms = 999\n",
		": [tcp] rto_max_ms: 999 is below rto_init_ms 1000");
	/* both given: the upper one is named */
	FAILS(PORT0 "[tcp]\nrto_min_ms = 300\nrto_init_ms = 250\n",
		": [tcp] rto_init_ms: 250 is below rto_min_ms 300");
	FAILS_SET(PORT0 "[tcp]\nrto_init_ms = 800\n", ovr,
		"command line: [tcp] rto_max_ms: 500 is below rto_init_ms 800");
	return 0;
}

static int
mss_must_fit_every_port_mtu(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "tcp.mss=1461" };
	static const char *const small[] = { "port1.mtu=127" };

	LOADS(PORT0 "mtu = 1500\n[tcp]\nmss = 1460\n");
	CHECK_EQ(e->cfg.tcp.mss, 1460);
	FAILS(PORT0 "mtu = 1500\n[tcp]\nmss = 1461\n", ": [tcp] mss: 1461 "
		"does not fit [port0] mtu 1500 (at most mtu - 40 = 1460)");
	FAILS_SET(PORT0, ovr, "command line: [tcp] mss: 1461 does not fit "
		"[port0] mtu 1500 (at most mtu - 40 = 1460)");
	/* every port: the second one is the smaller */
	FAILS("[port0]\naddress = 10.0.0.2/24\nmtu = 1500\n"
		"[port1]\naddress = 10.0.1.2/24\nmtu = 1280\n"
		"[tcp]\nmss = 1400\n", ": [tcp] mss: 1400 does not fit [port1] "
		"mtu 1280 (at most mtu - 40 = 1240)");
	LOADS(PORT0 "mtu = 128\n[tcp]\nmss = 88\n");
	CHECK_EQ(e->cfg.tcp.mss, 88);
	/* the default comes down to the smallest MTU */
	LOADS(PORT0 "mtu = 1400\n");
	CHECK_EQ(e->cfg.tcp.mss, 1360);
	LOADS("[port0]\naddress = 10.0.0.2/24\nmtu = 1300\n"
		"[port1]\naddress = 10.0.1.2/24\nmtu = 1200\n");
	CHECK_EQ(e->cfg.tcp.mss, 1160);
	LOADS(PORT0 "mtu = 9000\n[mempool]\ndata_room = 9142\n");
	CHECK_EQ(e->cfg.tcp.mss, 1460);
	/* below an MSS of 88 the port's MTU is at fault */
	FAILS(PORT0 "mtu = 127\n", ": [port0] mtu: 127 leaves 87 bytes for "
		"the TCP MSS, less than [tcp] mss's minimum 88");
	FAILS_SET("[port0]\naddress = 10.0.0.2/24\n"
		"[port1]\naddress = 10.0.1.2/24\n", small,
		"command line: [port1] mtu: 127 leaves 87 bytes for the TCP "
		"MSS, less than [tcp] mss's minimum 88");
	return 0;
}

static int
services_can_be_off_but_not_share_a_port(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "server.http_port=7" };

	LOADS(PORT0 "[server]\necho_port = 0\ndiscard_port = 0\n"
		"daytime_port = 0\nchargen_port = 0\nhttp_port = 0\n");
	CHECK_EQ(e->srv.echo_port, 0);
	CHECK_EQ(e->srv.http_port, 0);
	/* a service moved onto a free port, another onto the freed one */
	LOADS(PORT0 "[server]\necho_port = 9\ndiscard_port = 7\n");
	CHECK_EQ(e->srv.echo_port, 9);
	CHECK_EQ(e->srv.discard_port, 7);
	/* the key given is named, not the default it meets */
	FAILS(PORT0 "[server]\nhttp_port = 13\n",
		": [server] http_port: 13 is also daytime_port");
	FAILS(PORT0 "[server]\necho_port = 80\n",
		": [server] echo_port: 80 is also http_port");
	FAILS(PORT0 "[server]\ndaytime_port = 8080\nchargen_port = 8080\n",
		": [server] chargen_port: 8080 is also daytime_port");
	FAILS_SET(PORT0, ovr,
		"command line: [server] http_port: 7 is also echo_port");
	/* off is not a port: several services may be off */
	LOADS(PORT0 "[server]\necho_port = 0\nhttp_port = 0\n");
	/* rr is a service like the others */
	FAILS(PORT0 "[server]\nrr_port = 7\n",
		": [server] rr_port: 7 is also echo_port");
	LOADS(PORT0 "[server]\nrr_port = 0\necho_port = 5001\n");
	return 0;
}

/* rr_close takes exactly its two names; the dump writes the name. */
static int
rr_close_is_client_or_server(void)
{
	struct env *e = env;
	static const char *const ovr[] = { "server.rr_close=server" };

	LOADS(PORT0 "[server]\nrr_close = client\n");
	CHECK_EQ(e->srv.rr_close, PTCP_RR_CLOSE_CLIENT);
	LOADS(PORT0 "[server]\nrr_close = server\n");
	CHECK_EQ(e->srv.rr_close, PTCP_RR_CLOSE_SERVER);
	FAILS(PORT0 "[server]\nrr_close = Server\n",
		": [server] rr_close: 'Server' is not one of client, server");
	FAILS(PORT0 "[server]\nrr_close = 1\n",
		": [server] rr_close: '1' is not one of client, server");
	FAILS(PORT0 "[server]\nrr_close = rst\n",
		": [server] rr_close: 'rst' is not one of client, server");
	CHECK_EQ(load(e, PORT0, ovr, RTE_DIM(ovr)), 0);
	CHECK_EQ(e->srv.rr_close, PTCP_RR_CLOSE_SERVER);
	return 0;
}

/* ----- dump ----- */

static int
dump_to(struct env *e, const struct ptcp_config *c, const char *name,
		char *path, char *text, size_t size)
{
	FILE *f;
	size_t n;

	snprintf(path, PATH_MAX, "%s/%.64s", e->dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	ptcp_config_dump(c, f);
	CHECK(fclose(f) == 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	n = fread(text, 1, size - 1, f);
	text[n] = '\0';
	fclose(f);
	CHECK(n < size - 1);
	return 0;
}

/* A port used only for VLANs: address = none. */
static int
a_port_may_have_no_address_when_it_carries_vlans(void)
{
	struct env *e = env;
	struct ptcp_config *c = &e->cfg;
	static char text1[16384], text2[16384];
	char path1[PATH_MAX], path2[PATH_MAX];
	struct ptcp_config again;

	LOADS("[port0]\naddress = none\n"
		"[port1]\naddress = none\nmtu = 1400\n"
		"[vlan0]\nport = 0\nid = 10\naddress = 10.0.10.2/24\n"
		"[vlan1]\nport = 1\nid = 10\naddress = 10.0.11.2/24\n");
	CHECK_EQ(c->nb_ports, 2);
	CHECK_EQ(c->port[0].addr, 0);
	CHECK_EQ(c->port[0].netmask, UINT32_MAX);
	CHECK_EQ(c->port[1].addr, 0);
	CHECK_EQ(c->nb_vlans, 2);
	/* written back as none, read back the same */
	CHECK(dump_to(e, c, "dump1.ini", path1, text1, sizeof(text1)) == 0);
	CHECK(strstr(text1, "[port0]\naddress = none\n") != NULL);
	CHECK_EQ(ptcp_config_load_with(&again, &e->schema, path1, NULL, 0,
		e->err, sizeof(e->err)), 0);
	CHECK(memcmp(&again, c, sizeof(again)) == 0);
	CHECK(dump_to(e, &again, "dump2.ini", path2, text2,
		sizeof(text2)) == 0);
	CHECK_STR(text1, text2);
	/* no subnet: a static ARP entry finds no port */
	FAILS("[port0]\naddress = none\n"
		"[vlan0]\nport = 0\nid = 10\naddress = 10.0.10.2/24\n"
		"[arp.static]\n10.0.0.9 = 02:00:00:00:00:09\n",
		": [arp.static] 10.0.0.9: 10.0.0.9 is in no port's subnet");
	FAILS("[port0]\naddress = none\n",
		": [port0] address: none leaves the port nothing to do: give "
		"it an address or a [vlanN] with port = 0");
	FAILS("[port0]\naddress = none\nextra_addresses = 10.0.0.3\n",
		": [port0] extra_addresses: the port has no address "
		"(address = none)");
	FAILS("[port0]\naddress = none\ngateway = 10.0.0.1\n",
		": [port0] gateway: the port has no address (address = none)");
	FAILS("[port0]\naddress = none\nnetmask = 255.255.255.0\n",
		": [port0] netmask: the port has no address (address = none)");
	FAILS(PORT0 "[vlan0]\nport = 0\nid = 10\naddress = none\n",
		": [vlan0] address: 'none' is not an IPv4 address");
	return 0;
}

static int
dump_reads_back_as_the_same_config(void)
{
	struct env *e = env;
	static char text1[16384], text2[16384];
	char path1[PATH_MAX], path2[PATH_MAX];
	struct ptcp_config again;
	int ret;

	LOADS("[port0]\ndevice = net_ring0\naddress = 10.98.0.1/24\n"
		"gateway = 10.98.0.254\nmac = 02:00:00:00:98:01\n"
		"rx_desc = 512\ntx_desc = 256\nmtu = 1400\n"
		"[port1]\naddress = 10.98.0.2\nnetmask = 255.255.0.0\n"
		"[lcores]\nburst = 64\ntx_flush_us = 7\n"
		"[mempool]\nmbufs = 16383\ncache = 0\ndata_room = 9216\n"
		"[ip]\nttl = 5\n"
		"[arp]\nentries = 16\ntimeout = 9\nresolve_ms = 11\n"
		"retries = 1\npending = 2\ngratuitous = no\n"
		"[arp.static]\n10.98.0.9 = 02:00:00:00:00:09 port 1\n"
		"10.98.7.7 = 02:00:00:00:00:07\n"
		"[timer]\ntick_us = 250\n"
		"[tcp]\nmax_conns = 100\nmax_tw = 0\nsyncookies = no\n"
		"msl_ms = 15\nrto_min_ms = 5\nrto_init_ms = 6\n"
		"rto_max_ms = 7\nkeepalive = on\nclose_wait_warn_s = 0\n"
		"rcv_buf = 4096\nsack = no\ndrain_ms = 0\n"
		"[server]\necho_port = 0\nhttp_port = 8080\n"
		"http_body = 1000000\n");
	/* the default MSS followed port0's mtu 1400 */
	CHECK_EQ(e->cfg.tcp.mss, 1360);
	CHECK(dump_to(e, &e->cfg, "dump1.ini", path1, text1,
		sizeof(text1)) == 0);
	ret = ptcp_config_load_with(&again, &e->schema,
		path1, NULL, 0, e->err,
		sizeof(e->err));
	if (ret != 0)
		fprintf(stderr, "  %s\n%s", e->err, text1);
	CHECK_EQ(ret, 0);
	CHECK(memcmp(&again, &e->cfg, sizeof(again)) == 0);
	CHECK(dump_to(e, &again, "dump2.ini", path2, text2,
		sizeof(text2)) == 0);
	CHECK_STR(text1, text2);
	CHECK(strstr(text1, "address = 10.98.0.2/16\n") != NULL);
	CHECK(strstr(text1, "10.98.7.7 = 02:00:00:00:00:07 port 1\n") != NULL);
	unlink(path1);
	unlink(path2);

	/* and the defaults with one port */
	{
		static const char *const ovr[] = { "port0.address=192.0.2.2/24" };

		CHECK_EQ(ptcp_config_load_with(&e->cfg, &e->schema,
		NULL, ovr, 1, e->err,
			sizeof(e->err)), 0);
	}
	CHECK(dump_to(e, &e->cfg, "dump1.ini", path1, text1,
		sizeof(text1)) == 0);
	CHECK_EQ(ptcp_config_load_with(&again, &e->schema,
		path1, NULL, 0, e->err,
		sizeof(e->err)), 0);
	CHECK(memcmp(&again, &e->cfg, sizeof(again)) == 0);
	unlink(path1);
	return 0;
}

static int
errors_fit_a_small_buffer(void)
{
	struct env *e = env;
	char small[16];
	int ret;

	CHECK(write_file(e->path, "[port0]\naddress = 10.0.0.300\n") == 0);
	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		e->path, NULL, 0, small,
		sizeof(small));
	CHECK_EQ(ret, (unsigned long long)-EINVAL);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	ret = ptcp_config_load_with(&e->cfg, &e->schema,
		e->path, NULL, 0, NULL, 0);
	CHECK_EQ(ret, (unsigned long long)-EINVAL);
	return 0;
}

/* ----- sections an application registers ----- */

struct demo_conf {
	uint32_t depth;
	bool loud;
	uint8_t mode;
	uint16_t lo, hi;
};

static const char *const demo_modes[] = { "slow", "fast" };

/* lo <= hi, naming the key the user gave */
static int
demo_check(struct ptcp_config_ctx *ctx, void *base)
{
	const struct demo_conf *d = base;

	if (d->lo <= d->hi)
		return 0;
	return ptcp_config_fail(ctx, "demo", ptcp_config_given(ctx, "demo",
		"hi") ? "hi" : "lo", "%u is not <= %u", d->lo, d->hi);
}

static const struct ptcp_config_key demo_keys[] = {
	PTCP_CONFIG_KEY(struct demo_conf, "depth", PTCP_CONFIG_UINT, depth,
		5, 1, 100, "how deep"),
	PTCP_CONFIG_KEY(struct demo_conf, "loud", PTCP_CONFIG_BOOL, loud,
		0, 0, 1, "shout"),
	PTCP_CONFIG_KEY_ENUM(struct demo_conf, "mode", mode, 1, demo_modes,
		"slow or fast"),
	PTCP_CONFIG_KEY(struct demo_conf, "lo", PTCP_CONFIG_UINT, lo,
		10, 0, 65535, "low"),
	PTCP_CONFIG_KEY(struct demo_conf, "hi", PTCP_CONFIG_UINT, hi,
		20, 0, 65535, "high"),
};

static const struct ptcp_config_section demo_section = {
	.name = "demo", .keys = demo_keys, .nb_keys = RTE_DIM(demo_keys),
	.check = demo_check,
};

static int
a_registered_section_is_read_checked_and_dumped(void)
{
	struct env *e = env;
	static char text[16384];
	char path[PATH_MAX];
	struct ptcp_config_schema saved = e->schema;
	struct demo_conf d;
	static const char *const ovr[] = { "demo.mode=slow", "demo.lo=3" };
	int ret;

	memset(&d, 0xff, sizeof(d));
	CHECK_EQ(ptcp_config_register(&e->schema, &demo_section, &d), 0);
	/* the defaults, at once */
	CHECK_EQ(d.depth, 5);
	CHECK(!d.loud);
	CHECK_EQ(d.mode, 1);
	CHECK_EQ(d.lo, 10);
	CHECK_EQ(d.hi, 20);
	ret = load(e, PORT0 "[demo]\ndepth = 0x10\nloud = yes\n", ovr,
		RTE_DIM(ovr));
	if (ret != 0)
		fprintf(stderr, "  %s\n", e->err);
	CHECK_EQ(ret, 0);
	CHECK_EQ(d.depth, 16);
	CHECK(d.loud);
	CHECK_EQ(d.mode, 0);
	CHECK_EQ(d.lo, 3);
	CHECK_EQ(d.hi, 20);
	/* in the dump, after lib/config's and [server], before arp.static */
	CHECK(dump_to(e, &e->cfg, "demo.ini", path, text, sizeof(text)) == 0);
	unlink(path);
	CHECK(strstr(text, "\n[server]\n") < strstr(text, "\n[demo]\n"));
	CHECK(strstr(text, "\n[demo]\ndepth = 16\t; how deep\nloud = yes\t; "
		"shout\nmode = slow\t; slow or fast\n") != NULL);
	/* each load starts again from the defaults */
	LOADS(PORT0);
	CHECK_EQ(d.depth, 5);
	CHECK_EQ(d.mode, 1);

	/* its errors read as lib/config's own */
	FAILS(PORT0 "[demo]\nnope = 1\n", ": [demo] nope: unknown key");
	FAILS(PORT0 "[demo]\ndepth = 101\n",
		": [demo] depth: 101 is out of range 1..100");
	FAILS(PORT0 "[demo]\nmode = medium\n",
		": [demo] mode: 'medium' is not one of slow, fast");
	FAILS(PORT0 "[demo]\nhi = 5\n", ": [demo] hi: 10 is not <= 5");
	FAILS(PORT0 "[demo]\nlo = 50\n", ": [demo] lo: 50 is not <= 20");
	{
		static const char *const bad[] = { "demo.depth=x" };

		FAILS_SET(PORT0, bad,
			"command line: [demo] depth: 'x' is not an unsigned "
			"integer");
	}
	FAILS(PORT0 "[nope]\n", ": [nope]: unknown section (known: "
		"port0..port3, vlan0..vlan7, lcores, mempool, ip, arp, arp.static, timer, "
		"tcp, server, demo)");
	e->schema = saved;
	return 0;
}

/* A section with hooks: keys outside its table, rules as it is read, its
 * own dump lines ([portN] and [arp.static] are made so). */
struct hooked_conf {
	uint32_t n;
	uint32_t addr;
	unsigned int keys;
};

static int
hooked_key(struct ptcp_config_ctx *ctx, void *base, const char *section,
		const char *key, const char *value)
{
	struct hooked_conf *h = base;

	if (strcmp(key, "addr") != 0)
		return ptcp_config_fail(ctx, section, key,
			"unknown key (known: n, addr)");
	if (ptcp_config_parse_ipv4(value, &h->addr) != 0)
		return ptcp_config_fail(ctx, section, key,
			"'%.*s' is not an IPv4 address", PTCP_CONFIG_QUOTE_MAX,
			value);
	return 0;
}

static int
count_key(struct ptcp_config_ctx *ctx, const char *key, const char *value,
		void *arg)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(key);
	RTE_SET_USED(value);
	(*(unsigned int *)arg)++;
	return 0;
}

static int
hooked_section(struct ptcp_config_ctx *ctx, void *base, const char *section)
{
	struct hooked_conf *h = base;

	if (ptcp_config_value(ctx, section, "addr") == NULL)
		return ptcp_config_fail(ctx, section, "addr",
			"missing (required)");
	h->keys = 0;
	return ptcp_config_foreach_key(ctx, section, count_key, &h->keys);
}

static void
hooked_dump(const struct ptcp_config_section *sec, const char *section,
		const void *base, FILE *f)
{
	const struct hooked_conf *h = base;
	char a[16];

	fprintf(f, "\n[%s]\naddr = %s\n", section,
		ptcp_config_ip_str(h->addr, a));
	ptcp_config_dump_keys(sec->keys, sec->nb_keys, base, f);
}

static const struct ptcp_config_key hooked_keys[] = {
	PTCP_CONFIG_KEY(struct hooked_conf, "n", PTCP_CONFIG_UINT, n,
		1, 1, 9, "a number"),
};

static int
a_section_with_hooks_reads_checks_and_dumps_its_way(void)
{
	struct env *e = env;
	static char text[16384];
	char path[PATH_MAX];
	struct ptcp_config_schema saved = e->schema;
	struct ptcp_config_section sec = {
		.name = "hooked", .keys = hooked_keys,
		.nb_keys = RTE_DIM(hooked_keys), .parse_key = hooked_key,
		.check_section = hooked_section, .dump = hooked_dump,
	};
	struct hooked_conf h;
	int ret;

	CHECK_EQ(ptcp_config_register(&e->schema, &sec, &h), 0);
	ret = load(e, PORT0 "[hooked]\naddr = 10.0.0.1\nn = 3\n", NULL, 0);
	if (ret != 0)
		fprintf(stderr, "  %s\n", e->err);
	CHECK_EQ(ret, 0);
	CHECK_EQ(h.n, 3);
	CHECK_EQ(h.addr, htonl(0x0a000001));
	CHECK_EQ(h.keys, 2);
	CHECK(dump_to(e, &e->cfg, "hooked.ini", path, text, sizeof(text)) == 0);
	unlink(path);
	CHECK(strstr(text, "\n[hooked]\naddr = 10.0.0.1\nn = 3\t; a number\n")
		!= NULL);
	FAILS(PORT0 "[hooked]\nn = 3\n", ": [hooked] addr: missing (required)");
	FAILS(PORT0 "[hooked]\naddr = x\n",
		": [hooked] addr: 'x' is not an IPv4 address");
	FAILS(PORT0 "[hooked]\nm = 1\n",
		": [hooked] m: unknown key (known: n, addr)");
	FAILS(PORT0 "[hooked]\naddr = 10.0.0.1\nn = 10\n",
		": [hooked] n: 10 is out of range 1..9");
	e->schema = saved;

	/* instances and dump_last are the libraries' */
	sec.name = "other";
	sec.instances = 2;
	sec.instance_size = sizeof(h);
	CHECK_EQ(ptcp_config_register(&e->schema, &sec, &h),
		(unsigned long long)-EINVAL);
	sec.instances = 0;
	sec.dump_last = true;
	CHECK_EQ(ptcp_config_register(&e->schema, &sec, &h),
		(unsigned long long)-EINVAL);
	e->schema = saved;
	return 0;
}

static int
a_section_name_is_registered_once(void)
{
	struct env *e = env;
	static const struct ptcp_config_key bad_range[] = {
		PTCP_CONFIG_KEY(struct demo_conf, "lo", PTCP_CONFIG_UINT, lo,
			70000, 0, 70000, "does not fit 16 bits"),
	};
	static const char *const own[] = { "tcp", "port2", "arp.static" };
	struct ptcp_config_section sec = demo_section;
	struct ptcp_config_schema s;
	struct ptcp_server_config other;
	struct demo_conf d;
	unsigned int i;

	(void)e;
	ptcp_config_schema_init(&s);
	CHECK_EQ(ptcp_config_register(&s, &demo_section, &d), 0);
	CHECK_EQ(ptcp_config_register(&s, &demo_section, &d),
		(unsigned long long)-EEXIST);
	CHECK_EQ(server_config_register(&s, &other), 0);
	CHECK_EQ(server_config_register(&s, &other),
		(unsigned long long)-EEXIST);
	/* lib/config's and the libraries' sections are not an application's */
	for (i = 0; i < RTE_DIM(own); i++) {
		sec.name = own[i];
		CHECK_EQ(ptcp_config_register(&s, &sec, &d),
			(unsigned long long)-EEXIST);
	}
	sec.name = "no spaces";
	CHECK_EQ(ptcp_config_register(&s, &sec, &d),
		(unsigned long long)-EINVAL);
	sec.name = "range";
	sec.keys = bad_range;
	sec.nb_keys = 1;
	CHECK_EQ(ptcp_config_register(&s, &sec, &d),
		(unsigned long long)-EINVAL);
	{
		const struct ptcp_config_key twice[] = { demo_keys[0],
			demo_keys[0] };

		sec.keys = twice;
		sec.nb_keys = 2;
		CHECK_EQ(ptcp_config_register(&s, &sec, &d),
			(unsigned long long)-EINVAL);
	}
	CHECK_EQ(ptcp_config_register(&s, NULL, &d),
		(unsigned long long)-EINVAL);
	CHECK_EQ(s.nb, 2);
	/* full */
	for (i = s.nb; i < PTCP_CONFIG_MAX_SECTIONS; i++) {
		/* the schema keeps the section's address */
		static struct ptcp_config_section more[PTCP_CONFIG_MAX_SECTIONS];
		static char names[PTCP_CONFIG_MAX_SECTIONS][8];

		snprintf(names[i], sizeof(names[i]), "s%u", i);
		more[i] = demo_section;
		more[i].name = names[i];
		CHECK_EQ(ptcp_config_register(&s, &more[i], &d), 0);
	}
	sec = demo_section;
	sec.name = "onemore";
	CHECK_EQ(ptcp_config_register(&s, &sec, &d),
		(unsigned long long)-ENOSPC);
	return 0;
}

/*
 * The libraries registered their sections before main(), each in its
 * place; a name or a place cannot be taken twice (every call here fails,
 * so the process-wide list is left as it was).
 */
static int
a_library_section_has_one_name_and_one_place(void)
{
	struct ptcp_config_section sec = demo_section;

	sec.name = "tcp";
	CHECK_EQ(ptcp_config_register_lib(&sec, 0, 99),
		(unsigned long long)-EEXIST);
	sec.name = "port0";
	CHECK_EQ(ptcp_config_register_lib(&sec, 0, 99),
		(unsigned long long)-EEXIST);
	sec.name = "fresh";
	CHECK_EQ(ptcp_config_register_lib(&sec, 0, PTCP_CONFIG_RANK_TCP),
		(unsigned long long)-EINVAL);
	CHECK_EQ(ptcp_config_register_lib(&sec, 0,
		PTCP_CONFIG_RANK_ARP_STATIC), (unsigned long long)-EINVAL);
	sec.name = "no spaces";
	CHECK_EQ(ptcp_config_register_lib(&sec, 0, 99),
		(unsigned long long)-EINVAL);
	return 0;
}

/* Without ptcp-server's registration, [server] is nobody's. */
static int
server_is_unknown_without_its_registration(void)
{
	struct env *e = env;
	CHECK(write_file(e->path, PORT0 "[server]\necho_port = 7\n") == 0);
	CHECK_EQ(ptcp_config_load(&e->cfg, e->path, NULL, 0, e->err,
		sizeof(e->err)), (unsigned long long)-EINVAL);
	CHECK(strstr(e->err, ": [server]: unknown section (known: "
		"port0..port3, vlan0..vlan7, lcores, mempool, ip, arp, arp.static, timer, "
		"tcp)") != NULL);
	CHECK(e->cfg.schema == NULL);
	return 0;
}

/* ----- runner ----- */

/*
 * IPv6 interface addresses (issue 17): the forms RFC 4291 §2.2 allows,
 * with and without a prefix length, and one clear reason for each refusal.
 */
static int
ipv6_address_values_and_their_errors(void)
{
	static const struct {
		const char *in;
		int ok;
		unsigned int prefix;
		const char *err;        /* a part of the error line */
	} c[] = {
		{ "2001:db8::1/64", 1, 64, NULL },
		{ "2001:DB8:0:0:0:0:0:1", 1, 128, NULL },
		{ "fe80::2/64", 1, 64, NULL },
		{ "2001:db8::1/128", 1, 128, NULL },
		{ "2001:db8::1/0", 0, 0, "prefix length '0' is not 1..128" },
		{ "2001:db8::1/129", 0, 0, "is not 1..128" },
		{ "2001:db8::1/", 0, 0, "prefix length '' is not 1..128" },
		{ "2001:db8::1/6x", 0, 0, "is not 1..128" },
		{ "2001:db8:::1", 0, 0, "'2001:db8:::1' is not an IPv6 address" },
		{ "192.0.2.1", 0, 0, "is not an IPv6 address" },
		{ "2001:db8::g", 0, 0, "is not an IPv6 address" },
		{ "ff02::1", 0, 0, "ff02::1 is a multicast address" },
		{ "::", 0, 0, ":: is the unspecified address" },
		{ "::1/128", 0, 0, "::1 is the loopback address" },
		{ "::ffff:192.0.2.1", 0, 0, "IPv4-mapped" },
		{ "", 0, 0, "'' is not an IPv6 address" },
	};
	uint8_t a[16];
	char err[128], str[64];
	unsigned int i, prefix;

	for (i = 0; i < RTE_DIM(c); i++) {
		int rc = ptcp_config_parse_ipv6_prefix(c[i].in, a, &prefix, err,
			sizeof(err));

		if (c[i].ok) {
			CHECK_MSG(rc == 0, "'%s': %s", c[i].in, err);
			CHECK_EQ(prefix, c[i].prefix);
		} else {
			CHECK_MSG(rc == -EINVAL, "'%s' accepted", c[i].in);
			CHECK_MSG(strstr(err, c[i].err) != NULL,
				"'%s': '%s' lacks '%s'", c[i].in, err, c[i].err);
		}
	}
	CHECK_EQ(ptcp_config_parse_ipv6_prefix("2001:DB8:0:0:0:0:0:1", a,
		&prefix, err, sizeof(err)), 0);
	CHECK_STR(ptcp_config_ipv6_str(a, str), "2001:db8::1");
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(defaults_are_the_documented_ones),
	TEST(ipv6_address_values_and_their_errors),
	TEST(every_example_file_loads),
	TEST(ptcp_ini_holds_the_defaults),
	TEST(ptcp_ini_names_every_key),
	TEST(tap_and_ring_files_say_what_the_tests_need),
	TEST(unreadable_file_is_enoent),
	TEST(comments_blanks_spaces_and_crlf_are_fine),
	TEST(syntax_errors_name_the_line),
	TEST(overlong_names_and_values_are_errors_not_truncated),
	TEST(duplicates_are_errors),
	TEST(unknown_sections_and_keys_are_errors),
	TEST(numbers_are_strict),
	TEST(booleans_take_every_documented_form),
	TEST(every_key_is_read),
	TEST(netmask_comes_from_cidr_or_netmask_key),
	TEST(netmask_zero_and_bad_masks_are_errors),
	TEST(bad_addresses_are_errors),
	TEST(gateway_must_be_a_host_of_the_subnet),
	TEST(extra_addresses_lists_ranges_and_rules),
	TEST(mac_must_be_unicast_and_well_formed),
	TEST(ports_are_contiguous_from_port0),
	TEST(overlapping_subnets_are_allowed_duplicate_addresses_are_not),
	TEST(mtu_must_fit_one_mbuf),
	TEST(vlans_are_interfaces_on_ports),
	TEST(vlan_errors_are_one_line_each),
	TEST(a_port_may_have_no_address_when_it_carries_vlans),
	TEST(static_arp_goes_to_the_port_of_its_subnet),
	TEST(static_arp_errors),
	TEST(every_tcp_and_server_key_is_read),
	TEST(tcp_and_server_ranges),
	TEST(rto_floor_initial_ceiling_are_in_order),
	TEST(mss_must_fit_every_port_mtu),
	TEST(services_can_be_off_but_not_share_a_port),
	TEST(rr_close_is_client_or_server),
	TEST(override_sets_a_new_key),
	TEST(override_replaces_a_file_value_and_the_last_wins),
	TEST(override_adds_a_section),
	TEST(overrides_without_a_file),
	TEST(malformed_overrides_are_errors),
	TEST(override_errors_name_the_command_line),
	TEST(dump_reads_back_as_the_same_config),
	TEST(errors_fit_a_small_buffer),
	TEST(a_registered_section_is_read_checked_and_dumped),
	TEST(a_section_with_hooks_reads_checks_and_dumps_its_way),
	TEST(a_section_name_is_registered_once),
	TEST(a_library_section_has_one_name_and_one_place),
	TEST(server_is_unknown_without_its_registration),
	{ 0 }
};

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	struct env *e;
	int ret;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return 2;
	snprintf(e->dir, sizeof(e->dir), "%s/ptcp-test-config-XXXXXX",
		tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(e->dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(e->path, sizeof(e->path), "%s/t.ini", e->dir);
	ptcp_config_schema_init(&e->schema);
	if (server_config_register(&e->schema, &e->srv) != 0)
		return 2;
	env = e;
	ret = ptcp_test_run(tests, argc, argv);
	unlink(e->path);
	if (rmdir(e->dir) != 0)
		perror(e->dir);
	free(e);
	return ret;
}
