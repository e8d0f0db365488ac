/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The latency histogram (hist.h): bucket arithmetic, merge, difference and
 * percentile queries. Recording is inline in the header.
 */
#include <math.h>
#include <string.h>

#include "hist.h"

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t
hist_bucket_low(unsigned int i)
{
	unsigned int m;

	if (i < HIST_SUB)
		return i;
	m = (i - HIST_SUB) / HIST_SUB + HIST_SUB_BITS;
	return (uint64_t)(HIST_SUB + (i - HIST_SUB) % HIST_SUB) <<
		(m - HIST_SUB_BITS);
}

uint64_t
hist_bucket_width(unsigned int i)
{
	if (i < HIST_SUB)
		return 1;
	return 1ull << ((i - HIST_SUB) / HIST_SUB);
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	if (src->count == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

void
hist_diff(struct hist *out, const struct hist *now, const struct hist *before)
{
	unsigned int i;

	for (i = 0; i < HIST_BUCKETS; i++)
		out->b[i] = now->b[i] - before->b[i];
	out->count = now->count - before->count;
	out->sum = now->sum - before->sum;
	out->min = now->min;
	out->max = now->max;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_BUCKETS)
		return h->max;
	v = hist_bucket_low(i) + hist_bucket_width(i) / 2;
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

double
hist_mean(const struct hist *h)
{
	return h->count == 0 ? 0.0 : (double)h->sum / (double)h->count;
}
