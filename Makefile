# netpolc - the two set-up commands on a fresh Debian machine:
#   make demo    installs what is missing, builds, renders and documents an example
#   make check   installs what is missing, builds with -Werror, runs every test,
#                then again under ASan+UBSan, then a short fuzzing run
# Other targets: build, install (PREFIX, DESTDIR), asan, fuzz, bench, format, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

# Debian packages, in two sets. DEMO_DEPS builds and runs netpolc: the
# compiler, make, cmake, pkg-config and libyaml (YAML reading) and
# jsmn (the JSON fast path).
# CHECK_DEPS adds the test and fuzz toolchain: cmocka (C unit tests),
# python3 with PyYAML and jsonschema (test drivers, schema validation of
# rendered output), clang (libFuzzer, ASan+UBSan), graphviz (dot pictures),
# Go with sprig and sigs.k8s.io/yaml (rendering generated Helm charts with
# Helm's template engine in the chart tests).
DEMO_DEPS := gcc make cmake pkg-config libyaml-dev libjsmn-dev
CHECK_DEPS := $(DEMO_DEPS) libcmocka-dev python3 python3-yaml python3-jsonschema clang \
        libclang-rt-14-dev graphviz golang-go golang-github-masterminds-sprig-dev \
        golang-k8s-sigs-yaml-dev
DEPS := $(CHECK_DEPS)

DEPS_WANTED ?= $(CHECK_DEPS)

.PHONY: all deps demo-deps install build demo check test asan fuzz fuzz-build bench format clean

all: build

deps:
	@missing=""; for p in $(DEPS_WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo-deps:
	@$(MAKE) --no-print-directory deps DEPS_WANTED="$(DEMO_DEPS)"

# Tests are configured when cmocka is there (always after `make deps`).
TESTS_ON = $(shell dpkg-query -W -f='$${Status}' libcmocka-dev 2>/dev/null | grep -q "install ok installed" && echo ON || echo OFF)
CONFIGURE = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETPOLC_WERROR=ON

build: deps
	$(CONFIGURE) -DNETPOLC_TESTS=ON >/dev/null
	$(MAKE) -C $(BUILD) -j$(JOBS) --no-print-directory

demo: demo-deps
	$(CONFIGURE) -DNETPOLC_TESTS=$(TESTS_ON) >/dev/null
	$(MAKE) -C $(BUILD) -j$(JOBS) --no-print-directory netpolc
	@echo '$$ netpolc render examples/kyma-telemetry.yaml'
	@./$(BUILD)/netpolc render examples/kyma-telemetry.yaml
	@echo '$$ netpolc docs examples/kyma-telemetry.yaml'
	@./$(BUILD)/netpolc docs examples/kyma-telemetry.yaml

# make install [PREFIX=/usr/local] [DESTDIR=...]: netpolc, libnetpolc.a,
# netpolc.h, netpolc.pc, netpolc(1) and bash completion; needs only what
# the demo needs.
PREFIX ?= /usr/local
install: demo-deps
	$(CONFIGURE) -DNETPOLC_TESTS=$(TESTS_ON) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	$(MAKE) -C $(BUILD) -j$(JOBS) --no-print-directory netpolc netpolc_lib netpolc_docs
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Asan -DCMAKE_C_COMPILER=clang -DNETPOLC_WERROR=ON
	$(MAKE) -C $(ASAN_BUILD) -j$(JOBS) --no-print-directory
	cd $(ASAN_BUILD) && NETPOLC_ARENA=malloc ASAN_OPTIONS=detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS) -LE slow

fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DNETPOLC_FUZZ=ON
	$(MAKE) -C $(FUZZ_BUILD) -j$(JOBS) --no-print-directory

fuzz: fuzz-build
	./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

check: test asan
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

bench: build
	./bench/run.sh

format:
	clang-format -i include/*.h src/*/*.c src/*/*.h tests/unit/*.c fuzz/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
