// SPDX-License-Identifier: Apache-2.0
/**
 * Test helper: a loopback HTTP artifact server, the counterpart of Flux's
 * `testserver.NewTempArtifactServer`. Tests publish tarballs (from files, a directory or raw
 * bytes) and get back the `url`, `digest` and `revision` a source would put in
 * `status.artifact`. Handlers can be overridden per path to simulate failures.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tarGzDir, tarGzFiles } from './tarball.ts';

/** An artifact as a source would advertise it. */
export interface PublishedArtifact {
  url: string;
  digest: string;
  revision: string;
  path: string;
  size: number;
}

/** A custom request handler for one path. */
export type ArtifactHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A running artifact server; `close()` it when done. */
export class ArtifactServer {
  private readonly files = new Map<string, Buffer>();
  private readonly handlers = new Map<string, ArtifactHandler>();
  /** Number of GET requests per path. */
  readonly hits = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
  ) {}

  /** Starts a server on 127.0.0.1 with a random port. */
  static async start(): Promise<ArtifactServer> {
    const holder: { self?: ArtifactServer } = {};
    const server = createServer((req, res) => holder.self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.self = new ArtifactServer(server, `http://127.0.0.1:${port}`);
    return holder.self;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', this.baseURL).pathname);
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const custom = this.handlers.get(path);
    if (custom) {
      custom(req, res);
      return;
    }
    const body = this.files.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  }

  /** Serves raw bytes at `path` (leading slash optional). */
  publishBytes(path: string, body: Buffer, revision = 'main@sha1:' + '0'.repeat(40)): PublishedArtifact {
    const p = path.startsWith('/') ? path : `/${path}`;
    this.files.set(p, body);
    return {
      url: `${this.baseURL}${p}`,
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      revision,
      path: p.slice(1),
      size: body.length,
    };
  }

  /** Serves a tarball built from `files` (relative path to content). */
  publishFiles(path: string, files: Record<string, string | Uint8Array>, revision?: string): PublishedArtifact {
    return this.publishBytes(path, tarGzFiles(files), revision);
  }

  /** Serves a tarball of a directory tree. */
  publishDir(path: string, dir: string, revision?: string): PublishedArtifact {
    return this.publishBytes(path, tarGzDir(dir), revision);
  }

  /** Answers requests for `path` with a custom handler. */
  handlePath(path: string, handler: ArtifactHandler): string {
    const p = path.startsWith('/') ? path : `/${path}`;
    this.handlers.set(p, handler);
    return `${this.baseURL}${p}`;
  }

  /** Removes a published artifact (requests then get 404). */
  unpublish(path: string): void {
    const p = path.startsWith('/') ? path : `/${path}`;
    this.files.delete(p);
    this.handlers.delete(p);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
