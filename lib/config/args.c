/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the command-line side shared by ptcp-server and ptcp-churn.
 * Their options follow the EAL's after "--"; `-c/--config FILE` and
 * `-s/--set SECTION.KEY=VALUE` (repeatable) name the configuration, which
 * is loaded, and any error reported as "PROG: <one line>", before the EAL
 * starts.
 */

#include <errno.h>
#include <string.h>

#include "config_priv.h"

int
ptcp_config_args_split(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
				strcmp(argv[i], "--help") == 0)
			return -1;
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	return i;
}

int
ptcp_config_args_take(struct ptcp_config_args *a, int opt, const char *arg,
		const char *prog)
{
	switch (opt) {
	case 'c':
		a->path = arg;
		return 1;
	case 's':
		if (a->nb_sets == PTCP_CONFIG_MAX_SETS) {
			fprintf(stderr, "%s: --set: more than %d overrides\n",
				prog, PTCP_CONFIG_MAX_SETS);
			return -E2BIG;
		}
		a->sets[a->nb_sets++] = arg;
		return 1;
	default:
		return 0;
	}
}

int
ptcp_config_load_args(struct ptcp_config *cfg,
		const struct ptcp_config_schema *schema,
		const struct ptcp_config_args *a, const char *prog)
{
	char err[PTCP_CONFIG_ERRLEN * 2];
	int ret;

	ret = ptcp_config_load_with(cfg, schema, a->path, a->sets, a->nb_sets,
		err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	return ret;
}
