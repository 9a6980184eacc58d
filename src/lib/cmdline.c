// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>

#include "cmdline.h"
#include "sys.h"
#include "taint.h"

/* The word at *p as the kernel's next_arg() (lib/cmdline.c) reads it:
 * quotes group and are dropped. Advances *p past it. */
static char *take_word(const char **p)
{
	const char *start = *p, *s;
	bool quoted = false;
	size_t len = 0;
	char *w, *q;

	/* Measure first: one allocation of the word's size, so the whole
	 * split is linear in the length of the command line. */
	for (s = start; *s && (quoted || !isspace((unsigned char)*s)); s++) {
		if (*s == '"')
			quoted = !quoted;
		else
			len++;
	}
	w = malloc(len + 1);
	if (!w)
		return NULL;
	for (q = w; *p < s; (*p)++)
		if (**p != '"')
			*q++ = **p;
	*q = '\0';
	return w;
}

int vn_cmdline_split(const char *cmdline, char ***out)
{
	_cleanup_strv_ char **words = strv_new();
	const char *p = cmdline;
	size_t n = 0, cap = 1;

	if (!words)
		return -ENOMEM;
	for (;;) {
		char *w;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w = take_word(&p);
		if (!w)
			return -ENOMEM;
		if (streq(w, "--")) {
			free(w);
			break;
		}
		/* Doubling, not strv_push(): that walks the vector each time. */
		if (n + 1 >= cap) {
			char **nv = realloc(words, cap * 2 * sizeof(*nv));

			if (!nv) {
				free(w);
				return -ENOMEM;
			}
			words = nv;
			cap *= 2;
		}
		words[n++] = w;
		words[n] = NULL;
	}
	*out = steal_ptr(words);
	return 0;
}

bool vn_param_name_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = (char)(a[i] == '-' ? '_' : a[i]);
		char y = (char)(b[i] == '-' ? '_' : b[i]);

		if (x != y)
			return false;
		if (!x)
			return true;
	}
	return true;
}

int vn_cmdline_find(char *const *words, const char *name, const char **value)
{
	size_t n = strlen(name);
	int found = 0;

	for (size_t i = 0; words && words[i]; i++) {
		const char *w = words[i];

		if (!vn_param_name_eq(w, name, n))
			continue;
		if (w[n] == '\0') {
			*value = NULL;
			found = 1;
		} else if (w[n] == '=') {
			*value = w + n + 1;
			found = 1;
		}
	}
	return found;
}

int vn_cmdline_read(const struct vn_sys *sys, char ***out)
{
	_cleanup_free_ char *text = NULL;
	int r = vn_read_text(sys, &text, "/proc/cmdline");

	if (r < 0)
		return r;
	return vn_cmdline_split(text, out);
}

int vn_cmdline_panic_on_taint(char *const *words, unsigned long *mask,
			      bool *nousertaint)
{
	const size_t n = strlen("panic_on_taint");

	*mask = 0;
	*nousertaint = false;
	for (size_t i = 0; words && words[i]; i++) {
		_cleanup_free_ char *copy = NULL;
		char *rest, *hex;
		unsigned long v;

		if (!vn_param_name_eq(words[i], "panic_on_taint", n) ||
		    words[i][n] != '=')
			continue;
		copy = strdup(words[i] + n + 1);
		if (!copy)
			return -ENOMEM;
		rest = copy;
		hex = strsep(&rest, ",");
		if (startswith(hex, "0x") || startswith(hex, "0X"))
			hex += 2;
		if (parse_ulong(hex, 16, &v) < 0)
			continue;
		*mask = v & VN_TAINT_ALL;
		if (*mask && rest && streq(rest, "nousertaint"))
			*nousertaint = true;
	}
	return *mask != 0;
}
