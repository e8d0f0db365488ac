/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_H
#define PTCP_H

/**
 * @file
 * The ptcp engine: ports, worker lcores and the run-to-completion loop.
 *
 * Life cycle (after rte_eal_init() and ptcp_config_load()):
 *
 *     struct ptcp_engine *e = ptcp_engine_create(&cfg, err, sizeof(err));
 *     ptcp_engine_start(e);                    // ports up, gratuitous ARP
 *     rte_eal_mp_remote_launch(ptcp_lcore_main, e, CALL_MAIN);
 *     rte_eal_mp_wait_lcore();                 // returns after ptcp_engine_quit()
 *     ptcp_engine_destroy(e);                  // ports closed, pools freed
 *
 * Every enabled EAL lcore (main included) is a worker: worker i owns RX and
 * TX queue i of every port, its own mempool, ARP caches and counters, and
 * touches no other worker's memory. Tests drive one pass at a time with
 * ptcp_lcore_poll() instead of launching the loop.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_per_lcore.h>
#include <rte_ring.h>

#include "ptcp_config.h"
#include "ptcp_io.h"
#include "ptcp_net.h"
#include "ptcp_stats.h"

/* lib/timer: the wheel is attached to each worker by lib/tcp. */
struct ptcp_timer_wheel;

#ifdef __cplusplus
extern "C" {
#endif

/** Log type of lib/core ("ptcp.core"). */
extern int ptcp_logtype_core;

/** Log through rte_log with the core log type; end messages with "\n". */
#define PTCP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ptcp_logtype_core, "ptcp: " fmt, ##__VA_ARGS__)

/** How often a worker ages its ARP caches, ms. */
#define PTCP_ARP_AGE_PERIOD_MS 100

struct ptcp_engine;
struct ptcp_lcore;

/**
 * Layer-4 input hook: called once per RX burst with the validated IPv4
 * TCP datagrams of that burst (m->l2_len and m->l3_len set), so that their
 * connections can be looked up together. The hook owns the mbufs. Set by
 * lib/tcp; when NULL such datagrams are counted and dropped.
 */
typedef void (*ptcp_l4_input_t)(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n);

/**
 * Called once per loop pass after input and timers, before TX is flushed
 * (lib/tcp frees connections that ended during the pass here).
 */
typedef void (*ptcp_l4_poll_t)(struct ptcp_lcore *lc);

/**
 * One interface as one worker sees it: a port's own (untagged) one, or an
 * 802.1Q VLAN on a port. Each has its addresses, gateway, ARP cache and
 * TX batch (a VLAN's batch tags what it sends, on the port's same TX
 * queue). Interface p < nb_ports is port p's own; the VLANs follow, in
 * the order of their [vlanN] sections. An interface index (ifidx) is
 * below PTCP_MAX_IFS.
 */
struct ptcp_iface {
	struct ptcp_txq txq;               /**< this worker's TX batch */
	const struct ptcp_port *port;      /**< shared, read-only */
	struct ptcp_ipv4_if ip;            /**< our address and netmask */
	uint32_t gateway;                  /**< 0: none */
	struct ptcp_arp_table *arp;        /**< this worker's ARP cache */
	uint16_t rxq;                      /**< our RX queue on the port
	                                    *   (UINT16_MAX: none, or a VLAN:
	                                    *   its port's interface reads) */
	uint16_t vlan_id;                  /**< 802.1Q VLAN ID; 0: untagged */
	uint8_t port_idx;                  /**< index of its port */
};

/** A worker lcore: everything the fast path touches, owned by one core. */
struct ptcp_lcore {
	/* hot: read on every pass */
	uint64_t now_tsc;                  /**< TSC read once per pass */
	uint64_t now_ms;                   /**< now_tsc in ms since start */
	uint64_t next_arp_age_ms;          /**< next core_arp_age(), now_ms */
	struct ptcp_engine *eng;           /**< the engine it belongs to */
	struct rte_mempool *pool;          /**< this worker's mbufs */
	ptcp_l4_input_t l4_input;          /**< TCP's input hook, or NULL */
	ptcp_l4_poll_t l4_poll;            /**< TCP's end-of-pass hook, or NULL */
	void *l4;                          /**< lib/tcp's per-lcore state */
	uint16_t nb_ifs;                   /**< interfaces (entries of ifs[]) */
	uint16_t nb_ports;                 /**< ports: ifs[0 .. nb_ports) */
	uint16_t burst;                    /**< RX burst size */
	uint16_t ip_id;                    /**< next IPv4 identification */
	uint8_t ttl;                       /**< TTL of what we send */
	unsigned int lcore_id;             /**< EAL lcore id */
	unsigned int idx;                  /**< worker index == queue id */
	struct ptcp_timer_wheel *wheel;    /**< this worker's timers, or NULL */

	struct ptcp_stats stats;           /**< this worker's counters */
	/** (port << 16 | VLAN ID) of interface nb_ports + k, for k below
	 *  nb_ifs - nb_ports: the demultiplexing of tagged frames. */
	uint32_t vlan_key[PTCP_MAX_VLANS];
	struct ptcp_iface ifs[PTCP_MAX_IFS]; /**< per interface: queues, ARP */
	/** Frames this worker handed to worker j (software steering). */
	uint64_t steer_to[PTCP_MAX_WORKERS];
	uint64_t icmp_err_sec;             /**< second of icmp_err_count */
	uint32_t icmp_err_count;           /**< ICMP errors sent in it */
	uint32_t icmp_err_limit;           /**< [ip] icmp_error_limit */
} __rte_cache_aligned;

/** The endpoint: ports, workers, configuration. Read-only after start. */
struct ptcp_engine {
	struct ptcp_config cfg;            /**< as given to ptcp_engine_create() */
	unsigned int id;                   /**< instance in this process: names
	                                    *   of pools and tables carry it */
	volatile bool force_quit;          /**< set by ptcp_engine_quit() */
	unsigned int nb_ports;             /**< entries of ports[] */
	unsigned int nb_lcores;            /**< workers (entries of lcores[]) */
	uint64_t tsc_hz;                   /**< rte_get_tsc_hz() */
	uint64_t start_tsc;                /**< TSC at creation: now_ms is 0 */
	struct ptcp_port ports[PTCP_MAX_PORTS]; /**< by port index */
	struct rte_mempool *pools[RTE_MAX_LCORE];  /**< by worker index */
	struct ptcp_lcore *lcores[RTE_MAX_LCORE];  /**< by worker index */
	int16_t lcore_to_idx[RTE_MAX_LCORE];       /**< EAL id -> index, -1 */
	int8_t port_to_if[RTE_MAX_ETHPORTS];       /**< ethdev id -> ifidx */
	/**
	 * Software steering: steer[i][j] carries frames worker i received
	 * for flows worker j owns (single producer, single consumer; NULL
	 * on the diagonal and with one worker). steer[0][j] also carries the
	 * ARP frames worker 0 passes on for j's ARP cache replica.
	 */
	struct rte_ring *steer[PTCP_MAX_WORKERS][PTCP_MAX_WORKERS];
};

/**
 * The worker whose loop pass runs on this thread now (inside
 * ptcp_lcore_poll_at()), or NULL between passes: debug builds check that
 * a connection is only touched by the worker that owns it.
 */
RTE_DECLARE_PER_LCORE(struct ptcp_lcore *, ptcp_cur_lcore);

/**
 * Create the engine for @p cfg: one worker per enabled EAL lcore, a mempool
 * per worker, every configured port set up (not started), ARP caches with
 * their static entries.
 *
 * @param cfg     the configuration (copied)
 * @param err     one line on failure
 * @param errlen  size of @p err
 * @return the engine, or NULL with rte_errno set (ENODEV, ENOMEM, EINVAL...)
 */
struct ptcp_engine *ptcp_engine_create(const struct ptcp_config *cfg,
		char *err, size_t errlen);

/**
 * Start every port and send the gratuitous ARPs (if configured).
 * @return 0, or -errno from the first port that fails
 */
int ptcp_engine_start(struct ptcp_engine *e, char *err, size_t errlen);

/** Ask every worker loop to return (async-signal-safe). */
void ptcp_engine_quit(struct ptcp_engine *e);

/**
 * Stop and close the ports, free every waiting mbuf, the workers and the
 * mempools. Workers must have returned.
 */
void ptcp_engine_destroy(struct ptcp_engine *e);

/** Sum every worker's counters into @p out (zeroed first). */
void ptcp_engine_stats(const struct ptcp_engine *e, struct ptcp_stats *out);

/** Mbufs taken from all the engine's pools right now. */
unsigned int ptcp_engine_mbufs_in_use(const struct ptcp_engine *e);

/** The worker running on the calling lcore, or NULL. */
struct ptcp_lcore *ptcp_engine_lcore(struct ptcp_engine *e);

/**
 * For programs that run each worker on its own EAL lcore
 * (ptcp_lcore_main()): is there one per worker? ([lcores] workers above
 * the EAL lcores is only for tests that poll every worker themselves.)
 * @return 0, or -EINVAL with @p err filled
 */
int ptcp_engine_check_lcores(const struct ptcp_engine *e, char *err,
		size_t errlen);

/**
 * The worker loop: ptcp_lcore_poll() until ptcp_engine_quit().
 * Signature fits rte_eal_remote_launch(); @p arg is the engine.
 * @return 0
 */
int ptcp_lcore_main(void *arg);

/**
 * One pass of the loop: read the clock, receive and handle a burst on
 * every port, run due timers and housekeeping, flush every TX batch.
 *
 * @return frames received in this pass
 */
unsigned int ptcp_lcore_poll(struct ptcp_lcore *lc);

/**
 * A pool of @p n objects of @p size bytes that one worker gets from and
 * puts back (TCBs, TIME-WAIT entries, an application's per-connection
 * contexts), on NUMA socket @p socket: a single-producer single-consumer
 * ring behind a per-lcore cache. The cache is a stack, so the object put
 * back a moment ago is the next one handed out, still in the CPU's
 * caches; a bare ring hands out the one freed longest ago, cold as soon as
 * many are free (a cache miss per connection with a million parked,
 * docs/benchmarks.md "Cost as the tables grow").
 *
 * @return the pool, or NULL with rte_errno set (rte_mempool_create())
 */
struct rte_mempool *ptcp_obj_pool_create(const char *name, unsigned int n,
		unsigned int size, int socket);

/** How long ptcp_lcore_tx_drain() keeps offering held frames. */
#define PTCP_TX_DRAIN_US 100000

/**
 * At a worker's end: send every TX batch, and keep offering what the
 * ports refused (the TX backlog) for at most PTCP_TX_DRAIN_US. What is
 * still held after that is freed by ptcp_engine_destroy().
 *
 * @return frames still held
 */
unsigned int ptcp_lcore_tx_drain(struct ptcp_lcore *lc);

/**
 * As ptcp_lcore_poll(), with the clock given rather than read: tests drive
 * time by hand with it. @p tsc must not go backwards.
 */
unsigned int ptcp_lcore_poll_at(struct ptcp_lcore *lc, uint64_t tsc);

/**
 * Send an IPv4 datagram. @p m starts at its IPv4 header, which is filled
 * (addresses, length, protocol; checksum may be left to this function with
 * @p fill_csum); the Ethernet header is added here once the next hop is
 * resolved. @p m is consumed in every case: sent, queued for ARP, or freed
 * and counted.
 */
void ptcp_ip_output(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf *m);

/** Send an ARP request for @p ip on interface @p ifidx. */
void ptcp_arp_request(struct ptcp_lcore *lc, unsigned int ifidx, uint32_t ip);

/** Announce our address @p addr on @p ifidx (a gratuitous ARP request). */
void ptcp_arp_announce(struct ptcp_lcore *lc, unsigned int ifidx,
		uint32_t addr);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_H */
