/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: the TCP state machine, one test per edge of the RFC 9293
 * diagram and per rule around it (RST and challenge ACKs, TIME-WAIT, SYN
 * cookies, retries, timers). The test is the peer: it crafts every
 * segment, reads every segment the endpoint sends (checksums verified),
 * and drives the clock by hand, so 2*MSL passes in microseconds. The wire
 * is an in-memory net_ring port (lwIP's test netif, in DPDK form).
 *
 * Every test ends with no connection, TIME-WAIT entry or mbuf left.
 */
#include <rte_tcp.h>

#include "harness.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"
#include "tcp_priv.h"

#define OUR   RTE_IPV4(10, 98, 0, 1)
#define PEER  RTE_IPV4(10, 98, 0, 9)
#define SRV_PORT 80
#define CLI_PORT 40000

#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG

static const char *const base_sets[] = {
	"arp.static.10.98.0.9=02:00:00:00:aa:01",
	"arp.gratuitous=no",
	"tcp.max_conns=16",
	"tcp.max_tw=16",
	"tcp.msl_ms=1000",
	"tcp.syn_backlog=4",
	"tcp.rto_init_ms=1000",
	"tcp.rto_min_ms=200",
	"tcp.rto_max_ms=8000",
	"tcp.syn_retries=3",
	"tcp.synack_retries=2",
	"tcp.data_retries=4",
	"tcp.orphan_retries=2",
	"tcp.fin_wait2_ms=5000",
	"tcp.challenge_ack_limit=3",
	"tcp.close_wait_warn_s=10",
};

/* ---- the application: records every event -------------------------- */

struct app {
	int accepted, connected, peer_closed, closed, writable;
	int reason;
	struct ptcp_conn *c;
	uint32_t rx_len;
	uint8_t rx[65536];
	bool refuse;                 /* accepted returns -1 */
	bool close_on_peer_closed;   /* ptcp_close from peer_closed */
	bool reply_and_close;        /* data: send "pong", then ptcp_close */
	bool hold;                   /* data: ptcp_recv_hold() what arrives */
};

static struct app app;

static int
app_accepted(struct ptcp_conn *c, void *arg)
{
	(void)arg;
	app.accepted++;
	app.c = c;
	return app.refuse ? -1 : 0;
}

static void
app_connected(struct ptcp_conn *c)
{
	app.connected++;
	app.c = c;
}

static void
app_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	const struct rte_mbuf *s;

	(void)c;
	for (s = m; s != NULL; s = s->next) {
		if (app.rx_len + s->data_len <= sizeof(app.rx))
			memcpy(app.rx + app.rx_len,
				rte_pktmbuf_mtod(s, const void *), s->data_len);
		app.rx_len += s->data_len;
	}
	if (app.hold)
		ptcp_recv_hold(c, rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_free(m);
	if (app.reply_and_close) {
		ptcp_send(c, "pong", 4);
		ptcp_close(c);
	}
}

static void
app_writable(struct ptcp_conn *c)
{
	(void)c;
	app.writable++;
}

static void
app_peer_closed(struct ptcp_conn *c)
{
	app.peer_closed++;
	if (app.close_on_peer_closed)
		ptcp_close(c);
}

static void
app_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	(void)c;
	app.closed++;
	app.reason = (int)why;
	app.c = NULL;
}

static const struct ptcp_tcp_ops app_ops = {
	.accepted = app_accepted,
	.connected = app_connected,
	.data = app_data,
	.writable = app_writable,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
};

/* ---- the peer -------------------------------------------------------- */

struct peer {
	uint16_t port;          /* the peer's port */
	uint16_t lport;         /* ours */
	uint32_t seq;           /* next seq the peer sends */
	uint32_t ack;           /* next seq it expects from us */
	uint16_t wnd;
	bool wnd_set;           /* use wnd (else 65535) */
	bool ts;                /* put timestamps on what it sends */
	uint32_t tsval;
	uint32_t tsecr;
};

static struct harness H;
static struct harness *h = &H;

static int
setup(const char *const *extra, unsigned int n)
{
	const char *sets[64];
	unsigned int i, k = 0;

	for (i = 0; i < RTE_DIM(base_sets); i++)
		sets[k++] = base_sets[i];
	for (i = 0; i < n; i++)
		sets[k++] = extra[i];
	memset(&app, 0, sizeof(app));
	if (h_setup_tcp(h, sets, k) != 0)
		return -1;
	return ptcp_listen(h->lc, SRV_PORT, &app_ops, NULL, NULL);
}

static struct tcp_lcore *
TL(void)
{
	return h->lc->l4;
}

static uint64_t
nstate(unsigned int s)
{
	uint64_t c[PTCP_TCPS_MAX];

	ptcp_tcp_state_counts(h->lc, c);
	return c[s];
}

/* The peer sends a segment with its own seq/ack (and advances seq). */
static void
p_send(struct peer *p, uint8_t flags, const void *data, uint16_t len)
{
	uint8_t opt[40];
	unsigned int optlen = 0;

	if (flags & F_SYN) {
		struct tcp_opts o = { .present = TOF_MSS | TOF_WSCALE | TOF_SACKOK,
			.mss = 1460, .wscale = 7 };

		if (p->ts) {
			o.present |= TOF_TS;
			o.tsval = p->tsval;
			o.tsecr = p->tsecr;
		}
		optlen = tcp_opt_build_syn(opt, &o);
	} else if (p->ts) {
		optlen = tcp_opt_build_ts(opt, p->tsval, p->tsecr);
	}
	h_inject(h, 0, h_tcp_frame(h, PEER, p->port, OUR, p->lport, p->seq,
		(flags & F_ACK) ? p->ack : 0, flags, p->wnd_set ? p->wnd : 65535,
		opt, optlen, data, len));
	p->seq += len + ((flags & F_SYN) ? 1 : 0) + ((flags & F_FIN) ? 1 : 0);
	if (p->ts)
		p->tsval += 10;
}

/* Any segment, fields as given; the peer's state is not touched. */
static void
p_raw(struct peer *p, uint32_t seq, uint32_t ack, uint8_t flags,
		const void *data, uint16_t len)
{
	uint8_t opt[12];
	unsigned int optlen = 0;

	if (p->ts && !(flags & F_RST))
		optlen = tcp_opt_build_ts(opt, p->tsval, p->tsecr);
	h_inject(h, 0, h_tcp_frame(h, PEER, p->port, OUR, p->lport, seq, ack,
		flags, 65535, opt, optlen, data, len));
}

/*
 * Run a pass and take the next segment the endpoint sent; the peer learns
 * what to acknowledge from it. @return 1, 0 if nothing was sent.
 */
static int
p_recv(struct peer *p, struct h_seg *s, uint64_t ms)
{
	int r;

	h_poll(h, ms);
	r = h_tcp_recv(h, 0, s);
	if (r == 1) {
		uint32_t end = s->seq + s->len + ((s->flags & F_SYN) ? 1 : 0) +
			((s->flags & F_FIN) ? 1 : 0);

		/* A SYN sets it; later segments only move it forward. */
		if ((s->flags & F_SYN) ||
				(!(s->flags & F_RST) && SEQ_GT(end, p->ack)))
			p->ack = end;
		if (s->opt.present & TOF_TS)
			p->tsecr = s->opt.tsval;
	}
	return r;
}

/* Nothing more was sent. */
#define CHECK_SILENT() do { \
	struct h_seg s_; \
	CHECK_EQ(p_recv(&(struct peer){ 0 }, &s_, 0), 0); \
} while (0)

/* The endpoint's TCB for the peer's connection, or NULL. */
static struct ptcp_conn *
tcb_of(const struct peer *p)
{
	struct ptcp_flow_key k = {
		.laddr = rte_cpu_to_be_32(OUR), .raddr = rte_cpu_to_be_32(PEER),
		.lport = rte_cpu_to_be_16(p->lport),
		.rport = rte_cpu_to_be_16(p->port),
	};
	void *o = ptcp_flow_lookup(TL()->flows, &k);

	return o != NULL && *(uint8_t *)o == TCP_KIND_TCB ? o : NULL;
}

static bool
in_time_wait(const struct peer *p)
{
	struct ptcp_flow_key k = {
		.laddr = rte_cpu_to_be_32(OUR), .raddr = rte_cpu_to_be_32(PEER),
		.lport = rte_cpu_to_be_16(p->lport),
		.rport = rte_cpu_to_be_16(p->port),
	};
	void *o = ptcp_flow_lookup(TL()->flows, &k);

	return o != NULL && *(uint8_t *)o == TCP_KIND_TW;
}

static unsigned int
state_of(const struct peer *p)
{
	struct ptcp_conn *c = tcb_of(p);

	if (c != NULL)
		return ptcp_conn_state(c);
	return in_time_wait(p) ? PTCP_TCPS_TIME_WAIT : PTCP_TCPS_CLOSED;
}

/* Passive open from @p (port @port): SYN, SYN-ACK, ACK. */
static int
establish(struct peer *p, uint16_t port, bool ts)
{
	struct h_seg s;

	memset(p, 0, sizeof(*p));
	p->port = port;
	p->lport = SRV_PORT;
	p->seq = 1000 + port;
	p->ts = ts;
	p->tsval = 5000;
	p_send(p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(p, &s, 1), 1);
	CHECK_EQ(s.flags, F_SYN | F_ACK);
	CHECK_EQ(s.ack, p->seq);
	CHECK_EQ(state_of(p), PTCP_TCPS_SYN_RECEIVED);
	p_send(p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(p), PTCP_TCPS_ESTABLISHED);
	return 0;
}

/* Active open to the peer at @port; the peer answers SYN-ACK. */
static int
connect_to(struct peer *p, uint16_t port, bool ts)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = port, .lport = CLI_PORT };
	struct h_seg s;

	memset(p, 0, sizeof(*p));
	p->port = port;
	p->lport = CLI_PORT;
	p->seq = 7000;
	p->ts = ts;
	p->tsval = 9000;
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	CHECK_EQ(p_recv(p, &s, 0), 1);
	CHECK_EQ(s.flags, F_SYN);
	CHECK_EQ(state_of(p), PTCP_TCPS_SYN_SENT);
	p_send(p, F_SYN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p->seq);
	CHECK_EQ(app.connected, 1);
	CHECK_EQ(state_of(p), PTCP_TCPS_ESTABLISHED);
	return 0;
}

/* Let every timer run out and check that nothing is left anywhere. */
static int
end_clean(void)
{
	int i;

	for (i = 0; i < 200 && (tcp_nb_conns(TL()) != 0 || TL()->nb_tw != 0); i++)
		h_poll(h, 500);
	h_drain(h, 0);
	CHECK_EQ(tcp_nb_conns(TL()), 0);
	CHECK_EQ(TL()->nb_tw, 0);
	CHECK_EQ(h_engine_mbufs_leaked(h), 0);
	CHECK_EQ(rte_mempool_in_use_count(h->pool), 0);
	h_teardown(h);
	return 0;
}

/* ==================================================================== */
/* Opening                                                              */
/* ==================================================================== */

static int
listen_syn_gets_synack_with_our_options(void)
{
	struct peer p = { .port = 5000, .lport = SRV_PORT, .seq = 100,
		.ts = true, .tsval = 777 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK_EQ(nstate(PTCP_TCPS_LISTEN), 1);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_SYN | F_ACK);
	CHECK_EQ(s.ack, 101);
	CHECK_EQ(s.saddr, OUR);
	CHECK_EQ(s.sport, SRV_PORT);
	CHECK(s.opt.present & TOF_MSS);
	CHECK_EQ(s.opt.mss, 1460);
	CHECK(s.opt.present & TOF_WSCALE);
	CHECK(s.opt.present & TOF_SACKOK);
	CHECK(s.opt.present & TOF_TS);
	CHECK_EQ(s.opt.tsecr, 777);
	CHECK_EQ(nstate(PTCP_TCPS_SYN_RECEIVED), 1);
	CHECK_EQ(app.accepted, 0);
	return end_clean();
}

static int
syn_received_ack_goes_to_established(void)
{
	struct peer p;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5001, true) == 0);
	CHECK_EQ(app.accepted, 1);
	CHECK_EQ(H_STAT(h, tcp_passive_open), 1);
	CHECK_EQ(nstate(PTCP_TCPS_ESTABLISHED), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
syn_received_bad_ack_gets_rst_and_stays(void)
{
	struct peer p = { .port = 5002, .lport = SRV_PORT, .seq = 100 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	/* An ACK for something we never sent: RST seq=SEG.ACK. */
	p_raw(&p, p.seq, s.seq + 5000, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_RST);
	CHECK_EQ(s.seq, p.ack + 5000 - 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_SYN_RECEIVED);
	return end_clean();
}

static int
syn_received_rst_returns_to_listen(void)
{
	struct peer p = { .port = 5003, .lport = SRV_PORT, .seq = 100 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	p_raw(&p, p.seq, 0, F_RST, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSED);
	CHECK_EQ(nstate(PTCP_TCPS_LISTEN), 1);
	CHECK_EQ(app.accepted + app.closed, 0);   /* the app never knew */
	CHECK_EQ(H_STAT(h, tcp_synrcvd_reset), 1);
	CHECK_EQ(H_STAT(h, tcp_passive_open), 0);
	CHECK_SILENT();
	/* The listener still takes connections. */
	CHECK(establish(&p, 5004, false) == 0);
	ptcp_abort(app.c);
	return end_clean();
}

static int
syn_received_retransmitted_syn_gets_synack_again(void)
{
	struct peer p = { .port = 5005, .lport = SRV_PORT, .seq = 100 };
	struct h_seg s1, s2;

	CHECK(setup(NULL, 0) == 0);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s1, 1), 1);
	p_raw(&p, 100, 0, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s2, 1), 1);
	CHECK_EQ(s2.flags, F_SYN | F_ACK);
	CHECK_EQ(s2.seq, s1.seq);
	CHECK_EQ(tcp_nb_conns(TL()), 1);
	return end_clean();
}

/*
 * In SYN-RECEIVED, a SYN other than the first one's retransmission, in
 * the window: a challenge ACK (RFC 5961 §4, as Linux), the connection
 * stays, and the real ACK still completes it.
 */
static int
syn_received_other_syn_in_window_gets_challenge_ack(void)
{
	struct peer p = { .port = 5007, .lport = SRV_PORT, .seq = 100 };
	struct h_seg s1, s2;

	CHECK(setup(NULL, 0) == 0);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s1, 1), 1);
	CHECK_EQ(s1.flags, F_SYN | F_ACK);
	p_raw(&p, 101 + 10, 0, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s2, 1), 1);
	CHECK_EQ(s2.flags, F_ACK);
	CHECK_EQ(s2.seq, s1.seq + 1);
	CHECK_EQ(s2.ack, 101);
	CHECK_EQ(H_STAT(h, tcp_challenge_ack), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_SYN_RECEIVED);
	CHECK_EQ(tcp_nb_conns(TL()), 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(app.accepted, 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
accept_refused_resets_connection(void)
{
	struct peer p = { .port = 5006, .lport = SRV_PORT, .seq = 100 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	app.refuse = true;
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	p_send(&p, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK(s.flags & F_RST);
	CHECK_EQ(app.accepted, 1);
	CHECK_EQ(app.closed, 0);
	CHECK_EQ(H_STAT(h, tcp_accept_refused), 1);
	return end_clean();
}

static int
active_open_syn_sent_to_established(void)
{
	struct peer p;

	CHECK(setup(NULL, 0) == 0);
	CHECK(connect_to(&p, 8080, true) == 0);
	CHECK_EQ(H_STAT(h, tcp_active_open), 1);
	CHECK(TL()->state_count[PTCP_TCPS_ESTABLISHED] == 1);
	ptcp_abort(app.c);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_ABORTED);
	return end_clean();
}

static int
syn_sent_rst_ack_is_refused(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8081, .lport = CLI_PORT };
	struct peer p = { .port = 8081, .lport = CLI_PORT };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	/* A RST without an acceptable ACK is ignored ... */
	p_raw(&p, 0, s.seq + 77, F_RST | F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_SYN_SENT);
	/* ... one with it refuses the connection. */
	p_raw(&p, 0, s.seq + 1, F_RST | F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_REFUSED);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSED);
	return end_clean();
}

static int
syn_sent_bad_ack_gets_rst(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8082, .lport = CLI_PORT };
	struct peer p = { .port = 8082, .lport = CLI_PORT, .seq = 50 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_raw(&p, 50, s.seq + 1000, F_SYN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_RST);
	CHECK_EQ(state_of(&p), PTCP_TCPS_SYN_SENT);
	ptcp_close(app.c != NULL ? app.c : tcb_of(&p));
	return end_clean();
}

static int
simultaneous_open_syn_sent_to_syn_received_to_established(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8083, .lport = CLI_PORT };
	struct peer p = { .port = 8083, .lport = CLI_PORT, .seq = 300 };
	struct h_seg syn, s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	CHECK_EQ(p_recv(&p, &syn, 0), 1);
	/* Both sent SYN: the peer's crosses ours. */
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_SYN | F_ACK);
	CHECK_EQ(s.seq, syn.seq);           /* same ISS */
	CHECK_EQ(s.ack, 301);
	CHECK_EQ(state_of(&p), PTCP_TCPS_SYN_RECEIVED);
	/* The peer's SYN-ACK for ours completes it. */
	p.seq = 300;
	p_send(&p, F_SYN | F_ACK, NULL, 0);
	h_poll(h, 1);
	h_drain(h, 0);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(app.connected, 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
simultaneous_open_shutdown_in_syn_received_fins_after_ack(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8084, .lport = CLI_PORT };
	struct peer p = { .port = 8084, .lport = CLI_PORT, .seq = 300 };
	struct ptcp_conn *c;
	struct h_seg syn, s;

	CHECK(setup(NULL, 0) == 0);
	c = ptcp_connect(h->lc, &o, &app_ops);
	CHECK(c != NULL);
	CHECK_EQ(p_recv(&p, &syn, 0), 1);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(ptcp_shutdown(c), 0);
	CHECK_EQ(p_recv(&p, &s, 1), 0);       /* no FIN before our SYN is acked */
	p_send(&p, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_FIN | F_ACK);
	CHECK_EQ(s.seq, syn.seq + 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_1);
	ptcp_abort(c);
	return end_clean();
}

/* ==================================================================== */
/* Closing                                                              */
/* ==================================================================== */

/* Peer closes first: ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED. */
static int
established_fin_close_wait_last_ack_closed(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5010, true) == 0);
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSE_WAIT);
	CHECK_EQ(app.peer_closed, 1);
	/* The app can still send in CLOSE-WAIT. */
	CHECK_EQ(ptcp_send(app.c, "late", 4), 4);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.len, 4);
	CHECK(memcmp(s.data, "late", 4) == 0);
	CHECK_EQ(ptcp_close(app.c), 0);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.flags, F_FIN | F_ACK);
	CHECK_EQ(state_of(&p), PTCP_TCPS_LAST_ACK);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSED);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_NORMAL);
	CHECK_EQ(nstate(PTCP_TCPS_TIME_WAIT), 0);  /* the peer holds it */
	return end_clean();
}

/* We close first: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED. */
static int
fin_wait_1_ack_fin_wait_2_fin_time_wait_2msl_closed(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5011, true) == 0);
	CHECK_EQ(ptcp_shutdown(app.c), 0);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.flags, F_FIN | F_ACK);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_2);
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(state_of(&p), PTCP_TCPS_TIME_WAIT);
	CHECK_EQ(app.peer_closed, 1);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_NORMAL);
	CHECK_EQ(tcp_nb_conns(TL()), 0);           /* the TCB is gone ... */
	CHECK_EQ(TL()->nb_tw, 1);              /* ... for a compact entry */
	h_poll(h, 1990);
	CHECK(in_time_wait(&p));
	h_poll(h, 20);
	CHECK(!in_time_wait(&p));
	CHECK_EQ(H_STAT(h, tcp_tw_expired), 1);
	return end_clean();
}

static int
fin_wait_1_fin_ack_goes_to_time_wait(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5012, true) == 0);
	ptcp_shutdown(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	/* FIN and the ACK of our FIN in one segment. */
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(state_of(&p), PTCP_TCPS_TIME_WAIT);
	return end_clean();
}

static int
simultaneous_close_closing_then_time_wait(void)
{
	struct peer p;
	struct h_seg fin, s;
	uint32_t our_fin_ack;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5013, true) == 0);
	ptcp_shutdown(app.c);
	CHECK_EQ(p_recv(&p, &fin, 0), 1);
	our_fin_ack = p.ack;
	/* The peer's FIN crossed ours: it does not acknowledge ours. */
	p.ack = fin.seq;
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags & F_ACK, F_ACK);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSING);
	p.ack = our_fin_ack;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_TIME_WAIT);
	CHECK_EQ(app.closed, 1);
	return end_clean();
}

static int
half_close_data_still_flows_to_the_side_that_sent_fin(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5014, false) == 0);
	/* We shut down our side ... */
	ptcp_shutdown(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_2);
	/* ... and still receive. */
	p_send(&p, F_ACK | F_PSH, "after-fin", 9);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(app.rx_len, 9);
	CHECK(memcmp(app.rx, "after-fin", 9) == 0);
	CHECK_EQ(ptcp_send(app.c, "x", 1), -EPIPE);
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_TIME_WAIT);
	return end_clean();
}

static int
fin_wait_2_timeout_for_closed_connection(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5015, false) == 0);
	ptcp_close(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_2);
	h_poll(h, 4900);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_2);
	h_poll(h, 200);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSED);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_fin_wait_2_timeout), 1);
	return end_clean();
}

static int
fin_wait_2_not_limited_when_app_only_shut_down(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5016, false) == 0);
	ptcp_shutdown(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 20000);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_2);
	ptcp_abort(app.c);
	return end_clean();
}

static int
data_after_close_is_answered_with_rst(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5017, false) == 0);
	ptcp_close(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_send(&p, F_ACK | F_PSH, "more", 4);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK(s.flags & F_RST);
	CHECK_EQ(H_STAT(h, tcp_data_after_close), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSED);
	CHECK_EQ(app.reason, PTCP_CLOSE_ABORTED);
	return end_clean();
}

static int
close_wait_age_is_reported(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5018, false) == 0);
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSE_WAIT);
	h_poll(h, 9000);
	CHECK_EQ(H_STAT(h, tcp_close_wait_old), 0);
	h_poll(h, 1100);
	CHECK_EQ(H_STAT(h, tcp_close_wait_old), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSE_WAIT);   /* only reported */
	ptcp_abort(app.c);
	return end_clean();
}

/* ==================================================================== */
/* RST and challenge ACKs                                               */
/* ==================================================================== */

static int
syn_to_closed_port_gets_rst_ack(void)
{
	struct peer p = { .port = 6000, .lport = 81, .seq = 4242 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_RST | F_ACK);
	CHECK_EQ(s.seq, 0);
	CHECK_EQ(s.ack, 4243);
	CHECK_EQ(H_STAT(h, tcp_no_conn_rst), 1);
	return end_clean();
}

static int
ack_to_unknown_connection_gets_rst_seq_ack(void)
{
	struct peer p = { .port = 6001, .lport = 81, .seq = 10 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	p_raw(&p, 10, 99999, F_ACK, "data", 4);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_RST);
	CHECK_EQ(s.seq, 99999);
	/* FIN without ACK on an unknown tuple: RST|ACK covering the FIN. */
	p_raw(&p, 10, 0, F_FIN | F_PSH, "ab", 2);
	h_poll(h, 0);
	return end_clean();
}

static int
rst_to_unknown_connection_is_never_answered(void)
{
	struct peer p = { .port = 6002, .lport = SRV_PORT, .seq = 10 };

	CHECK(setup(NULL, 0) == 0);
	p_raw(&p, 10, 0, F_RST, NULL, 0);
	p_raw(&p, 10, 5, F_RST | F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_SILENT();
	CHECK_EQ(H_STAT(h, tcp_rst_tx), 0);
	return end_clean();
}

static int
exact_rst_resets_established(void)
{
	struct peer p;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5020, true) == 0);
	p_raw(&p, p.seq, 0, F_RST, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSED);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_RESET);
	CHECK_EQ(H_STAT(h, tcp_rst_rx), 1);
	CHECK_SILENT();
	return end_clean();
}

static int
in_window_rst_gets_challenge_ack_and_connection_survives(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5021, true) == 0);
	p_raw(&p, p.seq + 100, 0, F_RST, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);                /* tells the true rcv_nxt */
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(H_STAT(h, tcp_challenge_ack), 1);
	/* An attacker guessing can't; the real peer now can. */
	p_raw(&p, p.seq, 0, F_RST, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_RESET);
	return end_clean();
}

static int
out_of_window_rst_is_ignored_silently(void)
{
	struct peer p;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5022, true) == 0);
	p_raw(&p, p.seq + 10000000, 0, F_RST, NULL, 0);
	p_raw(&p, p.seq - 10, 0, F_RST, NULL, 0);
	h_poll(h, 1);
	CHECK_SILENT();
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(H_STAT(h, tcp_rst_rx_bad), 2);
	ptcp_abort(app.c);
	return end_clean();
}

/* The per-connection limit off, to see the lcore's budget alone. */
static const char *const no_oow_limit[] = { "tcp.invalid_ratelimit_ms=0" };

static int
syn_in_established_gets_challenge_ack(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(no_oow_limit, RTE_DIM(no_oow_limit)) == 0);
	CHECK(establish(&p, 5023, true) == 0);
	/* In window and far out of it: a challenge ACK each time. */
	p_raw(&p, p.seq + 5, 0, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	p_raw(&p, p.seq + 900000000, 0, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(H_STAT(h, tcp_challenge_ack), 2);
	ptcp_abort(app.c);
	return end_clean();
}

static int
challenge_acks_are_rate_limited(void)
{
	struct peer p;
	struct h_seg s;
	int i, n = 0;

	CHECK(setup(no_oow_limit, RTE_DIM(no_oow_limit)) == 0);
	CHECK(establish(&p, 5024, false) == 0);
	for (i = 0; i < 10; i++)
		p_raw(&p, p.seq + 1 + (uint32_t)i, 0, F_RST, NULL, 0);
	h_poll(h, 1);
	while (h_tcp_recv(h, 0, &s) == 1)
		n++;
	CHECK_EQ(n, 3);                          /* the configured limit */
	CHECK_EQ(H_STAT(h, tcp_challenge_ack_limited), 7);
	/* A new second, a new budget. */
	p_raw(&p, p.seq + 50, 0, F_RST, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1000), 1);
	ptcp_abort(app.c);
	return end_clean();
}

/*
 * Linux's tcp_invalid_ratelimit: replies to segments a connection drops
 * (outside the window, an ACK of unsent data, a SYN or an inexact RST that
 * draws a challenge ACK) go at most once per [tcp] invalid_ratelimit_ms
 * (500 ms, in 16 ms steps) per connection, whatever the lcore's challenge
 * budget; another connection's replies are not held back by the flood.
 */
static int
invalid_segment_replies_limited_per_connection(void)
{
	struct peer a, b;
	struct h_seg s;
	int i, n = 0;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&a, 5040, false) == 0);
	CHECK(establish(&b, 5041, false) == 0);
	for (i = 0; i < 20; i++) {
		p_raw(&a, a.seq + 1000000u + (uint32_t)i, a.ack, F_ACK, NULL, 0);
		p_raw(&a, a.seq, a.ack + 100000u, F_ACK | F_PSH, "x", 1);
		p_raw(&a, a.seq + 7 + (uint32_t)i, 0, F_SYN, NULL, 0);
		p_raw(&a, a.seq + 9 + (uint32_t)i, 0, F_RST, NULL, 0);
	}
	for (i = 0; i < 4; i++)         /* a burst per pass */
		h_poll(h, i == 0 ? 1 : 0);
	while (h_tcp_recv(h, 0, &s) == 1)
		n++;
	CHECK_EQ(n, 1);
	CHECK_EQ(H_STAT(h, tcp_oow_ack_limited), 79);
	CHECK_EQ(H_STAT(h, tcp_challenge_ack_limited), 0);
	CHECK_EQ(state_of(&a), PTCP_TCPS_ESTABLISHED);
	/* b is answered at once. */
	p_raw(&b, b.seq + 1000000u, b.ack, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&b, &s, 1), 1);
	CHECK_EQ(s.ack, b.seq);
	/* a: still held back 400 ms on, answered again 600 ms on. */
	p_raw(&a, a.seq + 1000000u, a.ack, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&a, &s, 400), 0);
	p_raw(&a, a.seq + 1000000u, a.ack, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&a, &s, 200), 1);
	CHECK_EQ(s.ack, a.seq);
	CHECK_EQ(H_STAT(h, tcp_oow_ack_limited), 80);
	ptcp_abort(tcb_of(&a));
	ptcp_abort(tcb_of(&b));
	return end_clean();
}

static int
out_of_window_data_gets_ack_and_is_dropped(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5025, false) == 0);
	p_raw(&p, p.seq - 1000, p.ack, F_ACK, "old", 3);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(app.rx_len, 0);
	/* Ahead of rcv_nxt (a hole): queued, with a duplicate ACK at once. */
	p_raw(&p, p.seq + 10, p.ack, F_ACK, "new", 3);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(app.rx_len, 0);
	CHECK_EQ(H_STAT(h, tcp_ooo_segs), 1);
	CHECK_EQ(H_STAT(h, tcp_dup_ack_tx), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
ack_of_unsent_data_gets_ack_and_is_dropped(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5026, false) == 0);
	p_raw(&p, p.seq, p.ack + 5000, F_ACK, "zz", 2);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.ack, p.seq);                  /* data not taken */
	CHECK_EQ(app.rx_len, 0);
	CHECK_EQ(H_STAT(h, tcp_ack_unsent), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
paws_drops_old_timestamp(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5027, true) == 0);
	p.tsval = 100;                           /* older than before */
	p_send(&p, F_ACK | F_PSH, "stale", 5);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(app.rx_len, 0);
	CHECK_EQ(H_STAT(h, tcp_paws_drop), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
abort_sends_rst_at_snd_nxt(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5028, false) == 0);
	ptcp_abort(app.c);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_ABORTED);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK(s.flags & F_RST);
	CHECK_EQ(s.seq, p.ack);
	return end_clean();
}

/* ==================================================================== */
/* TIME-WAIT                                                            */
/* ==================================================================== */

/* Into TIME-WAIT as the active closer; the peer's FIN is not yet acked
 * from its point of view. */
static int
to_time_wait(struct peer *p, uint16_t port, bool ts)
{
	struct h_seg s;

	CHECK(establish(p, port, ts) == 0);
	ptcp_close(app.c);
	CHECK_EQ(p_recv(p, &s, 0), 1);
	p_send(p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(p, &s, 1), 1);
	CHECK_EQ(state_of(p), PTCP_TCPS_TIME_WAIT);
	return 0;
}

static int
time_wait_reacks_retransmitted_fin_and_restarts(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(to_time_wait(&p, 5030, true) == 0);
	h_poll(h, 1500);
	/* The FIN again (the peer lost our ACK). */
	p_raw(&p, p.seq - 1, p.ack, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(H_STAT(h, tcp_tw_reack), 1);
	/* 2*MSL counts again from the FIN: still there 1.9 s later. */
	h_poll(h, 1900);
	CHECK(in_time_wait(&p));
	h_poll(h, 200);
	CHECK(!in_time_wait(&p));
	return end_clean();
}

static int
time_wait_ignores_rst_rfc1337(void)
{
	struct peer p;

	CHECK(setup(NULL, 0) == 0);
	CHECK(to_time_wait(&p, 5031, true) == 0);
	p_raw(&p, p.seq, 0, F_RST, NULL, 0);
	h_poll(h, 1);
	CHECK(in_time_wait(&p));
	CHECK_EQ(H_STAT(h, tcp_rst_tw_ignored), 1);
	CHECK_SILENT();
	return end_clean();
}

static int
time_wait_reused_by_syn_with_newer_timestamp_rfc6191(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(to_time_wait(&p, 5032, true) == 0);
	/* Newer timestamp, even with a lower sequence number: accepted. */
	p.seq = 10;
	p.tsval += 1000;
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_SYN | F_ACK);
	CHECK_EQ(s.ack, 11);
	CHECK_EQ(state_of(&p), PTCP_TCPS_SYN_RECEIVED);
	CHECK_EQ(H_STAT(h, tcp_tw_reuse_syn), 1);
	return end_clean();
}

static int
time_wait_refuses_syn_with_old_timestamp(void)
{
	struct peer p;
	struct h_seg s;
	uint32_t tw_ack;

	CHECK(setup(NULL, 0) == 0);
	CHECK(to_time_wait(&p, 5033, true) == 0);
	tw_ack = p.seq;
	p.tsval -= 100;
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);             /* the TIME-WAIT ACK */
	CHECK_EQ(s.ack, tw_ack);
	CHECK(in_time_wait(&p));
	CHECK_EQ(H_STAT(h, tcp_tw_reuse_syn), 0);
	return end_clean();
}

static int
time_wait_reused_by_syn_with_higher_seq_without_timestamps(void)
{
	struct peer p;
	struct h_seg s;
	uint32_t tw_ack;

	CHECK(setup(NULL, 0) == 0);
	CHECK(to_time_wait(&p, 5034, false) == 0);
	tw_ack = p.seq;
	/* Lower sequence: refused. */
	p.seq = tw_ack - 100;
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK(in_time_wait(&p));
	/* Higher: accepted (RFC 1122 §4.2.2.13). */
	p.seq = tw_ack + 100000;
	p_send(&p, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_SYN | F_ACK);
	return end_clean();
}

static int
time_wait_cap_drops_and_counts(void)
{
	static const char *const sets[] = { "tcp.max_tw=1" };
	struct peer p1, p2;

	CHECK(setup(sets, 1) == 0);
	CHECK(to_time_wait(&p1, 5035, false) == 0);
	CHECK(establish(&p2, 5036, false) == 0);
	{
		struct h_seg s;

		ptcp_close(app.c);
		CHECK_EQ(p_recv(&p2, &s, 0), 1);
		p_send(&p2, F_FIN | F_ACK, NULL, 0);
		CHECK_EQ(p_recv(&p2, &s, 1), 1);
		CHECK_EQ(s.flags, F_ACK);        /* the FIN is still ACKed */
	}
	CHECK(in_time_wait(&p1));
	CHECK(!in_time_wait(&p2));
	CHECK_EQ(H_STAT(h, tcp_tw_cap), 1);
	CHECK_EQ(TL()->nb_tw, 1);
	return end_clean();
}

static int
connect_reuses_time_wait_tuple_only_with_timestamps(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8090, .lport = CLI_PORT };
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(connect_to(&p, 8090, true) == 0);
	ptcp_close(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK(in_time_wait(&p));
	/* Too soon: the peer might not tell the incarnations apart. */
	CHECK(ptcp_connect(h->lc, &o, &app_ops) == NULL);
	CHECK_EQ(rte_errno, EADDRINUSE);
	h_poll(h, 1100);
	CHECK(in_time_wait(&p));
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	CHECK_EQ(H_STAT(h, tcp_tw_reuse_connect), 1);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.flags, F_SYN);
	return end_clean();
}

/* ==================================================================== */
/* SYN backlog and cookies                                              */
/* ==================================================================== */

static int
full_backlog_switches_to_syn_cookies_and_cookie_ack_connects(void)
{
	struct peer p[6];
	struct h_seg s;
	int i;

	CHECK(setup(NULL, 0) == 0);
	for (i = 0; i < 5; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].port = (uint16_t)(7000 + i);
		p[i].lport = SRV_PORT;
		p[i].seq = 100u * (unsigned int)i;
		p[i].ts = true;
		p[i].tsval = 1000;
		p_send(&p[i], F_SYN, NULL, 0);
		CHECK_EQ(p_recv(&p[i], &s, 1), 1);
		CHECK_EQ(s.flags, F_SYN | F_ACK);
	}
	/* The backlog holds 4; the fifth got a cookie and no state. */
	CHECK_EQ(tcp_nb_conns(TL()), 4);
	CHECK_EQ(H_STAT(h, tcp_syncookie_sent), 1);
	CHECK_EQ(H_STAT(h, tcp_syn_backlog_full), 1);
	/* Its ACK, echoing the cookie's timestamp, makes the connection. */
	p_send(&p[4], F_ACK, "GET", 3);
	CHECK_EQ(p_recv(&p[4], &s, 1), 1);
	CHECK_EQ(s.ack, p[4].seq);
	CHECK_EQ(H_STAT(h, tcp_syncookie_ok), 1);
	CHECK_EQ(app.accepted, 1);
	CHECK_EQ(app.rx_len, 3);
	CHECK_EQ(state_of(&p[4]), PTCP_TCPS_ESTABLISHED);
	{
		struct ptcp_conn *c = tcb_of(&p[4]);

		CHECK(c->flags & TF_TS);
		CHECK(c->flags & TF_WS);
		CHECK_EQ(c->snd_wscale, 7);
		CHECK(c->flags & TF_SACK_OK);
		CHECK_EQ(c->t_maxseg, 1460 - 12);
	}
	ptcp_abort(app.c);
	return end_clean();
}

static int
bad_cookie_ack_gets_rst_and_is_counted(void)
{
	struct peer p = { .port = 7100, .lport = SRV_PORT, .seq = 55 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	p_raw(&p, 56, 123456789, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_RST);
	CHECK_EQ(s.seq, 123456789);
	CHECK_EQ(H_STAT(h, tcp_syncookie_bad), 1);
	CHECK_EQ(tcp_nb_conns(TL()), 0);
	return end_clean();
}

static int
full_backlog_without_cookies_drops_syn(void)
{
	static const char *const sets[] = { "tcp.syncookies=no",
		"tcp.syn_backlog=1" };
	struct peer p1 = { .port = 7200, .lport = SRV_PORT, .seq = 1 };
	struct peer p2 = { .port = 7201, .lport = SRV_PORT, .seq = 1 };
	struct h_seg s;

	CHECK(setup(sets, 2) == 0);
	p_send(&p1, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p1, &s, 1), 1);
	p_send(&p2, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p2, &s, 1), 0);
	CHECK_EQ(H_STAT(h, tcp_syn_drop), 1);
	return end_clean();
}

static int
connection_cap_drops_and_counts(void)
{
	static const char *const sets[] = { "tcp.max_conns=16",
		"tcp.syn_backlog=100" };
	struct peer p;
	struct h_seg s;
	int i;

	CHECK(setup(sets, 2) == 0);
	for (i = 0; i < 17; i++) {
		memset(&p, 0, sizeof(p));
		p.port = (uint16_t)(7300 + i);
		p.lport = SRV_PORT;
		p.seq = 9;
		p_send(&p, F_SYN, NULL, 0);
		h_poll(h, 0);
	}
	CHECK_EQ(tcp_nb_conns(TL()), 16);
	CHECK_EQ(H_STAT(h, tcp_conn_cap), 1);
	while (h_tcp_recv(h, 0, &s) == 1)
		;
	return end_clean();
}

/* ==================================================================== */
/* Retransmission and timers                                            */
/* ==================================================================== */

static int
syn_retries_exhausted_closes_with_timeout(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8100, .lport = CLI_PORT };
	struct peer p = { .port = 8100, .lport = CLI_PORT };
	struct h_seg s;
	int syns = 0, i;

	CHECK(setup(NULL, 0) == 0);
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	/* 1 + 3 retries at 1, 2, 4 s; given up after 8 s more. */
	for (i = 0; i < 200; i++) {
		while (p_recv(&p, &s, 0) == 1) {
			CHECK_EQ(s.flags, F_SYN);
			syns++;
		}
		h_poll(h, 100);
	}
	CHECK_EQ(syns, 4);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_syn_rexmt), 3);
	return end_clean();
}

static int
synack_retries_exhausted_frees_quietly(void)
{
	struct peer p = { .port = 7400, .lport = SRV_PORT, .seq = 5 };
	struct h_seg s;
	int synacks = 0, i;

	CHECK(setup(NULL, 0) == 0);
	p_send(&p, F_SYN, NULL, 0);
	for (i = 0; i < 100; i++) {
		while (p_recv(&p, &s, 0) == 1)
			synacks += s.flags == (F_SYN | F_ACK);
		h_poll(h, 100);
	}
	CHECK_EQ(synacks, 3);
	CHECK_EQ(tcp_nb_conns(TL()), 0);
	CHECK_EQ(app.accepted + app.closed, 0);
	CHECK_EQ(H_STAT(h, tcp_synack_rexmt), 2);
	return end_clean();
}

static int
lost_data_is_retransmitted_on_rto(void)
{
	struct peer p;
	struct h_seg s1, s2;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5040, false) == 0);
	CHECK_EQ(ptcp_send(app.c, "hello", 5), 5);
	CHECK_EQ(p_recv(&p, &s1, 0), 1);
	CHECK_EQ(s1.len, 5);
	/*
	 * Lost: nothing acknowledged. The handshake measured an RTT of
	 * ~1 ms, so RFC 6298 gives the floor, rto_min (200 ms).
	 */
	CHECK_EQ(tcp_rexmt_ms(tcb_of(&p)), 200);
	CHECK_EQ(p_recv(&p, &s2, 150), 0);
	CHECK_EQ(p_recv(&p, &s2, 100), 1);
	CHECK_EQ(s2.seq, s1.seq);
	CHECK_EQ(s2.len, 5);
	CHECK(memcmp(s2.data, "hello", 5) == 0);
	CHECK_EQ(H_STAT(h, tcp_rto), 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(tcb_of(&p)->sndq_len, 0);
	CHECK(!ptcp_timer_pending(&tcb_of(&p)->t_rexmt));
	ptcp_abort(app.c);
	return end_clean();
}

static int
data_retries_exhausted_resets_with_timeout(void)
{
	struct peer p;
	struct h_seg s;
	int i;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5041, false) == 0);
	ptcp_send(app.c, "x", 1);
	for (i = 0; i < 600 && app.closed == 0; i++)
		h_poll(h, 100);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_rto), 4);
	while (h_tcp_recv(h, 0, &s) == 1)
		;
	CHECK(s.flags & F_RST);                  /* the last one */
	return end_clean();
}

static int
orphan_fin_retries_exhausted_resets_and_frees(void)
{
	struct peer p;
	struct h_seg s;
	int i, fins = 0;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5042, false) == 0);
	ptcp_close(app.c);
	for (i = 0; i < 300 && app.closed == 0; i++) {
		while (h_tcp_recv(h, 0, &s) == 1) {
			fins += (s.flags & F_FIN) != 0;
			if (s.flags & F_RST)
				break;
		}
		h_poll(h, 100);
	}
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(fins, 3);                       /* first + 2 retries */
	CHECK_EQ(H_STAT(h, tcp_fin_rexmt), 2);
	return end_clean();
}

static int
keepalive_probes_then_drops(void)
{
	static const char *const sets[] = { "tcp.keepalive=yes",
		"tcp.keepalive_idle_s=10", "tcp.keepalive_intvl_s=2",
		"tcp.keepalive_cnt=3" };
	struct peer p;
	struct h_seg s;
	int probes = 0, i;

	CHECK(setup(sets, 4) == 0);
	CHECK(establish(&p, 5043, false) == 0);
	/* A probe is answered: the connection lives on. */
	CHECK_EQ(p_recv(&p, &s, 10001), 1);
	CHECK_EQ(s.seq, p.ack - 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(H_STAT(h, tcp_keepalive_probe), 1);
	/* Then the peer goes silent. */
	for (i = 0; i < 300 && app.closed == 0; i++) {
		while (h_tcp_recv(h, 0, &s) == 1)
			probes += !(s.flags & F_RST);
		h_poll(h, 100);
	}
	CHECK_EQ(probes, 3);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_keepalive_drop), 1);
	return end_clean();
}

/* Listen again on SRV_PORT with an idle timeout of @idle_s. */
static int
listen_idle(uint32_t idle_s)
{
	const struct ptcp_listen_opts o = { .keepalive = -1,
		.idle_timeout_s = idle_s };

	CHECK_EQ(ptcp_unlisten(h->lc, SRV_PORT), 0);
	CHECK_EQ(ptcp_listen(h->lc, SRV_PORT, &app_ops, NULL, &o), 0);
	return 0;
}

static int
idle_timeout_resets_a_silent_peer(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(listen_idle(5) == 0);
	CHECK(establish(&p, 5045, false) == 0);
	/* Any segment starts the 5 s again: a bare ACK at 3 s. */
	h_poll(h, 3000);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	h_poll(h, 4800);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_SILENT();
	CHECK_EQ(p_recv(&p, &s, 300), 1);
	CHECK_EQ(s.flags & F_RST, F_RST);
	CHECK_EQ(s.seq, p.ack);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_idle_drop), 1);
	CHECK_EQ(H_STAT(h, tcp_rst_tx_timeout), 1);
	return end_clean();
}

/* Keepalive runs in ESTABLISHED only; the idle timeout in every state. */
static int
idle_timeout_ends_close_wait_and_fin_wait_2(void)
{
	struct peer a, b;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(listen_idle(5) == 0);
	CHECK(establish(&a, 5046, false) == 0);
	p_send(&a, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&a, &s, 1), 1);
	CHECK_EQ(state_of(&a), PTCP_TCPS_CLOSE_WAIT);
	CHECK(establish(&b, 5047, false) == 0);
	/* Shut down, not closed: FIN-WAIT-2 has no limit of its own. */
	CHECK_EQ(ptcp_shutdown(app.c), 0);
	CHECK_EQ(p_recv(&b, &s, 1), 1);
	CHECK_EQ(s.flags & F_FIN, F_FIN);
	p_send(&b, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&b), PTCP_TCPS_FIN_WAIT_2);
	h_poll(h, 4900);
	CHECK_EQ(state_of(&a), PTCP_TCPS_CLOSE_WAIT);
	CHECK_EQ(state_of(&b), PTCP_TCPS_FIN_WAIT_2);
	h_poll(h, 200);
	CHECK_EQ(state_of(&a), PTCP_TCPS_CLOSED);
	CHECK_EQ(state_of(&b), PTCP_TCPS_CLOSED);
	CHECK_EQ(app.closed, 2);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_idle_drop), 2);
	CHECK_EQ(H_STAT(h, tcp_rst_tx_timeout), 2);
	return end_clean();
}

/* A live peer answers keepalive probes: they keep the idle timeout off. */
static int
answered_keepalive_keeps_the_idle_timeout_off(void)
{
	static const char *const sets[] = { "tcp.keepalive=yes",
		"tcp.keepalive_idle_s=2", "tcp.keepalive_intvl_s=1",
		"tcp.keepalive_cnt=3" };
	struct peer p;
	struct h_seg s;
	int probes = 0, i;

	CHECK(setup(sets, 4) == 0);
	CHECK(listen_idle(5) == 0);
	CHECK(establish(&p, 5048, false) == 0);
	for (i = 0; i < 200; i++) {
		if (p_recv(&p, &s, 100) != 1)
			continue;
		CHECK_EQ(s.flags & F_RST, 0);
		CHECK_EQ(s.seq, p.ack - 1);
		probes++;
		p_send(&p, F_ACK, NULL, 0);
	}
	/* One every 2 s for 20 s, each answered at once. */
	CHECK_EQ(probes, 9);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(H_STAT(h, tcp_idle_drop), 0);
	/* Silent now: 3 probes 1 s apart after 2 s, the reset at 5 s,
	 * which is the idle timeout too: one of them, once. */
	probes = 0;
	for (i = 0; i < 80 && app.closed == 0; i++) {
		while (h_tcp_recv(h, 0, &s) == 1)
			probes += !(s.flags & F_RST);
		h_poll(h, 100);
	}
	CHECK_EQ(probes, 3);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_idle_drop) + H_STAT(h, tcp_keepalive_drop), 1);
	return end_clean();
}

static int
zero_window_is_probed_and_send_resumes(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5044, false) == 0);
	/* The peer closes its window. */
	p.wnd = 0;
	p.wnd_set = true;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(ptcp_send(app.c, "wait", 4), 4);
	h_poll(h, 1);
	CHECK_EQ(h_tcp_recv(h, 0, &s), 0);        /* nothing may go */
	CHECK_EQ(p_recv(&p, &s, 250), 1);         /* a probe after the RTO */
	CHECK_EQ(s.len, 0);
	CHECK_EQ(s.seq, p.ack - 1);
	CHECK_EQ(H_STAT(h, tcp_zero_window_probe), 1);
	/* Probes back off: the next one comes 2 * RTO later. */
	CHECK_EQ(p_recv(&p, &s, 300), 0);
	CHECK_EQ(p_recv(&p, &s, 150), 1);
	CHECK_EQ(H_STAT(h, tcp_zero_window_probe), 2);
	/* The window opens: the data flows. */
	p.wnd = 1000;
	p_send(&p, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.len, 4);
	ptcp_abort(app.c);
	return end_clean();
}

/* ==================================================================== */
/* Sending and options                                                  */
/* ==================================================================== */

static int
send_is_segmented_to_peer_mss_and_window(void)
{
	static uint8_t buf[10000];
	struct peer p;
	struct h_seg s;
	uint32_t got = 0, i;
	int n = 0;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5050, true) == 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31);
	CHECK_EQ(ptcp_send(app.c, buf, sizeof(buf)), (int)sizeof(buf));
	while (p_recv(&p, &s, 0) == 1) {
		CHECK(s.len <= 1460 - 12);
		CHECK(memcmp(s.data, buf + got, s.len) == 0);
		got += s.len;
		n++;
	}
	CHECK_EQ(got, sizeof(buf));
	CHECK_EQ(n, 7);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(tcb_of(&p)->sndq_len, 0);
	ptcp_abort(app.c);
	return end_clean();
}

static int
send_space_limits_and_writable_follows(void)
{
	static const char *const sets[] = { "tcp.snd_buf=4096" };
	static uint8_t buf[6000];
	struct peer p;
	struct h_seg s;

	CHECK(setup(sets, 1) == 0);
	CHECK(establish(&p, 5051, false) == 0);
	CHECK_EQ(ptcp_send(app.c, buf, sizeof(buf)), 4096);
	CHECK_EQ(ptcp_send_space(app.c), 0);
	while (p_recv(&p, &s, 0) == 1)
		;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(app.writable, 1);
	CHECK_EQ(ptcp_send_space(app.c), 4096);
	ptcp_abort(app.c);
	return end_clean();
}

static int
send_before_established_is_enotconn(void)
{
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8110, .lport = CLI_PORT };
	struct ptcp_conn *c;

	CHECK(setup(NULL, 0) == 0);
	c = ptcp_connect(h->lc, &o, &app_ops);
	CHECK(c != NULL);
	CHECK_EQ(ptcp_send(c, "x", 1), -ENOTCONN);
	CHECK_EQ(ptcp_shutdown(c), -ENOTCONN);
	ptcp_close(c);
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_ABORTED);
	return end_clean();
}

static int
syn_without_options_uses_defaults(void)
{
	struct peer p = { .port = 5052, .lport = SRV_PORT, .seq = 1 };
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	h_inject(h, 0, h_tcp_frame(h, PEER, p.port, OUR, SRV_PORT, 1, 0, F_SYN,
		1000, NULL, 0, NULL, 0));
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_SYN | F_ACK);
	/* Only what the SYN offered comes back (RFC 7323 §2.2). */
	CHECK(!(s.opt.present & (TOF_WSCALE | TOF_TS | TOF_SACKOK)));
	CHECK_EQ(tcb_of(&p)->t_maxseg, 536);
	return end_clean();
}

static int
tcb_and_time_wait_sizes_are_pinned(void)
{
	CHECK(sizeof(struct ptcp_conn) <= 256);
	CHECK(sizeof(struct tcp_tw) <= 64);
	CHECK(sizeof(struct tcp_recov) <= 256);
	printf("  sizeof TCB %zu, TIME-WAIT entry %zu, recovery block %zu\n",
		sizeof(struct ptcp_conn), sizeof(struct tcp_tw),
		sizeof(struct tcp_recov));
	return 0;
}

static int
drain_fins_every_connection_then_resets_the_rest(void)
{
	static const char *const sets[] = { "tcp.drain_ms=50" };
	struct peer p1, p2;
	struct h_seg s;
	int fins = 0, rsts = 0;

	CHECK(setup(sets, 1) == 0);
	CHECK(establish(&p1, 5060, false) == 0);
	CHECK(establish(&p2, 5061, false) == 0);
	ptcp_tcp_drain(h->lc);
	while (h_tcp_recv(h, 0, &s) == 1) {
		fins += (s.flags & F_FIN) != 0;
		rsts += (s.flags & F_RST) != 0;
	}
	CHECK_EQ(fins, 2);
	CHECK_EQ(rsts, 2);                 /* nobody answered in 50 ms */
	CHECK_EQ(app.closed, 2);
	CHECK_EQ(H_STAT(h, tcp_shutdown_rst), 2);
	/* New SYNs are refused while draining. */
	p1.port = 5062;
	p1.seq = 1;
	p_send(&p1, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p1, &s, 1), 1);
	CHECK(s.flags & F_RST);
	return end_clean();
}


static int
unlisten_resets_every_half_open_connection(void)
{
	struct peer p[3];
	struct h_seg s;
	int i, rsts = 0;

	CHECK(setup(NULL, 0) == 0);
	for (i = 0; i < 3; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].port = (uint16_t)(7500 + i);
		p[i].lport = SRV_PORT;
		p[i].seq = 1;
		p_send(&p[i], F_SYN, NULL, 0);
		CHECK_EQ(p_recv(&p[i], &s, 1), 1);
	}
	CHECK_EQ(ptcp_unlisten(h->lc, SRV_PORT), 0);
	h_poll(h, 1);
	while (h_tcp_recv(h, 0, &s) == 1)
		rsts += (s.flags & F_RST) != 0;
	CHECK_EQ(rsts, 3);
	CHECK_EQ(tcp_nb_conns(TL()), 0);
	/* A new listener in the slot starts with an empty backlog. */
	CHECK_EQ(ptcp_listen(h->lc, SRV_PORT, &app_ops, NULL, NULL), 0);
	CHECK(establish(&p[0], 7510, false) == 0);
	CHECK_EQ(H_STAT(h, tcp_syncookie_sent), 0);
	ptcp_abort(app.c);
	return end_clean();
}

static int
cookie_synack_without_timestamps_offers_no_window_scale(void)
{
	static const char *const sets[] = { "tcp.syn_backlog=1" };
	struct peer p1 = { .port = 7520, .lport = SRV_PORT, .seq = 1 };
	struct peer p2 = { .port = 7521, .lport = SRV_PORT, .seq = 1 };
	struct h_seg s;

	CHECK(setup(sets, 1) == 0);
	p_send(&p1, F_SYN, NULL, 0);
	CHECK_EQ(p_recv(&p1, &s, 1), 1);
	p_send(&p2, F_SYN, NULL, 0);             /* WS and SACK, no TS */
	CHECK_EQ(p_recv(&p2, &s, 1), 1);
	CHECK_EQ(H_STAT(h, tcp_syncookie_sent), 1);
	CHECK(s.opt.present & TOF_MSS);
	CHECK(!(s.opt.present & (TOF_WSCALE | TOF_SACKOK | TOF_TS)));
	p_send(&p2, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p2), PTCP_TCPS_ESTABLISHED);
	CHECK(!(tcb_of(&p2)->flags & TF_WS));
	ptcp_abort(app.c);
	return end_clean();
}

static int
fin_beyond_a_hole_gets_duplicate_ack(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5070, false) == 0);
	p_raw(&p, p.seq + 10, p.ack, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	ptcp_abort(app.c);
	return end_clean();
}

static int
zero_window_probes_give_up_after_data_retries(void)
{
	struct peer p;
	int i;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5071, false) == 0);
	p.wnd = 0;
	p.wnd_set = true;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	ptcp_send(app.c, "wait", 4);
	for (i = 0; i < 600 && app.closed == 0; i++) {
		h_poll(h, 100);
		h_drain(h, 0);
	}
	CHECK_EQ(app.closed, 1);
	CHECK_EQ(app.reason, PTCP_CLOSE_TIMEOUT);
	CHECK_EQ(H_STAT(h, tcp_zero_window_probe), 4);   /* data_retries */
	return end_clean();
}

static int
writable_follows_enobufs_without_any_ack(void)
{
	static uint8_t buf[8192];
	struct rte_mbuf *hold[4096];
	struct peer p;
	unsigned int n = 0;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5080, false) == 0);
	/* Take every mbuf of the engine's pool. */
	while (n < RTE_DIM(hold) &&
			(hold[n] = rte_pktmbuf_alloc(h->lc->pool)) != NULL)
		n++;
	CHECK(n > 0 && n < RTE_DIM(hold));
	CHECK_EQ(ptcp_send(app.c, buf, sizeof(buf)), -ENOBUFS);
	h_poll(h, 1);
	CHECK_EQ(app.writable, 0);
	/* Mbufs come back; no segment arrives; writable comes anyway. */
	rte_pktmbuf_free_bulk(hold, n);
	h_poll(h, 1);
	CHECK_EQ(app.writable, 1);
	CHECK_EQ(ptcp_send(app.c, buf, sizeof(buf)), (int)sizeof(buf));
	ptcp_abort(app.c);
	return end_clean();
}

static int
fin_and_its_retransmission_in_one_burst_meet_time_wait(void)
{
	struct peer p;
	struct h_seg s;
	int acks = 0;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5090, true) == 0);
	ptcp_shutdown(app.c);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_2);
	/* The FIN and a copy of it arrive in the same RX burst: the first
	 * moves the connection to TIME-WAIT, the copy must meet the
	 * TIME-WAIT entry, not the TCB that was just freed. */
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	p_raw(&p, p.seq - 1, p.ack, F_FIN | F_ACK, NULL, 0);
	h_poll(h, 1);
	while (h_tcp_recv(h, 0, &s) == 1)
		acks += s.flags == F_ACK && s.ack == p.seq;
	CHECK_EQ(acks, 2);
	CHECK_EQ(H_STAT(h, tcp_tw_reack), 1);
	CHECK(in_time_wait(&p));
	CHECK_EQ(app.closed, 1);
	return end_clean();
}

static int
reply_and_close_in_data_callback_is_one_segment(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 5095, true) == 0);
	app.reply_and_close = true;
	p_send(&p, F_ACK | F_PSH, "ping", 4);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	/* The ACK of "ping", the response and the FIN travel together. */
	CHECK_EQ(s.flags & (F_ACK | F_FIN), F_ACK | F_FIN);
	CHECK_EQ(s.len, 4);
	CHECK(memcmp(s.data, "pong", 4) == 0);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(h_tcp_recv(h, 0, &s), 0);        /* and nothing else */
	CHECK_EQ(state_of(&p), PTCP_TCPS_FIN_WAIT_1);
	p_send(&p, F_FIN | F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_TIME_WAIT);
	return end_clean();
}

static int
connect_from_an_extra_address(void)
{
	static const char *const sets[] = {
		"port0.extra_addresses=10.98.0.30" };
	struct ptcp_connect_opts o = { .raddr = rte_cpu_to_be_32(PEER),
		.rport = 8120, .lport = CLI_PORT,
		.laddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 30)) };
	struct peer p = { .port = 8120, .lport = CLI_PORT, .seq = 77 };
	struct h_seg s;

	CHECK(setup(sets, 1) == 0);
	CHECK(ptcp_connect(h->lc, &o, &app_ops) != NULL);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.flags, F_SYN);
	CHECK_EQ(s.saddr, RTE_IPV4(10, 98, 0, 30));
	h_inject(h, 0, h_tcp_frame(h, PEER, 8120, RTE_IPV4(10, 98, 0, 30),
		CLI_PORT, 77, p.ack, F_SYN | F_ACK, 65535, NULL, 0, NULL, 0));
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(app.connected, 1);
	/* An address that is not the port's is refused. */
	o.laddr = rte_cpu_to_be_32(RTE_IPV4(10, 98, 0, 31));
	o.lport = CLI_PORT + 1;
	CHECK(ptcp_connect(h->lc, &o, &app_ops) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	ptcp_abort(app.c);
	return end_clean();
}

static int
held_data_closes_the_window_and_release_reopens_it(void)
{
	static const char *const sets[] = { "tcp.rcv_buf=8192" };
	static uint8_t chunk[1024];
	struct peer p;
	struct h_seg s;
	int i;

	CHECK(setup(sets, 1) == 0);
	CHECK(establish(&p, 5096, false) == 0);
	app.hold = true;
	/* 8 KiB the app keeps: each ACK offers less, the last one nothing. */
	for (i = 0; i < 8; i++) {
		p_send(&p, F_ACK, chunk, sizeof(chunk));
		CHECK_EQ(p_recv(&p, &s, 1), 1);
		CHECK_EQ(s.ack, p.seq);
		CHECK_EQ(s.wnd, 8192 - 1024 * (i + 1));
	}
	CHECK_EQ(app.rx_len, 8192);
	/* The app consumes half: a window update goes out at once. */
	ptcp_recv_release(app.c, 4096);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.wnd, 4096);
	/* A small release does not send one (SWS avoidance)... */
	ptcp_recv_hold(app.c, 0);
	ptcp_recv_release(app.c, 512);
	CHECK_EQ(p_recv(&p, &s, 0), 0);
	/* ...but the next ACK carries it. */
	p_send(&p, F_ACK, chunk, 100);
	CHECK_EQ(p_recv(&p, &s, 1), 1);
	CHECK_EQ(s.wnd, 4096 + 512 - 100);
	ptcp_abort(app.c);
	return end_clean();
}

static int
timestamp_clock_never_goes_back_across_restarts(void)
{
	uint32_t prev = 0, ts;
	int i;

	/* Each setup is a new engine, as a restarted process would be. */
	for (i = 0; i < 4; i++) {
		CHECK(setup(NULL, 0) == 0);
		ts = tcp_ts_now(TL());
		if (i != 0)
			CHECK_MSG(!TSTMP_LT(ts, prev) && ts - prev < 5000,
				"restart %d: TSval %u after %u", i, ts, prev);
		prev = ts;
		h_teardown(h);
	}
	return 0;
}

/* ==================================================================== */
/* Reliable data: delayed ACK, reassembly, SACK, recovery, Nagle          */
/* ==================================================================== */

/* The peer sends an ACK carrying SACK blocks (RFC 2018). */
static void
p_sack(struct peer *p, const struct tcp_sack_block *blk, unsigned int n)
{
	uint8_t opt[40];
	unsigned int optlen;

	optlen = tcp_opt_build_ack(opt, p->ts, p->tsval, p->tsecr, blk, n);
	h_inject(h, 0, h_tcp_frame(h, PEER, p->port, OUR, p->lport, p->seq,
		p->ack, F_ACK, 65535, opt, optlen, NULL, 0));
}

/* A duplicate ACK from the peer: its current seq and ack, no data. */
static void
p_dupack(struct peer *p)
{
	p_raw(p, p->seq, p->ack, F_ACK, NULL, 0);
}

/* Send @n full segments of pattern data; collect them; @first = seq. */
static int
send_segments(struct peer *p, unsigned int n, uint32_t *first,
		uint32_t *mss)
{
	static uint8_t buf[64 * 1460];
	struct h_seg s;
	unsigned int i, got = 0;
	uint32_t len;

	len = tcb_of(p)->t_maxseg;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	CHECK_EQ(ptcp_send(app.c, buf, n * len), (int)(n * len));
	*first = tcb_of(p)->snd_una;
	*mss = len;
	while (p_recv(p, &s, 0) == 1) {
		CHECK_EQ(s.seq, *first + got * len);
		CHECK_EQ(s.len, len);
		got++;
	}
	CHECK_EQ(got, n);
	return 0;
}

static int
delayed_ack_waits_for_the_timer_or_a_second_full_segment(void)
{
	static const char *const sets[] = { "tcp.delack_ms=40" };
	static uint8_t full[1460];
	struct peer p;
	struct h_seg s;

	CHECK(setup(sets, 1) == 0);
	CHECK(establish(&p, 6000, false) == 0);
	/* A small segment: no ACK before 40 ms, one at 40 ms. */
	p_send(&p, F_ACK | F_PSH, "hello", 5);
	CHECK_EQ(p_recv(&p, &s, 0), 0);
	CHECK_EQ(p_recv(&p, &s, 38), 0);
	CHECK_EQ(p_recv(&p, &s, 3), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(H_STAT(h, tcp_delack), 1);
	/* Two full segments: the second is ACKed at once. */
	p_send(&p, F_ACK, full, sizeof(full));
	CHECK_EQ(p_recv(&p, &s, 1), 0);
	p_send(&p, F_ACK, full, sizeof(full));
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(H_STAT(h, tcp_delack), 1);
	/* An app that answers at once: the ACK rides on its data. */
	app.reply_and_close = true;
	p_send(&p, F_ACK | F_PSH, "ping", 4);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.len, 4);
	CHECK_EQ(s.ack, p.seq);
	CHECK((s.flags & F_FIN) != 0);
	CHECK_EQ(H_STAT(h, tcp_delack), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
out_of_order_data_is_sacked_and_delivered_when_the_hole_fills(void)
{
	static const char *const sets[] = { "tcp.delack_ms=40" };
	uint8_t d[400];
	struct peer p;
	struct h_seg s;
	uint32_t base;
	unsigned int i;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 13 + 1);
	CHECK(setup(sets, 1) == 0);
	CHECK(establish(&p, 6001, true) == 0);
	base = p.seq;
	/* [100, 200) beyond a hole: dup ACK at once, one SACK block. */
	p_raw(&p, base + 100, p.ack, F_ACK, d + 100, 100);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.ack, base);
	CHECK_EQ(s.opt.nsack, 1);
	CHECK_EQ(s.opt.sack[0].start, base + 100);
	CHECK_EQ(s.opt.sack[0].end, base + 200);
	/* [300, 400): two blocks, the newest first. */
	p_raw(&p, base + 300, p.ack, F_ACK | F_FIN, d + 300, 100);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.ack, base);
	CHECK_EQ(s.opt.nsack, 2);
	CHECK_EQ(s.opt.sack[0].start, base + 300);
	CHECK_EQ(s.opt.sack[0].end, base + 400);
	CHECK_EQ(s.opt.sack[1].start, base + 100);
	CHECK_EQ(app.rx_len, 0);
	/* A duplicate of queued data changes nothing. */
	p_raw(&p, base + 120, p.ack, F_ACK, d + 120, 50);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.ack, base);
	/* [0, 100): delivered with [100, 200) behind it, ACKed at once. */
	p_raw(&p, base, p.ack, F_ACK, d, 100);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.ack, base + 200);
	CHECK_EQ(s.opt.nsack, 1);
	CHECK_EQ(app.rx_len, 200);
	/* [200, 300): the rest, and the FIN that waited behind it. */
	p_raw(&p, base + 200, p.ack, F_ACK, d + 200, 100);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.ack, base + 401);
	CHECK_EQ(s.opt.nsack, 0);
	CHECK_EQ(app.rx_len, 400);
	CHECK(memcmp(app.rx, d, sizeof(d)) == 0);
	CHECK_EQ(app.peer_closed, 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_CLOSE_WAIT);
	CHECK_EQ(H_STAT(h, tcp_ooo_segs), 2);
	CHECK_EQ(H_STAT(h, tcp_dup_data), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static int
three_duplicate_acks_retransmit_at_once(void)
{
	struct peer p;
	struct h_seg s;
	uint32_t first, mss, i;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 6002, false) == 0);
	/* Initial window: 10 segments (RFC 6928 with a 1460 MSS). */
	CHECK(send_segments(&p, 10, &first, &mss) == 0);
	p.ack = first;
	/* Two dup ACKs: limited transmit (RFC 3042) may send new data
	 * (none queued here), no retransmission. */
	p_dupack(&p);
	p_dupack(&p);
	CHECK_EQ(p_recv(&p, &s, 0), 0);
	p_dupack(&p);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.seq, first);
	CHECK_EQ(s.len, mss);
	CHECK_EQ(H_STAT(h, tcp_fast_rexmt), 1);
	CHECK_EQ(H_STAT(h, tcp_dup_ack_rx), 3);
	CHECK_EQ(H_STAT(h, tcp_rto), 0);
	/* The full ACK ends recovery with a smaller window. */
	p.ack = first + 10 * mss;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK((tcb_of(&p)->flags & TF_RECOVERY) == 0);
	CHECK(tcb_of(&p)->cc.cwnd < 10 * mss);
	CHECK(tcb_of(&p)->cc.cwnd >= 2 * mss);
	for (i = 0; i < 3; i++)
		CHECK_SILENT();
	ptcp_abort(app.c);
	return end_clean();
}

static int
newreno_partial_ack_retransmits_the_next_hole(void)
{
	static const char *const sets[] = { "tcp.sack=no", "tcp.cc=newreno" };
	struct peer p;
	struct h_seg s;
	uint32_t first, mss, ssthresh;

	CHECK(setup(sets, 2) == 0);
	CHECK(establish(&p, 6003, false) == 0);
	CHECK(send_segments(&p, 10, &first, &mss) == 0);
	/* Segments 0 and 3 are lost. */
	p.ack = first;
	p_dupack(&p);
	p_dupack(&p);
	p_dupack(&p);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.seq, first);
	ssthresh = tcb_of(&p)->cc.ssthresh;
	CHECK_EQ(ssthresh, 5 * mss);              /* flight 10 MSS / 2 */
	/* The retransmission fills the first hole: ACK up to segment 3. */
	p.ack = first + 3 * mss;
	p_send(&p, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.seq, first + 3 * mss);         /* the next hole, at once */
	CHECK_EQ(H_STAT(h, tcp_partial_ack), 1);
	CHECK((tcb_of(&p)->flags & TF_RECOVERY) != 0);
	/* All acknowledged: recovery over, cwnd deflated to ssthresh. */
	p.ack = first + 10 * mss;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK((tcb_of(&p)->flags & TF_RECOVERY) == 0);
	CHECK(tcb_of(&p)->cc.cwnd <= ssthresh);
	CHECK_EQ(H_STAT(h, tcp_rto), 0);
	ptcp_abort(app.c);
	return end_clean();
}

static int
sack_blocks_mark_the_first_segment_lost(void)
{
	struct peer p;
	struct h_seg s;
	struct tcp_sack_block b;
	uint32_t first, mss;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 6004, true) == 0);
	CHECK(send_segments(&p, 10, &first, &mss) == 0);
	p.ack = first;
	/* Segments 1..3 arrived, 0 did not: three SACKed segments above it
	 * make it lost (RFC 6675 IsLost) after two duplicate ACKs. */
	b.start = first + mss;
	b.end = first + 2 * mss;
	p_sack(&p, &b, 1);
	b.end = first + 3 * mss;
	p_sack(&p, &b, 1);
	CHECK_EQ(p_recv(&p, &s, 0), 0);
	b.end = first + 4 * mss;
	p_sack(&p, &b, 1);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.seq, first);
	CHECK_EQ(s.len, mss);
	CHECK_EQ(H_STAT(h, tcp_fast_rexmt), 1);
	CHECK_EQ(H_STAT(h, tcp_sack_blocks_rx), 3);
	/* SACKed segments are not sent again: the ACK of segment 0 makes the
	 * next hole segment 4, and only new or unSACKed data follows. */
	p.ack = first + 4 * mss;
	b.start = first + 5 * mss;
	b.end = first + 10 * mss;
	p_sack(&p, &b, 1);
	while (p_recv(&p, &s, 0) == 1)
		CHECK(SEQ_LT(s.seq, first + 5 * mss) ||
			SEQ_GEQ(s.seq, first + 10 * mss));
	p.ack = first + 10 * mss;
	p_send(&p, F_ACK, NULL, 0);
	h_poll(h, 1);
	CHECK((tcb_of(&p)->flags & TF_RECOVERY) == 0);
	CHECK_EQ(H_STAT(h, tcp_rto), 0);
	ptcp_abort(app.c);
	return end_clean();
}

static int
rto_shrinks_cwnd_to_one_segment_then_slow_starts(void)
{
	struct peer p;
	struct h_seg s;
	uint32_t first, mss;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 6005, false) == 0);
	CHECK(send_segments(&p, 10, &first, &mss) == 0);
	/* No ACK: after the RTO (200 ms: the handshake measured ~1 ms)
	 * exactly one segment goes again. */
	CHECK_EQ(p_recv(&p, &s, 250), 1);
	CHECK_EQ(s.seq, first);
	CHECK_SILENT();
	CHECK_EQ(H_STAT(h, tcp_rto), 1);
	CHECK_EQ(tcb_of(&p)->cc.cwnd, mss);
	/* Its ACK lets two through (slow start). */
	p.ack = first + mss;
	p_send(&p, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.seq, first + mss);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.seq, first + 2 * mss);
	CHECK_SILENT();
	ptcp_abort(app.c);
	return end_clean();
}

/*
 * After an RTO rewinds SND.NXT, a pure ACK still carries SND.MAX: the peer
 * may already hold everything up to it, and would find an ACK with a lower
 * sequence number unacceptable and ignore what it acknowledges (two sides
 * in that state would wait on each other until they time out; found by the
 * lossy-wire test).
 */
static int
pure_ack_after_rto_carries_snd_max(void)
{
	struct peer p;
	struct h_seg s;
	uint32_t first, mss;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 6007, false) == 0);
	CHECK(send_segments(&p, 4, &first, &mss) == 0);
	CHECK_EQ(p_recv(&p, &s, 250), 1);           /* the RTO resend */
	CHECK_EQ(s.seq, first);
	CHECK_EQ(tcb_of(&p)->snd_nxt, first + mss);
	p.ack = first;                              /* nothing acknowledged */
	p_send(&p, F_ACK | F_PSH, "data", 4);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.len, 0);
	CHECK_EQ(s.seq, first + 4 * mss);
	CHECK_EQ(s.ack, p.seq);
	ptcp_abort(app.c);
	return end_clean();
}

/*
 * RFC 5961 §4: a SYN (here SYN|ACK with data) whose sequence number is just
 * below RCV.NXT, so that trimming would strip the SYN and keep the data,
 * still gets a challenge ACK and is dropped (found by the blind-attack
 * test).
 */
static int
syn_just_below_rcv_nxt_gets_challenge_ack(void)
{
	struct peer p;
	struct h_seg s;

	CHECK(setup(NULL, 0) == 0);
	CHECK(establish(&p, 6008, false) == 0);
	p_raw(&p, p.seq - 1, p.ack, F_SYN | F_ACK, "evil", 4);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.flags, F_ACK);
	CHECK_EQ(s.ack, p.seq);
	CHECK_EQ(app.rx_len, 0);
	CHECK_EQ(H_STAT(h, tcp_challenge_ack), 1);
	CHECK_EQ(state_of(&p), PTCP_TCPS_ESTABLISHED);
	ptcp_abort(app.c);
	return end_clean();
}

static int
nagle_holds_a_small_segment_until_the_ack(void)
{
	static const char *const sets[] = { "tcp.nagle=yes" };
	struct peer p;
	struct h_seg s;

	CHECK(setup(sets, 1) == 0);
	CHECK(establish(&p, 6006, false) == 0);
	CHECK_EQ(ptcp_send(app.c, "aaaa", 4), 4);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.len, 4);
	/* Unacknowledged data: the next small write waits ... */
	CHECK_EQ(ptcp_send(app.c, "bbbb", 4), 4);
	CHECK_EQ(ptcp_send(app.c, "cccc", 4), 4);
	CHECK_EQ(p_recv(&p, &s, 0), 0);
	/* ... for the ACK, and goes as one segment. */
	p_send(&p, F_ACK, NULL, 0);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.len, 8);
	CHECK(memcmp(s.data, "bbbbcccc", 8) == 0);
	/* Turned off, what it held goes at once. */
	CHECK_EQ(ptcp_send(app.c, "dddd", 4), 4);
	CHECK_EQ(p_recv(&p, &s, 0), 0);
	ptcp_conn_set_nagle(app.c, false);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	CHECK_EQ(s.len, 4);
	CHECK_EQ(ptcp_send(app.c, "eeee", 4), 4);
	CHECK_EQ(p_recv(&p, &s, 0), 1);
	ptcp_abort(app.c);
	return end_clean();
}

static const struct ptcp_test tests[] = {
	TEST(tcb_and_time_wait_sizes_are_pinned),
	TEST(listen_syn_gets_synack_with_our_options),
	TEST(syn_received_ack_goes_to_established),
	TEST(syn_received_bad_ack_gets_rst_and_stays),
	TEST(syn_received_rst_returns_to_listen),
	TEST(syn_received_retransmitted_syn_gets_synack_again),
	TEST(syn_received_other_syn_in_window_gets_challenge_ack),
	TEST(accept_refused_resets_connection),
	TEST(active_open_syn_sent_to_established),
	TEST(syn_sent_rst_ack_is_refused),
	TEST(syn_sent_bad_ack_gets_rst),
	TEST(simultaneous_open_syn_sent_to_syn_received_to_established),
	TEST(simultaneous_open_shutdown_in_syn_received_fins_after_ack),
	TEST(established_fin_close_wait_last_ack_closed),
	TEST(fin_wait_1_ack_fin_wait_2_fin_time_wait_2msl_closed),
	TEST(fin_wait_1_fin_ack_goes_to_time_wait),
	TEST(simultaneous_close_closing_then_time_wait),
	TEST(half_close_data_still_flows_to_the_side_that_sent_fin),
	TEST(fin_wait_2_timeout_for_closed_connection),
	TEST(fin_wait_2_not_limited_when_app_only_shut_down),
	TEST(data_after_close_is_answered_with_rst),
	TEST(close_wait_age_is_reported),
	TEST(syn_to_closed_port_gets_rst_ack),
	TEST(ack_to_unknown_connection_gets_rst_seq_ack),
	TEST(rst_to_unknown_connection_is_never_answered),
	TEST(exact_rst_resets_established),
	TEST(in_window_rst_gets_challenge_ack_and_connection_survives),
	TEST(out_of_window_rst_is_ignored_silently),
	TEST(syn_in_established_gets_challenge_ack),
	TEST(challenge_acks_are_rate_limited),
	TEST(invalid_segment_replies_limited_per_connection),
	TEST(out_of_window_data_gets_ack_and_is_dropped),
	TEST(ack_of_unsent_data_gets_ack_and_is_dropped),
	TEST(paws_drops_old_timestamp),
	TEST(abort_sends_rst_at_snd_nxt),
	TEST(time_wait_reacks_retransmitted_fin_and_restarts),
	TEST(time_wait_ignores_rst_rfc1337),
	TEST(time_wait_reused_by_syn_with_newer_timestamp_rfc6191),
	TEST(time_wait_refuses_syn_with_old_timestamp),
	TEST(time_wait_reused_by_syn_with_higher_seq_without_timestamps),
	TEST(time_wait_cap_drops_and_counts),
	TEST(connect_reuses_time_wait_tuple_only_with_timestamps),
	TEST(full_backlog_switches_to_syn_cookies_and_cookie_ack_connects),
	TEST(bad_cookie_ack_gets_rst_and_is_counted),
	TEST(full_backlog_without_cookies_drops_syn),
	TEST(connection_cap_drops_and_counts),
	TEST(syn_retries_exhausted_closes_with_timeout),
	TEST(synack_retries_exhausted_frees_quietly),
	TEST(lost_data_is_retransmitted_on_rto),
	TEST(data_retries_exhausted_resets_with_timeout),
	TEST(orphan_fin_retries_exhausted_resets_and_frees),
	TEST(keepalive_probes_then_drops),
	TEST(idle_timeout_resets_a_silent_peer),
	TEST(idle_timeout_ends_close_wait_and_fin_wait_2),
	TEST(answered_keepalive_keeps_the_idle_timeout_off),
	TEST(zero_window_is_probed_and_send_resumes),
	TEST(send_is_segmented_to_peer_mss_and_window),
	TEST(send_space_limits_and_writable_follows),
	TEST(send_before_established_is_enotconn),
	TEST(syn_without_options_uses_defaults),
	TEST(drain_fins_every_connection_then_resets_the_rest),
	TEST(unlisten_resets_every_half_open_connection),
	TEST(cookie_synack_without_timestamps_offers_no_window_scale),
	TEST(fin_beyond_a_hole_gets_duplicate_ack),
	TEST(zero_window_probes_give_up_after_data_retries),
	TEST(writable_follows_enobufs_without_any_ack),
	TEST(fin_and_its_retransmission_in_one_burst_meet_time_wait),
	TEST(reply_and_close_in_data_callback_is_one_segment),
	TEST(connect_from_an_extra_address),
	TEST(held_data_closes_the_window_and_release_reopens_it),
	TEST(timestamp_clock_never_goes_back_across_restarts),
	TEST(delayed_ack_waits_for_the_timer_or_a_second_full_segment),
	TEST(out_of_order_data_is_sacked_and_delivered_when_the_hole_fills),
	TEST(three_duplicate_acks_retransmit_at_once),
	TEST(newreno_partial_ack_retransmits_the_next_hole),
	TEST(sack_blocks_mark_the_first_segment_lost),
	TEST(rto_shrinks_cwnd_to_one_segment_then_slow_starts),
	TEST(pure_ack_after_rto_carries_snd_max),
	TEST(syn_just_below_rcv_nxt_gets_challenge_ack),
	TEST(nagle_holds_a_small_segment_until_the_ack),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, h_after_test);
}
