/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TCP_CONFIG_H
#define PTCP_TCP_CONFIG_H

/**
 * @file
 * lib/tcp's configuration sections: [timer] and [tcp]
 * (docs/configuration.md), registered with lib/config before main() and
 * filling struct ptcp_config's timer and tcp.
 */

#include "ptcp_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The [timer] section: tick_us, the tick of each worker's wheel. */
extern const struct ptcp_config_section ptcp_timer_config_section;

/**
 * The [tcp] section: every TCP key; its check holds rto_min_ms <=
 * rto_init_ms <= rto_max_ms and mss <= every port's mtu - 40 (a default
 * mss comes down to the smallest).
 */
extern const struct ptcp_config_section ptcp_tcp_config_section;

#ifdef __cplusplus
}
#endif

#endif /* PTCP_TCP_CONFIG_H */
