// SPDX-License-Identifier: Apache-2.0
/**
 * A write-load helper for benchmarks, run as its own process so its CPU is not counted against
 * the code under test: merge-patches ConfigMaps `cm-<from>`…`cm-<to-1>` of a namespace with
 * `concurrency` requests in flight, then prints the elapsed milliseconds.
 *
 *   node --conditions=development --import tsx bench/update-writer.ts <kubeconfig> <ns> <from> <to> <concurrency> <revision>
 */
import { DynamicClient } from '@eddy/runtime';

const [kubeconfig, ns, from, to, concurrency, revision] = process.argv.slice(2);
if (!kubeconfig || !ns || !from || !to || !concurrency || !revision) {
  console.error('usage: update-writer.ts <kubeconfig> <ns> <from> <to> <concurrency> <revision>');
  process.exit(2);
}
const client = new DynamicClient({ kubeconfig });
let next = Number(from);
const end = Number(to);
const t0 = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < end) {
      const name = `cm-${String(next++).padStart(5, '0')}`;
      await client.patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name }, { data: { revision } }, { type: 'merge' });
    }
  }),
);
console.log(String(performance.now() - t0));
client.close();
