/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up for any ethdev, and TX batching.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ptcp_io.h"

static int
find_port(const struct ptcp_port_config *pc, unsigned int index,
		uint16_t *port_id)
{
	uint16_t pid;
	unsigned int n = 0;

	if (pc->device[0] != '\0')
		return rte_eth_dev_get_port_by_name(pc->device, port_id);
	RTE_ETH_FOREACH_DEV(pid) {
		if (n++ == index) {
			*port_id = pid;
			return 0;
		}
	}
	return -ENODEV;
}

/* "port<index> (<name>): <what>" into @err; @return @ret. */
static int __attribute__((format(printf, 6, 7)))
port_err(char *err, size_t errlen, unsigned int index,
		const struct ptcp_port *p, int ret, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "port%u (%s): %s", index, p->name, what);
	return ret;
}

/*
 * What a driver does that its dev_info does not report. Everything else
 * is taken from the capabilities the ethdev advertises; these two cases
 * are here because no field of rte_eth_dev_info tells them apart.
 */
static const struct driver_quirk {
	const char *driver;
	/*
	 * Sends mbuf chains without advertising MULTI_SEGS. net_ring hands
	 * the mbuf pointers to whoever dequeues them, as they are, so a
	 * chain passes; but it advertises no TX offload at all, and its
	 * descriptor limits are ethdev's defaults (the same as a driver
	 * that set none): nothing tells a pointer-passing ring from a
	 * device that cannot gather.
	 */
	bool tx_chains;
	/*
	 * Wants a TSO piece's whole frame, Ethernet header included, within
	 * the MTU. net_tap (22.11) refuses a TSO packet whose tso_segsz plus
	 * all its headers exceeds the MTU (pmd_tx_burst), and counts it as
	 * an error: its reading of tso_segsz, which no capability reports.
	 */
	bool tso_frame_in_mtu;
} driver_quirks[] = {
	{ .driver = "net_ring", .tx_chains = true },
	{ .driver = "net_tap", .tso_frame_in_mtu = true },
};

static struct driver_quirk
driver_quirk_of(const char *driver)
{
	static const struct driver_quirk none;
	unsigned int i;

	for (i = 0; i < RTE_DIM(driver_quirks); i++)
		if (strcmp(driver, driver_quirks[i].driver) == 0)
			return driver_quirks[i];
	return none;
}

/* Step 1: find the device, read what it can do, check the queue counts. */
static int
port_probe(struct ptcp_port *p, const struct ptcp_port_config *pc,
		unsigned int index, uint16_t nb_queues,
		struct rte_eth_dev_info *info, char *err, size_t errlen)
{
	int ret;

	if (find_port(pc, index, &p->port_id) != 0) {
		snprintf(err, errlen, "port%u: no ethdev %s%s%s (is the --vdev "
			"or PCI device given to the EAL?)", index,
			pc->device[0] ? "named '" : "number ",
			pc->device[0] ? pc->device : "",
			pc->device[0] ? "'" : "");
		return -ENODEV;
	}
	rte_eth_dev_get_name_by_port(p->port_id, p->name);
	ret = rte_eth_dev_info_get(p->port_id, info);
	if (ret != 0)
		return port_err(err, errlen, index, p, ret,
			"cannot get device info: %s", strerror(-ret));
	/*
	 * Every worker sends on a TX queue of its own (no lock); RX queues
	 * may be fewer: workers without one get their flows from the others
	 * (software steering, lib/core).
	 */
	if (nb_queues > info->max_tx_queues || info->max_rx_queues == 0)
		return port_err(err, errlen, index, p, -EINVAL,
			"%u workers need %u TX queues, the device has %u "
			"(and %u RX)", nb_queues, nb_queues,
			info->max_tx_queues, info->max_rx_queues);
	p->nb_rxq = RTE_MIN(nb_queues, info->max_rx_queues);
	return 0;
}

/*
 * Step 2: the offloads, each one the device advertises (and the quirks
 * above): checksums both ways, chains, TSO when [tcp] tso asks for it.
 */
static void
port_offloads(struct ptcp_port *p, const struct ptcp_config *cfg,
		unsigned int index, const struct rte_eth_dev_info *info,
		struct rte_eth_conf *conf)
{
	struct driver_quirk quirk = driver_quirk_of(info->driver_name);
	bool vlans = false;
	unsigned int v;

	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
		p->rx_ip_csum = true;
	}
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
		p->rx_l4_csum = true;
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->tx_ip_csum = true;
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		p->tx_l4_csum = true;
	}
	/*
	 * No MBUF_FAST_FREE: TCP sends chains of a header mbuf and indirect
	 * mbufs pointing into its send queue (zero copy), from two pools,
	 * some of them shared.
	 */
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		p->tx_multi_seg = true;
	}
	if (quirk.tx_chains)
		p->tx_multi_seg = true;
	if (cfg->tcp.tso && p->tx_multi_seg && p->tx_l4_csum && p->tx_ip_csum &&
			(info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO)) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		p->tx_tso = true;
		p->tso_frame_in_mtu = quirk.tso_frame_in_mtu;
	}
	/*
	 * 802.1Q: only on a port that carries VLANs ([vlanN] port = index),
	 * so that a port without them keeps its frames as they are. Where
	 * the device has no such offload, lib/core strips and lib/io inserts
	 * the tags in software.
	 */
	for (v = 0; v < PTCP_MAX_VLANS; v++)
		if (cfg->vlan[v].enabled && cfg->vlan[v].port == index)
			vlans = true;
	if (vlans && (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT)) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
		p->tx_vlan_insert = true;
	}
	if (vlans && (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
		p->rx_vlan_strip = true;
	}
}

/*
 * Step 3: RSS when every worker has an RX queue and the NIC hashes
 * IPv4/TCP: our symmetric key, so both directions of a flow meet on one
 * queue, and the RETA programmed at start. Otherwise a software RETA over
 * the workers, the same shape, for steering and port choice.
 */
static void
port_rss(struct ptcp_port *p, uint16_t nb_queues,
		const struct rte_eth_dev_info *info, struct rte_eth_conf *conf)
{
	uint16_t q;

	if (p->nb_rxq == nb_queues && nb_queues > 1 &&
			(info->flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) &&
			info->hash_key_size == PTCP_RSS_KEY_LEN &&
			info->reta_size != 0 && info->reta_size <= PTCP_RETA_MAX &&
			rte_is_power_of_2(info->reta_size)) {
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_key =
			(uint8_t *)(uintptr_t)ptcp_rss_key;
		conf->rx_adv_conf.rss_conf.rss_key_len = PTCP_RSS_KEY_LEN;
		conf->rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP;
		if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH)
			conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
		p->hw_rss = true;
		p->reta_size = info->reta_size;
	} else {
		p->reta_size = PTCP_RETA_MAX;
	}
	for (q = 0; q < p->reta_size; q++)
		p->reta[q] = (uint16_t)(q % nb_queues);
}

/*
 * Step 4: configure the device and its queues: RX queue q (where there is
 * one) receives into @pools[q], TX queue q is worker q's.
 */
static int
port_queues(struct ptcp_port *p, const struct ptcp_port_config *pc,
		unsigned int index, uint16_t nb_queues,
		const struct rte_eth_dev_info *info,
		const struct rte_eth_conf *conf,
		struct rte_mempool *const *pools, char *err, size_t errlen)
{
	uint16_t nb_rxd = pc->rx_desc, nb_txd = pc->tx_desc, q;
	int ret, sock;

	ret = rte_eth_dev_configure(p->port_id, p->nb_rxq, nb_queues, conf);
	if (ret != 0)
		return port_err(err, errlen, index, p, ret, "configure: %s",
			strerror(-ret));
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (ret != 0)
		return port_err(err, errlen, index, p, ret,
			"descriptors %u/%u: %s", nb_rxd, nb_txd,
			strerror(-ret));
	sock = rte_eth_dev_socket_id(p->port_id);
	if (sock < 0)
		sock = (int)rte_socket_id();
	for (q = 0; q < nb_queues; q++) {
		struct rte_eth_rxconf rxc = info->default_rxconf;
		struct rte_eth_txconf txc = info->default_txconf;

		rxc.offloads = conf->rxmode.offloads;
		txc.offloads = conf->txmode.offloads;
		ret = q < p->nb_rxq ? rte_eth_rx_queue_setup(p->port_id, q,
				nb_rxd, (unsigned int)sock, &rxc, pools[q]) : 0;
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(p->port_id, q, nb_txd,
					(unsigned int)sock, &txc);
		if (ret != 0)
			return port_err(err, errlen, index, p, ret,
				"queue %u setup: %s", q, strerror(-ret));
	}
	return 0;
}

/* Step 5: the MTU and the address, checked against what the device has. */
static int
port_mtu_mac(struct ptcp_port *p, const struct ptcp_port_config *pc,
		unsigned int index, char *err, size_t errlen)
{
	int ret;

	/* Not every virtual device supports setting the MTU: not fatal. */
	p->mtu = pc->mtu;
	if (rte_eth_dev_set_mtu(p->port_id, pc->mtu) != 0) {
		uint16_t cur;

		if (rte_eth_dev_get_mtu(p->port_id, &cur) == 0 && cur < pc->mtu)
			p->mtu = cur;
	}
	if (pc->mac_set) {
		struct rte_ether_addr mac = pc->mac;

		ret = rte_eth_dev_default_mac_addr_set(p->port_id, &mac);
		if (ret != 0)
			return port_err(err, errlen, index, p, ret,
				"cannot set MAC: %s", strerror(-ret));
	}
	ret = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (ret != 0)
		return port_err(err, errlen, index, p, ret, "cannot read MAC: %s",
			strerror(-ret));
	/*
	 * Some virtual devices (net_ring made by rte_eth_from_rings) have no
	 * address: take a random locally administered one rather than send
	 * from 00:00:00:00:00:00. Devices that cannot set it do not filter.
	 */
	if (!rte_is_valid_assigned_ether_addr(&p->mac)) {
		rte_eth_random_addr(p->mac.addr_bytes);
		rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
	}
	return 0;
}

int
ptcp_port_setup(struct ptcp_port *p, const struct ptcp_config *cfg,
		unsigned int index, uint16_t nb_queues,
		struct rte_mempool *const *pools, char *err, size_t errlen)
{
	const struct ptcp_port_config *pc = &cfg->port[index];
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int ret;

	memset(p, 0, sizeof(*p));
	memset(&conf, 0, sizeof(conf));
	ret = port_probe(p, pc, index, nb_queues, &info, err, errlen);
	if (ret != 0)
		return ret;
	port_offloads(p, cfg, index, &info, &conf);
	port_rss(p, nb_queues, &info, &conf);
	ret = port_queues(p, pc, index, nb_queues, &info, &conf, pools, err,
		errlen);
	if (ret != 0)
		return ret;
	ret = port_mtu_mac(p, pc, index, err, errlen);
	if (ret != 0)
		return ret;
	p->nb_queues = nb_queues;
	return 0;
}

/* After start (some drivers only take the RETA then). */
static int
port_reta_program(struct ptcp_port *p)
{
	struct rte_eth_rss_reta_entry64 r[PTCP_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	unsigned int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < p->reta_size; i++) {
		r[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
			1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		r[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			p->reta[i];
	}
	return rte_eth_dev_rss_reta_update(p->port_id, r, p->reta_size);
}

int
ptcp_port_start(struct ptcp_port *p)
{
	int ret = rte_eth_dev_start(p->port_id);

	if (ret == 0 && p->hw_rss && port_reta_program(p) != 0) {
		/* The default RETA spreads over the queues round-robin too,
		 * but another size would break the port choice of connect. */
		rte_eth_dev_stop(p->port_id);
		return -ENOTSUP;
	}
	if (ret == 0) {
		p->started = true;
		/* Broadcast is needed for ARP; promiscuous is not. */
		rte_eth_allmulticast_enable(p->port_id);
	}
	return ret;
}

void
ptcp_port_close(struct ptcp_port *p)
{
	if (p->started) {
		rte_eth_dev_stop(p->port_id);
		p->started = false;
	}
	rte_eth_dev_close(p->port_id);
}

int
ptcp_txq_backlog_init(struct ptcp_txq *q, uint32_t max, int socket)
{
	q->bl_head = q->bl_n = 0;
	q->bl_aging = false;
	q->bl_max = max;
	q->bl_mask = 0;
	q->bl = NULL;
	if (max == 0)
		return 0;
	q->bl_mask = rte_align32pow2(max) - 1;
	q->bl = rte_zmalloc_socket("ptcp_txq_backlog",
		(size_t)(q->bl_mask + 1) * sizeof(q->bl[0]),
		RTE_CACHE_LINE_SIZE, socket);
	if (q->bl == NULL) {
		q->bl_max = q->bl_mask = 0;
		return -ENOMEM;
	}
	return 0;
}

void
ptcp_txq_release(struct ptcp_txq *q)
{
	if (q->n != 0) {
		rte_pktmbuf_free_bulk(q->pkts, q->n);
		q->n = 0;
	}
	for (; q->bl_n != 0; q->bl_n--, q->bl_head++)
		rte_pktmbuf_free(q->bl[q->bl_head & q->bl_mask]);
	rte_free(q->bl);
	q->bl = NULL;
	q->bl_max = q->bl_mask = 0;
}

static uint64_t
frame_bytes(struct rte_mbuf *const *m, uint16_t n)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(m[i]);
	return bytes;
}

/*
 * Offer @p n frames to the port; @return how many it took, adding their
 * bytes to @p bytes (counted before sending: a sent mbuf belongs to the
 * driver).
 */
static uint16_t
tx_burst(const struct ptcp_txq *q, struct rte_mbuf **m, uint16_t n,
		uint64_t *bytes)
{
	uint64_t b = frame_bytes(m, n);
	uint16_t sent = rte_eth_tx_burst(q->port_id, q->queue_id, m, n);

	if (unlikely(sent < n))
		b -= frame_bytes(m + sent, n - sent);
	*bytes += b;
	return sent;
}

/* Offer the backlog to the port, oldest first. @return frames taken. */
static uint32_t
backlog_send(struct ptcp_txq *q, uint64_t *bytes)
{
	uint32_t taken = 0, h;
	uint16_t chunk, sent;

	while (q->bl_n != 0) {
		/* the oldest frames up to the end of the ring, at most */
		h = q->bl_head & q->bl_mask;
		chunk = (uint16_t)RTE_MIN(RTE_MIN(q->bl_n, q->bl_mask + 1 - h),
			(uint32_t)UINT16_MAX);
		sent = tx_burst(q, q->bl + h, chunk, bytes);
		q->bl_head += sent;
		q->bl_n -= sent;
		taken += sent;
		if (sent < chunk)
			break;
	}
	return taken;
}

/* Keep @p n refused frames behind what the backlog holds; drop the rest. */
static void
backlog_hold(struct ptcp_txq *q, struct rte_mbuf **m, uint16_t n,
		struct ptcp_stats *st)
{
	uint32_t k = RTE_MIN((uint32_t)n, q->bl_max - q->bl_n), i;

	for (i = 0; i < k; i++)
		q->bl[(q->bl_head + q->bl_n + i) & q->bl_mask] = m[i];
	q->bl_n += k;
	PTCP_STAT_ADD(st, tx_backlog_held, k);
	if (unlikely(k < n)) {
		PTCP_STAT_ADD(st, tx_drop_full, n - k);
		rte_pktmbuf_free_bulk(m + k, n - k);
	}
}

int
ptcp_txq_vlan_tag(const struct ptcp_txq *q, struct rte_mbuf *m,
		struct ptcp_stats *st)
{
	m->vlan_tci = q->vlan_tci;
	m->ol_flags |= RTE_MBUF_F_TX_VLAN;
	if (q->vlan_hw)
		return 0;
	/* In software: the header moves 4 bytes up, l2_len grows by 4. */
	if (unlikely(rte_vlan_insert(&m) != 0)) {
		PTCP_STAT_INC(st, tx_vlan_drop);
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

uint32_t
ptcp_txq_expire(struct ptcp_txq *q, uint64_t now_ms, struct ptcp_stats *st)
{
	uint32_t n = q->bl_n;

	if (likely(n == 0)) {
		q->bl_aging = false;
		return 0;
	}
	if (!q->bl_aging || q->bl_head != q->bl_mark) {
		q->bl_aging = true;            /* new, or it moved: from now */
		q->bl_mark = q->bl_head;
		q->bl_mark_ms = now_ms;
		return 0;
	}
	if (now_ms - q->bl_mark_ms < PTCP_TX_STALE_MS)
		return 0;
	for (; q->bl_n != 0; q->bl_n--, q->bl_head++)
		rte_pktmbuf_free(q->bl[q->bl_head & q->bl_mask]);
	q->bl_aging = false;
	PTCP_STAT_ADD(st, tx_drop_stale, n);
	return n;
}

uint16_t
ptcp_txq_flush(struct ptcp_txq *q, struct ptcp_stats *st)
{
	uint32_t from_bl = 0;
	uint64_t bytes = 0;
	uint16_t n = q->n, sent = 0;

	if (unlikely(q->bl_n != 0)) {
		from_bl = backlog_send(q, &bytes);
		PTCP_STAT_ADD(st, tx_backlog_sent, from_bl);
	}
	if (n != 0) {
		/* Nothing overtakes a held frame: order is kept per queue. */
		if (likely(q->bl_n == 0))
			sent = tx_burst(q, q->pkts, n, &bytes);
		if (unlikely(sent < n))
			backlog_hold(q, q->pkts + sent, n - sent, st);
		q->n = 0;
	}
	if (from_bl + sent == 0)
		return 0;
	PTCP_STAT_ADD(st, tx_pkts, from_bl + sent);
	PTCP_STAT_ADD(st, tx_bytes, bytes);
	return (uint16_t)RTE_MIN(from_bl + sent, (uint32_t)UINT16_MAX);
}
