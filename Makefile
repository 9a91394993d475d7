# Two entry points: `make demo` (create a profile from every language against a local server)
# and `make test` (everything CI checks). Each sets up what it needs on a fresh machine.

CARGO ?= cargo

.PHONY: demo test lint generate dist test-rust test-cli test-mcp doc test-python test-node test-listen test-kit test-readme test-fleet test-idempotency test-soak test-dashboard soak fuzz bench

demo:
	bash scripts/demo.sh

test: lint test-rust test-cli test-mcp doc test-python test-node test-listen test-kit test-readme test-fleet test-idempotency test-soak test-dashboard

# Formatters and linters of every language (Rust, Python, TypeScript/JavaScript, workflows),
# and a check that the generated faces are what `make generate` writes.
lint:
	bash scripts/lint.sh

# Each package's typed face from the core's tables (core/src/spec.rs, core/src/models.rs):
# the Python resources and models, the TypeScript resources, argument and model types.
generate:
	bash scripts/generate.sh

# The Redis store's tests start their own redis-server: installed first if missing.
test-rust:
	bash scripts/ensure-redis.sh
	$(CARGO) test --locked -p postcore -p postcore-mock -p postcore-testnet
	$(CARGO) build --locked -q -p postcore-mock -p postcore --example whole_flow
	scripts/with-mock.sh --key pc_example_key -- ./target/debug/examples/whole_flow

# The `postcore` command line (cli/): unit tests, then the built binary against the mock
# (imports interrupted with SIGINT/SIGKILL, faults, pacing with small rate-limit windows).
test-cli:
	$(CARGO) test --locked -p postcore-cli

# `postcore mcp` through the official MCP client (Python `mcp`) over stdio, against the mock.
test-mcp:
	bash cli/tests/mcp/run.sh

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps -p postcore -p postcore-mock

test-python:
	bash bindings-python/test.sh

test-node:
	bash bindings-node/test.sh

# `postcore listen --forward-to` into webhook receivers in Python and Node that verify every
# delivery with their package's helper while failing some (needs test-python/test-node built).
test-listen:
	bash tests/listen/run.sh

# The testing kit's examples (README.md, "Testing code that uses postcore": pytest with the
# postcore_mock fixture, node:test with startMockServer) run from the installed packages: a
# fresh venv with the built wheel, a fresh npm project with the packed tarball.
test-kit:
	bash examples/testing/run.sh

# Every code block of every README (Python, JavaScript, Rust, shell), run against a local
# server (tests/readme/run.py; needs the packages test-python/test-node built).
test-readme:
	$(CARGO) build --locked -q -p postcore -p postcore-cli
	.venv/bin/python tests/readme/run.py

# Eight processes (Python sync and asyncio, Node, a CLI import) sharing one key and a small
# rate limit through sqlite:// and redis:// (no 429, >= 90 % of the windows used, nobody
# starved), through memory:// (429s: why the store exists), and through a Redis killed mid-run
# (needs the packages test-python/test-node built; installs redis-server if missing).
test-fleet:
	bash tests/fleet/run.sh

# One idempotency key, many processes (Python sync and asyncio, Node, the CLI) through sqlite://
# and redis://: racers, a process killed with SIGKILL mid-call, the key reused with other
# arguments; one creation per key (needs the packages test-python/test-node built).
test-idempotency: ; bash tests/idempotency/run.sh

# The local server's web dashboard in headless Chromium (installs Debian's chromium if missing),
# with the app side through the Node SDK; writes target/dashboard.png.
test-dashboard:
	bash tests/dashboard/run.sh

# Full-length property run of the response decoder (make test runs 20,000 inputs).
fuzz:
	PROPTEST_CASES=1000000 $(CARGO) test --locked --release -p postcore --lib fuzz -- --nocapture

# Short soak in make test (needs the packages test-python/test-node built); `make soak` is the
# full-length run: 100,000 calls each through Python sync, Python async and Node.
test-soak:
	bash tests/soak/run.sh 5000

soak:
	bash bindings-python/build.sh >/dev/null && bash bindings-node/build.sh >/dev/null
	$(CARGO) build --locked -p postcore-mock
	bash tests/soak/run.sh 100000

# Release artifacts for this platform (manylinux2014 wheel, sdist, npm main + linux-x64-gnu
# packages, the crate) in dist/, each installed fresh and used against the local server.
dist:
	bash scripts/dist.sh

# Benchmarks against the docs' snippets and the best HTTP clients (release builds, ~6 minutes).
bench:
	bash bench/run.sh
