/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TEST_H
#define PTCP_TEST_H

/*
 * A minimal test runner shared by the suites: named tests, checks that
 * print file:line with expected and actual values, a non-zero exit when
 * anything failed.
 *
 *   static int test_foo(void) { CHECK_EQ(1 + 1, 2); return 0; }
 *   static const struct ptcp_test tests[] = { TEST(test_foo), { 0 } };
 *   int main(int argc, char **argv) { return ptcp_test_run(tests, argc, argv); }
 *
 * A test returns 0 on success; a failed CHECK returns -1 from it at once.
 * Run one test by naming it: ./test_x name.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct ptcp_test {
	const char *name;
	int (*fn)(void);
};

#define TEST(fn) { #fn, fn }

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, \
			__LINE__, #cond); \
		return -1; \
	} \
} while (0)

#define CHECK_MSG(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, \
			__LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		return -1; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		fprintf(stderr, "  %s:%d: %s == %s: got %" PRIu64 \
			", expected %" PRIu64 "\n", __FILE__, __LINE__, \
			#a, #b, a_, b_); \
		return -1; \
	} \
} while (0)

/*
 * As ptcp_test_run(), calling @after (if not NULL) after every test, pass
 * or fail: suites with resources (an engine, a netns) release them there.
 */
static inline int
ptcp_test_run_after(const struct ptcp_test *tests, int argc, char **argv,
		void (*after)(void))
{
	const char *only = argc > 1 ? argv[argc - 1] : NULL;
	int failed = 0, passed = 0;

	if (only != NULL && only[0] == '-')
		only = NULL;
	for (; tests->name != NULL; tests++) {
		if (only != NULL && strcmp(only, tests->name) != 0)
			continue;
		if (tests->fn() == 0) {
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

static inline int
ptcp_test_run(const struct ptcp_test *tests, int argc, char **argv)
{
	return ptcp_test_run_after(tests, argc, argv, NULL);
}

#endif /* PTCP_TEST_H */
