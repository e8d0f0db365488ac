/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: congestion control arithmetic and the RTO estimator
 * (lib/tcp/tcp_cc.c). No EAL: pure arithmetic, the test plays the clock
 * and the ACK stream.
 */
#include <math.h>
#include <stdlib.h>

#include "ptcp_test.h"
#include "ptcp_test_rand.h"
#include "tcp_cc.h"

#define MSS 1460u

/*
 * One RTT of ACK clocking: the window at the start of the round is
 * acknowledged @per bytes at a time, the ACKs spread evenly over the RTT.
 * Returns the time at the end of the round.
 */
static uint32_t
one_rtt(enum tcp_cc_algo algo, struct tcp_cc *cc, struct tcp_cubic *cu,
		uint32_t mss, uint32_t per, uint32_t now, uint32_t rtt,
		uint32_t limit)
{
	uint32_t win = cc->cwnd, done = 0, k = 0, a;
	uint32_t nacks = (win + per - 1) / per;

	while (done < win) {
		a = win - done < per ? win - done : per;
		tcp_cc_ack(algo, cc, cu, a, mss,
			now + (uint32_t)((uint64_t)rtt * k / nacks), rtt, limit);
		done += a;
		k++;
	}
	return now + rtt;
}

/* W_cubic(t) of RFC 9438 eq. 1, in bytes. */
static double
w_cubic(double w_max, double k_s, double t_s, double mss)
{
	return w_max + 0.4 * pow(t_s - k_s, 3) * mss;
}

static int
initial_window_rfc6928(void)
{
	static const struct { uint32_t mss, segs, iw; } v[] = {
		{ 1460, 10, 14600 },   /* min(14600, max(2920, 14600)) */
		{ 536, 10, 5360 },     /* 10 * mss below 14600 */
		{ 1000, 10, 10000 },
		{ 2000, 10, 14600 },   /* capped by 14600 */
		{ 8960, 10, 17920 },   /* jumbo: 2 * mss beats 14600 */
		{ 1460, 4, 5840 },     /* other values: segs * mss */
		{ 1460, 1, 1460 },
		{ 1460, 0, 1460 },     /* at least one mss */
		{ 1460, 100, 146000 },
	};
	struct tcp_cubic cu;
	struct tcp_cc cc;
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&cu, 0xa5, sizeof(cu));
		tcp_cc_init(&cc, &cu, v[i].mss, v[i].segs);
		CHECK_MSG(cc.cwnd == v[i].iw, "mss %u segs %u: cwnd %u",
			v[i].mss, v[i].segs, cc.cwnd);
		CHECK_EQ(cc.ssthresh, UINT32_MAX);
		CHECK_EQ(cu.w_max, 0);
		CHECK_EQ(cu.w_last_max, 0);
		CHECK_EQ(cu.epoch_ms, 0);
		CHECK_EQ(cu.k_ms, 0);
		CHECK_EQ(cu.origin, 0);
		CHECK_EQ(cu.w_est, 0);
		CHECK_EQ(cu.cwnd_prior, 0);
	}
	/* No CUBIC block: fine. */
	tcp_cc_init(&cc, NULL, 1460, 10);
	CHECK_EQ(cc.cwnd, 14600);
	/* Absurd products saturate instead of wrapping. */
	tcp_cc_init(&cc, NULL, 100000000, 100);
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	tcp_cc_init(&cc, NULL, UINT32_MAX, 10);
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	return 0;
}

static int
slow_start_abc_l2(void)
{
	struct tcp_cc cc;
	uint32_t now = 1000, w;
	int r;

	tcp_cc_init(&cc, NULL, MSS, 10);
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, MSS, MSS, now, 0, 0);
	CHECK_EQ(cc.cwnd, 14600 + MSS);
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, 2 * MSS, MSS, now, 0, 0);
	CHECK_EQ(cc.cwnd, 14600 + 3 * MSS);
	/* A stretch ACK of 10 segments counts as L = 2. */
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, 10 * MSS, MSS, now, 0, 0);
	CHECK_EQ(cc.cwnd, 14600 + 5 * MSS);
	/* Less than a segment counts as what it is (byte counting). */
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, 100, MSS, now, 0, 0);
	CHECK_EQ(cc.cwnd, 14600 + 5 * MSS + 100);
	/* Nothing acknowledged, nothing gained. */
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, 0, MSS, now, 0, 0);
	CHECK_EQ(cc.cwnd, 14600 + 5 * MSS + 100);

	/* Per RTT the window doubles, with per-segment or delayed ACKs. */
	for (r = 0; r < 2; r++) {
		tcp_cc_init(&cc, NULL, MSS, 10);
		w = cc.cwnd;
		now = one_rtt(r ? TCP_CC_CUBIC : TCP_CC_NEWRENO, &cc, NULL,
			MSS, r ? 2 * MSS : MSS, now, 50, 0);
		CHECK_EQ(cc.cwnd, 2 * w);
		now = one_rtt(TCP_CC_NEWRENO, &cc, NULL, MSS,
			r ? 2 * MSS : MSS, now, 50, 0);
		CHECK_EQ(cc.cwnd, 4 * w);
	}

	/* Slow start below ssthresh, whichever the algorithm. */
	cc.cwnd = 10000;
	cc.ssthresh = 10001;
	tcp_cc_ack(TCP_CC_CUBIC, &cc, NULL, MSS, MSS, now, 10, 0);
	CHECK_EQ(cc.cwnd, 10000 + MSS);
	/* At ssthresh: congestion avoidance (RFC 5681 lets either be). */
	cc.cwnd = cc.ssthresh = 146000;
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, MSS, MSS, now, 10, 0);
	CHECK_EQ(cc.cwnd, 146000 + 15);        /* 1460 * 1460 / 146000 */
	return 0;
}

static int
newreno_ca_one_mss_per_rtt(void)
{
	struct tcp_cc cc;
	uint32_t now = 5000, w, per, i;
	int algo;

	/* NewReno, and CUBIC without its state block (NewReno arithmetic). */
	for (algo = 0; algo < 2; algo++) {
		for (per = MSS; per <= 2 * MSS; per += MSS) {
			cc.cwnd = cc.ssthresh = 20 * MSS;
			for (i = 0; i < 200; i++) {
				w = cc.cwnd;
				now = one_rtt(algo ? TCP_CC_CUBIC :
					TCP_CC_NEWRENO, &cc, NULL, MSS, per,
					now, 40, 0);
				CHECK_MSG(cc.cwnd - w >= MSS * 9 / 10 &&
					cc.cwnd - w <= MSS * 11 / 10,
					"rtt %u: %u -> %u (per %u)", i, w,
					cc.cwnd, per);
			}
			/* 200 RTTs: about 200 segments more. */
			CHECK(cc.cwnd >= 20 * MSS + 195 * MSS);
			CHECK(cc.cwnd <= 20 * MSS + 205 * MSS);
		}
	}
	/* Tiny increments still count: at least a byte per ACK. */
	cc.cwnd = cc.ssthresh = 100000000;
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, NULL, MSS, MSS, now, 40, 0);
	CHECK_EQ(cc.cwnd, 100000001);
	return 0;
}

static int
loss_halves_or_beta_0_7_floor_2_mss(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;

	/* NewReno: half the flight size, not of cwnd (RFC 5681 eq. 4). */
	tcp_cc_init(&cc, NULL, MSS, 10);
	cc.cwnd = 200000;
	tcp_cc_loss(TCP_CC_NEWRENO, &cc, NULL, 100000, MSS);
	CHECK_EQ(cc.ssthresh, 50000);
	CHECK_EQ(cc.cwnd, 50000);
	/* Floor: 2 * mss. */
	tcp_cc_loss(TCP_CC_NEWRENO, &cc, NULL, 3000, MSS);
	CHECK_EQ(cc.ssthresh, 2 * MSS);
	CHECK_EQ(cc.cwnd, 2 * MSS);
	tcp_cc_loss(TCP_CC_NEWRENO, &cc, NULL, 0, MSS);
	CHECK_EQ(cc.cwnd, 2 * MSS);

	/* CUBIC: 0.7, and w_max is the cwnd before the reduction. */
	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = 150000;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 100000, MSS);
	CHECK_EQ(cc.ssthresh, 70000);
	CHECK_EQ(cc.cwnd, 70000);
	CHECK_EQ(cu.w_max, 150000);
	CHECK_EQ(cu.cwnd_prior, 150000);
	CHECK_EQ(cu.epoch_ms, 0);
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 4000, MSS);
	CHECK_EQ(cc.cwnd, 2 * MSS);
	/* CUBIC without its block: NewReno's half. */
	tcp_cc_loss(TCP_CC_CUBIC, &cc, NULL, 100000, MSS);
	CHECK_EQ(cc.cwnd, 50000);
	/* NewReno leaves a CUBIC block alone. */
	cu.w_max = 1234;
	tcp_cc_loss(TCP_CC_NEWRENO, &cc, &cu, 100000, MSS);
	CHECK_EQ(cu.w_max, 1234);

	/* No wrap at the top of the range. */
	tcp_cc_loss(TCP_CC_NEWRENO, &cc, NULL, UINT32_MAX, MSS);
	CHECK_EQ(cc.cwnd, UINT32_MAX / 2);
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, UINT32_MAX, MSS);
	CHECK_EQ(cc.cwnd, (uint32_t)((uint64_t)UINT32_MAX * 7 / 10));
	tcp_cc_loss(TCP_CC_NEWRENO, &cc, NULL, 100, UINT32_MAX);
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	return 0;
}

static int
rto_one_mss_ssthresh_on_first_only(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;

	tcp_cc_init(&cc, NULL, MSS, 10);
	cc.cwnd = 100000;
	tcp_cc_rto(TCP_CC_NEWRENO, &cc, NULL, 80000, MSS, true);
	CHECK_EQ(cc.ssthresh, 40000);
	CHECK_EQ(cc.cwnd, MSS);
	/* The back-off: flight is now one segment; ssthresh stays. */
	tcp_cc_rto(TCP_CC_NEWRENO, &cc, NULL, MSS, MSS, false);
	CHECK_EQ(cc.ssthresh, 40000);
	CHECK_EQ(cc.cwnd, MSS);
	/* A new series takes it again, with the floor. */
	tcp_cc_rto(TCP_CC_NEWRENO, &cc, NULL, MSS, MSS, true);
	CHECK_EQ(cc.ssthresh, 2 * MSS);

	/* CUBIC: beta 0.7 (RFC 9438 §4.8), w_max as for a loss. */
	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = 100000;
	tcp_cc_rto(TCP_CC_CUBIC, &cc, &cu, 80000, MSS, true);
	CHECK_EQ(cc.ssthresh, 56000);
	CHECK_EQ(cc.cwnd, MSS);
	CHECK_EQ(cu.w_max, 100000);
	CHECK_EQ(cu.epoch_ms, 0);
	tcp_cc_rto(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, false);
	CHECK_EQ(cc.ssthresh, 56000);
	CHECK_EQ(cu.w_max, 100000);     /* not the 1-mss window */
	CHECK_EQ(cc.cwnd, MSS);
	return 0;
}

static int
recovery_end_rfc6582_option_1(void)
{
	struct tcp_cc cc = { .cwnd = 99999, .ssthresh = 50000 };

	tcp_cc_recovery_end(&cc, 20000, MSS);
	CHECK_EQ(cc.cwnd, 20000 + MSS);         /* flight + mss */
	tcp_cc_recovery_end(&cc, 60000, MSS);
	CHECK_EQ(cc.cwnd, 50000);               /* ssthresh */
	tcp_cc_recovery_end(&cc, 50000 - MSS, MSS);
	CHECK_EQ(cc.cwnd, 50000);
	tcp_cc_recovery_end(&cc, 0, MSS);
	CHECK_EQ(cc.cwnd, 2 * MSS);             /* max(flight, mss) + mss */
	tcp_cc_recovery_end(&cc, 100, MSS);
	CHECK_EQ(cc.cwnd, 2 * MSS);
	cc.ssthresh = UINT32_MAX;
	tcp_cc_recovery_end(&cc, UINT32_MAX, MSS);
	CHECK_EQ(cc.cwnd, UINT32_MAX);          /* no wrap */
	return 0;
}

/*
 * After a loss at W_max the window restarts at 0.7 W_max and climbs the
 * concave curve back to W_max at t = K (RFC 9438 §4.2 eq. 2).
 */
static int
cubic_back_to_w_max_at_k(void)
{
	const uint32_t rtt = 100, w_max = 100 * MSS;
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 7000, epoch, i;
	double k;

	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = w_max;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, w_max, MSS);
	CHECK_EQ(cc.cwnd, 70 * MSS);
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, rtt, 0);
	epoch = now;
	CHECK_EQ(cu.epoch_ms, epoch);
	CHECK_EQ(cu.origin, w_max);
	k = cbrt(30.0 / 0.4);                   /* 4.217 s */
	CHECK_MSG(fabs(cu.k_ms - k * 1000) <= 1, "k_ms %u, want %.1f",
		cu.k_ms, k * 1000);
	for (i = 0; i < 200 && now - epoch + rtt / 2 < cu.k_ms; i++) {
		now = one_rtt(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, rtt, 0);
		CHECK(cc.cwnd <= w_max + MSS);
		/* on the curve, a round behind at most */
		CHECK_MSG(fabs(cc.cwnd - w_cubic(w_max, k,
			(now - epoch) / 1000.0, MSS)) <= 2 * MSS,
			"t %u ms: cwnd %u", now - epoch, cc.cwnd);
	}
	CHECK_MSG(fabs((double)cc.cwnd - w_max) <= MSS,
		"t %u ms (K %u): cwnd %u, w_max %u", now - epoch, cu.k_ms,
		cc.cwnd, w_max);
	/* The Reno-friendly estimate stayed below: CUBIC drove. */
	CHECK(cu.w_est < w_max);
	return 0;
}

/*
 * Per-RTT growth shrinks towards K (concave, the plateau around W_max)
 * and grows after it (convex, probing). The clock wraps 2^32 ms on the way.
 */
static int
cubic_concave_then_convex(void)
{
	const uint32_t mss = 1000, rtt = 100, w_max = 1000 * mss;
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = UINT32_MAX - 3000, grow[200], i, k_rtts;

	tcp_cc_init(&cc, &cu, mss, 10);
	cc.cwnd = w_max;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, w_max, mss);
	for (i = 0; i < 200; i++) {
		uint32_t w = cc.cwnd;

		now = one_rtt(TCP_CC_CUBIC, &cc, &cu, mss, 2 * mss, now, rtt,
			0);
		grow[i] = cc.cwnd - w;
	}
	/* K = cbrt(300 / 0.4) = 9.086 s: about 91 rounds */
	CHECK_MSG(cu.k_ms >= 9080 && cu.k_ms <= 9092, "k_ms %u", cu.k_ms);
	k_rtts = cu.k_ms / rtt;
	for (i = 10; i + 20 < k_rtts; i += 10)
		CHECK_MSG(grow[i] + grow[i + 1] > grow[i + 10] +
			grow[i + 11], "concave: rtt %u grows %u, rtt %u %u",
			i, grow[i], i + 10, grow[i + 10]);
	for (i = k_rtts + 10; i + 10 < 200; i += 10)
		CHECK_MSG(grow[i] + grow[i + 1] < grow[i + 10] +
			grow[i + 11], "convex: rtt %u grows %u, rtt %u %u",
			i, grow[i], i + 10, grow[i + 10]);
	/* Flat around K: under a segment per round. */
	CHECK(grow[k_rtts] < mss);
	/* Below W_max before K, above after. */
	CHECK(cc.cwnd > w_max + 100 * mss);
	/* 20 s of epoch: W(20 - 9.086 + ~0.1) ~ 1000 + 0.4 * 11^3 segments */
	CHECK_MSG(fabs(cc.cwnd - w_cubic(w_max, cu.k_ms / 1000.0, 20.0,
		mss)) < 0.05 * cc.cwnd, "cwnd %u", cc.cwnd);
	return 0;
}

/* The target is clamped to 1.5 cwnd: no more than +50 % per round. */
/* The target is W_cubic(t + RTT): where the curve will be an RTT later. */
static int
cubic_target_looks_one_rtt_ahead(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;
	double want;
	uint32_t rtt;

	for (rtt = 250; rtt <= 1000; rtt += 250) {
		tcp_cc_init(&cc, &cu, MSS, 10);
		cc.cwnd = 100 * MSS;
		tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 100 * MSS, MSS);
		/* one ACK at the start of the epoch (t = 0) */
		tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, 4242, rtt, 0);
		want = (w_cubic(100 * MSS, cu.k_ms / 1000.0, rtt / 1000.0,
			MSS) - 70 * MSS) * MSS / (70 * MSS);
		CHECK_MSG(fabs((double)cc.cwnd - 70 * MSS - want) <= 1.0,
			"rtt %u: +%u bytes, want %.1f", rtt,
			cc.cwnd - 70 * MSS, want);
	}
	return 0;
}

static int
cubic_target_clamped_to_1_5_cwnd(void)
{
	const uint32_t mss = 1000;
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 100000, w, i;

	tcp_cc_init(&cc, &cu, mss, 10);
	cc.cwnd = 10 * mss;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 10 * mss, mss);
	/* A 10 s RTT makes W(t + RTT) huge from the first ACK. */
	for (i = 0; i < 5; i++) {
		w = cc.cwnd;
		now = one_rtt(TCP_CC_CUBIC, &cc, &cu, mss, mss, now, 10000, 0);
		CHECK_MSG(cc.cwnd <= w + w / 2 + mss, "%u -> %u", w, cc.cwnd);
		CHECK(cc.cwnd > w + w / 3);
	}
	return 0;
}

static int
cubic_fast_convergence_lowers_w_max(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 1000;

	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 100 * MSS, MSS);
	CHECK_EQ(cu.w_max, 100 * MSS);
	CHECK_EQ(cu.w_last_max, 0);
	/* The next loss comes below that maximum: release bandwidth. */
	cc.cwnd = 90 * MSS;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 90 * MSS, MSS);
	CHECK_EQ(cu.w_last_max, 100 * MSS);
	CHECK_EQ(cu.w_max, 90 * MSS * 17 / 20);        /* (1 + 0.7) / 2 */
	CHECK_EQ(cu.cwnd_prior, 90 * MSS);
	CHECK_EQ(cc.cwnd, 63 * MSS);
	/* K follows the lowered w_max: cbrt((76.5 - 63) / 0.4) = 3.23 s */
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, 50, 0);
	CHECK_MSG(fabs(cu.k_ms - 1000 * cbrt(13.5 / 0.4)) <= 1, "k_ms %u",
		cu.k_ms);
	CHECK_EQ(cu.origin, 90 * MSS * 17 / 20);
	/* A loss above the last maximum: no lowering. */
	cc.cwnd = 120 * MSS;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 120 * MSS, MSS);
	CHECK_EQ(cu.w_max, 120 * MSS);
	CHECK_EQ(cu.w_last_max, 90 * MSS * 17 / 20);
	/* An epoch above w_max starts convex from cwnd (K = 0). */
	cc.cwnd = cc.ssthresh = 130 * MSS;
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, 50, 0);
	CHECK_EQ(cu.k_ms, 0);
	CHECK_EQ(cu.origin, 130 * MSS);
	return 0;
}

/*
 * At a small RTT * bandwidth the cubic curve is too slow in wall-clock
 * time and the Reno-friendly estimate drives: alpha_cubic = 0.53 segments
 * per RTT up to cwnd_prior, then 1 (RFC 9438 §4.3).
 */
static int
cubic_reno_friendly_region_at_small_bdp(void)
{
	const uint32_t rtt = 1;
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 50000, epoch, i;
	double k, t, cub;
	int per;

	for (per = 1; per <= 2; per++) {
		tcp_cc_init(&cc, &cu, MSS, 10);
		cc.cwnd = 20 * MSS;
		tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 20 * MSS, MSS);
		CHECK_EQ(cc.cwnd, 14 * MSS);
		epoch = now;
		for (i = 0; i < 10; i++)
			now = one_rtt(TCP_CC_CUBIC, &cc, &cu, MSS, per * MSS,
				now, rtt, 0);
		/* 10 RTTs: 14 + 10 * 0.529 = 19.3 segments */
		CHECK_MSG(fabs(cc.cwnd / (double)MSS - 19.3) < 0.6,
			"per %d: %.2f segments", per, cc.cwnd / (double)MSS);
		for (; i < 100; i++)
			now = one_rtt(TCP_CC_CUBIC, &cc, &cu, MSS, per * MSS,
				now, rtt, 0);
		/* prior (20) reached after 11.3 RTTs; then 1 per RTT */
		CHECK_MSG(fabs(cc.cwnd / (double)MSS - 108.7) < 3,
			"per %d: %.2f segments", per, cc.cwnd / (double)MSS);
		k = cu.k_ms / 1000.0;
		t = (now - epoch) / 1000.0;
		cub = w_cubic(20 * MSS, k, t + rtt / 1000.0, MSS);
		CHECK(cub < 15 * MSS);          /* the curve barely moved */
		CHECK_EQ(cc.cwnd, cu.w_est);
	}
	return 0;
}

/* ACKs after a long silence do not jump the window to a time estimate. */
static int
cubic_no_jump_after_idle(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 1000, w;

	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = 20 * MSS;
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, 20 * MSS, MSS);
	now = one_rtt(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, 1, 0);
	w = cc.cwnd;
	now += 60000;   /* a minute idle with a 1 ms RTT */
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, 1, 0);
	/* the cubic term is clamped to +50 % per round, so per ACK to
	 * half of what it acknowledges; W_est takes a segment at most */
	CHECK_MSG(cc.cwnd <= w + MSS, "%u -> %u", w, cc.cwnd);
	return 0;
}

/* RFC 9438 §4.8: the first epoch after a time-out has K = 0, W_max = cwnd. */
static int
cubic_after_rto_k_0(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 1000, i;

	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = 100 * MSS;
	tcp_cc_rto(TCP_CC_CUBIC, &cc, &cu, 100 * MSS, MSS, true);
	CHECK_EQ(cc.ssthresh, 70 * MSS);
	/* slow start back to ssthresh */
	for (i = 0; i < 1000 && cc.cwnd < cc.ssthresh; i++)
		tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now++, 10, 0);
	CHECK(cc.cwnd >= cc.ssthresh);
	CHECK_EQ(cu.epoch_ms, 0);
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, 10, 0);
	CHECK(cu.epoch_ms != 0);
	CHECK_EQ(cu.k_ms, 0);
	CHECK(cu.origin >= 70 * MSS && cu.origin <= cc.cwnd);
	CHECK_EQ(cu.w_max, 100 * MSS);  /* kept for fast convergence */
	/* and a loss (not a time-out) restores the normal K */
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, cc.cwnd, MSS);
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, MSS, MSS, now, 10, 0);
	CHECK(cu.k_ms > 0);
	return 0;
}

static int
cwnd_limit_honoured(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 1000, i, limit = 30 * MSS + 7;
	int algo;

	for (algo = 0; algo < 2; algo++) {
		tcp_cc_init(&cc, &cu, MSS, 10);
		for (i = 0; i < 10; i++) {
			now = one_rtt(algo ? TCP_CC_CUBIC : TCP_CC_NEWRENO,
				&cc, &cu, MSS, MSS, now, 20, limit);
			CHECK(cc.cwnd <= limit);
		}
		CHECK_EQ(cc.cwnd, limit);
		tcp_cc_loss(algo ? TCP_CC_CUBIC : TCP_CC_NEWRENO, &cc, &cu,
			cc.cwnd, MSS);
		for (i = 0; i < 300; i++) {
			now = one_rtt(algo ? TCP_CC_CUBIC : TCP_CC_NEWRENO,
				&cc, &cu, MSS, MSS, now, 20, limit);
			CHECK(cc.cwnd <= limit);
		}
		CHECK_EQ(cc.cwnd, limit);
		/* a smaller limit (the buffer shrank) pulls cwnd down */
		tcp_cc_ack(TCP_CC_NEWRENO, &cc, &cu, MSS, MSS, now, 20,
			10 * MSS);
		CHECK_EQ(cc.cwnd, 10 * MSS);
		/* 0: no limit */
		tcp_cc_ack(TCP_CC_NEWRENO, &cc, &cu, MSS, MSS, now, 20, 0);
		CHECK(cc.cwnd > 10 * MSS);
	}
	return 0;
}

static int
windows_near_uint32_max_saturate(void)
{
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint32_t now = 1000, i;

	tcp_cc_init(&cc, &cu, MSS, 10);
	cc.cwnd = UINT32_MAX - 100;
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, &cu, 2 * MSS, MSS, now, 10, 0);
	CHECK_EQ(cc.cwnd, UINT32_MAX);          /* slow start */
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, &cu, 2 * MSS, MSS, now, 10, 0);
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	cc.ssthresh = UINT32_MAX - 10;          /* congestion avoidance */
	cc.cwnd = UINT32_MAX - 1;
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, &cu, UINT32_MAX, UINT32_MAX, now,
		10, 0);
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	/* CUBIC: 1.5 * cwnd does not fit; a loss up there, then growth */
	tcp_cc_loss(TCP_CC_CUBIC, &cc, &cu, UINT32_MAX, MSS);
	for (i = 0; i < 100; i++) {
		uint32_t w = cc.cwnd;

		tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, UINT32_MAX / 4, MSS,
			now + i * 1000000, 100, 0);
		CHECK(cc.cwnd >= w);
	}
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	/* Huge mss with a tiny window. */
	cc.cwnd = 1;
	cc.ssthresh = 0;
	tcp_cc_ack(TCP_CC_CUBIC, &cc, &cu, UINT32_MAX, UINT32_MAX, now, 0, 0);
	CHECK(cc.cwnd >= 1);
	tcp_cc_ack(TCP_CC_NEWRENO, &cc, &cu, UINT32_MAX, UINT32_MAX, now, 0,
		0);
	CHECK_EQ(cc.cwnd, UINT32_MAX);
	return 0;
}

/* RFC 6298 §2 in real numbers, as the reference. */
struct rto_ref {
	double srtt, rttvar;
	bool have;
};

static double
rto_ref_sample(struct rto_ref *r, double rtt)
{
	if (!r->have) {
		r->srtt = rtt;
		r->rttvar = rtt / 2;
		r->have = true;
	} else {
		r->rttvar = 0.75 * r->rttvar + 0.25 * fabs(r->srtt - rtt);
		r->srtt = 0.875 * r->srtt + 0.125 * rtt;
	}
	return r->srtt + fmax(1.0, 4 * r->rttvar);
}

static int
rto_estimator_rfc6298(void)
{
	struct rto_ref ref = { 0 };
	uint32_t srtt8 = 0, rttvar4 = 0, rto, i;
	uint64_t seed = 0x6298;
	double want;

	/* Before any sample: the initial RTO (RFC 6298 (2.1): 1 s). */
	CHECK_EQ(tcp_rto_of(0, 0, 1000, 200, 60000), 1000);
	CHECK_EQ(tcp_rto_of(0, 0, 100, 200, 60000), 200);
	CHECK_EQ(tcp_rto_of(0, 0, 90000, 200, 60000), 60000);

	/* First sample R = 100: SRTT 100, RTTVAR 50, RTO 100 + 4 * 50. */
	rto = tcp_rtt_estimate(&srtt8, &rttvar4, 100, 0, 60000);
	CHECK_EQ(rto, 300);
	CHECK_EQ(srtt8, 800);
	CHECK_EQ(rttvar4, 200);
	CHECK_EQ(tcp_rto_of(srtt8, rttvar4, 1000, 0, 60000), 300);
	/* RTO = SRTT + max(G, 4 * RTTVAR), G = 1 ms */
	CHECK_EQ(tcp_rto_of(800, 0, 1000, 0, 60000), 101);
	CHECK_EQ(tcp_rto_of(800, 1, 1000, 0, 60000), 101);
	CHECK_EQ(tcp_rto_of(800, 2, 1000, 0, 60000), 102);
	/* R = 200: RTTVAR 37.5 + 25 = 62.5, SRTT 87.5 + 25 = 112.5 */
	rto = tcp_rtt_estimate(&srtt8, &rttvar4, 200, 0, 60000);
	CHECK_EQ(srtt8, 900);
	CHECK_EQ(rttvar4, 250);
	CHECK_EQ(rto, 363);                     /* 112.5 + 250, rounded */
	/* R = 100: RTTVAR 46.875 + 3.125 = 50, SRTT 110.94 */
	rto = tcp_rtt_estimate(&srtt8, &rttvar4, 100, 0, 60000);
	CHECK_EQ(rttvar4, 200);
	CHECK_EQ(srtt8, 888);
	CHECK_EQ(rto, 311);

	/*
	 * A random series stays near the real-number reference: each sample
	 * rounds RTTVAR by half a unit (0.5 ms of RTO), the errors decaying
	 * by 3/4, so at most 2 ms; SRTT adds well under 1.
	 */
	srtt8 = rttvar4 = 0;
	for (i = 0; i < 10000; i++) {
		uint32_t r = 1 + (uint32_t)(ptcp_test_rand(&seed) % 500);

		rto = tcp_rtt_estimate(&srtt8, &rttvar4, r, 0, UINT32_MAX);
		want = rto_ref_sample(&ref, r);
		CHECK_MSG(fabs(rto - want) <= 3.0, "sample %u (R %u): rto %u, "
			"want %.2f", i, r, rto, want);
	}

	/* Clamps. */
	srtt8 = rttvar4 = 0;
	CHECK_EQ(tcp_rtt_estimate(&srtt8, &rttvar4, 1, 200, 60000), 200);
	CHECK_EQ(tcp_rto_of(srtt8, rttvar4, 1000, 200, 60000), 200);
	srtt8 = rttvar4 = 0;
	CHECK_EQ(tcp_rtt_estimate(&srtt8, &rttvar4, 100000, 200, 60000),
		60000);
	/* A 0 ms sample counts as 1 ms; SRTT stays a valid sample. */
	srtt8 = rttvar4 = 0;
	rto = tcp_rtt_estimate(&srtt8, &rttvar4, 0, 0, 60000);
	CHECK_EQ(srtt8, 8);
	CHECK_EQ(rttvar4, 2);
	CHECK_EQ(rto, 3);
	for (i = 0; i < 1000; i++)
		rto = tcp_rtt_estimate(&srtt8, &rttvar4, 0, 0, 60000);
	CHECK_EQ(srtt8, 8);
	/* SRTT 1 + max(G, 4 RTTVAR): the fixed point keeps RTTVAR at its
	 * last quarter-ms steps (< 1 ms), where the reals reach 2 */
	CHECK(rto >= 2 && rto <= 4);
	/* A steady path: RTTVAR decays, the G floor holds the margin. */
	srtt8 = rttvar4 = 0;
	for (i = 0; i < 1000; i++)
		rto = tcp_rtt_estimate(&srtt8, &rttvar4, 10, 0, 60000);
	CHECK(rto >= 11 && rto <= 13);
	/* Absurd samples neither wrap nor stop the estimator. */
	rto = tcp_rtt_estimate(&srtt8, &rttvar4, UINT32_MAX, 200, 60000);
	CHECK_EQ(rto, 60000);
	CHECK(srtt8 > 80);
	rto = tcp_rtt_estimate(&srtt8, &rttvar4, UINT32_MAX, 200, UINT32_MAX);
	CHECK(rto > 100000000);
	return 0;
}

/*
 * Random calls with random (often extreme) arguments, both algorithms:
 * no wrap, no sanitizer report, and the documented results of each call.
 */
static int
random_calls_keep_invariants(void)
{
	static const uint32_t edge[] = {
		0, 1, 2, 536, 1460, 9000, 65535, 1u << 20, 1u << 31,
		UINT32_MAX - 1, UINT32_MAX,
	};
	struct tcp_cubic cu;
	struct tcp_cc cc;
	uint64_t seed = 0xcc;
	uint32_t i, now = 0, mss, a, lim, w, ss;
	enum tcp_cc_algo algo;

#define RND() ((uint32_t)ptcp_test_rand(&seed))
#define ANY() (RND() % 2 ? edge[RND() % (sizeof(edge) / sizeof(edge[0]))] \
		: RND() % 3 ? RND() % 200000 : RND())
	tcp_cc_init(&cc, &cu, 1460, 10);
	for (i = 0; i < 1000000; i++) {
		algo = RND() % 2 ? TCP_CC_CUBIC : TCP_CC_NEWRENO;
		mss = RND() % 4 ? 1 + RND() % 9000 : ANY();
		now += RND() % 4 ? RND() % 50 : RND();
		w = cc.cwnd;
		ss = cc.ssthresh;
		switch (RND() % 16) {
		case 0:
			tcp_cc_loss(algo, &cc, RND() % 4 ? &cu : NULL, ANY(),
				mss);
			CHECK_EQ(cc.cwnd, cc.ssthresh);
			CHECK(cc.ssthresh >= 2 * (uint64_t)mss ||
				cc.ssthresh == UINT32_MAX);
			break;
		case 1:
			a = RND() % 2;
			tcp_cc_rto(algo, &cc, &cu, ANY(), mss, a);
			CHECK_EQ(cc.cwnd, mss ? mss : 1);
			if (!a)
				CHECK_EQ(cc.ssthresh, ss);
			break;
		case 2:
			a = ANY();
			tcp_cc_recovery_end(&cc, a, mss);
			CHECK(cc.cwnd <= cc.ssthresh);
			break;
		case 3:
			tcp_cc_init(&cc, &cu, mss, RND() % 3 ? 10 : RND() % 50);
			CHECK(cc.cwnd >= 1);
			break;
		default:
			a = ANY();
			lim = RND() % 4 ? 0 : ANY();
			tcp_cc_ack(algo, &cc, RND() % 8 ? &cu : NULL, a, mss,
				now, RND() % 4 ? RND() % 500 : ANY(), lim);
			if (lim != 0)
				CHECK(cc.cwnd <= lim);
			if (a == 0)
				CHECK_EQ(cc.cwnd, lim && lim < w ? lim : w);
			else if (lim == 0 || w <= lim)
				CHECK(cc.cwnd >= w);    /* never shrinks */
			CHECK_EQ(cc.ssthresh, ss);
			break;
		}
	}
#undef ANY
#undef RND
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(initial_window_rfc6928),
	TEST(slow_start_abc_l2),
	TEST(newreno_ca_one_mss_per_rtt),
	TEST(loss_halves_or_beta_0_7_floor_2_mss),
	TEST(rto_one_mss_ssthresh_on_first_only),
	TEST(recovery_end_rfc6582_option_1),
	TEST(cubic_back_to_w_max_at_k),
	TEST(cubic_concave_then_convex),
	TEST(cubic_target_looks_one_rtt_ahead),
	TEST(cubic_target_clamped_to_1_5_cwnd),
	TEST(cubic_fast_convergence_lowers_w_max),
	TEST(cubic_reno_friendly_region_at_small_bdp),
	TEST(cubic_no_jump_after_idle),
	TEST(cubic_after_rto_k_0),
	TEST(cwnd_limit_honoured),
	TEST(windows_near_uint32_max_saturate),
	TEST(rto_estimator_rfc6298),
	TEST(random_calls_keep_invariants),
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
