# tidemark: the two commands of the README, and the few around them.
#   make demo    install what is missing, build, run the demo
#   make check   install what is missing, build, run every test
#   make install the extension and the agent
#   make bench   the benchmarks against the peers (docs/performance.md)
#   make soak    long fault-injection runs
#   make deb     Debian packages into build/deb (make test-deb checks them)
.PHONY: all deps build decoder agent install install-decoder check check-decoder check-agent demo bench soak deb test-deb clean

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PG_CONFIG ?= $(shell command -v pg_config 2>/dev/null || echo /usr/lib/postgresql/15/bin/pg_config)
PREFIX ?= /usr/local
PGXS_MAKE = $(MAKE) -f Makefile.pgxs PG_CONFIG=$(PG_CONFIG)

all: build

deps:
	packaging/install-deps.sh

build: decoder agent

decoder: deps
	$(PGXS_MAKE) -j$(JOBS)

agent: deps
	cmake -S . -B $(BUILD)/agent -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD)/agent -j$(JOBS)

# The tests load the decoder and CREATE EXTENSION from the server's own
# directories, so checking installs the extension (not the agent).
install-decoder: decoder
	$(PGXS_MAKE) install

install: install-decoder agent
	cmake --install $(BUILD)/agent

# The status page is checked in headless Chromium: --browser installs it.
check: install-decoder agent
	packaging/install-deps.sh --browser
	$(MAKE) check-decoder check-agent

check-decoder:
	regress/run-pg-regress.sh all

check-agent:
	cd $(BUILD)/agent && ctest --output-on-failure -j2 --timeout 1200

demo: install-decoder agent
	demo/demo.sh $(BUILD)/agent/tidemark

bench: install-decoder agent
	packaging/install-deps.sh --bench
	bench/run.sh $(BUILD)/agent/tidemark

soak: install-decoder agent
	TIDEMARK_SOAK=1 $(MAKE) check-agent

deb:
	packaging/install-deps.sh --deb
	packaging/build-deb.sh

test-deb:
	packaging/install-deps.sh --deb
	packaging/test-deb.sh

clean:
	$(PGXS_MAKE) clean
	rm -rf $(BUILD)
