{{/* Chart name, or nameOverride. */}}
{{- define "sandbox-pool.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: fullnameOverride, else the release name (plus the chart name unless it holds it). */}}
{{- define "sandbox-pool.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sandbox-pool.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource of the chart. */}}
{{- define "sandbox-pool.labels" -}}
helm.sh/chart: {{ include "sandbox-pool.chart" . }}
{{ include "sandbox-pool.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the operator pods (the chart's only workload). */}}
{{- define "sandbox-pool.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sandbox-pool.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sandbox-pool.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sandbox-pool.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sandbox-pool.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret holding the API token: the user's, or the one the chart generates. */}}
{{- define "sandbox-pool.tokenSecretName" -}}
{{- default (printf "%s-api-token" (include "sandbox-pool.fullname" .)) .Values.api.token.existingSecret }}
{{- end }}

{{/* Port that serves the lease API: the sidecar's, or the operator's when the API runs in process. */}}
{{- define "sandbox-pool.apiPortName" -}}
{{- if .Values.api.inProcess }}operator{{ else }}api{{ end }}
{{- end }}

{{/* Namespaces that get the sandbox NetworkPolicy, one per line. */}}
{{- define "sandbox-pool.networkPolicyNamespaces" -}}
{{- $namespaces := .Values.networkPolicy.namespaces | default .Values.watchNamespaces | default (list .Release.Namespace) }}
{{- range $namespaces | uniq }}
{{ . }}
{{- end }}
{{- end }}

{{/* A container's resources without the empty entries (an empty cpu limit means no limit), as YAML. */}}
{{- define "sandbox-pool.resources" -}}
{{- $out := dict }}
{{- range $kind, $quantities := . }}
{{- $set := dict }}
{{- range $name, $quantity := $quantities }}
{{- if $quantity }}
{{- $_ := set $set $name $quantity }}
{{- end }}
{{- end }}
{{- if $set }}
{{- $_ := set $out $kind $set }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/* Values that cannot be combined; the schema checks each value alone. */}}
{{- define "sandbox-pool.checkValues" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: without a leader every replica would reconcile the same pools" }}
{{- end }}
{{- if and .Values.examplePool.enabled .Values.watchNamespaces (not (has (default .Release.Namespace .Values.examplePool.namespace) .Values.watchNamespaces)) }}
{{- fail (printf "examplePool.namespace %s is not in watchNamespaces: no operator would reconcile the example pool" (default .Release.Namespace .Values.examplePool.namespace)) }}
{{- end }}
{{- end }}
