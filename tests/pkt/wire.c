/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pkt suite's faulty wire: see wire.h for what it does to frames. One
 * struct wire_dir per direction holds its random stream, its bandwidth and
 * delay queue (a FIFO: departures are in order and the delay is fixed, so
 * arrival times only grow), its reorder slots and its counters. The RX
 * callback of the receiving port runs both halves: it takes in what the
 * sender put on the ring and hands out what has arrived by now.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "ptcp_test_rand.h"
#include "wire.h"

#define WIRE_QCAP      8192     /* bandwidth/delay queue slots, per way */
#define WIRE_HOLD      4        /* reorder slots, per way */
#define WIRE_POOL_N    4095     /* the wire's copies (dups, corruptions) */
#define WIRE_QBYTES    (4u << 20)
#define WIRE_HOLD_US   1000

struct wire_slot {
	struct rte_mbuf *m;
	uint64_t due_ns;               /* arrival at the receiver */
	bool tcp;                      /* impairable */
	bool corrupt;                  /* a corrupted copy (for counting) */
};

struct wire_hold {
	struct rte_mbuf *m;
	uint64_t since_ns;
	unsigned int left;             /* frames still to pass it */
	bool corrupt;
};

struct wire_dir {
	struct wire *w;
	enum wire_dir_id id;
	struct wire_params p;
	uint64_t rng;
	struct wire_slot *q;           /* WIRE_QCAP slots, FIFO */
	unsigned int head, count;
	uint64_t link_free_ns;         /* the link is busy until then */
	struct wire_hold hold[WIRE_HOLD];
	unsigned int nhold;
	struct wire_counters c;
	/* attached */
	struct rte_ring *ring;         /* the sender's TX ring */
	uint16_t port;                 /* the receiver's port */
	const struct rte_eth_rxtx_callback *cb;
};

struct wire {
	const uint64_t *now_us;
	struct rte_mempool *pool;
	uint64_t trace_from_us;        /* $PTCP_WIRE_TRACE; UINT64_MAX: off */
	struct wire_dir d[WIRE_NB_DIRS];
};

static uint64_t
now_ns(const struct wire *w)
{
	return *w->now_us * 1000;
}

/* True with probability @p, from this direction's stream. */
static bool
roll(struct wire_dir *d, double p)
{
	uint64_t r = ptcp_test_rand(&d->rng);

	return p > 0 && (double)(r >> 11) * 0x1p-53 < p;
}

/*
 * Where the TCP header and payload are in an Ethernet/IPv4/TCP frame:
 * @off from the start of the frame, @len bytes. @return false for any
 * other frame (or a malformed one, which the wire leaves alone).
 */
static bool
tcp_region(const struct rte_mbuf *m, uint32_t *off, uint32_t *len)
{
	struct rte_ether_hdr ehb;
	struct rte_ipv4_hdr ipb;
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, tot;

	eh = rte_pktmbuf_read(m, 0, sizeof(ehb), &ehb);
	if (eh == NULL || eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	ip = rte_pktmbuf_read(m, sizeof(ehb), sizeof(ipb), &ipb);
	if (ip == NULL || (ip->version_ihl >> 4) != 4 ||
			ip->next_proto_id != IPPROTO_TCP)
		return false;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(*ip) || tot < ihl + 20 ||
			sizeof(ehb) + tot > rte_pktmbuf_pkt_len(m))
		return false;
	*off = (uint32_t)sizeof(ehb) + ihl;
	*len = tot - ihl;
	return true;
}

/*
 * With PTCP_WIRE_TRACE=<virtual us> set, one line per TCP frame and what
 * the wire did to it, from that time on: for a failure's last seconds.
 */
static void
trace(const struct wire_dir *d, const char *what, const struct rte_mbuf *m)
{
	static const char *const dirs[] = { "A->B", "B->A" };
	struct rte_tcp_hdr thb;
	const struct rte_tcp_hdr *th;
	uint32_t off, len, thlen;

	if (*d->w->now_us < d->w->trace_from_us || !tcp_region(m, &off, &len))
		return;
	th = rte_pktmbuf_read(m, off, sizeof(thb), &thb);
	if (th == NULL)
		return;
	thlen = (uint32_t)(th->data_off >> 4) * 4;
	printf("wire %10.6f %s %-8s seq %10u ack %10u %c%c%c%c win %5u len %4u"
		"%s\n", (double)*d->w->now_us * 1e-6, dirs[d->id], what,
		rte_be_to_cpu_32(th->sent_seq), rte_be_to_cpu_32(th->recv_ack),
		th->tcp_flags & RTE_TCP_SYN_FLAG ? 'S' : '.',
		th->tcp_flags & RTE_TCP_FIN_FLAG ? 'F' : '.',
		th->tcp_flags & RTE_TCP_RST_FLAG ? 'R' : '.',
		th->tcp_flags & RTE_TCP_ACK_FLAG ? 'A' : '.',
		rte_be_to_cpu_16(th->rx_win), len - RTE_MIN(len, thlen),
		thlen > 32 ? " opts" : "");
}

/*
 * A private copy of @m with one byte of its TCP header or payload
 * flipped, or NULL (pool empty). The sender's frame may share its buffers
 * (indirect mbufs on a send queue): only the copy is written.
 */
static struct rte_mbuf *
corrupt_copy(struct wire_dir *d, const struct rte_mbuf *m)
{
	struct rte_mbuf *c, *s;
	uint32_t off, len, at;
	uint8_t x;

	if (!tcp_region(m, &off, &len))
		return NULL;
	at = off + (uint32_t)(ptcp_test_rand(&d->rng) % len);
	x = (uint8_t)(1 + ptcp_test_rand(&d->rng) % 255);
	c = rte_pktmbuf_copy(m, d->w->pool, 0, UINT32_MAX);
	if (c == NULL)
		return NULL;
	for (s = c; s != NULL && at >= s->data_len; s = s->next)
		at -= s->data_len;
	if (s == NULL || !RTE_MBUF_DIRECT(s) ||
			rte_mbuf_refcnt_read(s) != 1) {
		rte_pktmbuf_free(c);
		return NULL;
	}
	rte_pktmbuf_mtod_offset(s, uint8_t *, at)[0] ^= x;
	/* A NIC that checked it would say bad; ours says nothing. */
	c->ol_flags &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
	return c;
}

/* Into the bandwidth/delay queue, or dropped when it is full. */
static void
enqueue(struct wire_dir *d, struct rte_mbuf *m, bool tcp, bool corrupt,
		uint64_t now)
{
	struct wire_slot *s;
	uint64_t due = now, len = rte_pktmbuf_pkt_len(m), start;
	uint64_t qbytes = d->p.queue_bytes != 0 ? d->p.queue_bytes :
		WIRE_QBYTES;

	if (d->count == WIRE_QCAP)
		goto full;
	if (d->p.rate_bps != 0) {
		start = RTE_MAX(now, d->link_free_ns);
		/* bytes still waiting to go out before this frame */
		if ((double)(start - now) * (double)d->p.rate_bps / 8e9 +
				(double)len > (double)qbytes)
			goto full;
		d->link_free_ns = start +
			len * 8 * UINT64_C(1000000000) / d->p.rate_bps;
		due = d->link_free_ns;
	}
	due += d->p.delay_us * 1000;
	if (due > now)
		d->c.delayed++;
	s = &d->q[(d->head + d->count) % WIRE_QCAP];
	s->m = m;
	s->due_ns = due;
	s->tcp = tcp;
	s->corrupt = corrupt;
	d->count++;
	if (d->count + d->nhold > d->c.max_backlog)
		d->c.max_backlog = d->count + d->nhold;
	return;
full:
	d->c.queue_dropped++;
	trace(d, "qdrop", m);
	rte_pktmbuf_free(m);
}

void
wire_push(struct wire *w, enum wire_dir_id id, struct rte_mbuf **pkts,
		unsigned int n)
{
	struct wire_dir *d = &w->d[id];
	uint64_t now = now_ns(w);
	struct rte_mbuf *m, *c;
	uint32_t off, len;
	unsigned int i;
	bool tcp, corrupt, dup;

	for (i = 0; i < n; i++) {
		m = pkts[i];
		d->c.in++;
		tcp = tcp_region(m, &off, &len);
		corrupt = dup = false;
		if (tcp) {
			/* Every roll is taken, so a seed replays exactly. */
			bool drop = roll(d, d->p.drop);
			bool bad = roll(d, d->p.corrupt);

			dup = roll(d, d->p.dup);
			if (drop) {
				d->c.dropped++;
				trace(d, "drop", m);
				rte_pktmbuf_free(m);
				continue;
			}
			if (bad) {
				c = corrupt_copy(d, m);
				if (c != NULL) {
					rte_pktmbuf_free(m);
					m = c;
					corrupt = true;
					d->c.corrupted++;
					trace(d, "corrupt", m);
				} else {
					d->c.nomem++;
				}
			}
		}
		c = NULL;
		if (dup) {
			c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
			if (c == NULL)
				d->c.nomem++;
		}
		enqueue(d, m, tcp, corrupt, now);
		if (c != NULL) {
			d->c.duplicated++;
			trace(d, "dup", c);
			enqueue(d, c, tcp, corrupt, now);
		}
	}
}

/* A held frame due out now: its count ran out, or its time did. */
static int
hold_ready(const struct wire_dir *d, uint64_t now)
{
	uint64_t lim = (d->p.reorder_hold_us != 0 ? d->p.reorder_hold_us :
		WIRE_HOLD_US) * 1000;
	unsigned int i;

	for (i = 0; i < WIRE_HOLD; i++)
		if (d->hold[i].m != NULL && (d->hold[i].left == 0 ||
				d->hold[i].since_ns + lim <= now))
			return (int)i;
	return -1;
}

static void
emit(struct wire_dir *d, struct rte_mbuf **pkts, unsigned int *n,
		struct rte_mbuf *m, bool corrupt)
{
	unsigned int i;

	pkts[(*n)++] = m;
	d->c.passed++;
	trace(d, "deliver", m);
	if (corrupt)
		d->c.corrupted_out++;
	/* Every frame out passes every frame held: the distance is bounded
	 * by the count each was given. */
	for (i = 0; i < WIRE_HOLD; i++)
		if (d->hold[i].m != NULL && d->hold[i].left > 0)
			d->hold[i].left--;
}

unsigned int
wire_pull(struct wire *w, enum wire_dir_id id, struct rte_mbuf **pkts,
		unsigned int max)
{
	struct wire_dir *d = &w->d[id];
	uint64_t now = now_ns(w);
	struct wire_slot s;
	unsigned int n = 0, i;
	int h;

	while (n < max) {
		h = hold_ready(d, now);
		if (h >= 0) {
			struct wire_hold *hd = &d->hold[h];
			struct rte_mbuf *m = hd->m;

			hd->m = NULL;
			d->nhold--;
			emit(d, pkts, &n, m, hd->corrupt);
			continue;
		}
		if (d->count == 0 || d->q[d->head].due_ns > now)
			break;
		s = d->q[d->head];
		d->head = (d->head + 1) % WIRE_QCAP;
		d->count--;
		if (s.tcp && d->nhold < WIRE_HOLD && d->p.reorder_max > 0 &&
				roll(d, d->p.reorder)) {
			for (i = 0; d->hold[i].m != NULL; i++)
				;
			d->hold[i].m = s.m;
			d->hold[i].since_ns = now;
			d->hold[i].left = 1 + (unsigned int)
				(ptcp_test_rand(&d->rng) % d->p.reorder_max);
			d->hold[i].corrupt = s.corrupt;
			d->nhold++;
			d->c.reordered++;
			trace(d, "hold", s.m);
			continue;
		}
		emit(d, pkts, &n, s.m, s.corrupt);
	}
	return n;
}

/*
 * net_ring's RX burst has taken up to @max frames from the ring; the
 * rest of what the sender sent this instant is taken too, so that every
 * frame's departure is stamped at the time it was sent, not when the
 * receiver got round to it.
 */
static uint16_t
wire_rx_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t nb, uint16_t max, void *arg)
{
	struct wire_dir *d = arg;
	struct rte_mbuf *more[64];
	unsigned int k, i;

	(void)port;
	(void)queue;
	wire_push(d->w, d->id, pkts, nb);
	for (i = 0; i < WIRE_QCAP / RTE_DIM(more); i++) {
		k = rte_ring_dequeue_burst(d->ring, (void **)more,
			RTE_DIM(more), NULL);
		if (k == 0)
			break;
		wire_push(d->w, d->id, more, k);
	}
	return (uint16_t)wire_pull(d->w, d->id, pkts, max);
}

struct wire *
wire_create(const uint64_t *now_us, uint64_t seed,
		const struct wire_params *ab, const struct wire_params *ba)
{
	static unsigned int gen;       /* pool names: one per wire */
	char name[RTE_MEMPOOL_NAMESIZE];
	struct wire *w;
	unsigned int i;

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->now_us = now_us;
	w->trace_from_us = getenv("PTCP_WIRE_TRACE") != NULL ?
		strtoull(getenv("PTCP_WIRE_TRACE"), NULL, 0) : UINT64_MAX;
	snprintf(name, sizeof(name), "wire%u", ++gen);
	w->pool = rte_pktmbuf_pool_create(name, WIRE_POOL_N, 32, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	for (i = 0; i < WIRE_NB_DIRS; i++) {
		struct wire_dir *d = &w->d[i];

		d->w = w;
		d->id = (enum wire_dir_id)i;
		d->p = i == WIRE_AB ? *ab : *ba;
		/* Two streams that do not overlap in any test's lifetime. */
		d->rng = seed ^ (UINT64_C(0x5851f42d4c957f2d) * (i + 1));
		d->q = calloc(WIRE_QCAP, sizeof(*d->q));
		if (d->q == NULL)
			break;
	}
	if (w->pool == NULL || i < WIRE_NB_DIRS) {
		wire_free(w);
		rte_errno = ENOMEM;
		return NULL;
	}
	return w;
}

int
wire_attach(struct wire *w, struct h_stack *a, struct h_stack *b,
		struct h_wire *hw)
{
	struct wire_dir *d;
	unsigned int i;

	w->d[WIRE_AB].ring = hw->ab;
	w->d[WIRE_AB].port = b->e->ports[0].port_id;
	w->d[WIRE_BA].ring = hw->ba;
	w->d[WIRE_BA].port = a->e->ports[0].port_id;
	for (i = 0; i < WIRE_NB_DIRS; i++) {
		d = &w->d[i];
		d->cb = rte_eth_add_rx_callback(d->port, 0, wire_rx_cb, d);
		if (d->cb == NULL) {
			int ret = -rte_errno;

			wire_detach(w);
			return ret != 0 ? ret : -EINVAL;
		}
	}
	return 0;
}

void
wire_detach(struct wire *w)
{
	struct wire_dir *d;
	unsigned int i, k;

	if (w == NULL)
		return;
	for (i = 0; i < WIRE_NB_DIRS; i++) {
		d = &w->d[i];
		/* One lcore: nothing can be inside the callback now, so its
		 * memory can go back at once (ethdev leaves that to us). */
		if (d->cb != NULL && rte_eth_remove_rx_callback(d->port, 0,
				d->cb) == 0)
			rte_free((void *)(uintptr_t)d->cb);
		d->cb = NULL;
		for (; d->count > 0; d->count--) {
			rte_pktmbuf_free(d->q[d->head].m);
			d->head = (d->head + 1) % WIRE_QCAP;
		}
		for (k = 0; k < WIRE_HOLD; k++) {
			rte_pktmbuf_free(d->hold[k].m);
			d->hold[k].m = NULL;
		}
		d->nhold = 0;
	}
}

void
wire_free(struct wire *w)
{
	unsigned int i, used;

	if (w == NULL)
		return;
	wire_detach(w);
	if (w->pool != NULL) {
		used = rte_mempool_in_use_count(w->pool);
		/* A pool freed under someone's mbufs is a use after free
		 * later: keep it, the check that failed says why. */
		if (used != 0)
			fprintf(stderr, "  wire: %u mbufs still out, "
				"pool kept\n", used);
		else
			rte_mempool_free(w->pool);
	}
	for (i = 0; i < WIRE_NB_DIRS; i++)
		free(w->d[i].q);
	free(w);
}

unsigned int
wire_held(const struct wire *w)
{
	return w->d[0].count + w->d[0].nhold + w->d[1].count + w->d[1].nhold;
}

uint64_t
wire_next_due_us(const struct wire *w)
{
	uint64_t due = UINT64_MAX, t, lim;
	const struct wire_dir *d;
	unsigned int i, k;

	for (i = 0; i < WIRE_NB_DIRS; i++) {
		d = &w->d[i];
		if (d->count > 0)
			due = RTE_MIN(due, d->q[d->head].due_ns);
		lim = (d->p.reorder_hold_us != 0 ? d->p.reorder_hold_us :
			WIRE_HOLD_US) * 1000;
		for (k = 0; k < WIRE_HOLD; k++) {
			if (d->hold[k].m == NULL)
				continue;
			t = d->hold[k].since_ns + lim;
			due = RTE_MIN(due, d->hold[k].left == 0 ? 0 : t);
		}
	}
	return due == UINT64_MAX ? due : (due + 999) / 1000;
}

unsigned int
wire_mbufs_in_use(const struct wire *w)
{
	return rte_mempool_in_use_count(w->pool);
}

const struct wire_counters *
wire_counters(const struct wire *w, enum wire_dir_id id)
{
	return &w->d[id].c;
}

void
wire_print(const struct wire *w, const char *indent)
{
	static const char *const names[] = { "A->B", "B->A" };
	const struct wire_counters *c;
	unsigned int i;

	for (i = 0; i < WIRE_NB_DIRS; i++) {
		c = &w->d[i].c;
		printf("%swire %s: in %" PRIu64 " passed %" PRIu64
			" dropped %" PRIu64 " duplicated %" PRIu64
			" reordered %" PRIu64 " corrupted %" PRIu64
			" (delivered %" PRIu64 ") delayed %" PRIu64
			" queue-dropped %" PRIu64 " nomem %" PRIu64
			" max-held %" PRIu64 "\n", indent, names[i], c->in,
			c->passed, c->dropped, c->duplicated, c->reordered,
			c->corrupted, c->corrupted_out, c->delayed,
			c->queue_dropped, c->nomem, c->max_backlog);
	}
}

uint64_t
wire_seed(uint64_t dflt)
{
	const char *s = getenv("PTCP_WIRE_SEED");
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0') {
		fprintf(stderr, "PTCP_WIRE_SEED=%s: not a number, using "
			"%#" PRIx64 "\n", s, dflt);
		return dflt;
	}
	return (uint64_t)v;
}
