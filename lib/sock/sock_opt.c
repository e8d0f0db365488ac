/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket options ptcp can honour, fcntl, and the socket's names. Options
 * set before a connection exists are applied when it does
 * (sock_opts_apply()); a listener's pass to what it accepts.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <rte_byteorder.h>

#include "sock_priv.h"

#define SOCK_BUF_MIN 2048u      /* smallest SO_RCVBUF / SO_SNDBUF */
#define SOCK_MSS_MIN 88         /* TCP_MAXSEG range, as Linux */
#define SOCK_MSS_MAX 32767

void
sock_rcvbuf_apply(struct sock *s)
{
	uint32_t cfg = s->t->tcfg->rcv_buf;
	uint32_t want = s->opt.rcvbuf < cfg ? cfg - s->opt.rcvbuf : 0;

	if (s->c == NULL) {
		s->rcv_extra = 0;
		return;
	}
	/* The window is rcv_buf less what is held: hold the difference. */
	if (want > s->rcv_extra)
		ptcp_recv_hold(s->c, want - s->rcv_extra);
	else if (want < s->rcv_extra)
		ptcp_recv_release(s->c, s->rcv_extra - want);
	s->rcv_extra = want;
}

void
sock_opts_apply(struct sock *s)
{
	if (s->c == NULL)
		return;
	ptcp_conn_set_nagle(s->c, !(s->flags & SKF_NODELAY));
	(void)ptcp_conn_set_keepalive(s->c, (s->flags & SKF_KEEPALIVE) != 0,
		s->opt.keep_idle_s, s->opt.keep_intvl_s, s->opt.keep_cnt);
	if (s->opt.maxseg != 0 && s->state == SS_CONNECTED)
		(void)ptcp_conn_set_maxseg(s->c, s->opt.maxseg);
}

/* Copy @n bytes of @v out as getsockopt does: truncated to *len. */
static int
opt_put(void *val, socklen_t *len, const void *v, size_t n)
{
	if ((int)*len < 0)
		return sock_fail(EINVAL);
	if ((size_t)*len > n)
		*len = (socklen_t)n;
	memcpy(val, v, *len);
	return 0;
}

static int
opt_int(void *val, socklen_t *len, int v)
{
	return opt_put(val, len, &v, sizeof(v));
}

int
ptcp_sock_getsockopt(struct ptcp_sock_table *t, int fd, int level, int name,
		void *val, socklen_t *len)
{
	struct sock *s = sock_get_tcp(t, fd);
	const struct ptcp_tcp_config *cfg = t->tcfg;
	struct ptcp_tcp_info ti;
	struct linger lg;
	int e;

	if (s == NULL)
		return -1;
	if (val == NULL || len == NULL)
		return sock_fail(EFAULT);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR:
			e = s->err;
			s->err = 0;
			return opt_int(val, len, e);
		case SO_TYPE:
			return opt_int(val, len, SOCK_STREAM);
		case SO_ACCEPTCONN:
			return opt_int(val, len, s->state == SS_LISTEN);
		case SO_REUSEADDR:
			return opt_int(val, len, !!(s->flags & SKF_REUSEADDR));
		case SO_KEEPALIVE:
			return opt_int(val, len, !!(s->flags & SKF_KEEPALIVE));
		case SO_LINGER:
			lg.l_onoff = !!(s->flags & SKF_LINGER);
			lg.l_linger = s->opt.linger_s;
			return opt_put(val, len, &lg, sizeof(lg));
		case SO_RCVBUF:
			return opt_int(val, len, (int)s->opt.rcvbuf);
		case SO_SNDBUF:
			return opt_int(val, len, (int)s->opt.sndbuf);
		default:
			return sock_fail(ENOPROTOOPT);
		}
	}
	if (level != IPPROTO_TCP)
		return sock_fail(ENOPROTOOPT);
	switch (name) {
	case TCP_NODELAY:
		return opt_int(val, len, !!(s->flags & SKF_NODELAY));
	case TCP_MAXSEG:
		if (s->c != NULL && s->state == SS_CONNECTED) {
			ptcp_conn_info_get(s->c, &ti);
			return opt_int(val, len, ti.mss);
		}
		return opt_int(val, len, s->opt.maxseg != 0 ? s->opt.maxseg : cfg->mss);
	case TCP_KEEPIDLE:
		return opt_int(val, len, s->opt.keep_idle_s != 0 ?
			s->opt.keep_idle_s : (int)cfg->keepalive_idle_s);
	case TCP_KEEPINTVL:
		return opt_int(val, len, s->opt.keep_intvl_s != 0 ?
			s->opt.keep_intvl_s : (int)cfg->keepalive_intvl_s);
	case TCP_KEEPCNT:
		return opt_int(val, len, s->opt.keep_cnt != 0 ?
			s->opt.keep_cnt : (int)cfg->keepalive_cnt);
	case TCP_INFO:
		if (s->c != NULL)
			ptcp_conn_info_get(s->c, &ti);
		else
			memset(&ti, 0, sizeof(ti));     /* state CLOSED */
		if (s->state == SS_LISTEN)
			ti.state = PTCP_TCPS_LISTEN;
		return opt_put(val, len, &ti, sizeof(ti));
	default:
		return sock_fail(ENOPROTOOPT);
	}
}

/* The int value of a setsockopt, or -1 with errno. */
static int
opt_get_int(const void *val, socklen_t len, int *v)
{
	if (val == NULL)
		return sock_fail(EFAULT);
	if (len < (socklen_t)sizeof(int))
		return sock_fail(EINVAL);
	memcpy(v, val, sizeof(*v));
	return 0;
}

static int
set_flag(struct sock *s, uint16_t flag, int on)
{
	if (on)
		s->flags |= flag;
	else
		s->flags &= (uint16_t)~flag;
	return 0;
}

static int
set_sol_socket(struct sock *s, int name, const void *val, socklen_t len)
{
	struct linger lg;
	int v;

	if (name == SO_LINGER) {
		if (val == NULL)
			return sock_fail(EFAULT);
		if (len < (socklen_t)sizeof(lg))
			return sock_fail(EINVAL);
		memcpy(&lg, val, sizeof(lg));
		s->opt.linger_s = lg.l_linger < 0 ? 0 : lg.l_linger;
		return set_flag(s, SKF_LINGER, lg.l_onoff);
	}
	if (opt_get_int(val, len, &v) != 0)
		return -1;
	switch (name) {
	case SO_REUSEADDR:
		return set_flag(s, SKF_REUSEADDR, v);
	case SO_KEEPALIVE:
		set_flag(s, SKF_KEEPALIVE, v);
		sock_opts_apply(s);
		return 0;
	case SO_RCVBUF:
		s->opt.rcvbuf = RTE_MIN(RTE_MAX((uint32_t)RTE_MAX(v, 0),
			SOCK_BUF_MIN), s->t->tcfg->rcv_buf);
		sock_rcvbuf_apply(s);
		return 0;
	case SO_SNDBUF:
		s->opt.sndbuf = RTE_MIN(RTE_MAX((uint32_t)RTE_MAX(v, 0),
			SOCK_BUF_MIN), s->t->tcfg->snd_buf);
		sock_event(s);          /* room may have grown */
		return 0;
	default:
		return sock_fail(ENOPROTOOPT);
	}
}

static int
set_ipproto_tcp(struct sock *s, int name, const void *val, socklen_t len)
{
	int v;

	if (opt_get_int(val, len, &v) != 0)
		return -1;
	switch (name) {
	case TCP_NODELAY:
		set_flag(s, SKF_NODELAY, v);
		break;
	case TCP_MAXSEG:
		if (v < SOCK_MSS_MIN || v > SOCK_MSS_MAX)
			return sock_fail(EINVAL);
		s->opt.maxseg = (uint16_t)v;
		break;
	case TCP_KEEPIDLE:
		if (v < 1 || v > UINT16_MAX)
			return sock_fail(EINVAL);
		s->opt.keep_idle_s = (uint16_t)v;
		break;
	case TCP_KEEPINTVL:
		if (v < 1 || v > UINT16_MAX)
			return sock_fail(EINVAL);
		s->opt.keep_intvl_s = (uint16_t)v;
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > UINT8_MAX)
			return sock_fail(EINVAL);
		s->opt.keep_cnt = (uint8_t)v;
		break;
	default:
		return sock_fail(ENOPROTOOPT);
	}
	sock_opts_apply(s);
	return 0;
}

int
ptcp_sock_setsockopt(struct ptcp_sock_table *t, int fd, int level, int name,
		const void *val, socklen_t len)
{
	struct sock *s = sock_get_tcp(t, fd);

	if (s == NULL)
		return -1;
	if (level == SOL_SOCKET)
		return set_sol_socket(s, name, val, len);
	if (level == IPPROTO_TCP)
		return set_ipproto_tcp(s, name, val, len);
	return sock_fail(ENOPROTOOPT);
}

int
ptcp_sock_fcntl(struct ptcp_sock_table *t, int fd, int cmd, int arg)
{
	(void)arg;
	if (sock_get(t, fd) == NULL)
		return -1;
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | O_NONBLOCK;
	case F_SETFL:
	case F_SETFD:
	case F_GETFD:
		return 0;
	default:
		return sock_fail(EINVAL);
	}
}

static int
name_put(struct sockaddr *addr, socklen_t *len, uint32_t a, uint16_t port)
{
	struct sockaddr_in sin;

	if (addr == NULL || len == NULL)
		return sock_fail(EFAULT);
	if ((int)*len < 0)
		return sock_fail(EINVAL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = a;
	sin.sin_port = rte_cpu_to_be_16(port);
	memcpy(addr, &sin, RTE_MIN((size_t)*len, sizeof(sin)));
	*len = sizeof(sin);
	return 0;
}

int
ptcp_sock_getsockname(struct ptcp_sock_table *t, int fd,
		struct sockaddr *addr, socklen_t *len)
{
	struct sock *s = sock_get_tcp(t, fd);

	if (s == NULL)
		return -1;
	return name_put(addr, len, s->laddr, s->lport);
}

int
ptcp_sock_getpeername(struct ptcp_sock_table *t, int fd,
		struct sockaddr *addr, socklen_t *len)
{
	struct sock *s = sock_get_tcp(t, fd);

	if (s == NULL)
		return -1;
	if (s->state != SS_CONNECTED && !(s->state == SS_ENDED &&
			(s->flags & SKF_WAS_CONN)))
		return sock_fail(ENOTCONN);
	return name_put(addr, len, s->raddr, s->rport);
}
