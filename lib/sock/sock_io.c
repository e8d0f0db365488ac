/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading and writing: the receive queue (what TCP delivered and the
 * program has not read, held so that the window shrinks by it) and the
 * copy into TCP's send queue. Errors follow Linux's tcp_recvmsg() and
 * tcp_sendmsg(): queued data first, then the pending error once, then
 * end of stream (0) or EPIPE.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sock_priv.h"

void
sock_rq_free(struct sock *s)
{
	struct rte_mbuf *m, *next;

	for (m = s->rq_head; m != NULL; m = next) {
		next = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
	s->rq_head = s->rq_tail = NULL;
	s->rq_off = 0;
	s->rq_len = 0;
}

/*
 * Copy the queue's head into @iov (consuming it unless @peek) and
 * return the bytes copied. Segments read to the end are freed.
 */
static size_t
rq_copy(struct sock *s, const struct iovec *iov, int iovcnt, bool peek)
{
	struct rte_mbuf *m = s->rq_head;
	uint32_t off = s->rq_off;
	size_t copied = 0;
	int i;

	for (i = 0; i < iovcnt && m != NULL; i++) {
		char *dst = iov[i].iov_base;
		size_t room = iov[i].iov_len;

		while (room != 0 && m != NULL) {
			size_t n = RTE_MIN((size_t)(m->data_len - off), room);

			memcpy(dst, rte_pktmbuf_mtod_offset(m, const char *, off),
				n);
			dst += n;
			room -= n;
			copied += n;
			off += (uint32_t)n;
			if (off < m->data_len)
				continue;
			/* This segment is read to its end. */
			off = 0;
			if (peek) {
				m = m->next;
				continue;
			}
			s->rq_head = m->next;
			m->next = NULL;
			m->nb_segs = 1;
			rte_pktmbuf_free_seg(m);
			m = s->rq_head;
		}
	}
	if (!peek) {
		if (s->rq_head == NULL)
			s->rq_tail = NULL;
		s->rq_off = s->rq_head != NULL ? off : 0;
		s->rq_len -= (uint32_t)copied;
		/* Read: the window opens again by as much. */
		if (s->c != NULL && copied != 0)
			ptcp_recv_release(s->c, (uint32_t)copied);
	}
	return copied;
}

static ssize_t
sock_recv_iov(struct ptcp_sock_table *t, int fd, const struct iovec *iov,
		int iovcnt, int flags)
{
	struct sock *s = sock_get_tcp(t, fd);
	size_t want = 0;
	int i, e;

	if (s == NULL)
		return -1;
	if (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_NOSIGNAL))
		return sock_fail(EINVAL);
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return sock_fail(EINVAL);
	for (i = 0; i < iovcnt; i++)
		want += iov[i].iov_len;
	switch (s->state) {
	case SS_NEW:
	case SS_LISTEN:
		return sock_fail(ENOTCONN);
	case SS_CONNECTING:
		return sock_fail(EAGAIN);
	default:
		break;
	}
	if (want == 0)
		return 0;
	if (s->rq_len != 0)
		return (ssize_t)rq_copy(s, iov, iovcnt, flags & MSG_PEEK);
	if (s->err != 0) {
		e = s->err;
		if (!(flags & MSG_PEEK))
			s->err = 0;
		return sock_fail(e);
	}
	if (s->state == SS_ENDED)
		return (s->flags & SKF_WAS_CONN) ? 0 : sock_fail(ENOTCONN);
	if (s->flags & (SKF_PEER_FIN | SKF_RD_SHUT))
		return 0;
	return sock_fail(EAGAIN);
}

ssize_t
ptcp_sock_recv(struct ptcp_sock_table *t, int fd, void *buf, size_t len,
		int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return sock_recv_iov(t, fd, &iov, 1, flags);
}

ssize_t
ptcp_sock_read(struct ptcp_sock_table *t, int fd, void *buf, size_t len)
{
	return ptcp_sock_recv(t, fd, buf, len, 0);
}

ssize_t
ptcp_sock_readv(struct ptcp_sock_table *t, int fd, const struct iovec *iov,
		int iovcnt)
{
	return sock_recv_iov(t, fd, iov, iovcnt, 0);
}

uint32_t
sock_send_room(const struct sock *s)
{
	uint32_t space, cfg, queued;

	if (s->c == NULL || s->state != SS_CONNECTED ||
			(s->flags & SKF_WR_SHUT))
		return 0;
	space = ptcp_send_space(s->c);
	cfg = s->t->tcfg->snd_buf;
	if (space == 0 || s->opt.sndbuf >= cfg)
		return space;
	/* SO_SNDBUF below ptcp's buffer: stop at that much queued. */
	queued = cfg - space;
	return queued >= s->opt.sndbuf ? 0 : RTE_MIN(space, s->opt.sndbuf - queued);
}

/*
 * Nothing more fits: make sure something says when it does. ptcp's
 * buffer full: a send it refuses sets its writable request (the
 * callback marks the socket). Only SO_SNDBUF in the way: epoll_wait
 * looks at the socket on every call (SKF_SND_WAIT).
 */
static void
send_wait(struct sock *s)
{
	static const char one;

	if (ptcp_send_space(s->c) == 0)
		(void)ptcp_send(s->c, &one, 1); /* queues nothing: 0 */
	else
		s->flags |= SKF_SND_WAIT;
}

static ssize_t
sock_send_iov(struct ptcp_sock_table *t, int fd, const struct iovec *iov,
		int iovcnt, int flags)
{
	struct sock *s = sock_get_tcp(t, fd);
	size_t sent = 0;
	uint32_t room;
	int i, e, r;

	if (s == NULL)
		return -1;
	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE))
		return sock_fail(EINVAL);
	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return sock_fail(EINVAL);
	if (s->err != 0) {
		e = s->err;
		s->err = 0;
		return sock_fail(e);
	}
	if (s->flags & SKF_WR_SHUT)
		return sock_fail(EPIPE);
	switch (s->state) {
	case SS_CONNECTING:
		return sock_fail(EAGAIN);
	case SS_CONNECTED:
		break;
	default:                /* never connected, listening, ended */
		return sock_fail(EPIPE);
	}
	room = sock_send_room(s);
	for (i = 0; i < iovcnt && room != 0; i++) {
		size_t n = RTE_MIN(iov[i].iov_len, (size_t)room);

		if (n == 0)
			continue;
		r = ptcp_send(s->c, iov[i].iov_base, n);
		if (r < 0) {
			if (sent != 0)
				break;
			/* -ENOBUFS: no mbuf (writable follows); -EPIPE,
			 * -ENOTCONN cannot happen in SS_CONNECTED. */
			return sock_fail(r == -ENOBUFS ? EAGAIN : -r);
		}
		sent += (size_t)r;
		room -= (uint32_t)r;
		if ((size_t)r < n)
			break;          /* pool dry part-way: writable follows */
		if (n < iov[i].iov_len)
			break;
	}
	if (sent == 0) {
		for (i = 0; i < iovcnt; i++)
			if (iov[i].iov_len != 0)
				break;
		if (i == iovcnt)
			return 0;       /* nothing was asked */
		send_wait(s);
		return sock_fail(EAGAIN);
	}
	if (sock_send_room(s) == 0)
		send_wait(s);
	return (ssize_t)sent;
}

ssize_t
ptcp_sock_send(struct ptcp_sock_table *t, int fd, const void *buf,
		size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
		.iov_len = len };

	return sock_send_iov(t, fd, &iov, 1, flags);
}

ssize_t
ptcp_sock_write(struct ptcp_sock_table *t, int fd, const void *buf,
		size_t len)
{
	return ptcp_sock_send(t, fd, buf, len, 0);
}

ssize_t
ptcp_sock_writev(struct ptcp_sock_table *t, int fd, const struct iovec *iov,
		int iovcnt)
{
	return sock_send_iov(t, fd, iov, iovcnt, 0);
}
