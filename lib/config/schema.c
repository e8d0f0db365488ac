/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the schema. The registry of sections (the libraries', each
 * a key table with its defaults, ranges and dump lines, so that
 * ptcp_config_defaults(), ptcp_config_load() and ptcp_config_dump() cannot
 * disagree, and hooks for what a table cannot say; and the application's),
 * and pass 3: every section and key, typed and range-checked ("FILE:
 * [section] key: reason").
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/*
 * The libraries' sections, by rank: written by ptcp_config_register_lib()
 * from the libraries' RTE_INIT constructors, before main(); read-only
 * after.
 */
struct cfg_lib_section cfg_lib_sections[PTCP_CONFIG_MAX_LIB_SECTIONS];
unsigned int cfg_nb_lib_sections;

/* Parse one table key into base + d->off, or say why not. */
int
cfg_parse_table_key(struct ptcp_config_ctx *c, const char *section,
		const struct ptcp_config_key *d, const char *value, void *base)
{
	void *field = (char *)base + d->off;
	uint64_t v;
	bool b;
	int ret;

	if (d->type == PTCP_CONFIG_ENUM) {
		char names[CFG_VALUE_LEN];
		size_t n = 0;

		for (v = 0; v <= d->max; v++) {
			if (strcmp(value, d->names[v]) == 0) {
				cfg_store_uint(field, d->size, v);
				return 0;
			}
			n += snprintf(names + n, sizeof(names) - n, "%s%s",
				v == 0 ? "" : ", ", d->names[v]);
			if (n >= sizeof(names))
				n = sizeof(names) - 1;
		}
		return ptcp_config_fail(c, section, d->key,
			"'%.*s' is not one of %s", PTCP_CONFIG_QUOTE_MAX, value, names);
	}
	if (d->type == PTCP_CONFIG_BOOL) {
		if (ptcp_config_parse_bool(value, &b) != 0)
			return ptcp_config_fail(c, section, d->key,
				"'%.*s' is not a boolean (yes/no, true/false, on/off, 1/0)",
				PTCP_CONFIG_QUOTE_MAX, value);
		*(bool *)field = b;
		return 0;
	}
	ret = ptcp_config_parse_u64(value, &v);
	if (ret == -EINVAL)
		return ptcp_config_fail(c, section, d->key,
			"'%.*s' is not an unsigned integer",
			PTCP_CONFIG_QUOTE_MAX, value);
	if (ret != 0 || v < d->min || v > d->max)
		return ptcp_config_fail(c, section, d->key,
			"%.*s is out of range %" PRIu64 "..%" PRIu64,
			PTCP_CONFIG_QUOTE_MAX, value, d->min, d->max);
	cfg_store_uint(field, d->size, v);
	return 0;
}

const struct ptcp_config_key *
cfg_find_key(const struct ptcp_config_key *keys, unsigned int n, const char *key)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}


unsigned int
cfg_nb_instances(const struct ptcp_config_section *sec)
{
	return sec->instances > 1 ? sec->instances : 1;
}

const char *
cfg_instance_name(const struct ptcp_config_section *sec, unsigned int i,
		char *buf)
{
	if (sec->instances > 1)
		snprintf(buf, CFG_NAME_LEN, "%s%u", sec->name, i);
	else
		strlcpy(buf, sec->name, CFG_NAME_LEN);
	return buf;
}

/* Whether @p name is an instance of @p sec, and which. */
static bool
is_instance(const struct ptcp_config_section *sec, const char *name,
		unsigned int *i)
{
	size_t len = strlen(sec->name);

	if (sec->instances <= 1) {
		*i = 0;
		return strcmp(sec->name, name) == 0;
	}
	if (strncmp(name, sec->name, len) != 0 || name[len] < '0' ||
			name[len] >= '0' + (int)sec->instances ||
			name[len + 1] != '\0')
		return false;
	*i = name[len] - '0';
	return true;
}

/* Length of the known section name that starts "section.key", or 0. */
/* Whether @p lhs starts with "@p name." and @p name beats *best. */
static void
longer_prefix(const char *lhs, const char *name, size_t *best)
{
	size_t len = strlen(name);

	if (len > *best && strncmp(lhs, name, len) == 0 && lhs[len] == '.')
		*best = len;
}

size_t
cfg_known_section_prefix(const struct ptcp_config_ctx *c, const char *lhs)
{
	char name[CFG_NAME_LEN];
	size_t best = 0;
	unsigned int i, k;

	for (i = 0; i < cfg_nb_lib_sections; i++)
		for (k = 0; k < cfg_nb_instances(cfg_lib_sections[i].sec); k++)
			longer_prefix(lhs, cfg_instance_name(
				cfg_lib_sections[i].sec, k, name), &best);
	for (i = 0; c->schema != NULL && i < c->schema->nb; i++)
		longer_prefix(lhs, c->schema->reg[i].sec->name, &best);
	return best;
}


/* Entries of section @p index, malloc'd; NULL on allocation failure. */
struct rte_cfgfile_entry *
cfg_section_entries(struct ptcp_config_ctx *c, int index, char *name, int *nb)
{
	struct rte_cfgfile_entry *e;

	*nb = rte_cfgfile_section_num_entries_by_index(c->cf, name, index);
	e = malloc(RTE_MAX(*nb, 1) * sizeof(*e));
	if (e == NULL)
		return NULL;
	*nb = rte_cfgfile_section_entries_by_index(c->cf, index, name, e,
		*nb);
	return e;
}

/*
 * The library's or the application's section named @p name, and the
 * struct its keys fill; NULL if neither.
 */
static const struct ptcp_config_section *
find_section(const struct ptcp_config_ctx *c, const char *name, void **base)
{
	const struct cfg_lib_section *l;
	unsigned int i, k;

	for (i = 0; i < cfg_nb_lib_sections; i++) {
		l = &cfg_lib_sections[i];
		if (is_instance(l->sec, name, &k)) {
			*base = (char *)c->cfg + l->off +
				k * l->sec->instance_size;
			return l->sec;
		}
	}
	for (i = 0; c->schema != NULL && i < c->schema->nb; i++) {
		if (strcmp(c->schema->reg[i].sec->name, name) == 0) {
			*base = c->schema->reg[i].base;
			return c->schema->reg[i].sec;
		}
	}
	return NULL;
}

/*
 * Add @p sec to the list in @p known, after ", " unless it is the first:
 * "name", or "name0..nameN-1" for its instances.
 */
static void
add_known(char *known, size_t size, const struct ptcp_config_section *sec)
{
	size_t n = strlen(known);

	if (sec->instances > 1)
		snprintf(known + n, size - n, "%s%s0..%s%u", n != 0 ? ", " : "",
			sec->name, sec->name, sec->instances - 1);
	else
		snprintf(known + n, size - n, "%s%s", n != 0 ? ", " : "",
			sec->name);
}

/*
 * "unknown section (known: ...)": the libraries' sections by rank
 * (port0..port3 first), then the application's.
 */
static int
unknown_section(struct ptcp_config_ctx *c, const char *name)
{
	char known[PTCP_CONFIG_ERRLEN] = "";
	unsigned int i;

	for (i = 0; i < cfg_nb_lib_sections; i++)
		add_known(known, sizeof(known), cfg_lib_sections[i].sec);
	for (i = 0; c->schema != NULL && i < c->schema->nb; i++)
		add_known(known, sizeof(known), c->schema->reg[i].sec);
	return ptcp_config_fail(c, name, NULL, "unknown section (known: %s)",
		known);
}

/*
 * Section @p index: each key from the table or the parse_key hook, then
 * the check_section hook.
 */
static int
parse_section(struct ptcp_config_ctx *c, int index)
{
	const struct ptcp_config_section *sd;
	const struct ptcp_config_key *d;
	struct rte_cfgfile_entry *e;
	char name[CFG_NAME_LEN];
	void *base = NULL;
	unsigned int i;
	int nb, ret = 0;

	e = cfg_section_entries(c, index, name, &nb);
	if (e == NULL)
		return -ENOMEM;
	sd = find_section(c, name, &base);
	if (sd == NULL) {
		ret = unknown_section(c, name);
		goto out;
	}
	for (i = 0; ret == 0 && i < (unsigned int)nb; i++) {
		d = cfg_find_key(sd->keys, sd->nb_keys, e[i].name);
		if (d != NULL)
			ret = cfg_parse_table_key(c, name, d, e[i].value, base);
		else if (sd->parse_key != NULL)
			ret = sd->parse_key(c, base, name, e[i].name,
				e[i].value);
		else
			ret = ptcp_config_fail(c, name, e[i].name,
				"unknown key");
	}
	if (ret == 0 && sd->check_section != NULL)
		ret = sd->check_section(c, base, name);
out:
	free(e);
	return ret;
}

int
cfg_parse_sections(struct ptcp_config_ctx *c)
{
	int i, n, ret;

	n = rte_cfgfile_num_sections(c->cf, NULL, 0);
	for (i = 0; i < n; i++) {
		ret = parse_section(c, i);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* ----- public API ----- */

void
ptcp_config_section_defaults(const struct ptcp_config_section *sec,
		void *base)
{
	unsigned int k;

	for (k = 0; k < sec->nb_keys; k++) {
		const struct ptcp_config_key *d = &sec->keys[k];
		void *field = (char *)base + d->off;

		if (d->type == PTCP_CONFIG_BOOL)
			*(bool *)field = d->def != 0;
		else
			cfg_store_uint(field, d->size, d->def);
	}
}

void
ptcp_config_defaults(struct ptcp_config *cfg)
{
	const struct cfg_lib_section *l;
	unsigned int s, k;

	memset(cfg, 0, sizeof(*cfg));
	for (s = 0; s < cfg_nb_lib_sections; s++) {
		l = &cfg_lib_sections[s];
		for (k = 0; k < cfg_nb_instances(l->sec); k++)
			ptcp_config_section_defaults(l->sec, (char *)cfg +
				l->off + k * l->sec->instance_size);
	}
}

/* ----- the sections applications register ----- */

void
ptcp_config_schema_init(struct ptcp_config_schema *schema)
{
	memset(schema, 0, sizeof(*schema));
}

/* A key the parser can store and the dump can print. */
static bool
key_is_sane(const struct ptcp_config_key *d)
{
	if (d->key == NULL || d->key[0] == '\0' ||
			strlen(d->key) >= CFG_NAME_LEN || !cfg_valid_name(d->key))
		return false;
	switch (d->type) {
	case PTCP_CONFIG_BOOL:
		return d->size == sizeof(bool) && d->def <= 1;
	case PTCP_CONFIG_ENUM:
		return d->names != NULL && d->def <= d->max &&
			(d->size == 1 || d->size == 2 || d->size == 4 ||
			 d->size == 8);
	case PTCP_CONFIG_UINT:
		if (d->size != 1 && d->size != 2 && d->size != 4 &&
				d->size != 8)
			return false;
		return d->min <= d->def && d->def <= d->max &&
			(d->size == 8 || d->max < (1ull << (8 * d->size)));
	}
	return false;
}

/* Whether a library's section is named @p name (or an instance of it). */
static bool
is_lib_section(const char *name)
{
	unsigned int i, k;

	for (i = 0; i < cfg_nb_lib_sections; i++)
		if (is_instance(cfg_lib_sections[i].sec, name, &k))
			return true;
	return false;
}

/* Whether @p sec or one of its instances has a library section's name. */
static bool
names_taken(const struct ptcp_config_section *sec)
{
	char name[CFG_NAME_LEN];
	unsigned int k;

	for (k = 0; k < cfg_nb_instances(sec); k++)
		if (is_lib_section(cfg_instance_name(sec, k, name)))
			return true;
	return false;
}

/* A name the file can hold and keys that are each sane, named once. */
static bool
section_is_sane(const struct ptcp_config_section *sec)
{
	unsigned int i;

	if (sec == NULL || sec->name == NULL || sec->name[0] == '\0' ||
			strlen(sec->name) >= CFG_NAME_LEN ||
			!cfg_valid_name(sec->name) ||
			(sec->keys == NULL && sec->nb_keys != 0) ||
			(sec->instances > 1 && (sec->instances > 10 ||
			 sec->instance_size == 0 ||
			 strlen(sec->name) + 1 >= CFG_NAME_LEN)))
		return false;
	for (i = 0; i < sec->nb_keys; i++) {
		if (!key_is_sane(&sec->keys[i]) ||
				cfg_find_key(sec->keys, i, sec->keys[i].key))
			return false;
	}
	return true;
}

int
ptcp_config_register_lib(const struct ptcp_config_section *sec, size_t off,
		unsigned int rank)
{
	unsigned int i, at;

	if (!section_is_sane(sec))
		return -EINVAL;
	if (names_taken(sec))
		return -EEXIST;
	for (i = 0; i < cfg_nb_lib_sections; i++)
		if (cfg_lib_sections[i].rank == rank)
			return -EINVAL;
	if (cfg_nb_lib_sections == PTCP_CONFIG_MAX_LIB_SECTIONS)
		return -ENOSPC;
	for (at = 0; at < cfg_nb_lib_sections &&
			cfg_lib_sections[at].rank < rank; at++)
		;
	memmove(&cfg_lib_sections[at + 1], &cfg_lib_sections[at],
		(cfg_nb_lib_sections - at) * sizeof(cfg_lib_sections[0]));
	cfg_lib_sections[at].sec = sec;
	cfg_lib_sections[at].off = off;
	cfg_lib_sections[at].rank = rank;
	cfg_nb_lib_sections++;
	return 0;
}

int
ptcp_config_register(struct ptcp_config_schema *schema,
		const struct ptcp_config_section *sec, void *base)
{
	unsigned int i;

	if (schema == NULL || base == NULL || !section_is_sane(sec) ||
			sec->instances > 1 || sec->dump_last)
		return -EINVAL;
	if (names_taken(sec))
		return -EEXIST;
	for (i = 0; i < schema->nb; i++)
		if (strcmp(schema->reg[i].sec->name, sec->name) == 0)
			return -EEXIST;
	if (schema->nb == PTCP_CONFIG_MAX_SECTIONS)
		return -ENOSPC;
	ptcp_config_section_defaults(sec, base);
	schema->reg[schema->nb].sec = sec;
	schema->reg[schema->nb].base = base;
	schema->nb++;
	return 0;
}
