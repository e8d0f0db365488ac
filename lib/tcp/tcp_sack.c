/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's SACK scoreboard (RFC 2018, RFC 6675): at most TCP_SB_MAX
 * sorted, disjoint, non-adjacent ranges above SND.UNA.
 *
 * Sequence numbers compare modulo 2^32 (tcp_seq.h). Every range lies in
 * [SND.UNA, SND.MAX), a window below 2^31, so inside one call the
 * questions about the window are answered on offsets from SND.UNA, where
 * plain unsigned comparisons hold.
 *
 * IsLost() is monotone: a byte is lost when enough SACKed data lies above
 * it, and a lower byte has at least as much above it. The lost bytes of
 * the window are therefore a prefix [SND.UNA, SND.UNA + lost_limit()),
 * which SetPipe() and NextSeg() use instead of asking per byte.
 */

#include <string.h>

#include "tcp_sack.h"
#include "tcp_seq.h"

/* A range as offsets from SND.UNA: [s, e). */
struct span {
	uint32_t s;
	uint32_t e;
};

static inline uint32_t
rlen(const struct tcp_sack_block *r)
{
	return r->end - r->start;
}

void
tcp_sb_reset(struct tcp_scoreboard *sb, uint32_t snd_una)
{
	memset(sb, 0, sizeof(*sb));
	sb->high_rxt = snd_una;
	sb->rescue_rxt = snd_una;
}

void
tcp_sb_advance(struct tcp_scoreboard *sb, uint32_t snd_una)
{
	unsigned int i, drop = 0;

	/* Sorted: only the lowest ranges can reach below SND.UNA. */
	for (i = 0; i < sb->n; i++) {
		if (SEQ_LEQ(sb->r[i].end, snd_una)) {
			sb->sacked -= rlen(&sb->r[i]);
			drop++;
			continue;
		}
		if (SEQ_LT(sb->r[i].start, snd_una)) {
			sb->sacked -= snd_una - sb->r[i].start;
			sb->r[i].start = snd_una;
		}
		break;
	}
	if (drop != 0) {
		memmove(&sb->r[0], &sb->r[drop],
			(sb->n - drop) * sizeof(sb->r[0]));
		sb->n -= drop;
	}
	/*
	 * Left behind, HighRxt and RescueRxt would after 2^31 bytes compare
	 * as above SND.UNA again: keep them inside the window. At SND.UNA
	 * they mean what tcp_sb_reset() means: nothing retransmitted.
	 */
	if (SEQ_LT(sb->high_rxt, snd_una))
		sb->high_rxt = snd_una;
	if (SEQ_LT(sb->rescue_rxt, snd_una))
		sb->rescue_rxt = snd_una;
}

/*
 * Add [s, e) (s < e, inside the window), merging every range it overlaps
 * or touches. A new range that does not fit pushes out the highest one:
 * itself when it is the highest.
 */
static void
sb_insert(struct tcp_scoreboard *sb, uint32_t s, uint32_t e)
{
	unsigned int i, j, k;

	/* i: the first range not wholly below s (not even touching it) */
	for (i = 0; i < sb->n && SEQ_LT(sb->r[i].end, s); i++)
		;
	/* [i, j): the ranges that overlap or touch [s, e) */
	for (j = i; j < sb->n && SEQ_LEQ(sb->r[j].start, e); j++)
		;
	if (i == j) {
		if (sb->n == TCP_SB_MAX) {
			if (i == sb->n)
				return;
			sb->n--;
			sb->sacked -= rlen(&sb->r[sb->n]);
		}
		memmove(&sb->r[i + 1], &sb->r[i],
			(sb->n - i) * sizeof(sb->r[0]));
		sb->r[i].start = s;
		sb->r[i].end = e;
		sb->n++;
		sb->sacked += e - s;
		return;
	}
	if (SEQ_LT(sb->r[i].start, s))
		s = sb->r[i].start;
	if (SEQ_GT(sb->r[j - 1].end, e))
		e = sb->r[j - 1].end;
	for (k = i; k < j; k++)
		sb->sacked -= rlen(&sb->r[k]);
	sb->r[i].start = s;
	sb->r[i].end = e;
	sb->sacked += e - s;
	memmove(&sb->r[i + 1], &sb->r[j], (sb->n - j) * sizeof(sb->r[0]));
	sb->n -= j - i - 1;
}

/* Bytes two sorted lists of disjoint ranges have in common. */
static uint32_t
overlap(const struct tcp_sack_block *a, unsigned int na,
		const struct tcp_sack_block *b, unsigned int nb)
{
	unsigned int i = 0, j = 0;
	uint32_t lo, hi, sum = 0;

	while (i < na && j < nb) {
		lo = SEQ_MAX(a[i].start, b[j].start);
		hi = SEQ_MIN(a[i].end, b[j].end);
		if (SEQ_LT(lo, hi))
			sum += hi - lo;
		if (SEQ_LT(a[i].end, b[j].end))
			i++;
		else
			j++;
	}
	return sum;
}

uint32_t
tcp_sb_update(struct tcp_scoreboard *sb, const struct tcp_sack_block *blk,
		unsigned int nblk, uint32_t snd_una, uint32_t snd_max)
{
	struct tcp_sack_block old[TCP_SB_MAX];
	unsigned int i, nold;
	bool changed = false;
	uint32_t s, e;

	tcp_sb_advance(sb, snd_una);
	nold = sb->n;
	memcpy(old, sb->r, nold * sizeof(old[0]));
	for (i = 0; i < nblk; i++) {
		s = blk[i].start;
		e = blk[i].end;
		if (!SEQ_LT(s, e) || SEQ_GT(e, snd_max) || SEQ_LEQ(e, snd_una))
			continue;
		if (SEQ_LT(s, snd_una))
			s = snd_una;
		sb_insert(sb, s, e);
		changed = true;
	}
	if (!changed)
		return 0;
	/*
	 * What is SACKed now and was not before. Not the growth of
	 * sb->sacked: a range pushed out when full is old news lost, not
	 * new news negative, and a block pushed out by a later block of the
	 * same ACK was never kept.
	 */
	return sb->sacked - overlap(sb->r, sb->n, old, nold);
}

uint32_t
tcp_sb_high_sacked(const struct tcp_scoreboard *sb, uint32_t snd_una)
{
	if (sb->n == 0 || SEQ_LT(sb->r[sb->n - 1].end, snd_una))
		return snd_una;
	return sb->r[sb->n - 1].end;
}

bool
tcp_sb_is_sacked(const struct tcp_scoreboard *sb, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < sb->n; i++)
		if (SEQ_IN(seq, sb->r[i].start, sb->r[i].end))
			return true;
	return false;
}

bool
tcp_sb_is_lost(const struct tcp_scoreboard *sb, uint32_t seq, uint32_t mss)
{
	uint64_t bytes = 0;
	unsigned int i, above = 0;

	for (i = 0; i < sb->n; i++) {
		if (SEQ_GT(sb->r[i].start, seq)) {
			above++;
			bytes += rlen(&sb->r[i]);
		} else if (SEQ_GT(sb->r[i].end, seq + 1)) {
			bytes += sb->r[i].end - (seq + 1);
		}
	}
	return above >= TCP_DUPTHRESH ||
		bytes > (uint64_t)(TCP_DUPTHRESH - 1) * mss;
}

/* The ranges above @snd_una as offsets from it (clipped at 0). */
static unsigned int
sb_spans(const struct tcp_scoreboard *sb, uint32_t snd_una, struct span *o)
{
	unsigned int i, n = 0;

	for (i = 0; i < sb->n; i++) {
		if (SEQ_LEQ(sb->r[i].end, snd_una))
			continue;
		o[n].s = SEQ_LT(sb->r[i].start, snd_una) ? 0 :
			sb->r[i].start - snd_una;
		o[n].e = sb->r[i].end - snd_una;
		n++;
	}
	return n;
}

/*
 * The offset below which every byte IsLost(): below the start of the
 * TCP_DUPTHRESH-th range from the top, or where more than
 * (TCP_DUPTHRESH - 1) * mss SACKed bytes lie above. 0 when none is.
 */
static uint32_t
lost_limit(const struct span *o, unsigned int n, uint32_t mss)
{
	uint64_t thr = (uint64_t)(TCP_DUPTHRESH - 1) * mss, cum = 0, len;
	uint32_t lim = 0, b;
	unsigned int i;

	if (n >= TCP_DUPTHRESH)
		lim = o[n - TCP_DUPTHRESH].s;
	for (i = n; i-- > 0; ) {
		len = o[i].e - o[i].s;
		if (cum + len > thr) {
			/* byte x of this range has cum + (e - 1 - x) above */
			b = o[i].e - 1 - (uint32_t)(thr - cum);
			if (b > lim)
				lim = b;
			break;
		}
		cum += len;
	}
	return lim;
}

uint32_t
tcp_sb_pipe(const struct tcp_scoreboard *sb, uint32_t snd_una,
		uint32_t snd_max, uint32_t mss)
{
	struct span o[TCP_SB_MAX];
	uint32_t win, lost, hr, pos = 0, end, a;
	uint64_t pipe = 0;
	unsigned int i, n;

	if (SEQ_LEQ(snd_max, snd_una))
		return 0;
	win = snd_max - snd_una;
	n = sb_spans(sb, snd_una, o);
	lost = lost_limit(o, n, mss);
	if (SEQ_LEQ(sb->high_rxt, snd_una))
		hr = 0;
	else if (SEQ_GEQ(sb->high_rxt, snd_max))
		hr = win;
	else
		hr = sb->high_rxt - snd_una;

	/* Walk the holes: [pos, end) is not SACKed. */
	for (i = 0; i <= n && pos < win; i++) {
		end = i < n && o[i].s < win ? o[i].s : win;
		if (end > pos) {
			/* not lost: counted once */
			a = pos > lost ? pos : lost;
			if (end > a)
				pipe += end - a;
			/* retransmitted: once more */
			a = end < hr ? end : hr;
			if (a > pos)
				pipe += a - pos;
		}
		if (i < n && o[i].e > pos)
			pos = o[i].e;
	}
	return pipe > UINT32_MAX ? UINT32_MAX : (uint32_t)pipe;
}

/*
 * NextSeg() rules 1 and 3: the first byte at or above max(HighRxt,
 * SND.UNA) that is not SACKed and lies below the highest SACKed byte;
 * with @lost_only, it must also be IsLost().
 */
static bool
next_hole(const struct tcp_scoreboard *sb, uint32_t snd_una, uint32_t mss,
		bool lost_only, uint32_t *seq, uint32_t *len)
{
	struct span o[TCP_SB_MAX];
	unsigned int i, n;
	uint32_t pos, gap;

	n = sb_spans(sb, snd_una, o);
	if (n == 0)
		return false;
	pos = SEQ_GT(sb->high_rxt, snd_una) ? sb->high_rxt - snd_una : 0;
	for (i = 0; i < n && o[i].e <= pos; i++)
		;
	if (i < n && o[i].s <= pos)
		pos = o[i++].e;
	if (i == n)
		return false;
	if (lost_only && pos >= lost_limit(o, n, mss))
		return false;
	gap = o[i].s - pos;
	*seq = snd_una + pos;
	*len = gap < mss ? gap : mss;
	return true;
}

bool
tcp_sb_next_lost(const struct tcp_scoreboard *sb, uint32_t snd_una,
		uint32_t mss, uint32_t *seq, uint32_t *len)
{
	return next_hole(sb, snd_una, mss, true, seq, len);
}

bool
tcp_sb_next_unsacked(const struct tcp_scoreboard *sb, uint32_t snd_una,
		uint32_t mss, uint32_t *seq, uint32_t *len)
{
	return next_hole(sb, snd_una, mss, false, seq, len);
}
