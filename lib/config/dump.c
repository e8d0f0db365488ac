/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: ptcp_config_dump(), the effective configuration in INI form:
 * the libraries' sections by rank (each instance, through its dump hook if
 * it has one), the application's, then the libraries' dump_last ones.
 */

#include <inttypes.h>

#include "config_priv.h"

void
ptcp_config_dump_keys(const struct ptcp_config_key *keys, unsigned int n,
		const void *base, FILE *f)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		const void *field = (const char *)base + keys[k].off;

		if (keys[k].type == PTCP_CONFIG_BOOL)
			fprintf(f, "%s = %s", keys[k].key,
				*(const bool *)field ? "yes" : "no");
		else if (keys[k].type == PTCP_CONFIG_ENUM)
			fprintf(f, "%s = %s", keys[k].key, keys[k].names[
				RTE_MIN(cfg_load_uint(field, keys[k].size),
					keys[k].max)]);
		else
			fprintf(f, "%s = %" PRIu64, keys[k].key,
				cfg_load_uint(field, keys[k].size));
		fprintf(f, "\t; %s\n", keys[k].doc);
	}
}

static void
dump_section(const struct ptcp_config_section *sec, const char *name,
		const void *base, FILE *f)
{
	if (sec->dump != NULL) {
		sec->dump(sec, name, base, f);
		return;
	}
	fprintf(f, "\n[%s]\n", name);
	ptcp_config_dump_keys(sec->keys, sec->nb_keys, base, f);
}

/* The libraries' sections whose dump_last is @p last, by rank. */
static void
dump_libs(const struct ptcp_config *cfg, bool last, FILE *f)
{
	const struct cfg_lib_section *l;
	char name[CFG_NAME_LEN];
	unsigned int s, k;

	for (s = 0; s < cfg_nb_lib_sections; s++) {
		l = &cfg_lib_sections[s];
		if (l->sec->dump_last != last)
			continue;
		for (k = 0; k < cfg_nb_instances(l->sec); k++)
			dump_section(l->sec, cfg_instance_name(l->sec, k, name),
				(const char *)cfg + l->off +
				k * l->sec->instance_size, f);
	}
}

void
ptcp_config_dump(const struct ptcp_config *cfg, FILE *f)
{
	unsigned int s;

	fprintf(f, "; ptcp effective configuration\n");
	dump_libs(cfg, false, f);
	for (s = 0; cfg->schema != NULL && s < cfg->schema->nb; s++)
		dump_section(cfg->schema->reg[s].sec,
			cfg->schema->reg[s].sec->name,
			cfg->schema->reg[s].base, f);
	dump_libs(cfg, true, f);
}
