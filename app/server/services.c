/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The service registry: per-lcore state (context pools, shared buffers,
 * counters), the listeners, the context life cycle (accepted -> closed),
 * and the small mbuf chain helpers echo and HTTP use to hold input.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "services.h"

/* Context pool size when [tcp] max_conns is not set. */
#define SVC_DEFAULT_CONNS 65536
/* Least input HTTP holds while a response is blocked. */
#define SVC_HTTP_HOLD_MIN 65536
/* Least echo holds beyond the send buffer. */
#define SVC_ECHO_HOLD_MIN 65536

struct services {
	struct ptcp_server_config cfg;
	unsigned int nb_lcores;
	struct svc_lcore *lcore[RTE_MAX_LCORE];   /* by worker index */
};

static const char *const svc_names[SVC_MAX] = {
	[SVC_ECHO] = "echo",
	[SVC_DISCARD] = "discard",
	[SVC_DAYTIME] = "daytime",
	[SVC_CHARGEN] = "chargen",
	[SVC_HTTP] = "http",
	[SVC_RR] = "rr",
};

static const struct ptcp_tcp_ops *const svc_ops[SVC_MAX] = {
	[SVC_ECHO] = &svc_echo_ops,
	[SVC_DISCARD] = &svc_discard_ops,
	[SVC_DAYTIME] = &svc_daytime_ops,
	[SVC_CHARGEN] = &svc_chargen_ops,
	[SVC_HTTP] = &svc_http_ops,
	[SVC_RR] = &svc_rr_ops,
};

static uint16_t
svc_port(const struct ptcp_server_config *sc, enum svc_kind k)
{
	switch (k) {
	case SVC_ECHO: return sc->echo_port;
	case SVC_DISCARD: return sc->discard_port;
	case SVC_DAYTIME: return sc->daytime_port;
	case SVC_CHARGEN: return sc->chargen_port;
	case SVC_HTTP: return sc->http_port;
	case SVC_RR: return sc->rr_port;
	default: return 0;
	}
}

static void
lcore_free(struct svc_lcore *sl)
{
	if (sl == NULL)
		return;
	rte_mempool_free(sl->pool);
	rte_free((void *)(uintptr_t)sl->chargen);
	rte_free((void *)(uintptr_t)sl->http_body);
	rte_free((void *)(uintptr_t)sl->rr_buf);
	rte_free(sl);
}

static struct svc_lcore *
lcore_create(const struct ptcp_engine *e, const struct ptcp_server_config *sc,
		const struct ptcp_lcore *lc, char *err, size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct svc_lcore *sl;
	uint32_t n = e->cfg.tcp.max_conns;
	int socket = (int)rte_lcore_to_socket_id(lc->lcore_id);
	char *buf;

	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = SOCKET_ID_ANY;
	sl = rte_zmalloc_socket("svc_lcore", sizeof(*sl), RTE_CACHE_LINE_SIZE,
			socket);
	if (sl == NULL)
		goto nomem;
	sl->lc = (struct ptcp_lcore *)(uintptr_t)lc;
	sl->http_body_len = sc->http_body;
	sl->http_max_request = sc->http_max_request;
	sl->http_hold_max = RTE_MAX(2 * sc->http_max_request,
			(uint32_t)SVC_HTTP_HOLD_MIN);
	sl->echo_hold_max = RTE_MAX(e->cfg.tcp.rcv_buf,
			(uint32_t)SVC_ECHO_HOLD_MIN);
	sl->date_t = (time_t)-1;
	sl->rr_request = sc->rr_request;
	sl->rr_response = sc->rr_response;
	sl->rr_server_closes = sc->rr_close == PTCP_RR_CLOSE_SERVER;

	if (n == 0)
		n = SVC_DEFAULT_CONNS;
	snprintf(name, sizeof(name), "svc_conn_%u", lc->idx);
	/* One lcore gets and puts; the last freed comes back first. */
	sl->pool = ptcp_obj_pool_create(name, n, sizeof(struct svc_conn),
			socket);
	if (sl->pool == NULL) {
		snprintf(err, errlen, "services: worker %u: no memory for %u "
			"connection contexts (%zu bytes each; lower [tcp] "
			"max_conns): %s", lc->idx, n, sizeof(struct svc_conn),
			rte_strerror(rte_errno));
		lcore_free(sl);
		rte_errno = ENOMEM;
		return NULL;
	}
	if (sc->chargen_port != 0) {
		buf = rte_malloc_socket("svc_chargen", 2 * CHARGEN_CYCLE, 0,
				socket);
		if (buf == NULL)
			goto nomem;
		chargen_fill(buf, 2 * CHARGEN_CYCLE, 0);
		sl->chargen = buf;
	}
	if (sc->http_port != 0) {
		buf = rte_malloc_socket("svc_http_body", SVC_HTTP_BODY_CHUNK, 0,
				socket);
		if (buf == NULL)
			goto nomem;
		memset(buf, 'x', SVC_HTTP_BODY_CHUNK);
		sl->http_body = buf;
	}
	if (sc->rr_port != 0) {
		buf = rte_malloc_socket("svc_rr", RR_PATTERN_BUF, 0, socket);
		if (buf == NULL)
			goto nomem;
		rr_pattern_fill((uint8_t *)buf, RR_PATTERN_BUF);
		sl->rr_buf = (const uint8_t *)buf;
	}
	return sl;
nomem:
	snprintf(err, errlen, "services: worker %u: out of memory", lc->idx);
	lcore_free(sl);
	rte_errno = ENOMEM;
	return NULL;
}

struct services *
services_create(const struct ptcp_engine *e,
		const struct ptcp_server_config *sc, char *err, size_t errlen)
{
	struct services *sv;
	unsigned int i, j;

	for (i = 0; i < SVC_MAX; i++) {
		for (j = i + 1; j < SVC_MAX; j++) {
			uint16_t p = svc_port(sc, i);

			if (p != 0 && p == svc_port(sc, j)) {
				snprintf(err, errlen, "[server] %s_port and "
					"%s_port are both %u", svc_names[i],
					svc_names[j], p);
				rte_errno = EINVAL;
				return NULL;
			}
		}
	}
	sv = rte_zmalloc("services", sizeof(*sv), 0);
	if (sv == NULL) {
		snprintf(err, errlen, "services: out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	sv->cfg = *sc;
	for (i = 0; i < e->nb_lcores; i++) {
		sv->lcore[i] = lcore_create(e, sc, e->lcores[i], err, errlen);
		if (sv->lcore[i] == NULL) {
			int errno_save = rte_errno;

			services_destroy(sv);
			rte_errno = errno_save;
			return NULL;
		}
		sv->nb_lcores = i + 1;
	}
	return sv;
}

int
services_listen(struct services *sv, struct ptcp_lcore *lc, char *err,
		size_t errlen)
{
	/* A client that vanishes (killed, unplugged) sends no FIN: keepalive
	 * finds it out in ESTABLISHED, the idle timeout in any state. */
	const struct ptcp_listen_opts opts = {
		.keepalive = sv->cfg.keepalive,
		.keepalive_idle_s = sv->cfg.keepalive_idle_s,
		.keepalive_intvl_s = sv->cfg.keepalive_intvl_s,
		.keepalive_cnt = sv->cfg.keepalive_cnt,
		.idle_timeout_s = sv->cfg.idle_timeout_s,
	};
	struct svc_lcore *sl;
	unsigned int k;
	uint16_t port;
	int ret;

	if (lc->idx >= sv->nb_lcores || sv->lcore[lc->idx] == NULL) {
		snprintf(err, errlen, "services: worker %u unknown", lc->idx);
		return -EINVAL;
	}
	sl = sv->lcore[lc->idx];
	for (k = 0; k < SVC_MAX; k++) {
		port = svc_port(&sv->cfg, k);
		if (port == 0)
			continue;
		ret = ptcp_listen(lc, port, svc_ops[k], sl, &opts);
		if (ret != 0) {
			snprintf(err, errlen, "%s: cannot listen on port %u "
				"(worker %u): %s", svc_names[k], port, lc->idx,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void
services_describe(const struct services *sv, FILE *f, const char *prefix)
{
	unsigned int k, n = 0;

	for (k = 0; k < SVC_MAX; k++) {
		uint16_t port = svc_port(&sv->cfg, k);

		if (port == 0)
			continue;
		fprintf(f, "%s%s on port %u", prefix, svc_names[k], port);
		if (k == SVC_HTTP)
			fprintf(f, " (body %u bytes, request head limit %u)",
				sv->cfg.http_body, sv->cfg.http_max_request);
		if (k == SVC_RR)
			fprintf(f, " (request %u bytes, response %u bytes, "
				"%s closes first)", sv->cfg.rr_request,
				sv->cfg.rr_response,
				sv->cfg.rr_close == PTCP_RR_CLOSE_SERVER ?
				"server" : "client");
		fputc('\n', f);
		n++;
	}
	if (n == 0) {
		fprintf(f, "%sno service enabled (every [server] port is 0)\n",
			prefix);
		return;
	}
	fprintf(f, "%sdead peers: keepalive ", prefix);
	if (sv->cfg.keepalive)
		fprintf(f, "after %u s idle, %u probes %u s apart",
			sv->cfg.keepalive_idle_s, sv->cfg.keepalive_cnt,
			sv->cfg.keepalive_intvl_s);
	else
		fputs("off", f);
	if (sv->cfg.idle_timeout_s != 0)
		fprintf(f, "; idle timeout %u s\n", sv->cfg.idle_timeout_s);
	else
		fputs("; idle timeout off\n", f);
}

void
services_stats(const struct services *sv, struct svc_stats *sum)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)sum;
	unsigned int i;
	size_t w;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < sv->nb_lcores; i++) {
		src = (const uint64_t *)&sv->lcore[i]->st;
		for (w = 0; w < sizeof(*sum) / sizeof(uint64_t); w++)
			dst[w] += src[w];
	}
}

void
services_print(const struct services *sv, FILE *f, const char *indent)
{
	static const unsigned int codes[SVC_HTTP_STATUS_MAX] = {
		[SVC_HTTP_200] = 200, [SVC_HTTP_400] = 400,
		[SVC_HTTP_405] = 405, [SVC_HTTP_431] = 431,
	};
	struct svc_stats sum;
	unsigned int i, k;

	services_stats(sv, &sum);
	for (k = 0; k < SVC_MAX; k++) {
		if (svc_port(&sv->cfg, k) == 0)
			continue;
		fprintf(f, "%s%-8s accepted %" PRIu64 " refused %" PRIu64
			" overflow %" PRIu64 " send_errors %" PRIu64, indent,
			svc_names[k], sum.accepted[k], sum.refused[k],
			sum.overflow[k], sum.send_errors[k]);
		switch (k) {
		case SVC_ECHO:
			fprintf(f, " bytes %" PRIu64, sum.echo_bytes);
			break;
		case SVC_DISCARD:
			fprintf(f, " bytes %" PRIu64, sum.discard_bytes);
			break;
		case SVC_DAYTIME:
			fprintf(f, " lines %" PRIu64, sum.daytime_lines);
			break;
		case SVC_CHARGEN:
			fprintf(f, " bytes %" PRIu64, sum.chargen_bytes);
			break;
		case SVC_HTTP:
			for (i = 0; i < SVC_HTTP_STATUS_MAX; i++)
				fprintf(f, " %u %" PRIu64, codes[i],
					sum.http_status[i]);
			fprintf(f, " bytes %" PRIu64, sum.http_bytes);
			break;
		case SVC_RR:
			fprintf(f, " responses %" PRIu64 " short %" PRIu64
				" bytes %" PRIu64, sum.rr_responses,
				sum.rr_short, sum.rr_bytes);
			break;
		default:
			break;
		}
		fputc('\n', f);
	}
	fprintf(f, "%sclosed  ", indent);
	for (i = 0; i < PTCP_CLOSE_REASON_MAX; i++)
		fprintf(f, " %s %" PRIu64, ptcp_close_reason_name(i),
			sum.closed[i]);
	fputc('\n', f);
}

void
services_destroy(struct services *sv)
{
	unsigned int i;

	if (sv == NULL)
		return;
	for (i = 0; i < sv->nb_lcores; i++)
		lcore_free(sv->lcore[i]);
	rte_free(sv);
}

struct svc_conn *
svc_conn_get(struct svc_lcore *sl, enum svc_kind kind, struct ptcp_conn *c)
{
	struct svc_conn *x;
	void *obj;

	if (unlikely(rte_mempool_get(sl->pool, &obj) != 0)) {
		sl->st.refused[kind]++;
		return NULL;
	}
	x = obj;
	memset(x, 0, offsetof(struct svc_conn, u));
	x->sl = sl;
	x->kind = (uint8_t)kind;
	ptcp_conn_set_arg(c, x);
	sl->st.accepted[kind]++;
	return x;
}

void
svc_conn_closed(struct ptcp_conn *c, enum ptcp_close_reason reason)
{
	struct svc_conn *x = ptcp_conn_arg(c);
	struct svc_lcore *sl;

	if (x == NULL)
		return;
	sl = x->sl;
	switch (x->kind) {
	case SVC_ECHO:
		rte_pktmbuf_free(x->u.echo.head);
		break;
	case SVC_HTTP:
		rte_pktmbuf_free(x->u.http.held);
		break;
	default:
		break;
	}
	if ((unsigned int)reason < PTCP_CLOSE_REASON_MAX)
		sl->st.closed[reason]++;
	ptcp_conn_set_arg(c, NULL);
	rte_mempool_put(sl->pool, x);
}

void
svc_data_drop(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	if (x != NULL && x->kind == SVC_DISCARD)
		x->sl->st.discard_bytes += m->pkt_len;
	rte_pktmbuf_free(m);
}

void
svc_close(struct svc_conn *x, struct ptcp_conn *c)
{
	if (x->closing)
		return;
	x->closing = true;
	ptcp_close(c);
}

void
svc_peer_closed_close(struct ptcp_conn *c)
{
	struct svc_conn *x = ptcp_conn_arg(c);

	x->peer_closed = true;
	svc_close(x, c);
}

int
svc_chain_append(struct rte_mbuf **head, struct rte_mbuf **tail,
		struct rte_mbuf *m, uint32_t max_bytes)
{
	struct rte_mbuf *h = *head;

	if (h == NULL) {
		if (m->pkt_len > max_bytes || m->nb_segs > SVC_HOLD_MAX_SEGS)
			return -ENOBUFS;
		*head = m;
		*tail = rte_pktmbuf_lastseg(m);
		return 0;
	}
	if ((uint64_t)h->pkt_len + m->pkt_len > max_bytes ||
			(uint32_t)h->nb_segs + m->nb_segs > SVC_HOLD_MAX_SEGS)
		return -ENOBUFS;
	(*tail)->next = m;
	h->nb_segs += m->nb_segs;
	h->pkt_len += m->pkt_len;
	*tail = rte_pktmbuf_lastseg(m);
	return 0;
}

struct rte_mbuf *
svc_chain_trim(struct rte_mbuf *m, uint32_t n)
{
	struct rte_mbuf *next;

	while (m != NULL && n >= m->data_len) {
		next = m->next;
		n -= m->data_len;
		if (next != NULL) {
			next->nb_segs = m->nb_segs - 1;
			next->pkt_len = m->pkt_len - m->data_len;
		}
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	if (m != NULL && n > 0)
		rte_pktmbuf_adj(m, (uint16_t)n);
	return m;
}

struct rte_mbuf *
svc_chain_split(struct rte_mbuf **head, uint32_t room, struct rte_mbuf **last)
{
	struct rte_mbuf *run = *head, *seg = run, *prev = NULL;
	uint32_t len = 0;
	uint16_t n = 0;

	while (seg != NULL && len + seg->data_len <= room) {
		len += seg->data_len;
		n++;
		prev = seg;
		seg = seg->next;
	}
	if (n == 0)
		return NULL;
	*last = prev;
	if (seg == NULL) {
		*head = NULL;
		return run;
	}
	prev->next = NULL;
	seg->nb_segs = run->nb_segs - n;
	seg->pkt_len = run->pkt_len - len;
	run->nb_segs = n;
	run->pkt_len = len;
	*head = seg;
	return run;
}

void
svc_chain_join(struct rte_mbuf *run, struct rte_mbuf *last,
		struct rte_mbuf *rest)
{
	if (rest == NULL)
		return;
	last->next = rest;
	run->nb_segs += rest->nb_segs;
	run->pkt_len += rest->pkt_len;
}
