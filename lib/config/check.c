/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: pass 4, the rules across sections: the checks of the
 * libraries' sections by rank (the ports' first: contiguous, one address
 * each; static ARP entries; mbuf size against the MTU, RTO order, MSS
 * against the MTU...), then the application's (service ports); and what a
 * check may ask of the load in progress.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* Whether the file or an override gave [section] key. */
bool
ptcp_config_given(const struct ptcp_config_ctx *c, const char *section,
		const char *key)
{
	return rte_cfgfile_has_entry(c->cf, section, key) > 0;
}

const char *
ptcp_config_value(const struct ptcp_config_ctx *c, const char *section,
		const char *key)
{
	return rte_cfgfile_get_entry(c->cf, section, key);
}

int
ptcp_config_foreach_key(struct ptcp_config_ctx *c, const char *section,
		int (*fn)(struct ptcp_config_ctx *ctx, const char *key,
			const char *value, void *arg), void *arg)
{
	struct rte_cfgfile_entry *e;
	int i, nb, ret = 0;

	nb = rte_cfgfile_section_num_entries(c->cf, section);
	if (nb <= 0)
		return 0;
	e = malloc(nb * sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	nb = rte_cfgfile_section_entries(c->cf, section, e, nb);
	for (i = 0; ret == 0 && i < nb; i++)
		ret = fn(c, e[i].name, e[i].value, arg);
	free(e);
	return ret;
}

const struct ptcp_config *
ptcp_config_of(const struct ptcp_config_ctx *c)
{
	return c->cfg;
}

/* The checks of the libraries' sections, by rank. */
static int
check_libs(struct ptcp_config_ctx *c)
{
	const struct cfg_lib_section *l;
	unsigned int i;
	int ret;

	for (i = 0; i < cfg_nb_lib_sections; i++) {
		l = &cfg_lib_sections[i];
		if (l->sec->check == NULL)
			continue;
		ret = l->sec->check(c, (char *)c->cfg + l->off);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* The checks of the registered sections, in registration order. */
static int
check_registered(struct ptcp_config_ctx *c)
{
	unsigned int i;
	int ret;

	for (i = 0; c->schema != NULL && i < c->schema->nb; i++) {
		if (c->schema->reg[i].sec->check == NULL)
			continue;
		ret = c->schema->reg[i].sec->check(c, c->schema->reg[i].base);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int
cfg_check_config(struct ptcp_config_ctx *c)
{
	int ret;

	ret = check_libs(c);
	if (ret == 0)
		ret = check_registered(c);
	return ret;
}
