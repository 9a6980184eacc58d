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
	/* Items: one per line in tables people read, joined by "," in raw
	 * tables and pairs (a "," inside an item written \x2c), an array in
	 * JSON (of objects when the items carry them). */
	VN_COL_LIST,
	/* A JSON object; its keys flatten to NAME_KEY pairs; tables show a
	 * compact text. */
	VN_COL_OBJECT,
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
	const char *const *keys; /* VN_COL_OBJECT: its keys, for --pairs */
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

/* Start a row; cells default to null ("-" in tables, "" in raw tables,
 * pairs and single columns, null in JSON). */
int vn_table_add_row(struct vn_table *t);
/* Set a cell of the current row by column index in defs. */
int vn_cell_str(struct vn_table *t, size_t col, const char *s);
int vn_cell_strf(struct vn_table *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vn_cell_num(struct vn_table *t, size_t col, long long v);
int vn_cell_bool(struct vn_table *t, size_t col, bool v);
/*
 * What a table people read shows in place of the cell's value: a note, a
 * reason ("none (group only)", "?"). Never in script formats (raw, pairs,
 * JSON, --noheadings, a single column), where a cell holds its value or
 * nothing.
 */
int vn_cell_note(struct vn_table *t, size_t col, const char *text);
/* Append one item to a VN_COL_LIST cell; with obj (owned, may be NULL),
 * JSON gets that object for the item. */
int vn_cell_list_add(struct vn_table *t, size_t col, const char *item);
int vn_cell_list_add_obj(struct vn_table *t, size_t col, const char *item,
			 struct json_object *obj);
/* A VN_COL_OBJECT cell: text for tables, obj (owned) for JSON and pairs. */
int vn_cell_obj(struct vn_table *t, size_t col, const char *text,
		struct json_object *obj);
/* Is this column selected for output? Lets callers skip costly work. */
bool vn_table_wants(const struct vn_table *t, size_t col);

/* The rows as { "schema": schema, "<json_key>": [ {...}, ... ] }. */
struct json_object *vn_table_json(const struct vn_table *t,
				  const char *json_key, int schema);
/* JSON renders { "schema": schema, "<json_key>": [ {...}, ... ] }. */
int vn_table_print(struct vn_table *t, FILE *out, const char *json_key,
		   int schema);

/* Documents: JSON, or KEY="value" lines with nested keys joined by "_". */
int vn_doc_print(struct json_object *doc, const struct vn_outopts *o,
		 FILE *out);

/* A JSON string, or null (a missing key's value) for NULL. */
struct json_object *vn_jstr(const char *s);

/* Shell double-quote escaping of one value, as --pairs prints it. */
void vn_fputs_quoted(const char *s, FILE *out);

/* Column help for --help texts: "NAME  help" lines. */
void vn_columns_help(const struct vn_coldef *defs, size_t ndefs, FILE *out);
