/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore 4-tuple table: a thin wrapper around one rte_hash.
 *
 * The hash is created with RTE_HASH_EXTRA_FLAGS_EXT_TABLE: rte_hash keeps
 * as many extendable buckets as main buckets, so a key that finds no room
 * in its two cuckoo buckets goes to a chained bucket instead of failing.
 * It is sized for entries + entries / 4 (HEADROOM): rte_hash has
 * align32pow2(size) / 8 main buckets, so the main buckets are at most 80%
 * full when the table holds `entries`. Sized for exactly `entries`, a
 * power of two (max_conns = 65536) fills them to 100%, and every add into a
 * full table first runs rte_hash's cuckoo search (a breadth-first walk of
 * up to 1000 buckets) before it falls back to the chain: 500+ ns per add
 * (tests/bench/bench_flow.c). The cap of `entries` is then ours: an add
 * fails with -ENOSPC when the table holds `entries` tuples.
 *
 * No concurrency flag is set: one lcore owns the table, so rte_hash takes
 * no lock and keeps no per-lcore slot caches.
 *
 * rte_hash_add_key_data() replaces the data of a key already present; the
 * contract here is -EEXIST for ptcp_flow_add(), so add and replace look the
 * key up first, with the signature computed once.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "ptcp_flow.h"

/*
 * rte_hash_create() refuses fewer entries than one bucket holds
 * (RTE_HASH_BUCKET_ENTRIES, private to lib/hash).
 */
#define MIN_ENTRIES 8u

/* rte_hash is sized for entries + entries / HEADROOM (see above). */
#define HEADROOM 4u

/*
 * rte_hash derives its rings' names from the table's: "HT_<name>" and
 * "HT_EXT_<name>", each cut to RTE_RING_NAMESIZE - 1 characters. Longer
 * names would make distinct tables collide in those rings.
 */
#define NAME_MAX_LEN (RTE_RING_NAMESIZE - 1 - (sizeof("HT_EXT_") - 1))

_Static_assert(sizeof(struct ptcp_flow_key) == PTCP_FLOW_KEY_LEN,
	"struct ptcp_flow_key has padding: the hash would read it");
_Static_assert(PTCP_FLOW_BULK_MAX == RTE_HASH_LOOKUP_BULK_MAX,
	"PTCP_FLOW_BULK_MAX must match rte_hash's bulk limit");

struct ptcp_flow_table {
	struct rte_hash *h;
	uint32_t max;		/* the `entries` asked for */
};

struct ptcp_flow_table *
ptcp_flow_table_create(const char *name, uint32_t entries, int socket)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = RTE_MAX(entries + entries / HEADROOM, MIN_ENTRIES),
		.key_len = PTCP_FLOW_KEY_LEN,
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct ptcp_flow_table *t;

	if (name == NULL || name[0] == '\0' ||
			strlen(name) > NAME_MAX_LEN || entries == 0 ||
			entries > RTE_HASH_ENTRIES_MAX / 5 * 4) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("ptcp_flow_table", sizeof(*t),
		RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->max = entries;
	rte_errno = 0;
	t->h = rte_hash_create(&p);
	if (t->h == NULL) {
		/* some of rte_hash_create()'s failures leave rte_errno alone */
		if (rte_errno != EEXIST && rte_errno != EINVAL)
			rte_errno = ENOMEM;
		rte_free(t);
		return NULL;
	}
	return t;
}

void
ptcp_flow_table_free(struct ptcp_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t);
}

int
ptcp_flow_add(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	hash_sig_t sig = rte_hash_hash(t->h, k);
	int ret;

	if (rte_hash_lookup_with_hash(t->h, k, sig) >= 0)
		return -EEXIST;
	if ((uint32_t)rte_hash_count(t->h) >= t->max)
		return -ENOSPC;
	ret = rte_hash_add_key_with_hash_data(t->h, k, sig, owner);
	return ret < 0 ? ret : 0;
}

int
ptcp_flow_insert(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	int ret = rte_hash_add_key_data(t->h, k, owner);

	return ret < 0 ? ret : 0;
}

int
ptcp_flow_set(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	/* rte_hash stores the new data in a present key's slot. */
	int ret = rte_hash_add_key_data(t->h, k, owner);

	return ret < 0 ? ret : 0;
}

int
ptcp_flow_replace(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	hash_sig_t sig = rte_hash_hash(t->h, k);
	int ret;

	if (rte_hash_lookup_with_hash(t->h, k, sig) < 0)
		return -ENOENT;
	/* present: rte_hash only stores the new data in the key's slot */
	ret = rte_hash_add_key_with_hash_data(t->h, k, sig, owner);
	return ret < 0 ? ret : 0;
}

int
ptcp_flow_del(struct ptcp_flow_table *t, const struct ptcp_flow_key *k)
{
	int32_t ret = rte_hash_del_key(t->h, k);

	return ret < 0 ? ret : 0;
}

void *
ptcp_flow_lookup(const struct ptcp_flow_table *t,
		const struct ptcp_flow_key *k)
{
	void *owner;

	if (rte_hash_lookup_data(t->h, k, &owner) < 0)
		return NULL;
	return owner;
}

unsigned int
ptcp_flow_lookup_bulk(const struct ptcp_flow_table *t,
		const struct ptcp_flow_key *const *keys, unsigned int n,
		void **owners)
{
	unsigned int done, chunk, i, hits = 0;
	uint64_t mask;

	/* n > PTCP_FLOW_BULK_MAX breaks the contract; serve it in chunks */
	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned int)PTCP_FLOW_BULK_MAX);
		mask = 0;
		/*
		 * rte_hash reads keys[] and never writes it; its prototype
		 * lacks the inner const.
		 */
		if (rte_hash_lookup_bulk_data(t->h,
				(const void **)(uintptr_t)(keys + done), chunk,
				&mask, owners + done) < 0)
			mask = 0;
		/* rte_hash writes owners[] only for hits */
		for (i = 0; i < chunk; i++)
			if ((mask & (UINT64_C(1) << i)) == 0)
				owners[done + i] = NULL;
		hits += (unsigned int)__builtin_popcountll(mask);
	}
	return hits;
}

uint32_t
ptcp_flow_count(const struct ptcp_flow_table *t)
{
	int32_t n = rte_hash_count(t->h);

	return n < 0 ? 0 : (uint32_t)n;
}

int
ptcp_flow_iterate(const struct ptcp_flow_table *t, uint32_t *next,
		const struct ptcp_flow_key **key, void **owner)
{
	const void *k;
	void *o;

	if (rte_hash_iterate(t->h, &k, &o, next) < 0)
		return -ENOENT;
	*key = k;
	*owner = o;
	return 0;
}
