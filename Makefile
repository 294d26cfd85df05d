# textq quick start:  make demo   |   make test
# Both install their Debian dependencies first (scripts/install_deps.sh).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps deps-python deps-test build test test-slow test-all demo bench clean

all: build

deps:
	@sh scripts/install_deps.sh

deps-python:
	@sh scripts/install_deps.sh --python

deps-test:
	@sh scripts/install_deps.sh --browser --test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The suite every commit must pass: unit + golden + CLI + Python checks (a few minutes).
test: build deps-test
	cd $(BUILD) && ctest -L 'unit|golden|cli|fuzz|python' --output-on-failure -j $(JOBS)

# Long checks (full-size ResNet-50 parity against PyTorch; needs python3-torch).
test-slow: build deps-python
	cd $(BUILD) && ctest -L slow --output-on-failure

test-all: test test-slow

demo: build
	sh scripts/demo.sh $(BUILD)/textq

bench: build
	$(BUILD)/textq bench $(MODEL) --size 736x1280 --threads 2 --runs 10

clean:
	rm -rf $(BUILD)

# --- hostile inputs (docs/fuzzing.md) ---
# libFuzzer targets (clang), FUZZ_SECONDS per parser, one fuzzing process at a time.
FUZZ_SECONDS ?= 60
.PHONY: fuzz test-sanitize
fuzz: deps
	@sh scripts/install_deps.sh --fuzz
	FUZZ_JOBS=$(JOBS) nice -n 19 sh scripts/run_fuzzers.sh $(FUZZ_SECONDS)

# The sanitizer build: gcc ASan + UBSan in build-asan (docs/fuzzing.md). -g1
# (line tables only) keeps file:line in every report and takes about a
# quarter less compile time than -g.
ASAN_BUILD ?= build-asan
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The executables of the unit label: tests/unit/<suite>/*.cpp -> test_unit_<suite>,
# and the C API's C program (tests/capi).
UNIT_SUITES = $(patsubst tests/unit/%/,test_unit_%,$(sort $(dir $(wildcard tests/unit/*/*.cpp)))) test_unit_capi
.PHONY: configure-sanitize test-sanitize-unit
configure-sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
	  -DTEXTQ_SANITIZE=ON $(CMAKE_FLAGS)

# unit + golden + fuzz-replay suites under the sanitizers.
test-sanitize: configure-sanitize
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && $(SANITIZE_ENV) ctest -L 'unit|golden|fuzz' --output-on-failure -j $(JOBS)

# The unit suites only, building just their executables (not the CLI nor the
# golden and fuzz-replay suites): what CI runs after `make test`.
test-sanitize-unit: configure-sanitize
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(UNIT_SUITES)
	cd $(ASAN_BUILD) && $(SANITIZE_ENV) ctest -L unit --output-on-failure -j $(JOBS)
