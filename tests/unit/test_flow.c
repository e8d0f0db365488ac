/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/flow: the per-lcore 4-tuple table over rte_hash.
 * Needs the EAL (rte_hash lives in DPDK memory), no devices.
 *
 * Owners are pointers into an array, so a test knows which key an owner
 * belongs to; random keys come from a fixed-seed generator.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

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
	/* 22 characters: rte_hash would cut its ring names */
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
 * Every size up to `entries` takes random keys without -ENOSPC, including
 * powers of two (main buckets 100% full: the extendable buckets take the
 * overflow) and sizes below one bucket.
 */
static int
fills_to_capacity_with_random_keys(void)
{
	static const uint32_t sizes[] = { 1, 7, 8, 100, 1000, 4096, 65535,
		65536, 65537, 100003, 262144 };
	struct ptcp_flow_key *keys, extra;
	struct ptcp_flow_table *t;
	uint64_t seed = 42;
	unsigned int s;
	uint32_t i, n;
	char *tag;
	int ret;

	keys = calloc(262144, sizeof(*keys));
	tag = calloc(262144, 1);
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
		/* one more is one too many */
		do {
			extra = ptcp_test_flow_key(&seed);
		} while (ptcp_flow_lookup(t, &extra) != NULL);
		CHECK_EQ(ptcp_flow_add(t, &extra, tag), -ENOSPC);
		CHECK(ptcp_flow_lookup(t, &extra) == NULL);
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

	/* N entries in a table for N: the extendable buckets are in use */
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
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-shconf",
		"--no-pci", "-l", "0", "--no-telemetry", "--log-level=warning" };
	int ret;

	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = ptcp_test_run(tests, argc, argv);
	rte_eal_cleanup();
	return ret;
}
