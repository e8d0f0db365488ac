/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_FLOW_H
#define PTCP_FLOW_H

/**
 * @file
 * Per-lcore 4-tuple table: maps a connection's tuple to its owner (a TCB
 * or a TIME-WAIT entry; the table does not care which). Owned by one
 * lcore: no locks, no concurrent readers. Open addressing (Robin Hood
 * linear probing) over a hash keyed with a per-table secret, so that
 * tuples a remote host picks cannot be aimed at one part of the table; a
 * whole RX burst is looked up at once. Design in lib/flow/table.c.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A connection's tuple as seen from our side; all network byte order.
 * Hashed and compared as 16 bytes, two 64-bit words: @c pad must be zero
 * in every key. Aligned to 8 because the table reads the key 8 bytes at a time.
 */
struct ptcp_flow_key {
	uint32_t laddr;         /**< our address */
	uint32_t raddr;         /**< the peer's address */
	uint16_t lport;         /**< our port */
	uint16_t rport;         /**< the peer's port */
	uint32_t pad;           /**< always 0 */
} __rte_aligned(8);

/** Bytes of a key that are hashed and compared. */
#define PTCP_FLOW_KEY_LEN 16

/** Most keys one ptcp_flow_lookup_bulk() call takes. */
#define PTCP_FLOW_BULK_MAX 64

struct ptcp_flow_table;

/**
 * Create a table for at least @p entries tuples (inserts never fail below
 * that count) on NUMA socket @p socket.
 *
 * Everything the table will use is allocated here (about 64 bytes per
 * entry); nothing is allocated afterwards.
 *
 * @param name unique name in the process (the table reserves a memzone
 *             named after it), 1..21 characters
 * @param entries 1..2^30
 * @param socket NUMA socket of the memory (SOCKET_ID_ANY: any)
 * @return the table, or NULL with rte_errno set (EINVAL, ENOMEM, EEXIST)
 */
struct ptcp_flow_table *ptcp_flow_table_create(const char *name,
		uint32_t entries, int socket);

/** Free a table (the owners it points to are not touched). */
void ptcp_flow_table_free(struct ptcp_flow_table *t);

/** @return 0, -EEXIST if @p k is present, -ENOSPC when full. */
int ptcp_flow_add(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner);

/**
 * Add @p k, which the caller knows is absent (a lookup just missed) and
 * for which it knows there is room (its own caps keep the table below
 * @c entries): no lookup and no count first, unlike ptcp_flow_add().
 * @return 0, or -ENOSPC if the table holds @c entries tuples after all
 * (-EEXIST if @p k was present after all)
 */
int ptcp_flow_insert(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner);

/**
 * Point @p k, which the caller knows is present, at @p owner (no lookup
 * first, unlike ptcp_flow_replace()). @return 0, or -ENOSPC if @p k was
 * not present after all and the table holds @c entries tuples.
 */
int ptcp_flow_set(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner);

/** Point an existing @p k at another owner. @return 0 or -ENOENT. */
int ptcp_flow_replace(struct ptcp_flow_table *t,
		const struct ptcp_flow_key *k, void *owner);

/** @return 0, or -ENOENT. */
int ptcp_flow_del(struct ptcp_flow_table *t, const struct ptcp_flow_key *k);

/** @return the owner of @p k, or NULL. */
void *ptcp_flow_lookup(const struct ptcp_flow_table *t,
		const struct ptcp_flow_key *k);

/**
 * Look up @p n keys (n <= PTCP_FLOW_BULK_MAX) at once; owners[i] is NULL
 * on a miss. @return the number of hits
 */
unsigned int ptcp_flow_lookup_bulk(const struct ptcp_flow_table *t,
		const struct ptcp_flow_key *const *keys, unsigned int n,
		void **owners);

/** Tuples in the table. */
uint32_t ptcp_flow_count(const struct ptcp_flow_table *t);

/**
 * Iterate: start with *@p next = 0; @return 0 with @p key and @p owner
 * set, or -ENOENT at the end. The table must not change meanwhile.
 */
int ptcp_flow_iterate(const struct ptcp_flow_table *t, uint32_t *next,
		const struct ptcp_flow_key **key, void **owner);

/** What ptcp_flow_stats() reports. */
struct ptcp_flow_stats {
	uint32_t entries;	/**< tuples in the table */
	uint32_t slots;		/**< slots in the table */
	/**
	 * Most slots a lookup of a present key reads (its distance from
	 * its home slot, plus one). A miss reads at most one more.
	 */
	uint32_t max_probe;
	/** Sum over present keys of the slots their lookup reads. */
	uint64_t probe_sum;
};

/**
 * Probe lengths, for tests and benchmarks (hash flooding, churn): reads
 * every slot, O(slots); not for the fast path.
 */
void ptcp_flow_stats(const struct ptcp_flow_table *t,
		struct ptcp_flow_stats *st);

/**
 * Fill @p len bytes at @p buf with a secret for a keyed hash: from
 * getrandom(2), or, where it fails, from rte_rand() (seeded at start).
 * For the flow table's hash key and TCP's ISN and cookie key.
 */
void ptcp_random_secret(void *buf, size_t len);

/* ---- Interned IPv6 peer addresses (addr6.c; issue 17: not used yet) -- */

/*
 * A per-lcore table that names each remote IPv6 address in use by a 32-bit
 * id (1..entries; 0 is none), counted by its holders (connections and
 * TIME-WAIT entries), so that an IPv6 flow key holds the id and stays 16
 * bytes. Owned by one lcore; all memory laid out at init.
 */
struct ptcp_addr6_table;

/** Bytes ptcp_addr6_init() needs for @p entries addresses. */
size_t ptcp_addr6_memsize(uint32_t entries);

/**
 * Lay out a table for @p entries addresses (1..2^26) in @p mem
 * (ptcp_addr6_memsize() bytes, cache-line aligned); its hash takes a
 * secret of its own. @return the table (== @p mem), or NULL
 */
struct ptcp_addr6_table *ptcp_addr6_init(void *mem, uint32_t entries);

/** The id of @p addr (network order), or 0 when no one holds it. */
uint32_t ptcp_addr6_find(const struct ptcp_addr6_table *t,
		const uint8_t addr[16]);

/**
 * A reference to @p addr: its id in @p id, made if it had none.
 * @return 0, or -ENOSPC when @c entries addresses are held already
 */
int ptcp_addr6_get(struct ptcp_addr6_table *t, const uint8_t addr[16],
		uint32_t *id);

/** Drop a reference; the last one frees the id (it may be given again). */
void ptcp_addr6_put(struct ptcp_addr6_table *t, uint32_t id);

/** The address of held id @p id. */
const uint8_t *ptcp_addr6_addr(const struct ptcp_addr6_table *t, uint32_t id);

/** References to held id @p id. */
uint32_t ptcp_addr6_refs(const struct ptcp_addr6_table *t, uint32_t id);

/** Addresses held. */
uint32_t ptcp_addr6_count(const struct ptcp_addr6_table *t);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_FLOW_H */
