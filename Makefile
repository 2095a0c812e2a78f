# proclife: an eBPF process lifecycle tracer.
#   make        build build/proclife (one static binary, BPF object embedded)
#   make run    build and run the tracer (ARGS="--json" etc.)
#   make test   build and run every test suite (the kernel matrix included)
#   make test-kernels  the kernel suite on Debian's 5.10, 6.1, 6.12 and newest kernels, each in QEMU (root; ~2 min)
#   make test-service  the .deb's systemd units under real systemd in a Debian VM (root; 2-4 min; SERVICE_CHECKS=)
#   make fuzz   libFuzzer on the recording reader and replay (FUZZ_SECONDS=300; make test runs 15 s)
#   make deps   install the toolchain (every other target runs it first)
#   make vmlinux  regenerate vmlinux/vmlinux.h from the running kernel's BTF
#   make docs   rewrite the option lists of the man page, docs/OPTIONS.md and the bash completion from the option table
#   make install / uninstall  PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc; make deb  a Debian package

BUILD   := build
CC      := gcc
CLANG   := clang
BPFTOOL := bpftool
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
# What the BPF programs know of the CPU architecture is in one header (bpf/lib/arch/); none, no build.
ARCH_H  := bpf/lib/arch/$(ARCH).h
ifeq ($(wildcard $(ARCH_H)),)
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
$(error proclife does not support the architecture '$(ARCH)': there is no $(ARCH_H) (syscall numbers, registers, page size))
endif
endif

CFLAGS      := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -MMD -MP \
               -Iinclude -Iuser -I$(BUILD) -Itests
# libbpf 1.1's call to list the BTF objects goes to user/kernel/libbpf_compat.c (it says why).
LIBBPF_WRAP := -Wl,--wrap=bpf_btf_get_next_id -Wl,-u,__wrap_bpf_btf_get_next_id
LDLIBS      := -static $(LIBBPF_WRAP) -lbpf -lelf -lz -lncursesw -ltinfo -ljansson -lsodium
BPF_CFLAGS  := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Iinclude -Ibpf -Wall

# user/ is one folder per layer, lowest first (user/README.md); each one's sources are found there.
LAYERS      := base kernel record model session views cmd
LIB_SRCS    := $(foreach d,$(LAYERS),$(wildcard user/$(d)/*.c))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB         := $(BUILD)/libproclife.a
SKEL        := $(BUILD)/proclife.skel.h
# tests/unit/<layer>/test_X.c becomes build/tests/test_X.
UNIT_SRCS   := $(foreach d,$(LAYERS),$(wildcard tests/unit/$(d)/test_*.c))
UNIT_TESTS  := $(addprefix $(BUILD)/tests/,$(basename $(notdir $(UNIT_SRCS))))
KERNEL_TEST := $(BUILD)/tests/test_kernel
# The compiler's layout of every record (include/proclife_layout.h), for tests/abi/test_abi.py.
LAYOUT_DUMP := $(BUILD)/tests/layout_dump
# What the library says of processes' cgroups and containers, for tests/e2e/test_containers.py.
CTINFO      := $(BUILD)/tests/ctinfo

.PHONY: all deps run test test-kernels test-service bench vmlinux docs clean
# Keep test objects: they are not worth rebuilding on every run.
.SECONDARY:
.DEFAULT_GOAL := all

all: $(BUILD)/proclife

deps:
	@tools/deps.sh

# The kernel side: one object per hook family (bpf/*.bpf.c), and one per
# variant of a family for older kernels (bpf/syscalls_v510.bpf.c: its
# programs carry the suffix; user space loads the variant the kernel can
# take), all linked into one object and one skeleton.
BPF_SRCS     := $(wildcard bpf/*.bpf.c)
# maps.bpf.o (the definitions) first: libbpf 1.1's linker leaves the offsets of
# maps it met as extern declarations before their definition at 0.
BPF_OBJS     := $(BUILD)/bpf/maps.bpf.o \
                $(patsubst bpf/%.c,$(BUILD)/bpf/%.o,$(filter-out bpf/maps.bpf.c,$(BPF_SRCS)))
BPF_DEPS     := $(wildcard bpf/lib/*.h) $(ARCH_H) $(wildcard include/*.h) vmlinux/vmlinux.h

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_DEPS) | deps
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/proclife.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(SKEL): $(BUILD)/proclife.bpf.o
	$(BPFTOOL) gen skeleton $< name proclife_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c | deps $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/proclife: $(BUILD)/user/main.o $(LIB)
	$(CC) -o $@ $^ $(LDLIBS)

define unit_test_rule
$(BUILD)/tests/$(basename $(notdir $(1))): $(BUILD)/$(1:.c=.o) $(LIB)
	$$(CC) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call unit_test_rule,$(t))))

$(KERNEL_TEST): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/kernel/*.c)) $(LIB)
	$(CC) -o $@ $^ $(LDLIBS) -lpthread

$(LAYOUT_DUMP): $(BUILD)/tests/abi/layout_dump.o
	$(CC) -o $@ $^

$(CTINFO): $(BUILD)/tests/e2e/ctinfo.o $(LIB)
	$(CC) -o $@ $^ $(LDLIBS)

BENCH_TOOLS := $(patsubst tools/bench/%.c,$(BUILD)/bench/%,$(wildcard tools/bench/*.c))

$(BUILD)/bench/%: $(BUILD)/tools/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(LDLIBS) -lpthread

# The option reference outside the binary comes from the option table (user/cmd/optable.c):
# `make docs` rewrites its regions in these files; tests/unit/cmd/test_optdoc.c fails when they differ.
DOCS_GENERATED := docs/proclife.8 docs/OPTIONS.md tools/completion/proclife.bash

$(BUILD)/gendocs: $(BUILD)/tools/gendocs.o $(LIB)
	$(CC) -o $@ $^ $(LDLIBS)

docs: $(BUILD)/gendocs
	$(BUILD)/gendocs $(DOCS_GENERATED)

run: $(BUILD)/proclife
	$(BUILD)/proclife $(ARGS)

test: $(BUILD)/proclife $(UNIT_TESTS) $(KERNEL_TEST) $(LAYOUT_DUMP) $(CTINFO) $(BENCH_TOOLS)
	@tests/run.sh

# The kernel suite again on each kernel of the matrix (tools/kernels/matrix.sh says how);
# make test runs it too. PROCLIFE_KERNELS="bookworm sid" picks some.
test-kernels: $(BUILD)/proclife $(KERNEL_TEST)
	@tools/kernels/matrix.sh $(BUILD)/proclife $(KERNEL_TEST)

# The package's units started, reloaded, killed, starved of disk and stopped by real systemd
# in a Debian VM (tests/service/run.sh says how); make test runs it too.
test-service: $(BUILD)/proclife
	@tests/service/run.sh

# Slow (minutes): every workload under every tracer, several rounds. Not part of test.
bench: $(BUILD)/proclife $(BENCH_TOOLS)
	@tools/bench.py

# libFuzzer on the recording reader and the replay path, under ASan and UBSan:
# user/*/*.c again, built by clang with the sanitizers into $(FUZZ_DIR) (the
# objects above are gcc's, uninstrumented). `make fuzz FUZZ_SECONDS=N` runs it;
# new inputs go to $(FUZZ_DIR)/corpus, crashes to $(FUZZ_DIR)/artifacts/.
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SECONDS := 300
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -MMD -MP \
                -fsanitize=fuzzer-no-link $(FUZZ_SAN) -Iinclude -Iuser -I$(BUILD) -Itests
FUZZ_LDLIBS  := $(LIBBPF_WRAP) -lbpf -lelf -lz -lncursesw -ltinfo -ljansson -lsodium
FUZZ_TARGET  := $(FUZZ_DIR)/fuzz_recording
FUZZ_CORPORA := tests/fuzz/corpus tests/fuzz/damaged
FUZZ_FLAGS   := -close_fd_mask=2 -timeout=10 -dict=tests/fuzz/recording.dict -artifact_prefix=$(FUZZ_DIR)/artifacts/

.PHONY: fuzz

$(FUZZ_DIR)/%.o: %.c | deps $(SKEL)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_TARGET): $(LIB_SRCS:%.c=$(FUZZ_DIR)/%.o) $(FUZZ_DIR)/tests/fuzz/fuzz_recording.o
	$(CLANG) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

fuzz: $(FUZZ_TARGET)
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(FUZZ_TARGET) $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_DIR)/corpus $(FUZZ_CORPORA)

vmlinux: | deps
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

clean:
	rm -rf $(BUILD)

# install, uninstall, deb: the binary, man page, bash completion, systemd units, /etc files.
include tools/packaging/install.mk

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)
