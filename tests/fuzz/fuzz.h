/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Shared by the fuzz harnesses (fuzz-*.c): each defines
 * LLVMFuzzerTestOneInput() and is linked either with libFuzzer (the
 * clang build, -Dfuzz=true) or with replay.c, which runs it over the
 * checked-in corpus in every build (suite unit). See README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string, cut at its first NUL as the kernel's text
 * would be; never NULL. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A property of the parser that must hold for every input. */
#define FUZZ_CHECK(cond)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: property failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)
