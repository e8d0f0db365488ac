/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_CONFIG_VALUE_H
#define PTCP_CONFIG_VALUE_H

/**
 * @file
 * lib/config's value parsers, for the hooks of a library's section
 * (lib/io's [portN], lib/net's [arp.static]) to read values as lib/config
 * reads its tables' and to quote them back in the same words. Each parser
 * returns 0 or -EINVAL (-ERANGE for an integer too large), with no
 * message.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest piece of a value an error message quotes back ("%.*s"). */
#define PTCP_CONFIG_QUOTE_MAX 64

/**
 * An unsigned integer, decimal or 0x hex, digits only (no sign, no
 * spaces).
 *
 * @param s  the text
 * @param v  the value
 * @return 0; -EINVAL (not an integer); -ERANGE (over 64 bits)
 */
int ptcp_config_parse_u64(const char *s, uint64_t *v);

/**
 * yes/no, true/false, on/off, 1/0, in any case.
 *
 * @param s  the text
 * @param v  the value
 * @return 0 or -EINVAL
 */
int ptcp_config_parse_bool(const char *s, bool *v);

/**
 * A dotted quad ("192.0.2.1"; no leading zeros, no short forms).
 *
 * @param s   the text
 * @param ip  the address, network byte order
 * @return 0 or -EINVAL
 */
int ptcp_config_parse_ipv4(const char *s, uint32_t *ip);

/**
 * An IPv6 unicast address for an interface, "ADDR" or "ADDR/N" (RFC 4291
 * §2.2 text; N 1..128, 128 when absent, as ip(8) takes it). Refused, with
 * the reason in @p err: what is not an IPv6 address, a prefix length out
 * of range or not a number, a multicast address, ::, ::1, and an
 * IPv4-mapped address (\::ffff:0:0/96: IPv4 goes in the address key).
 *
 * @param s       the text
 * @param addr    the address, network byte order
 * @param prefix  the prefix length
 * @param err     one line naming what is wrong (no key, no file)
 * @param errlen  its size
 * @return 0 or -EINVAL
 */
int ptcp_config_parse_ipv6_prefix(const char *s, uint8_t addr[16],
		unsigned int *prefix, char *err, size_t errlen);

/**
 * An IPv6 address in RFC 5952's text form.
 *
 * @param addr  network byte order
 * @param buf   INET6_ADDRSTRLEN (46) bytes
 * @return @p buf
 */
const char *ptcp_config_ipv6_str(const uint8_t addr[16], char *buf);

/**
 * xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, two hex digits each.
 *
 * @param s    the text
 * @param mac  the address
 * @return 0 or -EINVAL
 */
int ptcp_config_parse_mac(const char *s, struct rte_ether_addr *mac);

/**
 * The netmask of a prefix length.
 *
 * @param prefix  0..32
 * @return the mask, network byte order
 */
uint32_t ptcp_config_prefix_to_mask(unsigned int prefix);

/**
 * The prefix length of a netmask.
 *
 * @param mask  network byte order
 * @return 0..32, or -1 if @p mask is not contiguous
 */
int ptcp_config_mask_to_prefix(uint32_t mask);

/**
 * An address as a dotted quad.
 *
 * @param ip   network byte order
 * @param buf  INET_ADDRSTRLEN (16) bytes
 * @return @p buf
 */
const char *ptcp_config_ip_str(uint32_t ip, char *buf);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_CONFIG_VALUE_H */
