/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_IO_CONFIG_H
#define PTCP_IO_CONFIG_H

/**
 * @file
 * lib/io's configuration section: [port0] .. [port3] (docs/configuration.md),
 * registered with lib/config before main() and filling struct ptcp_config's
 * port[] and nb_ports.
 */

#include "ptcp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The [portN] sections: device, address, extra_addresses, netmask,
 *  gateway, mac, rx_desc, tx_desc, mtu; PTCP_MAX_PORTS instances. */
extern const struct ptcp_config_section ptcp_port_config_section;

/** The [vlanN] sections: port, id, address, extra_addresses, netmask,
 *  gateway; PTCP_MAX_VLANS instances. */
extern const struct ptcp_config_section ptcp_vlan_config_section;

#ifdef __cplusplus
}
#endif

#endif /* PTCP_IO_CONFIG_H */
