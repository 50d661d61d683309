{{/* Common labels on every object. */}}
{{- define "eddy.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: flux
app.kubernetes.io/managed-by: {{ .Release.Service }}
eddy.dev/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The image reference. */}}
{{- define "eddy.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{/*
The controllers, as a list of dicts: name, values key, entry point, whether it serves artifacts,
and whether it needs cluster-admin (it applies arbitrary objects).
*/}}
{{- define "eddy.controllers" -}}
- { name: source-controller, key: sourceController, bin: eddy-source-controller, artifacts: true, admin: false }
- { name: kustomize-controller, key: kustomizeController, bin: eddy-kustomize-controller, artifacts: false, admin: true }
- { name: helm-controller, key: helmController, bin: eddy-helm-controller, artifacts: false, admin: true }
- { name: image-reflector-controller, key: imageReflectorController, bin: eddy-image-reflector-controller, artifacts: false, admin: false }
- { name: image-automation-controller, key: imageAutomationController, bin: eddy-image-automation-controller, artifacts: false, admin: false }
{{- end -}}

{{/* Arguments shared by every controller. */}}
{{- define "eddy.commonArgs" -}}
- --log-level={{ .root.Values.logLevel }}
- --log-encoding=json
- --concurrent={{ .values.concurrent }}
- --metrics-addr=:8080
- --health-addr=:9440
- --enable-leader-election={{ .root.Values.leaderElection.enabled }}
- --watch-all-namespaces={{ .root.Values.watchAllNamespaces }}
{{- with .root.Values.watchLabelSelector }}
- --watch-label-selector={{ . }}
{{- end }}
{{- with .root.Values.eventsAddr }}
- --events-addr={{ . }}
{{- end }}
{{- end -}}
