/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"

extern const struct vn_verb vn_verb_status;
extern const struct vn_verb vn_verb_list;
extern const struct vn_verb vn_verb_bind;
extern const struct vn_verb vn_verb_unbind;
extern const struct vn_verb vn_verb_noiommu;
extern const struct vn_verb vn_verb_taint;
extern const struct vn_verb vn_verb_smoke_test;
extern const struct vn_verb vn_verb_apply;
extern const struct vn_verb vn_verb_report;
extern const struct vn_verb vn_verb_metrics;
extern const struct vn_verb vn_verb_udev_match;
