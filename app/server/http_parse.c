/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental HTTP/1.x request parser: one byte at a time through a small
 * state machine (request line, header lines, body skip). See http_parse.h
 * for what is accepted and why.
 */
#include <string.h>

#include "http_parse.h"

enum state {
	S_START = 0,    /* before the request line: empty lines skipped */
	S_START_LF,     /* CR of an empty line before the request line */
	S_METHOD,
	S_TARGET0,      /* first byte of the request-target */
	S_TARGET,
	S_VERSION,      /* matching "HTTP/1." */
	S_MINOR,        /* the minor version digit */
	S_RL_END,       /* after the version: CR or LF */
	S_RL_LF,        /* CR seen at the end of the request line */
	S_LINE,         /* start of a field line or of the final empty line */
	S_NAME,
	S_VALUE,
	S_VALUE_LF,     /* CR seen at the end of a field line */
	S_END_LF,       /* CR of the final empty line */
	S_BODY,
	S_DONE,
	S_ERROR,
};

/* Header fields the parser acts on. */
enum field {
	F_OTHER = 0,
	F_HOST,
	F_CONNECTION,
	F_CONTENT_LENGTH,
	F_TRANSFER_ENCODING,
};

static const char version_prefix[] = "HTTP/1.";

/* RFC 9110 §5.6.2 tchar. */
static bool
is_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Allowed in a field value: HTAB, SP, VCHAR, obs-text. */
static bool
is_value_char(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool
tok_is(const struct http_parser *p, const char *s)
{
	size_t n = strlen(s);

	return p->tok_len == n && memcmp(p->tok, s, n) == 0;
}

static void
tok_add(struct http_parser *p, uint8_t c)
{
	if (p->tok_len < HTTP_TOKEN_MAX)
		p->tok[p->tok_len] = (char)c;
	if (p->tok_len <= HTTP_TOKEN_MAX)
		p->tok_len++;
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The end of one token of a Connection list. */
static void
conn_token_end(struct http_parser *p)
{
	if (tok_is(p, "close"))
		p->conn_close = true;
	else if (tok_is(p, "keep-alive"))
		p->conn_keep_alive = true;
	p->tok_len = 0;
}

static enum field
field_of(const struct http_parser *p)
{
	if (tok_is(p, "host"))
		return F_HOST;
	if (tok_is(p, "connection"))
		return F_CONNECTION;
	if (tok_is(p, "content-length"))
		return F_CONTENT_LENGTH;
	if (tok_is(p, "transfer-encoding"))
		return F_TRANSFER_ENCODING;
	return F_OTHER;
}

void
http_parser_reset(struct http_parser *p)
{
	uint32_t max_head = p->max_head;

	memset(p, 0, sizeof(*p));
	p->max_head = max_head;
	p->state = S_START;
}

void
http_parser_init(struct http_parser *p, uint32_t max_head)
{
	p->max_head = max_head;
	http_parser_reset(p);
}

/* One byte of a field value (not CR or LF). @return 0, or -1 for 400 */
static int
value_byte(struct http_parser *p, uint8_t c)
{
	if (!is_value_char(c))
		return -1;
	switch (p->field) {
	case F_CONNECTION:
		if (is_tchar(c))
			tok_add(p, lower(c));
		else
			conn_token_end(p);
		break;
	case F_CONTENT_LENGTH:
		if (c >= '0' && c <= '9') {
			if (p->cl_done)
				return -1;
			p->cl_value = p->cl_value * 10 + (uint64_t)(c - '0');
			if (p->cl_value > HTTP_MAX_CONTENT_LENGTH)
				return -1;
			p->cl_digits = true;
		} else if (c == ' ' || c == '\t') {
			if (p->cl_digits)
				p->cl_done = true;
		} else {
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The end of a field line. @return 0, or -1 for 400 */
static int
value_end(struct http_parser *p)
{
	switch (p->field) {
	case F_CONNECTION:
		conn_token_end(p);
		break;
	case F_CONTENT_LENGTH:
		if (!p->cl_digits)
			return -1;
		if (p->cl_seen && p->cl_value != p->req.content_length)
			return -1;
		p->req.content_length = p->cl_value;
		p->cl_seen = true;
		break;
	default:
		break;
	}
	return 0;
}

/* The final empty line: check the head, decide keep-alive. */
static enum state
head_end(struct http_parser *p)
{
	struct http_request *r = &p->req;

	if (r->host_count > 1 || (r->version_minor >= 1 && r->host_count == 0))
		return S_ERROR;
	if (p->conn_close)
		r->keep_alive = false;
	else
		r->keep_alive = r->version_minor >= 1 || p->conn_keep_alive;
	if (r->content_length > 0) {
		p->body_left = r->content_length;
		return S_BODY;
	}
	return S_DONE;
}

/* One byte of the head. @return the next state (S_ERROR: 400) */
static enum state
head_byte(struct http_parser *p, uint8_t c)
{
	switch ((enum state)p->state) {
	case S_START:
		if (c == '\n')
			return S_START;
		if (c == '\r')
			return S_START_LF;
		if (!is_tchar(c))
			return S_ERROR;
		tok_add(p, c);
		return S_METHOD;
	case S_START_LF:
		return c == '\n' ? S_START : S_ERROR;
	case S_METHOD:
		if (is_tchar(c)) {
			tok_add(p, c);
			return S_METHOD;
		}
		if (c != ' ')
			return S_ERROR;
		if (tok_is(p, "GET"))
			p->req.method = HTTP_METHOD_GET;
		else if (tok_is(p, "HEAD"))
			p->req.method = HTTP_METHOD_HEAD;
		else
			p->req.method = HTTP_METHOD_OTHER;
		p->tok_len = 0;
		return S_TARGET0;
	case S_TARGET0:
	case S_TARGET:
		if (c > ' ' && c != 0x7f)
			return S_TARGET;
		if (c == ' ' && p->state == S_TARGET) {
			p->vpos = 0;
			return S_VERSION;
		}
		return S_ERROR;
	case S_VERSION:
		if ((char)c != version_prefix[p->vpos])
			return S_ERROR;
		if (++p->vpos == sizeof(version_prefix) - 1)
			return S_MINOR;
		return S_VERSION;
	case S_MINOR:
		if (c < '0' || c > '9')
			return S_ERROR;
		p->req.version_minor = c == '0' ? 0 : 1;
		return S_RL_END;
	case S_RL_END:
		if (c == '\r')
			return S_RL_LF;
		return c == '\n' ? S_LINE : S_ERROR;
	case S_RL_LF:
		return c == '\n' ? S_LINE : S_ERROR;
	case S_LINE:
		if (c == '\r')
			return S_END_LF;
		if (c == '\n')
			return head_end(p);
		if (!is_tchar(c))   /* obs-fold, stray bytes */
			return S_ERROR;
		p->tok_len = 0;
		tok_add(p, lower(c));
		return S_NAME;
	case S_END_LF:
		return c == '\n' ? head_end(p) : S_ERROR;
	case S_NAME:
		if (is_tchar(c)) {
			tok_add(p, lower(c));
			return S_NAME;
		}
		if (c != ':')
			return S_ERROR;
		p->field = (uint8_t)field_of(p);
		p->tok_len = 0;
		switch (p->field) {
		case F_HOST:
			if (p->req.host_count < UINT8_MAX)
				p->req.host_count++;
			break;
		case F_CONTENT_LENGTH:
			p->cl_value = 0;
			p->cl_digits = false;
			p->cl_done = false;
			break;
		case F_TRANSFER_ENCODING:
			return S_ERROR;
		default:
			break;
		}
		return S_VALUE;
	case S_VALUE:
		if (c == '\r')
			return S_VALUE_LF;
		if (c == '\n')
			return value_end(p) == 0 ? S_LINE : S_ERROR;
		return value_byte(p, c) == 0 ? S_VALUE : S_ERROR;
	case S_VALUE_LF:
		if (c != '\n')
			return S_ERROR;
		return value_end(p) == 0 ? S_LINE : S_ERROR;
	default:
		return S_ERROR;
	}
}

enum http_parse_result
http_parse(struct http_parser *p, const void *buf, size_t len, size_t *used)
{
	const uint8_t *b = buf;
	size_t i = 0;

	while (i < len) {
		switch (p->state) {
		case S_DONE:
			*used = i;
			return HTTP_PARSE_DONE;
		case S_ERROR:
			*used = i;
			return HTTP_PARSE_ERROR;
		case S_BODY: {
			size_t n = len - i;

			if (n > p->body_left)
				n = (size_t)p->body_left;
			p->body_left -= n;
			i += n;
			if (p->body_left == 0)
				p->state = S_DONE;
			break;
		}
		default:
			if (++p->head_len > p->max_head) {
				p->req.status = 431;
				p->state = S_ERROR;
				*used = i + 1;
				return HTTP_PARSE_ERROR;
			}
			p->state = (uint8_t)head_byte(p, b[i++]);
			if (p->state == S_ERROR) {
				p->req.status = 400;
				*used = i;
				return HTTP_PARSE_ERROR;
			}
			break;
		}
	}
	*used = i;
	if (p->state == S_DONE)
		return HTTP_PARSE_DONE;
	if (p->state == S_ERROR)
		return HTTP_PARSE_ERROR;
	return HTTP_PARSE_MORE;
}
