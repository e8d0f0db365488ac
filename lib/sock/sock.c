/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket table and a socket's life: socket, bind, listen, accept,
 * connect, shutdown, close; and the callbacks through which TCP tells a
 * socket what happened (sock_tcp_ops). Callbacks only record and mark
 * the socket for its epoll: the program acts on its next call.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sock_priv.h"

/* ------------------------------------------------------------------ */
/* The table                                                          */
/* ------------------------------------------------------------------ */

struct ptcp_sock_table *
ptcp_sock_table_create(struct ptcp_lcore *lc, unsigned int max_fds)
{
	struct ptcp_sock_table *t;
	unsigned int i;
	int numa;

	if (lc == NULL || lc->l4 == NULL || max_fds == 0 ||
			max_fds > PTCP_SOCK_MAX_FDS) {
		rte_errno = EINVAL;
		return NULL;
	}
	numa = (int)rte_lcore_to_socket_id(lc->lcore_id);
	t = rte_zmalloc_socket("ptcp_sock_table", sizeof(*t),
		RTE_CACHE_LINE_SIZE, numa);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->socks = rte_zmalloc_socket("ptcp_socks",
		(size_t)max_fds * sizeof(*t->socks), RTE_CACHE_LINE_SIZE, numa);
	if (t->socks == NULL) {
		rte_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	t->lc = lc;
	t->tcfg = &lc->eng->cfg.tcp;
	t->max_fds = max_fds;
	/* Free list in index order: the lowest descriptor comes first. */
	for (i = max_fds; i-- > 0; ) {
		t->socks[i].fd = (int)i;
		t->socks[i].t = t;
		t->socks[i].free_next = t->free_head;
		t->free_head = &t->socks[i];
	}
	return t;
}

/* Drop whatever @s has without calling back: the table goes away. */
static void
sock_drop(struct sock *s)
{
	if (s->kind == SK_TCP) {
		if (s->state == SS_LISTEN) {
			ptcp_unlisten(s->t->lc, s->lport);
			while (s->aq_head != NULL) {
				struct sock *e = s->aq_head;

				s->aq_head = e->aq_next;
				sock_drop(e);
				sock_free(e);
			}
		}
		if (s->c != NULL) {
			ptcp_conn_set_arg(s->c, NULL);
			ptcp_abort(s->c);
			s->c = NULL;
		}
		sock_rq_free(s);
	}
	sock_ep_leave(s);
}

void
ptcp_sock_table_destroy(struct ptcp_sock_table *t)
{
	unsigned int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->max_fds; i++)
		if (t->socks[i].kind != SK_FREE &&
				!(t->socks[i].flags & SKF_EMBRYO))
			sock_drop(&t->socks[i]);
	rte_free(t->socks);
	rte_free(t);
}

struct ptcp_lcore *
ptcp_sock_table_lcore(const struct ptcp_sock_table *t)
{
	return t->lc;
}

unsigned int
ptcp_sock_table_used(const struct ptcp_sock_table *t)
{
	return t->used;
}

struct sock *
sock_get(struct ptcp_sock_table *t, int fd)
{
	struct sock *s;

	if (fd < 0 || (unsigned int)fd >= t->max_fds) {
		errno = EBADF;
		return NULL;
	}
	s = &t->socks[fd];
	if (s->kind == SK_FREE || (s->flags & SKF_EMBRYO)) {
		errno = EBADF;
		return NULL;
	}
	return s;
}

struct sock *
sock_get_tcp(struct ptcp_sock_table *t, int fd)
{
	struct sock *s = sock_get(t, fd);

	if (s != NULL && s->kind != SK_TCP) {
		errno = ENOTSOCK;
		return NULL;
	}
	return s;
}

struct sock *
sock_alloc(struct ptcp_sock_table *t, enum sk_kind kind)
{
	struct sock *s = t->free_head;
	int fd;

	if (s == NULL)
		return NULL;
	t->free_head = s->free_next;
	fd = s->fd;
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->t = t;
	s->kind = (uint8_t)kind;
	s->opt.rcvbuf = t->tcfg->rcv_buf;
	s->opt.sndbuf = t->tcfg->snd_buf;
	if (!t->tcfg->nagle)
		s->flags |= SKF_NODELAY;
	if (t->tcfg->keepalive)
		s->flags |= SKF_KEEPALIVE;
	TAILQ_INIT(&s->ready);
	t->used++;
	return s;
}

void
sock_free(struct sock *s)
{
	struct ptcp_sock_table *t = s->t;

	s->kind = SK_FREE;
	s->flags = 0;
	s->c = NULL;
	s->free_next = t->free_head;
	t->free_head = s;
	t->used--;
}

/* ------------------------------------------------------------------ */
/* Callbacks: TCP tells the socket                                    */
/* ------------------------------------------------------------------ */

static int
sk_accepted(struct ptcp_conn *c, void *listen_arg)
{
	struct sock *l = listen_arg, *s;

	if (l == NULL || l->state != SS_LISTEN || l->aq_len >= l->aq_max)
		return -1;                      /* RST, as a full queue */
	s = sock_alloc(l->t, SK_TCP);
	if (s == NULL)
		return -1;
	ptcp_conn_tuple(c, &s->laddr, &s->lport, &s->raddr, &s->rport);
	if (l->laddr != 0 && s->laddr != l->laddr) {
		sock_free(s);                   /* bound to another address */
		return -1;
	}
	s->flags |= SKF_EMBRYO | SKF_BOUND | SKF_WAS_CONN |
		(l->flags & (SKF_KEEPALIVE | SKF_NODELAY | SKF_LINGER));
	s->state = SS_CONNECTED;
	s->c = c;
	s->listener = l;
	s->opt = l->opt;
	ptcp_conn_set_arg(c, s);
	sock_opts_apply(s);
	sock_rcvbuf_apply(s);
	if (l->aq_tail != NULL)
		l->aq_tail->aq_next = s;
	else
		l->aq_head = s;
	l->aq_tail = s;
	l->aq_len++;
	sock_event(l);
	return 0;
}

static void
sk_connected(struct ptcp_conn *c)
{
	struct sock *s = ptcp_conn_arg(c);

	if (s == NULL)
		return;
	s->state = SS_CONNECTED;
	s->flags |= SKF_WAS_CONN;
	if (s->opt.maxseg != 0)
		ptcp_conn_set_maxseg(c, s->opt.maxseg);
	sock_event(s);
}

static void
sk_data(struct ptcp_conn *c, struct rte_mbuf *m)
{
	struct sock *s = ptcp_conn_arg(c);
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (s == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	/* Kept until read: held, so the window shrinks by it. */
	ptcp_recv_hold(c, len);
	if (s->rq_tail != NULL)
		s->rq_tail->next = m;
	else
		s->rq_head = m;
	s->rq_tail = rte_pktmbuf_lastseg(m);
	s->rq_len += len;
	sock_event(s);
}

static void
sk_writable(struct ptcp_conn *c)
{
	struct sock *s = ptcp_conn_arg(c);

	if (s != NULL)
		sock_event(s);
}

static void
sk_peer_closed(struct ptcp_conn *c)
{
	struct sock *s = ptcp_conn_arg(c);

	if (s == NULL)
		return;
	s->flags |= SKF_PEER_FIN;
	sock_event(s);
}

static void
sk_closed(struct ptcp_conn *c, enum ptcp_close_reason why)
{
	struct sock *s = ptcp_conn_arg(c);

	if (s == NULL)
		return;
	s->c = NULL;
	s->state = SS_ENDED;
	switch (why) {
	case PTCP_CLOSE_NORMAL:
		break;
	case PTCP_CLOSE_RESET:
		s->err = ECONNRESET;
		break;
	case PTCP_CLOSE_TIMEOUT:
		s->err = ETIMEDOUT;
		break;
	case PTCP_CLOSE_REFUSED:
		s->err = ECONNREFUSED;
		break;
	default:
		s->err = ECONNABORTED;
		break;
	}
	/* Nothing holds the window any more; the data stays readable. */
	s->rcv_extra = 0;
	sock_event(s);
}

const struct ptcp_tcp_ops sock_tcp_ops = {
	.accepted = sk_accepted,
	.connected = sk_connected,
	.data = sk_data,
	.writable = sk_writable,
	.peer_closed = sk_peer_closed,
	.closed = sk_closed,
};

/* ------------------------------------------------------------------ */
/* socket, bind, listen, accept, connect                              */
/* ------------------------------------------------------------------ */

int
ptcp_sock_socket(struct ptcp_sock_table *t, int domain, int type,
		int protocol)
{
	struct sock *s;

	if (domain != AF_INET)
		return sock_fail(EAFNOSUPPORT);
	if (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf))
		return sock_fail(EINVAL);
	if ((type & 0xf) != SOCK_STREAM ||
			(protocol != 0 && protocol != IPPROTO_TCP))
		return sock_fail(EPROTONOSUPPORT);
	s = sock_alloc(t, SK_TCP);
	if (s == NULL)
		return sock_fail(EMFILE);
	return s->fd;
}

static int
sin_read(const struct sockaddr *addr, socklen_t len, uint32_t *a,
		uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)
		(const void *)addr;

	if (addr == NULL)
		return EFAULT;
	if (len < (socklen_t)sizeof(*sin))
		return EINVAL;
	if (sin->sin_family != AF_INET)
		return EAFNOSUPPORT;
	*a = sin->sin_addr.s_addr;
	*port = rte_be_to_cpu_16(sin->sin_port);
	return 0;
}

static bool
addr_is_ours(const struct ptcp_lcore *lc, uint32_t a)
{
	unsigned int i;

	for (i = 0; i < lc->nb_ifs; i++)
		if (ptcp_ipv4_is_ours(&lc->ifs[i].ip, a))
			return true;
	return false;
}

int
ptcp_sock_bind(struct ptcp_sock_table *t, int fd,
		const struct sockaddr *addr, socklen_t len)
{
	struct sock *s = sock_get_tcp(t, fd);
	unsigned int i;
	uint32_t a;
	uint16_t port;
	int e;

	if (s == NULL)
		return -1;
	e = sin_read(addr, len, &a, &port);
	if (e != 0)
		return sock_fail(e);
	if ((s->flags & SKF_BOUND) || s->state != SS_NEW)
		return sock_fail(EINVAL);
	if (a != INADDR_ANY && !addr_is_ours(t->lc, a))
		return sock_fail(EADDRNOTAVAIL);
	for (i = 0; port != 0 && i < t->max_fds; i++) {
		const struct sock *o = &t->socks[i];

		if (o == s || o->kind != SK_TCP || !(o->flags & SKF_BOUND) ||
				(o->flags & SKF_EMBRYO) || o->lport != port ||
				o->listener != NULL)
			continue;
		if (o->laddr != 0 && a != 0 && o->laddr != a)
			continue;
		if ((o->flags & s->flags & SKF_REUSEADDR) &&
				o->state != SS_LISTEN)
			continue;
		return sock_fail(EADDRINUSE);
	}
	s->laddr = a;
	s->lport = port;
	s->flags |= SKF_BOUND;
	return 0;
}

int
ptcp_sock_listen(struct ptcp_sock_table *t, int fd, int backlog)
{
	struct sock *s = sock_get_tcp(t, fd);
	struct ptcp_listen_opts lo = { 0 };
	int r;

	if (s == NULL)
		return -1;
	if (backlog <= 0)
		backlog = 1;
	if ((unsigned int)backlog > t->max_fds)
		backlog = (int)t->max_fds;
	if (s->state == SS_LISTEN) {
		s->aq_max = (uint32_t)backlog;
		return 0;
	}
	if (s->state != SS_NEW)
		return sock_fail(EINVAL);
	if (!(s->flags & SKF_BOUND) || s->lport == 0)
		return sock_fail(EDESTADDRREQ);
	lo.backlog = (uint32_t)backlog;
	lo.keepalive = (s->flags & SKF_KEEPALIVE) ? 1 : 0;
	lo.keepalive_idle_s = s->opt.keep_idle_s;
	lo.keepalive_intvl_s = s->opt.keep_intvl_s;
	lo.keepalive_cnt = s->opt.keep_cnt;
	r = ptcp_listen(t->lc, s->lport, &sock_tcp_ops, s, &lo);
	if (r == -ENOSPC)
		return sock_fail(ENOBUFS);
	if (r < 0)
		return sock_fail(-r);
	s->state = SS_LISTEN;
	s->aq_max = (uint32_t)backlog;
	return 0;
}

static void
sin_write(struct sockaddr *addr, socklen_t *len, uint32_t a, uint16_t port)
{
	struct sockaddr_in sin;

	if (addr == NULL || len == NULL)
		return;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = a;
	sin.sin_port = rte_cpu_to_be_16(port);
	memcpy(addr, &sin, RTE_MIN((size_t)*len, sizeof(sin)));
	*len = sizeof(sin);
}

int
ptcp_sock_accept4(struct ptcp_sock_table *t, int fd, struct sockaddr *addr,
		socklen_t *len, int flags)
{
	struct sock *l = sock_get_tcp(t, fd), *s;

	if (l == NULL)
		return -1;
	if (l->state != SS_LISTEN || (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)))
		return sock_fail(EINVAL);
	s = l->aq_head;
	if (s == NULL)
		return sock_fail(EAGAIN);
	l->aq_head = s->aq_next;
	if (l->aq_head == NULL)
		l->aq_tail = NULL;
	l->aq_len--;
	s->aq_next = NULL;
	s->listener = NULL;
	s->flags &= ~SKF_EMBRYO;
	sin_write(addr, len, s->raddr, s->rport);
	return s->fd;
}

int
ptcp_sock_accept(struct ptcp_sock_table *t, int fd, struct sockaddr *addr,
		socklen_t *len)
{
	return ptcp_sock_accept4(t, fd, addr, len, 0);
}

int
ptcp_sock_connect(struct ptcp_sock_table *t, int fd,
		const struct sockaddr *addr, socklen_t len)
{
	struct sock *s = sock_get_tcp(t, fd);
	struct ptcp_connect_opts co = { 0 };
	struct ptcp_conn *c;
	uint32_t a;
	uint16_t port;
	int e;

	if (s == NULL)
		return -1;
	switch (s->state) {
	case SS_CONNECTING:
		return sock_fail(EALREADY);
	case SS_CONNECTED:
	case SS_LISTEN:
		return sock_fail(EISCONN);
	case SS_ENDED:
		if (s->err != 0) {
			e = s->err;
			s->err = 0;
			return sock_fail(e);
		}
		return sock_fail(EISCONN);
	default:
		break;
	}
	e = sin_read(addr, len, &a, &port);
	if (e != 0)
		return sock_fail(e);
	if (a == INADDR_ANY || port == 0)
		return sock_fail(ECONNREFUSED);
	co.raddr = a;
	co.rport = port;
	co.laddr = s->laddr;
	co.lport = s->lport;
	co.arg = s;
	c = ptcp_connect(t->lc, &co, &sock_tcp_ops);
	if (c == NULL) {
		e = rte_errno;
		if (e == EXDEV || (e == EINVAL && s->laddr != 0))
			e = EADDRNOTAVAIL;      /* not a local address we can use */
		return sock_fail(e);
	}
	s->c = c;
	s->state = SS_CONNECTING;
	ptcp_conn_tuple(c, &s->laddr, &s->lport, &s->raddr, &s->rport);
	s->flags |= SKF_BOUND;
	sock_opts_apply(s);
	sock_rcvbuf_apply(s);
	return sock_fail(EINPROGRESS);
}

/* ------------------------------------------------------------------ */
/* shutdown, close                                                    */
/* ------------------------------------------------------------------ */

int
ptcp_sock_shutdown(struct ptcp_sock_table *t, int fd, int how)
{
	struct sock *s = sock_get_tcp(t, fd);

	if (s == NULL)
		return -1;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return sock_fail(EINVAL);
	if (s->state != SS_CONNECTED)
		return sock_fail(ENOTCONN);
	if (how != SHUT_WR)
		s->flags |= SKF_RD_SHUT;
	if (how != SHUT_RD && !(s->flags & SKF_WR_SHUT)) {
		s->flags |= SKF_WR_SHUT;
		ptcp_shutdown(s->c);    /* -EPIPE only if already shut */
	}
	sock_event(s);
	return 0;
}

/* Stop listening: the connections nobody accepted are reset. */
static void
listener_close(struct sock *l)
{
	ptcp_unlisten(l->t->lc, l->lport);
	while (l->aq_head != NULL) {
		struct sock *s = l->aq_head;

		l->aq_head = s->aq_next;
		if (s->c != NULL) {
			ptcp_conn_set_arg(s->c, NULL);
			ptcp_abort(s->c);
		}
		sock_rq_free(s);
		sock_free(s);
	}
	l->aq_tail = NULL;
	l->aq_len = 0;
}

int
ptcp_sock_close(struct ptcp_sock_table *t, int fd)
{
	struct sock *s = sock_get(t, fd);
	unsigned int i;

	if (s == NULL)
		return -1;
	if (s->kind == SK_EPOLL) {
		for (i = 0; s->nb_members != 0 && i < t->max_fds; i++)
			if (t->socks[i].ep == s)
				sock_ep_leave(&t->socks[i]);
		sock_free(s);
		return 0;
	}
	sock_ep_leave(s);
	if (s->state == SS_LISTEN)
		listener_close(s);
	if (s->c != NULL) {
		struct ptcp_conn *c = s->c;

		ptcp_conn_set_arg(c, NULL);     /* no more callbacks for s */
		s->c = NULL;
		/* As Linux: unread data, or SO_LINGER {1, 0}, abort. */
		if (s->rq_len != 0 ||
				((s->flags & SKF_LINGER) && s->opt.linger_s == 0))
			ptcp_abort(c);
		else
			ptcp_close(c);
	}
	sock_rq_free(s);
	sock_free(s);
	return 0;
}
