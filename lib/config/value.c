/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: value parsers (integers, booleans, IPv4, MAC, netmasks,
 * address lists) and the typed stores of table keys. No messages but
 * ptcp_parse_addr_list()'s.
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "config_priv.h"

/* ----- value parsers: 0 or -EINVAL, no message ----- */

int
ptcp_config_parse_u64(const char *s, uint64_t *v)
{
	const char *digits = "0123456789";
	unsigned long long x;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		digits = "0123456789abcdefABCDEF";
	}
	/* strtoull alone would take spaces, a sign and a second "0x" */
	if (s[0] == '\0' || s[strspn(s, digits)] != '\0')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

int
ptcp_config_parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	unsigned int i;

	for (i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Dotted quad only (inet_pton rejects leading zeros and short forms). */
int
ptcp_config_parse_ipv4(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = a.s_addr;
	return 0;
}

int
ptcp_config_parse_ipv6_prefix(const char *s, uint8_t addr[16],
		unsigned int *prefix, char *err, size_t errlen)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	static const uint8_t zero[16];
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	uint64_t n = 128;

	if (alen >= INET6_ADDRSTRLEN) {
		snprintf(err, errlen, "'%.*s' is not an IPv6 address",
			PTCP_CONFIG_QUOTE_MAX, s);
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv6 address", buf);
		return -EINVAL;
	}
	if (slash != NULL && (ptcp_config_parse_u64(slash + 1, &n) != 0 ||
			n < 1 || n > 128)) {
		snprintf(err, errlen, "prefix length '%.*s' is not 1..128",
			PTCP_CONFIG_QUOTE_MAX, slash + 1);
		return -EINVAL;
	}
	if (addr[0] == 0xff) {
		snprintf(err, errlen, "%s is a multicast address", buf);
		return -EINVAL;
	}
	if (memcmp(addr, zero, 15) == 0 && addr[15] <= 1) {
		snprintf(err, errlen, "%s is %s", buf, addr[15] == 0 ?
			"the unspecified address" : "the loopback address");
		return -EINVAL;
	}
	if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
		snprintf(err, errlen, "%s is an IPv4-mapped address (an IPv4 "
			"address goes in the address key)", buf);
		return -EINVAL;
	}
	*prefix = (unsigned int)n;
	return 0;
}

const char *
ptcp_config_ipv6_str(const uint8_t addr[16], char *buf)
{
	return inet_ntop(AF_INET6, addr, buf, INET6_ADDRSTRLEN);
}

/* xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, exactly two hex digits each. */
int
ptcp_config_parse_mac(const char *s, struct rte_ether_addr *mac)
{
	char sep;
	unsigned int i;

	if (strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		const char *p = s + 3 * i;
		char hex[3] = { p[0], p[1], '\0' };

		if (!isxdigit((unsigned char)p[0]) ||
				!isxdigit((unsigned char)p[1]))
			return -EINVAL;
		if (i < RTE_ETHER_ADDR_LEN - 1 && p[2] != sep)
			return -EINVAL;
		mac->addr_bytes[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return 0;
}

uint32_t
ptcp_config_prefix_to_mask(unsigned int prefix)
{
	return prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
}

/* Length of a contiguous netmask, or -1. */
int
ptcp_config_mask_to_prefix(uint32_t mask)
{
	uint32_t inv = ~ntohl(mask);

	if ((inv & (inv + 1)) != 0)
		return -1;
	return __builtin_popcount(ntohl(mask));
}

const char *
ptcp_config_ip_str(uint32_t ip, char *buf)
{
	struct in_addr a = { .s_addr = ip };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

void
cfg_store_uint(void *field, size_t size, uint64_t v)
{
	switch (size) {
	case 1: *(uint8_t *)field = (uint8_t)v; break;
	case 2: *(uint16_t *)field = (uint16_t)v; break;
	case 4: *(uint32_t *)field = (uint32_t)v; break;
	default: *(uint64_t *)field = v; break;
	}
}

uint64_t
cfg_load_uint(const void *field, size_t size)
{
	switch (size) {
	case 1: return *(const uint8_t *)field;
	case 2: return *(const uint16_t *)field;
	case 4: return *(const uint32_t *)field;
	default: return *(const uint64_t *)field;
	}
}

/* ----- pass 3: sections and keys ----- */

int
ptcp_parse_addr_list(const char *s, uint32_t *out, unsigned int max,
		unsigned int *n, char *err, size_t errlen)
{
	char buf[CFG_VALUE_LEN], *tok, *save = NULL, *dash;
	uint32_t lo, hi, h;

	*n = 0;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "longer than %zu characters",
			sizeof(buf) - 1);
		return -EINVAL;
	}
	strlcpy(buf, s, sizeof(buf));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		tok[strcspn(tok, " \t")] = '\0';
		dash = strchr(tok, '-');
		if (dash != NULL)
			*dash++ = '\0';
		if (ptcp_config_parse_ipv4(tok, &lo) != 0 ||
				(dash != NULL && ptcp_config_parse_ipv4(dash, &hi) != 0)) {
			snprintf(err, errlen, "'%.*s' is not an address or a "
				"range A.B.C.D-A.B.C.E", PTCP_CONFIG_QUOTE_MAX,
				dash != NULL && ptcp_config_parse_ipv4(tok, &lo) == 0 ?
				dash : tok);
			return -EINVAL;
		}
		if (dash == NULL)
			hi = lo;
		if (ntohl(hi) < ntohl(lo)) {
			snprintf(err, errlen, "range %s-%s runs backwards",
				tok, dash);
			return -EINVAL;
		}
		for (h = ntohl(lo); ; h++) {
			if (*n == max) {
				snprintf(err, errlen, "more than %u addresses",
					max);
				return -EINVAL;
			}
			out[(*n)++] = htonl(h);
			if (h == ntohl(hi))
				break;
		}
	}
	if (*n == 0) {
		snprintf(err, errlen, "no address");
		return -EINVAL;
	}
	return 0;
}
