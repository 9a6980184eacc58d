/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/*
 * A POSIX ustar archive of regular files, written as it goes (report
 * --archive): a 512-byte header per member, its data padded to 512 bytes,
 * two zero blocks at the end. Members are 0644, owned by root.
 */

/* -ENAMETOOLONG when name does not fit ustar's prefix and name fields. */
int vn_tar_add(FILE *out, const char *name, const char *data, size_t len,
	       time_t mtime);
int vn_tar_end(FILE *out);
