/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;

/* One model, four renderings: every command that prints rows builds a
 * vn_table; every command that prints a document builds a json-c tree. */
enum vn_fmt {
	VN_FMT_TABLE,
	VN_FMT_RAW,
	VN_FMT_PAIRS,
	VN_FMT_JSON,
};

struct vn_outopts {
	enum vn_fmt fmt;
	bool noheadings;
	const char *columns; /* -o spec, NULL for the defaults */
};

enum vn_coltype {
	VN_COL_STR,
	VN_COL_NUM,
	VN_COL_BOOL,
	VN_COL_LIST, /* strings: joined by "," in tables, an array in JSON */
};

enum {
	VN_COL_DEFAULT = 1 << 0, /* shown without -o */
	VN_COL_RIGHT = 1 << 1,
	VN_COL_TRUNC = 1 << 2, /* may be truncated on a narrow terminal */
	VN_COL_WRAP = 1 << 3,
};

struct vn_coldef {
	const char *name; /* -o name, --pairs key, header; JSON key lowercased */
	enum vn_coltype type;
	unsigned int flags;
	const char *help;
};

#define VN_MAX_COLUMNS 64

/*
 * Parse "-o" (comma-separated names, any case; a leading "+" adds to the
 * defaults). Fills idx with def indexes. -EINVAL with *bad pointing at the
 * offending name (inside a copy the caller frees) when a name is unknown.
 */
int vn_columns_parse(const struct vn_coldef *defs, size_t ndefs,
		     const char *spec, size_t *idx, size_t *n, char **bad);

struct vn_table;

int vn_table_new(const struct vn_coldef *defs, size_t ndefs,
		 const struct vn_outopts *o, struct vn_table **out, char **bad);
void vn_table_free(struct vn_table *t);
static inline void vn_table_freep(struct vn_table **t)
{
	vn_table_free(*t);
}

/* Start a row; cells default to null ("-" in tables, null in JSON). */
int vn_table_add_row(struct vn_table *t);
/* Set a cell of the current row by column index in defs. */
int vn_cell_str(struct vn_table *t, size_t col, const char *s);
int vn_cell_strf(struct vn_table *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vn_cell_num(struct vn_table *t, size_t col, long long v);
int vn_cell_bool(struct vn_table *t, size_t col, bool v);
/* Null in JSON, but this text in tables ("none", "?", a reason). */
int vn_cell_null_text(struct vn_table *t, size_t col, const char *text);
/* Append one item to a VN_COL_LIST cell. */
int vn_cell_list_add(struct vn_table *t, size_t col, const char *item);
/* Is this column selected for output? Lets callers skip costly work. */
bool vn_table_wants(const struct vn_table *t, size_t col);

/* JSON renders { "<json_key>": [ {...}, ... ] }. */
struct json_object *vn_table_json(const struct vn_table *t, const char *key);
int vn_table_print(struct vn_table *t, FILE *out, const char *json_key);

/* Documents: JSON, or KEY="value" lines with nested keys joined by "_". */
int vn_doc_print(struct json_object *doc, const struct vn_outopts *o,
		 FILE *out);

/* A JSON string, or null (a missing key's value) for NULL. */
struct json_object *vn_jstr(const char *s);

/* Shell double-quote escaping of one value, as --pairs prints it. */
void vn_fputs_quoted(const char *s, FILE *out);

/* Column help for --help texts: "NAME  help" lines. */
void vn_columns_help(const struct vn_coldef *defs, size_t ndefs, FILE *out);
