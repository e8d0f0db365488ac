/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interned IPv6 peer addresses: a per-lcore table that gives each remote
 * IPv6 address in use a 32-bit id, counted by the connections and
 * TIME-WAIT entries that hold it. The flow key stays 16 bytes (the TCB and
 * a TIME-WAIT entry keep their size) with the id in place of the address;
 * the address itself is one array index away when a header is built.
 *
 * Layout: @entries records (address, references), ids 1..entries (0 is
 * none), a free list threaded through the free records, and an index of
 * twice as many slots of ids, open addressing with linear probing and
 * backward-shift deletion, over a hash keyed with a secret of the table's
 * own (a peer picks its address, not where it lands). All memory is laid
 * out once; nothing is allocated afterwards.
 *
 * Issue 17's design for IPv6 connections (the engine does not use it yet).
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "ptcp_flow.h"

struct addr6_rec {
	uint8_t addr[16];
	uint32_t refs;             /* 0: free; then next_free is the link */
	uint32_t next_free;        /* id of the next free record, or 0 */
};

struct ptcp_addr6_table {
	uint32_t entries;
	uint32_t mask;             /* index slots - 1 */
	uint32_t used;
	uint32_t free_head;        /* id of the first free record, or 0 */
	uint64_t k0, k1;
	uint32_t *index;           /* slots: ids, 0 = empty */
	struct addr6_rec *rec;     /* rec[id - 1] */
};

static inline uint32_t
slot_count(uint32_t entries)
{
	return rte_align32pow2(entries * 2);
}

size_t
ptcp_addr6_memsize(uint32_t entries)
{
	return RTE_ALIGN_CEIL(sizeof(struct ptcp_addr6_table),
			RTE_CACHE_LINE_SIZE) +
		(size_t)slot_count(entries) * sizeof(uint32_t) +
		(size_t)entries * sizeof(struct addr6_rec);
}

struct ptcp_addr6_table *
ptcp_addr6_init(void *mem, uint32_t entries)
{
	struct ptcp_addr6_table *t = mem;
	uint64_t k[2];
	uint32_t i;

	if (mem == NULL || entries == 0 || entries > (1u << 26))
		return NULL;
	memset(mem, 0, ptcp_addr6_memsize(entries));
	t->entries = entries;
	t->mask = slot_count(entries) - 1;
	ptcp_random_secret(k, sizeof(k));
	t->k0 = k[0] | 1;
	t->k1 = k[1] | 1;
	t->index = (uint32_t *)((char *)mem + RTE_ALIGN_CEIL(
			sizeof(struct ptcp_addr6_table), RTE_CACHE_LINE_SIZE));
	t->rec = (struct addr6_rec *)(t->index + t->mask + 1);
	for (i = 0; i < entries; i++)
		t->rec[i].next_free = i + 2 <= entries ? i + 2 : 0;
	t->free_head = 1;
	return t;
}

static inline uint32_t
hash6(const struct ptcp_addr6_table *t, const uint8_t *a)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	x = (x ^ t->k0) * 0x9e3779b97f4a7c15ull;
	y = (y ^ t->k1) * 0xc2b2ae3d27d4eb4full;
	return (uint32_t)((x ^ (x >> 29) ^ y ^ (y >> 31)) >> 16);
}

/* Slot holding @a's id, or the empty slot where it would go. */
static inline uint32_t
find_slot(const struct ptcp_addr6_table *t, const uint8_t *a)
{
	uint32_t i = hash6(t, a) & t->mask;

	while (t->index[i] != 0 &&
			memcmp(t->rec[t->index[i] - 1].addr, a, 16) != 0)
		i = (i + 1) & t->mask;
	return i;
}

uint32_t
ptcp_addr6_find(const struct ptcp_addr6_table *t, const uint8_t addr[16])
{
	return t->index[find_slot(t, addr)];
}

int
ptcp_addr6_get(struct ptcp_addr6_table *t, const uint8_t addr[16],
		uint32_t *id)
{
	uint32_t i = find_slot(t, addr), n;
	struct addr6_rec *r;

	if (t->index[i] != 0) {
		t->rec[t->index[i] - 1].refs++;
		*id = t->index[i];
		return 0;
	}
	if (t->free_head == 0)
		return -ENOSPC;
	n = t->free_head;
	r = &t->rec[n - 1];
	t->free_head = r->next_free;
	memcpy(r->addr, addr, 16);
	r->refs = 1;
	r->next_free = 0;
	t->index[i] = n;
	t->used++;
	*id = n;
	return 0;
}

/* Take the id in slot @i out of the index, shifting its cluster back. */
static void
remove_slot(struct ptcp_addr6_table *t, uint32_t i)
{
	uint32_t j = i, home;

	for (;;) {
		t->index[i] = 0;
		for (;;) {
			j = (j + 1) & t->mask;
			if (t->index[j] == 0)
				return;
			home = hash6(t, t->rec[t->index[j] - 1].addr) & t->mask;
			/* j may move to i if home is not cyclically in (i, j]. */
			if (i <= j ? (home <= i || home > j) :
					(home <= i && home > j))
				break;
		}
		t->index[i] = t->index[j];
		i = j;
	}
}

void
ptcp_addr6_put(struct ptcp_addr6_table *t, uint32_t id)
{
	struct addr6_rec *r = &t->rec[id - 1];

	if (--r->refs != 0)
		return;
	remove_slot(t, find_slot(t, r->addr));
	r->next_free = t->free_head;
	t->free_head = id;
	t->used--;
}

const uint8_t *
ptcp_addr6_addr(const struct ptcp_addr6_table *t, uint32_t id)
{
	return t->rec[id - 1].addr;
}

uint32_t
ptcp_addr6_refs(const struct ptcp_addr6_table *t, uint32_t id)
{
	return t->rec[id - 1].refs;
}

uint32_t
ptcp_addr6_count(const struct ptcp_addr6_table *t)
{
	return t->used;
}
