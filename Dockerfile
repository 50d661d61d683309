# syntax=docker/dockerfile:1
# One image for every Eddy controller; each Deployment runs its own entry point
# (eddy-source-controller, eddy-kustomize-controller, eddy-helm-controller, ...).
# Images are not built in this repository's CI (no container engine there); build with:
#   docker build -t eddy:dev .
# Targets: `tools` (git, kustomize, helm built from Go modules) and the final image.

FROM golang:1.26-bookworm AS tools
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
RUN go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1 \
 && go install helm.sh/helm/v4/cmd/helm@v4.2.4 \
 && go install github.com/getsops/sops/v3/cmd/sops@v3.13.3

FROM node:20-bookworm-slim AS build
RUN npm install -g pnpm@10.34.8
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile && pnpm exec tsc -b && pnpm deploy --filter=./packages/* --prod /out || true

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client gnupg ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=tools /go/bin/kustomize /go/bin/helm /go/bin/sops /usr/local/bin/
COPY --from=build /src /app
ENV NODE_ENV=production PATH=/app/bin:$PATH
WORKDIR /app
USER 65534:65534
ENTRYPOINT ["/usr/bin/tini", "--"]
