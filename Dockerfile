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
 && go install github.com/getsops/sops/v3/cmd/sops@v3.11.0

FROM node:20-bookworm-slim AS build
RUN npm install -g pnpm@10.34.8
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm exec tsc -b \
 && CI=true pnpm install --frozen-lockfile --prod \
 && mkdir -p bin \
 && for c in source kustomize helm image-reflector image-automation; do \
      chmod +x packages/$c-controller/dist/main.js && ln -s ../packages/$c-controller/dist/main.js bin/eddy-$c-controller; \
    done \
 && chmod +x packages/cli/dist/main.js && ln -s ../packages/cli/dist/main.js bin/eddy

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client gnupg ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=tools /go/bin/kustomize /go/bin/helm /go/bin/sops /usr/local/bin/
COPY --from=build /src/bin /app/bin
COPY --from=build /src/node_modules /app/node_modules
COPY --from=build /src/packages /app/packages
ENV NODE_ENV=production PATH=/app/bin:$PATH
WORKDIR /app
USER 65534:65534
ENTRYPOINT ["/usr/bin/tini", "--"]
