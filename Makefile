# hat — entry points. `make demo` and `make test` each do all the set-up they need.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test demo demo-quick bench sanitize tsan format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	@scripts/install-deps.sh
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The paper's welfare results (hat replicate waugh) when the EK data are present, else the
# quick examples; `make demo-quick` always runs the quick examples.
demo: build
	@scripts/demo-paper.sh $(BUILD_DIR)

demo-quick: build
	@scripts/demo.sh $(BUILD_DIR)

bench: build
	@scripts/bench.sh $(BUILD_DIR)

# AddressSanitizer + UndefinedBehaviorSanitizer build of the whole test suite.
sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHAT_SANITIZE=ON -DHAT_BUILD_BENCH=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# ThreadSanitizer build (clang + LLVM's OpenMP runtime and its TSan tool Archer, found by
# cmake/tsan.cmake); the Python package is not built (its interpreter is not instrumented).
TSAN_TESTS ?=
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHAT_TSAN=ON -DHAT_BUILD_BENCH=OFF -DHAT_BUILD_PYTHON=OFF
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && OMP_TOOL_LIBRARIES=$$(sed -n 's/^HAT_ARCHER:FILEPATH=//p' CMakeCache.txt) \
	  TSAN_OPTIONS="ignore_noninstrumented_modules=1 halt_on_error=1 second_deadlock_stack=1" \
	  ctest --output-on-failure -j $(JOBS) $(if $(TSAN_TESTS),-R '$(TSAN_TESTS)')

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan
