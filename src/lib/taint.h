/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vn_sys;

#define VN_TAINT_COUNT 20
#define VN_TAINT_ALL ((1UL << VN_TAINT_COUNT) - 1)
#define VN_TAINT_USER_BIT 6
#define VN_TAINT_USER (1UL << VN_TAINT_USER_BIT)

/* kernel/panic.c taint_flags[], kernel-interfaces.md §4.3 */
struct vn_taint_flag {
	unsigned int bit;
	char letter; /* printed when set */
	char clear; /* printed when clear ('G' for bit 0, else ' ') */
	const char *name; /* TAINT_<name> without the prefix */
	const char *meaning;
};

const struct vn_taint_flag *vn_taint_flags(void);
const struct vn_taint_flag *vn_taint_flag_by_letter(char letter);

/* /proc/sys/kernel/tainted. */
int vn_taint_read(const struct vn_sys *sys, unsigned long *mask);

/* The oops header form: "Not tainted" or "Tainted: G     U    ...". */
void vn_taint_short_form(unsigned long mask, char *buf, size_t size);
/* Set letters only, in bit order ("U", "OE"); "" when clean. */
void vn_taint_letters(unsigned long mask, char *buf, size_t size);
