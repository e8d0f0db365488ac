/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CHURN_HIST_H
#define CHURN_HIST_H

/**
 * @file
 * A log-bucketed latency histogram in the manner of HdrHistogram: fixed
 * memory, O(1) record, percentiles within 1 % of the exact value, and
 * histograms that merge (per-lcore ones into one) and subtract (a
 * cumulative one minus its copy of a second ago: the last second's).
 *
 * Values below HIST_SUB (64) have a bucket each. Above, each power of two
 * [2^m, 2^(m+1)) is split into HIST_SUB linear sub-buckets of width
 * 2^(m-6); a percentile is reported as the middle of its bucket (clamped
 * to the recorded min and max), so its relative error is at most
 * 1/128 < 1 %. (32 sub-buckets would give 1/64, 1.6 %.) Covers the whole
 * uint64_t range in HIST_BUCKETS counters (30 KiB).
 *
 * Written by one lcore. Another may read it (the counters only grow) for
 * an approximate view; exact figures need the writer stopped.
 */

#include <stdint.h>

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
/** Exact buckets 0..63, then 58 powers of two (2^6 .. 2^63) of 64 each. */
#define HIST_BUCKETS (HIST_SUB + (64 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;                 /**< UINT64_MAX when empty */
	uint64_t max;                 /**< 0 when empty */
	uint64_t b[HIST_BUCKETS];
};

/** Bucket of value @p v. */
static inline unsigned int
hist_bucket(uint64_t v)
{
	unsigned int m;

	if (v < HIST_SUB)
		return (unsigned int)v;
	m = 63u - (unsigned int)__builtin_clzll(v);      /* >= 6 */
	return HIST_SUB + (m - HIST_SUB_BITS) * HIST_SUB +
		(unsigned int)((v >> (m - HIST_SUB_BITS)) - HIST_SUB);
}

/** Record one value. */
static inline void
hist_record(struct hist *h, uint64_t v)
{
	h->b[hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/** Empty @p h. */
void hist_reset(struct hist *h);

/** Lowest value of bucket @p i. */
uint64_t hist_bucket_low(unsigned int i);

/** Width of bucket @p i (1 for the exact ones). */
uint64_t hist_bucket_width(unsigned int i);

/** @p dst += @p src. */
void hist_merge(struct hist *dst, const struct hist *src);

/**
 * @p out = @p now - @p before, where @p before is an earlier copy of the
 * same cumulative histogram. min and max of the difference are not known:
 * @p out gets @p now's, which only bounds the percentiles.
 */
void hist_diff(struct hist *out, const struct hist *now,
		const struct hist *before);

/**
 * The value at percentile @p p (0..100): the smallest recorded value v
 * such that at least p % of the values are <= v, within 1 %.
 * @return it, or 0 for an empty histogram
 */
uint64_t hist_percentile(const struct hist *h, double p);

/** Mean, or 0 when empty. */
double hist_mean(const struct hist *h);

#endif /* CHURN_HIST_H */
