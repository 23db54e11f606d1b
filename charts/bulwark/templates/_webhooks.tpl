{{/*
  Two entries, one per way of asking for the sidecar:
  - namespaces labelled bulwark.io/inject=enabled: every pod (path /mutate/namespace),
    except pods annotated bulwark.io/inject: "false";
  - every other namespace: only pods annotated bulwark.io/inject: "true" (path /mutate).
  Both skip the release namespace, excluded namespaces and namespaces labelled disabled, and
  the control plane's own pods (the webhook must never wait on itself).
*/}}
{{- define "bulwark.webhooks" -}}
{{- $root := .root -}}
{{- $excluded := append $root.Values.webhook.excludeNamespaces $root.Release.Namespace -}}
{{- range $mode := list "namespace" "annotation" }}
- name: {{ $mode }}.sidecar-injector.bulwark.io
  admissionReviewVersions: ["v1"]
  sideEffects: None
  failurePolicy: {{ $root.Values.webhook.failurePolicy }}
  timeoutSeconds: {{ $root.Values.webhook.timeoutSeconds }}
  # The patch is idempotent, so a second call after other webhooks is harmless.
  reinvocationPolicy: IfNeeded
  matchPolicy: Equivalent
  clientConfig:
    service:
      name: {{ include "bulwark.fullname" $root }}
      namespace: {{ $root.Release.Namespace }}
      port: 443
      path: {{ if eq $mode "namespace" }}/mutate/namespace{{ else }}/mutate{{ end }}
    caBundle: {{ $.caBundle }}
  rules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["pods"]
      scope: Namespaced
  namespaceSelector:
    matchExpressions:
      - key: kubernetes.io/metadata.name
        operator: NotIn
        values: {{ toJson $excluded }}
      {{- if eq $mode "namespace" }}
      - key: bulwark.io/inject
        operator: In
        values: ["enabled"]
      {{- else }}
      - key: bulwark.io/inject
        operator: NotIn
        values: ["enabled", "disabled"]
      {{- end }}
  objectSelector:
    matchExpressions:
      - key: app.kubernetes.io/instance
        operator: NotIn
        values: [{{ $root.Release.Name | quote }}]
{{- end }}
{{- end -}}
