/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 neighbour cache (RFC 4861 §7.3), in the shape of the ARP cache
 * (arp.c): one per interface per worker, an open-addressing table of at
 * most conf.entries entries in twice as many slots (linear probing,
 * backward-shift deletion), each slot with room for conf.pending packets
 * waiting on resolution; all memory laid out once.
 *
 * The states are RFC 4861's, fit for a poll-mode endpoint: nothing runs
 * on a timer of its own; ptcp_nd_age(), called every few milliseconds,
 * moves entries on and asks the caller to send solicitations.
 *   INCOMPLETE  multicast NS sent (conf.retries of them, retrans_ms
 *               apart), packets held; gives up and frees them.
 *   REACHABLE   confirmed by a solicited NA (or by the caller's
 *               ptcp_nd_confirm()), for reachable_ms.
 *   STALE       learnt unconfirmed, or REACHABLE gone old: still used;
 *               removed when unused for stale_ms.
 *   DELAY       a STALE entry was used: delay_ms for a confirmation
 *               from above, then PROBE.
 *   PROBE       unicast NS to the cached address, conf.probes of them,
 *               retrans_ms apart, still used meanwhile; unanswered, the
 *               entry goes (the next packet starts over, INCOMPLETE).
 *   STATIC      from the configuration; never changes.
 *
 * Issue 17's third piece: the engine does not call it yet.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "ptcp_net.h"

struct nd_entry {
	uint8_t ip[16];
	uint8_t state;             /* enum ptcp_nd_state */
	uint8_t tries;             /* NS sent in INCOMPLETE or PROBE */
	uint16_t npending;         /* packets waiting (INCOMPLETE) */
	struct rte_ether_addr mac;
	uint64_t expire;           /* the state's next deadline */
	uint64_t deadline;         /* INCOMPLETE: give up; STALE: last use */
};

struct ptcp_nd_table {
	struct ptcp_nd_conf conf;
	uint32_t mask;             /* slots - 1 */
	uint32_t used;
	uint32_t held;             /* packets waiting, all entries */
	uint64_t k0, k1;           /* hash secret: on-link hosts pick their
	                            * addresses, not where they land */
	struct nd_entry *slot;
	struct rte_mbuf **pending; /* slots * conf.pending */
};

static inline uint32_t
slot_count(uint32_t entries)
{
	return rte_align32pow2(entries * 2);
}

size_t
ptcp_nd_table_memsize(const struct ptcp_nd_conf *conf)
{
	uint32_t n = slot_count(conf->entries);

	return RTE_ALIGN_CEIL(sizeof(struct ptcp_nd_table), RTE_CACHE_LINE_SIZE) +
		(size_t)n * sizeof(struct nd_entry) +
		(size_t)n * conf->pending * sizeof(struct rte_mbuf *);
}

struct ptcp_nd_table *
ptcp_nd_table_init(void *mem, const struct ptcp_nd_conf *conf)
{
	struct ptcp_nd_table *t = mem;
	uint32_t n;

	if (mem == NULL || conf->entries == 0 || conf->entries > (1u << 24) ||
			conf->pending == 0 || conf->retries == 0 ||
			conf->probes == 0 || conf->retrans_ms == 0)
		return NULL;
	n = slot_count(conf->entries);
	memset(mem, 0, ptcp_nd_table_memsize(conf));
	t->conf = *conf;
	t->mask = n - 1;
	t->k0 = rte_rand() | 1;
	t->k1 = rte_rand() | 1;
	t->slot = (struct nd_entry *)((char *)mem + RTE_ALIGN_CEIL(
			sizeof(struct ptcp_nd_table), RTE_CACHE_LINE_SIZE));
	t->pending = (struct rte_mbuf **)(t->slot + n);
	return t;
}

static inline uint32_t
hash_ip(const struct ptcp_nd_table *t, const uint8_t *ip)
{
	uint64_t a, b;

	memcpy(&a, ip, 8);
	memcpy(&b, ip + 8, 8);
	return (uint32_t)(((a ^ t->k1) * t->k0 + (b ^ t->k0) * t->k1) >> 32);
}

/* Slot holding @ip, or the free slot where it would go. */
static inline uint32_t
find_slot(const struct ptcp_nd_table *t, const uint8_t *ip)
{
	uint32_t i = hash_ip(t, ip) & t->mask;

	while (t->slot[i].state != PTCP_ND_FREE &&
			memcmp(t->slot[i].ip, ip, 16) != 0)
		i = (i + 1) & t->mask;
	return i;
}

static inline struct rte_mbuf **
slot_pending(const struct ptcp_nd_table *t, uint32_t i)
{
	return t->pending + (size_t)i * t->conf.pending;
}

/* Remove slot @i, shifting the rest of its cluster back (no tombstones). */
static void
remove_slot(struct ptcp_nd_table *t, uint32_t i)
{
	uint32_t j = i, home;

	for (;;) {
		t->slot[i].state = PTCP_ND_FREE;
		t->slot[i].npending = 0;
		for (;;) {
			j = (j + 1) & t->mask;
			if (t->slot[j].state == PTCP_ND_FREE) {
				t->used--;
				return;
			}
			home = hash_ip(t, t->slot[j].ip) & t->mask;
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
free_pending(struct ptcp_nd_table *t, uint32_t i)
{
	struct rte_mbuf **p = slot_pending(t, i);
	uint16_t k;

	for (k = 0; k < t->slot[i].npending; k++)
		rte_pktmbuf_free(p[k]);
	t->held -= t->slot[i].npending;
	t->slot[i].npending = 0;
}

/* Hand what waits on INCOMPLETE slot @i to the caller (@max at most). */
static unsigned int
release_pending(struct ptcp_nd_table *t, uint32_t i,
		struct rte_mbuf **released, unsigned int max, struct ptcp_stats *st)
{
	struct nd_entry *e = &t->slot[i];
	unsigned int n = RTE_MIN((unsigned int)e->npending, max);
	uint16_t k;

	memcpy(released, slot_pending(t, i), n * sizeof(*released));
	for (k = (uint16_t)n; k < e->npending; k++)
		rte_pktmbuf_free(slot_pending(t, i)[k]);
	PTCP_STAT_ADD(st, nd_queue_full, e->npending - n);
	t->held -= e->npending;
	e->npending = 0;
	return n;
}

void
ptcp_nd_table_flush(struct ptcp_nd_table *t)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		if (t->slot[i].state == PTCP_ND_INCOMPLETE)
			free_pending(t, i);
}

static void
set_state(struct ptcp_nd_table *t, struct nd_entry *e, uint8_t state,
		uint64_t now)
{
	e->state = state;
	e->tries = 0;
	switch (state) {
	case PTCP_ND_REACHABLE:
		e->expire = now + t->conf.reachable_ms;
		break;
	case PTCP_ND_STALE:
		e->deadline = now;             /* "last used" starts now */
		break;
	case PTCP_ND_DELAY:
		e->expire = now + t->conf.delay_ms;
		break;
	default:
		break;
	}
}

enum ptcp_arp_verdict
ptcp_nd_resolve(struct ptcp_nd_table *t, const uint8_t ip[16], uint64_t now,
		struct rte_mbuf *m, struct rte_ether_addr *mac)
{
	uint32_t i = find_slot(t, ip);
	struct nd_entry *e = &t->slot[i];

	switch (e->state) {
	case PTCP_ND_STALE:
		/* RFC 4861 §7.3.3: used while stale, verify it soon. */
		set_state(t, e, PTCP_ND_DELAY, now);
		/* fall through */
	case PTCP_ND_REACHABLE:
	case PTCP_ND_DELAY:
	case PTCP_ND_PROBE:
	case PTCP_ND_STATIC:
		rte_ether_addr_copy(&e->mac, mac);
		return PTCP_ARP_HIT;
	case PTCP_ND_INCOMPLETE:
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
	memcpy(e->ip, ip, 16);
	e->state = PTCP_ND_INCOMPLETE;
	e->tries = 1;          /* the caller sends the first solicitation */
	e->expire = now + t->conf.retrans_ms;
	e->deadline = now + (uint64_t)t->conf.retrans_ms * t->conf.retries;
	e->npending = 0;
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
ptcp_nd_learn(struct ptcp_nd_table *t, const uint8_t ip[16],
		const struct rte_ether_addr *mac, uint64_t now,
		enum ptcp_nd_news news, struct rte_mbuf **released,
		unsigned int max, struct ptcp_stats *st)
{
	uint32_t i = find_slot(t, ip);
	struct nd_entry *e = &t->slot[i];
	bool na = news != PTCP_ND_NEWS_NS;
	bool solicited = news == PTCP_ND_NEWS_NA_S ||
		news == PTCP_ND_NEWS_NA_SO;
	bool override = news == PTCP_ND_NEWS_NA_O ||
		news == PTCP_ND_NEWS_NA_SO;
	bool differs;
	unsigned int n = 0;

	switch (e->state) {
	case PTCP_ND_STATIC:
		return 0;
	case PTCP_ND_FREE:
		/* §7.2.5: an NA for no entry is dropped; §7.2.3: an NS for
		 * us with the sender's address makes a STALE one. */
		if (na || mac == NULL)
			return 0;
		if (t->used >= t->conf.entries) {
			PTCP_STAT_INC(st, nd_cache_full);
			return 0;
		}
		t->used++;
		memcpy(e->ip, ip, 16);
		e->npending = 0;
		rte_ether_addr_copy(mac, &e->mac);
		set_state(t, e, PTCP_ND_STALE, now);
		PTCP_STAT_INC(st, nd_learnt);
		return 0;
	case PTCP_ND_INCOMPLETE:
		if (mac == NULL)
			return 0;
		rte_ether_addr_copy(mac, &e->mac);
		n = release_pending(t, i, released, max, st);
		set_state(t, e, na && solicited ? PTCP_ND_REACHABLE :
			PTCP_ND_STALE, now);
		PTCP_STAT_INC(st, nd_learnt);
		return n;
	default:
		break;
	}
	differs = mac != NULL && !rte_is_same_ether_addr(mac, &e->mac);
	if (!na) {
		/* §7.2.3: a new address from an NS makes the entry STALE. */
		if (differs) {
			rte_ether_addr_copy(mac, &e->mac);
			set_state(t, e, PTCP_ND_STALE, now);
			PTCP_STAT_INC(st, nd_learnt);
		}
		return 0;
	}
	/* §7.2.5: an NA for an entry we have. */
	if (!override && differs) {
		if (e->state == PTCP_ND_REACHABLE)
			set_state(t, e, PTCP_ND_STALE, now);
		return 0;
	}
	if (differs)
		rte_ether_addr_copy(mac, &e->mac);
	if (solicited) {
		set_state(t, e, PTCP_ND_REACHABLE, now);
		PTCP_STAT_INC(st, nd_learnt);
	} else if (differs) {
		set_state(t, e, PTCP_ND_STALE, now);
		PTCP_STAT_INC(st, nd_learnt);
	}
	return 0;
}

void
ptcp_nd_confirm(struct ptcp_nd_table *t, const uint8_t ip[16], uint64_t now)
{
	struct nd_entry *e = &t->slot[find_slot(t, ip)];

	if (e->state == PTCP_ND_STALE || e->state == PTCP_ND_DELAY ||
			e->state == PTCP_ND_PROBE || e->state == PTCP_ND_REACHABLE)
		set_state(t, e, PTCP_ND_REACHABLE, now);
}

int
ptcp_nd_add_static(struct ptcp_nd_table *t, const uint8_t ip[16],
		const struct rte_ether_addr *mac)
{
	uint32_t i = find_slot(t, ip);
	struct nd_entry *e = &t->slot[i];

	if (e->state != PTCP_ND_FREE)
		return -EEXIST;
	if (t->used >= t->conf.entries)
		return -ENOSPC;
	t->used++;
	memcpy(e->ip, ip, 16);
	e->state = PTCP_ND_STATIC;
	e->npending = 0;
	rte_ether_addr_copy(mac, &e->mac);
	return 0;
}

void
ptcp_nd_age(struct ptcp_nd_table *t, uint64_t now,
		void (*solicit)(void *arg, const uint8_t ip[16],
			const struct rte_ether_addr *unicast_to),
		void *arg, struct ptcp_stats *st)
{
	uint32_t i = 0, start_used = t->used;
	struct nd_entry *e;

	/* As ptcp_arp_age(): a removal may shift a later entry into slot
	 * i, so the same index is looked at again. */
	while (i <= t->mask && start_used != 0) {
		e = &t->slot[i];
		switch (e->state) {
		case PTCP_ND_INCOMPLETE:
			if ((int64_t)(now - e->deadline) >= 0) {
				PTCP_STAT_ADD(st, nd_resolve_timeout,
					e->npending);
				free_pending(t, i);
				remove_slot(t, i);
				continue;
			}
			if ((int64_t)(now - e->expire) >= 0 &&
					e->tries < t->conf.retries) {
				e->tries++;
				e->expire = now + t->conf.retrans_ms;
				solicit(arg, e->ip, NULL);
			}
			break;
		case PTCP_ND_REACHABLE:
			if ((int64_t)(now - e->expire) >= 0)
				set_state(t, e, PTCP_ND_STALE, now);
			break;
		case PTCP_ND_STALE:
			if (now - e->deadline >= t->conf.stale_ms) {
				PTCP_STAT_INC(st, nd_expired);
				remove_slot(t, i);
				continue;
			}
			break;
		case PTCP_ND_DELAY:
			if ((int64_t)(now - e->expire) < 0)
				break;
			e->state = PTCP_ND_PROBE;
			e->tries = 0;
			/* fall through */
		case PTCP_ND_PROBE:
			if ((int64_t)(now - e->expire) < 0)
				break;
			if (e->tries >= t->conf.probes) {
				PTCP_STAT_INC(st, nd_probe_failed);
				remove_slot(t, i);
				continue;
			}
			e->tries++;
			e->expire = now + t->conf.retrans_ms;
			solicit(arg, e->ip, &e->mac);
			break;
		default:
			break;
		}
		i++;
	}
}

unsigned int
ptcp_nd_count(const struct ptcp_nd_table *t)
{
	return t->used;
}

enum ptcp_nd_state
ptcp_nd_state_of(const struct ptcp_nd_table *t, const uint8_t ip[16],
		struct rte_ether_addr *mac)
{
	const struct nd_entry *e = &t->slot[find_slot(t, ip)];

	if (mac != NULL && e->state != PTCP_ND_FREE)
		*mac = e->mac;
	return (enum ptcp_nd_state)e->state;
}
