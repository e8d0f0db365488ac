/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net's sections: [ip] (what IPv4 output puts in its header), [arp]
 * (each port's ARP cache) and [arp.static] (entries the caches start
 * with). Registered with lib/config before main().
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "ptcp_config.h"
#include "ptcp_config_value.h"
#include "ptcp_net_config.h"

#define SEC_ARP_STATIC "arp.static"
#define QUOTE_MAX PTCP_CONFIG_QUOTE_MAX

#define ARP_KEY(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_arp_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

static const struct ptcp_config_key ip_keys[] = {
	PTCP_CONFIG_KEY(struct ptcp_ip_config, "ttl", PTCP_CONFIG_UINT, ttl,
		64, 1, 255, "TTL of sent packets"),
	PTCP_CONFIG_KEY(struct ptcp_ip_config, "icmp_error_limit",
		PTCP_CONFIG_UINT, icmp_error_limit, 1000, 0, 1000000,
		"ICMP errors (Parameter Problem) each worker sends per second "
		"at most; 0: none"),
};

PTCP_CONFIG_LIB_SECTION(ptcp_ip_config_section, "ip",
	ip_keys, NULL, ip, PTCP_CONFIG_RANK_IP)

static const struct ptcp_config_key arp_keys[] = {
	ARP_KEY("entries", entries, 1024, 16, 65536,
		"ARP cache entries per port"),
	ARP_KEY("timeout", timeout_s, 300, 1, 86400,
		"seconds before a learnt entry ages out"),
	ARP_KEY("resolve_ms", resolve_ms, 1000, 10, 60000,
		"ms to wait for a reply before asking again"),
	ARP_KEY("retries", retries, 3, 1, 10,
		"requests sent before giving up on a next hop"),
	ARP_KEY("pending", pending, 64, 1, 256,
		"packets held per unresolved next hop"),
	ARP_KEY("pending_total", pending_total, 1024, 1, 1u << 20,
		"packets held for all unresolved next hops of a port together"),
	PTCP_CONFIG_KEY(struct ptcp_arp_config, "gratuitous",
		PTCP_CONFIG_BOOL, gratuitous, 1, 0, 1,
		"announce each port's address at start"),
};

PTCP_CONFIG_LIB_SECTION(ptcp_arp_config_section, "arp",
	arp_keys, NULL, arp, PTCP_CONFIG_RANK_ARP)

/*
 * [arp.static]: every key is an IP address, so no table; its entries need
 * the ports' subnets (the ports are checked at rank PTCP_CONFIG_RANK_PORT,
 * before this one), so they are read at its rank, by check_arp_static(),
 * not as the file is read.
 */

/* The configuration whose arp_static[] is @p base. */
static struct ptcp_config *
config_of_arp_static(void *base)
{
	return (struct ptcp_config *)((char *)base -
		offsetof(struct ptcp_config, arp_static));
}

/* Any key, for check_arp_static() to read at the section's rank. */
static int
take_arp_static_key(struct ptcp_config_ctx *ctx, void *base,
		const char *section, const char *key, const char *value)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(base);
	RTE_SET_USED(section);
	RTE_SET_USED(key);
	RTE_SET_USED(value);
	return 0;
}

/* One [arp.static] entry: "IP = MAC" or "IP = MAC port N". */
static int
parse_static_arp(struct ptcp_config_ctx *c, const char *key,
		const char *value, void *arg)
{
	struct ptcp_config *cfg = arg;
	struct rte_ether_addr ea;
	char buf[CFG_VALUE_LEN], *mac, *word, *num, *extra, *save;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	unsigned int i, found = 0, first = 0;
	uint64_t port = PTCP_MAX_PORTS;
	uint32_t ip;

	if (ptcp_config_parse_ipv4(key, &ip) != 0)
		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"key is not an IPv4 address");
	strlcpy(buf, value, sizeof(buf));
	mac = strtok_r(buf, " \t", &save);
	word = strtok_r(NULL, " \t", &save);
	num = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (mac == NULL || ptcp_config_parse_mac(mac, &ea) != 0 ||
			(word != NULL && (strcmp(word, "port") != 0 ||
			num == NULL || extra != NULL ||
			ptcp_config_parse_u64(num, &port) != 0)))
		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"'%.*s' is not 'xx:xx:xx:xx:xx:xx' or "
			"'xx:xx:xx:xx:xx:xx port N'", QUOTE_MAX, value);
	if (cfg->nb_arp_static == PTCP_MAX_STATIC_ARP)
		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"more than %d entries", PTCP_MAX_STATIC_ARP);
	if (!rte_is_valid_assigned_ether_addr(&ea))
		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"%s is not a unicast address", mac);
	if (word != NULL && (port >= cfg->nb_ports))
		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"port %s is not configured (ports: 0..%u)",
			num, cfg->nb_ports - 1);
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct ptcp_port_config *pc = &cfg->port[i];

		if (pc->addr == ip)
			return ptcp_config_fail(c, SEC_ARP_STATIC, key,
				"is port%u's own address", i);
		if ((ip & pc->netmask) != (pc->addr & pc->netmask))
			continue;
		if (word != NULL && i != port)
			continue;
		if (found++ == 0)
			first = i;
		else
			return ptcp_config_fail(c, SEC_ARP_STATIC, key,
				"in the subnets of port%u and port%u: "
				"write 'MAC port N'", first, i);
	}
	if (found == 0 && word != NULL) {
		const struct ptcp_port_config *pc = &cfg->port[port];

		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"outside port%u's subnet %s/%d", (unsigned int)port,
			ptcp_config_ip_str(pc->addr & pc->netmask, n),
			ptcp_config_mask_to_prefix(pc->netmask));
	}
	if (found == 0)
		return ptcp_config_fail(c, SEC_ARP_STATIC, key,
			"%s is in no port's subnet", ptcp_config_ip_str(ip, a));
	cfg->arp_static[cfg->nb_arp_static].ip = ip;
	cfg->arp_static[cfg->nb_arp_static].mac = ea;
	cfg->arp_static[cfg->nb_arp_static].port = (uint8_t)first;
	cfg->nb_arp_static++;
	return 0;
}

/* The entries, in the order of the file, now that the ports are known. */
static int
check_arp_static(struct ptcp_config_ctx *ctx, void *base)
{
	return ptcp_config_foreach_key(ctx, SEC_ARP_STATIC, parse_static_arp,
		config_of_arp_static(base));
}

/* Every entry with its port ("IP = MAC port N"); nothing if none. */
static void
dump_arp_static(const struct ptcp_config_section *sec, const char *section,
		const void *base, FILE *f)
{
	const struct ptcp_config *cfg = (const struct ptcp_config *)
		((const char *)base - offsetof(struct ptcp_config, arp_static));
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	RTE_SET_USED(sec);
	if (cfg->nb_arp_static == 0)
		return;
	fprintf(f, "\n[%s]\n", section);
	for (i = 0; i < cfg->nb_arp_static && i < PTCP_MAX_STATIC_ARP; i++)
		fprintf(f, "%s = " RTE_ETHER_ADDR_PRT_FMT " port %u\n",
			ptcp_config_ip_str(cfg->arp_static[i].ip, a),
			RTE_ETHER_ADDR_BYTES(&cfg->arp_static[i].mac),
			cfg->arp_static[i].port);
}

const struct ptcp_config_section ptcp_arp_static_config_section = {
	.name = SEC_ARP_STATIC,
	.check = check_arp_static,
	.parse_key = take_arp_static_key,
	.dump = dump_arp_static,
	.dump_last = true,	/* after the application's sections, as ever */
};

PTCP_CONFIG_LIB_REGISTER(ptcp_arp_static_config_section, arp_static,
	PTCP_CONFIG_RANK_ARP_STATIC)
