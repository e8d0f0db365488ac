/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SERVICES_H
#define SERVICES_H

/**
 * @file
 * ptcp-server's services: echo (RFC 862), discard (RFC 863), daytime
 * (RFC 867), chargen (RFC 864), a small HTTP/1.1 responder and rr (one
 * request, one response, then a close: ptcp-churn's peer), on the ports of
 * the [server] section (docs/server.md).
 *
 * Each worker lcore has its own struct svc_lcore (the listeners' arg): a
 * mempool of connection contexts (struct svc_conn, one per connection,
 * taken in accepted and given back in closed: no heap on the fast path),
 * the services' shared read-only buffers and the counters. Nothing is
 * shared between lcores; main.c holds the struct services that owns them.
 *
 *     sv = services_create(e, &scfg, err, sizeof(err));
 *     for each worker: services_listen(sv, e->lcores[i], err, sizeof(err));
 *     ... run, drain (every connection gets closed) ...
 *     services_print(sv, stdout, "  ");
 *     services_destroy(sv);
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "server_config.h"
#include "ptcp_tcp.h"

#include "http_parse.h"
#include "rr_pattern.h"
#include "textgen.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The services, in the order they are listed and printed. */
enum svc_kind {
	SVC_ECHO = 0,
	SVC_DISCARD,
	SVC_DAYTIME,
	SVC_CHARGEN,
	SVC_HTTP,
	SVC_RR,
	SVC_MAX
};

/** HTTP statuses counted (index into svc_stats.http_status). */
enum svc_http_status {
	SVC_HTTP_200 = 0,
	SVC_HTTP_400,
	SVC_HTTP_405,
	SVC_HTTP_431,
	SVC_HTTP_STATUS_MAX
};

/** Bytes of 'x' an HTTP body is sent from (any body length: repeated). */
#define SVC_HTTP_BODY_CHUNK 16384
/** Most mbuf segments echo or HTTP hold for one connection. */
#define SVC_HOLD_MAX_SEGS 1024

/** One worker's service counters. */
struct svc_stats {
	uint64_t accepted[SVC_MAX];
	uint64_t refused[SVC_MAX];    /**< no context free: accepted said -1 */
	uint64_t overflow[SVC_MAX];   /**< aborted: held input over the limit */
	uint64_t send_errors[SVC_MAX];/**< a send failed (not backpressure) */
	uint64_t closed[PTCP_CLOSE_REASON_MAX];
	uint64_t echo_bytes;          /**< queued back to the peer */
	uint64_t discard_bytes;       /**< received and freed */
	uint64_t daytime_lines;       /**< lines sent in full */
	uint64_t chargen_bytes;       /**< queued */
	uint64_t http_status[SVC_HTTP_STATUS_MAX]; /**< responses by status */
	uint64_t http_bytes;          /**< response bytes queued */
	uint64_t rr_responses;        /**< rr: responses queued in full */
	uint64_t rr_short;            /**< rr: FIN before the whole request */
	uint64_t rr_bytes;            /**< rr: response bytes queued */
};

/** One worker's services: the listeners' arg. */
struct svc_lcore {
	struct svc_stats st;
	struct rte_mempool *pool;     /**< struct svc_conn, this lcore only */
	struct ptcp_lcore *lc;
	const char *chargen;          /**< 2 * CHARGEN_CYCLE pattern bytes */
	const char *http_body;        /**< SVC_HTTP_BODY_CHUNK bytes of 'x' */
	const uint8_t *rr_buf;        /**< RR_PATTERN_BUF bytes of the pattern */
	uint32_t echo_hold_max;       /**< echo: bytes held beyond the send buffer */
	uint32_t http_hold_max;       /**< http: input bytes held while sending */
	uint32_t http_body_len;       /**< [server] http_body */
	uint32_t http_max_request;    /**< [server] http_max_request */
	uint32_t rr_request;          /**< [server] rr_request */
	uint32_t rr_response;         /**< [server] rr_response */
	bool rr_server_closes;        /**< [server] rr_close = server */
	time_t date_t;                /**< second of date[] (cache) */
	char date[HTTP_DATE_MAX];     /**< HTTP Date of date_t */
} __rte_cache_aligned;

/** An HTTP response being queued (it may take several writable calls). */
struct http_out {
	time_t date;                  /**< the Date it carries */
	uint64_t body_len;            /**< Content-Length */
	uint64_t total;               /**< head + body bytes sent (HEAD: head) */
	uint64_t off;                 /**< bytes queued so far */
	uint32_t prefix_len;          /**< head and first body bytes rendered together */
	uint16_t status;
	uint8_t conn;                 /**< enum http_conn_hdr */
	bool head_only;
	bool active;                  /**< a response is not yet all queued */
};

/** HTTP per-connection state. */
struct http_conn {
	struct http_parser p;
	struct http_out out;
	struct rte_mbuf *held;        /**< input not parsed yet (out.active) */
	struct rte_mbuf *held_tail;   /**< its last segment */
};

/** Per-connection context, from svc_lcore.pool; ptcp_conn_arg() of it. */
struct svc_conn {
	struct svc_lcore *sl;
	uint8_t kind;                 /**< enum svc_kind */
	bool peer_closed;             /**< the peer's FIN arrived */
	bool closing;                 /**< we called ptcp_close() */
	union {
		struct {
			struct rte_mbuf *head;  /**< not yet accepted by TCP */
			struct rte_mbuf *tail;  /**< its last segment */
			uint32_t held;          /**< bytes ptcp_recv_hold() told */
		} echo;
		struct {
			uint32_t pos;           /**< next byte of the cycle */
		} chargen;
		struct {
			uint8_t off;            /**< bytes of line sent */
			uint8_t len;
			char line[DAYTIME_LINE_MAX];
		} daytime;
		struct http_conn http;
		struct {
			uint32_t got;           /**< request bytes received */
			uint32_t sent;          /**< response bytes queued */
			bool answering;         /**< the request is all in */
		} rr;
	} u;
};

/** Every worker's services (main.c owns it). */
struct services;

/** Callbacks of each service (services.c lists them by kind). */
extern const struct ptcp_tcp_ops svc_echo_ops;
extern const struct ptcp_tcp_ops svc_discard_ops;
extern const struct ptcp_tcp_ops svc_daytime_ops;
extern const struct ptcp_tcp_ops svc_chargen_ops;
extern const struct ptcp_tcp_ops svc_http_ops;
extern const struct ptcp_tcp_ops svc_rr_ops;

/**
 * Per-lcore state for every worker of @p e: context pools sized to
 * [tcp] max_conns, the chargen and HTTP body buffers, counters.
 * Checks that no two enabled services share a port.
 *
 * @return the services, or NULL with rte_errno (EINVAL: two services on
 *         one port; ENOMEM) and @p err filled
 */
struct services *services_create(const struct ptcp_engine *e,
		const struct ptcp_server_config *sc, char *err, size_t errlen);

/**
 * Listen on every enabled service's port on worker @p lc (before the
 * workers are launched, or from @p lc itself).
 * @return 0, or the first ptcp_listen() error with @p err filled
 */
int services_listen(struct services *sv, struct ptcp_lcore *lc,
		char *err, size_t errlen);

/** One line per enabled service ("<prefix>echo on port 7"). */
void services_describe(const struct services *sv, FILE *f,
		const char *prefix);

/** The counters summed over the workers, into @p sum. */
void services_stats(const struct services *sv, struct svc_stats *sum);

/** Print the counters summed over the workers. */
void services_print(const struct services *sv, FILE *f, const char *indent);

/** Free everything (after every worker's drain: no connection is left). */
void services_destroy(struct services *sv);

/* For the services' files. */

/** Take a context for @p c (accepted). @return it, or NULL: refuse */
struct svc_conn *svc_conn_get(struct svc_lcore *sl, enum svc_kind kind,
		struct ptcp_conn *c);

/** The closed callback every service uses: frees what the context holds. */
void svc_conn_closed(struct ptcp_conn *c, enum ptcp_close_reason reason);

/** Data to throw away (discard's, and daytime's and chargen's input). */
void svc_data_drop(struct ptcp_conn *c, struct rte_mbuf *m);

/** ptcp_close() once (sets closing). */
void svc_close(struct svc_conn *x, struct ptcp_conn *c);

/**
 * The peer_closed callback of a service with nothing left to say once the
 * peer has finished (discard, chargen): close our side too.
 */
void svc_peer_closed_close(struct ptcp_conn *c);

/**
 * Append chain @p m to the held chain *@p head (last segment *@p tail),
 * unless that would hold more than @p max_bytes or SVC_HOLD_MAX_SEGS.
 * @return 0, or -ENOBUFS (nothing changed; @p m still the caller's)
 */
int svc_chain_append(struct rte_mbuf **head, struct rte_mbuf **tail,
		struct rte_mbuf *m, uint32_t max_bytes);

/**
 * Drop the first @p n bytes of chain @p m (freeing the segments they empty,
 * and empty leading segments). @return the rest, or NULL when none is left
 */
struct rte_mbuf *svc_chain_trim(struct rte_mbuf *m, uint32_t n);

/**
 * Cut from *@p head the longest run of whole leading segments holding at
 * most @p room bytes. *@p head becomes the rest (NULL if none).
 * @param last  the cut run's last segment (for svc_chain_join())
 * @return the run, or NULL (the first segment alone is larger: no change)
 */
struct rte_mbuf *svc_chain_split(struct rte_mbuf **head, uint32_t room,
		struct rte_mbuf **last);

/** Undo svc_chain_split(): @p rest (may be NULL) after @p run. */
void svc_chain_join(struct rte_mbuf *run, struct rte_mbuf *last,
		struct rte_mbuf *rest);

#ifdef __cplusplus
}
#endif

#endif /* SERVICES_H */
