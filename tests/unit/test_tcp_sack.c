/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: the SACK scoreboard (lib/tcp/tcp_sack.c). Worked examples,
 * then a randomized run against a byte-map model over a window that wraps
 * 2^32: a simulated receiver holds what it got, reports it in SACK blocks
 * (with some the scoreboard must ignore), and every question asked of the
 * scoreboard is answered by brute force from the map. No EAL.
 */
#include <stdlib.h>
#include <time.h>

#include "ptcp_test.h"
#include "ptcp_test_rand.h"
#include "tcp_sack.h"
#include "tcp_seq.h"

static struct tcp_sack_block
blk(uint32_t s, uint32_t e)
{
	return (struct tcp_sack_block){ .start = s, .end = e };
}

/* Sorted, disjoint, not touching, the byte count right, n in range. */
static int
sb_sane(const struct tcp_scoreboard *sb)
{
	uint32_t sum = 0;
	unsigned int i;

	CHECK(sb->n <= TCP_SB_MAX);
	for (i = 0; i < sb->n; i++) {
		CHECK_MSG(SEQ_LT(sb->r[i].start, sb->r[i].end), "range %u", i);
		if (i > 0)
			CHECK_MSG(SEQ_LT(sb->r[i - 1].end, sb->r[i].start),
				"ranges %u, %u touch or overlap", i - 1, i);
		sum += sb->r[i].end - sb->r[i].start;
	}
	CHECK_EQ(sb->sacked, sum);
	return 0;
}

static int
reset_is_empty(void)
{
	struct tcp_scoreboard sb;
	uint32_t seq, len;

	memset(&sb, 0xa5, sizeof(sb));
	tcp_sb_reset(&sb, 5000);
	CHECK_EQ(sb.n, 0);
	CHECK_EQ(sb.sacked, 0);
	CHECK_EQ(sb.high_rxt, 5000);
	CHECK_EQ(sb.rescue_rxt, 5000);
	CHECK_EQ(tcp_sb_high_sacked(&sb, 5000), 5000);
	CHECK(!tcp_sb_is_sacked(&sb, 5000));
	CHECK(!tcp_sb_is_lost(&sb, 5000, 100));
	CHECK_EQ(tcp_sb_pipe(&sb, 5000, 8000, 100), 3000);
	CHECK_EQ(tcp_sb_pipe(&sb, 5000, 5000, 100), 0);
	CHECK(!tcp_sb_next_lost(&sb, 5000, 100, &seq, &len));
	CHECK(!tcp_sb_next_unsacked(&sb, 5000, 100, &seq, &len));
	return 0;
}

static int
update_merges_and_counts_new_bytes(void)
{
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[4];

	tcp_sb_reset(&sb, 1000);
	b[0] = blk(1100, 1200);
	b[1] = blk(1300, 1400);
	CHECK_EQ(tcp_sb_update(&sb, b, 2, 1000, 2000), 200);
	CHECK_EQ(sb.n, 2);
	/* The same again: nothing new. */
	CHECK_EQ(tcp_sb_update(&sb, b, 2, 1000, 2000), 0);
	/* Filling the gap exactly: touching ranges merge. */
	b[0] = blk(1200, 1300);
	CHECK_EQ(tcp_sb_update(&sb, b, 1, 1000, 2000), 100);
	CHECK_EQ(sb.n, 1);
	CHECK_EQ(sb.r[0].start, 1100);
	CHECK_EQ(sb.r[0].end, 1400);
	/* Overlapping on both sides: only the new bytes count. */
	b[0] = blk(1050, 1450);
	CHECK_EQ(tcp_sb_update(&sb, b, 1, 1000, 2000), 100);
	CHECK_EQ(sb.n, 1);
	CHECK_EQ(sb.r[0].start, 1050);
	CHECK_EQ(sb.r[0].end, 1450);
	/* One block bridging three ranges. */
	b[0] = blk(1500, 1600);
	b[1] = blk(1700, 1800);
	CHECK_EQ(tcp_sb_update(&sb, b, 2, 1000, 2000), 200);
	CHECK_EQ(sb.n, 3);
	b[0] = blk(1400, 1900);
	CHECK_EQ(tcp_sb_update(&sb, b, 1, 1000, 2000), 500 - 50 - 200);
	CHECK_EQ(sb.n, 1);
	CHECK_EQ(sb.sacked, 850);
	CHECK_EQ(tcp_sb_high_sacked(&sb, 1000), 1900);
	CHECK(tcp_sb_is_sacked(&sb, 1050));
	CHECK(tcp_sb_is_sacked(&sb, 1899));
	CHECK(!tcp_sb_is_sacked(&sb, 1900));
	CHECK(!tcp_sb_is_sacked(&sb, 1049));
	return sb_sane(&sb);
}

static int
update_validates_blocks(void)
{
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[4];

	tcp_sb_reset(&sb, 1000);
	b[0] = blk(1200, 1200);         /* empty */
	b[1] = blk(1300, 1200);         /* reversed */
	b[2] = blk(500, 900);           /* D-SACK below SND.UNA */
	b[3] = blk(1900, 2001);         /* past SND.MAX */
	CHECK_EQ(tcp_sb_update(&sb, b, 4, 1000, 2000), 0);
	CHECK_EQ(sb.n, 0);
	b[0] = blk(500, 1000);          /* ends at SND.UNA: below */
	b[1] = blk(1000, 0x90000000u);  /* "above" by 2^31 and more */
	CHECK_EQ(tcp_sb_update(&sb, b, 2, 1000, 2000), 0);
	/* Partly below SND.UNA: clipped. Up to SND.MAX: taken. */
	b[0] = blk(900, 1100);
	b[1] = blk(1900, 2000);
	CHECK_EQ(tcp_sb_update(&sb, b, 2, 1000, 2000), 200);
	CHECK_EQ(sb.r[0].start, 1000);
	CHECK_EQ(sb.r[0].end, 1100);
	CHECK_EQ(sb.r[1].start, 1900);
	/* A D-SACK with a valid block: the valid one counts. */
	b[0] = blk(100, 200);
	b[1] = blk(1500, 1600);
	CHECK_EQ(tcp_sb_update(&sb, b, 2, 1000, 2000), 100);
	CHECK_EQ(sb.n, 3);
	return sb_sane(&sb);
}

static int
full_scoreboard_forgets_the_highest(void)
{
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[1];
	unsigned int i;

	tcp_sb_reset(&sb, 0);
	for (i = 0; i < TCP_SB_MAX; i++) {
		b[0] = blk(1000 + i * 1000, 1500 + i * 1000);
		CHECK_EQ(tcp_sb_update(&sb, b, 1, 0, 100000), 500);
	}
	CHECK_EQ(sb.n, TCP_SB_MAX);
	CHECK_EQ(sb.sacked, TCP_SB_MAX * 500);
	/* A ninth range above them all: not kept, not new. */
	b[0] = blk(20000, 20100);
	CHECK_EQ(tcp_sb_update(&sb, b, 1, 0, 100000), 0);
	CHECK(!tcp_sb_is_sacked(&sb, 20000));
	CHECK_EQ(tcp_sb_high_sacked(&sb, 0), 8500);
	/* A ninth below: kept, the highest (8000..8500) goes. */
	b[0] = blk(100, 150);
	CHECK_EQ(tcp_sb_update(&sb, b, 1, 0, 100000), 50);
	CHECK_EQ(sb.n, TCP_SB_MAX);
	CHECK(!tcp_sb_is_sacked(&sb, 8000));
	CHECK(tcp_sb_is_sacked(&sb, 7000));
	CHECK_EQ(tcp_sb_high_sacked(&sb, 0), 7500);
	CHECK_EQ(sb.sacked, (TCP_SB_MAX - 1) * 500 + 50);
	/* Merging needs no room. */
	b[0] = blk(150, 1000);
	CHECK_EQ(tcp_sb_update(&sb, b, 1, 0, 100000), 850);
	CHECK_EQ(sb.n, TCP_SB_MAX - 1);
	return sb_sane(&sb);
}

static int
advance_clips_drops_and_lifts_high_rxt(void)
{
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[3] = {
		blk(1100, 1200), blk(1300, 1400), blk(1500, 1600),
	};

	tcp_sb_reset(&sb, 1000);
	CHECK_EQ(tcp_sb_update(&sb, b, 3, 1000, 2000), 300);
	sb.high_rxt = 1250;
	sb.rescue_rxt = 1800;
	tcp_sb_advance(&sb, 1000);
	CHECK_EQ(sb.n, 3);
	tcp_sb_advance(&sb, 1350);
	CHECK_EQ(sb.n, 2);
	CHECK_EQ(sb.r[0].start, 1350);
	CHECK_EQ(sb.sacked, 150);
	CHECK_EQ(sb.high_rxt, 1350);
	CHECK_EQ(sb.rescue_rxt, 1800);
	tcp_sb_advance(&sb, 1600);
	CHECK_EQ(sb.n, 0);
	CHECK_EQ(sb.sacked, 0);
	CHECK_EQ(tcp_sb_high_sacked(&sb, 1600), 1600);
	tcp_sb_advance(&sb, 1900);
	CHECK_EQ(sb.rescue_rxt, 1900);
	return sb_sane(&sb);
}

/*
 * Ten segments of 100 bytes from @una; 5, 7 and 9 SACKed. Three ranges lie
 * above segments 0..4: lost. Above 6, two ranges and 200 bytes (not more
 * than 2 * mss): not lost. Pipe counts 6 and 8, plus what was
 * retransmitted.
 */
static int
rfc6675_worked_example(uint32_t una)
{
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[3] = {
		blk(una + 500, una + 600), blk(una + 700, una + 800),
		blk(una + 900, una + 1000),
	};
	uint32_t seq, len, mx = una + 1000;

	tcp_sb_reset(&sb, una);
	CHECK_EQ(tcp_sb_update(&sb, b, 3, una, mx), 300);
	CHECK(tcp_sb_is_lost(&sb, una, 100));
	CHECK(tcp_sb_is_lost(&sb, una + 499, 100));
	CHECK(!tcp_sb_is_lost(&sb, una + 600, 100));
	CHECK(!tcp_sb_is_lost(&sb, una + 800, 100));
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 200);
	/* 199 bytes of mss: 200 SACKed bytes above 6 are more than 2 mss */
	CHECK(tcp_sb_is_lost(&sb, una + 600, 99));
	CHECK(!tcp_sb_is_lost(&sb, una + 800, 99));
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 99), 100);

	CHECK(tcp_sb_next_lost(&sb, una, 100, &seq, &len));
	CHECK_EQ(seq, una);
	CHECK_EQ(len, 100);
	/* Two segments retransmitted. */
	sb.high_rxt = una + 200;
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 400);
	CHECK(tcp_sb_next_lost(&sb, una, 100, &seq, &len));
	CHECK_EQ(seq, una + 200);
	sb.high_rxt = una + 450;
	CHECK(tcp_sb_next_lost(&sb, una, 100, &seq, &len));
	CHECK_EQ(seq, una + 450);
	CHECK_EQ(len, 50);
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 650);
	/* All lost data retransmitted: rule 1 has nothing, rule 3 has 6. */
	sb.high_rxt = una + 500;
	CHECK(!tcp_sb_next_lost(&sb, una, 100, &seq, &len));
	CHECK(tcp_sb_next_unsacked(&sb, una, 100, &seq, &len));
	CHECK_EQ(seq, una + 600);
	CHECK_EQ(len, 100);
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 700);
	/* Segment 6 sent again: rule 3 moves on to 8, then to nothing. */
	sb.high_rxt = una + 700;
	CHECK(tcp_sb_next_unsacked(&sb, una, 100, &seq, &len));
	CHECK_EQ(seq, una + 800);
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 800);
	sb.high_rxt = una + 900;
	CHECK(!tcp_sb_next_unsacked(&sb, una, 100, &seq, &len));
	/* Beyond SND.MAX counts as up to it. */
	sb.high_rxt = una + 5000;
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 900);
	/* HighRxt below SND.UNA: as at SND.UNA. */
	sb.high_rxt = una - 5000;
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx, 100), 200);
	CHECK(tcp_sb_next_lost(&sb, una, 100, &seq, &len));
	CHECK_EQ(seq, una);
	/* Unsent data above the highest SACK counts, never lost. */
	CHECK_EQ(tcp_sb_pipe(&sb, una, mx + 300, 100), 500);
	/* The cumulative ACK reaches 5's range: the rest is not lost. */
	tcp_sb_advance(&sb, una + 550);
	CHECK(!tcp_sb_is_lost(&sb, una + 600, 100));
	CHECK(!tcp_sb_next_lost(&sb, una + 550, 100, &seq, &len));
	CHECK(tcp_sb_next_unsacked(&sb, una + 550, 100, &seq, &len));
	CHECK_EQ(seq, una + 600);
	return sb_sane(&sb);
}

static int
rfc6675_worked_example_everywhere(void)
{
	static const uint32_t una[] = {
		1000, UINT32_MAX - 250, UINT32_MAX - 549, UINT32_MAX,
		0x7fffff00u, 0,
	};
	unsigned int i;

	for (i = 0; i < sizeof(una) / sizeof(una[0]); i++)
		CHECK_MSG(rfc6675_worked_example(una[i]) == 0, "una %u",
			una[i]);
	return 0;
}

static int
is_lost_by_bytes_and_by_ranges(void)
{
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[2];

	/* One range of exactly 2 mss above: not lost; one byte more: lost. */
	tcp_sb_reset(&sb, 0);
	b[0] = blk(100, 300);
	tcp_sb_update(&sb, b, 1, 0, 1000);
	CHECK(!tcp_sb_is_lost(&sb, 0, 100));
	b[0] = blk(300, 301);
	tcp_sb_update(&sb, b, 1, 0, 1000);
	CHECK(tcp_sb_is_lost(&sb, 0, 100));
	CHECK(tcp_sb_is_lost(&sb, 99, 100));
	/* inside the range: the bytes above it within the range count */
	CHECK(tcp_sb_is_lost(&sb, 99, 100));
	CHECK(!tcp_sb_is_lost(&sb, 100, 100));
	/* Three tiny ranges above: lost whatever their size. */
	tcp_sb_reset(&sb, 0);
	b[0] = blk(100, 101);
	b[1] = blk(200, 201);
	tcp_sb_update(&sb, b, 2, 0, 1000);
	b[0] = blk(300, 301);
	tcp_sb_update(&sb, b, 1, 0, 1000);
	CHECK(tcp_sb_is_lost(&sb, 99, 1000));
	CHECK(!tcp_sb_is_lost(&sb, 100, 1000));
	CHECK(!tcp_sb_is_lost(&sb, 150, 1000));
	return 0;
}

/*
 * The model: a byte map indexed by seq mod MAP; the window never spans
 * more than WIN_MAX bytes, so a byte and the one MAP later are never both
 * in it, and bytes are cleared as SND.UNA passes them.
 */
#define MAP       32768u
#define WIN_MAX   30000u
#define MAPI(seq) ((seq) & (MAP - 1))

struct model {
	uint8_t truth[MAP];     /* the receiver has the byte */
	uint8_t sb[MAP];        /* the scoreboard should hold it */
	uint8_t before[MAP];
	uint32_t una, max, rcv_nxt, high_rxt, rescue_rxt, mss;
	uint32_t dlv;           /* the next byte the network delivers */
	/* per window offset, filled by model_scan() */
	uint32_t above_bytes[WIN_MAX + 1];
	uint32_t above_runs[WIN_MAX + 1];
	uint32_t high;          /* offset past the highest SACKed byte */
};

static uint32_t
win(const struct model *m)
{
	return m->max - m->una;
}

static bool
m_sacked(const struct model *m, uint32_t off)
{
	return off < win(m) && m->sb[MAPI(m->una + off)];
}

/* Runs of SACKed bytes in the window, as (start, end) offsets. */
static unsigned int
model_runs(const struct model *m, uint32_t *rs, uint32_t *re, unsigned int max)
{
	uint32_t off, w = win(m);
	unsigned int n = 0;

	for (off = 0; off < w; off++) {
		if (!m_sacked(m, off))
			continue;
		if (n < max)
			rs[n] = off;
		while (off < w && m_sacked(m, off))
			off++;
		if (n < max)
			re[n] = off;
		n++;
	}
	return n;
}

/* One block, validated as tcp_sack.h says, then "forget the highest". */
static void
model_block(struct model *m, uint32_t s, uint32_t e)
{
	uint32_t rs[TCP_SB_MAX + 2], re[TCP_SB_MAX + 2], x;
	unsigned int n;

	if (!SEQ_LT(s, e) || SEQ_GT(e, m->max) || SEQ_LEQ(e, m->una))
		return;
	if (SEQ_LT(s, m->una))
		s = m->una;
	for (x = s; x != e; x++)
		m->sb[MAPI(x)] = 1;
	n = model_runs(m, rs, re, TCP_SB_MAX + 2);
	if (n > TCP_SB_MAX)
		for (x = rs[n - 1]; x < re[n - 1]; x++)
			m->sb[MAPI(m->una + x)] = 0;
}

static uint32_t
model_update(struct model *m, const struct tcp_sack_block *b, unsigned int n)
{
	uint32_t off, newly = 0;
	unsigned int i;

	memcpy(m->before, m->sb, sizeof(m->sb));
	for (i = 0; i < n; i++)
		model_block(m, b[i].start, b[i].end);
	for (off = 0; off < win(m); off++)
		if (m->sb[MAPI(m->una + off)] && !m->before[MAPI(m->una + off)])
			newly++;
	return newly;
}

static void
model_advance(struct model *m, uint32_t una)
{
	for (; m->una != una; m->una++) {
		m->sb[MAPI(m->una)] = 0;
		m->truth[MAPI(m->una)] = 0;
	}
	if (SEQ_LT(m->high_rxt, una))
		m->high_rxt = una;
	if (SEQ_LT(m->rescue_rxt, una))
		m->rescue_rxt = una;
}

static void
model_scan(struct model *m)
{
	uint32_t off, w = win(m), bytes = 0, runs = 0;

	m->high = 0;
	for (off = w; off-- > 0; ) {
		m->above_bytes[off] = bytes;
		m->above_runs[off] = runs;
		if (m_sacked(m, off)) {
			if (m->high == 0)
				m->high = off + 1;
			bytes++;
			if (off == 0 || !m_sacked(m, off - 1))
				runs++;
		}
	}
}

static bool
model_lost(const struct model *m, uint32_t off)
{
	return m->above_runs[off] >= TCP_DUPTHRESH ||
		m->above_bytes[off] > (TCP_DUPTHRESH - 1) * m->mss;
}

static uint32_t
model_hr(const struct model *m)
{
	return SEQ_LEQ(m->high_rxt, m->una) ? 0 : m->high_rxt - m->una;
}

static uint32_t
model_pipe(const struct model *m)
{
	uint32_t off, pipe = 0, hr = model_hr(m);

	for (off = 0; off < win(m); off++) {
		if (m_sacked(m, off))
			continue;
		if (!model_lost(m, off))
			pipe++;
		if (off < hr)
			pipe++;
	}
	return pipe;
}

static bool
model_next(const struct model *m, bool lost_only, uint32_t *seq,
		uint32_t *len)
{
	uint32_t off, l;

	for (off = model_hr(m); off < m->high; off++) {
		if (m_sacked(m, off) || (lost_only && !model_lost(m, off)))
			continue;
		for (l = 0; l < m->mss && !m_sacked(m, off + l); l++)
			;
		*seq = m->una + off;
		*len = l;
		return true;
	}
	return false;
}

/* Every question, scoreboard against model. */
static int
compare(const struct tcp_scoreboard *sb, struct model *m, uint64_t *rs,
		bool full)
{
	uint32_t off, w = win(m), seq, len, mseq = 0, mlen = 0, i;
	bool got, want;

	if (sb_sane(sb) != 0)
		return -1;
	model_scan(m);
	CHECK_EQ(sb->high_rxt, m->high_rxt);
	CHECK_EQ(sb->rescue_rxt, m->rescue_rxt);
	CHECK_EQ(sb->sacked, w ? m->above_bytes[0] + m_sacked(m, 0) : 0);
	CHECK_EQ(tcp_sb_high_sacked(sb, m->una), m->una + m->high);
	/* the scoreboard never holds what the receiver does not */
	for (i = 0; i < sb->n; i++)
		for (seq = sb->r[i].start; seq != sb->r[i].end; seq++)
			CHECK_MSG(m->truth[MAPI(seq)], "seq %u", seq);
	if (full) {
		for (off = 0; off < w; off++)
			CHECK_MSG(tcp_sb_is_sacked(sb, m->una + off) ==
				m_sacked(m, off), "offset %u", off);
		for (off = 0; off < w; off++)
			CHECK_MSG(tcp_sb_is_lost(sb, m->una + off, m->mss) ==
				model_lost(m, off), "offset %u", off);
	} else {
		for (i = 0; i < 64 && w > 0; i++) {
			off = (uint32_t)(ptcp_test_rand(rs) % w);
			CHECK_MSG(tcp_sb_is_sacked(sb, m->una + off) ==
				m_sacked(m, off), "offset %u", off);
			CHECK_MSG(tcp_sb_is_lost(sb, m->una + off, m->mss) ==
				model_lost(m, off), "offset %u", off);
		}
		/* around every range edge */
		for (i = 0; i < sb->n; i++) {
			for (off = sb->r[i].start - m->una - 1;
					off != sb->r[i].start - m->una + 2; off++)
				if (off < w)
					CHECK(tcp_sb_is_lost(sb, m->una + off,
						m->mss) == model_lost(m, off));
			for (off = sb->r[i].end - m->una - 2;
					off != sb->r[i].end - m->una + 1; off++)
				if (off < w)
					CHECK(tcp_sb_is_lost(sb, m->una + off,
						m->mss) == model_lost(m, off));
		}
	}
	/* just outside the window */
	CHECK(!tcp_sb_is_sacked(sb, m->una - 1));
	CHECK(!tcp_sb_is_sacked(sb, m->max));
	CHECK_EQ(tcp_sb_pipe(sb, m->una, m->max, m->mss), model_pipe(m));

	got = tcp_sb_next_lost(sb, m->una, m->mss, &seq, &len);
	want = model_next(m, true, &mseq, &mlen);
	CHECK_EQ(got, want);
	if (got) {
		CHECK_EQ(seq, mseq);
		CHECK_EQ(len, mlen);
	}
	got = tcp_sb_next_unsacked(sb, m->una, m->mss, &seq, &len);
	want = model_next(m, false, &mseq, &mlen);
	CHECK_EQ(got, want);
	if (got) {
		CHECK_EQ(seq, mseq);
		CHECK_EQ(len, mlen);
	}
	return 0;
}

/* The receiver's run of bytes around @seq, as a block (seq held). */
static struct tcp_sack_block
truth_run(const struct model *m, uint32_t seq)
{
	uint32_t s = seq, e = seq;

	while (s != m->rcv_nxt && m->truth[MAPI(s - 1)])
		s--;
	while (e != m->max && m->truth[MAPI(e)])
		e++;
	return blk(s, e);
}

/*
 * One ACK from the receiver: up to 4 blocks, the newest first, then
 * others it holds, sometimes duplicated or only in part (a reordered older
 * ACK); with blocks the scoreboard must
 * ignore (D-SACK, empty, reversed, beyond SND.MAX) mixed in.
 */
static unsigned int
make_blocks(const struct model *m, uint64_t *rs, uint32_t got,
		struct tcp_sack_block *b)
{
	unsigned int n = 0, tries;
	uint32_t w = m->max - m->rcv_nxt, seq;

	if (SEQ_GEQ(got, m->rcv_nxt))
		b[n++] = truth_run(m, got);
	for (tries = 0; tries < 8 && n < 4 && w > 0; tries++) {
		seq = m->rcv_nxt + (uint32_t)(ptcp_test_rand(rs) % w);
		if (!m->truth[MAPI(seq)])
			continue;
		b[n] = truth_run(m, seq);
		/* an older ACK overtaken by newer ones: part of a run */
		switch (ptcp_test_rand(rs) % 8) {
		case 0:
			b[n].start = seq;
			break;
		case 1:
			b[n].end = seq + 1;
			break;
		case 2:
			/* just what the sender lacks: touches its range */
			while (b[n].start != b[n].end - 1 &&
					m->sb[MAPI(b[n].start)])
				b[n].start++;
			break;
		default:
			break;
		}
		n++;
	}
	if (n < 4 && ptcp_test_rand(rs) % 4 == 0) {
		switch (ptcp_test_rand(rs) % 5) {
		case 0:         /* D-SACK of acknowledged data */
			b[n++] = blk(m->una - 3000, m->una - 1000);
			break;
		case 1:
			b[n++] = blk(m->rcv_nxt + 10, m->rcv_nxt + 10);
			break;
		case 2:
			b[n++] = blk(m->max, m->rcv_nxt);
			break;
		case 3:
			b[n++] = blk(m->max - 1, m->max + 1000);
			break;
		default:        /* partly below SND.UNA, all received */
			if (m->rcv_nxt != m->una)
				b[n++] = blk(m->una - 500, m->rcv_nxt);
			break;
		}
	}
	/* shuffle: the scoreboard must not depend on the order */
	if (n > 1 && ptcp_test_rand(rs) % 2) {
		struct tcp_sack_block t = b[0];

		b[0] = b[n - 1];
		b[n - 1] = t;
	}
	return n;
}

static int
run_model(uint64_t seed, unsigned int iters, time_t deadline,
		unsigned int *n_full, unsigned int *n_few)
{
	static struct model m;
	struct tcp_scoreboard sb;
	struct tcp_sack_block b[4];
	uint64_t rs = seed;
	uint32_t s, len, nb, got, x;
	unsigned int it, op, full = 0, few = 0, wrapped = 0;
	/* from a clean path to a very lossy one */
	unsigned int loss_pct = (unsigned int[]){ 2, 10, 30, 60 }[seed % 4];
	uint32_t start;

	memset(&m, 0, sizeof(m));
	m.mss = (uint32_t[]){ 536, 1000, 1460 }[ptcp_test_rand(&rs) % 3];
	/* start a little below the wrap */
	start = (uint32_t)(0u - 10000u - ptcp_test_rand(&rs) % 30000);
	m.una = m.max = m.rcv_nxt = m.high_rxt = m.rescue_rxt = start;
	m.dlv = start;
	tcp_sb_reset(&sb, start);

	for (it = 0; it < iters && time(NULL) < deadline; it++) {
		op = (unsigned int)(ptcp_test_rand(&rs) % 16);
		if (op < 4) {
			/* send */
			len = 1 + (uint32_t)(ptcp_test_rand(&rs) % (4 * m.mss));
			if (win(&m) + len > WIN_MAX)
				len = WIN_MAX - win(&m);
			m.max += len;
		} else if (op < 12 && m.max != m.rcv_nxt) {
			/* a segment arrives; the ACK it draws comes back */
			uint32_t old_una = m.una;

			if (SEQ_LT(m.dlv, m.rcv_nxt))
				m.dlv = m.rcv_nxt;
			if (op < 9) {
				/* the next one in order, unless lost */
				if (m.dlv == m.max)
					goto check;
				s = m.dlv;
				len = m.max - s < m.mss ? m.max - s : m.mss;
				m.dlv += len;
				if (ptcp_test_rand(&rs) % 100 < loss_pct)
					goto check;
			} else if (op < 11) {
				/* a retransmission fills the head */
				s = m.rcv_nxt;
				len = 1 + (uint32_t)(ptcp_test_rand(&rs) %
					(2 * m.mss));
			} else {
				/* reordered: anywhere */
				s = m.rcv_nxt + (uint32_t)(ptcp_test_rand(&rs) %
					(m.max - m.rcv_nxt));
				len = 1 + (uint32_t)(ptcp_test_rand(&rs) % m.mss);
			}
			if (len > m.max - s)
				len = m.max - s;
			for (x = s; x != s + len; x++)
				m.truth[MAPI(x)] = 1;
			while (m.rcv_nxt != m.max && m.truth[MAPI(m.rcv_nxt)])
				m.rcv_nxt++;
			nb = make_blocks(&m, &rs, s, b);
			if (ptcp_test_rand(&rs) % 2) {
				/* cumulative ACK first, then the blocks */
				tcp_sb_advance(&sb, m.rcv_nxt);
				model_advance(&m, m.rcv_nxt);
				got = tcp_sb_update(&sb, b, nb, m.una, m.max);
				CHECK_MSG(got == model_update(&m, b, nb),
					"seed %#" PRIx64 " it %u: update",
					seed, it);
			} else {
				/* blocks against the old SND.UNA first */
				got = tcp_sb_update(&sb, b, nb, old_una, m.max);
				CHECK_MSG(got == model_update(&m, b, nb),
					"seed %#" PRIx64 " it %u: update",
					seed, it);
				tcp_sb_advance(&sb, m.rcv_nxt);
				model_advance(&m, m.rcv_nxt);
			}
			/* numerically below the start: past 2^32 */
			if (m.una < start)
				wrapped = 1;
		} else if (op < 14) {
			/* the sender retransmitted up to somewhere */
			x = (uint32_t)(ptcp_test_rand(&rs) % (win(&m) + 4000));
			sb.high_rxt = m.high_rxt = m.una - 2000 + x;
			x = (uint32_t)(ptcp_test_rand(&rs) % (win(&m) + 4000));
			sb.rescue_rxt = m.rescue_rxt = m.una - 2000 + x;
			/* an advance lifts them; till then the answers
			 * treat below SND.UNA as SND.UNA */
			if (ptcp_test_rand(&rs) % 2) {
				tcp_sb_advance(&sb, m.una);
				model_advance(&m, m.una);
			}
		} else if (op == 14 && ptcp_test_rand(&rs) % 8 == 0) {
			/* a time-out: start over (the receiver keeps all) */
			tcp_sb_reset(&sb, m.una);
			memset(m.sb, 0, sizeof(m.sb));
			m.high_rxt = m.rescue_rxt = m.una;
		}
check:
		if (sb.n == TCP_SB_MAX)
			full++;
		if (sb.n <= 2)
			few++;
		if (compare(&sb, &m, &rs, it % 32 == 0) != 0) {
			fprintf(stderr, "  seed %#" PRIx64 " iteration %u "
				"(una %u max %u mss %u)\n", seed, it, m.una,
				m.max, m.mss);
			return -1;
		}
	}
	/* The run went where it had to: past 2^32. */
	CHECK_MSG(it < iters || wrapped, "seed %#" PRIx64 ": no wrap", seed);
	*n_full += full;
	*n_few += few;
	if (getenv("SACK_VERBOSE"))
		printf("  seed %#" PRIx64 ": %u iterations, mss %u, una %u, "
			"loss %u %%, full %u, <= 2 ranges %u, window %u\n", seed,
			it, m.mss, m.una, loss_pct, full, few, win(&m));
	return 0;
}

static int
randomized_against_byte_map(void)
{
	time_t deadline = time(NULL) + 60;
	unsigned int full = 0, few = 0;
	uint64_t seed;

	for (seed = 1; seed <= 8; seed++)
		if (run_model(UINT64_C(0x5ac0000) + seed, 1500, deadline,
				&full, &few) != 0)
			return -1;
	/* Both a full board (forgetting) and a quiet one were seen. */
	CHECK(full > 100);
	CHECK(few > 100);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(reset_is_empty),
	TEST(update_merges_and_counts_new_bytes),
	TEST(update_validates_blocks),
	TEST(full_scoreboard_forgets_the_highest),
	TEST(advance_clips_drops_and_lifts_high_rxt),
	TEST(rfc6675_worked_example_everywhere),
	TEST(is_lost_by_bytes_and_by_ranges),
	TEST(randomized_against_byte_map),
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
