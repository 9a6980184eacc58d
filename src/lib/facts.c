// SPDX-License-Identifier: GPL-2.0-or-later
#include "facts.h"
#include "journal.h"
#include "sys.h"

void vn_facts_init(struct vn_facts *f, struct vn_sys *sys, bool image)
{
	*f = (struct vn_facts){ .sys = sys, .image = image };
	vn_state_init(&f->state);
}

void vn_facts_clear(struct vn_facts *f)
{
	vn_caps_clear(&f->caps);
	vn_iommu_state_clear(&f->iommu);
	vn_dev_list_clear(&f->devs);
	free(f->vfio);
	vn_dev_list_clear(&f->vfio_own);
	strv_free(f->journal);
	strv_free(f->unfinished);
	vn_kmsg_clear(&f->log);
	vn_attribution_clear(&f->attr);
	vn_persist_clear(&f->persist);
	vn_holders_clear(&f->holders);
	vn_state_clear(&f->state);
	vn_matches_clear(&f->matches);
	vn_apply_clear(&f->apply);
	vn_apply_record_clear(&f->record);
	vn_initramfs_clear(&f->initramfs);
	vn_facts_init(f, f->sys, f->image);
}

static int gather_journal(struct vn_facts *f)
{
	int r = vn_journal_list(f->sys, &f->journal);

	if (r == 0)
		r = vn_journal_unfinished_of(f->sys, f->journal,
					     &f->unfinished);
	/* Not allowed to read it: the journal is unknown, not an error. */
	f->journal_err = r;
	return vn_err_denied(r) ? 0 : r;
}

static unsigned int current_modes(const struct vn_dev *d)
{
	unsigned int m = 0;

	if (d->group.path)
		m |= VN_ATTR_GROUP;
	if (startswith(d->vfio_name, "noiommu-"))
		m |= VN_ATTR_CDEV;
	return m;
}

static int gather_log(struct vn_facts *f)
{
	int r;

	if ((r = vn_kmsg_read(f->sys, &f->log)) < 0 ||
	    (r = vn_taint_attribute(&f->log, &f->attr)) < 0)
		return r;
	if (vn_boot_time(f->sys, &f->btime) < 0)
		f->btime = 0;
	for (size_t i = 0; i < f->devs.n; i++) {
		const struct vn_dev *d = f->devs.devs[i];

		/* A device bound as no-IOMMU proves the taint happened, even
		 * when the log no longer shows it. */
		if (d->noiommu &&
		    (r = vn_attribution_add_current(&f->attr, d->bdf,
						    current_modes(d))) < 0)
			return r;
	}
	return 0;
}

static int gather_declared(struct vn_facts *f)
{
	f->state_err = vn_state_read(f->state_root ? f->state_root : f->sys,
				     &f->state);
	return f->state_err == -ENOMEM ? -ENOMEM : 0;
}

static int gather_state(struct vn_facts *f)
{
	/* Entries read without error are matched even when others have
	 * errors: what is declared and readable still counts. */
	if (f->state_err < 0 && f->state_err != -EINVAL)
		return 0;
	return vn_state_match(f->sys, &f->state, &f->devs, &f->matches);
}

/* Where every function was read already, the VFIO ones are picked from
 * them: a fact is read once per run. */
static int gather_vfio(struct vn_facts *f)
{
	const struct vn_dev_list *from = &f->devs;
	int r;

	if (!(f->have & VN_FACT_DEVS)) {
		r = vn_vfio_read_bound(f->sys, &f->vfio_own);
		if (r < 0)
			return r;
		from = &f->vfio_own;
	}
	/* An array of pointers: sizeof(pointer) is meant. */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	f->vfio = calloc(from->n + 1, sizeof(*f->vfio));
	if (!f->vfio)
		return -ENOMEM;
	for (size_t i = 0; i < from->n; i++)
		if (vn_dev_is_vfio(from->devs[i]))
			f->vfio[f->nvfio++] = from->devs[i];
	return 0;
}

static int gather(struct vn_facts *f, unsigned int fact)
{
	switch (fact) {
	case VN_FACT_CAPS:
		return vn_caps_probe(f->sys, &f->caps);
	case VN_FACT_IOMMU:
		return vn_iommu_probe(f->sys, &f->iommu);
	case VN_FACT_DEVS:
		return vn_vfio_read_all(f->sys, &f->devs);
	case VN_FACT_TAINT:
		f->taint_err = vn_taint_read(f->sys, &f->taint);
		f->pot = vn_panic_on_taint(f->sys, &f->pot_mask,
					   &f->pot_nousertaint);
		return 0;
	case VN_FACT_JOURNAL:
		return gather_journal(f);
	case VN_FACT_LOG:
		return gather_log(f);
	case VN_FACT_PERSIST:
		return vn_persist_read(f->sys, !f->image, &f->persist);
	case VN_FACT_HOLDERS:
		return vn_holders_scan(f->sys, &f->holders);
	case VN_FACT_DECLARED:
		return gather_declared(f);
	case VN_FACT_STATE:
		return gather_state(f);
	case VN_FACT_APPLY:
		return vn_apply_from_facts(f, &f->apply);
	case VN_FACT_VFIO:
		return gather_vfio(f);
	case VN_FACT_RECORD:
		f->record_err = vn_apply_record_read(f->sys, &f->record);
		return f->record_err == -ENOMEM ? -ENOMEM : 0;
	case VN_FACT_INITRAMFS:
		return vn_initramfs_read(f->sys, f->state.files, &f->initramfs);
	}
	return -EINVAL;
}

int vn_facts_need(struct vn_facts *f, unsigned int mask)
{
	/* Each after what it is made of (the bits are in that order). */
	if (mask & VN_FACT_APPLY)
		mask |= VN_FACT_STATE | VN_FACT_JOURNAL;
	if (mask & (VN_FACT_STATE | VN_FACT_INITRAMFS))
		mask |= VN_FACT_DECLARED;
	/* Who set U is told from the log and the devices bound now. */
	if (mask & (VN_FACT_LOG | VN_FACT_STATE))
		mask |= VN_FACT_DEVS;
	for (unsigned int bit = 1; bit <= VN_FACT_LAST; bit <<= 1) {
		int r;

		if (!(mask & bit) || (f->have & bit))
			continue;
		r = gather(f, bit);
		if (r < 0)
			return r;
		f->have |= bit;
	}
	return 0;
}
