/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_CC_H
#define TCP_CC_H

/*
 * Congestion control arithmetic and the RTO estimator, with no TCB, no
 * mbufs and no clock of their own (the caller passes "now" in ms): NewReno
 * (RFC 5681, RFC 6582) and CUBIC (RFC 9438). The TCB keeps struct tcp_cc;
 * CUBIC's epoch state (struct tcp_cubic) lives in the connection's
 * recovery block, so a connection without one (the pool ran out) is
 * governed by NewReno arithmetic: pass NULL. Windows are in bytes.
 * Internal to lib/tcp.
 */

#include <stdbool.h>
#include <stdint.h>

enum tcp_cc_algo {
	TCP_CC_NEWRENO = 0,
	TCP_CC_CUBIC,
};

/* Per connection, in the TCB. */
struct tcp_cc {
	uint32_t cwnd;        /* congestion window, bytes */
	uint32_t ssthresh;    /* slow start threshold, bytes */
};

/* CUBIC (RFC 9438 §4) per-connection state, in the recovery block. */
struct tcp_cubic {
	uint32_t w_max;       /* bytes: cwnd just before the last reduction */
	uint32_t w_last_max;  /* bytes: w_max before that (fast convergence) */
	uint32_t epoch_ms;    /* start of the current congestion avoidance
	                       * epoch; 0 = none started */
	uint32_t k_ms;        /* K of the epoch, ms */
	uint32_t origin;      /* bytes: W_max the curve is anchored on */
	uint32_t w_est;       /* bytes: the Reno-friendly estimate W_est */
	uint32_t cwnd_prior;  /* bytes: cwnd at the last reduction */
};

/*
 * Initial window (RFC 6928): min(@iw_segs * mss, max(2 * mss, 14600)) when
 * @iw_segs is 10 (the default); for other values simply @iw_segs * mss
 * (at least 1 mss). ssthresh starts "arbitrarily high" (UINT32_MAX).
 * Clears @cu if not NULL.
 */
void tcp_cc_init(struct tcp_cc *cc, struct tcp_cubic *cu, uint32_t mss,
		uint32_t iw_segs);

/*
 * @acked new bytes were cumulatively acknowledged, outside loss recovery.
 * Slow start (cwnd < ssthresh): cwnd += min(acked, 2 * mss) (RFC 3465,
 * L = 2). Congestion avoidance: NewReno adds about mss * mss / cwnd per
 * ACK (at least 1 byte), so about one mss per RTT; CUBIC (when @algo is
 * TCP_CC_CUBIC and @cu is not NULL) follows RFC 9438 §4.2-4.4: W_cubic(t)
 * with C = 0.4 and t = now - epoch, the target W_cubic(t + srtt) clamped
 * to [cwnd, 1.5 * cwnd], and the Reno-friendly W_est with
 * alpha = 3 * (1 - beta) / (1 + beta); cwnd becomes the larger. An epoch
 * starts on the first ACK in congestion avoidance after a reduction (or
 * ever). @srtt_ms may be 0 (no sample yet). cwnd never exceeds
 * @cwnd_limit (the caller passes e.g. the send buffer; 0 = no limit).
 */
void tcp_cc_ack(enum tcp_cc_algo algo, struct tcp_cc *cc,
		struct tcp_cubic *cu, uint32_t acked, uint32_t mss,
		uint32_t now_ms, uint32_t srtt_ms, uint32_t cwnd_limit);

/*
 * Loss detected by duplicate ACKs or SACK (entering fast recovery).
 * ssthresh = max(@flight * beta, 2 * mss) with beta 0.5 (NewReno) or 0.7
 * (CUBIC, with fast convergence per RFC 9438 §4.7: if cwnd < w_last_max,
 * w_max = cwnd * (1 + beta) / 2); cwnd = ssthresh. CUBIC ends its epoch.
 * The caller adds any NewReno inflation (RFC 6582: + 3 mss).
 */
void tcp_cc_loss(enum tcp_cc_algo algo, struct tcp_cc *cc,
		struct tcp_cubic *cu, uint32_t flight, uint32_t mss);

/*
 * Retransmission time-out (RFC 5681 §3.1 eq. 4, RFC 9438 §4.8):
 * ssthresh = max(@flight * beta, 2 * mss) -- taken only on the first time-out
 * of a series (@first true; later back-offs keep it) -- and cwnd = 1 mss
 * (the loss window). CUBIC records w_max as for a loss and ends its epoch.
 */
void tcp_cc_rto(enum tcp_cc_algo algo, struct tcp_cc *cc,
		struct tcp_cubic *cu, uint32_t flight, uint32_t mss, bool first);

/*
 * Recovery ended (the ACK covered the recovery point): cwnd =
 * min(ssthresh, max(@flight, mss) + mss) (RFC 6582 §3.2 step 3, option 1).
 */
void tcp_cc_recovery_end(struct tcp_cc *cc, uint32_t flight, uint32_t mss);

/*
 * RFC 6298 §2 estimator in ms with BSD's fixed point: *@srtt8 is SRTT << 3,
 * *@rttvar4 is RTTVAR << 2; *@srtt8 == 0 means no sample yet (the first
 * sample sets SRTT = R, RTTVAR = R / 2). A sample of 0 counts as 1 ms.
 * @return the new RTO = SRTT + max(1 ms, 4 * RTTVAR), clamped to
 * [@min_ms, @max_ms].
 */
uint32_t tcp_rtt_estimate(uint32_t *srtt8, uint32_t *rttvar4, uint32_t rtt_ms,
		uint32_t min_ms, uint32_t max_ms);

/* The RTO implied by the estimator now (@init_ms before any sample). */
uint32_t tcp_rto_of(uint32_t srtt8, uint32_t rttvar4, uint32_t init_ms,
		uint32_t min_ms, uint32_t max_ms);

#endif /* TCP_CC_H */
