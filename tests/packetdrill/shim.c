/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * packetdrill's shared-object mode on ptcp (docs/packetdrill.md).
 *
 * packetdrill --so_filename=ptcp_packetdrill.so --so_flags='...' loads
 * loader.c, which loads this file and calls ptcp_packetdrill_init() with
 * packetdrill_interface_init()'s arguments: it fills a table of
 * function pointers: the socket calls (served by lib/sock), netdev_send /
 * netdev_receive (IPv4 packets without an Ethernet header, to and from the
 * stack) and usleep / gettimeofday (the time packetdrill sees).
 *
 * One ptcp engine runs on one net_ring port whose rings only this file
 * touches: a packet from packetdrill gets an Ethernet header and goes on
 * the RX ring; what ptcp sends is taken off the TX ring, ARP requests are
 * answered here, and IP packets are kept, stamped with the clock, for
 * netdev_receive. The clock is virtual: it moves when packetdrill sleeps
 * (usleep), a little on every gettimeofday (packetdrill spins on it for
 * the last microseconds), and when netdev_receive waits for a packet that
 * only a timer can make (retransmission, keepalive...), which it does up
 * to wait_s virtual seconds before failing cleanly.
 *
 * packetdrill runs a blocking call on a second thread and checks that the
 * thread sleeps: such a call waits on a condition variable, woken after
 * every pass of the stack, and a call a pass woke gets the stack before
 * the clock moves on. One mutex covers the stack.
 *
 * The interface struct is declared here from packetdrill's description
 * of it (same members, same order); packetdrill's header is not used.
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ptcp.h"
#include "ptcp_config.h"
#include "ptcp_sock.h"
#include "ptcp_stats.h"
#include "ptcp_tcp.h"
#include "ptcp_test_eal.h"

/* ---- the interface packetdrill expects (members in its order) -------- */

struct pd_ifc {
	void *userdata;
	void (*free)(void *ud);
	int (*socket)(void *ud, int domain, int type, int protocol);
	int (*bind)(void *ud, int fd, const struct sockaddr *a, socklen_t l);
	int (*listen)(void *ud, int fd, int backlog);
	int (*accept)(void *ud, int fd, struct sockaddr *a, socklen_t *l);
	int (*connect)(void *ud, int fd, const struct sockaddr *a,
			socklen_t l);
	ssize_t (*read)(void *ud, int fd, void *buf, size_t n);
	ssize_t (*readv)(void *ud, int fd, const struct iovec *iov, int cnt);
	ssize_t (*recv)(void *ud, int fd, void *buf, size_t n, int flags);
	ssize_t (*recvfrom)(void *ud, int fd, void *buf, size_t n, int flags,
			struct sockaddr *a, socklen_t *l);
	ssize_t (*recvmsg)(void *ud, int fd, struct msghdr *msg, int flags);
	ssize_t (*write)(void *ud, int fd, const void *buf, size_t n);
	ssize_t (*writev)(void *ud, int fd, const struct iovec *iov, int cnt);
	ssize_t (*send)(void *ud, int fd, const void *buf, size_t n,
			int flags);
	ssize_t (*sendto)(void *ud, int fd, const void *buf, size_t n,
			int flags, const struct sockaddr *a, socklen_t l);
	ssize_t (*sendmsg)(void *ud, int fd, const struct msghdr *msg,
			int flags);
	int (*fcntl)(void *ud, int fd, int cmd, ...);
	int (*ioctl)(void *ud, int fd, unsigned long req, ...);
	int (*close)(void *ud, int fd);
	int (*shutdown)(void *ud, int fd, int how);
	int (*getsockopt)(void *ud, int fd, int level, int name, void *val,
			socklen_t *len);
	int (*setsockopt)(void *ud, int fd, int level, int name,
			const void *val, socklen_t len);
	int (*poll)(void *ud, struct pollfd *fds, nfds_t n, int timeout);
	int (*netdev_send)(void *ud, const void *buf, size_t n);
	int (*netdev_receive)(void *ud, void *buf, size_t *n,
			long long *time_usecs);
	int (*usleep)(void *ud, useconds_t us);
	int (*gettimeofday)(void *ud, struct timeval *tv, struct timezone *tz);
	int (*epoll_create)(void *ud, int size);
	int (*epoll_ctl)(void *ud, int epfd, int op, int fd,
			struct epoll_event *ev);
	int (*epoll_wait)(void *ud, int epfd, struct epoll_event *ev,
			int maxevents, int timeout);
	int (*pipe)(void *ud, int fds[2]);
	int (*splice)(void *ud, int in, loff_t *off_in, int out,
			loff_t *off_out, size_t n, unsigned int flags);
};

/* Called by packetdrill_interface_init() of loader.c. */
void ptcp_packetdrill_init(const char *flags, struct pd_ifc *ifc);

/* ---- the shim's state ------------------------------------------------ */

#define MAX_FDS 256             /* ptcp descriptors */
#define MAX_REAL 4096           /* placeholder descriptors (below) */
#define OUT_MAX 4096            /* packets sent and not yet sniffed */
#define MAX_SETS 64
#define EPOCH_S 1700000000ull   /* gettimeofday() at virtual time 0 */
#define STEP_US 1000u           /* clock step while waiting: a tick */

struct out_pkt {
	uint8_t *data;          /* the IP packet */
	size_t len;
	uint64_t t_us;          /* virtual time it left */
};

struct shim {
	pthread_mutex_t lock;
	pthread_cond_t moved;           /* the stack ran a pass */
	pthread_cond_t looked;          /* a blocked call woke and looked */
	unsigned int waiters;           /* blocked calls asleep on moved */
	bool kick;                      /* a pass since they looked */
	pthread_t main_thread;          /* packetdrill's: never blocks */
	struct ptcp_engine *e;
	struct ptcp_lcore *lc;
	struct ptcp_sock_table *t;
	struct rte_ring *rx, *tx;
	struct rte_mempool *pool;
	uint16_t port;
	unsigned int baseline_in_use;   /* engine mbufs in use before start */
	struct rte_ether_addr mac;      /* ptcp's port */
	struct rte_ether_addr peer_mac; /* the wire's side (answers ARP) */
	uint64_t now_us;                /* the virtual clock */
	uint64_t wait_us;               /* netdev_receive's bound */
	unsigned int block_ms;          /* real time a blocking call waits */
	bool verbose;
	bool blocking[MAX_FDS];         /* no O_NONBLOCK set by the script */
	int16_t ptcp_of[MAX_REAL];      /* placeholder fd -> ptcp fd + 1 */
	struct out_pkt out[OUT_MAX];
	unsigned int out_head, out_len;
	char sets[MAX_SETS][128];       /* ptcp settings from the flags */
};

static void
shim_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ptcp packetdrill shim: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	exit(2);
}

/* ---- the wire --------------------------------------------------------- */

static void
out_push(struct shim *s, const struct rte_mbuf *m, uint32_t off)
{
	struct out_pkt *o;
	uint32_t len = rte_pktmbuf_pkt_len(m) - off;
	const void *p;

	if (s->out_len == OUT_MAX) {
		fprintf(stderr, "ptcp packetdrill shim: %u packets not "
			"sniffed, dropping the oldest\n", OUT_MAX);
		free(s->out[s->out_head].data);
		s->out_head = (s->out_head + 1) % OUT_MAX;
		s->out_len--;
	}
	o = &s->out[(s->out_head + s->out_len) % OUT_MAX];
	o->data = malloc(len);
	if (o->data == NULL)
		shim_die("out of memory\n");
	p = rte_pktmbuf_read(m, off, len, o->data);
	if (p != o->data)
		memcpy(o->data, p, len);
	o->len = len;
	o->t_us = s->now_us;
	s->out_len++;
}

/* Answer an ARP request of ptcp's: every address is at peer_mac. */
static void
arp_answer(struct shim *s, const struct rte_arp_hdr *req)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;

	if (m == NULL)
		shim_die("no mbuf for an ARP reply\n");
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		sizeof(*eh) + sizeof(*a));
	a = (struct rte_arp_hdr *)(eh + 1);
	eh->dst_addr = s->mac;
	eh->src_addr = s->peer_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	*a = *req;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_sha = s->peer_mac;
	a->arp_data.arp_sip = req->arp_data.arp_tip;
	a->arp_data.arp_tha = req->arp_data.arp_sha;
	a->arp_data.arp_tip = req->arp_data.arp_sip;
	if (rte_ring_enqueue(s->rx, m) != 0)
		rte_pktmbuf_free(m);
}

/* Take what ptcp sent: keep IPv4, answer ARP requests. @return ARPs. */
static unsigned int
take_tx(struct shim *s)
{
	struct rte_mbuf *m;
	unsigned int arps = 0;

	while (rte_ring_dequeue(s->tx, (void **)&m) == 0) {
		struct rte_ether_hdr eh_copy;
		const struct rte_ether_hdr *eh = rte_pktmbuf_read(m, 0,
			sizeof(eh_copy), &eh_copy);
		uint16_t type = eh != NULL ?
			rte_be_to_cpu_16(eh->ether_type) : 0;

		if (type == RTE_ETHER_TYPE_IPV4) {
			out_push(s, m, sizeof(*eh));
		} else if (type == RTE_ETHER_TYPE_ARP) {
			struct rte_arp_hdr a_copy;
			const struct rte_arp_hdr *a = rte_pktmbuf_read(m,
				sizeof(*eh), sizeof(a_copy), &a_copy);

			if (a != NULL && a->arp_opcode ==
					rte_cpu_to_be_16(RTE_ARP_OP_REQUEST)) {
				arp_answer(s, a);
				arps++;
			}
		}
		rte_pktmbuf_free(m);
	}
	return arps;
}

/*
 * The TSC ptcp sees at virtual time @us, in whole milliseconds (its timer
 * tick): the microseconds gettimeofday() adds while packetdrill spins
 * vary from run to run and must not reach the stack (its ISN clock runs
 * at 4 us).
 */
static uint64_t
tsc_at(const struct shim *s, uint64_t us)
{
	uint64_t hz = s->e->tsc_hz;

	us -= us % 1000;
	return s->e->start_tsc + (us / 1000000) * hz +
		(us % 1000000) * hz / 1000000 + 1;
}

/* Passes of the stack at the current time until it is quiet. Locked. */
static void
run(struct shim *s)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		unsigned int n = ptcp_lcore_poll_at(s->lc,
			tsc_at(s, s->now_us));

		if (take_tx(s) == 0 && n == 0 && i > 0)
			break;
	}
	if (s->waiters > 0)
		s->kick = true;
	pthread_cond_broadcast(&s->moved);
}

/*
 * Before the clock moves on: a blocked call that the last pass woke gets
 * the lock first, to finish (or sleep again) at the time it was woken.
 */
static void
let_waiter_look(struct shim *s)
{
	struct timespec ts;

	if (!s->kick)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	while (s->kick)
		if (pthread_cond_timedwait(&s->looked, &s->lock, &ts) != 0)
			break;
	s->kick = false;
}

/* Move the clock to @until, a pass at every tick on the way. Locked. */
static void
advance_to(struct shim *s, uint64_t until)
{
	while (s->now_us < until) {
		uint64_t next = (s->now_us / STEP_US + 1) * STEP_US;

		let_waiter_look(s);
		s->now_us = next < until ? next : until;
		run(s);
	}
}

static int
netdev_send(void *ud, const void *buf, size_t n)
{
	struct shim *s = ud;
	struct rte_mbuf *m;
	struct rte_ether_hdr *eh;

	if (n == 0 || n + sizeof(*eh) > UINT16_MAX) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	m = rte_pktmbuf_alloc(s->pool);
	if (m == NULL || rte_pktmbuf_tailroom(m) < n + sizeof(*eh)) {
		rte_pktmbuf_free(m);
		pthread_mutex_unlock(&s->lock);
		fprintf(stderr, "ptcp packetdrill shim: packet of %zu bytes "
			"does not fit an mbuf\n", n);
		errno = EMSGSIZE;
		return -1;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eh) + n));
	eh->dst_addr = s->mac;
	eh->src_addr = s->peer_mac;
	eh->ether_type = rte_cpu_to_be_16((((const uint8_t *)buf)[0] >> 4)
		== 6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	memcpy(eh + 1, buf, n);
	if (rte_ring_enqueue(s->rx, m) != 0)
		rte_pktmbuf_free(m);
	run(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/*
 * The next packet ptcp sent, waiting (virtually) for timers to make one
 * up to wait_us. Nothing by then: *n = 0, which packetdrill reports as a
 * malformed packet, ending the script with an error.
 */
static int
netdev_receive(void *ud, void *buf, size_t *n, long long *time_usecs)
{
	struct shim *s = ud;
	uint64_t deadline;

	pthread_mutex_lock(&s->lock);
	let_waiter_look(s);
	run(s);
	let_waiter_look(s);
	deadline = s->now_us + s->wait_us;
	while (s->out_len == 0 && s->now_us < deadline)
		advance_to(s, s->now_us + STEP_US);
	if (s->out_len == 0) {
		if (s->verbose) {
			struct ptcp_stats st;

			ptcp_engine_stats(s->e, &st);
			ptcp_stats_print(&st, stderr, "  ptcp: ");
		}
		pthread_mutex_unlock(&s->lock);
		fprintf(stderr, "ptcp packetdrill shim: ptcp sent nothing "
			"in %" PRIu64 " s (virtual); wait_s= sets the bound\n",
			s->wait_us / 1000000);
		*n = 0;
		return 0;
	} else {
		struct out_pkt *o = &s->out[s->out_head];
		size_t len = o->len < *n ? o->len : *n;

		memcpy(buf, o->data, len);
		*n = len;
		*time_usecs = (long long)(EPOCH_S * 1000000 + o->t_us);
		free(o->data);
		s->out_head = (s->out_head + 1) % OUT_MAX;
		s->out_len--;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int
shim_usleep(void *ud, useconds_t us)
{
	struct shim *s = ud;

	pthread_mutex_lock(&s->lock);
	advance_to(s, s->now_us + us);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int
shim_gettimeofday(void *ud, struct timeval *tv, struct timezone *tz)
{
	struct shim *s = ud;
	uint64_t t;

	(void)tz;
	pthread_mutex_lock(&s->lock);
	/* packetdrill spins on this for the last few microseconds */
	t = ++s->now_us;
	pthread_mutex_unlock(&s->lock);
	tv->tv_sec = (time_t)(EPOCH_S + t / 1000000);
	tv->tv_usec = (suseconds_t)(t % 1000000);
	return 0;
}

/* ---- blocking calls ---------------------------------------------------- */

/*
 * Descriptors. packetdrill maps a script's numbers (3, 4, ...) to the
 * descriptors the shim returns, and at the end of a script it close(2)s
 * the ones still open itself, as if they were the kernel's. So the shim
 * never returns ptcp's numbers, which would name the process's own
 * descriptors (the EAL's epoll and others): each ptcp socket is shown as
 * a placeholder of its own, a real descriptor open on /dev/null, that
 * closing costs nothing.
 */
static int
to_ptcp(const struct shim *s, int fd)
{
	return fd >= 0 && fd < MAX_REAL ? s->ptcp_of[fd] - 1 : -1;
}

/* The placeholder for new ptcp descriptor @p (or @p, an error); locked. */
static int
from_ptcp(struct shim *s, int p)
{
	int fd;

	if (p < 0)
		return p;
	fd = p < MAX_FDS ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || fd >= MAX_REAL) {
		if (fd >= 0)
			close(fd);
		ptcp_sock_close(s->t, p);
		errno = EMFILE;
		return -1;
	}
	s->ptcp_of[fd] = (int16_t)(p + 1);
	return fd;
}

/* May a call on @fd that would block wait for the stack? Locked. */
static bool
may_block(const struct shim *s, int fd)
{
	int p = to_ptcp(s, fd);

	return p >= 0 && p < MAX_FDS && s->blocking[p] &&
		!pthread_equal(pthread_self(), s->main_thread);
}

/* Wait for the next pass (real time bound). @return 0, or -1 timed out. */
static int
wait_pass(struct shim *s)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += s->block_ms / 1000;
	ts.tv_nsec += (long)(s->block_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	s->waiters++;
	r = pthread_cond_timedwait(&s->moved, &s->lock, &ts);
	s->waiters--;
	s->kick = false;
	pthread_cond_broadcast(&s->looked);
	return r == 0 ? 0 : -1;
}

/* A call that blocks while it would give EAGAIN on a blocking socket. */
#define BLOCKING_CALL(s, fd, type, expr) do {                           \
	type r_;                                                        \
	int e_;                                                         \
	pthread_mutex_lock(&(s)->lock);                                 \
	for (;;) {                                                      \
		r_ = (expr);                                            \
		e_ = errno;                                             \
		run(s);                                                 \
		if (r_ >= 0 || e_ != EAGAIN || !may_block(s, fd) ||     \
				wait_pass(s) != 0)                      \
			break;                                          \
	}                                                               \
	pthread_mutex_unlock(&(s)->lock);                               \
	errno = e_;                                                     \
	return r_;                                                      \
} while (0)

/* A call that does not block. */
#define PLAIN_CALL(s, type, expr) do {                                  \
	type r_;                                                        \
	int e_;                                                         \
	pthread_mutex_lock(&(s)->lock);                                 \
	r_ = (expr);                                                    \
	e_ = errno;                                                     \
	run(s);                                                         \
	pthread_mutex_unlock(&(s)->lock);                               \
	errno = e_;                                                     \
	return r_;                                                      \
} while (0)

/* ---- the socket calls ---------------------------------------------------- */

static int
shim_socket(void *ud, int domain, int type, int protocol)
{
	struct shim *s = ud;
	int fd;

	pthread_mutex_lock(&s->lock);
	fd = ptcp_sock_socket(s->t, domain, type, protocol);
	if (fd >= 0 && fd < MAX_FDS)
		s->blocking[fd] = (type & SOCK_NONBLOCK) == 0;
	fd = from_ptcp(s, fd);
	pthread_mutex_unlock(&s->lock);
	return fd;
}

static int
shim_bind(void *ud, int fd, const struct sockaddr *a, socklen_t l)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, ptcp_sock_bind(s->t, to_ptcp(s, fd), a, l));
}

static int
shim_listen(void *ud, int fd, int backlog)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, ptcp_sock_listen(s->t, to_ptcp(s, fd), backlog));
}

static int
accept_one(struct shim *s, int fd, struct sockaddr *a, socklen_t *l)
{
	int nfd = ptcp_sock_accept(s->t, to_ptcp(s, fd), a, l);

	if (nfd >= 0 && nfd < MAX_FDS)
		s->blocking[nfd] = true;
	return from_ptcp(s, nfd);
}

static int
shim_accept(void *ud, int fd, struct sockaddr *a, socklen_t *l)
{
	struct shim *s = ud;

	BLOCKING_CALL(s, fd, int, accept_one(s, fd, a, l));
}

static int
shim_connect(void *ud, int fd, const struct sockaddr *a, socklen_t l)
{
	struct shim *s = ud;
	int r, e;

	pthread_mutex_lock(&s->lock);
	r = ptcp_sock_connect(s->t, to_ptcp(s, fd), a, l);
	e = errno;
	run(s);
	/* A blocking connect() waits for the handshake's end. */
	while (r < 0 && (e == EINPROGRESS || e == EALREADY) &&
			may_block(s, fd) && wait_pass(s) == 0) {
		r = ptcp_sock_connect(s->t, to_ptcp(s, fd), a, l);
		e = errno;
		if (r < 0 && e == EISCONN) {
			r = 0;
			e = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	errno = e;
	return r;
}

static ssize_t
shim_read(void *ud, int fd, void *buf, size_t n)
{
	struct shim *s = ud;

	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_read(s->t, to_ptcp(s, fd), buf,
		n));
}

static ssize_t
shim_readv(void *ud, int fd, const struct iovec *iov, int cnt)
{
	struct shim *s = ud;

	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_readv(s->t, to_ptcp(s, fd), iov,
		cnt));
}

static int
recv_flags(int flags)
{
	return flags & ~MSG_DONTWAIT;
}

static ssize_t
shim_recv(void *ud, int fd, void *buf, size_t n, int flags)
{
	struct shim *s = ud;

	if (flags & MSG_DONTWAIT)
		PLAIN_CALL(s, ssize_t, ptcp_sock_recv(s->t, to_ptcp(s, fd), buf,
			n, recv_flags(flags)));
	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_recv(s->t, to_ptcp(s, fd), buf,
		n, flags));
}

static ssize_t
shim_recvfrom(void *ud, int fd, void *buf, size_t n, int flags,
		struct sockaddr *a, socklen_t *l)
{
	(void)a;
	if (l != NULL)
		*l = 0;
	return shim_recv(ud, fd, buf, n, flags);
}

static ssize_t
shim_recvmsg(void *ud, int fd, struct msghdr *msg, int flags)
{
	struct shim *s = ud;

	if (flags & ~MSG_DONTWAIT) {
		errno = EINVAL;
		return -1;
	}
	msg->msg_namelen = 0;
	msg->msg_controllen = 0;
	msg->msg_flags = 0;
	if (flags & MSG_DONTWAIT)
		PLAIN_CALL(s, ssize_t, ptcp_sock_readv(s->t, to_ptcp(s, fd),
			msg->msg_iov, (int)msg->msg_iovlen));
	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_readv(s->t, to_ptcp(s, fd),
		msg->msg_iov, (int)msg->msg_iovlen));
}

static ssize_t
shim_write(void *ud, int fd, const void *buf, size_t n)
{
	struct shim *s = ud;

	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_write(s->t, to_ptcp(s, fd), buf,
		n));
}

static ssize_t
shim_writev(void *ud, int fd, const struct iovec *iov, int cnt)
{
	struct shim *s = ud;

	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_writev(s->t, to_ptcp(s, fd),
		iov, cnt));
}

static ssize_t
shim_send(void *ud, int fd, const void *buf, size_t n, int flags)
{
	struct shim *s = ud;

	if (flags & MSG_DONTWAIT)
		PLAIN_CALL(s, ssize_t, ptcp_sock_send(s->t, to_ptcp(s, fd), buf,
			n, flags));
	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_send(s->t, to_ptcp(s, fd), buf,
		n, flags));
}

static ssize_t
shim_sendto(void *ud, int fd, const void *buf, size_t n, int flags,
		const struct sockaddr *a, socklen_t l)
{
	if (a != NULL || l != 0) {
		errno = EISCONN;
		return -1;
	}
	return shim_send(ud, fd, buf, n, flags);
}

static ssize_t
shim_sendmsg(void *ud, int fd, const struct msghdr *msg, int flags)
{
	struct shim *s = ud;

	if (msg->msg_name != NULL || msg->msg_controllen != 0 ||
			(flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))) {
		errno = EOPNOTSUPP;
		return -1;
	}
	BLOCKING_CALL(s, fd, ssize_t, ptcp_sock_writev(s->t, to_ptcp(s, fd),
		msg->msg_iov, (int)msg->msg_iovlen));
}

static int
shim_fcntl(void *ud, int fd, int cmd, ...)
{
	struct shim *s = ud;
	int p = to_ptcp(s, fd), arg = 0, r;
	va_list ap;

	va_start(ap, cmd);
	if (cmd == F_SETFL || cmd == F_SETFD)
		arg = va_arg(ap, int);
	va_end(ap);
	pthread_mutex_lock(&s->lock);
	r = ptcp_sock_fcntl(s->t, p, cmd, arg);
	if (r >= 0 && p < MAX_FDS) {
		/* ptcp is always non-blocking; the shim blocks for it */
		if (cmd == F_SETFL)
			s->blocking[p] = (arg & O_NONBLOCK) == 0;
		else if (cmd == F_GETFL && s->blocking[p])
			r &= ~O_NONBLOCK;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int
shim_ioctl(void *ud, int fd, unsigned long req, ...)
{
	(void)ud;
	(void)fd;
	(void)req;
	errno = ENOTTY;
	return -1;
}

/* ptcp's close, then the placeholder's (below: it stays a real fd until
 * ptcp's is gone). Locked. */
static int
close_both(struct shim *s, int fd)
{
	int r = ptcp_sock_close(s->t, to_ptcp(s, fd));

	if (r == 0) {
		s->ptcp_of[fd] = 0;
		close(fd);
	}
	return r;
}

static int
shim_close(void *ud, int fd)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, close_both(s, fd));
}

static int
shim_shutdown(void *ud, int fd, int how)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, ptcp_sock_shutdown(s->t, to_ptcp(s, fd), how));
}

static int
shim_getsockopt(void *ud, int fd, int level, int name, void *val,
		socklen_t *len)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, ptcp_sock_getsockopt(s->t, to_ptcp(s, fd), level,
		name, val, len));
}

static int
shim_setsockopt(void *ud, int fd, int level, int name, const void *val,
		socklen_t len)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, ptcp_sock_setsockopt(s->t, to_ptcp(s, fd), level,
		name, val, len));
}

static int
shim_epoll_create(void *ud, int size)
{
	struct shim *s = ud;

	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	PLAIN_CALL(s, int, from_ptcp(s, ptcp_epoll_create1(s->t, 0)));
}

static int
shim_epoll_ctl(void *ud, int epfd, int op, int fd, struct epoll_event *ev)
{
	struct shim *s = ud;

	PLAIN_CALL(s, int, ptcp_epoll_ctl(s->t, to_ptcp(s, epfd), op,
		to_ptcp(s, fd), ev));
}

static int
shim_epoll_wait(void *ud, int epfd, struct epoll_event *ev, int maxevents,
		int timeout)
{
	struct shim *s = ud;
	int r, e;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		r = ptcp_epoll_wait(s->t, to_ptcp(s, epfd), ev, maxevents, 0);
		e = errno;
		if (r != 0 || timeout == 0 ||
				pthread_equal(pthread_self(), s->main_thread) ||
				wait_pass(s) != 0)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	errno = e;
	return r;
}

static int
shim_poll(void *ud, struct pollfd *fds, nfds_t n, int timeout)
{
	(void)ud;
	(void)fds;
	(void)n;
	(void)timeout;
	errno = ENOSYS;
	return -1;
}

static int
shim_pipe(void *ud, int fds[2])
{
	(void)ud;
	(void)fds;
	errno = ENOSYS;
	return -1;
}

static int
shim_splice(void *ud, int in, loff_t *off_in, int out, loff_t *off_out,
		size_t n, unsigned int flags)
{
	(void)ud;
	(void)in;
	(void)off_in;
	(void)out;
	(void)off_out;
	(void)n;
	(void)flags;
	errno = ENOSYS;
	return -1;
}

/* ---- set-up ------------------------------------------------------------- */

/*
 * The end of a script that passed (packetdrill does not call this after a
 * failure): every socket goes (aborted: a RST where a connection is
 * left), a pass sends what that made, every connection and TIME-WAIT
 * entry goes, then every mbuf must be back in its pool, ptcp's and the shim's (what
 * packetdrill injected and ptcp held: out-of-order and unread data). A
 * leak fails the script with one line.
 */
static void
shim_free(void *ud)
{
	struct shim *s = ud;
	struct rte_mbuf *m;
	int leak, held;

	pthread_mutex_lock(&s->lock);
	ptcp_sock_table_destroy(s->t);
	run(s);                 /* sends what closing them made (RSTs) */
	ptcp_tcp_detach(s->e);
	take_tx(s);
	while (rte_ring_dequeue(s->rx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	leak = (int)ptcp_engine_mbufs_in_use(s->e) - (int)s->baseline_in_use;
	held = (int)rte_mempool_in_use_count(s->pool);
	if (leak != 0 || held != 0)
		shim_die("mbufs not back in their pool at the end of the "
			"script: ptcp's %d, the shim's %d\n", leak, held);
	ptcp_engine_destroy(s->e);
	while (s->out_len > 0) {
		free(s->out[s->out_head].data);
		s->out_head = (s->out_head + 1) % OUT_MAX;
		s->out_len--;
	}
	pthread_mutex_unlock(&s->lock);
}

/* One "section.key=value" in @sets, copied to @store. */
static void
add_set(const char **sets, unsigned int *n, char *store, size_t size,
		const char *key, const char *v)
{
	if (*n == MAX_SETS)
		shim_die("more than %u settings in --so_flags\n", MAX_SETS);
	snprintf(store, size, "%s%s", key, v);
	sets[(*n)++] = store;
}

/* A non-negative integer flag value, or stop. */
static unsigned long
flag_num(const char *name, const char *v, unsigned long max)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x > max)
		shim_die("--so_flags: %s=%s: want an integer 0..%lu\n", name, v,
			max);
	return x;
}

/*
 * Flags: words separated by spaces or commas.
 *   local_ip=A.B.C.D   ptcp's address (packetdrill's --local_ip)
 *   gateway=A.B.C.D    the next hop (default: .254 of local_ip's /24, or
 *                      .253 when local_ip is .254)
 *   wait_s=N           virtual seconds netdev_receive waits (default 300)
 *   block_ms=N         real ms a blocking call sleeps per wait (2000)
 *   verbose            say what ptcp is configured with
 *   SECTION.KEY=VALUE  any ptcp setting (docs/configuration.md),
 *                      e.g. tcp.delack_ms=0 tcp.rto_min_ms=1000
 */
static void
configure(struct shim *s, const char *flags, struct ptcp_config *cfg,
		const char *dev)
{
	char (*store)[128] = s->sets;
	const char *sets[MAX_SETS];
	char local[32] = "192.168.0.1", gw[32] = "";
	char err[PTCP_CONFIG_ERRLEN];
	char *copy = strdup(flags != NULL ? flags : ""), *tok, *save = NULL;
	unsigned int n = 0, user = 0, i;
	const char *user_sets[MAX_SETS];
	struct in_addr ia;

	if (copy == NULL)
		shim_die("out of memory\n");
	s->wait_us = 300ull * 1000000;
	s->block_ms = 2000;
	for (tok = strtok_r(copy, " ,\t", &save); tok != NULL;
			tok = strtok_r(NULL, " ,\t", &save)) {
		char *eq = strchr(tok, '=');

		if (strcmp(tok, "verbose") == 0) {
			s->verbose = true;
		} else if (eq == NULL) {
			shim_die("--so_flags: '%s': want NAME=VALUE\n", tok);
		} else if (strncmp(tok, "local_ip=", 9) == 0) {
			snprintf(local, sizeof(local), "%s", eq + 1);
		} else if (strncmp(tok, "gateway=", 8) == 0) {
			snprintf(gw, sizeof(gw), "%s", eq + 1);
		} else if (strncmp(tok, "wait_s=", 7) == 0) {
			s->wait_us = flag_num("wait_s", eq + 1, 86400) * 1000000;
		} else if (strncmp(tok, "block_ms=", 9) == 0) {
			s->block_ms = (unsigned int)flag_num("block_ms", eq + 1,
				600000);
		} else if (memchr(tok, '.', (size_t)(eq - tok)) != NULL) {
			if (user == MAX_SETS)
				shim_die("too many settings in --so_flags\n");
			user_sets[user++] = tok;
		} else {
			shim_die("--so_flags: unknown flag '%s'\n", tok);
		}
	}
	if (inet_pton(AF_INET, local, &ia) != 1)
		shim_die("--so_flags: local_ip=%s: not an IPv4 address\n",
			local);
	if (gw[0] == '\0') {
		uint32_t h = rte_be_to_cpu_32(ia.s_addr);
		struct in_addr g;

		g.s_addr = rte_cpu_to_be_32((h & 0xffffff00u) |
			((h & 0xff) == 254 ? 253u : 254u));
		inet_ntop(AF_INET, &g, gw, sizeof(gw));
	}
	add_set(sets, &n, store[n], sizeof(store[0]), "port0.device=", dev);
	strncat(local, "/24", sizeof(local) - strlen(local) - 1);
	add_set(sets, &n, store[n], sizeof(store[0]), "port0.address=",
		local);
	add_set(sets, &n, store[n], sizeof(store[0]), "port0.gateway=", gw);
	add_set(sets, &n, store[n], sizeof(store[0]), "arp.gratuitous=",
		"no");
	add_set(sets, &n, store[n], sizeof(store[0]), "tcp.tso=", "no");
	add_set(sets, &n, store[n], sizeof(store[0]), "mempool.mbufs=",
		"2047");
	add_set(sets, &n, store[n], sizeof(store[0]), "mempool.cache=",
		"64");
	add_set(sets, &n, store[n], sizeof(store[0]), "tcp.max_conns=",
		"1024");
	add_set(sets, &n, store[n], sizeof(store[0]), "tcp.max_tw=",
		"1024");
	for (i = 0; i < user; i++)      /* the script's own win */
		add_set(sets, &n, store[n], sizeof(store[0]), "",
			user_sets[i]);
	if (s->verbose)
		for (i = 0; i < n; i++)
			fprintf(stderr, "ptcp packetdrill shim: %s\n", sets[i]);
	if (ptcp_config_load(cfg, NULL, sets, n, err, sizeof(err)) != 0)
		shim_die("--so_flags: %s\n", err);
	free(copy);
}

static void
optind_reset(void)
{
	void *prog = dlopen(NULL, RTLD_NOW);
	int *oi = prog != NULL ? dlsym(prog, "optind") : NULL;

	if (oi != NULL)
		*oi = 0;
	optind = 0;
}

void
ptcp_packetdrill_init(const char *flags, struct pd_ifc *ifc)
{
	static const char *const eal[] = {
		"packetdrill", "--no-huge", "-m", "48", "--no-shconf",
		"--no-pci", "-l", "0", "--log-level=warning", "--no-telemetry",
	};
	struct shim *s = calloc(1, sizeof(*s));
	struct ptcp_config cfg;
	char err[512], dev[RTE_ETH_NAME_MAX_LEN];
	cpu_set_t cpus;
	int port;

	if (s == NULL)
		shim_die("out of memory\n");
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->moved, NULL);
	pthread_cond_init(&s->looked, NULL);
	s->main_thread = pthread_self();
	/* packetdrill has run getopt() over its own arguments: 0 makes
	 * getopt() start afresh for the EAL's (loader.c says why the
	 * program's own copy is named). */
	optind_reset();
	/* The EAL pins this thread to lcore 0: give packetdrill its CPUs
	 * back, so that scripts run side by side use them all. */
	if (pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus) != 0)
		shim_die("pthread_getaffinity_np failed\n");
	if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0)
		shim_die("EAL init: %s\n", rte_strerror(rte_errno));
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	s->rx = rte_ring_create("pd_rx", 4096, 0, RING_F_SP_ENQ |
		RING_F_SC_DEQ);
	s->tx = rte_ring_create("pd_tx", 4096, 0, RING_F_SP_ENQ |
		RING_F_SC_DEQ);
	s->pool = rte_pktmbuf_pool_create("pd_pool", 1023, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (s->rx == NULL || s->tx == NULL || s->pool == NULL)
		shim_die("rings and pool: %s\n", rte_strerror(rte_errno));
	port = rte_eth_from_rings("net_ring_pd", &s->rx, 1, &s->tx, 1,
		rte_socket_id());
	if (port < 0)
		shim_die("net_ring port: %s\n", rte_strerror(rte_errno));
	s->port = (uint16_t)port;
	rte_eth_dev_get_name_by_port(s->port, dev);
	configure(s, flags, &cfg, dev);
	s->e = ptcp_engine_create(&cfg, err, sizeof(err));
	if (s->e == NULL)
		shim_die("engine: %s\n", err);
	s->baseline_in_use = ptcp_engine_mbufs_in_use(s->e);
	if (ptcp_tcp_attach(s->e, err, sizeof(err)) != 0 ||
			ptcp_engine_start(s->e, err, sizeof(err)) != 0)
		shim_die("engine: %s\n", err);
	s->lc = ptcp_engine_lcore(s->e);
	s->t = ptcp_sock_table_create(s->lc, MAX_FDS);
	if (s->lc == NULL || s->t == NULL)
		shim_die("socket table: %s\n", rte_strerror(rte_errno));
	s->mac = s->e->ports[0].mac;
	s->peer_mac = (struct rte_ether_addr){
		{ 0x02, 0x00, 0x00, 0x00, 0xd1, 0x11 } };
	run(s);

	memset(ifc, 0, sizeof(*ifc));
	ifc->userdata = s;
	ifc->free = shim_free;
	ifc->socket = shim_socket;
	ifc->bind = shim_bind;
	ifc->listen = shim_listen;
	ifc->accept = shim_accept;
	ifc->connect = shim_connect;
	ifc->read = shim_read;
	ifc->readv = shim_readv;
	ifc->recv = shim_recv;
	ifc->recvfrom = shim_recvfrom;
	ifc->recvmsg = shim_recvmsg;
	ifc->write = shim_write;
	ifc->writev = shim_writev;
	ifc->send = shim_send;
	ifc->sendto = shim_sendto;
	ifc->sendmsg = shim_sendmsg;
	ifc->fcntl = shim_fcntl;
	ifc->ioctl = shim_ioctl;
	ifc->close = shim_close;
	ifc->shutdown = shim_shutdown;
	ifc->getsockopt = shim_getsockopt;
	ifc->setsockopt = shim_setsockopt;
	ifc->poll = shim_poll;
	ifc->netdev_send = netdev_send;
	ifc->netdev_receive = netdev_receive;
	ifc->usleep = shim_usleep;
	ifc->gettimeofday = shim_gettimeofday;
	ifc->epoll_create = shim_epoll_create;
	ifc->epoll_ctl = shim_epoll_ctl;
	ifc->epoll_wait = shim_epoll_wait;
	ifc->pipe = shim_pipe;
	ifc->splice = shim_splice;
}
