/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_NET_H
#define PTCP_NET_H

/**
 * @file
 * Ethernet, ARP, IPv4 and ICMP: validation, parsing and building of frames,
 * and the ARP cache. Nothing here does I/O or touches an lcore: callers
 * (lib/core) hand in mbufs, addresses and a counter block, and get back a
 * verdict. Drops are counted in the caller's struct ptcp_stats by reason;
 * the mbuf of a dropped frame stays the caller's to free.
 *
 * Addresses are uint32_t in network byte order throughout.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ptcp_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Ethernet                                                            */
/* ------------------------------------------------------------------ */

/** What an Ethernet frame carries, once classified. */
enum ptcp_l2_class {
	PTCP_L2_DROP = 0,   /**< drop it (counted) */
	PTCP_L2_ARP,        /**< ARP; m->l2_len set */
	PTCP_L2_IPV4,       /**< IPv4; m->l2_len set */
};

/**
 * Classify an Ethernet II frame.
 *
 * Accepts frames to @p our_mac, to broadcast, and (ARP only) to multicast.
 * An 802.1Q tag is stripped in software, as a NIC with VLAN_STRIP would:
 * the frame is then untagged, with the tag in m->vlan_tci and
 * RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED in m->ol_flags (the
 * caller maps its VLAN ID to an interface). QinQ, a second tag (or a tag
 * on a frame the NIC stripped already) and EtherTypes other than ARP and
 * IPv4 are dropped.
 *
 * @param m       the frame; its l2_len is set on success
 * @param our_mac the receiving port's address
 * @param st      counters for the drop reasons
 * @return the class; PTCP_L2_DROP with the reason counted
 */
enum ptcp_l2_class ptcp_eth_classify(struct rte_mbuf *m,
		const struct rte_ether_addr *our_mac, struct ptcp_stats *st);

/**
 * Prepend and fill an Ethernet header.
 *
 * @return the header, or NULL if @p m has no headroom
 */
struct rte_ether_hdr *ptcp_eth_prepend(struct rte_mbuf *m,
		const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
		uint16_t ether_type);

/* ------------------------------------------------------------------ */
/* IPv4                                                                */
/* ------------------------------------------------------------------ */

/** What ptcp_ipv4_input() checks the destination against. */
struct ptcp_ipv4_if {
	uint32_t addr;            /**< our (primary) address */
	uint32_t netmask;         /**< our netmask */
	const uint32_t *extra;    /**< more addresses of ours, or NULL */
	unsigned int nb_extra;    /**< entries of extra[] */
};

/** True if @p a (network order) is one of @p ifc's addresses. */
static inline bool
ptcp_ipv4_is_ours(const struct ptcp_ipv4_if *ifc, uint32_t a)
{
	unsigned int i;

	if (likely(a == ifc->addr))
		return true;
	for (i = 0; i < ifc->nb_extra; i++)
		if (ifc->extra[i] == a)
			return true;
	return false;
}

/** ptcp_ipv4_input()'s verdict for a malformed option list: this plus
 *  the offending octet's offset in the IPv4 header (5..59). */
#define PTCP_IPV4_PARAM_PROBLEM 0x100

/**
 * Validate the IPv4 header that follows the Ethernet header (m->l2_len).
 *
 * Checks, in order: the header is in the first segment, version 4,
 * IHL >= 5 and within the frame, total length >= IHL and within the frame
 * (Ethernet padding beyond it is trimmed off), header checksum (trusted
 * from the NIC when it flags it GOOD, dropped when BAD, computed otherwise),
 * not a fragment, the destination is one of our addresses, the source
 * is neither ours, broadcast, multicast nor zero, and the option list is
 * well formed (RFC 791 §3.1, RFC 1122 §3.2.1.8: each option's length
 * inside the header, Record Route's and Timestamp's pointers in range)
 * and holds no source route (dropped, RFC 7126). Options ptcp does not
 * act on are accepted.
 *
 * @param m   the frame; l3_len is set (on success and for a Parameter
 *            Problem) and, on success, trailing padding trimmed
 * @param ifc the receiving interface's address
 * @param st  counters for the drop reasons
 * @return 0 to accept, -1 to drop, #PTCP_IPV4_PARAM_PROBLEM + pointer to
 *         drop and answer with ICMP Parameter Problem (the reason counted
 *         in every drop)
 */
int ptcp_ipv4_input(struct rte_mbuf *m, const struct ptcp_ipv4_if *ifc,
		struct ptcp_stats *st);

/**
 * The Internet checksum's one's complement sum (RFC 1071) of @p len bytes
 * at @p buf, plus @p sum, folded to 16 bits: the value rte_raw_cksum()
 * gives for the same bytes (16-bit words in host order), 0 only when every
 * word is 0.
 *
 * Eight bytes an addition with end-around carry, where DPDK 22.11's
 * rte_raw_cksum() adds two bytes at a time: on a port without checksum
 * offload (net_ring, net_memif) the checksums were a quarter of the
 * instructions per connection (docs/benchmarks.md). The sum of 64-bit
 * words folds to the sum of their 16-bit words because 2^16 = 1 modulo
 * 0xffff; a tail shorter than 8 bytes is read into the low bytes of a
 * zeroed word, which keeps 16-bit word alignment (the tail starts at a
 * multiple of 8 from @p buf).
 */
static inline uint16_t
ptcp_cksum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum, v;

	for (; len >= 32; p += 32, len -= 32) {
		uint64_t a, b, c, d;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&c, p + 16, 8);
		memcpy(&d, p + 24, 8);
		s += a;
		s += s < a;
		s += b;
		s += s < b;
		s += c;
		s += s < c;
		s += d;
		s += s < d;
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&v, p, 8);
		s += v;
		s += s < v;
	}
	if (len != 0) {
		v = 0;
		memcpy(&v, p, len);
		s += v;
		s += s < v;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

/**
 * The unfolded sum of the IPv4 pseudo-header (RFC 9293 §3.1) of a
 * segment of @p l4len bytes of @p proto in @p ip: a start value for
 * ptcp_cksum() over the segment.
 */
static inline uint32_t
ptcp_ipv4_phdr_sum(const struct rte_ipv4_hdr *ip, uint8_t proto,
		uint32_t l4len)
{
	uint64_t s = (uint64_t)ip->src_addr + ip->dst_addr +
		rte_cpu_to_be_16((uint16_t)proto) +
		rte_cpu_to_be_16((uint16_t)l4len);

	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/**
 * The checksum to put in an IPv4 header without options (its own
 * hdr_checksum field must be 0): rte_ipv4_cksum()'s value.
 */
static inline uint16_t
ptcp_ipv4_hdr_cksum(const struct rte_ipv4_hdr *ip)
{
	uint16_t c = ptcp_cksum(ip, sizeof(*ip), 0);

	return c == 0xffff ? c : (uint16_t)~c;
}

/**
 * The TCP (or UDP) checksum to put in the header at @p l4 of the
 * datagram @p ip (no IP options; its checksum field must be 0), over
 * @p l4len contiguous bytes: rte_ipv4_udptcp_cksum()'s value.
 */
static inline uint16_t
ptcp_ipv4_l4_cksum(const struct rte_ipv4_hdr *ip, const void *l4,
		uint32_t l4len)
{
	uint16_t c = (uint16_t)~ptcp_cksum(l4, l4len,
		ptcp_ipv4_phdr_sum(ip, ip->next_proto_id, l4len));

	return c == 0 ? 0xffff : c;
}

/**
 * Fill an IPv4 header (no options) and its checksum.
 *
 * @param ip       the header to fill
 * @param src, dst addresses
 * @param proto    IPPROTO_*
 * @param payload_len bytes after the header
 * @param ttl      time to live
 * @param id       identification
 * @param hw_csum  leave hdr_checksum 0 for the NIC to fill
 */
void ptcp_ipv4_fill(struct rte_ipv4_hdr *ip, uint32_t src, uint32_t dst,
		uint8_t proto, uint16_t payload_len, uint8_t ttl, uint16_t id,
		bool hw_csum);

/** True if @p dst is on the link of @p ifc. */
static inline bool
ptcp_ipv4_on_link(const struct ptcp_ipv4_if *ifc, uint32_t dst)
{
	return ((dst ^ ifc->addr) & ifc->netmask) == 0;
}

/* ------------------------------------------------------------------ */
/* IPv6 (issue 17: validation only so far; the engine drops IPv6)     */
/* ------------------------------------------------------------------ */

/** What ptcp_ipv6_input() checks the destination against. */
struct ptcp_ipv6_if {
	const uint8_t (*addrs)[16];  /**< our unicast addresses (link-local
	                              *   included), network order */
	unsigned int nb_addrs;       /**< entries of addrs[] */
};

/** True if IPv6 address @p a is a multicast one (ff00::/8). */
static inline bool
ptcp_ipv6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

/** True if IPv6 address @p a is :: (unspecified). */
static inline bool
ptcp_ipv6_is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/**
 * True if @p a is one of @p ifc's addresses, ff02::1 (all nodes) or the
 * solicited-node group (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1) of one of them.
 */
bool ptcp_ipv6_is_ours(const struct ptcp_ipv6_if *ifc, const uint8_t *a);

/** ptcp_ipv6_input()'s verdict for an ICMPv6 Parameter Problem (RFC 4443
 *  §3.4) with @p code (0: erroneous header field, 1: unrecognized Next
 *  Header, 2: unrecognized option) pointing at octet @p ptr. */
#define PTCP_IPV6_PARAM_PROBLEM(code, ptr) \
	((int)(0x1000000u | ((uint32_t)(code) << 16) | (uint32_t)(ptr)))
/** The code of a PTCP_IPV6_PARAM_PROBLEM() verdict. */
#define PTCP_IPV6_PP_CODE(v) (((uint32_t)(v) >> 16) & 0xff)
/** The pointer of a PTCP_IPV6_PARAM_PROBLEM() verdict. */
#define PTCP_IPV6_PP_PTR(v) ((uint32_t)(v) & 0xffff)

/**
 * Validate the IPv6 datagram that follows the Ethernet header (m->l2_len),
 * RFC 8200: the fixed header in the first segment, version 6, a payload
 * length within the frame (not 0: no jumbograms; Ethernet padding is
 * trimmed off), a destination of ours, a source neither multicast nor
 * ours; then the extension headers, walked within the first segment, at
 * most 8: hop-by-hop (first only) and destination options with their
 * options' action bits (§4.2), a routing header ignored when no segments
 * are left and a Parameter Problem otherwise (type 0 included, RFC 5095),
 * fragments dropped (no reassembly) unless atomic (RFC 6946), No Next
 * Header dropped, any upper layer but TCP and ICMPv6 a Parameter Problem
 * (code 1).
 *
 * @param m     the frame; on success l3_len is the fixed header plus the
 *              extension headers
 * @param ifc   the receiving interface's addresses
 * @param st    counters for the drop reasons
 * @param proto on success, IPPROTO_TCP or IPPROTO_ICMPV6
 * @return 0 to accept, -1 to drop, or PTCP_IPV6_PARAM_PROBLEM() to drop
 *         and answer (the caller applies RFC 4443 §2.4: not about a
 *         multicast destination unless code 2, rate-limited), each drop's
 *         reason counted
 */
int ptcp_ipv6_input(struct rte_mbuf *m, const struct ptcp_ipv6_if *ifc,
		struct ptcp_stats *st, uint8_t *proto);

/** Fill an IPv6 header (version 6, traffic class 0). */
void ptcp_ipv6_fill(struct rte_ipv6_hdr *ip, const uint8_t *src,
		const uint8_t *dst, uint8_t proto, uint16_t payload_len,
		uint8_t hop_limit, uint32_t flow_label);

/**
 * The pseudo-header's sum (RFC 8200 §8.1) for an upper layer of @p l4len
 * bytes of protocol @p proto, to pass to ptcp_cksum() over the segment.
 */
uint32_t ptcp_ipv6_phdr_sum(const struct rte_ipv6_hdr *ip, uint8_t proto,
		uint32_t l4len);

/* ------------------------------------------------------------------ */
/* ICMPv6 and Neighbor Discovery (issue 17: not called by the engine   */
/* yet)                                                                */
/* ------------------------------------------------------------------ */

/** ICMPv6 message types ptcp knows (RFC 4443, RFC 4861). */
#define PTCP_ICMP6_PARAM_PROBLEM 4      /**< Parameter Problem */
#define PTCP_ICMP6_ECHO_REQUEST  128    /**< Echo Request */
#define PTCP_ICMP6_ECHO_REPLY    129    /**< Echo Reply */
#define PTCP_ICMP6_NS            135    /**< Neighbor Solicitation */
#define PTCP_ICMP6_NA            136    /**< Neighbor Advertisement */

/** What ptcp_icmp6_input() found in a valid message. */
struct ptcp_icmp6_info {
	uint8_t type;               /**< PTCP_ICMP6_* */
	uint8_t target[16];         /**< NS, NA: the target address */
	bool has_lladdr;            /**< NS: source, NA: target link-layer
	                             *   address option present */
	struct rte_ether_addr lladdr; /**< ... its address */
	bool router;                /**< NA: the Router flag (R) */
	bool solicited;             /**< NA: the Solicited flag (S) */
	bool override;              /**< NA: the Override flag (O) */
};

/** The solicited-node multicast group of @p addr (ff02::1:ffXX:XXXX). */
void ptcp_ipv6_solicited_node(uint8_t out[16], const uint8_t addr[16]);

/** The Ethernet group address of IPv6 group @p addr (33:33 + its low 32
 *  bits, RFC 2464 §7). */
void ptcp_ipv6_mcast_mac(struct rte_ether_addr *mac, const uint8_t addr[16]);

/**
 * Check an ICMPv6 message in @p m (l2_len, l3_len set by
 * ptcp_ipv6_input(); linearized here if it spans segments): the checksum
 * under the pseudo-header, then for an echo request code 0, and for a
 * Neighbor Solicitation or Advertisement RFC 4861 §7.1's rules (hop limit
 * 255, code 0, at least 24 bytes, a unicast target, options of non-zero
 * length inside the message; an NS from :: goes to a solicited-node group
 * and carries no source link-layer address; a solicited NA does not go to
 * a group).
 *
 * @return 0 with @p out filled for an echo request, NS or NA; -1 for
 *         anything else (counted: icmp6_short, icmp6_bad_csum, nd_bad,
 *         icmp6_other)
 */
int ptcp_icmp6_input(struct rte_mbuf *m, struct ptcp_icmp6_info *out,
		struct ptcp_stats *st);

/**
 * Turn the echo request in @p m (no extension headers) into its reply in
 * place: from @p src (the address asked, or ours for a request to a
 * group) to the asker, hop limit @p hop_limit, checksum recomputed, to
 * the Ethernet source from @p our_mac. @return 0, or -1 (extension
 * headers, or a chain: not answered)
 */
int ptcp_icmp6_echo_reply(struct rte_mbuf *m, const uint8_t src[16],
		const struct rte_ether_addr *our_mac, uint8_t hop_limit);

/**
 * Build in @p m (empty) a Neighbor Solicitation for @p target from
 * @p src (:: for duplicate address detection: then without our
 * link-layer address) and @p mac: to the target's solicited-node group,
 * or to @p unicast_to and the target itself when not NULL (a probe of a
 * known neighbour, RFC 4861 §7.3.3). Hop limit 255. @return 0, or -1.
 */
int ptcp_nd_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		const uint8_t src[16], const uint8_t target[16],
		const struct rte_ether_addr *unicast_to);

/**
 * Build in @p m (empty) a Neighbor Advertisement for our @p target at
 * @p mac, with the Override flag and the target link-layer address: to
 * @p dst at @p eth_dst with Solicited as @p solicited, or, when @p dst is
 * NULL or :: (an answer to duplicate address detection, or unsolicited),
 * to all nodes without Solicited (RFC 4861 §7.2.4, §7.2.6). @return 0, or
 * -1.
 */
int ptcp_nd_build_na(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		const uint8_t target[16], const uint8_t dst[16],
		const struct rte_ether_addr *eth_dst, bool solicited);

/**
 * Build in @p out (empty) the ICMPv6 Parameter Problem (RFC 4443 §3.4)
 * @p code about the datagram in @p m, pointing at octet @p pointer, from
 * @p src to @p m's source (its Ethernet source too), quoting as much as
 * keeps the message within 1280 bytes. @return 0, or -1.
 */
int ptcp_icmp6_param_problem(struct rte_mbuf *out, const struct rte_mbuf *m,
		const uint8_t src[16], uint8_t code, uint32_t pointer,
		const struct rte_ether_addr *our_mac, uint8_t hop_limit);

/* ------------------------------------------------------------------ */
/* ICMP                                                                */
/* ------------------------------------------------------------------ */

/**
 * Handle an ICMP message in @p m (l2_len and l3_len set, validated IPv4).
 *
 * An echo request is turned into its reply in place: addresses swapped,
 * type 0, TTL @p ttl, checksums recomputed, sent to the Ethernet source
 * of the request from @p our_mac (the reply goes back the way it came).
 *
 * @return 1 if @p m is now a reply ready to transmit; 0 if it was consumed
 *         without reply (caller frees it), with the reason counted
 */
int ptcp_icmp_input(struct rte_mbuf *m, const struct rte_ether_addr *our_mac,
		uint8_t ttl, bool hw_ip_csum, struct ptcp_stats *st);

/**
 * Build in @p out (an empty mbuf) the ICMP Parameter Problem (RFC 792,
 * type 12 code 0) about the datagram in @p m (l2_len and l3_len set),
 * pointing at octet @p pointer of its header: from @p our_mac and our
 * address (@p m's destination) to @p m's Ethernet and IP sources, TTL
 * @p ttl, quoting as much of the datagram as fits in 576 bytes (RFC 1812
 * §4.3.2.3). No message is built about an ICMP error (RFC 1122
 * §3.2.2): the caller checks with ptcp_icmp_may_answer().
 *
 * @return 0, or -1 if @p out has no room
 */
int ptcp_icmp_param_problem(struct rte_mbuf *out, const struct rte_mbuf *m,
		uint8_t pointer, const struct rte_ether_addr *our_mac,
		uint8_t ttl, bool hw_ip_csum);

/**
 * True unless the datagram in @p m (l2_len and l3_len set) is an ICMP
 * error message or a fragment other than the first, about which no ICMP
 * error is ever sent (RFC 1122 §3.2.2).
 */
bool ptcp_icmp_may_answer(const struct rte_mbuf *m);

/* ------------------------------------------------------------------ */
/* ARP                                                                 */
/* ------------------------------------------------------------------ */

/** A parsed ARP packet (IPv4 over Ethernet only). */
struct ptcp_arp_info {
	uint16_t op;                /**< RTE_ARP_OP_REQUEST or RTE_ARP_OP_REPLY */
	struct rte_ether_addr sha;  /**< sender hardware address */
	uint32_t sip;               /**< sender IP */
	struct rte_ether_addr tha;  /**< target hardware address */
	uint32_t tip;               /**< target IP */
};

/**
 * Parse and validate an ARP packet after the Ethernet header (m->l2_len).
 *
 * @return 0 and @p out filled, or -1 (counted as arp_bad) for a packet that
 *         is short, not Ethernet/IPv4, has wrong address lengths, an unknown
 *         op, or a broadcast/multicast sender hardware address
 */
int ptcp_arp_parse(const struct rte_mbuf *m, struct ptcp_arp_info *out,
		struct ptcp_stats *st);

/**
 * Build a complete ARP frame (Ethernet header included) in @p m, which must
 * be empty (freshly allocated or reset).
 *
 * @param m       the empty mbuf
 * @param op      RTE_ARP_OP_REQUEST or RTE_ARP_OP_REPLY (host order)
 * @param eth_dst Ethernet destination (broadcast for requests)
 * @param sha     sender hardware address (also the Ethernet source)
 * @param sip     sender IPv4 address, network byte order
 * @param tha     target hardware address (zero in requests)
 * @param tip     target IPv4 address, network byte order
 * @return 0, or -1 if @p m has too little room
 */
int ptcp_arp_build(struct rte_mbuf *m, uint16_t op,
		const struct rte_ether_addr *eth_dst,
		const struct rte_ether_addr *sha, uint32_t sip,
		const struct rte_ether_addr *tha, uint32_t tip);

/** ARP cache entry states. */
enum ptcp_arp_state {
	PTCP_ARP_FREE = 0,
	PTCP_ARP_INCOMPLETE,   /**< request sent, packets may be waiting */
	PTCP_ARP_REACHABLE,    /**< learnt; ages out */
	PTCP_ARP_STATIC,       /**< from config; never ages */
};

/** Tunables of one ARP cache (from the [arp] section). */
struct ptcp_arp_conf {
	uint32_t entries;      /**< most entries */
	uint32_t timeout_ms;   /**< REACHABLE lifetime */
	uint32_t resolve_ms;   /**< total time to wait for a reply */
	uint32_t retries;      /**< requests sent within resolve_ms */
	uint32_t pending;      /**< packets held per INCOMPLETE entry */
	uint32_t pending_total; /**< packets held by all entries together
	                         *   (0: no cap beyond entries * pending) */
};

struct ptcp_arp_table;

/** Bytes ptcp_arp_table_init() needs for @p conf. */
size_t ptcp_arp_table_memsize(const struct ptcp_arp_conf *conf);

/**
 * Lay out an ARP cache in @p mem (ptcp_arp_table_memsize() bytes, zeroed,
 * cache-line aligned), owned by one lcore.
 *
 * @return the table (== @p mem), or NULL if @p conf is invalid
 */
struct ptcp_arp_table *ptcp_arp_table_init(void *mem,
		const struct ptcp_arp_conf *conf);

/**
 * Free every mbuf still waiting in the table (before the table's memory is
 * released).
 */
void ptcp_arp_table_flush(struct ptcp_arp_table *t);

/** Outcome of ptcp_arp_resolve(). */
enum ptcp_arp_verdict {
	PTCP_ARP_HIT = 0,      /**< @p mac filled; send now */
	PTCP_ARP_QUEUED_NEW,   /**< mbuf held; caller sends the first request */
	PTCP_ARP_QUEUED,       /**< mbuf held behind an outstanding request */
	PTCP_ARP_QUEUE_FULL,   /**< not held: waiting queue full (caller frees) */
	PTCP_ARP_HOLD_CAP,     /**< not held: the table holds pending_total
	                        *   packets already (caller frees) */
	PTCP_ARP_NEW_HOLD_CAP, /**< entry made, caller sends the first request,
	                        *   but the mbuf is not held (caller frees) */
	PTCP_ARP_TABLE_FULL,   /**< not held: no free entry (caller frees) */
};

/**
 * Find the MAC of next hop @p ip, or hold @p m until it is known.
 *
 * @param t   the cache
 * @param ip  the next hop, network byte order
 * @param now current time, ms
 * @param m   the packet to send (may be NULL to only look up)
 * @param mac filled on PTCP_ARP_HIT
 */
enum ptcp_arp_verdict ptcp_arp_resolve(struct ptcp_arp_table *t, uint32_t ip,
		uint64_t now, struct rte_mbuf *m, struct rte_ether_addr *mac);

/**
 * Learn (or refresh) @p ip at @p mac.
 *
 * Updates an existing entry; creates one only when @p create (RFC 826: the
 * ARP packet was addressed to us). Static entries are never changed.
 * Packets that were waiting for @p ip are moved to @p released (at most
 * @p max, conf.pending is always enough); the caller sends them.
 *
 * @return the number of packets in @p released
 */
unsigned int ptcp_arp_learn(struct ptcp_arp_table *t, uint32_t ip,
		const struct rte_ether_addr *mac, uint64_t now, bool create,
		struct rte_mbuf **released, unsigned int max,
		struct ptcp_stats *st);

/**
 * Add a static entry. @return 0, -ENOSPC when full, -EEXIST if present.
 */
int ptcp_arp_add_static(struct ptcp_arp_table *t, uint32_t ip,
		const struct rte_ether_addr *mac);

/**
 * Age the cache: drop expired REACHABLE entries; for INCOMPLETE entries,
 * call @p request for each retry due, and when resolution has timed out
 * free the waiting packets (counted as arp_resolve_timeout) and the entry.
 * Cost is linear in the table size: call it every few ms, not per packet.
 *
 * @param t        the cache
 * @param now      current time, ms
 * @param request  called with @p arg and the IP to ask for
 * @param arg      passed to @p request
 * @param st       counters
 */
void ptcp_arp_age(struct ptcp_arp_table *t, uint64_t now,
		void (*request)(void *arg, uint32_t ip), void *arg,
		struct ptcp_stats *st);

/** Entries in use (any state but FREE). */
unsigned int ptcp_arp_count(const struct ptcp_arp_table *t);

/** State of the entry for @p ip (PTCP_ARP_FREE when absent). */
enum ptcp_arp_state ptcp_arp_state_of(const struct ptcp_arp_table *t,
		uint32_t ip);

/* ------------------------------------------------------------------ */
/* The IPv6 neighbour cache (issue 17: not called by the engine yet)  */
/* ------------------------------------------------------------------ */

/** Neighbour cache entry states (RFC 4861 §7.3.2; nd.c says how). */
enum ptcp_nd_state {
	PTCP_ND_FREE = 0,
	PTCP_ND_INCOMPLETE,    /**< multicast NS sent, packets may wait */
	PTCP_ND_REACHABLE,     /**< confirmed, for reachable_ms */
	PTCP_ND_STALE,         /**< unconfirmed; used, it goes to DELAY */
	PTCP_ND_DELAY,         /**< used while stale: PROBE after delay_ms */
	PTCP_ND_PROBE,         /**< unicast NS sent to the cached address */
	PTCP_ND_STATIC,        /**< from config; never changes */
};

/** Tunables of one neighbour cache (RFC 4861 §10's names in brackets). */
struct ptcp_nd_conf {
	uint32_t entries;      /**< most entries */
	uint32_t reachable_ms; /**< REACHABLE lifetime [REACHABLE_TIME] */
	uint32_t retrans_ms;   /**< between solicitations [RETRANS_TIMER] */
	uint32_t retries;      /**< multicast NS to resolve
	                        *   [MAX_MULTICAST_SOLICIT] */
	uint32_t probes;       /**< unicast NS to verify [MAX_UNICAST_SOLICIT] */
	uint32_t delay_ms;     /**< DELAY [DELAY_FIRST_PROBE_TIME] */
	uint32_t stale_ms;     /**< an unused STALE entry goes after this */
	uint32_t pending;      /**< packets held per INCOMPLETE entry */
	uint32_t pending_total; /**< held by all entries (0: no cap) */
};

/** What a Neighbor Discovery message told ptcp_nd_learn(). */
enum ptcp_nd_news {
	PTCP_ND_NEWS_NS,       /**< an NS for us with the sender's address */
	PTCP_ND_NEWS_NA,       /**< an NA, neither Solicited nor Override */
	PTCP_ND_NEWS_NA_S,     /**< an NA, Solicited */
	PTCP_ND_NEWS_NA_O,     /**< an NA, Override */
	PTCP_ND_NEWS_NA_SO,    /**< an NA, Solicited and Override */
};

struct ptcp_nd_table;

/** Bytes ptcp_nd_table_init() needs for @p conf. */
size_t ptcp_nd_table_memsize(const struct ptcp_nd_conf *conf);

/**
 * Lay out a neighbour cache in @p mem (ptcp_nd_table_memsize() bytes,
 * cache-line aligned), owned by one lcore; its hash takes a secret of its
 * own (rte_rand()). @return the table (== @p mem), or NULL if @p conf is
 * invalid (no entries, pending, retries, probes or retrans_ms)
 */
struct ptcp_nd_table *ptcp_nd_table_init(void *mem,
		const struct ptcp_nd_conf *conf);

/** Free every mbuf still waiting (before the memory is released). */
void ptcp_nd_table_flush(struct ptcp_nd_table *t);

/**
 * Find the MAC of neighbour @p ip, or hold @p m until it is known: the
 * verdicts of ptcp_arp_resolve() (on PTCP_ARP_QUEUED_NEW the caller sends
 * the first multicast NS). A STALE entry used goes to DELAY.
 */
enum ptcp_arp_verdict ptcp_nd_resolve(struct ptcp_nd_table *t,
		const uint8_t ip[16], uint64_t now, struct rte_mbuf *m,
		struct rte_ether_addr *mac);

/**
 * What an NS for us (its source link-layer address) or an NA (its target
 * link-layer address; @p mac NULL when it had none) says about @p ip, with
 * RFC 4861 §7.2.3 and §7.2.5's rules: an NS makes or refreshes a STALE
 * entry; an NA for no entry is dropped, completes an INCOMPLETE one
 * (REACHABLE if Solicited, else STALE), and otherwise changes the address
 * only with Override and confirms only when Solicited. Static entries
 * never change. Packets that waited are moved to @p released (at most
 * @p max; the rest freed, counted nd_queue_full). @return their number
 */
unsigned int ptcp_nd_learn(struct ptcp_nd_table *t, const uint8_t ip[16],
		const struct rte_ether_addr *mac, uint64_t now,
		enum ptcp_nd_news news, struct rte_mbuf **released,
		unsigned int max, struct ptcp_stats *st);

/** Reachability confirmed from above (RFC 4861 §7.3.1: e.g. TCP saw new
 *  data acknowledged): a known entry becomes REACHABLE. */
void ptcp_nd_confirm(struct ptcp_nd_table *t, const uint8_t ip[16],
		uint64_t now);

/** Add a static entry. @return 0, -ENOSPC when full, -EEXIST if present. */
int ptcp_nd_add_static(struct ptcp_nd_table *t, const uint8_t ip[16],
		const struct rte_ether_addr *mac);

/**
 * Move the entries on (nd.c's states): call @p solicit for each NS due,
 * multicast (@p unicast_to NULL) for an INCOMPLETE entry, unicast to the
 * cached address for one in PROBE; free what waits on an INCOMPLETE entry
 * that got no answer (nd_resolve_timeout) and the entry; drop a PROBE
 * entry whose probes went unanswered (nd_probe_failed) and a STALE entry
 * unused for stale_ms (nd_expired). Linear in the table size: every few
 * ms, not per packet.
 */
void ptcp_nd_age(struct ptcp_nd_table *t, uint64_t now,
		void (*solicit)(void *arg, const uint8_t ip[16],
			const struct rte_ether_addr *unicast_to),
		void *arg, struct ptcp_stats *st);

/** Entries in use (any state but FREE). */
unsigned int ptcp_nd_count(const struct ptcp_nd_table *t);

/** State of the entry for @p ip (PTCP_ND_FREE when absent), and its
 *  address in @p mac (may be NULL) when there is one. */
enum ptcp_nd_state ptcp_nd_state_of(const struct ptcp_nd_table *t,
		const uint8_t ip[16], struct rte_ether_addr *mac);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_NET_H */
