// SPDX-License-Identifier: Apache-2.0
/**
 * Labels Eddy puts on its CRDs. `flux check` finds Flux's CRDs by
 * `app.kubernetes.io/part-of=flux`, so Eddy's carry it too, with the serving controller as
 * `app.kubernetes.io/component` and an Eddy label to tell them apart from Flux's own.
 */

/** The controllers (components) that serve Eddy's kinds, named like Flux's. */
export type Controller =
  | 'source-controller'
  | 'source-watcher'
  | 'kustomize-controller'
  | 'helm-controller'
  | 'image-reflector-controller'
  | 'image-automation-controller'
  | 'notification-controller';

/** The label `flux check` selects CRDs and controllers by. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** The value of {@link PART_OF_LABEL}. */
export const PART_OF_FLUX = 'flux';

/** The label naming the controller that serves a CRD. */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** The label marking a CRD as installed from Eddy's manifests. */
export const EDDY_CRD_LABEL = 'eddy.dev/crd';

/** The value of {@link EDDY_CRD_LABEL}. */
export const EDDY_CRD_LABEL_VALUE = 'true';

/** Labels every Eddy CRD carries (the component label is added per kind). */
export const CRD_LABELS: Readonly<Record<string, string>> = Object.freeze({ [PART_OF_LABEL]: PART_OF_FLUX });

/** The label selector matching Eddy's CRDs. */
export const EDDY_CRD_SELECTOR = `${PART_OF_LABEL}=${PART_OF_FLUX},${EDDY_CRD_LABEL}=${EDDY_CRD_LABEL_VALUE}`;
