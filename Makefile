# fwvet: the two commands of the quick start are `make demo` and `make test`.
# Everything here is a thin wrapper over scripts/, so CI runs exactly this.

BUILD ?= build

.PHONY: all deps build demo test bench fuzz clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@scripts/build.sh $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)

test: deps
	@scripts/test.sh

bench: build
	@bench/run.sh $(BUILD)

fuzz: deps
	@scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz
