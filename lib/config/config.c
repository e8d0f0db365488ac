/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp configuration: INI file -> rte_cfgfile -> struct ptcp_config.
 *
 * ptcp_config_load() runs four passes, each stopping at the first error
 * with one line in the caller's buffer:
 *
 *   read_file()        the file, line by line, into an rte_cfgfile
 *                      (syntax, lengths, duplicates: "FILE:LINE: ...")
 *   apply_overrides()  the --set strings, into the same rte_cfgfile
 *   parse_sections()   every section and key, typed and range-checked
 *                      ("FILE: [section] key: reason")
 *   check_config()     rules across keys (contiguous ports, addresses,
 *                      static ARP entries, mbuf size against the MTU,
 *                      RTO order, MSS against the MTU, service ports)
 *
 * The file is not read with rte_cfgfile_load(): in DPDK 22.11 it says
 * nothing about why a file is rejected, silently truncates names longer
 * than CFG_NAME_LEN - 1 and values longer than CFG_VALUE_LEN - 1, keeps
 * both copies of a repeated key (rte_cfgfile_get_entry() returns the first)
 * and hides a repeated section behind the first. read_file() applies the
 * same grammar strictly and stores what it reads with
 * rte_cfgfile_add_section() and rte_cfgfile_add_entry(); everything after
 * it reads the configuration back through the rte_cfgfile API.
 *
 * Every key of the fixed sections is a row of a const table below: the
 * table gives its default, its range, how it is parsed and how it is dumped,
 * so ptcp_config_defaults(), ptcp_config_load() and ptcp_config_dump()
 * cannot disagree.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "ptcp_config.h"

/* Name of the override "file" in error messages. */
#define CMDLINE "command line"

/* Longest piece of user input quoted back in an error message. */
#define QUOTE_MAX 64

/* Limits that do not depend on the table below. */
#define MBUFS_MIN 1023u
#define MBUFS_MAX (1u << 26)
#define CACHE_MAX RTE_MEMPOOL_CACHE_MAX_SIZE

/* [tcp] limits used by more than one rule. */
#define MSS_DEFAULT 1460u
#define MSS_MIN 88u			/* as Linux's TCP_MIN_MSS */
#define IP_TCP_HDRS 40u			/* IPv4 + TCP headers, no options */
#define MSS_MAX (9000u - IP_TCP_HDRS)	/* the largest [portN] mtu's room */
#define RETRIES_MAX 30u
#define M16 (1u << 24)			/* "16M" */

/*
 * rte_mempool_create() refuses a cache larger than mbufs / 1.5; with these
 * ranges that cannot happen, so there is no run-time check for it.
 */
_Static_assert(CACHE_MAX * 3 <= MBUFS_MIN * 2,
	"[mempool] cache range allows a cache larger than mbufs / 1.5");

/* How a key's value is parsed. */
enum vtype {
	V_UINT,		/* unsigned integer, decimal or 0x hex */
	V_BOOL,		/* yes/no, true/false, on/off, 1/0 */
	V_ENUM,		/* one of the key's names; stored as its index */
};

/* One key of a section: where it lands, its default and its range. */
struct key_desc {
	const char *key;
	enum vtype type;
	size_t off;		/* offset in the struct the section fills */
	size_t size;		/* size of that field */
	uint64_t def;
	uint64_t min;
	uint64_t max;
	const char *doc;	/* one line, for ptcp_config_dump() */
	const char *const *names;	/* V_ENUM: value names, by index */
};

#define CFG_KEY(name, type, field, def, min, max, doc) \
	{ name, type, offsetof(struct ptcp_config, field), \
	  sizeof(((struct ptcp_config *)0)->field), def, min, max, doc }
#define CFG_ENUM(name, field, def, names, doc) \
	{ name, V_ENUM, offsetof(struct ptcp_config, field), \
	  sizeof(((struct ptcp_config *)0)->field), def, 0, \
	  RTE_DIM(names) - 1, doc, names }
#define PORT_KEY(name, field, def, min, max, doc) \
	{ name, V_UINT, offsetof(struct ptcp_port_config, field), \
	  sizeof(((struct ptcp_port_config *)0)->field), def, min, max, doc }

static const struct key_desc lcores_keys[] = {
	CFG_KEY("burst", V_UINT, burst, 32, 1, 512,
		"packets per rx_burst/tx_burst call"),
	CFG_KEY("tx_flush_us", V_UINT, tx_flush_us, 0, 0, 1000000,
		"reserved: the TX batch is flushed every loop pass"),
	CFG_KEY("workers", V_UINT, workers, 0, 0, PTCP_MAX_WORKERS,
		"workers; 0 = one per EAL lcore (more than the EAL lcores: "
		"the application polls the extra ones itself)"),
	CFG_KEY("steer_ring", V_UINT, steer_ring, 1024, 64, 65536,
		"frames a worker may have waiting for another"),
	CFG_KEY("tx_backlog", V_UINT, tx_backlog, 1024, 0, 32768,
		"frames held per TX queue while the port refuses them "
		"(retried first on the next passes; 0 = drop at once)"),
};

static const struct key_desc mempool_keys[] = {
	CFG_KEY("mbufs", V_UINT, mbufs, 8191, MBUFS_MIN, MBUFS_MAX,
		"mbufs in each worker lcore's pool"),
	CFG_KEY("cache", V_UINT, mbuf_cache, 256, 0, CACHE_MAX,
		"per-lcore mempool cache"),
	CFG_KEY("data_room", V_UINT, mbuf_data_room,
		RTE_MBUF_DEFAULT_BUF_SIZE, 1024, 65535,
		"bytes per mbuf, headroom included"),
};

static const struct key_desc ip_keys[] = {
	CFG_KEY("ttl", V_UINT, ttl, 64, 1, 255, "TTL of sent packets"),
};

static const struct key_desc arp_keys[] = {
	CFG_KEY("entries", V_UINT, arp_entries, 1024, 16, 65536,
		"ARP cache entries per port"),
	CFG_KEY("timeout", V_UINT, arp_timeout_s, 300, 1, 86400,
		"seconds before a learnt entry ages out"),
	CFG_KEY("resolve_ms", V_UINT, arp_resolve_ms, 1000, 10, 60000,
		"ms to wait for a reply before asking again"),
	CFG_KEY("retries", V_UINT, arp_retries, 3, 1, 10,
		"requests sent before giving up on a next hop"),
	CFG_KEY("pending", V_UINT, arp_pending, 64, 1, 256,
		"packets held per unresolved next hop"),
	CFG_KEY("pending_total", V_UINT, arp_pending_total, 1024, 1, 1u << 20,
		"packets held for all unresolved next hops of a port together"),
	CFG_KEY("gratuitous", V_BOOL, arp_gratuitous, 1, 0, 1,
		"announce each port's address at start"),
};

static const struct key_desc timer_keys[] = {
	CFG_KEY("tick_us", V_UINT, tick_us, 1000, 10, 1000000,
		"timer wheel tick, microseconds"),
};

#define SEC_TCP "tcp"
static const char *const cc_names[] = {
	[PTCP_CC_NEWRENO] = "newreno",
	[PTCP_CC_CUBIC] = "cubic",
};

static const struct key_desc tcp_keys[] = {
	CFG_KEY("max_conns", V_UINT, tcp.max_conns, 65536, 16, M16,
		"TCBs per worker lcore"),
	CFG_KEY("max_tw", V_UINT, tcp.max_tw, 65536, 0, M16,
		"TIME-WAIT entries per worker lcore"),
	CFG_KEY("syn_backlog", V_UINT, tcp.syn_backlog, 1024, 1, 1u << 20,
		"SYN-RECEIVED connections per listener"),
	CFG_KEY("syncookies", V_BOOL, tcp.syncookies, 1, 0, 1,
		"SYN cookies once a listener's backlog is full"),
	CFG_KEY("msl_ms", V_UINT, tcp.msl_ms, 30000, 10, 600000,
		"maximum segment lifetime; TIME-WAIT lasts 2 * MSL"),
	CFG_KEY("rto_init_ms", V_UINT, tcp.rto_init_ms, 1000, 1, 600000,
		"initial retransmission timeout"),
	CFG_KEY("rto_min_ms", V_UINT, tcp.rto_min_ms, 200, 1, 10000,
		"retransmission timeout floor"),
	CFG_KEY("rto_max_ms", V_UINT, tcp.rto_max_ms, 60000, 1, 600000,
		"retransmission timeout ceiling"),
	CFG_KEY("syn_retries", V_UINT, tcp.syn_retries, 6, 1, RETRIES_MAX,
		"SYN retransmissions before an open fails"),
	CFG_KEY("synack_retries", V_UINT, tcp.synack_retries, 5, 1,
		RETRIES_MAX, "SYN-ACK retransmissions before giving up"),
	CFG_KEY("data_retries", V_UINT, tcp.data_retries, 15, 1, RETRIES_MAX,
		"data retransmissions before the connection is reset"),
	CFG_KEY("orphan_retries", V_UINT, tcp.orphan_retries, 8, 1,
		RETRIES_MAX, "FIN retransmissions once the app has closed"),
	CFG_KEY("fin_wait2_ms", V_UINT, tcp.fin_wait2_ms, 60000, 100, 3600000,
		"FIN-WAIT-2 limit for connections the app has closed"),
	CFG_KEY("keepalive", V_BOOL, tcp.keepalive, 0, 0, 1,
		"keepalive on by default for listeners"),
	CFG_KEY("keepalive_idle_s", V_UINT, tcp.keepalive_idle_s, 7200, 1,
		65535, "idle seconds before the first keepalive probe"),
	CFG_KEY("keepalive_intvl_s", V_UINT, tcp.keepalive_intvl_s, 75, 1,
		3600, "seconds between keepalive probes"),
	CFG_KEY("keepalive_cnt", V_UINT, tcp.keepalive_cnt, 9, 1, 100,
		"unanswered probes before the connection is reset"),
	CFG_KEY("close_wait_warn_s", V_UINT, tcp.close_wait_warn_s, 60, 0,
		86400, "report CLOSE-WAIT older than this; 0 = off"),
	CFG_KEY("mss", V_UINT, tcp.mss, MSS_DEFAULT, MSS_MIN, MSS_MAX,
		"MSS announced; at most every port's mtu - 40"),
	CFG_KEY("rcv_buf", V_UINT, tcp.rcv_buf, 65535 * 4, 1024, 1u << 30,
		"receive window per connection, bytes"),
	CFG_KEY("snd_buf", V_UINT, tcp.snd_buf, 256 * 1024, 1024, 1u << 30,
		"send queue limit per connection, bytes"),
	CFG_KEY("timestamps", V_BOOL, tcp.timestamps, 1, 0, 1,
		"RFC 7323 timestamps"),
	CFG_KEY("window_scaling", V_BOOL, tcp.window_scaling, 1, 0, 1,
		"RFC 7323 window scaling"),
	CFG_KEY("sack", V_BOOL, tcp.sack, 1, 0, 1,
		"announce SACK-permitted"),
	CFG_KEY("challenge_ack_limit", V_UINT, tcp.challenge_ack_limit, 1000,
		1, 1000000, "RFC 5961 challenge ACKs per second per lcore"),
	CFG_KEY("drain_ms", V_UINT, tcp.drain_ms, 2000, 0, 600000,
		"on shutdown, wait this long for connections to close"),
	CFG_ENUM("cc", tcp.cc, PTCP_CC_CUBIC, cc_names,
		"congestion control: cubic or newreno"),
	CFG_KEY("init_cwnd", V_UINT, tcp.init_cwnd, 10, 1, 100,
		"initial congestion window, segments (RFC 6928)"),
	CFG_KEY("delack_ms", V_UINT, tcp.delack_ms, 40, 0, 500,
		"delayed ACK timeout; 0 = ACK every segment at once"),
	CFG_KEY("nagle", V_BOOL, tcp.nagle, 0, 0, 1,
		"Nagle's algorithm for new connections (per connection: "
		"ptcp_conn_set_nagle)"),
	CFG_KEY("ooo_max", V_UINT, tcp.ooo_max, 0, 0, 1u << 30,
		"out-of-order queue bound per connection, buffer bytes; "
		"0 = 2 * rcv_buf"),
	CFG_KEY("max_recovery", V_UINT, tcp.max_recovery, 16384, 0, M16,
		"connections per worker that can hold out-of-order data and "
		"SACK/CUBIC state at once"),
	CFG_KEY("tso", V_BOOL, tcp.tso, 1, 0, 1,
		"TCP segmentation offload where the port offers it"),
};

#define SEC_SERVER "server"
static const char *const rr_close_names[] = {
	[PTCP_RR_CLOSE_CLIENT] = "client",
	[PTCP_RR_CLOSE_SERVER] = "server",
};

static const struct key_desc server_keys[] = {
	CFG_KEY("echo_port", V_UINT, server.echo_port, 7, 0, 65535,
		"RFC 862 echo; 0 = off"),
	CFG_KEY("discard_port", V_UINT, server.discard_port, 9, 0, 65535,
		"RFC 863 discard; 0 = off"),
	CFG_KEY("daytime_port", V_UINT, server.daytime_port, 13, 0, 65535,
		"RFC 867 daytime; 0 = off"),
	CFG_KEY("chargen_port", V_UINT, server.chargen_port, 19, 0, 65535,
		"RFC 864 chargen; 0 = off"),
	CFG_KEY("http_port", V_UINT, server.http_port, 80, 0, 65535,
		"HTTP/1.1 responder; 0 = off"),
	CFG_KEY("rr_port", V_UINT, server.rr_port, 5001, 0, 65535,
		"request/response service; 0 = off"),
	CFG_KEY("http_body", V_UINT, server.http_body, 64, 0, 1u << 24,
		"bytes in a 200 response body"),
	CFG_KEY("http_max_request", V_UINT, server.http_max_request, 8192,
		256, 1u << 20, "request head limit, bytes"),
	CFG_KEY("rr_request", V_UINT, server.rr_request, 64, 1, 1u << 20,
		"rr: request bytes read before answering"),
	CFG_KEY("rr_response", V_UINT, server.rr_response, 64, 0, 1u << 20,
		"rr: response bytes sent"),
	CFG_ENUM("rr_close", server.rr_close, PTCP_RR_CLOSE_CLIENT,
		rr_close_names, "rr: who closes first, client or server"),
};

/*
 * The first NB_SERVICE_PORTS rows of server_keys are the service ports, in
 * the order check_server() lists them (for the no-sharing rule).
 */
#define NB_SERVICE_PORTS 6

/* The numeric keys of [portN]; the others are parsed in parse_port(). */
static const struct key_desc port_keys[] = {
	PORT_KEY("rx_desc", rx_desc, 1024, 32, 16384,
		"RX descriptors per queue"),
	PORT_KEY("tx_desc", tx_desc, 1024, 32, 16384,
		"TX descriptors per queue"),
	PORT_KEY("mtu", mtu, RTE_ETHER_MTU, 68, 9000, "IP MTU"),
};

/* The sections made only of table keys, in dump order. */
struct section_desc {
	const char *name;
	const struct key_desc *keys;
	unsigned int nb_keys;
};

static const struct section_desc plain_sections[] = {
	{ "lcores", lcores_keys, RTE_DIM(lcores_keys) },
	{ "mempool", mempool_keys, RTE_DIM(mempool_keys) },
	{ "ip", ip_keys, RTE_DIM(ip_keys) },
	{ "arp", arp_keys, RTE_DIM(arp_keys) },
	{ "timer", timer_keys, RTE_DIM(timer_keys) },
	{ SEC_TCP, tcp_keys, RTE_DIM(tcp_keys) },
	{ SEC_SERVER, server_keys, RTE_DIM(server_keys) },
};

#define SEC_ARP_STATIC "arp.static"
#define KNOWN_SECTIONS "port0..port3, lcores, mempool, ip, arp, " \
	"arp.static, timer, tcp, server"

/* One --set string, once split. */
struct override {
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN];
	bool new_section;	/* the file has no such section */
};

/* One section header or key of the file, for duplicate checks. */
struct seen {
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN];	/* "" for the section header */
	unsigned int line;
};

/* Everything one ptcp_config_load() call works on. */
struct load_ctx {
	struct ptcp_config *cfg;
	const char *path;		/* NULL: no file */
	struct rte_cfgfile *cf;
	char *err;
	size_t errlen;

	struct seen *seen;
	unsigned int nb_seen;
	unsigned int cap_seen;

	struct override *ovr;
	unsigned int nb_ovr;

	/* [portN] facts that ptcp_port_config does not keep */
	uint8_t prefix[PTCP_MAX_PORTS];	/* from "address = A/N"; 0: none */
	bool netmask_set[PTCP_MAX_PORTS];

	int arp_static_index;		/* section index, -1 if none */
};

/* ----- error messages ----- */

static void __rte_format_printf(3, 0)
verr(struct load_ctx *c, const char *prefix, const char *fmt, va_list ap)
{
	int n;

	if (c->err == NULL || c->errlen == 0)
		return;
	n = snprintf(c->err, c->errlen, "%s", prefix);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
}

/* "FILE:LINE: ..." for what read_file() finds. */
static int __rte_format_printf(3, 4)
fail_line(struct load_ctx *c, unsigned int line, const char *fmt, ...)
{
	char prefix[PATH_MAX + 32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s:%u: ", c->path, line);
	va_start(ap, fmt);
	verr(c, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* "FILE: cannot read: ..." */
static int
fail_read(struct load_ctx *c, int errnum)
{
	if (c->err != NULL && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: cannot read: %s", c->path,
			strerror(errnum));
	return -ENOENT;
}

/* "command line: ..." for a malformed --set string. */
static int __rte_format_printf(2, 3)
fail_cmdline(struct load_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, CMDLINE ": ", fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Where section/key (key NULL: the section) came from: the command line if
 * an override set that key or created that section, else the file.
 */
static const char *
origin(const struct load_ctx *c, const char *section, const char *key)
{
	unsigned int i;

	if (c->path == NULL)
		return CMDLINE;
	for (i = 0; i < c->nb_ovr; i++) {
		if (strcmp(c->ovr[i].section, section) != 0)
			continue;
		if (c->ovr[i].new_section ||
				(key != NULL && strcmp(c->ovr[i].key, key) == 0))
			return CMDLINE;
	}
	return c->path;
}

/* "FILE: [section] key: ..." (or "FILE: [section]: ..." if key is NULL). */
static int __rte_format_printf(4, 5)
fail_key(struct load_ctx *c, const char *section, const char *key,
		const char *fmt, ...)
{
	char prefix[PATH_MAX + 2 * CFG_NAME_LEN + 16];
	va_list ap;

	if (key != NULL)
		snprintf(prefix, sizeof(prefix), "%s: [%s] %s: ",
			origin(c, section, key), section, key);
	else
		snprintf(prefix, sizeof(prefix), "%s: [%s]: ",
			origin(c, section, NULL), section);
	va_start(ap, fmt);
	verr(c, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ----- value parsers: 0 or -EINVAL, no message ----- */

static int
parse_u64(const char *s, uint64_t *v)
{
	const char *digits = "0123456789";
	unsigned long long x;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		digits = "0123456789abcdefABCDEF";
	}
	/* strtoull alone would take spaces, a sign and a second "0x" */
	if (s[0] == '\0' || s[strspn(s, digits)] != '\0')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

static int
parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Dotted quad only (inet_pton rejects leading zeros and short forms). */
static int
parse_ipv4(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

/* xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, exactly two hex digits each. */
static int
parse_mac(const char *s, struct rte_ether_addr *mac)
{
	char sep;
	unsigned int i;

	if (strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		const char *p = s + 3 * i;
		char hex[3] = { p[0], p[1], '\0' };

		if (!isxdigit((unsigned char)p[0]) ||
				!isxdigit((unsigned char)p[1]))
			return -EINVAL;
		if (i < RTE_ETHER_ADDR_LEN - 1 && p[2] != sep)
			return -EINVAL;
		mac->addr_bytes[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}

static uint32_t
prefix_to_mask(unsigned int prefix)
{
	return prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
}

/* Length of a contiguous netmask, or -1. */
static int
mask_to_prefix(uint32_t mask)
{
	uint32_t inv = ~ntohl(mask);

	if ((inv & (inv + 1)) != 0)
		return -1;
	return __builtin_popcount(ntohl(mask));
}

static const char *
ip_str(uint32_t ip, char *buf)
{
	struct in_addr a = { .s_addr = ip };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void
store_uint(void *field, size_t size, uint64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)field = (uint8_t)v; break;
	case 2: *(uint16_t *)field = (uint16_t)v; break;
	case 4: *(uint32_t *)field = (uint32_t)v; break;
	default: *(uint64_t *)field = v; break;
	}
}

static uint64_t
load_uint(const void *field, size_t size)
{
	switch (size) {
	case 1: return *(const uint8_t *)field;
	case 2: return *(const uint16_t *)field;
	case 4: return *(const uint32_t *)field;
	default: return *(const uint64_t *)field;
	}
}

/* Parse one table key into base + d->off, or say why not. */
static int
parse_table_key(struct load_ctx *c, const char *section,
		const struct key_desc *d, const char *value, void *base)
{
	void *field = (char *)base + d->off;
	uint64_t v;
	bool b;
	int ret;

	if (d->type == V_ENUM) {
		char names[CFG_VALUE_LEN];
		size_t n = 0;

		for (v = 0; v <= d->max; v++) {
			if (strcmp(value, d->names[v]) == 0) {
				store_uint(field, d->size, v);
				return 0;
			}
			n += snprintf(names + n, sizeof(names) - n, "%s%s",
				v == 0 ? "" : ", ", d->names[v]);
			if (n >= sizeof(names))
				n = sizeof(names) - 1;
		}
		return fail_key(c, section, d->key,
			"'%.*s' is not one of %s", QUOTE_MAX, value, names);
	}
	if (d->type == V_BOOL) {
		if (parse_bool(value, &b) != 0)
			return fail_key(c, section, d->key,
				"'%.*s' is not a boolean (yes/no, true/false, on/off, 1/0)",
				QUOTE_MAX, value);
		*(bool *)field = b;
		return 0;
	}
	ret = parse_u64(value, &v);
	if (ret == -EINVAL)
		return fail_key(c, section, d->key,
			"'%.*s' is not an unsigned integer",
			QUOTE_MAX, value);
	if (ret != 0 || v < d->min || v > d->max)
		return fail_key(c, section, d->key,
			"%.*s is out of range %" PRIu64 "..%" PRIu64,
			QUOTE_MAX, value, d->min, d->max);
	store_uint(field, d->size, v);
	return 0;
}

static const struct key_desc *
find_key(const struct key_desc *keys, unsigned int n, const char *key)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

/* ----- pass 1: the file ----- */

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool
valid_name(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-:", *s) == NULL)
			return false;
	return true;
}

/* Remember a header or key; 0, -EEXIST (*first = its line) or -ENOMEM. */
static int
remember(struct load_ctx *c, const char *section, const char *key,
		unsigned int line, unsigned int *first)
{
	struct seen *s;
	unsigned int i;

	for (i = 0; i < c->nb_seen; i++) {
		if (strcmp(c->seen[i].section, section) == 0 &&
				strcmp(c->seen[i].key, key) == 0) {
			*first = c->seen[i].line;
			return -EEXIST;
		}
	}
	if (c->nb_seen == c->cap_seen) {
		unsigned int cap = c->cap_seen ? 2 * c->cap_seen : 64;

		s = realloc(c->seen, cap * sizeof(*s));
		if (s == NULL)
			return -ENOMEM;
		c->seen = s;
		c->cap_seen = cap;
	}
	s = &c->seen[c->nb_seen++];
	strlcpy(s->section, section, sizeof(s->section));
	strlcpy(s->key, key, sizeof(s->key));
	s->line = line;
	return 0;
}

/* "[name]" (already trimmed, starts with '['). */
static int
read_section_line(struct load_ctx *c, char *s, unsigned int line,
		char *section)
{
	char *end = strchr(s, ']');
	char *name;
	unsigned int first;
	int ret;

	if (end == NULL)
		return fail_line(c, line, "'%.*s': no closing ']'",
			QUOTE_MAX, s);
	if (*trim(end + 1) != '\0')
		return fail_line(c, line, "'%.*s' after ']'",
			QUOTE_MAX, trim(end + 1));
	*end = '\0';
	name = trim(s + 1);
	if (*name == '\0')
		return fail_line(c, line, "empty section name");
	if (strlen(name) >= CFG_NAME_LEN)
		return fail_line(c, line,
			"section name is %zu characters long, at most %d",
			strlen(name), CFG_NAME_LEN - 1);
	if (!valid_name(name))
		return fail_line(c, line,
			"[%s]: a name is letters, digits, '_', '.', '-', ':'",
			name);
	ret = remember(c, name, "", line, &first);
	if (ret == -EEXIST)
		return fail_line(c, line,
			"[%s]: duplicate section (first on line %u)",
			name, first);
	if (ret != 0)
		return ret;
	if (rte_cfgfile_add_section(c->cf, name) != 0)
		return -ENOMEM;
	strlcpy(section, name, CFG_NAME_LEN);
	return 0;
}

/* "key = value" (already trimmed). */
static int
read_entry_line(struct load_ctx *c, char *s, unsigned int line,
		const char *section)
{
	char *eq = strchr(s, '=');
	char *key, *value;
	unsigned int first;
	int ret;

	if (eq == NULL)
		return fail_line(c, line,
			"'%.*s' is neither '[section]' nor 'key = value'",
			QUOTE_MAX, s);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (*key == '\0')
		return fail_line(c, line, "no key before '='");
	if (strlen(key) >= CFG_NAME_LEN)
		return fail_line(c, line,
			"key is %zu characters long, at most %d",
			strlen(key), CFG_NAME_LEN - 1);
	if (!valid_name(key))
		return fail_line(c, line,
			"'%s': a name is letters, digits, '_', '.', '-', ':'",
			key);
	if (*section == '\0')
		return fail_line(c, line, "%s: key before the first [section]",
			key);
	if (*value == '\0')
		return fail_line(c, line, "[%s] %s: empty value", section, key);
	if (strlen(value) >= CFG_VALUE_LEN)
		return fail_line(c, line,
			"[%s] %s: value is %zu characters long, at most %d",
			section, key, strlen(value), CFG_VALUE_LEN - 1);
	ret = remember(c, section, key, line, &first);
	if (ret == -EEXIST)
		return fail_line(c, line,
			"[%s] %s: duplicate key (first on line %u)",
			section, key, first);
	if (ret != 0)
		return ret;
	return rte_cfgfile_add_entry(c->cf, section, key, value) == 0 ?
		0 : -ENOMEM;
}

/*
 * The grammar: blank lines; comments from ';' or '#' to the end of the
 * line (values never contain either); "[section]"; "key = value", with
 * spaces around both trimmed. Nothing else.
 */
static int
read_file(struct load_ctx *c)
{
	char section[CFG_NAME_LEN] = "";
	unsigned int line = 0;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int ret = 0;

	f = fopen(c->path, "r");
	if (f == NULL)
		return fail_read(c, errno);
	while (ret == 0 && (n = getline(&buf, &cap, f)) >= 0) {
		char *s;

		line++;
		if (memchr(buf, '\0', n) != NULL) {
			ret = fail_line(c, line, "NUL byte in the line");
			break;
		}
		s = buf;
		if (line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;		/* UTF-8 byte order mark */
		s[strcspn(s, ";#")] = '\0';
		s = trim(s);
		if (*s == '\0')
			continue;
		if (*s == '[')
			ret = read_section_line(c, s, line, section);
		else
			ret = read_entry_line(c, s, line, section);
	}
	if (ret == 0 && ferror(f))
		ret = fail_read(c, errno);
	free(buf);
	fclose(f);
	return ret;
}

/* ----- pass 2: the --set strings ----- */

static bool
is_port_section(const char *name, unsigned int *port)
{
	if (strncmp(name, "port", 4) != 0 || name[4] < '0' ||
			name[4] >= '0' + PTCP_MAX_PORTS || name[5] != '\0')
		return false;
	*port = name[4] - '0';
	return true;
}

/* Length of the known section name that starts "section.key", or 0. */
static size_t
known_section_prefix(const char *lhs)
{
	static const char *const known[] = { "port0", "port1", "port2",
		"port3", "lcores", "mempool", "ip", "arp", SEC_ARP_STATIC,
		"timer", SEC_TCP, SEC_SERVER };
	size_t best = 0, len;
	unsigned int i;

	RTE_BUILD_BUG_ON(PTCP_MAX_PORTS != 4);
	for (i = 0; i < RTE_DIM(known); i++) {
		len = strlen(known[i]);
		if (len > best && strncmp(lhs, known[i], len) == 0 &&
				lhs[len] == '.')
			best = len;
	}
	return best;
}

/*
 * "section.key=value": the section is the longest known section name
 * before a '.', so that "arp.static.10.0.0.9=..." is key 10.0.0.9 of
 * [arp.static]; for an unknown section, the split is at the last '.'.
 */
static int
apply_override(struct load_ctx *c, const char *str, struct override *o)
{
	char buf[CFG_NAME_LEN + CFG_NAME_LEN + CFG_VALUE_LEN + 8];
	char *eq, *dot, *section, *key, *value;
	size_t len;
	int ret;

	if (strlen(str) >= sizeof(buf))
		return fail_cmdline(c, "'%.*s...': longer than %zu characters",
			QUOTE_MAX, str, sizeof(buf) - 1);
	strlcpy(buf, str, sizeof(buf));
	eq = strchr(buf, '=');
	if (eq == NULL)
		return fail_cmdline(c,
			"'%.*s': expected section.key=value", QUOTE_MAX, str);
	*eq = '\0';
	value = trim(eq + 1);
	section = trim(buf);
	len = known_section_prefix(section);
	dot = len != 0 ? section + len : strrchr(section, '.');
	if (dot == NULL)
		return fail_cmdline(c,
			"'%.*s': expected section.key=value, no '.' in '%.*s'",
			QUOTE_MAX, str, QUOTE_MAX, section);
	*dot = '\0';
	key = trim(dot + 1);
	section = trim(section);
	if (*section == '\0' || *key == '\0')
		return fail_cmdline(c,
			"'%.*s': expected section.key=value", QUOTE_MAX, str);
	if (strlen(section) >= CFG_NAME_LEN || !valid_name(section))
		return fail_cmdline(c, "'%.*s': bad section name",
			QUOTE_MAX, str);
	if (strlen(key) >= CFG_NAME_LEN || !valid_name(key))
		return fail_cmdline(c, "'%.*s': bad key name", QUOTE_MAX, str);
	if (*value == '\0')
		return fail_cmdline(c, "[%s] %s: empty value", section, key);
	if (strpbrk(value, ";#") != NULL)
		return fail_cmdline(c, "[%s] %s: '%.*s': a value cannot hold "
			"';' or '#' (they start comments in a file)",
			section, key, QUOTE_MAX, value);
	if (strlen(value) >= CFG_VALUE_LEN)
		return fail_cmdline(c,
			"[%s] %s: value is %zu characters long, at most %d",
			section, key, strlen(value), CFG_VALUE_LEN - 1);

	strlcpy(o->section, section, sizeof(o->section));
	strlcpy(o->key, key, sizeof(o->key));
	o->new_section = false;
	if (!rte_cfgfile_has_section(c->cf, section)) {
		if (rte_cfgfile_add_section(c->cf, section) != 0)
			return -ENOMEM;
		o->new_section = true;
	}
	if (rte_cfgfile_has_entry(c->cf, section, key))
		ret = rte_cfgfile_set_entry(c->cf, section, key, value);
	else
		ret = rte_cfgfile_add_entry(c->cf, section, key, value);
	return ret == 0 ? 0 : -ENOMEM;
}

static int
apply_overrides(struct load_ctx *c, const char *const *overrides,
		unsigned int nb)
{
	unsigned int i;
	int ret;

	if (nb == 0)
		return 0;
	if (overrides == NULL)
		return -EINVAL;
	c->ovr = calloc(nb, sizeof(*c->ovr));
	if (c->ovr == NULL)
		return -ENOMEM;
	for (i = 0; i < nb; i++) {
		if (overrides[i] == NULL)
			return fail_cmdline(c, "override %u is NULL", i);
		ret = apply_override(c, overrides[i], &c->ovr[i]);
		if (ret != 0)
			return ret;
		/* counted only once complete: origin() reads it */
		c->nb_ovr = i + 1;
	}
	return 0;
}

/* ----- pass 3: sections and keys ----- */

int
ptcp_parse_addr_list(const char *s, uint32_t *out, unsigned int max,
		unsigned int *n, char *err, size_t errlen)
{
	char buf[CFG_VALUE_LEN], *tok, *save = NULL, *dash;
	uint32_t lo, hi, h;

	*n = 0;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "longer than %zu characters",
			sizeof(buf) - 1);
		return -EINVAL;
	}
	strlcpy(buf, s, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		tok[strcspn(tok, " \t")] = '\0';
		dash = strchr(tok, '-');
		if (dash != NULL)
			*dash++ = '\0';
		if (parse_ipv4(tok, &lo) != 0 ||
				(dash != NULL && parse_ipv4(dash, &hi) != 0)) {
			snprintf(err, errlen, "'%.*s' is not an address or a "
				"range A.B.C.D-A.B.C.E", QUOTE_MAX,
				dash != NULL && parse_ipv4(tok, &lo) == 0 ?
				dash : tok);
			return -EINVAL;
		}
		if (dash == NULL)
			hi = lo;
		if (ntohl(hi) < ntohl(lo)) {
			snprintf(err, errlen, "range %s-%s runs backwards",
				tok, dash);
			return -EINVAL;
		}
		for (h = ntohl(lo); ; h++) {
			if (*n == max) {
				snprintf(err, errlen, "more than %u addresses",
					max);
				return -EINVAL;
			}
			out[(*n)++] = htonl(h);
			if (h == ntohl(hi))
				break;
		}
	}
	if (*n == 0) {
		snprintf(err, errlen, "no address");
		return -EINVAL;
	}
	return 0;
}

/*
 * extra_addresses: "none", or a list for ptcp_parse_addr_list(), at most
 * PTCP_MAX_EXTRA_ADDRS. Subnet and duplicate rules: check_port().
 */
static int
parse_addr_list(struct load_ctx *c, const char *section,
		const struct rte_cfgfile_entry *e, struct ptcp_port_config *pc)
{
	char why[PTCP_CONFIG_ERRLEN];

	pc->nb_extra = 0;
	if (strcasecmp(e->value, "none") == 0)
		return 0;
	if (ptcp_parse_addr_list(e->value, pc->extra_addr,
			PTCP_MAX_EXTRA_ADDRS, &pc->nb_extra, why,
			sizeof(why)) != 0)
		return fail_key(c, section, e->name, "%s%s", why,
			strcmp(why, "no address") == 0 ?
			" (write 'none' for none)" : "");
	return 0;
}

static int
parse_port_key(struct load_ctx *c, unsigned int p, const char *section,
		const struct rte_cfgfile_entry *e)
{
	struct ptcp_port_config *pc = &c->cfg->port[p];
	const struct key_desc *d;
	char buf[CFG_VALUE_LEN];
	uint64_t prefix;
	char *slash;

	d = find_key(port_keys, RTE_DIM(port_keys), e->name);
	if (d != NULL)
		return parse_table_key(c, section, d, e->value, pc);

	if (strcmp(e->name, "device") == 0) {
		if (strlen(e->value) >= sizeof(pc->device))
			return fail_key(c, section, e->name,
				"'%.*s' is longer than %zu characters",
				QUOTE_MAX, e->value, sizeof(pc->device) - 1);
		if (strpbrk(e->value, " \t") != NULL)
			return fail_key(c, section, e->name,
				"'%.*s': a device name has no spaces",
				QUOTE_MAX, e->value);
		strlcpy(pc->device, e->value, sizeof(pc->device));
		return 0;
	}
	if (strcmp(e->name, "address") == 0) {
		strlcpy(buf, e->value, sizeof(buf));
		slash = strchr(buf, '/');
		if (slash != NULL)
			*slash = '\0';
		if (parse_ipv4(buf, &pc->addr) != 0)
			return fail_key(c, section, e->name,
				"'%.*s' is not an IPv4 address",
				QUOTE_MAX, buf);
		if (slash == NULL)
			return 0;
		if (parse_u64(slash + 1, &prefix) != 0 || prefix < 1 ||
				prefix > 32)
			return fail_key(c, section, e->name,
				"'%.*s': the prefix length after '/' must be 1..32",
				QUOTE_MAX, e->value);
		c->prefix[p] = (uint8_t)prefix;
		return 0;
	}
	if (strcmp(e->name, "netmask") == 0) {
		if (parse_ipv4(e->value, &pc->netmask) != 0)
			return fail_key(c, section, e->name,
				"'%.*s' is not a dotted netmask (255.255.255.0)",
				QUOTE_MAX, e->value);
		if (pc->netmask == 0)
			return fail_key(c, section, e->name,
				"%s leaves no subnet", e->value);
		if (mask_to_prefix(pc->netmask) < 0)
			return fail_key(c, section, e->name,
				"%s is not a contiguous netmask", e->value);
		c->netmask_set[p] = true;
		return 0;
	}
	if (strcmp(e->name, "gateway") == 0) {
		if (strcasecmp(e->value, "none") == 0) {
			pc->gateway = 0;
			return 0;
		}
		if (parse_ipv4(e->value, &pc->gateway) != 0 ||
				pc->gateway == 0)
			return fail_key(c, section, e->name,
				"'%.*s' is not an IPv4 address or 'none'",
				QUOTE_MAX, e->value);
		return 0;
	}
	if (strcmp(e->name, "extra_addresses") == 0)
		return parse_addr_list(c, section, e, pc);
	if (strcmp(e->name, "mac") == 0) {
		if (parse_mac(e->value, &pc->mac) != 0)
			return fail_key(c, section, e->name,
				"'%.*s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
				QUOTE_MAX, e->value);
		if (!rte_is_valid_assigned_ether_addr(&pc->mac))
			return fail_key(c, section, e->name,
				"%s is not a unicast address", e->value);
		pc->mac_set = true;
		return 0;
	}
	return fail_key(c, section, e->name, "unknown key (known: device, "
		"address, extra_addresses, netmask, gateway, mac, rx_desc, "
		"tx_desc, mtu)");
}

/* Rules inside one [portN], once all its keys are read. */
static int
check_port(struct load_ctx *c, unsigned int p, const char *section)
{
	struct ptcp_port_config *pc = &c->cfg->port[p];
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	uint32_t host, mask, net;
	unsigned int i, j;
	int prefix;

	if (!rte_cfgfile_has_entry(c->cf, section, "address"))
		return fail_key(c, section, "address", "missing (required)");
	if (c->prefix[p] != 0) {
		mask = prefix_to_mask(c->prefix[p]);
		if (c->netmask_set[p] && mask != pc->netmask)
			return fail_key(c, section, "netmask",
				"%s disagrees with the /%u of address",
				ip_str(pc->netmask, n), c->prefix[p]);
		pc->netmask = mask;
	} else if (!c->netmask_set[p]) {
		return fail_key(c, section, "netmask", "missing: "
			"give 'netmask = A.B.C.D' or 'address = A.B.C.D/N'");
	}
	prefix = mask_to_prefix(pc->netmask);
	host = ntohl(pc->addr);
	net = pc->addr & pc->netmask;
	ip_str(pc->addr, a);
	ip_str(net, n);
	if ((host >> 24) == 0 || (host >> 24) == 127 || (host >> 29) == 7)
		return fail_key(c, section, "address",
			"%s is not a unicast host address", a);
	if (prefix <= 30 && pc->addr == net)
		return fail_key(c, section, "address",
			"%s is the network address of %s/%d", a, n, prefix);
	if (prefix <= 30 && pc->addr == (net | ~pc->netmask))
		return fail_key(c, section, "address",
			"%s is the broadcast address of %s/%d", a, n, prefix);
	for (i = 0; i < pc->nb_extra; i++) {
		uint32_t x = pc->extra_addr[i];

		ip_str(x, a);
		if ((x & pc->netmask) != net)
			return fail_key(c, section, "extra_addresses",
				"%s is outside the port's subnet %s/%d", a, n,
				prefix);
		if (x == pc->addr || (pc->gateway != 0 && x == pc->gateway))
			return fail_key(c, section, "extra_addresses",
				"%s is the port's %s", a, x == pc->addr ?
				"address" : "gateway");
		if (prefix <= 30 && (x == net || x == (net | ~pc->netmask)))
			return fail_key(c, section, "extra_addresses",
				"%s is not a host address of %s/%d", a, n,
				prefix);
		for (j = 0; j < i; j++)
			if (pc->extra_addr[j] == x)
				return fail_key(c, section, "extra_addresses",
					"%s is listed twice", a);
	}
	if (pc->gateway == 0)
		return 0;
	ip_str(pc->gateway, a);
	if ((pc->gateway & pc->netmask) != net)
		return fail_key(c, section, "gateway",
			"%s is outside the port's subnet %s/%d", a, n, prefix);
	if (pc->gateway == pc->addr)
		return fail_key(c, section, "gateway",
			"%s is the port's own address", a);
	if (prefix <= 30 && (pc->gateway == net ||
			pc->gateway == (net | ~pc->netmask)))
		return fail_key(c, section, "gateway",
			"%s is not a host address of %s/%d", a, n, prefix);
	return 0;
}

/* Entries of section @p index, malloc'd; NULL on allocation failure. */
static struct rte_cfgfile_entry *
section_entries(struct load_ctx *c, int index, char *name, int *nb)
{
	struct rte_cfgfile_entry *e;

	*nb = rte_cfgfile_section_num_entries_by_index(c->cf, name, index);
	e = malloc(RTE_MAX(*nb, 1) * sizeof(*e));
	if (e == NULL)
		return NULL;
	*nb = rte_cfgfile_section_entries_by_index(c->cf, index, name, e,
		*nb);
	return e;
}

static int
parse_section(struct load_ctx *c, int index)
{
	const struct section_desc *sd = NULL;
	struct rte_cfgfile_entry *e;
	char name[CFG_NAME_LEN];
	unsigned int i, port = 0;
	bool is_port;
	int nb, ret = 0;

	e = section_entries(c, index, name, &nb);
	if (e == NULL)
		return -ENOMEM;
	is_port = is_port_section(name, &port);
	for (i = 0; !is_port && i < RTE_DIM(plain_sections); i++)
		if (strcmp(plain_sections[i].name, name) == 0)
			sd = &plain_sections[i];

	if (is_port) {
		c->cfg->port[port].enabled = true;
		for (i = 0; ret == 0 && i < (unsigned int)nb; i++)
			ret = parse_port_key(c, port, name, &e[i]);
		if (ret == 0)
			ret = check_port(c, port, name);
	} else if (sd != NULL) {
		for (i = 0; ret == 0 && i < (unsigned int)nb; i++) {
			const struct key_desc *d;

			d = find_key(sd->keys, sd->nb_keys, e[i].name);
			if (d == NULL)
				ret = fail_key(c, name, e[i].name,
					"unknown key");
			else
				ret = parse_table_key(c, name, d, e[i].value,
					c->cfg);
		}
	} else if (strcmp(name, SEC_ARP_STATIC) == 0) {
		c->arp_static_index = index;	/* needs the ports: later */
	} else {
		ret = fail_key(c, name, NULL,
			"unknown section (known: " KNOWN_SECTIONS ")");
	}
	free(e);
	return ret;
}

static int
parse_sections(struct load_ctx *c)
{
	int i, n, ret;

	n = rte_cfgfile_num_sections(c->cf, NULL, 0);
	for (i = 0; i < n; i++) {
		ret = parse_section(c, i);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* ----- pass 4: rules across sections ----- */

static int
check_ports(struct load_ctx *c)
{
	struct ptcp_config *cfg = c->cfg;
	char a[INET_ADDRSTRLEN], name[16];
	unsigned int i, j;

	cfg->nb_ports = 0;
	for (i = 0; i < PTCP_MAX_PORTS; i++)
		if (cfg->port[i].enabled)
			cfg->nb_ports = i + 1;
	if (cfg->nb_ports == 0)
		return fail_key(c, "port0", NULL,
			"missing: at least one port is required");
	for (i = 0; i < cfg->nb_ports; i++) {
		snprintf(name, sizeof(name), "port%u", i);
		if (!cfg->port[i].enabled)
			return fail_key(c, name, NULL, "missing: ports are "
				"numbered from port0 without gaps "
				"([port%u] is present)", cfg->nb_ports - 1);
		for (j = 0; j < i; j++) {
			if (cfg->port[j].addr == cfg->port[i].addr)
				return fail_key(c, name, "address",
					"%s is also port%u's address",
					ip_str(cfg->port[i].addr, a), j);
			if (cfg->port[i].device[0] != '\0' &&
					strcmp(cfg->port[i].device,
						cfg->port[j].device) == 0)
				return fail_key(c, name, "device",
					"%s is also port%u's device",
					cfg->port[i].device, j);
		}
	}
	return 0;
}

/* Each RX packet must fit one mbuf: no scattered RX. */
static int
check_mbuf_size(struct load_ctx *c)
{
	const struct ptcp_config *cfg = c->cfg;
	unsigned int i, need;
	char name[16];

	for (i = 0; i < cfg->nb_ports; i++) {
		need = cfg->port[i].mtu + RTE_ETHER_HDR_LEN +
			RTE_PKTMBUF_HEADROOM;
		if (cfg->mbuf_data_room >= need)
			continue;
		snprintf(name, sizeof(name), "port%u", i);
		return fail_key(c, name, "mtu", "%u needs [mempool] data_room "
			">= %u (mtu + %u Ethernet + %u headroom), it is %u",
			cfg->port[i].mtu, need, RTE_ETHER_HDR_LEN,
			RTE_PKTMBUF_HEADROOM, cfg->mbuf_data_room);
	}
	return 0;
}

/* One [arp.static] entry: "IP = MAC" or "IP = MAC port N". */
static int
parse_static_arp(struct load_ctx *c, const struct rte_cfgfile_entry *e)
{
	struct ptcp_config *cfg = c->cfg;
	struct rte_ether_addr ea;
	char buf[CFG_VALUE_LEN], *mac, *word, *num, *extra, *save;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	unsigned int i, found = 0, first = 0;
	uint64_t port = PTCP_MAX_PORTS;
	uint32_t ip;

	if (parse_ipv4(e->name, &ip) != 0)
		return fail_key(c, SEC_ARP_STATIC, e->name,
			"key is not an IPv4 address");
	strlcpy(buf, e->value, sizeof(buf));
	mac = strtok_r(buf, " \t", &save);
	word = strtok_r(NULL, " \t", &save);
	num = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (mac == NULL || parse_mac(mac, &ea) != 0 ||
			(word != NULL && (strcmp(word, "port") != 0 ||
			num == NULL || extra != NULL ||
			parse_u64(num, &port) != 0)))
		return fail_key(c, SEC_ARP_STATIC, e->name,
			"'%.*s' is not 'xx:xx:xx:xx:xx:xx' or "
			"'xx:xx:xx:xx:xx:xx port N'", QUOTE_MAX, e->value);
	if (cfg->nb_arp_static == PTCP_MAX_STATIC_ARP)
		return fail_key(c, SEC_ARP_STATIC, e->name,
			"more than %d entries", PTCP_MAX_STATIC_ARP);
	if (!rte_is_valid_assigned_ether_addr(&ea))
		return fail_key(c, SEC_ARP_STATIC, e->name,
			"%s is not a unicast address", mac);
	if (word != NULL && (port >= cfg->nb_ports))
		return fail_key(c, SEC_ARP_STATIC, e->name,
			"port %s is not configured (ports: 0..%u)",
			num, cfg->nb_ports - 1);
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct ptcp_port_config *pc = &cfg->port[i];

		if (pc->addr == ip)
			return fail_key(c, SEC_ARP_STATIC, e->name,
				"is port%u's own address", i);
		if ((ip & pc->netmask) != (pc->addr & pc->netmask))
			continue;
		if (word != NULL && i != port)
			continue;
		if (found++ == 0)
			first = i;
		else
			return fail_key(c, SEC_ARP_STATIC, e->name,
				"in the subnets of port%u and port%u: "
				"write 'MAC port N'", first, i);
	}
	if (found == 0 && word != NULL) {
		const struct ptcp_port_config *pc = &cfg->port[port];

		return fail_key(c, SEC_ARP_STATIC, e->name,
			"outside port%u's subnet %s/%d", (unsigned int)port,
			ip_str(pc->addr & pc->netmask, n),
			mask_to_prefix(pc->netmask));
	}
	if (found == 0)
		return fail_key(c, SEC_ARP_STATIC, e->name,
			"%s is in no port's subnet", ip_str(ip, a));
	cfg->arp_static[cfg->nb_arp_static].ip = ip;
	cfg->arp_static[cfg->nb_arp_static].mac = ea;
	cfg->arp_static[cfg->nb_arp_static].port = (uint8_t)first;
	cfg->nb_arp_static++;
	return 0;
}

static int
parse_arp_static(struct load_ctx *c)
{
	struct rte_cfgfile_entry *e;
	char name[CFG_NAME_LEN];
	int i, nb, ret = 0;

	if (c->arp_static_index < 0)
		return 0;
	e = section_entries(c, c->arp_static_index, name, &nb);
	if (e == NULL)
		return -ENOMEM;
	for (i = 0; ret == 0 && i < nb; i++)
		ret = parse_static_arp(c, &e[i]);
	free(e);
	return ret;
}

/* Whether the file or an override gave [section] key. */
static bool
is_set(const struct load_ctx *c, const char *section, const char *key)
{
	return rte_cfgfile_has_entry(c->cf, section, key) > 0;
}

/*
 * The rule "[tcp] lo <= [tcp] hi" (the defaults keep it): names hi if it
 * was given, else lo, which then must have been.
 */
static int
check_order(struct load_ctx *c, const char *lo_key, uint32_t lo,
		const char *hi_key, uint32_t hi)
{
	if (lo <= hi)
		return 0;
	if (is_set(c, SEC_TCP, hi_key))
		return fail_key(c, SEC_TCP, hi_key, "%u is below %s %u",
			hi, lo_key, lo);
	return fail_key(c, SEC_TCP, lo_key, "%u is above %s %u",
		lo, hi_key, hi);
}

/*
 * RTO floor <= initial <= ceiling; the MSS fits every port's MTU. An MSS
 * the user gave must fit as it is; the default (1460) comes down to the
 * smallest MTU - 40, so that a port with a small MTU needs no [tcp] mss.
 */
static int
check_tcp(struct load_ctx *c)
{
	struct ptcp_tcp_config *tcp = &c->cfg->tcp;
	unsigned int i, room;
	char name[16];
	int ret;

	ret = check_order(c, "rto_min_ms", tcp->rto_min_ms, "rto_init_ms",
		tcp->rto_init_ms);
	if (ret == 0)
		ret = check_order(c, "rto_init_ms", tcp->rto_init_ms,
			"rto_max_ms", tcp->rto_max_ms);
	if (ret != 0)
		return ret;
	for (i = 0; i < c->cfg->nb_ports; i++) {
		room = c->cfg->port[i].mtu - IP_TCP_HDRS;
		if (tcp->mss <= room)
			continue;
		snprintf(name, sizeof(name), "port%u", i);
		if (is_set(c, SEC_TCP, "mss"))
			return fail_key(c, SEC_TCP, "mss", "%u does not fit "
				"[%s] mtu %u (at most mtu - %u = %u)",
				tcp->mss, name, c->cfg->port[i].mtu,
				IP_TCP_HDRS, room);
		if (room < MSS_MIN)
			return fail_key(c, name, "mtu", "%u leaves %u bytes "
				"for the TCP MSS, less than [tcp] mss's "
				"minimum %u", c->cfg->port[i].mtu, room,
				MSS_MIN);
		tcp->mss = (uint16_t)room;
	}
	return 0;
}

/* No two services of [server] on one port (0 = off). */
static int
check_server(struct load_ctx *c)
{
	const struct ptcp_server_config *srv = &c->cfg->server;
	const uint16_t port[NB_SERVICE_PORTS] = { srv->echo_port,
		srv->discard_port, srv->daytime_port, srv->chargen_port,
		srv->http_port, srv->rr_port };
	unsigned int i, j, blame, other;

	for (i = 0; i < NB_SERVICE_PORTS; i++) {
		for (j = 0; j < i; j++) {
			if (port[i] == 0 || port[i] != port[j])
				continue;
			/* name the key that was given, later one if both */
			blame = i;
			other = j;
			if (!is_set(c, SEC_SERVER, server_keys[i].key) &&
					is_set(c, SEC_SERVER,
						server_keys[j].key)) {
				blame = j;
				other = i;
			}
			return fail_key(c, SEC_SERVER, server_keys[blame].key,
				"%u is also %s", port[i],
				server_keys[other].key);
		}
	}
	return 0;
}

static int
check_config(struct load_ctx *c)
{
	int ret;

	ret = check_ports(c);
	if (ret == 0)
		ret = check_mbuf_size(c);
	if (ret == 0)
		ret = parse_arp_static(c);
	if (ret == 0)
		ret = check_tcp(c);
	if (ret == 0)
		ret = check_server(c);
	return ret;
}

/* ----- public API ----- */

void
ptcp_config_defaults(struct ptcp_config *cfg)
{
	unsigned int s, k, p;

	memset(cfg, 0, sizeof(*cfg));
	for (s = 0; s < RTE_DIM(plain_sections); s++) {
		const struct section_desc *sd = &plain_sections[s];

		for (k = 0; k < sd->nb_keys; k++) {
			void *field = (char *)cfg + sd->keys[k].off;

			if (sd->keys[k].type == V_BOOL)
				*(bool *)field = sd->keys[k].def != 0;
			else
				store_uint(field, sd->keys[k].size,
					sd->keys[k].def);
		}
	}
	for (p = 0; p < PTCP_MAX_PORTS; p++)
		for (k = 0; k < RTE_DIM(port_keys); k++)
			store_uint((char *)&cfg->port[p] + port_keys[k].off,
				port_keys[k].size, port_keys[k].def);
}

int
ptcp_config_load(struct ptcp_config *cfg, const char *path,
		const char *const *overrides, unsigned int nb_overrides,
		char *err, size_t errlen)
{
	struct load_ctx c = {
		.cfg = cfg,
		.path = path,
		.err = err,
		.errlen = errlen,
		.arp_static_index = -1,
	};
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (cfg == NULL)
		return -EINVAL;
	ptcp_config_defaults(cfg);
	c.cf = rte_cfgfile_create(0);
	if (c.cf == NULL)
		ret = -ENOMEM;
	else
		ret = path != NULL ? read_file(&c) : 0;
	if (ret == 0)
		ret = apply_overrides(&c, overrides, nb_overrides);
	if (ret == 0)
		ret = parse_sections(&c);
	if (ret == 0)
		ret = check_config(&c);
	if (ret == -ENOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: out of memory",
			path != NULL ? path : CMDLINE);
	else if (ret == -EINVAL && err != NULL && errlen > 0 && !err[0])
		snprintf(err, errlen, "%s: invalid arguments",
			path != NULL ? path : CMDLINE);
	if (c.cf != NULL)
		rte_cfgfile_close(c.cf);
	free(c.seen);
	free(c.ovr);
	return ret;
}

static void
dump_table(const struct key_desc *keys, unsigned int n, const void *base,
		FILE *f)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		const void *field = (const char *)base + keys[k].off;

		if (keys[k].type == V_BOOL)
			fprintf(f, "%s = %s", keys[k].key,
				*(const bool *)field ? "yes" : "no");
		else if (keys[k].type == V_ENUM)
			fprintf(f, "%s = %s", keys[k].key, keys[k].names[
				RTE_MIN(load_uint(field, keys[k].size),
					keys[k].max)]);
		else
			fprintf(f, "%s = %" PRIu64, keys[k].key,
				load_uint(field, keys[k].size));
		fprintf(f, "\t; %s\n", keys[k].doc);
	}
}

/* extra_addresses, consecutive addresses written as ranges. */
static void
dump_addr_list(const struct ptcp_port_config *pc, FILE *f)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	unsigned int i = 0, j;

	fprintf(f, "extra_addresses = ");
	if (pc->nb_extra == 0)
		fprintf(f, "none");
	while (i < pc->nb_extra) {
		for (j = i; j + 1 < pc->nb_extra &&
				ntohl(pc->extra_addr[j + 1]) ==
				ntohl(pc->extra_addr[j]) + 1; j++)
			;
		fprintf(f, "%s%s", i != 0 ? "," : "",
			ip_str(pc->extra_addr[i], a));
		if (j != i)
			fprintf(f, "-%s", ip_str(pc->extra_addr[j], b));
		i = j + 1;
	}
	fprintf(f, "\n");
}

void
ptcp_config_dump(const struct ptcp_config *cfg, FILE *f)
{
	char a[INET_ADDRSTRLEN];
	unsigned int i, s;

	fprintf(f, "; ptcp effective configuration\n");
	for (i = 0; i < PTCP_MAX_PORTS; i++) {
		const struct ptcp_port_config *pc = &cfg->port[i];

		if (!pc->enabled)
			continue;
		fprintf(f, "\n[port%u]\n", i);
		if (pc->device[0] != '\0')
			fprintf(f, "device = %s\n", pc->device);
		fprintf(f, "address = %s/%d\n", ip_str(pc->addr, a),
			mask_to_prefix(pc->netmask));
		dump_addr_list(pc, f);
		fprintf(f, "gateway = %s\n",
			pc->gateway != 0 ? ip_str(pc->gateway, a) : "none");
		if (pc->mac_set)
			fprintf(f, "mac = " RTE_ETHER_ADDR_PRT_FMT "\n",
				RTE_ETHER_ADDR_BYTES(&pc->mac));
		dump_table(port_keys, RTE_DIM(port_keys), pc, f);
	}
	for (s = 0; s < RTE_DIM(plain_sections); s++) {
		fprintf(f, "\n[%s]\n", plain_sections[s].name);
		dump_table(plain_sections[s].keys, plain_sections[s].nb_keys,
			cfg, f);
	}
	if (cfg->nb_arp_static == 0)
		return;
	fprintf(f, "\n[" SEC_ARP_STATIC "]\n");
	for (i = 0; i < cfg->nb_arp_static && i < PTCP_MAX_STATIC_ARP; i++)
		fprintf(f, "%s = " RTE_ETHER_ADDR_PRT_FMT " port %u\n",
			ip_str(cfg->arp_static[i].ip, a),
			RTE_ETHER_ADDR_BYTES(&cfg->arp_static[i].mac),
			cfg->arp_static[i].port);
}
