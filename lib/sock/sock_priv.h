/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SOCK_PRIV_H
#define SOCK_PRIV_H

/*
 * lib/sock's insides: a socket is a slot of its lcore's table. A TCP
 * socket points at its connection (NULL before connect, after the end),
 * keeps what was received and not read (held: the window shrinks by it),
 * and, listening, the connections waiting for accept(). An epoll instance
 * is a slot too, with the list of its sockets that may be ready.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_mbuf.h>

#include "ptcp.h"
#include "ptcp_sock.h"
#include "ptcp_tcp.h"

enum sk_kind {
	SK_FREE = 0,
	SK_TCP,
	SK_EPOLL,
};

/* A TCP socket's life, as the program sees it. */
enum sk_state {
	SS_NEW = 0,          /* socket(), maybe bound */
	SS_LISTEN,
	SS_CONNECTING,       /* SYN sent, no answer yet */
	SS_CONNECTED,        /* synchronized: the connection runs */
	SS_ENDED,            /* the connection is gone (closed callback) */
};

#define SKF_BOUND       0x0001  /* bind() done */
#define SKF_EMBRYO      0x0002  /* accepted by TCP, not yet by accept() */
#define SKF_RD_SHUT     0x0004  /* shutdown(SHUT_RD) */
#define SKF_WR_SHUT     0x0008  /* shutdown(SHUT_WR) */
#define SKF_PEER_FIN    0x0010  /* the peer's FIN arrived */
#define SKF_WAS_CONN    0x0020  /* it was synchronized once */
#define SKF_REUSEADDR   0x0040
#define SKF_KEEPALIVE   0x0080
#define SKF_NODELAY     0x0100
#define SKF_LINGER      0x0200  /* SO_LINGER l_onoff */
#define SKF_SND_WAIT    0x0400  /* a write stopped at SO_SNDBUF: no
                                 * writable callback will come, epoll
                                 * looks at it on every wait */
#define SKF_EP_READY    0x0800  /* on its epoll's ready list */
#define SKF_EP_OFF      0x1000  /* EPOLLONESHOT reported: off until MOD */

struct sock;
TAILQ_HEAD(sock_list, sock);

struct sock {
	uint8_t kind;                /* enum sk_kind */
	uint8_t state;               /* enum sk_state */
	uint16_t flags;              /* SKF_* */
	int fd;                      /* its index in the table */
	int err;                     /* pending error (SO_ERROR), positive */
	struct ptcp_sock_table *t;
	struct ptcp_conn *c;         /* NULL: none (yet, or any more) */
	uint32_t laddr, raddr;       /* network order */
	uint16_t lport, rport;       /* host order */

	/* Received, not read: segments linked by ->next. */
	struct rte_mbuf *rq_head, *rq_tail;
	uint32_t rq_off;             /* bytes of rq_head already read */
	uint32_t rq_len;             /* bytes queued (all held) */
	uint32_t rcv_extra;          /* held beyond the data: SO_RCVBUF */

	/* Options: an accepted socket inherits its listener's. */
	struct sock_opt {
		uint32_t rcvbuf, sndbuf;     /* effective sizes */
		uint16_t maxseg;             /* TCP_MAXSEG asked, 0: none */
		uint16_t keep_idle_s, keep_intvl_s;  /* 0: the config's */
		uint8_t keep_cnt;
		int linger_s;
	} opt;

	/* Listening: connections waiting for accept(), oldest first. */
	struct sock *aq_head, *aq_tail;
	uint32_t aq_len, aq_max;
	struct sock *aq_next;        /* an embryo's link */
	struct sock *listener;       /* an embryo's listener */

	/* Its epoll registration (one at most). */
	struct sock *ep;
	uint32_t ep_events;
	epoll_data_t ep_data;
	TAILQ_ENTRY(sock) ep_link;   /* on ep->ready */

	/* An epoll instance. */
	struct sock_list ready;      /* sockets that may be ready */
	uint32_t nb_members;

	struct sock *free_next;      /* a free slot's link */
};

struct ptcp_sock_table {
	struct ptcp_lcore *lc;
	const struct ptcp_tcp_config *tcfg;
	unsigned int max_fds;
	unsigned int used;
	struct sock *free_head;
	struct sock *socks;          /* max_fds slots */
};

extern const struct ptcp_tcp_ops sock_tcp_ops;

/* The socket @fd of @t, or NULL with errno EBADF. */
struct sock *sock_get(struct ptcp_sock_table *t, int fd);
/* As sock_get(), a TCP socket: else errno ENOTSOCK. */
struct sock *sock_get_tcp(struct ptcp_sock_table *t, int fd);
/* Take a free slot (NULL: table full) / give it back. */
struct sock *sock_alloc(struct ptcp_sock_table *t, enum sk_kind kind);
void sock_free(struct sock *s);

/* Something happened on @s: its epoll looks at it on its next wait. */
void sock_event(struct sock *s);
/* The epoll events @s has now (EPOLLIN...), before its interest mask. */
uint32_t sock_poll_mask(const struct sock *s);
/* Bytes a write may queue now (SO_SNDBUF and ptcp's buffer). */
uint32_t sock_send_room(const struct sock *s);
/* Free the receive queue (the connection, if any, is being dropped). */
void sock_rq_free(struct sock *s);
/* Hold back what SO_RCVBUF keeps out of the window (rcv_extra). */
void sock_rcvbuf_apply(struct sock *s);
/* Apply the socket's options to its new connection. */
void sock_opts_apply(struct sock *s);
/* Leave the epoll instance (close, table destroy). */
void sock_ep_leave(struct sock *s);

/* Set errno and return -1, for the POSIX-shaped returns. */
static inline int
sock_fail(int e)
{
	errno = e;
	return -1;
}

#endif /* SOCK_PRIV_H */
