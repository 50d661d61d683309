# SPDX-License-Identifier: Apache-2.0
# Eddy's developer entry points. `make help` lists them.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PNPM_VERSION := 10.34.8
NODE_RUN := node --conditions=development --import tsx
export PATH := $(CURDIR)/.eddy/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help
help: ## List every target with one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: setup
setup: ## Install pnpm, node modules and the system packages tests need (sshd)
	@command -v pnpm >/dev/null 2>&1 && [[ "$$(pnpm --version)" == "$(PNPM_VERSION)" ]] || npm install -g --no-fund --no-audit pnpm@$(PNPM_VERSION)
	@[[ -x /usr/sbin/sshd ]] || { command -v apt-get >/dev/null && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null) || echo "warning: sshd missing; SSH git tests will be skipped"; }
	pnpm install --frozen-lockfile --prefer-offline --reporter=append-only

.PHONY: tools
tools: ## Build the Go tools (etcd, kube-apiserver, kubectl, helm, kustomize, registry, sops, age, flux) into the cache
	hack/tools.sh

.PHONY: build
build: setup ## Compile every TypeScript package (tsc -b) and type-check scripts, tests and benchmarks
	pnpm exec tsc -b
	@for p in scripts bench e2e packages/api/test packages/api/scripts; do \
	  if [[ -f $$p/tsconfig.json ]]; then pnpm exec tsc -p $$p || exit 1; fi; \
	done

.PHONY: typecheck
typecheck: build ## Type-check every package (same as build)

.PHONY: lint
lint: setup ## Lint with typed rules (eslint + typescript-eslint)
	pnpm exec eslint .

.PHONY: generate
generate: setup ## Regenerate CRD manifests and API reference docs from packages/api
	$(NODE_RUN) packages/api/scripts/generate.ts
	rm -f charts/eddy/crds/*.yaml && cp packages/api/crds/*.yaml charts/eddy/crds/
	$(NODE_RUN) packages/cli/scripts/generate-manifests.ts

.PHONY: verify
verify: generate lint build ## Regenerate, lint and build; fail when generated files drift from source
	@git diff --exit-code -- charts docs packages/api/crds packages/cli/manifests || { echo "generated files drifted: run 'make generate' and commit"; exit 1; }

.PHONY: test-unit
test-unit: setup ## Run unit tests (no cluster)
	$(NODE_RUN) scripts/run-tests.ts unit

.PHONY: test-int
test-int: setup tools ## Run integration tests against a real local control plane
	$(NODE_RUN) scripts/run-tests.ts int

.PHONY: test-e2e
test-e2e: setup tools ## Run end-to-end tests (controllers as processes, git server, registry)
	$(NODE_RUN) scripts/run-tests.ts e2e

.PHONY: test
test: setup tools build lint ## Run everything: build, lint, unit, integration and e2e tests
	$(NODE_RUN) scripts/run-tests.ts all

.PHONY: cluster-up
cluster-up: setup tools ## Start a local control plane with the CRDs; writes .eddy/kubeconfig
	$(NODE_RUN) packages/testenv/src/cli.ts up

.PHONY: cluster-down
cluster-down: ## Stop the control plane started by cluster-up
	$(NODE_RUN) packages/testenv/src/cli.ts down

.PHONY: demo
demo: setup tools build ## Run the main job locally: control plane, demo fleet repo, controllers, live status
	$(NODE_RUN) scripts/demo.ts

.PHONY: bench
bench: setup tools ## Run the benchmarks in bench/ (on demand; prints figures)
	$(NODE_RUN) bench/run.ts $(BENCH)

.PHONY: clean
clean: ## Remove build output (keeps the tool cache)
	rm -rf packages/*/dist e2e/dist bench/dist
