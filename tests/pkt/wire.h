/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PKT_WIRE_H
#define PKT_WIRE_H

/*
 * A faulty wire between the two stacks of an h_pair: per direction it
 * drops, duplicates, reorders and corrupts TCP segments with seeded
 * probabilities, and limits bandwidth and adds a one-way delay in the
 * test's virtual clock. It sits in RX callbacks (rte_eth_add_rx_callback)
 * on each stack's net_ring port, queue 0: what A transmits reaches B only
 * through B's callback, and back.
 *
 *   ingress (the callback takes every frame waiting on the ring)
 *     TCP only:  drop (p) -> corrupt a private copy (c) -> duplicate (d)
 *     all:       bandwidth queue (departure = max(now, last) + len*8/rate,
 *                arrival = departure + delay; backlog over queue_bytes or
 *                the queue's slots full: dropped and counted)
 *   egress (frames whose arrival time has come, at most max_pkts a call)
 *     reorder: hold a frame (probability r) until 1..reorder_max later
 *     frames have passed it, or reorder_hold_us, whichever comes first
 *
 * Frames may be chains of shared or indirect mbufs (zero-copy senders):
 * the wire never writes into a frame it did not make. A corrupted frame
 * and a duplicate are copies (rte_pktmbuf_copy) from the wire's own pool.
 * ARP and other non-TCP frames are only delayed, so a lossy run does not
 * turn into an ARP test.
 *
 * Life cycle, with the pair:
 *
 *   h_pair_create(&a, &b, &hw, ...);
 *   w = wire_create(&now_us, seed, &params_ab, &params_ba);
 *   wire_attach(w, &a, &b, &hw);
 *   ... h_stack_poll_us(&a, now_us); h_stack_poll_us(&b, now_us); ...
 *   wire_detach(w);            callbacks off, held frames freed
 *   h_pair_destroy(&a, &b, &hw);  may free the wire's copies it still has
 *   wire_free(w);              the wire's pool (after the stacks are gone)
 *
 * wire_push()/wire_pull() are the same machine without ports, for tests
 * of the wire itself.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "harness.h"

enum wire_dir_id {
	WIRE_AB = 0,        /* from A, received by B */
	WIRE_BA = 1,        /* from B, received by A */
	WIRE_NB_DIRS
};

/* How one direction misbehaves. Zero everywhere: a perfect wire. */
struct wire_params {
	double drop;                  /* probability a TCP frame is lost */
	double dup;                   /* ... is delivered twice */
	double corrupt;               /* ... has one TCP byte flipped */
	double reorder;               /* ... is held back (egress) */
	unsigned int reorder_max;     /* held until 1..this many passed (>= 1) */
	uint64_t reorder_hold_us;     /* at most this long; 0 = 1000 */
	uint64_t rate_bps;            /* bandwidth, bits/s; 0 = unlimited */
	uint64_t delay_us;            /* one-way propagation delay */
	uint64_t queue_bytes;         /* backlog waiting to depart; 0 = 4 MiB */
};

/* What one direction did, in frames. */
struct wire_counters {
	uint64_t in;                  /* frames offered by the sender */
	uint64_t passed;              /* frames delivered to the receiver */
	uint64_t dropped;             /* lost on purpose (drop) */
	uint64_t duplicated;          /* extra copies made */
	uint64_t reordered;           /* held back at egress */
	uint64_t corrupted;           /* frames replaced by a corrupted copy */
	uint64_t corrupted_out;       /* corrupted frames delivered (dups too) */
	uint64_t delayed;             /* queued for a later time than now */
	uint64_t queue_dropped;       /* bandwidth queue full */
	uint64_t nomem;               /* copy failed: wire pool empty (the
	                               * frame passes unharmed, or a dup is
	                               * not made) */
	uint64_t max_backlog;         /* most frames held at once */
};

struct wire;

/*
 * A wire (not attached) whose randomness comes from @seed (each direction
 * its own stream) and whose clock is *@now_us (microseconds, read at every
 * callback). @return NULL (rte_errno set) on failure.
 */
struct wire *wire_create(const uint64_t *now_us, uint64_t seed,
		const struct wire_params *ab, const struct wire_params *ba);

/* Put the wire between @a and @b (their ports and @hw's rings).
 * @return 0 or -errno. */
int wire_attach(struct wire *w, struct h_stack *a, struct h_stack *b,
		struct h_wire *hw);

/* Remove the callbacks and free every frame the wire holds. Idempotent. */
void wire_detach(struct wire *w);

/* Free the wire and its pool. Call once nothing holds its mbufs: after
 * wire_detach() and after the stacks that received its copies are gone
 * (or have given them back). NULL is fine. */
void wire_free(struct wire *w);

/* The same path as the callbacks, without ports. */
void wire_push(struct wire *w, enum wire_dir_id d, struct rte_mbuf **pkts,
		unsigned int n);
unsigned int wire_pull(struct wire *w, enum wire_dir_id d,
		struct rte_mbuf **pkts, unsigned int max);

/* Frames held now (bandwidth/delay queue and reorder slots), both ways. */
unsigned int wire_held(const struct wire *w);
/* Earliest time (us) something held becomes deliverable; UINT64_MAX if
 * nothing is held. */
uint64_t wire_next_due_us(const struct wire *w);
/* Mbufs of the wire's own pool in use (copies not yet freed). */
unsigned int wire_mbufs_in_use(const struct wire *w);
const struct wire_counters *wire_counters(const struct wire *w,
		enum wire_dir_id d);
void wire_print(const struct wire *w, const char *indent);

/*
 * The seed a test uses: $PTCP_WIRE_SEED when set (decimal or 0x hex), so
 * that a failure can be replayed, else @dflt.
 */
uint64_t wire_seed(uint64_t dflt);

#endif /* PKT_WIRE_H */
