/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP on the engine's workers: attach (per-lcore state: flow table,
 * pools, timing wheel, secrets; the L4 hooks), the per-pass poll hook,
 * drain at shutdown, detach.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "tcp_priv.h"

/* ------------------------------------------------------------------ */
/* Attach, drain, detach                                               */
/* ------------------------------------------------------------------ */

/* Mbufs free again after a send failed for lack of them. */
#define NOBUFS_RESUME_MBUFS 64

/*
 * A send refused for lack of mbufs has no ACK to wait for: once the pool
 * has room again, call writable for every connection that asked. Rare, so
 * a walk of the lcore's connections is fine.
 */
static void
nobufs_resume(struct tcp_lcore *tl)
{
	struct ptcp_conn *tp, *next;

	if (rte_mempool_avail_count(tl->lc->pool) < NOBUFS_RESUME_MBUFS)
		return;
	tl->nobufs_waiting = false;
	for (tp = TAILQ_FIRST(&tl->conns); tp != NULL; tp = next) {
		next = TAILQ_NEXT(tp, link);
		if (!(tp->flags & TF_WANT_WRITE) || ptcp_send_space(tp) == 0)
			continue;
		tp->flags &= ~TF_WANT_WRITE;
		if (tp->ops != NULL && tp->ops->writable != NULL)
			tp->ops->writable(tp);
		if (next != NULL && (next->flags & TF_DEAD))
			next = TAILQ_FIRST(&tl->conns);
	}
}

static void
tcp_poll(struct ptcp_lcore *lc)
{
	struct tcp_lcore *tl = tcp_lc(lc);

	if (unlikely(tl->nobufs_waiting))
		nobufs_resume(tl);
	if (!TAILQ_EMPTY(&tl->dead))
		tcp_conn_free_dead(tl);
	/* Another thread asks for a listing (ptcp_tcp_snapshot()). */
	if (unlikely(__atomic_load_n(&tl->snap_state, __ATOMIC_RELAXED) ==
			TCP_SNAP_ASKED))
		tcp_snap_serve(tl);
}

/*
 * Our timestamp clock (TSval, RFC 7323): milliseconds since boot plus an
 * offset fixed for the boot (a hash of the kernel's boot_id), so that
 * it never goes back when the process restarts: a peer holding one of our
 * old tuples in TIME-WAIT checks the new SYN's TSval against the old
 * connection's (PAWS, RFC 6191), and a clock that restarted lower would
 * see every such SYN refused. The offset keeps the uptime from the peer.
 * @return the offset that turns the lcore's ms clock into it.
 */
static uint32_t
ts_clock_offset(const struct ptcp_engine *e)
{
	static const struct tcp_secret public_key;   /* boot_id is the secret */
	char boot_id[64] = "";
	struct timespec ts;
	uint64_t boot_ms, now_ms;
	uint32_t per_boot = 0;
	FILE *f;

	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f != NULL) {
		if (fgets(boot_id, sizeof(boot_id), f) != NULL)
			per_boot = (uint32_t)tcp_siphash(&public_key, boot_id,
				(unsigned int)strlen(boot_id));
		fclose(f);
	}
	clock_gettime(CLOCK_BOOTTIME, &ts);
	boot_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	now_ms = ptcp_tsc_to(rte_rdtsc() - e->start_tsc, e->tsc_hz, 1000);
	return (uint32_t)(boot_ms + per_boot - now_ms);
}

static int
tcp_lcore_create(struct ptcp_engine *e, struct ptcp_lcore *lc, char *err,
		size_t errlen)
{
	const struct ptcp_config *cfg = &e->cfg;
	int sock = (int)rte_lcore_to_socket_id(lc->lcore_id);
	struct ptcp_timer_wheel_conf wc = {
		.tick_ns = (uint64_t)cfg->tick_us * 1000,
		.tsc_hz = e->tsc_hz,
		.start_tsc = e->start_tsc,
		/* A level-3 slot holding 360K timers (10M live) would be moved
		 * down in one ~55 ms pass; spread it (docs/timer.md). */
		.max_cascade = 4096,
	};
	struct tcp_lcore *tl;
	char name[RTE_MEMPOOL_NAMESIZE];

	tl = rte_zmalloc_socket("ptcp_tcp_lcore", sizeof(*tl),
			RTE_CACHE_LINE_SIZE, sock);
	if (tl == NULL) {
		snprintf(err, errlen, "worker %u: out of memory", lc->idx);
		return -ENOMEM;
	}
	lc->l4 = tl;
	tl->lc = lc;
	tl->cfg = &e->cfg.tcp;
	TAILQ_INIT(&tl->conns);
	TAILQ_INIT(&tl->dead);
	tcp_secret_init(&tl->secret);
	tl->ts_offset = ts_clock_offset(e);
	tl->lport_next = (uint32_t)rte_rand();
	tl->tick_us = cfg->tick_us;
	snprintf(name, sizeof(name), "ptcp%u_flow_%u", e->id, lc->idx);
	tl->flows = ptcp_flow_table_create(name,
		cfg->tcp.max_conns + cfg->tcp.max_tw, sock);
	if (tl->flows == NULL) {
		snprintf(err, errlen, "worker %u: cannot create a flow table of "
			"%u entries: %s (raise -m, or lower [tcp] max_conns / "
			"max_tw)", lc->idx, cfg->tcp.max_conns + cfg->tcp.max_tw,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "ptcp%u_tcb_%u", e->id, lc->idx);
	tl->tcb_pool = ptcp_obj_pool_create(name, cfg->tcp.max_conns,
		sizeof(struct ptcp_conn), sock);
	if (tl->tcb_pool == NULL) {
		snprintf(err, errlen, "worker %u: cannot create %u TCBs: %s "
			"(raise -m, or lower [tcp] max_conns)", lc->idx,
			cfg->tcp.max_conns, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (cfg->tcp.max_tw != 0) {
		snprintf(name, sizeof(name), "ptcp%u_tw_%u", e->id, lc->idx);
		tl->tw_pool = ptcp_obj_pool_create(name, cfg->tcp.max_tw,
			sizeof(struct tcp_tw), sock);
		if (tl->tw_pool == NULL) {
			snprintf(err, errlen, "worker %u: cannot create %u "
				"TIME-WAIT entries: %s (raise -m, or lower [tcp] "
				"max_tw)", lc->idx, cfg->tcp.max_tw,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	if (cfg->tcp.max_recovery != 0) {
		snprintf(name, sizeof(name), "ptcp%u_rcv_%u", e->id, lc->idx);
		tl->recov_pool = ptcp_obj_pool_create(name, cfg->tcp.max_recovery,
			sizeof(struct tcp_recov), sock);
		if (tl->recov_pool == NULL) {
			snprintf(err, errlen, "worker %u: cannot create %u "
				"recovery blocks: %s (raise -m, or lower [tcp] "
				"max_recovery)", lc->idx, cfg->tcp.max_recovery,
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	/* Indirect mbufs (no data room) for zero-copy transmission. */
	snprintf(name, sizeof(name), "ptcp%u_ind_%u", e->id, lc->idx);
	tl->ind_pool = rte_pktmbuf_pool_create(name, cfg->mbufs,
		RTE_MIN(cfg->mbuf_cache, (uint32_t)RTE_MEMPOOL_CACHE_MAX_SIZE),
		0, 0, sock);
	if (tl->ind_pool == NULL) {
		snprintf(err, errlen, "worker %u: cannot create %u indirect "
			"mbufs: %s (raise -m, or lower [mempool] mbufs)",
			lc->idx, cfg->mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	tl->ooo_max = cfg->tcp.ooo_max != 0 ? cfg->tcp.ooo_max :
		(cfg->tcp.rcv_buf > UINT32_MAX / 2 ? UINT32_MAX :
		 2 * cfg->tcp.rcv_buf);
	if (ptcp_timer_wheel_init(&tl->wheel, &wc) != 0) {
		snprintf(err, errlen, "worker %u: bad timer configuration",
			lc->idx);
		return -EINVAL;
	}
	tcp_timers_register(tl);
	lc->wheel = &tl->wheel;
	lc->l4_input = tcp_input_burst;
	lc->l4_poll = tcp_poll;
	return 0;
}

int
ptcp_tcp_attach(struct ptcp_engine *e, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	if (tcp_ooo_register() != 0) {
		snprintf(err, errlen, "cannot register the mbuf field of the "
			"out-of-order queue: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < e->nb_lcores; i++) {
		ret = tcp_lcore_create(e, e->lcores[i], err, errlen);
		if (ret != 0) {
			ptcp_tcp_detach(e);
			return ret;
		}
	}
	tcp_observable_set(e, true);
	return 0;
}

/*
 * Free every TIME-WAIT entry. Each batch is collected, then freed, and the
 * walk goes on from where it was: starting every batch again from the
 * first slot made the drain quadratic (each batch walked past every slot
 * freed before it: 5 s for 33k entries in a table sized for max_tw = 2M,
 * hours for 2M). Deleting may move a later key of the same bucket chain
 * into a slot already walked (rte_hash compacts its chains), so a pass
 * that freed anything is followed by another; the last one finds none.
 */
static void
tw_free_all(struct tcp_lcore *tl)
{
	const struct ptcp_flow_key *k;
	struct tcp_tw *batch[64];
	unsigned int n, i;
	uint32_t next;
	void *owner;
	bool freed;

	do {
		freed = false;
		next = 0;
		do {
			n = 0;
			while (n < RTE_DIM(batch) && ptcp_flow_iterate(
					tl->flows, &next, &k, &owner) == 0)
				if (*(const uint8_t *)owner == TCP_KIND_TW)
					batch[n++] = owner;
			for (i = 0; i < n; i++)
				tcp_tw_free(tl, batch[i]);
			freed = freed || n != 0;
		} while (n == RTE_DIM(batch));
	} while (freed);
}

void
ptcp_tcp_drain(struct ptcp_lcore *lc)
{
	struct tcp_lcore *tl = tcp_lc(lc);
	struct ptcp_conn *tp, *next;
	uint64_t end;
	unsigned int i;


	if (tl == NULL)
		return;
	tl->draining = true;
	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		if (tl->listeners[i].port != 0)
			ptcp_unlisten(lc, tl->listeners[i].port);
	/*
	 * FIN every synchronized connection; reset half-open ones. A closed
	 * callback may end other connections: when the next one left the
	 * list, start again from the head (closing twice is harmless).
	 */
	for (tp = TAILQ_FIRST(&tl->conns); tp != NULL; tp = next) {
		next = TAILQ_NEXT(tp, link);
		if (PTCP_TCPS_HAVE_ESTABLISHED(tp->state))
			ptcp_close(tp);
		else
			ptcp_abort(tp);
		if (next != NULL && (next->flags & TF_DEAD))
			next = TAILQ_FIRST(&tl->conns);
	}
	end = rte_rdtsc() + tl->cfg->drain_ms * lc->eng->tsc_hz / 1000;
	while (!TAILQ_EMPTY(&tl->conns) && rte_rdtsc() < end)
		ptcp_lcore_poll(lc);
	/* Whatever is left is reset: no peer stays half-open. */
	while ((tp = TAILQ_FIRST(&tl->conns)) != NULL) {
		PTCP_STAT_INC(&lc->stats, tcp_shutdown_rst);
		ptcp_abort(tp);
	}
	tw_free_all(tl);
	ptcp_lcore_poll(lc);       /* send the RSTs, free the TCBs */
}

void
ptcp_tcp_detach(struct ptcp_engine *e)
{
	struct tcp_lcore *tl;
	struct ptcp_conn *tp;
	unsigned int i;

	/* Waits for an observer (telemetry) reading it now. */
	tcp_observable_set(e, false);
	for (i = 0; i < e->nb_lcores; i++) {
		struct ptcp_lcore *lc = e->lcores[i];

		tl = lc != NULL ? tcp_lc(lc) : NULL;
		if (tl == NULL)
			continue;
		if (tl->tcb_pool != NULL) {
			/* Connections left (no drain): gone without a word. */
			while ((tp = TAILQ_FIRST(&tl->conns)) != NULL) {
				tp->flags &= ~TF_NOTIFIED;
				tcp_conn_drop(tp, PTCP_CLOSE_ABORTED);
			}
			tcp_conn_free_dead(tl);
		}
		if (tl->flows != NULL && tl->tw_pool != NULL)
			tw_free_all(tl);
		lc->l4_input = NULL;
		lc->l4_poll = NULL;
		lc->wheel = NULL;
		lc->l4 = NULL;
		/* A listing that timed out while the worker filled it. */
		if (tl->snap_state != TCP_SNAP_IDLE)
			free(tl->snap);
		ptcp_flow_table_free(tl->flows);
		rte_mempool_free(tl->tcb_pool);
		rte_mempool_free(tl->tw_pool);
		rte_mempool_free(tl->recov_pool);
		rte_mempool_free(tl->ind_pool);
		rte_free(tl);
	}
}
