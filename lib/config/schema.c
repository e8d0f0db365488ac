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

/* Rows of lib/config's own tables: fields of struct ptcp_config. */
#define CFG_UINT(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_config, name, PTCP_CONFIG_UINT, field, \
		def, min, max, doc)
#define CFG_BOOL(name, field, def, doc) \
	PTCP_CONFIG_KEY(struct ptcp_config, name, PTCP_CONFIG_BOOL, field, \
		def, 0, 1, doc)
#define CFG_ENUM(name, field, def, names, doc) \
	PTCP_CONFIG_KEY_ENUM(struct ptcp_config, name, field, def, names, doc)
#define PORT_KEY(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_port_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

static const struct ptcp_config_key lcores_keys[] = {
	CFG_UINT("burst", burst, 32, 1, 512,
		"packets per rx_burst/tx_burst call"),
	CFG_UINT("tx_flush_us", tx_flush_us, 0, 0, 1000000,
		"reserved: the TX batch is flushed every loop pass"),
	CFG_UINT("workers", workers, 0, 0, PTCP_MAX_WORKERS,
		"workers; 0 = one per EAL lcore (more than the EAL lcores: "
		"the application polls the extra ones itself)"),
	CFG_UINT("steer_ring", steer_ring, 1024, 64, 65536,
		"frames a worker may have waiting for another"),
	CFG_UINT("tx_backlog", tx_backlog, 1024, 0, 32768,
		"frames held per TX queue while the port refuses them "
		"(retried first on the next passes; 0 = drop at once)"),
};

static const struct ptcp_config_key mempool_keys[] = {
	CFG_UINT("mbufs", mbufs, 8191, MBUFS_MIN, MBUFS_MAX,
		"mbufs in each worker lcore's pool"),
	CFG_UINT("cache", mbuf_cache, 256, 0, CACHE_MAX,
		"per-lcore mempool cache"),
	CFG_UINT("data_room", mbuf_data_room,
		RTE_MBUF_DEFAULT_BUF_SIZE, 1024, 65535,
		"bytes per mbuf, headroom included"),
};

static const struct ptcp_config_key ip_keys[] = {
	CFG_UINT("ttl", ttl, 64, 1, 255, "TTL of sent packets"),
};

static const struct ptcp_config_key arp_keys[] = {
	CFG_UINT("entries", arp_entries, 1024, 16, 65536,
		"ARP cache entries per port"),
	CFG_UINT("timeout", arp_timeout_s, 300, 1, 86400,
		"seconds before a learnt entry ages out"),
	CFG_UINT("resolve_ms", arp_resolve_ms, 1000, 10, 60000,
		"ms to wait for a reply before asking again"),
	CFG_UINT("retries", arp_retries, 3, 1, 10,
		"requests sent before giving up on a next hop"),
	CFG_UINT("pending", arp_pending, 64, 1, 256,
		"packets held per unresolved next hop"),
	CFG_UINT("pending_total", arp_pending_total, 1024, 1, 1u << 20,
		"packets held for all unresolved next hops of a port together"),
	CFG_BOOL("gratuitous", arp_gratuitous, 1,
		"announce each port's address at start"),
};

static const struct ptcp_config_key timer_keys[] = {
	CFG_UINT("tick_us", tick_us, 1000, 10, 1000000,
		"timer wheel tick, microseconds"),
};

static const char *const cc_names[] = {
	[PTCP_CC_NEWRENO] = "newreno",
	[PTCP_CC_CUBIC] = "cubic",
};

static const struct ptcp_config_key tcp_keys[] = {
	CFG_UINT("max_conns", tcp.max_conns, 65536, 16, M16,
		"TCBs per worker lcore"),
	CFG_UINT("max_tw", tcp.max_tw, 65536, 0, M16,
		"TIME-WAIT entries per worker lcore"),
	CFG_UINT("syn_backlog", tcp.syn_backlog, 1024, 1, 1u << 20,
		"SYN-RECEIVED connections per listener"),
	CFG_BOOL("syncookies", tcp.syncookies, 1,
		"SYN cookies once a listener's backlog is full"),
	CFG_UINT("msl_ms", tcp.msl_ms, 30000, 10, 600000,
		"maximum segment lifetime; TIME-WAIT lasts 2 * MSL"),
	CFG_UINT("rto_init_ms", tcp.rto_init_ms, 1000, 1, 600000,
		"initial retransmission timeout"),
	CFG_UINT("rto_min_ms", tcp.rto_min_ms, 200, 1, 10000,
		"retransmission timeout floor"),
	CFG_UINT("rto_max_ms", tcp.rto_max_ms, 60000, 1, 600000,
		"retransmission timeout ceiling"),
	CFG_UINT("syn_retries", tcp.syn_retries, 6, 1, RETRIES_MAX,
		"SYN retransmissions before an open fails"),
	CFG_UINT("synack_retries", tcp.synack_retries, 5, 1,
		RETRIES_MAX, "SYN-ACK retransmissions before giving up"),
	CFG_UINT("data_retries", tcp.data_retries, 15, 1, RETRIES_MAX,
		"data retransmissions before the connection is reset"),
	CFG_UINT("orphan_retries", tcp.orphan_retries, 8, 1,
		RETRIES_MAX, "FIN retransmissions once the app has closed"),
	CFG_UINT("fin_wait2_ms", tcp.fin_wait2_ms, 60000, 100, 3600000,
		"FIN-WAIT-2 limit for connections the app has closed"),
	CFG_BOOL("keepalive", tcp.keepalive, 0,
		"keepalive on by default for listeners"),
	CFG_UINT("keepalive_idle_s", tcp.keepalive_idle_s, 7200, 1,
		65535, "idle seconds before the first keepalive probe"),
	CFG_UINT("keepalive_intvl_s", tcp.keepalive_intvl_s, 75, 1,
		3600, "seconds between keepalive probes"),
	CFG_UINT("keepalive_cnt", tcp.keepalive_cnt, 9, 1, 100,
		"unanswered probes before the connection is reset"),
	CFG_UINT("close_wait_warn_s", tcp.close_wait_warn_s, 60, 0,
		86400, "report CLOSE-WAIT older than this; 0 = off"),
	CFG_UINT("mss", tcp.mss, MSS_DEFAULT, MSS_MIN, MSS_MAX,
		"MSS announced; at most every port's mtu - 40"),
	CFG_UINT("rcv_buf", tcp.rcv_buf, 65535 * 4, 1024, 1u << 30,
		"receive window per connection, bytes"),
	CFG_UINT("snd_buf", tcp.snd_buf, 256 * 1024, 1024, 1u << 30,
		"send queue limit per connection, bytes"),
	CFG_BOOL("timestamps", tcp.timestamps, 1,
		"RFC 7323 timestamps"),
	CFG_BOOL("window_scaling", tcp.window_scaling, 1,
		"RFC 7323 window scaling"),
	CFG_BOOL("sack", tcp.sack, 1,
		"announce SACK-permitted"),
	CFG_UINT("challenge_ack_limit", tcp.challenge_ack_limit, 1000,
		1, 1000000, "RFC 5961 challenge ACKs per second per lcore"),
	CFG_UINT("drain_ms", tcp.drain_ms, 2000, 0, 600000,
		"on shutdown, wait this long for connections to close"),
	CFG_ENUM("cc", tcp.cc, PTCP_CC_CUBIC, cc_names,
		"congestion control: cubic or newreno"),
	CFG_UINT("init_cwnd", tcp.init_cwnd, 10, 1, 100,
		"initial congestion window, segments (RFC 6928)"),
	CFG_UINT("delack_ms", tcp.delack_ms, 40, 0, 500,
		"delayed ACK timeout; 0 = ACK every segment at once"),
	CFG_BOOL("nagle", tcp.nagle, 0,
		"Nagle's algorithm for new connections (per connection: "
		"ptcp_conn_set_nagle)"),
	CFG_UINT("ooo_max", tcp.ooo_max, 0, 0, 1u << 30,
		"out-of-order queue bound per connection, buffer bytes; "
		"0 = 2 * rcv_buf"),
	CFG_UINT("max_recovery", tcp.max_recovery, 16384, 0, M16,
		"connections per worker that can hold out-of-order data and "
		"SACK/CUBIC state at once"),
	CFG_BOOL("tso", tcp.tso, 1,
		"TCP segmentation offload where the port offers it"),
};

/* The numeric keys of [portN]; the others are parsed in parse_port(). */
const struct ptcp_config_key cfg_port_keys[] = {
	PORT_KEY("rx_desc", rx_desc, 1024, 32, 16384,
		"RX descriptors per queue"),
	PORT_KEY("tx_desc", tx_desc, 1024, 32, 16384,
		"TX descriptors per queue"),
	PORT_KEY("mtu", mtu, RTE_ETHER_MTU, 68, 9000, "IP MTU"),
};

const unsigned int cfg_nb_port_keys = RTE_DIM(cfg_port_keys);

const struct ptcp_config_section cfg_plain_sections[] = {
	{ "lcores", lcores_keys, RTE_DIM(lcores_keys) },
	{ "mempool", mempool_keys, RTE_DIM(mempool_keys) },
	{ "ip", ip_keys, RTE_DIM(ip_keys) },
	{ "arp", arp_keys, RTE_DIM(arp_keys) },
	{ "timer", timer_keys, RTE_DIM(timer_keys) },
	{ SEC_TCP, tcp_keys, RTE_DIM(tcp_keys) },
};
const unsigned int cfg_nb_plain_sections = RTE_DIM(cfg_plain_sections);

/* Parse one table key into base + d->off, or say why not. */
int
cfg_parse_table_key(struct ptcp_config_ctx *c, const char *section,
		const struct ptcp_config_key *d, const char *value, void *base)
{
	void *field = (char *)base + d->off;
	uint64_t v;
	bool b;
	int ret;

	if (d->type == PTCP_CONFIG_ENUM) {
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
		return ptcp_config_fail(c, section, d->key,
			"'%.*s' is not one of %s", QUOTE_MAX, value, names);
	}
	if (d->type == PTCP_CONFIG_BOOL) {
		if (cfg_parse_bool(value, &b) != 0)
			return ptcp_config_fail(c, section, d->key,
				"'%.*s' is not a boolean (yes/no, true/false, on/off, 1/0)",
				QUOTE_MAX, value);
		*(bool *)field = b;
		return 0;
	}
	ret = cfg_parse_u64(value, &v);
	if (ret == -EINVAL)
		return ptcp_config_fail(c, section, d->key,
			"'%.*s' is not an unsigned integer",
			QUOTE_MAX, value);
	if (ret != 0 || v < d->min || v > d->max)
		return ptcp_config_fail(c, section, d->key,
			"%.*s is out of range %" PRIu64 "..%" PRIu64,
			QUOTE_MAX, value, d->min, d->max);
	cfg_store_uint(field, d->size, v);
	return 0;
}

const struct ptcp_config_key *
cfg_find_key(const struct ptcp_config_key *keys, unsigned int n, const char *key)
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
/* Whether @p lhs starts with "@p name." and @p name beats *best. */
static void
longer_prefix(const char *lhs, const char *name, size_t *best)
{
	size_t len = strlen(name);

	if (len > *best && strncmp(lhs, name, len) == 0 && lhs[len] == '.')
		*best = len;
}

size_t
cfg_known_section_prefix(const struct ptcp_config_ctx *c, const char *lhs)
{
	static const char *const known[] = { "port0", "port1", "port2",
		"port3", SEC_ARP_STATIC };
	size_t best = 0;
	unsigned int i;

	RTE_BUILD_BUG_ON(PTCP_MAX_PORTS != 4);
	for (i = 0; i < RTE_DIM(known); i++)
		longer_prefix(lhs, known[i], &best);
	for (i = 0; i < cfg_nb_plain_sections; i++)
		longer_prefix(lhs, cfg_plain_sections[i].name, &best);
	for (i = 0; c->schema != NULL && i < c->schema->nb; i++)
		longer_prefix(lhs, c->schema->reg[i].sec->name, &best);
	return best;
}


/*
 * extra_addresses: "none", or a list for ptcp_parse_addr_list(), at most
 * PTCP_MAX_EXTRA_ADDRS. Subnet and duplicate rules: cfg_check_port().
 */
static int
parse_addr_list(struct ptcp_config_ctx *c, const char *section,
		const struct rte_cfgfile_entry *e, struct ptcp_port_config *pc)
{
	char why[PTCP_CONFIG_ERRLEN];

	pc->nb_extra = 0;
	if (strcasecmp(e->value, "none") == 0)
		return 0;
	if (ptcp_parse_addr_list(e->value, pc->extra_addr,
			PTCP_MAX_EXTRA_ADDRS, &pc->nb_extra, why,
			sizeof(why)) != 0)
		return ptcp_config_fail(c, section, e->name, "%s%s", why,
			strcmp(why, "no address") == 0 ?
			" (write 'none' for none)" : "");
	return 0;
}

static int
parse_port_key(struct ptcp_config_ctx *c, unsigned int p, const char *section,
		const struct rte_cfgfile_entry *e)
{
	struct ptcp_port_config *pc = &c->cfg->port[p];
	const struct ptcp_config_key *d;
	char buf[CFG_VALUE_LEN];
	uint64_t prefix;
	char *slash;

	d = cfg_find_key(cfg_port_keys, cfg_nb_port_keys, e->name);
	if (d != NULL)
		return cfg_parse_table_key(c, section, d, e->value, pc);

	if (strcmp(e->name, "device") == 0) {
		if (strlen(e->value) >= sizeof(pc->device))
			return ptcp_config_fail(c, section, e->name,
				"'%.*s' is longer than %zu characters",
				QUOTE_MAX, e->value, sizeof(pc->device) - 1);
		if (strpbrk(e->value, " \t") != NULL)
			return ptcp_config_fail(c, section, e->name,
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
			return ptcp_config_fail(c, section, e->name,
				"'%.*s' is not an IPv4 address",
				QUOTE_MAX, buf);
		if (slash == NULL)
			return 0;
		if (cfg_parse_u64(slash + 1, &prefix) != 0 || prefix < 1 ||
				prefix > 32)
			return ptcp_config_fail(c, section, e->name,
				"'%.*s': the prefix length after '/' must be 1..32",
				QUOTE_MAX, e->value);
		c->prefix[p] = (uint8_t)prefix;
		return 0;
	}
	if (strcmp(e->name, "netmask") == 0) {
		if (cfg_parse_ipv4(e->value, &pc->netmask) != 0)
			return ptcp_config_fail(c, section, e->name,
				"'%.*s' is not a dotted netmask (255.255.255.0)",
				QUOTE_MAX, e->value);
		if (pc->netmask == 0)
			return ptcp_config_fail(c, section, e->name,
				"%s leaves no subnet", e->value);
		if (cfg_mask_to_prefix(pc->netmask) < 0)
			return ptcp_config_fail(c, section, e->name,
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
			return ptcp_config_fail(c, section, e->name,
				"'%.*s' is not an IPv4 address or 'none'",
				QUOTE_MAX, e->value);
		return 0;
	}
	if (strcmp(e->name, "extra_addresses") == 0)
		return parse_addr_list(c, section, e, pc);
	if (strcmp(e->name, "mac") == 0) {
		if (cfg_parse_mac(e->value, &pc->mac) != 0)
			return ptcp_config_fail(c, section, e->name,
				"'%.*s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
				QUOTE_MAX, e->value);
		if (!rte_is_valid_assigned_ether_addr(&pc->mac))
			return ptcp_config_fail(c, section, e->name,
				"%s is not a unicast address", e->value);
		pc->mac_set = true;
		return 0;
	}
	return ptcp_config_fail(c, section, e->name, "unknown key (known: device, "
		"address, extra_addresses, netmask, gateway, mac, rx_desc, "
		"tx_desc, mtu)");
}

/* Entries of section @p index, malloc'd; NULL on allocation failure. */
struct rte_cfgfile_entry *
cfg_section_entries(struct ptcp_config_ctx *c, int index, char *name, int *nb)
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

/*
 * lib/config's table section or a registered one named @p name, and the
 * struct its keys fill; NULL if neither.
 */
static const struct ptcp_config_section *
find_section(const struct ptcp_config_ctx *c, const char *name, void **base)
{
	unsigned int i;

	for (i = 0; i < cfg_nb_plain_sections; i++) {
		if (strcmp(cfg_plain_sections[i].name, name) == 0) {
			*base = c->cfg;
			return &cfg_plain_sections[i];
		}
	}
	for (i = 0; c->schema != NULL && i < c->schema->nb; i++) {
		if (strcmp(c->schema->reg[i].sec->name, name) == 0) {
			*base = c->schema->reg[i].base;
			return c->schema->reg[i].sec;
		}
	}
	return NULL;
}

/* "unknown section (known: ...)": lib/config's, then the registered ones. */
static int
unknown_section(struct ptcp_config_ctx *c, const char *name)
{
	char known[PTCP_CONFIG_ERRLEN] = KNOWN_SECTIONS;
	unsigned int i;

	for (i = 0; c->schema != NULL && i < c->schema->nb; i++) {
		size_t n = strlen(known);

		snprintf(known + n, sizeof(known) - n, ", %s",
			c->schema->reg[i].sec->name);
	}
	return ptcp_config_fail(c, name, NULL, "unknown section (known: %s)",
		known);
}

static int
parse_section(struct ptcp_config_ctx *c, int index)
{
	const struct ptcp_config_section *sd = NULL;
	struct rte_cfgfile_entry *e;
	char name[CFG_NAME_LEN];
	void *base = NULL;
	unsigned int i, port = 0;
	bool is_port;
	int nb, ret = 0;

	e = cfg_section_entries(c, index, name, &nb);
	if (e == NULL)
		return -ENOMEM;
	is_port = cfg_is_port_section(name, &port);
	if (!is_port)
		sd = find_section(c, name, &base);

	if (is_port) {
		c->cfg->port[port].enabled = true;
		for (i = 0; ret == 0 && i < (unsigned int)nb; i++)
			ret = parse_port_key(c, port, name, &e[i]);
		if (ret == 0)
			ret = cfg_check_port(c, port, name);
	} else if (sd != NULL) {
		for (i = 0; ret == 0 && i < (unsigned int)nb; i++) {
			const struct ptcp_config_key *d;

			d = cfg_find_key(sd->keys, sd->nb_keys, e[i].name);
			if (d == NULL)
				ret = ptcp_config_fail(c, name, e[i].name,
					"unknown key");
			else
				ret = cfg_parse_table_key(c, name, d, e[i].value,
					base);
		}
	} else if (strcmp(name, SEC_ARP_STATIC) == 0) {
		c->arp_static_index = index;	/* needs the ports: later */
	} else {
		ret = unknown_section(c, name);
	}
	free(e);
	return ret;
}

int
cfg_parse_sections(struct ptcp_config_ctx *c)
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
ptcp_config_section_defaults(const struct ptcp_config_section *sec,
		void *base)
{
	unsigned int k;

	for (k = 0; k < sec->nb_keys; k++) {
		const struct ptcp_config_key *d = &sec->keys[k];
		void *field = (char *)base + d->off;

		if (d->type == PTCP_CONFIG_BOOL)
			*(bool *)field = d->def != 0;
		else
			cfg_store_uint(field, d->size, d->def);
	}
}

void
ptcp_config_defaults(struct ptcp_config *cfg)
{
	const struct ptcp_config_section ports = {
		.keys = cfg_port_keys, .nb_keys = cfg_nb_port_keys,
	};
	unsigned int s, p;

	memset(cfg, 0, sizeof(*cfg));
	for (s = 0; s < cfg_nb_plain_sections; s++)
		ptcp_config_section_defaults(&cfg_plain_sections[s], cfg);
	for (p = 0; p < PTCP_MAX_PORTS; p++)
		ptcp_config_section_defaults(&ports, &cfg->port[p]);
}

/* ----- the sections applications register ----- */

void
ptcp_config_schema_init(struct ptcp_config_schema *schema)
{
	memset(schema, 0, sizeof(*schema));
}

/* A key the parser can store and the dump can print. */
static bool
key_is_sane(const struct ptcp_config_key *d)
{
	if (d->key == NULL || d->key[0] == '\0' ||
			strlen(d->key) >= CFG_NAME_LEN || !cfg_valid_name(d->key))
		return false;
	switch (d->type) {
	case PTCP_CONFIG_BOOL:
		return d->size == sizeof(bool) && d->def <= 1;
	case PTCP_CONFIG_ENUM:
		return d->names != NULL && d->def <= d->max &&
			(d->size == 1 || d->size == 2 || d->size == 4 ||
			 d->size == 8);
	case PTCP_CONFIG_UINT:
		if (d->size != 1 && d->size != 2 && d->size != 4 &&
				d->size != 8)
			return false;
		return d->min <= d->def && d->def <= d->max &&
			(d->size == 8 || d->max < (1ull << (8 * d->size)));
	}
	return false;
}

/* Whether @p name is one of lib/config's own sections. */
static bool
is_own_section(const char *name)
{
	unsigned int i, port;

	if (cfg_is_port_section(name, &port) ||
			strcmp(name, SEC_ARP_STATIC) == 0)
		return true;
	for (i = 0; i < cfg_nb_plain_sections; i++)
		if (strcmp(cfg_plain_sections[i].name, name) == 0)
			return true;
	return false;
}

int
ptcp_config_register(struct ptcp_config_schema *schema,
		const struct ptcp_config_section *sec, void *base)
{
	unsigned int i;

	if (schema == NULL || sec == NULL || base == NULL ||
			sec->name == NULL || sec->name[0] == '\0' ||
			strlen(sec->name) >= CFG_NAME_LEN ||
			!cfg_valid_name(sec->name) ||
			(sec->keys == NULL && sec->nb_keys != 0))
		return -EINVAL;
	for (i = 0; i < sec->nb_keys; i++) {
		if (!key_is_sane(&sec->keys[i]) ||
				cfg_find_key(sec->keys, i, sec->keys[i].key))
			return -EINVAL;
	}
	if (is_own_section(sec->name))
		return -EEXIST;
	for (i = 0; i < schema->nb; i++)
		if (strcmp(schema->reg[i].sec->name, sec->name) == 0)
			return -EEXIST;
	if (schema->nb == PTCP_CONFIG_MAX_SECTIONS)
		return -ENOSPC;
	ptcp_config_section_defaults(sec, base);
	schema->reg[schema->nb].sec = sec;
	schema->reg[schema->nb].base = base;
	schema->nb++;
	return 0;
}
