/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TEXTGEN_H
#define TEXTGEN_H

/**
 * @file
 * The bytes ptcp-server's services send, as pure functions (no DPDK, no
 * state): the daytime line, the chargen pattern and HTTP response heads.
 * Unit tested in tests/unit/test_http_parse.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Room for a daytime line ("Wednesday, September 30, 2026 23:59:59-UTC\r\n"). */
#define DAYTIME_LINE_MAX 64

/**
 * The RFC 867 line for @p t: "%A, %B %d, %Y %H:%M:%S-UTC\r\n" in UTC
 * (C locale names).
 * @return its length, or 0 if @p size is too small
 */
size_t daytime_format(char *buf, size_t size, time_t t);

/** Characters per chargen line, before CRLF (RFC 864). */
#define CHARGEN_LINE_CHARS 72
/** Bytes per chargen line with CRLF. */
#define CHARGEN_LINE_LEN (CHARGEN_LINE_CHARS + 2)
/** Printable ASCII, 0x20..0x7e: line i starts at character i mod 95. */
#define CHARGEN_NB_CHARS 95
/** The pattern repeats every this many bytes (95 lines). */
#define CHARGEN_CYCLE (CHARGEN_NB_CHARS * CHARGEN_LINE_LEN)

/**
 * Fill @p buf with @p len bytes of the chargen stream starting at byte
 * @p pos of it (taken modulo CHARGEN_CYCLE).
 */
void chargen_fill(char *buf, size_t len, uint64_t pos);

/** The Connection field a response carries. */
enum http_conn_hdr {
	HTTP_CONN_NONE = 0,     /**< HTTP/1.1 keep-alive: no field */
	HTTP_CONN_CLOSE,        /**< "Connection: close" */
	HTTP_CONN_KEEP_ALIVE,   /**< "Connection: keep-alive" (HTTP/1.0) */
};

/** Room for an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"). */
#define HTTP_DATE_MAX 32
/** Room that is always enough for http_head_format(). */
#define HTTP_HEAD_MAX 256

/** RFC 9110 §5.6.7 IMF-fixdate of @p t. @return its length, 0 if too small */
size_t http_date_format(char *buf, size_t size, time_t t);

/** Reason phrase of a status the responder sends ("Not Found"), or "". */
const char *http_reason(unsigned int status);

/**
 * The body of an error response of @p status ("Bad Request\n"); its length
 * is the Content-Length http_head_format() is given for it.
 */
const char *http_error_body(unsigned int status);

/**
 * Format a response head:
 *
 *     HTTP/1.1 <status> <reason>\r\n
 *     Server: ptcp\r\n
 *     Date: <date>\r\n
 *     [Allow: GET, HEAD\r\n]            (405)
 *     Content-Type: text/plain\r\n
 *     Content-Length: <content_length>\r\n
 *     [Connection: close|keep-alive\r\n]
 *     \r\n
 *
 * @return the head's length (at most HTTP_HEAD_MAX - 1), or 0 if @p size
 *         is too small
 */
size_t http_head_format(char *buf, size_t size, unsigned int status,
		uint64_t content_length, enum http_conn_hdr conn,
		const char *date);

#ifdef __cplusplus
}
#endif

#endif /* TEXTGEN_H */
