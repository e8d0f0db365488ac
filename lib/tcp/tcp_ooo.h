/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_OOO_H
#define TCP_OOO_H

/*
 * The receiver's out-of-order queue: payload that arrived beyond a hole,
 * kept as the mbufs it came in (zero copy), sorted by sequence number,
 * bounded in buffer bytes, and the SACK blocks (RFC 2018) that describe
 * it. Internal to lib/tcp.
 *
 * An entry is an mbuf chain holding only payload (pkt_len and nb_segs of
 * its head are right). Entries are linked, and carry their sequence
 * number, in an mbuf dynamic field registered once per process
 * (tcp_ooo_register(), before any queue is used). Entries never overlap:
 * an insert trims the new data against what is queued (what is already
 * queued wins), and entries that touch are merged into one chain.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "tcp_sack.h"

#define TCP_OOO_SACK_MAX 4     /* blocks reported: 4, or 3 with timestamps */

struct tcp_ooo {
	struct rte_mbuf *head;      /* lowest sequence first */
	struct rte_mbuf *tail;
	uint32_t bytes;             /* payload bytes queued */
	uint32_t truesize;          /* buffer bytes held: sum of buf_len of
	                             * every segment of every entry */
	uint32_t nb;                /* entries */
	uint32_t last_start;        /* the most recent insert's range: the */
	uint32_t last_end;          /* first SACK block (RFC 2018 §4) */
	bool fin;                   /* a FIN follows the byte fin_seq - 1 */
	uint32_t fin_seq;           /* sequence number of that FIN */
};

/*
 * Register the mbuf dynamic field (idempotent; not on the fast path).
 * @return 0, or -1 with rte_errno set.
 */
int tcp_ooo_register(void);

/* An empty queue. */
void tcp_ooo_init(struct tcp_ooo *q);

/* Outcome of tcp_ooo_insert(). */
enum tcp_ooo_result {
	TCP_OOO_QUEUED = 0,   /* some new bytes were queued */
	TCP_OOO_DUP,          /* every byte was already queued (mbuf freed) */
	TCP_OOO_FULL,         /* over @limit: nothing queued (mbuf freed) */
};

/*
 * Queue @m (payload only, @len = its pkt_len bytes, may be a chain) that
 * starts at @seq, somewhere after @rcv_nxt (the caller guarantees
 * SEQ_GT(@seq, @rcv_nxt) and that it ends within the window). @fin: the
 * segment carried a FIN after its last byte (remembered even when the
 * bytes were duplicates). The queue takes @m in every case. Bytes already
 * queued are cut from @m (front, back, or @m split around them); @m is
 * then linked in order and merged with touching neighbours. Refused with
 * TCP_OOO_FULL when truesize would exceed @limit (0 = no limit).
 * Sets last_start/last_end to the merged entry holding @seq.
 */
enum tcp_ooo_result tcp_ooo_insert(struct tcp_ooo *q, uint32_t seq,
		struct rte_mbuf *m, bool fin, uint32_t limit);

/*
 * The head entry is in order once its sequence number is at or before
 * *@rcv_nxt: take every entry now in order, trim bytes below *@rcv_nxt,
 * and return them as one chain (nb_segs, pkt_len right), advancing
 * *@rcv_nxt past them; NULL when the head is still beyond a hole.
 * *@fin is set when the queued FIN now directly follows *@rcv_nxt (the
 * caller then processes it; the queue forgets it).
 */
struct rte_mbuf *tcp_ooo_pull(struct tcp_ooo *q, uint32_t *rcv_nxt,
		bool *fin);

/*
 * SACK blocks for an ACK (RFC 2018 §4): the block holding the most recent
 * insert first, then the other entries from the lowest sequence up, at
 * most @max. @return the number written.
 */
unsigned int tcp_ooo_sack_blocks(const struct tcp_ooo *q,
		struct tcp_sack_block *out, unsigned int max);

/* Free every entry. */
void tcp_ooo_free(struct tcp_ooo *q);

/*
 * Sequence number of entry @m. The field is also the send queue's: the
 * segment a connection last sent from keeps its own there (sndq_seek()).
 */
uint32_t tcp_ooo_seq(const struct rte_mbuf *m);
void tcp_ooo_set_seq(struct rte_mbuf *m, uint32_t seq);
/* The entry after @m, or NULL. */
struct rte_mbuf *tcp_ooo_next(const struct rte_mbuf *m);

#endif /* TCP_OOO_H */
