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
 * JSON is read and written by jansson; what it leaves to us is below
 * (conv_value()).
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

#include <jansson.h>

#include "tel.h"

/*
 * jansson's tree, copied into the flat node array in document order
 * (jansson keeps an object's members in the order they came).
 *
 * jansson holds integers in a long long (json_int_t) and refuses larger
 * ones, but DPDK sends every counter as a u64. So numbers are loaded as
 * reals (JSON_DECODE_INT_AS_REAL) and each is read again, exactly, from
 * the text: a cursor steps through the numbers and containers of the text
 * as the copy meets them, which also gives the byte of the errors found
 * here (a fraction, an integer beyond 64 bits, nesting too deep).
 */
struct conv {
	struct tel_doc *doc;
	const char *start, *end;
	const char *at;          /* the cursor */
	char *out;               /* next free byte in doc->strs */
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 4, 5)))
fail_at(char *err, size_t errlen, size_t pos, const char *fmt, ...)
{
	char why[JSON_ERROR_TEXT_LENGTH + 32];
	va_list ap;

	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "bad JSON at byte %zu: %s", pos, why);
	return -1;
}

/* A new node at the end; its index, or -1. */
static int64_t
new_node(struct conv *cv, enum tel_type type)
{
	struct tel_doc *d = cv->doc;

	if (d->nb == d->cap) {
		/* Every node takes at least one input byte: the array never
		 * outgrows the input, bounded by TEL_JSON_MAX_LEN. */
		uint32_t cap = d->cap == 0 ? 64 : d->cap * 2;
		struct tel_node *n = realloc(d->nodes, cap * sizeof(*n));

		if (n == NULL)
			return fail_at(cv->err, cv->errlen, 0, "out of memory");
		d->nodes = n;
		d->cap = cap;
	}
	memset(&d->nodes[d->nb], 0, sizeof(d->nodes[0]));
	d->nodes[d->nb].type = type;
	d->nodes[d->nb].end = d->nb + 1;
	return d->nb++;
}

/*
 * Move the cursor to the next number, array or object, past strings;
 * jansson took the text, so telling what is inside a string from what is
 * not is all it takes. NULL should the text run out first (it cannot).
 */
static const char *
next_token(struct conv *cv)
{
	const char *p;
	bool str = false;

	for (p = cv->at; p < cv->end; p++) {
		if (str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				str = false;
		} else if (*p == '"') {
			str = true;
		} else if (*p == '[' || *p == '{' || *p == '-' ||
				(*p >= '0' && *p <= '9')) {
			cv->at = p + 1;
			return p;
		}
	}
	fail_at(cv->err, cv->errlen, (size_t)(cv->end - cv->start),
		"the text and jansson's tree disagree");
	return NULL;
}

/* The integer at the cursor, exactly, into node @idx. */
static int
conv_int(struct conv *cv, int64_t idx)
{
	const char *num = next_token(cv), *p = num;
	bool neg;
	uint64_t v = 0;

	if (p == NULL)
		return -1;
	neg = *p == '-';
	if (neg)
		p++;
	for (; p < cv->end && *p >= '0' && *p <= '9'; p++) {
		unsigned int dgt = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - dgt) / 10)
			return fail_at(cv->err, cv->errlen,
				(size_t)(num - cv->start),
				"integer out of range");
		v = v * 10 + dgt;
	}
	cv->at = p;
	if (p < cv->end && (*p == '.' || *p == 'e' || *p == 'E'))
		return fail_at(cv->err, cv->errlen, (size_t)(p - cv->start),
			"only integers are expected");
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return fail_at(cv->err, cv->errlen, (size_t)(num - cv->start),
			"integer out of range");
	if (neg && v != 0) {
		cv->doc->nodes[idx].neg = true;
		/* -(2^63) has no positive int64_t: go through the wrap */
		cv->doc->nodes[idx].i = (int64_t)(0 - v);
	} else {
		cv->doc->nodes[idx].u = v;
	}
	return 0;
}

/* A string (jansson's, decoded and checked) into a new node. */
static int
conv_str(struct conv *cv, const char *s, size_t len)
{
	int64_t idx = new_node(cv, TEL_STR);

	if (idx < 0)
		return -1;
	/* A decoded string and its NUL never take more bytes than its
	 * quoted form: doc->strs, as long as the input, holds them all. */
	memcpy(cv->out, s, len);
	cv->out[len] = '\0';
	cv->doc->nodes[idx].s = cv->out;
	cv->doc->nodes[idx].len = (uint32_t)len;
	cv->out += len + 1;
	return 0;
}

static int
conv_value(struct conv *cv, json_t *j, unsigned int depth)
{
	static const enum tel_type types[] = {
		[JSON_OBJECT] = TEL_OBJ, [JSON_ARRAY] = TEL_ARR,
		[JSON_STRING] = TEL_STR, [JSON_INTEGER] = TEL_INT,
		[JSON_REAL] = TEL_INT, [JSON_TRUE] = TEL_BOOL,
		[JSON_FALSE] = TEL_BOOL, [JSON_NULL] = TEL_NULL,
	};
	const char *key, *p;
	json_t *v;
	size_t i;
	uint32_t n = 0;
	int64_t idx;

	if (json_is_string(j))
		return conv_str(cv, json_string_value(j),
			json_string_length(j));
	idx = new_node(cv, types[json_typeof(j)]);
	if (idx < 0)
		return -1;
	if (json_is_number(j))
		return conv_int(cv, idx);
	if (json_is_boolean(j))
		cv->doc->nodes[idx].b = json_is_true(j);
	if (!json_is_object(j) && !json_is_array(j))
		return 0;
	if ((p = next_token(cv)) == NULL)
		return -1;
	if (depth >= TEL_JSON_MAX_DEPTH)
		return fail_at(cv->err, cv->errlen, (size_t)(p - cv->start),
			"nested deeper than %d", TEL_JSON_MAX_DEPTH);
	/* cv->doc->nodes may move as nodes are added: index, no pointer */
	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			/* jansson refuses NUL in keys: strlen is the length */
			if (conv_str(cv, key, strlen(key)) < 0 ||
					conv_value(cv, v, depth + 1) < 0)
				return -1;
			n++;
		}
	} else {
		json_array_foreach(j, i, v) {
			if (conv_value(cv, v, depth + 1) < 0)
				return -1;
			n++;
		}
	}
	cv->doc->nodes[idx].n = n;
	cv->doc->nodes[idx].end = cv->doc->nb;
	return 0;
}

/* jansson's refusal as one line: the byte, and what was wrong. */
static void
load_error(const json_error_t *e, char *err, size_t errlen)
{
	const char *near = strstr(e->text, " near ");
	int textlen = near != NULL ? (int)(near - e->text) :
		(int)strlen(e->text);
	size_t pos = e->position > 0 ? (size_t)e->position : 0;

	switch (json_error_code(e)) {
	case json_error_premature_end_of_input:
		/* "... near end of file" says it twice */
		fail_at(err, errlen, pos, "truncated: %.*s", textlen, e->text);
		break;
	case json_error_stack_overflow:
		/* jansson's own limit (2048), far past ours */
		fail_at(err, errlen, pos, "nested deeper than %d",
			TEL_JSON_MAX_DEPTH);
		break;
	case json_error_null_character:
		/* Names and label values are C strings here. */
		fail_at(err, errlen, pos, "NUL (\\u0000) in string");
		break;
	case json_error_duplicate_key:
		/* " near '\"key\"'": the key as it stands in the text */
		if (near != NULL && strlen(near) >= 8)
			fail_at(err, errlen, pos, "key %.*s twice in one object",
				(int)strlen(near) - 8, near + 7);
		else
			fail_at(err, errlen, pos, "%s", e->text);
		break;
	default:
		fail_at(err, errlen, pos, "%s", e->text);
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
	struct conv cv = {
		.doc = doc,
		.start = buf,
		.end = buf + len,
		.at = buf,
		.err = err,
		.errlen = errlen,
	};
	json_error_t e;
	json_t *root;
	int r;

	tel_doc_free(doc);
	if (len > TEL_JSON_MAX_LEN) {
		snprintf(err, errlen, "bad JSON: %zu bytes, more than %u",
			len, TEL_JSON_MAX_LEN);
		return -1;
	}
	/* Duplicate keys refused: the cursor walks every member. */
	root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
		JSON_DECODE_INT_AS_REAL, &e);
	if (root == NULL) {
		load_error(&e, err, errlen);
		return -1;
	}
	doc->strs = malloc(len + 1);
	if (doc->strs == NULL) {
		json_decref(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cv.out = doc->strs;
	r = conv_value(&cv, root, 0);
	json_decref(root);
	if (r < 0)
		tel_doc_free(doc);
	return r;
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

/* A string, escaped by jansson. */
static int
write_string(const struct tel_node *n, FILE *f)
{
	json_t *j = json_stringn_nocheck(n->s, n->len);
	int r;

	if (j == NULL)
		return -1;
	r = json_dumpf(j, f, JSON_ENCODE_ANY);
	json_decref(j);
	return r;
}

int
tel_json_write(const struct tel_doc *doc, const struct tel_node *n, FILE *f)
{
	const struct tel_node *m;
	int r = 0;

	switch (n->type) {
	case TEL_NULL:
		fputs("null", f);
		break;
	case TEL_BOOL:
		fputs(n->b ? "true" : "false", f);
		break;
	case TEL_INT:
		/* not through jansson: it has no integer above INT64_MAX */
		if (n->neg)
			fprintf(f, "%" PRId64, n->i);
		else
			fprintf(f, "%" PRIu64, n->u);
		break;
	case TEL_STR:
		r = write_string(n, f);
		break;
	case TEL_ARR:
	case TEL_OBJ:
		/* Recursion as deep as the parser allowed: bounded. */
		putc(n->type == TEL_OBJ ? '{' : '[', f);
		for (m = tel_first(doc, n); m != NULL && r == 0;
				m = tel_next(doc, n, m)) {
			if (m != n + 1)
				putc(',', f);
			if (n->type == TEL_OBJ) {
				r = write_string(m, f);
				putc(':', f);
				if (r == 0)
					r = tel_json_write(doc, tel_val(m), f);
			} else {
				r = tel_json_write(doc, m, f);
			}
		}
		putc(n->type == TEL_OBJ ? '}' : ']', f);
		break;
	}
	return r;
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
