/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PTCP_CAPTURE_H
#define PTCP_CAPTURE_H

/**
 * @file
 * Packet capture: what an engine's ports receive and send, written as
 * pcapng (rte_pcapng) for tshark and Wireshark (docs/capture.md).
 *
 *     struct ptcp_capture_filter f;
 *     ptcp_capture_filter_parse("port 80", &f, err, sizeof(err));  // no EAL
 *     fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
 *     ...
 *     c = ptcp_capture_start(e, &(struct ptcp_capture_conf){ .fd = fd,
 *             .filter = f }, err, sizeof(err));    // before the workers run
 *     ... workers run, then return ...
 *     ptcp_capture_stop(c, &sum);                  // after they returned
 *
 * Frames are copied by ethdev RX and TX callbacks on every queue of every
 * port of the engine, on the worker that polls the queue, into a capture
 * mempool, and put on a multi-producer ring; a control thread takes them
 * off and writes them. A copy that finds the pool or the ring full is not
 * made, and is counted (capture_drop): capture never blocks a worker and
 * never allocates from the heap on the fast path.
 *
 * Also here: rte_pdump_init()/rte_pdump_uninit() for dpdk-dumpcap.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ptcp_engine;
struct ptcp_capture;

/**
 * Which frames to capture: those that match every condition set (none
 * set: every frame). Kept to what one look at the headers decides.
 */
struct ptcp_capture_filter {
	bool has_port;           /**< match port */
	bool has_host;           /**< match host */
	uint16_t port;           /**< TCP or UDP port, either side (host order) */
	uint32_t host;           /**< IPv4 address, either side (network order);
	                          *   for ARP, sender or target */
};

/** Longest text ptcp_capture_filter_format() writes, NUL included. */
#define PTCP_CAPTURE_FILTER_STRLEN 48

/** What ptcp_capture_start() needs. */
struct ptcp_capture_conf {
	int fd;                  /**< open for writing; the capture closes it
	                          *   from ptcp_capture_start() on, even when
	                          *   that fails */
	struct ptcp_capture_filter filter;  /**< which frames */
	uint32_t snaplen;        /**< bytes kept of a frame; 0: the largest
	                          *   frame the ports pass (64 KB with TSO) */
	uint32_t nb_mbufs;       /**< copies in flight; 0: about 32 MB' worth */
	const char *appname;     /**< recorded in the file; may be NULL */
};

/** What a capture did, from ptcp_capture_stop(). */
struct ptcp_capture_summary {
	uint64_t captured;       /**< frames copied for the file */
	uint64_t dropped;        /**< frames not copied: pool or ring full */
	uint64_t written;        /**< frames written to the file */
	uint64_t write_errors;   /**< frames lost to failed writes */
	uint64_t bytes;          /**< bytes written (pcapng blocks) */
};

/**
 * Parse a capture filter: "port N", "host A.B.C.D", or both joined by
 * "and", in either order. Needs no EAL.
 *
 * @param expr    the text; NULL or "" give a filter that takes everything
 * @param f       filled on success
 * @param err     on failure, one line saying what is wrong
 * @param errlen  size of @p err
 * @return 0, or -EINVAL
 */
int ptcp_capture_filter_parse(const char *expr, struct ptcp_capture_filter *f,
		char *err, size_t errlen);

/** @p f as text ("port 80 and host 10.0.0.1", or "" for none). */
void ptcp_capture_filter_format(const struct ptcp_capture_filter *f,
		char *buf, size_t len);

/**
 * Start capturing on every port of @p e: write the pcapng section header
 * and interface blocks, create the pool, ring and writer thread, add the
 * RX and TX callbacks. Call it after ptcp_engine_create() and before the
 * workers run (ptcp_engine_start() included, so that the gratuitous ARPs
 * are captured too).
 *
 * @param e       the engine (created, workers not running)
 * @param conf    file, filter, sizes
 * @param err     one line on failure
 * @param errlen  size of @p err
 * @return the capture, or NULL with rte_errno set (ENOMEM, EIO, ...)
 */
struct ptcp_capture *ptcp_capture_start(struct ptcp_engine *e,
		const struct ptcp_capture_conf *conf, char *err, size_t errlen);

/**
 * Remove the callbacks, write what is still queued and the statistics
 * blocks, close the file and free everything. Every worker must have
 * returned (nothing may be inside a callback). NULL is a no-op.
 *
 * @param c    the capture, or NULL
 * @param sum  filled when not NULL
 */
void ptcp_capture_stop(struct ptcp_capture *c,
		struct ptcp_capture_summary *sum);

/**
 * Let dpdk-dumpcap (and dpdk-pdump) capture from this process: calls
 * rte_pdump_init() in a primary process. Without shared configuration
 * (--no-shconf, --in-memory) there is no secondary process to serve, and
 * a failure is only logged at DEBUG.
 *
 * @return true when pdump was initialised (call ptcp_capture_pdump_uninit()
 *   at exit)
 */
bool ptcp_capture_pdump_init(void);

/** rte_pdump_uninit(). */
void ptcp_capture_pdump_uninit(void);

#ifdef __cplusplus
}
#endif

#endif /* PTCP_CAPTURE_H */
