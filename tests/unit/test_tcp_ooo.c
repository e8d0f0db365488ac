/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: lib/tcp's out-of-order queue (tcp_ooo.h). The EAL runs for
 * mbufs only (no hugepages, no devices). Every byte the tests send is
 * pat(its sequence number), as TCP retransmissions carry the same bytes
 * for the same numbers, so any byte queued or pulled can be checked where
 * it is. After each test the pool holds exactly what it held before.
 *
 * The randomized test takes its seed from PTCP_TEST_SEED (default fixed)
 * and prints it on failure.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp_test_eal.h"
#include "ptcp_test.h"
#include "ptcp_test_rand.h"
#include "tcp_ooo.h"
#include "tcp_seq.h"

static struct rte_mempool *pool;
static struct rte_mempool *clone_pool;  /* no data room: indirect mbufs */
static uint16_t buf_len;        /* buf_len of the pool's mbufs */

#define SEG_ROOM 2048           /* data room of the pool's mbufs */

/* The byte every test stream carries at sequence number @seq. */
static inline uint8_t
pat(uint32_t seq)
{
	return (uint8_t)((seq * UINT32_C(2654435761)) >> 24);
}

static inline uint32_t
ent_end(const struct rte_mbuf *x)
{
	return tcp_ooo_seq(x) + x->pkt_len;
}

/* One segment carrying [@seq, @seq + @len). */
static struct rte_mbuf *
mk_seg(uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	uint16_t i;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (i = 0; i < len; i++)
		p[i] = pat(seq + i);
	return m;
}

/* A chain carrying [@seq, ...) in @n segments of @lens[i] bytes. */
static struct rte_mbuf *
mk_segs(uint32_t seq, const uint16_t *lens, unsigned int n)
{
	struct rte_mbuf *head = NULL, *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = mk_seg(seq, lens[i]);
		if (m == NULL || (head != NULL && rte_pktmbuf_chain(head, m))) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (head == NULL)
			head = m;
		seq += lens[i];
	}
	return head;
}

static struct rte_mbuf *
mk(uint32_t seq, uint16_t len)
{
	return mk_segs(seq, &len, 1);
}

/* @m is a well-formed chain carrying exactly [@seq, @seq + @len). */
static int
chain_ok(const struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	const struct rte_mbuf *seg;
	uint32_t off = 0, nb = 0, i;

	CHECK(m != NULL);
	for (seg = m; seg != NULL; seg = seg->next) {
		const uint8_t *p = rte_pktmbuf_mtod(seg, const uint8_t *);

		CHECK(nb < 70000);
		for (i = 0; i < seg->data_len; i++)
			CHECK_MSG(p[i] == pat(seq + off + i),
				"byte at seq %" PRIu32 " (chain from %" PRIu32
				")", seq + off + i, seq);
		off += seg->data_len;
		nb++;
	}
	CHECK_EQ(m->pkt_len, off);
	CHECK_EQ(m->pkt_len, len);
	CHECK_EQ(m->nb_segs, nb);
	return 0;
}

/*
 * The queue against a recount of its list: entries sorted, disjoint and
 * not touching, each a well-formed chain of the right bytes; bytes,
 * truesize, nb and tail as counted.
 */
static int
queue_ok(const struct tcp_ooo *q)
{
	const struct rte_mbuf *x, *seg, *prev = NULL;
	uint32_t bytes = 0, truesize = 0, nb = 0;

	for (x = q->head; x != NULL; x = tcp_ooo_next(x)) {
		CHECK(nb < 100000);
		/* Touching only where the merge would overflow nb_segs. */
		if (prev != NULL)
			CHECK_MSG(SEQ_LT(ent_end(prev), tcp_ooo_seq(x)) ||
				(ent_end(prev) == tcp_ooo_seq(x) &&
				prev->nb_segs + x->nb_segs >
				RTE_MBUF_MAX_NB_SEGS),
				"entry %" PRIu32 "+%" PRIu32 " then %" PRIu32,
				tcp_ooo_seq(prev), prev->pkt_len,
				tcp_ooo_seq(x));
		CHECK(x->pkt_len > 0);
		if (chain_ok(x, tcp_ooo_seq(x), x->pkt_len) != 0)
			return -1;
		for (seg = x; seg != NULL; seg = seg->next)
			truesize += seg->buf_len;
		bytes += x->pkt_len;
		nb++;
		prev = x;
	}
	CHECK(q->tail == prev);
	CHECK_EQ(q->bytes, bytes);
	CHECK_EQ(q->truesize, truesize);
	CHECK_EQ(q->nb, nb);
	return 0;
}

/* The queue holds exactly the ranges @r[0..@n) (start, end pairs). */
static int
queue_is(const struct tcp_ooo *q, const uint32_t (*r)[2], unsigned int n)
{
	const struct rte_mbuf *x = q->head;
	unsigned int i;

	if (queue_ok(q) != 0)
		return -1;
	for (i = 0; i < n; i++, x = tcp_ooo_next(x)) {
		CHECK_MSG(x != NULL, "entry %u missing", i);
		CHECK_EQ(tcp_ooo_seq(x), r[i][0]);
		CHECK_EQ(ent_end(x), r[i][1]);
	}
	CHECK(x == NULL);
	return 0;
}

#define QUEUE_IS(q, ...) do { \
	const uint32_t r_[][2] = { __VA_ARGS__ }; \
	CHECK(queue_is((q), r_, RTE_DIM(r_)) == 0); \
} while (0)

#define QUEUE_EMPTY(q) do { \
	CHECK(queue_ok(q) == 0); \
	CHECK((q)->head == NULL); \
} while (0)

static int
register_is_idempotent(void)
{
	CHECK_EQ(tcp_ooo_register(), 0);
	CHECK_EQ(tcp_ooo_register(), 0);
	return 0;
}

static int
in_order_pull_after_holes_fill(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	struct tcp_ooo q;
	struct rte_mbuf *c;
	uint32_t rcv = 1000;
	bool fin = true;

	tcp_ooo_init(&q);
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK(!fin);
	CHECK_EQ(tcp_ooo_insert(&q, 1200, mk(1200, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 1400, mk(1400, 100), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 1200, 1300 }, { 1400, 1500 });
	/* Still a hole at 1000. */
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK_EQ(rcv, 1000);
	CHECK_EQ(tcp_ooo_insert(&q, 1100, mk(1100, 100), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 1100, 1300 }, { 1400, 1500 });
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);

	/* The caller takes 1000..1100 in order: the first entry follows. */
	rcv = 1100;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 1100, 200) == 0);
	CHECK_EQ(c->nb_segs, 2);
	CHECK_EQ(rcv, 1300);
	CHECK(!fin);
	rte_pktmbuf_free(c);
	QUEUE_IS(&q, { 1400, 1500 });
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);

	rcv = 1400;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 1400, 100) == 0);
	CHECK_EQ(rcv, 1500);
	rte_pktmbuf_free(c);
	QUEUE_EMPTY(&q);
	CHECK_EQ(q.bytes, 0);
	CHECK_EQ(q.truesize, 0);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
pull_trims_what_the_caller_already_has(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t three[] = { 20, 20, 60 };
	struct tcp_ooo q;
	struct rte_mbuf *c;
	uint32_t rcv = 100;
	bool fin;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk_segs(200, three, 3), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 3);
	/* In-order data overlapped the entry up to 250: two segments go. */
	rcv = 250;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 250, 50) == 0);
	CHECK_EQ(c->nb_segs, 1);
	CHECK_EQ(rcv, 300);
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 1);
	rte_pktmbuf_free(c);
	QUEUE_EMPTY(&q);

	/* Entries wholly below rcv_nxt are freed, the next one trimmed. */
	CHECK_EQ(tcp_ooo_insert(&q, 400, mk(400, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 600, mk(600, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 800, mk(800, 100), false, 0),
		TCP_OOO_QUEUED);
	rcv = 650;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 650, 50) == 0);
	CHECK_EQ(rcv, 700);
	rte_pktmbuf_free(c);
	QUEUE_IS(&q, { 800, 900 });
	/* Exactly at the end of an entry: it goes, nothing is returned. */
	rcv = 900;
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK_EQ(rcv, 900);
	QUEUE_EMPTY(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
new_data_covering_an_entry_is_split_around_it(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t aligned[] = { 100, 100, 100 };
	static const uint16_t across[] = { 150, 150 };
	struct tcp_ooo q;

	tcp_ooo_init(&q);
	/* Segment boundaries at the entry's edges: the middle one goes. */
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk_segs(100, aligned, 3), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 400 });
	CHECK_EQ(q.head->nb_segs, 3);
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 3);
	CHECK_EQ(q.last_start, 100);
	CHECK_EQ(q.last_end, 400);
	tcp_ooo_free(&q);

	/* Boundaries inside: each side keeps its own segment. */
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk_segs(100, across, 2), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 400 });
	CHECK_EQ(q.head->nb_segs, 3);
	CHECK_EQ(q.head->data_len, 100);
	CHECK_EQ(q.bytes, 300);
	tcp_ooo_free(&q);
	CHECK_EQ(q.truesize, 0);

	/*
	 * One segment across the whole entry: splitting it would take an
	 * allocation, so the bytes below are kept and those above dropped.
	 */
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 300), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 300 });
	CHECK_EQ(q.last_start, 100);
	CHECK_EQ(q.last_end, 300);
	tcp_ooo_free(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
new_data_inside_an_entry_is_a_duplicate(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t two[] = { 150, 150 };
	struct tcp_ooo q;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk_segs(100, two, 2), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 500, mk(500, 10), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(q.last_start, 500);
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), false, 0),
		TCP_OOO_DUP);
	/* The block of the duplicate comes first in the next SACK. */
	CHECK_EQ(q.last_start, 100);
	CHECK_EQ(q.last_end, 400);
	/* Exactly the same range, and its edges. */
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 300), false, 0),
		TCP_OOO_DUP);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 1), false, 0), TCP_OOO_DUP);
	CHECK_EQ(tcp_ooo_insert(&q, 399, mk(399, 1), false, 0), TCP_OOO_DUP);
	QUEUE_IS(&q, { 100, 400 }, { 500, 510 });
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 3);
	tcp_ooo_free(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
partial_overlaps_are_trimmed(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t front[] = { 30, 50, 60 };
	static const uint16_t back[] = { 60, 50, 30 };
	struct tcp_ooo q;

	tcp_ooo_init(&q);
	/* Front overlap: the new data goes on from the entry's end. */
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 150, mk(150, 100), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 250 });
	CHECK_EQ(q.head->nb_segs, 2);
	CHECK_EQ(q.last_start, 100);
	CHECK_EQ(q.last_end, 250);
	/* Back overlap: the new data stops at the entry. */
	CHECK_EQ(tcp_ooo_insert(&q, 50, mk(50, 100), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 50, 250 });
	CHECK_EQ(q.head->nb_segs, 3);
	CHECK_EQ(q.head->data_len, 50);
	tcp_ooo_free(&q);

	/* Trimming that empties whole segments frees them. */
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 120, mk_segs(120, front, 3), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 260 });
	CHECK_EQ(q.head->nb_segs, 2);
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 2);
	CHECK_EQ(tcp_ooo_insert(&q, 0, mk_segs(0, back, 3), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 0, 260 });
	CHECK_EQ(q.head->nb_segs, 4);
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 4);
	tcp_ooo_free(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
new_data_spanning_several_entries(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	/* Boundaries (105, 160, 270) inside each gap-entry span; one empty. */
	static const uint16_t odd[] = { 15, 55, 40, 0, 70, 1, 62, 77 };
	static const uint16_t late[] = { 15, 95 };
	uint16_t tens[32];
	struct tcp_ooo q;
	unsigned int i;

	for (i = 0; i < RTE_DIM(tens); i++)
		tens[i] = 10;
	tcp_ooo_init(&q);
	/* 32 segments of 10 bytes over three entries: one entry results. */
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 300, mk(300, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 400, mk(400, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 600, mk(600, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 180, mk_segs(180, tens, 32), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 180, 500 }, { 600, 650 });
	CHECK_EQ(q.bytes, 370);
	CHECK_EQ(q.last_start, 180);
	CHECK_EQ(q.last_end, 500);
	/* 3 old + 32 new, less the 15 wholly inside the old entries. */
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 4 + 32 - 15);
	tcp_ooo_free(&q);

	/* Boundaries at odd places, ending inside the last entry. */
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 20), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 150, mk(150, 30), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 250, mk(250, 40), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 330, mk(330, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 90, mk_segs(90, odd, RTE_DIM(odd)),
		false, 0), TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 90, 430 });
	tcp_ooo_free(&q);

	/* The first split works, the second falls inside one segment. */
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 20), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 150, mk(150, 30), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 90, mk_segs(90, late, 2), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 90, 180 });
	tcp_ooo_free(&q);

	/*
	 * One segment over several entries: what lies below the first is
	 * kept, the rest dropped (the sender retransmits it).
	 */
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 300, mk(300, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 180, mk(180, 320), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 180, 250 }, { 300, 350 });
	CHECK_EQ(q.last_start, 180);
	/* Two segments, the boundary between the entries: both gaps fill. */
	{
		static const uint16_t two[] = { 75, 100 };

		CHECK_EQ(tcp_ooo_insert(&q, 225, mk_segs(225, two, 2), false,
			0), TCP_OOO_QUEUED);
	}
	QUEUE_IS(&q, { 180, 400 });
	tcp_ooo_free(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
touching_entries_merge_into_one_chain(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t three[] = { 40, 30, 30 };
	static const uint16_t two[] = { 60, 40 };
	struct tcp_ooo q;
	struct rte_mbuf *c;
	uint32_t rcv = 10;
	bool fin;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk_segs(100, three, 3), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 300, mk_segs(300, two, 2), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 200 }, { 300, 400 });
	/* Fills the gap exactly: all three become one. */
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 100, 400 });
	CHECK_EQ(q.head->nb_segs, 6);
	CHECK_EQ(q.last_start, 100);
	CHECK_EQ(q.last_end, 400);
	/* Extends the tail, then the head. */
	CHECK_EQ(tcp_ooo_insert(&q, 400, mk(400, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 50, mk(50, 50), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 50, 450 });
	CHECK_EQ(q.head->nb_segs, 8);
	/* A later append still reaches the real last segment. */
	CHECK_EQ(tcp_ooo_insert(&q, 450, mk_segs(450, two, 2), false, 0),
		TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 50, 550 });
	CHECK_EQ(q.head->nb_segs, 10);

	rcv = 50;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 50, 500) == 0);
	CHECK_EQ(c->nb_segs, 10);
	CHECK_EQ(rcv, 550);
	rte_pktmbuf_free(c);
	QUEUE_EMPTY(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

/*
 * Segments someone else also holds: direct mbufs with refcnt 2 and
 * indirect mbufs (clones). Their bytes must be left as they were, their
 * metadata is ours to change, and what the queue frees is only released.
 */
static int
shared_segments_are_never_written(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t three[] = { 100, 100, 100 };
	static const uint16_t two[] = { 50, 50 };
	struct rte_mbuf *d, *seg[3], *orig, *clone, *c;
	const uint8_t *data[3];
	uint16_t len[3];
	struct tcp_ooo q;
	uint32_t rcv = 100;
	unsigned int i, j;
	bool fin;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), false, 0),
		TCP_OOO_QUEUED);

	/* A direct chain over [150, 450), every segment refcnt 2. */
	d = mk_segs(150, three, 3);
	CHECK(d != NULL);
	rte_pktmbuf_refcnt_update(d, 1);
	for (i = 0, c = d; i < 3; i++, c = c->next) {
		seg[i] = c;
		data[i] = rte_pktmbuf_mtod(c, const uint8_t *);
		len[i] = c->data_len;
	}
	CHECK_EQ(tcp_ooo_insert(&q, 150, d, false, 0), TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 150, 450 });

	/* A chain over [500, 600) queued as a clone around [540, 560). */
	orig = mk_segs(500, two, 2);
	CHECK(orig != NULL);
	clone = rte_pktmbuf_clone(orig, pool);
	CHECK(clone != NULL);
	CHECK_EQ(tcp_ooo_insert(&q, 540, mk(540, 20), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 500, clone, false, 0), TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 150, 450 }, { 500, 600 });
	CHECK(chain_ok(orig, 500, 100) == 0);
	CHECK_EQ(rte_mbuf_refcnt_read(orig), 2);

	rcv = 150;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 150, 300) == 0);
	rte_pktmbuf_free(c);
	rcv = 500;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 500, 100) == 0);
	rte_pktmbuf_free(c);
	QUEUE_EMPTY(&q);

	/* Our references are the last ones, the bytes unchanged. */
	for (i = 0; i < 3; i++) {
		CHECK_EQ(rte_mbuf_refcnt_read(seg[i]), 1);
		for (j = 0; j < len[i]; j++)
			CHECK(data[i][j] == pat(150 + 100 * i + j));
		rte_pktmbuf_free_seg(seg[i]);
	}
	CHECK_EQ(rte_mbuf_refcnt_read(orig), 1);
	CHECK(chain_ok(orig, 500, 100) == 0);
	rte_pktmbuf_free(orig);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
shared_segments_freed_by_trim_are_only_released(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	static const uint16_t three[] = { 20, 40, 60 };
	struct rte_mbuf *d, *seg[3], *c;
	const uint8_t *data[3];
	struct tcp_ooo q;
	uint32_t rcv = 100;
	unsigned int i, j;
	bool fin;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 130, mk(130, 70), false, 0),
		TCP_OOO_QUEUED);
	d = mk_segs(140, three, 3);
	CHECK(d != NULL);
	rte_pktmbuf_refcnt_update(d, 1);
	for (i = 0, c = d; i < 3; i++, c = c->next) {
		seg[i] = c;
		data[i] = rte_pktmbuf_mtod(c, const uint8_t *);
	}
	/* [140, 200) is queued: the first two segments go entirely. */
	CHECK_EQ(tcp_ooo_insert(&q, 140, d, false, 0), TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 130, 260 });
	for (i = 0; i < 2; i++) {
		CHECK_EQ(rte_mbuf_refcnt_read(seg[i]), 1);
		CHECK(seg[i]->next == NULL);
	}
	CHECK_EQ(rte_mbuf_refcnt_read(seg[2]), 2);
	rcv = 130;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 130, 130) == 0);
	rte_pktmbuf_free(c);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(rte_mbuf_refcnt_read(seg[i]), 1);
		for (j = 0; j < three[i]; j++)
			CHECK(data[i][j] == pat(140 + (i == 0 ? 0 :
				i == 1 ? 20 : 60) + j));
		rte_pktmbuf_free_seg(seg[i]);
	}
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
fin_is_kept_until_reached(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	struct tcp_ooo q;
	struct rte_mbuf *c;
	uint32_t rcv = 100;
	bool fin = true;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 100), true, 0),
		TCP_OOO_QUEUED);
	CHECK(q.fin);
	CHECK_EQ(q.fin_seq, 300);
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK(!fin);
	CHECK(q.fin);
	rcv = 200;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 200, 100) == 0);
	CHECK_EQ(rcv, 300);
	CHECK(fin);
	CHECK(!q.fin);
	rte_pktmbuf_free(c);
	/* Reported once. */
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK(!fin);

	/* A FIN on duplicate bytes is remembered all the same. */
	CHECK_EQ(tcp_ooo_insert(&q, 400, mk(400, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 450, mk(450, 50), true, 0), TCP_OOO_DUP);
	CHECK(q.fin);
	CHECK_EQ(q.fin_seq, 500);
	rcv = 400;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 400, 100) == 0);
	CHECK(fin);
	rte_pktmbuf_free(c);

	/* A bare FIN beyond a hole; reached by in-order data alone. */
	c = rte_pktmbuf_alloc(pool);
	CHECK(c != NULL);
	CHECK_EQ(tcp_ooo_insert(&q, 700, c, true, 0), TCP_OOO_DUP);
	CHECK(q.fin);
	CHECK_EQ(q.fin_seq, 700);
	rcv = 600;
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK(!fin);
	rcv = 700;
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	CHECK(fin);
	CHECK(!q.fin);

	/* Data beyond the FIN: once passed, the FIN is forgotten. */
	CHECK_EQ(tcp_ooo_insert(&q, 800, mk(800, 10), true, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 810, mk(810, 10), false, 0),
		TCP_OOO_QUEUED);
	rcv = 800;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 800, 20) == 0);
	CHECK(!fin);
	CHECK(!q.fin);
	rte_pktmbuf_free(c);
	QUEUE_EMPTY(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
limit_refuses_and_frees(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	uint32_t limit = 2u * buf_len + 100;
	struct tcp_ooo q;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 10), false, limit),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 200, mk(200, 10), false, limit),
		TCP_OOO_QUEUED);
	CHECK_EQ(q.truesize, 2u * buf_len);
	CHECK_EQ(q.last_start, 200);
	/* A third buffer would not fit: refused whole, FIN not kept. */
	CHECK_EQ(tcp_ooo_insert(&q, 300, mk(300, 10), true, limit),
		TCP_OOO_FULL);
	CHECK(!q.fin);
	CHECK_EQ(q.last_start, 200);
	QUEUE_IS(&q, { 100, 110 }, { 200, 210 });
	CHECK_EQ(rte_mempool_in_use_count(pool), used + 2);
	/* Counted before trimming: a partial overlap is refused too. */
	CHECK_EQ(tcp_ooo_insert(&q, 105, mk(105, 20), false, limit),
		TCP_OOO_FULL);
	/* A duplicate is a duplicate, full or not. */
	CHECK_EQ(tcp_ooo_insert(&q, 100, mk(100, 10), false, limit),
		TCP_OOO_DUP);
	QUEUE_IS(&q, { 100, 110 }, { 200, 210 });
	/* Exactly at the limit is allowed; 0 means no limit. */
	CHECK_EQ(tcp_ooo_insert(&q, 300, mk(300, 10), false, 3u * buf_len),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 400, mk(400, 10), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(q.truesize, 4u * buf_len);
	QUEUE_IS(&q, { 100, 110 }, { 200, 210 }, { 300, 310 }, { 400, 410 });
	tcp_ooo_free(&q);
	CHECK_EQ(q.truesize, 0);
	CHECK_EQ(q.nb, 0);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
sack_blocks_most_recent_first(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	struct tcp_sack_block b[TCP_OOO_SACK_MAX];
	struct tcp_ooo q;
	struct rte_mbuf *c;
	uint32_t rcv = 50;
	unsigned int i;
	bool fin;

	tcp_ooo_init(&q);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, TCP_OOO_SACK_MAX), 0);
	for (i = 0; i < 5; i++)
		if (i != 2)
			CHECK_EQ(tcp_ooo_insert(&q, 100 + 200 * i,
				mk(100 + 200 * i, 100), false, 0),
				TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 500, mk(500, 100), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 4);
	CHECK_EQ(b[0].start, 500);
	CHECK_EQ(b[0].end, 600);
	CHECK_EQ(b[1].start, 100);
	CHECK_EQ(b[1].end, 200);
	CHECK_EQ(b[2].start, 300);
	CHECK_EQ(b[3].start, 700);
	CHECK_EQ(b[3].end, 800);
	/* With timestamps only 3 fit. */
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 3), 3);
	CHECK_EQ(b[0].start, 500);
	CHECK_EQ(b[2].start, 300);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 0), 0);

	/* The first block is the merged entry holding the insert. */
	CHECK_EQ(tcp_ooo_insert(&q, 800, mk(800, 50), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 4);
	CHECK_EQ(b[0].start, 700);
	CHECK_EQ(b[0].end, 850);
	CHECK_EQ(b[1].start, 100);
	CHECK_EQ(b[2].start, 300);
	CHECK_EQ(b[3].start, 500);
	/* The highest entry, recent: the lowest ones follow. */
	CHECK_EQ(tcp_ooo_insert(&q, 1100, mk(1100, 10), false, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 4);
	CHECK_EQ(b[0].start, 1100);
	CHECK_EQ(b[1].start, 100);
	CHECK_EQ(b[3].start, 500);
	/* A duplicate names its block. */
	CHECK_EQ(tcp_ooo_insert(&q, 320, mk(320, 20), false, 0),
		TCP_OOO_DUP);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 4);
	CHECK_EQ(b[0].start, 300);
	CHECK_EQ(b[0].end, 400);
	CHECK_EQ(b[1].start, 100);
	CHECK_EQ(b[2].start, 500);
	CHECK_EQ(b[3].start, 700);

	/* Once the recent block is pulled, the rest go up from the lowest. */
	CHECK_EQ(tcp_ooo_insert(&q, 150, mk(150, 100), false, 0),
		TCP_OOO_QUEUED);
	rcv = 100;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 100, 150) == 0);
	rte_pktmbuf_free(c);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 4);
	CHECK_EQ(b[0].start, 300);
	CHECK_EQ(b[1].start, 500);
	CHECK_EQ(b[2].start, 700);
	CHECK_EQ(b[3].start, 900);
	tcp_ooo_free(&q);
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 0);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static int
sequence_numbers_wrap(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	struct tcp_sack_block b[TCP_OOO_SACK_MAX];
	static const uint16_t two[] = { 100, 156 };
	struct tcp_ooo q;
	struct rte_mbuf *c;
	uint32_t rcv = 0xffffff00u;
	bool fin;

	tcp_ooo_init(&q);
	/* [2^32 - 128, 128) across the wrap, in two segments. */
	CHECK_EQ(tcp_ooo_insert(&q, 0xffffff80u, mk_segs(0xffffff80u, two, 2),
		false, 0), TCP_OOO_QUEUED);
	CHECK_EQ(tcp_ooo_insert(&q, 0x100, mk(0x100, 0x80), true, 0),
		TCP_OOO_QUEUED);
	CHECK_EQ(q.fin_seq, 0x180);
	QUEUE_IS(&q, { 0xffffff80u, 0x80 }, { 0x100, 0x180 });
	/* Back overlap below the wrap. */
	CHECK_EQ(tcp_ooo_insert(&q, 0xffffff40u, mk(0xffffff40u, 0x60), false,
		0), TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 0xffffff40u, 0x80 }, { 0x100, 0x180 });
	CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 2);
	CHECK_EQ(b[0].start, 0xffffff40u);
	CHECK_EQ(b[0].end, 0x80);
	CHECK_EQ(b[1].start, 0x100);
	/* Front overlap across the wrap, filling the gap. */
	CHECK_EQ(tcp_ooo_insert(&q, 0xfffffff0u, mk(0xfffffff0u, 0x110), false,
		0), TCP_OOO_QUEUED);
	QUEUE_IS(&q, { 0xffffff40u, 0x180 });
	CHECK(tcp_ooo_pull(&q, &rcv, &fin) == NULL);
	rcv = 0xffffff40u;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 0xffffff40u, 0x240) == 0);
	CHECK_EQ(rcv, 0x180);
	CHECK(fin);
	rte_pktmbuf_free(c);

	/* A FIN at sequence number 0. */
	rcv = 0xffffffe0u;
	CHECK_EQ(tcp_ooo_insert(&q, 0xfffffff0u, mk(0xfffffff0u, 16), true,
		0), TCP_OOO_QUEUED);
	CHECK_EQ(q.fin_seq, 0);
	rcv = 0xfffffff8u;
	c = tcp_ooo_pull(&q, &rcv, &fin);
	CHECK(chain_ok(c, 0xfffffff8u, 8) == 0);
	CHECK_EQ(rcv, 0);
	CHECK(fin);
	rte_pktmbuf_free(c);
	QUEUE_EMPTY(&q);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

/*
 * An entry of RTE_MBUF_MAX_NB_SEGS one-byte segments from [@seq, ...):
 * indirect mbufs over @nd direct ones of SEG_ROOM bytes each (@d).
 */
static struct rte_mbuf *
mk_max_segs(uint32_t seq, struct rte_mbuf **d, unsigned int nd)
{
	struct rte_mbuf *head = NULL, *prev = NULL, *mi;
	uint32_t j;

	for (j = 0; j < nd; j++) {
		d[j] = mk_seg(seq + j * SEG_ROOM, SEG_ROOM);
		if (d[j] == NULL)
			return NULL;
	}
	for (j = 0; j < RTE_MBUF_MAX_NB_SEGS; j++) {
		mi = rte_pktmbuf_alloc(clone_pool);
		if (mi == NULL)
			return NULL;
		rte_pktmbuf_attach(mi, d[j / SEG_ROOM]);
		mi->data_off = (uint16_t)(mi->data_off + j % SEG_ROOM);
		mi->data_len = 1;
		mi->pkt_len = 1;
		if (prev == NULL)
			head = mi;
		else
			prev->next = mi;
		prev = mi;
	}
	head->nb_segs = RTE_MBUF_MAX_NB_SEGS;
	head->pkt_len = RTE_MBUF_MAX_NB_SEGS;
	return head;
}

/*
 * Touching entries whose chains together would exceed
 * RTE_MBUF_MAX_NB_SEGS stay two entries; a pull returns what fits in one
 * chain and leaves the rest, in order, for the next.
 */
static int
merge_refused_past_max_segments(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	unsigned int cused = rte_mempool_in_use_count(clone_pool);
	const uint32_t base = 0xffff0000u, mid = base + RTE_MBUF_MAX_NB_SEGS;
	struct tcp_sack_block b[TCP_OOO_SACK_MAX];
	struct rte_mbuf *d[RTE_MBUF_MAX_NB_SEGS / SEG_ROOM + 1], *c;
	const unsigned int nd = RTE_DIM(d);
	struct tcp_ooo q;
	uint32_t rcv;
	unsigned int i, j;
	bool fin;

	tcp_ooo_init(&q);
	for (i = 0; i < 2; i++) {
		c = mk_max_segs(base, d, nd);
		CHECK(c != NULL);
		CHECK_EQ(tcp_ooo_insert(&q, base, c, false, 0),
			TCP_OOO_QUEUED);
		/* Ours go: the queue's indirect mbufs hold the buffers. */
		for (j = 0; j < nd; j++)
			rte_pktmbuf_free(d[j]);
		CHECK_EQ(tcp_ooo_insert(&q, mid, mk(mid, 10), true, 0),
			TCP_OOO_QUEUED);
		QUEUE_IS(&q, { base, mid }, { mid, mid + 10 });
		CHECK_EQ(tcp_ooo_sack_blocks(&q, b, 4), 2);
		/* Across the seam, all queued already. */
		CHECK_EQ(tcp_ooo_insert(&q, mid - 5, mk(mid - 5, 10), false,
			0), TCP_OOO_DUP);
		CHECK_EQ(q.last_start, base);
		if (i == 0) {
			/* Both do not fit in one chain: two pulls. */
			rcv = base;
			c = tcp_ooo_pull(&q, &rcv, &fin);
			CHECK(chain_ok(c, base, RTE_MBUF_MAX_NB_SEGS) == 0);
			CHECK_EQ(rcv, mid);
			CHECK(!fin);
			rte_pktmbuf_free(c);
			c = tcp_ooo_pull(&q, &rcv, &fin);
			CHECK(chain_ok(c, mid, 10) == 0);
		} else {
			/* Ten segments trimmed: then they do. */
			rcv = base + 10;
			c = tcp_ooo_pull(&q, &rcv, &fin);
			CHECK(chain_ok(c, base + 10,
				RTE_MBUF_MAX_NB_SEGS) == 0);
		}
		CHECK_EQ(rcv, mid + 10);
		CHECK(fin);
		rte_pktmbuf_free(c);
		QUEUE_EMPTY(&q);
	}
	CHECK_EQ(rte_mempool_in_use_count(clone_pool), cused);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

/* ---- the randomized stream ------------------------------------------ */

#define STREAM_LEN   (256u * 1024)
#define STREAM_WIN   (48u * 1024)   /* new data within rcv_nxt + this */
#define STREAM_BAG   24             /* segments in flight, reordered */
#define STREAM_HELD  8              /* other holders' references */
#define STREAM_STEPS 2000000
#define STREAM_SECS  60
#define STREAM_RUNS  8              /* seeds per test run */
#define STREAM_LIMIT 32u            /* buffers, every other run */

struct held {
	struct rte_mbuf *m;
	bool chain;                 /* a direct chain, its clone queued */
	const uint8_t *data;        /* else one segment: its bytes then */
	uint32_t seq;
	uint32_t len;
};

struct stream {
	uint64_t rng;
	uint32_t isn;
	uint32_t limit;
	uint32_t rcv;               /* rcv_nxt - isn */
	uint32_t hi;                /* first byte never sent - isn */
	bool fin_seen;
	uint8_t *got;
	struct tcp_ooo q;
	struct { uint32_t off, len; } bag[STREAM_BAG];
	unsigned int nbag;
	struct held held[STREAM_HELD];
	unsigned int nheld;
	uint64_t queued, dup, full, pulls;
};

static uint32_t
rnd(struct stream *st, uint32_t n)
{
	return (uint32_t)(ptcp_test_rand(&st->rng) % n);
}

/* [@seq, @seq + @len) in 1 to 4 segments cut at random, some empty. */
static struct rte_mbuf *
mk_random(struct stream *st, uint32_t seq, uint32_t len)
{
	uint16_t lens[8];
	unsigned int n = 1 + rnd(st, 4), i;
	uint32_t rem = len, lo, hi;

	while (n * SEG_ROOM < len)
		n++;
	for (i = 0; i + 1 < n; i++) {
		lo = rem > (n - 1 - i) * SEG_ROOM ?
			rem - (n - 1 - i) * SEG_ROOM : 0;
		hi = RTE_MIN(rem, (uint32_t)SEG_ROOM);
		lens[i] = (uint16_t)(lo + rnd(st, hi - lo + 1));
		rem -= lens[i];
	}
	lens[i] = (uint16_t)rem;
	return mk_segs(seq, lens, n);
}

static int
held_release(struct held *h)
{
	uint32_t i;

	if (h->chain) {
		if (chain_ok(h->m, h->seq, h->len) != 0)
			return -1;
		rte_pktmbuf_free(h->m);
	} else {
		for (i = 0; i < h->len; i++)
			CHECK(h->data[i] == pat(h->seq + i));
		rte_pktmbuf_free_seg(h->m);
	}
	h->m = NULL;
	return 0;
}

static int
held_add(struct stream *st, struct rte_mbuf *m, bool chain,
		uint32_t seq)
{
	struct held *h;

	if (st->nheld == STREAM_HELD) {
		h = &st->held[rnd(st, STREAM_HELD)];
		if (held_release(h) != 0)
			return -1;
	} else {
		h = &st->held[st->nheld++];
	}
	h->m = m;
	h->chain = chain;
	h->data = rte_pktmbuf_mtod(m, const uint8_t *);
	h->seq = seq;
	h->len = chain ? m->pkt_len : m->data_len;
	return 0;
}

/* Copy @len bytes from offset @off of chain @m to @dst. */
static void
chain_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len,
		uint8_t *dst)
{
	uint32_t n;

	for (; m != NULL && len != 0; m = m->next) {
		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		n = RTE_MIN(len, (uint32_t)m->data_len - off);
		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off),
			n);
		dst += n;
		len -= n;
		off = 0;
	}
}

/* The SACK blocks describe the queue as documented. */
static int
stream_sack_ok(const struct tcp_ooo *q)
{
	struct tcp_sack_block b[TCP_OOO_SACK_MAX];
	const struct rte_mbuf *x;
	unsigned int n, i, first = 0;

	n = tcp_ooo_sack_blocks(q, b, TCP_OOO_SACK_MAX);
	CHECK_EQ(n, RTE_MIN(q->nb, (uint32_t)TCP_OOO_SACK_MAX));
	for (x = q->head; x != NULL; x = tcp_ooo_next(x))
		if (tcp_ooo_seq(x) == q->last_start &&
				ent_end(x) == q->last_end)
			first = 1;
	if (first != 0) {
		CHECK_EQ(b[0].start, q->last_start);
		CHECK_EQ(b[0].end, q->last_end);
	}
	/* The others: the lowest entries, in order, the first skipped. */
	x = q->head;
	for (i = first; i < n; i++, x = tcp_ooo_next(x)) {
		if (first != 0 && tcp_ooo_seq(x) == q->last_start)
			x = tcp_ooo_next(x);
		CHECK(x != NULL);
		CHECK_EQ(b[i].start, tcp_ooo_seq(x));
		CHECK_EQ(b[i].end, ent_end(x));
	}
	return 0;
}

/* One segment [@off, @off + @len) of the stream arrives. */
static int
stream_deliver(struct stream *st, uint32_t off, uint32_t len)
{
	bool fin = off + len == STREAM_LEN, pfin;
	uint32_t rcv_nxt, bytes = st->q.bytes, ts = st->q.truesize;
	uint32_t nb = st->q.nb;
	enum tcp_ooo_result res;
	struct rte_mbuf *m, *c;
	unsigned int kind;

	if (off + len <= st->rcv) {
		/* Old: the caller drops it without the queue. */
		if (fin)
			st->fin_seen = true;
		return 0;
	}
	m = mk_random(st, st->isn + off, len);
	CHECK(m != NULL);
	kind = rnd(st, 8);
	if (kind == 0) {
		/* Queue a clone; the original stays with someone else. */
		c = rte_pktmbuf_clone(m, pool);
		CHECK(c != NULL);
		if (held_add(st, m, true, st->isn + off) != 0)
			return -1;
		m = c;
	} else if (kind == 1) {
		/* Someone else holds the first segment too. */
		rte_mbuf_refcnt_update(m, 1);
		if (held_add(st, m, false, st->isn + off) != 0)
			return -1;
	}

	if (off <= st->rcv) {
		/* In order: the caller takes it, then what the queue has. */
		chain_copy(m, st->rcv - off, off + len - st->rcv,
			st->got + st->rcv);
		st->rcv = off + len;
		if (fin)
			st->fin_seen = true;
		rte_pktmbuf_free(m);
		rcv_nxt = st->isn + st->rcv;
		c = tcp_ooo_pull(&st->q, &rcv_nxt, &pfin);
		if (c != NULL) {
			CHECK_EQ(c->pkt_len, rcv_nxt - (st->isn + st->rcv));
			if (chain_ok(c, st->isn + st->rcv, c->pkt_len) != 0)
				return -1;
			chain_copy(c, 0, c->pkt_len, st->got + st->rcv);
			st->rcv += c->pkt_len;
			rte_pktmbuf_free(c);
			st->pulls++;
		}
		CHECK_EQ(rcv_nxt, st->isn + st->rcv);
		if (pfin) {
			CHECK_EQ(st->rcv, STREAM_LEN);
			st->fin_seen = true;
		}
		if (st->q.head != NULL)
			CHECK(SEQ_GT(tcp_ooo_seq(st->q.head), rcv_nxt));
	} else {
		res = tcp_ooo_insert(&st->q, st->isn + off, m, fin,
			st->limit);
		switch (res) {
		case TCP_OOO_QUEUED:
			CHECK(st->q.bytes > bytes);
			CHECK(SEQ_LEQ(st->q.last_start, st->isn + off));
			CHECK(SEQ_LT(st->isn + off, st->q.last_end));
			st->queued++;
			break;
		case TCP_OOO_DUP:
			CHECK_EQ(st->q.bytes, bytes);
			st->dup++;
			break;
		case TCP_OOO_FULL:
			CHECK(st->limit != 0);
			CHECK_EQ(st->q.bytes, bytes);
			CHECK_EQ(st->q.truesize, ts);
			CHECK_EQ(st->q.nb, nb);
			st->full++;
			break;
		default:
			CHECK(false);
		}
	}
	if (queue_ok(&st->q) != 0)
		return -1;
	return stream_sack_ok(&st->q);
}

/* Send something: new data, or a retransmission around rcv_nxt. */
static void
stream_send(struct stream *st)
{
	bool can_new = st->hi < STREAM_LEN &&
		st->hi - st->rcv < STREAM_WIN;
	uint32_t off, len, lo;

	if (can_new && (rnd(st, 2) != 0 || st->hi == st->rcv)) {
		off = st->hi;
		len = 1 + rnd(st, rnd(st, 4) == 0 ? 64 : 1460);
		len = RTE_MIN(len, STREAM_LEN - off);
		len = RTE_MIN(len, st->rcv + STREAM_WIN - off);
		st->hi += len;
	} else if (st->hi > st->rcv) {
		/*
		 * Anything sent and not acknowledged, or a little before;
		 * half the time from around rcv_nxt (an RTO, a fast
		 * retransmit).
		 */
		lo = st->rcv > 300 ? st->rcv - 300 : 0;
		if (rnd(st, 2) == 0)
			off = lo + rnd(st, st->rcv - lo + 1);
		else
			off = lo + rnd(st, st->hi - lo);
		len = 1 + rnd(st, 3000);
		len = RTE_MIN(len, st->hi - off);
	} else {
		/* All received but the FIN: the last byte again, with it. */
		off = STREAM_LEN - 1;
		len = 1;
	}
	st->bag[st->nbag].off = off;
	st->bag[st->nbag].len = len;
	st->nbag++;
}

static int
stream_run(struct stream *st, uint64_t seed, uint32_t limit)
{
	struct timespec t0, t;
	unsigned int i;
	uint32_t step;

	memset(st, 0, sizeof(*st));
	st->rng = seed;
	/* Always across 2^32 somewhere in the stream. */
	st->isn = (uint32_t)0 - (1 + rnd(st, STREAM_LEN - 1));
	st->limit = limit;
	st->got = malloc(STREAM_LEN);
	CHECK(st->got != NULL);
	tcp_ooo_init(&st->q);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (step = 0; !(st->rcv == STREAM_LEN && st->fin_seen); step++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		CHECK_MSG(step < STREAM_STEPS && t.tv_sec - t0.tv_sec <
			STREAM_SECS, "no end after %" PRIu32 " steps: rcv %"
			PRIu32 " hi %" PRIu32, step, st->rcv, st->hi);
		if (st->nbag > 0 && (st->nbag == STREAM_BAG ||
				rnd(st, 3) == 0)) {
			i = rnd(st, st->nbag);
			if (stream_deliver(st, st->bag[i].off,
					st->bag[i].len) != 0)
				return -1;
			st->bag[i] = st->bag[--st->nbag];
		} else {
			stream_send(st);
		}
	}
	CHECK_EQ(st->q.nb, 0);
	tcp_ooo_free(&st->q);
	for (i = 0; i < st->nheld; i++)
		if (held_release(&st->held[i]) != 0)
			return -1;
	for (i = 0; i < STREAM_LEN; i++)
		CHECK_MSG(st->got[i] == pat(st->isn + i),
			"stream byte %u", i);
	free(st->got);
	return 0;
}

static int
random_stream_reassembles_exactly(void)
{
	unsigned int used = rte_mempool_in_use_count(pool);
	const char *s = getenv("PTCP_TEST_SEED");
	uint64_t seed = s != NULL ? strtoull(s, NULL, 0) :
		UINT64_C(0x5eed2026);
	struct stream *st = malloc(sizeof(*st));
	uint64_t queued = 0, dup = 0, full = 0;
	unsigned int run;

	CHECK(st != NULL);
	/* Unlimited, then limited so that some inserts are refused. */
	for (run = 0; run < STREAM_RUNS; run++) {
		if (stream_run(st, seed + run, (run & 1) ?
				STREAM_LIMIT * buf_len : 0) != 0) {
			fprintf(stderr, "  seed %" PRIu64 " (run %u of "
				"PTCP_TEST_SEED=%" PRIu64 ")\n", seed + run,
				run, seed);
			return -1;
		}
		printf("  seed %" PRIu64 ": isn %" PRIu32 ", %" PRIu64
			" queued, %" PRIu64 " dup, %" PRIu64 " full, %" PRIu64
			" pulls\n", seed + run, st->isn, st->queued, st->dup,
			st->full, st->pulls);
		queued += st->queued;
		dup += st->dup;
		full += st->full;
	}
	free(st);
	/* The runs did meet every outcome. */
	CHECK(queued > 0);
	CHECK(dup > 0);
	CHECK(full > 0);
	CHECK_EQ(rte_mempool_in_use_count(pool), used);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(register_is_idempotent),
	TEST(in_order_pull_after_holes_fill),
	TEST(pull_trims_what_the_caller_already_has),
	TEST(new_data_covering_an_entry_is_split_around_it),
	TEST(new_data_inside_an_entry_is_a_duplicate),
	TEST(partial_overlaps_are_trimmed),
	TEST(new_data_spanning_several_entries),
	TEST(touching_entries_merge_into_one_chain),
	TEST(shared_segments_are_never_written),
	TEST(shared_segments_freed_by_trim_are_only_released),
	TEST(fin_is_kept_until_reached),
	TEST(limit_refuses_and_frees),
	TEST(sack_blocks_most_recent_first),
	TEST(sequence_numbers_wrap),
	TEST(merge_refused_past_max_segments),
	TEST(random_stream_reassembles_exactly),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	const char *eal[] = { argv[0], "--no-huge", "-m", "128", "--no-shconf",
		"--no-pci", "-l", "0", "--log-level=warning",
		"--no-telemetry" };
	struct rte_mbuf *m;
	int ret;

	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (tcp_ooo_register() != 0) {
		fprintf(stderr, "tcp_ooo_register: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("ooo_pool", 8191, 0, 0,
		RTE_PKTMBUF_HEADROOM + SEG_ROOM, SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	clone_pool = rte_pktmbuf_pool_create("ooo_clone_pool",
		RTE_MBUF_MAX_NB_SEGS + 1, 0, 0, 0, SOCKET_ID_ANY);
	if (clone_pool == NULL)
		return 1;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return 1;
	buf_len = m->buf_len;
	rte_pktmbuf_free(m);
	ret = ptcp_test_run(tests, argc, argv);
	if (rte_mempool_in_use_count(pool) != 0) {
		fprintf(stderr, "ooo_pool: %u mbufs still in use\n",
			rte_mempool_in_use_count(pool));
		ret = 1;
	}
	if (rte_mempool_in_use_count(clone_pool) != 0) {
		fprintf(stderr, "ooo_clone_pool: %u mbufs still in use\n",
			rte_mempool_in_use_count(clone_pool));
		ret = 1;
	}
	rte_mempool_free(clone_pool);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
