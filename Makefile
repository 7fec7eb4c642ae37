# The README's commands. Each first installs missing Debian packages (quick when all are present).
PRESET ?= dev
JOBS ?= $(shell nproc)

.PHONY: deps build test test-asan demo demo-data-plane bench format clean

deps:
	@scripts/install-deps

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

# The unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS) -L unit

# The seed's story: nine rollouts under load, a table and an HTML report (nodrop-demo/index.html).
demo: build
	@build/$(PRESET)/nodrop demo

# The earlier demo: validate, check, and the data plane alone losing a backend under load.
demo-data-plane: build
	@scripts/demo-data-plane build/$(PRESET)/nodrop

bench: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@scripts/bench build/release

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	@rm -rf build
