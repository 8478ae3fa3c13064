# Orgdesk — the two commands that matter are `make run` and `make test`.
# Both install what a fresh Debian/Ubuntu machine is missing (apt-get, with sudo when not root).

SHELL := /bin/bash
.DEFAULT_GOAL := run
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO ?= cargo
NPM ?= npm

# Debian packages Tauri needs to build and run on Linux, and the ones the end-to-end suite needs.
RUN_PACKAGES := build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev \
                libayatana-appindicator3-dev librsvg2-dev libxdo-dev
TEST_PACKAGES := xvfb xauth webkit2gtk-driver python3-aiosmtpd chromium chromium-driver postgresql openssl \
                 systemd dpkg

TAURI_DRIVER := $(shell command -v tauri-driver 2>/dev/null || echo $(HOME)/.cargo/bin/tauri-driver)
# clippy-driver as the compiler of the workspace's own crates, with clippy's warnings as errors
# (CLIPPY_ARGS is how `cargo clippy` passes `-- -D warnings` to it).
CLIPPY_DRIVER := $(shell d="$$(rustc --print sysroot 2>/dev/null)/bin/clippy-driver"; [ -x "$$d" ] && echo "$$d" || echo clippy-driver)
LINTED := RUSTC_WORKSPACE_WRAPPER=$(CLIPPY_DRIVER) CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

.PHONY: run test test-e2e test-faults test-ui test-rust bench fuzz bundle gateway-deb lint ui deps-run deps-test node-deps tools bindings fmt clean

## make run: install what is missing, build the UI, open the app with its default database.
run: deps-run node-deps ui
	$(CARGO) run --bin orgdesk

## make test: every test — lints, Rust unit/integration/CLI suites, UI tests, and the
## end-to-end suite that drives the real window under Xvfb.
## The workspace is compiled once, by clippy-driver: it builds the crates as rustc does and
## lints them as `cargo clippy --workspace --all-targets -- -D warnings` would, so a warning
## fails the build, and the dependencies (compiled by plain rustc) are not checked a second time.
## The same wrapper stays on for `cargo test`, so that nothing is compiled again. A plain
## `cargo test` afterwards recompiles the workspace's own crates (not the dependencies).
## Then four groups run at once, since the suites spend most of their time waiting (on the
## window, on servers they started, on outages they stage), not computing: the end-to-end
## suite, the fault and load suites, the UI checks, and every other Rust suite. Each group's
## output is printed whole when it ends; any group failing fails `make test`.
test: deps-test node-deps ui
	$(CARGO) fmt --all -- --check
	$(LINTED) $(CARGO) test --workspace --all-targets --no-run
	$(MAKE) --no-print-directory -j4 --output-sync=target test-e2e test-faults test-ui test-rust

# The Rust test suites other than the end-to-end, fault and load suites, read from the
# workspace's manifests so that a new suite is never left out.
RUST_SUITES = $(shell $(CARGO) metadata --no-deps --format-version 1 | /usr/bin/python3 -c \
  'import json, sys; print(" ".join(sorted({"--test " + t["name"] for p in json.load(sys.stdin)["packages"] for t in p["targets"] if "test" in t["kind"] and t["name"] not in ("e2e", "faults", "load")})))')

# The groups' cargo runs on its own: it must not look for the job server of the make that
# runs the groups (make does not hand it on to these recipes).
OWN_JOBS := MAKEFLAGS= MFLAGS=

test-e2e:
	$(OWN_JOBS) $(LINTED) TAURI_DRIVER=$(TAURI_DRIVER) $(CARGO) test --workspace --test e2e

test-faults:
	$(OWN_JOBS) $(LINTED) $(CARGO) test --workspace --test faults --test load

# The type check of every UI file, tests included, is the `ui` build's own `tsc -b` (same
# tsconfig), which `make test` runs first.
test-ui:
	$(NPM) --prefix ui run lint
	$(NPM) --prefix ui test

test-rust:
	$(OWN_JOBS) $(LINTED) $(CARGO) test --workspace --lib --bins $(RUST_SUITES)
	$(OWN_JOBS) $(LINTED) $(CARGO) test --workspace --doc

## make bench: performance figures, printed as tables (release build; no timed assertions).
## The window benchmark drives the real app under Xvfb at 100,000 members (benches/window/).
bench: deps-test node-deps ui
	$(CARGO) bench -p orgdesk-core --bench directory
	$(CARGO) bench -p orgdesk-core --bench spreadsheet
	$(CARGO) bench -p orgdesk-gateway --bench throughput
	$(CARGO) bench -p orgdesk-link --bench team
	TAURI_DRIVER=$(TAURI_DRIVER) $(CARGO) bench --bench window --features scripted-dialogs

## make fuzz: libFuzzer (fuzz/) over the import parser, the gateway's event feed applied to a
## directory, the gateway's form posts and its configuration file, each target for
## FUZZ_SECONDS seconds (default 60), from the seeds in fuzz/seeds/<target> and with the words
## in fuzz/import.dict (fuzz/forms.dict, fuzz/config.dict for the gateway's). A panic, a
## timeout or running out of memory fails it; the input is kept in fuzz/artifacts/<target>/.
## cargo-fuzz passes nightly-only flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := import_parser import_csv event_applier gateway_forms gateway_config
CARGO_FUZZ := $(shell command -v cargo-fuzz 2>/dev/null || echo $(HOME)/.cargo/bin/cargo-fuzz)
fuzz:
	@[ -x "$(CARGO_FUZZ)" ] || $(CARGO) install cargo-fuzz --locked
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  case $$t in gateway_forms) dict=forms.dict;; gateway_config) dict=config.dict;; *) dict=import.dict;; esac; \
	  echo "== fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t fuzz/corpus/$$t fuzz/seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=30 \
	    -dict=$(CURDIR)/fuzz/$$dict -print_final_stats=1; \
	done

## make bundle: a .deb of the release build (tauri.conf.json also names msi and dmg for
## Windows and macOS builders), and the gateway's own .deb (make gateway-deb).
bundle: deps-run node-deps node_modules/.package-lock.json gateway-deb
	npx tauri build --bundles deb

## make gateway-deb: orgdesk-gateway_VERSION_ARCH.deb of the release gateway, with no Tauri in
## it (tools/gateway-deb/build.sh: the binary, the configuration, the systemd unit, the docs),
## into $(GATEWAY_DEB_DIR).
CARGO_TARGET ?= $(or $(CARGO_TARGET_DIR),target)
GATEWAY_DEB_DIR ?= $(CARGO_TARGET)/gateway-deb
gateway-deb:
	$(CARGO) build --release -p orgdesk-gateway
	tools/gateway-deb/build.sh --binary $(CARGO_TARGET)/release/orgdesk-gateway --out $(GATEWAY_DEB_DIR)

## make bindings: regenerate ui/src/bindings/ from the Rust types.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p orgdesk-core --test core bindings_are_fresh

fmt:
	$(CARGO) fmt --all

ui:
	$(NPM) --prefix ui run build

node-deps: ui/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20.19+ is required: install it (e.g. apt-get install nodejs npm) and run make again."; exit 1; }
	$(NPM) --prefix ui ci --no-audit --no-fund
	@touch $@

# The Tauri CLI, for bundling only. `npm ci` refuses its lock file because npm records the
# CLI's binary for this platform only; `npm install` honours the lock all the same.
node_modules/.package-lock.json: package-lock.json
	$(NPM) install --no-audit --no-fund
	@touch $@

deps-run:
	@missing=""; for p in $(RUN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust (cargo) is required: install it with rustup, then run make again."; exit 1; }

deps-test: deps-run
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@[ -x "$(TAURI_DRIVER)" ] || $(CARGO) install tauri-driver --locked

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules node_modules
