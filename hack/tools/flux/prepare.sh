#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs inside a writable copy of github.com/fluxcd/flux2/v2 before `go build ./cmd/flux` (see build_copy in
# hack/tools.sh). cmd/flux/manifests.embed.go has `//go:embed manifests/*.yaml`, a generated, gitignored
# directory (the install manifests) that the module zip lacks; an empty document satisfies the embed.
# Consequence: `flux install` and `flux bootstrap` have no manifests to apply; Eddy never uses them.
set -euo pipefail
mkdir -p cmd/flux/manifests
printf '{}\n' > cmd/flux/manifests/x.yaml
