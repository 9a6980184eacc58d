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
 * panic_on_taint=<hex mask>[,nousertaint] as panic_on_taint_setup()
 * parses it: kstrtoul base 16 (0x optional), masked to the known flags,
 * zero rejected. -EINVAL when the kernel would have ignored it.
 */
int vn_parse_panic_on_taint(const char *value, unsigned long *mask,
			    bool *nousertaint);
