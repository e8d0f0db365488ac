/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TCP_PRIV_H
#define TCP_PRIV_H

/*
 * Internal to lib/tcp: the TCB, the TIME-WAIT entry, listeners, the
 * per-lcore TCP state and the parsed segment.
 *
 * The input path reads top to bottom (as FreeBSD and lwIP):
 *   tcp_input_burst()  validate, parse, bulk flow lookup       tcp_input.c
 *     -> tcp_listen_input()   LISTEN: SYN, cookie ACK           tcp_input.c
 *     -> tcp_tw_input()       TIME-WAIT (compact entry)         tcp_timewait.c
 *     -> tcp_do_segment()     every other state (RFC 9293 §3.10.7)
 * and leaves through tcp_output() / tcp_respond()               tcp_output.c
 * Timers are in tcp_timer.c, the application API in tcp_api.c.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp.h"
#include "ptcp_flow.h"
#include "ptcp_tcp.h"
#include "ptcp_timer.h"
#include "tcp_cc.h"
#include "tcp_isn.h"
#include "tcp_ooo.h"
#include "tcp_opt.h"
#include "tcp_sack.h"
#include "tcp_seq.h"

extern int ptcp_logtype_tcp;
#define TCP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ptcp_logtype_tcp, "ptcp.tcp: " fmt, \
		##__VA_ARGS__)

/*
 * Per-segment and per-connection debug logs cost a call even when the
 * level filters them out: they exist only in builds with
 * -Dc_args=-DPTCP_DEBUG_FASTPATH (as DPDK's RTE_LOG_DP).
 */
#ifdef PTCP_DEBUG_FASTPATH
#define TCP_LOG_DP(fmt, ...) TCP_LOG(DEBUG, fmt, ##__VA_ARGS__)
#else
#define TCP_LOG_DP(fmt, ...) do { } while (0)
#endif

/*
 * Debug builds (meson buildtype debug, as the ASan tree: -DPTCP_DEBUG)
 * abort when a connection is touched from a loop pass of a worker that
 * does not own it. Outside any pass (setup code, tests between passes)
 * there is nothing to check.
 */
#ifdef PTCP_DEBUG
#define TCP_ASSERT_OWNER(tp) do { \
	const struct ptcp_lcore *cur_ = RTE_PER_LCORE(ptcp_cur_lcore); \
	RTE_VERIFY(cur_ == NULL || cur_ == (tp)->lc); \
} while (0)
#else
#define TCP_ASSERT_OWNER(tp) do { } while (0)
#endif

/* Warnings in the log: at most one line per kind, lcore and period. */
#define TCP_WARN_PERIOD_MS 60000

/* Timer kinds on the lcore's wheel. */
enum {
	PTCP_TT_REXMT = 0,      /* SYN, SYN-ACK, data, FIN retransmission; persist */
	PTCP_TT_KEEP,           /* keepalive, FIN-WAIT-2 limit, CLOSE-WAIT age */
	PTCP_TT_2MSL,           /* TIME-WAIT entry expiry */
};

/* TCB flags (tcb.flags). */
#define TF_ACKNOW       0x00000001  /* send an ACK at the end of input */
#define TF_FIN_QUEUED   0x00000002  /* app shut down: FIN at fin_seq */
#define TF_ORPHAN       0x00000004  /* app closed: no more callbacks but closed */
#define TF_TS           0x00000008  /* timestamps negotiated */
#define TF_SACK_OK      0x00000010  /* SACK-permitted both ways */
#define TF_WS           0x00000020  /* window scaling negotiated */
#define TF_WANT_WRITE   0x00000040  /* a send was short: call writable */
#define TF_DEAD         0x00000080  /* freed at the end of the pass */
#define TF_ACTIVE       0x00000100  /* we sent the first SYN */
#define TF_KEEPALIVE    0x00000200  /* keepalive on */
#define TF_NOTIFIED     0x00000400  /* the app has seen the connection */
#define TF_IN_BACKLOG   0x00000800  /* counted in its listener's backlog */
#define TF_PERSIST      0x00001000  /* rexmt timer is probing a zero window */
#define TF_HASHED       0x00002000  /* owns its tuple in the flow table */
#define TF_IN_INPUT     0x00004000  /* a segment of it is being processed */
#define TF_OUTPUT_LATER 0x00008000  /* the app queued data or a FIN meanwhile */
#define TF_DELACK       0x00010000  /* an ACK is owed: t_keep runs for it */
#define TF_NAGLE        0x00020000  /* Nagle's algorithm on (RFC 896) */
#define TF_RECOVERY     0x00040000  /* in fast recovery, until snd_una >= recover */
#define TF_RTO_SERIES   0x00080000  /* RTOs since the last new ACK (ssthresh taken) */
#define TF_CUBIC        0x00100000  /* CUBIC (else NewReno) */
#define TF_CW_REPORTED  0x00200000  /* counted in tcp_close_wait_old */
#define TF_OOW_ACKED    0x00400000  /* oow_ack_t16 holds a time */

/* Which pool an entry came from, first byte of both kinds (tcb.kind). */
#define TCP_KIND_TCB 1
#define TCP_KIND_TW  2

struct tcp_listener;
struct tcp_lcore;

/*
 * What a connection needs only once data goes missing: the out-of-order
 * queue, the SACK scoreboard, CUBIC's epoch. Taken from a per-lcore pool
 * ([tcp] max_recovery) the first time a connection receives data beyond a
 * hole, gets SACK blocks or duplicate ACKs, or loses a segment; kept until
 * the connection ends. Short connections that lose nothing never take one.
 */
struct tcp_recov {
	struct tcp_ooo ooo;
	struct tcp_scoreboard sb;
	struct tcp_cubic cubic;
};

/*
 * The TCB: at most 256 bytes (pinned below), hot fields first. Send data
 * is a list of mbuf segments linked by m->next (the queue does not use
 * nb_segs/pkt_len of its head), holding the bytes from snd_una on.
 */
/* A TCB names its interface in a byte (ifidx). */
_Static_assert(PTCP_MAX_IFS <= UINT8_MAX + 1, "ifidx is a uint8_t");

struct ptcp_conn {
	/* bytes 0-111: what every segment touches */
	uint8_t kind;               /* TCP_KIND_TCB */
	uint8_t state;              /* enum ptcp_tcp_state */
	uint8_t ifidx;              /* interface (port or VLAN) on the lcore */
	uint8_t snd_wscale;         /* shift for the peer's window */
	uint8_t rcv_wscale;         /* shift for ours */
	uint8_t rexmt_shift;        /* retransmissions since progress */
	uint8_t lst_idx;            /* listener slot, or TCP_LST_NONE */
	uint8_t keep_cnt;           /* keepalive probes before giving up */
	uint32_t flags;             /* TF_* */
	uint16_t t_maxseg;          /* most payload per segment we send */
	uint8_t dupacks;            /* duplicate ACKs in a row */
	uint8_t delack_segs;        /* full segments received, not ACKed */
	uint32_t snd_una;           /* oldest unacknowledged */
	uint32_t snd_nxt;           /* next to send */
	uint32_t snd_max;           /* highest sent + 1 */
	uint32_t snd_wnd;           /* peer's window, scaled */
	uint32_t snd_wl1;           /* seq of last window update */
	uint32_t snd_wl2;           /* ack of last window update */
	uint32_t iss;
	uint32_t fin_seq;           /* our FIN's seq (TF_FIN_QUEUED) */
	uint32_t rcv_nxt;
	uint32_t irs;
	uint32_t rcv_adv;           /* right edge we advertised */
	uint32_t ts_recent;         /* peer's TSval to echo (its age: idle_ms,
	                             * RFC 7323 §5.5's "idle") */
	uint32_t recover;           /* RFC 6582 recovery point */
	uint32_t last_ack_sent;
	struct ptcp_flow_key key;
	struct tcp_cc cc;           /* cwnd, ssthresh */
	struct tcp_recov *recov;    /* NULL until data goes missing */
	uint32_t rcv_held;          /* delivered, still held by the app */
	uint32_t sndq_len;          /* bytes queued (sent or not) */

	/* bytes 112-199: sending, timers */
	struct rte_mbuf *sndq_head; /* bytes from snd_una */
	struct rte_mbuf *sndq_tail;
	struct rte_mbuf *snd_cur;   /* where the last segment's data began
	                             * (its sequence number in the mbuf's
	                             * dynamic field): seeks start there */
	uint32_t srtt_ms8;          /* smoothed RTT << 3 (RFC 6298) */
	uint32_t rttvar_ms4;        /* RTT variance << 2 */
	uint32_t rtt_seq;           /* segment being timed (Karn) */
	uint32_t rtt_start_ms;      /* 0: none timed */
	struct ptcp_timer t_rexmt;  /* its user byte: persist_probes() */
	struct ptcp_timer t_keep;   /* keepalive, FIN-WAIT-2, CLOSE-WAIT age,
	                             * and the delayed ACK (TF_DELACK); its
	                             * user byte: keep_probes() */

	/* bytes 200-255: cold */
	const struct ptcp_tcp_ops *ops;
	void *arg;
	struct ptcp_lcore *lc;
	TAILQ_ENTRY(ptcp_conn) link;  /* lcore's conns, or its dead list */
	uint32_t state_ms;          /* entered its current state */
	uint32_t idle_ms;           /* last segment received */
	uint16_t keep_idle_s;
	uint16_t keep_intvl_s;
	uint16_t oow_ack_t16;       /* when we last answered a segment we
	                             * dropped (tcp_oow_ack_allowed()), in
	                             * 16 ms units */
	uint16_t idle_to_s;         /* reset after this long with no segment
	                             * received; 0 = never (tcp_timer.c) */
};

/* Keepalive probes unanswered: the keepalive timer's byte. */
#define keep_probes(tp) ((tp)->t_keep.user)
/* Zero-window probes since the peer's last ACK (TF_PERSIST): the
 * persist (retransmission) timer's byte. */
#define persist_probes(tp) ((tp)->t_rexmt.user)

/*
 * A connection in TIME-WAIT: one cache line, found by the same lookup as
 * TCBs (tell them apart by the first byte).
 */
struct tcp_tw {
	uint8_t kind;               /* TCP_KIND_TW */
	uint8_t state;              /* PTCP_TCPS_TIME_WAIT */
	uint8_t ifidx;
	uint8_t flags;              /* TWF_* */
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t ts_recent;         /* peer's last TSval */
	uint32_t ts_recent_ms;      /* when it was seen */
	struct ptcp_flow_key key;
	struct ptcp_timer timer;    /* 2*MSL */
};
#define TWF_TS  0x01
#define TWF_WS  0x02

/* A listener: one per (lcore, port). */
struct tcp_listener {
	uint16_t port;              /* host order; 0 = free slot */
	uint16_t pad;
	uint32_t backlog;
	uint32_t nsynrcvd;          /* connections in SYN-RECEIVED */
	int keepalive;
	uint16_t keep_idle_s;
	uint16_t keep_intvl_s;
	uint8_t keep_cnt;
	uint16_t idle_to_s;         /* 0 = no idle timeout */
	const struct ptcp_tcp_ops *ops;
	void *arg;
};

#define TCP_MAX_LISTENERS 32
#define TCP_LST_NONE 0xff              /* tcb.lst_idx: no listener */

TAILQ_HEAD(tcb_list, ptcp_conn);

/* lib/tcp's part of a worker lcore (lc->l4). */
struct tcp_lcore {
	struct ptcp_lcore *lc;
	const struct ptcp_tcp_config *cfg;
	struct ptcp_flow_table *flows;
	struct rte_mempool *tcb_pool;
	struct rte_mempool *tw_pool;   /* NULL when max_tw is 0 */
	struct rte_mempool *recov_pool;  /* NULL when max_recovery is 0 */
	struct rte_mempool *ind_pool;  /* indirect mbufs: zero-copy TX */
	uint32_t nb_recov;             /* recovery blocks in use */
	uint32_t ooo_max;              /* resolved [tcp] ooo_max */
	struct ptcp_timer_wheel wheel;
	struct tcp_secret secret;
	uint32_t ts_offset;            /* our TSval = now_ms + ts_offset */
	uint32_t tick_us;              /* wheel tick, to turn ms into ticks */
	uint32_t nb_tw;                /* TIME-WAIT entries in use */
	uint32_t nb_tw_peak;           /* most nb_tw has been (high-water) */
	uint32_t flow_gen;             /* bumped on every flow add/del */
	uint32_t lport_next;           /* ephemeral port cursor */
	uint64_t challenge_sec;        /* second of the challenge count */
	uint32_t challenge_count;
	uint64_t cw_warn_next_ms;      /* no CLOSE-WAIT warning before */
	uint64_t cw_warn_count;        /* tcp_close_wait_old at the last one */
	uint64_t tw_warn_next_ms;      /* no TIME-WAIT cap warning before */
	uint64_t tw_warn_count;        /* tcp_tw_cap at the last one */
	/*
	 * TCBs per state, from allocation (CLOSED) to free: the one count
	 * of TCBs, tcp_nb_conns() sums it.
	 */
	uint32_t state_count[PTCP_TCPS_MAX];
	/*
	 * The snapshot handshake (ptcp_tcp_snapshot()): another thread
	 * sets snap and then snap_state to TCP_SNAP_ASKED; tcp_poll()
	 * claims it, fills snap and publishes TCP_SNAP_DONE.
	 */
	uint32_t snap_state;
	struct ptcp_tcp_snapshot *snap;
	bool draining;
	bool nobufs_waiting;           /* a send failed for lack of mbufs */
	struct tcb_list conns;
	struct tcb_list dead;          /* freed at the end of the pass */
	struct tcp_listener listeners[TCP_MAX_LISTENERS];
	/*
	 * State changes per edge [from][to]. A passive open counts as
	 * LISTEN -> SYN-RECEIVED, and TIME-WAIT -> CLOSED when the TIME-WAIT
	 * entry ends (or is not kept: cap), not when the TCB hands over to it.
	 */
	uint64_t trans[PTCP_TCPS_MAX][PTCP_TCPS_MAX];
};

/* tcp_lcore.snap_state */
#define TCP_SNAP_IDLE   0
#define TCP_SNAP_ASKED  1   /* set by the asking thread */
#define TCP_SNAP_BUSY   2   /* claimed by the worker */
#define TCP_SNAP_DONE   3   /* filled by the worker */

/* A segment, parsed once on input. */
struct tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;               /* payload bytes */
	uint32_t wnd;               /* raw, unscaled */
	uint8_t flags;              /* RTE_TCP_*_FLAG */
	struct tcp_opts opt;
	struct ptcp_flow_key key;   /* our side first */
};

static inline struct tcp_lcore *
tcp_lc(const struct ptcp_lcore *lc)
{
	return lc->l4;
}

/* TCBs in use: each is counted in exactly one state_count[]. */
static inline uint32_t
tcp_nb_conns(const struct tcp_lcore *tl)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < PTCP_TCPS_MAX; i++)
		n += tl->state_count[i];
	return n;
}

/* ms to wheel ticks (at least one). */
static inline uint32_t
tcp_ms_to_ticks(const struct tcp_lcore *tl, uint64_t ms)
{
	uint64_t t = ms * 1000 / tl->tick_us;

	if (t == 0)
		t = 1;
	return t > PTCP_TIMER_MAX_TICKS ? PTCP_TIMER_MAX_TICKS : (uint32_t)t;
}

static inline uint32_t
tcp_ts_now(const struct tcp_lcore *tl)
{
	return (uint32_t)tl->lc->now_ms + tl->ts_offset;
}

/* The receive buffer ([tcp] rcv_buf). */
static inline uint32_t
tcp_rcv_buf(const struct ptcp_conn *tp)
{
	return tcp_lc(tp->lc)->cfg->rcv_buf;
}

/* The window we may offer: the buffer less what the app still holds. */
static inline uint32_t
tcp_rcv_space(const struct ptcp_conn *tp)
{
	uint32_t buf = tcp_rcv_buf(tp);

	return tp->rcv_held >= buf ? 0 : buf - tp->rcv_held;
}

/*
 * RCV.WND for the acceptance test: what we offered (the right edge never
 * moves back), or more if the buffer has room for more.
 */
static inline uint32_t
tcp_rcv_wnd(const struct ptcp_conn *tp)
{
	uint32_t offered = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ?
		tp->rcv_adv - tp->rcv_nxt : 0;

	return RTE_MAX(offered, tcp_rcv_space(tp));
}

/* The listener of a passive open still in its handshake. */
static inline struct tcp_listener *
tcp_conn_listener(const struct ptcp_conn *tp)
{
	return tp->lst_idx == TCP_LST_NONE ? NULL :
		&tcp_lc(tp->lc)->listeners[tp->lst_idx];
}

/*
 * The folded one's complement sum of the IPv4 pseudo-header and the @len
 * bytes at @off of chain @m (0xffff when a received checksum is right;
 * complement it for the field when sending).
 */
static inline uint16_t
tcp_cksum_chain(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		uint32_t off, uint32_t len)
{
	/*
	 * Not rte_raw_cksum_mbuf(): DPDK 22.11's byte-swaps the unfolded
	 * 32-bit sum of a segment that starts at an odd offset and so loses
	 * its carries (wrong checksums on chains of odd-length segments,
	 * found by tests/fuzz). Each segment's sum is folded first here.
	 */
	const struct rte_mbuf *seg;
	uint32_t sum = rte_ipv4_phdr_cksum(ip, 0), done = 0;

	for (seg = m; seg != NULL && len > 0; seg = seg->next) {
		uint32_t sl = rte_pktmbuf_data_len(seg), t;

		if (off >= sl) {
			off -= sl;
			continue;
		}
		sl = RTE_MIN(sl - off, len);
		t = ptcp_cksum(rte_pktmbuf_mtod_offset(seg, const void *,
			off), sl, 0);
		if (done & 1)
			t = rte_bswap16((uint16_t)t);
		sum += t;
		done += sl;
		len -= sl;
		off = 0;
	}
	if (len != 0)
		return 0;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* tcp_subr.c */
void tcp_set_state(struct ptcp_conn *tp, unsigned int state);
struct ptcp_conn *tcp_conn_alloc(struct tcp_lcore *tl, unsigned int ifidx,
		const struct ptcp_flow_key *key);
int tcp_conn_hash(struct tcp_lcore *tl, struct ptcp_conn *tp);
void tcp_conn_drop(struct ptcp_conn *tp, enum ptcp_close_reason why);
void tcp_conn_free_dead(struct tcp_lcore *tl);
void tcp_sndq_free(struct ptcp_conn *tp);
void tcp_sndq_drop(struct ptcp_conn *tp, uint32_t bytes);
struct rte_mbuf *tcp_mbuf_cut_front(struct rte_mbuf *m, uint32_t len);
void tcp_mbuf_cut_back(struct rte_mbuf *m, uint32_t len);
void tcp_set_mss(struct ptcp_conn *tp, uint16_t peer_mss);
void tcp_rtt_update(struct ptcp_conn *tp, uint32_t rtt_ms);
uint32_t tcp_rexmt_ms(const struct ptcp_conn *tp);
uint16_t tcp_our_mss(const struct tcp_lcore *tl, unsigned int ifidx);
uint8_t tcp_our_wscale(const struct tcp_lcore *tl);
struct tcp_listener *tcp_listener_find(struct tcp_lcore *tl, uint16_t port);
void tcp_flow_del(struct tcp_lcore *tl, const struct ptcp_flow_key *k);

/* tcp_output.c */
void tcp_output(struct ptcp_conn *tp);
uint32_t tcp_output_new(struct ptcp_conn *tp, uint32_t budget);
uint32_t tcp_send_range(struct ptcp_conn *tp, uint32_t seq, uint32_t len);
/*
 * Output asked for by the app: at once, or, from a callback during input,
 * once the segment is processed (response, FIN and ACK then leave in one
 * segment).
 */
static inline void
tcp_output_app(struct ptcp_conn *tp)
{
	if (tp->flags & TF_IN_INPUT)
		tp->flags |= TF_OUTPUT_LATER;
	else
		tcp_output(tp);
}
void tcp_send_syn(struct ptcp_conn *tp);
void tcp_send_ack(struct ptcp_conn *tp);
/* @why: the tcp_rst_tx_* counter of the reason (PTCP_STAT_tcp_rst_tx_...) */
void tcp_send_rst(struct ptcp_conn *tp, enum ptcp_stat_id why);
void tcp_send_probe(struct ptcp_conn *tp);
void tcp_respond(struct tcp_lcore *tl, unsigned int ifidx,
		const struct ptcp_flow_key *key, uint32_t seq, uint32_t ack,
		uint8_t flags, uint16_t wnd, const struct tcp_opts *ts);
void tcp_reset_for(struct tcp_lcore *tl, unsigned int ifidx,
		const struct tcp_seg *seg, enum ptcp_stat_id why);
void tcp_send_synack_cookie(struct tcp_lcore *tl, unsigned int ifidx,
		const struct tcp_seg *seg, uint32_t cookie, uint16_t mss,
		bool with_ts, int wscale, bool sack);
bool tcp_challenge_ack_allowed(struct tcp_lcore *tl);

/* tcp_input.c */
void tcp_input_burst(struct ptcp_lcore *lc, unsigned int ifidx,
		struct rte_mbuf **pkts, unsigned int n);
void tcp_do_segment(struct ptcp_conn *tp, struct tcp_seg *seg,
		struct rte_mbuf *m);

/* tcp_loss.c: congestion control and loss recovery on a TCB */
struct tcp_recov *tcp_recov_get(struct ptcp_conn *tp);
void tcp_recov_free(struct ptcp_conn *tp);
void tcp_recov_release_idle(struct ptcp_conn *tp);
void tcp_cc_conn_init(struct ptcp_conn *tp);
uint32_t tcp_loss_sack(struct ptcp_conn *tp, const struct tcp_seg *seg);
void tcp_loss_ack_slow(struct ptcp_conn *tp, uint32_t acked,
		uint32_t flight);

/*
 * snd_una moved forward by @acked bytes of data (already applied);
 * @flight is what was outstanding before this ACK. The window grows only
 * while the sender uses it (RFC 7661: an application-limited connection,
 * like a request/response exchange, does not grow cwnd).
 */
static inline void
tcp_loss_ack(struct ptcp_conn *tp, uint32_t acked, uint32_t flight)
{
	if (likely(tp->recov == NULL && !(tp->flags & TF_RECOVERY) &&
			(uint64_t)flight * 2 < tp->cc.cwnd)) {
		tp->flags &= ~TF_RTO_SERIES;
		tp->dupacks = 0;
		return;
	}
	tcp_loss_ack_slow(tp, acked, flight);
}
void tcp_loss_dupack(struct ptcp_conn *tp);
void tcp_loss_rto(struct ptcp_conn *tp);
void tcp_sack_output(struct ptcp_conn *tp);

/* tcp_timewait.c */
void tcp_enter_timewait(struct ptcp_conn *tp);
/* @return true if the segment must go on to the listener (reuse) */
bool tcp_tw_input(struct tcp_lcore *tl, struct tcp_tw *tw,
		struct tcp_seg *seg);
void tcp_tw_free(struct tcp_lcore *tl, struct tcp_tw *tw);
bool tcp_tw_reusable_by_connect(const struct tcp_lcore *tl,
		const struct tcp_tw *tw);

/* tcp_timer.c */
void tcp_timers_register(struct tcp_lcore *tl);
void tcp_rexmt_arm(struct ptcp_conn *tp);
void tcp_rexmt_stop(struct ptcp_conn *tp);
void tcp_keep_arm_for_state(struct ptcp_conn *tp);
void tcp_delack_arm(struct ptcp_conn *tp);

/* tcp_snapshot.c */
void tcp_observable_set(const struct ptcp_engine *e, bool on);
void tcp_snap_serve(struct tcp_lcore *tl);

/* Size pins: issue requirements. */
_Static_assert(sizeof(struct ptcp_conn) <= 256, "TCB must fit 256 bytes");
_Static_assert(sizeof(struct tcp_tw) <= 64, "TIME-WAIT entry must fit 64 bytes");

#endif /* TCP_PRIV_H */
