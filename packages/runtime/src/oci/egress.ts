// SPDX-License-Identifier: Apache-2.0
/**
 * An egress guard for user-provided URLs (SSRF): refuses connections to address ranges such as
 * link-local and cloud metadata endpoints (169.254.169.254, fd00:ec2::254). It is checked on the
 * addresses a host name resolves to, at connect time, so DNS tricks and redirects are covered.
 * Loopback stays allowed by default (tests and local registries run there).
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Which destinations are refused. */
export interface EgressPolicy {
  /** Refuse link-local addresses, which include cloud metadata endpoints. @default true */
  denyLinkLocal?: boolean;
  /** Refuse RFC 1918 / unique-local private networks. @default false */
  denyPrivate?: boolean;
  /** Refuse loopback. @default false */
  denyLoopback?: boolean;
  /** More CIDR ranges to refuse (`10.0.0.0/8`, `fd00::/8`). */
  denyCidrs?: string[];
}

/** The default policy: link-local and metadata addresses refused, everything else allowed. */
export const defaultEgressPolicy: EgressPolicy = Object.freeze({ denyLinkLocal: true });

/** Thrown (as the connection error) when a destination is refused. */
export class EgressDeniedError extends Error {
  override readonly name = 'EgressDeniedError';
  readonly code = 'EGRESS_DENIED';
}

function addCidr(list: BlockList, cidr: string): void {
  const [addr, bits] = cidr.split('/');
  const type = isIP(addr ?? '') === 6 ? 'ipv6' : 'ipv4';
  list.addSubnet(addr!, Number(bits), type);
}

/** Compiles a policy into a predicate over IP addresses. */
export function compileEgressPolicy(policy: EgressPolicy = defaultEgressPolicy): (address: string) => boolean {
  const list = new BlockList();
  if (policy.denyLinkLocal ?? true) {
    for (const c of ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32']) addCidr(list, c);
  }
  if (policy.denyPrivate) {
    for (const c of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']) addCidr(list, c);
  }
  if (policy.denyLoopback) for (const c of ['127.0.0.0/8', '::1/128']) addCidr(list, c);
  for (const c of policy.denyCidrs ?? []) addCidr(list, c);
  list.addAddress('0.0.0.0', 'ipv4');
  list.addAddress('::', 'ipv6');
  return (address: string): boolean => {
    let a = address.replace(/^\[|\]$/g, '');
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
    if (mapped) a = mapped[1]!;
    const type = isIP(a);
    if (type === 0) return true;
    return list.check(a, type === 6 ? 'ipv6' : 'ipv4');
  };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request`/`net.connect` that resolves normally and fails with
 * {@link EgressDeniedError} when any resolved address is refused.
 */
export function guardedLookup(policy: EgressPolicy = defaultEgressPolicy): (hostname: string, options: object, cb: LookupCallback) => void {
  const denied = compileEgressPolicy(policy);
  return (hostname, options, cb) => {
    dnsLookup(hostname, { ...(options as object), all: true }, (err, addresses) => {
      if (err) {
        cb(err, '', 0);
        return;
      }
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => denied(a.address));
      if (bad) {
        cb(new EgressDeniedError(`egress to ${hostname} (${bad.address}) is not allowed`) as NodeJS.ErrnoException, '', 0);
        return;
      }
      if ((options as { all?: boolean }).all) cb(null, list);
      else cb(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Throws {@link EgressDeniedError} when `host` is a literal IP address the policy refuses. */
export function assertLiteralHostAllowed(host: string, policy: EgressPolicy = defaultEgressPolicy): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0 && compileEgressPolicy(policy)(bare)) {
    throw new EgressDeniedError(`egress to ${bare} is not allowed`);
  }
}
