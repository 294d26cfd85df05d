# textq quick start:  make demo   |   make test
# Both install their Debian dependencies first (scripts/install_deps.sh).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps deps-python build test test-slow test-all demo bench clean

all: build

deps:
	@sh scripts/install_deps.sh

deps-python:
	@sh scripts/install_deps.sh --python

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The suite every commit must pass: unit + golden + CLI checks (a few minutes).
test: build
	cd $(BUILD) && ctest -L 'unit|golden|cli|fuzz' --output-on-failure -j $(JOBS)

# Long checks (full-size ResNet-50 parity against PyTorch; needs python3-torch).
test-slow: build deps-python
	cd $(BUILD) && ctest -L slow --output-on-failure

demo: build
	sh scripts/demo.sh $(BUILD)/textq

bench: build
	$(BUILD)/textq bench $(MODEL) --size 736x1280 --threads 2 --runs 10

clean:
	rm -rf $(BUILD)
