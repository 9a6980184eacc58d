// SPDX-License-Identifier: GPL-2.0-or-later
/* pci.ids looked up where it lies (src/lib/pciids.c): the cases a real
 * file has, and every ID of this host's pci.ids against libpci. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pci/pci.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "lib/names.h"
#include "lib/util.h"

static const char fixture_ids[] =
	"#\tList of PCI ID's\n"
	"\n"
	"0001  SafeNet (wrong ID)\n"
	"0010  Allied Telesis, Inc (Wrong ID)\n"
	"# This is a relabelled RTL-8139\n"
	"\t8139  AT-2500TX V3 Ethernet\n"
	"1234  Technical Corp. \n" /* one trailing blank, dropped */
	"\t11e8  QEMU edu\r\n"
	"\t\t1af4 1100  QEMU Virtual Machine\n"
	"\t11e9  A name far longer than the buffer it is put in\n"
	"8086  Intel Corporation\n"
	"\t10d3  82574L Gigabit Network Connection\n"
	"\t1533  I210 Gigabit Network Connection\n"
	"ffff  Illegal Vendor ID\n"
	"\n"
	"# List of known device classes\n"
	"C 00  Unclassified device\n"
	"\t00  Non-VGA unclassified device\n"
	"C 02  Network controller\n"
	"\t00  Ethernet controller\n"
	"\t\t00  Plain\n"
	"\t80  Network controller\n"
	"C ff  Unassigned class\n";

/* The fixture text above, or any C string, as vn_ids_* take it. */
#define IDS(t) (&(struct vn_pciids){ .text = (t), .len = strlen(t) })

/* One lookup of KIND (a PCI_LOOKUP_* bit) in TEXT. */
static int ids_lookup(const char *text, int kind, unsigned int a,
		      unsigned int b, char *buf, size_t size)
{
	struct vn_pciids ids = { .text = text, .len = strlen(text) };

	return vn_pciids_lookup(&ids, kind, a, b, buf, size);
}

static void lookups(void **state)
{
	static const struct {
		int kind;
		unsigned int a, b;
		const char *want; /* NULL: -ENOENT */
	} cases[] = {
		{ PCI_LOOKUP_VENDOR, 0x0001, 0, "SafeNet (wrong ID)" },
		{ PCI_LOOKUP_VENDOR, 0x1234, 0, "Technical Corp." },
		{ PCI_LOOKUP_VENDOR, 0x8086, 0, "Intel Corporation" },
		{ PCI_LOOKUP_VENDOR, 0xffff, 0, "Illegal Vendor ID" },
		{ PCI_LOOKUP_VENDOR, 0x0000, 0, NULL },
		{ PCI_LOOKUP_VENDOR, 0x1af4, 0, NULL },
		{ PCI_LOOKUP_VENDOR, 0x10000, 0, NULL },
		{ PCI_LOOKUP_DEVICE, 0x1234, 0x11e8, "QEMU edu" },
		{ PCI_LOOKUP_DEVICE, 0x8086, 0x1533,
		  "I210 Gigabit Network Connection" },
		{ PCI_LOOKUP_DEVICE, 0x0010, 0x8139, "AT-2500TX V3 Ethernet" },
		/* a subsystem's ID is not a device's */
		{ PCI_LOOKUP_DEVICE, 0x1234, 0x1af4, NULL },
		{ PCI_LOOKUP_DEVICE, 0x8086, 0x10d4, NULL },
		{ PCI_LOOKUP_DEVICE, 0x1af4, 0x1000, NULL },
		{ PCI_LOOKUP_CLASS, 0x0200, 0, "Ethernet controller" },
		{ PCI_LOOKUP_CLASS, 0x0280, 0, "Network controller" },
		/* no such subclass: the class with the number */
		{ PCI_LOOKUP_CLASS, 0x0207, 0, "Network controller [0207]" },
		{ PCI_LOOKUP_CLASS, 0x0300, 0, NULL },
	};
	char buf[64], small[16];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = ids_lookup(fixture_ids, cases[i].kind, cases[i].a,
				   cases[i].b, buf, sizeof(buf));

		assert_int_equal(r, cases[i].want ? 0 : -ENOENT);
		if (cases[i].want)
			assert_string_equal(buf, cases[i].want);
	}
	assert_int_equal(ids_lookup("", PCI_LOOKUP_VENDOR, 0x8086, 0, buf,
				    sizeof(buf)),
			 -ENOENT);
	/* cut short as libpci's format_name() cuts it */
	assert_int_equal(ids_lookup(fixture_ids, PCI_LOOKUP_DEVICE, 0x1234,
				    0x11e9, small, sizeof(small)),
			 0);
	assert_string_equal(small, "A name far l...");
}

/* Lines libpci would refuse the file for, met on the way: -EINVAL. */
static void refused(void **state)
{
	static const struct {
		const char *text;
		int kind;
	} cases[] = {
		{ "zz01  B\n", PCI_LOOKUP_VENDOR },
		{ "8086  Intel\n\t10d  short\n", PCI_LOOKUP_DEVICE },
		{ "8086  \n", PCI_LOOKUP_VENDOR },
		{ "8086  Intel\n\t\t\t10d3  deep\n", PCI_LOOKUP_DEVICE },
		{ "C 0x  Network\n", PCI_LOOKUP_CLASS },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(ids_lookup(cases[i].text, cases[i].kind,
					    cases[i].kind == PCI_LOOKUP_CLASS ?
						    0x0200 :
						    0x8086,
					    0x10d3, buf, sizeof(buf)),
				 -EINVAL);
}

/* pci_init() is not called (only the ID database is used), so libpci's
 * handlers are its user's to set, as src/lib/names.c does. */
static void libpci_quiet(char *msg, ...)
{
	(void)msg;
}

static void __attribute__((noreturn)) libpci_fail(char *msg, ...)
{
	fail_msg("libpci: %s", msg);
	abort();
}

struct diff {
	struct pci_access *pacc;
	struct vn_pciids ids;
	unsigned long n;
};

/* Ours against pci_lookup_name() for one ID: the same name, or both
 * none. */
static void same(struct diff *d, int kind, int a, int b)
{
	char ours[128], theirs[128];
	char *t = pci_lookup_name(
		d->pacc, theirs, sizeof(theirs),
		kind | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, 0, 0);
	int r = vn_pciids_lookup(&d->ids, kind, (unsigned int)a,
				 (unsigned int)b, ours, sizeof(ours));

	if (t) {
		assert_int_equal(r, 0);
		assert_string_equal(ours, t);
	} else {
		assert_int_equal(r, -ENOENT);
	}
	d->n++;
}

/* Every vendor of the file and the ID after it; every twentieth device line
 * and the ID after it (all 40,000 of them and 65,536 vendors took a
 * minute in a debug build); every class and subclass the file names, with the
 * one after. */
static void same_lines(struct diff *d)
{
	int vendor = -1, cls = -1;
	unsigned long line = 0;

	for (const char *p = d->ids.text, *end = p + d->ids.len; p < end;
	     line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		unsigned int id;

		if (p[0] == 'C' && p[1] == ' ' && sscanf(p + 2, "%2x", &id)) {
			vendor = -1;
			cls = (int)id;
			same(d, PCI_LOOKUP_CLASS, cls << 8, 0);
			same(d, PCI_LOOKUP_CLASS, (cls << 8) | 0xff, 0);
		} else if (cls >= 0 && p[0] == '\t' && p[1] != '\t' &&
			   sscanf(p + 1, "%2x", &id) == 1) {
			same(d, PCI_LOOKUP_CLASS, (cls << 8) | (int)id, 0);
			same(d, PCI_LOOKUP_CLASS, (cls << 8) | ((int)id + 1),
			     0);
		} else if (p[0] != '\t' && p[0] != '#' &&
			   sscanf(p, "%4x ", &id) == 1 && p[4] == ' ') {
			vendor = (int)id;
			same(d, PCI_LOOKUP_VENDOR, vendor, 0);
			same(d, PCI_LOOKUP_VENDOR, (vendor + 1) & 0xffff, 0);
		} else if (vendor >= 0 && line % 20 == 0 && p[0] == '\t' &&
			   p[1] != '\t' && sscanf(p + 1, "%4x ", &id) == 1) {
			same(d, PCI_LOOKUP_DEVICE, vendor, (int)id);
			same(d, PCI_LOOKUP_DEVICE, vendor,
			     (int)(id + 1) & 0xffff);
		}
		p = nl ? nl + 1 : end;
	}
}

static void against_libpci(void **state)
{
	_cleanup_free_ char *text = NULL;
	struct diff d = { 0 };
	FILE *f = fopen(PCI_IDS_PATH, "r");

	(void)state;
	if (!f)
		skip();
	text = malloc(64u << 20);
	assert_non_null(text);
	d.ids.len = fread(text, 1, 64u << 20, f);
	fclose(f);
	if (d.ids.len < 2 || (unsigned char)text[0] == 0x1f)
		skip(); /* a compressed pci.ids goes to libpci */
	d.ids.text = text;
	d.pacc = pci_alloc();
	d.pacc->error = libpci_fail;
	d.pacc->warning = libpci_quiet;
	d.pacc->debug = libpci_quiet;
	pci_set_name_list_path(d.pacc, (char *)PCI_IDS_PATH, 0);
	same(&d, PCI_LOOKUP_VENDOR, 0, 0);
	same(&d, PCI_LOOKUP_VENDOR, 0xfffe, 0);
	same(&d, PCI_LOOKUP_CLASS, 0xfffe, 0);
	same_lines(&d);
	pci_cleanup(d.pacc);
	print_message("%lu lookups the same as libpci's\n", d.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookups),
		cmocka_unit_test(refused),
		cmocka_unit_test(against_libpci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
