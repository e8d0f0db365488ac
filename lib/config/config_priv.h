/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config inside: what its files share (reader.c, value.c, schema.c,
 * check.c, dump.c, config.c). Not installed; no prefix.
 */
#ifndef CONFIG_PRIV_H
#define CONFIG_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "ptcp_config.h"

/* Name of the override "file" in error messages. */
#define CMDLINE "command line"

/* Longest piece of user input quoted back in an error message. */
#define QUOTE_MAX 64

/* Limits that do not depend on the key tables. */
#define MBUFS_MIN 1023u
#define MBUFS_MAX (1u << 26)
#define CACHE_MAX RTE_MEMPOOL_CACHE_MAX_SIZE

/* [tcp] limits used by more than one rule. */
#define MSS_DEFAULT 1460u
#define MSS_MIN 88u			/* as Linux's TCP_MIN_MSS */
#define IP_TCP_HDRS 40u			/* IPv4 + TCP headers, no options */
#define MSS_MAX (9000u - IP_TCP_HDRS)	/* the largest [portN] mtu's room */
#define RETRIES_MAX 30u
#define M16 (1u << 24)			/* "16M" */

#define SEC_TCP "tcp"
#define SEC_ARP_STATIC "arp.static"
/* lib/config's own sections, for "unknown section (known: ...)"; the
 * registered ones follow. */
#define KNOWN_SECTIONS "port0..port3, lcores, mempool, ip, arp, " \
	"arp.static, timer, tcp"

/* One --set string, once split. */
struct override {
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN];
	bool new_section;	/* the file has no such section */
};

/* One section header or key of the file, for duplicate checks. */
struct seen {
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN];	/* "" for the section header */
	unsigned int line;
};

/* Everything one ptcp_config_load_with() call works on. */
struct ptcp_config_ctx {
	struct ptcp_config *cfg;
	const struct ptcp_config_schema *schema;	/* NULL: none */
	const char *path;		/* NULL: no file */
	struct rte_cfgfile *cf;
	char *err;
	size_t errlen;

	struct seen *seen;
	unsigned int nb_seen;
	unsigned int cap_seen;

	struct override *ovr;
	unsigned int nb_ovr;

	/* [portN] facts that ptcp_port_config does not keep */
	uint8_t prefix[PTCP_MAX_PORTS];	/* from "address = A/N"; 0: none */
	bool netmask_set[PTCP_MAX_PORTS];

	int arp_static_index;		/* section index, -1 if none */
};

/* ----- schema.c: the key tables and the sections ----- */

extern const struct ptcp_config_section cfg_plain_sections[];
extern const unsigned int cfg_nb_plain_sections;
extern const struct ptcp_config_key cfg_port_keys[];
extern const unsigned int cfg_nb_port_keys;

const struct ptcp_config_key *cfg_find_key(const struct ptcp_config_key *keys,
		unsigned int n, const char *key);
int cfg_parse_table_key(struct ptcp_config_ctx *c, const char *section,
		const struct ptcp_config_key *d, const char *value, void *base);
bool cfg_is_port_section(const char *name, unsigned int *port);
size_t cfg_known_section_prefix(const struct ptcp_config_ctx *c,
		const char *lhs);
struct rte_cfgfile_entry *cfg_section_entries(struct ptcp_config_ctx *c, int index,
		char *name, int *nb);
/* Pass 3: every section and key, typed and range-checked. */
int cfg_parse_sections(struct ptcp_config_ctx *c);

/* ----- reader.c: the file, the --set strings, error messages ----- */

char *cfg_trim(char *s);
bool cfg_valid_name(const char *s);
/* Pass 1: the file into c->cf ("FILE:LINE: ..."). */
int cfg_read_file(struct ptcp_config_ctx *c);
/* Pass 2: the --set strings into c->cf. */
int cfg_apply_overrides(struct ptcp_config_ctx *c, const char *const *overrides,
		unsigned int nb);

/* ----- check.c: rules inside a port and across sections ----- */

int cfg_check_port(struct ptcp_config_ctx *c, unsigned int p, const char *section);
/* Pass 4. */
int cfg_check_config(struct ptcp_config_ctx *c);

/* ----- value.c: value parsers (0 or -EINVAL, no message) ----- */

int cfg_parse_u64(const char *s, uint64_t *v);
int cfg_parse_bool(const char *s, bool *v);
int cfg_parse_ipv4(const char *s, uint32_t *ip);
int cfg_parse_mac(const char *s, struct rte_ether_addr *mac);
uint32_t cfg_prefix_to_mask(unsigned int prefix);
int cfg_mask_to_prefix(uint32_t mask);
const char *cfg_ip_str(uint32_t ip, char *buf);
void cfg_store_uint(void *field, size_t size, uint64_t v);
uint64_t cfg_load_uint(const void *field, size_t size);

#endif /* CONFIG_PRIV_H */
