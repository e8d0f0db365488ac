/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: rules inside a [portN] and across sections (pass 4):
 * contiguous ports, addresses, static ARP entries, mbuf size against the
 * MTU, RTO order, MSS against the MTU, service ports.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "config_priv.h"

/* Rules inside one [portN], once all its keys are read. */
int
cfg_check_port(struct ptcp_config_ctx *c, unsigned int p, const char *section)
{
	struct ptcp_port_config *pc = &c->cfg->port[p];
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	uint32_t host, mask, net;
	unsigned int i, j;
	int prefix;

	if (!rte_cfgfile_has_entry(c->cf, section, "address"))
		return ptcp_config_fail(c, section, "address", "missing (required)");
	if (c->prefix[p] != 0) {
		mask = cfg_prefix_to_mask(c->prefix[p]);
		if (c->netmask_set[p] && mask != pc->netmask)
			return ptcp_config_fail(c, section, "netmask",
				"%s disagrees with the /%u of address",
				cfg_ip_str(pc->netmask, n), c->prefix[p]);
		pc->netmask = mask;
	} else if (!c->netmask_set[p]) {
		return ptcp_config_fail(c, section, "netmask", "missing: "
			"give 'netmask = A.B.C.D' or 'address = A.B.C.D/N'");
	}
	prefix = cfg_mask_to_prefix(pc->netmask);
	host = ntohl(pc->addr);
	net = pc->addr & pc->netmask;
	cfg_ip_str(pc->addr, a);
	cfg_ip_str(net, n);
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

		cfg_ip_str(x, a);
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
	cfg_ip_str(pc->gateway, a);
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

/* ----- pass 4: rules across sections ----- */

static int
check_ports(struct ptcp_config_ctx *c)
{
	struct ptcp_config *cfg = c->cfg;
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
					cfg_ip_str(cfg->port[i].addr, a), j);
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

/* Each RX packet must fit one mbuf: no scattered RX. */
static int
check_mbuf_size(struct ptcp_config_ctx *c)
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
		return ptcp_config_fail(c, name, "mtu", "%u needs [mempool] data_room "
			">= %u (mtu + %u Ethernet + %u headroom), it is %u",
			cfg->port[i].mtu, need, RTE_ETHER_HDR_LEN,
			RTE_PKTMBUF_HEADROOM, cfg->mbuf_data_room);
	}
	return 0;
}

/* One [arp.static] entry: "IP = MAC" or "IP = MAC port N". */
static int
parse_static_arp(struct ptcp_config_ctx *c, const struct rte_cfgfile_entry *e)
{
	struct ptcp_config *cfg = c->cfg;
	struct rte_ether_addr ea;
	char buf[CFG_VALUE_LEN], *mac, *word, *num, *extra, *save;
	char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
	unsigned int i, found = 0, first = 0;
	uint64_t port = PTCP_MAX_PORTS;
	uint32_t ip;

	if (cfg_parse_ipv4(e->name, &ip) != 0)
		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"key is not an IPv4 address");
	strlcpy(buf, e->value, sizeof(buf));
	mac = strtok_r(buf, " \t", &save);
	word = strtok_r(NULL, " \t", &save);
	num = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (mac == NULL || cfg_parse_mac(mac, &ea) != 0 ||
			(word != NULL && (strcmp(word, "port") != 0 ||
			num == NULL || extra != NULL ||
			cfg_parse_u64(num, &port) != 0)))
		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"'%.*s' is not 'xx:xx:xx:xx:xx:xx' or "
			"'xx:xx:xx:xx:xx:xx port N'", QUOTE_MAX, e->value);
	if (cfg->nb_arp_static == PTCP_MAX_STATIC_ARP)
		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"more than %d entries", PTCP_MAX_STATIC_ARP);
	if (!rte_is_valid_assigned_ether_addr(&ea))
		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"%s is not a unicast address", mac);
	if (word != NULL && (port >= cfg->nb_ports))
		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"port %s is not configured (ports: 0..%u)",
			num, cfg->nb_ports - 1);
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct ptcp_port_config *pc = &cfg->port[i];

		if (pc->addr == ip)
			return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
				"is port%u's own address", i);
		if ((ip & pc->netmask) != (pc->addr & pc->netmask))
			continue;
		if (word != NULL && i != port)
			continue;
		if (found++ == 0)
			first = i;
		else
			return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
				"in the subnets of port%u and port%u: "
				"write 'MAC port N'", first, i);
	}
	if (found == 0 && word != NULL) {
		const struct ptcp_port_config *pc = &cfg->port[port];

		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"outside port%u's subnet %s/%d", (unsigned int)port,
			cfg_ip_str(pc->addr & pc->netmask, n),
			cfg_mask_to_prefix(pc->netmask));
	}
	if (found == 0)
		return ptcp_config_fail(c, SEC_ARP_STATIC, e->name,
			"%s is in no port's subnet", cfg_ip_str(ip, a));
	cfg->arp_static[cfg->nb_arp_static].ip = ip;
	cfg->arp_static[cfg->nb_arp_static].mac = ea;
	cfg->arp_static[cfg->nb_arp_static].port = (uint8_t)first;
	cfg->nb_arp_static++;
	return 0;
}

static int
parse_arp_static(struct ptcp_config_ctx *c)
{
	struct rte_cfgfile_entry *e;
	char name[CFG_NAME_LEN];
	int i, nb, ret = 0;

	if (c->arp_static_index < 0)
		return 0;
	e = cfg_section_entries(c, c->arp_static_index, name, &nb);
	if (e == NULL)
		return -ENOMEM;
	for (i = 0; ret == 0 && i < nb; i++)
		ret = parse_static_arp(c, &e[i]);
	free(e);
	return ret;
}

/* Whether the file or an override gave [section] key. */
bool
ptcp_config_given(const struct ptcp_config_ctx *c, const char *section,
		const char *key)
{
	return rte_cfgfile_has_entry(c->cf, section, key) > 0;
}

/*
 * The rule "[tcp] lo <= [tcp] hi" (the defaults keep it): names hi if it
 * was given, else lo, which then must have been.
 */
static int
check_order(struct ptcp_config_ctx *c, const char *lo_key, uint32_t lo,
		const char *hi_key, uint32_t hi)
{
	if (lo <= hi)
		return 0;
	if (ptcp_config_given(c, SEC_TCP, hi_key))
		return ptcp_config_fail(c, SEC_TCP, hi_key, "%u is below %s %u",
			hi, lo_key, lo);
	return ptcp_config_fail(c, SEC_TCP, lo_key, "%u is above %s %u",
		lo, hi_key, hi);
}

/*
 * RTO floor <= initial <= ceiling; the MSS fits every port's MTU. An MSS
 * the user gave must fit as it is; the default (1460) comes down to the
 * smallest MTU - 40, so that a port with a small MTU needs no [tcp] mss.
 */
static int
check_tcp(struct ptcp_config_ctx *c)
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
		if (ptcp_config_given(c, SEC_TCP, "mss"))
			return ptcp_config_fail(c, SEC_TCP, "mss", "%u does not fit "
				"[%s] mtu %u (at most mtu - %u = %u)",
				tcp->mss, name, c->cfg->port[i].mtu,
				IP_TCP_HDRS, room);
		if (room < MSS_MIN)
			return ptcp_config_fail(c, name, "mtu", "%u leaves %u bytes "
				"for the TCP MSS, less than [tcp] mss's "
				"minimum %u", c->cfg->port[i].mtu, room,
				MSS_MIN);
		tcp->mss = (uint16_t)room;
	}
	return 0;
}

/* The checks of the registered sections, in registration order. */
static int
check_registered(struct ptcp_config_ctx *c)
{
	unsigned int i;
	int ret;

	for (i = 0; c->schema != NULL && i < c->schema->nb; i++) {
		if (c->schema->reg[i].sec->check == NULL)
			continue;
		ret = c->schema->reg[i].sec->check(c, c->schema->reg[i].base);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int
cfg_check_config(struct ptcp_config_ctx *c)
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
		ret = check_registered(c);
	return ret;
}
