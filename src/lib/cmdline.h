/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vn_sys;

/*
 * Split a kernel command line the way the kernel's next_arg() does:
 * blanks separate words, double quotes protect blanks, and everything
 * after a lone "--" belongs to init and is dropped.
 */
int vn_cmdline_split(const char *cmdline, char ***out);

/*
 * Last occurrence of parameter `name` (the kernel lets a later one win),
 * comparing '-' and '_' as equal as parameq() does. *value is NULL for
 * the bare form ("quiet"). Returns 1 when found, 0 when not.
 */
int vn_cmdline_find(char *const *words, const char *name, const char **value);

/* /proc/cmdline of the system looked at, split. */
int vn_cmdline_read(const struct vn_sys *sys, char ***out);

/* Parameter names equal under the kernel's dash/underscore rule. */
bool vn_param_name_eq(const char *a, const char *b, size_t n);

/*
 * The mask every panic_on_taint= on a command line leaves, applied in
 * order as panic_on_taint_setup() does: an unparsable value changes
 * nothing, a parsed one replaces the mask (a zero one clears it), and
 * ",nousertaint" sticks once given. 1 when a mask is set, else 0.
 */
int vn_cmdline_panic_on_taint(char *const *words, unsigned long *mask,
			      bool *nousertaint);
