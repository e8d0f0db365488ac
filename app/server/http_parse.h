/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

/**
 * @file
 * An incremental HTTP/1.x request parser for ptcp-server's HTTP responder.
 *
 * Bytes are fed as they arrive, in chunks of any size down to one byte; the
 * parser copies nothing but a few short tokens, so a connection's state is a
 * fixed ~100 bytes whatever the request size. No DPDK, no allocation, no
 * global state: unit tested on its own (tests/unit/test_http_parse.c).
 *
 * What it accepts (RFC 9112), and the documented choices:
 * - request-line = method SP request-target SP HTTP-version, single spaces;
 *   method is a token (case-sensitive: "get" is an unknown method);
 *   request-target is any run of visible ASCII or obs-text (not checked
 *   further); HTTP-version is "HTTP/1.<digit>": minor 0 is HTTP/1.0, any
 *   other digit is treated as 1.1 (RFC 9110 §2.5). Anything else: 400.
 * - Lines end in CRLF or, leniently, a bare LF (RFC 9112 §2.2 allows it);
 *   a bare CR is 400.
 * - Empty lines before the request line are skipped (RFC 9112 §2.2).
 * - field-line = field-name ":" OWS value OWS; whitespace before the colon,
 *   obs-fold (a line starting with SP/HTAB), and NUL or other control bytes
 *   anywhere but HTAB in values: 400.
 * - HTTP/1.1 without exactly one Host, or with several: 400.
 * - Connection is a comma list of case-insensitive tokens: "close" ends the
 *   connection after the response, "keep-alive" keeps an HTTP/1.0 one;
 *   close wins when both appear. Several Connection lines combine.
 * - Content-Length (one value, digits only; repeats must agree) gives a
 *   body that is skipped (read and dropped) before the next request:
 *   the request is complete when its body is. Transfer-Encoding: 400
 *   (chunked request bodies are not supported).
 * - The head (empty lines before it, request line, header lines, the final
 *   empty line) may be at most max_head bytes: one more is 431.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Methods the responder tells apart. */
enum http_method {
	HTTP_METHOD_OTHER = 0,   /**< any other token: 405 */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
};

/** A parsed request head (valid once http_parse() returned DONE). */
struct http_request {
	enum http_method method;
	uint8_t version_minor;       /**< 0 (HTTP/1.0) or 1 (1.1 and later 1.x) */
	bool keep_alive;             /**< keep the connection after answering */
	uint8_t host_count;          /**< Host fields seen */
	uint64_t content_length;     /**< body bytes (skipped by the parser) */
	uint16_t status;             /**< 0, or the error status (400, 431) */
};

/** http_parse() outcome. */
enum http_parse_result {
	HTTP_PARSE_MORE = 0,   /**< every byte consumed; the request goes on */
	HTTP_PARSE_DONE,       /**< a whole request (head and body) ends here */
	HTTP_PARSE_ERROR,      /**< malformed or too long: req.status says */
};

/** Longest Content-Length accepted (larger: 400). */
#define HTTP_MAX_CONTENT_LENGTH (UINT64_C(1) << 40)

/** Room for a method or a header name; longer ones are "other". */
#define HTTP_TOKEN_MAX 20

/** Parser state: treat as opaque except for @c req. */
struct http_parser {
	struct http_request req;     /**< the request being parsed */
	uint64_t body_left;          /**< body bytes still to skip */
	uint32_t max_head;           /**< head byte limit */
	uint32_t head_len;           /**< head bytes so far */
	uint8_t state;
	uint8_t field;               /**< which known header the value is of */
	uint8_t vpos;                /**< position in "HTTP/1." */
	uint8_t tok_len;             /**< bytes in tok; > HTTP_TOKEN_MAX: long */
	bool cl_seen;                /**< a Content-Length field was seen */
	bool cl_digits;              /**< digits in this Content-Length value */
	bool cl_done;                /**< OWS after this value's digits */
	bool conn_close;
	bool conn_keep_alive;
	uint64_t cl_value;           /**< this Content-Length value */
	char tok[HTTP_TOKEN_MAX];    /**< method, header name or list token */
};

/**
 * Start a parser (and every later request on the connection).
 * @param max_head  head byte limit (the [server] http_max_request key)
 */
void http_parser_init(struct http_parser *p, uint32_t max_head);

/**
 * Get the parser ready for the connection's next request (after DONE).
 */
void http_parser_reset(struct http_parser *p);

/**
 * Feed bytes.
 *
 * @param used  bytes consumed: all of @p len with MORE; with DONE the
 *              request's last byte (the rest belongs to the next request:
 *              http_parser_reset() and feed it again); with ERROR up to the
 *              offending byte (the connection is to be closed).
 * @return HTTP_PARSE_MORE, HTTP_PARSE_DONE or HTTP_PARSE_ERROR (p->req.status
 *         is then 400 or 431). Calling again after DONE or ERROR without a
 *         reset returns the same result and consumes nothing.
 */
enum http_parse_result http_parse(struct http_parser *p, const void *buf,
		size_t len, size_t *used);

#ifdef __cplusplus
}
#endif

#endif /* HTTP_PARSE_H */
