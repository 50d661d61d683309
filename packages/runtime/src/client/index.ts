// SPDX-License-Identifier: Apache-2.0
/**
 * The dynamic Kubernetes client: {@link KubeClient} over discovery, with server-side apply,
 * patches (merge, JSON, strategic, apply; `/status` too), watches and typed {@link ApiError}s.
 */
export * from './types.ts';
export * from './errors.ts';
export { Transport, type TransportOptions, type HttpRequest, type HttpResponse } from './transport.ts';
export {
  loadKubeConfig,
  LoadedKubeconfig,
  parseKubeconfig,
  loadKubeconfigFile,
  mergeKubeconfigs,
  inClusterKubeconfig,
  loadDefaultKubeconfig,
  SERVICE_ACCOUNT_DIR,
  type KubeconfigSource,
  type KubeconfigData,
  type KubeconfigCluster,
  type KubeconfigUser,
  type KubeconfigContext,
  type KubeconfigEnvironment,
} from './kubeconfig.ts';
export { ConnectProxyAgent, noProxyMatches, parseProxyUrl, proxyFromEnvironment, redactUrl, type ConnectProxyAgentOptions, type Proxy, type ProxyEnvironment } from './proxy.ts';
export { isReplaySafe, retryAfterSeconds, retryDelayMs, type RetryOptions, type RetryRequest } from './retry.ts';
export { Discovery, parseApiVersion, groupVersionPath, type ApiGroupInfo } from './discovery.ts';
export { DynamicClient, listPages, listAll, type DynamicClientOptions, type PagedListOptions, type ListPage } from './dynamic-client.ts';
export { openWatch, type WatchEventHandler } from './watch-stream.ts';
