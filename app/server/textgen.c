/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bytes the services send: the daytime line, the chargen pattern and
 * HTTP response heads. Pure functions, unit tested.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "textgen.h"

size_t
daytime_format(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	return strftime(buf, size, "%A, %B %d, %Y %H:%M:%S-UTC\r\n", &tm);
}

void
chargen_fill(char *buf, size_t len, uint64_t pos)
{
	unsigned int line, col;
	size_t i;

	pos %= CHARGEN_CYCLE;
	line = (unsigned int)(pos / CHARGEN_LINE_LEN);
	col = (unsigned int)(pos % CHARGEN_LINE_LEN);
	for (i = 0; i < len; i++) {
		if (col < CHARGEN_LINE_CHARS)
			buf[i] = (char)(' ' + (line + col) % CHARGEN_NB_CHARS);
		else
			buf[i] = col == CHARGEN_LINE_CHARS ? '\r' : '\n';
		if (++col == CHARGEN_LINE_LEN) {
			col = 0;
			if (++line == CHARGEN_NB_CHARS)
				line = 0;
		}
	}
}

size_t
http_date_format(char *buf, size_t size, time_t t)
{
	static const char wday[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char mon[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
			tm.tm_mon < 0 || tm.tm_mon > 11)
		return 0;
	n = snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

const char *
http_reason(unsigned int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	default: return "";
	}
}

const char *
http_error_body(unsigned int status)
{
	switch (status) {
	case 400: return "Bad Request\n";
	case 405: return "Method Not Allowed\n";
	case 431: return "Request Header Fields Too Large\n";
	default: return "";
	}
}

size_t
http_head_format(char *buf, size_t size, unsigned int status,
		uint64_t content_length, enum http_conn_hdr conn,
		const char *date)
{
	static const char *const conn_line[] = {
		[HTTP_CONN_NONE] = "",
		[HTTP_CONN_CLOSE] = "Connection: close\r\n",
		[HTTP_CONN_KEEP_ALIVE] = "Connection: keep-alive\r\n",
	};
	int n;

	if ((unsigned int)conn > HTTP_CONN_KEEP_ALIVE)
		conn = HTTP_CONN_CLOSE;
	n = snprintf(buf, size, "HTTP/1.1 %u %s\r\n"
		"Server: ptcp\r\n"
		"Date: %.*s\r\n"
		"%s"
		"Content-Type: text/plain\r\n"
		"Content-Length: %" PRIu64 "\r\n"
		"%s"
		"\r\n",
		status, http_reason(status), HTTP_DATE_MAX - 1, date,
		status == 405 ? "Allow: GET, HEAD\r\n" : "",
		content_length, conn_line[conn]);
	return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}
