/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture to pcapng (docs/capture.md).
 *
 *   worker lcores                                   control thread
 *   rte_eth_rx_burst ─▶ RX callback ┐
 *                                   ├─ filter, rte_pcapng_copy() into the
 *   rte_eth_tx_burst ─▶ TX callback ┘  capture pool, fix the copy (time,
 *                                      checksums), enqueue ──▶ ring (MP/SC)
 *                                                                │
 *                               rte_pcapng_write_packets() ◀─────┘ writer
 *
 * Why ethdev callbacks rather than hooks in the loop: they see exactly what
 * crosses the driver boundary (a frame steered to another worker is
 * captured once, where it was received; a frame held for ARP when it
 * finally leaves), they cost nothing to the loop's code when capture is
 * off, and they are the mechanism DPDK's own pdump uses, so both kinds of
 * capture see the same frames. The price of that boundary: a frame that
 * ptcp_txq_flush() offers the port again after the port refused it is seen
 * again (pdump has the same behaviour).
 *
 * Why a control thread writes rather than the main lcore: in ptcp-server
 * every EAL lcore, the main one included, is a worker, and a worker must
 * not wait on a file.
 */

/* rte_pcapng is experimental in DPDK 22.11: this file, and only it, opts in. */
#define ALLOW_EXPERIMENTAL_API 1

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_pdump.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "ptcp.h"
#include "ptcp_capture.h"

/*
 * The pcapng Enhanced Packet Block header (pcapng spec, 4.3) that
 * rte_pcapng_copy() puts in front of the frame: block type, block length,
 * interface id, timestamp high and low words, captured and original
 * lengths, 32 bits each, in host order.
 */
#define EPB_TYPE        6u
#define EPB_OFF_TS_HI   12
#define EPB_OFF_CAPLEN  20
#define EPB_HDR_LEN     28

#define CAPTURE_BURST       32u         /* copies enqueued at a time */
#define CAPTURE_WRITE_BURST 64u         /* frames written at a time */
#define CAPTURE_POOL_BYTES  (32u << 20) /* default pool: about this much */
#define CAPTURE_POOL_MIN    255u
#define CAPTURE_POOL_MAX    8191u
#define CAPTURE_POOL_CACHE  32u
#define CAPTURE_IDLE_US     1000u       /* writer's nap on an empty ring */

/* One RX or TX queue of one port, as its callback sees it. */
struct capture_queue {
	struct ptcp_capture *cap;
	struct ptcp_stats *stats;          /* the worker's that polls it */
	const struct rte_eth_rxtx_callback *cb;
	uint16_t port_id;
	uint16_t queue_id;
	bool tx;
	/* Written only by the worker that polls the queue. */
	uint64_t captured;
	uint64_t dropped;
} __rte_cache_aligned;

struct ptcp_capture {
	struct ptcp_engine *eng;
	struct ptcp_capture_filter filter;
	bool filter_on;
	uint32_t snaplen;
	struct rte_mempool *pool;
	struct rte_ring *ring;
	rte_pcapng_t *pcapng;
	int fd;                            /* until rte_pcapng owns it */
	/* Timestamps: TSC -> ns since the epoch, from one paired reading. */
	uint64_t tsc_hz;
	uint64_t base_tsc;
	uint64_t base_ns;
	/* The writer: a control thread, the ring's single consumer. */
	pthread_t writer;
	bool writer_running;
	bool stop;                         /* __atomic */
	uint64_t written;
	uint64_t write_errors;
	uint64_t bytes;
	unsigned int nb_queues;
	struct capture_queue *queues;
};

/* --- filter -------------------------------------------------------------- */

static int
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT16_MAX)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* One "port N" or "host A.B.C.D" term into @f. */
static int
parse_term(const char *key, const char *val, struct ptcp_capture_filter *f)
{
	struct in_addr a;

	if (strcmp(key, "port") == 0 && !f->has_port) {
		if (parse_port(val, &f->port) != 0)
			return -EINVAL;
		f->has_port = true;
		return 0;
	}
	if (strcmp(key, "host") == 0 && !f->has_host) {
		if (inet_pton(AF_INET, val, &a) != 1)
			return -EINVAL;
		f->host = a.s_addr;
		f->has_host = true;
		return 0;
	}
	return -EINVAL;
}

int
ptcp_capture_filter_parse(const char *expr, struct ptcp_capture_filter *f,
		char *err, size_t errlen)
{
	char buf[128], *tok[5], *save = NULL, *t;
	unsigned int n = 0;

	memset(f, 0, sizeof(*f));
	if (expr == NULL)
		return 0;
	if (strlen(expr) >= sizeof(buf))
		goto bad;
	strcpy(buf, expr);
	for (t = strtok_r(buf, " \t", &save); t != NULL;
			t = strtok_r(NULL, " \t", &save)) {
		if (n == RTE_DIM(tok))
			goto bad;
		tok[n++] = t;
	}
	/* Nothing; "KEY VALUE"; or "KEY VALUE and KEY VALUE". */
	if (n == 0)
		return 0;
	if (n != 2 && !(n == 5 && strcmp(tok[2], "and") == 0))
		goto bad;
	if (parse_term(tok[0], tok[1], f) != 0 ||
			(n == 5 && parse_term(tok[3], tok[4], f) != 0))
		goto bad;
	return 0;
bad:
	memset(f, 0, sizeof(*f));
	snprintf(err, errlen, "--capture-filter '%.64s': expected 'port N' "
		"(1-65535), 'host A.B.C.D', or one of each joined by 'and'",
		expr);
	return -EINVAL;
}

void
ptcp_capture_filter_format(const struct ptcp_capture_filter *f, char *buf,
		size_t len)
{
	char ip[INET_ADDRSTRLEN] = "";
	struct in_addr a = { .s_addr = f->host };

	if (f->has_host)
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (f->has_port && f->has_host)
		snprintf(buf, len, "port %u and host %s", f->port, ip);
	else if (f->has_port)
		snprintf(buf, len, "port %u", f->port);
	else if (f->has_host)
		snprintf(buf, len, "host %s", ip);
	else if (len != 0)
		buf[0] = '\0';
}

/*
 * Does frame @m match @f? Reads the headers where they are (through
 * rte_pktmbuf_read(), which copies only when a header straddles segments).
 */
static bool
filter_match(const struct ptcp_capture_filter *f, const struct rte_mbuf *m)
{
	struct rte_ether_hdr ebuf;
	struct rte_vlan_hdr vbuf;
	struct rte_arp_hdr abuf;
	struct rte_ipv4_hdr ibuf;
	uint16_t pbuf[2];
	const struct rte_ether_hdr *eh;
	const struct rte_vlan_hdr *vh;
	const struct rte_arp_hdr *ah;
	const struct rte_ipv4_hdr *ip;
	const uint16_t *ports;
	uint32_t off = sizeof(*eh), ihl;
	uint16_t type, port;

	eh = rte_pktmbuf_read(m, 0, sizeof(*eh), &ebuf);
	if (eh == NULL)
		return false;
	type = eh->ether_type;
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		vh = rte_pktmbuf_read(m, off, sizeof(*vh), &vbuf);
		if (vh == NULL)
			return false;
		type = vh->eth_proto;
		off += sizeof(*vh);
	}
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		/* ARP has no ports; "host" is its sender or target. */
		if (f->has_port)
			return false;
		ah = rte_pktmbuf_read(m, off, sizeof(*ah), &abuf);
		return ah != NULL && (ah->arp_data.arp_sip == f->host ||
			ah->arp_data.arp_tip == f->host);
	}
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	ip = rte_pktmbuf_read(m, off, sizeof(*ip), &ibuf);
	if (ip == NULL)
		return false;
	if (f->has_host && ip->src_addr != f->host && ip->dst_addr != f->host)
		return false;
	if (!f->has_port)
		return true;
	/* Ports: TCP or UDP, and only the first fragment has them. */
	if ((ip->next_proto_id != IPPROTO_TCP &&
			ip->next_proto_id != IPPROTO_UDP) ||
			(ip->fragment_offset &
			rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	ihl = (ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4u;
	if (ihl < sizeof(*ip))
		return false;
	ports = rte_pktmbuf_read(m, off + ihl, sizeof(pbuf), pbuf);
	if (ports == NULL)
		return false;
	port = rte_cpu_to_be_16(f->port);
	return ports[0] == port || ports[1] == port;
}

/* --- the copy ------------------------------------------------------------ */

static uint64_t
tsc_to_ns(const struct ptcp_capture *c, uint64_t tsc)
{
	uint64_t d = (int64_t)(tsc - c->base_tsc) > 0 ? tsc - c->base_tsc : 0;

	/* Whole seconds first: d * 1e9 alone overflows after a few seconds. */
	return c->base_ns + d / c->tsc_hz * NS_PER_S +
		d % c->tsc_hz * NS_PER_S / c->tsc_hz;
}

/*
 * Our own timestamp in the copy's block: DPDK 22.11's rte_pcapng_copy()
 * converts the TSC through a process-wide base that it moves forward
 * without a lock, so two workers capturing at once can skew it by a
 * second. This one is computed from constants.
 */
static inline void
epb_set_time(struct rte_mbuf *mc, uint64_t ns)
{
	uint32_t ts[2] = { (uint32_t)(ns >> 32), (uint32_t)ns };

	memcpy(rte_pktmbuf_mtod_offset(mc, uint8_t *, EPB_OFF_TS_HI), ts,
		sizeof(ts));
}

/*
 * A frame sent with checksum offload carries no checksum yet (IPv4: 0;
 * TCP: the pseudo-header sum the NIC starts from): fill them in our copy,
 * in software, so that the file shows the frame as it went on the wire.
 * Only when the whole datagram was captured (a TSO frame beyond the snap
 * length keeps the partial sum; Wireshark cannot verify it anyway).
 */
static void
copy_fill_cksums(struct rte_mbuf *mc, uint64_t ol_flags)
{
	const uint64_t l4 = ol_flags & RTE_MBUF_F_TX_L4_MASK;
	const bool tso = (ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0;
	uint8_t *blk = rte_pktmbuf_mtod(mc, uint8_t *);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t caplen, off = sizeof(*eh), ihl, iplen, type;

	if (!(ol_flags & RTE_MBUF_F_TX_IP_CKSUM) && l4 == 0 && !tso)
		return;
	if (mc->nb_segs != 1)
		return;
	memcpy(&caplen, blk + EPB_OFF_CAPLEN, sizeof(caplen));
	if (caplen + EPB_HDR_LEN > rte_pktmbuf_data_len(mc) ||
			caplen < off + sizeof(struct rte_vlan_hdr))
		return;
	eh = (struct rte_ether_hdr *)(blk + EPB_HDR_LEN);
	type = eh->ether_type;
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		/* rte_pcapng_copy() put back a tag the NIC was to insert */
		type = ((struct rte_vlan_hdr *)(eh + 1))->eth_proto;
		off += sizeof(struct rte_vlan_hdr);
	}
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			caplen < off + sizeof(*ip))
		return;
	ip = (struct rte_ipv4_hdr *)((uint8_t *)eh + off);
	ihl = (ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4u;
	if (ihl < sizeof(*ip) || off + ihl > caplen)
		return;
	if (ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM &&
			!tso)
		return;
	iplen = rte_be_to_cpu_16(ip->total_length);
	if (iplen < ihl || off + iplen > caplen)
		return;
	if (ip->next_proto_id == IPPROTO_TCP &&
			iplen >= ihl + sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th =
			(struct rte_tcp_hdr *)((uint8_t *)ip + ihl);

		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else if (ip->next_proto_id == IPPROTO_UDP &&
			iplen >= ihl + sizeof(struct rte_udp_hdr)) {
		struct rte_udp_hdr *uh =
			(struct rte_udp_hdr *)((uint8_t *)ip + ihl);

		uh->dgram_cksum = 0;
		uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	}
}

/* Put @n copies on the ring; free and count what does not fit. */
static unsigned int
capture_enqueue(struct ptcp_capture *c, struct rte_mbuf **copies,
		unsigned int n)
{
	unsigned int k;

	if (n == 0)
		return 0;
	k = rte_ring_mp_enqueue_burst(c->ring, (void **)copies, n, NULL);
	if (unlikely(k < n))
		rte_pktmbuf_free_bulk(copies + k, n - k);
	return k;
}

/* Copy the frames of one burst that pass the filter. */
static void
capture_burst(struct capture_queue *q, struct rte_mbuf **pkts, uint16_t n,
		enum rte_pcapng_direction dir)
{
	struct ptcp_capture *c = q->cap;
	struct rte_mbuf *copies[CAPTURE_BURST];
	unsigned int i, k = 0, tried = 0, ok = 0;
	uint64_t tsc = rte_rdtsc(), ns = 0;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		struct rte_mbuf *mc;

		if (c->filter_on && !filter_match(&c->filter, m))
			continue;
		if (tried++ == 0)
			ns = tsc_to_ns(c, tsc);
		mc = rte_pcapng_copy(q->port_id, q->queue_id, m, c->pool,
			c->snaplen, tsc, dir);
		if (unlikely(mc == NULL))
			continue;
		epb_set_time(mc, ns);
		if (dir == RTE_PCAPNG_DIRECTION_OUT)
			copy_fill_cksums(mc, m->ol_flags);
		copies[k++] = mc;
		if (k == CAPTURE_BURST) {
			ok += capture_enqueue(c, copies, k);
			k = 0;
		}
	}
	ok += capture_enqueue(c, copies, k);
	if (tried == 0)
		return;
	q->captured += ok;
	q->dropped += tried - ok;
	PTCP_STAT_ADD(q->stats, capture_pkts, ok);
	PTCP_STAT_ADD(q->stats, capture_drop, tried - ok);
}

static uint16_t
capture_rx_cb(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n, uint16_t max, void *arg)
{
	(void)port_id;
	(void)queue;
	(void)max;
	if (n != 0)
		capture_burst(arg, pkts, n, RTE_PCAPNG_DIRECTION_IN);
	return n;
}

static uint16_t
capture_tx_cb(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts,
		uint16_t n, void *arg)
{
	(void)port_id;
	(void)queue;
	if (n != 0)
		capture_burst(arg, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
	return n;
}

/* --- the writer ---------------------------------------------------------- */

/* Write one burst off the ring. @return frames taken (0: ring empty). */
static unsigned int
capture_drain(struct ptcp_capture *c)
{
	struct rte_mbuf *pkts[CAPTURE_WRITE_BURST];
	unsigned int n;
	ssize_t w;

	n = rte_ring_sc_dequeue_burst(c->ring, (void **)pkts, RTE_DIM(pkts),
		NULL);
	if (n == 0)
		return 0;
	w = rte_pcapng_write_packets(c->pcapng, pkts, (uint16_t)n);
	if (unlikely(w < 0)) {
		if (c->write_errors == 0)
			PTCP_LOG(ERR, "capture: write: %s (further errors "
				"only counted)\n", rte_strerror(rte_errno));
		c->write_errors += n;
	} else {
		c->written += n;
		c->bytes += (uint64_t)w;
	}
	/* DPDK 22.11 does not free them, whatever rte_pcapng.h says. */
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static void *
capture_writer(void *arg)
{
	struct ptcp_capture *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
		if (capture_drain(c) == 0)
			usleep(CAPTURE_IDLE_US);
	return NULL;
}

/* --- start and stop ------------------------------------------------------ */

/* Largest snap length whose copy fits one mbuf (22.11 writes only those). */
static uint32_t
snaplen_max(void)
{
	uint32_t over = rte_pcapng_mbuf_size(0);

	return (UINT16_MAX - over) & ~3u;
}

/* The largest frame any port of @e passes, up to snaplen_max(). */
static uint32_t
snaplen_default(const struct ptcp_engine *e)
{
	uint32_t s = 0, f;
	unsigned int i;

	for (i = 0; i < e->nb_ports; i++) {
		const struct ptcp_port *p = &e->ports[i];

		/* a tag the NIC stripped is put back in the copy */
		f = p->tx_tso ? UINT16_MAX + (uint32_t)RTE_ETHER_HDR_LEN :
			p->mtu + (uint32_t)RTE_ETHER_HDR_LEN +
			(uint32_t)sizeof(struct rte_vlan_hdr);
		s = RTE_MAX(s, f);
	}
	return RTE_MIN(s, snaplen_max());
}

static void
capture_free(struct ptcp_capture *c)
{
	struct rte_mbuf *m;

	if (c->pcapng != NULL)
		rte_pcapng_close(c->pcapng);      /* closes the fd */
	else if (c->fd >= 0)
		close(c->fd);
	if (c->ring != NULL) {
		while (rte_ring_dequeue(c->ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(c->ring);
	}
	rte_mempool_free(c->pool);
	rte_free(c->queues);
	rte_free(c);
}

/* Remove every callback added so far; no worker may be running. */
static void
capture_remove_callbacks(struct ptcp_capture *c)
{
	unsigned int i;

	for (i = 0; i < c->nb_queues; i++) {
		struct capture_queue *q = &c->queues[i];
		int ret;

		if (q->cb == NULL)
			continue;
		ret = q->tx ?
			rte_eth_remove_tx_callback(q->port_id, q->queue_id,
				q->cb) :
			rte_eth_remove_rx_callback(q->port_id, q->queue_id,
				q->cb);
		/* Removed and nobody polls the queue: ours to free. */
		if (ret == 0)
			rte_free((void *)(uintptr_t)q->cb);
		q->cb = NULL;
	}
}

static int
capture_add_callbacks(struct ptcp_capture *c, char *err, size_t errlen)
{
	struct ptcp_engine *e = c->eng;
	unsigned int i, n = 0;
	uint16_t qid;

	for (i = 0; i < e->nb_ports; i++) {
		const struct ptcp_port *p = &e->ports[i];

		for (qid = 0; qid < p->nb_rxq + p->nb_queues; qid++) {
			struct capture_queue *q = &c->queues[n++];
			bool tx = qid >= p->nb_rxq;

			q->cap = c;
			q->port_id = p->port_id;
			q->queue_id = tx ? (uint16_t)(qid - p->nb_rxq) : qid;
			q->tx = tx;
			/* Queue i is polled by worker i (one per TX queue). */
			q->stats = &e->lcores[q->queue_id]->stats;
			q->cb = tx ?
				rte_eth_add_tx_callback(q->port_id,
					q->queue_id, capture_tx_cb, q) :
				rte_eth_add_first_rx_callback(q->port_id,
					q->queue_id, capture_rx_cb, q);
			if (q->cb == NULL) {
				snprintf(err, errlen, "capture: port%u %s queue "
					"%u: cannot add a callback: %s", i,
					tx ? "TX" : "RX", q->queue_id,
					rte_strerror(rte_errno));
				return -rte_errno;
			}
		}
	}
	return 0;
}

struct ptcp_capture *
ptcp_capture_start(struct ptcp_engine *e, const struct ptcp_capture_conf *conf,
		char *err, size_t errlen)
{
	struct utsname un;
	char name[RTE_MEMPOOL_NAMESIZE], comment[96];
	char os[sizeof(un.sysname) + sizeof(un.release)];
	char filt[PTCP_CAPTURE_FILTER_STRLEN];
	struct ptcp_capture *c;
	struct timespec ts;
	uint32_t nb, room;
	unsigned int i, nq = 0;
	int ret;

	c = rte_zmalloc("ptcp_capture", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL) {
		close(conf->fd);
		snprintf(err, errlen, "capture: out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	c->eng = e;
	c->fd = conf->fd;
	c->filter = conf->filter;
	c->filter_on = conf->filter.has_port || conf->filter.has_host;
	c->snaplen = conf->snaplen != 0 ?
		RTE_MIN(conf->snaplen, snaplen_max()) : snaplen_default(e);
	room = rte_pcapng_mbuf_size(c->snaplen);
	nb = conf->nb_mbufs;
	if (nb == 0) {
		nb = CAPTURE_POOL_BYTES / (room + (uint32_t)sizeof(struct rte_mbuf));
		nb = RTE_MAX(RTE_MIN(nb, CAPTURE_POOL_MAX), CAPTURE_POOL_MIN);
		nb = rte_align32prevpow2(nb + 1) - 1;  /* 2^n - 1: the pool's best */
	}

	for (i = 0; i < e->nb_ports; i++)
		nq += e->ports[i].nb_rxq + e->ports[i].nb_queues;
	c->nb_queues = nq;
	c->queues = rte_zmalloc("ptcp_capture_q", nq * sizeof(*c->queues),
		RTE_CACHE_LINE_SIZE);
	snprintf(name, sizeof(name), "ptcp%u_cap", e->id);
	if (c->queues != NULL)
		c->pool = rte_pktmbuf_pool_create(name, nb, CAPTURE_POOL_CACHE,
			0, (uint16_t)room, (int)rte_socket_id());
	if (c->pool == NULL) {
		snprintf(err, errlen, "capture: cannot create a pool of %u "
			"copies of %u bytes: %s (raise -m?)", nb, room,
			rte_strerror(rte_errno));
		ret = -rte_errno;
		goto fail;
	}
	/* Room for every copy the pool can hold: the pool runs out first. */
	c->ring = rte_ring_create(name, rte_align32pow2(nb + 1),
		(int)rte_socket_id(), RING_F_SC_DEQ);
	if (c->ring == NULL) {
		snprintf(err, errlen, "capture: cannot create a ring of %u: "
			"%s", nb + 1, rte_strerror(rte_errno));
		ret = -rte_errno;
		goto fail;
	}

	/* Section header (OS, app, filter) and one block per ethdev port. */
	if (uname(&un) == 0)
		snprintf(os, sizeof(os), "%s %s", un.sysname, un.release);
	else
		snprintf(os, sizeof(os), "Linux");
	ptcp_capture_filter_format(&c->filter, filt, sizeof(filt));
	snprintf(comment, sizeof(comment), "ptcp capture%s%s, snaplen %u",
		c->filter_on ? ", filter: " : "", filt, c->snaplen);
	c->pcapng = rte_pcapng_fdopen(c->fd, os, NULL,
		conf->appname != NULL ? conf->appname : "ptcp", comment);
	if (c->pcapng == NULL) {
		snprintf(err, errlen, "capture: cannot write the pcapng "
			"header: %s", strerror(errno != 0 ? errno : EIO));
		ret = -EIO;
		goto fail;
	}
	c->fd = -1;

	c->tsc_hz = rte_get_tsc_hz();
	c->base_tsc = rte_rdtsc();
	clock_gettime(CLOCK_REALTIME, &ts);
	c->base_ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;

	ret = rte_ctrl_thread_create(&c->writer, "ptcp-capture", NULL,
		capture_writer, c);
	if (ret != 0) {
		snprintf(err, errlen, "capture: cannot start the writer "
			"thread: %s", strerror(ret));
		ret = -ret;
		goto fail;
	}
	c->writer_running = true;

	ret = capture_add_callbacks(c, err, errlen);
	if (ret != 0)
		goto fail;
	PTCP_LOG(INFO, "capture: %u queue(s), snaplen %u, %u copies in "
		"flight%s%s\n", nq, c->snaplen, nb,
		c->filter_on ? ", filter: " : "", filt);
	return c;
fail:
	ptcp_capture_stop(c, NULL);
	rte_errno = -ret;
	return NULL;
}

void
ptcp_capture_stop(struct ptcp_capture *c, struct ptcp_capture_summary *sum)
{
	uint64_t cap[RTE_MAX_ETHPORTS] = { 0 }, drop[RTE_MAX_ETHPORTS] = { 0 };
	struct ptcp_engine *e;
	unsigned int i;

	if (c == NULL)
		return;
	e = c->eng;
	capture_remove_callbacks(c);
	if (c->writer_running) {
		__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
		pthread_join(c->writer, NULL);
		c->writer_running = false;
	}
	/* The writer is gone: this thread is the ring's consumer now. */
	if (c->pcapng != NULL) {
		while (capture_drain(c) != 0)
			;
		for (i = 0; i < c->nb_queues; i++) {
			cap[c->queues[i].port_id] += c->queues[i].captured;
			drop[c->queues[i].port_id] += c->queues[i].dropped;
		}
		/* What Wireshark's capture file properties show as dropped. */
		for (i = 0; i < e->nb_ports; i++) {
			uint16_t pid = e->ports[i].port_id;

			rte_pcapng_write_stats(c->pcapng, pid, NULL,
				c->base_ns, tsc_to_ns(c, rte_rdtsc()),
				cap[pid], drop[pid]);
		}
	}
	if (sum != NULL) {
		memset(sum, 0, sizeof(*sum));
		for (i = 0; i < c->nb_queues; i++) {
			sum->captured += c->queues[i].captured;
			sum->dropped += c->queues[i].dropped;
		}
		sum->written = c->written;
		sum->write_errors = c->write_errors;
		sum->bytes = c->bytes;
	}
	capture_free(c);
}

/* --- dpdk-dumpcap -------------------------------------------------------- */

bool
ptcp_capture_pdump_init(void)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return false;
	if (rte_pdump_init() != 0) {
		PTCP_LOG(DEBUG, "pdump: not initialised (%s): dpdk-dumpcap "
			"cannot attach\n", rte_strerror(rte_errno));
		return false;
	}
	return true;
}

void
ptcp_capture_pdump_uninit(void)
{
	rte_pdump_uninit();
}
