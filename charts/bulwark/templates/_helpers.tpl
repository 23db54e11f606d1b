{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "bulwark.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: <release>-bulwark unless the release name already contains it. */}}
{{- define "bulwark.fullname" -}}
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

{{- define "bulwark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bulwark.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{- define "bulwark.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bulwark.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "bulwark.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "bulwark.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bulwark.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "bulwark.webhookTlsSecret" -}}
{{- if eq .Values.webhook.tls.mode "secret" -}}
{{- required "webhook.tls.existingSecret is required when webhook.tls.mode is secret" .Values.webhook.tls.existingSecret -}}
{{- else -}}
{{- printf "%s-webhook-tls" (include "bulwark.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The database URL Secret: the user's, or the chart's. */}}
{{- define "bulwark.databaseSecret" -}}
{{- default (printf "%s-secrets" (include "bulwark.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{- define "bulwark.authSecret" -}}
{{- default (printf "%s-secrets" (include "bulwark.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{- define "bulwark.usesDatabaseUrl" -}}
{{- if or .Values.database.url .Values.database.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* The injector configuration (src/mesh/injector-config.ts), as JSON. */}}
{{- define "bulwark.injectorConfig" -}}
{{- $cfg := dict
  "image" (default (include "bulwark.image" .) .Values.sidecar.image)
  "imagePullPolicy" .Values.image.pullPolicy
  "port" (int .Values.sidecar.port)
  "workers" (int .Values.sidecar.workers)
  "metricsPort" (int .Values.sidecar.metricsPort)
  "defaultTenant" .Values.sidecar.defaultTenant
  "resources" .Values.sidecar.resources
  "runAsUser" (int .Values.sidecar.runAsUser)
  "dataSizeLimit" .Values.sidecar.dataSizeLimit
  "env" .Values.sidecar.env
  "envoy" (dict "inject" .Values.sidecar.envoy.inject "image" .Values.sidecar.envoy.image "configMapName" .Values.sidecar.envoy.configMapName "port" (int .Values.sidecar.envoy.port)) -}}
{{- if .Values.sidecar.useControlPlane -}}
{{- $_ := set $cfg "controlPlane" (dict "address" (printf "%s.%s.svc:%d" (include "bulwark.fullname" .) .Release.Namespace (int .Values.controlPlane.port)) "tokenSecretName" .Values.sidecar.tokenSecretName "tlsSecretName" .Values.sidecar.tlsSecretName) -}}
{{- end -}}
{{- toJson $cfg -}}
{{- end -}}
