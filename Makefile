# sandbot — build, run and test. `make help` lists the targets.
#
#   make run      install what is missing, start a Docker engine if none answers,
#                 run the daemon on ./var with embedded defaults
#   make test     the same installs, then unit, end-to-end, fault and security tests on
#                 a real engine, all built with AddressSanitizer + UBSan
#   make fuzz     each libFuzzer harness fuzz/*_fuzz.cc (clang) for FUZZ_SECONDS
#                 (default 60) on its corpus fuzz/corpus/NAME; fails on any finding
#
# SANITIZE=address,undefined builds everything with those sanitizers.
# BUILD=dir puts objects and binaries elsewhere (default ./build).

BUILD    ?= build
CXX      ?= g++
SANITIZE ?=
PREFIX   ?= /usr/local
DATA     ?= $(CURDIR)/var

PKGS      := cpp-httplib libgit2 sqlite3 openssl spdlog zlib prometheus-cpp-core yaml-cpp libqrencode simdjson
OPT      ?= -O2
CXXFLAGS  += -std=c++17 $(OPT) -g -Wall -Wextra -Werror -pthread -I. \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
# FUZZING=1 (set by `make fuzz`, with CXX=clang++ and BUILD=build/fuzz):
# coverage for libFuzzer, ASan and UBSan, every UBSan finding fatal.
ifeq ($(FUZZING),1)
CXXFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=fuzzer,address,undefined
endif
# `make test` builds its sanitized binaries with clang (TEST_CXX): at -O0
# with ASan and UBSan it compiles the product in half gcc's time (6.6 min
# against 11.5 at -j2 here), the largest part of `make test`. `make build`
# and `make run` stay on g++ at -O2, and `make lint` checks with g++ that
# every source still compiles without a warning.
TEST_CXX ?= clang++
ifneq ($(SANITIZE),)
# -O0: sanitized objects compile three times faster than at -O1 (json and
# httplib templates dominate), which keeps `make test` within its budget.
CXXFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -O0
LDFLAGS   += -fsanitize=$(SANITIZE)
endif

LIB_SRCS  := $(filter-out bot/main.cc bot/router_main.cc hooks/hook_main.cc,$(wildcard bot/*.cc hooks/*.cc handlers/*.cc compose/*.cc store/*.cc templates/*.cc util/*.cc))
TEST_SRCS := $(wildcard tests/unit/*.cc)
LIB_OBJS  := $(LIB_SRCS:%.cc=$(BUILD)/obj/%.o)
TEST_OBJS := $(TEST_SRCS:%.cc=$(BUILD)/obj/%.o)
# templates/*.mustache are compiled in: $(BUILD)/gen/templates_embedded.cc.
# So are the dashboard's static files (templates/web_app.js, .css).
TEMPLATES := $(sort $(wildcard templates/*.mustache templates/*.js templates/*.css))
LIB_OBJS  += $(BUILD)/obj/gen/templates_embedded.o
# sandbot-hook, the post-receive hook git runs: hooks/ and util/ files that
# need no library beyond libstdc++ (nlohmann/json is header-only), so it
# starts in a few milliseconds.
HOOK_SRCS := hooks/hook_main.cc hooks/hook_client.cc hooks/unix_http.cc hooks/post_receive.cc \
             hooks/ref_update.cc hooks/push_wire.cc hooks/spool.cc hooks/paths.cc \
             hooks/event_lines.cc hooks/event_wire.cc util/job_event.cc util/status.cc
HOOK_OBJS := $(HOOK_SRCS:%.cc=$(BUILD)/obj/%.o)
# libstdc++ linked in (not with sanitizers): less for the dynamic loader at each push.
HOOK_LDFLAGS := $(if $(SANITIZE),,-static-libstdc++ -static-libgcc)
# sandbot-router: `sandbot router` linked on its own and statically (the
# router image carries it, bot/router_image.h): only libstdc++ and libc, and
# only what the router runs, so each sandbox's router stays near 2 MB RSS
# instead of mapping the daemon's ~30 shared libraries. spdlog and fmt are
# header-only here (Debian ships no static libspdlog); OpenSSL (https://
# upstreams) from Debian's libssl.a and libcrypto.a. Never sanitized: a
# static binary cannot be, and this is the binary production runs.
ROUTER_SRCS := bot/router_main.cc bot/cli_router.cc bot/router_proxy.cc bot/http_head.cc bot/http_syntax.cc \
               handlers/router_table.cc \
               handlers/names.cc util/status.cc
ROUTER_OBJS := $(ROUTER_SRCS:%.cc=$(BUILD)/obj-router/%.o)
ROUTER_CXXFLAGS := $(filter-out -fsanitize=% -DSPDLOG_SHARED_LIB -DSPDLOG_COMPILED_LIB,$(CXXFLAGS)) \
                   -DSPDLOG_HEADER_ONLY -DFMT_HEADER_ONLY

.PHONY: all build deps e2e-deps engine image postgres-image run test unit e2e faulttest securitytest bench install format lint clean help \
        fuzz fuzz-build
# `make` also imports the demo/test base image into the engine (starting one
# when none answers); `make build` only compiles.
all: build image
build: $(BUILD)/sandbot $(BUILD)/sandbot-hook $(BUILD)/sandbot-router $(BUILD)/busybox-rootfs.tar

help:
	@sed -n 's/^#   //p' Makefile; echo "targets: deps build run test unit e2e faulttest securitytest bench fuzz install format lint clean"

deps:
	@scripts/install-deps.sh

# The e2e suite also drives a Podman service of its own (tests/e2e/podman_test.sh);
# clang builds `make test`'s sanitized binaries (TEST_CXX).
e2e-deps:
	@scripts/install-deps.sh podman clang

engine: deps
	@scripts/ensure-docker.sh

# What compiled a build folder's objects: when CXX or the flags that change
# code (OPT, SANITIZE, FUZZING) differ from last time, every object is
# rebuilt, so one folder never links a gcc object against clang's sanitizer
# runtime.
COMPILED_WITH := $(CXX) $(OPT) $(SANITIZE) $(FUZZING)
$(BUILD)/compiled-with: FORCE
	@mkdir -p $(dir $@)
	@echo '$(COMPILED_WITH)' | cmp -s - $@ || echo '$(COMPILED_WITH)' >$@
FORCE:

$(BUILD)/obj/%.o: %.cc $(BUILD)/compiled-with
	@mkdir -p $(dir $@)
	@echo "  CXX  $<"
	@$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

# Unit test sources are compiled without the sanitizers: the product code
# they call is the sanitized libsandbot.a, and instrumenting the tests
# themselves doubled the unit build (15 core-minutes against 7 on 2 cores).
$(BUILD)/obj/tests/%.o: tests/%.cc $(BUILD)/compiled-with
	@mkdir -p $(dir $@)
	@echo "  CXX  $<"
	@$(CXX) $(filter-out -fsanitize=%,$(CXXFLAGS)) -MMD -MP -c $< -o $@

$(BUILD)/gen/templates_embedded.cc: scripts/embed-templates.sh $(TEMPLATES)
	@mkdir -p $(dir $@)
	@echo "  GEN  $@"
	@scripts/embed-templates.sh $@ $(TEMPLATES)

$(BUILD)/obj/gen/templates_embedded.o: $(BUILD)/gen/templates_embedded.cc $(BUILD)/compiled-with
	@mkdir -p $(dir $@)
	@echo "  CXX  $<"
	@$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libsandbot.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sandbot: $(BUILD)/obj/bot/main.o $(BUILD)/libsandbot.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/sandbot-hook: $(HOOK_OBJS)
	$(CXX) $(LDFLAGS) $(HOOK_LDFLAGS) -o $@ $^

$(BUILD)/obj-router/%.o: %.cc $(BUILD)/compiled-with
	@mkdir -p $(dir $@)
	@echo "  CXX  $< (router)"
	@$(CXX) $(ROUTER_CXXFLAGS) -MMD -MP -c $< -o $@

# getaddrinfo in a static glibc: hosts from /etc/hosts and DNS (which the
# engine mounts into the container) are built into glibc 2.34 and later; the
# linker's warning about NSS modules does not apply to them. libcrypto's
# dlopen (engines, providers loaded from files) and getpwnam/getservbyname
# (never called by the router) warn the same way.
$(BUILD)/sandbot-router: $(ROUTER_OBJS)
	@echo "  LD   $@ (static)"
	@$(CXX) -static -pthread -Wl,--gc-sections -o $@ $^ -lssl -lcrypto 2>$@.ldlog || { cat $@.ldlog; rm -f $@; exit 1; }
	@grep -v -e getaddrinfo -e 'in function' -e dlopen -e getpwnam -e getservbyname -e gethostbyname -e getaddrinfo $@.ldlog || true
	@rm -f $@.ldlog

$(BUILD)/sandbot_test: $(TEST_OBJS) $(BUILD)/libsandbot.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lboost_unit_test_framework

# The base image for tests and the demo: Debian's busybox-static with every
# applet linked, imported through the Engine API (no registry needed).
$(BUILD)/busybox-rootfs.tar: scripts/busybox-rootfs.sh
	@mkdir -p $(BUILD)
	scripts/busybox-rootfs.sh $@

# PostgreSQL 15 from Debian's own package as installed here (no registry),
# for the data-seed tests and the README's walkthrough: built once, cached.
$(BUILD)/postgres-rootfs.tar: scripts/postgres-rootfs.sh
	@mkdir -p $(BUILD)
	scripts/postgres-rootfs.sh $@

postgres-image: $(BUILD)/sandbot $(BUILD)/postgres-rootfs.tar
	$(BUILD)/sandbot image import $(BUILD)/postgres-rootfs.tar sandbot/postgres:15

image: engine $(BUILD)/sandbot $(BUILD)/sandbot-hook $(BUILD)/busybox-rootfs.tar
	$(BUILD)/sandbot image import $(BUILD)/busybox-rootfs.tar sandbot/busybox:latest --data $(DATA)

run: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory image
	$(BUILD)/sandbot serve --data $(DATA)

# Tests run sanitized binaries from build/test so a plain `make build` stays fast.
# tests/run-all.sh builds and runs the unit tests at low priority (nice) on
# every core while the end-to-end, security and fault suites run on two
# engines: the suites wait on engines and git, the build takes what is left.
test: e2e-deps
	@$(MAKE) --no-print-directory -j$(shell nproc) BUILD=build/test CXX="$(TEST_CXX)" SANITIZE=address,undefined \
		build/test/sandbot build/test/sandbot-hook build/test/sandbot-router build/test/busybox-rootfs.tar
	@scripts/ensure-docker.sh
	tests/run-all.sh build/test \
		'nice -n 15 $(MAKE) --no-print-directory -j$(shell nproc) BUILD=build/test CXX="$(TEST_CXX)" SANITIZE=address,undefined build/test/sandbot_test'

# kill -9 at failpoints, the engine stopped and started, 20+20 concurrent
# requests, a full and a read-only data folder (also part of `make test`).
faulttest: $(BUILD)/sandbot $(BUILD)/sandbot-hook $(BUILD)/busybox-rootfs.tar engine
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot tests/fault/run.sh

# Every attack of SECURITY.md replayed against the real daemon (also part of
# `make test`).
securitytest: $(BUILD)/sandbot $(BUILD)/sandbot-hook $(BUILD)/busybox-rootfs.tar engine
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot tests/security/run.sh

unit: $(BUILD)/sandbot_test
	$(BUILD)/sandbot_test

e2e: $(BUILD)/sandbot $(BUILD)/sandbot-hook $(BUILD)/sandbot-router $(BUILD)/busybox-rootfs.tar engine e2e-deps
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot tests/e2e/run.sh

bench: deps
	@$(MAKE) --no-print-directory build
	@scripts/ensure-docker.sh
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot bench/run.sh
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot bench/chat_bench.sh
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot bench/sandbox_bench.sh
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot bench/forge_bench.sh
	SANDBOT=$(CURDIR)/$(BUILD)/sandbot bench/pr_bench.sh

# Fuzzing (README "Fuzzing"). A harness is fuzz/NAME_fuzz.cc and its seeds
# fuzz/corpus/NAME/ (fuzz/NAME.dict when it helps); its "// fuzz-link:" lines
# name the product sources it needs (globs allowed), compiled by clang into
# build/fuzz with only the flags above.
FUZZ_SECONDS ?= 60
FUZZ_CXX     ?= clang++
FUZZ_NAMES   := $(patsubst fuzz/%_fuzz.cc,%,$(wildcard fuzz/*_fuzz.cc))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/%_fuzz)
fuzz_srcs     = $(filter-out bot/main.cc hooks/hook_main.cc, \
                $(sort $(wildcard $(shell sed -n 's|^// fuzz-link:||p' fuzz/$(1)_fuzz.cc))))
fuzz_objs     = $(BUILD)/obj/fuzz/$(1)_fuzz.o $(patsubst %.cc,$(BUILD)/obj/%.o,$(call fuzz_srcs,$(1))) \
                $(if $(filter templates/%,$(call fuzz_srcs,$(1))),$(BUILD)/obj/gen/templates_embedded.o)
define FUZZ_HARNESS
$(BUILD)/$(1)_fuzz: $(call fuzz_objs,$(1))
	@mkdir -p $$(dir $$@)
	@echo "  LD   $$@"
	@$$(CXX) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach name,$(FUZZ_NAMES),$(eval $(call FUZZ_HARNESS,$(name))))

fuzz:
	@scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory -j$(shell nproc) BUILD=build/fuzz CXX="$(FUZZ_CXX)" OPT=-O1 \
		FUZZING=1 fuzz-build
	@scripts/run-fuzz.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build: $(FUZZ_BINS)

install: $(BUILD)/sandbot $(BUILD)/sandbot-hook $(BUILD)/sandbot-router
	install -D -m 0755 $(BUILD)/sandbot $(DESTDIR)$(PREFIX)/bin/sandbot
	install -D -m 0755 $(BUILD)/sandbot-router $(DESTDIR)$(PREFIX)/bin/sandbot-router
	install -D -m 0755 $(BUILD)/sandbot-hook $(DESTDIR)$(PREFIX)/bin/sandbot-hook
	install -D -m 0644 systemd/sandbot.service $(DESTDIR)/etc/systemd/system/sandbot.service

format:
	clang-format -i $(shell git ls-files '*.cc' '*.h')

# `make test` compiles with clang, so lint also has g++ (which `make build`
# uses, at -O2 with -Werror) read every source, syntax only, in parallel.
lint:
	scripts/check-layers.sh
	clang-format --dry-run --Werror $(shell git ls-files '*.cc' '*.h')
	PKGS="$(PKGS)" scripts/check-thread-safety.sh
	@echo "g++ -fsyntax-only: every product and unit test source"
	@printf '%s\n' $(LIB_SRCS) bot/main.cc $(ROUTER_SRCS) hooks/hook_main.cc $(TEST_SRCS) | sort -u | \
		xargs -P$(shell nproc) -n8 g++ $(filter-out -g,$(CXXFLAGS)) -fsyntax-only

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(ROUTER_OBJS:.o=.d) $(BUILD)/obj/bot/main.d $(BUILD)/obj/hooks/hook_main.d \
         $(FUZZ_NAMES:%=$(BUILD)/obj/fuzz/%_fuzz.d)
