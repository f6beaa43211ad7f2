{{/* The chart name, or nameOverride. */}}
{{- define "fineflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the worker's objects: release-chart, unless the release already says it. */}}
{{- define "fineflow.fullname" -}}
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

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "fineflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object, without the component. */}}
{{- define "fineflow.baseLabels" -}}
helm.sh/chart: {{ include "fineflow.chart" . }}
app.kubernetes.io/name: {{ include "fineflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels of the worker's objects. */}}
{{- define "fineflow.labels" -}}
{{ include "fineflow.baseLabels" . }}
app.kubernetes.io/component: worker
{{- end }}

{{/* Labels that select the worker pods; never change them on upgrade. */}}
{{- define "fineflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fineflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{/* The worker's ServiceAccount name. */}}
{{- define "fineflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fineflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The namespace of stage Jobs and Deployments. */}}
{{- define "fineflow.stageNamespace" -}}
{{- default .Release.Namespace .Values.stageNamespace }}
{{- end }}

{{/* The workspace PVC's name. */}}
{{- define "fineflow.claimName" -}}
{{- default .Values.persistence.claimName .Values.persistence.existingClaim }}
{{- end }}
