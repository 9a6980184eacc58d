/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Test-only pause points, compiled in with -Dtest_hooks=true only. When
 * VFIO_NOIOMMUCTL_TEST_PAUSE names the point, the process writes
 * "paused POINT PID" to VFIO_NOIOMMUCTL_TEST_PAUSE_FILE and waits, so a test
 * can SIGKILL it exactly there; with VFIO_NOIOMMUCTL_TEST_RESUME set, a
 * SIGUSR1 lets it go on (to open the device between the holder check and
 * the unbind, say).
 */
void vn_test_pause(const char *point);

/*
 * Test-only failure injection, compiled in with -Dtest_hooks=true only:
 * VFIO_NOIOMMUCTL_TEST_FAIL="POINT:BDF" makes that step fail with EIO for
 * that device, so the VM tests can fail one device of a transaction for
 * real. Returns 0, or -EIO when armed for this point and device.
 */
int vn_test_fail(const char *point, const char *bdf);

/*
 * Test-only: VFIO_NOIOMMUCTL_TEST_RESOLVE=walk makes every root-confined
 * path resolution (rootpath.h) take the component walk instead of
 * openat2, so the fixture tests cover both. Always false without
 * -Dtest_hooks=true.
 */
bool vn_test_resolve_walk(void);

/*
 * Test-only: VFIO_NOIOMMUCTL_TEST_AUDIT=FILE makes vn_audit() append its
 * kernel-log line to FILE instead of /dev/kmsg and skip syslog, so tests
 * check what would be logged without writing to the host's logs. NULL
 * without -Dtest_hooks=true.
 */
const char *vn_test_audit_file(void);
