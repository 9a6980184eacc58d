// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "config.h"
#include "names.h"
#include "sys.h"
#include "util.h"

/* A lookup's answer, kept for the run: a listing asks for the same few
 * names once per function (64 e1000 functions, one name). */
struct name_memo {
	int flags, a, b, r;
	char *name; /* whole, when r is 0 */
};

struct vn_names {
	struct name_memo *memo;
	size_t nmemo;
	struct pci_access *pacc; /* made when a lookup falls back to libpci */
	int failed;
	bool mapped; /* the file was looked at: ids.text is it, or NULL */
	struct vn_pciids ids;
};

/* Larger than any pci.ids (1.3 MB in 2023): past it, libpci reads it. */
#define IDS_MAP_MAX (64u << 20)

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
	if (names->ids.text)
		munmap((void *)names->ids.text, names->ids.len);
	for (size_t i = 0; i < names->nmemo; i++)
		free(names->memo[i].name);
	free(names->memo);
	free(names);
}

static struct vn_names *names_get(struct vn_sys *sys)
{
	if (!sys->names)
		sys->names = calloc(1, sizeof(*sys->names));
	return sys->names;
}

/* libpci's access, made once; NULL when libpci failed before. */
static struct pci_access *libpci_get(struct vn_names *n)
{
	if (n->failed)
		return NULL;
	if (n->pacc)
		return n->pacc;
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
	return n->pacc;
}

/* The plain pci.ids mapped, once: NULL for a compressed one, one that is
 * not a regular file, or none (libpci then says what it can). Mapped, not
 * read: a lookup touches a few of its pages. dpkg replaces the file by a
 * rename, so the mapped one stays whole. */
static struct vn_pciids *ids_of(struct vn_names *n)
{
	struct stat st;
	void *m;
	int fd;

	if (n->mapped)
		return n->ids.text ? &n->ids : NULL;
	n->mapped = true;
	fd = open(PCI_IDS_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 2 ||
	    (unsigned long long)st.st_size > IDS_MAP_MAX) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	if (((const unsigned char *)m)[0] == 0x1f &&
	    ((const unsigned char *)m)[1] == 0x8b) {
		munmap(m, (size_t)st.st_size); /* gzip: libpci inflates it */
		return NULL;
	}
	n->ids.text = m;
	n->ids.len = (size_t)st.st_size;
	return &n->ids;
}

/* One guarded pci_lookup_name() call; the IDs are passed through as the
 * ints libpci reads for the lookup kinds used here. */
static int libpci_lookup(struct vn_names *n, char *buf, size_t size, int flags,
			 int a, int b)
{
	struct pci_access *volatile pacc = libpci_get(n);
	sigjmp_buf jump;
	char *res;

	if (!pacc)
		return -ENODATA;
	if (sigsetjmp(jump, 0)) {
		libpci_jump = NULL;
		n->failed = 1;
		return -ENODATA;
	}
	libpci_jump = &jump;
	res = pci_lookup_name(
		pacc, buf, (int)size,
		flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, 0, 0);
	libpci_jump = NULL;
	if (res)
		return 0;
	if (pacc->id_load_failed)
		return -ENODATA;
	return -ENOENT;
}

/* The file itself first (vn_pciids_*); libpci for what it cannot answer.
 * The whole name: libpci's lines are at most 1,024 bytes. */
static int lookup_once(struct vn_names *n, char *buf, size_t size, int flags,
		       int a, int b)
{
	struct vn_pciids *ids = n->failed ? NULL : ids_of(n);
	int r = ids ? vn_pciids_lookup(ids, flags, (unsigned int)a,
				       (unsigned int)b, buf, size) :
		      -EINVAL;

	if (r != -EINVAL)
		return r;
	return libpci_lookup(n, buf, size, flags, a, b);
}

static struct name_memo *memo_find(struct vn_names *n, int flags, int a, int b)
{
	for (size_t i = 0; i < n->nmemo; i++)
		if (n->memo[i].flags == flags && n->memo[i].a == a &&
		    n->memo[i].b == b)
			return &n->memo[i];
	return NULL;
}

static struct name_memo *memo_add(struct vn_names *n, int flags, int a, int b)
{
	char whole[1024], *name = NULL;
	int r = lookup_once(n, whole, sizeof(whole), flags, a, b);
	struct name_memo *v;

	if (r == 0 && !(name = strdup(whole)))
		return NULL;
	v = realloc(n->memo, (n->nmemo + 1) * sizeof(*v));
	if (!v) {
		free(name);
		return NULL;
	}
	n->memo = v;
	/* gcc 12's analyzer loses pointers stored into a realloc()ed array
	 * and calls them leaked; vn_names_free() frees them. */
	VN_ANALYZER_FP_BEGIN("-Wanalyzer-malloc-leak")
	v[n->nmemo] = (struct name_memo){
		.flags = flags, .a = a, .b = b, .r = r, .name = name
	};
	return &v[n->nmemo++];
	VN_ANALYZER_FP_END
}

static int lookup(struct vn_sys *sys, char *buf, size_t size, int flags, int a,
		  int b)
{
	struct vn_names *n = names_get(sys);
	struct name_memo *m;

	if (!n)
		return -ENODATA;
	m = memo_find(n, flags, a, b);
	if (!m)
		m = memo_add(n, flags, a, b);
	if (!m)
		return -ENODATA;
	if (m->r < 0)
		return m->r;
	return vn_pciids_cut(buf, size, snprintf(buf, size, "%s", m->name));
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
