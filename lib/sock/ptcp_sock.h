/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_SOCK_H
#define PTCP_SOCK_H

/**
 * @file
 * Sockets on ptcp: a non-blocking, per-lcore, BSD-style layer on top of
 * the callback API (ptcp_tcp.h), with an epoll-like readiness interface,
 * so that an event-loop program written against sockets ports with small
 * changes (docs/sock.md).
 *
 * The model:
 *  - A socket table belongs to one worker lcore (ptcp_sock_table_create())
 *    and holds a fixed number of descriptors, allocated at setup: no call
 *    allocates memory. Descriptors are small integers local to the table;
 *    they are not kernel file descriptors. Call everything from the lcore
 *    that owns the table, outside ptcp's callbacks (between loop passes).
 *  - Every socket is non-blocking: a call that would block fails with
 *    EAGAIN (EINPROGRESS for connect). SOCK_NONBLOCK and O_NONBLOCK are
 *    accepted and change nothing.
 *  - Calls return what the POSIX calls return: -1 with errno set to the
 *    value Linux gives in the same case (each function lists them), not
 *    ptcp's usual -errno, so ported code keeps its error handling.
 *  - Received data stays in the socket's receive queue until read, and is
 *    held (ptcp_recv_hold()): the window ptcp offers shrinks by what the
 *    program has not read, and reopens as it reads.
 *  - ptcp_epoll_wait() reports ready sockets (level-triggered by default,
 *    EPOLLET and EPOLLONESHOT too); with a non-zero timeout it runs one
 *    pass of the lcore's loop when nothing is ready, so a program's loop
 *    can be nothing but ptcp_epoll_wait() and its handlers.
 *  - No SIGPIPE is ever raised: writes after the end return EPIPE.
 *
 * The event masks and struct epoll_event are Linux's (<sys/epoll.h>), the
 * option names Linux's (<sys/socket.h>, <netinet/tcp.h>).
 */

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ptcp_lcore;
struct ptcp_sock_table;

/** Most descriptors a table may have (sockets and epoll instances). */
#define PTCP_SOCK_MAX_FDS (1u << 20)

/**
 * getsockopt(IPPROTO_TCP, TCP_INFO) fills a struct ptcp_tcp_info
 * (ptcp_tcp.h: the state and RFC 9293's variables), not Linux's struct
 * tcp_info; its state field is enum ptcp_tcp_state.
 */
#define PTCP_SOCK_TCP_INFO_IS_PTCP 1

/**
 * Create the socket table of worker @p lc with room for @p max_fds
 * descriptors (sockets, accepted connections not yet accepted, and epoll
 * instances together). All memory is taken here, on @p lc's NUMA socket.
 *
 * @return the table, or NULL with rte_errno EINVAL (@p lc NULL, TCP not
 *         attached, @p max_fds 0 or above PTCP_SOCK_MAX_FDS), ENOMEM
 */
struct ptcp_sock_table *ptcp_sock_table_create(struct ptcp_lcore *lc,
		unsigned int max_fds);

/**
 * Destroy @p t: every open connection is aborted (RST), every listener
 * removed, and queued data freed. Call on its lcore, before
 * ptcp_tcp_drain()/ptcp_tcp_detach(). NULL is allowed.
 */
void ptcp_sock_table_destroy(struct ptcp_sock_table *t);

/** The worker lcore @p t belongs to. */
struct ptcp_lcore *ptcp_sock_table_lcore(const struct ptcp_sock_table *t);

/** Descriptors in use in @p t (sockets, epolls, and unaccepted ones). */
unsigned int ptcp_sock_table_used(const struct ptcp_sock_table *t);

/**
 * socket(2). @p domain AF_INET, @p type SOCK_STREAM, optionally or-ed with
 * SOCK_NONBLOCK and SOCK_CLOEXEC (both accepted, neither changes
 * anything), @p protocol 0 or IPPROTO_TCP.
 *
 * @return a descriptor, or -1 with errno EAFNOSUPPORT (not AF_INET),
 *         EINVAL (unknown type flags), EPROTONOSUPPORT (not SOCK_STREAM
 *         or not TCP), EMFILE (the table is full)
 */
int ptcp_sock_socket(struct ptcp_sock_table *t, int domain, int type,
		int protocol);

/**
 * bind(2) to an IPv4 address (INADDR_ANY or one of the lcore's ports'
 * addresses) and port. Port 0 leaves the choice to connect(); listen()
 * needs a port.
 *
 * @return 0, or -1 with errno EBADF, ENOTSOCK (an epoll descriptor),
 *         EINVAL (already bound, or @p len too short), EAFNOSUPPORT (not
 *         AF_INET), EADDRNOTAVAIL (no port of the lcore has that address),
 *         EADDRINUSE (another socket of the table is bound to the same
 *         address and port, unless both set SO_REUSEADDR and neither
 *         listens)
 */
int ptcp_sock_bind(struct ptcp_sock_table *t, int fd,
		const struct sockaddr *addr, socklen_t len);

/**
 * listen(2) on the bound port, on every address of the lcore's ports
 * (ptcp listens per port; a socket bound to one address only accepts
 * connections to that address, others are refused with a RST).
 * @p backlog bounds the connections waiting for accept() and those in
 * the handshake (0 or less: 1; above the table: the table). A second call
 * changes the accept bound.
 *
 * @return 0, or -1 with errno EBADF, ENOTSOCK, EINVAL (connected or
 *         connecting), EDESTADDRREQ (not bound to a port: ptcp does not
 *         choose one), EADDRINUSE (the lcore already listens on the port),
 *         ENOBUFS (the lcore's listener table is full)
 */
int ptcp_sock_listen(struct ptcp_sock_table *t, int fd, int backlog);

/**
 * accept4(2): the oldest connection that completed its handshake on
 * listening socket @p fd. @p addr / @p len get the peer's address as
 * getpeername() would (either may be NULL). @p flags may hold
 * SOCK_NONBLOCK and SOCK_CLOEXEC (no effect). A connection that ended
 * before it was accepted is still returned: reading it gives the reason
 * (ECONNRESET...).
 *
 * @return a descriptor, or -1 with errno EBADF, ENOTSOCK, EINVAL (not
 *         listening, or bad @p flags), EAGAIN (none waiting)
 */
int ptcp_sock_accept4(struct ptcp_sock_table *t, int fd,
		struct sockaddr *addr, socklen_t *len, int flags);

/** accept(2): ptcp_sock_accept4() with no flags. */
int ptcp_sock_accept(struct ptcp_sock_table *t, int fd,
		struct sockaddr *addr, socklen_t *len);

/**
 * connect(2), always non-blocking: the SYN leaves at the end of the
 * current loop pass, and EINPROGRESS is returned. The socket becomes
 * writable (EPOLLOUT) when the handshake completes, or reports EPOLLERR
 * with SO_ERROR set when it fails. Calling it again reports progress, as
 * Linux does.
 *
 * @return -1 with errno EINPROGRESS (started); then EALREADY (still in
 *         progress), EISCONN (established), or the failure once
 *         (ECONNREFUSED, ETIMEDOUT, ECONNRESET; SO_ERROR is cleared by
 *         it); or, at once: EBADF, ENOTSOCK, EISCONN (listening), EINVAL (@p len
 *         too short), EAFNOSUPPORT, EADDRNOTAVAIL (no local port free, or
 *         the bound address is not the route's), EADDRINUSE (the bound
 *         port's tuple is in use), ENETUNREACH, ENOBUFS (connection cap),
 *         ECONNREFUSED (port 0 or address 0)
 */
int ptcp_sock_connect(struct ptcp_sock_table *t, int fd,
		const struct sockaddr *addr, socklen_t len);

/**
 * recv(2): copy up to @p len bytes from the receive queue. @p flags may
 * hold MSG_PEEK (copy, leave the data queued), MSG_DONTWAIT (no effect),
 * MSG_WAITALL (ignored: nothing blocks). Reading reopens the window by
 * the bytes read.
 *
 * @return bytes copied; 0 at end of stream (the peer's FIN, or
 *         shutdown(SHUT_RD), once the queue is empty; or @p len 0); or -1
 *         with errno EAGAIN (nothing queued yet, connecting included),
 *         ECONNRESET / ETIMEDOUT / ECONNABORTED (the connection ended
 *         that way; reported once, after the queued data, then 0),
 *         ENOTCONN (never connected, or listening), EBADF, ENOTSOCK,
 *         EINVAL (unknown flags)
 */
ssize_t ptcp_sock_recv(struct ptcp_sock_table *t, int fd, void *buf,
		size_t len, int flags);

/** read(2): ptcp_sock_recv() with no flags. */
ssize_t ptcp_sock_read(struct ptcp_sock_table *t, int fd, void *buf,
		size_t len);

/** readv(2): as ptcp_sock_read() into @p iovcnt buffers (EINVAL if
 *  @p iovcnt is negative or above IOV_MAX). */
ssize_t ptcp_sock_readv(struct ptcp_sock_table *t, int fd,
		const struct iovec *iov, int iovcnt);

/**
 * send(2): queue a copy of up to @p len bytes (a partial write when the
 * send buffer, ptcp's [tcp] snd_buf or a smaller SO_SNDBUF, has less
 * room). @p flags may hold MSG_DONTWAIT and MSG_NOSIGNAL (no effect:
 * nothing blocks, no signal is raised) and MSG_MORE (ignored).
 *
 * @return bytes queued (> 0, or 0 when @p len is 0), or -1 with errno
 *         EAGAIN (buffer full, connecting, or no mbuf free), EPIPE (after
 *         shutdown(SHUT_WR) or close, never connected, or after the error
 *         that ended the connection was reported), ECONNRESET /
 *         ETIMEDOUT / ECONNREFUSED (the connection ended that way:
 *         reported once), EBADF, ENOTSOCK, EINVAL (unknown flags)
 */
ssize_t ptcp_sock_send(struct ptcp_sock_table *t, int fd, const void *buf,
		size_t len, int flags);

/** write(2): ptcp_sock_send() with no flags. */
ssize_t ptcp_sock_write(struct ptcp_sock_table *t, int fd, const void *buf,
		size_t len);

/** writev(2): as ptcp_sock_write() from @p iovcnt buffers, in order;
 *  a partial write stops at the first buffer not taken in full. */
ssize_t ptcp_sock_writev(struct ptcp_sock_table *t, int fd,
		const struct iovec *iov, int iovcnt);

/**
 * shutdown(2). SHUT_WR sends FIN after the queued data (later writes:
 * EPIPE); SHUT_RD makes reads return 0 once the queue is empty (data
 * still arriving is queued and held, as Linux does); SHUT_RDWR both.
 *
 * @return 0, or -1 with errno EBADF, ENOTSOCK, EINVAL (bad @p how),
 *         ENOTCONN (not connected: never, still connecting, listening,
 *         or the connection has ended)
 */
int ptcp_sock_shutdown(struct ptcp_sock_table *t, int fd, int how);

/**
 * close(2): the descriptor is free again at once; the connection
 * finishes on its own (FIN after the queued data, ptcp_close()).
 * As Linux: unread data in the receive queue, or SO_LINGER {1, 0}, make
 * it an abort (RST, queued data dropped); SO_LINGER {1, N > 0} does not
 * wait (nothing blocks) and closes as without it. Closing a listening
 * socket stops listening and resets the connections not yet accepted.
 * Closing an epoll instance removes its registrations.
 *
 * @return 0, or -1 with errno EBADF
 */
int ptcp_sock_close(struct ptcp_sock_table *t, int fd);

/**
 * fcntl(2) for F_GETFL (O_RDWR, plus O_NONBLOCK: always) and F_SETFL
 * (accepted; a socket stays non-blocking), F_GETFD / F_SETFD (0).
 * @return as fcntl(2), or -1 with errno EBADF, EINVAL (other commands)
 */
int ptcp_sock_fcntl(struct ptcp_sock_table *t, int fd, int cmd, int arg);

/**
 * getsockopt(2). Honoured:
 *  - SOL_SOCKET: SO_ERROR (pending error, then cleared), SO_TYPE,
 *    SO_ACCEPTCONN, SO_REUSEADDR, SO_KEEPALIVE, SO_LINGER (struct linger),
 *    SO_RCVBUF / SO_SNDBUF (the effective size in bytes, not doubled as
 *    Linux reports it)
 *  - IPPROTO_TCP: TCP_NODELAY, TCP_MAXSEG (the MSS in use once
 *    connected, else the value set or the configured MSS), TCP_KEEPIDLE,
 *    TCP_KEEPINTVL, TCP_KEEPCNT, TCP_INFO (struct ptcp_tcp_info; state
 *    CLOSED and zeros without a connection)
 * Values are int unless stated; a shorter @p len truncates as Linux does.
 *
 * @return 0, or -1 with errno EBADF, ENOTSOCK, EFAULT (NULL pointers),
 *         EINVAL (negative @p len), ENOPROTOOPT (anything else)
 */
int ptcp_sock_getsockopt(struct ptcp_sock_table *t, int fd, int level,
		int name, void *val, socklen_t *len);

/**
 * setsockopt(2). Honoured:
 *  - SOL_SOCKET: SO_REUSEADDR (bind), SO_KEEPALIVE (default: [tcp]
 *    keepalive), SO_LINGER ({1, 0}
 *    makes close() an abort), SO_RCVBUF (the receive window: at most
 *    [tcp] rcv_buf; smaller sizes hold back the difference, from the
 *    next connection or at once), SO_SNDBUF (at most [tcp] snd_buf:
 *    writes stop at this much queued)
 *  - IPPROTO_TCP: TCP_NODELAY (Nagle off; the default follows [tcp]
 *    nagle), TCP_MAXSEG (88..32767: caps the segment size once the
 *    handshake has agreed one), TCP_KEEPIDLE / TCP_KEEPINTVL (1..65535 s),
 *    TCP_KEEPCNT (1..255)
 * A listening socket passes its options to the connections it accepts.
 *
 * @return 0, or -1 with errno EBADF, ENOTSOCK, EFAULT, EINVAL (short
 *         @p len or value out of range), ENOPROTOOPT (anything else)
 */
int ptcp_sock_setsockopt(struct ptcp_sock_table *t, int fd, int level,
		int name, const void *val, socklen_t len);

/** getsockname(2): the local address (0.0.0.0:0 when unbound).
 *  @return 0, or -1 with errno EBADF, ENOTSOCK, EFAULT */
int ptcp_sock_getsockname(struct ptcp_sock_table *t, int fd,
		struct sockaddr *addr, socklen_t *len);

/** getpeername(2). @return 0, or -1 with errno EBADF, ENOTSOCK,
 *  ENOTCONN (no peer: never connected, connecting, or listening), EFAULT */
int ptcp_sock_getpeername(struct ptcp_sock_table *t, int fd,
		struct sockaddr *addr, socklen_t *len);

/**
 * epoll_create1(2): an epoll instance, a descriptor of @p t. @p flags 0
 * or EPOLL_CLOEXEC.
 * @return a descriptor, or -1 with errno EINVAL (flags), EMFILE
 */
int ptcp_epoll_create1(struct ptcp_sock_table *t, int flags);

/**
 * epoll_ctl(2): EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL socket @p fd
 * to epoll @p epfd with @p ev->events from EPOLLIN, EPOLLOUT, EPOLLRDHUP,
 * EPOLLET, EPOLLONESHOT (EPOLLERR and EPOLLHUP are always reported) and
 * @p ev->data given back by ptcp_epoll_wait(). A socket is in one epoll
 * instance at most.
 *
 * @return 0, or -1 with errno EBADF (either descriptor), EINVAL (@p epfd
 *         is not an epoll, @p fd is one, or bad @p op), EEXIST (ADD of a
 *         registered socket), ENOENT (MOD or DEL of one that is not),
 *         EFAULT (@p ev NULL for ADD or MOD), EBUSY (@p fd is in another
 *         epoll instance)
 */
int ptcp_epoll_ctl(struct ptcp_sock_table *t, int epfd, int op, int fd,
		struct epoll_event *ev);

/**
 * epoll_wait(2): up to @p maxevents ready sockets of epoll @p epfd. It
 * never blocks: with @p timeout 0 it only reports; with any other
 * @p timeout, when nothing is ready it runs one pass of the lcore's loop
 * (ptcp_lcore_poll()) and reports what that made ready (maybe nothing:
 * 0 is returned, and the caller loops). Never call it with a non-zero
 * timeout from inside a ptcp callback.
 *
 * A socket is reported with EPOLLIN when data is queued, the peer
 * finished (also EPOLLRDHUP) or an error is pending, or, listening, when
 * a connection waits; EPOLLOUT when connected and the send buffer has
 * room; EPOLLERR while SO_ERROR is set; EPOLLHUP once both directions are
 * done (the connection ended, or both shut down). Level-triggered
 * sockets stay ready while the condition holds; EPOLLET sockets are
 * reported again only after a new event (data, ACKed send space, FIN,
 * the end); EPOLLONESHOT ones once, until EPOLL_CTL_MOD. Sockets ready
 * together are reported in turn, so none starves with a small
 * @p maxevents.
 *
 * @return events filled (0..@p maxevents), or -1 with errno EBADF,
 *         EINVAL (not an epoll, @p maxevents <= 0), EFAULT (@p events NULL)
 */
int ptcp_epoll_wait(struct ptcp_sock_table *t, int epfd,
		struct epoll_event *events, int maxevents, int timeout);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_SOCK_H */
