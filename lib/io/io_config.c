/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/io's section: [port0] .. [port3], the ports lib/io brings up. The
 * numeric keys are a table; device, address (A.B.C.D or A.B.C.D/N),
 * netmask, gateway, extra_addresses and mac have parsers of their own, and
 * the dump writes them back in the same forms. Rules inside a port run as
 * soon as its section is read; the rules across ports (numbered from
 * port0, no address or device twice) come first among the sections'
 * checks (rank PTCP_CONFIG_RANK_PORT), so that every other check sees
 * nb_ports. Registered with lib/config before main().
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "ptcp_config.h"
#include "ptcp_config_value.h"
#include "ptcp_io_config.h"

#define QUOTE_MAX PTCP_CONFIG_QUOTE_MAX

#define PORT_KEY(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_port_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

/* The numeric keys of [portN]; the others are parsed in parse_port_key(). */
static const struct ptcp_config_key port_keys[] = {
	PORT_KEY("rx_desc", rx_desc, 1024, 32, 16384,
		"RX descriptors per queue"),
	PORT_KEY("tx_desc", tx_desc, 1024, 32, 16384,
		"TX descriptors per queue"),
	PORT_KEY("mtu", mtu, RTE_ETHER_MTU, 68, 9000, "IP MTU"),
};

/* The configuration whose port[0] is @p base (the section's check). */
static struct ptcp_config *
config_of_ports(void *base)
{
	return (struct ptcp_config *)((char *)base -
		offsetof(struct ptcp_config, port));
}

/* The IPv4 keys of an interface: a port's own or a VLAN's. */
struct ip_keys {
	uint32_t *addr;
	uint32_t *netmask;
	uint32_t *gateway;
	uint32_t *extra;
	unsigned int *nb_extra;
	const char *kind;             /* "port", "VLAN": in messages */
};

static struct ip_keys
port_ip_keys(struct ptcp_port_config *pc)
{
	return (struct ip_keys){ &pc->addr, &pc->netmask, &pc->gateway,
		pc->extra_addr, &pc->nb_extra, "port" };
}

static struct ip_keys
vlan_ip_keys(struct ptcp_vlan_config *vc)
{
	return (struct ip_keys){ &vc->addr, &vc->netmask, &vc->gateway,
		vc->extra_addr, &vc->nb_extra, "VLAN" };
}

/*
 * extra_addresses: "none", or a list for ptcp_parse_addr_list(), at most
 * PTCP_MAX_EXTRA_ADDRS. Subnet and duplicate rules: check_ip().
 */
static int
parse_addr_list(struct ptcp_config_ctx *c, const char *section,
		const char *key, const char *value, const struct ip_keys *k)
{
	char why[PTCP_CONFIG_ERRLEN];

	*k->nb_extra = 0;
	if (strcasecmp(value, "none") == 0)
		return 0;
	if (ptcp_parse_addr_list(value, k->extra,
			PTCP_MAX_EXTRA_ADDRS, k->nb_extra, why,
			sizeof(why)) != 0)
		return ptcp_config_fail(c, section, key, "%s%s", why,
			strcmp(why, "no address") == 0 ?
			" (write 'none' for none)" : "");
	return 0;
}

/* The N of an "address = A.B.C.D/N" that parse_ip_key() took; 0: none. */
static unsigned int
address_prefix(const char *value)
{
	const char *slash = value != NULL ? strchr(value, '/') : NULL;
	uint64_t prefix;

	if (slash == NULL || ptcp_config_parse_u64(slash + 1, &prefix) != 0)
		return 0;
	return (unsigned int)prefix;
}

/*
 * address, netmask, gateway, extra_addresses of an interface.
 * @return 0, -EINVAL (reported), or 1: not one of these keys
 */
static int
parse_ip_key(struct ptcp_config_ctx *c, const char *section,
		const char *key, const char *value, const struct ip_keys *k)
{
	char buf[CFG_VALUE_LEN];
	uint64_t prefix;
	char *slash;

	if (strcmp(key, "address") == 0) {
		/* A port used only for VLANs: its own interface has none. */
		if (strcasecmp(value, "none") == 0 &&
				strcmp(k->kind, "port") == 0) {
			*k->addr = 0;
			return 0;
		}
		strlcpy(buf, value, sizeof(buf));
		slash = strchr(buf, '/');
		if (slash != NULL)
			*slash = '\0';
		if (ptcp_config_parse_ipv4(buf, k->addr) != 0)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not an IPv4 address",
				QUOTE_MAX, buf);
		if (slash == NULL)
			return 0;
		if (ptcp_config_parse_u64(slash + 1, &prefix) != 0 ||
				prefix < 1 || prefix > 32)
			return ptcp_config_fail(c, section, key,
				"'%.*s': the prefix length after '/' must be 1..32",
				QUOTE_MAX, value);
		return 0;	/* the prefix: check_ip() */
	}
	if (strcmp(key, "netmask") == 0) {
		if (ptcp_config_parse_ipv4(value, k->netmask) != 0)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not a dotted netmask (255.255.255.0)",
				QUOTE_MAX, value);
		if (*k->netmask == 0)
			return ptcp_config_fail(c, section, key,
				"%s leaves no subnet", value);
		if (ptcp_config_mask_to_prefix(*k->netmask) < 0)
			return ptcp_config_fail(c, section, key,
				"%s is not a contiguous netmask", value);
		return 0;
	}
	if (strcmp(key, "gateway") == 0) {
		if (strcasecmp(value, "none") == 0) {
			*k->gateway = 0;
			return 0;
		}
		if (ptcp_config_parse_ipv4(value, k->gateway) != 0 ||
				*k->gateway == 0)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not an IPv4 address or 'none'",
				QUOTE_MAX, value);
		return 0;
	}
	if (strcmp(key, "extra_addresses") == 0)
		return parse_addr_list(c, section, key, value, k);
	return 1;
}

static int
parse_port_key(struct ptcp_config_ctx *c, void *base, const char *section,
		const char *key, const char *value)
{
	struct ptcp_port_config *pc = base;
	struct ip_keys k = port_ip_keys(pc);
	int rc;

	if (strcmp(key, "device") == 0) {
		if (strlen(value) >= sizeof(pc->device))
			return ptcp_config_fail(c, section, key,
				"'%.*s' is longer than %zu characters",
				QUOTE_MAX, value, sizeof(pc->device) - 1);
		if (strpbrk(value, " \t") != NULL)
			return ptcp_config_fail(c, section, key,
				"'%.*s': a device name has no spaces",
				QUOTE_MAX, value);
		strlcpy(pc->device, value, sizeof(pc->device));
		return 0;
	}
	rc = parse_ip_key(c, section, key, value, &k);
	if (rc <= 0)
		return rc;
	if (strcmp(key, "mac") == 0) {
		if (ptcp_config_parse_mac(value, &pc->mac) != 0)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
				QUOTE_MAX, value);
		if (!rte_is_valid_assigned_ether_addr(&pc->mac))
			return ptcp_config_fail(c, section, key,
				"%s is not a unicast address", value);
		pc->mac_set = true;
		return 0;
	}
	return ptcp_config_fail(c, section, key, "unknown key (known: device, "
		"address, extra_addresses, netmask, gateway, mac, rx_desc, "
		"tx_desc, mtu)");
}

/* The address rules of one interface ([portN] or [vlanN]). */
static int
check_ip(struct ptcp_config_ctx *c, const char *section,
		const struct ip_keys *k)
{
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	uint32_t host, mask, net, addr = *k->addr, netmask, gateway;
	unsigned int i, j, given_prefix;
	bool netmask_set;
	int prefix;

	if (!ptcp_config_given(c, section, "address"))
		return ptcp_config_fail(c, section, "address", "missing (required)");
	if (addr == 0) {
		/* address = none: nothing else of IPv4 (check_vlans() wants a
		 * VLAN on the port); a netmask of /32 keeps every subnet test
		 * ([arp.static], routes) away from it. */
		if (*k->nb_extra != 0)
			return ptcp_config_fail(c, section, "extra_addresses",
				"the port has no address (address = none)");
		if (*k->gateway != 0)
			return ptcp_config_fail(c, section, "gateway",
				"the port has no address (address = none)");
		if (ptcp_config_given(c, section, "netmask"))
			return ptcp_config_fail(c, section, "netmask",
				"the port has no address (address = none)");
		*k->netmask = UINT32_MAX;
		return 0;
	}
	given_prefix = address_prefix(ptcp_config_value(c, section, "address"));
	netmask_set = ptcp_config_given(c, section, "netmask");
	if (given_prefix != 0) {
		mask = ptcp_config_prefix_to_mask(given_prefix);
		if (netmask_set && mask != *k->netmask)
			return ptcp_config_fail(c, section, "netmask",
				"%s disagrees with the /%u of address",
				ptcp_config_ip_str(*k->netmask, n), given_prefix);
		*k->netmask = mask;
	} else if (!netmask_set) {
		return ptcp_config_fail(c, section, "netmask", "missing: "
			"give 'netmask = A.B.C.D' or 'address = A.B.C.D/N'");
	}
	netmask = *k->netmask;
	gateway = *k->gateway;
	prefix = ptcp_config_mask_to_prefix(netmask);
	host = ntohl(addr);
	net = addr & netmask;
	ptcp_config_ip_str(addr, a);
	ptcp_config_ip_str(net, n);
	if ((host >> 24) == 0 || (host >> 24) == 127 || (host >> 29) == 7)
		return ptcp_config_fail(c, section, "address",
			"%s is not a unicast host address", a);
	if (prefix <= 30 && addr == net)
		return ptcp_config_fail(c, section, "address",
			"%s is the network address of %s/%d", a, n, prefix);
	if (prefix <= 30 && addr == (net | ~netmask))
		return ptcp_config_fail(c, section, "address",
			"%s is the broadcast address of %s/%d", a, n, prefix);
	for (i = 0; i < *k->nb_extra; i++) {
		uint32_t x = k->extra[i];

		ptcp_config_ip_str(x, a);
		if ((x & netmask) != net)
			return ptcp_config_fail(c, section, "extra_addresses",
				"%s is outside the %s's subnet %s/%d", a,
				k->kind, n, prefix);
		if (x == addr || (gateway != 0 && x == gateway))
			return ptcp_config_fail(c, section, "extra_addresses",
				"%s is the %s's %s", a, k->kind, x == addr ?
				"address" : "gateway");
		if (prefix <= 30 && (x == net || x == (net | ~netmask)))
			return ptcp_config_fail(c, section, "extra_addresses",
				"%s is not a host address of %s/%d", a, n,
				prefix);
		for (j = 0; j < i; j++)
			if (k->extra[j] == x)
				return ptcp_config_fail(c, section, "extra_addresses",
					"%s is listed twice", a);
	}
	if (gateway == 0)
		return 0;
	ptcp_config_ip_str(gateway, a);
	if ((gateway & netmask) != net)
		return ptcp_config_fail(c, section, "gateway",
			"%s is outside the %s's subnet %s/%d", a, k->kind, n,
			prefix);
	if (gateway == addr)
		return ptcp_config_fail(c, section, "gateway",
			"%s is the %s's own address", a, k->kind);
	if (prefix <= 30 && (gateway == net ||
			gateway == (net | ~netmask)))
		return ptcp_config_fail(c, section, "gateway",
			"%s is not a host address of %s/%d", a, n, prefix);
	return 0;
}

/* Rules inside one [portN], once all its keys are read. */
static int
check_port(struct ptcp_config_ctx *c, void *base, const char *section)
{
	struct ptcp_port_config *pc = base;
	struct ip_keys k = port_ip_keys(pc);

	pc->enabled = true;
	return check_ip(c, section, &k);
}

/* Rules across the ports, before any other section's check. */
static int
check_ports(struct ptcp_config_ctx *c, void *base)
{
	struct ptcp_config *cfg = config_of_ports(base);
	char a[INET_ADDRSTRLEN], name[16];
	unsigned int i, j;

	cfg->nb_ports = 0;
	for (i = 0; i < PTCP_MAX_PORTS; i++)
		if (cfg->port[i].enabled)
			cfg->nb_ports = i + 1;
	if (cfg->nb_ports == 0)
		return ptcp_config_fail(c, "port0", NULL,
			"missing: at least one port is required");
	for (i = 0; i < cfg->nb_ports; i++) {
		snprintf(name, sizeof(name), "port%u", i);
		if (!cfg->port[i].enabled)
			return ptcp_config_fail(c, name, NULL, "missing: ports are "
				"numbered from port0 without gaps "
				"([port%u] is present)", cfg->nb_ports - 1);
		for (j = 0; j < i; j++) {
			if (cfg->port[j].addr == cfg->port[i].addr &&
					cfg->port[i].addr != 0)
				return ptcp_config_fail(c, name, "address",
					"%s is also port%u's address",
					ptcp_config_ip_str(cfg->port[i].addr, a), j);
			if (cfg->port[i].device[0] != '\0' &&
					strcmp(cfg->port[i].device,
						cfg->port[j].device) == 0)
				return ptcp_config_fail(c, name, "device",
					"%s is also port%u's device",
					cfg->port[i].device, j);
		}
	}
	return 0;
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
			ptcp_config_ip_str(pc->extra_addr[i], a));
		if (j != i)
			fprintf(f, "-%s", ptcp_config_ip_str(pc->extra_addr[j], b));
		i = j + 1;
	}
	fprintf(f, "\n");
}

/* An enabled port, its address as A.B.C.D/N, its MAC if given. */
static void
dump_port(const struct ptcp_config_section *sec, const char *section,
		const void *base, FILE *f)
{
	const struct ptcp_port_config *pc = base;
	char a[INET_ADDRSTRLEN];

	if (!pc->enabled)
		return;
	fprintf(f, "\n[%s]\n", section);
	if (pc->device[0] != '\0')
		fprintf(f, "device = %s\n", pc->device);
	if (pc->addr == 0)
		fprintf(f, "address = none\n");
	else
		fprintf(f, "address = %s/%d\n", ptcp_config_ip_str(pc->addr, a),
			ptcp_config_mask_to_prefix(pc->netmask));
	dump_addr_list(pc, f);
	fprintf(f, "gateway = %s\n",
		pc->gateway != 0 ? ptcp_config_ip_str(pc->gateway, a) : "none");
	if (pc->mac_set)
		fprintf(f, "mac = " RTE_ETHER_ADDR_PRT_FMT "\n",
			RTE_ETHER_ADDR_BYTES(&pc->mac));
	ptcp_config_dump_keys(sec->keys, sec->nb_keys, pc, f);
}

const struct ptcp_config_section ptcp_port_config_section = {
	.name = "port",
	.keys = port_keys,
	.nb_keys = RTE_DIM(port_keys),
	.check = check_ports,
	.instances = PTCP_MAX_PORTS,
	.instance_size = sizeof(struct ptcp_port_config),
	.parse_key = parse_port_key,
	.check_section = check_port,
	.dump = dump_port,
};

PTCP_CONFIG_LIB_REGISTER(ptcp_port_config_section, port, PTCP_CONFIG_RANK_PORT)

/*
 * [vlan0] .. [vlan7]: an 802.1Q VLAN on a port, its own interface. port
 * and id are parsed here, the addresses as a port's (parse_ip_key()); the
 * rules across interfaces (the port exists, no VLAN twice on a port, no
 * address in two interfaces) run at rank PTCP_CONFIG_RANK_VLAN, once the
 * ports are known.
 */

/* The configuration whose vlan[0] is @p base. */
static struct ptcp_config *
config_of_vlans(void *base)
{
	return (struct ptcp_config *)((char *)base -
		offsetof(struct ptcp_config, vlan));
}

static int
parse_vlan_key(struct ptcp_config_ctx *c, void *base, const char *section,
		const char *key, const char *value)
{
	struct ptcp_vlan_config *vc = base;
	struct ip_keys k = vlan_ip_keys(vc);
	uint64_t v;
	int rc;

	if (strcmp(key, "port") == 0) {
		if (ptcp_config_parse_u64(value, &v) != 0 ||
				v >= PTCP_MAX_PORTS)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not a port index (0..%d)",
				QUOTE_MAX, value, PTCP_MAX_PORTS - 1);
		vc->port = (uint8_t)v;
		return 0;
	}
	if (strcmp(key, "id") == 0) {
		if (ptcp_config_parse_u64(value, &v) != 0 || v < 1 ||
				v > 4094)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not a VLAN ID (1..4094)",
				QUOTE_MAX, value);
		vc->id = (uint16_t)v;
		return 0;
	}
	rc = parse_ip_key(c, section, key, value, &k);
	if (rc <= 0)
		return rc;
	return ptcp_config_fail(c, section, key, "unknown key (known: port, "
		"id, address, extra_addresses, netmask, gateway)");
}

/* Rules inside one [vlanN], once all its keys are read. */
static int
check_vlan(struct ptcp_config_ctx *c, void *base, const char *section)
{
	struct ptcp_vlan_config *vc = base;
	struct ip_keys k = vlan_ip_keys(vc);

	vc->enabled = true;
	if (!ptcp_config_given(c, section, "port"))
		return ptcp_config_fail(c, section, "port",
			"missing: the index of the port the VLAN is on");
	if (!ptcp_config_given(c, section, "id"))
		return ptcp_config_fail(c, section, "id",
			"missing: the VLAN ID (1..4094)");
	return check_ip(c, section, &k);
}

/* Every address of interface @p k: primary first, then the extra ones. */
static unsigned int
ip_addrs(const struct ip_keys *k, uint32_t *out)
{
	unsigned int i;

	out[0] = *k->addr;
	for (i = 0; i < *k->nb_extra; i++)
		out[1 + i] = k->extra[i];
	return 1 + *k->nb_extra;
}

/* Whether @p a is one of @p k's addresses. */
static bool
ip_has(const struct ip_keys *k, uint32_t a)
{
	unsigned int i;

	if (*k->addr == a)
		return true;
	for (i = 0; i < *k->nb_extra; i++)
		if (k->extra[i] == a)
			return true;
	return false;
}

/* Rules across the VLANs and the ports (these are checked already). */
static int
check_vlans(struct ptcp_config_ctx *c, void *base)
{
	struct ptcp_config *cfg = config_of_vlans(base);
	uint32_t addrs[1 + PTCP_MAX_EXTRA_ADDRS];
	char a[INET_ADDRSTRLEN], name[16], other[16];
	struct ip_keys k, o;
	unsigned int i, j, x, n;

	cfg->nb_vlans = 0;
	for (j = 0; j < cfg->nb_ports; j++) {
		if (cfg->port[j].addr != 0)
			continue;
		for (i = 0; i < PTCP_MAX_VLANS; i++)
			if (cfg->vlan[i].enabled && cfg->vlan[i].port == j)
				break;
		snprintf(name, sizeof(name), "port%u", j);
		if (i == PTCP_MAX_VLANS)
			return ptcp_config_fail(c, name, "address", "none "
				"leaves the port nothing to do: give it an "
				"address or a [vlanN] with port = %u", j);
	}
	for (i = 0; i < PTCP_MAX_VLANS; i++) {
		struct ptcp_vlan_config *vc = &cfg->vlan[i];

		if (!vc->enabled)
			continue;
		cfg->nb_vlans++;
		snprintf(name, sizeof(name), "vlan%u", i);
		if (vc->port >= cfg->nb_ports || !cfg->port[vc->port].enabled)
			return ptcp_config_fail(c, name, "port",
				"port%u is not configured", vc->port);
		k = vlan_ip_keys(vc);
		n = ip_addrs(&k, addrs);
		for (j = 0; j < i; j++) {
			if (!cfg->vlan[j].enabled)
				continue;
			if (cfg->vlan[j].port == vc->port &&
					cfg->vlan[j].id == vc->id)
				return ptcp_config_fail(c, name, "id",
					"VLAN %u is also vlan%u's on port%u",
					vc->id, j, vc->port);
			o = vlan_ip_keys(&cfg->vlan[j]);
			for (x = 0; x < n; x++)
				if (ip_has(&o, addrs[x]))
					return ptcp_config_fail(c, name,
						x == 0 ? "address" :
						"extra_addresses",
						"%s is also vlan%u's",
						ptcp_config_ip_str(addrs[x], a),
						j);
		}
		for (j = 0; j < cfg->nb_ports; j++) {
			if (cfg->port[j].addr == 0)
				continue;
			o = port_ip_keys(&cfg->port[j]);
			snprintf(other, sizeof(other), "port%u", j);
			for (x = 0; x < n; x++)
				if (ip_has(&o, addrs[x]))
					return ptcp_config_fail(c, name,
						x == 0 ? "address" :
						"extra_addresses",
						"%s is also %s's",
						ptcp_config_ip_str(addrs[x], a),
						other);
		}
	}
	return 0;
}

/* An enabled VLAN: its port and id, then its addresses as a port's. */
static void
dump_vlan(const struct ptcp_config_section *sec, const char *section,
		const void *base, FILE *f)
{
	const struct ptcp_vlan_config *vc = base;
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	RTE_SET_USED(sec);
	if (!vc->enabled)
		return;
	fprintf(f, "\n[%s]\nport = %u\nid = %u\n", section, vc->port, vc->id);
	fprintf(f, "address = %s/%d\n", ptcp_config_ip_str(vc->addr, a),
		ptcp_config_mask_to_prefix(vc->netmask));
	fprintf(f, "extra_addresses = ");
	if (vc->nb_extra == 0)
		fprintf(f, "none");
	for (i = 0; i < vc->nb_extra; i++)
		fprintf(f, "%s%s", i != 0 ? "," : "",
			ptcp_config_ip_str(vc->extra_addr[i], a));
	fprintf(f, "\ngateway = %s\n",
		vc->gateway != 0 ? ptcp_config_ip_str(vc->gateway, a) : "none");
}

const struct ptcp_config_section ptcp_vlan_config_section = {
	.name = "vlan",
	.check = check_vlans,
	.instances = PTCP_MAX_VLANS,
	.instance_size = sizeof(struct ptcp_vlan_config),
	.parse_key = parse_vlan_key,
	.check_section = check_vlan,
	.dump = dump_vlan,
};

PTCP_CONFIG_LIB_REGISTER(ptcp_vlan_config_section, vlan, PTCP_CONFIG_RANK_VLAN)
