/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TCP_H
#define PTCP_TCP_H

/**
 * @file
 * TCP for applications: listen, connect, send, shut down, close, abort,
 * and the events a connection delivers.
 *
 * Everything here runs on one worker lcore and touches only that lcore's
 * state: listen and connect are per lcore, a connection lives and dies on
 * the lcore that created it, and its callbacks run there, from inside the
 * worker loop (ptcp_lcore_poll()). Callbacks may call any function of this
 * header on any connection of the same lcore, including close and abort
 * on the connection being called back.
 *
 * A connection handle (struct ptcp_conn *) is valid from the accepted or
 * ptcp_connect() return until the closed callback returns; after that the
 * memory is reused.
 *
 * No call in this header invokes a callback before it returns, except
 * ptcp_abort() and ptcp_close() on a connection in SYN-SENT: both call
 * closed(PTCP_CLOSE_ABORTED) before returning. (ptcp_tcp_drain() runs the
 * loop, so any callback may run inside it.) Callbacks otherwise run only
 * from the worker loop, while a segment or a timer is handled.
 *
 * When closed fires, by the way a connection ends:
 *  - we closed first: on entering TIME-WAIT (FIN-WAIT-2 gets the peer's
 *    FIN, CLOSING or FIN-WAIT-1 gets the ACK of our FIN), reason NORMAL;
 *    not 2*MSL later: the TIME-WAIT entry is internal
 *  - the peer closed first: LAST-ACK gets the ACK of our FIN, NORMAL
 *  - an acceptable RST: RESET; REFUSED in answer to our SYN
 *  - retries (SYN, data, FIN, probes of a closed connection), keepalive,
 *    or the FIN-WAIT-2 limit after ptcp_close(): TIMEOUT
 *  - ptcp_abort(), ptcp_close() in SYN-SENT (both before they return),
 *    data from the peer after ptcp_close(), ptcp_tcp_drain(): ABORTED
 *  - never for a passive open the app did not accept (accepted refused
 *    it, or it ended before accepted), nor after ptcp_tcp_detach()
 *    without a drain
 *
 * Example, an echo service (too small to be right: it drops what the
 * send buffer refuses; docs/api.md has one that waits for writable):
 *
 *     static void echo_data(struct ptcp_conn *c, struct rte_mbuf *m)
 *     {
 *             if (ptcp_send_mbuf(c, m) != 0)   // zero copy back
 *                     rte_pktmbuf_free(m);
 *     }
 *     static void echo_peer_closed(struct ptcp_conn *c) { ptcp_close(c); }
 *     static const struct ptcp_tcp_ops echo_ops = {
 *             .data = echo_data, .peer_closed = echo_peer_closed,
 *     };
 *     ...
 *     ptcp_listen(lc, 7, &echo_ops, NULL, NULL);   // on every worker
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ptcp_lcore;
struct ptcp_engine;

/**
 * Connection states (RFC 9293 §3.3.2), numbered so that range checks read
 * well: a state >= PTCP_TCPS_ESTABLISHED is synchronized.
 */
enum ptcp_tcp_state {
	PTCP_TCPS_CLOSED = 0,
	PTCP_TCPS_LISTEN,
	PTCP_TCPS_SYN_SENT,
	PTCP_TCPS_SYN_RECEIVED,
	PTCP_TCPS_ESTABLISHED,
	PTCP_TCPS_CLOSE_WAIT,
	PTCP_TCPS_FIN_WAIT_1,
	PTCP_TCPS_CLOSING,
	PTCP_TCPS_LAST_ACK,
	PTCP_TCPS_FIN_WAIT_2,
	PTCP_TCPS_TIME_WAIT,
	PTCP_TCPS_MAX
};

/** Synchronized: the handshake is complete. */
#define PTCP_TCPS_HAVE_ESTABLISHED(s) ((s) >= PTCP_TCPS_ESTABLISHED)
/** We have sent our FIN (or will: the app closed its side). */
#define PTCP_TCPS_HAVE_SENT_FIN(s) ((s) >= PTCP_TCPS_FIN_WAIT_1 && \
	(s) != PTCP_TCPS_CLOSE_WAIT)
/** The peer's FIN has been received. */
#define PTCP_TCPS_HAVE_RCVD_FIN(s) ((s) == PTCP_TCPS_CLOSE_WAIT || \
	(s) == PTCP_TCPS_CLOSING || (s) == PTCP_TCPS_LAST_ACK || \
	(s) == PTCP_TCPS_TIME_WAIT)

/** Name of a state ("FIN-WAIT-1"), or "?" when out of range. */
const char *ptcp_tcp_state_name(unsigned int state);

/** Why a connection ended (the closed callback's reason). */
enum ptcp_close_reason {
	PTCP_CLOSE_NORMAL = 0,  /**< both FINs exchanged and acknowledged */
	PTCP_CLOSE_RESET,       /**< the peer sent an acceptable RST */
	PTCP_CLOSE_TIMEOUT,     /**< retransmissions, keepalive or FIN-WAIT-2 */
	PTCP_CLOSE_REFUSED,     /**< RST in answer to our SYN */
	PTCP_CLOSE_ABORTED,     /**< ptcp_abort(), ptcp_close() in SYN-SENT,
	                         *   data after ptcp_close() (RST sent), or the
	                         *   endpoint stopped (ptcp_tcp_drain()) */
	PTCP_CLOSE_REASON_MAX
};

/** Name of a close reason ("reset"). */
const char *ptcp_close_reason_name(unsigned int reason);

/** An open connection (opaque). */
struct ptcp_conn;

/**
 * Application callbacks. Any may be NULL. All run on the connection's
 * lcore. The closed callback is the last call for a connection.
 */
struct ptcp_tcp_ops {
	/**
	 * A passive open completed (ESTABLISHED). @p listen_arg is the arg
	 * given to ptcp_listen(). Return 0 to keep the connection, or a
	 * negative value to refuse it (it is reset; no closed callback).
	 */
	int (*accepted)(struct ptcp_conn *c, void *listen_arg);
	/** An active open completed (ESTABLISHED). */
	void (*connected)(struct ptcp_conn *c);
	/**
	 * In-order data arrived: an mbuf chain holding only payload, whose
	 * ownership passes to the callback (free it, keep it, or send it).
	 */
	void (*data)(struct ptcp_conn *c, struct rte_mbuf *m);
	/**
	 * Send space is free again after a send was short or refused: a
	 * ptcp_send() that queued fewer bytes than asked (0 included) or
	 * returned -ENOBUFS, or a ptcp_send_mbuf() that returned -ENOBUFS,
	 * sets a writable request. It is answered once, at the end of the
	 * handling of the next segment from the peer that leaves send space
	 * (ptcp_send_space() > 0; usually the ACK that frees it), or, when a
	 * send failed for lack of mbufs, at the end of the first loop pass
	 * that finds the mbuf pool with room again (no segment needed). Only
	 * some space is promised: check ptcp_send_space(). ptcp_shutdown() and
	 * ptcp_close() cancel the request.
	 */
	void (*writable)(struct ptcp_conn *c);
	/**
	 * The peer sent FIN: no more data will arrive. The connection can
	 * still send (CLOSE-WAIT) until the app calls ptcp_close() or
	 * ptcp_shutdown().
	 */
	void (*peer_closed)(struct ptcp_conn *c);
	/**
	 * The connection is gone; @p reason says why (see the file comment
	 * for when it fires). Last callback; @p c is valid until it returns.
	 * For the side that closed first it fires on entering TIME-WAIT.
	 */
	void (*closed)(struct ptcp_conn *c, enum ptcp_close_reason reason);
};

/** Per-listener options (NULL: the [tcp] config defaults). */
struct ptcp_listen_opts {
	uint32_t backlog;            /**< SYN-RECEIVED connections, 0 = config */
	int keepalive;               /**< -1 = config, 0 = off, 1 = on */
	uint32_t keepalive_idle_s;   /**< 0 = config; at most 65535 */
	uint32_t keepalive_intvl_s;  /**< 0 = config; at most 65535 */
	uint32_t keepalive_cnt;      /**< 0 = config; at most 255 */
	/**
	 * Idle timeout of the connections it accepts, in seconds: one that
	 * receives no segment at all (no data, no ACK, no answer to a
	 * keepalive probe) for this long, in any state from ESTABLISHED on,
	 * is reset (RST, closed(TIMEOUT), tcp_idle_drop). 0 = none (the
	 * default: [tcp] has no such key); at most 65535.
	 */
	uint32_t idle_timeout_s;
};

/**
 * Listen on @p port on every address of lcore @p lc's ports.
 *
 * @return 0; -EADDRINUSE if @p port is already listened on by this lcore;
 *         -ENOSPC when the listener table is full; -EINVAL for port 0
 *         or keepalive or idle timeout options out of range.
 */
int ptcp_listen(struct ptcp_lcore *lc, uint16_t port,
		const struct ptcp_tcp_ops *ops, void *arg,
		const struct ptcp_listen_opts *opts);

/**
 * Stop listening on @p port (existing connections are not affected).
 * @return 0, or -ENOENT
 */
int ptcp_unlisten(struct ptcp_lcore *lc, uint16_t port);

/** Where and how to connect. */
struct ptcp_connect_opts {
	uint32_t raddr;              /**< peer address, network order */
	uint16_t rport;              /**< peer port, host order */
	uint32_t laddr;              /**< local address: one of an interface's
	                              *   (a port's or a VLAN's, primary or
	                              *   extra), which picks the interface;
	                              *   0 = the address of the first
	                              *   interface whose subnet holds raddr */
	uint16_t lport;              /**< local port, host order; 0 = choose */
	uint16_t lport_min;          /**< range to choose from (0: 32768) */
	uint16_t lport_max;          /**< (0: 60999) */
	void *arg;                   /**< ptcp_conn_arg() of the connection */
};

/**
 * Active open from lcore @p lc (sends SYN). Chooses a free local port when
 * opts->lport is 0, reusing a TIME-WAIT tuple only when timestamps make it
 * safe. The connected or closed callback reports the outcome.
 *
 * With several workers, only local ports whose tuple hashes (symmetric
 * Toeplitz, ptcp_rss_hash()) to this worker on the port are chosen, so
 * that the peer's segments come back here.
 *
 * @return the connection, or NULL with rte_errno: EADDRNOTAVAIL (no local
 *         port free: the tuple space is exhausted), EADDRINUSE (the given
 *         lport's tuple is in use), EXDEV (the given lport's tuple belongs
 *         to another worker), ENETUNREACH (no port for raddr), ENOBUFS
 *         (connection cap or memory), EINVAL.
 */
struct ptcp_conn *ptcp_connect(struct ptcp_lcore *lc,
		const struct ptcp_connect_opts *opts,
		const struct ptcp_tcp_ops *ops);

/**
 * Queue a copy of @p len bytes for sending. Calls no callback.
 *
 * @return bytes queued: fewer than @p len (0 when the send buffer is
 *         full) when the send buffer fills or the mbuf pool runs dry
 *         part-way, with a writable request set; or -EPIPE after shutdown
 *         or close, -ENOTCONN before the connection is synchronized
 *         (SYN-SENT, SYN-RECEIVED), -ENOBUFS when no mbuf is free for the
 *         first byte (the writable request is set then too).
 */
int ptcp_send(struct ptcp_conn *c, const void *buf, size_t len);

/**
 * Queue an mbuf chain for sending without copying (zero copy): on success
 * the whole chain belongs to the connection; on any error none of it.
 * Calls no callback.
 *
 * @return 0; -EPIPE / -ENOTCONN as ptcp_send(); -ENOBUFS if the send
 *         buffer cannot take the whole chain (the caller keeps it; a
 *         writable request is set; a chain longer than [tcp] snd_buf
 *         never fits).
 */
int ptcp_send_mbuf(struct ptcp_conn *c, struct rte_mbuf *m);

/**
 * Receive flow control: the app keeps @p bytes of data it received and has
 * not consumed yet (an echo that cannot send, a proxy whose other side is
 * slow). The window ptcp advertises shrinks by the bytes held (the right
 * edge already offered never moves back), so the peer slows down instead
 * of the app having to drop or abort. Apps that consume data in their data
 * callback never call it.
 */
void ptcp_recv_hold(struct ptcp_conn *c, uint32_t bytes);

/**
 * The app consumed @p bytes it held (ptcp_recv_hold()). When that reopens
 * a window that was closed or smaller than a segment, a window update is
 * sent at once (after the current segment when called from a callback).
 */
void ptcp_recv_release(struct ptcp_conn *c, uint32_t bytes);

/** Bytes ptcp_send() would take now. */
uint32_t ptcp_send_space(const struct ptcp_conn *c);

/**
 * Shut down the write side: send FIN after the queued data; keep
 * receiving (half-close). In SYN-RECEIVED the FIN waits for the handshake.
 * Calls no callback.
 * @return 0, or -ENOTCONN (SYN-SENT) / -EPIPE (already shut down or closed)
 */
int ptcp_shutdown(struct ptcp_conn *c);

/**
 * Close: like ptcp_shutdown(), and the app gives up the connection's data:
 * later data from the peer is answered with RST (RFC 9293 §3.10.4 in
 * spirit; as Linux). No callback but closed follows. The connection
 * finishes on its own (FIN retries, FIN-WAIT-2 limit) and then calls
 * closed. In SYN-SENT it ends at once: closed(PTCP_CLOSE_ABORTED) runs
 * before this returns, and nothing is sent. @return 0
 */
int ptcp_close(struct ptcp_conn *c);

/**
 * Abort: send RST (if synchronized or in SYN-RECEIVED), drop queued data,
 * and call closed(PTCP_CLOSE_ABORTED) before returning. No-op on a
 * connection that has already ended.
 */
void ptcp_abort(struct ptcp_conn *c);

/**
 * Nagle's algorithm (RFC 896) for @p c: while data is unacknowledged, a
 * segment shorter than the MSS waits until the ACK comes or a full
 * segment's worth is queued. New connections take [tcp] nagle (off by
 * default: request/response services want every response out at once).
 * Turning it off sends what it held back.
 */
void ptcp_conn_set_nagle(struct ptcp_conn *c, bool on);

/** The arg set by ptcp_conn_set_arg() or ptcp_connect(). */
void *ptcp_conn_arg(const struct ptcp_conn *c);
/** Attach an application pointer to @p c. */
void ptcp_conn_set_arg(struct ptcp_conn *c, void *arg);
/** Current state. */
enum ptcp_tcp_state ptcp_conn_state(const struct ptcp_conn *c);
/** The 4-tuple: addresses network order, ports host order. */
void ptcp_conn_tuple(const struct ptcp_conn *c, uint32_t *laddr,
		uint16_t *lport, uint32_t *raddr, uint16_t *rport);
/** The lcore that owns @p c. */
struct ptcp_lcore *ptcp_conn_lcore(const struct ptcp_conn *c);

/* Per-connection tuning and state, for a socket layer (lib/sock). */

#define PTCP_TCPI_OPT_TIMESTAMPS 0x01  /**< RFC 7323 timestamps */
#define PTCP_TCPI_OPT_SACK       0x02  /**< SACK permitted both ways */
#define PTCP_TCPI_OPT_WSCALE     0x04  /**< window scaling */

/** One connection's state and RFC 9293 §3.3.1 variables, as of now. */
struct ptcp_tcp_info {
	uint8_t state;          /**< enum ptcp_tcp_state */
	uint8_t options;        /**< PTCP_TCPI_OPT_* negotiated */
	uint8_t snd_wscale;     /**< shift applied to the peer's window */
	uint8_t rcv_wscale;     /**< shift applied to ours */
	uint8_t retransmits;    /**< retransmissions since progress */
	uint8_t keep_probes;    /**< keepalive probes unanswered */
	uint16_t mss;           /**< most payload per segment we send */
	uint32_t snd_una;       /**< SND.UNA */
	uint32_t snd_nxt;       /**< SND.NXT */
	uint32_t snd_max;       /**< highest sequence sent + 1 */
	uint32_t snd_wnd;       /**< SND.WND, scaled */
	uint32_t snd_wl1;       /**< SND.WL1 */
	uint32_t snd_wl2;       /**< SND.WL2 */
	uint32_t iss;           /**< ISS */
	uint32_t rcv_nxt;       /**< RCV.NXT */
	uint32_t rcv_wnd;       /**< RCV.WND (what the acceptance test uses) */
	uint32_t rcv_space;     /**< window we would offer now: rcv_buf less
	                         *   what the app holds */
	uint32_t irs;           /**< IRS */
	uint32_t srtt_ms;       /**< smoothed RTT; 0 before a sample */
	uint32_t rttvar_ms;     /**< RTT variation */
	uint32_t rto_ms;        /**< retransmission timeout now */
	uint32_t cwnd;          /**< congestion window, bytes */
	uint32_t ssthresh;      /**< slow start threshold, bytes */
	uint32_t snd_queued;    /**< bytes in the send queue (sent or not) */
	uint32_t rcv_held;      /**< bytes the app holds (ptcp_recv_hold()) */
};

/** Copy @p c's state and sequence variables into @p ti. */
void ptcp_conn_info_get(const struct ptcp_conn *c, struct ptcp_tcp_info *ti);

/**
 * Keepalive for @p c: on or off, and (when not 0) the idle time before
 * the first probe, the time between probes and the probes unanswered
 * before the connection ends (TIMEOUT, RST sent). Values left 0 keep the
 * connection's (or [tcp]'s, when it had none).
 * @return 0, or -EINVAL (idle or interval > 65535, count > 255)
 */
int ptcp_conn_set_keepalive(struct ptcp_conn *c, bool on, uint32_t idle_s,
		uint32_t intvl_s, uint32_t cnt);

/**
 * Lower the most payload per segment @p c sends to @p mss (never raises
 * it above what the handshake agreed).
 * @return 0, -EINVAL (below 64), -ENOTCONN (not synchronized yet)
 */
int ptcp_conn_set_maxseg(struct ptcp_conn *c, uint16_t mss);

/**
 * Attach TCP to every worker of @p e (flow tables, TIME-WAIT pools, timer
 * wheel, ISN and cookie secrets). Call after ptcp_engine_create() and
 * before ptcp_engine_start().
 * @return 0, or -ENOMEM / -EINVAL with @p err filled
 */
int ptcp_tcp_attach(struct ptcp_engine *e, char *err, size_t errlen);

/**
 * Shut TCP down on lcore @p lc (call from the lcore, after its loop):
 * stop listening, FIN every connection, keep polling up to
 * [tcp] drain_ms for them to finish, then RST what is left, so no peer is
 * left half-open. Every connection gets its closed callback.
 */
void ptcp_tcp_drain(struct ptcp_lcore *lc);

/**
 * Free what TCP holds on every worker (after every drain returned).
 * Connections still open (no drain) are freed with no callback and no RST.
 */
void ptcp_tcp_detach(struct ptcp_engine *e);

/** Connections of lcore @p lc in each state (TIME-WAIT entries included). */
void ptcp_tcp_state_counts(const struct ptcp_lcore *lc,
		uint64_t counts[PTCP_TCPS_MAX]);

/**
 * The most TIME-WAIT entries lcore @p lc has held at once since attach
 * (a high-water mark: never goes down, the drain does not reset it). Like
 * the counts, a plain integer any thread may read.
 */
uint32_t ptcp_tcp_tw_peak(const struct ptcp_lcore *lc);

/**
 * Timers pending on lcore @p lc's wheel now: every connection's armed
 * timers (retransmission, persist, keepalive, delayed ACK) and every
 * TIME-WAIT entry's 2*MSL. A plain integer any thread may read.
 */
uint32_t ptcp_tcp_timers_armed(const struct ptcp_lcore *lc);

/**
 * Recovery blocks ([tcp] max_recovery) lcore @p lc's connections hold now.
 * A plain integer any thread may read.
 */
uint32_t ptcp_tcp_recov_in_use(const struct ptcp_lcore *lc);

/**
 * State changes of lcore @p lc per edge, @p trans[from][to], since attach.
 * Edges are counted as RFC 9293's diagram draws them: a passive open
 * leaves LISTEN, and TIME-WAIT -> CLOSED counts when a TIME-WAIT entry ends
 * (2*MSL, reuse, drain) or is not kept (cap). So, for every state but
 * CLOSED and LISTEN, what came in less what went out is the number of
 * connections in it now (ptcp_tcp_state_counts()).
 */
void ptcp_tcp_transitions(const struct ptcp_lcore *lc,
		uint64_t trans[PTCP_TCPS_MAX][PTCP_TCPS_MAX]);

/*
 * Observing from another thread (DPDK's telemetry thread, a monitor).
 *
 * Counters and counts are plain integers a reader may sum at any time. A
 * connection is its worker's alone, so a listing is copied by the worker
 * itself: ptcp_tcp_snapshot() posts a request that the worker serves at
 * the end of its next loop pass (one predictable branch per pass when
 * nobody asks), and waits for it a bounded time.
 */

/** Timers pending on a connection (ptcp_conn_info.timers). */
#define PTCP_CONN_TIMER_REXMT   0x01  /**< retransmission (SYN, data, FIN) */
#define PTCP_CONN_TIMER_PERSIST 0x02  /**< zero-window probe */
#define PTCP_CONN_TIMER_KEEP    0x04  /**< keepalive, FIN-WAIT-2 limit,
                                       *   CLOSE-WAIT age */
#define PTCP_CONN_TIMER_DELACK  0x08  /**< delayed ACK */

/** One connection, as its worker copied it. */
struct ptcp_conn_info {
	uint32_t laddr;         /**< network order */
	uint32_t raddr;         /**< network order */
	uint16_t lport;         /**< host order */
	uint16_t rport;         /**< host order */
	uint8_t state;          /**< enum ptcp_tcp_state */
	uint8_t timers;         /**< PTCP_CONN_TIMER_* pending */
	uint16_t pad;           /**< 0 */
	uint32_t age_ms;        /**< time in the current state */
	uint32_t srtt_ms;       /**< smoothed RTT; 0 before the first sample */
	uint32_t cwnd;          /**< congestion window, bytes */
	uint32_t bytes_in;      /**< data received in order (mod 2^32) */
	uint32_t bytes_out;     /**< data sent and acknowledged (mod 2^32) */
};

/** What one worker reported. */
struct ptcp_tcp_snapshot {
	uint32_t total;         /**< its connections (TCBs: TIME-WAIT entries
	                         *   are not connections, and not listed) */
	uint32_t time_wait;     /**< its TIME-WAIT entries */
	uint32_t n;             /**< entries in conns[] */
	uint32_t max;           /**< room in conns[] */
	struct ptcp_conn_info conns[]; /**< the connections listed */
};

/**
 * Hold off ptcp_tcp_detach() of @p e while a thread that is not a worker
 * reads it (counters, counts, snapshots); detach waits for
 * ptcp_tcp_observe_end(). One observer at a time: others wait here.
 * @return 0 (call ptcp_tcp_observe_end() after), or -ENODEV when TCP is
 *         not attached to @p e (or no more: it is being torn down)
 */
int ptcp_tcp_observe_begin(const struct ptcp_engine *e);

/** End what ptcp_tcp_observe_begin() began. */
void ptcp_tcp_observe_end(void);

/**
 * Ask worker @p idx of @p e to copy up to @p max of its connections (in
 * its list order, oldest first), and wait up to @p timeout_ms for it. Call
 * between ptcp_tcp_observe_begin() and ptcp_tcp_observe_end(), from a
 * thread that is not that worker (it would wait for itself).
 *
 * @return the snapshot, to free(); or NULL with rte_errno ETIMEDOUT (the
 *         worker ran no loop pass in time: not started, stopped, or
 *         stuck), EBUSY (an earlier request that timed out is still being
 *         served), ENODEV (@p idx is no worker with TCP), ENOMEM
 */
struct ptcp_tcp_snapshot *ptcp_tcp_snapshot(struct ptcp_engine *e,
		unsigned int idx, unsigned int max, unsigned int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_TCP_H */
