/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control arithmetic (NewReno: RFC 5681, RFC 6582, RFC 3465;
 * CUBIC: RFC 9438) and the RFC 6298 RTO estimator. Nothing here owns a
 * clock, a TCB or memory: the caller passes the state and "now".
 *
 * Every window is computed in 64 bits and saturated to UINT32_MAX on the
 * way back: ssthresh starts at UINT32_MAX and a window may sit near it, so
 * "cwnd + increment" or "1.5 * cwnd" must not wrap.
 */

#include <math.h>
#include <stddef.h>

#include "tcp_cc.h"

#define NEWRENO_BETA_NUM   1    /* beta = 1/2 (RFC 5681 eq. 4) */
#define NEWRENO_BETA_DEN   2
#define CUBIC_BETA_NUM     7    /* beta_cubic = 0.7 (RFC 9438 §4.6) */
#define CUBIC_BETA_DEN     10
#define CUBIC_C            0.4  /* segments / s^3 (RFC 9438 §5.1) */
#define CUBIC_BETA         0.7
/* alpha_cubic = 3 * (1 - beta) / (1 + beta) (RFC 9438 §4.3) */
#define CUBIC_ALPHA        (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA))
#define ABC_L              2    /* RFC 3465 limit, segments per ACK */

/*
 * While no epoch runs (epoch_ms == 0), k_ms == CUBIC_AFTER_RTO says the
 * last reduction was a time-out: RFC 9438 §4.8 then starts the next epoch
 * with K = 0 and the curve anchored on the cwnd of that moment.
 */
#define CUBIC_AFTER_RTO    UINT32_MAX

/* The longest RTT sample taken, so that SRTT << 3 fits in 32 bits. */
#define RTT_MAX_MS         (UINT32_C(1) << 28)

static inline uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static inline uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t
max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static inline bool
use_cubic(enum tcp_cc_algo algo, const struct tcp_cubic *cu)
{
	return algo == TCP_CC_CUBIC && cu != NULL;
}

void
tcp_cc_init(struct tcp_cc *cc, struct tcp_cubic *cu, uint32_t mss,
		uint32_t iw_segs)
{
	uint64_t iw;

	if (iw_segs == 10)
		iw = min64(10 * (uint64_t)mss, max64(2 * (uint64_t)mss, 14600));
	else
		iw = (uint64_t)(iw_segs ? iw_segs : 1) * mss;
	cc->cwnd = iw ? sat32(iw) : 1;  /* mss 0: a caller's bug, not a hang */
	cc->ssthresh = UINT32_MAX;
	if (cu != NULL)
		*cu = (struct tcp_cubic){ 0 };
}

/* ssthresh after a reduction: max(flight * beta, 2 * mss). */
static uint32_t
reduced(bool cubic, uint32_t flight, uint32_t mss)
{
	uint64_t w;

	if (cubic)
		w = (uint64_t)flight * CUBIC_BETA_NUM / CUBIC_BETA_DEN;
	else
		w = (uint64_t)flight * NEWRENO_BETA_NUM / NEWRENO_BETA_DEN;
	return sat32(max64(w, 2 * (uint64_t)mss));
}

/*
 * Congestion avoidance, NewReno: RFC 5681 eq. 3 adds mss * mss / cwnd per
 * ACK of one segment. Scaling by the bytes acknowledged (RFC 3465 byte
 * counting, capped at one window) gives the same one mss per RTT whether
 * the peer ACKs every segment or every second one. Rounded to the nearest
 * byte, as nothing carries the fraction.
 */
static uint64_t
reno_ca(uint64_t cwnd, uint32_t acked, uint32_t mss)
{
	uint64_t w = cwnd ? cwnd : 1;
	uint64_t inc = ((uint64_t)mss * min64(acked, w) + w / 2) / w;

	return cwnd + (inc ? inc : 1);
}

/*
 * The Reno-friendly estimate W_est (RFC 9438 §4.3), in bytes: per ACK,
 * alpha * segments_acked / cwnd segments, alpha becoming 1 once W_est
 * reaches cwnd_prior. In whole bytes that increment is below 1 once cwnd
 * exceeds about alpha * mss^2 (some 770 segments of 1460 bytes) and
 * nothing carries the fraction, so it is rounded up instead, and capped by
 * what it integrates to under ACK clocking (one window per RTT, the
 * RFC 8312 §4.2 form): W_est(t) = W_est(0) + alpha * mss * t / RTT, W_est(0)
 * being the start of the curve, W_cubic(0). The per-ACK step keeps an ACK
 * after an idle period from jumping; the cap keeps the rounding honest.
 * Without an RTT sample the increment is simply truncated.
 */
static uint64_t
cubic_w_est(const struct tcp_cubic *cu, uint64_t cwnd, uint32_t acked,
		uint32_t mss, uint32_t t_ms, uint32_t srtt_ms, double k_s)
{
	double seg = mss, d, cap, w0, rtts, r1, alpha;

	alpha = cu->w_est >= cu->cwnd_prior ? 1.0 : CUBIC_ALPHA;
	d = alpha * seg * acked / (double)(cwnd ? cwnd : 1);
	if (d > (double)UINT32_MAX)
		d = (double)UINT32_MAX;
	if (srtt_ms == 0)
		return min64((uint64_t)cu->w_est + (uint64_t)d, UINT32_MAX);

	w0 = cu->origin - CUBIC_C * k_s * k_s * k_s * seg;
	if (w0 < 0)
		w0 = 0;
	rtts = (double)t_ms / srtt_ms;
	if (w0 < cu->cwnd_prior) {
		/* RTTs for alpha_cubic to carry W_est to cwnd_prior */
		r1 = (cu->cwnd_prior - w0) / (CUBIC_ALPHA * seg);
		if (rtts <= r1)
			cap = w0 + CUBIC_ALPHA * seg * rtts;
		else
			cap = cu->cwnd_prior + seg * (rtts - r1);
	} else {
		cap = w0 + seg * rtts;
	}
	d = ceil(d);
	if (cu->w_est + d > cap)
		d = cap > cu->w_est ? cap - cu->w_est : 0;
	return min64((uint64_t)cu->w_est + (uint64_t)d, UINT32_MAX);
}

/* Congestion avoidance, CUBIC (RFC 9438 §4.2-4.5). */
static uint64_t
cubic_ca(struct tcp_cubic *cu, uint64_t cwnd, uint32_t acked, uint32_t mss,
		uint32_t now_ms, uint32_t srtt_ms)
{
	double seg = mss, k_s, t_s, dt, target, inc;
	uint32_t elapsed;
	uint64_t next;

	if (cu->epoch_ms == 0) {
		/* 0 means "no epoch": a clock reading 0 starts at 1 ms. */
		cu->epoch_ms = now_ms ? now_ms : 1;
		cu->w_est = sat32(cwnd);
		if (cu->k_ms == CUBIC_AFTER_RTO || cwnd >= cu->w_max) {
			/* §4.8 after a time-out, or above the old maximum:
			 * convex growth from here. */
			cu->origin = sat32(cwnd);
			cu->k_ms = 0;
		} else {
			/* §4.2 eq. 2: K = cbrt((W_max - cwnd_epoch) / C) */
			cu->origin = cu->w_max;
			k_s = cbrt((double)(cu->w_max - cwnd) / seg / CUBIC_C);
			cu->k_ms = (uint32_t)(k_s * 1000.0 + 0.5);
		}
	}
	elapsed = now_ms - cu->epoch_ms;
	if ((int32_t)elapsed < 0)
		elapsed = 0;
	k_s = cu->k_ms / 1000.0;

	/* §4.4/4.5: target = W_cubic(t + RTT), in [cwnd, 1.5 * cwnd] */
	t_s = ((double)elapsed + srtt_ms) / 1000.0;
	dt = t_s - k_s;
	target = cu->origin + CUBIC_C * dt * dt * dt * seg;
	if (target < (double)cwnd)
		target = (double)cwnd;
	else if (target > 1.5 * (double)cwnd)
		target = 1.5 * (double)cwnd;
	/* (target - cwnd) / cwnd segments per segment acknowledged */
	inc = (target - (double)cwnd) * acked / (double)(cwnd ? cwnd : 1);
	next = cwnd + (uint64_t)inc;

	/* §4.3: the Reno-friendly region, where W_est is the larger */
	cu->w_est = sat32(cubic_w_est(cu, cwnd, acked, mss, elapsed, srtt_ms,
		k_s));
	return max64(next, cu->w_est);
}

void
tcp_cc_ack(enum tcp_cc_algo algo, struct tcp_cc *cc, struct tcp_cubic *cu,
		uint32_t acked, uint32_t mss, uint32_t now_ms, uint32_t srtt_ms,
		uint32_t cwnd_limit)
{
	uint64_t cwnd = cc->cwnd, next;

	if (mss == 0)           /* a caller's bug: no division by it */
		mss = 1;
	if (acked == 0)
		next = cwnd;
	else if (cwnd < cc->ssthresh)
		next = cwnd + min64(acked, ABC_L * (uint64_t)mss);
	else if (use_cubic(algo, cu))
		next = cubic_ca(cu, cwnd, acked, mss, now_ms, srtt_ms);
	else
		next = reno_ca(cwnd, acked, mss);
	if (cwnd_limit != 0 && next > cwnd_limit)
		next = cwnd_limit;
	cc->cwnd = sat32(next);
}

/*
 * A reduction of CUBIC's window (RFC 9438 §4.6, §4.7): remember where it
 * happened, lowered by fast convergence when this maximum is below the
 * previous one (another flow is taking bandwidth), and end the epoch.
 */
static void
cubic_reduce(struct tcp_cubic *cu, uint32_t cwnd)
{
	cu->w_last_max = cu->w_max;
	if (cwnd < cu->w_last_max)
		cu->w_max = (uint32_t)((uint64_t)cwnd *
			(CUBIC_BETA_DEN + CUBIC_BETA_NUM) / (2 * CUBIC_BETA_DEN));
	else
		cu->w_max = cwnd;
	cu->cwnd_prior = cwnd;
	cu->epoch_ms = 0;
	cu->k_ms = 0;
}

void
tcp_cc_loss(enum tcp_cc_algo algo, struct tcp_cc *cc, struct tcp_cubic *cu,
		uint32_t flight, uint32_t mss)
{
	bool cubic = use_cubic(algo, cu);

	cc->ssthresh = reduced(cubic, flight, mss);
	if (cubic)
		cubic_reduce(cu, cc->cwnd);
	cc->cwnd = cc->ssthresh;
}

void
tcp_cc_rto(enum tcp_cc_algo algo, struct tcp_cc *cc, struct tcp_cubic *cu,
		uint32_t flight, uint32_t mss, bool first)
{
	bool cubic = use_cubic(algo, cu);

	/*
	 * Later back-offs of the same series find cwnd at one segment and
	 * flight at what the first one left: only the first reduction says
	 * anything about the path.
	 */
	if (first) {
		cc->ssthresh = reduced(cubic, flight, mss);
		if (cubic)
			cubic_reduce(cu, cc->cwnd);
	}
	if (cubic) {
		cu->epoch_ms = 0;
		cu->k_ms = CUBIC_AFTER_RTO;
	}
	cc->cwnd = mss ? mss : 1;
}

void
tcp_cc_recovery_end(struct tcp_cc *cc, uint32_t flight, uint32_t mss)
{
	uint64_t w = max64(flight, mss) + (uint64_t)mss;

	cc->cwnd = sat32(min64(cc->ssthresh, w));
}

/* RTO = SRTT + max(G, 4 * RTTVAR) with G = 1 ms; 4 * RTTVAR is rttvar4. */
static uint32_t
rto_clamp(uint64_t rto, uint32_t min_ms, uint32_t max_ms)
{
	if (rto < min_ms)
		rto = min_ms;
	if (rto > max_ms)
		rto = max_ms;
	return (uint32_t)rto;
}

uint32_t
tcp_rtt_estimate(uint32_t *srtt8, uint32_t *rttvar4, uint32_t rtt_ms,
		uint32_t min_ms, uint32_t max_ms)
{
	uint32_t r = rtt_ms ? rtt_ms : 1;
	uint32_t err8;

	if (r > RTT_MAX_MS)
		r = RTT_MAX_MS;
	if (*srtt8 == 0) {
		/* RFC 6298 (2.2): SRTT = R, RTTVAR = R / 2 */
		*srtt8 = r << 3;
		*rttvar4 = r << 1;
	} else {
		/*
		 * (2.3), RTTVAR first with the old SRTT:
		 * RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R,
		 * each rounded once to the nearest unit of its fixed point
		 * (truncating would bias RTTVAR by up to 4 units, 1 ms, low)
		 */
		err8 = (r << 3) > *srtt8 ? (r << 3) - *srtt8 :
			*srtt8 - (r << 3);
		*rttvar4 = (uint32_t)((6 * (uint64_t)*rttvar4 + err8 + 4) >> 3);
		*srtt8 = (uint32_t)((7 * (uint64_t)*srtt8 + 4) >> 3) + r;
	}
	return tcp_rto_of(*srtt8, *rttvar4, 0, min_ms, max_ms);
}

uint32_t
tcp_rto_of(uint32_t srtt8, uint32_t rttvar4, uint32_t init_ms,
		uint32_t min_ms, uint32_t max_ms)
{
	if (srtt8 == 0)
		return rto_clamp(init_ms, min_ms, max_ms);
	return rto_clamp((uint64_t)((srtt8 + 4) >> 3) + (rttvar4 ? rttvar4 : 1),
		min_ms, max_ms);
}
