// SPDX-License-Identifier: Apache-2.0
/**
 * `@eddy/testenv`: a real local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) and
 * loopback test servers (git over HTTP and SSH, an OCI registry, a Helm chart repository), all from real binaries.
 *
 * Every environment keeps its state in one temporary directory and is watched by a tiny detached watchdog that
 * kills its processes and removes the directory if the test process dies without calling `stop()`.
 * @packageDocumentation
 */
export { toolPath, systemToolPath, repoRoot } from './paths.ts';
export { TestEnvError, ToolNotFoundError, StartupError, WaitTimeoutError, HttpStatusError } from './errors.ts';
export { CommandError } from './exec.ts';
export { freePort } from './ports.ts';

export type { ControlPlane, ControlPlaneOptions, ControlPlaneTimings } from './control-plane.ts';
export { startControlPlane, defaultCrdDir } from './control-plane.ts';
export type { ControlPlaneConnection } from './shared-control-plane.ts';
export { useControlPlane, releaseControlPlane, randomNamespaceName } from './shared-control-plane.ts';
export type { KubeConnection, KubeResponse, KubeRequestOptions, KubeWatch, WatchEvent } from './kube-http.ts';
export { kubeRequest, kubeRequestOk, kubeWatch } from './kube-http.ts';
export { readKubeconfig, writeKubeconfig } from './kubeconfig.ts';

export type { GitServer, GitServerOptions, GitRepo, CreateRepoOptions, CommitOptions } from './git-server.ts';
export { startGitServer } from './git-server.ts';
export type { GitAuthMode, GitRequestRecord } from './git-http.ts';
export { hasSshd } from './sshd.ts';

export type { Registry, RegistryOptions } from './registry.ts';
export { startRegistry } from './registry.ts';
export type { PushOptions, PushResult } from './oci-push.ts';

export type { ChartRepo, ChartRepoOptions, ServedChart } from './chart-repo.ts';
export { startChartRepo, podinfoChartDir } from './chart-repo.ts';

export type { ControllerName, ControllerProcess, ControllerProcessOptions } from './controller-process.ts';
export { startControllerProcess, controllerMain } from './controller-process.ts';

export type { CrdOptions } from './fixtures.ts';
export { crdYaml } from './fixtures.ts';
