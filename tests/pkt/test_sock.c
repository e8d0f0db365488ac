/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt suite: the socket layer (lib/sock, issue 15). Two ptcp stacks back
 * to back over net_ring, each with a socket table on its worker: A the
 * client at 10.98.0.1, B the server at 10.98.0.2. The clock is virtual
 * (step()), so retries and keepalives take microseconds. Every test ends
 * with both tables destroyed and the pair torn down (after()), and checks
 * the errno values Linux gives in the same case.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "harness.h"
#include "ptcp.h"
#include "ptcp_sock.h"
#include "ptcp_tcp.h"
#include "ptcp_test.h"

#define ADDR_A  RTE_IPV4(10, 98, 0, 1)
#define ADDR_B  RTE_IPV4(10, 98, 0, 2)
#define NOBODY  RTE_IPV4(10, 98, 0, 77)   /* on the subnet, never answers */
#define PORT    7000
#define MAXFD   64

static struct {
	struct h_stack a, b;
	struct h_wire w;
	bool up;
	uint64_t now;
	struct ptcp_sock_table *ta, *tb;
} P;

static void
after(void)
{
	ptcp_sock_table_destroy(P.ta);
	ptcp_sock_table_destroy(P.tb);
	P.ta = P.tb = NULL;
	if (P.up)
		h_pair_destroy(&P.a, &P.b, &P.w);
	P.up = false;
}

static int
pair_up(const char *const *sets, unsigned int n)
{
	after();
	memset(&P, 0, sizeof(P));
	if (h_pair_create(&P.a, &P.b, &P.w, "10.98.0.1/24", sets, n,
			"10.98.0.2/24", sets, n) != 0)
		return -1;
	P.up = true;
	P.ta = ptcp_sock_table_create(P.a.lc, MAXFD);
	P.tb = ptcp_sock_table_create(P.b.lc, MAXFD);
	return P.ta != NULL && P.tb != NULL ? 0 : -1;
}

/* @ms milliseconds of virtual time, one pass of each stack per ms. */
static void
run(unsigned int ms)
{
	while (ms-- > 0) {
		P.now++;
		h_stack_poll(&P.a, P.now);
		h_stack_poll(&P.b, P.now);
	}
}

/* As run(), A alone: B hears nothing (its frames wait on its ring). */
static void
run_a_only(unsigned int ms)
{
	while (ms-- > 0) {
		P.now++;
		h_stack_poll(&P.a, P.now);
	}
}

static struct sockaddr_in
sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_addr.s_addr = rte_cpu_to_be_32(addr);
	s.sin_port = rte_cpu_to_be_16(port);
	return s;
}

#define SA(s) ((const struct sockaddr *)(const void *)&(s))

/* B listens on PORT: @return the listener, or -1. */
static int
server_listen(int backlog)
{
	struct sockaddr_in any = sin_of(0, PORT);
	int l = ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, 0);

	if (l < 0 || ptcp_sock_bind(P.tb, l, SA(any), sizeof(any)) != 0 ||
			ptcp_sock_listen(P.tb, l, backlog) != 0)
		return -1;
	return l;
}

/* A connects to B:PORT, B accepts: *@c A's end, *@s B's. */
static int
establish(int l, int *c, int *s)
{
	struct sockaddr_in to = sin_of(ADDR_B, PORT);
	unsigned int i;

	*c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(*c >= 0);
	CHECK_EQ(ptcp_sock_connect(P.ta, *c, SA(to), sizeof(to)), -1);
	CHECK_EQ(errno, EINPROGRESS);
	for (i = 0, *s = -1; i < 100 && *s < 0; i++) {
		run(1);
		*s = ptcp_sock_accept(P.tb, l, NULL, NULL);
	}
	CHECK(*s >= 0);
	run(2);
	return 0;
}

/* A pattern byte of a stream at offset @off. */
static uint8_t
pat(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 11));
}

static struct ptcp_tcp_info
info(struct ptcp_sock_table *t, int fd)
{
	struct ptcp_tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0xff, sizeof(ti));
	if (ptcp_sock_getsockopt(t, fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		ti.state = 0xff;
	return ti;
}

static int
sock_err(struct ptcp_sock_table *t, int fd)
{
	int e = -1;
	socklen_t len = sizeof(e);

	if (ptcp_sock_getsockopt(t, fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		return -1;
	return e;
}

/* Both stacks hold no connection and no mbuf beyond their baseline. */
static int
all_gone(void)
{
	unsigned int s;

	run(1200);              /* 2 * MSL (500 ms) and then some */
	for (s = 0; s < PTCP_TCPS_MAX; s++) {
		CHECK_EQ(h_stack_state(&P.a, s), 0);
		CHECK_EQ(h_stack_state(&P.b, s), 0);
	}
	CHECK_EQ(ptcp_engine_mbufs_in_use(P.a.e), P.a.baseline);
	CHECK_EQ(ptcp_engine_mbufs_in_use(P.b.e), P.b.baseline);
	return 0;
}

/* ------------------------------------------------------------------ */

static int
connect_accept_read_write_shutdown_close(void)
{
	struct sockaddr_in to = sin_of(ADDR_B, PORT), name;
	socklen_t nl = sizeof(name);
	char buf[64];
	int l, c, s;

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(8);
	CHECK(l >= 0);
	CHECK(establish(l, &c, &s) == 0);
	/* connect again: Linux says EISCONN once established. */
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(to), sizeof(to)), -1);
	CHECK_EQ(errno, EISCONN);
	CHECK_EQ(info(P.ta, c).state, PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(info(P.tb, s).state, PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(ptcp_sock_getpeername(P.tb, s, (struct sockaddr *)&name,
		&nl), 0);
	CHECK_EQ(name.sin_addr.s_addr, rte_cpu_to_be_32(ADDR_A));
	CHECK_EQ(ptcp_sock_getsockname(P.ta, c, (struct sockaddr *)&name,
		&nl), 0);
	CHECK_EQ(name.sin_addr.s_addr, rte_cpu_to_be_32(ADDR_A));
	CHECK(name.sin_port != 0);

	/* A -> B, read back in two parts (readv), then nothing: EAGAIN. */
	CHECK_EQ(ptcp_sock_write(P.ta, c, "hello, world", 12), 12);
	run(2);
	{
		char p1[5], p2[32];
		struct iovec iov[2] = { { p1, sizeof(p1) }, { p2, sizeof(p2) } };

		CHECK_EQ(ptcp_sock_recv(P.tb, s, buf, 5, MSG_PEEK), 5);
		CHECK(memcmp(buf, "hello", 5) == 0);
		CHECK_EQ(ptcp_sock_readv(P.tb, s, iov, 2), 12);
		CHECK(memcmp(p1, "hello", 5) == 0);
		CHECK(memcmp(p2, ", world", 7) == 0);
	}
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, EAGAIN);

	/* B -> A with writev; A half-closes, B sees EOF after the data. */
	{
		struct iovec iov[2] = { { (void *)(uintptr_t)"pong", 4 },
			{ (void *)(uintptr_t)"!", 1 } };

		CHECK_EQ(ptcp_sock_writev(P.tb, s, iov, 2), 5);
	}
	CHECK_EQ(ptcp_sock_shutdown(P.ta, c, SHUT_WR), 0);
	CHECK_EQ(ptcp_sock_write(P.ta, c, "x", 1), -1);
	CHECK_EQ(errno, EPIPE);
	run(2);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "pong!", 5) == 0);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 0);     /* EOF */
	CHECK_EQ(info(P.tb, s).state, PTCP_TCPS_CLOSE_WAIT);
	/* B may still send in CLOSE-WAIT, then closes. */
	CHECK_EQ(ptcp_sock_write(P.tb, s, "bye", 3), 3);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	run(2);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), 3);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), 0);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	CHECK_EQ(ptcp_sock_table_used(P.ta), 0);
	CHECK_EQ(ptcp_sock_table_used(P.tb), 0);
	CHECK_EQ(h_stack_stat(&P.a, PTCP_STAT_tcp_rst_tx), 0);
	CHECK_EQ(h_stack_stat(&P.b, PTCP_STAT_tcp_rst_tx), 0);
	return all_gone();
}

static int
errno_without_a_connection(void)
{
	struct sockaddr_in any = sin_of(0, PORT), other = sin_of(NOBODY, 1);
	struct sockaddr_in b = sin_of(ADDR_B, PORT);
	char buf[8];
	int fds[MAXFD], s, s2, ep, i, n, v = 1;

	CHECK_EQ(pair_up(NULL, 0), 0);
	CHECK_EQ(ptcp_sock_socket(P.tb, AF_INET6, SOCK_STREAM, 0), -1);
	CHECK_EQ(errno, EAFNOSUPPORT);
	CHECK_EQ(ptcp_sock_socket(P.tb, AF_INET, SOCK_DGRAM, 0), -1);
	CHECK_EQ(errno, EPROTONOSUPPORT);
	CHECK_EQ(ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, IPPROTO_UDP), -1);
	CHECK_EQ(errno, EPROTONOSUPPORT);
	/* Bad descriptors. */
	CHECK_EQ(ptcp_sock_read(P.tb, -1, buf, 1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(ptcp_sock_write(P.tb, MAXFD, buf, 1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(ptcp_sock_close(P.tb, 5), -1);
	CHECK_EQ(errno, EBADF);

	s = ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	CHECK(s >= 0);
	CHECK_EQ(ptcp_sock_fcntl(P.tb, s, F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK);
	/* Not connected: read ENOTCONN, write EPIPE (as Linux), and so on. */
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, 1), -1);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(ptcp_sock_write(P.tb, s, buf, 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(ptcp_sock_shutdown(P.tb, s, SHUT_WR), -1);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(ptcp_sock_shutdown(P.tb, s, 7), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ptcp_sock_getpeername(P.tb, s, (struct sockaddr *)&b,
		&(socklen_t){ sizeof(b) }), -1);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(ptcp_sock_accept(P.tb, s, NULL, NULL), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ptcp_sock_listen(P.tb, s, 4), -1);
	CHECK_EQ(errno, EDESTADDRREQ);
	CHECK_EQ(ptcp_sock_bind(P.tb, s, SA(other), sizeof(other)), -1);
	CHECK_EQ(errno, EADDRNOTAVAIL);
	CHECK_EQ(ptcp_sock_bind(P.tb, s, SA(any), sizeof(any) - 1), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ptcp_sock_bind(P.tb, s, SA(any), sizeof(any)), 0);
	CHECK_EQ(ptcp_sock_bind(P.tb, s, SA(any), sizeof(any)), -1);
	CHECK_EQ(errno, EINVAL);
	s2 = ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_bind(P.tb, s2, SA(b), sizeof(b)), -1);
	CHECK_EQ(errno, EADDRINUSE);
	/* Both with SO_REUSEADDR and neither listening: allowed. */
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s, SOL_SOCKET, SO_REUSEADDR, &v,
		sizeof(v)), 0);
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s2, SOL_SOCKET, SO_REUSEADDR, &v,
		sizeof(v)), 0);
	CHECK_EQ(ptcp_sock_bind(P.tb, s2, SA(b), sizeof(b)), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s2), 0);
	CHECK_EQ(ptcp_sock_listen(P.tb, s, 4), 0);
	CHECK_EQ(ptcp_sock_accept(P.tb, s, NULL, NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, 1), -1);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(ptcp_sock_connect(P.tb, s, SA(b), sizeof(b)), -1);
	CHECK_EQ(errno, EISCONN);
	/* A second socket on the port the lcore listens on. */
	s2 = ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_bind(P.tb, s2, SA(any), sizeof(any)), -1);
	CHECK_EQ(errno, EADDRINUSE);
	/* Options: what is not honoured, bad values. */
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s2, SOL_SOCKET, SO_BROADCAST, &v,
		sizeof(v)), -1);
	CHECK_EQ(errno, ENOPROTOOPT);
	v = 10;
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s2, IPPROTO_TCP, TCP_MAXSEG, &v,
		sizeof(v)), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s2, IPPROTO_TCP, TCP_NODELAY, &v,
		1), -1);
	CHECK_EQ(errno, EINVAL);
	/* epoll descriptors are no sockets. */
	ep = ptcp_epoll_create1(P.tb, 0);
	CHECK(ep >= 0);
	CHECK_EQ(ptcp_sock_bind(P.tb, ep, SA(any), sizeof(any)), -1);
	CHECK_EQ(errno, ENOTSOCK);
	CHECK_EQ(ptcp_epoll_ctl(P.tb, s2, EPOLL_CTL_ADD, ep,
		&(struct epoll_event){ .events = EPOLLIN }), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ptcp_epoll_ctl(P.tb, ep, EPOLL_CTL_DEL, s2, NULL), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(ptcp_epoll_ctl(P.tb, ep, EPOLL_CTL_ADD, s2,
		&(struct epoll_event){ .events = EPOLLIN }), 0);
	CHECK_EQ(ptcp_epoll_ctl(P.tb, ep, EPOLL_CTL_ADD, s2,
		&(struct epoll_event){ .events = EPOLLIN }), -1);
	CHECK_EQ(errno, EEXIST);
	/* The table full: EMFILE, and a descriptor freed is reused. */
	for (n = 0; n < MAXFD; n++) {
		fds[n] = ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, 0);
		if (fds[n] < 0)
			break;
	}
	CHECK_EQ(fds[n], -1);
	CHECK_EQ(errno, EMFILE);
	CHECK_EQ(n, MAXFD - 3);
	CHECK_EQ(ptcp_sock_close(P.tb, fds[3]), 0);
	CHECK_EQ(ptcp_sock_socket(P.tb, AF_INET, SOCK_STREAM, 0), fds[3]);
	for (i = 0; i < n; i++)
		CHECK_EQ(ptcp_sock_close(P.tb, fds[i]), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, ep), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s2), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	CHECK_EQ(ptcp_sock_table_used(P.tb), 0);
	return 0;
}

static int
errno_of_a_connection(void)
{
	struct sockaddr_in b = sin_of(ADDR_B, PORT + 1);
	char buf[8];
	int c, l, s;

	CHECK_EQ(pair_up(NULL, 0), 0);
	/* Nobody listens: EINPROGRESS, EALREADY, then ECONNREFUSED. */
	c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(b), sizeof(b)), -1);
	CHECK_EQ(errno, EINPROGRESS);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(b), sizeof(b)), -1);
	CHECK_EQ(errno, EALREADY);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, 1), -1);
	CHECK_EQ(errno, EAGAIN);                /* connecting */
	CHECK_EQ(ptcp_sock_write(P.ta, c, buf, 1), -1);
	CHECK_EQ(errno, EAGAIN);
	run(3);
	CHECK_EQ(sock_err(P.ta, c), ECONNREFUSED);
	CHECK_EQ(sock_err(P.ta, c), 0);          /* SO_ERROR clears it */
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	/* The same reported by connect() itself. */
	c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(b), sizeof(b)), -1);
	run(3);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(b), sizeof(b)), -1);
	CHECK_EQ(errno, ECONNREFUSED);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	b.sin_port = 0;
	c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(b), sizeof(b)), -1);
	CHECK_EQ(errno, ECONNREFUSED);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);

	/* The peer resets: the data first, ECONNRESET once, then 0/EPIPE. */
	l = server_listen(4);
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_write(P.tb, s, "abc", 3), 3);
	run(2);
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s, SOL_SOCKET, SO_LINGER,
		&(struct linger){ 1, 0 }, sizeof(struct linger)), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	run(2);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), 3);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ECONNRESET);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), 0);
	CHECK_EQ(ptcp_sock_write(P.ta, c, buf, 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(ptcp_sock_shutdown(P.ta, c, SHUT_RDWR), -1);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	/* Write reports the reset when it comes first. */
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s, SOL_SOCKET, SO_LINGER,
		&(struct linger){ 1, 0 }, sizeof(struct linger)), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	run(2);
	CHECK_EQ(ptcp_sock_write(P.ta, c, buf, 1), -1);
	CHECK_EQ(errno, ECONNRESET);
	CHECK_EQ(ptcp_sock_write(P.ta, c, buf, 1), -1);
	CHECK_EQ(errno, EPIPE);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	return all_gone();
}

static int
connect_times_out_with_etimedout(void)
{
	static const char *const sets[] = { "tcp.syn_retries=2",
		"tcp.rto_init_ms=200", "tcp.rto_min_ms=200" };
	struct sockaddr_in nobody = sin_of(NOBODY, 80);
	int c, i;

	CHECK_EQ(pair_up(sets, RTE_DIM(sets)), 0);
	c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(nobody), sizeof(nobody)), -1);
	CHECK_EQ(errno, EINPROGRESS);
	for (i = 0; i < 100 && info(P.ta, c).state != 0; i++)
		run(100);
	CHECK_EQ(info(P.ta, c).state, PTCP_TCPS_CLOSED);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(nobody), sizeof(nobody)), -1);
	CHECK_EQ(errno, ETIMEDOUT);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	return 0;
}

static int
keepalive_options_end_a_dead_peer_with_etimedout(void)
{
	int l, c, s, v, e = 0;
	socklen_t len = sizeof(v);
	char buf[4];

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(4);
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, IPPROTO_TCP, TCP_KEEPIDLE, &v,
		&len), 0);
	CHECK_EQ(v, 7200);                       /* [tcp]'s default */
	v = 1;
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, SOL_SOCKET, SO_KEEPALIVE, &v,
		sizeof(v)), 0);
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, IPPROTO_TCP, TCP_KEEPIDLE, &v,
		sizeof(v)), 0);
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, IPPROTO_TCP, TCP_KEEPINTVL, &v,
		sizeof(v)), 0);
	v = 2;
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, IPPROTO_TCP, TCP_KEEPCNT, &v,
		sizeof(v)), 0);
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, IPPROTO_TCP, TCP_KEEPCNT, &v,
		&len), 0);
	CHECK_EQ(v, 2);
	/* An answering peer keeps it alive past several idle periods. */
	run(5000);
	CHECK_EQ(info(P.ta, c).state, PTCP_TCPS_ESTABLISHED);
	CHECK(h_stack_stat(&P.a, PTCP_STAT_tcp_keepalive_probe) >= 3);
	/* B goes silent: 1 s idle + 2 probes 1 s apart, and it is over. */
	run_a_only(4000);
	CHECK_EQ(info(P.ta, c).state, PTCP_TCPS_CLOSED);
	CHECK_EQ(ptcp_sock_read(P.ta, c, buf, sizeof(buf)), -1);
	e = errno;
	CHECK_EQ(e, ETIMEDOUT);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	return 0;
}

static int
so_linger_zero_and_unread_data_close_with_rst(void)
{
	int l, c, s, v;
	socklen_t len = sizeof(struct linger);
	struct linger lg;
	char buf[8];
	uint64_t rst;

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(4);
	/* SO_LINGER {1, 0}: close sends RST at once, no FIN. */
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, SOL_SOCKET, SO_LINGER,
		&(struct linger){ 1, 0 }, sizeof(struct linger)), 0);
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, SOL_SOCKET, SO_LINGER, &lg,
		&len), 0);
	CHECK_EQ(lg.l_onoff, 1);
	CHECK_EQ(lg.l_linger, 0);
	rst = h_stack_stat(&P.a, PTCP_STAT_tcp_rst_tx_abort);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(h_stack_stat(&P.a, PTCP_STAT_tcp_rst_tx_abort), rst + 1);
	CHECK_EQ(h_stack_state(&P.a, PTCP_TCPS_TIME_WAIT), 0);
	run(2);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), -1);
	CHECK_EQ(errno, ECONNRESET);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	/* SO_LINGER {1, 5}: nothing blocks, an ordinary close (FIN). */
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, SOL_SOCKET, SO_LINGER,
		&(struct linger){ 1, 5 }, sizeof(struct linger)), 0);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(h_stack_stat(&P.a, PTCP_STAT_tcp_rst_tx_abort), rst + 1);
	run(2);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	/* Unread data at close: RST, as Linux (RFC 2525 2.17). */
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_write(P.tb, s, "unread", 6), 6);
	run(2);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(h_stack_stat(&P.a, PTCP_STAT_tcp_rst_tx_abort), rst + 2);
	run(2);
	CHECK_EQ(ptcp_sock_write(P.tb, s, "x", 1), -1);
	CHECK_EQ(errno, ECONNRESET);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	/* Closing a listener resets what nobody accepted. */
	c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in to = sin_of(ADDR_B, PORT);

		CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(to), sizeof(to)), -1);
	}
	run(3);
	CHECK_EQ(info(P.ta, c).state, PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	run(2);
	CHECK_EQ(sock_err(P.ta, c), ECONNRESET);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(ptcp_sock_table_used(P.tb), 0);
	v = 0;
	(void)v;
	return all_gone();
}

/*
 * The reader does not read: what it holds closes the window, the writer
 * gets EAGAIN and no EPOLLOUT; it reads, the window and EPOLLOUT come
 * back; every byte arrives, in order.
 */
static int
backpressure_window_closes_and_reopens_no_byte_lost(void)
{
	static const char *const sets[] = { "tcp.rcv_buf=65536",
		"tcp.snd_buf=65536" };
	const uint64_t total = 2u << 20;
	uint64_t sent = 0, got = 0;
	struct epoll_event ev;
	struct ptcp_tcp_info ti;
	uint8_t buf[4096];
	int l, c, s, ep, i, n;
	bool reopened = false;

	CHECK_EQ(pair_up(sets, RTE_DIM(sets)), 0);
	l = server_listen(4);
	CHECK(establish(l, &c, &s) == 0);
	ep = ptcp_epoll_create1(P.ta, 0);
	CHECK_EQ(ptcp_epoll_ctl(P.ta, ep, EPOLL_CTL_ADD, c,
		&(struct epoll_event){ .events = EPOLLOUT }), 0);
	/* Phase 1: A writes all it can, B reads nothing. */
	for (i = 0; i < 400; i++) {
		while (sent < total) {
			size_t k, want = RTE_MIN(sizeof(buf), total - sent);
			ssize_t r;

			for (k = 0; k < want; k++)
				buf[k] = pat(sent + k);
			r = ptcp_sock_write(P.ta, c, buf, want);
			if (r < 0) {
				CHECK_EQ(errno, EAGAIN);
				break;
			}
			sent += (uint64_t)r;
		}
		run(5);
	}
	ti = info(P.tb, s);
	CHECK_EQ(ti.rcv_space, 0);               /* B offers nothing */
	CHECK_EQ(ti.rcv_held, 65536);            /* all of it unread */
	CHECK_EQ(info(P.ta, c).snd_wnd, 0);      /* A sees a zero window */
	CHECK_EQ(sent, 65536 + 65536);           /* B's buffer + A's */
	CHECK_EQ(ptcp_epoll_wait(P.ta, ep, &ev, 1, 0), 0);  /* no EPOLLOUT */
	/* Phase 2: B reads; the window reopens, A goes on to the end. */
	for (i = 0; i < 20000 && got < total; i++) {
		ssize_t r;

		n = ptcp_epoll_wait(P.ta, ep, &ev, 1, 0);
		if (n == 1 && sent < total) {
			size_t k, want = RTE_MIN(sizeof(buf), total - sent);

			CHECK(ev.events & EPOLLOUT);
			for (k = 0; k < want; k++)
				buf[k] = pat(sent + k);
			r = ptcp_sock_write(P.ta, c, buf, want);
			if (r > 0)
				sent += (uint64_t)r;
		}
		/* Read in small bites, so that the window is often shut. */
		r = ptcp_sock_read(P.tb, s, buf, 1000);
		if (r > 0) {
			ssize_t k;

			for (k = 0; k < r; k++)
				CHECK_MSG(buf[k] == pat(got + (uint64_t)k),
					"byte %" PRIu64 " wrong",
					got + (uint64_t)k);
			got += (uint64_t)r;
		}
		if (got != 0 && info(P.ta, c).snd_wnd != 0)
			reopened = true;
		run(1);
	}
	CHECK_EQ(got, total);
	CHECK(reopened);
	CHECK(h_stack_stat(&P.a, PTCP_STAT_tcp_zero_window_probe) > 0);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	run(2);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	CHECK_EQ(ptcp_sock_close(P.ta, ep), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	return all_gone();
}

/* SO_RCVBUF below [tcp] rcv_buf: the window stops at that size. */
static int
so_rcvbuf_bounds_the_window(void)
{
	int l, c, s, v = 8192;
	socklen_t len = sizeof(v);
	uint8_t buf[1024];

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(4);
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, l, SOL_SOCKET, SO_RCVBUF, &v,
		sizeof(v)), 0);
	CHECK(establish(l, &c, &s) == 0);
	CHECK_EQ(ptcp_sock_getsockopt(P.tb, s, SOL_SOCKET, SO_RCVBUF, &v,
		&len), 0);
	CHECK_EQ(v, 8192);
	memset(buf, 'x', sizeof(buf));
	while (ptcp_sock_write(P.ta, c, buf, sizeof(buf)) > 0)
		;
	run(50);
	/* What the window let through: at most the 8 KiB asked for (the
	 * SYN-ACK's window was offered before: it may add that much). */
	CHECK_EQ(info(P.tb, s).rcv_space, 0);
	v = 0;
	while (ptcp_sock_read(P.tb, s, buf, sizeof(buf)) > 0)
		v++;
	CHECK(v >= 8);
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);

	/* Set before connect(): the SYN already offers only 8 KiB, so the
	 * peer never gets more than that (and a window scale's rounding)
	 * ahead of the reader. */
	{
		struct sockaddr_in to = sin_of(ADDR_B, PORT);
		uint32_t cfg = P.a.e->cfg.tcp.rcv_buf, queued, i;
		struct ptcp_tcp_info ti;

		c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
		v = 8192;
		CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, SOL_SOCKET, SO_RCVBUF,
			&v, sizeof(v)), 0);
		CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(to), sizeof(to)), -1);
		for (i = 0, s = -1; i < 10 && s < 0; i++) {
			run(1);
			s = ptcp_sock_accept(P.tb, l, NULL, NULL);
		}
		CHECK(s >= 0);
		while (ptcp_sock_write(P.tb, s, buf, sizeof(buf)) > 0)
			;
		run(50);
		ti = info(P.ta, c);
		queued = ti.rcv_held - (cfg - 8192);
		CHECK_MSG(queued >= 8192 - 1024 &&
			queued <= 8192 + (1u << ti.rcv_wscale),
			"%u bytes queued, wscale %u", queued, ti.rcv_wscale);
		CHECK_EQ(ti.rcv_space, 0);
		/* Reading reopens it, and everything comes. */
		for (i = 0, v = 0; i < 2000; i++) {
			ssize_t r = ptcp_sock_read(P.ta, c, buf, sizeof(buf));

			if (r > 0)
				v += (int)r;
			run(1);
		}
		CHECK(v > 200 * 1024);
		CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
		CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	}
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	return all_gone();
}

static int
tcp_options_and_tcp_info(void)
{
	int l, c, s, v;
	socklen_t len = sizeof(v);
	struct ptcp_tcp_info ti;

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(4);
	CHECK(establish(l, &c, &s) == 0);
	/* ptcp's default is Nagle off ([tcp] nagle = no). */
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, IPPROTO_TCP, TCP_NODELAY, &v,
		&len), 0);
	CHECK_EQ(v, 1);
	v = 0;
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, IPPROTO_TCP, TCP_NODELAY, &v,
		sizeof(v)), 0);
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, IPPROTO_TCP, TCP_NODELAY, &v,
		&len), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, IPPROTO_TCP, TCP_MAXSEG, &v,
		&len), 0);
	ti = info(P.ta, c);
	CHECK_EQ(v, ti.mss);
	CHECK(v > 1000 && v <= 1460);
	v = 500;
	CHECK_EQ(ptcp_sock_setsockopt(P.ta, c, IPPROTO_TCP, TCP_MAXSEG, &v,
		sizeof(v)), 0);
	CHECK_EQ(info(P.ta, c).mss, 500);
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, SOL_SOCKET, SO_TYPE, &v, &len),
		0);
	CHECK_EQ(v, SOCK_STREAM);
	CHECK_EQ(ptcp_sock_getsockopt(P.tb, l, SOL_SOCKET, SO_ACCEPTCONN, &v,
		&len), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(info(P.tb, l).state, PTCP_TCPS_LISTEN);
	/* RFC 9293's variables line up across the two ends. */
	CHECK_EQ(ptcp_sock_write(P.ta, c, "0123456789", 10), 10);
	run(100);
	ti = info(P.ta, c);
	CHECK_EQ(ti.state, PTCP_TCPS_ESTABLISHED);
	CHECK_EQ(ti.snd_nxt - ti.iss, 11);       /* SYN + 10 bytes */
	CHECK_EQ(ti.snd_una, ti.snd_nxt);
	CHECK_EQ(info(P.tb, s).rcv_nxt, ti.snd_nxt);
	CHECK_EQ(info(P.tb, s).irs, ti.iss);
	CHECK_EQ(info(P.tb, s).rcv_held, 10);    /* not read yet */
	CHECK(ti.cwnd > 0 && ti.rto_ms > 0);
	/* A short getsockopt is truncated as Linux does. */
	len = 1;
	CHECK_EQ(ptcp_sock_getsockopt(P.ta, c, IPPROTO_TCP, TCP_INFO, &ti,
		&len), 0);
	CHECK_EQ(len, 1);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);   /* unread: RST */
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	return 0;
}

/* Wait on @ep of @t (timeout 0): @return the events of @fd's entry or 0,
 * and the number of entries in *@n. */
static uint32_t
ev_of(struct ptcp_sock_table *t, int ep, int fd, int *n)
{
	struct epoll_event ev[8];
	uint32_t got = 0;
	int i;

	*n = ptcp_epoll_wait(t, ep, ev, 8, 0);
	for (i = 0; i < *n; i++)
		if (ev[i].data.fd == fd)
			got = ev[i].events;
	return got;
}

static int
epoll_readiness_transitions(void)
{
	struct sockaddr_in to = sin_of(ADDR_B, PORT);
	struct epoll_event e;
	char buf[64];
	int l, c, s, epa, epb, n, i;

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(4);
	epb = ptcp_epoll_create1(P.tb, 0);
	epa = ptcp_epoll_create1(P.ta, EPOLL_CLOEXEC);
	e.events = EPOLLIN;
	e.data.fd = l;
	CHECK_EQ(ptcp_epoll_ctl(P.tb, epb, EPOLL_CTL_ADD, l, &e), 0);
	CHECK_EQ(ev_of(P.tb, epb, l, &n), 0);
	CHECK_EQ(n, 0);
	/* Connecting: nothing; established: EPOLLOUT. */
	c = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
	CHECK_EQ(ptcp_sock_connect(P.ta, c, SA(to), sizeof(to)), -1);
	e.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	e.data.fd = c;
	CHECK_EQ(ptcp_epoll_ctl(P.ta, epa, EPOLL_CTL_ADD, c, &e), 0);
	CHECK_EQ(ev_of(P.ta, epa, c, &n), 0);
	CHECK_EQ(n, 0);
	run(3);
	CHECK_EQ(ev_of(P.ta, epa, c, &n), EPOLLOUT);
	CHECK_EQ(ev_of(P.ta, epa, c, &n), EPOLLOUT);   /* level-triggered */
	/* The listener: EPOLLIN while a connection waits for accept(). */
	CHECK_EQ(ev_of(P.tb, epb, l, &n), EPOLLIN);
	CHECK_EQ(ev_of(P.tb, epb, l, &n), EPOLLIN);
	s = ptcp_sock_accept4(P.tb, l, NULL, NULL, SOCK_NONBLOCK);
	CHECK(s >= 0);
	CHECK_EQ(ev_of(P.tb, epb, l, &n), 0);
	/* Edge-triggered reader: once per arrival. */
	e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	e.data.fd = s;
	CHECK_EQ(ptcp_epoll_ctl(P.tb, epb, EPOLL_CTL_ADD, s, &e), 0);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), 0);
	CHECK_EQ(ptcp_sock_write(P.ta, c, "one", 3), 3);
	run(2);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), 0);          /* no new event */
	CHECK_EQ(ptcp_sock_write(P.ta, c, "two", 3), 3);
	run(2);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN);    /* new data */
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 6);
	/* Level-triggered: ready until read. */
	e.events = EPOLLIN;
	CHECK_EQ(ptcp_epoll_ctl(P.tb, epb, EPOLL_CTL_MOD, s, &e), 0);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), 0);
	CHECK_EQ(ptcp_sock_write(P.ta, c, "three", 5), 5);
	run(2);
	for (i = 0; i < 3; i++)
		CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, 2), 2);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN);    /* 3 bytes left */
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 3);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), 0);
	/* One-shot: once, then nothing until EPOLL_CTL_MOD. */
	e.events = EPOLLIN | EPOLLONESHOT;
	CHECK_EQ(ptcp_epoll_ctl(P.tb, epb, EPOLL_CTL_MOD, s, &e), 0);
	CHECK_EQ(ptcp_sock_write(P.ta, c, "four", 4), 4);
	run(2);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), 0);
	CHECK_EQ(ptcp_epoll_ctl(P.tb, epb, EPOLL_CTL_MOD, s, &e), 0);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 4);
	/* The peer's FIN: EPOLLIN | EPOLLRDHUP (read gives 0). */
	e.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	CHECK_EQ(ptcp_epoll_ctl(P.tb, epb, EPOLL_CTL_MOD, s, &e), 0);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLOUT);
	CHECK_EQ(ptcp_sock_shutdown(P.ta, c, SHUT_WR), 0);
	run(2);
	CHECK_EQ(ev_of(P.tb, epb, s, &n), EPOLLIN | EPOLLRDHUP | EPOLLOUT);
	CHECK_EQ(ptcp_sock_read(P.tb, s, buf, sizeof(buf)), 0);
	/* A after its shutdown(SHUT_WR): still EPOLLOUT (writes fail at
	 * once, as Linux reports it), no HUP while B's side is open. */
	CHECK_EQ(ev_of(P.ta, epa, c, &n), EPOLLOUT);
	/* B resets: A gets EPOLLERR | EPOLLHUP with EPOLLIN | EPOLLRDHUP. */
	CHECK_EQ(ptcp_sock_setsockopt(P.tb, s, SOL_SOCKET, SO_LINGER,
		&(struct linger){ 1, 0 }, sizeof(struct linger)), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, s), 0);
	run(2);
	CHECK_EQ(ev_of(P.ta, epa, c, &n), EPOLLERR | EPOLLHUP | EPOLLIN |
		EPOLLRDHUP | EPOLLOUT);
	CHECK_EQ(sock_err(P.ta, c), ECONNRESET);
	CHECK_EQ(ev_of(P.ta, epa, c, &n), EPOLLHUP | EPOLLIN | EPOLLRDHUP |
		EPOLLOUT);
	/* A closed socket leaves its epoll; the epoll closes last. */
	CHECK_EQ(ptcp_sock_close(P.ta, c), 0);
	CHECK_EQ(ev_of(P.ta, epa, c, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(ptcp_sock_close(P.ta, epa), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, epb), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	return all_gone();
}

/* Many sockets ready at once, maxevents 1: each gets its turn. */
static int
epoll_serves_ready_sockets_in_turn(void)
{
	struct epoll_event e, ev;
	int l, c[4], s[4], ep, i, seen[4] = { 0 };

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(8);
	ep = ptcp_epoll_create1(P.tb, 0);
	for (i = 0; i < 4; i++) {
		CHECK(establish(l, &c[i], &s[i]) == 0);
		e.events = EPOLLIN;
		e.data.u32 = (uint32_t)i;
		CHECK_EQ(ptcp_epoll_ctl(P.tb, ep, EPOLL_CTL_ADD, s[i], &e), 0);
		CHECK_EQ(ptcp_sock_write(P.ta, c[i], "x", 1), 1);
	}
	run(2);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(ptcp_epoll_wait(P.tb, ep, &ev, 1, 0), 1);
		seen[ev.data.u32]++;
	}
	for (i = 0; i < 4; i++)
		CHECK_EQ(seen[i], 2);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(ptcp_sock_close(P.ta, c[i]), 0);
		CHECK_EQ(ptcp_sock_close(P.tb, s[i]), 0);   /* unread: RST */
	}
	CHECK_EQ(ptcp_sock_close(P.tb, ep), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	return all_gone();
}

/* The accept queue holds backlog connections; the next is reset. */
static int
full_accept_queue_resets_the_next_connection(void)
{
	struct sockaddr_in to = sin_of(ADDR_B, PORT);
	struct iovec iov = { .iov_base = &to, .iov_len = 1 };
	int l, c[3], s[2], i;

	CHECK_EQ(pair_up(NULL, 0), 0);
	l = server_listen(2);
	for (i = 0; i < 3; i++) {
		c[i] = ptcp_sock_socket(P.ta, AF_INET, SOCK_STREAM, 0);
		CHECK_EQ(ptcp_sock_connect(P.ta, c[i], SA(to), sizeof(to)), -1);
		run(3);
	}
	CHECK_EQ(sock_err(P.ta, c[0]), 0);
	CHECK_EQ(sock_err(P.ta, c[1]), 0);
	CHECK_EQ(sock_err(P.ta, c[2]), ECONNRESET);
	CHECK_EQ(h_stack_stat(&P.b, PTCP_STAT_tcp_rst_tx_accept_refused), 1);
	for (i = 0; i < 2; i++) {
		s[i] = ptcp_sock_accept(P.tb, l, NULL, NULL);
		CHECK(s[i] >= 0);
	}
	CHECK_EQ(ptcp_sock_accept(P.tb, l, NULL, NULL), -1);
	CHECK_EQ(errno, EAGAIN);
	/* readv/writev with a bad count. */
	CHECK_EQ(ptcp_sock_readv(P.tb, s[0], &iov, -1), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(ptcp_sock_writev(P.tb, s[0], &iov, IOV_MAX + 1), -1);
	CHECK_EQ(errno, EINVAL);
	for (i = 0; i < 3; i++)
		CHECK_EQ(ptcp_sock_close(P.ta, c[i]), 0);
	for (i = 0; i < 2; i++)
		CHECK_EQ(ptcp_sock_close(P.tb, s[i]), 0);
	CHECK_EQ(ptcp_sock_close(P.tb, l), 0);
	return all_gone();
}

static const struct ptcp_test tests[] = {
	TEST(connect_accept_read_write_shutdown_close),
	TEST(errno_without_a_connection),
	TEST(errno_of_a_connection),
	TEST(connect_times_out_with_etimedout),
	TEST(keepalive_options_end_a_dead_peer_with_etimedout),
	TEST(so_linger_zero_and_unread_data_close_with_rst),
	TEST(backpressure_window_closes_and_reopens_no_byte_lost),
	TEST(so_rcvbuf_bounds_the_window),
	TEST(tcp_options_and_tcp_info),
	TEST(epoll_readiness_transitions),
	TEST(epoll_serves_ready_sockets_in_turn),
	TEST(full_accept_queue_resets_the_next_connection),
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return h_main(tests, argc, argv, after);
}
