// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "config.h"
#include "names.h"
#include "sys.h"

struct vn_names {
	struct pci_access *pacc;
	int failed;
};

/*
 * libpci reports a corrupt pci.ids through pci_access->error, which must
 * not return (its default prints and calls exit(1)) and gets no user
 * pointer. A library must not exit, so the handler jumps back to the
 * lookup that is running on this thread; the jump target is only armed
 * for the duration of a libpci call.
 */
static __thread sigjmp_buf *libpci_jump;

static void __attribute__((noreturn)) libpci_error(char *msg _unused_, ...)
{
	if (libpci_jump)
		siglongjmp(*libpci_jump, 1);
	abort(); /* libpci called outside a guarded lookup: a bug here */
}

/* pci.ids problems are warnings to libpci; callers see -ENODATA instead. */
static void libpci_quiet(char *msg _unused_, ...)
{
}

void vn_names_free(struct vn_names *names)
{
	if (!names)
		return;
	if (names->pacc)
		pci_cleanup(names->pacc);
	free(names);
}

static struct vn_names *names_get(struct vn_sys *sys)
{
	struct vn_names *n = sys->names;

	if (n)
		return n->failed ? NULL : n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	sys->names = n;
	/* pci_alloc() itself cannot fail short of exiting on ENOMEM through
	 * the default handler, which is not installed yet; pci_init() is
	 * never called since only the ID database is used. */
	n->pacc = pci_alloc();
	if (!n->pacc) {
		n->failed = 1;
		return NULL;
	}
	n->pacc->error = libpci_error;
	n->pacc->warning = libpci_quiet;
	n->pacc->debug = libpci_quiet;
	pci_set_name_list_path(n->pacc, (char *)PCI_IDS_PATH, 0);
	return n;
}

/* One guarded pci_lookup_name() call; the IDs are passed through as the
 * ints libpci reads for the lookup kinds used here. */
static int lookup(struct vn_sys *sys, char *buf, size_t size, int flags, int a,
		  int b)
{
	struct vn_names *volatile n = names_get(sys);
	sigjmp_buf jump;
	char *res;

	if (!n)
		return -ENODATA;
	if (sigsetjmp(jump, 0)) {
		libpci_jump = NULL;
		n->failed = 1;
		return -ENODATA;
	}
	libpci_jump = &jump;
	res = pci_lookup_name(
		n->pacc, buf, (int)size,
		flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, 0, 0);
	libpci_jump = NULL;
	if (res)
		return 0;
	if (n->pacc->id_load_failed)
		return -ENODATA;
	return -ENOENT;
}

int vn_name_vendor(struct vn_sys *sys, unsigned int vendor, char *buf,
		   size_t size)
{
	return lookup(sys, buf, size, PCI_LOOKUP_VENDOR, (int)vendor, 0);
}

int vn_name_device(struct vn_sys *sys, unsigned int vendor, unsigned int device,
		   char *buf, size_t size)
{
	return lookup(sys, buf, size, PCI_LOOKUP_DEVICE, (int)vendor,
		      (int)device);
}

int vn_name_class(struct vn_sys *sys, unsigned int class_code, char *buf,
		  size_t size)
{
	return lookup(sys, buf, size, PCI_LOOKUP_CLASS, (int)(class_code >> 8),
		      0);
}
