/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What packetdrill loads (--so_filename=ptcp_packetdrill.so): a loader of
 * no dependencies that loads the shim (ptcp_packetdrill_impl.so, next to
 * it) and hands packetdrill_interface_init() over to it.
 *
 * Why not the shim itself: packetdrill opens the object with
 * RTLD_DEEPBIND, so the libraries it brings bind libc's own optind and
 * optarg, while getopt() (called by the EAL) writes the program's copies:
 * rte_eal_init() then reads a NULL optarg. Loaded from here, without
 * RTLD_DEEPBIND, DPDK binds the program's copies as usual.
 */

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPL "ptcp_packetdrill_impl.so"

typedef void (*init_fn)(const char *flags, void *ifc);

void packetdrill_interface_init(const char *flags, void *ifc);

void
packetdrill_interface_init(const char *flags, void *ifc)
{
	char path[PATH_MAX];
	union { void *obj; init_fn fn; } init;
	Dl_info di;
	const char *slash;
	void *h;

	if (dladdr((void *)(uintptr_t)packetdrill_interface_init, &di) == 0 ||
			di.dli_fname == NULL) {
		fprintf(stderr, "ptcp packetdrill loader: dladdr failed\n");
		exit(2);
	}
	slash = strrchr(di.dli_fname, '/');
	snprintf(path, sizeof(path), "%.*s%s",
		slash != NULL ? (int)(slash - di.dli_fname + 1) : 0,
		di.dli_fname, IMPL);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "ptcp packetdrill loader: %s\n", dlerror());
		exit(2);
	}
	init.obj = dlsym(h, "ptcp_packetdrill_init");
	if (init.obj == NULL) {
		fprintf(stderr, "ptcp packetdrill loader: %s\n", dlerror());
		exit(2);
	}
	init.fn(flags, ifc);
}
