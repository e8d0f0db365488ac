/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>

#include "ptcp_stats.h"

static const char *const stat_names[PTCP_STAT_MAX] = {
#define PTCP_STAT_NAME(n, d) #n,
	PTCP_STATS_LIST(PTCP_STAT_NAME)
#undef PTCP_STAT_NAME
};

static const char *const stat_descs[PTCP_STAT_MAX] = {
#define PTCP_STAT_DESC(n, d) d,
	PTCP_STATS_LIST(PTCP_STAT_DESC)
#undef PTCP_STAT_DESC
};

const char *
ptcp_stat_name(unsigned int id)
{
	return id < PTCP_STAT_MAX ? stat_names[id] : NULL;
}

const char *
ptcp_stat_desc(unsigned int id)
{
	return id < PTCP_STAT_MAX ? stat_descs[id] : NULL;
}

void
ptcp_stats_sum(struct ptcp_stats *dst, const struct ptcp_stats *src)
{
	unsigned int i;

	for (i = 0; i < PTCP_STAT_MAX; i++)
		dst->c[i] += src->c[i];
}

void
ptcp_stats_print(const struct ptcp_stats *s, FILE *f, const char *indent)
{
	unsigned int i;

	for (i = 0; i < PTCP_STAT_MAX; i++)
		if (s->c[i] != 0)
			fprintf(f, "%s%-22s %20" PRIu64 "\n", indent,
				stat_names[i], s->c[i]);
}
