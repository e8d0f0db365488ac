/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The [server] section's schema: its keys (defaults, ranges, dump lines)
 * and its rule (no two services on one port), registered with lib/config.
 */
#include <rte_common.h>

#include "server_config.h"

#define SRV_PORT(name, field, def, doc) \
	PTCP_CONFIG_KEY(struct ptcp_server_config, name, PTCP_CONFIG_UINT, \
		field, def, 0, 65535, doc)
#define SRV_UINT(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_server_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

static const char *const rr_close_names[] = {
	[PTCP_RR_CLOSE_CLIENT] = "client",
	[PTCP_RR_CLOSE_SERVER] = "server",
};

/* In dump order (the order of ptcp-server's --dump-config). */
static const struct ptcp_config_key server_keys[] = {
	SRV_PORT("echo_port", echo_port, 7, "RFC 862 echo; 0 = off"),
	SRV_PORT("discard_port", discard_port, 9, "RFC 863 discard; 0 = off"),
	SRV_PORT("daytime_port", daytime_port, 13, "RFC 867 daytime; 0 = off"),
	SRV_PORT("chargen_port", chargen_port, 19, "RFC 864 chargen; 0 = off"),
	SRV_PORT("http_port", http_port, 80, "HTTP/1.1 responder; 0 = off"),
	SRV_PORT("rr_port", rr_port, 5001,
		"request/response service; 0 = off"),
	SRV_UINT("http_body", http_body, 64, 0, 1u << 24,
		"bytes in a 200 response body"),
	SRV_UINT("http_max_request", http_max_request, 8192, 256, 1u << 20,
		"request head limit, bytes"),
	SRV_UINT("rr_request", rr_request, 64, 1, 1u << 20,
		"rr: request bytes read before answering"),
	SRV_UINT("rr_response", rr_response, 64, 0, 1u << 20,
		"rr: response bytes sent"),
	PTCP_CONFIG_KEY_ENUM(struct ptcp_server_config, "rr_close", rr_close,
		PTCP_RR_CLOSE_CLIENT, rr_close_names,
		"rr: who closes first, client or server"),
	PTCP_CONFIG_KEY(struct ptcp_server_config, "keepalive",
		PTCP_CONFIG_BOOL, keepalive, 1, 0, 1,
		"keepalive on every service's connections"),
	SRV_UINT("keepalive_idle_s", keepalive_idle_s, 60, 1, 65535,
		"idle seconds before the first keepalive probe"),
	SRV_UINT("keepalive_intvl_s", keepalive_intvl_s, 10, 1, 3600,
		"seconds between keepalive probes"),
	SRV_UINT("keepalive_cnt", keepalive_cnt, 5, 1, 100,
		"unanswered probes before the connection is reset"),
	SRV_UINT("idle_timeout_s", idle_timeout_s, 300, 0, 65535,
		"reset a connection that received nothing for this long; 0 = off"),
};

/*
 * No two services on one port (0 = off). The error names the key that was
 * given, the later one if both were: "http_port: 13 is also daytime_port".
 */
static int
check_server(struct ptcp_config_ctx *ctx, void *base)
{
	const struct ptcp_server_config *sc = base;
	const struct {
		const char *key;
		uint16_t port;
	} svc[] = {
		{ "echo_port", sc->echo_port },
		{ "discard_port", sc->discard_port },
		{ "daytime_port", sc->daytime_port },
		{ "chargen_port", sc->chargen_port },
		{ "http_port", sc->http_port },
		{ "rr_port", sc->rr_port },
	};
	unsigned int i, j, blame, other;

	for (i = 0; i < RTE_DIM(svc); i++) {
		for (j = 0; j < i; j++) {
			if (svc[i].port == 0 || svc[i].port != svc[j].port)
				continue;
			blame = i;
			other = j;
			if (!ptcp_config_given(ctx, "server", svc[i].key) &&
					ptcp_config_given(ctx, "server",
						svc[j].key)) {
				blame = j;
				other = i;
			}
			return ptcp_config_fail(ctx, "server", svc[blame].key,
				"%u is also %s", svc[i].port, svc[other].key);
		}
	}
	return 0;
}

const struct ptcp_config_section server_config_section = {
	.name = "server",
	.keys = server_keys,
	.nb_keys = RTE_DIM(server_keys),
	.check = check_server,
};

int
server_config_register(struct ptcp_config_schema *schema,
		struct ptcp_server_config *sc)
{
	return ptcp_config_register(schema, &server_config_section, sc);
}
