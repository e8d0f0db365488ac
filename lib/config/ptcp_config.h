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

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_ether.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most ports one endpoint drives (sections [port0] .. [port3]). */
#define PTCP_MAX_PORTS 4
/** Most 802.1Q VLAN interfaces, all ports together ([vlan0] .. [vlan7]). */
#define PTCP_MAX_VLANS 8
/** Most interfaces of an engine: each port's own (untagged) one and the
 *  VLANs; an interface index (a TCB's ifidx) is below it. */
#define PTCP_MAX_IFS (PTCP_MAX_PORTS + PTCP_MAX_VLANS)
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

/**
 * One [vlanN] section: an 802.1Q VLAN on a port, an interface of its own
 * (addresses, gateway, ARP cache) whose frames carry the tag.
 */
struct ptcp_vlan_config {
	bool enabled;                 /**< the section exists */
	uint8_t port;                 /**< index of the port it is on (`port`) */
	uint16_t id;                  /**< VLAN ID, 1..4094 (`id`) */
	uint32_t addr;                /**< IPv4 address, network byte order */
	uint32_t netmask;             /**< network byte order */
	uint32_t gateway;             /**< network byte order; 0 = none */
	/** More addresses in its subnet (`extra_addresses`). */
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
	uint32_t invalid_ratelimit_ms; /**< one reply per connection per this
	                               *   long to segments it drops (500) */
	bool ts_required;             /**< drop segments without TSopt once
	                               *   negotiated (yes, RFC 7323 §3.2) */
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

/**
 * @name Sections an application registers
 *
 * lib/config reads the file; the libraries' sections are theirs (below,
 * ptcp_config_register_lib()). An application adds its own sections
 * ([server] is ptcp-server's): a table of keys with offsets into a
 * struct the application owns, and an optional check across the
 * section's keys. lib/config parses, range
 * checks, reports and dumps them as it does its own, with the same one-line
 * errors.
 *
 *     static const struct ptcp_config_key my_keys[] = {
 *         PTCP_CONFIG_KEY(struct my_conf, "port", PTCP_CONFIG_UINT, port,
 *             7, 0, 65535, "the port; 0 = off"),
 *     };
 *     static const struct ptcp_config_section my_section = {
 *         .name = "my", .keys = my_keys, .nb_keys = RTE_DIM(my_keys),
 *     };
 *     struct ptcp_config_schema schema;
 *     struct my_conf mine;
 *
 *     ptcp_config_schema_init(&schema);
 *     ptcp_config_register(&schema, &my_section, &mine);
 *     ptcp_config_load_with(&cfg, &schema, path, sets, nb_sets, err, len);
 * @{
 */

/** How a key's value is parsed. */
enum ptcp_config_type {
	PTCP_CONFIG_UINT,  /**< unsigned integer, decimal or 0x hex, min..max;
	                    *   the field is 1, 2, 4 or 8 bytes */
	PTCP_CONFIG_BOOL,  /**< yes/no, true/false, on/off, 1/0; a bool field */
	PTCP_CONFIG_ENUM,  /**< one of names[0..max]; stored as its index */
};

/** One key of a section: where it lands, its default and its range. */
struct ptcp_config_key {
	const char *key;            /**< name in the section */
	enum ptcp_config_type type; /**< how the value is read */
	size_t off;                 /**< offset in the section's struct */
	size_t size;                /**< size of that field */
	uint64_t def;               /**< default */
	uint64_t min;               /**< smallest value (PTCP_CONFIG_UINT) */
	uint64_t max;               /**< largest value, or last name's index */
	const char *doc;            /**< one line, for ptcp_config_dump() */
	const char *const *names;   /**< PTCP_CONFIG_ENUM: names by index */
};

/** A key of @p type (UINT or BOOL) stored in @p field of struct @p stype. */
#define PTCP_CONFIG_KEY(stype, name, type, field, def, min, max, doc) \
	{ name, type, offsetof(stype, field), sizeof(((stype *)0)->field), \
	  def, min, max, doc, NULL }
/** An enumerated key: @p names is an array of the value names by index. */
#define PTCP_CONFIG_KEY_ENUM(stype, name, field, def, names, doc) \
	{ name, PTCP_CONFIG_ENUM, offsetof(stype, field), \
	  sizeof(((stype *)0)->field), def, 0, \
	  sizeof(names) / sizeof((names)[0]) - 1, doc, names }

/** One ptcp_config_load_with() in progress, as a section's check sees it. */
struct ptcp_config_ctx;
struct ptcp_config;

/** A section: its name, its keys, and the rules across them. */
struct ptcp_config_section {
	const char *name;                  /**< "[name]"; `--set name.key=v` */
	const struct ptcp_config_key *keys; /**< its keys */
	unsigned int nb_keys;              /**< entries of keys[] */
	/**
	 * Rules across the section's keys, run once every section is parsed,
	 * by rank (a library's; the ports' first) then the application's in
	 * the order registered; NULL: none.
	 * @param ctx   for ptcp_config_given() and ptcp_config_fail()
	 * @param base  the struct registered with the section, filled
	 * @return 0, or what ptcp_config_fail() returned
	 */
	int (*check)(struct ptcp_config_ctx *ctx, void *base);
	/**
	 * 0 or 1: one section, `[name]`. 2..10 (a library's section only):
	 * that many sections `[name0]` .. `[nameN-1]` (ptcp's [port0] ..
	 * [port3]), each filling its own struct of @p instance_size bytes, the
	 * Nth at base + N * instance_size. Listed as "name0..nameN-1" in
	 * "unknown section (known: ...)".
	 */
	unsigned int instances;
	size_t instance_size;              /**< with instances > 1: the stride */
	/**
	 * A key that is not in keys[], in the order of the file; NULL: such a
	 * key is an "unknown key". For keys a table cannot describe
	 * (addresses, lists) or cannot name (the IP addresses of
	 * [arp.static]).
	 * @param ctx      the load in progress, for ptcp_config_fail()
	 * @param base     the struct of this section (of this instance)
	 * @param section  the section's name as written ("port1")
	 * @param key      the key
	 * @param value    its value
	 * @return 0, or what ptcp_config_fail() returned
	 */
	int (*parse_key)(struct ptcp_config_ctx *ctx, void *base,
		const char *section, const char *key, const char *value);
	/**
	 * Rules inside one section (one instance), run as soon as its keys
	 * are read, in the order of the file (before any check()); NULL:
	 * none. Arguments and return as parse_key().
	 */
	int (*check_section)(struct ptcp_config_ctx *ctx, void *base,
		const char *section);
	/**
	 * Print the section (one instance) for ptcp_config_dump(), its
	 * "[section]" line included (or nothing, for a section that is not
	 * there); NULL: "[section]" and ptcp_config_dump_keys() of keys[].
	 * @param sec      this section
	 * @param section  the section's name ("port1")
	 * @param base     the struct of this section (of this instance)
	 * @param f        where to write
	 */
	void (*dump)(const struct ptcp_config_section *sec, const char *section,
		const void *base, FILE *f);
	/** A library's section printed after the application's sections
	 *  (where ptcp_config_dump() has always put [arp.static]). */
	bool dump_last;
};

/** Most sections one schema registers. */
#define PTCP_CONFIG_MAX_SECTIONS 8

/** The sections an application registered; see ptcp_config_register(). */
struct ptcp_config_schema {
	unsigned int nb;                   /**< sections registered */
	/** The sections, in the order they were registered. */
	struct {
		const struct ptcp_config_section *sec; /**< the section */
		void *base;                /**< the struct its keys fill */
	} reg[PTCP_CONFIG_MAX_SECTIONS];
};

/**
 * Empty @p schema (no section registered).
 *
 * @param schema  initialised
 */
void ptcp_config_schema_init(struct ptcp_config_schema *schema);

/**
 * Register a section: ptcp_config_load_with() with @p schema then accepts
 * `[name]` and `--set name.key=value`, fills @p base from them and runs
 * @p sec's check; ptcp_config_dump() prints it after the libraries'
 * sections (before [arp.static]). @p base is filled with the defaults now.
 *
 * @param schema  from ptcp_config_schema_init()
 * @param sec     the section; it and @p base must outlive @p schema's use
 * @param base    the struct @p sec's key offsets point into
 * @return 0; -EINVAL (a NULL argument, a name that is not letters, digits,
 *         '_', '.', '-', ':' of at most 63 characters, a key whose type,
 *         size or range is inconsistent, a key named twice, or instances
 *         or dump_last set); -EEXIST (a section of that name is a
 *         library's or already registered); -ENOSPC (more than PTCP_CONFIG_MAX_SECTIONS)
 */
int ptcp_config_register(struct ptcp_config_schema *schema,
		const struct ptcp_config_section *sec, void *base);

/**
 * Fill @p base with the defaults of @p sec's keys.
 *
 * @param sec   a section
 * @param base  the struct its keys fill
 */
void ptcp_config_section_defaults(const struct ptcp_config_section *sec,
		void *base);

/**
 * Whether the file or a `--set` gave [section] key (for a check that names
 * the key the user gave rather than a default it meets).
 *
 * @param ctx      the load in progress
 * @param section  section name
 * @param key      key name
 * @return true if given
 */
bool ptcp_config_given(const struct ptcp_config_ctx *ctx, const char *section,
		const char *key);

/**
 * Fail the load with "FILE: [section] key: <fmt ...>" (FILE is "command
 * line" when a `--set` gave the key), or "FILE: [section]: ..." if @p key
 * is NULL.
 *
 * @param ctx      the load in progress
 * @param section  section name
 * @param key      key name, or NULL for the whole section
 * @param fmt      printf format of the reason
 * @return -EINVAL, for the check to return
 */
int ptcp_config_fail(struct ptcp_config_ctx *ctx, const char *section,
		const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * The value of [section] key as the file or a `--set` gave it (for a
 * check that needs how a value was written: "address = A/N").
 *
 * @param ctx      the load in progress
 * @param section  section name
 * @param key      key name
 * @return the value, valid during the load; NULL if not given
 */
const char *ptcp_config_value(const struct ptcp_config_ctx *ctx,
		const char *section, const char *key);

/**
 * Call @p fn for every key of [section], in the order of the file (for a
 * check that reads a section whose keys need other sections:
 * [arp.static] needs the ports).
 *
 * @param ctx      the load in progress
 * @param section  section name
 * @param fn       called with each key and value; a non-zero return stops
 * @param arg      passed to @p fn
 * @return 0 (also when there is no such section), what @p fn returned,
 *         or -ENOMEM
 */
int ptcp_config_foreach_key(struct ptcp_config_ctx *ctx, const char *section,
		int (*fn)(struct ptcp_config_ctx *ctx, const char *key,
			const char *value, void *arg), void *arg);

/**
 * Print @p n keys of a table with their values in @p base, one
 * "key = value\t; doc" line each (what ptcp_config_dump() prints for a
 * table; for a section's dump() hook).
 *
 * @param keys  the table
 * @param n     its entries
 * @param base  the struct it describes
 * @param f     where to write
 */
void ptcp_config_dump_keys(const struct ptcp_config_key *keys, unsigned int n,
		const void *base, FILE *f);

/** @} */

/**
 * @name Sections the libraries own
 *
 * Every section of the libraries is a table of the library that uses it
 * ([portN] is lib/io's, [tcp] lib/tcp's, [arp] and [arp.static]
 * lib/net's...), with offsets into that section's member of struct
 * ptcp_config, and an optional check (and the hooks of struct
 * ptcp_config_section for what a table cannot say). Each library registers its
 * sections from an RTE_INIT constructor (kept by link_whole), so that
 * ptcp_config_load() knows them with nothing for the caller to register.
 * A section's rank is its place: in "unknown section (known: ...)", in
 * ptcp_config_dump() and in the order the checks run.
 * @{
 */

/** Ranks of the libraries' sections. */
enum ptcp_config_rank {
	PTCP_CONFIG_RANK_PORT = 5,        /**< lib/io: port0..port3 */
	PTCP_CONFIG_RANK_VLAN = 6,        /**< lib/io: vlan0..vlan7 */
	PTCP_CONFIG_RANK_LCORES = 10,     /**< lib/core */
	PTCP_CONFIG_RANK_MEMPOOL = 20,    /**< lib/core */
	PTCP_CONFIG_RANK_IP = 30,         /**< lib/net */
	PTCP_CONFIG_RANK_ARP = 40,        /**< lib/net */
	PTCP_CONFIG_RANK_ARP_STATIC = 45, /**< lib/net */
	PTCP_CONFIG_RANK_TIMER = 50,      /**< lib/tcp */
	PTCP_CONFIG_RANK_TCP = 60,        /**< lib/tcp */
};

/** Most sections the libraries register. */
#define PTCP_CONFIG_MAX_LIB_SECTIONS 16

/**
 * Register a library's section, from an RTE_INIT constructor: every
 * ptcp_config_load() then reads, checks and dumps it, its keys filling
 * the member of struct ptcp_config at @p off (instance N at @p off + N *
 * instance_size); its check gets that member as base (and
 * ptcp_config_of() for the rest).
 *
 * @param sec   the section; static
 * @param off   offsetof(struct ptcp_config, member)
 * @param rank  its place (enum ptcp_config_rank)
 * @return 0; -EINVAL (as ptcp_config_register(), or a rank taken);
 *         -EEXIST (the name, or an instance's, is taken); -ENOSPC (more than
 *         PTCP_CONFIG_MAX_LIB_SECTIONS)
 */
int ptcp_config_register_lib(const struct ptcp_config_section *sec,
		size_t off, unsigned int rank);

/**
 * Define @p var, a library's section named @p name of @p keys (an array)
 * and @p check (or NULL), and register it before main(), filling member
 * @p member of struct ptcp_config, at @p rank; a mistake in it stops the
 * program there:
 *
 *     PTCP_CONFIG_LIB_SECTION(ptcp_arp_config_section, "arp", arp_keys,
 *         NULL, arp, PTCP_CONFIG_RANK_ARP)
 */
#define PTCP_CONFIG_LIB_SECTION(var, name, keys, check, member, rank) \
	const struct ptcp_config_section var = \
		{ name, keys, RTE_DIM(keys), check, 0, 0, NULL, NULL, NULL, \
		  false }; \
	PTCP_CONFIG_LIB_REGISTER(var, member, rank)

/**
 * Register @p var, a library's section defined with its hooks (struct
 * ptcp_config_section), before main(), filling member @p member of struct
 * ptcp_config, at @p rank:
 *
 *     const struct ptcp_config_section ptcp_port_config_section = {
 *         .name = "port", .instances = PTCP_MAX_PORTS, ...
 *     };
 *     PTCP_CONFIG_LIB_REGISTER(ptcp_port_config_section, port,
 *         PTCP_CONFIG_RANK_PORT)
 */
#define PTCP_CONFIG_LIB_REGISTER(var, member, rank) \
	RTE_INIT(var ## _register) \
	{ \
		RTE_VERIFY(ptcp_config_register_lib(&(var), \
			offsetof(struct ptcp_config, member), (rank)) == 0); \
	}

/**
 * The configuration being loaded, for a library section's check that
 * reads other sections ([tcp] mss against each [portN] mtu). Ports are
 * parsed and nb_ports set before any section's check runs.
 *
 * @param ctx  the load in progress
 * @return the configuration
 */
const struct ptcp_config *ptcp_config_of(const struct ptcp_config_ctx *ctx);

/** @} */

/** The [lcores] section. */
struct ptcp_lcores_config {
	uint16_t burst;               /**< RX/TX burst size */
	uint32_t tx_flush_us;         /**< reserved: flush is every pass today */
	uint32_t workers;             /**< workers, 0 = one per EAL lcore */
	uint32_t steer_ring;          /**< steering ring size per worker pair */
	uint32_t tx_backlog;          /**< frames held per TX queue when the
	                               *   port refuses them (0: drop at once) */
};

/** The [mempool] section. */
struct ptcp_mempool_config {
	uint32_t mbufs;               /**< mbufs per worker lcore pool */
	uint32_t cache;               /**< per-lcore mempool cache */
	uint16_t data_room;           /**< data room per mbuf (bytes, incl. headroom) */
};

/** The [ip] section. */
struct ptcp_ip_config {
	uint8_t ttl;                  /**< TTL on output */
	uint32_t icmp_error_limit;    /**< ICMP errors per second per worker */
};

/** The [arp] section. */
struct ptcp_arp_config {
	uint32_t entries;             /**< ARP cache size per port */
	uint32_t timeout_s;           /**< a learnt entry ages out after this */
	uint32_t resolve_ms;          /**< give up on a request after this */
	uint32_t retries;             /**< ARP requests sent before giving up */
	uint32_t pending;             /**< packets queued per unresolved next hop */
	uint32_t pending_total;       /**< held for all of them together (1024) */
	bool gratuitous;              /**< send a gratuitous ARP at start */
};

/** The [timer] section. */
struct ptcp_timer_config {
	uint32_t tick_us;             /**< timer wheel tick (default 1000 us) */
};

/**
 * The whole configuration: one member per section of the libraries
 * ([portN] is lib/io's, [arp.static] lib/net's).
 */
struct ptcp_config {
	/* [portN] */
	struct ptcp_port_config port[PTCP_MAX_PORTS]; /**< by port index */
	unsigned int nb_ports;        /**< highest enabled port index + 1 */
	/* [vlanN] */
	struct ptcp_vlan_config vlan[PTCP_MAX_VLANS]; /**< by section number */
	unsigned int nb_vlans;        /**< enabled [vlanN] sections */

	struct ptcp_lcores_config lcores;   /**< [lcores] */
	struct ptcp_mempool_config mempool; /**< [mempool] */
	struct ptcp_ip_config ip;           /**< [ip] */
	struct ptcp_arp_config arp;         /**< [arp] */

	/* [arp.static] */
	struct ptcp_static_arp arp_static[PTCP_MAX_STATIC_ARP]; /**< `static` */
	unsigned int nb_arp_static;   /**< entries of arp_static[] */

	struct ptcp_timer_config timer;     /**< [timer] */
	struct ptcp_tcp_config tcp;         /**< [tcp] */

	/** The sections the application registered (ptcp_config_register()),
	 *  for ptcp_config_dump(); NULL: none. It and the structs it points
	 *  to must outlive every use of this configuration's dump (the engine
	 *  keeps a copy: /ptcp/config dumps it). */
	const struct ptcp_config_schema *schema;
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
 * ptcp_config_load() with the application's sections: the sections of
 * @p schema are known too (their structs are reset to their defaults, then
 * filled from the file and the overrides, then checked after the
 * libraries' sections), and @p cfg->schema points to @p schema for
 * ptcp_config_dump(). ptcp_config_load() is this with @p schema NULL.
 *
 * @param cfg           as ptcp_config_load()
 * @param schema        from ptcp_config_register(), or NULL
 * @param path          as ptcp_config_load()
 * @param overrides     as ptcp_config_load()
 * @param nb_overrides  as ptcp_config_load()
 * @param err           as ptcp_config_load()
 * @param errlen        as ptcp_config_load()
 * @return as ptcp_config_load()
 */
int ptcp_config_load_with(struct ptcp_config *cfg,
		const struct ptcp_config_schema *schema, const char *path,
		const char *const *overrides, unsigned int nb_overrides,
		char *err, size_t errlen);

/**
 * @name The configuration options of a program's command line
 *
 * ptcp-server and ptcp-churn take their options after the EAL's, past
 * "--", and read `-c/--config FILE` and `-s/--set SECTION.KEY=VALUE`
 * (repeatable, applied in order after FILE) the same way:
 *
 *     static const struct option longopts[] = {
 *         PTCP_CONFIG_LONGOPTS, ...
 *     };
 *     struct ptcp_config_args ca = { 0 };
 *
 *     nargs = ptcp_config_args_split(argc, argv);  (-1: print the help)
 *     ... getopt_long(..., "c:s:...", longopts, NULL) ...
 *         ret = ptcp_config_args_take(&ca, opt, optarg, PROG);
 *         (1: taken, 0: another option, < 0: an error was printed)
 *     if (ptcp_config_load_args(&cfg, &schema, &ca, PROG) != 0)
 *         return 2;
 * @{
 */

/** Most `--set` options one command line takes. */
#define PTCP_CONFIG_MAX_SETS 128

/** The getopt_long() entries of `--config` ('c') and `--set` ('s'). */
#define PTCP_CONFIG_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "set", required_argument, NULL, 's' }

/** What `-c` and `--set` gave. Zero it before the first option. */
struct ptcp_config_args {
	const char *path;                    /**< -c FILE, or NULL */
	const char *sets[PTCP_CONFIG_MAX_SETS]; /**< --set strings, in order */
	unsigned int nb_sets;                /**< entries of sets[] */
};

/**
 * Where a program's own options start: the index of "--" in @p argv
 * (@p argc if there is none). A `-h` or `--help` before it stops the scan,
 * so that help needs no EAL.
 *
 * @param argc  as main()'s
 * @param argv  as main()'s
 * @return the index of "--", or @p argc; -1 if -h/--help came before it
 */
int ptcp_config_args_split(int argc, char **argv);

/**
 * Take one option from getopt_long(): 'c' (`-c/--config`) and 's'
 * (`-s/--set`) are the configuration's.
 *
 * @param a     filled
 * @param opt   getopt_long()'s return value
 * @param arg   its optarg
 * @param prog  the program's name, for the error line
 * @return 1 if @p opt was 'c' or 's' and is taken; 0 for any other
 *         option; -E2BIG for more than PTCP_CONFIG_MAX_SETS `--set`
 *         ("PROG: --set: more than 128 overrides" is printed on stderr)
 */
int ptcp_config_args_take(struct ptcp_config_args *a, int opt,
		const char *arg, const char *prog);

/**
 * ptcp_config_load_with() of what @p a holds; on failure, its one error
 * line is printed on stderr as "PROG: <error>".
 *
 * @return as ptcp_config_load_with()
 */
int ptcp_config_load_args(struct ptcp_config *cfg,
		const struct ptcp_config_schema *schema,
		const struct ptcp_config_args *a, const char *prog);

/** @} */

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
