/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_NET_CONFIG_H
#define PTCP_NET_CONFIG_H

/**
 * @file
 * lib/net's configuration sections: [ip] and [arp]
 * (docs/configuration.md), registered with lib/config before main() and
 * filling struct ptcp_config's ip and arp. ([arp.static] needs the ports
 * and is lib/config's own.)
 */

#include "ptcp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The [ip] section: ttl. */
extern const struct ptcp_config_section ptcp_ip_config_section;

/** The [arp] section: entries, timeout, resolve_ms, retries, pending,
 *  pending_total, gratuitous. */
extern const struct ptcp_config_section ptcp_arp_config_section;

#ifdef __cplusplus
}
#endif

#endif /* PTCP_NET_CONFIG_H */
