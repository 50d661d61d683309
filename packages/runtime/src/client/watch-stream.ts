// SPDX-License-Identifier: Apache-2.0
/**
 * A single watch request as a stream of {@link WatchEvent}s. The apiserver sends one JSON object
 * per line; this reads them as they arrive and reports how the stream ended through
 * {@link WatchHandle.done}, which never rejects. `stop()` ends the stream quietly: no error is
 * reported for a stream the caller stopped (the trap of client-node's Watch).
 */
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { KubeObject, WatchEvent, WatchHandle } from './types.ts';
import type { HttpRequest, Transport } from './transport.ts';

/** Called for every event; `apiVersion` and `kind` fill objects that arrive without them. */
export type WatchEventHandler<T extends KubeObject> = (event: WatchEvent<T>) => void;

/**
 * Opens a watch and starts delivering events. Rejects when the watch cannot be established
 * (connection refused, non-2xx answer as ApiError); afterwards failures end up in `done`.
 */
export async function openWatch<T extends KubeObject>(
  transport: Transport,
  req: Omit<HttpRequest, 'method'>,
  typeMeta: { apiVersion: string; kind: string },
  onEvent: WatchEventHandler<T>,
): Promise<WatchHandle> {
  const ac = new AbortController();
  const signal = req.signal ? AbortSignal.any([ac.signal, req.signal]) : ac.signal;
  const res = await transport.stream({ ...req, method: 'GET', query: { ...req.query, watch: 'true' }, signal });
  const stream = new WatchStream<T>(res, ac, typeMeta, onEvent);
  if (req.signal?.aborted) stream.stop();
  else req.signal?.addEventListener('abort', () => stream.stop(), { once: true });
  return stream;
}

class WatchStream<T extends KubeObject> implements WatchHandle {
  readonly done: Promise<{ error?: unknown }>;
  private resolveDone!: (r: { error?: unknown }) => void;
  private stopped = false;
  private finished = false;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly res: IncomingMessage,
    private readonly ac: AbortController,
    private readonly typeMeta: { apiVersion: string; kind: string },
    private readonly onEvent: WatchEventHandler<T>,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    res.on('data', (chunk: Buffer) => this.onData(chunk));
    res.on('end', () => this.finish(this.pending.trim() === '' ? undefined : new Error('watch stream ended mid-event')));
    res.on('error', (err) => this.finish(err));
    res.on('close', () => this.finish(res.complete ? undefined : new Error('watch connection closed')));
  }

  stop(): void {
    this.stopped = true;
    this.finish(undefined);
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (!this.deliver(line)) return;
    }
    this.pending = start === 0 ? text : text.slice(start);
  }

  /** Parses and hands over one line; false when the stream had to stop. */
  private deliver(line: string): boolean {
    if (line.trim() === '') return true;
    let event: WatchEvent<T>;
    try {
      event = JSON.parse(line) as WatchEvent<T>;
    } catch (err) {
      this.finish(new Error(`undecodable watch event: ${String(err)}`));
      return false;
    }
    const obj = event.object as KubeObject | undefined;
    if (obj && event.type !== 'ERROR' && obj.kind === undefined) {
      obj.apiVersion = this.typeMeta.apiVersion;
      obj.kind = this.typeMeta.kind;
    }
    try {
      this.onEvent(event);
    } catch (err) {
      this.finish(err);
      return false;
    }
    return !this.finished;
  }

  private finish(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.ac.abort();
    this.res.destroy();
    this.resolveDone(this.stopped || error === undefined ? {} : { error });
  }
}
