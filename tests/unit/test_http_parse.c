/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit suite: ptcp-server's pure parts, no DPDK: the HTTP request parser
 * (app/server/http_parse.c) fed whole, split at every byte and byte by
 * byte; and the bytes the services send (app/server/textgen.c): the
 * daytime line, the chargen pattern, HTTP response heads.
 */
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "textgen.h"
#include "ptcp_test.h"

#define LIMIT 8192
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Feed @s whole to a fresh parser; @used gets the bytes consumed. */
static enum http_parse_result
parse_all(struct http_parser *p, const char *s, size_t len, size_t *used)
{
	http_parser_init(p, LIMIT);
	return http_parse(p, s, len, used);
}

static enum http_parse_result
parse_str(struct http_parser *p, const char *s)
{
	size_t used;

	return parse_all(p, s, strlen(s), &used);
}

/* @s must parse to DONE using all its bytes; req filled. */
static int
expect_done(const char *s, struct http_request *req)
{
	struct http_parser p;
	size_t used;

	CHECK_EQ(parse_all(&p, s, strlen(s), &used), HTTP_PARSE_DONE);
	CHECK_EQ(used, strlen(s));
	CHECK_EQ(p.req.status, 0);
	*req = p.req;
	return 0;
}

/* @s must be rejected with @status. */
static int
expect_error(const char *s, size_t len, unsigned int status)
{
	struct http_parser p;
	size_t used;

	CHECK_EQ(parse_all(&p, s, len, &used), HTTP_PARSE_ERROR);
	CHECK_EQ(p.req.status, status);
	CHECK(used <= len);
	return 0;
}

#define EXPECT_400(s) CHECK(expect_error(s, sizeof(s) - 1, 400) == 0)

static int
get_is_get(void)
{
	struct http_request r;

	CHECK(expect_done("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n",
		&r) == 0);
	CHECK_EQ(r.method, HTTP_METHOD_GET);
	CHECK_EQ(r.version_minor, 1);
	CHECK(r.keep_alive);
	CHECK_EQ(r.host_count, 1);
	CHECK_EQ(r.content_length, 0);
	return 0;
}

static int
head_is_head(void)
{
	struct http_request r;

	CHECK(expect_done("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", &r) == 0);
	CHECK_EQ(r.method, HTTP_METHOD_HEAD);
	return 0;
}

static int
post_and_others_are_other(void)
{
	static const char *const reqs[] = {
		"POST / HTTP/1.1\r\nHost: a\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: a\r\n\r\n",
		"DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		"get / HTTP/1.1\r\nHost: a\r\n\r\n",      /* case-sensitive */
		"GETX / HTTP/1.1\r\nHost: a\r\n\r\n",
		"HEA / HTTP/1.1\r\nHost: a\r\n\r\n",
		"AVERYLONGMETHODNAMEINDEEDYES / HTTP/1.1\r\nHost: a\r\n\r\n",
	};
	struct http_request r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		CHECK_MSG(expect_done(reqs[i], &r) == 0, "%s", reqs[i]);
		CHECK_MSG(r.method == HTTP_METHOD_OTHER, "%s", reqs[i]);
	}
	return 0;
}

static int
http10_closes_unless_keep_alive(void)
{
	struct http_request r;

	CHECK(expect_done("GET / HTTP/1.0\r\n\r\n", &r) == 0);
	CHECK_EQ(r.version_minor, 0);
	CHECK(!r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		&r) == 0);
	CHECK(r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
		&r) == 0);
	CHECK(r.keep_alive);
	/* close wins over keep-alive */
	CHECK(expect_done("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
		"Connection: close\r\n\r\n", &r) == 0);
	CHECK(!r.keep_alive);
	return 0;
}

static int
http11_keeps_alive_unless_close(void)
{
	struct http_request r;

	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &r) == 0);
	CHECK(r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n"
		"\r\n", &r) == 0);
	CHECK(!r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\nCONNECTION:CLOSE\r\n"
		"\r\n", &r) == 0);
	CHECK(!r.keep_alive);
	/* a later minor version is treated as 1.1 */
	CHECK(expect_done("GET / HTTP/1.7\r\nHost: a\r\n\r\n", &r) == 0);
	CHECK_EQ(r.version_minor, 1);
	CHECK(r.keep_alive);
	return 0;
}

static int
connection_token_lists(void)
{
	struct http_request r;

	CHECK(expect_done("GET / HTTP/1.0\r\nconnection: keep-alive, Upgrade"
		"\r\n\r\n", &r) == 0);
	CHECK(r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade,"
		"close \r\n\r\n", &r) == 0);
	CHECK(!r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection:\t, ,"
		"\tTE , CLOSE\t\r\n\r\n", &r) == 0);
	CHECK(!r.keep_alive);
	/* not the token "close" */
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed, "
		"xclose, close-ish\r\n\r\n", &r) == 0);
	CHECK(r.keep_alive);
	CHECK(expect_done("GET / HTTP/1.0\r\nConnection: keep-alivex\r\n\r\n",
		&r) == 0);
	CHECK(!r.keep_alive);
	/* "close" in another field means nothing */
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\r\nX-Connection: close"
		"\r\n\r\n", &r) == 0);
	CHECK(r.keep_alive);
	return 0;
}

static int
host_rules(void)
{
	struct http_request r;

	EXPECT_400("GET / HTTP/1.1\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n");
	EXPECT_400("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n");
	CHECK(expect_done("GET / HTTP/1.0\r\nHost: a\r\n\r\n", &r) == 0);
	CHECK(expect_done("GET / HTTP/1.1\r\nhOsT:\r\n\r\n", &r) == 0);
	return 0;
}

/* Feed @s split at every position, and byte by byte. */
static int
split_everywhere(const char *s, enum http_method method, bool keep_alive)
{
	size_t len = strlen(s), k, i, used;
	struct http_parser p;

	for (k = 0; k <= len; k++) {
		http_parser_init(&p, LIMIT);
		if (k > 0) {
			CHECK_MSG(http_parse(&p, s, k, &used) ==
				(k == len ? HTTP_PARSE_DONE : HTTP_PARSE_MORE),
				"split at %zu", k);
			CHECK_EQ(used, k);
		}
		if (k < len) {
			CHECK_MSG(http_parse(&p, s + k, len - k, &used) ==
				HTTP_PARSE_DONE, "split at %zu", k);
			CHECK_EQ(used, len - k);
		}
		CHECK_EQ(p.req.method, method);
		CHECK_EQ(p.req.keep_alive, keep_alive);
	}
	http_parser_init(&p, LIMIT);
	for (i = 0; i < len; i++) {
		CHECK_MSG(http_parse(&p, s + i, 1, &used) ==
			(i + 1 == len ? HTTP_PARSE_DONE : HTTP_PARSE_MORE),
			"byte %zu", i);
		CHECK_EQ(used, 1);
	}
	CHECK_EQ(p.req.method, method);
	CHECK_EQ(p.req.keep_alive, keep_alive);
	CHECK_EQ(p.req.status, 0);
	return 0;
}

static int
head_split_across_chunks_byte_by_byte(void)
{
	CHECK(split_everywhere("GET /a/b?c=d HTTP/1.1\r\nHost: example.org\r\n"
		"User-Agent: t\r\nConnection: keep-alive, close\r\n\r\n",
		HTTP_METHOD_GET, false) == 0);
	CHECK(split_everywhere("HEAD / HTTP/1.0\r\nConnection: Keep-Alive\r\n"
		"\r\n", HTTP_METHOD_HEAD, true) == 0);
	/* with a body to skip */
	CHECK(split_everywhere("POST /f HTTP/1.1\r\nHost: h\r\n"
		"Content-Length: 11\r\n\r\nhello world", HTTP_METHOD_OTHER,
		true) == 0);
	/* bare LF line ends */
	CHECK(split_everywhere("GET / HTTP/1.1\nHost: h\n\n", HTTP_METHOD_GET,
		true) == 0);
	return 0;
}

static int
pipelined_requests_in_order(void)
{
	static const char a[] = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char b[] = "HEAD /2 HTTP/1.1\r\nHost: h\r\n"
		"Connection: close\r\n\r\n";
	char buf[256];
	struct http_parser p;
	size_t used, la = sizeof(a) - 1, lb = sizeof(b) - 1;

	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	http_parser_init(&p, LIMIT);
	CHECK_EQ(http_parse(&p, buf, la + lb, &used), HTTP_PARSE_DONE);
	CHECK_EQ(used, la);
	CHECK_EQ(p.req.method, HTTP_METHOD_GET);
	CHECK(p.req.keep_alive);
	/* without a reset it stays done */
	CHECK_EQ(http_parse(&p, buf + used, la + lb - used, &used),
		HTTP_PARSE_DONE);
	CHECK_EQ(used, 0);
	http_parser_reset(&p);
	CHECK_EQ(http_parse(&p, buf + la, lb, &used), HTTP_PARSE_DONE);
	CHECK_EQ(used, lb);
	CHECK_EQ(p.req.method, HTTP_METHOD_HEAD);
	CHECK(!p.req.keep_alive);
	return 0;
}

static int
body_is_skipped_before_next_request(void)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: h\r\nContent-Length:"
		" 5 \r\nContent-Length: 5\r\n\r\nGET /GET /2 HTTP/1.1\r\n"
		"Host: h\r\n\r\n";
	struct http_parser p;
	size_t used, first;

	http_parser_init(&p, LIMIT);
	CHECK_EQ(http_parse(&p, s, sizeof(s) - 1, &used), HTTP_PARSE_DONE);
	CHECK_EQ(p.req.content_length, 5);
	first = strstr(s, "GET /2") - s;
	CHECK_EQ(used, first);
	http_parser_reset(&p);
	CHECK_EQ(http_parse(&p, s + first, sizeof(s) - 1 - first, &used),
		HTTP_PARSE_DONE);
	CHECK_EQ(used, sizeof(s) - 1 - first);
	CHECK_EQ(p.req.content_length, 0);
	return 0;
}

static int
bad_bodies_are_400(void)
{
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
		"Content-Length: 6\r\n\r\n");
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5 5\r\n\r\n");
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,5\r\n\r\n");
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n");
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n");
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
		"99999999999999999999999\r\n\r\n");
	EXPECT_400("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked"
		"\r\n\r\n");
	return 0;
}

static int
head_over_the_limit_is_431(void)
{
	char buf[LIMIT + 64];
	struct http_parser p;
	size_t used, n;

	/* exactly LIMIT bytes: accepted */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n"
		"X: ");
	memset(buf + n, 'a', LIMIT - n - 4);
	memcpy(buf + LIMIT - 4, "\r\n\r\n", 4);
	http_parser_init(&p, LIMIT);
	CHECK_EQ(http_parse(&p, buf, LIMIT, &used), HTTP_PARSE_DONE);
	CHECK_EQ(used, LIMIT);
	/* one more: 431, at the byte over the limit */
	memset(buf + n, 'a', LIMIT - n - 3);
	memcpy(buf + LIMIT - 3, "\r\n\r\n", 4);
	http_parser_init(&p, LIMIT);
	CHECK_EQ(http_parse(&p, buf, LIMIT + 1, &used), HTTP_PARSE_ERROR);
	CHECK_EQ(p.req.status, 431);
	CHECK_EQ(used, LIMIT + 1);
	/* a small limit, fed byte by byte, and a long request line */
	http_parser_init(&p, 10);
	for (n = 0; n < 10; n++)
		CHECK_EQ(http_parse(&p, &"GET /aaaaaaaa"[n], 1, &used),
			HTTP_PARSE_MORE);
	CHECK_EQ(http_parse(&p, "a", 1, &used), HTTP_PARSE_ERROR);
	CHECK_EQ(p.req.status, 431);
	/* a body does not count against the head limit */
	http_parser_init(&p, 64);
	n = (size_t)snprintf(buf, sizeof(buf), "PUT / HTTP/1.0\r\n"
		"Content-Length: 200\r\n\r\n");
	memset(buf + n, 'b', 200);
	CHECK_EQ(http_parse(&p, buf, n + 200, &used), HTTP_PARSE_DONE);
	CHECK_EQ(used, n + 200);
	return 0;
}

static int
line_endings(void)
{
	struct http_request r;

	/* bare LF: accepted (RFC 9112 §2.2), also mixed with CRLF */
	CHECK(expect_done("GET / HTTP/1.1\nHost: a\n\n", &r) == 0);
	CHECK(expect_done("GET / HTTP/1.1\r\nHost: a\n\r\n", &r) == 0);
	/* empty lines before the request line are skipped */
	CHECK(expect_done("\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &r) == 0);
	/* bare CR: 400 */
	EXPECT_400("GET / HTTP/1.1\rHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\nHost: a\r\n\rX");
	EXPECT_400("\rGET / HTTP/1.1\r\n\r\n");
	return 0;
}

static int
malformed_request_lines_are_400(void)
{
	EXPECT_400("GET  / HTTP/1.1\r\nHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1 \r\nHost: a\r\n\r\n");
	EXPECT_400(" GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	EXPECT_400("GET /\r\n\r\n");                      /* HTTP/0.9 */
	EXPECT_400("GET / HTTP/2.0\r\nHost: a\r\n\r\n");
	EXPECT_400("GET / http/1.1\r\nHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.10\r\nHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.\r\nHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\n\x01");
	EXPECT_400("G(T / HTTP/1.1\r\nHost: a\r\n\r\n");
	EXPECT_400("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n");
	EXPECT_400("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n");
	return 0;
}

static int
nul_bytes_are_400(void)
{
	static const char rl[] = "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char m[] = "GE\0T / HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char v[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	static const char n[] = "GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n";
	static const char first[] = "\0GET / HTTP/1.1\r\n\r\n";

	CHECK(expect_error(rl, sizeof(rl) - 1, 400) == 0);
	CHECK(expect_error(m, sizeof(m) - 1, 400) == 0);
	CHECK(expect_error(v, sizeof(v) - 1, 400) == 0);
	CHECK(expect_error(n, sizeof(n) - 1, 400) == 0);
	CHECK(expect_error(first, sizeof(first) - 1, 400) == 0);
	return 0;
}

static int
malformed_fields_are_400(void)
{
	EXPECT_400("GET / HTTP/1.1\r\nHost : a\r\n\r\n");   /* SP before : */
	EXPECT_400("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\nHost a\r\n\r\n");     /* no colon */
	EXPECT_400("GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n");
	EXPECT_400("GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n");
	return 0;
}

static int
garbage_is_400_at_once(void)
{
	static const unsigned char tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00,
		0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 };
	struct http_parser p;
	unsigned int seed = 12345, i, k;
	unsigned char junk[512];
	size_t used;

	http_parser_init(&p, LIMIT);
	CHECK_EQ(http_parse(&p, tls, sizeof(tls), &used), HTTP_PARSE_ERROR);
	CHECK_EQ(p.req.status, 400);
	CHECK_EQ(used, 1);
	/* random bytes: never DONE, never past the end, never a crash */
	for (k = 0; k < 2000; k++) {
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (unsigned char)(rand_r(&seed) >> 7);
		http_parser_init(&p, 256);
		if (http_parse(&p, junk, sizeof(junk), &used) ==
				HTTP_PARSE_ERROR)
			CHECK(p.req.status == 400 || p.req.status == 431);
		CHECK(used <= sizeof(junk));
	}
	/* after ERROR: stays ERROR, consumes nothing */
	http_parser_init(&p, LIMIT);
	CHECK_EQ(parse_str(&p, "\x80"), HTTP_PARSE_ERROR);
	CHECK_EQ(http_parse(&p, "GET", 3, &used), HTTP_PARSE_ERROR);
	CHECK_EQ(used, 0);
	return 0;
}

static int
daytime_line_format(void)
{
	char buf[DAYTIME_LINE_MAX];
	size_t n;

	n = daytime_format(buf, sizeof(buf), 1795277256);
	CHECK_EQ(n, strlen("Saturday, November 21, 2026 16:07:36-UTC\r\n"));
	CHECK(strcmp(buf, "Saturday, November 21, 2026 16:07:36-UTC\r\n") == 0);
	n = daytime_format(buf, sizeof(buf), 0);
	CHECK(strcmp(buf, "Thursday, January 01, 1970 00:00:00-UTC\r\n") == 0);
	CHECK_EQ(n, strlen(buf));
	/* the longest day and month names fit */
	n = daytime_format(buf, sizeof(buf), 1790812799);
	CHECK(strcmp(buf, "Wednesday, September 30, 2026 23:59:59-UTC\r\n") == 0);
	CHECK(n < DAYTIME_LINE_MAX);
	/* too small: 0 */
	CHECK_EQ(daytime_format(buf, 10, 0), 0);
	return 0;
}

static int
chargen_first_lines_and_wrap(void)
{
	char cyc[2 * CHARGEN_CYCLE + 1];
	char part[300];
	size_t i, j;

	chargen_fill(cyc, 2 * CHARGEN_CYCLE, 0);
	CHECK(memcmp(cyc, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNO"
		"PQRSTUVWXYZ[\\]^_`abcdefg\r\n", CHARGEN_LINE_LEN) == 0);
	CHECK(memcmp(cyc + CHARGEN_LINE_LEN, "!\"#$%&'()*+,-./0123456789:;<=>?"
		"@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n",
		CHARGEN_LINE_LEN) == 0);
	CHECK(memcmp(cyc + 2 * CHARGEN_LINE_LEN, "\"#$%&'()*+,-./0123456789:;"
		"<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi\r\n",
		CHARGEN_LINE_LEN) == 0);
	for (i = 0; i < CHARGEN_NB_CHARS; i++) {
		const char *l = cyc + i * CHARGEN_LINE_LEN;

		CHECK_EQ(l[0], ' ' + i);
		for (j = 0; j < CHARGEN_LINE_CHARS; j++)
			CHECK_EQ(l[j], ' ' + (i + j) % 95);
		CHECK(l[72] == '\r' && l[73] == '\n');
	}
	/* line 94 starts at '~' and goes on with ' ' */
	CHECK(memcmp(cyc + 94 * CHARGEN_LINE_LEN, "~ !\"", 4) == 0);
	/* line 95 is line 0 again: the cycle is 95 lines */
	CHECK_EQ(CHARGEN_CYCLE, 95 * 74);
	CHECK(memcmp(cyc + CHARGEN_CYCLE, cyc, CHARGEN_CYCLE) == 0);
	/* any start position continues the same stream */
	for (i = 0; i < CHARGEN_CYCLE; i += 97) {
		chargen_fill(part, sizeof(part), i);
		CHECK_MSG(memcmp(part, cyc + i, sizeof(part)) == 0, "pos %zu", i);
		chargen_fill(part, sizeof(part), i + 3 * (uint64_t)CHARGEN_CYCLE);
		CHECK_MSG(memcmp(part, cyc + i, sizeof(part)) == 0, "pos %zu", i);
	}
	return 0;
}

static int
http_heads(void)
{
	char date[HTTP_DATE_MAX], buf[HTTP_HEAD_MAX];
	size_t n;

	CHECK_EQ(http_date_format(date, sizeof(date), 784111777),
		strlen("Sun, 06 Nov 1994 08:49:37 GMT"));
	CHECK(strcmp(date, "Sun, 06 Nov 1994 08:49:37 GMT") == 0);
	n = http_head_format(buf, sizeof(buf), 200, 64, HTTP_CONN_NONE, date);
	CHECK(strcmp(buf, "HTTP/1.1 200 OK\r\nServer: ptcp\r\n"
		"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		"Content-Type: text/plain\r\nContent-Length: 64\r\n\r\n") == 0);
	CHECK_EQ(n, strlen(buf));
	http_head_format(buf, sizeof(buf), 405, strlen(http_error_body(405)),
		HTTP_CONN_KEEP_ALIVE, date);
	CHECK(strstr(buf, "HTTP/1.1 405 Method Not Allowed\r\n") == buf);
	CHECK(strstr(buf, "\r\nAllow: GET, HEAD\r\n") != NULL);
	CHECK(strstr(buf, "\r\nContent-Length: 19\r\n") != NULL);
	CHECK(strstr(buf, "\r\nConnection: keep-alive\r\n\r\n") != NULL);
	n = http_head_format(buf, sizeof(buf), 431, UINT64_MAX, HTTP_CONN_CLOSE,
		date);
	CHECK(strstr(buf, "HTTP/1.1 431 Request Header Fields Too Large\r\n")
		== buf);
	CHECK(strstr(buf, "\r\nConnection: close\r\n\r\n") != NULL);
	CHECK(n < HTTP_HEAD_MAX);
	CHECK_EQ(http_head_format(buf, 20, 200, 0, HTTP_CONN_NONE, date), 0);
	return 0;
}

static const struct ptcp_test tests[] = {
	TEST(get_is_get),
	TEST(head_is_head),
	TEST(post_and_others_are_other),
	TEST(http10_closes_unless_keep_alive),
	TEST(http11_keeps_alive_unless_close),
	TEST(connection_token_lists),
	TEST(host_rules),
	TEST(head_split_across_chunks_byte_by_byte),
	TEST(pipelined_requests_in_order),
	TEST(body_is_skipped_before_next_request),
	TEST(bad_bodies_are_400),
	TEST(head_over_the_limit_is_431),
	TEST(line_endings),
	TEST(malformed_request_lines_are_400),
	TEST(nul_bytes_are_400),
	TEST(malformed_fields_are_400),
	TEST(garbage_is_400_at_once),
	TEST(daytime_line_format),
	TEST(chargen_first_lines_and_wrap),
	TEST(http_heads),
	{ 0 },
};

int
main(int argc, char **argv)
{
	return ptcp_test_run(tests, argc, argv);
}
