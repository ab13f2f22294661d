# netpolc - the two set-up commands on a fresh Debian machine:
#   make demo    installs what is missing, builds, renders and documents an example
#   make check   installs what is missing, builds with -Werror, runs every test,
#                then again under ASan+UBSan, then a short fuzzing run
# Other targets: build, asan, fuzz, bench, format, clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

# Debian packages: compiler and build, libyaml (YAML/JSON reading), cmocka
# (C unit tests), python3 with PyYAML and jsonschema (schema validation of
# rendered output in the tests), clang (libFuzzer), graphviz (dot pictures).
DEPS := gcc make cmake pkg-config libyaml-dev libcmocka-dev python3 python3-yaml \
        python3-jsonschema clang libclang-rt-14-dev graphviz

.PHONY: all deps build demo check test asan fuzz fuzz-build bench format clean

all: build

deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETPOLC_WERROR=ON

build: deps $(BUILD)/Makefile
	$(MAKE) -C $(BUILD) -j$(JOBS) --no-print-directory

demo: build
	@echo '$$ netpolc render examples/kyma-telemetry.yaml'
	@./$(BUILD)/netpolc render examples/kyma-telemetry.yaml
	@echo '$$ netpolc docs examples/kyma-telemetry.yaml'
	@./$(BUILD)/netpolc docs examples/kyma-telemetry.yaml

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
