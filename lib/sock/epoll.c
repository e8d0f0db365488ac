/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Readiness, as Linux's eventpoll: every event on a socket (a callback,
 * or a call that changes what it can do) puts it on its epoll instance's
 * ready list; epoll_wait() takes sockets off that list, asks each what
 * it is ready for now (sock_poll_mask(), Linux's tcp_poll()), reports
 * it if that meets its interest, and puts a level-triggered one back at
 * the tail. A wait costs the sockets that had something happen, not all
 * the registered ones; sockets ready together are served in turn.
 */
#include <errno.h>

#include "sock_priv.h"

#define EP_ALWAYS (EPOLLERR | EPOLLHUP)
#define EP_KNOWN (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET | \
	EPOLLONESHOT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLWRNORM)

static void
ep_enqueue(struct sock *s)
{
	if (s->ep == NULL || (s->flags & (SKF_EP_READY | SKF_EP_OFF)))
		return;
	TAILQ_INSERT_TAIL(&s->ep->ready, s, ep_link);
	s->flags |= SKF_EP_READY;
}

static void
ep_dequeue(struct sock *s)
{
	if (!(s->flags & SKF_EP_READY))
		return;
	TAILQ_REMOVE(&s->ep->ready, s, ep_link);
	s->flags &= (uint16_t)~SKF_EP_READY;
}

void
sock_event(struct sock *s)
{
	ep_enqueue(s);
}

void
sock_ep_leave(struct sock *s)
{
	if (s->ep == NULL)
		return;
	ep_dequeue(s);
	s->ep->nb_members--;
	s->ep = NULL;
	s->flags &= (uint16_t)~SKF_EP_OFF;
}

uint32_t
sock_poll_mask(const struct sock *s)
{
	uint32_t mask = 0;
	bool rd_done, wr_done;

	if (s->state == SS_LISTEN)
		return s->aq_len != 0 ? EPOLLIN | EPOLLRDNORM : 0;
	rd_done = s->state == SS_ENDED ||
		(s->flags & (SKF_PEER_FIN | SKF_RD_SHUT));
	wr_done = s->state == SS_ENDED || (s->flags & SKF_WR_SHUT);
	/* As tcp_poll(): a socket with no connection is hung up. */
	if (s->state == SS_NEW || (rd_done && wr_done))
		mask |= EPOLLHUP;
	if (rd_done)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (s->state != SS_CONNECTING) {
		if (s->rq_len != 0)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (wr_done || s->state == SS_NEW || sock_send_room(s) != 0)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	if (s->err != 0)
		mask |= EPOLLERR;
	return mask;
}

int
ptcp_epoll_create1(struct ptcp_sock_table *t, int flags)
{
	struct sock *ep;

	if (flags & ~EPOLL_CLOEXEC)
		return sock_fail(EINVAL);
	ep = sock_alloc(t, SK_EPOLL);
	if (ep == NULL)
		return sock_fail(EMFILE);
	return ep->fd;
}

int
ptcp_epoll_ctl(struct ptcp_sock_table *t, int epfd, int op, int fd,
		struct epoll_event *ev)
{
	struct sock *ep = sock_get(t, epfd), *s;

	if (ep == NULL)
		return -1;
	s = sock_get(t, fd);
	if (s == NULL)
		return -1;
	if (ep->kind != SK_EPOLL || s->kind != SK_TCP)
		return sock_fail(EINVAL);
	if (op != EPOLL_CTL_DEL && ev == NULL)
		return sock_fail(EFAULT);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (s->ep == ep)
			return sock_fail(EEXIST);
		if (s->ep != NULL)
			return sock_fail(EBUSY);
		s->ep = ep;
		ep->nb_members++;
		break;
	case EPOLL_CTL_MOD:
		if (s->ep != ep)
			return sock_fail(ENOENT);
		s->flags &= (uint16_t)~SKF_EP_OFF;
		break;
	case EPOLL_CTL_DEL:
		if (s->ep != ep)
			return sock_fail(ENOENT);
		sock_ep_leave(s);
		return 0;
	default:
		return sock_fail(EINVAL);
	}
	s->ep_events = ev->events & EP_KNOWN;
	s->ep_data = ev->data;
	/* As Linux: what is ready already is reported by the next wait. */
	ep_enqueue(s);
	return 0;
}

/* Report what is ready on @ep's list into @events; @return how many. */
static int
ep_scan(struct sock *ep, struct epoll_event *events, int maxevents)
{
	uint32_t todo = 0, mask;
	struct sock *s;
	int n = 0;

	TAILQ_FOREACH(s, &ep->ready, ep_link)
		todo++;
	/* Each socket once per call: those put back wait for the next. */
	while (todo-- > 0 && n < maxevents) {
		s = TAILQ_FIRST(&ep->ready);
		ep_dequeue(s);
		mask = sock_poll_mask(s) & (s->ep_events | EP_ALWAYS);
		if ((s->flags & SKF_SND_WAIT) && (mask & EPOLLOUT))
			s->flags &= (uint16_t)~SKF_SND_WAIT;
		if (mask == 0) {
			/* Waiting on SO_SNDBUF: no callback will say. */
			if ((s->flags & SKF_SND_WAIT) &&
					(s->ep_events & EPOLLOUT))
				ep_enqueue(s);
			continue;
		}
		events[n].events = mask;
		events[n].data = s->ep_data;
		n++;
		if (s->ep_events & EPOLLONESHOT)
			s->flags |= SKF_EP_OFF;
		else if (!(s->ep_events & EPOLLET))
			ep_enqueue(s);  /* level-triggered: ask again next */
	}
	return n;
}

int
ptcp_epoll_wait(struct ptcp_sock_table *t, int epfd,
		struct epoll_event *events, int maxevents, int timeout)
{
	struct sock *ep = sock_get(t, epfd);
	int n;

	if (ep == NULL)
		return -1;
	if (ep->kind != SK_EPOLL || maxevents <= 0)
		return sock_fail(EINVAL);
	if (events == NULL)
		return sock_fail(EFAULT);
	n = ep_scan(ep, events, maxevents);
	if (n == 0 && timeout != 0) {
		ptcp_lcore_poll(t->lc);
		n = ep_scan(ep, events, maxevents);
	}
	return n;
}
