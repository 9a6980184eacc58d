// SPDX-License-Identifier: GPL-2.0-or-later
#include "sys.h"
#include "taint.h"

static const struct vn_taint_flag flags[VN_TAINT_COUNT] = {
	{ 0, 'P', 'G', "PROPRIETARY_MODULE",
	  "a proprietary module was loaded" },
	{ 1, 'F', ' ', "FORCED_MODULE", "a module was force-loaded" },
	{ 2, 'S', ' ', "CPU_OUT_OF_SPEC",
	  "the CPU runs out of specification (SMP with a non-SMP CPU, or forced)" },
	{ 3, 'R', ' ', "FORCED_RMMOD", "a module was force-unloaded" },
	{ 4, 'M', ' ', "MACHINE_CHECK",
	  "the processor reported a machine check exception" },
	{ 5, 'B', ' ', "BAD_PAGE",
	  "a bad page was referenced or unexpected page flags were seen" },
	{ 6, 'U', ' ', "USER",
	  "user space asked for unsafe behaviour (for example a no-IOMMU VFIO bind)" },
	{ 7, 'D', ' ', "DIE", "the kernel died recently (an oops or BUG)" },
	{ 8, 'A', ' ', "OVERRIDDEN_ACPI_TABLE",
	  "an ACPI table was overridden by the user" },
	{ 9, 'W', ' ', "WARN", "the kernel issued a warning" },
	{ 10, 'C', ' ', "CRAP", "a staging driver was loaded" },
	{ 11, 'I', ' ', "FIRMWARE_WORKAROUND",
	  "a workaround for a platform firmware bug is active" },
	{ 12, 'O', ' ', "OOT_MODULE", "an out-of-tree module was loaded" },
	{ 13, 'E', ' ', "UNSIGNED_MODULE", "an unsigned module was loaded" },
	{ 14, 'L', ' ', "SOFTLOCKUP", "a soft lockup occurred" },
	{ 15, 'K', ' ', "LIVEPATCH", "the kernel has been live patched" },
	{ 16, 'X', ' ', "AUX", "an auxiliary taint, defined by distributions" },
	{ 17, 'T', ' ', "RANDSTRUCT",
	  "the kernel was built with the randstruct plugin" },
	{ 18, 'N', ' ', "TEST", "an in-kernel test has been run" },
	{ 19, 'J', ' ', "FWCTL", "fwctl was used for a mutating command" },
};

const struct vn_taint_flag *vn_taint_flags(void)
{
	return flags;
}

const struct vn_taint_flag *vn_taint_flag_by_letter(char letter)
{
	for (size_t i = 0; i < VN_TAINT_COUNT; i++)
		if (flags[i].letter == letter)
			return &flags[i];
	return NULL;
}

int vn_taint_read(const struct vn_sys *sys, unsigned long *mask)
{
	_cleanup_free_ char *text = NULL;
	int r = vn_read_text(sys, &text, "/proc/sys/kernel/tainted");

	if (r < 0)
		return r;
	return parse_ulong(text, 10, mask) < 0 ? -EBADMSG : 0;
}

void vn_taint_short_form(unsigned long mask, char *buf, size_t size)
{
	char s[sizeof("Tainted: ") + VN_TAINT_COUNT];
	char *p;

	if (!(mask & VN_TAINT_ALL)) {
		snprintf(buf, size, "Not tainted");
		return;
	}
	p = stpcpy(s, "Tainted: ");
	for (size_t i = 0; i < VN_TAINT_COUNT; i++)
		*p++ = mask & (1UL << i) ? flags[i].letter : flags[i].clear;
	*p = '\0';
	snprintf(buf, size, "%s", s);
}

void vn_taint_letters(unsigned long mask, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < VN_TAINT_COUNT && n + 1 < size; i++)
		if (mask & (1UL << i))
			buf[n++] = flags[i].letter;
	if (size)
		buf[n < size ? n : size - 1] = '\0';
}
