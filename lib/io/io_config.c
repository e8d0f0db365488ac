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

/*
 * extra_addresses: "none", or a list for ptcp_parse_addr_list(), at most
 * PTCP_MAX_EXTRA_ADDRS. Subnet and duplicate rules: check_port().
 */
static int
parse_addr_list(struct ptcp_config_ctx *c, const char *section,
		const char *key, const char *value, struct ptcp_port_config *pc)
{
	char why[PTCP_CONFIG_ERRLEN];

	pc->nb_extra = 0;
	if (strcasecmp(value, "none") == 0)
		return 0;
	if (ptcp_parse_addr_list(value, pc->extra_addr,
			PTCP_MAX_EXTRA_ADDRS, &pc->nb_extra, why,
			sizeof(why)) != 0)
		return ptcp_config_fail(c, section, key, "%s%s", why,
			strcmp(why, "no address") == 0 ?
			" (write 'none' for none)" : "");
	return 0;
}

/* The N of an "address = A.B.C.D/N" that parse_port_key() took; 0: none. */
static unsigned int
address_prefix(const char *value)
{
	const char *slash = value != NULL ? strchr(value, '/') : NULL;
	uint64_t prefix;

	if (slash == NULL || ptcp_config_parse_u64(slash + 1, &prefix) != 0)
		return 0;
	return (unsigned int)prefix;
}

static int
parse_port_key(struct ptcp_config_ctx *c, void *base, const char *section,
		const char *key, const char *value)
{
	struct ptcp_port_config *pc = base;
	char buf[CFG_VALUE_LEN];
	uint64_t prefix;
	char *slash;

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
	if (strcmp(key, "address") == 0) {
		strlcpy(buf, value, sizeof(buf));
		slash = strchr(buf, '/');
		if (slash != NULL)
			*slash = '\0';
		if (ptcp_config_parse_ipv4(buf, &pc->addr) != 0)
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
		return 0;	/* the prefix: check_port() */
	}
	if (strcmp(key, "netmask") == 0) {
		if (ptcp_config_parse_ipv4(value, &pc->netmask) != 0)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not a dotted netmask (255.255.255.0)",
				QUOTE_MAX, value);
		if (pc->netmask == 0)
			return ptcp_config_fail(c, section, key,
				"%s leaves no subnet", value);
		if (ptcp_config_mask_to_prefix(pc->netmask) < 0)
			return ptcp_config_fail(c, section, key,
				"%s is not a contiguous netmask", value);
		return 0;
	}
	if (strcmp(key, "gateway") == 0) {
		if (strcasecmp(value, "none") == 0) {
			pc->gateway = 0;
			return 0;
		}
		if (ptcp_config_parse_ipv4(value, &pc->gateway) != 0 ||
				pc->gateway == 0)
			return ptcp_config_fail(c, section, key,
				"'%.*s' is not an IPv4 address or 'none'",
				QUOTE_MAX, value);
		return 0;
	}
	if (strcmp(key, "extra_addresses") == 0)
		return parse_addr_list(c, section, key, value, pc);
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

/* Rules inside one [portN], once all its keys are read. */
static int
check_port(struct ptcp_config_ctx *c, void *base, const char *section)
{
	struct ptcp_port_config *pc = base;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	uint32_t host, mask, net;
	unsigned int i, j, given_prefix;
	bool netmask_set;
	int prefix;

	pc->enabled = true;
	if (!ptcp_config_given(c, section, "address"))
		return ptcp_config_fail(c, section, "address", "missing (required)");
	given_prefix = address_prefix(ptcp_config_value(c, section, "address"));
	netmask_set = ptcp_config_given(c, section, "netmask");
	if (given_prefix != 0) {
		mask = ptcp_config_prefix_to_mask(given_prefix);
		if (netmask_set && mask != pc->netmask)
			return ptcp_config_fail(c, section, "netmask",
				"%s disagrees with the /%u of address",
				ptcp_config_ip_str(pc->netmask, n), given_prefix);
		pc->netmask = mask;
	} else if (!netmask_set) {
		return ptcp_config_fail(c, section, "netmask", "missing: "
			"give 'netmask = A.B.C.D' or 'address = A.B.C.D/N'");
	}
	prefix = ptcp_config_mask_to_prefix(pc->netmask);
	host = ntohl(pc->addr);
	net = pc->addr & pc->netmask;
	ptcp_config_ip_str(pc->addr, a);
	ptcp_config_ip_str(net, n);
	if ((host >> 24) == 0 || (host >> 24) == 127 || (host >> 29) == 7)
		return ptcp_config_fail(c, section, "address",
			"%s is not a unicast host address", a);
	if (prefix <= 30 && pc->addr == net)
		return ptcp_config_fail(c, section, "address",
			"%s is the network address of %s/%d", a, n, prefix);
	if (prefix <= 30 && pc->addr == (net | ~pc->netmask))
		return ptcp_config_fail(c, section, "address",
			"%s is the broadcast address of %s/%d", a, n, prefix);
	for (i = 0; i < pc->nb_extra; i++) {
		uint32_t x = pc->extra_addr[i];

		ptcp_config_ip_str(x, a);
		if ((x & pc->netmask) != net)
			return ptcp_config_fail(c, section, "extra_addresses",
				"%s is outside the port's subnet %s/%d", a, n,
				prefix);
		if (x == pc->addr || (pc->gateway != 0 && x == pc->gateway))
			return ptcp_config_fail(c, section, "extra_addresses",
				"%s is the port's %s", a, x == pc->addr ?
				"address" : "gateway");
		if (prefix <= 30 && (x == net || x == (net | ~pc->netmask)))
			return ptcp_config_fail(c, section, "extra_addresses",
				"%s is not a host address of %s/%d", a, n,
				prefix);
		for (j = 0; j < i; j++)
			if (pc->extra_addr[j] == x)
				return ptcp_config_fail(c, section, "extra_addresses",
					"%s is listed twice", a);
	}
	if (pc->gateway == 0)
		return 0;
	ptcp_config_ip_str(pc->gateway, a);
	if ((pc->gateway & pc->netmask) != net)
		return ptcp_config_fail(c, section, "gateway",
			"%s is outside the port's subnet %s/%d", a, n, prefix);
	if (pc->gateway == pc->addr)
		return ptcp_config_fail(c, section, "gateway",
			"%s is the port's own address", a);
	if (prefix <= 30 && (pc->gateway == net ||
			pc->gateway == (net | ~pc->netmask)))
		return ptcp_config_fail(c, section, "gateway",
			"%s is not a host address of %s/%d", a, n, prefix);
	return 0;
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
			if (cfg->port[j].addr == cfg->port[i].addr)
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
