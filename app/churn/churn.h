/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CHURN_H
#define CHURN_H

/**
 * @file
 * ptcp-churn's workload, one instance per worker lcore: open connections
 * (at a concurrency or a paced rate), send a request, read the whole
 * response, close the way --closer says, count the outcome, repeat.
 *
 * It knows nothing of the command line or the EAL's launch: the caller
 * (main.c, or the pkt test with a hand-driven clock) owns the engine and
 * runs, on the lcore that owns @p lc,
 *
 *     churn_lcore_init(cl, lc, &params, idx, nb);
 *     while (...) {
 *             ptcp_lcore_poll(lc);              // or ptcp_lcore_poll_at()
 *             churn_lcore_step(cl, lc->now_tsc);
 *     }
 *     churn_lcore_stop(cl, tsc);  ... poll until churn_lcore_idle(cl) ...
 *     ptcp_tcp_drain(lc);  churn_lcore_free(cl);
 *
 * Counters (struct churn_stats) and the latency histogram are plain
 * fields written by the owning lcore only; another lcore may read them
 * for a progress line (they only grow).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_tcp.h"

#include "hist.h"

/** Who closes first (--closer). */
enum churn_closer {
	CHURN_CLOSE_CLIENT = 0,   /**< we close after the whole response */
	CHURN_CLOSE_SERVER,       /**< we wait for the server's FIN */
	CHURN_CLOSE_RST,          /**< we abort (RST) after the response */
	CHURN_CLOSE_MIX,          /**< HTTP only: client, server, rst in turn,
	                               one connection each */
	CHURN_CLOSER_MAX
};

/** Why a connection failed. */
enum churn_fail {
	CHURN_FAIL_REFUSED = 0,   /**< closed REFUSED: RST to our SYN */
	CHURN_FAIL_TIMEOUT,       /**< connect or I/O time limit, closed TIMEOUT */
	CHURN_FAIL_RESET,         /**< closed RESET before we were done */
	CHURN_FAIL_SHORT,         /**< EOF before the whole response */
	CHURN_FAIL_BAD,           /**< wrong bytes, too many, HTTP not 2xx */
	CHURN_FAIL_PORT,          /**< ptcp_connect: EADDRNOTAVAIL */
	CHURN_FAIL_NOMEM,         /**< ptcp_connect: ENOBUFS, or no context */
	CHURN_FAIL_OTHER,         /**< anything else */
	CHURN_FAIL_MAX
};

/** Name of a closer ("client") or a failure kind ("port_exhausted"). */
const char *churn_closer_name(unsigned int closer);
/** The closer named @p name ("client", "server", "rst", "mix"), or -1. */
int churn_closer_parse(const char *name);
const char *churn_fail_name(unsigned int kind);

/** Longest HTTP request we build. */
#define CHURN_HTTP_REQ_MAX 256

/** The workload, the same for every lcore (read-only once running). */
/** Most source addresses (--src). */
#define CHURN_MAX_SRC PTCP_MAX_EXTRA_ADDRS

struct churn_params {
	uint32_t raddr;               /**< server, network order */
	uint32_t src[CHURN_MAX_SRC];  /**< --src, network order */
	unsigned int nb_src;          /**< 0: the port's own address */
	uint16_t rport;               /**< host order */
	uint16_t lport_min;           /**< whole range; split between lcores */
	uint16_t lport_max;
	uint32_t concurrency;         /**< total; 0 when paced by rate */
	double rate;                  /**< connections/s in total; 0: concurrency */
	uint64_t count;               /**< connections in total; 0 = no limit */
	uint32_t request;             /**< bytes sent (rr mode) */
	uint32_t response;            /**< bytes expected (rr mode) */
	bool http;                    /**< GET / and a response head instead */
	bool verify;                  /**< check the rr pattern's bytes */
	uint8_t closer;               /**< enum churn_closer */
	uint32_t connect_timeout_ms;  /**< SYN -> connected; 0 = none */
	uint32_t io_timeout_ms;       /**< connected -> done; 0 = none */
	uint32_t max_open;            /**< contexts per lcore in rate mode */
	uint64_t tsc_hz;
};

/** One lcore's counters (plain; written by that lcore only). */
struct churn_stats {
	uint64_t started;             /**< ptcp_connect() returned a conn */
	uint64_t connected;           /**< connected callbacks */
	uint64_t ok;                  /**< whole response, closed as asked */
	uint64_t fail[CHURN_FAIL_MAX];
	uint64_t unfinished;          /**< still open at the stop: drained */
	uint64_t open;                /**< contexts in use now */
	uint64_t established;         /**< connected, not yet closed, now */
	uint64_t bytes_out;           /**< request bytes queued */
	uint64_t bytes_in;            /**< response bytes received */
	uint64_t tw;                  /**< TIME-WAIT count, sampled each second */
	uint64_t exhausted_tsc;       /**< last EADDRNOTAVAIL (0: never) */
	bool finished;                /**< count reached or stopped, all closed */
};

/** State of one connection (enum). */
enum churn_phase {
	CP_FREE = 0,
	CP_CONNECTING,                /**< SYN sent */
	CP_EXCHANGE,                  /**< sending the request, reading */
	CP_CLOSING,                   /**< response in; closing as asked */
};

/** HTTP response head scanner (incremental). */
struct churn_http {
	uint64_t body;                /**< Content-Length (once known) */
	uint32_t head;                /**< head bytes seen */
	uint16_t status;
	uint8_t state;                /**< where in the head we are */
	uint8_t match;                /**< chars of "content-length:" matched */
	uint8_t sp;                   /**< status line: spaces seen */
	bool have_len;
	bool in_body;
};

struct churn_lcore;

/** One connection's context (from the lcore's array). */
struct churn_conn {
	TAILQ_ENTRY(churn_conn) link; /**< free list, or a time-out FIFO */
	struct churn_lcore *cl;
	struct ptcp_conn *c;
	uint64_t t0;                  /**< TSC: connect, then connected */
	uint64_t sent;                /**< request bytes queued */
	uint64_t got;                 /**< response bytes (body for HTTP) */
	uint8_t phase;                /**< enum churn_phase */
	bool done;                    /**< the whole response is in */
	bool failed;                  /**< counted as a failure already */
	bool peer_fin;
	uint8_t closer;               /**< this one's: --closer, or its turn */
	struct churn_http h;
};

TAILQ_HEAD(churn_conn_list, churn_conn);

/** One lcore's workload. */
struct churn_lcore {
	struct churn_stats st;        /**< first: the progress line reads it */
	struct hist lat;              /**< connect latency, ns, cumulative */

	struct ptcp_lcore *lc;
	const struct churn_params *p;
	struct churn_conn *conns;     /**< nb_conns contexts */
	uint32_t nb_conns;
	struct churn_conn_list free;
	struct churn_conn_list connecting;   /**< by connect time */
	struct churn_conn_list exchanging;   /**< by connected time */
	uint64_t to_open;             /**< opens left (UINT64_MAX: no limit) */
	uint32_t target;              /**< concurrency of this lcore */
	uint64_t interval;            /**< rate mode: TSC between opens */
	uint64_t next_open;           /**< rate mode: TSC of the next open */
	uint64_t backoff_until;       /**< after EADDRNOTAVAIL: wait */
	uint64_t next_sample;         /**< TSC of the next TIME-WAIT sample */
	uint64_t connect_tmo;         /**< in TSC cycles; 0 = none */
	uint64_t io_tmo;
	double ns_per_tsc;
	uint16_t lport_min, lport_max;/**< this lcore's share of the range */
	unsigned int src_next;        /**< next --src to open from */
	bool warm;                    /**< a first connection got an answer */
	bool stopping;
	bool draining;                /**< closed callbacks now are the drain's */
	uint8_t mix_next;             /**< --closer mix: the next one's turn */
	uint16_t http_req_len;
	uint16_t http_close_len;
	uint8_t *pattern;             /**< RR_PATTERN_BUF bytes */
	char http_req[CHURN_HTTP_REQ_MAX];        /**< keep-alive */
	char http_close[CHURN_HTTP_REQ_MAX];      /**< Connection: close */
} __rte_cache_aligned;

/**
 * Set up lcore @p idx of @p nb for the workload @p p (kept by pointer):
 * its share of concurrency, rate, count and local ports, and its
 * connection contexts (heap, here, not on the fast path).
 * @return 0, -ENOMEM, or -EINVAL (fewer local ports than lcores)
 */
int churn_lcore_init(struct churn_lcore *cl, struct ptcp_lcore *lc,
		const struct churn_params *p, unsigned int idx,
		unsigned int nb);

/** Free the contexts (after the drain: no connection is left). */
void churn_lcore_free(struct churn_lcore *cl);

/**
 * Between two polls of the lcore, at TSC @p now: time out connections,
 * open new ones as concurrency or rate allows, sample the TIME-WAIT count
 * once a second, and set st.finished when all is done.
 */
void churn_lcore_step(struct churn_lcore *cl, uint64_t now);

/** Open nothing more; connections under way go on. */
void churn_lcore_stop(struct churn_lcore *cl);

/**
 * Before ptcp_tcp_drain(): what ends now is counted unfinished, not as a
 * failure.
 */
void churn_lcore_draining(struct churn_lcore *cl);

/** Connections still open on this lcore. */
static inline uint64_t
churn_lcore_open(const struct churn_lcore *cl)
{
	return cl->st.open;
}

/** This lcore's share of @p total when split between @p nb (index @p idx). */
static inline uint64_t
churn_share(uint64_t total, unsigned int idx, unsigned int nb)
{
	return total / nb + (idx < total % nb ? 1 : 0);
}

#endif /* CHURN_H */
