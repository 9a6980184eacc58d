// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>

#include "util.h"

char *strip_trailing(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int parse_ulong(const char *s, int base, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	if (v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v)
{
	if (v)
		qsort(v, strv_len(v), sizeof(*v), cmp_str);
}

int strv_push(char ***v, char *s)
{
	size_t n = strv_len(*v);
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

char *strv_join(char *const *v, const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	char *out, *p;

	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + seplen;
	out = malloc(len);
	if (!out)
		return NULL;
	p = out;
	*p = '\0';
	for (size_t i = 0; v && v[i]; i++) {
		if (i) {
			memcpy(p, sep, seplen);
			p += seplen;
		}
		p = stpcpy(p, v[i]);
	}
	return out;
}

static int read_fd(int fd, char **out, size_t *len, bool short_is_end)
{
	size_t size = 4096, used = 0;
	_cleanup_free_ char *buf = malloc(size);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		/* One byte more than the cap tells a file of exactly
		 * VN_READ_MAX bytes from a longer one. */
		if (used > VN_READ_MAX)
			return -EFBIG;
		if (used + 1 >= size) {
			char *nb;

			size = size * 2 < VN_READ_MAX + 2 ? size * 2 :
							    VN_READ_MAX + 2;
			nb = realloc(buf, size);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		r = read(fd, buf + used, size - used - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		used += (size_t)r;
		if (short_is_end && used + 1 < size)
			break;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_ptr(buf);
	return 0;
}

int read_fd_full(int fd, char **out, size_t *len)
{
	return read_fd(fd, out, len, false);
}

int read_fd_short_is_end(int fd, char **out, size_t *len)
{
	return read_fd(fd, out, len, true);
}

int vn_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int xvasprintf(char **out, const char *fmt, va_list ap)
{
	if (vasprintf(out, fmt, ap) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = xvasprintf(out, fmt, ap);
	va_end(ap);
	return r;
}

/* Length of the valid UTF-8 sequence at s (2-4), or 0 when it is not one:
 * overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	/* C1 controls (U+0080..U+009F) act on terminals like C0 ones. */
	if (n == 2 && cp < 0xa0)
		return 0;
	return n;
}

static void escape_byte(FILE *f, unsigned char c)
{
	switch (c) {
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	default:
		fprintf(f, "\\x%02x", c);
	}
}

char *vn_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	while (*p) {
		size_t n = *p >= 0x80 ? utf8_seq_len(p) : 0;

		if (n) {
			fwrite(p, 1, n, f);
			p += n;
		} else if (*p < 0x20 || *p == 0x7f || *p == '\\' ||
			   *p >= 0x80) {
			escape_byte(f, *p++);
		} else {
			fputc(*p++, f);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

bool vn_is_clean_text(const char *s)
{
	_cleanup_free_ char *e = vn_escape(s);

	return e && streq(e, s ? s : "");
}

int vn_setf(char **dst, const char *fmt, ...)
{
	va_list ap;
	int r;

	free(*dst);
	va_start(ap, fmt);
	r = xvasprintf(dst, fmt, ap);
	va_end(ap);
	return r;
}

int vn_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = NULL;
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}
