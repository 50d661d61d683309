// SPDX-License-Identifier: Apache-2.0
/**
 * Pieces shared by the source.toolkit.fluxcd.io/v1 kinds: group constants, the OCI signature
 * verification block, and the fields every source status has.
 */
import { array, object, string } from '../../schema/builders.ts';
import type { Infer } from '../../schema/schema.ts';
import { LocalObjectReference } from '../../meta/references.ts';
import { Artifact } from '../../meta/artifact.ts';
import { observedShape, reconcileRequestStatusShape } from '../../meta/status.ts';

/** API group of the source kinds. */
export const SOURCE_GROUP = 'source.toolkit.fluxcd.io';

/** Served and storage version. */
export const SOURCE_VERSION = 'v1';

/** `source.toolkit.fluxcd.io/v1`. */
export const SOURCE_API_VERSION = 'source.toolkit.fluxcd.io/v1';

/** Categories of the source CRDs (`kubectl get fluxcd-sources`). */
export const SOURCE_CATEGORIES = ['all', 'fluxcd', 'fluxcd-sources'] as const;

/** Default timeout of source network operations. */
export const DEFAULT_SOURCE_TIMEOUT = '60s';

/** An OIDC issuer/subject pair a keyless cosign signature must match. */
export const OIDCIdentityMatch = object(
  {
    issuer: string({ description: 'Regular expression (Go syntax) the OIDC issuer of the signing certificate must match.' }),
    subject: string({ description: 'Regular expression (Go syntax) the identity subject of the signing certificate must match.' }),
  },
  { description: 'Identity a keyless signature is accepted from.' },
);
/** An accepted keyless signing identity. */
export type OIDCIdentityMatch = Infer<typeof OIDCIdentityMatch>;

/** Signature verification of an OCI artifact (OCIRepository, HelmChart from an OCI HelmRepository). */
export const OCIRepositoryVerification = object(
  {
    provider: string({
      enum: ['cosign', 'notation'],
      description: 'Signature technology: cosign or notation.',
    }).default('cosign'),
    secretRef: LocalObjectReference.describe('Secret with the trusted public keys (cosign) or certificates and trust policy (notation).').optional(),
    matchOIDCIdentity: array(OIDCIdentityMatch, {
      description: 'For cosign keyless signatures: the artifact is verified when any of these identities matches.',
    }).optional(),
    trustedRootSecretRef: LocalObjectReference.describe(
      'Secret with a Sigstore trusted_root.json, for verifying against a self-hosted Sigstore (custom Fulcio, Rekor).',
    ).optional(),
  },
  { description: 'How to verify the signature of the artifact.' },
);
/** Signature verification of an OCI artifact. */
export type OCIRepositoryVerification = Infer<typeof OCIRepositoryVerification>;

/** Fields every source status has: observedGeneration, conditions, artifact, lastHandledReconcileAt. */
export const sourceStatusShape = {
  ...observedShape,
  ...reconcileRequestStatusShape,
  artifact: Artifact.describe('The output of the last successful reconciliation.').optional(),
};

/** Status `url` field of sources that publish a dynamic URL. */
export const statusUrl = string({
  description: 'Best-effort download link of the latest artifact; prefer status.artifact.url.',
}).optional();
