/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core's sections: [lcores] (the workers, their bursts, steering rings
 * and TX backlogs) and [mempool] (each worker's pool), with the rule that
 * a port's largest frame fits one mbuf. Registered with lib/config before
 * main().
 */

#include <stddef.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp_config.h"
#include "ptcp_core_config.h"

#define LCORES_KEY(name, field, def, min, max, doc) \
	PTCP_CONFIG_KEY(struct ptcp_lcores_config, name, PTCP_CONFIG_UINT, \
		field, def, min, max, doc)

#define MBUFS_MIN 1023u
#define MBUFS_MAX (1u << 26)

static const struct ptcp_config_key lcores_keys[] = {
	LCORES_KEY("burst", burst, 32, 1, 512,
		"packets per rx_burst/tx_burst call"),
	LCORES_KEY("tx_flush_us", tx_flush_us, 0, 0, 1000000,
		"reserved: the TX batch is flushed every loop pass"),
	LCORES_KEY("workers", workers, 0, 0, PTCP_MAX_WORKERS,
		"workers; 0 = one per EAL lcore (more than the EAL lcores: "
		"the application polls the extra ones itself)"),
	LCORES_KEY("steer_ring", steer_ring, 1024, 64, 65536,
		"frames a worker may have waiting for another"),
	LCORES_KEY("tx_backlog", tx_backlog, 1024, 0, 32768,
		"frames held per TX queue while the port refuses them "
		"(retried first on the next passes; 0 = drop at once)"),
};

PTCP_CONFIG_LIB_SECTION(ptcp_lcores_config_section, "lcores",
	lcores_keys, NULL, lcores, PTCP_CONFIG_RANK_LCORES)

static const struct ptcp_config_key mempool_keys[] = {
	PTCP_CONFIG_KEY(struct ptcp_mempool_config, "mbufs", PTCP_CONFIG_UINT,
		mbufs, 8191, MBUFS_MIN, MBUFS_MAX,
		"mbufs in each worker lcore's pool"),
	PTCP_CONFIG_KEY(struct ptcp_mempool_config, "cache", PTCP_CONFIG_UINT,
		cache, 256, 0, RTE_MEMPOOL_CACHE_MAX_SIZE,
		"per-lcore mempool cache"),
	PTCP_CONFIG_KEY(struct ptcp_mempool_config, "data_room",
		PTCP_CONFIG_UINT, data_room, RTE_MBUF_DEFAULT_BUF_SIZE, 1024,
		65535, "bytes per mbuf, headroom included"),
};

/* Each RX packet must fit one mbuf: no scattered RX. */
static int
check_mempool(struct ptcp_config_ctx *ctx, void *base)
{
	const struct ptcp_mempool_config *mp = base;
	const struct ptcp_config *cfg = ptcp_config_of(ctx);
	unsigned int i, v, need, l2;
	char name[16];

	for (i = 0; i < cfg->nb_ports; i++) {
		/* A port carrying VLANs receives frames 4 bytes longer. */
		l2 = RTE_ETHER_HDR_LEN;
		for (v = 0; v < PTCP_MAX_VLANS; v++)
			if (cfg->vlan[v].enabled && cfg->vlan[v].port == i)
				l2 = RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
		need = cfg->port[i].mtu + l2 + RTE_PKTMBUF_HEADROOM;
		if (mp->data_room >= need)
			continue;
		snprintf(name, sizeof(name), "port%u", i);
		return ptcp_config_fail(ctx, name, "mtu", "%u needs [mempool] data_room "
			">= %u (mtu + %u Ethernet%s + %u headroom), it is %u",
			cfg->port[i].mtu, need, l2,
			l2 != RTE_ETHER_HDR_LEN ? " with an 802.1Q tag" : "",
			RTE_PKTMBUF_HEADROOM, mp->data_room);
	}
	return 0;
}

PTCP_CONFIG_LIB_SECTION(ptcp_mempool_config_section, "mempool",
	mempool_keys, check_mempool, mempool, PTCP_CONFIG_RANK_MEMPOOL)
