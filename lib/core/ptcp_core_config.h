/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_CORE_CONFIG_H
#define PTCP_CORE_CONFIG_H

/**
 * @file
 * lib/core's configuration sections: [lcores] and [mempool]
 * (docs/configuration.md), registered with lib/config before main() and
 * filling struct ptcp_config's lcores and mempool.
 */

#include "ptcp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The [lcores] section: burst, tx_flush_us, workers, steer_ring,
 *  tx_backlog. */
extern const struct ptcp_config_section ptcp_lcores_config_section;

/** The [mempool] section: mbufs, cache, data_room; a port's mtu must
 *  fit one mbuf. */
extern const struct ptcp_config_section ptcp_mempool_config_section;

#ifdef __cplusplus
}
#endif

#endif /* PTCP_CORE_CONFIG_H */
