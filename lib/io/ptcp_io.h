/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_IO_H
#define PTCP_IO_H

/**
 * @file
 * Ports and queues: bring-up of any ethdev (a NIC, net_ring, net_tap,
 * net_memif) with one RX and one TX queue per worker lcore, checksum
 * offloads where the port offers them, and per-queue TX batching.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ptcp_config.h"
#include "ptcp_rss.h"
#include "ptcp_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most frames one TX batch holds (the burst size is capped to it). */
#define PTCP_TX_BATCH_MAX 512

/** A started port, shared read-only by the worker lcores. */
struct ptcp_port {
	uint16_t port_id;             /**< ethdev port id */
	uint16_t nb_queues;           /**< TX queues: one per worker */
	uint16_t nb_rxq;              /**< RX queues: min(workers, device's) */
	bool hw_rss;                  /**< the NIC spreads flows by RSS with
	                               *   ptcp_rss_key and this RETA */
	uint16_t reta_size;           /**< entries in reta (a power of 2) */
	uint16_t reta[PTCP_RETA_MAX]; /**< hash & (reta_size - 1) -> worker */
	uint16_t mtu;                 /**< IP MTU */
	bool rx_ip_csum;              /**< NIC checks IPv4 header checksums */
	bool rx_l4_csum;              /**< NIC checks TCP checksums */
	bool tx_ip_csum;              /**< NIC fills IPv4 header checksums */
	bool tx_l4_csum;              /**< NIC fills TCP checksums */
	bool tx_multi_seg;            /**< NIC sends mbuf chains (zero-copy TX) */
	bool tx_tso;                  /**< NIC segments TCP ([tcp] tso) */
	bool tx_vlan_insert;          /**< NIC inserts 802.1Q tags (only
	                               *   asked for when VLANs are on it) */
	bool rx_vlan_strip;           /**< NIC strips 802.1Q tags (idem) */
	bool tso_frame_in_mtu;        /**< the driver wants a TSO piece's whole
	                               *   frame (L2 included) within the MTU */
	bool started;                 /**< rte_eth_dev_start() done */
	struct rte_ether_addr mac;    /**< our address on this port */
	char name[RTE_ETH_NAME_MAX_LEN]; /**< the ethdev's name */
};

/**
 * Find and configure port @p index of @p cfg: resolve its device name (or
 * take the index-th probed port), configure @p nb_queues RX/TX queue pairs,
 * queue q receiving into @p pools[q], enable the checksum offloads the
 * device advertises, set the MTU and MAC override. Does not start it.
 *
 * @param p         filled: the port's ids, MAC, offloads
 * @param cfg       the configuration
 * @param index     the port's index in @p cfg (its [portN])
 * @param nb_queues RX/TX queue pairs
 * @param pools     one mempool per RX queue
 * @param err       one line naming the port and the reason, on failure
 * @param errlen    size of @p err
 * @return 0, or -errno (-ENODEV: no such device; others from ethdev)
 */
int ptcp_port_setup(struct ptcp_port *p, const struct ptcp_config *cfg,
		unsigned int index, uint16_t nb_queues,
		struct rte_mempool *const *pools, char *err, size_t errlen);

/** Start a configured port. @return 0 or -errno from rte_eth_dev_start(). */
int ptcp_port_start(struct ptcp_port *p);

/** Stop (if started) and close a port. */
void ptcp_port_close(struct ptcp_port *p);

/**
 * Frames waiting to go out on one TX queue of one port: the batch of this
 * loop pass, and a bounded backlog of frames the port refused earlier.
 *
 * A full TX ring is a moment, not a verdict (Linux's qdisc and FreeBSD's
 * if_snd hold what the device refuses; dperf keeps a software queue): what
 * the port does not take is held in the backlog, in order, and offered
 * again ahead of anything newer on the next flush. Only when the backlog
 * itself is full is a frame dropped (tx_drop_full). While the port
 * refuses frames and the backlog is more than half full,
 * ptcp_txq_pressed() tells TCP to shed new SYNs (tcp_syn_shed), so that
 * load is refused at admission instead of by losing segments of
 * connections already accepted.
 */
struct ptcp_txq {
	uint16_t port_id;             /**< ethdev port id */
	uint16_t queue_id;            /**< TX queue on it */
	uint16_t n;                   /**< frames in pkts[] */
	uint16_t burst;               /**< flush when this many are waiting */
	uint16_t vlan_tci;            /**< 802.1Q tag of every frame; 0: none */
	bool vlan_hw;                 /**< the port inserts it (VLAN_INSERT) */
	uint32_t bl_head;             /**< oldest held: bl[bl_head & bl_mask] */
	uint32_t bl_n;                /**< frames held */
	uint32_t bl_max;              /**< bound ([lcores] tx_backlog); 0: none */
	uint32_t bl_mask;             /**< ring size - 1 (a power of 2 >= bl_max) */
	struct rte_mbuf **bl;         /**< the backlog ring, or NULL */
	uint32_t bl_mark;             /**< bl_head when last seen moving */
	bool bl_aging;                /**< bl_mark_ms is set */
	uint64_t bl_mark_ms;          /**< when bl_head was bl_mark */
	struct rte_mbuf *pkts[PTCP_TX_BATCH_MAX]; /**< this pass's batch */
};

/**
 * Give @p q a backlog of at most @p max frames (0: none; refused frames
 * are then dropped at once, as before), on NUMA socket @p socket.
 * @return 0, or -ENOMEM
 */
int ptcp_txq_backlog_init(struct ptcp_txq *q, uint32_t max, int socket);

/** Free every frame @p q holds (batch and backlog) and its backlog ring. */
void ptcp_txq_release(struct ptcp_txq *q);

/**
 * Send what @p q holds: first the backlog, oldest first, then the batch.
 * Frames the port refuses are kept in the backlog, in order, up to its
 * bound (tx_backlog_held); beyond it they are freed and counted
 * (tx_drop_full). Held frames that a later flush sends count as
 * tx_backlog_sent.
 *
 * @return frames the port took
 */
uint16_t ptcp_txq_flush(struct ptcp_txq *q, struct ptcp_stats *st);

/** A backlog whose oldest frame has not gone out for this long is dropped. */
#define PTCP_TX_STALE_MS 1000

/**
 * Drop what the backlog of @p q holds once the port has taken none of it
 * for PTCP_TX_STALE_MS (a memif whose peer is gone, a link that is down):
 * the frames are freed and counted (tx_drop_stale), so that a dead port
 * does not keep tx_backlog mbufs of the pool forever, nor send segments
 * minutes old should it come back (Linux drops a queue when its device
 * goes down). TCP retransmits what mattered. Call after each flush.
 *
 * @param q the TX queue, after its flush
 * @param now_ms the caller's clock, in ms
 * @param st where tx_drop_stale is counted
 * @return frames dropped
 */
uint32_t ptcp_txq_expire(struct ptcp_txq *q, uint64_t now_ms,
		struct ptcp_stats *st);

/**
 * Give @p m the 802.1Q tag of @p q: asked of the port (RTE_MBUF_F_TX_VLAN)
 * when it inserts tags, else written into the frame (its first segment
 * must be direct, unshared, with 4 bytes of headroom).
 * @return 0, or -1 with @p m freed and counted (tx_vlan_drop)
 */
int ptcp_txq_vlan_tag(const struct ptcp_txq *q, struct rte_mbuf *m,
		struct ptcp_stats *st);

/**
 * Add @p m (an untagged Ethernet frame) to the batch, flushing first when
 * the batch is full; on a VLAN's queue it gets the VLAN's tag.
 */
static inline void
ptcp_txq_add(struct ptcp_txq *q, struct rte_mbuf *m, struct ptcp_stats *st)
{
	if (unlikely(q->vlan_tci != 0) && ptcp_txq_vlan_tag(q, m, st) != 0)
		return;
	if (unlikely(q->n >= q->burst))
		ptcp_txq_flush(q, st);
	q->pkts[q->n++] = m;
}

/**
 * @return true while the port refuses frames (@p q holds some) and what
 * waits, held and batched, is more than half the backlog's bound: new
 * connections should wait.
 */
static inline bool
ptcp_txq_pressed(const struct ptcp_txq *q)
{
	/* (without a backlog, bl_n stays 0) */
	return unlikely(q->bl_n != 0) && q->bl_n + q->n > q->bl_max / 2;
}

/**
 * The worker that owns a flow whose 4-tuple hashes (ptcp_rss_hash()) to
 * @p hash on port @p p: the same answer whichever direction, and, when
 * the port does RSS, the queue the NIC puts it on.
 */
static inline unsigned int
ptcp_port_owner(const struct ptcp_port *p, uint32_t hash)
{
	return p->reta[hash & (p->reta_size - 1u)];
}

#ifdef __cplusplus
}
#endif

#endif /* PTCP_IO_H */
