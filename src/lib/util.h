/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))

/*
 * Silence one gcc -fanalyzer false positive (tests/run-all builds with
 * it) in the statements between BEGIN and END, with a comment there
 * saying why it is false. Nothing for other compilers.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define VN_PRAGMA_(x) _Pragma(#x)
#define VN_ANALYZER_FP_BEGIN(warning)  \
	_Pragma("GCC diagnostic push") \
		VN_PRAGMA_(GCC diagnostic ignored warning)
#define VN_ANALYZER_FP_END _Pragma("GCC diagnostic pop")
#else
#define VN_ANALYZER_FP_BEGIN(warning)
#define VN_ANALYZER_FP_END
#endif
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Hand an owned pointer over to the caller, disarming the cleanup. */
#define steal_ptr(p)                       \
	({                                 \
		__typeof__(p) _tmp_ = (p); \
		(p) = NULL;                \
		_tmp_;                     \
	})

#define steal_fd(fd)              \
	({                        \
		int _tmp_ = (fd); \
		(fd) = -1;        \
		_tmp_;            \
	})

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return streq(a, b);
}

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* True for the errors that mean "not allowed to look". */
static inline bool vn_err_denied(int r)
{
	return r == -EACCES || r == -EPERM;
}

/* Strip trailing whitespace (the kernel ends every attribute with "\n"). */
char *strip_trailing(char *s);

/* Parse an unsigned decimal or 0x-prefixed hex number that fills all of s. */
int parse_ulong(const char *s, int base, unsigned long *out);
int parse_int(const char *s, int *out);

/* Join the strings of a NULL-terminated vector with sep; NULL on ENOMEM. */
char *strv_join(char *const *v, const char *sep);
void strv_free(char **v);
size_t strv_len(char *const *v);
int strv_push(char ***v, char *s);
/* An empty vector (only the NULL end) for strv_push to grow; NULL on ENOMEM. */
static inline char **strv_new(void)
{
	return calloc(1, sizeof(char *));
}
bool strv_contains(char *const *v, const char *s);
/* Sort the strings of a NULL-terminated vector in strcmp() order. */
void strv_sort(char **v);

static inline void strv_freep(char ***v)
{
	strv_free(*v);
}
#define _cleanup_strv_ _cleanup_(strv_freep)

/*
 * Text from outside (arguments, comm names, file contents, environment)
 * made safe to print or write: control characters, DEL, C1 controls and
 * bytes that are not valid UTF-8 become \n, \t, \r or \xHH, and a
 * backslash becomes \\, so the result is one line that shows exactly what
 * was there. Valid UTF-8 text passes unchanged. NULL on ENOMEM; a NULL s
 * gives "".
 */
char *vn_escape(const char *s);
/* Does s print as itself (vn_escape would change nothing)? */
bool vn_is_clean_text(const char *s);

/*
 * The most read_fd_full() reads: 64 MiB, room for /proc/net/tcp of a host
 * with 400,000 sockets or a /proc/PID/maps of 500,000 mappings, and a
 * bound on anything a --sysroot or --root tree holds (a link to /dev/zero,
 * a huge file). Past it: -EFBIG.
 */
#define VN_READ_MAX (64u << 20)

/* Read all of fd (at most VN_READ_MAX bytes) into a NUL-terminated
 * buffer. */
int read_fd_full(int fd, char **out, size_t *len);
/* The same for a file whose short read is its end (a sysfs attribute:
 * one read() when it is shorter than a page); never for a pipe or
 * procfs, where a short read only says what is there now. */
int read_fd_short_is_end(int fd, char **out, size_t *len);

/* Replace *dst (freed) with a formatted string / a copy of s (NULL
 * stays NULL); -ENOMEM. */
int vn_setf(char **dst, const char *fmt, ...) _printf_(2, 3);
int vn_set_str(char **dst, const char *s);

/* Write all of buf (a regular file may take it in pieces); -errno. */
int vn_write_all(int fd, const char *buf, size_t len);

/* asprintf that returns -ENOMEM instead of -1. */
int xasprintf(char **out, const char *fmt, ...) _printf_(2, 3);
/* The same with a va_list; *out is NULL after -ENOMEM. */
int xvasprintf(char **out, const char *fmt, va_list ap) _printf_(2, 0);

/* Milliseconds on the monotonic clock, for deadlines. */
static inline long long vn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
