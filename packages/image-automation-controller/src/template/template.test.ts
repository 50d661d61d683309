// SPDX-License-Identifier: Apache-2.0
/**
 * The Go template engine against Go itself: every case below was rendered by Go's text/template
 * with Sprig's HermeticTxtFuncMap (as Flux does) on the same data, and the output or error
 * recorded. Flux's two documented message templates are the first cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CommitTemplateError, RemovedTemplateFieldError, renderCommitMessage } from '../commit/message.ts';
import { TemplateData } from '../commit/template-data.ts';
import { UpdateResult } from '../setters/result.ts';
import { TemplateExecError } from './exec.ts';
import { TemplateParseError } from './lexer.ts';
import { GoTemplate } from './template.ts';

function data(): TemplateData {
  const r = new UpdateResult();
  r.add('helm/values.yaml', { APIVersion: 'helm.toolkit.fluxcd.io/v2', Kind: 'HelmRelease', Name: 'web', Namespace: 'apps' }, { OldValue: '1.0', NewValue: '1.1', Setter: 'flux-system:web:tag' }, 3);
  r.add('deploy.yaml', { APIVersion: 'apps/v1', Kind: 'Deployment', Name: 'app', Namespace: 'default' }, { OldValue: 'ghcr.io/org/app:1.0.0', NewValue: 'ghcr.io/org/app:1.1.0', Setter: 'flux-system:app' }, 9);
  r.add('helm/values.yaml', { APIVersion: 'helm.toolkit.fluxcd.io/v2', Kind: 'HelmRelease', Name: 'web', Namespace: 'apps' }, { OldValue: 'old/web', NewValue: 'ghcr.io/org/web', Setter: 'flux-system:web:name' }, 4);
  return new TemplateData({ namespace: 'flux-system', name: 'podinfo-update' }, r, { cluster: 'prod', env: 'eu-1' });
}

/** Template source → Go's output or Go's error message. */
const GO_CASES: ({ src: string; out: string } | { src: string; err: string })[] = [
  {
    "src": "Update from image update automation",
    "out": "Update from image update automation"
  },
  {
    "src": "Automated image update\n\nAutomation name: {{ .AutomationObject }}\n\nFiles:\n{{ range $filename, $_ := .Changed.FileChanges -}}\n- {{ $filename }}\n{{ end -}}\n\nObjects:\n{{ range $resource, $changes := .Changed.Objects -}}\n- {{ $resource.Kind }} {{ $resource.Name }}\n  Changes:\n{{- range $_, $change := $changes }}\n    - {{ $change.OldValue }} -> {{ $change.NewValue }}\n{{ end -}}\n{{ end -}}\n",
    "out": "Automated image update\n\nAutomation name: flux-system/podinfo-update\n\nFiles:\n- deploy.yaml\n- helm/values.yaml\nObjects:\n- Deployment app\n  Changes:\n    - ghcr.io/org/app:1.0.0 -> ghcr.io/org/app:1.1.0\n- HelmRelease web\n  Changes:\n    - 1.0 -> 1.1\n\n    - old/web -> ghcr.io/org/web\n"
  },
  {
    "src": "Automated image update\n\nAutomation name: {{ .AutomationObject }}\n\nFiles:\n{{ range $filename, $_ := .Changed.FileChanges -}}\n- {{ $filename }}\n{{ end -}}\n\nObjects:\n{{ range $resource, $changes := .Changed.Objects -}}\n- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}\n  Changes:\n{{- range $_, $change := $changes }}\n  {{ if contains \"1.1\" $change.NewValue -}}\n    - {{ $change.OldValue }} -> {{ $change.NewValue }}\n  {{ else -}}\n    [skip ci] wrong image\n  {{ end -}}\n{{ end -}}\n{{ end -}}\n",
    "out": "Automated image update\n\nAutomation name: flux-system/podinfo-update\n\nFiles:\n- deploy.yaml\n- helm/values.yaml\nObjects:\n- deployment app\n  Changes:\n  - ghcr.io/org/app:1.0.0 -> ghcr.io/org/app:1.1.0\n  - helmrelease web\n  Changes:\n  - 1.0 -> 1.1\n  \n  [skip ci] wrong image\n  "
  },
  {
    "src": "Automated image update by Flux for cluster {{ .Values.cluster }}.",
    "out": "Automated image update by Flux for cluster prod."
  },
  {
    "src": "{{ .Values.missing }}|{{ index .Values \"missing\" }}|{{ len .Values }}|{{ .AutomationObject.Name }}/{{ .AutomationObject.Namespace }}",
    "out": "<no value>||2|podinfo-update/flux-system"
  },
  {
    "src": "{{ range $k, $v := .Changed.Objects }}{{ $k }} {{ len $v }} {{ index $v 0 }}\n{{ end }}",
    "out": "{{{apps/v1 Deployment} {app default}}} 1 {ghcr.io/org/app:1.0.0 ghcr.io/org/app:1.1.0 flux-system:app}\n{{{helm.toolkit.fluxcd.io/v2 HelmRelease} {web apps}}} 2 {1.0 1.1 flux-system:web:tag}\n"
  },
  {
    "src": "{{ $n := len .Changed.FileChanges }}{{ if eq $n 0 }}none{{ else if eq $n 1 }}one{{ else }}{{ $n }} files{{ end }}",
    "out": "2 files"
  },
  {
    "src": "{{- /* a comment */ -}}\n  {{ printf \"%s=%d %q %v %5s|%-5s| %05d %.2f %t %x %%\" \"a\" 42 \"q\\\"x\" 3.5 \"r\" \"l\" 7 3.14159 true 255 }}",
    "out": "a=42 \"q\\\"x\" 3.5     r|l    | 00007 3.14 true ff %"
  },
  {
    "src": "{{ with .Values.cluster }}cluster={{ . }}{{ end }}{{ with .Values.nope }}x{{ else }}no-nope{{ end }}",
    "out": "cluster=prodno-nope"
  },
  {
    "src": "{{ range $i, $f := list \"a\" \"b\" \"c\" }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $i }}:{{ $f }} {{ end }}{{ range until 0 }}x{{ else }}empty{{ end }}",
    "out": "0:a 2:c empty"
  },
  {
    "src": "{{ $x := 1 }}{{ range .Changed.FileChanges }}{{ $x = add $x 1 }}{{ end }}{{ $x }} {{ $.AutomationObject }}",
    "out": "3 flux-system/podinfo-update"
  },
  {
    "src": "{{ print \"a\" 1 2 \"b\" 3 }}|{{ println \"x\" 1 }}|{{ print nil }}|{{ not true }} {{ and 1 0 }} {{ or 0 \"\" \"z\" }}",
    "out": "a1 2b3|x 1\n|<nil>|false 0 z"
  },
  {
    "src": "{{ \"hello world\" | upper | trunc 5 }} {{ \"a,b,c\" | splitList \",\" | join \"-\" }} {{ title \"hello there\" }} {{ replace \"-\" \"_\" \"a-b-c\" }} {{ trimPrefix \"v\" \"v1.2\" }} {{ quote \"x\" }} {{ squote \"y\" }} {{ default \"d\" \"\" }} {{ default \"d\" \"v\" }} {{ \"abc\" | repeat 2 }} {{ indent 2 \"a\\nb\" }}{{ nindent 1 \"c\" }}",
    "out": "HELLO a-b-c Hello There a_b_c 1.2 \"x\" 'y' d v abcabc   a\n  b\n c"
  },
  {
    "src": "{{ $d := dict \"k\" \"v\" \"n\" 1 }}{{ $d }} {{ get $d \"k\" }} {{ hasKey $d \"n\" }} {{ keys $d | sortAlpha }} {{ list 1 \"a\" true }} {{ first (list 3 4) }} {{ last (list 3 4) }} {{ toJson $d }}",
    "out": "map[k:v n:1] v true [k n] [1 a true] 3 4 {\"k\":\"v\",\"n\":1}"
  },
  {
    "src": "{{ regexReplaceAll \"v([0-9]+)\" \"v12 v3\" \"x${1}\" }} {{ regexFind \"[0-9]+\" \"ab12cd\" }} {{ regexMatch \"^a\" \"abc\" }} {{ sub 10 3 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 3 }} {{ b64enc \"hi\" }} {{ sha256sum \"x\" | trunc 8 }}",
    "out": "x12 x3 12 true 7 6 3 1 5 aGk= 2d711642"
  },
  {
    "src": "{{ range .Changed.Changes }}{{ .Setter }};{{ end }}",
    "out": "flux-system:app;flux-system:web:tag;flux-system:web:name;"
  },
  {
    "src": "{{ .Updated }}",
    "err": "template: commit message:1:3: executing \"commit message\" at <.Updated>: can't evaluate field Updated in type source.TemplateData"
  },
  {
    "src": "{{ .Changed.ImageResult }}",
    "err": "template: commit message:1:11: executing \"commit message\" at <.Changed.ImageResult>: can't evaluate field ImageResult in type update.Result"
  },
  {
    "src": "{{ if }}",
    "err": "template: commit message:1: missing value for if"
  },
  {
    "src": "{{ range .X }}",
    "err": "template: commit message:1: unexpected EOF"
  },
  {
    "src": "{{ nosuchfunc 1 }}",
    "err": "template: commit message:1: function \"nosuchfunc\" not defined"
  },
  {
    "src": "line1\n{{ end }}",
    "err": "template: commit message:2: unexpected {{end}}"
  },
  {
    "src": "{{ .Changed }}",
    "out": "{map[deploy.yaml:map[{{{apps/v1 Deployment} {app default}}}:[{ghcr.io/org/app:1.0.0 ghcr.io/org/app:1.1.0 flux-system:app}]] helm/values.yaml:map[{{{helm.toolkit.fluxcd.io/v2 HelmRelease} {web apps}}}:[{1.0 1.1 flux-system:web:tag} {old/web ghcr.io/org/web flux-system:web:name}]]]}"
  },
  {
    "src": "{{ index .Changed.FileChanges \"deploy.yaml\" }}",
    "out": "map[{{{apps/v1 Deployment} {app default}}}:[{ghcr.io/org/app:1.0.0 ghcr.io/org/app:1.1.0 flux-system:app}]]"
  },
  {
    "src": "{{ len \"héllo\" }} {{ 1.5 }} {{ 3 }} {{ -2 }} {{ 0x10 }} {{ 'a' }}",
    "out": "6 1.5 3 -2 16 97"
  },
  {
    "src": "{{ lt 1 2 }} {{ ge \"b\" \"a\" }} {{ ne 1 2 }} {{ eq \"a\" \"b\" \"a\" }}",
    "out": "true true true true"
  },
  {
    "src": "{{ .AutomationObject.name }}",
    "err": "template: commit message:1:20: executing \"commit message\" at <.AutomationObject.name>: can't evaluate field name in type types.NamespacedName"
  },
  {
    "src": "a {{- \" b \" -}} c",
    "out": "a b c"
  },
  {
    "src": "{{ $v := \"x\" }}{{ if true }}{{ $v := \"y\" }}{{ $v }}{{ end }}{{ $v }}",
    "out": "yx"
  }
];

describe('GoTemplate matches Go text/template + Sprig', () => {
  GO_CASES.forEach((c, i) => {
    it(`case ${i}: ${JSON.stringify(c.src.slice(0, 60))}`, () => {
      if ('out' in c) {
        assert.equal(GoTemplate.parse('commit message', c.src).execute(data()), c.out);
        return;
      }
      assert.throws(
        () => GoTemplate.parse('commit message', c.src).execute(data()),
        (err: Error) => (err instanceof TemplateParseError || err instanceof TemplateExecError) && err.message === c.err,
      );
    });
  });
});

describe('renderCommitMessage', () => {
  const input = () => {
    const changed = new UpdateResult();
    changed.add('a.yaml', { APIVersion: 'v1', Kind: 'Pod', Name: 'p', Namespace: 'n' }, { OldValue: 'x:1', NewValue: 'x:2', Setter: 'ns:x' }, 1);
    return { automation: { namespace: 'ns', name: 'auto' }, changed };
  };
  it("uses Flux's default message when the template is empty", () => {
    assert.equal(renderCommitMessage(input()), 'Update from image update automation');
    assert.equal(renderCommitMessage({ ...input(), messageTemplate: '' }), 'Update from image update automation');
  });
  it('passes messageTemplateValues as .Values', () => {
    assert.equal(renderCommitMessage({ ...input(), messageTemplate: '{{ .Values.cluster }}: {{ .AutomationObject }}', messageTemplateValues: { cluster: 'prod' } }), 'prod: ns/auto');
  });
  it('stalls on removed fields with the Flux message', () => {
    assert.throws(() => renderCommitMessage({ ...input(), messageTemplate: '{{ range .Updated.Images }}{{ . }}{{ end }}' }), RemovedTemplateFieldError);
    assert.throws(() => renderCommitMessage({ ...input(), messageTemplate: '{{ .Changed.ImageResult }}' }), (e: Error) => e instanceof RemovedTemplateFieldError && e.message.startsWith("template uses removed '.Changed.ImageResult' field."));
  });
  it('wraps parse and execution errors with Flux prefixes', () => {
    assert.throws(() => renderCommitMessage({ ...input(), messageTemplate: '{{ if }}' }), { name: 'CommitTemplateError', message: 'unable to create commit message template from spec: template: commit message:1: missing value for if' });
    assert.throws(() => renderCommitMessage({ ...input(), messageTemplate: '{{ div 1 0 }}' }), (e: Error) => e instanceof CommitTemplateError && e.message.startsWith('failed to run template from spec: template: commit message:1:3: executing "commit message" at <div>: error calling div'));
  });
});
