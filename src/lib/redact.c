// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>

#include "redact.h"
#include "util.h"

struct mapping {
	enum vn_redact_kind kind;
	char *value; /* as found; lower case for addresses and serials */
	size_t index; /* 1-based within its kind */
};

struct vn_redactor {
	struct mapping *map;
	size_t nmap;
	char **known[VN_REDACT_NKINDS]; /* values to look for as they are */
	size_t count[VN_REDACT_NKINDS];
};

static const char *const kind_names[VN_REDACT_NKINDS] = {
	[VN_REDACT_HOST] = "host",     [VN_REDACT_MAC] = "mac",
	[VN_REDACT_IPV4] = "ipv4",     [VN_REDACT_IPV6] = "ipv6",
	[VN_REDACT_SERIAL] = "serial",
};

int vn_redactor_new(struct vn_redactor **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void vn_redactor_free(struct vn_redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nmap; i++)
		free(r->map[i].value);
	free(r->map);
	for (size_t k = 0; k < VN_REDACT_NKINDS; k++)
		strv_free(r->known[k]);
	free(r);
}

int vn_redact_add(struct vn_redactor *r, enum vn_redact_kind kind,
		  const char *value)
{
	_cleanup_free_ char *v = r && value ? strdup(value) : NULL;

	if (!r || !value)
		return 0;
	if (!v)
		return -ENOMEM;
	strip_trailing(v);
	if (strlen(v) < 2 || streq(v, "(none)") || streq(v, "localhost") ||
	    strv_contains(r->known[kind], v))
		return 0;
	return strv_push(&r->known[kind], steal_ptr(v));
}

size_t vn_redact_distinct(const struct vn_redactor *r, enum vn_redact_kind kind)
{
	return r->count[kind];
}

/* The placeholder of a value, made on first sight. */
static int placeholder(struct vn_redactor *r, enum vn_redact_kind kind,
		       const char *p, size_t n, FILE *out)
{
	struct mapping *nm;
	char *v = strndup(p, n);

	if (!v)
		return -ENOMEM;
	if (kind != VN_REDACT_HOST)
		for (char *c = v; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	for (size_t i = 0; i < r->nmap; i++)
		if (r->map[i].kind == kind && streq(r->map[i].value, v)) {
			free(v);
			fprintf(out, "[%s-%zu]", kind_names[kind],
				r->map[i].index);
			return 0;
		}
	nm = realloc(r->map, (r->nmap + 1) * sizeof(*nm));
	if (!nm) {
		free(v);
		return -ENOMEM;
	}
	r->map = nm;
	nm[r->nmap++] = (struct mapping){ kind, v, ++r->count[kind] };
	fprintf(out, "[%s-%zu]", kind_names[kind], r->count[kind]);
	return 0;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* A known value standing alone at p: not part of a longer name. */
static size_t match_known(char *const *known, const char *start, const char *p)
{
	size_t best = 0;

	if (p > start && name_char(p[-1]))
		return 0;
	for (size_t i = 0; known && known[i]; i++) {
		size_t n = strlen(known[i]);

		if (n > best && !strncmp(p, known[i], n) && !name_char(p[n]))
			best = n;
	}
	return best;
}

/* groups of two hex digits joined by sep: MAC (6, ':'), DSN (8, '-') */
static size_t match_hex_pairs(const char *start, const char *p, int groups,
			      char sep)
{
	const char *q = p;

	if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == sep))
		return 0;
	for (int g = 0; g < groups; g++) {
		if (!isxdigit((unsigned char)q[0]) ||
		    !isxdigit((unsigned char)q[1]))
			return 0;
		q += 2;
		if (g + 1 < groups && *q++ != sep)
			return 0;
	}
	if (isalnum((unsigned char)*q) || *q == sep)
		return 0;
	return (size_t)(q - p);
}

static size_t match_ipv4(const char *start, const char *p)
{
	const char *q = p;

	if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '.'))
		return 0;
	for (int part = 0; part < 4; part++) {
		int v = 0, digits = 0;

		while (isdigit((unsigned char)*q) && digits < 4) {
			v = v * 10 + (*q++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return 0;
		if (part < 3 && *q++ != '.')
			return 0;
	}
	if (isalnum((unsigned char)*q) ||
	    (*q == '.' && isdigit((unsigned char)q[1])))
		return 0;
	return (size_t)(q - p);
}

/* Hex groups joined by ':' with at most one "::": eight groups, or two
 * to seven with "::". Times, BDFs and vendor:device IDs do not match. */
static size_t match_ipv6(const char *start, const char *p)
{
	const char *q = p;
	int groups = 0;
	bool gap = false;

	if (p > start &&
	    (isalnum((unsigned char)p[-1]) || p[-1] == ':' || p[-1] == '.'))
		return 0;
	for (;;) {
		int digits = 0;

		while (digits < 5 && isxdigit((unsigned char)q[digits]))
			digits++;
		if (digits > 4)
			return 0;
		if (digits) {
			groups++;
			q += digits;
		}
		if (q[0] != ':')
			break;
		if (q[1] == ':') {
			if (gap)
				return 0;
			gap = true;
			q += 2;
			continue;
		}
		if (!digits || !isxdigit((unsigned char)q[1]))
			break;
		q++;
	}
	if (isalnum((unsigned char)*q) || *q == '.' || *q == ':')
		return 0;
	if (gap ? groups < 2 || groups > 7 : groups != 8)
		return 0;
	return (size_t)(q - p);
}

static size_t match_at(const struct vn_redactor *r, const char *start,
		       const char *p, enum vn_redact_kind *kind)
{
	size_t n;

	for (int k = 0; k < VN_REDACT_NKINDS; k++)
		if ((n = match_known(r->known[k], start, p))) {
			*kind = (enum vn_redact_kind)k;
			return n;
		}
	if ((n = match_hex_pairs(start, p, 6, ':'))) {
		*kind = VN_REDACT_MAC;
		return n;
	}
	if ((n = match_hex_pairs(start, p, 8, '-'))) {
		*kind = VN_REDACT_SERIAL;
		return n;
	}
	if ((n = match_ipv6(start, p))) {
		*kind = VN_REDACT_IPV6;
		return n;
	}
	*kind = VN_REDACT_IPV4;
	return match_ipv4(start, p);
}

char *vn_redact(struct vn_redactor *r, const char *text)
{
	_cleanup_fclose_ FILE *out = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err = 0;

	out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	for (const char *p = text; *p && !err;) {
		enum vn_redact_kind kind;
		size_t n = match_at(r, text, p, &kind);

		if (!n) {
			fputc(*p++, out);
			continue;
		}
		err = placeholder(r, kind, p, n, out);
		p += n;
	}
	if (fclose(steal_ptr(out)) != 0 || err) {
		free(buf);
		return NULL;
	}
	return buf;
}
