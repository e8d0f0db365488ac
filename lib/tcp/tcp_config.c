/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp's sections: [timer] (the tick of the wheels lib/tcp makes, one
 * per worker) and [tcp], with [tcp]'s rules across keys: RTO floor <=
 * initial <= ceiling, and the MSS fits every port's MTU. Registered with
 * lib/config before main().
 */

#include <stddef.h>
#include <stdio.h>

#include <rte_common.h>

#include "ptcp_config.h"
#include "ptcp_tcp_config.h"

#define SEC_TCP "tcp"

#define TCP_UINT(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_tcp_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)
#define TCP_BOOL(name, field, def, doc) \
	PTCP_CONFIG_KEY(struct ptcp_tcp_config, name, PTCP_CONFIG_BOOL, \
		field, def, 0, 1, doc)

#define MSS_DEFAULT 1460u
#define MSS_MIN 88u			/* as Linux's TCP_MIN_MSS */
#define IP_TCP_HDRS 40u			/* IPv4 + TCP headers, no options */
#define MSS_MAX (9000u - IP_TCP_HDRS)	/* the largest [portN] mtu's room */
#define RETRIES_MAX 30u
#define M16 (1u << 24)			/* "16M" */

static const struct ptcp_config_key timer_keys[] = {
	PTCP_CONFIG_KEY(struct ptcp_timer_config, "tick_us",
		PTCP_CONFIG_UINT, tick_us, 1000, 10, 1000000,
		"timer wheel tick, microseconds"),
};

PTCP_CONFIG_LIB_SECTION(ptcp_timer_config_section, "timer",
	timer_keys, NULL, timer, PTCP_CONFIG_RANK_TIMER)

static const char *const cc_names[] = {
	[PTCP_CC_NEWRENO] = "newreno",
	[PTCP_CC_CUBIC] = "cubic",
};

static const struct ptcp_config_key tcp_keys[] = {
	TCP_UINT("max_conns", max_conns, 65536, 16, M16,
		"TCBs per worker lcore"),
	TCP_UINT("max_tw", max_tw, 65536, 0, M16,
		"TIME-WAIT entries per worker lcore"),
	TCP_UINT("syn_backlog", syn_backlog, 1024, 1, 1u << 20,
		"SYN-RECEIVED connections per listener"),
	TCP_BOOL("syncookies", syncookies, 1,
		"SYN cookies once a listener's backlog is full"),
	TCP_UINT("msl_ms", msl_ms, 30000, 10, 600000,
		"maximum segment lifetime; TIME-WAIT lasts 2 * MSL"),
	TCP_UINT("rto_init_ms", rto_init_ms, 1000, 1, 600000,
		"initial retransmission timeout"),
	TCP_UINT("rto_min_ms", rto_min_ms, 200, 1, 10000,
		"retransmission timeout floor"),
	TCP_UINT("rto_max_ms", rto_max_ms, 60000, 1, 600000,
		"retransmission timeout ceiling"),
	TCP_UINT("syn_retries", syn_retries, 6, 1, RETRIES_MAX,
		"SYN retransmissions before an open fails"),
	TCP_UINT("synack_retries", synack_retries, 5, 1,
		RETRIES_MAX, "SYN-ACK retransmissions before giving up"),
	TCP_UINT("data_retries", data_retries, 15, 1, RETRIES_MAX,
		"data retransmissions before the connection is reset"),
	TCP_UINT("orphan_retries", orphan_retries, 8, 1,
		RETRIES_MAX, "FIN retransmissions once the app has closed"),
	TCP_UINT("fin_wait2_ms", fin_wait2_ms, 60000, 100, 3600000,
		"FIN-WAIT-2 limit for connections the app has closed"),
	TCP_BOOL("keepalive", keepalive, 0,
		"keepalive on by default for listeners"),
	TCP_UINT("keepalive_idle_s", keepalive_idle_s, 7200, 1,
		65535, "idle seconds before the first keepalive probe"),
	TCP_UINT("keepalive_intvl_s", keepalive_intvl_s, 75, 1,
		3600, "seconds between keepalive probes"),
	TCP_UINT("keepalive_cnt", keepalive_cnt, 9, 1, 100,
		"unanswered probes before the connection is reset"),
	TCP_UINT("close_wait_warn_s", close_wait_warn_s, 60, 0,
		86400, "report CLOSE-WAIT older than this; 0 = off"),
	TCP_UINT("mss", mss, MSS_DEFAULT, MSS_MIN, MSS_MAX,
		"MSS announced; at most every port's mtu - 40"),
	TCP_UINT("rcv_buf", rcv_buf, 65535 * 4, 1024, 1u << 30,
		"receive window per connection, bytes"),
	TCP_UINT("snd_buf", snd_buf, 256 * 1024, 1024, 1u << 30,
		"send queue limit per connection, bytes"),
	TCP_BOOL("timestamps", timestamps, 1,
		"RFC 7323 timestamps"),
	TCP_BOOL("ts_required", ts_required, 1,
		"once timestamps are negotiated, drop a non-RST segment "
		"without one (RFC 7323 3.2); no: accept it, as Linux does"),
	TCP_BOOL("window_scaling", window_scaling, 1,
		"RFC 7323 window scaling"),
	TCP_BOOL("sack", sack, 1,
		"announce SACK-permitted"),
	TCP_UINT("challenge_ack_limit", challenge_ack_limit, 1000,
		1, 1000000, "RFC 5961 challenge ACKs per second per lcore"),
	TCP_UINT("invalid_ratelimit_ms", invalid_ratelimit_ms, 500, 0, 60000,
		"per connection, at most one reply per this many ms to "
		"segments it drops (out of window, PAWS, ACK of unsent data, "
		"challenge ACKs); 0: no limit"),
	TCP_UINT("drain_ms", drain_ms, 2000, 0, 600000,
		"on shutdown, wait this long for connections to close"),
	PTCP_CONFIG_KEY_ENUM(struct ptcp_tcp_config, "cc", cc, PTCP_CC_CUBIC,
		cc_names, "congestion control: cubic or newreno"),
	TCP_UINT("init_cwnd", init_cwnd, 10, 1, 100,
		"initial congestion window, segments (RFC 6928)"),
	TCP_UINT("delack_ms", delack_ms, 40, 0, 500,
		"delayed ACK timeout; 0 = ACK every segment at once"),
	TCP_BOOL("nagle", nagle, 0,
		"Nagle's algorithm for new connections (per connection: "
		"ptcp_conn_set_nagle)"),
	TCP_UINT("ooo_max", ooo_max, 0, 0, 1u << 30,
		"out-of-order queue bound per connection, buffer bytes; "
		"0 = 2 * rcv_buf"),
	TCP_UINT("max_recovery", max_recovery, 16384, 0, M16,
		"connections per worker that can hold out-of-order data and "
		"SACK/CUBIC state at once"),
	TCP_BOOL("tso", tso, 1,
		"TCP segmentation offload where the port offers it"),
};

/*
 * The rule "[tcp] lo <= [tcp] hi" (the defaults keep it): names hi if it
 * was given, else lo, which then must have been.
 */
static int
check_order(struct ptcp_config_ctx *ctx, const char *lo_key, uint32_t lo,
		const char *hi_key, uint32_t hi)
{
	if (lo <= hi)
		return 0;
	if (ptcp_config_given(ctx, SEC_TCP, hi_key))
		return ptcp_config_fail(ctx, SEC_TCP, hi_key, "%u is below %s %u",
			hi, lo_key, lo);
	return ptcp_config_fail(ctx, SEC_TCP, lo_key, "%u is above %s %u",
		lo, hi_key, hi);
}

/*
 * RTO floor <= initial <= ceiling; the MSS fits every port's MTU. An MSS
 * the user gave must fit as it is; the default (1460) comes down to the
 * smallest MTU - 40, so that a port with a small MTU needs no [tcp] mss.
 */
static int
check_tcp(struct ptcp_config_ctx *ctx, void *base)
{
	const struct ptcp_config *cfg = ptcp_config_of(ctx);
	struct ptcp_tcp_config *tcp = base;
	unsigned int i, room;
	char name[16];
	int ret;

	ret = check_order(ctx, "rto_min_ms", tcp->rto_min_ms, "rto_init_ms",
		tcp->rto_init_ms);
	if (ret == 0)
		ret = check_order(ctx, "rto_init_ms", tcp->rto_init_ms,
			"rto_max_ms", tcp->rto_max_ms);
	if (ret != 0)
		return ret;
	for (i = 0; i < cfg->nb_ports; i++) {
		room = cfg->port[i].mtu - IP_TCP_HDRS;
		if (tcp->mss <= room)
			continue;
		snprintf(name, sizeof(name), "port%u", i);
		if (ptcp_config_given(ctx, SEC_TCP, "mss"))
			return ptcp_config_fail(ctx, SEC_TCP, "mss", "%u does not fit "
				"[%s] mtu %u (at most mtu - %u = %u)",
				tcp->mss, name, cfg->port[i].mtu,
				IP_TCP_HDRS, room);
		if (room < MSS_MIN)
			return ptcp_config_fail(ctx, name, "mtu", "%u leaves %u bytes "
				"for the TCP MSS, less than [tcp] mss's "
				"minimum %u", cfg->port[i].mtu, room,
				MSS_MIN);
		tcp->mss = (uint16_t)room;
	}
	return 0;
}

PTCP_CONFIG_LIB_SECTION(ptcp_tcp_config_section, SEC_TCP,
	tcp_keys, check_tcp, tcp, PTCP_CONFIG_RANK_TCP)
