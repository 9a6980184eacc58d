# panic_on_taint covering U: setting the mode warns loudly, and bind
# refuses (hard guard) the bind that would panic the host.
#
# targets: both lts-6.1
# cmdline: panic_on_taint=0x40
# timeout: 200

EDU=0000:00:03.0
exit_is 0 "noiommu on" -- vfio-noiommuctl noiommu on
like "$ERR" "panic_on_taint=0x40 .* covers U: .*would panic this host" "on warns loudly"
exit_is 4 "bind edu: refused" -- vfio-noiommuctl bind $EDU
like "$ERR" "panic_on_taint=0x40, which covers U" "the guard names panic_on_taint"
exit_is 4 "--force does not pass it" -- vfio-noiommuctl bind --force $EDU
is "$(pci_driver $EDU)" "" "edu was not touched"
is "$(taint_value)" 0 "the kernel is not tainted (and alive)"
run vfio-noiommuctl status --pairs
is "$(pair PANIC_ON_TAINT_COVERS_USER)" yes "status says panic_on_taint covers U"
