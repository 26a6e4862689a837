# The twin's Lambda custom runtime: build, test, run locally, package and deploy.
# Every target installs what it needs (make deps), idempotently.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
.DEFAULT_GOAL := build

SWIFT       ?= swift
PYTHON      ?= python3
VENV        := .venv
VENV_BIN    := $(VENV)/bin
DIST        := dist
BOOTSTRAP   := $(DIST)/bootstrap
ZIP         := $(DIST)/bootstrap.zip
EVENT       ?= events/health.json
PORT        ?= 9000

APT_PACKAGES := libcurl4-openssl-dev libssl-dev zlib1g-dev zip unzip binutils dpkg-dev openssl
STATIC      := .tools/static
PERSONA_SRC ?= persona
PY_PACKAGES  := cargo-lambda==1.9.2 pytest==9.0.3 moto[server]==5.2.5 cfn-lint==1.51.0 awscli==1.45.11 boto3==1.43.11
DEPS_STAMP   := $(VENV)/.deps-$(shell echo '$(APT_PACKAGES) $(PY_PACKAGES)' | cksum | cut -d' ' -f1)

# The Lambda build: static Swift stdlib, and libcurl + OpenSSL + zlib linked in from
# $(STATIC) (scripts/build-static-curl.sh), in a build folder of its own.
SWIFT_LAMBDA_FLAGS := -c release --static-swift-stdlib --scratch-path .build-lambda \
  -Xcc -I$(CURDIR)/$(STATIC)/include -Xlinker -L$(CURDIR)/$(STATIC)/lib \
  -Xlinker -lssl -Xlinker -lcrypto -Xlinker -lz -Xlinker -ldl -Xlinker -lpthread \
  -Xswiftc -Xclang-linker -Xswiftc -no-pie
# (-no-pie: a position-dependent executable has no relative relocations for the loader
#  to apply at every cold start, and dirties fewer pages.)
SWIFT_RELEASE_FLAGS := $(SWIFT_LAMBDA_FLAGS) --product bootstrap
BENCH_VENV := bench/.venv

.PHONY: deps build test unit-test e2e-test run invoke package deploy deploy-stack lint-template bench clean

## deps: apt packages and the Python tools (in .venv), installed once.
deps: $(DEPS_STAMP)

$(DEPS_STAMP):
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# cargo-lambda's emulator runs `cargo metadata`: any cargo will do, Debian's included.
	@command -v cargo >/dev/null || [ -x "$$HOME/.cargo/bin/cargo" ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq cargo >/dev/null; }
	@[ -x $(VENV_BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@# cargo-lambda without its dependencies: the emulator needs none, and ziglang is 400 MB.
	$(VENV_BIN)/pip install -q --disable-pip-version-check --no-deps cargo-lambda==1.9.2
	$(VENV_BIN)/pip install -q --disable-pip-version-check $(filter-out cargo-lambda%,$(PY_PACKAGES))
	@rm -f $(VENV)/.deps-*; touch $@

## build: the release bootstrap for provided.al2023, stripped, at dist/bootstrap, checked.
build: deps $(STATIC)/.complete
	$(SWIFT) build $(SWIFT_RELEASE_FLAGS)
	@mkdir -p $(DIST)
	strip -o $(BOOTSTRAP) $$($(SWIFT) build $(SWIFT_RELEASE_FLAGS) --show-bin-path)/bootstrap
	scripts/check-binary.sh $(BOOTSTRAP)
	@ls -l $(BOOTSTRAP)

$(STATIC)/.complete:
	scripts/build-static-curl.sh $(STATIC)

## package: dist/bootstrap.zip: bootstrap (755) at the root, plus persona/ when present.
package: build
	@rm -rf $(DIST)/package $(ZIP) && mkdir -p $(DIST)/package
	install -m 755 $(BOOTSTRAP) $(DIST)/package/bootstrap
	@if [ -d "$(PERSONA_SRC)" ]; then mkdir -p $(DIST)/package/persona && \
	  find "$(PERSONA_SRC)" -maxdepth 1 -type f \( -name '*.txt' -o -name '*.md' -o -name '*.json' \) -exec cp {} $(DIST)/package/persona/ \; ; fi
	@# Fixed timestamps: the same build gives the same zip, so CodeSha256 says what changed.
	find $(DIST)/package -exec touch -d '2020-01-01 00:00:00' {} +
	cd $(DIST)/package && zip -q -X -r ../bootstrap.zip bootstrap $$( [ -d persona ] && echo persona )
	@size=$$(stat -c %s $(ZIP)); echo "$(ZIP): $$size bytes"; \
	  [ $$size -lt 10485760 ] || { echo "$(ZIP) is over 10 MB"; exit 1; }

## test: everything: unit tests, then the black-box tests of dist/bootstrap.
test: unit-test e2e-test

unit-test: deps
	$(SWIFT) test

e2e-test: build
	cd e2e && ../$(VENV_BIN)/python -m pytest -q

## run: the API on http://127.0.0.1:$(PORT)/lambda-url/bootstrap/ through the emulator, file memory in ./memory.
run: build
	$(VENV_BIN)/python scripts/lambda_local.py run --port $(PORT)

## invoke: one console test event through the emulator; prints the function's response.
invoke: build
	$(VENV_BIN)/python scripts/lambda_local.py invoke $(EVENT)

## deploy: FUNCTION_NAME=... DEPLOY_BUCKET=... [AWS_REGION=...] [KEEP_STAGED=true]: new code for an existing function via S3.
deploy: package
	PATH="$(CURDIR)/$(VENV_BIN):$$PATH" scripts/deploy.sh

## deploy-stack: STACK_NAME=... DEPLOY_BUCKET=... [PARAMS="ModelId=... MemoryBackend=dynamodb"]: the whole stack.
deploy-stack: package
	PATH="$(CURDIR)/$(VENV_BIN):$$PATH" scripts/deploy-stack.sh

## lint-template: cfn-lint on deploy/template.yaml.
lint-template: deps
	$(VENV_BIN)/cfn-lint deploy/template.yaml

## bench: the bootstrap and the Python twin side by side (cold start, warm latency, RSS, zip size).
bench: package
	$(SWIFT) build $(SWIFT_LAMBDA_FLAGS) --product floor-runtime
	@[ -x $(BENCH_VENV)/bin/python ] || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check -r bench/requirements-bench.txt
	FLOOR_BIN=$$($(SWIFT) build $(SWIFT_LAMBDA_FLAGS) --product floor-runtime --show-bin-path)/floor-runtime \
	  $(BENCH_VENV)/bin/python bench/run.py

clean:
	rm -rf .build .build-lambda $(DIST)
