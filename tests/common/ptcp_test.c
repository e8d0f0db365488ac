/* SPDX-License-Identifier: BSD-3-Clause */
/* The test runner of ptcp_test.h. */

#include <stdarg.h>
#include <stdbool.h>

#include "ptcp_test.h"

/* Only the main thread runs tests; this is the one test that runs. */
static unsigned int failures;

/* "  file:line: ", @cond's "CHECK(...) failed: " if not NULL, the message. */
static void __attribute__((format(printf, 4, 0)))
vfail(const char *file, int line, const char *cond, const char *fmt,
		va_list ap)
{
	if (failures++ >= 10)
		return;
	fprintf(stderr, "  %s:%d: ", file, line);
	if (cond != NULL)
		fprintf(stderr, "CHECK(%s) failed: ", cond);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ptcp_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(file, line, NULL, fmt, ap);
	va_end(ap);
}

void
ptcp_test_fail_msg(const char *file, int line, const char *cond,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(file, line, cond, fmt, ap);
	va_end(ap);
}

unsigned int
ptcp_test_failures(void)
{
	return failures;
}

/* " (-22)" after a value whose top bit is set, "" otherwise. */
static const char *
as_signed(uint64_t v, char *buf, size_t len)
{
	if ((int64_t)v < 0)
		snprintf(buf, len, " (%" PRId64 ")", (int64_t)v);
	else
		buf[0] = '\0';
	return buf;
}

void
ptcp_test_fail_eq(const char *file, int line, const char *actual,
		const char *expected, uint64_t a, uint64_t e)
{
	char sa[32], se[32];

	ptcp_test_fail(file, line, "CHECK_EQ(%s, %s) failed: got %" PRIu64
		"%s, expected %" PRIu64 "%s", actual, expected,
		a, as_signed(a, sa, sizeof(sa)), e, as_signed(e, se, sizeof(se)));
}

static bool
wanted(const char *name, int argc, char **argv)
{
	bool any = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = true;
		if (strcmp(argv[i], name) == 0)
			return true;
	}
	return !any;
}

int
ptcp_test_run_after(const struct ptcp_test *tests, int argc, char **argv,
		void (*after)(void))
{
	int failed = 0, passed = 0;

	for (; tests->name != NULL; tests++) {
		if (!wanted(tests->name, argc, argv))
			continue;
		failures = 0;
		if (tests->fn() == 0 && failures == 0) {
			printf("PASS %s\n", tests->name);
			passed++;
		} else {
			printf("FAIL %s\n", tests->name);
			failed++;
		}
		if (after != NULL)
			after();
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}

int
ptcp_test_run(const struct ptcp_test *tests, int argc, char **argv)
{
	return ptcp_test_run_after(tests, argc, argv, NULL);
}
