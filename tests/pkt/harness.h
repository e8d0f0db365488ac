/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PKT_HARNESS_H
#define PKT_HARNESS_H

/*
 * The pkt suite's harness: a ptcp engine in this process on net_ring ports
 * made with rte_eth_from_rings(). The test is the wire: it puts frames on
 * a port's RX ring, runs worker passes with a clock it advances by hand,
 * and takes what the endpoint sent off the TX ring. Two ports can instead
 * be cross-connected (one's TX ring is the other's RX ring).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ptcp.h"

#define H_MAX_PORTS 2

struct harness {
	struct ptcp_engine *e;
	struct ptcp_lcore *lc;
	struct rte_mempool *pool;      /* the test's own frames */
	struct rte_ring *rx[H_MAX_PORTS];  /* test -> endpoint */
	struct rte_ring *tx[H_MAX_PORTS];  /* endpoint -> test */
	unsigned int nb_ports;
	bool cross;                    /* port0 <-> port1 */
	bool has_port[H_MAX_PORTS];    /* ring ethdev created */
	uint16_t port_id[H_MAX_PORTS];
	uint64_t now_ms;               /* the clock the test drives */
	unsigned int baseline_in_use;  /* engine mbufs in use after start */
	bool tcp;                      /* TCP attached */
	uint16_t last_vid;             /* 802.1Q VLAN ID of the frame
	                                * h_tcp_recv() took; 0: untagged */
};

/* EAL once per process (no hugepages, no PCI, one lcore). */
int h_eal_init(const char *prog);
/* As h_eal_init() with @mb MiB of memory (anonymous, touched as used). */
int h_eal_init_mb(const char *prog, unsigned int mb);

struct ptcp_test;

/*
 * The main() of a test program on the harness: EAL, the tests (each
 * followed by @after, pass or fail), EAL cleanup. @return the exit status.
 */
int h_main(const struct ptcp_test *tests, int argc, char **argv,
		void (*after)(void));

/*
 * An engine on @nb_ports ring ports ("ptcp_ringN"), configured by
 * @overrides ("section.key=value") on top of defaults; @cross connects
 * port0 and port1 to each other instead of to the test.
 */
int h_setup(struct harness *h, unsigned int nb_ports, bool cross,
		const char *const *overrides, unsigned int nb_overrides);

/* h_setup() of one port, the start-up gratuitous ARPs taken off the wire. */
int h_setup1(struct harness *h, const char *const *overrides,
		unsigned int nb_overrides);

/*
 * The end of a test on one port: a last pass, the wire drained, every
 * mbuf back in the engine's pools and the test's (a CHECK fails the test
 * otherwise), then h_teardown(). @return 0, or -1 (a CHECK failed)
 */
int h_end_clean(struct harness *h);

/* Tear down whatever a test left set up (it failed half-way). */
void h_after_test(void);

/* As h_setup(), with TCP attached to the engine (ptcp_tcp_attach). */
int h_setup_tcp(struct harness *h, const char *const *overrides,
		unsigned int nb_overrides);

/* Destroy the engine and rings; checks nothing. */
void h_teardown(struct harness *h);

/* Advance the clock by @ms and run one worker pass. */
unsigned int h_poll(struct harness *h, uint64_t ms);

/* Put @m on port @p's RX ring (the endpoint receives it next pass). */
void h_inject(struct harness *h, unsigned int p, struct rte_mbuf *m);

/* Take up to @n frames the endpoint sent on port @p. */
unsigned int h_collect(struct harness *h, unsigned int p,
		struct rte_mbuf **out, unsigned int n);

/* Free every frame waiting on port @p's TX ring; @return how many. */
unsigned int h_drain(struct harness *h, unsigned int p);

/* Counter @name summed over the engine's workers. */
uint64_t h_stat(struct harness *h, enum ptcp_stat_id id);
#define H_STAT(h, name) h_stat(h, PTCP_STAT_##name)

/* Engine mbufs in use now minus the baseline taken after start. */
int h_engine_mbufs_leaked(struct harness *h);

/* Frame builders (from the test's pool). Addresses in host-order ints
 * made with RTE_IPV4(), converted inside. */
extern const struct rte_ether_addr h_peer_mac;
struct rte_mbuf *h_arp(struct harness *h, uint16_t op,
		const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t sip,
		const struct rte_ether_addr *tha, uint32_t tip);
/* An IPv4 ICMP echo request from @src to @dst, @len bytes of payload. */
struct rte_mbuf *h_icmp_echo(struct harness *h,
		const struct rte_ether_addr *eth_dst, uint32_t src, uint32_t dst,
		uint16_t id, uint16_t seq, uint16_t len);
/* Give @m (a frame built above) an 802.1Q tag with VLAN ID @vid, in its
 * bytes; @return @m, or NULL (freed) if it cannot be tagged. */
struct rte_mbuf *h_vlan_tag(struct rte_mbuf *m, uint16_t vid);
/* Mac of the endpoint's port @p. */
const struct rte_ether_addr *h_mac(struct harness *h, unsigned int p);

/* ---- Two stacks back to back ----------------------------------------- */

/* One ptcp engine with TCP attached, on one net_ring port. */
struct h_stack {
	struct ptcp_engine *e;
	struct ptcp_lcore *lc;
	unsigned int baseline;         /* engine mbufs in use before start */
};

/* The two rings between them: a->b and b->a. */
struct h_wire {
	struct rte_ring *ab, *ba;
};

/*
 * Two stacks in this process, wired back to back over rings: @a at
 * @addr_a, @b at @addr_b (A.B.C.D/N), each with a test configuration
 * (8191 mbufs, 1024 TCBs, 16384 TIME-WAIT entries, MSL 500 ms) plus its
 * own "section.key=value" settings, TCP attached and started. Names are
 * unique per call. @return 0, or -1 with what was made left for
 * h_pair_destroy().
 */
int h_pair_create(struct h_stack *a, struct h_stack *b, struct h_wire *w,
		const char *addr_a, const char *const *sets_a, unsigned int na,
		const char *addr_b, const char *const *sets_b, unsigned int nb);

/* Detach, destroy, free what is on the wire: safe on a half-made pair. */
void h_pair_destroy(struct h_stack *a, struct h_stack *b, struct h_wire *w);

/* One loop pass of @s with its clock at @now_ms (virtual, from start). */
void h_stack_poll(struct h_stack *s, uint64_t now_ms);
/* Connections of @s in @state (ptcp_tcp_state_counts). */
uint64_t h_stack_state(const struct h_stack *s, unsigned int state);
/* Counter @id of @s. */
uint64_t h_stack_stat(const struct h_stack *s, enum ptcp_stat_id id);

/* ---- TCP: the test plays the peer ---------------------------------- */

#include "tcp_opt.h"

/* A TCP segment the endpoint sent, parsed by the harness. */
struct h_seg {
	uint32_t saddr, daddr;         /* host order */
	uint16_t sport, dport;         /* host order */
	uint32_t seq, ack;
	uint16_t wnd;
	uint8_t flags;
	uint32_t len;
	struct tcp_opts opt;
	uint8_t data[2048];
};

/*
 * A TCP frame from @src:@sport to @dst:@dport (host order) with the given
 * header fields, @optlen bytes of options and @len bytes of @data.
 */
struct rte_mbuf *h_tcp_frame(struct harness *h, uint32_t src, uint16_t sport,
		uint32_t dst, uint16_t dport, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, const uint8_t *opt,
		unsigned int optlen, const void *data, uint16_t len);

/*
 * Take the next frame the endpoint sent on port @p. Non-TCP frames are
 * freed and skipped; an 802.1Q tag is taken off, its VLAN ID left in
 * h->last_vid (0 for an untagged frame). @return 1 with @s filled, 0 if none waits, -1 if a
 * TCP frame was malformed (bad checksum, lengths): a test failure.
 */
int h_tcp_recv(struct harness *h, unsigned int p, struct h_seg *s);

/* ---- A TX queue that refuses frames ---------------------------------- */

struct rte_eth_rxtx_callback;

/*
 * A TX callback on queue 0 of a port that lets through at most @take
 * frames a call (0: none) while @on: the rest stay the caller's, as when
 * a NIC's TX ring is full. The test flips @on and @take as it goes.
 */
struct h_tx_gate {
	bool on;
	uint16_t take;
	uint16_t port;
	const struct rte_eth_rxtx_callback *cb;
};

/* Put @g (which must outlive the port or be detached) on @port. */
int h_tx_gate_attach(struct h_tx_gate *g, uint16_t port);
/* Take @g off its port again (safe if it is not attached). */
void h_tx_gate_detach(struct h_tx_gate *g);

/* ---- Finer clocks ---------------------------------------------------- */

/*
 * As h_stack_poll() with the clock in microseconds, for tests whose wire
 * (tests/pkt/wire.h) spaces frames closer than a millisecond.
 */
void h_stack_poll_us(struct h_stack *s, uint64_t now_us);

/* ---- Many workers: one port, several queues, the test as the NIC ------- */

/* Most RX or TX queues (rings) of an h_mstack port. */
#define H_MQ_MAX 8

/*
 * A stack with several workers ([lcores] workers) on one net_ring port of
 * @nb_rxq RX queues and one TX queue per worker. Nothing connects the
 * rings: the test moves frames from one stack's TX rings to the other's RX
 * rings (h_mwire_move()), choosing the queue as a NIC doing RSS would, or
 * not.
 */
struct h_mstack {
	struct h_stack s;              /* s.lc: worker 0 */
	unsigned int nb_workers;       /* workers asked for: TX queues */
	unsigned int nb_rxq;           /* RX queues of the port */
	struct rte_ring *rx[H_MQ_MAX]; /* wire -> RX queue q */
	struct rte_ring *tx[H_MQ_MAX]; /* TX queue q -> wire */
	uint16_t port_id;
	bool has_port;                 /* ring ethdev created */
};

/*
 * Two stacks of @workers workers each, every port with @nb_rxq RX queues
 * (1..@workers), on the test configuration of h_pair_create() plus
 * "lcores.workers=@workers" and the stacks' own settings. @return 0, or
 * -1 with what was made left for h_mpair_destroy().
 */
int h_mpair_create(struct h_mstack *a, struct h_mstack *b,
		unsigned int workers, unsigned int nb_rxq,
		const char *addr_a, const char *const *sets_a, unsigned int na,
		const char *addr_b, const char *const *sets_b, unsigned int nb);

/* Detach, destroy, free what is on the rings: safe on a half-made pair. */
void h_mpair_destroy(struct h_mstack *a, struct h_mstack *b);

/* One pass of worker @w of @s with its clock at @now_ms. */
void h_mstack_poll_one(struct h_mstack *s, unsigned int w, uint64_t now_ms);
/* One pass of every worker of @s, in index order, all at @now_ms. */
void h_mstack_poll(struct h_mstack *s, uint64_t now_ms);
/* Connections of @s in @state, summed over its workers. */
uint64_t h_mstack_state(const struct h_mstack *s, unsigned int state);
/* Counter @id of worker @w of @s. */
uint64_t h_mstack_lcore_stat(const struct h_mstack *s, unsigned int w,
		enum ptcp_stat_id id);

/*
 * The wire's choice for frame @m arriving at @dst: the RX queue to put it
 * on, or negative to drop it. It may change the mbuf's metadata (the RSS
 * hash a NIC would report).
 */
typedef int (*h_mwire_pick_t)(struct h_mstack *dst, struct rte_mbuf *m,
		void *arg);

/*
 * Move everything on @from's TX rings to @to's RX rings, each frame to
 * the queue @pick chooses. Frames dropped (pick negative or out of range,
 * RX ring full) are freed and added to *@dropped. @return frames moved.
 */
unsigned int h_mwire_move(struct h_mstack *from, struct h_mstack *to,
		h_mwire_pick_t pick, void *arg, unsigned int *dropped);

/* Frames waiting on @s's rings, both ways (0 when the wire is idle). */
unsigned int h_mstack_ring_count(const struct h_mstack *s);

/*
 * The IPv4/TCP 4-tuple of frame @m (Ethernet first), addresses and ports in
 * network order as in the headers. @return false if it is no IPv4 TCP
 * segment with whole headers in its first mbuf.
 */
bool h_frame_tuple(const struct rte_mbuf *m, uint32_t *saddr,
		uint32_t *daddr, uint16_t *sport, uint16_t *dport);

#endif /* PKT_HARNESS_H */
