/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_STAT_TEL_H
#define PTCP_STAT_TEL_H

/**
 * @file
 * The client side of DPDK telemetry (v2) and the JSON reader its replies
 * need: C11, libc and jansson, no DPDK.
 *
 * The reader is jansson's, strict (RFC 8259; no duplicate keys, no
 * \u0000) and made stricter: only integers, but any from INT64_MIN to
 * UINT64_MAX (jansson stops at INT64_MAX; DPDK sends u64 counters). It is
 * bounded: input length, nesting depth and node count all have a ceiling,
 * and any input, however malformed, either parses or fails with a one-line
 * message naming the byte. A parsed document is a flat array of nodes in
 * document order: a container's members follow it, and each node knows
 * the index just past its subtree, so walking needs no recursion.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Longest input the reader takes, and the largest max_output_len a server
 * may announce (DPDK 22.11's is 16 KiB, fixed at build time).
 */
#define TEL_JSON_MAX_LEN (1u << 20)
/** Deepest nesting of arrays and objects the reader takes. */
#define TEL_JSON_MAX_DEPTH 32

/** Kinds of JSON value. */
enum tel_type {
	TEL_NULL,
	TEL_BOOL,
	TEL_INT,
	TEL_STR,
	TEL_ARR,
	TEL_OBJ,
};

/** One value. An object's members are key (TEL_STR) and value, in turn. */
struct tel_node {
	enum tel_type type;
	bool neg;            /**< TEL_INT: negative (value in i) */
	bool b;              /**< TEL_BOOL */
	uint32_t n;          /**< TEL_ARR: elements; TEL_OBJ: members */
	uint32_t len;        /**< TEL_STR: bytes, NUL not counted */
	uint32_t end;        /**< index just past this node's subtree */
	union {
		uint64_t u;  /**< TEL_INT, !neg */
		int64_t i;   /**< TEL_INT, neg */
	};
	const char *s;       /**< TEL_STR: decoded UTF-8, NUL-terminated */
};

/** A parsed document; zero it before the first tel_json_parse(). */
struct tel_doc {
	struct tel_node *nodes;
	uint32_t nb, cap;
	char *strs;          /**< decoded strings, one block */
};

/**
 * Parse @p len bytes of @p buf (not NUL-terminated) into @p doc, replacing
 * what it held.
 *
 * @return 0, or -1 with a one-line reason (and byte offset) in @p err.
 */
int tel_json_parse(struct tel_doc *doc, const char *buf, size_t len,
	char *err, size_t errlen);
/** Free what @p doc holds; it may be parsed into again. */
void tel_doc_free(struct tel_doc *doc);

/** The root value of a parsed @p doc. */
static inline const struct tel_node *
tel_root(const struct tel_doc *doc)
{
	return doc->nb > 0 ? &doc->nodes[0] : NULL;
}

/**
 * First member of container @p c: an array's first element, an object's
 * first key. NULL when @p c is empty or no container.
 */
const struct tel_node *tel_first(const struct tel_doc *doc,
	const struct tel_node *c);
/** The value after @p n within its container (for an object, key to key). */
const struct tel_node *tel_next(const struct tel_doc *doc,
	const struct tel_node *c, const struct tel_node *n);
/** The value of object member key @p k. */
static inline const struct tel_node *
tel_val(const struct tel_node *k)
{
	return k + 1;
}
/** Value of member @p key of object @p obj (the first if repeated), or NULL. */
const struct tel_node *tel_get(const struct tel_doc *doc,
	const struct tel_node *obj, const char *key);
/** @p n is an integer that fits an int64_t; its value in @p v. */
bool tel_int64(const struct tel_node *n, int64_t *v);
/** @p n is a non-negative integer; its value in @p v. */
bool tel_uint64(const struct tel_node *n, uint64_t *v);

/**
 * Write @p n as compact JSON (no spaces; strings escaped by jansson: RFC
 * 8259's short forms and \\u00XX for other controls): what the reader
 * reads back into the same document.
 *
 * @return 0, or -1 when jansson failed (out of memory): @p f holds less.
 */
int tel_json_write(const struct tel_doc *doc, const struct tel_node *n,
	FILE *f);

/**
 * The value of a telemetry reply for command @p cmd: DPDK answers
 * "/cmd,param" with {"/cmd": value}, and value null when the command is
 * unknown or failed.
 *
 * @return the value (maybe TEL_NULL), or NULL with a reason in @p err
 *   when the reply is no object of that one key.
 */
const struct tel_node *tel_reply(const struct tel_doc *doc, const char *cmd,
	char *err, size_t errlen);

/** A connection to a DPDK process's telemetry socket. */
struct tel_conn {
	int fd;
	char path[108];        /**< sun_path */
	size_t max_len;        /**< the server's max_output_len */
	char *buf;             /**< max_len + 1 bytes */
	long pid;              /**< from the greeting, or -1 */
	char version[64];      /**< from the greeting ("DPDK 22.11.1") */
};

/**
 * The socket path for EAL file prefix @p prefix, as the EAL makes it:
 * $RUNTIME_DIRECTORY, else /var/run as root, else $XDG_RUNTIME_DIR or
 * /tmp; then /dpdk/PREFIX/dpdk_telemetry.v2.
 *
 * @return 0, or -1 when it does not fit @p len.
 */
int tel_socket_path(const char *prefix, char *path, size_t len);

/**
 * Connect to @p path, read and check the greeting. Every receive waits at
 * most @p timeout_ms.
 *
 * @return 0, or -1 with a reason in @p err (errno kept for connect()).
 */
int tel_open(struct tel_conn *c, const char *path, int timeout_ms,
	char *err, size_t errlen);
/**
 * Send @p cmd ("/ptcp/conns,100"), parse the reply into @p doc.
 *
 * @return 0, or -1 with a reason in @p err.
 */
int tel_query(struct tel_conn *c, const char *cmd, struct tel_doc *doc,
	char *err, size_t errlen);
/** Close @p c (safe on a closed or failed one). */
void tel_close(struct tel_conn *c);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_STAT_TEL_H */
