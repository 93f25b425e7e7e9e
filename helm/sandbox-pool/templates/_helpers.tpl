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

{{/* Labels of every pod of the release, operator and API (the metrics Service selects both). */}}
{{- define "sandbox-pool.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sandbox-pool.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels that select the operator pods only: the component keeps the two Deployments off each other's pods. */}}
{{- define "sandbox-pool.operatorSelectorLabels" -}}
{{ include "sandbox-pool.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels that select the API pods only. */}}
{{- define "sandbox-pool.apiSelectorLabels" -}}
{{ include "sandbox-pool.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end }}

{{/* The operator's ServiceAccount (also the API's when api.inProcess is true). */}}
{{- define "sandbox-pool.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sandbox-pool.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The API Deployment's ServiceAccount. */}}
{{- define "sandbox-pool.apiServiceAccountName" -}}
{{- if .Values.api.serviceAccount.create }}
{{- default (printf "%s-api" (include "sandbox-pool.fullname" .)) .Values.api.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.api.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Namespaces whose pools the release serves, one per line (none with watchAllNamespaces: every namespace). */}}
{{- define "sandbox-pool.watchedNamespaces" -}}
{{- if not .Values.watchAllNamespaces }}
{{- range .Values.watchNamespaces | default (list .Release.Namespace) | uniq }}
{{ . }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sandbox-pool.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret holding the API token: the user's, or the one the chart generates. */}}
{{- define "sandbox-pool.tokenSecretName" -}}
{{- default (printf "%s-api-token" (include "sandbox-pool.fullname" .)) .Values.api.token.existingSecret }}
{{- end }}

{{/* Port that serves the lease API: the API container's, or the operator's when the API runs in process. */}}
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
{{- if and .Values.watchAllNamespaces .Values.watchNamespaces }}
{{- fail "watchAllNamespaces=true serves every namespace: leave watchNamespaces empty, or set watchAllNamespaces=false to serve only the listed ones" }}
{{- end }}
{{- $watched := include "sandbox-pool.watchedNamespaces" . | trim | splitList "\n" }}
{{- $examplePoolNamespace := default .Release.Namespace .Values.examplePool.namespace }}
{{- if and .Values.examplePool.enabled (not .Values.watchAllNamespaces) (not (has $examplePoolNamespace $watched)) }}
{{- fail (printf "examplePool.namespace %s is not watched (watchNamespaces, else the release namespace): no operator would reconcile the example pool" $examplePoolNamespace) }}
{{- end }}
{{- end }}

{{/* Pod-level settings the operator and API pods share. */}}
{{- define "sandbox-pool.podSettings" -}}
# No SERVICE_HOST/PORT variables of the namespace's Services: a Service named sandboxpool would set SANDBOXPOOL_PORT.
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
# In-flight executions get time to finish after SIGTERM.
terminationGracePeriodSeconds: 60
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "sandbox-pool.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "sandbox-pool.probes" -}}
# The JVM starts in a few seconds; liveness only counts once it answered.
startupProbe:
  httpGet:
    path: /health/liveness
    port: {{ . }}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /health/liveness
    port: {{ . }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /health/readiness
    port: {{ . }}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}

{{- define "sandbox-pool.apiTokenEnv" -}}
- name: SANDBOXPOOL_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "sandbox-pool.tokenSecretName" . }}
      key: {{ .Values.api.token.secretKey }}
{{- end }}
