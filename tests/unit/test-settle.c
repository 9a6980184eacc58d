// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The wait for udev never waits forever: the remaining time was computed
 * after the deadline check, so a clock that moved on in between gave
 * poll(2) a negative timeout (wait forever), with signals blocked and the
 * lock held. A clock that jumps past the deadline at the worst moment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/settle.h"
#include "lib/util.h"

static long long fake_ms;
static int polls, worst_timeout;

/* Each look at the clock moves it on by 3 ms. */
static long long jumping_clock(void)
{
	long long now = fake_ms;

	fake_ms += 3;
	return now;
}

static int recording_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	(void)fds;
	(void)n;
	polls++;
	if (timeout < worst_timeout)
		worst_timeout = timeout;
	fake_ms += timeout > 0 ? timeout : 0;
	return 0;
}

static bool never(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return false;
}

static void slice_is_clamped(void **state)
{
	(void)state;
	assert_int_equal(vn_wait_slice(1000, 1002), 0);
	assert_int_equal(vn_wait_slice(1000, 1000), 0);
	assert_int_equal(vn_wait_slice(1000, 999), 1);
	assert_int_equal(vn_wait_slice(100000, 0), 200);
}

static void jumping_clock_ends(void **state)
{
	struct vn_waiter w = { .now = jumping_clock, .poll = recording_poll };
	bool done[2];

	(void)state;
	/* Every start offset within a slice: one of them lands the clock
	 * between the deadline check and the slice computation. */
	for (long long start = 0; start < 60; start++) {
		fake_ms = start;
		worst_timeout = 0;
		polls = 0;
		vn_wait_all(&w, 10, never, NULL, 2, done);
		assert_true(worst_timeout >= 0);
		assert_true(polls < 20);
		assert_false(done[0] || done[1]);
	}
}

/* Device i settles (i + 1) * 800 ms after the start. */
static long long t0;
static bool staggered(void *arg, size_t i)
{
	(void)arg;
	return fake_ms - t0 >= (long long)(i + 1) * 800;
}

static bool staggered_but_last(void *arg, size_t i)
{
	return i < 4 && staggered(arg, i);
}

/* A batch whose devices settle one after another, each within the
 * timeout of the one before, settles whole: the bench's 32 e1000 under
 * TCG failed as a whole (and were rolled back) after 10 s. */
static void slow_batch_settles(void **state)
{
	struct vn_waiter w = { .now = jumping_clock, .poll = recording_poll };
	bool done[5];

	(void)state;
	t0 = fake_ms = 1000;
	vn_wait_all(&w, 1000, staggered, NULL, 5, done);
	for (size_t i = 0; i < 5; i++)
		assert_true(done[i]);
	assert_true(fake_ms - t0 < 4000 + 250);
}

/* One that stops settling still ends, a timeout after the last one. */
static void stuck_batch_ends(void **state)
{
	struct vn_waiter w = { .now = jumping_clock, .poll = recording_poll };
	bool done[5];

	(void)state;
	t0 = fake_ms = 1000;
	vn_wait_all(&w, 1000, staggered_but_last, NULL, 5, done);
	for (size_t i = 0; i < 4; i++)
		assert_true(done[i]);
	assert_false(done[4]);
	assert_true(fake_ms - t0 >= 3200 + 1000);
	assert_true(fake_ms - t0 < 3200 + 1000 + 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slice_is_clamped),
		cmocka_unit_test(jumping_clock_ends),
		cmocka_unit_test(slow_batch_settles),
		cmocka_unit_test(stuck_batch_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
