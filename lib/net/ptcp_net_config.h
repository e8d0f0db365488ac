/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_NET_CONFIG_H
#define PTCP_NET_CONFIG_H

/**
 * @file
 * lib/net's configuration sections: [ip], [arp] and [arp.static]
 * (docs/configuration.md), registered with lib/config before main() and
 * filling struct ptcp_config's ip, arp and arp_static[] (its entries are
 * read at its rank, once the ports are checked: each needs a port's
 * subnet).
 */

#include "ptcp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The [ip] section: ttl, icmp_error_limit. */
extern const struct ptcp_config_section ptcp_ip_config_section;

/** The [arp] section: entries, timeout, resolve_ms, retries, pending,
 *  pending_total, gratuitous. */
extern const struct ptcp_config_section ptcp_arp_config_section;

/** The [arp.static] section: "IP = MAC" or "IP = MAC port N" keys. */
extern const struct ptcp_config_section ptcp_arp_static_config_section;

#ifdef __cplusplus
}
#endif

#endif /* PTCP_NET_CONFIG_H */
