/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the schema. The registry of sections (the libraries', each
 * a key table with its defaults, ranges and dump lines, so that
 * ptcp_config_defaults(), ptcp_config_load() and ptcp_config_dump() cannot
 * disagree; and the application's), the [portN] keys, and pass 3: every
 * section and key, typed and range-checked ("FILE: [section] key: reason").
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"

#define PORT_KEY(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_port_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

/* The numeric keys of [portN]; the others are parsed in parse_port(). */
const struct ptcp_config_key cfg_port_keys[] = {
	PORT_KEY("rx_desc", rx_desc, 1024, 32, 16384,
		"RX descriptors per queue"),
	PORT_KEY("tx_desc", tx_desc, 1024, 32, 16384,
		"TX descriptors per queue"),
	PORT_KEY("mtu", mtu, RTE_ETHER_MTU, 68, 9000, "IP MTU"),
};

const unsigned int cfg_nb_port_keys = RTE_DIM(cfg_port_keys);

/*
 * The libraries' sections, by rank: written by ptcp_config_register_lib()
 * from the libraries' RTE_INIT constructors, before main(); read-only
 * after.
 */
struct cfg_lib_section cfg_lib_sections[PTCP_CONFIG_MAX_LIB_SECTIONS];
unsigned int cfg_nb_lib_sections;

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
	for (i = 0; i < cfg_nb_lib_sections; i++)
		longer_prefix(lhs, cfg_lib_sections[i].sec->name, &best);
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
 * The library's or the application's section named @p name, and the
 * struct its keys fill; NULL if neither.
 */
static const struct ptcp_config_section *
find_section(const struct ptcp_config_ctx *c, const char *name, void **base)
{
	unsigned int i;

	for (i = 0; i < cfg_nb_lib_sections; i++) {
		if (strcmp(cfg_lib_sections[i].sec->name, name) == 0) {
			*base = (char *)c->cfg + cfg_lib_sections[i].off;
			return cfg_lib_sections[i].sec;
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

/* Add ", @p name" to the list in @p known. */
static void
add_known(char *known, size_t size, const char *name)
{
	size_t n = strlen(known);

	snprintf(known + n, size - n, ", %s", name);
}

/*
 * "unknown section (known: ...)": the ports, the libraries' sections by
 * rank with lib/config's [arp.static] in its place, then the
 * application's.
 */
static int
unknown_section(struct ptcp_config_ctx *c, const char *name)
{
	char known[PTCP_CONFIG_ERRLEN] = "port0..port3";
	bool arp_static = false;
	unsigned int i;

	RTE_BUILD_BUG_ON(PTCP_MAX_PORTS != 4);
	for (i = 0; i < cfg_nb_lib_sections; i++) {
		if (!arp_static && cfg_lib_sections[i].rank >
				PTCP_CONFIG_RANK_ARP_STATIC) {
			add_known(known, sizeof(known), SEC_ARP_STATIC);
			arp_static = true;
		}
		add_known(known, sizeof(known), cfg_lib_sections[i].sec->name);
	}
	if (!arp_static)
		add_known(known, sizeof(known), SEC_ARP_STATIC);
	for (i = 0; c->schema != NULL && i < c->schema->nb; i++)
		add_known(known, sizeof(known), c->schema->reg[i].sec->name);
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
	for (s = 0; s < cfg_nb_lib_sections; s++)
		ptcp_config_section_defaults(cfg_lib_sections[s].sec,
			(char *)cfg + cfg_lib_sections[s].off);
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

/* Whether @p name is lib/config's own section or a library's. */
static bool
is_own_section(const char *name)
{
	unsigned int i, port;

	if (cfg_is_port_section(name, &port) ||
			strcmp(name, SEC_ARP_STATIC) == 0)
		return true;
	for (i = 0; i < cfg_nb_lib_sections; i++)
		if (strcmp(cfg_lib_sections[i].sec->name, name) == 0)
			return true;
	return false;
}

/* A name the file can hold and keys that are each sane, named once. */
static bool
section_is_sane(const struct ptcp_config_section *sec)
{
	unsigned int i;

	if (sec == NULL || sec->name == NULL || sec->name[0] == '\0' ||
			strlen(sec->name) >= CFG_NAME_LEN ||
			!cfg_valid_name(sec->name) ||
			(sec->keys == NULL && sec->nb_keys != 0))
		return false;
	for (i = 0; i < sec->nb_keys; i++) {
		if (!key_is_sane(&sec->keys[i]) ||
				cfg_find_key(sec->keys, i, sec->keys[i].key))
			return false;
	}
	return true;
}

int
ptcp_config_register_lib(const struct ptcp_config_section *sec, size_t off,
		unsigned int rank)
{
	unsigned int i, at;

	if (!section_is_sane(sec) || rank == PTCP_CONFIG_RANK_ARP_STATIC)
		return -EINVAL;
	if (is_own_section(sec->name))
		return -EEXIST;
	for (i = 0; i < cfg_nb_lib_sections; i++)
		if (cfg_lib_sections[i].rank == rank)
			return -EINVAL;
	if (cfg_nb_lib_sections == PTCP_CONFIG_MAX_LIB_SECTIONS)
		return -ENOSPC;
	for (at = 0; at < cfg_nb_lib_sections &&
			cfg_lib_sections[at].rank < rank; at++)
		;
	memmove(&cfg_lib_sections[at + 1], &cfg_lib_sections[at],
		(cfg_nb_lib_sections - at) * sizeof(cfg_lib_sections[0]));
	cfg_lib_sections[at].sec = sec;
	cfg_lib_sections[at].off = off;
	cfg_lib_sections[at].rank = rank;
	cfg_nb_lib_sections++;
	return 0;
}

int
ptcp_config_register(struct ptcp_config_schema *schema,
		const struct ptcp_config_section *sec, void *base)
{
	unsigned int i;

	if (schema == NULL || base == NULL || !section_is_sane(sec))
		return -EINVAL;
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
