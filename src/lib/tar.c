// SPDX-License-Identifier: GPL-2.0-or-later
#include "tar.h"
#include "util.h"

struct ustar {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};

_Static_assert(sizeof(struct ustar) == 512, "a ustar header is one block");

/* size-1 octal digits and a NUL; false when v does not fit. */
static bool octal(char *field, size_t size, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%0*llo", (int)size - 1, v);

	if (n < 0 || (size_t)n >= size)
		return false;
	memcpy(field, tmp, size);
	return true;
}

/* Split name into prefix and name at a '/' so that both fit. */
static int put_name(struct ustar *h, const char *name)
{
	size_t n = strlen(name);
	const char *cut;

	if (n <= sizeof(h->name)) {
		memcpy(h->name, name, n);
		return 0;
	}
	for (cut = name + n - 1; cut > name; cut--)
		if (*cut == '/' && (size_t)(cut - name) <= sizeof(h->prefix) &&
		    n - (size_t)(cut - name) - 1 <= sizeof(h->name))
			break;
	if (cut == name)
		return -ENAMETOOLONG;
	memcpy(h->prefix, name, (size_t)(cut - name));
	memcpy(h->name, cut + 1, n - (size_t)(cut - name) - 1);
	return 0;
}

int vn_tar_add(FILE *out, const char *name, const char *data, size_t len,
	       time_t mtime)
{
	static const char zeros[512];
	struct ustar h = { .typeflag = '0' };
	unsigned int sum = 0;
	int r = put_name(&h, name);

	if (r < 0)
		return r;
	octal(h.mode, sizeof(h.mode), 0644);
	octal(h.uid, sizeof(h.uid), 0);
	octal(h.gid, sizeof(h.gid), 0);
	if (!octal(h.size, sizeof(h.size), len) ||
	    !octal(h.mtime, sizeof(h.mtime),
		   (unsigned long long)(mtime > 0 ? mtime : 0)))
		return -EFBIG;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	snprintf(h.uname, sizeof(h.uname), "root");
	snprintf(h.gname, sizeof(h.gname), "root");
	/* The checksum counts its own field as eight spaces. */
	memset(h.chksum, ' ', sizeof(h.chksum));
	for (size_t i = 0; i < sizeof(h); i++)
		sum += ((const unsigned char *)&h)[i];
	octal(h.chksum, 7, sum);
	if (fwrite(&h, sizeof(h), 1, out) != 1 ||
	    (len && fwrite(data, len, 1, out) != 1) ||
	    fwrite(zeros, (512 - len % 512) % 512, 1, out) > 1)
		return -EIO;
	return ferror(out) ? -EIO : 0;
}

int vn_tar_end(FILE *out)
{
	static const char zeros[1024];

	return fwrite(zeros, sizeof(zeros), 1, out) == 1 && !ferror(out) ? 0 :
									   -EIO;
}
