/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_SACK_H
#define TCP_SACK_H

/*
 * The sender's SACK scoreboard (RFC 2018, RFC 6675): which ranges above
 * SND.UNA the peer reported holding, and the loss-recovery questions asked
 * of it (IsLost, SetPipe, NextSeg). Pure arithmetic on sequence numbers:
 * no mbufs, no TCB, no clock. Internal to lib/tcp.
 *
 * The scoreboard keeps at most TCP_SB_MAX ranges, sorted, disjoint and not
 * adjacent (touching ranges are merged). When a new range would not fit,
 * the highest range is forgotten: that is safe (the sender may retransmit
 * something the peer already has, never the reverse: RFC 2018 §8 lets a
 * receiver renege anyway, so nothing SACKed is ever freed before the
 * cumulative ACK covers it).
 */

#include <stdbool.h>
#include <stdint.h>

#define TCP_SB_MAX        8     /* ranges the scoreboard keeps */
#define TCP_DUPTHRESH     3     /* RFC 6675 DupThresh */

/* One SACK block or range: [start, end) in sequence space. */
struct tcp_sack_block {
	uint32_t start;
	uint32_t end;
};

struct tcp_scoreboard {
	uint8_t n;                          /* ranges in use */
	uint32_t sacked;                    /* bytes in the ranges */
	uint32_t high_rxt;                  /* RFC 6675 HighRxt */
	uint32_t rescue_rxt;                /* RFC 6675 RescueRxt */
	struct tcp_sack_block r[TCP_SB_MAX]; /* sorted, disjoint */
};

/* Empty: nothing SACKed; high_rxt = rescue_rxt = @snd_una. */
void tcp_sb_reset(struct tcp_scoreboard *sb, uint32_t snd_una);

/*
 * Take the SACK blocks of one ACK. Blocks are validated first: a block
 * whose start is not below its end, or that does not lie within
 * (@snd_una, @snd_max] (a D-SACK below SND.UNA, or a block for data never
 * sent) is ignored; a block partly below @snd_una is clipped to it.
 * @return bytes newly SACKed by this ACK (0: nothing new).
 */
uint32_t tcp_sb_update(struct tcp_scoreboard *sb,
		const struct tcp_sack_block *blk, unsigned int nblk,
		uint32_t snd_una, uint32_t snd_max);

/* The cumulative ACK moved to @snd_una: forget what lies below it. */
void tcp_sb_advance(struct tcp_scoreboard *sb, uint32_t snd_una);

/* Highest SACKed sequence + 1, or @snd_una when nothing is SACKed. */
uint32_t tcp_sb_high_sacked(const struct tcp_scoreboard *sb,
		uint32_t snd_una);

/* Is byte @seq SACKed? */
bool tcp_sb_is_sacked(const struct tcp_scoreboard *sb, uint32_t seq);

/*
 * RFC 6675 IsLost(@seq): at least TCP_DUPTHRESH discontiguous SACKed
 * ranges lie above @seq, or more than (TCP_DUPTHRESH - 1) * @mss SACKed
 * bytes do.
 */
bool tcp_sb_is_lost(const struct tcp_scoreboard *sb, uint32_t seq,
		uint32_t mss);

/*
 * RFC 6675 SetPipe(): bytes the sender estimates are in the network, for
 * the window [@snd_una, @snd_max): every byte not SACKed counts once if it
 * is not lost, and once more if it was retransmitted (below sb->high_rxt).
 */
uint32_t tcp_sb_pipe(const struct tcp_scoreboard *sb, uint32_t snd_una,
		uint32_t snd_max, uint32_t mss);

/*
 * RFC 6675 NextSeg() rule 1: the first byte S >= max(sb->high_rxt,
 * @snd_una), not SACKed, that IsLost(S), and below the highest SACKed
 * byte. On success sets *@seq = S and *@len = the bytes from S up to the
 * next SACKed range, at most @mss, and returns true.
 */
bool tcp_sb_next_lost(const struct tcp_scoreboard *sb, uint32_t snd_una,
		uint32_t mss, uint32_t *seq, uint32_t *len);

/*
 * RFC 6675 NextSeg() rule 3: the first byte S >= max(sb->high_rxt,
 * @snd_una) (high_rxt is the first byte not yet retransmitted), not
 * SACKed, below the highest SACKed byte (whether lost or not). Same
 * outputs as tcp_sb_next_lost().
 */
bool tcp_sb_next_unsacked(const struct tcp_scoreboard *sb, uint32_t snd_una,
		uint32_t mss, uint32_t *seq, uint32_t *len);

#endif /* TCP_SACK_H */
