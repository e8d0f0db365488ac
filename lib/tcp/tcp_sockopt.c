/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-connection options and a copy of the RFC 9293 variables, for
 * applications that tune one connection (lib/sock's setsockopt and
 * getsockopt(TCP_INFO)). Three small calls on a TCB; nothing here runs on
 * the input path.
 */
#include <errno.h>
#include <string.h>

#include "tcp_priv.h"

void
ptcp_conn_info_get(const struct ptcp_conn *tp, struct ptcp_tcp_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->state = tp->state;
	ti->retransmits = tp->rexmt_shift;
	ti->keep_probes = keep_probes(tp);
	if (tp->flags & TF_TS)
		ti->options |= PTCP_TCPI_OPT_TIMESTAMPS;
	if (tp->flags & TF_SACK_OK)
		ti->options |= PTCP_TCPI_OPT_SACK;
	if (tp->flags & TF_WS) {
		ti->options |= PTCP_TCPI_OPT_WSCALE;
		ti->snd_wscale = tp->snd_wscale;
		ti->rcv_wscale = tp->rcv_wscale;
	}
	ti->mss = tp->t_maxseg;
	ti->snd_una = tp->snd_una;
	ti->snd_nxt = tp->snd_nxt;
	ti->snd_max = tp->snd_max;
	ti->snd_wnd = tp->snd_wnd;
	ti->snd_wl1 = tp->snd_wl1;
	ti->snd_wl2 = tp->snd_wl2;
	ti->iss = tp->iss;
	ti->rcv_nxt = tp->rcv_nxt;
	ti->rcv_wnd = PTCP_TCPS_HAVE_ESTABLISHED(tp->state) ||
		tp->state == PTCP_TCPS_SYN_RECEIVED ? tcp_rcv_wnd(tp) : 0;
	ti->rcv_space = tcp_rcv_space(tp);
	ti->irs = tp->irs;
	ti->srtt_ms = tp->srtt_ms8 >> 3;
	ti->rttvar_ms = tp->rttvar_ms4 >> 2;
	ti->rto_ms = tcp_rexmt_ms(tp);
	ti->cwnd = tp->cc.cwnd;
	ti->ssthresh = tp->cc.ssthresh;
	ti->snd_queued = tp->sndq_len;
	ti->rcv_held = tp->rcv_held;
}

int
ptcp_conn_set_keepalive(struct ptcp_conn *tp, bool on, uint32_t idle_s,
		uint32_t intvl_s, uint32_t cnt)
{
	TCP_ASSERT_OWNER(tp);
	/* The TCB keeps them in 16 and 8 bits. */
	if (idle_s > UINT16_MAX || intvl_s > UINT16_MAX || cnt > UINT8_MAX)
		return -EINVAL;
	if (idle_s != 0)
		tp->keep_idle_s = (uint16_t)idle_s;
	if (intvl_s != 0)
		tp->keep_intvl_s = (uint16_t)intvl_s;
	if (cnt != 0)
		tp->keep_cnt = (uint8_t)cnt;
	if (!on) {
		/* A pending keepalive expiry sees the flag gone and stops. */
		tp->flags &= ~TF_KEEPALIVE;
		return 0;
	}
	tp->flags |= TF_KEEPALIVE;
	if (tp->keep_idle_s == 0 || tp->keep_intvl_s == 0 || tp->keep_cnt == 0) {
		const struct ptcp_tcp_config *cfg = tcp_lc(tp->lc)->cfg;

		if (tp->keep_idle_s == 0)
			tp->keep_idle_s = (uint16_t)cfg->keepalive_idle_s;
		if (tp->keep_intvl_s == 0)
			tp->keep_intvl_s = (uint16_t)cfg->keepalive_intvl_s;
		if (tp->keep_cnt == 0)
			tp->keep_cnt = (uint8_t)cfg->keepalive_cnt;
	}
	/* (Re)start the idle time; a delayed ACK due first comes back to
	 * tcp_keep_arm_for_state() when it fires. */
	if (tp->state == PTCP_TCPS_ESTABLISHED && !(tp->flags & TF_DELACK))
		tcp_keep_arm_for_state(tp);
	return 0;
}

int
ptcp_conn_set_maxseg(struct ptcp_conn *tp, uint16_t mss)
{
	TCP_ASSERT_OWNER(tp);
	if (mss < 64)
		return -EINVAL;
	if (!PTCP_TCPS_HAVE_ESTABLISHED(tp->state))
		return -ENOTCONN;       /* the handshake sets t_maxseg */
	if (mss < tp->t_maxseg)
		tp->t_maxseg = mss;
	return 0;
}
