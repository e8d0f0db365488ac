/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receiver's out-of-order queue (tcp_ooo.h). Entries are the mbuf
 * chains the data arrived in; nothing is copied and nothing is allocated.
 * Segments may be indirect or shared (refcnt > 1), so a buffer's bytes are
 * never written: trimming moves data_off/data_len and frees segments that
 * become empty, splitting relinks segments.
 *
 * Splitting new data around a queued entry works at segment boundaries
 * only. When one segment of the new data spans a whole queued entry, both
 * sides would need that segment, which takes an allocation (a clone): the
 * bytes below the entry are kept and the bytes above it are dropped
 * instead. The sender retransmits them (they are outside every SACK block
 * we report), and it only happens when the sender re-packetizes across
 * data we already hold.
 *
 * The limit is checked against the buffers of the whole new chain, before
 * it is trimmed (what trimming frees is then given back). A refused insert
 * leaves no trace, its FIN included: the sender sends both again. A FIN
 * is reported by the pull that ends exactly on it; a pull that goes past
 * it (data beyond a FIN: the peer contradicts itself) forgets it.
 */

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "tcp_ooo.h"
#include "tcp_seq.h"

/*
 * Per entry, in the head mbuf's dynamic field. Besides the link and the
 * sequence number, the entry keeps its last segment and its buffer bytes:
 * appending to an entry (the common case: data keeps arriving after a
 * single hole) and pulling it then cost O(1), not a walk of a chain that
 * can hold a whole window of segments. The field is meaningless in any
 * other segment of the chain.
 */
struct ooo_dyn {
	struct rte_mbuf *next;      /* next entry, NULL at the tail */
	struct rte_mbuf *last;      /* last segment of this entry */
	uint32_t seq;               /* sequence number of the first byte */
	uint32_t truesize;          /* sum of buf_len of the entry's segments */
};

/*
 * The field's offset: process-wide by nature (every mbuf of every pool
 * has it at the same place), set by the first tcp_ooo_register(), before
 * any queue is used, and only read afterwards (registering again returns
 * the same offset). The one piece of file-scope state, kept as DPDK keeps
 * its own dynamic field offsets: a plain int the fast path reads freely.
 */
static int ooo_dyn_offset = -1;

static inline struct ooo_dyn *
dyn(const struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, ooo_dyn_offset, struct ooo_dyn *);
}

static inline uint32_t
ent_seq(const struct rte_mbuf *m)
{
	return dyn(m)->seq;
}

static inline uint32_t
ent_end(const struct rte_mbuf *m)
{
	return dyn(m)->seq + m->pkt_len;
}

int
tcp_ooo_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "ptcp_tcp_ooo",
		.size = sizeof(struct ooo_dyn),
		.align = __alignof__(struct ooo_dyn),
	};
	int off;

	if (ooo_dyn_offset >= 0)
		return 0;
	/* Registering the same name and shape again returns the offset. */
	off = rte_mbuf_dynfield_register(&desc);
	if (off < 0)
		return -1;
	ooo_dyn_offset = off;
	return 0;
}

void
tcp_ooo_init(struct tcp_ooo *q)
{
	*q = (struct tcp_ooo){ .head = NULL };
}

uint32_t
tcp_ooo_seq(const struct rte_mbuf *m)
{
	return ent_seq(m);
}

void
tcp_ooo_set_seq(struct rte_mbuf *m, uint32_t seq)
{
	dyn(m)->seq = seq;
}

struct rte_mbuf *
tcp_ooo_next(const struct rte_mbuf *m)
{
	return dyn(m)->next;
}

/*
 * Free the segments from @seg up to, not including, @stop (NULL: to the
 * end of the chain), one by one and unlinked first: a segment someone else
 * also holds (refcnt > 1) must not keep pointing into our chain.
 * @return the buf_len they held.
 */
static uint32_t
segs_free(struct rte_mbuf *seg, struct rte_mbuf *stop)
{
	struct rte_mbuf *next;
	uint32_t ts = 0;

	while (seg != stop) {
		next = seg->next;
		ts += seg->buf_len;
		seg->next = NULL;
		rte_pktmbuf_free_seg(seg);
		seg = next;
	}
	return ts;
}

/*
 * Drop the first @n bytes of entry @m (0 < @n < pkt_len), across segment
 * boundaries. @return the new head, whose dynamic field carries the
 * entry's last segment and truesize (seq and next are the caller's).
 */
static struct rte_mbuf *
trim_front(struct tcp_ooo *q, struct rte_mbuf *m, uint32_t n)
{
	struct rte_mbuf *last = dyn(m)->last;
	uint32_t ts = dyn(m)->truesize;
	uint32_t pkt_len = m->pkt_len - n;
	uint16_t nb_segs = m->nb_segs;
	struct rte_mbuf *seg = m, *next;
	struct ooo_dyn *d;

	/* Bytes remain after @n, so this stops before the last segment. */
	while (n >= seg->data_len) {
		n -= seg->data_len;
		next = seg->next;
		ts -= seg->buf_len;
		q->truesize -= seg->buf_len;
		seg->next = NULL;
		rte_pktmbuf_free_seg(seg);
		nb_segs--;
		seg = next;
	}
	seg->data_off = (uint16_t)(seg->data_off + n);
	seg->data_len = (uint16_t)(seg->data_len - n);
	seg->pkt_len = pkt_len;
	seg->nb_segs = nb_segs;
	d = dyn(seg);
	d->last = last;
	d->truesize = ts;
	return seg;
}

/* Keep the first @keep bytes of entry @m (0 < @keep < pkt_len). */
static void
trim_back(struct tcp_ooo *q, struct rte_mbuf *m, uint32_t keep)
{
	struct ooo_dyn *d = dyn(m);
	struct rte_mbuf *seg = m, *rest;
	uint32_t off = 0, freed;
	uint16_t nb_segs = 1;

	while (off + seg->data_len < keep) {
		off += seg->data_len;
		seg = seg->next;
		nb_segs++;
	}
	rest = seg->next;
	seg->next = NULL;
	seg->data_len = (uint16_t)(keep - off);
	m->pkt_len = keep;
	m->nb_segs = nb_segs;
	d->last = seg;
	freed = segs_free(rest, NULL);
	d->truesize -= freed;
	q->truesize -= freed;
}

/*
 * Cut bytes [@a, @b) out of entry @m (0 < @a < @b < pkt_len): @m keeps
 * [0, @a) and the returned chain holds [@b, pkt_len), with its last
 * segment and truesize in its dynamic field. When one segment holds bytes
 * on both sides, the split would need an allocation: @m keeps [0, @a),
 * the rest is freed and NULL is returned.
 */
static struct rte_mbuf *
split_around(struct tcp_ooo *q, struct rte_mbuf *m, uint32_t a, uint32_t b)
{
	struct ooo_dyn *d = dyn(m), *ud;
	struct rte_mbuf *seg = m, *lo, *up;
	uint32_t off = 0, lo_off, lo_ts, freed;
	uint16_t idx = 0, lo_idx;

	/* lo: the segment holding byte a - 1. */
	lo_ts = seg->buf_len;
	while (off + seg->data_len < a) {
		off += seg->data_len;
		seg = seg->next;
		lo_ts += seg->buf_len;
		idx++;
	}
	lo = seg;
	lo_off = off;
	lo_idx = idx;
	/* up: the segment holding byte b. */
	while (off + seg->data_len <= b) {
		off += seg->data_len;
		seg = seg->next;
		idx++;
	}
	up = seg;
	if (lo == up) {
		trim_back(q, m, a);
		return NULL;
	}

	freed = segs_free(lo->next, up);
	q->truesize -= freed;
	lo->next = NULL;
	lo->data_len = (uint16_t)(a - lo_off);

	up->data_off = (uint16_t)(up->data_off + (b - off));
	up->data_len = (uint16_t)(up->data_len - (b - off));
	up->pkt_len = m->pkt_len - b;
	up->nb_segs = (uint16_t)(m->nb_segs - idx);
	ud = dyn(up);
	ud->last = d->last;
	ud->truesize = d->truesize - lo_ts - freed;

	m->pkt_len = a;
	m->nb_segs = (uint16_t)(lo_idx + 1);
	d->last = lo;
	d->truesize = lo_ts;
	return up;
}

/* Link entry @m holding [@seq, ...) after @prev (NULL: at the head). */
static void
link_after(struct tcp_ooo *q, struct rte_mbuf *prev, struct rte_mbuf *m,
		uint32_t seq)
{
	struct ooo_dyn *d = dyn(m);

	d->seq = seq;
	if (prev == NULL) {
		d->next = q->head;
		q->head = m;
	} else {
		d->next = dyn(prev)->next;
		dyn(prev)->next = m;
	}
	if (d->next == NULL)
		q->tail = m;
	q->nb++;
	q->bytes += m->pkt_len;
}

/*
 * Chain the entry after @x onto @x (they touch). @return false when the
 * chain would have too many segments: they stay two entries.
 */
static bool
merge_next(struct tcp_ooo *q, struct rte_mbuf *x)
{
	struct ooo_dyn *d = dyn(x);
	struct rte_mbuf *y = d->next;
	struct ooo_dyn *yd = dyn(y);

	/* rte_pktmbuf_chain(), without its walk to the last segment. */
	if (x->nb_segs + y->nb_segs > RTE_MBUF_MAX_NB_SEGS)
		return false;
	d->last->next = y;
	x->nb_segs = (uint16_t)(x->nb_segs + y->nb_segs);
	x->pkt_len += y->pkt_len;
	y->pkt_len = y->data_len;
	d->last = yd->last;
	d->truesize += yd->truesize;
	d->next = yd->next;
	if (q->tail == y)
		q->tail = x;
	q->nb--;
	return true;
}

/* Free a whole new chain @m that is not (or no longer) counted. */
static void
chain_drop(struct rte_mbuf *m)
{
	if (m != NULL)
		segs_free(m, NULL);
}

enum tcp_ooo_result
tcp_ooo_insert(struct tcp_ooo *q, uint32_t seq, struct rte_mbuf *m,
		bool fin, uint32_t limit)
{
	struct rte_mbuf *prev, *cur, *from, *seg, *up, *x;
	uint32_t len, end, s, ts, queued = 0;
	struct ooo_dyn *d;

	len = m != NULL ? m->pkt_len : 0;
	end = seq + len;
	if (len == 0) {
		chain_drop(m);
		if (fin) {
			q->fin = true;
			q->fin_seq = end;
		}
		return TCP_OOO_DUP;
	}

	/*
	 * Place: after prev (the last entry ending at or before @seq), cur
	 * is the first entry ending after it. Data usually extends the tail.
	 */
	prev = q->tail;
	cur = NULL;
	if (prev != NULL && SEQ_GT(ent_end(prev), seq)) {
		prev = NULL;
		for (cur = q->head; SEQ_LEQ(ent_end(cur), seq);
				cur = dyn(cur)->next)
			prev = cur;
	}
	if (cur != NULL && SEQ_LEQ(ent_seq(cur), seq) &&
			SEQ_LEQ(end, ent_end(cur))) {
		chain_drop(m);
		if (fin) {
			q->fin = true;
			q->fin_seq = end;
		}
		q->last_start = ent_seq(cur);
		q->last_end = ent_end(cur);
		return TCP_OOO_DUP;
	}

	/* Count the whole chain against the limit, before any trimming. */
	ts = 0;
	for (seg = m; seg->next != NULL; seg = seg->next)
		ts += seg->buf_len;
	ts += seg->buf_len;
	if (limit != 0 && (uint64_t)q->truesize + ts > limit) {
		chain_drop(m);
		return TCP_OOO_FULL;
	}
	q->truesize += ts;
	d = dyn(m);
	d->last = seg;
	d->truesize = ts;
	if (fin) {
		q->fin = true;
		q->fin_seq = end;
	}

	/* Cut @m against the entries it overlaps, linking what is new. */
	from = prev;
	s = seq;
	for (;;) {
		if (cur == NULL || SEQ_LEQ(end, ent_seq(cur))) {
			link_after(q, prev, m, s);
			queued += m->pkt_len;
			break;
		}
		if (SEQ_LEQ(ent_seq(cur), s)) {
			/*
			 * cur holds our front (past the first entry only
			 * when a merge was refused: entries touch).
			 */
			if (SEQ_LEQ(end, ent_end(cur))) {
				q->truesize -= dyn(m)->truesize;
				chain_drop(m);
				break;
			}
			m = trim_front(q, m, ent_end(cur) - s);
			s = ent_end(cur);
			prev = cur;
			cur = dyn(cur)->next;
			continue;
		}
		if (SEQ_LEQ(end, ent_end(cur))) {
			/* cur holds our back. */
			trim_back(q, m, ent_seq(cur) - s);
			link_after(q, prev, m, s);
			queued += m->pkt_len;
			break;
		}
		/* cur lies inside: keep what is below, go on above it. */
		up = split_around(q, m, ent_seq(cur) - s, ent_end(cur) - s);
		link_after(q, prev, m, s);
		queued += m->pkt_len;
		if (up == NULL)
			break;
		m = up;
		s = ent_end(cur);
		prev = cur;
		cur = dyn(cur)->next;
	}

	/*
	 * Merge what touches, from the entry before the first one linked to
	 * the first one starting after @end, and find the one holding @seq.
	 */
	x = from != NULL ? from : q->head;
	while (x != NULL && SEQ_LEQ(ent_seq(x), end)) {
		while (dyn(x)->next != NULL &&
				ent_end(x) == ent_seq(dyn(x)->next) &&
				merge_next(q, x))
			;
		if (SEQ_LEQ(ent_seq(x), seq) && SEQ_LT(seq, ent_end(x))) {
			q->last_start = ent_seq(x);
			q->last_end = ent_end(x);
		}
		x = dyn(x)->next;
	}
	return queued != 0 ? TCP_OOO_QUEUED : TCP_OOO_DUP;
}

struct rte_mbuf *
tcp_ooo_pull(struct tcp_ooo *q, uint32_t *rcv_nxt, bool *fin)
{
	struct rte_mbuf *out = NULL, *out_last = NULL, *x;
	uint32_t rcv = *rcv_nxt, x_end;
	struct ooo_dyn *d;

	while ((x = q->head) != NULL && SEQ_LEQ(ent_seq(x), rcv)) {
		/*
		 * One chain holds at most RTE_MBUF_MAX_NB_SEGS segments: the
		 * rest stays queued, in order, for the next call.
		 */
		if (out != NULL && out->nb_segs + x->nb_segs >
				RTE_MBUF_MAX_NB_SEGS)
			break;
		d = dyn(x);
		q->head = d->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->nb--;
		q->bytes -= x->pkt_len;
		x_end = ent_end(x);
		if (SEQ_LEQ(x_end, rcv)) {
			/* The caller already had all of it. */
			q->truesize -= d->truesize;
			segs_free(x, NULL);
			continue;
		}
		if (ent_seq(x) != rcv) {
			x = trim_front(q, x, rcv - ent_seq(x));
			d = dyn(x);
		}
		q->truesize -= d->truesize;
		if (out == NULL) {
			out = x;
		} else {
			out_last->next = x;
			out->nb_segs = (uint16_t)(out->nb_segs + x->nb_segs);
			out->pkt_len += x->pkt_len;
			x->pkt_len = x->data_len;
		}
		out_last = d->last;
		rcv = x_end;
	}
	*rcv_nxt = rcv;

	*fin = false;
	if (q->fin) {
		if (q->fin_seq == rcv) {
			*fin = true;
			q->fin = false;
		} else if (SEQ_LT(q->fin_seq, rcv)) {
			/* Data went past it: the peer contradicted itself. */
			q->fin = false;
		}
	}
	return out;
}

unsigned int
tcp_ooo_sack_blocks(const struct tcp_ooo *q, struct tcp_sack_block *out,
		unsigned int max)
{
	const struct rte_mbuf *x, *first = NULL;
	unsigned int n = 0;

	if (max == 0)
		return 0;
	/* The last insert's entry, unless a pull took it since. */
	for (x = q->head; x != NULL; x = dyn(x)->next) {
		if (ent_seq(x) == q->last_start && ent_end(x) == q->last_end) {
			out[n].start = ent_seq(x);
			out[n].end = ent_end(x);
			n++;
			first = x;
			break;
		}
	}
	for (x = q->head; x != NULL && n < max; x = dyn(x)->next) {
		if (x == first)
			continue;
		out[n].start = ent_seq(x);
		out[n].end = ent_end(x);
		n++;
	}
	return n;
}

void
tcp_ooo_free(struct tcp_ooo *q)
{
	struct rte_mbuf *x, *next;

	for (x = q->head; x != NULL; x = next) {
		next = dyn(x)->next;
		segs_free(x, NULL);
	}
	tcp_ooo_init(q);
}
