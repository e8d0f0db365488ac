/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

/**
 * @file
 * The [server] section: ptcp-server's services (docs/configuration.md).
 * ptcp-server registers it with lib/config before loading the
 * configuration; ptcp-churn registers it too, so that a file both programs
 * read is checked the same way (ptcp-churn ignores what it says).
 *
 *     struct ptcp_config_schema schema;
 *     struct ptcp_server_config sc;
 *
 *     ptcp_config_schema_init(&schema);
 *     server_config_register(&schema, &sc);
 *     ptcp_config_load_with(&cfg, &schema, path, sets, n, err, len);
 */

#include <stdbool.h>
#include <stdint.h>

#include "ptcp_config.h"

/** [server] rr_close: who closes a request/response connection first. */
enum ptcp_rr_close {
	PTCP_RR_CLOSE_CLIENT = 0,     /**< the server waits for the client's FIN */
	PTCP_RR_CLOSE_SERVER,         /**< the server closes after the response */
};

/** The [server] section: ptcp-server's services (0 = off). */
struct ptcp_server_config {
	uint16_t echo_port;           /**< RFC 862 (7) */
	uint16_t discard_port;        /**< RFC 863 (9) */
	uint16_t daytime_port;        /**< RFC 867 (13) */
	uint16_t chargen_port;        /**< RFC 864 (19) */
	uint16_t http_port;           /**< HTTP/1.1 responder (80) */
	uint32_t http_body;           /**< bytes in a 200 response body (64) */
	uint32_t http_max_request;    /**< request head limit, bytes (8192) */
	uint16_t rr_port;             /**< request/response service (5001) */
	uint32_t rr_request;          /**< rr: request bytes read (64) */
	uint32_t rr_response;         /**< rr: response bytes sent (64) */
	uint8_t rr_close;             /**< rr: enum ptcp_rr_close (client) */
	/* Every service's connections: what ends them when a peer vanishes. */
	bool keepalive;               /**< keepalive on (yes) */
	uint16_t keepalive_idle_s;    /**< idle seconds before a probe (60) */
	uint16_t keepalive_intvl_s;   /**< seconds between probes (10) */
	uint8_t keepalive_cnt;        /**< probes before the reset (5) */
	uint16_t idle_timeout_s;      /**< reset after this long with no
	                               *   segment received; 0 = off (300) */
};

/** The [server] section's keys and its check (no two services on a port). */
extern const struct ptcp_config_section server_config_section;

/**
 * Register [server] in @p schema, filling @p sc (its defaults now, the
 * file's and the overrides' values at ptcp_config_load_with()).
 *
 * @return as ptcp_config_register()
 */
int server_config_register(struct ptcp_config_schema *schema,
		struct ptcp_server_config *sc);

#endif /* SERVER_CONFIG_H */
