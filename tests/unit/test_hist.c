/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit: ptcp-churn's latency histogram (app/churn/hist.c): percentiles
 * against sorting the same sample, the relative error bound over the whole
 * uint64_t range, merge and difference, the empty histogram, the largest
 * value. Pure C, no DPDK.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "ptcp_test.h"

#define N 200000

static struct hist H, H2, H3;
static uint64_t sample[N];

/* xorshift64*: a fixed, repeatable sequence. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Within 1 % of @exact (and exact below 64, where buckets are exact). */
static int
close_enough(uint64_t got, uint64_t exact)
{
	double d = fabs((double)got - (double)exact);

	return d <= (double)exact / 100.0;
}

/* The p-th percentile of sorted @s: the smallest value with >= p % at or below. */
static uint64_t
exact_pct(const uint64_t *s, unsigned int n, double p)
{
	uint64_t rank = (uint64_t)ceil(p / 100.0 * n);

	if (rank == 0)
		rank = 1;
	return s[rank - 1];
}

static int
percentiles_match_sorting_within_one_percent(void)
{
	static const double pct[] = { 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9,
		99.99, 100 };
	uint64_t seed = 42, v, got, want;
	unsigned int i, k, shape;

	for (shape = 0; shape < 3; shape++) {
		hist_reset(&H);
		for (i = 0; i < N; i++) {
			v = rnd(&seed);
			if (shape == 0)         /* log-uniform, 1 .. 2^40 */
				v = (v >> 24) >> (v % 40);
			else if (shape == 1)    /* latency-like: 5..50 us in ns */
				v = 5000 + v % 45000;
			else                    /* small, exact buckets */
				v = v % 100;
			sample[i] = v;
			hist_record(&H, v);
		}
		qsort(sample, N, sizeof(sample[0]), cmp_u64);
		CHECK_EQ(H.count, N);
		CHECK_EQ(H.min, sample[0]);
		CHECK_EQ(H.max, sample[N - 1]);
		for (k = 0; k < sizeof(pct) / sizeof(pct[0]); k++) {
			got = hist_percentile(&H, pct[k]);
			want = exact_pct(sample, N, pct[k]);
			CHECK_MSG(close_enough(got, want), "shape %u p%g: %"
				PRIu64 " vs sorted %" PRIu64, shape, pct[k],
				got, want);
		}
		CHECK_EQ(hist_percentile(&H, 0), sample[0]);
		CHECK_EQ(hist_percentile(&H, 100), sample[N - 1]);
	}
	return 0;
}

/* Every value's bucket holds it, and the bucket's middle is within 1/128. */
static int
relative_error_is_bounded_over_the_whole_range(void)
{
	uint64_t seed = 7, v, low, w, mid;
	unsigned int i, b, prev = 0, m;

	for (i = 0; i < 2000000; i++) {
		if (i < 128)
			v = i;
		else if (i < 128 + 64 * 3) {    /* powers of two, +-1 */
			m = (i - 128) / 3;
			v = (1ull << m) + (i % 3) - 1;
		} else {
			v = rnd(&seed) >> (rnd(&seed) % 64);
		}
		b = hist_bucket(v);
		CHECK(b < HIST_BUCKETS);
		low = hist_bucket_low(b);
		w = hist_bucket_width(b);
		CHECK_MSG(v >= low && v - low < w, "%" PRIu64 " not in bucket "
			"%u [%" PRIu64 ", +%" PRIu64 ")", v, b, low, w);
		mid = low + w / 2;
		CHECK_MSG(fabs((double)mid - (double)v) <= (double)v / 128.0,
			"%" PRIu64 ": middle %" PRIu64, v, mid);
	}
	/* buckets are in value order, contiguous and cover everything */
	for (b = 1; b < HIST_BUCKETS; b++) {
		CHECK_EQ(hist_bucket_low(b), hist_bucket_low(b - 1) +
			hist_bucket_width(b - 1));
		CHECK_EQ(hist_bucket(hist_bucket_low(b)), b);
		prev = b;
	}
	CHECK_EQ(prev, HIST_BUCKETS - 1);
	CHECK_EQ(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
	return 0;
}

static int
merge_equals_one_histogram_of_everything(void)
{
	uint64_t seed = 9, v;
	unsigned int i;

	hist_reset(&H);
	hist_reset(&H2);
	hist_reset(&H3);
	for (i = 0; i < N; i++) {
		v = rnd(&seed) >> (rnd(&seed) % 50);
		hist_record(i % 3 ? &H : &H2, v);
		hist_record(&H3, v);
	}
	hist_merge(&H, &H2);
	CHECK_EQ(H.count, H3.count);
	CHECK_EQ(H.sum, H3.sum);
	CHECK_EQ(H.min, H3.min);
	CHECK_EQ(H.max, H3.max);
	CHECK(memcmp(H.b, H3.b, sizeof(H.b)) == 0);
	/* merging an empty one changes nothing (min stays) */
	hist_reset(&H2);
	hist_merge(&H, &H2);
	CHECK_EQ(H.min, H3.min);
	CHECK_EQ(H.count, H3.count);
	return 0;
}

/* A cumulative histogram minus its earlier copy: the values in between. */
static int
diff_gives_the_values_since_the_copy(void)
{
	unsigned int i;

	hist_reset(&H);
	for (i = 0; i < 1000; i++)
		hist_record(&H, 100000);        /* the first second: 100 us */
	H2 = H;
	for (i = 0; i < 1000; i++)
		hist_record(&H, 1000 + i);      /* the next: about 1..2 us */
	hist_diff(&H3, &H, &H2);
	CHECK_EQ(H3.count, 1000);
	CHECK(close_enough(hist_percentile(&H3, 50), 1499));
	CHECK(close_enough(hist_percentile(&H3, 99), 1989));
	CHECK(close_enough(hist_percentile(&H, 99), 100000));
	return 0;
}

static int
empty_histogram_answers_zero(void)
{
	hist_reset(&H);
	CHECK_EQ(H.count, 0);
	CHECK_EQ(hist_percentile(&H, 50), 0);
	CHECK_EQ(hist_percentile(&H, 0), 0);
	CHECK_EQ(hist_percentile(&H, 100), 0);
	CHECK(hist_mean(&H) == 0.0);
	hist_diff(&H3, &H, &H);
	CHECK_EQ(hist_percentile(&H3, 99), 0);
	return 0;
}

static int
largest_value_is_kept_exactly(void)
{
	hist_reset(&H);
	hist_record(&H, UINT64_MAX);
	CHECK_EQ(H.b[HIST_BUCKETS - 1], 1);
	CHECK_EQ(hist_percentile(&H, 50), UINT64_MAX);
	CHECK_EQ(hist_percentile(&H, 100), UINT64_MAX);
	hist_record(&H, 0);
	CHECK_EQ(hist_percentile(&H, 50), 0);
	CHECK_EQ(hist_percentile(&H, 100), UINT64_MAX);
	CHECK_EQ(H.min, 0);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(percentiles_match_sorting_within_one_percent),
	TEST(relative_error_is_bounded_over_the_whole_range),
	TEST(merge_equals_one_histogram_of_everything),
	TEST(diff_gives_the_values_since_the_copy),
	TEST(empty_histogram_answers_zero),
	TEST(largest_value_is_kept_exactly),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
