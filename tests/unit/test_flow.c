/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/flow: the per-lcore 4-tuple table (Robin Hood linear
 * probing over a keyed hash). Needs the EAL (the table lives in DPDK
 * memory), no devices.
 *
 * Owners are pointers into an array, so a test knows which key an owner
 * belongs to; random keys come from a fixed-seed generator.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>

#include "ptcp_test_eal.h"
#include "ptcp_flow.h"
#include "ptcp_test.h"
#include "ptcp_test_flow.h"



static struct ptcp_flow_key
key(uint32_t laddr, uint32_t raddr, uint16_t lport, uint16_t rport)
{
	struct ptcp_flow_key k = { laddr, raddr, lport, rport };

	return k;
}

/*
 * Fill @p t with @p n random keys (stored in @p keys), owner i = &tag[i].
 * Returns 0, or the first error other than a (retried) -EEXIST.
 */
static int
fill_random(struct ptcp_flow_table *t, struct ptcp_flow_key *keys,
		char *tag, uint32_t n, uint64_t seed)
{
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++) {
		do {
			keys[i] = ptcp_test_flow_key(&seed);
			ret = ptcp_flow_add(t, &keys[i], &tag[i]);
		} while (ret == -EEXIST);
		if (ret != 0) {
			fprintf(stderr, "  add %u of %u: %d\n", i, n, ret);
			return ret;
		}
	}
	return 0;
}

static int
add_lookup_del_replace(void)
{
	struct ptcp_flow_key k = key(0x0a000002, 0x0a000001, 80, 40000);
	struct ptcp_flow_key copy = k;
	struct ptcp_flow_table *t;
	int a, b;

	t = ptcp_flow_table_create("ut_basic", 64, (int)rte_socket_id());
	CHECK(t != NULL);
	CHECK_EQ(ptcp_flow_count(t), 0);
	CHECK(ptcp_flow_lookup(t, &k) == NULL);
	CHECK_EQ(ptcp_flow_add(t, &k, &a), 0);
	CHECK_EQ(ptcp_flow_count(t), 1);
	/* the table copies the key: a copy elsewhere finds it */
	CHECK(ptcp_flow_lookup(t, &copy) == &a);
	CHECK_EQ(ptcp_flow_replace(t, &k, &b), 0);
	CHECK(ptcp_flow_lookup(t, &k) == &b);
	CHECK_EQ(ptcp_flow_count(t), 1);
	CHECK_EQ(ptcp_flow_del(t, &k), 0);
	CHECK(ptcp_flow_lookup(t, &k) == NULL);
	CHECK_EQ(ptcp_flow_count(t), 0);
	/* and it can come back */
	CHECK_EQ(ptcp_flow_add(t, &k, &a), 0);
	CHECK(ptcp_flow_lookup(t, &k) == &a);
	ptcp_flow_table_free(t);
	return 0;
}

static int
add_of_a_present_key_is_eexist_and_keeps_the_owner(void)
{
	struct ptcp_flow_key k = key(1, 2, 3, 4);
	struct ptcp_flow_table *t;
	int a, b;

	t = ptcp_flow_table_create("ut_eexist", 64, (int)rte_socket_id());
	CHECK(t != NULL);
	CHECK_EQ(ptcp_flow_add(t, &k, &a), 0);
	CHECK_EQ(ptcp_flow_add(t, &k, &b), -EEXIST);
	CHECK(ptcp_flow_lookup(t, &k) == &a);
	CHECK_EQ(ptcp_flow_count(t), 1);
	ptcp_flow_table_free(t);
	return 0;
}

static int
del_and_replace_of_a_missing_key_are_enoent(void)
{
	struct ptcp_flow_key k = key(1, 2, 3, 4), other = key(1, 2, 3, 5);
	struct ptcp_flow_table *t;
	int a;

	t = ptcp_flow_table_create("ut_enoent", 64, (int)rte_socket_id());
	CHECK(t != NULL);
	CHECK_EQ(ptcp_flow_del(t, &k), -ENOENT);
	CHECK_EQ(ptcp_flow_replace(t, &k, &a), -ENOENT);
	CHECK(ptcp_flow_lookup(t, &k) == NULL);
	CHECK_EQ(ptcp_flow_count(t), 0);
	CHECK_EQ(ptcp_flow_add(t, &other, &a), 0);
	CHECK_EQ(ptcp_flow_del(t, &k), -ENOENT);
	CHECK_EQ(ptcp_flow_del(t, &other), 0);
	CHECK_EQ(ptcp_flow_del(t, &other), -ENOENT);
	ptcp_flow_table_free(t);
	return 0;
}

static int
create_rejects_bad_arguments_and_duplicate_names(void)
{
	struct ptcp_flow_table *t, *u;
	int socket = (int)rte_socket_id();

	CHECK(ptcp_flow_table_create(NULL, 64, socket) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK(ptcp_flow_table_create("", 64, socket) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK(ptcp_flow_table_create("ut_zero", 0, socket) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	/* 22 characters: one too many (the limit rte_hash had, kept) */
	CHECK(ptcp_flow_table_create("ut_0123456789abcdefghi", 64,
		socket) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	t = ptcp_flow_table_create("ut_0123456789abcdefgh", 64, socket);
	CHECK(t != NULL);
	u = ptcp_flow_table_create("ut_0123456789abcdefgh", 64, socket);
	CHECK(u == NULL);
	CHECK_EQ(rte_errno, EEXIST);
	/* 21 characters are told apart by the last one */
	u = ptcp_flow_table_create("ut_0123456789abcdefgX", 64, socket);
	CHECK(u != NULL);
	ptcp_flow_table_free(u);
	ptcp_flow_table_free(t);
	/* the name is free again */
	t = ptcp_flow_table_create("ut_0123456789abcdefgh", 64, socket);
	CHECK(t != NULL);
	ptcp_flow_table_free(t);
	ptcp_flow_table_free(NULL);
	return 0;
}

/*
 * Every size up to `entries` takes random keys without -ENOSPC: powers of
 * two and not, tiny tables, and 1M.
 */
static int
fills_to_capacity_with_random_keys(void)
{
	static const uint32_t sizes[] = { 1, 2, 3, 7, 8, 100, 1000, 4096,
		65535, 65536, 65537, 100003, 262144, 1000000 };
	struct ptcp_flow_key *keys, extra;
	struct ptcp_flow_table *t;
	uint64_t seed = 42;
	unsigned int s;
	uint32_t i, n;
	char *tag;
	int ret;

	keys = calloc(1000000, sizeof(*keys));
	tag = calloc(1000000, 1);
	CHECK(keys != NULL && tag != NULL);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		n = sizes[s];
		t = ptcp_flow_table_create("ut_fill", n, (int)rte_socket_id());
		CHECK(t != NULL);
		ret = fill_random(t, keys, tag, n, seed + s);
		CHECK_MSG(ret == 0, "entries %u: add failed with %d", n, ret);
		CHECK_EQ(ptcp_flow_count(t), n);
		for (i = 0; i < n; i++)
			CHECK_MSG(ptcp_flow_lookup(t, &keys[i]) == &tag[i],
				"entries %u: key %u lost", n, i);
		/* one more is one too many, however it comes */
		do {
			extra = ptcp_test_flow_key(&seed);
		} while (ptcp_flow_lookup(t, &extra) != NULL);
		CHECK_EQ(ptcp_flow_add(t, &extra, tag), -ENOSPC);
		CHECK_EQ(ptcp_flow_insert(t, &extra, tag), -ENOSPC);
		CHECK_EQ(ptcp_flow_set(t, &extra, tag), -ENOSPC);
		CHECK(ptcp_flow_lookup(t, &extra) == NULL);
		CHECK_EQ(ptcp_flow_count(t), n);
		/* a full table still takes a new owner for a present key */
		CHECK_EQ(ptcp_flow_set(t, &keys[0], &tag[1]), 0);
		CHECK_EQ(ptcp_flow_replace(t, &keys[0], &tag[0]), 0);
		CHECK(ptcp_flow_lookup(t, &keys[0]) == &tag[0]);
		/* and a slot freed is a slot to use */
		CHECK_EQ(ptcp_flow_del(t, &keys[n / 2]), 0);
		CHECK_EQ(ptcp_flow_add(t, &extra, tag), 0);
		CHECK_EQ(ptcp_flow_count(t), n);
		ptcp_flow_table_free(t);
	}
	free(keys);
	free(tag);
	return 0;
}

/* Bulk lookups of @p n keys, half hits, half misses, against singles. */
static int
bulk_matches_single(struct ptcp_flow_table *t,
		const struct ptcp_flow_key *present, uint32_t nb_present,
		unsigned int n, uint64_t *seed)
{
	struct ptcp_flow_key miss[PTCP_FLOW_BULK_MAX];
	const struct ptcp_flow_key *keys[PTCP_FLOW_BULK_MAX];
	void *owners[PTCP_FLOW_BULK_MAX];
	unsigned int i, hits = 0, got;

	for (i = 0; i < n; i++) {
		if (ptcp_test_rand(seed) & 1) {
			keys[i] = &present[ptcp_test_rand(seed) % nb_present];
			hits++;
		} else {
			do {
				miss[i] = ptcp_test_flow_key(seed);
			} while (ptcp_flow_lookup(t, &miss[i]) != NULL);
			keys[i] = &miss[i];
		}
		owners[i] = (void *)(uintptr_t)0xdead;	/* must be written */
	}
	got = ptcp_flow_lookup_bulk(t, keys, n, owners);
	CHECK_EQ(got, hits);
	for (i = 0; i < n; i++)
		CHECK_MSG(owners[i] == ptcp_flow_lookup(t, keys[i]),
			"n %u: key %u: bulk %p, single %p", n, i, owners[i],
			ptcp_flow_lookup(t, keys[i]));
	return 0;
}

static int
bulk_lookup_matches_single_lookups(void)
{
	static const unsigned int sizes[] = { 1, 17, 64 };
	enum { N = 5000 };
	static struct ptcp_flow_key keys[N];
	static char tag[N];
	const struct ptcp_flow_key *all[PTCP_FLOW_BULK_MAX];
	void *owners[PTCP_FLOW_BULK_MAX];
	struct ptcp_flow_table *t;
	uint64_t seed = 7;
	unsigned int s, round, i;

	t = ptcp_flow_table_create("ut_bulk", N, (int)rte_socket_id());
	CHECK(t != NULL);
	CHECK_EQ(fill_random(t, keys, tag, N, 1), 0);
	for (s = 0; s < RTE_DIM(sizes); s++)
		for (round = 0; round < 50; round++)
			CHECK(bulk_matches_single(t, keys, N, sizes[s],
				&seed) == 0);
	/* all hits, all misses, and zero keys */
	for (i = 0; i < PTCP_FLOW_BULK_MAX; i++)
		all[i] = &keys[i];
	CHECK_EQ(ptcp_flow_lookup_bulk(t, all, PTCP_FLOW_BULK_MAX, owners),
		PTCP_FLOW_BULK_MAX);
	for (i = 0; i < PTCP_FLOW_BULK_MAX; i++)
		CHECK(owners[i] == &tag[i]);
	for (i = 0; i < PTCP_FLOW_BULK_MAX; i++)
		CHECK_EQ(ptcp_flow_del(t, &keys[i]), 0);
	CHECK_EQ(ptcp_flow_lookup_bulk(t, all, PTCP_FLOW_BULK_MAX, owners), 0);
	for (i = 0; i < PTCP_FLOW_BULK_MAX; i++)
		CHECK(owners[i] == NULL);
	CHECK_EQ(ptcp_flow_lookup_bulk(t, all, 0, owners), 0);
	ptcp_flow_table_free(t);
	return 0;
}

static int
iterate_visits_every_key_exactly_once(void)
{
	enum { N = 20000 };
	static struct ptcp_flow_key keys[N];
	static char tag[N];
	static uint8_t seen[N];
	const struct ptcp_flow_key *k;
	struct ptcp_flow_table *t;
	uint32_t next, visits, i;
	void *owner;
	int pass;

	/* N entries in a table for N: full, runs of slots are long */
	t = ptcp_flow_table_create("ut_iter", N, (int)rte_socket_id());
	CHECK(t != NULL);
	CHECK_EQ(fill_random(t, keys, tag, N, 3), 0);
	for (pass = 0; pass < 2; pass++) {
		memset(seen, 0, sizeof(seen));
		visits = 0;
		next = 0;
		while (ptcp_flow_iterate(t, &next, &k, &owner) == 0) {
			i = (uint32_t)((char *)owner - tag);
			CHECK(i < N);
			CHECK_EQ(seen[i], 0);
			CHECK(memcmp(k, &keys[i], PTCP_FLOW_KEY_LEN) == 0);
			seen[i] = 1;
			visits++;
		}
		CHECK_EQ(visits, ptcp_flow_count(t));
		for (i = 0; i < N; i++)
			CHECK_EQ(seen[i], pass == 0 || i % 3 != 0);
		/* the end stays the end */
		CHECK_EQ(ptcp_flow_iterate(t, &next, &k, &owner), -ENOENT);
		/* second pass: a third of the keys gone */
		for (i = 0; pass == 0 && i < N; i += 3)
			CHECK_EQ(ptcp_flow_del(t, &keys[i]), 0);
	}
	ptcp_flow_table_free(t);

	/* an empty table ends at once */
	t = ptcp_flow_table_create("ut_iter", 8, (int)rte_socket_id());
	CHECK(t != NULL);
	next = 0;
	CHECK_EQ(ptcp_flow_iterate(t, &next, &k, &owner), -ENOENT);
	ptcp_flow_table_free(t);
	return 0;
}

static int
keys_differing_in_one_field_are_distinct(void)
{
	const struct ptcp_flow_key v[] = {
		key(0x0a000002, 0x0a000001, 80, 40000),	/* the base */
		key(0x0a000003, 0x0a000001, 80, 40000),	/* laddr */
		key(0x0a000002, 0x0a000009, 80, 40000),	/* raddr */
		key(0x0a000002, 0x0a000001, 81, 40000),	/* lport */
		key(0x0a000002, 0x0a000001, 80, 40001),	/* rport */
		key(0x0a000001, 0x0a000002, 80, 40000),	/* addresses swapped */
		key(0x0a000002, 0x0a000001, 40000, 80),	/* ports swapped */
		key(0x8a000002, 0x0a000001, 80, 40000),	/* laddr top bit */
		key(0x0a000002, 0x0a000001, 80, 40000 ^ 0x8000), /* rport top */
	};
	struct ptcp_flow_table *t;
	int owner[RTE_DIM(v)];
	unsigned int i;

	t = ptcp_flow_table_create("ut_distinct", 64, (int)rte_socket_id());
	CHECK(t != NULL);
	for (i = 0; i < RTE_DIM(v); i++) {
		CHECK_EQ(ptcp_flow_add(t, &v[i], &owner[i]), 0);
		CHECK_EQ(ptcp_flow_count(t), i + 1);
	}
	for (i = 0; i < RTE_DIM(v); i++)
		CHECK(ptcp_flow_lookup(t, &v[i]) == &owner[i]);
	/* deleting one leaves its neighbours */
	CHECK_EQ(ptcp_flow_del(t, &v[0]), 0);
	for (i = 1; i < RTE_DIM(v); i++)
		CHECK(ptcp_flow_lookup(t, &v[i]) == &owner[i]);
	ptcp_flow_table_free(t);
	return 0;
}

/* Random adds and deletes against a plain array that says what is in. */
static int
churn_matches_a_model(void)
{
	enum { N = 4096, OPS = 200000 };
	static struct ptcp_flow_key keys[N];
	static uint8_t in[N];
	static char tag[N];
	struct ptcp_flow_table *t;
	uint64_t seed = 11;
	uint32_t i, count = 0, op;
	int ret;

	for (i = 0; i < N; i++)
		keys[i] = ptcp_test_flow_key(&seed);
	memset(in, 0, sizeof(in));
	t = ptcp_flow_table_create("ut_churn", N, (int)rte_socket_id());
	CHECK(t != NULL);
	for (op = 0; op < OPS; op++) {
		i = (uint32_t)(ptcp_test_rand(&seed) % N);
		switch (ptcp_test_rand(&seed) % 3) {
		case 0:
			ret = ptcp_flow_add(t, &keys[i], &tag[i]);
			CHECK_EQ(ret, in[i] ? -EEXIST : 0);
			count += !in[i];
			in[i] = 1;
			break;
		case 1:
			ret = ptcp_flow_del(t, &keys[i]);
			CHECK_EQ(ret, in[i] ? 0 : -ENOENT);
			count -= in[i];
			in[i] = 0;
			break;
		default:
			CHECK(ptcp_flow_lookup(t, &keys[i]) ==
				(in[i] ? &tag[i] : NULL));
			break;
		}
		CHECK_EQ(ptcp_flow_count(t), count);
	}
	ptcp_flow_table_free(t);
	return 0;
}

/*
 * Random operations of every kind against a model: a universe of U keys,
 * each either absent or owned by one of two owners (a TCB, a TIME-WAIT
 * entry). The table holds at most E < U, so adds meet -ENOSPC too.
 */
static int
random_ops_match_a_model(void)
{
	enum { U = 8192, E = 5000, OPS = 1200000 };
	static struct ptcp_flow_key keys[U];
	static char tcb[U], tw[U];
	static void *model[U];
	static uint8_t seen[U];
	const struct ptcp_flow_key *burst[PTCP_FLOW_BULK_MAX];
	void *owners[PTCP_FLOW_BULK_MAX];
	const struct ptcp_flow_key *k;
	struct ptcp_flow_stats st;
	struct ptcp_flow_table *t;
	uint64_t seed = 1234, r;
	uint32_t i, count = 0, op, next, visits;
	unsigned int n, j, hits;
	void *owner, *want;
	int ret;

	for (i = 0; i < U; i++)
		keys[i] = ptcp_test_flow_key(&seed);
	memset(model, 0, sizeof(model));
	t = ptcp_flow_table_create("ut_model", E, (int)rte_socket_id());
	CHECK(t != NULL);
	for (op = 0; op < OPS; op++) {
		r = ptcp_test_rand(&seed);
		i = (uint32_t)(r % U);
		r >>= 16;
		owner = (r & 16) ? (void *)&tw[i] : (void *)&tcb[i];
		switch (r % 16) {
		case 0: case 1: case 2:
			ret = ptcp_flow_add(t, &keys[i], owner);
			want = model[i];
			CHECK_MSG(ret == (want != NULL ? -EEXIST :
				count == E ? -ENOSPC : 0),
				"op %u add: %d (count %u)", op, ret, count);
			if (ret == 0) {
				model[i] = owner;
				count++;
			}
			break;
		case 3:
			/* what TCP does: insert after a lookup missed */
			if (ptcp_flow_lookup(t, &keys[i]) != NULL) {
				CHECK(model[i] != NULL);
				break;
			}
			CHECK(model[i] == NULL);
			ret = ptcp_flow_insert(t, &keys[i], owner);
			CHECK_EQ(ret, count == E ? -ENOSPC : 0);
			if (ret == 0) {
				model[i] = owner;
				count++;
			}
			break;
		case 4: case 5: case 6: case 7:
			ret = ptcp_flow_del(t, &keys[i]);
			CHECK_EQ(ret, model[i] != NULL ? 0 : -ENOENT);
			if (ret == 0) {
				model[i] = NULL;
				count--;
			}
			break;
		case 8:
			ret = ptcp_flow_set(t, &keys[i], owner);
			if (model[i] != NULL) {
				CHECK_EQ(ret, 0);
			} else {
				CHECK_EQ(ret, count == E ? -ENOSPC : 0);
				count += ret == 0;
			}
			if (ret == 0)
				model[i] = owner;
			break;
		case 9:
			ret = ptcp_flow_replace(t, &keys[i], owner);
			CHECK_EQ(ret, model[i] != NULL ? 0 : -ENOENT);
			if (ret == 0)
				model[i] = owner;
			break;
		case 10: case 11: case 12:
			CHECK_MSG(ptcp_flow_lookup(t, &keys[i]) == model[i],
				"op %u: lookup of key %u", op, i);
			break;
		default:
			/* a burst, repeats allowed (a burst of one flow) */
			n = 1 + (unsigned int)(r >> 8) % PTCP_FLOW_BULK_MAX;
			for (j = 0, hits = 0; j < n; j++) {
				i = (uint32_t)(ptcp_test_rand(&seed) % U);
				burst[j] = &keys[i];
				hits += model[i] != NULL;
				owners[j] = (void *)(uintptr_t)0xdead;
			}
			CHECK_EQ(ptcp_flow_lookup_bulk(t, burst, n, owners),
				hits);
			for (j = 0; j < n; j++)
				CHECK_MSG(owners[j] == model[burst[j] - keys],
					"op %u: bulk %u of %u", op, j, n);
			break;
		}
		CHECK_EQ(ptcp_flow_count(t), count);
		if (op % 100000 == 0) {
			ptcp_flow_stats(t, &st);
			CHECK_EQ(st.entries, count);
			CHECK(st.max_probe <= 32);
		}
	}
	/* and what is in is what the model says, each once */
	memset(seen, 0, sizeof(seen));
	next = 0;
	visits = 0;
	while (ptcp_flow_iterate(t, &next, &k, &owner) == 0) {
		if ((char *)owner >= tw && (char *)owner < tw + U)
			i = (uint32_t)((char *)owner - tw);
		else
			i = (uint32_t)((char *)owner - tcb);
		CHECK(i < U);
		CHECK(memcmp(k, &keys[i], sizeof(*k)) == 0);
		CHECK(model[i] == owner);
		CHECK_EQ(seen[i], 0);
		seen[i] = 1;
		visits++;
	}
	CHECK_EQ(visits, count);
	ptcp_flow_table_free(t);
	return 0;
}

/*
 * TIME-WAIT takeover as tcp_input_burst() sees it: a burst is looked up at
 * once; while its segments are processed one closes into TIME-WAIT
 * (ptcp_flow_set() of its present key to a new owner), others close and
 * open (deletes and adds move the slots of the runs around), and the
 * segments after that look up again. Each lookup, single or bulk, must see
 * the owner of the moment, and the takeover must not change the count.
 */
static int
timewait_takeover_during_a_burst(void)
{
	enum { U = 6000, N = 3000, ROUNDS = 2000, B = 32 };
	static struct ptcp_flow_key keys[U];
	static char tcb[U], tw[U];
	static void *model[U];
	const struct ptcp_flow_key *burst[B];
	void *owners[B];
	struct ptcp_flow_table *t;
	uint64_t seed = 99;
	uint32_t i, x, count, idx[B];
	unsigned int round, j, mid, c;

	for (i = 0; i < U; i++)
		keys[i] = ptcp_test_flow_key(&seed);
	memset(model, 0, sizeof(model));
	/* sized for N: full, so runs are long and a set must not move */
	t = ptcp_flow_table_create("ut_tw", N, (int)rte_socket_id());
	CHECK(t != NULL);
	for (i = 0; i < N; i++) {
		CHECK_EQ(ptcp_flow_add(t, &keys[i], &tcb[i]), 0);
		model[i] = &tcb[i];
	}
	count = N;
	for (round = 0; round < ROUNDS; round++) {
		/* a burst of present keys */
		for (j = 0; j < B; j++) {
			do {
				i = (uint32_t)(ptcp_test_rand(&seed) % U);
			} while (model[i] == NULL);
			idx[j] = i;
			burst[j] = &keys[i];
		}
		CHECK_EQ(ptcp_flow_lookup_bulk(t, burst, B, owners), B);
		mid = (unsigned int)(ptcp_test_rand(&seed) % B);
		for (j = 0; j < B; j++) {
			i = idx[j];
			/* the result is current unless the table changed */
			if (j <= mid)
				CHECK(owners[j] == model[i]);
			CHECK(ptcp_flow_lookup(t, burst[j]) == model[i]);
			if (j != mid)
				continue;
			/* this segment's connection goes to TIME-WAIT ... */
			CHECK_EQ(ptcp_flow_set(t, &keys[i], &tw[i]), 0);
			model[i] = &tw[i];
			CHECK_EQ(ptcp_flow_count(t), count);
			/* ... and others close and open meanwhile */
			for (c = 0; c < 4; c++) {
				do {
					x = (uint32_t)(ptcp_test_rand(&seed) %
						U);
				} while (model[x] == NULL || x == i);
				CHECK_EQ(ptcp_flow_del(t, &keys[x]), 0);
				model[x] = NULL;
				do {
					x = (uint32_t)(ptcp_test_rand(&seed) %
						U);
				} while (model[x] != NULL);
				CHECK_EQ(ptcp_flow_insert(t, &keys[x],
					&tcb[x]), 0);
				model[x] = &tcb[x];
			}
			CHECK(ptcp_flow_lookup(t, &keys[i]) == &tw[i]);
		}
		/* the next burst sees TIME-WAIT (or what closed) */
		CHECK(ptcp_flow_lookup_bulk(t, burst, B, owners) <= B);
		for (j = 0; j < B; j++)
			CHECK(owners[j] == model[idx[j]]);
		/* a new connection reuses the tuple: replace takes it back */
		i = idx[mid];
		if (model[i] == &tw[i] && (round & 1)) {
			CHECK_EQ(ptcp_flow_replace(t, &keys[i], &tcb[i]), 0);
			model[i] = &tcb[i];
		}
		CHECK_EQ(ptcp_flow_count(t), count);
	}
	for (i = 0; i < U; i++)
		CHECK(ptcp_flow_lookup(t, &keys[i]) == model[i]);
	ptcp_flow_table_free(t);
	return 0;
}

/* Flip bit @p bit (0..95) of the tuple part of a key. */
static void
key_flip(struct ptcp_flow_key *k, unsigned int bit)
{
	uint8_t *b = (uint8_t *)k;

	b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/*
 * Tuples an attacker can compute without any secret: 2^16 keys with one
 * and the same rte_hash_crc() value, for every initial value. CRC32 is
 * affine over GF(2): crc(seed, x) = L(x) ^ c(seed), so the tuples x0 ^ v
 * for v in the kernel of L share a CRC whatever the seed. Gaussian
 * elimination on the 96 tuple bits finds 16 independent kernel vectors.
 */
static int
crc_colliding_keys(struct ptcp_flow_key *out, uint32_t n, uint64_t *seed)
{
	struct vec {
		uint32_t v;			/* L() of the combination */
		struct ptcp_flow_key comb;	/* which tuple bits */
	} piv[32], cur;
	struct ptcp_flow_key zero, kern[16], base;
	uint32_t c0, j;
	unsigned int bit, b, nk = 0;
	int have[32] = { 0 };

	memset(&zero, 0, sizeof(zero));
	c0 = rte_hash_crc(&zero, sizeof(zero), 0);
	for (bit = 0; bit < 96 && nk < RTE_DIM(kern); bit++) {
		memset(&cur, 0, sizeof(cur));
		key_flip(&cur.comb, bit);
		cur.v = rte_hash_crc(&cur.comb, sizeof(cur.comb), 0) ^ c0;
		for (b = 32; b-- > 0;) {
			if ((cur.v & (1u << b)) == 0)
				continue;
			if (!have[b]) {
				piv[b] = cur;
				have[b] = 1;
				break;
			}
			cur.v ^= piv[b].v;
			cur.comb.laddr ^= piv[b].comb.laddr;
			cur.comb.raddr ^= piv[b].comb.raddr;
			cur.comb.lport ^= piv[b].comb.lport;
			cur.comb.rport ^= piv[b].comb.rport;
		}
		if (cur.v == 0)
			kern[nk++] = cur.comb;
	}
	CHECK_EQ(nk, RTE_DIM(kern));
	CHECK(n <= 1u << nk);
	base = ptcp_test_flow_key(seed);
	for (j = 0; j < n; j++) {
		out[j] = base;
		for (b = 0; b < nk; b++) {
			if ((j & (1u << b)) == 0)
				continue;
			out[j].laddr ^= kern[b].laddr;
			out[j].raddr ^= kern[b].raddr;
			out[j].lport ^= kern[b].lport;
			out[j].rport ^= kern[b].rport;
		}
		/* one CRC, whatever the seed: a CRC is not a keyed hash */
		CHECK_EQ(rte_hash_crc(&out[j], sizeof(out[j]), 0),
			rte_hash_crc(&base, sizeof(base), 0));
		CHECK_EQ(rte_hash_crc(&out[j], sizeof(out[j]), 0x5eed1234),
			rte_hash_crc(&base, sizeof(base), 0x5eed1234));
	}
	return 0;
}

/*
 * Fill a table of @p n with @p keys and check that its probe lengths are
 * those of random keys: bounded by a small constant, a mean near 2.
 */
static int
fill_and_check_probes(const char *what, const struct ptcp_flow_key *keys,
		uint32_t n, struct ptcp_flow_stats *st)
{
	static char tag[1u << 16];
	struct ptcp_flow_table *t;
	uint32_t i;

	t = ptcp_flow_table_create("ut_flood", n, (int)rte_socket_id());
	CHECK(t != NULL);
	for (i = 0; i < n; i++)
		CHECK_MSG(ptcp_flow_add(t, &keys[i], &tag[i]) == 0,
			"%s: key %u", what, i);
	for (i = 0; i < n; i++)
		CHECK(ptcp_flow_lookup(t, &keys[i]) == &tag[i]);
	ptcp_flow_stats(t, st);
	printf("  %s: %u keys in %u slots: max probe %u, mean %.2f\n", what,
		st->entries, st->slots, st->max_probe,
		(double)st->probe_sum / st->entries);
	CHECK_EQ(st->entries, n);
	/*
	 * Random keys at half load: a mean of ~1.5 slots, a maximum near
	 * ten at 2^16 keys (Robin Hood's spread is narrow). 32 leaves
	 * a margin that a chance secret does not reach; a flood that aims
	 * keys at one slot gives a maximum of n.
	 */
	CHECK_MSG(st->max_probe <= 32, "%s: max probe %u", what,
		st->max_probe);
	CHECK_MSG(st->probe_sum <= 3ull * st->entries, "%s: mean %.2f", what,
		(double)st->probe_sum / st->entries);
	ptcp_flow_table_free(t);
	return 0;
}

static int
hash_flooding_does_not_lengthen_probes(void)
{
	enum { N = 1u << 16 };
	static struct ptcp_flow_key keys[N];
	struct ptcp_flow_stats st;
	uint64_t seed = 2024;
	uint32_t i;

	/* the reference: random keys */
	for (i = 0; i < N; i++)
		keys[i] = ptcp_test_flow_key(&seed);
	CHECK(fill_and_check_probes("random", keys, N, &st) == 0);

	/* one rte_hash_crc value for all (one bucket in rte_hash) */
	CHECK(crc_colliding_keys(keys, N, &seed) == 0);
	CHECK(fill_and_check_probes("one CRC", keys, N, &st) == 0);

	/*
	 * One NH value under the all-zero secret: with laddr = 0 the first
	 * product is 0, with pad = 0 the second is too.
	 */
	for (i = 0; i < N; i++) {
		keys[i] = ptcp_test_flow_key(&seed);
		keys[i].laddr = 0;
		keys[i].raddr = rte_cpu_to_be_32(0x0a000000 | (i >> 4));
	}
	CHECK(fill_and_check_probes("zero-secret NH", keys, N, &st) == 0);

	/* one client, one server port, every client port: one host's reach */
	for (i = 0; i < N; i++)
		keys[i] = key(rte_cpu_to_be_32(0x0a000002),
			rte_cpu_to_be_32(0xc0a80001), rte_cpu_to_be_16(80),
			rte_cpu_to_be_16((uint16_t)i));
	CHECK(fill_and_check_probes("one client", keys, N, &st) == 0);
	return 0;
}

/*
 * Steady occupancy under churn: delete a key and add another, 1M times,
 * in a table kept full (half of its slots). Backward-shift deletion leaves no
 * tombstones: the probe lengths stay those of a freshly filled table.
 * (tests/bench/bench_flow.c does 100M cycles and times the lookups.)
 */
static int
churn_keeps_probe_lengths(void)
{
	enum { U = 1u << 16, N = 40000, E = 40000, CYCLES = 1000000 };
	static struct ptcp_flow_key keys[U];
	static uint32_t in[U], pos[U];
	static char tag[U];
	struct ptcp_flow_stats st0, st;
	struct ptcp_flow_table *t;
	uint64_t seed = 5;
	uint32_t i, c, a, b, nin = 0;
	double mean0, mean;

	for (i = 0; i < U; i++) {
		keys[i] = ptcp_test_flow_key(&seed);
		pos[i] = UINT32_MAX;
	}
	t = ptcp_flow_table_create("ut_steady", E, (int)rte_socket_id());
	CHECK(t != NULL);
	for (i = 0; i < N; i++) {
		CHECK_EQ(ptcp_flow_add(t, &keys[i], &tag[i]), 0);
		in[nin] = i;
		pos[i] = nin++;
	}
	ptcp_flow_stats(t, &st0);
	mean0 = (double)st0.probe_sum / st0.entries;
	for (c = 0; c < CYCLES; c++) {
		/* out: a random present key; in: a random absent one */
		a = (uint32_t)(ptcp_test_rand(&seed) % nin);
		i = in[a];
		CHECK_EQ(ptcp_flow_del(t, &keys[i]), 0);
		pos[i] = UINT32_MAX;
		do {
			b = (uint32_t)(ptcp_test_rand(&seed) % U);
		} while (pos[b] != UINT32_MAX || b == i);
		CHECK_EQ(ptcp_flow_insert(t, &keys[b], &tag[b]), 0);
		in[a] = b;
		pos[b] = a;
	}
	ptcp_flow_stats(t, &st);
	mean = (double)st.probe_sum / st.entries;
	printf("  after %u cycles: max probe %u -> %u, mean %.3f -> %.3f\n",
		CYCLES, st0.max_probe, st.max_probe, mean0, mean);
	CHECK_EQ(st.entries, N);
	CHECK(st.max_probe <= 32);
	/* another random set of N keys: the same mean within noise */
	CHECK(mean < mean0 * 1.15 + 0.05);
	for (a = 0; a < nin; a++)
		CHECK(ptcp_flow_lookup(t, &keys[in[a]]) == &tag[in[a]]);
	for (i = 0; i < U; i++)
		if (pos[i] == UINT32_MAX)
			CHECK(ptcp_flow_lookup(t, &keys[i]) == NULL);
	ptcp_flow_table_free(t);
	return 0;
}

/*
 * Interned IPv6 addresses against a model (counts per address) on random
 * gets and puts (fixed seed) over 300 addresses that differ in few bits,
 * in a table of 128: ids stay put while held, the same address gets the
 * same id, a full table says ENOSPC, every id comes back, and lookups
 * stay right through the backward shifts of many deletions.
 */
static int
addr6_interning_matches_a_model(void)
{
	enum { N = 300, CAP = 128 };
	void *mem = calloc(1, ptcp_addr6_memsize(CAP) + 64);
	struct ptcp_addr6_table *t = ptcp_addr6_init(
		(void *)RTE_ALIGN_CEIL((uintptr_t)mem, 64), CAP);
	static uint32_t refs[N], ids[N];
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned int seed = 6, step, i, held = 0, full = 0;

	CHECK(t != NULL);
	memset(refs, 0, sizeof(refs));
	for (step = 0; step < 200000; step++) {
		unsigned int k = (unsigned int)rand_r(&seed) % N;
		uint32_t id;

		a[14] = (uint8_t)(k >> 8);
		a[15] = (uint8_t)k;
		if (rand_r(&seed) % 2 == 0 || refs[k] == 0) {
			int rc = ptcp_addr6_get(t, a, &id);

			if (refs[k] == 0 && held == CAP) {
				CHECK_EQ(rc, -ENOSPC);
				full++;
				continue;
			}
			CHECK_EQ(rc, 0);
			if (refs[k] != 0)
				CHECK_EQ(id, ids[k]);
			else
				held++;
			ids[k] = id;
			refs[k]++;
			CHECK(memcmp(ptcp_addr6_addr(t, id), a, 16) == 0);
		} else {
			ptcp_addr6_put(t, ids[k]);
			if (--refs[k] == 0)
				held--;
		}
		if (step % 97 == 0) {
			for (i = 0; i < N; i++) {
				a[14] = (uint8_t)(i >> 8);
				a[15] = (uint8_t)i;
				CHECK_EQ(ptcp_addr6_find(t, a), refs[i] ? ids[i] :
					0u);
				if (refs[i] != 0)
					CHECK_EQ(ptcp_addr6_refs(t, ids[i]),
						refs[i]);
			}
			CHECK_EQ(ptcp_addr6_count(t), held);
		}
	}
	CHECK(full > 0);
	for (i = 0; i < N; i++)
		while (refs[i]-- > 0)
			ptcp_addr6_put(t, ids[i]);
	CHECK_EQ(ptcp_addr6_count(t), 0);
	free(mem);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(add_lookup_del_replace),
	TEST(add_of_a_present_key_is_eexist_and_keeps_the_owner),
	TEST(del_and_replace_of_a_missing_key_are_enoent),
	TEST(create_rejects_bad_arguments_and_duplicate_names),
	TEST(fills_to_capacity_with_random_keys),
	TEST(bulk_lookup_matches_single_lookups),
	TEST(iterate_visits_every_key_exactly_once),
	TEST(keys_differing_in_one_field_are_distinct),
	TEST(churn_matches_a_model),
	TEST(random_ops_match_a_model),
	TEST(timewait_takeover_during_a_burst),
	TEST(hash_flooding_does_not_lengthen_probes),
	TEST(addr6_interning_matches_a_model),
	TEST(churn_keeps_probe_lengths),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	const char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-shconf",
		"--no-pci", "-l", "0", "--no-telemetry", "--log-level=warning" };
	int ret;

	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = ptcp_test_run(tests, argc, argv);
	rte_eal_cleanup();
	return ret;
}
