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

#include "ptcp_config.h"
#include "ptcp_config_value.h"

/* Name of the override "file" in error messages. */
#define CMDLINE "command line"

/* A library's section (ptcp_config_register_lib()). */
struct cfg_lib_section {
	const struct ptcp_config_section *sec;
	size_t off;		/* of the struct its keys fill, in ptcp_config */
	unsigned int rank;
};

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
};

/* ----- schema.c: the key tables and the sections ----- */

/* The libraries' sections, by rank. */
extern struct cfg_lib_section cfg_lib_sections[PTCP_CONFIG_MAX_LIB_SECTIONS];
extern unsigned int cfg_nb_lib_sections;

const struct ptcp_config_key *cfg_find_key(const struct ptcp_config_key *keys,
		unsigned int n, const char *key);
int cfg_parse_table_key(struct ptcp_config_ctx *c, const char *section,
		const struct ptcp_config_key *d, const char *value, void *base);
/* The name of instance @p i of @p sec ("port1"; "tcp"), in @p buf. */
const char *cfg_instance_name(const struct ptcp_config_section *sec,
		unsigned int i, char *buf);
/* Instances of @p sec: 1 for a plain section. */
unsigned int cfg_nb_instances(const struct ptcp_config_section *sec);
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

/* ----- check.c: rules across sections ----- */

/* Pass 4. */
int cfg_check_config(struct ptcp_config_ctx *c);

/* ----- value.c: the value parsers (ptcp_config_value.h), typed stores ----- */

void cfg_store_uint(void *field, size_t size, uint64_t v);
uint64_t cfg_load_uint(const void *field, size_t size);

#endif /* CONFIG_PRIV_H */
