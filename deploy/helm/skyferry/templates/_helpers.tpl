{{/* Names ---------------------------------------------------------------------------------- */}}

{{- define "skyferry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "skyferry.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "skyferry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "skyferry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "skyferry.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "skyferry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: worker
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "skyferry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "skyferry.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The port the app serves /healthz, /readyz and /metrics on: config.worker.http.port. */}}
{{- define "skyferry.httpPort" -}}
{{- $worker := .Values.config.worker | default dict -}}
{{- $http := $worker.http | default dict -}}
{{- $http.port | default 8080 | int -}}
{{- end -}}

{{/* Config values ------------------------------------------------------------------------- */}}

{{/*
Milliseconds in one of the app's duration forms (250ms, 30s, 15m, 12h, 1d). The app also accepts
ISO-8601 (PT25S); the chart asks for the short form so it can compare drainGrace with the grace period.
*/}}
{{- define "skyferry.durationMillis" -}}
{{- $text := toString .value | trim -}}
{{- if regexMatch "^[0-9]+\\s*ms$" $text -}}
{{- regexReplaceAll "\\s*ms$" $text "" | int64 -}}
{{- else if regexMatch "^[0-9]+\\s*s$" $text -}}
{{- mul (regexReplaceAll "\\s*s$" $text "" | int64) 1000 -}}
{{- else if regexMatch "^[0-9]+\\s*m$" $text -}}
{{- mul (regexReplaceAll "\\s*m$" $text "" | int64) 60000 -}}
{{- else if regexMatch "^[0-9]+\\s*h$" $text -}}
{{- mul (regexReplaceAll "\\s*h$" $text "" | int64) 3600000 -}}
{{- else if regexMatch "^[0-9]+\\s*d$" $text -}}
{{- mul (regexReplaceAll "\\s*d$" $text "" | int64) 86400000 -}}
{{- else -}}
{{- fail (printf "%s: '%s' is not a duration the chart understands; write it as a whole number with ms, s, m, h or d (e.g. 25s)" .path $text) -}}
{{- end -}}
{{- end -}}

{{/* Checks that make a bad release fail at `helm template`/`helm install`, not at 3 a.m. */}}
{{- define "skyferry.validate" -}}
{{- $config := .Values.config | default dict -}}
{{- $worker := $config.worker | default dict -}}
{{- $drain := include "skyferry.durationMillis" (dict "value" ($worker.drainGrace | default "25s") "path" "config.worker.drainGrace") | int64 -}}
{{- /* After the drain the worker interrupts what is left and takes up to 3 s (WorkerSettings.DEFAULT_RELEASE_TIMEOUT)
       to abort its writes and release its messages: a kill in that phase leaves them invisible and the uploads orphaned. */ -}}
{{- $release := 3000 -}}
{{- $grace := .Values.terminationGracePeriodSeconds | int64 -}}
{{- if ge (add $drain $release) (mul $grace 1000) -}}
{{- fail (printf "config.worker.drainGrace (%v) plus the %ds the worker then takes to release interrupted messages must be shorter than terminationGracePeriodSeconds (%ds): Kubernetes kills the pod when the grace period ends, leaving those messages invisible and their uploads unaborted" ($worker.drainGrace | default "25s") (div $release 1000) $grace) -}}
{{- end -}}
{{- $azure := $config.azure | default dict -}}
{{- $azureAuth := $azure.auth | default dict -}}
{{- if and (eq ($azureAuth.mode | default "default") "workload-identity") (not .Values.workloadIdentity.clientId) -}}
{{- fail "workloadIdentity.clientId is required with config.azure.auth.mode workload-identity: the client id of the user-assigned identity (main.bicep output identityClientId)" -}}
{{- end -}}
{{- if .Values.keda.enabled -}}
{{- if not (or (include "skyferry.azureQueueSources" . | fromYamlArray) (include "skyferry.sqsSources" . | fromYamlArray)) -}}
{{- fail "keda.enabled needs at least one source in config.sources (type azure-queue or sqs) to scale on" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "skyferry.azureQueueSources" -}}
{{- $found := list -}}
{{- range (.Values.config.sources | default list) -}}
{{- if eq (.type | default "") "azure-queue" -}}{{- $found = append $found . -}}{{- end -}}
{{- end -}}
{{- toYaml $found -}}
{{- end -}}

{{- define "skyferry.sqsSources" -}}
{{- $found := list -}}
{{- range (.Values.config.sources | default list) -}}
{{- if eq (.type | default "") "sqs" -}}{{- $found = append $found . -}}{{- end -}}
{{- end -}}
{{- toYaml $found -}}
{{- end -}}
