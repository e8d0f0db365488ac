/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826): packet parsing and building, and a per-port cache owned by
 * one lcore.
 *
 * The cache is an open-addressing table (linear probing, backward-shift
 * deletion, no tombstones) of at most conf.entries live entries in twice as
 * many slots. Each slot owns a small array of conf.pending mbuf pointers for
 * packets waiting on an INCOMPLETE entry. All memory is laid out once by
 * ptcp_arp_table_init(); nothing is allocated afterwards.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ptcp_net.h"

struct arp_entry {
	uint32_t ip;               /* network order; valid unless FREE */
	uint8_t state;             /* enum ptcp_arp_state */
	uint8_t tries;             /* requests sent so far (INCOMPLETE) */
	uint16_t npending;         /* packets waiting (INCOMPLETE) */
	struct rte_ether_addr mac;
	uint64_t expire;           /* REACHABLE: ages out; INCOMPLETE: next try */
	uint64_t deadline;         /* INCOMPLETE: give up */
};

struct ptcp_arp_table {
	struct ptcp_arp_conf conf;
	uint32_t mask;             /* slots - 1 */
	uint32_t used;
	uint32_t held;             /* packets waiting, all entries */
	uint32_t retry_ms;         /* resolve_ms / retries */
	struct arp_entry *slot;
	struct rte_mbuf **pending; /* slots * conf.pending */
};

static inline uint32_t
slot_count(uint32_t entries)
{
	return rte_align32pow2(entries * 2);
}

size_t
ptcp_arp_table_memsize(const struct ptcp_arp_conf *conf)
{
	uint32_t n = slot_count(conf->entries);

	return RTE_ALIGN_CEIL(sizeof(struct ptcp_arp_table), RTE_CACHE_LINE_SIZE) +
		(size_t)n * sizeof(struct arp_entry) +
		(size_t)n * conf->pending * sizeof(struct rte_mbuf *);
}

struct ptcp_arp_table *
ptcp_arp_table_init(void *mem, const struct ptcp_arp_conf *conf)
{
	struct ptcp_arp_table *t = mem;
	uint32_t n;

	if (mem == NULL || conf->entries == 0 || conf->entries > (1u << 24) ||
			conf->pending == 0 || conf->retries == 0)
		return NULL;
	n = slot_count(conf->entries);
	memset(mem, 0, ptcp_arp_table_memsize(conf));
	t->conf = *conf;
	t->mask = n - 1;
	t->retry_ms = RTE_MAX(conf->resolve_ms / conf->retries, 1u);
	t->slot = (struct arp_entry *)((char *)mem + RTE_ALIGN_CEIL(
			sizeof(struct ptcp_arp_table), RTE_CACHE_LINE_SIZE));
	t->pending = (struct rte_mbuf **)(t->slot + n);
	return t;
}

static inline uint32_t
hash_ip(uint32_t ip)
{
	return (ip * 2654435761u) ^ (ip >> 16);
}

/* Slot holding @ip, or the free slot where it would go. */
static inline uint32_t
find_slot(const struct ptcp_arp_table *t, uint32_t ip)
{
	uint32_t i = hash_ip(ip) & t->mask;

	while (t->slot[i].state != PTCP_ARP_FREE && t->slot[i].ip != ip)
		i = (i + 1) & t->mask;
	return i;
}

static inline struct rte_mbuf **
slot_pending(const struct ptcp_arp_table *t, uint32_t i)
{
	return t->pending + (size_t)i * t->conf.pending;
}

/* Remove slot @i, shifting the rest of its cluster back (no tombstones). */
static void
remove_slot(struct ptcp_arp_table *t, uint32_t i)
{
	uint32_t j = i, home;

	for (;;) {
		t->slot[i].state = PTCP_ARP_FREE;
		t->slot[i].npending = 0;
		for (;;) {
			j = (j + 1) & t->mask;
			if (t->slot[j].state == PTCP_ARP_FREE) {
				t->used--;
				return;
			}
			home = hash_ip(t->slot[j].ip) & t->mask;
			/* j may move to i if home is not cyclically in (i, j]. */
			if (i <= j ? (home <= i || home > j) :
					(home <= i && home > j))
				break;
		}
		t->slot[i] = t->slot[j];
		memcpy(slot_pending(t, i), slot_pending(t, j),
			t->slot[j].npending * sizeof(struct rte_mbuf *));
		i = j;
	}
}

static void
free_pending(struct ptcp_arp_table *t, uint32_t i)
{
	struct rte_mbuf **p = slot_pending(t, i);
	uint16_t k;

	for (k = 0; k < t->slot[i].npending; k++)
		rte_pktmbuf_free(p[k]);
	t->held -= t->slot[i].npending;
	t->slot[i].npending = 0;
}

void
ptcp_arp_table_flush(struct ptcp_arp_table *t)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		if (t->slot[i].state == PTCP_ARP_INCOMPLETE)
			free_pending(t, i);
}

enum ptcp_arp_verdict
ptcp_arp_resolve(struct ptcp_arp_table *t, uint32_t ip, uint64_t now,
		struct rte_mbuf *m, struct rte_ether_addr *mac)
{
	uint32_t i = find_slot(t, ip);
	struct arp_entry *e = &t->slot[i];

	switch (e->state) {
	case PTCP_ARP_REACHABLE:
	case PTCP_ARP_STATIC:
		rte_ether_addr_copy(&e->mac, mac);
		return PTCP_ARP_HIT;
	case PTCP_ARP_INCOMPLETE:
		if (m == NULL)
			return PTCP_ARP_QUEUED;
		if (e->npending >= t->conf.pending)
			return PTCP_ARP_QUEUE_FULL;
		if (t->conf.pending_total != 0 &&
				t->held >= t->conf.pending_total)
			return PTCP_ARP_HOLD_CAP;
		slot_pending(t, i)[e->npending++] = m;
		t->held++;
		return PTCP_ARP_QUEUED;
	default:
		break;
	}
	if (t->used >= t->conf.entries)
		return PTCP_ARP_TABLE_FULL;
	t->used++;
	e->ip = ip;
	e->state = PTCP_ARP_INCOMPLETE;
	e->tries = 1;          /* the caller sends the first request */
	e->expire = now + t->retry_ms;
	e->deadline = now + t->conf.resolve_ms;
	e->npending = 0;
	/*
	 * Next hops that never answer (a flood from spoofed on-link sources)
	 * must not pin the mbuf pool: what all entries hold is capped.
	 */
	if (m != NULL && t->conf.pending_total != 0 &&
			t->held >= t->conf.pending_total)
		return PTCP_ARP_NEW_HOLD_CAP;
	if (m != NULL) {
		slot_pending(t, i)[e->npending++] = m;
		t->held++;
	}
	return PTCP_ARP_QUEUED_NEW;
}

unsigned int
ptcp_arp_learn(struct ptcp_arp_table *t, uint32_t ip,
		const struct rte_ether_addr *mac, uint64_t now, bool create,
		struct rte_mbuf **released, unsigned int max, struct ptcp_stats *st)
{
	uint32_t i = find_slot(t, ip);
	struct arp_entry *e = &t->slot[i];
	unsigned int n = 0;

	switch (e->state) {
	case PTCP_ARP_STATIC:
		return 0;
	case PTCP_ARP_FREE:
		if (!create)
			return 0;
		if (t->used >= t->conf.entries) {
			PTCP_STAT_INC(st, arp_cache_full);
			return 0;
		}
		t->used++;
		e->ip = ip;
		e->npending = 0;
		break;
	case PTCP_ARP_INCOMPLETE:
		n = RTE_MIN((unsigned int)e->npending, max);
		memcpy(released, slot_pending(t, i), n * sizeof(*released));
		/* More waiting than the caller can take: drop the excess. */
		if (e->npending > n) {
			uint16_t k;

			for (k = n; k < e->npending; k++)
				rte_pktmbuf_free(slot_pending(t, i)[k]);
			PTCP_STAT_ADD(st, arp_queue_full, e->npending - n);
		}
		t->held -= e->npending;
		e->npending = 0;
		break;
	default:
		break;
	}
	e->state = PTCP_ARP_REACHABLE;
	rte_ether_addr_copy(mac, &e->mac);
	e->expire = now + t->conf.timeout_ms;
	PTCP_STAT_INC(st, arp_learnt);
	return n;
}

int
ptcp_arp_add_static(struct ptcp_arp_table *t, uint32_t ip,
		const struct rte_ether_addr *mac)
{
	uint32_t i = find_slot(t, ip);
	struct arp_entry *e = &t->slot[i];

	if (e->state != PTCP_ARP_FREE)
		return -EEXIST;
	if (t->used >= t->conf.entries)
		return -ENOSPC;
	t->used++;
	e->ip = ip;
	e->state = PTCP_ARP_STATIC;
	e->npending = 0;
	rte_ether_addr_copy(mac, &e->mac);
	return 0;
}

void
ptcp_arp_age(struct ptcp_arp_table *t, uint64_t now,
		void (*request)(void *arg, uint32_t ip), void *arg,
		struct ptcp_stats *st)
{
	uint32_t i = 0, start_used;
	struct arp_entry *e;

	/*
	 * Removing a slot may shift a later entry into it, so re-examine the
	 * same index after a removal. An entry shifted from past the end of
	 * the array to its start may be visited twice: harmless, it is not
	 * due twice in the same call.
	 */
	start_used = t->used;
	while (i <= t->mask && start_used != 0) {
		e = &t->slot[i];
		if (e->state == PTCP_ARP_REACHABLE && (int64_t)(now - e->expire) >= 0) {
			PTCP_STAT_INC(st, arp_expired);
			remove_slot(t, i);
			continue;
		}
		if (e->state == PTCP_ARP_INCOMPLETE) {
			if ((int64_t)(now - e->deadline) >= 0) {
				PTCP_STAT_ADD(st, arp_resolve_timeout, e->npending);
				free_pending(t, i);
				remove_slot(t, i);
				continue;
			}
			if ((int64_t)(now - e->expire) >= 0 &&
					e->tries < t->conf.retries) {
				e->tries++;
				e->expire = now + t->retry_ms;
				request(arg, e->ip);
			}
		}
		i++;
	}
}

unsigned int
ptcp_arp_count(const struct ptcp_arp_table *t)
{
	return t->used;
}

enum ptcp_arp_state
ptcp_arp_state_of(const struct ptcp_arp_table *t, uint32_t ip)
{
	return (enum ptcp_arp_state)t->slot[find_slot(t, ip)].state;
}

int
ptcp_arp_parse(const struct rte_mbuf *m, struct ptcp_arp_info *out,
		struct ptcp_stats *st)
{
	const struct rte_arp_hdr *a;
	uint16_t op;

	PTCP_STAT_INC(st, arp_rx);
	if (rte_pktmbuf_data_len(m) < m->l2_len + sizeof(*a)) {
		PTCP_STAT_INC(st, arp_bad);
		return -1;
	}
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, m->l2_len);
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4 ||
			(op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
			rte_is_multicast_ether_addr(&a->arp_data.arp_sha) ||
			rte_is_zero_ether_addr(&a->arp_data.arp_sha)) {
		PTCP_STAT_INC(st, arp_bad);
		return -1;
	}
	out->op = op;
	rte_ether_addr_copy(&a->arp_data.arp_sha, &out->sha);
	rte_ether_addr_copy(&a->arp_data.arp_tha, &out->tha);
	/* arp_data is packed: copy the addresses out without alignment. */
	memcpy(&out->sip, &a->arp_data.arp_sip, sizeof(out->sip));
	memcpy(&out->tip, &a->arp_data.arp_tip, sizeof(out->tip));
	return 0;
}

int
ptcp_arp_build(struct rte_mbuf *m, uint16_t op,
		const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t sip,
		const struct rte_ether_addr *tha, uint32_t tip)
{
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*a));
	if (eh == NULL)
		return -1;
	rte_ether_addr_copy(sha, &eh->src_addr);
	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(eh + 1);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(sha, &a->arp_data.arp_sha);
	rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	memcpy(&a->arp_data.arp_sip, &sip, sizeof(sip));
	memcpy(&a->arp_data.arp_tip, &tip, sizeof(tip));
	m->l2_len = sizeof(*eh);
	return 0;
}
