/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net's sections: [ip] (what IPv4 output puts in its header) and [arp]
 * (each port's ARP cache). Registered with lib/config before main().
 */

#include <stddef.h>

#include <rte_common.h>

#include "ptcp_config.h"
#include "ptcp_net_config.h"

#define ARP_KEY(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_arp_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

static const struct ptcp_config_key ip_keys[] = {
	PTCP_CONFIG_KEY(struct ptcp_ip_config, "ttl", PTCP_CONFIG_UINT, ttl,
		64, 1, 255, "TTL of sent packets"),
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
