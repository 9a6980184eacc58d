// SPDX-License-Identifier: GPL-2.0-or-later
#include <libkmod.h>

#include "kmod.h"
#include "noiommu.h"
#include "sys.h"

bool vn_kstrtobool_extended(const char *release)
{
	return vn_release_at_least(release, 7, 0);
}

int vn_kstrtobool(const char *s, bool extended, bool *out)
{
	if (!s) {
		*out = true;
		return 0;
	}
	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = false;
		return 0;
	case 'e':
	case 'E':
	case 'd':
	case 'D':
		if (!extended)
			return -EINVAL;
		*out = s[0] == 'e' || s[0] == 'E';
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*out = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*out = false;
			return 0;
		}
		break;
	default:
		break;
	}
	return -EINVAL;
}

/* The last enable_unsafe_noiommu_mode in a modprobe options string. */
static int option_value(const char *options, bool extended, enum vn_tri *mode)
{
	_cleanup_free_ char *copy = strdup(options);
	char *save = NULL, *tok;
	size_t n = strlen(VN_NOIOMMU_PARAM);
	int found = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy; (tok = strtok_r(p, " \t", &save)); p = NULL) {
		bool v;

		if (strncmp(tok, VN_NOIOMMU_PARAM, n) ||
		    (tok[n] && tok[n] != '='))
			continue;
		if (vn_kstrtobool(tok[n] ? tok + n + 1 : NULL, extended, &v) <
		    0)
			continue; /* the kernel rejects it: the default stays */
		*mode = v ? VN_YES : VN_NO;
		found = 1;
	}
	return found;
}

int vn_noiommu_effective(struct vn_sys *sys, enum vn_tri *mode,
			 const char **source)
{
	_cleanup_free_ char *val = NULL;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *options;
	int r;

	r = vn_module_param_read(sys, "vfio", VN_NOIOMMU_PARAM, &val);
	if (r == 0) {
		*mode = val[0] == 'Y' ? VN_YES : VN_NO;
		*source = "/sys/module/vfio/parameters/" VN_NOIOMMU_PARAM;
		return 0;
	}
	*mode = VN_NO;
	*source = "the default (N) when vfio loads";
	ctx = vn_kmod(sys);
	if (!ctx || kmod_module_new_from_name(ctx, "vfio", &mod) < 0)
		return 0;
	options = kmod_module_get_options(mod);
	if (options &&
	    option_value(options, vn_kstrtobool_extended(vn_sys_release(sys)),
			 mode) > 0)
		*source = "the options vfio loads with (modprobe.d, kernel "
			  "command line)";
	kmod_module_unref(mod);
	return 0;
}
