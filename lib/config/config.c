/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptcp configuration: INI file -> rte_cfgfile -> struct ptcp_config.
 *
 * ptcp_config_load() runs four passes, each stopping at the first error
 * with one line in the caller's buffer:
 *
 *   cfg_read_file()        reader.c: the file, line by line, into an
 *                          rte_cfgfile ("FILE:LINE: ...")
 *   cfg_apply_overrides()  reader.c: the --set strings, into the same
 *                          rte_cfgfile
 *   cfg_parse_sections()   schema.c: every section and key, typed and
 *                          range-checked ("FILE: [section] key: reason")
 *   cfg_check_config()     check.c: rules across keys
 *
 * value.c holds the value parsers, dump.c ptcp_config_dump().
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

int
ptcp_config_load(struct ptcp_config *cfg, const char *path,
		const char *const *overrides, unsigned int nb_overrides,
		char *err, size_t errlen)
{
	return ptcp_config_load_with(cfg, NULL, path, overrides, nb_overrides,
		err, errlen);
}

int
ptcp_config_load_with(struct ptcp_config *cfg,
		const struct ptcp_config_schema *schema, const char *path,
		const char *const *overrides, unsigned int nb_overrides,
		char *err, size_t errlen)
{
	struct ptcp_config_ctx c = {
		.cfg = cfg,
		.schema = schema,
		.path = path,
		.err = err,
		.errlen = errlen,
	};
	unsigned int i;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (cfg == NULL)
		return -EINVAL;
	ptcp_config_defaults(cfg);
	cfg->schema = schema;
	for (i = 0; schema != NULL && i < schema->nb; i++)
		ptcp_config_section_defaults(schema->reg[i].sec,
			schema->reg[i].base);
	c.cf = rte_cfgfile_create(0);
	if (c.cf == NULL)
		ret = -ENOMEM;
	else
		ret = path != NULL ? cfg_read_file(&c) : 0;
	if (ret == 0)
		ret = cfg_apply_overrides(&c, overrides, nb_overrides);
	if (ret == 0)
		ret = cfg_parse_sections(&c);
	if (ret == 0)
		ret = cfg_check_config(&c);
	if (ret == -ENOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: out of memory",
			path != NULL ? path : CMDLINE);
	else if (ret == -EINVAL && err != NULL && errlen > 0 && !err[0])
		snprintf(err, errlen, "%s: invalid arguments",
			path != NULL ? path : CMDLINE);
	if (c.cf != NULL)
		rte_cfgfile_close(c.cf);
	free(c.seen);
	free(c.ovr);
	return ret;
}
