// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/klog.h>

#include "kmsg.h"
#include "sys.h"

void vn_kmsg_rec_clear(struct vn_kmsg_rec *rec)
{
	free(rec->msg);
	free(rec->device);
	*rec = (struct vn_kmsg_rec){ 0 };
}

void vn_kmsg_clear(struct vn_kmsg *k)
{
	for (size_t i = 0; i < k->n; i++)
		vn_kmsg_rec_clear(&k->v[i]);
	free(k->v);
	*k = (struct vn_kmsg){ 0 };
}

int vn_kmsg_parse_record(const char *text, struct vn_kmsg_rec *rec)
{
	unsigned long long seq, usec;
	const char *semi, *eol, *p;
	int prio, n = 0;

	*rec = (struct vn_kmsg_rec){ 0 };
	if (sscanf(text, "%d,%llu,%llu,%n", &prio, &seq, &usec, &n) != 3 || !n)
		return -EBADMSG;
	semi = strchr(text + n, ';');
	if (!semi)
		return -EBADMSG;
	/* The flags field and any later ones: no ';' or newline inside. */
	for (p = text + n; p < semi; p++)
		if (*p == '\n')
			return -EBADMSG;
	eol = strchrnul(semi + 1, '\n');
	rec->prio = prio;
	rec->seq = seq;
	rec->usec = usec;
	rec->msg = strndup(semi + 1, (size_t)(eol - semi - 1));
	if (!rec->msg)
		return -ENOMEM;
	/* Continuation lines: " SUBSYSTEM=pci", " DEVICE=+pci:0000:00:03.0". */
	for (p = *eol ? eol + 1 : eol; *p == ' ';) {
		const char *end = strchrnul(p, '\n');

		if (!strncmp(p + 1, "DEVICE=", 7) && !rec->device) {
			rec->device = strndup(p + 8, (size_t)(end - p - 8));
			if (!rec->device) {
				vn_kmsg_rec_clear(rec);
				return -ENOMEM;
			}
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

int vn_kmsg_parse_syslog_line(const char *line, struct vn_kmsg_rec *rec)
{
	unsigned long sec, frac;
	int prio, n = 0;

	*rec = (struct vn_kmsg_rec){ .seq = UINT64_MAX };
	if (sscanf(line, "<%d>[%lu.%lu]%n", &prio, &sec, &frac, &n) != 3 || !n)
		return -EBADMSG;
	rec->prio = prio;
	rec->usec = (uint64_t)sec * 1000000 + frac;
	line += n;
	if (*line == ' ')
		line++;
	rec->msg = strdup(line);
	return rec->msg ? 0 : -ENOMEM;
}

static int push(struct vn_kmsg *k, struct vn_kmsg_rec *rec)
{
	struct vn_kmsg_rec *nv = realloc(k->v, (k->n + 1) * sizeof(*nv));

	if (!nv) {
		vn_kmsg_rec_clear(rec);
		return -ENOMEM;
	}
	k->v = nv;
	nv[k->n++] = *rec;
	return 0;
}

/* /dev/kmsg: one record per read(2); EPIPE when the reader fell behind
 * and records were overwritten; EAGAIN at the end. A log written faster
 * than it is read never reaches the end: stop after VN_READ_MAX bytes,
 * as for every other read (the newest records are then not seen). */
static int read_devkmsg(int fd, struct vn_kmsg *k)
{
	char buf[8192];
	size_t total = 0;

	while (total <= VN_READ_MAX) {
		struct vn_kmsg_rec rec;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		int r;

		if (n < 0 && errno == EPIPE) {
			k->lost = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		total += (size_t)n;
		buf[n] = '\0';
		if (vn_kmsg_parse_record(buf, &rec) < 0)
			continue; /* not a record: skip, never guess */
		if ((r = push(k, &rec)) < 0)
			return r;
	}
	return 0;
}

int vn_kmsg_parse_recorded(const char *text, struct vn_kmsg *k)
{
	const char *p = text;

	while (*p) {
		const char *next = p;
		struct vn_kmsg_rec rec;
		_cleanup_free_ char *one = NULL;
		int r;

		/* The record runs until the next line that is not a
		 * continuation (continuations start with a space). */
		do {
			next = strchrnul(next, '\n');
			if (*next)
				next++;
		} while (*next == ' ');
		one = strndup(p, (size_t)(next - p));
		if (!one)
			return -ENOMEM;
		if (vn_kmsg_parse_record(one, &rec) == 0 &&
		    (r = push(k, &rec)) < 0)
			return r;
		p = next;
	}
	return 0;
}

static int read_syslog(struct vn_kmsg *k)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;
	int n, r;

	if (size <= 0)
		return size < 0 ? -errno : -ENODATA;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return -ENOMEM;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	for (char *it = buf; (line = strtok_r(it, "\n", &save)); it = NULL) {
		struct vn_kmsg_rec rec;

		if (vn_kmsg_parse_syslog_line(line, &rec) < 0)
			continue;
		if ((r = push(k, &rec)) < 0)
			return r;
	}
	return 0;
}

int vn_kmsg_read(const struct vn_sys *sys, struct vn_kmsg *k)
{
	_cleanup_close_ int fd = -1;
	int r;

	*k = (struct vn_kmsg){ .from_boot = -1 };
	if (!vn_sys_is_host(sys)) {
		_cleanup_free_ char *text = NULL;

		r = vn_read_file(sys, &text, "/dev/kmsg");
		if (r < 0) {
			k->error = r;
			return 0;
		}
		k->source = "/dev/kmsg";
		r = vn_kmsg_parse_recorded(text, k);
	} else {
		fd = vn_open(sys, O_RDONLY | O_NONBLOCK, "/dev/kmsg");
		if (fd >= 0) {
			k->source = "/dev/kmsg";
			r = read_devkmsg(fd, k);
		} else {
			k->error = fd;
			r = read_syslog(k);
			if (r == 0)
				k->source = "syslog(2)";
			else if (r != -ENOMEM)
				r = 0; /* unreadable: k->error says why */
		}
	}
	if (r < 0) {
		vn_kmsg_clear(k);
		return r;
	}
	/* Sequence numbers start at 0 at boot. */
	if (k->source && !strcmp(k->source, "/dev/kmsg"))
		k->from_boot = k->n > 0 && k->v[0].seq == 0 && !k->lost;
	else if (k->source)
		k->from_boot = k->n > 0 && k->v[0].usec < 1000000 ? 1 : -1;
	return 0;
}
