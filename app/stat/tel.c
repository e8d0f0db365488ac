/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry v2, client side, and the JSON reader for its replies.
 *
 * The protocol (lib/telemetry, usertools/dpdk-telemetry.py): a UNIX
 * SOCK_SEQPACKET socket; on connect the server sends one JSON greeting
 * {"version", "pid", "max_output_len"}; then each command sent, as one
 * packet "/cmd" or "/cmd,param", gets one packet of at most max_output_len
 * bytes back: {"/cmd": value}, value null for an unknown or failed command.
 *
 * The reader is recursive descent over a bounded depth, writing nodes in
 * document order into one growing array and strings, decoded, into one
 * block as long as the input (a decoded string and its NUL never take more
 * bytes than its quoted form).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "tel.h"

struct parser {
	struct tel_doc *doc;
	const unsigned char *p, *start, *end;
	char *out;               /* next free byte in doc->strs */
	char *err;
	size_t errlen;
	unsigned int depth;
};

static int parse_value(struct parser *ps);

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *ps, const char *fmt, ...)
{
	char why[128];
	va_list ap;

	if (ps->errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "bad JSON at byte %zu: %s",
		(size_t)(ps->p - ps->start), why);
	return -1;
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
			*ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* A new node at the end; its index, or -1. */
static int64_t
new_node(struct parser *ps, enum tel_type type)
{
	struct tel_doc *d = ps->doc;

	if (d->nb == d->cap) {
		/* Every node takes at least one input byte: the array never
		 * outgrows the input, bounded by TEL_JSON_MAX_LEN. */
		uint32_t cap = d->cap == 0 ? 64 : d->cap * 2;
		struct tel_node *n = realloc(d->nodes, cap * sizeof(*n));

		if (n == NULL)
			return fail(ps, "out of memory");
		d->nodes = n;
		d->cap = cap;
	}
	memset(&d->nodes[d->nb], 0, sizeof(d->nodes[0]));
	d->nodes[d->nb].type = type;
	d->nodes[d->nb].end = d->nb + 1;
	return d->nb++;
}

static int
hex4(struct parser *ps, uint32_t *v)
{
	uint32_t x = 0;
	int i;

	if (ps->end - ps->p < 4)
		return fail(ps, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		unsigned char c = ps->p[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= c - '0';
		else if (c >= 'a' && c <= 'f')
			x |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x |= c - 'A' + 10;
		else
			return fail(ps, "bad hex digit in \\u escape");
	}
	ps->p += 4;
	*v = x;
	return 0;
}

static void
put_utf8(struct parser *ps, uint32_t cp)
{
	char *o = ps->out;

	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	ps->out = o;
}

/*
 * Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n, i;
	uint32_t cp, min;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
parse_string(struct parser *ps)
{
	int64_t idx = new_node(ps, TEL_STR);
	char *s = ps->out;

	if (idx < 0)
		return -1;
	ps->p++;        /* the opening quote */
	for (;;) {
		unsigned char c;

		if (ps->p >= ps->end)
			return fail(ps, "unterminated string");
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return fail(ps, "control character 0x%02x in string",
				c);
		if (c >= 0x80) {
			size_t n = utf8_len(ps->p, ps->end);

			if (n == 0)
				return fail(ps, "invalid UTF-8 in string");
			memcpy(ps->out, ps->p, n);
			ps->out += n;
			ps->p += n;
			continue;
		}
		if (c != '\\') {
			*ps->out++ = (char)c;
			ps->p++;
			continue;
		}
		if (ps->end - ps->p < 2)
			return fail(ps, "unterminated string");
		ps->p += 2;
		switch (ps->p[-1]) {
		case '"': *ps->out++ = '"'; break;
		case '\\': *ps->out++ = '\\'; break;
		case '/': *ps->out++ = '/'; break;
		case 'b': *ps->out++ = '\b'; break;
		case 'f': *ps->out++ = '\f'; break;
		case 'n': *ps->out++ = '\n'; break;
		case 'r': *ps->out++ = '\r'; break;
		case 't': *ps->out++ = '\t'; break;
		case 'u': {
			uint32_t cp, lo;

			if (hex4(ps, &cp) < 0)
				return -1;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(ps, "lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' ||
						ps->p[1] != 'u')
					return fail(ps, "lone high surrogate");
				ps->p += 2;
				if (hex4(ps, &lo) < 0)
					return -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, "lone high surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
					(lo - 0xdc00);
			}
			/* Names and label values are C strings here. */
			if (cp == 0)
				return fail(ps, "NUL (\\u0000) in string");
			/* 6 input bytes (12 for a pair) make at most 4 */
			put_utf8(ps, cp);
			break;
		}
		default:
			ps->p--;
			return fail(ps, "bad escape '\\%c'",
				*ps->p >= 0x20 && *ps->p < 0x7f ? *ps->p : '?');
		}
	}
	*ps->out++ = '\0';
	ps->doc->nodes[idx].s = s;
	ps->doc->nodes[idx].len = (uint32_t)(ps->out - s - 1);
	return 0;
}

static int
parse_number(struct parser *ps)
{
	int64_t idx = new_node(ps, TEL_INT);
	bool neg = false;
	uint64_t v = 0;

	if (idx < 0)
		return -1;
	if (*ps->p == '-') {
		neg = true;
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return fail(ps, "bad number");
	if (*ps->p == '0' && ps->end - ps->p > 1 && ps->p[1] >= '0' &&
			ps->p[1] <= '9')
		return fail(ps, "leading zero in number");
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		unsigned int dgt = *ps->p - '0';

		if (v > (UINT64_MAX - dgt) / 10)
			return fail(ps, "integer out of range");
		v = v * 10 + dgt;
		ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' ||
			*ps->p == 'E'))
		return fail(ps, "only integers are expected");
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return fail(ps, "integer out of range");
	if (neg && v != 0) {
		ps->doc->nodes[idx].neg = true;
		/* -(2^63) has no positive int64_t: go through the wrap */
		ps->doc->nodes[idx].i = (int64_t)(0 - v);
	} else {
		ps->doc->nodes[idx].u = v;
	}
	return 0;
}

static int
parse_literal(struct parser *ps)
{
	static const struct {
		const char *word;
		enum tel_type type;
		bool b;
	} lits[] = {
		{ "true", TEL_BOOL, true },
		{ "false", TEL_BOOL, false },
		{ "null", TEL_NULL, false },
	};
	size_t i;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		size_t n = strlen(lits[i].word);
		int64_t idx;

		if ((size_t)(ps->end - ps->p) < n ||
				memcmp(ps->p, lits[i].word, n) != 0)
			continue;
		idx = new_node(ps, lits[i].type);
		if (idx < 0)
			return -1;
		ps->doc->nodes[idx].b = lits[i].b;
		ps->p += n;
		return 0;
	}
	if (ps->p >= ps->end)
		return fail(ps, "truncated: value expected");
	return fail(ps, "unexpected '%c'",
		*ps->p >= 0x20 && *ps->p < 0x7f ? *ps->p : '?');
}

/* An array or object at ps->p ('[' or '{'). */
static int
parse_container(struct parser *ps)
{
	bool obj = *ps->p == '{';
	char close = obj ? '}' : ']';
	int64_t idx = new_node(ps, obj ? TEL_OBJ : TEL_ARR);
	uint32_t n = 0;

	if (idx < 0)
		return -1;
	if (++ps->depth > TEL_JSON_MAX_DEPTH)
		return fail(ps, "nested deeper than %d", TEL_JSON_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		goto done;
	}
	for (;;) {
		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end)
				return fail(ps, "truncated: key expected");
			if (*ps->p != '"')
				return fail(ps, "object key expected");
			if (parse_string(ps) < 0)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "':' expected");
			ps->p++;
		}
		if (parse_value(ps) < 0)
			return -1;
		n++;
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "truncated: ',' or '%c' expected",
				close);
		if (*ps->p == close) {
			ps->p++;
			break;
		}
		if (*ps->p != ',')
			return fail(ps, "',' or '%c' expected", close);
		ps->p++;
	}
done:
	ps->depth--;
	ps->doc->nodes[idx].n = n;
	ps->doc->nodes[idx].end = ps->doc->nb;
	return 0;
}

static int
parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "truncated: value expected");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps);
	case '"':
		return parse_string(ps);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return parse_number(ps);
	default:
		return parse_literal(ps);
	}
}

void
tel_doc_free(struct tel_doc *doc)
{
	free(doc->nodes);
	free(doc->strs);
	memset(doc, 0, sizeof(*doc));
}

int
tel_json_parse(struct tel_doc *doc, const char *buf, size_t len,
	char *err, size_t errlen)
{
	struct parser ps = {
		.doc = doc,
		.p = (const unsigned char *)buf,
		.start = (const unsigned char *)buf,
		.end = (const unsigned char *)buf + len,
		.err = err,
		.errlen = errlen,
	};

	tel_doc_free(doc);
	if (len > TEL_JSON_MAX_LEN) {
		snprintf(err, errlen, "bad JSON: %zu bytes, more than %u",
			len, TEL_JSON_MAX_LEN);
		return -1;
	}
	doc->strs = malloc(len + 1);
	if (doc->strs == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ps.out = doc->strs;
	if (parse_value(&ps) < 0)
		goto fail;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "data after the value");
		goto fail;
	}
	return 0;
fail:
	tel_doc_free(doc);
	return -1;
}

const struct tel_node *
tel_first(const struct tel_doc *doc, const struct tel_node *c)
{
	(void)doc;
	if (c == NULL || (c->type != TEL_ARR && c->type != TEL_OBJ) ||
			c->n == 0)
		return NULL;
	return c + 1;
}

const struct tel_node *
tel_next(const struct tel_doc *doc, const struct tel_node *c,
	const struct tel_node *n)
{
	uint32_t next = c->type == TEL_OBJ ? tel_val(n)->end : n->end;

	return next < c->end ? &doc->nodes[next] : NULL;
}

const struct tel_node *
tel_get(const struct tel_doc *doc, const struct tel_node *obj,
	const char *key)
{
	const struct tel_node *k;

	if (obj == NULL || obj->type != TEL_OBJ)
		return NULL;
	for (k = tel_first(doc, obj); k != NULL; k = tel_next(doc, obj, k))
		if (strcmp(k->s, key) == 0)
			return tel_val(k);
	return NULL;
}

bool
tel_int64(const struct tel_node *n, int64_t *v)
{
	if (n == NULL || n->type != TEL_INT)
		return false;
	if (n->neg) {
		*v = n->i;
		return true;
	}
	if (n->u > INT64_MAX)
		return false;
	*v = (int64_t)n->u;
	return true;
}

bool
tel_uint64(const struct tel_node *n, uint64_t *v)
{
	if (n == NULL || n->type != TEL_INT || n->neg)
		return false;
	*v = n->u;
	return true;
}

static void
write_string(const char *s, FILE *f)
{
	putc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				putc(c, f);
		}
	}
	putc('"', f);
}

void
tel_json_write(const struct tel_doc *doc, const struct tel_node *n, FILE *f)
{
	const struct tel_node *m;

	switch (n->type) {
	case TEL_NULL:
		fputs("null", f);
		break;
	case TEL_BOOL:
		fputs(n->b ? "true" : "false", f);
		break;
	case TEL_INT:
		if (n->neg)
			fprintf(f, "%" PRId64, n->i);
		else
			fprintf(f, "%" PRIu64, n->u);
		break;
	case TEL_STR:
		write_string(n->s, f);
		break;
	case TEL_ARR:
	case TEL_OBJ:
		/* Recursion as deep as the parser allowed: bounded. */
		putc(n->type == TEL_OBJ ? '{' : '[', f);
		for (m = tel_first(doc, n); m != NULL;
				m = tel_next(doc, n, m)) {
			if (m != n + 1)
				putc(',', f);
			if (n->type == TEL_OBJ) {
				write_string(m->s, f);
				putc(':', f);
				tel_json_write(doc, tel_val(m), f);
			} else {
				tel_json_write(doc, m, f);
			}
		}
		putc(n->type == TEL_OBJ ? '}' : ']', f);
		break;
	}
}

const struct tel_node *
tel_reply(const struct tel_doc *doc, const char *cmd, char *err,
	size_t errlen)
{
	const struct tel_node *root = tel_root(doc);
	size_t clen = strcspn(cmd, ",");
	const struct tel_node *k;

	if (root == NULL || root->type != TEL_OBJ || root->n != 1) {
		snprintf(err, errlen, "reply to %.*s is not an object of one "
			"member", (int)clen, cmd);
		return NULL;
	}
	k = tel_first(doc, root);
	if (k->len != clen || memcmp(k->s, cmd, clen) != 0) {
		snprintf(err, errlen, "reply to %.*s is about \"%.64s\"",
			(int)clen, cmd, k->s);
		return NULL;
	}
	return tel_val(k);
}

int
tel_socket_path(const char *prefix, char *path, size_t len)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	int n;

	if (dir == NULL || *dir == '\0') {
		if (getuid() == 0)
			dir = "/var/run";
		else if ((dir = getenv("XDG_RUNTIME_DIR")) == NULL ||
				*dir == '\0')
			dir = "/tmp";
	}
	n = snprintf(path, len, "%s/dpdk/%s/dpdk_telemetry.v2", dir, prefix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void
set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* One packet into c->buf (NUL-terminated); its length, or -1. */
static ssize_t
recv_packet(struct tel_conn *c, size_t cap, const char *what, char *err,
	size_t errlen)
{
	ssize_t r;

	do {
		/* MSG_TRUNC: the packet's real length, to tell truncation */
		r = recv(c->fd, c->buf, cap, MSG_TRUNC);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			snprintf(err, errlen, "%s: no %s in time", c->path,
				what);
		else
			snprintf(err, errlen, "%s: reading the %s: %s",
				c->path, what, strerror(errno));
		return -1;
	}
	if (r == 0) {
		snprintf(err, errlen, "%s: the server closed the connection "
			"before the %s%s", c->path, what,
			strcmp(what, "greeting") == 0 ?
			" (it serves at most 10 clients at a time)" : "");
		return -1;
	}
	if ((size_t)r >= cap) {
		snprintf(err, errlen, "%s: %s of %zd bytes, more than the %zu "
			"announced", c->path, what, r, cap - 1);
		return -1;
	}
	c->buf[r] = '\0';
	return r;
}

int
tel_open(struct tel_conn *c, const char *path, int timeout_ms, char *err,
	size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct tel_doc doc = { 0 };
	const struct tel_node *root;
	uint64_t v;
	char why[160];
	ssize_t r;
	int e;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->pid = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long (%zu bytes, at "
			"most %zu): %s", strlen(path), sizeof(sa.sun_path) - 1,
			path);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	memcpy(c->path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	set_timeouts(c->fd, timeout_ms);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		snprintf(err, errlen, "cannot connect to %s: %s", path,
			strerror(e));
		tel_close(c);
		errno = e;
		return -1;
	}
	/* The greeting is small; max_output_len is not known before it. */
	c->max_len = 1024;
	c->buf = malloc(c->max_len + 1);
	if (c->buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r = recv_packet(c, c->max_len + 1, "greeting", err, errlen);
	if (r < 0)
		goto fail;
	if (tel_json_parse(&doc, c->buf, (size_t)r, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: greeting: %s", path, why);
		goto fail;
	}
	root = tel_root(&doc);
	if (!tel_uint64(tel_get(&doc, root, "max_output_len"), &v) ||
			v < 64 || v > TEL_JSON_MAX_LEN) {
		snprintf(err, errlen, "%s: greeting without a max_output_len "
			"in [64, %u]: is it DPDK telemetry v2?", path,
			TEL_JSON_MAX_LEN);
		goto fail;
	}
	c->max_len = (size_t)v;
	if (tel_uint64(tel_get(&doc, root, "pid"), &v) && v <= LONG_MAX)
		c->pid = (long)v;
	if ((root = tel_get(&doc, root, "version")) != NULL &&
			root->type == TEL_STR)
		snprintf(c->version, sizeof(c->version), "%s", root->s);
	tel_doc_free(&doc);
	free(c->buf);
	c->buf = malloc(c->max_len + 1);
	if (c->buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return 0;
fail:
	tel_doc_free(&doc);
	tel_close(c);
	errno = EPROTO;
	return -1;
}

int
tel_query(struct tel_conn *c, const char *cmd, struct tel_doc *doc,
	char *err, size_t errlen)
{
	size_t len = strlen(cmd);
	char why[160];
	ssize_t r;

	/* The server reads commands into 1 KiB (lib/telemetry). */
	if (len == 0 || len >= 1024 || cmd[0] != '/') {
		snprintf(err, errlen, "bad telemetry command '%.64s'", cmd);
		return -1;
	}
	do {
		r = send(c->fd, cmd, len, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		snprintf(err, errlen, "%s: sending %s: %s", c->path, cmd,
			strerror(errno));
		return -1;
	}
	r = recv_packet(c, c->max_len + 1, "reply", err, errlen);
	if (r < 0)
		return -1;
	if (tel_json_parse(doc, c->buf, (size_t)r, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: reply to %s: %s", c->path, cmd,
			why);
		return -1;
	}
	return 0;
}

void
tel_close(struct tel_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}
