# Two commands set everything up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/globus-proxy demo --port $${PORT:-5000}

# Real parts the tests start, from Debian's packages; add each with a line of its own.
TEST_PACKAGES := chromium  # the login page's browser test
TEST_PACKAGES += openjdk-17-jre-headless  # openapi-generator-cli (a client from the served spec)
TEST_PACKAGES += redis-server haproxy  # tests/replicas: shared state, replicas behind a balancer
TEST_PACKAGES += openjdk-17-jdk-headless libjackson2-core-java libjackson2-databind-java libjackson2-annotations-java libjsr305-java libgeronimo-annotation-1.3-spec-java  # the generated Java client (tests/proxy/test_java_client.py)
TEST_PACKAGES += curl  # curl --http2 (tests/proxy/test_h2c.py)
BENCH_PACKAGES := wrk
BENCH_PACKAGES += redis-server haproxy  # bench/scale_out.py

# Installs the Debian packages it is given that are missing (apt-get when root).
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages: run 'sudo apt-get install $$missing'"; fi; fi
endef

system-deps:
	$(call apt_install,$(TEST_PACKAGES))

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(call apt_install,$(BENCH_PACKAGES))
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .tools .pytest_cache bench/results.json bench/results-*.json
