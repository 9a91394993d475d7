# Two entry points: `make demo` (create a profile from every language against a local server)
# and `make test` (everything CI checks). Each sets up what it needs on a fresh machine.

CARGO ?= cargo

.PHONY: demo test lint test-rust doc test-python test-node fuzz

demo:
	bash scripts/demo.sh

test: lint test-rust doc test-python test-node

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test-rust:
	$(CARGO) test --locked -p postcore -p postcore-mock

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps -p postcore -p postcore-mock

test-python:
	bash bindings-python/test.sh

test-node:
	bash bindings-node/test.sh

# Full-length property run of the response decoder (make test runs 20,000 inputs).
fuzz:
	PROPTEST_CASES=1000000 $(CARGO) test --locked --release -p postcore --lib fuzz -- --nocapture
