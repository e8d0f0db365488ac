/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_TEST_H
#define PTCP_TEST_H

/**
 * @file
 * The one test runner of the unit and pkt suites (ptcp_test.c, linked as
 * ptcp_test_dep): named tests, checks that print file:line, the
 * expressions and both values, a non-zero exit when anything failed.
 *
 *   static int foo_is_two(void) { CHECK_EQ(foo(), 2); return 0; }
 *   static const struct ptcp_test tests[] = { TEST(foo_is_two), { 0 } };
 *   int main(int argc, char **argv) { return ptcp_test_run(tests, argc, argv); }
 *
 * A test returns 0 on success; a failed CHECK returns -1 from it at once.
 * CHECK_EQ and CHECK_STR take the actual value first, the expected one
 * second. Code that cannot return (a callback, a handler) reports with
 * TEST_FAIL(): the test fails when it returns, and CHECK_OK() returns -1
 * at once if anything was reported. Run some tests by naming them:
 * ./test_x name [name ...].
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct ptcp_test {
	const char *name;
	int (*fn)(void);
};

#define TEST(fn) { #fn, fn }

/* Print "  file:line: " and the message (the first 10 of a test only). */
void ptcp_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A CHECK_MSG that failed: "CHECK(@cond) failed: " and the message. */
void ptcp_test_fail_msg(const char *file, int line, const char *cond,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Failures reported so far by the running test. */
unsigned int ptcp_test_failures(void);
/* A CHECK_EQ that failed: the expressions and both values. */
void ptcp_test_fail_eq(const char *file, int line, const char *actual,
		const char *expected, uint64_t a, uint64_t e);

#define TEST_FAIL(...) ptcp_test_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond) do { \
	if (!(cond)) { \
		TEST_FAIL("CHECK(%s) failed", #cond); \
		return -1; \
	} \
} while (0)

/* As CHECK, with a printf-style message after the expression. */
#define CHECK_MSG(cond, ...) do { \
	if (!(cond)) { \
		ptcp_test_fail_msg(__FILE__, __LINE__, #cond, __VA_ARGS__); \
		return -1; \
	} \
} while (0)

/* @actual == @expected, both as 64-bit integers (negative ones shown too). */
#define CHECK_EQ(actual, expected) do { \
	uint64_t a_ = (uint64_t)(actual), e_ = (uint64_t)(expected); \
	if (a_ != e_) { \
		ptcp_test_fail_eq(__FILE__, __LINE__, #actual, #expected, \
			a_, e_); \
		return -1; \
	} \
} while (0)

/* Two C strings, equal. */
#define CHECK_STR(actual, expected) do { \
	const char *a_ = (actual), *e_ = (expected); \
	if (strcmp(a_, e_) != 0) { \
		TEST_FAIL("CHECK_STR(%s, %s) failed\n    got      '%s'\n" \
			"    expected '%s'", #actual, #expected, a_, e_); \
		return -1; \
	} \
} while (0)

/* Return -1 at once if the running test has reported a failure. */
#define CHECK_OK() do { \
	if (ptcp_test_failures() != 0) \
		return -1; \
} while (0)

/*
 * Run @tests (all, or those named on the command line), each followed by
 * @after if not NULL, pass or fail: suites with resources (an engine, a
 * netns) release them there. Prints PASS or FAIL and the test's name for
 * each, then a count. @return 0 if every test run passed and one ran, 1
 * otherwise.
 */
int ptcp_test_run_after(const struct ptcp_test *tests, int argc, char **argv,
		void (*after)(void));

/* ptcp_test_run_after() with no @after. */
int ptcp_test_run(const struct ptcp_test *tests, int argc, char **argv);

#endif /* PTCP_TEST_H */
