/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the schema. The key tables of the fixed sections (each key
 * its default, range, parser and dump line, so that ptcp_config_defaults(),
 * ptcp_config_load() and ptcp_config_dump() cannot disagree), and pass 3:
 * every section and key, typed and range-checked
 * ("FILE: [section] key: reason").
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"

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

static const char *const rr_close_names[] = {
	[PTCP_RR_CLOSE_CLIENT] = "client",
	[PTCP_RR_CLOSE_SERVER] = "server",
};

const struct key_desc cfg_server_keys[] = {
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

/* The numeric keys of [portN]; the others are parsed in parse_port(). */
const struct key_desc cfg_port_keys[] = {
	PORT_KEY("rx_desc", rx_desc, 1024, 32, 16384,
		"RX descriptors per queue"),
	PORT_KEY("tx_desc", tx_desc, 1024, 32, 16384,
		"TX descriptors per queue"),
	PORT_KEY("mtu", mtu, RTE_ETHER_MTU, 68, 9000, "IP MTU"),
};

const unsigned int cfg_nb_port_keys = RTE_DIM(cfg_port_keys);

const struct section_desc cfg_plain_sections[] = {
	{ "lcores", lcores_keys, RTE_DIM(lcores_keys) },
	{ "mempool", mempool_keys, RTE_DIM(mempool_keys) },
	{ "ip", ip_keys, RTE_DIM(ip_keys) },
	{ "arp", arp_keys, RTE_DIM(arp_keys) },
	{ "timer", timer_keys, RTE_DIM(timer_keys) },
	{ SEC_TCP, tcp_keys, RTE_DIM(tcp_keys) },
	{ SEC_SERVER, cfg_server_keys, RTE_DIM(cfg_server_keys) },
};
const unsigned int cfg_nb_plain_sections = RTE_DIM(cfg_plain_sections);

/* Parse one table key into base + d->off, or say why not. */
int
cfg_parse_table_key(struct load_ctx *c, const char *section,
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
				cfg_store_uint(field, d->size, v);
				return 0;
			}
			n += snprintf(names + n, sizeof(names) - n, "%s%s",
				v == 0 ? "" : ", ", d->names[v]);
			if (n >= sizeof(names))
				n = sizeof(names) - 1;
		}
		return cfg_fail_key(c, section, d->key,
			"'%.*s' is not one of %s", QUOTE_MAX, value, names);
	}
	if (d->type == V_BOOL) {
		if (cfg_parse_bool(value, &b) != 0)
			return cfg_fail_key(c, section, d->key,
				"'%.*s' is not a boolean (yes/no, true/false, on/off, 1/0)",
				QUOTE_MAX, value);
		*(bool *)field = b;
		return 0;
	}
	ret = cfg_parse_u64(value, &v);
	if (ret == -EINVAL)
		return cfg_fail_key(c, section, d->key,
			"'%.*s' is not an unsigned integer",
			QUOTE_MAX, value);
	if (ret != 0 || v < d->min || v > d->max)
		return cfg_fail_key(c, section, d->key,
			"%.*s is out of range %" PRIu64 "..%" PRIu64,
			QUOTE_MAX, value, d->min, d->max);
	cfg_store_uint(field, d->size, v);
	return 0;
}

const struct key_desc *
cfg_find_key(const struct key_desc *keys, unsigned int n, const char *key)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}


bool
cfg_is_port_section(const char *name, unsigned int *port)
{
	if (strncmp(name, "port", 4) != 0 || name[4] < '0' ||
			name[4] >= '0' + PTCP_MAX_PORTS || name[5] != '\0')
		return false;
	*port = name[4] - '0';
	return true;
}

/* Length of the known section name that starts "section.key", or 0. */
size_t
cfg_known_section_prefix(const char *lhs)
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
 * extra_addresses: "none", or a list for ptcp_parse_addr_list(), at most
 * PTCP_MAX_EXTRA_ADDRS. Subnet and duplicate rules: cfg_check_port().
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
		return cfg_fail_key(c, section, e->name, "%s%s", why,
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

	d = cfg_find_key(cfg_port_keys, cfg_nb_port_keys, e->name);
	if (d != NULL)
		return cfg_parse_table_key(c, section, d, e->value, pc);

	if (strcmp(e->name, "device") == 0) {
		if (strlen(e->value) >= sizeof(pc->device))
			return cfg_fail_key(c, section, e->name,
				"'%.*s' is longer than %zu characters",
				QUOTE_MAX, e->value, sizeof(pc->device) - 1);
		if (strpbrk(e->value, " \t") != NULL)
			return cfg_fail_key(c, section, e->name,
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
		if (cfg_parse_ipv4(buf, &pc->addr) != 0)
			return cfg_fail_key(c, section, e->name,
				"'%.*s' is not an IPv4 address",
				QUOTE_MAX, buf);
		if (slash == NULL)
			return 0;
		if (cfg_parse_u64(slash + 1, &prefix) != 0 || prefix < 1 ||
				prefix > 32)
			return cfg_fail_key(c, section, e->name,
				"'%.*s': the prefix length after '/' must be 1..32",
				QUOTE_MAX, e->value);
		c->prefix[p] = (uint8_t)prefix;
		return 0;
	}
	if (strcmp(e->name, "netmask") == 0) {
		if (cfg_parse_ipv4(e->value, &pc->netmask) != 0)
			return cfg_fail_key(c, section, e->name,
				"'%.*s' is not a dotted netmask (255.255.255.0)",
				QUOTE_MAX, e->value);
		if (pc->netmask == 0)
			return cfg_fail_key(c, section, e->name,
				"%s leaves no subnet", e->value);
		if (cfg_mask_to_prefix(pc->netmask) < 0)
			return cfg_fail_key(c, section, e->name,
				"%s is not a contiguous netmask", e->value);
		c->netmask_set[p] = true;
		return 0;
	}
	if (strcmp(e->name, "gateway") == 0) {
		if (strcasecmp(e->value, "none") == 0) {
			pc->gateway = 0;
			return 0;
		}
		if (cfg_parse_ipv4(e->value, &pc->gateway) != 0 ||
				pc->gateway == 0)
			return cfg_fail_key(c, section, e->name,
				"'%.*s' is not an IPv4 address or 'none'",
				QUOTE_MAX, e->value);
		return 0;
	}
	if (strcmp(e->name, "extra_addresses") == 0)
		return parse_addr_list(c, section, e, pc);
	if (strcmp(e->name, "mac") == 0) {
		if (cfg_parse_mac(e->value, &pc->mac) != 0)
			return cfg_fail_key(c, section, e->name,
				"'%.*s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
				QUOTE_MAX, e->value);
		if (!rte_is_valid_assigned_ether_addr(&pc->mac))
			return cfg_fail_key(c, section, e->name,
				"%s is not a unicast address", e->value);
		pc->mac_set = true;
		return 0;
	}
	return cfg_fail_key(c, section, e->name, "unknown key (known: device, "
		"address, extra_addresses, netmask, gateway, mac, rx_desc, "
		"tx_desc, mtu)");
}

/* Entries of section @p index, malloc'd; NULL on allocation failure. */
struct rte_cfgfile_entry *
cfg_section_entries(struct load_ctx *c, int index, char *name, int *nb)
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

	e = cfg_section_entries(c, index, name, &nb);
	if (e == NULL)
		return -ENOMEM;
	is_port = cfg_is_port_section(name, &port);
	for (i = 0; !is_port && i < cfg_nb_plain_sections; i++)
		if (strcmp(cfg_plain_sections[i].name, name) == 0)
			sd = &cfg_plain_sections[i];

	if (is_port) {
		c->cfg->port[port].enabled = true;
		for (i = 0; ret == 0 && i < (unsigned int)nb; i++)
			ret = parse_port_key(c, port, name, &e[i]);
		if (ret == 0)
			ret = cfg_check_port(c, port, name);
	} else if (sd != NULL) {
		for (i = 0; ret == 0 && i < (unsigned int)nb; i++) {
			const struct key_desc *d;

			d = cfg_find_key(sd->keys, sd->nb_keys, e[i].name);
			if (d == NULL)
				ret = cfg_fail_key(c, name, e[i].name,
					"unknown key");
			else
				ret = cfg_parse_table_key(c, name, d, e[i].value,
					c->cfg);
		}
	} else if (strcmp(name, SEC_ARP_STATIC) == 0) {
		c->arp_static_index = index;	/* needs the ports: later */
	} else {
		ret = cfg_fail_key(c, name, NULL,
			"unknown section (known: " KNOWN_SECTIONS ")");
	}
	free(e);
	return ret;
}

int
cfg_parse_sections(struct load_ctx *c)
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

/* ----- public API ----- */

void
ptcp_config_defaults(struct ptcp_config *cfg)
{
	unsigned int s, k, p;

	memset(cfg, 0, sizeof(*cfg));
	for (s = 0; s < cfg_nb_plain_sections; s++) {
		const struct section_desc *sd = &cfg_plain_sections[s];

		for (k = 0; k < sd->nb_keys; k++) {
			void *field = (char *)cfg + sd->keys[k].off;

			if (sd->keys[k].type == V_BOOL)
				*(bool *)field = sd->keys[k].def != 0;
			else
				cfg_store_uint(field, sd->keys[k].size,
					sd->keys[k].def);
		}
	}
	for (p = 0; p < PTCP_MAX_PORTS; p++)
		for (k = 0; k < cfg_nb_port_keys; k++)
			cfg_store_uint((char *)&cfg->port[p] + cfg_port_keys[k].off,
				cfg_port_keys[k].size, cfg_port_keys[k].def);
}
