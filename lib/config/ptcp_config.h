/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_CONFIG_H
#define PTCP_CONFIG_H

/**
 * @file
 * ptcp configuration: an INI file read with rte_cfgfile, overridden by
 * `section.key=value` pairs from the command line, validated in full before
 * anything starts.
 *
 * Every key, its default and its range are documented in
 * docs/configuration.md; config/ptcp.ini is the annotated default file.
 * No function here needs the EAL: the parser can run (and is unit tested)
 * before rte_eal_init().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most ports one endpoint drives (sections [port0] .. [port3]). */
#define PTCP_MAX_PORTS 4
/** Most worker lcores an engine runs. */
#define PTCP_MAX_WORKERS 64
/** Most static ARP entries (keys of the [arp.static] section). */
#define PTCP_MAX_STATIC_ARP 64
/** Longest device name (`device` key). */
#define PTCP_DEVNAME_LEN 64
/** Most extra addresses one port answers for (`extra_addresses`). */
#define PTCP_MAX_EXTRA_ADDRS 64
/** Room for an error message from ptcp_config_load(). */
#define PTCP_CONFIG_ERRLEN 256

/** One static ARP entry. */
struct ptcp_static_arp {
	uint32_t ip;                  /**< network byte order */
	struct rte_ether_addr mac;    /**< its Ethernet address */
	uint8_t port;                 /**< port index the entry belongs to */
};

/** One [portN] section. */
struct ptcp_port_config {
	bool enabled;                 /**< the section exists */
	char device[PTCP_DEVNAME_LEN];/**< ethdev name ("net_tap0"); empty: the Nth probed port */
	uint32_t addr;                /**< IPv4 address, network byte order (required) */
	uint32_t netmask;             /**< network byte order */
	uint32_t gateway;             /**< network byte order; 0 = none */
	bool mac_set;                 /**< `mac` given: override the port's MAC */
	struct rte_ether_addr mac;    /**< the MAC when mac_set */
	uint16_t rx_desc;             /**< RX descriptors per queue */
	uint16_t tx_desc;             /**< TX descriptors per queue */
	uint16_t mtu;                 /**< IP MTU */
	/** More addresses in the port's subnet it answers for and may
	 *  connect from (`extra_addresses`), network byte order. */
	uint32_t extra_addr[PTCP_MAX_EXTRA_ADDRS];
	unsigned int nb_extra;        /**< entries of extra_addr[] */
};

/** The [tcp] section (see docs/configuration.md for ranges). */
struct ptcp_tcp_config {
	uint32_t max_conns;           /**< TCBs per worker lcore (default 65536) */
	uint32_t max_tw;              /**< TIME-WAIT entries per worker (65536) */
	uint32_t syn_backlog;         /**< default SYN-RECEIVED per listener (1024) */
	bool syncookies;              /**< cookies when a backlog is full (yes) */
	uint32_t msl_ms;              /**< MSL; TIME-WAIT lasts 2*MSL (30000) */
	uint32_t rto_init_ms;         /**< initial RTO (1000) */
	uint32_t rto_min_ms;          /**< RTO floor (200) */
	uint32_t rto_max_ms;          /**< RTO ceiling (60000) */
	uint32_t syn_retries;         /**< SYN retransmissions (6) */
	uint32_t synack_retries;      /**< SYN-ACK retransmissions (5) */
	uint32_t data_retries;        /**< data retransmissions before reset (15) */
	uint32_t orphan_retries;      /**< FIN retransmissions once closed (8) */
	uint32_t fin_wait2_ms;        /**< FIN-WAIT-2 limit for closed conns (60000) */
	bool keepalive;               /**< default for listeners (no) */
	uint32_t keepalive_idle_s;    /**< (7200) */
	uint32_t keepalive_intvl_s;   /**< (75) */
	uint32_t keepalive_cnt;       /**< (9) */
	uint32_t close_wait_warn_s;   /**< report CLOSE-WAIT older than this (60) */
	uint16_t mss;                 /**< MSS we announce (1460; clamped to MTU-40) */
	uint32_t rcv_buf;             /**< receive window, bytes (65535 * 4) */
	uint32_t snd_buf;             /**< send queue limit per conn, bytes (256 KiB) */
	bool timestamps;              /**< RFC 7323 timestamps (yes) */
	bool window_scaling;          /**< RFC 7323 window scale (yes) */
	bool sack;                    /**< announce SACK-permitted (yes) */
	uint32_t challenge_ack_limit; /**< challenge ACKs per second per lcore (1000) */
	uint32_t drain_ms;            /**< on shutdown: wait for FINs this long (2000) */
	uint8_t cc;                   /**< enum ptcp_cc_algo (cubic) */
	uint32_t init_cwnd;           /**< initial window, segments (10) */
	uint32_t delack_ms;           /**< delayed ACK timeout, 0 = off (40) */
	bool nagle;                   /**< Nagle on for new connections (no) */
	uint32_t ooo_max;             /**< OOO queue bound, buffer bytes (0: 2*rcv_buf) */
	uint32_t max_recovery;        /**< recovery blocks per worker (16384) */
	bool tso;                     /**< TSO where offered (yes) */
};

/** [tcp] cc: congestion control algorithm. */
enum ptcp_cc_algo {
	PTCP_CC_NEWRENO = 0,          /**< RFC 5681, RFC 6582 */
	PTCP_CC_CUBIC,                /**< RFC 9438 */
};

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
};

/** The whole configuration. */
struct ptcp_config {
	/* [portN] */
	struct ptcp_port_config port[PTCP_MAX_PORTS]; /**< by port index */
	unsigned int nb_ports;        /**< highest enabled port index + 1 */

	/* [lcores] */
	uint16_t burst;               /**< RX/TX burst size */
	uint32_t tx_flush_us;         /**< reserved: flush is every pass today */
	uint32_t workers;             /**< workers, 0 = one per EAL lcore */
	uint32_t steer_ring;          /**< steering ring size per worker pair */
	uint32_t tx_backlog;          /**< frames held per TX queue when the
	                               *   port refuses them (0: drop at once) */

	/* [mempool] */
	uint32_t mbufs;               /**< mbufs per worker lcore pool */
	uint32_t mbuf_cache;          /**< per-lcore mempool cache */
	uint16_t mbuf_data_room;      /**< data room per mbuf (bytes, incl. headroom) */

	/* [ip] */
	uint8_t ttl;                  /**< TTL on output */

	/* [arp] */
	uint32_t arp_entries;         /**< ARP cache size per port */
	uint32_t arp_timeout_s;       /**< a learnt entry ages out after this */
	uint32_t arp_resolve_ms;      /**< give up on a request after this */
	uint32_t arp_retries;         /**< ARP requests sent before giving up */
	uint32_t arp_pending;         /**< packets queued per unresolved next hop */
	uint32_t arp_pending_total;    /**< held for all of them together (1024) */
	bool arp_gratuitous;          /**< send a gratuitous ARP at start */
	struct ptcp_static_arp arp_static[PTCP_MAX_STATIC_ARP]; /**< `static` */
	unsigned int nb_arp_static;   /**< entries of arp_static[] */

	/* [timer] */
	uint32_t tick_us;             /**< timer wheel tick (default 1000 us) */

	/* [tcp] */
	struct ptcp_tcp_config tcp;   /**< the [tcp] section */

	/* [server] */
	struct ptcp_server_config server; /**< the [server] section */
};

/**
 * Fill @p cfg with the documented defaults (no ports enabled; every port's
 * rx_desc, tx_desc and mtu at their defaults). Padding is zeroed, so two
 * configurations can be compared with memcmp().
 *
 * @param cfg  filled
 */
void ptcp_config_defaults(struct ptcp_config *cfg);

/**
 * Load a configuration.
 *
 * Starts from the defaults, reads @p path (if not NULL) into an
 * rte_cfgfile, applies @p overrides in order (a later one wins), then
 * validates everything: unknown section or key, malformed value, value out
 * of range, duplicate key or section, missing required key, and cross-key
 * rules (at least one port, ports contiguous from port0, no address on two
 * ports, gateway inside the port's subnet, each static ARP entry in the
 * subnet of exactly one port or of the port it names, MTU fits one mbuf).
 * Needs no EAL and keeps no state between calls.
 *
 * An override is "section.key=value"; the section is the longest known
 * section name before a '.' ("arp.static.10.0.0.9=02:00:00:00:00:09" is key
 * 10.0.0.9 of [arp.static]), else the text up to the last '.'. An override
 * naming a section the file lacks adds that section.
 *
 * Error lines have one of these forms:
 * - "FILE: cannot read: <strerror>" (with -ENOENT)
 * - "FILE:LINE: <reason>" for the file's syntax: a line that is not
 *   blank, a comment, "[section]" or "key = value"; an empty value; a name
 *   longer than CFG_NAME_LEN - 1 or a value longer than CFG_VALUE_LEN - 1
 *   (never truncated); a duplicate key or section
 * - "FILE: [section] key: <reason>" for a value, and
 *   "FILE: [section]: <reason>" for a whole section
 * - FILE is "command line" for what an override set or created, and for
 *   a malformed override ("command line: 'x': expected section.key=value")
 *
 * @param cfg        filled on success; unspecified on failure
 * @param path       INI file, or NULL for defaults plus overrides only
 * @param overrides  "section.key=value" strings (from `--set`), may be NULL
 * @param nb_overrides number of @p overrides
 * @param err        on failure, one line: "FILE: [section] key: reason"
 *                   (FILE is "command line" for an override)
 * @param errlen     size of @p err (PTCP_CONFIG_ERRLEN is enough)
 * @return 0 on success; -EINVAL for any invalid input (or @p cfg NULL, or
 *         @p overrides NULL with @p nb_overrides > 0); -ENOENT if @p path
 *         cannot be read; -ENOMEM on allocation failure.
 */
int ptcp_config_load(struct ptcp_config *cfg, const char *path,
		const char *const *overrides, unsigned int nb_overrides,
		char *err, size_t errlen);

/**
 * Parse a list of IPv4 addresses and ranges: "A.B.C.D", "A.B.C.D-A.B.C.E"
 * (ascending), comma separated, spaces allowed around items (the syntax of
 * `extra_addresses`; also ptcp-churn's --src).
 *
 * @param s       the text
 * @param out     filled with the addresses, network byte order, in order
 * @param max     room in @p out
 * @param n       the number of addresses
 * @param err     on failure, the reason (no file/section prefix)
 * @param errlen  size of @p err
 * @return 0; -EINVAL (malformed, backwards range, more than @p max, empty)
 */
int ptcp_parse_addr_list(const char *s, uint32_t *out, unsigned int max,
		unsigned int *n, char *err, size_t errlen);

/**
 * Print the effective configuration in INI form (for `--dump-config`).
 *
 * Every key is written, with its value, so that ptcp_config_load() reads
 * the output back into the same configuration: ports as
 * "address = A.B.C.D/N", static ARP entries always with "port N".
 *
 * @param cfg  a configuration from ptcp_config_load()
 * @param f    where to write
 */
void ptcp_config_dump(const struct ptcp_config *cfg, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_CONFIG_H */
