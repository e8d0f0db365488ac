/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * model: what to expect from N workers at 16 and 64 queues (issue 7),
 * from the real flow-to-worker function (ptcp_rss_hash() and a RETA filled
 * as lib/io/port.c fills it) over random tuples, and the per-connection and
 * per-frame costs measured in process with callgrind (callgrind.sh passes
 * them in; the defaults are docs/benchmarks.md's figures).
 *
 * 1. The hash: with ptcp_rss_key (0x6d5a repeated) Toeplitz depends on the
 *    tuple only through the XOR of its six 16-bit words; checked here, and
 *    how evenly those 65,536 values fill a RETA of 128 and 512 entries.
 * 2. RETA balance: max/mean connections per worker for C random tuples
 *    (random client address and port toward one server address and port),
 *    RETA of 128 and 512 entries, N = 2, 4, 16, 48, 64 workers.
 * 3. Software steering: the fraction of received frames steered when a
 *    port without RSS feeds 1 queue, or K queues by a hash that is not ours
 *    (the Microsoft RSS key, not symmetric, round-robin RETA of 128), to N
 *    workers; against (N-1)/N.
 * 4. Memory of the steering rings: N(N-1) rings of steer_ring entries.
 * 5. connect(): ports tried per connect with N workers (the gap to the next
 *    port that hashes to the worker, walking the range in order as
 *    ptcp_connect() does), and ptcp-churn's tuple space per source address.
 * 6. The combination: per-worker instructions per connection and the
 *    expected speed-up over one worker at N = 2, 16, 64, with hardware RSS,
 *    with K = N queues by a foreign hash, and with one queue.
 *
 * No EAL: ptcp_rss_hash() is rte_softrss(), inline.
 *
 * Usage: model [--conn-ir C] [--frames-in F] [--hash-ir H] [--enq-ir E]
 *        [--deq-ir D] [--rss-ir X] [--ring-poll-ir R] [--conns-per-pass B]
 *        [--steer-ring S] [--trials T]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "ptcp_io.h"
#include "ptcp_rss.h"

#define MAX_W 64

/* The key of Microsoft's RSS specification, the default of many NICs and
 * of DPDK's testpmd: a hash that is not ours (and not symmetric). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static const unsigned int workers_list[] = { 2, 4, 16, 48, 64 };

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* splitmix64: a fixed seed, so every run prints the same figures. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A port's RETA as port.c fills it: entry q -> worker q % N. */
static void
reta_fill(struct ptcp_port *p, unsigned int reta_size, unsigned int n)
{
	unsigned int q;

	memset(p, 0, sizeof(*p));
	p->reta_size = (uint16_t)reta_size;
	for (q = 0; q < reta_size; q++)
		p->reta[q] = (uint16_t)(q % n);
}

/* A random client (address, port >= 1024) toward server @srv:@sport,
 * network order as in the headers. */
static void
rnd_tuple(uint32_t srv, uint16_t srv_port, uint32_t *sa, uint32_t *da,
		uint16_t *sp, uint16_t *dp)
{
	uint64_t r = rnd();

	*sa = (uint32_t)r;
	*sp = rte_cpu_to_be_16((uint16_t)(1024 + (r >> 32) % 64512));
	*da = srv;
	*dp = srv_port;
}

static uint32_t
fold16(uint32_t sa, uint32_t da, uint16_t sp, uint16_t dp)
{
	sa = rte_be_to_cpu_32(sa);
	da = rte_be_to_cpu_32(da);
	return (sa >> 16) ^ (sa & 0xffff) ^ (da >> 16) ^ (da & 0xffff) ^
		rte_be_to_cpu_16(sp) ^ rte_be_to_cpu_16(dp);
}

static void
section_hash(void)
{
	static uint32_t per_idx[PTCP_RETA_MAX];
	const unsigned int sizes[] = { 128, 512 };
	unsigned int i, s, f, bad = 0, lo, hi;
	uint32_t sa, da, h;
	uint16_t sp, dp;

	printf("## 1. The hash\n\n");
	for (i = 0; i < 1000000; i++) {
		rnd_tuple((uint32_t)rnd(), (uint16_t)rnd(), &sa, &da, &sp, &dp);
		h = ptcp_rss_hash(sa, da, sp, dp);
		if (h != ptcp_rss_hash(0, 0, 0,
				rte_cpu_to_be_16((uint16_t)fold16(sa, da, sp,
					dp))))
			bad++;
		if (h != ptcp_rss_hash(da, sa, dp, sp))
			bad++;
	}
	printf("1,000,000 random tuples: hash(tuple) == hash(XOR of its six "
		"16-bit words) and == hash(reversed tuple): %s (%u exceptions)\n",
		bad == 0 ? "always" : "NOT always", bad);
	printf("so the hash takes at most 65,536 values. The 65,536 folds "
		"over the RETA index (hash & (size - 1)):\n\n");
	printf("| RETA entries | folds per entry: min | max |\n|---:|---:|---:|\n");
	for (s = 0; s < RTE_DIM(sizes); s++) {
		memset(per_idx, 0, sizeof(per_idx));
		for (f = 0; f < 65536; f++)
			per_idx[ptcp_rss_hash(0, 0, 0,
				rte_cpu_to_be_16((uint16_t)f)) &
				(sizes[s] - 1)]++;
		lo = UINT32_MAX;
		hi = 0;
		for (i = 0; i < sizes[s]; i++) {
			lo = RTE_MIN(lo, per_idx[i]);
			hi = RTE_MAX(hi, per_idx[i]);
		}
		printf("| %u | %u | %u |\n", sizes[s], lo, hi);
	}
	printf("\n");
}

/* max/mean of @c connections over @n workers: by our hash and @port's
 * RETA, or (@port NULL) each to a uniformly random worker. */
static double
max_over_mean(const struct ptcp_port *port, unsigned int n, unsigned int c)
{
	static uint32_t load[MAX_W];
	uint32_t srv = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	uint16_t srv_port = rte_cpu_to_be_16(80);
	unsigned int i, mx = 0;
	uint32_t sa, da;
	uint16_t sp, dp;

	memset(load, 0, sizeof(load));
	for (i = 0; i < c; i++) {
		if (port == NULL) {
			load[rnd() % n]++;
			continue;
		}
		rnd_tuple(srv, srv_port, &sa, &da, &sp, &dp);
		load[ptcp_port_owner(port, ptcp_rss_hash(sa, da, sp, dp))]++;
	}
	for (i = 0; i < n; i++)
		mx = RTE_MAX(mx, load[i]);
	return (double)mx * n / c;
}

static void
section_balance(unsigned int trials)
{
	static const unsigned int conns_list[] = { 1000, 10000, 100000 };
	const unsigned int sizes[] = { 128, 512 };
	struct ptcp_port port;
	unsigned int s, wi, ci, t, n;
	double sum, worst, uni, r;

	printf("## 2. RETA balance\n\n");
	printf("C connections open at once, each from a random client address "
		"and port (1024..65535) to 10.0.0.1:80; RETA entry q -> worker "
		"q %% N (port.c). max/mean connections per worker: mean (worst) "
		"of %u trials, and the mean for the same C thrown uniformly at "
		"random on N workers (the best a hash can do):\n\n", trials);
	printf("| workers | RETA | entries per worker |");
	for (ci = 0; ci < RTE_DIM(conns_list); ci++)
		printf(" C = %u | uniform |", conns_list[ci]);
	printf("\n|---:|---:|---|");
	for (ci = 0; ci < RTE_DIM(conns_list); ci++)
		printf("---:|---:|");
	printf("\n");
	for (wi = 0; wi < RTE_DIM(workers_list); wi++) {
		n = workers_list[wi];
		for (s = 0; s < RTE_DIM(sizes); s++) {
			reta_fill(&port, sizes[s], n);
			printf("| %u | %u | %u%s |", n, sizes[s], sizes[s] / n,
				sizes[s] % n != 0 ? " or more" : "");
			for (ci = 0; ci < RTE_DIM(conns_list); ci++) {
				sum = 0;
				worst = 0;
				uni = 0;
				for (t = 0; t < trials; t++) {
					r = max_over_mean(&port, n,
						conns_list[ci]);
					sum += r;
					worst = RTE_MAX(worst, r);
					uni += max_over_mean(NULL, n,
						conns_list[ci]);
				}
				printf(" %.3f (%.3f) | %.3f |", sum / trials,
					worst, uni / trials);
			}
			printf("\n");
		}
	}
	printf("\n");
}

static void
section_steering(void)
{
	static const unsigned int queues_of[] = { 1, 0 };   /* 0: K = N */
	struct ptcp_port own, nic;
	unsigned int wi, k, i, n, nq, q, steered, frames = 200000;
	uint32_t srv = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	uint16_t srv_port = rte_cpu_to_be_16(80);
	uint32_t sa, da, t[3];
	uint16_t sp, dp;

	printf("## 3. Frames steered in software\n\n");
	printf("%u frames of random flows toward 10.0.0.1:80. The owner is "
		"ours (symmetric key, RETA of 512); the queue a frame arrives "
		"on is queue 0 (no RSS), or the NIC's own hash (Microsoft key, "
		"RETA of 128, round robin over K = N queues), worker k "
		"polling queue k:\n\n", frames);
	printf("| workers | RX queues | steered (simulated) | (N-1)/N |\n"
		"|---:|---|---:|---:|\n");
	for (wi = 0; wi < RTE_DIM(workers_list); wi++) {
		n = workers_list[wi];
		reta_fill(&own, PTCP_RETA_MAX, n);
		for (k = 0; k < RTE_DIM(queues_of); k++) {
			nq = queues_of[k] != 0 ? queues_of[k] : n;
			reta_fill(&nic, 128, nq);
			steered = 0;
			for (i = 0; i < frames; i++) {
				rnd_tuple(srv, srv_port, &sa, &da, &sp, &dp);
				t[0] = rte_be_to_cpu_32(sa);
				t[1] = rte_be_to_cpu_32(da);
				t[2] = ((uint32_t)rte_be_to_cpu_16(sp) << 16) |
					rte_be_to_cpu_16(dp);
				q = nq == 1 ? 0 : ptcp_port_owner(&nic,
					rte_softrss(t, 3, ms_key));
				if (ptcp_port_owner(&own, ptcp_rss_hash(sa, da,
						sp, dp)) != q)
					steered++;
			}
			printf("| %u | %s | %.4f | %.4f |\n", n,
				nq == 1 ? "1 (no RSS)" : "N, foreign hash",
				(double)steered / frames,
				(double)(n - 1) / n);
		}
	}
	printf("\n");
}

static void
section_memory(unsigned int steer_ring)
{
	const unsigned int ns[] = { 2, 16, 64 };
	unsigned int i, n, slots = rte_align32pow2(steer_ring + 1);
	ssize_t per = rte_ring_get_memsize(slots);
	uint64_t rings;

	printf("## 4. Steering rings\n\n");
	printf("steer_ring = %u: RING_F_EXACT_SZ makes %u slots, "
		"rte_ring_get_memsize() = %zd bytes per ring.\n\n",
		steer_ring, slots, per);
	printf("| workers | rings N(N-1) | N(N-1) x steer_ring x 8 | "
		"allocated (ring memsize) | rings polled per pass per worker |\n"
		"|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < RTE_DIM(ns); i++) {
		n = ns[i];
		rings = (uint64_t)n * (n - 1);
		printf("| %u | %" PRIu64 " | %.1f MiB | %.1f MiB | %u |\n", n,
			rings, (double)rings * steer_ring * 8 / 1048576.0,
			(double)rings * (uint64_t)per / 1048576.0, n - 1);
	}
	printf("\n");
}

static void
section_connect(void)
{
	const unsigned int ns[] = { 2, 16, 64 };
	struct ptcp_port port;
	unsigned int i, n, w, p, last, gap, maxgap, owned, gaps, sum;
	uint32_t la = rte_cpu_to_be_32(RTE_IPV4(10, 97, 0, 2));
	uint32_t ra = rte_cpu_to_be_32(RTE_IPV4(10, 97, 0, 1));
	uint16_t rp = rte_cpu_to_be_16(5001);
	const unsigned int lo = 32768, hi = 60999, range = hi - lo + 1;

	printf("## 5. connect(): ports tried\n\n");
	printf("ptcp_connect() walks the range %u..%u from where it last "
		"stopped and takes the first port whose tuple hashes to its "
		"worker (10.97.0.2 -> 10.97.0.1:5001, RETA of 512): tries per "
		"connect = the gap between owned ports. ptcp-churn also splits "
		"the range between its lcores, so each uses 1/N of the 1/N it "
		"owns:\n\n", lo, hi);
	printf("| workers | owned ports of worker 0 | mean tries | max "
		"tries | ptcp-churn tuples per source (all workers) |\n"
		"|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < RTE_DIM(ns); i++) {
		n = ns[i];
		reta_fill(&port, PTCP_RETA_MAX, n);
		owned = 0;
		sum = 0;
		gaps = 0;
		maxgap = 0;
		last = UINT32_MAX;
		for (p = lo; p <= hi; p++) {
			if (ptcp_port_owner(&port, ptcp_rss_hash(ra, la, rp,
					rte_cpu_to_be_16((uint16_t)p))) != 0)
				continue;
			owned++;
			if (last != UINT32_MAX) {
				gap = p - last;
				sum += gap;
				gaps++;
				maxgap = RTE_MAX(maxgap, gap);
			}
			last = p;
		}
		/* ptcp-churn: worker w gets [lo + range*w/N, lo +
		 * range*(w+1)/N) and keeps what hashes to w. */
		gap = 0;
		for (w = 0; w < n; w++)
			for (p = lo + range * w / n; p < lo + range * (w + 1) / n;
					p++)
				if (ptcp_port_owner(&port, ptcp_rss_hash(ra,
						la, rp, rte_cpu_to_be_16(
						(uint16_t)p))) == w)
					gap++;
		printf("| %u | %u | %.2f | %u | %u of %u |\n", n, owned,
			gaps ? (double)sum / gaps : 0.0, maxgap, gap, range);
	}
	printf("\n");
}

struct costs {
	double conn;      /* server Ir per connection, one worker */
	double frames;    /* frames received per connection */
	double hash;      /* Ir per frame: its owner in software */
	double multi;     /* Ir per connection: 2 workers with RSS vs 1,
	                   * beyond passes (the hash read, the split) */
	double recv;      /* Ir per steered frame on the receiving worker */
	double owner;     /* Ir per steered frame on the owner */
	double ring;      /* Ir per steering ring polled empty */
	double per_pass;  /* connections per worker pass at saturation */
	double hash_call; /* Ir of one ptcp_rss_hash() (connect's tries) */
	double balance;   /* max/mean share of the RETA (1: N divides it) */
};

static void
section_combined(const struct costs *c)
{
	const unsigned int ns[] = { 2, 16, 64 };
	unsigned int i, n;
	double poll, u, hw, fk, d0, dn, st, sp_hw, sp_fk, sp_one;

	printf("## 6. Per-worker cost and speed-up\n\n");
	printf("Inputs (callgrind.sh): C = %.0f Ir per connection with one "
		"worker; F = %.2f frames in per connection; h = %.0f Ir per "
		"frame for its owner in software; m = %.0f Ir per connection "
		"for being one of several workers with RSS (hash read, split); "
		"a steered frame costs r = %.0f Ir more on the worker that "
		"receives it and o = %.0f more on its owner (r + o = %.0f, "
		"net of the RX and owner computation the owner no longer "
		"does); p = %.1f Ir per steering ring polled per pass; B = %.1f "
		"connections per worker pass at saturation; %.0f Ir per "
		"ptcp_rss_hash() call (connect()'s tries); RETA share max/mean "
		"%.3f.\n\n", c->conn, c->frames, c->hash, c->multi, c->recv,
		c->owner, c->recv + c->owner, c->ring, c->per_pass,
		c->hash_call, c->balance);
	printf("| workers N | steered (N-1)/N | ring polls per conn (N-1)p/B "
		"| hardware RSS: Ir/conn | speed-up | N queues, foreign hash: "
		"Ir/conn | speed-up | 1 queue: worker 0, Ir per conn of the "
		"engine | owners, Ir per own conn | speed-up | connect(): N x "
		"hash |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		"---:|\n");
	for (i = 0; i < RTE_DIM(ns); i++) {
		n = ns[i];
		st = (double)(n - 1) / n;
		poll = (n - 1) * c->ring / c->per_pass;
		/* Hardware RSS: a worker's frames all arrive on its queue. */
		hw = c->conn + c->multi + poll;
		sp_hw = n * c->conn / (hw * c->balance);
		/* Every worker computes the owner of what it receives, in
		 * software, as in the 1-queue case. */
		u = hw + c->frames * c->hash;
		/* K = N queues by a hash not ours: each worker receives 1/N
		 * of the frames and steers (N-1)/N of those; of its own
		 * connections' frames (N-1)/N come steered. */
		fk = u + c->frames * st * (c->recv + c->owner);
		sp_fk = n * c->conn / (fk * c->balance);
		/* One queue: worker 0 receives every frame, steers (N-1)/N
		 * and owns 1/N of the connections; every frame of another
		 * worker's connections comes steered. */
		d0 = u / n + c->frames * st * c->recv;
		dn = u + c->frames * c->owner;
		sp_one = c->conn / RTE_MAX(d0, dn * c->balance / n);
		printf("| %u | %.3f | %.0f | %.0f | %.1f | %.0f | %.1f | "
			"%.0f | %.0f | %.1f | %.0f |\n", n, st, poll, hw, sp_hw,
			fk, sp_fk, d0, dn, sp_one, n * c->hash_call);
	}
	printf("\n");
}

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--conn-ir C] [--frames-in F] "
		"[--hash-ir h] [--multi-ir m] [--recv-ir r] [--owner-ir o] "
		"[--ring-poll-ir p] [--conns-per-pass B] [--hash-call-ir Y] "
		"[--balance M] [--steer-ring S] [--trials T]\n", prog);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "conn-ir", required_argument, NULL, 'c' },
		{ "frames-in", required_argument, NULL, 'f' },
		{ "hash-ir", required_argument, NULL, 'h' },
		{ "multi-ir", required_argument, NULL, 'm' },
		{ "recv-ir", required_argument, NULL, 'r' },
		{ "owner-ir", required_argument, NULL, 'o' },
		{ "ring-poll-ir", required_argument, NULL, 'p' },
		{ "conns-per-pass", required_argument, NULL, 'b' },
		{ "hash-call-ir", required_argument, NULL, 'y' },
		{ "balance", required_argument, NULL, 'M' },
		{ "steer-ring", required_argument, NULL, 's' },
		{ "trials", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	/* Defaults: docs/benchmarks.md "Many lcores" (callgrind.sh). */
	struct costs c = {
		.conn = 10000, .frames = 4, .hash = 450, .multi = 50,
		.recv = 500, .owner = 0, .ring = 20, .per_pass = 8,
		.hash_call = 450, .balance = 1,
	};
	unsigned int steer_ring = 1024, trials = 20;
	double *d;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': d = &c.conn; break;
		case 'f': d = &c.frames; break;
		case 'h': d = &c.hash; break;
		case 'm': d = &c.multi; break;
		case 'r': d = &c.recv; break;
		case 'o': d = &c.owner; break;
		case 'p': d = &c.ring; break;
		case 'b': d = &c.per_pass; break;
		case 'y': d = &c.hash_call; break;
		case 'M': d = &c.balance; break;
		case 's':
			steer_ring = (unsigned int)strtoul(optarg, NULL, 10);
			d = NULL;
			break;
		case 't':
			trials = (unsigned int)strtoul(optarg, NULL, 10);
			d = NULL;
			break;
		default:
			return usage(argv[0]);
		}
		if (d != NULL)
			*d = strtod(optarg, NULL);
	}
	if (trials == 0 || trials > 1000 || steer_ring < 64 ||
			steer_ring > 65536 || c.per_pass <= 0 || c.conn <= 0 ||
			c.balance < 1)
		return usage(argv[0]);
	section_hash();
	section_balance(trials);
	section_steering();
	section_memory(steer_ring);
	section_connect();
	section_combined(&c);
	return 0;
}
