/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore 4-tuple table: open addressing with linear probing, Robin
 * Hood insertion and backward-shift deletion, over a keyed hash.
 *
 * Slots. One array of 32-byte slots (two per cache line): the 16-byte key,
 * the owner, and the slot's distance from the key's home slot plus one
 * (0: empty). A lookup reads the key in place, so a hit usually costs one
 * cache line; a slot never straddles two. The array has 2 * entries slots
 * (any count: the home slot is taken with a multiply, not a mask), so a
 * full table is half loaded whatever `entries` is, and an add fails
 * (-ENOSPC) only when the table already holds `entries` tuples: with empty
 * slots always left, linear probing cannot fail to place a key. Half, not
 * 2/3 (48 bytes per entry): at 1M entries 2/3 measured 1.2x slower bulk
 * lookups and 1.5x slower delete+insert, one run each (a hit walks (1 + 1/(1-a))/2
 * slots on average at load a, an insert (1 + 1/(1-a)^2)/2: 2 and 5 at 2/3,
 * 1.5 and 2.5 at 1/2). rte_hash took 75-85 bytes per entry.
 *
 * Robin Hood (Celis 1986): an insert walking from the home slot takes the
 * place of the first entry that is closer to its own home than the new key
 * is to its, and carries that entry on. Every run of slots is then sorted
 * by home, which (a) bounds the spread of probe lengths, and (b) ends a
 * miss early: once a slot's distance is below the number of slots walked,
 * the key cannot be further on. Deletion shifts the following entries of
 * the run back by one (backward shift) instead of leaving a tombstone, so
 * after any history of adds and deletes every key sits at the distance a
 * fresh series of adds of the same keys would give it: lookups do not slow
 * down under churn (bench_flow --steady measures it over 100M cycles).
 *
 * The hash is keyed, with a secret drawn per table from getrandom(2):
 *
 *   nh   = (w0 + k0) * (w1 + k1) + (w2 + k2) * (w3 + k3)   (mod 2^64)
 *   w3   = rotl32(w2, 16)
 *   h    = nh * m                                           (mod 2^64)
 *   home = (h * slots) >> 64                 (a 128-bit product)
 *
 * w0..w2 are the key's first three 32-bit words (addresses, then the
 * two ports; the fourth, the pad, is 0 in every key), and w3 is w2 with
 * its halves swapped (see home_slot()), k0..k3 32-bit secrets (sums
 * mod 2^32, products 64-bit), m a secret odd 64-bit multiplier. nh is
 * UMAC's NH (Black et al., "UMAC: Fast and Secure Message Authentication",
 * CRYPTO '99): for two distinct keys, Pr[nh equal] <= 2^-32 over the
 * secret. Its low bits are poor (the low bit of a product is the AND of the
 * factors' low bits), so the slot comes from the high bits of a
 * multiply-shift (Dietzfelbinger et al. 1997: Pr[equal top b bits] <=
 * 2^(1-b) for distinct nh), scaled to the slot count (Lemire's multiply
 * instead of a modulo). Two chosen keys share a home slot with probability
 * about 2/slots + 2^-32, as for random keys: an attacker who picks tuples
 * but does not know the secret cannot aim them at one run of slots. It is
 * a universal hash, not a PRF: an attacker who could time lookups finely
 * enough to see which of its tuples collide might learn about the secret;
 * the secret is per table, never leaves the process, and a long run costs
 * linear probes of one or two cache lines each, not a chain.
 *
 * Why not CRC32, as rte_hash_crc() with a random initial value: a CRC is
 * affine over GF(2), crc(seed, a) ^ crc(seed, b) = L(a ^ b) for a linear L
 * that does not depend on the seed. Keys that collide for one seed collide
 * for every seed, and anyone can compute them (tests/unit/test_flow.c
 * builds 2^16 tuples with one CRC value by Gaussian elimination).
 *
 * The cost: about 20 instructions (two 32 x 32 -> 64-bit multiplies, one
 * 64-bit, one 64 x 64 -> 128 for the scaling) where rte_hash_crc() of 16
 * bytes is 2 crc32 instructions and ~10 more; HalfSipHash-1-3 (a PRF: 4
 * compression and 3 finalization rounds of ~14 operations) would cost
 * ~110. The whole bulk lookup costs ~60 instructions per key
 * (tests/bench/flow_ir.sh), rte_hash's ~190.
 *
 * One lcore owns the table: no locks, no atomics. Nothing allocates after
 * ptcp_flow_table_create().
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_prefetch.h>

#include "ptcp_flow.h"

/*
 * Names stay unique per process as with the rte_hash table before: each
 * table reserves a memzone named MZ_PREFIX + name, which holds its header.
 * 21 characters is the limit the rte_hash table had; kept, so a name valid
 * before is valid now.
 */
#define MZ_PREFIX "ptcp_flow_"
#define NAME_MAX_LEN 21u

/* 2 * ENTRIES_MAX slots still count in 32 bits. */
#define ENTRIES_MAX (1u << 30)

_Static_assert(sizeof(MZ_PREFIX) - 1 + NAME_MAX_LEN < RTE_MEMZONE_NAMESIZE,
	"a table's memzone name must fit");
_Static_assert(sizeof(struct ptcp_flow_key) == PTCP_FLOW_KEY_LEN,
	"struct ptcp_flow_key has padding: the hash would read it");

struct slot {
	union {
		struct ptcp_flow_key key;
		uint64_t q[2];
	};
	void *owner;
	uint32_t dist;		/* 1 + slots from home; 0: empty */
	uint32_t unused;	/* 0; the slot is 32 bytes anyway */
} __rte_aligned(32);

_Static_assert(sizeof(struct slot) == 32, "two slots per cache line");

struct ptcp_flow_table {
	/* read by every lookup */
	struct slot *slots;
	uint32_t n;		/* slots (+1 in the array: see create) */
	uint32_t k[4];		/* NH secret */
	uint64_t m;		/* multiply-shift secret, odd */
	/* written by adds and deletes */
	uint32_t count;
	uint32_t max;		/* the `entries` asked for */
	const struct rte_memzone *mz;
};

/*
 * The key's home slot. The fourth word of the key, @c pad, is 0 in every
 * key (the contract of struct ptcp_flow_key) and is not read: a key that
 * broke the contract would share its hash with its pad-0 twin, and still
 * be told apart by the compare. NH's fourth word is the ports' word with
 * its halves swapped instead: with a constant there, nh would be linear
 * in the ports (nh(w2 + d) = nh(w2) + d * k3), so the tuples of one client
 * (every port towards one server port: consecutive w2) land on an
 * arithmetic progression of slots, whose clusters doubled the mean probe
 * of linear probing for some secrets (tests/unit/test_flow.c, "one
 * client"). The message (w0, w1, w2, rotl(w2)) is still one per key, so
 * NH's bound holds.
 */
static inline struct slot *
home_slot(const struct ptcp_flow_table *t, const struct ptcp_flow_key *k)
{
	uint64_t q0, nh, h;
	uint32_t w2;

	memcpy(&q0, k, sizeof(q0));
	memcpy(&w2, (const uint8_t *)k + sizeof(q0), sizeof(w2));
	nh = (uint64_t)((uint32_t)q0 + t->k[0]) *
		((uint32_t)(q0 >> 32) + t->k[1]) +
		(uint64_t)(w2 + t->k[2]) * ((w2 << 16 | w2 >> 16) + t->k[3]);
	h = nh * t->m;
	/* the top bits of h, scaled to [0, n): one 64 x 64 -> 128 multiply */
	return &t->slots[(uint32_t)(((unsigned __int128)h * t->n) >> 64)];
}

static inline uint32_t
next_slot(const struct ptcp_flow_table *t, uint32_t i)
{
	return ++i == t->n ? 0 : i;
}

static inline void
key_words(const struct ptcp_flow_key *k, uint64_t *q0, uint64_t *q1)
{
	memcpy(q0, k, sizeof(*q0));
	memcpy(q1, (const uint8_t *)k + sizeof(*q0), sizeof(*q1));
}

/*
 * The slot holding @p k, searched from @p i (its home), or NULL. Stops at
 * the first slot closer to its home than we are to ours (an empty slot is
 * one): Robin Hood order puts @p k before it. There is always an empty
 * slot (count < n), so the walk ends.
 */
static inline struct slot *
find(struct slot *slots, const struct slot *end,
		const struct ptcp_flow_key *k, struct slot *s)
{
	uint64_t q0, q1;
	uint32_t d;

	key_words(k, &q0, &q1);
	for (d = 1;; d++) {
		if (s->dist < d)
			return NULL;
		if (((s->q[0] ^ q0) | (s->q[1] ^ q1)) == 0)
			return s;
		if (++s == end)
			s = slots;
	}
}

static void
secret_init(struct ptcp_flow_table *t)
{
	struct {
		uint32_t k[4];
		uint64_t m;
	} s;

	ptcp_random_secret(&s, sizeof(s));
	memcpy(t->k, s.k, sizeof(t->k));
	t->m = s.m | 1;
}

struct ptcp_flow_table *
ptcp_flow_table_create(const char *name, uint32_t entries, int socket)
{
	char mzname[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct ptcp_flow_table *t;
	uint32_t n;

	if (name == NULL || name[0] == '\0' ||
			strlen(name) > NAME_MAX_LEN || entries == 0 ||
			entries > ENTRIES_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	snprintf(mzname, sizeof(mzname), MZ_PREFIX "%s", name);
	mz = rte_memzone_reserve_aligned(mzname, sizeof(*t), socket, 0,
		RTE_CACHE_LINE_SIZE);
	if (mz == NULL) {
		if (rte_errno != EEXIST)
			rte_errno = ENOMEM;
		return NULL;
	}
	t = mz->addr;
	memset(t, 0, sizeof(*t));
	t->mz = mz;
	n = entries * 2;
	t->n = n;
	t->max = entries;
	/*
	 * One slot past the end (never used) so that the bulk lookup may
	 * prefetch the slot after a home slot without a bound check.
	 */
	t->slots = rte_zmalloc_socket("ptcp_flow_slots",
		((size_t)n + 1) * sizeof(struct slot), RTE_CACHE_LINE_SIZE,
		socket);
	if (t->slots == NULL) {
		rte_memzone_free(mz);
		rte_errno = ENOMEM;
		return NULL;
	}
	secret_init(t);
	return t;
}

void
ptcp_flow_table_free(struct ptcp_flow_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->slots);
	rte_memzone_free(t->mz);
}

enum put_mode {
	PUT_ADD,	/* absent: insert; present: -EEXIST */
	PUT_SET,	/* absent: insert; present: new owner */
	PUT_REPLACE,	/* absent: -ENOENT; present: new owner */
};

/*
 * One walk from the home slot: while the slots belong to keys at least as
 * far from home as we are, @p k may be among them; at the first that is
 * not, @p k is absent and this is where Robin Hood puts it. From there the
 * walk carries the displaced entries on to the next empty slot.
 */
static inline int
put(struct ptcp_flow_table *t, const struct ptcp_flow_key *k, void *owner,
		enum put_mode mode)
{
	struct slot cur, tmp, *s;
	uint64_t q0, q1;
	uint32_t i, d;

	key_words(k, &q0, &q1);
	i = (uint32_t)(home_slot(t, k) - t->slots);
	for (d = 1;; d++) {
		s = &t->slots[i];
		if (s->dist < d)
			break;
		if (((s->q[0] ^ q0) | (s->q[1] ^ q1)) == 0) {
			if (mode == PUT_ADD)
				return -EEXIST;
			s->owner = owner;
			return 0;
		}
		i = next_slot(t, i);
	}
	if (mode == PUT_REPLACE)
		return -ENOENT;
	if (t->count >= t->max)
		return -ENOSPC;
	t->count++;
	cur.q[0] = q0;
	cur.q[1] = q1;
	cur.owner = owner;
	cur.dist = d;
	cur.unused = 0;
	for (;;) {
		s = &t->slots[i];
		if (s->dist == 0) {
			*s = cur;
			return 0;
		}
		if (s->dist < cur.dist) {
			tmp = *s;
			*s = cur;
			cur = tmp;
		}
		cur.dist++;
		i = next_slot(t, i);
	}
}

int
ptcp_flow_add(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	return put(t, k, owner, PUT_ADD);
}

int
ptcp_flow_insert(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	/*
	 * The walk that finds the insertion point compares the keys it
	 * passes anyway: checking for presence costs nothing, and a caller
	 * that was wrong gets -EEXIST rather than a duplicate.
	 */
	return put(t, k, owner, PUT_ADD);
}

int
ptcp_flow_set(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	return put(t, k, owner, PUT_SET);
}

int
ptcp_flow_replace(struct ptcp_flow_table *t, const struct ptcp_flow_key *k,
		void *owner)
{
	return put(t, k, owner, PUT_REPLACE);
}

int
ptcp_flow_del(struct ptcp_flow_table *t, const struct ptcp_flow_key *k)
{
	struct slot *s, *nx;
	uint32_t i, j;

	s = find(t->slots, t->slots + t->n, k, home_slot(t, k));
	if (s == NULL)
		return -ENOENT;
	/*
	 * Backward shift: pull the rest of the run back by one slot, until
	 * an empty slot or an entry already at its home.
	 */
	i = (uint32_t)(s - t->slots);
	for (;;) {
		j = next_slot(t, i);
		nx = &t->slots[j];
		if (nx->dist <= 1)
			break;
		t->slots[i] = *nx;
		t->slots[i].dist--;
		i = j;
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->count--;
	return 0;
}

void *
ptcp_flow_lookup(const struct ptcp_flow_table *t,
		const struct ptcp_flow_key *k)
{
	const struct slot *s = find(t->slots, t->slots + t->n, k,
		home_slot(t, k));

	return s == NULL ? NULL : s->owner;
}

/*
 * In stages over the burst, as rte_hash's bulk lookup: hash every key and
 * prefetch its home slot, then walk. By the time the first walk starts the
 * other keys' cache lines are on their way, so the misses of a burst
 * overlap instead of coming one after another (at 1M entries, 20-24 ns
 * per key against 52-64 for single lookups: docs/benchmarks.md). The slot
 * after the home slot is prefetched too: it is in the next cache line when
 * the home slot is the second of its line, and a walk often reads it (1.5
 * slots per hit on average at half load). Without that second prefetch,
 * bench_flow's bulk lookups took 19-25 ns per key instead of 17-19 at 1M
 * entries, 26-28 instead of 23-25 at 10M (two rounds, alternated).
 */
unsigned int
ptcp_flow_lookup_bulk(const struct ptcp_flow_table *t,
		const struct ptcp_flow_key *const *keys, unsigned int n,
		void **owners)
{
	struct slot *home[PTCP_FLOW_BULK_MAX];
	struct slot *slots = t->slots;
	const struct slot *end = slots + t->n, *s;
	unsigned int done, chunk, i, hits = 0;

	/* n > PTCP_FLOW_BULK_MAX breaks the contract; serve it in chunks */
	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned int)PTCP_FLOW_BULK_MAX);
		for (i = 0; i < chunk; i++) {
			home[i] = home_slot(t, keys[done + i]);
			rte_prefetch0(home[i]);
			rte_prefetch0(home[i] + 1);
		}
		for (i = 0; i < chunk; i++) {
			s = find(slots, end, keys[done + i], home[i]);
			owners[done + i] = s == NULL ? NULL : s->owner;
			hits += s != NULL;
		}
	}
	return hits;
}

uint32_t
ptcp_flow_count(const struct ptcp_flow_table *t)
{
	return t->count;
}

int
ptcp_flow_iterate(const struct ptcp_flow_table *t, uint32_t *next,
		const struct ptcp_flow_key **key, void **owner)
{
	uint32_t i;

	for (i = *next; i < t->n; i++) {
		if (t->slots[i].dist != 0) {
			*key = &t->slots[i].key;
			*owner = t->slots[i].owner;
			*next = i + 1;
			return 0;
		}
	}
	*next = t->n;
	return -ENOENT;
}

void
ptcp_flow_stats(const struct ptcp_flow_table *t, struct ptcp_flow_stats *st)
{
	uint32_t i, d;

	memset(st, 0, sizeof(*st));
	st->entries = t->count;
	st->slots = t->n;
	for (i = 0; i < t->n; i++) {
		d = t->slots[i].dist;
		st->probe_sum += d;
		st->max_probe = RTE_MAX(st->max_probe, d);
	}
}
