/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Test-only pause points, compiled in with -Dtest_hooks=true only. When
 * VFIO_NOIOMMUCTL_TEST_PAUSE names the point, the process writes
 * "paused POINT PID" to VFIO_NOIOMMUCTL_TEST_PAUSE_FILE and waits, so a test
 * can SIGKILL it exactly there.
 */
void vn_test_pause(const char *point);
