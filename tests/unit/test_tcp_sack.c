/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder: filled by the issue 6 work. */
#include "ptcp_test.h"

static const struct ptcp_test tests[] = {
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
