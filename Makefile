# Ravebox developer commands. GNU make; every target is safe to re-run.
#
#   make run     install missing Debian packages, build, make the demo library, start on http://localhost:8080
#   make test    install missing packages, lint, build, run the test suite (Swift, real-browser tests, API fuzzing)
#   make test-api  schemathesis against docs/api/openapi.yaml on the debug binary, as guest, mod and admin
#   make test-tsan / test-asan   the Swift suite under ThreadSanitizer / AddressSanitizer
#   make test-tsan-ci / test-asan-ci   the suites CI runs under each sanitizer (a smaller build, see README)
#   make fuzz / fuzz-ci   libFuzzer on the parsers of what strangers send (FUZZ_TARGET, FUZZ_SECONDS)
#   make soak    30 minutes of 200 simulated guests and faults against the debug binary (root; soak-ci: 3 minutes)
#
# Variables: PORT, DATA_DIR, DEMO_DIR, ARGS (extra `ravebox run` arguments), SWIFT_FLAGS (extra
# `swift build`/`swift test` arguments, e.g. SWIFT_FLAGS='--jobs 1').

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# apt/dpkg hold a lock and SwiftPM already uses every core: run one step at a time.
.NOTPARALLEL:

PORT ?= 8080
DATA_DIR ?= .ravebox
DEMO_DIR ?= $(DATA_DIR)/demo
ARGS ?=
SWIFT_FLAGS ?=

DEMO_STAMP := $(DEMO_DIR)/.ravebox-demo
TEST_ASOUNDRC := $(CURDIR)/Tests/Fixtures/asoundrc
RELEASE_BIN := $(CURDIR)/.build/release/ravebox
SWIFT_FORMAT_PATHS := Sources Tests Fuzz/Sources Package.swift

BUILD_PACKAGES := libasound2-dev libgpiod-dev libdrm-dev libfftw3-dev libqrencode-dev \
	libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libsqlite3-dev libebur128-dev zlib1g-dev \
	libfreetype-dev fonts-dejavu-core pkg-config
DEMO_PACKAGES := ffmpeg
TEST_PACKAGES := ffmpeg sox alsa-utils dnsmasq-base hostapd wpasupplicant
BENCH_PACKAGES := ffmpeg curl python3 wrk redis-server mopidy python3-venv mpg123 flac alsa-utils valgrind \
	stress-ng linux-perf cava
# Real-browser tests (Tests/Browser), `make screenshots` and bench/page-weight.py: headless Chromium driven
# by Selenium, the Nu HTML Checker (Java), zbarimg for QR codes.
BROWSER_PACKAGES := chromium chromium-driver default-jre-headless zbar-tools python3-venv
# The appliance image (image/, overlays/, udev/): the Debian tools that build it from packages with no loop
# devices, the cross toolchain's build root, QEMU for the boot test, the static checks' tools, and python3
# (the SDK's ICU trim, the image test).
IMAGE_PACKAGES := mmdebstrap genimage qemu-user-static binfmt-support arch-test dosfstools mtools \
	device-tree-compiler e2fsprogs fdisk xz-utils ffmpeg python3
IMAGE_TEST_PACKAGES := qemu-system-x86 qemu-utils zbar-tools shellcheck hostapd dnsmasq-base python3

# The Python virtualenv of the browser tests, the API fuzzing, the screenshots and bench/page-weight.py. pip
# installs both requirements files in one run (so they must agree), again only when one changes (the stamp is
# older) or the venv is gone.
BROWSER_DIR := $(CURDIR)/.build-browser
BROWSER_VENV := $(BROWSER_DIR)/venv
BROWSER_PYTHON := $(BROWSER_VENV)/bin/python
BROWSER_REQUIREMENTS := Tests/Browser/requirements.txt Tests/API/requirements.txt
BROWSER_STAMP := $(BROWSER_VENV)/.requirements-installed
# Debian's python3 (python3-venv makes its venv module work), else whichever python3 is on PATH.
VENV_PYTHON := $(or $(wildcard /usr/bin/python3),python3)
DEBUG_BIN := $(CURDIR)/.build/debug/ravebox

# Use the toolchain in /opt/swift when none is on PATH.
ifeq ($(shell command -v swift 2>/dev/null),)
ifneq ($(wildcard /opt/swift/usr/bin/swift),)
export PATH := /opt/swift/usr/bin:$(PATH)
endif
endif

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# $(call apt-install,PACKAGES): install those of PACKAGES that are missing, with one `apt-get update` first.
define apt-install
if ! command -v dpkg-query >/dev/null; then \
    echo "warning: not a Debian system; make sure these are installed: $(strip $(1))" >&2; \
    exit 0; \
fi; \
missing=(); \
for pkg in $(sort $(1)); do \
    status=$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null || true); \
    [[ $$status == "install ok installed" ]] || missing+=("$$pkg"); \
done; \
if (( $${#missing[@]} == 0 )); then \
    echo "Debian packages present: $(sort $(1))"; \
    exit 0; \
fi; \
if [[ -n "$(SUDO)" ]] && ! command -v sudo >/dev/null; then \
    echo "error: missing packages $${missing[*]}; run as root or install sudo" >&2; \
    exit 1; \
fi; \
echo "Installing missing Debian packages: $${missing[*]}"; \
$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update; \
$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$${missing[@]}"
endef

# $(swift-check): fail with install pointers unless Swift 6.1 or newer is on PATH.
define swift-check
if ! command -v swift >/dev/null; then \
    echo "error: swift is not on PATH (nor in /opt/swift/usr/bin)." >&2; \
    echo "Install Swift 6.1 or newer for Linux as described at https://www.swift.org/install/linux/" >&2; \
    echo "(Debian 12 tarball or swiftly), then add its usr/bin to PATH or unpack it to /opt/swift." >&2; \
    exit 1; \
fi; \
version=$$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p' | head -n 1); \
read -r major minor <<<"$$version" || true; \
if [[ -n $${major:-} ]] && (( major < 6 || (major == 6 && minor < 1) )); then \
    echo "error: Swift $$major.$$minor found at $$(command -v swift); Ravebox needs 6.1 or newer" \
        "(https://www.swift.org/install/linux/)" >&2; \
    exit 1; \
fi
endef

.PHONY: image image-qemu image-test bench-sd bench-image bench-boot image-check image-deps image-test-deps help deps test-deps test-packages browser-deps browser-venv demo-deps run-deps bench-deps check-swift \
	build swift-build run demo test test-api test-tsan test-asan test-tsan-ci test-asan-ci fuzz fuzz-build fuzz-ci \
	soak soak-ci soak-deps lint format bench screenshots clean distclean

help:
	@echo "make run        install what is missing, build, start on http://localhost:$(PORT) with a demo library"
	@echo "                (ARGS='...' passes more arguments to 'ravebox run')"
	@echo "make test       install what is missing, lint, build, run the tests"
	@echo "make test-api   fuzz the API (docs/api/openapi.yaml) of the debug binary that 'make test' built"
	@echo "make test-tsan  the Swift tests built and run under ThreadSanitizer (own build in .build-tsan)"
	@echo "make test-asan  the same under AddressSanitizer (.build-asan); SANITIZE_FILTER='RaveboxIPCTests|...'"
	@echo "                runs only the matching suites"
	@echo "make test-tsan-ci  what CI runs under ThreadSanitizer: IPC, audio, engine and the web's live updates,"
	@echo "                built without the rest of the package (.build-tsan-ci)"
	@echo "make test-asan-ci  what CI runs under AddressSanitizer: IPC, DSP, audio and media, lights, screen,"
	@echo "                display and QR (.build-asan-ci)"
	@echo "make fuzz       libFuzzer on each parser of what strangers send, FUZZ_SECONDS (120) each, in .build-fuzz;"
	@echo "                FUZZ_TARGET=m3u for one (configuration, m3u, upload, search, settings)"
	@echo "make fuzz-ci    what CI runs: every fuzz target for $(FUZZ_CI_SECONDS) s"
	@echo "make soak       30 minutes (SOAK_MINUTES) of 200 guests voting, requesting and uploading while the engine and"
	@echo "                web are killed and the data disk fills up and slows down; fails on a missed goal (root)"
	@echo "make soak-ci    the same checks in about 3 minutes (what CI runs); RAVEBOX_BIN overrides the debug binary"
	@echo "make build      swift build (debug)"
	@echo "make demo       make the demo library in $(DEMO_DIR)"
	@echo "make lint       swift format lint --strict"
	@echo "make format     swift format in place"
	@echo "make bench      release build + bench/*.sh, bench/*.py and the Benchmarks/ suite (results also in bench/out/)"
	@echo "make bench-sd   votes on the QEMU image with its disk at an SD card's pace (bench/vote-sd.py)"
	@echo "make bench-image  the QEMU image: idle Pss of the box's three processes, binary and image size"
	@echo "make bench-boot BOOT_REF=IMG  boot to HTTP and to music: this commit's QEMU image against IMG, 3 boots each"
	@echo "make screenshots  docs/screenshots/party-{light,dark}.png (390x844, headless Chromium)"
	@echo "make deps       install missing build packages (test-deps: also test tools, Chromium, the test venv)"
	@echo "make image      the Raspberry Pi SD-card image .build-image/out/ravebox-VERSION-rpi-arm64.img(.xz)"
	@echo "make image-qemu the same recipe for amd64 (QEMU); make image-test boots it and checks the box"
	@echo "make image-check  static checks of the image: overlays, udev rules, units, scripts, generated configs"
	@echo "make clean      remove .build, .build-browser, the sanitizer builds and bench/out (distclean: also $(DATA_DIR),"
	@echo "                .swiftpm, Package.resolved)"

deps:
	@$(call apt-install,$(BUILD_PACKAGES))
	@$(swift-check)

test-deps: test-packages $(BROWSER_STAMP)

test-packages:
	@$(call apt-install,$(BUILD_PACKAGES) $(TEST_PACKAGES) $(BROWSER_PACKAGES))
	@$(swift-check)

browser-deps:
	@$(call apt-install,$(BROWSER_PACKAGES))

browser-venv: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(BROWSER_REQUIREMENTS) | browser-deps
	@if [[ ! -x $(BROWSER_PYTHON) ]]; then \
	    echo "Creating the virtualenv $(BROWSER_VENV) with $(VENV_PYTHON)"; \
	    $(VENV_PYTHON) -m venv $(BROWSER_VENV); \
	fi
	$(BROWSER_PYTHON) -m pip install --quiet --disable-pip-version-check $(addprefix -r ,$(BROWSER_REQUIREMENTS))
	@touch $@

demo-deps:
	@$(call apt-install,$(DEMO_PACKAGES))

run-deps:
	@$(call apt-install,$(BUILD_PACKAGES) $(DEMO_PACKAGES))
	@$(swift-check)

bench-deps:
	@$(call apt-install,$(BUILD_PACKAGES) $(BENCH_PACKAGES))
	@$(swift-check)

check-swift:
	@$(swift-check)

build: deps swift-build

swift-build: check-swift
	swift build $(SWIFT_FLAGS)

demo: demo-deps $(DEMO_STAMP)

# The script skips work while the stamp matches its DEMO_VERSION; the touch records that it ran.
$(DEMO_STAMP): scripts/make-demo-library.sh | demo-deps
	scripts/make-demo-library.sh $(DEMO_DIR)
	@touch $@

run: run-deps swift-build $(DEMO_STAMP)
	./.build/debug/ravebox run --data $(DATA_DIR) --port $(PORT) --library $(DEMO_DIR) $(ARGS)

test: test-deps lint
	swift build $(SWIFT_FLAGS)
	@# One test at a time: several tests block a thread while real audio plays or a child process runs,
	@# and Swift's cooperative pool has only as many threads as cores (2 here), so in parallel they
	@# starve the time-bounded tests. Serially the whole suite takes about 20 s.
	RAVEBOX_TEST_ASOUNDRC="$(TEST_ASOUNDRC)" swift test --no-parallel --disable-xctest $(SWIFT_FLAGS)
	@# Real browsers against the debug binary just built (about 30 s; see Tests/Browser/harness.py).
	RAVEBOX_BIN="$(DEBUG_BIN)" $(BROWSER_PYTHON) -m pytest -q Tests/Browser
	@$(MAKE) --no-print-directory test-api

# schemathesis against docs/api/openapi.yaml on a running debug box, as a guest, a mod and the admin (about 2
# minutes; see Tests/API/test_api_fuzz.py). Reports and status codes per operation: .build-browser/api-fuzz/.
test-api: $(BROWSER_STAMP)
	@test -x "$(DEBUG_BIN)" || { echo "error: $(DEBUG_BIN) not found: run 'make test' or 'swift build' first" >&2; exit 1; }
	RAVEBOX_BIN="$(DEBUG_BIN)" $(BROWSER_PYTHON) -m pytest -q Tests/API

# --- The Swift suite under a sanitizer ---------------------------------------------------------------------------
# Each sanitizer has its own scratch path (a full build, see README for the times). SANITIZE_FILTER (a --filter
# regular expression, e.g. 'RaveboxIPCTests|RaveboxAudioTests') runs only the matching suites. Reports go to
# files in $(SCRATCH)/sanitizer-reports, also those of the `ravebox` children the tests start: they are the
# sanitized binary of the same build (TestBinary looks next to the test binary) and inherit *SAN_OPTIONS. Any
# report file fails the run and is printed, so a report inside a child that exits 0 cannot pass unseen.
SANITIZE_FILTER ?=
# Tests that cannot run under a sanitizer, as --skip regular expressions, each with its reason.
TSAN_SKIP :=
ASAN_SKIP :=
TSAN_OPTIONS_TEST := halt_on_error=0 exitcode=66 second_deadlock_stack=1 print_suppressions=0 \
	suppressions=$(CURDIR)/.ci/tsan.supp
# No leak checking: it is not memory safety, and LeakSanitizer reports what libraries we do not own keep, e.g. the
# 4 KB buffer of every FoundationEssentials FileManager.contents(atPath:) read inside a #require.
ASAN_OPTIONS_TEST := halt_on_error=1 exitcode=66 detect_leaks=0

# CI's runs (.ci/run): the suites where each sanitizer matters most, built by a package that declares only those
# test targets and what they need (RAVEBOX_SANITIZE_SUBSET, see the end of Package.swift). The test runner links
# every test target it is given, so this, not a --filter, is what keeps the rest of the package (and for ASan
# swift-nio, Hummingbird and BoringSSL) out of the sanitized build. Times are in README, "Tests and formatting".
# ThreadSanitizer: the threads that share memory. The engine's audio, light, screen and control threads; the IPC
# rings, seqlock and doorbells between threads; the player. The web's suites (its LiveUpdates fanout and spectrum
# feed included) are left to `make test-tsan`: their test clients bring BoringSSL, AsyncHTTPClient and HTTP/2 into
# the build, about 400 CPU seconds under TSan, a third of the step, for two suites.
TSAN_CI_TESTS := RaveboxIPCTests RaveboxAudioTests RaveboxEngineTests
TSAN_CI_FILTER :=
# AddressSanitizer: C interop and unsafe pointers. The shared segment (IPC), the DSP's FFTW buffers, ALSA and FFmpeg
# (the audio suite holds the media decoder's and prober's tests), the LED encoders' packets and SPI buffers, the
# screen's framebuffers, FreeType and PNG, the DRM display, libqrencode.
ASAN_CI_TESTS := RaveboxIPCTests RaveboxDSPTests RaveboxAudioTests RaveboxLightsTests RaveboxScreenTests \
	RaveboxDisplayTests RaveboxQRTests
ASAN_CI_FILTER :=
# The tests that start the `ravebox` binary, which a subset does not build (the command line links everything):
# the IPC probe across two processes, its refusal of another build's segment, its create/unlink commands.
SUBSET_SKIP := RaveboxIPCTests\.IPCProbeTests/(hundredThousandCommandsCrossProcesses|processOfAnotherBuild|probeCommandLine)

# $(call sanitizer-test,SANITIZER,SCRATCH,OPTIONS_VARIABLE,OPTIONS,SKIPS,FILTER,SUBSET)
define sanitizer-test
$(if $(7),RAVEBOX_SANITIZE_SUBSET='$(strip $(7))') \
    swift build --build-tests --sanitize=$(1) --scratch-path $(2) $(SWIFT_FLAGS)
@rm -rf $(2)/sanitizer-reports && mkdir -p $(2)/sanitizer-reports
@shopt -s nullglob; status=0; \
set -x; \
$(3)="$(4) log_path=$(CURDIR)/$(2)/sanitizer-reports/report" RAVEBOX_TEST_ASOUNDRC="$(TEST_ASOUNDRC)" \
    $(if $(7),RAVEBOX_SANITIZE_SUBSET='$(strip $(7))') \
    swift test --skip-build --sanitize=$(1) --scratch-path $(2) --no-parallel --disable-xctest \
    $(if $(6),--filter '$(6)') $(foreach skip,$(5),--skip '$(skip)') \
    $(SWIFT_FLAGS) || status=$$?; \
set +x; \
reports=($(2)/sanitizer-reports/report.*); \
for report in "$${reports[@]}"; do echo "== $$report"; cat "$$report"; done; \
if (( $${#reports[@]} )); then echo "error: $${#reports[@]} $(1) sanitizer report(s), above" >&2; exit 1; fi; \
exit $$status
endef

test-tsan: test-packages
	$(call sanitizer-test,thread,.build-tsan,TSAN_OPTIONS,$(TSAN_OPTIONS_TEST),$(TSAN_SKIP),$(SANITIZE_FILTER))

test-asan: test-packages
	$(call sanitizer-test,address,.build-asan,ASAN_OPTIONS,$(ASAN_OPTIONS_TEST),$(ASAN_SKIP),$(SANITIZE_FILTER))

test-tsan-ci: test-packages
	$(call sanitizer-test,thread,.build-tsan-ci,TSAN_OPTIONS,$(TSAN_OPTIONS_TEST),$(TSAN_SKIP) $(SUBSET_SKIP),$(TSAN_CI_FILTER),$(TSAN_CI_TESTS))

test-asan-ci: test-packages
	$(call sanitizer-test,address,.build-asan-ci,ASAN_OPTIONS,$(ASAN_OPTIONS_TEST),$(ASAN_SKIP) $(SUBSET_SKIP),$(ASAN_CI_FILTER),$(ASAN_CI_TESTS))

# --- Fuzzing (libFuzzer) ------------------------------------------------------------------------------------------
# One target per parser of what strangers send (Fuzz/Sources, declared by Package.swift under RAVEBOX_FUZZ): the
# configuration file, M3U playlists, uploads, the search box, settings patches. Built once, optimised, with
# AddressSanitizer (Yams wraps libyaml, GRDB hands SQLite pointers, uploads write from raw buffers) in .build-fuzz,
# without swift-nio or Hummingbird. Each run reads Fuzz/Corpus/<target> (committed seeds, reproducers of fixed
# crashes among them) and writes what it finds to .build-fuzz/corpus/<target>; a crash, timeout or out-of-memory
# writes its reproducer to .build-fuzz/artifacts/<target>/, prints its path and fails the run. docs/security.md,
# "Fuzzing".
FUZZ_TARGETS := configuration m3u upload search settings
# FUZZ_TARGET=m3u fuzzes one target (or a few, space-separated).
FUZZ_TARGET ?= $(FUZZ_TARGETS)
FUZZ_SECONDS ?= 120
# CI: 40 s each, under 4 minutes for the five with their start-up.
FUZZ_CI_SECONDS := 40
FUZZ_SCRATCH := .build-fuzz
# Optimised for speed, with assertions and preconditions' messages kept (`-assert-config Debug`), so a broken
# invariant says which.
FUZZ_BUILD_FLAGS := -c release -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address \
	-Xswiftc -assert-config -Xswiftc Debug
# Inputs as long as a real one needs (a search is a line; the others a few KB); 10 s for one input is a hang; leaks
# are not memory safety (as ASAN_OPTIONS_TEST says), and checking for them after every input made the search 10 times
# slower. The runs set SWIFT_BACKTRACE=enable=no: Swift's crash handler reads the crashed process's memory, which
# AddressSanitizer reports in place of the failed precondition.
FUZZ_OPTIONS := -rss_limit_mb=1536 -timeout=10 -detect_leaks=0 -print_final_stats=1
FUZZ_MAX_LEN_search := 512
FUZZ_MAX_LEN_default := 4096

fuzz-build: check-swift
	@# gold warns about every AddressSanitizer helper symbol it cannot export; nothing to act on.
	RAVEBOX_FUZZ=1 swift build --scratch-path $(FUZZ_SCRATCH) $(FUZZ_BUILD_FLAGS) $(SWIFT_FLAGS) 2>&1 \
	    | sed '/Cannot export local symbol/d'

# $(call fuzz-run,SECONDS,TARGETS)
define fuzz-run
@mkdir -p $(FUZZ_SCRATCH)/logs
@failed=(); \
for target in $(2); do \
    bin=$(FUZZ_SCRATCH)/release/fuzz-$$target; \
    [[ -x $$bin ]] || { echo "error: no fuzz target '$$target' (one of: $(FUZZ_TARGETS))" >&2; exit 2; }; \
    mkdir -p $(FUZZ_SCRATCH)/corpus/$$target $(FUZZ_SCRATCH)/artifacts/$$target; \
    max_len=$(FUZZ_MAX_LEN_default); [[ $$target == search ]] && max_len=$(FUZZ_MAX_LEN_search); \
    echo "== fuzz-$$target for $(1) s"; \
    SWIFT_BACKTRACE=enable=no $$bin $(FUZZ_SCRATCH)/corpus/$$target Fuzz/Corpus/$$target -dict=Fuzz/Dictionaries/$$target.dict \
        -max_total_time=$(1) -max_len=$$max_len -artifact_prefix=$(FUZZ_SCRATCH)/artifacts/$$target/ \
        $(FUZZ_OPTIONS) >$(FUZZ_SCRATCH)/logs/$$target.log 2>&1 || failed+=("$$target"); \
    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units' $(FUZZ_SCRATCH)/logs/$$target.log || true; \
done; \
for target in "$${failed[@]}"; do \
    echo "== fuzz-$$target FAILED (log: $(FUZZ_SCRATCH)/logs/$$target.log)" >&2; \
    grep -E 'Precondition failed|Assertion failed|Fatal error' $(FUZZ_SCRATCH)/logs/$$target.log >&2 || true; \
    grep -E -A12 '^==[0-9]+== ?ERROR|ALARM|out-of-memory' $(FUZZ_SCRATCH)/logs/$$target.log | head -40 >&2 || true; \
    sed -n 's/.*Test unit written to \(.*\)/reproducer: \1 (run: $(FUZZ_SCRATCH)\/release\/fuzz-'"$$target"' \1)/p' \
        $(FUZZ_SCRATCH)/logs/$$target.log >&2; \
done; \
if (( $${#failed[@]} )); then echo "error: fuzzing found a crash in: $${failed[*]}" >&2; exit 1; fi
endef

fuzz: fuzz-build
	$(call fuzz-run,$(FUZZ_SECONDS),$(FUZZ_TARGET))

fuzz-ci: fuzz-build
	$(call fuzz-run,$(FUZZ_CI_SECONDS),$(FUZZ_TARGETS))
# --- The soak (Tests/Soak/soak.py) ---------------------------------------------------------------------------------
# The real box (the debug binary `make test` builds, RAVEBOX_BIN overrides it) under 200 simulated guests, with kill -9
# of the engine and the web process, a full and a slow data disk; it fails when an acknowledged write is lost, the
# web's RSS grows, the audio glitches outside a kill window or the box takes over a second to answer after a kill.
# Root: the data disk is a loop-mounted image and the slow disk the block layer's throttle. What it costs: README.
SOAK_MINUTES ?= 30
SOAK_PACKAGES := ffmpeg e2fsprogs mount kmod
RAVEBOX_BIN ?= $(DEBUG_BIN)

soak-deps:
	@$(call apt-install,$(SOAK_PACKAGES))

soak: soak-deps
	RAVEBOX_BIN="$(RAVEBOX_BIN)" SOAK_MINUTES="$(SOAK_MINUTES)" python3 Tests/Soak/soak.py

# About 3 minutes with start-up: 200 guests for 2.5 minutes, one kill of each child, 30 s of full disk, 30 s of slow.
soak-ci: soak-deps
	RAVEBOX_BIN="$(RAVEBOX_BIN)" SOAK_MINUTES=2.5 python3 Tests/Soak/soak.py

lint: check-swift
	swift format lint --strict --recursive --parallel $(SWIFT_FORMAT_PATHS) \
	    || { echo "Formatting differs from .swift-format: 'make format' fixes it." >&2; exit 1; }

format: check-swift
	swift format format --in-place --recursive --parallel $(SWIFT_FORMAT_PATHS)

bench: bench-deps $(BROWSER_STAMP)
	swift build -c release $(SWIFT_FLAGS)
	@mkdir -p bench/out
	@failed=(); \
	for name in ipc engine-cpu audio-allocs audio-xruns rss vote analysis-vs-cava scan; do \
	    echo "== bench/$$name.sh"; \
	    RAVEBOX_BIN="$(RELEASE_BIN)" bench/$$name.sh | tee bench/out/$$name.txt || failed+=("$$name"); \
	    echo; \
	done; \
	echo "== bench/ws-latency.py"; \
	RAVEBOX_BIN="$(RELEASE_BIN)" bench/ws-latency.py --clients 1000 | tee bench/out/ws-latency.txt \
	    || failed+=(ws-latency); \
	echo; \
	echo "== bench/lights-latency.py"; \
	RAVEBOX_BIN="$(RELEASE_BIN)" $(BROWSER_PYTHON) bench/lights-latency.py | tee bench/out/lights-latency.txt \
	    || failed+=(lights-latency); \
	echo; \
	echo "== bench/page-weight.py"; \
	RAVEBOX_BIN="$(RELEASE_BIN)" $(BROWSER_PYTHON) bench/page-weight.py | tee bench/out/page-weight.txt \
	    || failed+=(page-weight); \
	echo; \
	echo "== bench/idle-connections.py"; \
	RAVEBOX_BIN="$(RELEASE_BIN)" $(BROWSER_PYTHON) bench/idle-connections.py | tee bench/out/idle-connections.txt \
	    || failed+=(idle-connections); \
	echo; \
	echo "== Benchmarks/ (package-benchmark: analysis hop, LED frames, light thread pass, search at 50 000 songs)"; \
	swift package --package-path Benchmarks --disable-sandbox benchmark --no-progress \
	    | tee bench/out/benchmarks.txt || failed+=(benchmarks); \
	echo; \
	echo "== Benchmarks/ thresholds check (no allocation on the realtime paths)"; \
	swift package --package-path Benchmarks --disable-sandbox benchmark thresholds check --no-progress \
	    --path "$(CURDIR)/Benchmarks/Thresholds" | tee bench/out/benchmarks-thresholds.txt \
	    || failed+=(benchmarks-thresholds); \
	echo; \
	echo "== bench/compare.py (more than 20 % worse than bench/baseline.txt, the figures of docs/performance.md)"; \
	bench/compare.py --skip image | tee bench/out/compare.txt || failed+=(regressions); \
	echo; \
	if (( $${#failed[@]} )); then echo "failed: $${failed[*]}" >&2; exit 1; fi; \
	echo "Results saved in bench/out/ (see docs/performance.md)."

# The party page as a phone shows it, light and dark (for the docs).
screenshots: swift-build $(BROWSER_STAMP)
	RAVEBOX_BIN="$(DEBUG_BIN)" $(BROWSER_PYTHON) Tests/Browser/screenshots.py docs/screenshots

clean:
	rm -rf .build .build-browser .build-tsan .build-asan .build-tsan-ci .build-asan-ci .build-fuzz bench/out

distclean: clean
	rm -rf $(DATA_DIR) .swiftpm Package.resolved

# --- The appliance image (see image/README.md) -------------------------------------------------------------------
IMAGE_OUT := $(CURDIR)/.build-image
IMAGE_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE_DEMO := $(IMAGE_OUT)/demo

image-deps:
	@$(call apt-install,$(IMAGE_PACKAGES))

image-test-deps:
	@$(call apt-install,$(IMAGE_PACKAGES) $(IMAGE_TEST_PACKAGES))

$(IMAGE_DEMO)/.ravebox-demo: scripts/make-demo-library.sh | image-deps
	scripts/make-demo-library.sh $(IMAGE_DEMO)
	@touch $@

# The binary is cross-built with Debian's swiftlang against a trixie sysroot (image/sdk/README.md); SwiftPM
# rebuilds only what changed, so these always run.
image: image-deps $(IMAGE_DEMO)/.ravebox-demo
	image/sdk/build-ravebox.sh --arch arm64 --out $(IMAGE_OUT)/arm64/ravebox
	image/build-image.sh --arch arm64 --binary $(IMAGE_OUT)/arm64/ravebox --demo $(IMAGE_DEMO) \
	    --out $(IMAGE_OUT)/out --version $(IMAGE_VERSION) --xz

image-qemu: image-deps $(IMAGE_DEMO)/.ravebox-demo
	image/sdk/build-ravebox.sh --arch amd64 --out $(IMAGE_OUT)/amd64/ravebox
	image/build-image.sh --arch amd64 --binary $(IMAGE_OUT)/amd64/ravebox --demo $(IMAGE_DEMO) \
	    --out $(IMAGE_OUT)/out --version $(IMAGE_VERSION)

# Static checks that need no QEMU: the overlays compile, the udev rules and units verify, every script passes
# shellcheck, and the hostapd and dnsmasq files `ravebox setup` writes parse.
# hostapd reads the file of every wifi_security mode: the image's ravebox.yaml as shipped (owe), then with each
# other mode.
WIFI_MODES := open wpa2 wpa3
image-check: image-test-deps swift-build
	@rm -rf $(IMAGE_OUT)/check && mkdir -p $(IMAGE_OUT)/check/boot
	@cp image/boot/ravebox.yaml $(IMAGE_OUT)/check/boot/
	$(DEBUG_BIN) setup --boot $(IMAGE_OUT)/check/boot --data $(IMAGE_OUT)/check/data --run $(IMAGE_OUT)/check/run \
	    --network $(IMAGE_OUT)/check/network --group root
	@for mode in $(WIFI_MODES); do \
	    mkdir -p $(IMAGE_OUT)/check/$$mode/boot && \
	    sed "s/^wifi_security: .*/wifi_security: $$mode/" image/boot/ravebox.yaml >$(IMAGE_OUT)/check/$$mode/boot/ravebox.yaml && \
	    $(DEBUG_BIN) setup --boot $(IMAGE_OUT)/check/$$mode/boot --data $(IMAGE_OUT)/check/$$mode/data \
	        --run $(IMAGE_OUT)/check/$$mode/run --network $(IMAGE_OUT)/check/$$mode/network --group root || exit 1; \
	done
	image/check-static.sh --dnsmasq $(IMAGE_OUT)/check/run/dnsmasq.conf --hostapd $(IMAGE_OUT)/check/run/hostapd-wlan0.conf \
	    $(foreach mode,$(WIFI_MODES),--hostapd $(IMAGE_OUT)/check/$(mode)/run/hostapd-wlan0.conf)

# Votes at an SD card's pace (bench/vote-sd.py): the image booted in QEMU with its disk throttled to 100 write
# requests a second, 200 phones voting, 300 listening, each a device of its own on a tap device in a network
# namespace (bench/phones.py; needs root, as the image build does). Not in CI: about 6 minutes of a busy machine.
bench-sd: image-test-deps bench-deps image-qemu
	@mkdir -p bench/out
	bench/vote-sd.py --image $(IMAGE_OUT)/out/ravebox-$(IMAGE_VERSION)-qemu-amd64.img --work $(IMAGE_OUT)/vote-sd \
	    | tee bench/out/vote-sd.txt

# The image as flashed (bench/image.py): idle Pss of the three processes, the binary's and the image's size. Not in CI
# (the image test prints the same Pss); about 4 minutes of QEMU.
bench-image: image-test-deps bench-deps image-qemu
	@mkdir -p bench/out
	bench/image.py --image $(IMAGE_OUT)/out/ravebox-$(IMAGE_VERSION)-qemu-amd64.img --binary $(IMAGE_OUT)/amd64/ravebox \
	    $(if $(wildcard $(IMAGE_OUT)/arm64/ravebox),--arm64-binary $(IMAGE_OUT)/arm64/ravebox) \
	    --work $(IMAGE_OUT)/bench-image | tee bench/out/image.txt
	bench/compare.py --only image | tee bench/out/compare-image.txt

# Boot times side by side: this commit's image against BOOT_REF (another commit's amd64 image), boots alternating.
bench-boot: image-test-deps image-qemu
	@test -n "$(BOOT_REF)" || { echo "make bench-boot BOOT_REF=path/to/ravebox-REF-qemu-amd64.img"; exit 2; }
	image/test/gpio-sim/build-module.sh --image $(IMAGE_OUT)/out/ravebox-$(IMAGE_VERSION)-qemu-amd64.img \
	    --out $(IMAGE_OUT)/test-tools
	@mkdir -p bench/out
	bench/boot-time.py --image $(IMAGE_OUT)/out/ravebox-$(IMAGE_VERSION)-qemu-amd64.img --ref $(BOOT_REF) \
	    --tools $(IMAGE_OUT)/test-tools --work $(IMAGE_OUT)/boot-time | tee bench/out/boot-time.txt

image-test: image-test-deps image-qemu
	image/test/gpio-sim/build-module.sh --image $(IMAGE_OUT)/out/ravebox-$(IMAGE_VERSION)-qemu-amd64.img \
	    --out $(IMAGE_OUT)/test-tools
	python3 image/test/image-test.py --image $(IMAGE_OUT)/out/ravebox-$(IMAGE_VERSION)-qemu-amd64.img \
	    --tools $(IMAGE_OUT)/test-tools --work $(IMAGE_OUT)/image-test
