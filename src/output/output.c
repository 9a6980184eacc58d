// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libsmartcols.h>

#include "lib/util.h"
#include "output.h"

struct cell {
	bool set;
	char *text; /* value, or a null cell's display text; list items \n-separated */
	long long num;
	bool b;
};

struct vn_table {
	const struct vn_coldef *defs;
	size_t ndefs;
	struct vn_outopts opts;
	size_t sel[VN_MAX_COLUMNS];
	size_t nsel;
	struct cell **rows;
	size_t nrows;
};

static int find_col(const struct vn_coldef *defs, size_t ndefs,
		    const char *name)
{
	for (size_t i = 0; i < ndefs; i++)
		if (!strcasecmp(defs[i].name, name))
			return (int)i;
	return -1;
}

int vn_columns_parse(const struct vn_coldef *defs, size_t ndefs,
		     const char *spec, size_t *idx, size_t *n, char **bad)
{
	_cleanup_free_ char *copy = NULL;
	char *p, *tok, *save = NULL;

	*n = 0;
	*bad = NULL;
	if (!spec || *spec == '+') {
		for (size_t i = 0; i < ndefs && *n < VN_MAX_COLUMNS; i++)
			if (defs[i].flags & VN_COL_DEFAULT)
				idx[(*n)++] = i;
		if (!spec)
			return 0;
		spec++;
	}
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (p = copy; (tok = strtok_r(p, ",", &save)); p = NULL) {
		int c = find_col(defs, ndefs, tok);

		if (c < 0) {
			*bad = strdup(tok);
			return *bad ? -EINVAL : -ENOMEM;
		}
		if (*n >= VN_MAX_COLUMNS)
			return -E2BIG;
		idx[(*n)++] = (size_t)c;
	}
	if (*n == 0) {
		*bad = strdup(spec);
		return *bad ? -EINVAL : -ENOMEM;
	}
	return 0;
}

int vn_table_new(const struct vn_coldef *defs, size_t ndefs,
		 const struct vn_outopts *o, struct vn_table **out, char **bad)
{
	struct vn_table *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	t->defs = defs;
	t->ndefs = ndefs;
	t->opts = *o;
	/* A JSON document carries every field unless -o picks some. */
	if (o->fmt == VN_FMT_JSON && !o->columns) {
		for (size_t i = 0; i < ndefs && i < VN_MAX_COLUMNS; i++)
			t->sel[t->nsel++] = i;
		*out = t;
		return 0;
	}
	r = vn_columns_parse(defs, ndefs, o->columns, t->sel, &t->nsel, bad);
	if (r < 0) {
		free(t);
		return r;
	}
	*out = t;
	return 0;
}

void vn_table_free(struct vn_table *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ndefs; c++)
			free(t->rows[r][c].text);
		free(t->rows[r]);
	}
	free(t->rows);
	free(t);
}

int vn_table_add_row(struct vn_table *t)
{
	struct cell **nr = realloc(t->rows, (t->nrows + 1) * sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	t->rows = nr;
	nr[t->nrows] = calloc(t->ndefs, sizeof(struct cell));
	if (!nr[t->nrows])
		return -ENOMEM;
	t->nrows++;
	return 0;
}

static struct cell *cur(struct vn_table *t, size_t col)
{
	if (!t->nrows || col >= t->ndefs)
		return NULL;
	return &t->rows[t->nrows - 1][col];
}

int vn_cell_str(struct vn_table *t, size_t col, const char *s)
{
	struct cell *c = cur(t, col);

	if (!c)
		return -EINVAL;
	free(c->text);
	c->text = NULL;
	c->set = s != NULL;
	if (s && !(c->text = strdup(s)))
		return -ENOMEM;
	return 0;
}

int vn_cell_strf(struct vn_table *t, size_t col, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		s = NULL;
		return -ENOMEM;
	}
	return vn_cell_str(t, col, s);
}

int vn_cell_num(struct vn_table *t, size_t col, long long v)
{
	struct cell *c = cur(t, col);

	if (!c)
		return -EINVAL;
	c->set = true;
	c->num = v;
	return 0;
}

int vn_cell_bool(struct vn_table *t, size_t col, bool v)
{
	struct cell *c = cur(t, col);

	if (!c)
		return -EINVAL;
	c->set = true;
	c->b = v;
	return 0;
}

int vn_cell_null_text(struct vn_table *t, size_t col, const char *text)
{
	int r = vn_cell_str(t, col, text);

	if (r == 0)
		cur(t, col)->set = false;
	return r;
}

int vn_cell_list_add(struct vn_table *t, size_t col, const char *item)
{
	struct cell *c = cur(t, col);
	char *n;

	if (!c)
		return -EINVAL;
	if (xasprintf(&n, "%s%s%s", c->set && c->text ? c->text : "",
		      c->set && c->text ? "\n" : "", item) < 0)
		return -ENOMEM;
	free(c->text);
	c->text = n;
	c->set = true;
	return 0;
}

bool vn_table_wants(const struct vn_table *t, size_t col)
{
	for (size_t i = 0; i < t->nsel; i++)
		if (t->sel[i] == col)
			return true;
	return false;
}

/* Text of a cell for tables and pairs; NULL for null. */
static const char *cell_text(const struct vn_coldef *def, struct cell *c,
			     char *buf, size_t size)
{
	if (!c->set)
		return c->text;
	switch (def->type) {
	case VN_COL_LIST:
		/* items are stored \n-separated; tables show them with "," */
		for (char *p = c->text; p && *p; p++)
			if (*p == '\n')
				*p = ',';
		return c->text;
	case VN_COL_NUM:
		snprintf(buf, size, "%lld", c->num);
		return buf;
	case VN_COL_BOOL:
		return c->b ? "yes" : "no";
	case VN_COL_STR:
		break;
	}
	return c->text;
}

static void unref_tablep(struct libscols_table **tb)
{
	scols_unref_table(*tb);
}

static int print_scols(struct vn_table *t, FILE *out)
{
	_cleanup_(unref_tablep) struct libscols_table *tb = scols_new_table();
	char buf[32];

	if (!tb)
		return -ENOMEM;
	scols_table_set_stream(tb, out);
	scols_table_enable_noheadings(tb, t->opts.noheadings);
	if (t->opts.fmt == VN_FMT_RAW)
		scols_table_enable_raw(tb, 1);
	for (size_t i = 0; i < t->nsel; i++) {
		const struct vn_coldef *d = &t->defs[t->sel[i]];
		int fl = 0;

		if (d->flags & VN_COL_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (d->flags & VN_COL_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		if (d->flags & VN_COL_WRAP)
			fl |= SCOLS_FL_WRAP;
		if (!scols_table_new_column(tb, d->name, 0, fl))
			return -ENOMEM;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		for (size_t i = 0; i < t->nsel; i++) {
			size_t c = t->sel[i];
			const char *s = cell_text(&t->defs[c], &t->rows[r][c],
						  buf, sizeof(buf));

			if (!s || !*s)
				s = "-";
			if (scols_line_set_data(ln, i, s) < 0)
				return -ENOMEM;
		}
	}
	return scols_print_table(tb) < 0 ? -EIO : 0;
}

static struct json_object *cell_json(const struct vn_coldef *def,
				     const struct cell *c)
{
	if (!c->set)
		return NULL;
	switch (def->type) {
	case VN_COL_LIST: {
		struct json_object *arr = json_object_new_array();
		_cleanup_free_ char *copy = strdup(c->text ? c->text : "");
		char *save = NULL;

		for (char *p = copy, *tok;
		     copy && (tok = strtok_r(p, "\n", &save)); p = NULL)
			json_object_array_add(arr, json_object_new_string(tok));
		return arr;
	}
	case VN_COL_NUM:
		return json_object_new_int64(c->num);
	case VN_COL_BOOL:
		return json_object_new_boolean(c->b);
	case VN_COL_STR:
		break;
	}
	return json_object_new_string(c->text);
}

static void json_key(const char *name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
}

static void json_putp(struct json_object **o)
{
	json_object_put(*o);
}

struct json_object *vn_table_json(const struct vn_table *t, const char *key)
{
	_cleanup_(json_putp) struct json_object *doc = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char name[64];

	if (!doc || !arr) {
		json_object_put(arr);
		return NULL;
	}
	json_object_object_add(doc, key, arr);
	for (size_t r = 0; r < t->nrows; r++) {
		struct json_object *row = json_object_new_object();

		if (!row)
			return NULL;
		json_object_array_add(arr, row);
		for (size_t i = 0; i < t->nsel; i++) {
			size_t c = t->sel[i];

			json_key(t->defs[c].name, name, sizeof(name));
			json_object_object_add(row, name,
					       cell_json(&t->defs[c],
							 &t->rows[r][c]));
		}
	}
	return steal_ptr(doc);
}

static int print_json(struct vn_table *t, FILE *out, const char *key)
{
	_cleanup_(json_putp) struct json_object *doc = vn_table_json(t, key);

	if (!doc)
		return -ENOMEM;
	return vn_doc_print(doc, &t->opts, out);
}

/* KEY="value" rows, quoted as documents are, so that eval gives back the
 * exact value (libsmartcols' export mode writes \x22 for a quote). */
static int print_pairs_rows(struct vn_table *t, FILE *out)
{
	char buf[32];

	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t i = 0; i < t->nsel; i++) {
			size_t c = t->sel[i];
			const char *s = cell_text(&t->defs[c], &t->rows[r][c],
						  buf, sizeof(buf));

			fprintf(out, "%s%s=", i ? " " : "", t->defs[c].name);
			vn_fputs_quoted(s ? s : "", out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

int vn_table_print(struct vn_table *t, FILE *out, const char *json_key_name)
{
	if (t->opts.fmt == VN_FMT_JSON)
		return print_json(t, out, json_key_name);
	if (t->opts.fmt == VN_FMT_PAIRS)
		return print_pairs_rows(t, out);
	return print_scols(t, out);
}

static void fputs_escaped(const char *s, FILE *out)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\' || c == '$' || c == '`')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

void vn_fputs_quoted(const char *s, FILE *out)
{
	fputc('"', out);
	fputs_escaped(s, out);
	fputc('"', out);
}

static void pairs_key(char *buf, size_t size, const char *prefix,
		      const char *key)
{
	size_t n;

	if (prefix && *prefix)
		snprintf(buf, size, "%s_%s", prefix, key);
	else
		snprintf(buf, size, "%s", key);
	for (n = 0; buf[n]; n++) {
		unsigned char c = (unsigned char)buf[n];

		buf[n] = isalnum(c) ? (char)toupper(c) : '_';
	}
}

static void pairs_value(struct json_object *v, FILE *out)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		vn_fputs_quoted("", out);
		break;
	case json_type_boolean:
		vn_fputs_quoted(json_object_get_boolean(v) ? "yes" : "no", out);
		break;
	default:
		vn_fputs_quoted(json_object_get_string(v), out);
		break;
	}
}

/* Flatten: nested objects extend the key; arrays of scalars are joined
 * with ","; arrays of objects get their index in the key. */
static void print_pairs(struct json_object *o, const char *prefix, FILE *out,
			bool *first)
{
	char key[256];

	json_object_object_foreach(o, k, v) {
		pairs_key(key, sizeof(key), prefix, k);
		if (json_object_is_type(v, json_type_object)) {
			print_pairs(v, key, out, first);
			continue;
		}
		if (json_object_is_type(v, json_type_array)) {
			size_t n = json_object_array_length(v);
			bool scalars = true;

			for (size_t i = 0; i < n; i++)
				if (json_object_is_type(
					    json_object_array_get_idx(v, i),
					    json_type_object))
					scalars = false;
			if (!scalars) {
				for (size_t i = 0; i < n; i++) {
					char sub[300];

					snprintf(sub, sizeof(sub), "%s_%zu",
						 key, i);
					print_pairs(
						json_object_array_get_idx(v, i),
						sub, out, first);
				}
				continue;
			}
			fprintf(out, "%s%s=", *first ? "" : "\n", key);
			*first = false;
			fputc('"', out);
			for (size_t i = 0; i < n; i++) {
				if (i)
					fputc(',', out);
				fputs_escaped(json_object_get_string(
						      json_object_array_get_idx(
							      v, i)),
					      out);
			}
			fputc('"', out);
			continue;
		}
		fprintf(out, "%s%s=", *first ? "" : "\n", key);
		*first = false;
		pairs_value(v, out);
	}
}

int vn_doc_print(struct json_object *doc, const struct vn_outopts *o, FILE *out)
{
	if (o->fmt == VN_FMT_PAIRS) {
		bool first = true;

		print_pairs(doc, NULL, out, &first);
		if (!first)
			fputc('\n', out);
		return ferror(out) ? -EIO : 0;
	}
	fputs(json_object_to_json_string_ext(
		      doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				   JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

void vn_columns_help(const struct vn_coldef *defs, size_t ndefs, FILE *out)
{
	for (size_t i = 0; i < ndefs; i++)
		fprintf(out, "  %-12s %s%s\n", defs[i].name, defs[i].help,
			defs[i].flags & VN_COL_DEFAULT ?
				"" :
				" (not shown by default)");
}

struct json_object *vn_jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}
