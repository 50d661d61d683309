// SPDX-License-Identifier: Apache-2.0
/**
 * The data a commit message template sees, shaped exactly like Flux's `source.TemplateData`:
 *
 * ```go
 * type TemplateData struct {
 *   AutomationObject types.NamespacedName   // {{ .AutomationObject }} prints "<namespace>/<name>"
 *   Changed          update.Result          // .FileChanges, .Changes, .Objects
 *   Values           map[string]string      // spec.git.commit.messageTemplateValues
 * }
 * ```
 *
 * Go type names are attached so errors read like Flux's (`can't evaluate field Updated in type
 * source.TemplateData`), and an object identifier prints like Go prints the embedded kyaml struct
 * (`{{{apps/v1 Deployment} {app default}}}`).
 */
import { GO_FORMAT, GO_TYPE } from '../template/go-values.ts';
import type { Change, ObjectIdentifier, UpdateResult } from '../setters/result.ts';

/** `types.NamespacedName`. */
export class NamespacedName {
  readonly [GO_TYPE] = 'types.NamespacedName';
  constructor(
    readonly Namespace: string,
    readonly Name: string,
  ) {}
  /** Go's `NamespacedName.String()`. */
  String(): string {
    return `${this.Namespace}/${this.Name}`;
  }
}

/** `update.ObjectIdentifier` as a template value. */
export class ObjectIdentifierValue implements ObjectIdentifier {
  readonly [GO_TYPE] = 'update.ObjectIdentifier';
  readonly APIVersion: string;
  readonly Kind: string;
  readonly Name: string;
  readonly Namespace: string;
  constructor(id: ObjectIdentifier) {
    this.APIVersion = id.APIVersion;
    this.Kind = id.Kind;
    this.Name = id.Name;
    this.Namespace = id.Namespace;
  }
  [GO_FORMAT](): string {
    return `{{{${this.APIVersion} ${this.Kind}} {${this.Name} ${this.Namespace}}}}`;
  }
}

/** `update.Change` as a template value. */
export class ChangeValue implements Change {
  readonly [GO_TYPE] = 'update.Change';
  readonly OldValue: string;
  readonly NewValue: string;
  readonly Setter: string;
  constructor(c: Change) {
    this.OldValue = c.OldValue;
    this.NewValue = c.NewValue;
    this.Setter = c.Setter;
  }
}

type ObjectChangesValue = Map<ObjectIdentifierValue, ChangeValue[]>;

/** `update.Result` as a template value (with its `Changes` and `Objects` methods). */
export class ResultValue {
  readonly [GO_TYPE] = 'update.Result';
  readonly FileChanges: Map<string, ObjectChangesValue>;
  private readonly ids = new Map<string, ObjectIdentifierValue>();

  constructor(private readonly result: UpdateResult) {
    this.FileChanges = new Map();
    for (const [file, objects] of result.FileChanges) this.FileChanges.set(file, this.wrap(objects));
  }

  private id(o: ObjectIdentifier): ObjectIdentifierValue {
    const key = JSON.stringify([o.APIVersion, o.Kind, o.Name, o.Namespace]);
    let v = this.ids.get(key);
    if (!v) this.ids.set(key, (v = new ObjectIdentifierValue(o)));
    return v;
  }

  private wrap(objects: Map<ObjectIdentifier, Change[]>): ObjectChangesValue {
    return new Map([...objects].map(([id, changes]) => [this.id(id), changes.map((c) => new ChangeValue(c))]));
  }

  /** Distinct changes across files (Flux `Result.Changes()`). */
  Changes(): ChangeValue[] {
    return this.result.Changes().map((c) => new ChangeValue(c));
  }

  /** Changes by object regardless of file (Flux `Result.Objects()`). */
  Objects(): ObjectChangesValue {
    return this.wrap(this.result.Objects());
  }
}

/** `source.TemplateData`. */
export class TemplateData {
  readonly [GO_TYPE] = 'source.TemplateData';
  readonly AutomationObject: NamespacedName;
  readonly Changed: ResultValue;
  readonly Values: Map<string, string>;

  constructor(automation: { namespace: string; name: string }, changed: UpdateResult, values: Record<string, string> | undefined) {
    this.AutomationObject = new NamespacedName(automation.namespace, automation.name);
    this.Changed = new ResultValue(changed);
    this.Values = new Map(Object.entries(values ?? {}));
  }
}
