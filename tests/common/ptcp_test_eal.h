/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TEST_EAL_H
#define PTCP_TEST_EAL_H

/*
 * rte_eal_init() for tests: it takes char ** (getopt permutes the array),
 * tests write their arguments as string literals, which are const. This
 * passes writable copies. The EAL keeps argv[0] (openlog() keeps the
 * pointer), so that copy lives on, held by a static pointer (LeakSanitizer
 * sees it reachable); the others are freed after the call, which copies
 * what it keeps (eal_save_args()).
 *
 *   const char *eal[] = { argv[0], "--no-huge", "-l", "0" };
 *   if (ptcp_test_eal_init((int)RTE_DIM(eal), eal) < 0) ...
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#define PTCP_TEST_EAL_ARGS_MAX 32

/* The copy of argv[0], the EAL's from the call on (see above). */
static char *ptcp_test_eal_argv0;

static inline int
ptcp_test_eal_init(int argc, const char *const argv[])
{
	char *copy[PTCP_TEST_EAL_ARGS_MAX + 1], *args[PTCP_TEST_EAL_ARGS_MAX + 1];
	int i, ret;

	if (argc < 1 || argc > PTCP_TEST_EAL_ARGS_MAX) {
		rte_errno = E2BIG;
		return -1;
	}
	for (i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		if (copy[i] == NULL) {
			while (i-- > 0)
				free(copy[i]);
			rte_errno = ENOMEM;
			return -1;
		}
		args[i] = copy[i];
	}
	copy[argc] = args[argc] = NULL;
	ptcp_test_eal_argv0 = copy[0];
	ret = rte_eal_init(argc, args);
	for (i = 1; i < argc; i++)
		free(copy[i]);
	return ret;
}

#endif /* PTCP_TEST_EAL_H */
