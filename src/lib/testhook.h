/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

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
