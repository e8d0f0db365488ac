/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine (ports, workers, pools) and the per-lcore run-to-completion
 * loop: rx_burst -> classify -> handle -> timers -> flush TX, every pass.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "core_priv.h"
#include "ptcp_timer.h"

RTE_LOG_REGISTER(ptcp_logtype_core, ptcp.core, INFO);

RTE_DEFINE_PER_LCORE(struct ptcp_lcore *, ptcp_cur_lcore);

static int
lcore_create(struct ptcp_engine *e, unsigned int idx, unsigned int lcore_id,
		char *err, size_t errlen)
{
	const struct ptcp_config *cfg = &e->cfg;
	struct ptcp_arp_conf ac = {
		.entries = cfg->arp.entries,
		.timeout_ms = cfg->arp.timeout_s * 1000u,
		.resolve_ms = cfg->arp.resolve_ms,
		.retries = cfg->arp.retries,
		.pending = RTE_MIN(cfg->arp.pending, (uint32_t)PTCP_ARP_PENDING_MAX),
		.pending_total = cfg->arp.pending_total,
	};
	int sock = (int)rte_lcore_to_socket_id(lcore_id);
	unsigned int vl[PTCP_MAX_VLANS];
	struct ptcp_lcore *lc;
	unsigned int i, s, v;
	void *mem;

	lc = rte_zmalloc_socket("ptcp_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE,
			sock);
	if (lc == NULL) {
		snprintf(err, errlen, "worker %u: out of memory", idx);
		return -ENOMEM;
	}
	e->lcores[idx] = lc;
	lc->eng = e;
	lc->idx = idx;
	lc->lcore_id = lcore_id;
	lc->pool = e->pools[idx];
	lc->burst = RTE_MIN(cfg->lcores.burst, (uint16_t)PTCP_TX_BATCH_MAX);
	lc->ttl = cfg->ip.ttl;
	lc->icmp_err_limit = cfg->ip.icmp_error_limit;
	/* Different workers start their IP ids apart. */
	lc->ip_id = (uint16_t)(idx * 0x1000u);

	lc->nb_ports = (uint16_t)e->nb_ports;
	for (i = 0, v = 0; i < PTCP_MAX_VLANS; i++)
		if (cfg->vlan[i].enabled)
			vl[v++] = i;
	lc->nb_ifs = (uint16_t)(e->nb_ports + v);

	for (i = 0; i < lc->nb_ifs; i++) {
		struct ptcp_iface *ifc = &lc->ifs[i];
		const struct ptcp_port_config *pc = &e->cfg.port[i];
		const struct ptcp_vlan_config *vc = NULL;
		unsigned int p = i;

		if (i >= e->nb_ports) {
			/* the engine's own copy of the configuration: stable */
			vc = &e->cfg.vlan[vl[i - e->nb_ports]];
			p = vc->port;
			ifc->vlan_id = vc->id;
			lc->vlan_key[i - e->nb_ports] =
				(uint32_t)p << 16 | vc->id;
			ifc->ip.addr = vc->addr;
			ifc->ip.netmask = vc->netmask;
			ifc->ip.extra = vc->extra_addr;
			ifc->ip.nb_extra = vc->nb_extra;
			ifc->gateway = vc->gateway;
			ifc->rxq = UINT16_MAX;
		} else {
			ifc->ip.addr = pc->addr;
			ifc->ip.netmask = pc->netmask;
			ifc->ip.extra = pc->extra_addr;
			ifc->ip.nb_extra = pc->nb_extra;
			ifc->gateway = pc->gateway;
			/* Workers beyond the port's RX queues only get steered
			 * frames. */
			ifc->rxq = idx < e->ports[i].nb_rxq ? (uint16_t)idx :
				UINT16_MAX;
		}
		ifc->port = &e->ports[p];
		ifc->port_idx = (uint8_t)p;
		ifc->txq.port_id = e->ports[p].port_id;
		ifc->txq.queue_id = (uint16_t)idx;
		ifc->txq.burst = lc->burst;
		ifc->txq.vlan_tci = ifc->vlan_id;
		ifc->txq.vlan_hw = e->ports[p].tx_vlan_insert;
		if (ptcp_txq_backlog_init(&ifc->txq, cfg->lcores.tx_backlog,
				sock) != 0) {
			snprintf(err, errlen, "worker %u: %s%u: cannot "
				"allocate a TX backlog of %u frames", idx,
				vc != NULL ? "vlan" : "port",
				vc != NULL ? vl[i - e->nb_ports] : i,
				cfg->lcores.tx_backlog);
			return -ENOMEM;
		}
		mem = rte_zmalloc_socket("ptcp_arp", ptcp_arp_table_memsize(&ac),
				RTE_CACHE_LINE_SIZE, sock);
		ifc->arp = ptcp_arp_table_init(mem, &ac);
		if (ifc->arp == NULL) {
			rte_free(mem);
			snprintf(err, errlen, "worker %u: %s%u: cannot create "
				"ARP cache of %u entries", idx,
				vc != NULL ? "vlan" : "port",
				vc != NULL ? vl[i - e->nb_ports] : i, ac.entries);
			return -ENOMEM;
		}
		/* [arp.static] entries belong to the ports' own interfaces. */
		for (s = 0; s < cfg->nb_arp_static && vc == NULL; s++) {
			const struct ptcp_static_arp *sa = &cfg->arp_static[s];

			if (sa->port != i)
				continue;
			if (ptcp_arp_add_static(ifc->arp, sa->ip, &sa->mac) != 0) {
				snprintf(err, errlen, "[arp.static]: cannot add "
					"entry %u to port%u (cache full or "
					"duplicate)", s, i);
				return -ENOSPC;
			}
		}
	}
	return 0;
}

struct ptcp_engine *
ptcp_engine_create(const struct ptcp_config *cfg, char *err, size_t errlen)
{
	struct ptcp_engine *e;
	unsigned int lcore_id, i, j, idx = 0, nb_eal = 0, nb_workers;
	unsigned int wl[PTCP_MAX_WORKERS];
	char name[RTE_MEMPOOL_NAMESIZE], rname[64];
	int ret;

	if (cfg->nb_ports == 0) {
		snprintf(err, errlen, "no port configured ([port0] address)");
		rte_errno = EINVAL;
		return NULL;
	}
	e = rte_zmalloc("ptcp_engine", sizeof(*e), RTE_CACHE_LINE_SIZE);
	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	e->cfg = *cfg;
	e->nb_ports = cfg->nb_ports;
	/* Several engines may share a process (tests run two stacks): the
	 * first id whose pool name is free is ours. */
	for (e->id = 0; e->id < 1000; e->id++) {
		snprintf(name, sizeof(name), "ptcp%u_mbuf_0", e->id);
		if (rte_mempool_lookup(name) == NULL)
			break;
	}
	e->tsc_hz = rte_get_tsc_hz();
	e->start_tsc = rte_rdtsc();
	for (i = 0; i < RTE_MAX_LCORE; i++)
		e->lcore_to_idx[i] = -1;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		e->port_to_if[i] = -1;
	/*
	 * Every enabled lcore, main included, is a worker; or [lcores]
	 * workers of them, the ones beyond the EAL lcores placed on the main
	 * lcore (for tests that poll every worker from one thread).
	 */
	RTE_LCORE_FOREACH(lcore_id)
		if (nb_eal < PTCP_MAX_WORKERS)
			wl[nb_eal++] = lcore_id;
	nb_workers = cfg->lcores.workers != 0 ? cfg->lcores.workers : nb_eal;
	for (idx = 0; idx < nb_workers; idx++) {
		lcore_id = idx < nb_eal ? wl[idx] : rte_get_main_lcore();
		snprintf(name, sizeof(name), "ptcp%u_mbuf_%u", e->id, idx);
		e->pools[idx] = rte_pktmbuf_pool_create(name, cfg->mempool.mbufs,
				cfg->mempool.cache, 0, cfg->mempool.data_room,
				(int)rte_lcore_to_socket_id(lcore_id));
		if (e->pools[idx] == NULL) {
			snprintf(err, errlen, "worker %u: cannot create a pool "
				"of %u mbufs of %u bytes: %s (raise -m?)", idx,
				cfg->mempool.mbufs, cfg->mempool.data_room,
				rte_strerror(rte_errno));
			ret = -rte_errno;
			goto fail;
		}
		if (idx < nb_eal)
			e->lcore_to_idx[lcore_id] = (int16_t)idx;
	}
	e->nb_lcores = nb_workers;
	/* A ring per ordered pair of workers (software steering). */
	for (i = 0; i < nb_workers && nb_workers > 1; i++)
		for (j = 0; j < nb_workers; j++) {
			if (i == j)
				continue;
			snprintf(rname, sizeof(rname), "ptcp%u_st_%u_%u",
				e->id, i, j);
			e->steer[i][j] = rte_ring_create(rname, cfg->lcores.steer_ring,
				(int)rte_socket_id(), RING_F_SP_ENQ |
				RING_F_SC_DEQ | RING_F_EXACT_SZ);
			if (e->steer[i][j] == NULL) {
				snprintf(err, errlen, "workers %u->%u: cannot "
					"create a steering ring of %u: %s", i, j,
					cfg->lcores.steer_ring, rte_strerror(rte_errno));
				ret = -rte_errno;
				goto fail;
			}
		}

	for (i = 0; i < e->nb_ports; i++) {
		ret = ptcp_port_setup(&e->ports[i], cfg, i, (uint16_t)e->nb_lcores,
				e->pools, err, errlen);
		if (ret != 0)
			goto fail;
	}
	for (i = 0; i < e->nb_ports; i++)
		e->port_to_if[e->ports[i].port_id] = (int8_t)i;
	for (idx = 0; idx < nb_workers; idx++) {
		ret = lcore_create(e, idx, idx < nb_eal ? wl[idx] :
			rte_get_main_lcore(), err, errlen);
		if (ret != 0)
			goto fail;
	}
	return e;
fail:
	ptcp_engine_destroy(e);
	rte_errno = -ret;
	return NULL;
}

int
ptcp_engine_start(struct ptcp_engine *e, char *err, size_t errlen)
{
	struct ptcp_lcore *lc0;
	unsigned int i;
	int ret;

	for (i = 0; i < e->nb_ports; i++) {
		ret = ptcp_port_start(&e->ports[i]);
		if (ret != 0) {
			snprintf(err, errlen, "port%u (%s): start: %s", i,
				e->ports[i].name, rte_strerror(-ret));
			return ret;
		}
	}
	/* Announce our addresses (from worker 0's queue; sent right away). */
	lc0 = e->lcores[0];
	if (e->cfg.arp.gratuitous) {
		for (i = 0; i < lc0->nb_ifs; i++) {
			const struct ptcp_ipv4_if *ip = &lc0->ifs[i].ip;
			unsigned int x;

			if (ip->addr != 0)      /* address = none */
				ptcp_arp_announce(lc0, i, ip->addr);
			for (x = 0; x < ip->nb_extra; x++)
				ptcp_arp_announce(lc0, i, ip->extra[x]);
			ptcp_txq_flush(&lc0->ifs[i].txq, &lc0->stats);
		}
	}
	return 0;
}

void
ptcp_engine_quit(struct ptcp_engine *e)
{
	e->force_quit = true;
}

void
ptcp_engine_destroy(struct ptcp_engine *e)
{
	struct ptcp_lcore *lc;
	unsigned int i, p;

	if (e == NULL)
		return;
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		lc = e->lcores[i];
		if (lc == NULL)
			continue;
		for (p = 0; p < PTCP_MAX_IFS; p++) {
			struct ptcp_iface *ifc = &lc->ifs[p];

			ptcp_txq_release(&ifc->txq);
			if (ifc->arp != NULL) {
				ptcp_arp_table_flush(ifc->arp);
				rte_free(ifc->arp);
			}
		}
		rte_free(lc);
	}
	for (i = 0; i < e->nb_ports; i++)
		if (e->ports[i].nb_queues != 0)
			ptcp_port_close(&e->ports[i]);
	/* Frames still on a steering ring go back to their pools first. */
	for (i = 0; i < PTCP_MAX_WORKERS; i++)
		for (p = 0; p < PTCP_MAX_WORKERS; p++) {
			struct rte_ring *r = e->steer[i][p];
			struct rte_mbuf *m;

			if (r == NULL)
				continue;
			while (rte_ring_dequeue(r, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(r);
		}
	for (i = 0; i < RTE_MAX_LCORE; i++)
		rte_mempool_free(e->pools[i]);
	rte_free(e);
}

void
ptcp_engine_stats(const struct ptcp_engine *e, struct ptcp_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < e->nb_lcores; i++)
		ptcp_stats_sum(out, &e->lcores[i]->stats);
}

unsigned int
ptcp_engine_mbufs_in_use(const struct ptcp_engine *e)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->nb_lcores; i++)
		n += rte_mempool_in_use_count(e->pools[i]);
	return n;
}

int
ptcp_engine_check_lcores(const struct ptcp_engine *e, char *err,
		size_t errlen)
{
	if (e->nb_lcores <= rte_lcore_count())
		return 0;
	snprintf(err, errlen, "[lcores] workers = %u needs as many EAL lcores "
		"(-l), there are %u", e->nb_lcores, rte_lcore_count());
	return -EINVAL;
}

struct ptcp_lcore *
ptcp_engine_lcore(struct ptcp_engine *e)
{
	unsigned int id = rte_lcore_id();

	if (id >= RTE_MAX_LCORE || e->lcore_to_idx[id] < 0)
		return NULL;
	return e->lcores[e->lcore_to_idx[id]];
}

unsigned int
ptcp_lcore_poll_at(struct ptcp_lcore *lc, uint64_t tsc)
{
	struct rte_mbuf *pkts[PTCP_TX_BATCH_MAX];
	struct ptcp_engine *e = lc->eng;
	unsigned int i, total = 0;
	uint16_t n;

	lc->now_tsc = tsc;
	lc->now_ms = ptcp_tsc_to(tsc - e->start_tsc, e->tsc_hz, 1000);

	RTE_PER_LCORE(ptcp_cur_lcore) = lc;
	/*
	 * What other workers received for flows we own, before our own
	 * queues: it came in earlier than what they hold now, and a flow
	 * split over two queues is less reordered this way.
	 */
	for (i = 0; i < lc->eng->nb_lcores && lc->eng->nb_lcores > 1; i++) {
		struct rte_ring *r = e->steer[i][lc->idx];

		if (r == NULL)
			continue;
		n = (uint16_t)rte_ring_sc_dequeue_burst(r,
			(void **)pkts, lc->burst, NULL);
		if (n != 0)
			core_input_steered(lc, pkts, n);
		total += n;
	}
	/* A port's frames come in on its own interface (VLANs included). */
	for (i = 0; i < lc->nb_ports; i++) {
		struct ptcp_iface *ifc = &lc->ifs[i];

		if (ifc->rxq == UINT16_MAX)
			continue;
		n = rte_eth_rx_burst(ifc->port->port_id, ifc->rxq, pkts,
				lc->burst);
		if (n != 0)
			core_input_burst(lc, i, pkts, n);
		total += n;
	}
	if (lc->wheel != NULL)
		ptcp_timer_wheel_advance_tsc(lc->wheel, tsc);
	if (lc->l4_poll != NULL)
		lc->l4_poll(lc);

	if (unlikely((int64_t)(lc->now_ms - lc->next_arp_age_ms) >= 0)) {
		lc->next_arp_age_ms = lc->now_ms + PTCP_ARP_AGE_PERIOD_MS;
		core_arp_age(lc);
	}

	for (i = 0; i < lc->nb_ifs; i++) {
		ptcp_txq_flush(&lc->ifs[i].txq, &lc->stats);
		if (unlikely(lc->ifs[i].txq.bl_n != 0 ||
				lc->ifs[i].txq.bl_aging))
			ptcp_txq_expire(&lc->ifs[i].txq, lc->now_ms,
				&lc->stats);
	}
	RTE_PER_LCORE(ptcp_cur_lcore) = NULL;
	return total;
}

unsigned int
ptcp_lcore_poll(struct ptcp_lcore *lc)
{
	return ptcp_lcore_poll_at(lc, rte_rdtsc());
}

int
ptcp_lcore_main(void *arg)
{
	struct ptcp_engine *e = arg;
	struct ptcp_lcore *lc = ptcp_engine_lcore(e);

	if (lc == NULL)
		return 0;
	PTCP_LOG(DEBUG, "worker %u running on lcore %u\n", lc->idx,
		lc->lcore_id);
	while (!e->force_quit)
		ptcp_lcore_poll(lc);
	/* Send what the last pass left. */
	ptcp_lcore_tx_drain(lc);
	return 0;
}

/* Objects a pool's per-lcore cache holds (rte_mempool allows n / 1.5). */
#define OBJ_POOL_CACHE 256u

struct rte_mempool *
ptcp_obj_pool_create(const char *name, unsigned int n, unsigned int size,
		int socket)
{
	return rte_mempool_create(name, n, size,
		RTE_MIN(OBJ_POOL_CACHE, n / 2), 0, NULL, NULL, NULL, NULL,
		socket, RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
}

unsigned int
ptcp_lcore_tx_drain(struct ptcp_lcore *lc)
{
	uint64_t end = rte_rdtsc() +
		rte_get_tsc_hz() / (1000000 / PTCP_TX_DRAIN_US);
	unsigned int i, held;

	for (;;) {
		held = 0;
		for (i = 0; i < lc->nb_ifs; i++) {
			ptcp_txq_flush(&lc->ifs[i].txq, &lc->stats);
			held += lc->ifs[i].txq.bl_n;
		}
		if (held == 0 || rte_rdtsc() >= end)
			return held;
		rte_pause();
	}
}
