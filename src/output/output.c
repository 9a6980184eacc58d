// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include <json-c/json.h>
#include <libsmartcols.h>

#include "lib/util.h"
#include "output.h"

struct cell {
	bool set;
	char *text; /* the value; list items \n-separated; an object's text */
	long long num;
	bool b;
	char *note; /* shown in its place in tables people read */
	struct json_object *json; /* an object, or a list's objects */
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
	if (!spec || *spec == '+')
		for (size_t i = 0; i < ndefs && *n < VN_MAX_COLUMNS; i++)
			if (defs[i].flags & VN_COL_DEFAULT)
				idx[(*n)++] = i;
	if (!spec)
		return 0;
	if (*spec == '+')
		spec++;
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
		for (size_t c = 0; c < t->ndefs; c++) {
			free(t->rows[r][c].text);
			free(t->rows[r][c].note);
			json_object_put(t->rows[r][c].json);
		}
		free(t->rows[r]);
	}
	free(t->rows);
	free(t);
}

int vn_table_add_row(struct vn_table *t)
{
	/* An array of pointers: sizeof(pointer) is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
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

int vn_cell_note(struct vn_table *t, size_t col, const char *text)
{
	struct cell *c = cur(t, col);

	if (!c)
		return -EINVAL;
	free(c->note);
	c->note = text ? strdup(text) : NULL;
	return text && !c->note ? -ENOMEM : 0;
}

int vn_cell_list_add_obj(struct vn_table *t, size_t col, const char *item,
			 struct json_object *obj)
{
	struct cell *c = cur(t, col);
	char *n;

	if (!c) {
		json_object_put(obj);
		return -EINVAL;
	}
	if (obj && !c->json && !(c->json = json_object_new_array())) {
		json_object_put(obj);
		return -ENOMEM;
	}
	if (obj)
		json_object_array_add(c->json, obj);
	if (xasprintf(&n, "%s%s%s", c->set && c->text ? c->text : "",
		      c->set && c->text && *c->text ? "\n" : "", item) < 0)
		return -ENOMEM;
	free(c->text);
	c->text = n;
	c->set = true;
	return 0;
}

int vn_cell_list_add(struct vn_table *t, size_t col, const char *item)
{
	return vn_cell_list_add_obj(t, col, item, NULL);
}

int vn_cell_obj(struct vn_table *t, size_t col, const char *text,
		struct json_object *obj)
{
	struct cell *c = cur(t, col);
	int r;

	if (!c) {
		json_object_put(obj);
		return -EINVAL;
	}
	r = vn_cell_str(t, col, text);
	json_object_put(c->json);
	c->json = obj;
	c->set = obj != NULL;
	return r;
}

bool vn_table_wants(const struct vn_table *t, size_t col)
{
	for (size_t i = 0; i < t->nsel; i++)
		if (t->sel[i] == col)
			return true;
	return false;
}

/* A table people read: the default table with its header and more than
 * one column. Everything else is read by scripts too. */
static bool human(const struct vn_table *t)
{
	return t->opts.fmt == VN_FMT_TABLE && !t->opts.noheadings &&
	       t->nsel > 1;
}

/* What a null cell prints as: "-" keeps aligned columns readable, a
 * raw table or a single column gets nothing. */
static const char *null_text(const struct vn_table *t)
{
	return t->opts.fmt == VN_FMT_RAW || t->nsel == 1 ? "" : "-";
}

/* List items joined by sep; a sep character inside an item is written
 * as \xHH so that the join can be split again. */
static char *join_items(const char *items, char sep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (const char *p = items; p && *p; p++) {
		if (*p == '\n')
			fputc(sep, f);
		else if (*p == sep)
			fprintf(f, "\\x%02x", (unsigned char)sep);
		else
			fputc(*p, f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Text of a cell's value for tables and pairs (owned); NULL for null. */
static char *value_text(const struct vn_coldef *def, const struct cell *c,
			char list_sep)
{
	char *s = NULL;

	if (!c->set)
		return NULL;
	switch (def->type) {
	case VN_COL_LIST:
		return join_items(c->text, list_sep);
	case VN_COL_NUM:
		xasprintf(&s, "%lld", c->num);
		return s;
	case VN_COL_BOOL:
		return strdup(c->b ? "yes" : "no");
	case VN_COL_STR:
	case VN_COL_OBJECT:
		break;
	}
	return strdup(c->text ? c->text : "");
}

static void unref_tablep(struct libscols_table **tb)
{
	scols_unref_table(*tb);
}

/*
 * Tables people read fit $COLUMNS when it is a number, else the terminal
 * (libsmartcols asks it), else any width. Other tables are never cut: a
 * script gets whole values.
 */
static void set_width(struct libscols_table *tb, bool people)
{
	const char *env = getenv("COLUMNS");
	unsigned long w;

	if (!people) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
		return;
	}
	if (env && parse_ulong(env, 10, &w) == 0 && w > 0 && w < 100000) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, w);
	}
}

/* Identifiers (addresses, paths, command[pid]) are never split: their
 * columns have no flag. Free text truncates; a list wraps between its
 * items, one per line, never inside one. */
static int add_columns(struct vn_table *t, struct libscols_table *tb,
		       bool people)
{
	for (size_t i = 0; i < t->nsel; i++) {
		const struct vn_coldef *d = &t->defs[t->sel[i]];
		struct libscols_column *cl;
		int fl = 0;

		if (d->flags & VN_COL_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (people && (d->flags & VN_COL_TRUNC))
			fl |= SCOLS_FL_TRUNC;
		if (people && (d->flags & VN_COL_WRAP))
			fl |= SCOLS_FL_WRAP;
		cl = scols_table_new_column(tb, d->name, 0, fl);
		if (!cl)
			return -ENOMEM;
		if (fl & SCOLS_FL_WRAP) {
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize,
						  scols_wrapnl_nextchunk, NULL);
			scols_column_set_safechars(cl, "\n");
		}
	}
	return 0;
}

static int add_lines(struct vn_table *t, struct libscols_table *tb, bool people)
{
	for (size_t r = 0; r < t->nrows; r++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			return -ENOMEM;
		for (size_t i = 0; i < t->nsel; i++) {
			size_t c = t->sel[i];
			const struct cell *cl = &t->rows[r][c];
			bool lines = people && (t->defs[c].flags & VN_COL_WRAP);
			_cleanup_free_ char *v = NULL;
			const char *s;

			if (people && cl->note)
				s = cl->note;
			else if ((v = value_text(&t->defs[c], cl,
						 lines ? '\n' : ',')))
				s = v;
			else
				s = cl->set ? "" : null_text(t);
			if (!*s && t->opts.fmt == VN_FMT_TABLE && t->nsel > 1)
				s = "-";
			if (scols_line_set_data(ln, i, s) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Columns a string takes on a terminal; -1 when it is not printable. */
static int text_width(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);
	_cleanup_free_ wchar_t *w = NULL;

	if (n == (size_t)-1 || !(w = calloc(n + 1, sizeof(*w))))
		return -1;
	mbstowcs(w, s, n + 1);
	return wcswidth(w, n);
}

/* s cut to width columns, the last of them an ellipsis. */
static char *cut_to_width(const char *s, int width)
{
	const char *dots = MB_CUR_MAX > 1 ? "\u2026" : "...";
	int room = width - (MB_CUR_MAX > 1 ? 1 : 3), used = 0;
	mbstate_t st = { 0 };
	const char *p = s;
	char *out;

	while (*p) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, MB_CUR_MAX, &st);
		int cw = n == (size_t)-1 || n == (size_t)-2 ? -1 : wcwidth(wc);

		if (cw < 0 || used + cw > room)
			break;
		used += cw;
		p += n;
	}
	if (xasprintf(&out, "%.*s%s", (int)(p - s), s, room > 0 ? dots : "") <
	    0)
		return NULL;
	return out;
}

/*
 * libsmartcols cuts truncated cells without a mark: lay the table out
 * once, then end each cell wider than its column with an ellipsis, so
 * that the reader sees the text goes on.
 */
static void ellipsize(struct vn_table *t, struct libscols_table *tb)
{
	FILE *sink = fopen("/dev/null", "w");

	if (!sink)
		return;
	scols_table_set_stream(tb, sink);
	scols_print_table(tb);
	fclose(sink);
	for (size_t i = 0; i < t->nsel; i++) {
		struct libscols_column *cl = scols_table_get_column(tb, i);
		int w = (int)scols_column_get_width(cl);

		if (!(scols_column_get_flags(cl) & SCOLS_FL_TRUNC))
			continue;
		for (size_t r = 0; r < t->nrows; r++) {
			struct libscols_cell *ce = scols_line_get_cell(
				scols_table_get_line(tb, r), i);
			const char *d = scols_cell_get_data(ce);
			char *cut;

			if (!d || text_width(d) <= w ||
			    !(cut = cut_to_width(d, w)))
				continue;
			scols_cell_refer_data(ce, cut);
		}
	}
}

static int print_scols(struct vn_table *t, FILE *out)
{
	_cleanup_(unref_tablep) struct libscols_table *tb = scols_new_table();
	bool people = human(t);
	int r;

	if (!tb)
		return -ENOMEM;
	scols_table_enable_noheadings(tb, t->opts.noheadings);
	if (t->opts.fmt == VN_FMT_RAW)
		scols_table_enable_raw(tb, 1);
	set_width(tb, people);
	if ((r = add_columns(t, tb, people)) < 0 ||
	    (r = add_lines(t, tb, people)) < 0)
		return r;
	if (people)
		ellipsize(t, tb);
	scols_table_set_stream(tb, out);
	return scols_print_table(tb) < 0 ? -EIO : 0;
}

static struct json_object *cell_json(const struct vn_coldef *def,
				     const struct cell *c)
{
	if (!c->set)
		return NULL;
	switch (def->type) {
	case VN_COL_LIST: {
		struct json_object *arr;
		_cleanup_free_ char *copy = NULL;
		char *save = NULL;

		if (c->json)
			return json_object_get(c->json);
		arr = json_object_new_array();
		copy = strdup(c->text ? c->text : "");
		for (char *p = copy, *tok;
		     copy && (tok = strtok_r(p, "\n", &save)); p = NULL)
			json_object_array_add(arr, json_object_new_string(tok));
		return arr;
	}
	case VN_COL_OBJECT:
		return json_object_get(c->json);
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

struct json_object *vn_table_json(const struct vn_table *t, const char *key,
				  int schema)
{
	_cleanup_(json_putp) struct json_object *doc = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char name[64];

	if (!doc || !arr) {
		json_object_put(arr);
		return NULL;
	}
	json_object_object_add(doc, "schema", json_object_new_int(schema));
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

static int print_json(struct vn_table *t, FILE *out, const char *key,
		      int schema)
{
	_cleanup_(json_putp) struct json_object *doc =
		vn_table_json(t, key, schema);

	if (!doc)
		return -ENOMEM;
	return vn_doc_print(doc, &t->opts, out);
}

static void pairs_value(struct json_object *v, FILE *out);
static void pairs_key(char *buf, size_t size, const char *prefix,
		      const char *key);

/* An object column flattens to NAME_KEY pairs, null or not. */
static void print_pairs_object(const struct vn_coldef *def,
			       const struct cell *c, FILE *out, bool *first)
{
	char key[128];

	for (size_t k = 0; def->keys && def->keys[k]; k++) {
		struct json_object *v = NULL;

		if (c->set)
			json_object_object_get_ex(c->json, def->keys[k], &v);
		pairs_key(key, sizeof(key), def->name, def->keys[k]);
		fprintf(out, "%s%s=", *first ? "" : " ", key);
		*first = false;
		pairs_value(v, out);
	}
}

/* KEY="value" rows, quoted as documents are, so that eval gives back the
 * exact value (libsmartcols' export mode writes \x22 for a quote). */
static int print_pairs_rows(struct vn_table *t, FILE *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		bool first = true;

		for (size_t i = 0; i < t->nsel; i++) {
			size_t c = t->sel[i];
			const struct vn_coldef *def = &t->defs[c];
			_cleanup_free_ char *s = NULL;

			if (def->type == VN_COL_OBJECT) {
				print_pairs_object(def, &t->rows[r][c], out,
						   &first);
				continue;
			}
			s = value_text(def, &t->rows[r][c], ',');
			fprintf(out, "%s%s=", first ? "" : " ", def->name);
			first = false;
			vn_fputs_quoted(s ? s : "", out);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

int vn_table_print(struct vn_table *t, FILE *out, const char *json_key_name,
		   int schema)
{
	if (t->opts.fmt == VN_FMT_JSON)
		return print_json(t, out, json_key_name, schema);
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

/* Scalars of an array, joined by "," as table lists are. */
static void print_pairs_list(struct json_object *arr, FILE *out)
{
	_cleanup_free_ char *items = NULL, *joined = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; f && i < json_object_array_length(arr); i++)
		fprintf(f, "%s%s", i ? "\n" : "",
			json_object_get_string(
				json_object_array_get_idx(arr, i)));
	if (f && fclose(f) == 0)
		items = buf;
	joined = join_items(items, ',');
	vn_fputs_quoted(joined ? joined : "", out);
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
			print_pairs_list(v, out);
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
