# xenlaunch: one plain Makefile.
#   make            build bin/xenlaunch, bin/xvirsh and the unit tests
#   make check      install what is missing, build, run the unit tests, a short fuzzing pass and the end-to-end tests
#   make demo       install what is missing, build, run the demo guest in the nested Xen host
#                   (MACHINE=xenpv: its machine type; at a terminal its console, else each piece proven)
#   make fuzz       build the fuzz targets (clang, libFuzzer) and run each FUZZ_TIME seconds
#   make V=1        show the commands;  make WERROR=0  warnings do not fail the build
#
# Sources are found by folder: every .c under launcher/ xenpvh/ hvm/ xenpv/ xenfv/ devices/
# console/ xenbus/ disk/ bootloader/ model/ common/ goes into xenlaunch (or
# into one of its modules, below); every
# .c under tools/, model/ and common/, and disk/format.c, into xvirsh. A file that holds main() is
# named main.c (launcher) or xvirsh.c (tools); everything else is linked into
# the unit-test runner too.

CC      ?= gcc
WERROR  ?= 1
O       := build

ifeq ($(V),1)
Q :=
else
Q := @
endif

XEN_PKGS   := xencontrol xenguest xenstore xenevtchn xengnttab xenforeignmemory xendevicemodel xentoollog
XML_PKGS   := libxml-2.0
TEST_PKGS  := cunit
BOOT_PKGS  := blkid ext2fs com_err libiso9660
CRYPTO_PKGS := libgcrypt
DISPLAY_PKGS := libvncserver sdl2 vterm zlib xkbcommon
DISK_PKGS  := libnbd

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu17 -Wall -Wextra -Wshadow -Wno-unused-parameter -D_GNU_SOURCE -I.
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
CFLAGS  += $(call pc_cflags,$(XEN_PKGS) $(XML_PKGS) $(BOOT_PKGS) $(CRYPTO_PKGS) $(DISPLAY_PKGS) $(DISK_PKGS))

# model/ (the launch config, its command line, its domain XML) is linked by
# both programs: xvirsh reads and writes the launcher's argv with the
# launcher's own parser and formatter.
# The launcher's modules (common/module.h): code with libraries only some
# guests need, in bin/xenlaunch-NAME.so: the display's, loaded when -vnc or
# -sdl asks for a display; NBD's (libnbd brings GnuTLS and libxml2), loaded
# for an image qemu-nbd serves. Their objects are position-independent and
# export only what is marked MODULE_EXPORT; the unit tests link them as they
# link everything else.
MODULES := display-text display-vnc display-sdl disk-nbd
MODULE_SRCS_display-text := console/textscreen.c
MODULE_PKGS_display-text := vterm zlib
MODULE_SRCS_display-vnc  := console/vnc.c console/vnc_relay.c console/rfb_stream.c console/keymap.c
MODULE_PKGS_display-vnc  := libvncserver xkbcommon
MODULE_SRCS_display-sdl  := console/sdl.c
MODULE_PKGS_display-sdl  := sdl2
MODULE_SRCS_disk-nbd     := disk/nbd.c
MODULE_PKGS_disk-nbd     := libnbd
MODULE_SRCS := $(foreach m,$(MODULES),$(MODULE_SRCS_$(m)))
MODULE_BINS := $(patsubst %,bin/xenlaunch-%.so,$(MODULES))

LAUNCHER_DIRS := launcher xenpvh hvm xenpv xenfv devices console xenbus disk bootloader model common
LAUNCHER_SRCS := $(filter-out $(MODULE_SRCS),$(foreach d,$(LAUNCHER_DIRS),$(wildcard $(d)/*.c)))
TOOLS_SRCS    := $(wildcard tools/*.c) $(wildcard tools/rpc/*.c) $(wildcard model/*.c) $(wildcard common/*.c) disk/format.c
MAIN_SRCS     := launcher/main.c tools/xvirsh.c tools/rpc/xvirsh_rpc.c
LIB_SRCS      := $(sort $(filter-out $(MAIN_SRCS),$(LAUNCHER_SRCS) $(MODULE_SRCS) $(TOOLS_SRCS)))
UNIT_SRCS     := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))

LAUNCHER_OBJS := $(call obj,$(filter-out $(MAIN_SRCS),$(LAUNCHER_SRCS)))
TOOLS_OBJS    := $(call obj,$(filter-out $(MAIN_SRCS),$(TOOLS_SRCS)))
LIB_OBJS      := $(call obj,$(LIB_SRCS))
UNIT_OBJS     := $(call obj,$(UNIT_SRCS))

BINS := bin/xenlaunch $(MODULE_BINS) bin/xvirsh bin/xvirsh-rpc $(O)/unit-tests

.PHONY: all deps check unit fuzz e2e demo bench clean
all: $(filter-out $(if $(wildcard tools/xvirsh.c),,bin/xvirsh bin/xvirsh-rpc),$(BINS))

# -rdynamic: the modules use the launcher's functions (display, log, loop).
bin/xenlaunch: $(call obj,launcher/main.c) $(LAUNCHER_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(call pc_libs,$(XEN_PKGS) $(XML_PKGS) $(BOOT_PKGS) $(CRYPTO_PKGS)) -lutil

$(call obj,$(MODULE_SRCS)): CFLAGS += -fPIC -fvisibility=hidden
define module_rule
bin/xenlaunch-$(1).so: $(call obj,$(MODULE_SRCS_$(1)))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -shared -o $$@ $$^ $$(call pc_libs,$(MODULE_PKGS_$(1)))
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

bin/xvirsh: $(call obj,tools/xvirsh.c) $(filter-out $(O)/obj/tools/rpc/%,$(TOOLS_OBJS))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(XML_PKGS) xenstore)

# xvirsh's libvirt RPC server (tools/rpc/): the same domain store.
bin/xvirsh-rpc: $(call obj,tools/rpc/xvirsh_rpc.c) $(TOOLS_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(XML_PKGS) xenstore)

# -rdynamic, as the launcher: the module tests load bin/'s modules.
$(O)/unit-tests: $(UNIT_OBJS) $(LIB_OBJS) | $(MODULE_BINS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(call pc_libs,$(XEN_PKGS) $(XML_PKGS) $(BOOT_PKGS) $(CRYPTO_PKGS) $(DISPLAY_PKGS) $(DISK_PKGS) $(TEST_PKGS)) -lutil

$(O)/obj/tests/%.o: CFLAGS += $(call pc_cflags,$(TEST_PKGS))
$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(O)/obj $(O)/fuzz/obj -name '*.d' 2>/dev/null)

deps:
	$(Q)scripts/install-deps

# Fuzzing: every tests/fuzz/fuzz_NAME.c is a libFuzzer target over a parser
# of hostile input, built with clang and ASan/UBSan apart from the rest; its
# seeds are tests/fuzz/corpus/NAME/. Every target links FUZZ_OBJS, and the
# sources it fuzzes beyond those are FUZZ_SRCS_NAME.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 12
FUZZ_PKGS    := $(BOOT_PKGS) $(XML_PKGS) xkbcommon
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu17 -D_GNU_SOURCE -I. $(call pc_cflags,$(FUZZ_PKGS))
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz_obj      = $(patsubst %.c,$(O)/fuzz/obj/%.o,$(1))
FUZZ_OBJS    := $(call fuzz_obj,bootloader/bootcfg.c bootloader/image.c common/log.c tests/fuzz/fuzz.c)
FUZZ_SRCS_monitor    := launcher/monitor.c
FUZZ_SRCS_rfb        := console/rfb_stream.c
FUZZ_SRCS_bzimage    := xenfv/bzimage.c
FUZZ_SRCS_domain_xml := model/domain_xml.c model/xml_util.c model/names.c model/nic_opts.c \
			common/qemu_opts.c common/strv.c
FUZZ_SRCS_xen_cfg    := tools/domain_argv.c model/describe.c model/domain_xml.c model/xml_util.c model/names.c \
			model/nic_opts.c model/options.c model/layouts.c model/display_opts.c model/config.c \
			common/qemu_opts.c common/strv.c disk/format.c
FUZZ_SRCS_argv       := model/options.c model/names.c model/layouts.c model/nic_opts.c model/display_opts.c \
			model/config.c common/qemu_opts.c common/strv.c disk/format.c

# xvirsh-rpc's server links the tools' domain store (xenstore, libxenctrl's headers).
FUZZ_RPC_OBJS := $(call fuzz_obj,tools/rpc/server.c tools/rpc/xdr.c tools/domains.c tools/capabilities.c \
		tools/domain_argv.c disk/format.c $(filter-out common/log.c,$(wildcard common/*.c)) $(wildcard model/*.c))
$(FUZZ_RPC_OBJS) $(O)/fuzz/obj/tests/fuzz/fuzz_rpc.o: FUZZ_CFLAGS += $(call pc_cflags,$(XEN_PKGS))
$(O)/fuzz/bin/rpc: $(O)/fuzz/obj/tests/fuzz/fuzz_rpc.o $(FUZZ_OBJS) $(FUZZ_RPC_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(call pc_libs,$(FUZZ_PKGS) xenstore)

# Kept, so that a second `make fuzz` builds nothing.
.PRECIOUS: $(O)/fuzz/obj/%.o
$(O)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(O)/fuzz/bin/%: $(O)/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS) $$(call fuzz_obj,$$(FUZZ_SRCS_$$*))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(call pc_libs,$(FUZZ_PKGS))

# The targets over what a guest writes (rings, frontend nodes) link the
# backends, with Xen's libraries; what they need of Xen they fake.
FUZZ_GUEST   := blkback netback vfb console_ring frontend_nodes
FUZZ_GUEST_OBJS := $(patsubst %.c,$(O)/fuzz/obj/%.o,devices/blkback.c devices/netback.c \
		xenbus/xenbus_backend.c xenbus/ring.c console/vfb.c console/vkbd.c console/console_ring.c \
		console/display.c console/keymap.c common/event_loop.c model/nic_opts.c model/names.c \
		model/options.c model/display_opts.c model/layouts.c model/config.c common/qemu_opts.c \
		common/strv.c common/module.c disk/format.c disk/disk.c disk/raw.c disk/nbd.c tests/fuzz/fake_xen.c)
$(FUZZ_GUEST_OBJS) $(patsubst %,$(O)/fuzz/obj/tests/fuzz/fuzz_%.o,$(FUZZ_GUEST)): \
		FUZZ_CFLAGS += $(call pc_cflags,$(XEN_PKGS) $(DISPLAY_PKGS) $(DISK_PKGS))
$(addprefix $(O)/fuzz/bin/,$(FUZZ_GUEST)): $(O)/fuzz/bin/%: $(O)/fuzz/obj/tests/fuzz/fuzz_%.o \
		$(FUZZ_OBJS) $(FUZZ_GUEST_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(call pc_libs,$(BOOT_PKGS) $(XEN_PKGS) $(DISPLAY_PKGS) $(DISK_PKGS))

fuzz: $(addprefix $(O)/fuzz/bin/,$(FUZZ_TARGETS))
	$(Q)tests/fuzz/run $(FUZZ_TIME) $(FUZZ_TARGETS)

# The unit tests need no Xen host; the end-to-end tests boot one.
# tests/check-includes keeps the include graph one way (its room order).
unit: all
	$(Q)tests/check-includes
	$(Q)tests/check-modules
	$(Q)$(O)/unit-tests

e2e: all
	$(Q)tests/e2e/run-all

check: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz
	$(Q)tests/e2e/run-all

# The demo guest's machine type: one that `bin/xenlaunch -M help` does not
# mark as unsupported.
MACHINE ?= xenpv
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)MACHINE=$(MACHINE) tests/host/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/bench/run-all

clean:
	rm -rf bin $(O)/obj $(O)/unit-tests $(O)/host $(O)/fuzz
