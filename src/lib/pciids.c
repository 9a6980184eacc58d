// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names looked up in pci.ids where they lie. libpci's pci_lookup_name()
 * reads and hashes all of the file (1.3 MB, some 38,000 lines) for the
 * first name, although a listing shows the names of a few functions. The
 * PCI ID database exports the file sorted by vendor ID, and each vendor's
 * devices by device ID, vendors before the class list: a vendor is found
 * by a binary search over the top-level lines, a device by a walk of its
 * vendor's block. Lines are read as libpci's parser reads them
 * (pciutils lib/names-parse.c, id_parse_list) and names given as
 * pci_lookup_name() gives them with PCI_LOOKUP_NO_NUMBERS (lib/names.c);
 * a line on the way that libpci would call a parse error is -EINVAL, and
 * the caller asks libpci, which refuses such a file as a whole.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pci/pci.h>

#include "names.h"

/* One line of the file: [p, end) with its tabs counted, as libpci reads
 * it (cut at the first CR or LF, one trailing blank dropped). */
struct ids_line {
	const char *start; /* the line's first byte */
	const char *p; /* past its leading tabs */
	const char *end;
	const char *next; /* the next line's first byte */
	int nest; /* leading tabs */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static int hex(const char *p, const char *end, int digits)
{
	int x = 0;

	if (end - p < digits)
		return -1;
	for (int i = 0; i < digits; i++) {
		char c = p[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x += c - '0';
		else if (c >= 'a' && c <= 'f')
			x += c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x += c - 'A' + 10;
		else
			return -1;
	}
	return x;
}

/* The line that starts at POS; false past the text. */
static bool line_at(const char *pos, const char *text_end, struct ids_line *l)
{
	const char *nl, *e;

	if (pos >= text_end)
		return false;
	nl = memchr(pos, '\n', (size_t)(text_end - pos));
	l->start = pos;
	l->next = nl ? nl + 1 : text_end;
	e = memchr(pos, '\r', (size_t)((nl ? nl : text_end) - pos));
	l->end = e ? e : nl ? nl : text_end;
	if (l->end > pos && blank(l->end[-1]))
		l->end--;
	for (l->p = pos; l->p < l->end && *l->p == '\t'; l->p++)
		;
	l->nest = (int)(l->p - pos);
	return true;
}

/* A comment or a blank line, which libpci skips. */
static bool skipped(const struct ids_line *l)
{
	const char *p = l->start;

	while (p < l->end && blank(*p))
		p++;
	return p == l->end || *p == '#';
}

/* The next line at or after POS (a line's first byte) that says
 * something; false past the text. */
static bool entry_at(const char *pos, const char *text_end, struct ids_line *l)
{
	while (line_at(pos, text_end, l)) {
		if (!skipped(l))
			return true;
		pos = l->next;
	}
	return false;
}

/* The ID of DIGITS hex digits at P, followed by a blank, into *id.
 * -EINVAL: not such a line. */
static int entry_id(const struct ids_line *l, const char *p, int digits,
		    int *id)
{
	*id = hex(p, l->end, digits);
	if (*id < 0 || l->end - p <= digits || !blank(p[digits]))
		return -EINVAL;
	return 0;
}

/* The name after that ID and SUFFIX, into buf as format_name() would
 * put it. */
static int entry_name(const struct ids_line *l, const char *p, int digits,
		      const char *suffix, char *buf, size_t size)
{
	const char *name = p + digits + 1;
	int res;

	while (name < l->end && blank(*name))
		name++;
	/* libpci reads lines with fgets(): a NUL inside one is "Line too
	 * long" to it, and the file is refused */
	if (name == l->end || memchr(name, '\0', (size_t)(l->end - name)))
		return -EINVAL;
	res = snprintf(buf, size, "%.*s%s", (int)(l->end - name), name, suffix);
	return vn_pciids_cut(buf, size, res);
}

int vn_pciids_cut(char *buf, size_t size, int res)
{
	if (res < 0 || size < 4)
		return -EINVAL;
	/* format_name(): a name cut short ends in "..." */
	if ((size_t)res >= size)
		buf[size - 2] = buf[size - 3] = buf[size - 4] = '.';
	return 0;
}

/* The key of a top-level line for the binary search: its vendor ID, or
 * 0x10000 for a block ("C 02", "S 1234", another capital): the blocks
 * follow the vendors. -EINVAL: a line libpci would not take. */
static int top_key(const struct ids_line *l)
{
	int id;

	if (l->end - l->p >= 2 && l->p[1] == ' ' && l->p[0] >= 'A' &&
	    l->p[0] <= 'Z')
		return 0x10000;
	return entry_id(l, l->p, 4, &id) < 0 ? -EINVAL : id;
}

/* The first top-level line in [pos, hi): its start in *l; 0 none. */
static int top_at(const char *pos, const char *hi, const char *text_end,
		  struct ids_line *l)
{
	while (entry_at(pos, text_end, l) && l->start < hi) {
		if (l->nest == 0)
			return top_key(l) < 0 ? -EINVAL : 1;
		pos = l->next;
	}
	return 0;
}

/* The first top-level line whose key is TARGET or more, into *l: 1, or 0
 * when there is none, or -EINVAL. A binary search over byte offsets: at
 * each step, the first top-level line that starts at or after the middle.
 * Every top-level line before lo has a smaller key; *l, once set, is the
 * first top-level line at or after hi. */
static int lower_bound(const char *text, size_t len, int target,
		       struct ids_line *l)
{
	const char *lo = text, *hi = text + len, *end = text + len;
	struct ids_line at;
	int found = 0;

	while (lo < hi) {
		const char *half = lo + (hi - lo) / 2, *mid = half;
		int r;

		/* the first line that starts at or after the middle */
		if (mid > text && mid[-1] != '\n') {
			const char *nl = memchr(mid, '\n', (size_t)(end - mid));

			mid = nl ? nl + 1 : end;
		}
		r = top_at(mid, hi, end, &at);
		if (r < 0)
			return r;
		if (r > 0 && top_key(&at) < target) {
			lo = at.next;
			continue;
		}
		if (r > 0) {
			*l = at;
			found = 1;
		}
		hi = half; /* what starts in [half, mid) began before half */
	}
	return found;
}

/* VENDOR's line into *l: 0, -ENOENT, or -EINVAL. */
static int find_vendor(const struct vn_pciids *ids, unsigned int vendor,
		       struct ids_line *l)
{
	int r = lower_bound(ids->text, ids->len, (int)vendor, l);

	if (r < 0)
		return r;
	return r && top_key(l) == (int)vendor ? 0 : -ENOENT;
}

int vn_pciids_vendor(const struct vn_pciids *ids, unsigned int vendor,
		     char *buf, size_t size)
{
	struct ids_line l;
	int r = vendor > 0xffff ? -ENOENT : find_vendor(ids, vendor, &l);

	return r < 0 ? r : entry_name(&l, l.p, 4, "", buf, size);
}

/* Under PARENT, the line one tab in whose ID of DIGITS hex digits is ID
 * (a vendor's device, a class's subclass), skipping those two tabs in (a
 * subsystem, a programming interface): its name into buf, or -ENOENT. */
static int child_name(const struct ids_line *parent, const char *end,
		      int digits, int id, char *buf, size_t size)
{
	struct ids_line l;
	int got;

	for (const char *pos = parent->next; entry_at(pos, end, &l) && l.nest;
	     pos = l.next) {
		if (l.nest > 2)
			return -EINVAL;
		if (l.nest == 2)
			continue;
		if (entry_id(&l, l.p, digits, &got) < 0)
			return -EINVAL;
		if (got == id)
			return entry_name(&l, l.p, digits, "", buf, size);
	}
	return -ENOENT;
}

int vn_pciids_device(const struct vn_pciids *ids, unsigned int vendor,
		     unsigned int device, char *buf, size_t size)
{
	struct ids_line l;
	int r;

	if (vendor > 0xffff || device > 0xffff)
		return -ENOENT;
	r = find_vendor(ids, vendor, &l);
	if (r < 0)
		return r;
	return child_name(&l, ids->text + ids->len, 4, (int)device, buf, size);
}

/* The first line of the block list, which follows the vendors: the class
 * list ("C 00  Unclassified device") in every pci.ids so far. Found once. */
static int block_list(struct vn_pciids *ids, const char **pos)
{
	struct ids_line l;
	int r;

	if (!ids->blocks_found) {
		r = lower_bound(ids->text, ids->len, 0x10000, &l);
		if (r < 0)
			return r;
		ids->blocks = r ? l.start : NULL;
		ids->blocks_found = true;
	}
	*pos = ids->blocks;
	return 0;
}

/* Under the class line C, subclass CLS & 0xff's name; else the class's
 * own with the number, as pci_lookup_name() gives it ("Network
 * controller [0280]"). */
static int subclass_name(const struct ids_line *c, const char *end, int cls,
			 char *buf, size_t size)
{
	char num[8];
	int r = child_name(c, end, 2, cls & 0xff, buf, size);

	if (r != -ENOENT)
		return r;
	snprintf(num, sizeof(num), " [%04x]", (unsigned int)cls & 0xffff);
	return entry_name(c, c->p + 2, 2, num, buf, size);
}

int vn_pciids_class(struct vn_pciids *ids, unsigned int cls, char *buf,
		    size_t size)
{
	const char *end = ids->text + ids->len, *pos;
	struct ids_line l;
	int id, r;

	if (cls > 0xffff)
		return -ENOENT;
	r = block_list(ids, &pos);
	if (r < 0)
		return r;
	for (; pos && entry_at(pos, end, &l); pos = l.next) {
		if (l.nest > 0 || l.p[0] != 'C')
			continue;
		if (l.end - l.p < 2 || l.p[1] != ' ' ||
		    entry_id(&l, l.p + 2, 2, &id) < 0)
			return -EINVAL;
		if (id == (int)(cls >> 8))
			return subclass_name(&l, end, (int)cls, buf, size);
	}
	return -ENOENT;
}

int vn_pciids_lookup(struct vn_pciids *ids, int kind, unsigned int a,
		     unsigned int b, char *buf, size_t size)
{
	switch (kind) {
	case PCI_LOOKUP_VENDOR:
		return vn_pciids_vendor(ids, a, buf, size);
	case PCI_LOOKUP_DEVICE:
		return vn_pciids_device(ids, a, b, buf, size);
	case PCI_LOOKUP_CLASS:
		return vn_pciids_class(ids, a, buf, size);
	}
	return -EINVAL;
}
