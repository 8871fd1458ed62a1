{{/*
Names shared with the operator (lan.homelab.pxe.Names) and with the boot pod's processes.
They are fixed, not release-prefixed: the operator renders references to them.
*/}}
{{- define "pxe.operatorName" -}}pxe-operator{{- end }}
{{- define "pxe.bootName" -}}pxe-boot{{- end }}
{{- define "pxe.purgeName" -}}pxe-operator-purge{{- end }}
{{- define "pxe.settingsConfigMap" -}}pxe-operator-settings{{- end }}
{{- define "pxe.answerTemplateConfigMap" -}}pxe-answer-template{{- end }}
{{- define "pxe.rootPasswordSecret" -}}pxe-root-password{{- end }}
{{- define "pxe.dhcpHookSecret" -}}pxe-dhcp-hook{{- end }}
{{- define "pxe.tlsSecret" -}}pxe-tls{{- end }}

{{/*
The boot pod's file layout, in one place (settled with the real-network work; adjust here only):
the sync container writes plain files under syncDir, dnsmasq and nginx read them from there.
What the files must respect, given how the containers run (the pod's fsGroup is 101):
- sync runs `sync --dir /run/pxe --namespace <ns>` as root with CAP_KILL only (no DAC override):
  directories setgid so files keep group 101, secrets (hook token, its nginx include, TLS) 0640,
  other files 0644, the lease hook script 0755, run/ (pid and nginx temp files) 2775. It signals
  dnsmasq and nginx, which it sees through the shared process namespace. It counts as started once
  dnsmasqConf, nginxConf and every file nginx.conf includes exist (startupProbe; the sync writes the
  includes first): dnsmasq and nginx start after that.
- loaders (init) copies the dnsmasq image's /var/lib/tftpboot/* (undionly.kpxe, ipxe.efi), then
  assetsDir/loaders/* over them, into syncDir/tftp (tftp-root).
- dnsmasq runs as root with NET_ADMIN, NET_BIND_SERVICE, SETGID and the args in
  boot-deployment.yaml (--user=root; pid under run/, leases under dnsmasq/); the lease hook reads
  its token from the file PXE_HOOK_TOKEN_FILE names and reaches the operator at PXE_HOOK_URL (the
  image has curl).
- nginx runs as uid 101 with no capabilities and a read-only root, `nginx -c nginxConf` (the
  rendered conf says `daemon off;`, sets no `user`, puts pid and temp paths under run/), listens on
  nginx.httpPort (and httpsPort with TLS, certificate under secrets/), both above 1024, and serves
  the boot assets (vmlinuz, initrd.img, proxmox.iso) from assetsDir.
*/}}
{{- define "pxe.syncDir" -}}/run/pxe{{- end }}
{{- define "pxe.dnsmasqConf" -}}/run/pxe/dnsmasq/dnsmasq.conf{{- end }}
{{- define "pxe.nginxConf" -}}/run/pxe/nginx/nginx.conf{{- end }}
{{- define "pxe.assetsDir" -}}/run/pxe/assets{{- end }}
{{- define "pxe.settingsDir" -}}/etc/pxe-operator{{- end }}

{{/* Chart name and version as used by the helm.sh/chart label. */}}
{{- define "pxe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard labels; call with (dict "ctx" $ "component" "operator"). */}}
{{- define "pxe.labels" -}}
helm.sh/chart: {{ include "pxe.chart" .ctx }}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: pxe-operator
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/* Selector labels; call with (dict "ctx" $ "component" "operator"). */}}
{{- define "pxe.selectorLabels" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* repository@digest of an image value when it has a digest (the tag is then ignored), else repository:tag. */}}
{{- define "pxe.image" -}}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}

{{/*
A pod template's labels and annotations: the chart's own (labels, annotations) win over the
admin's (pod.podLabels, pod.podAnnotations), so selectors and checksums stay intact.
Call with (dict "labels" <dict> "annotations" <dict> "pod" .Values.operator).
*/}}
{{- define "pxe.podMetadata" -}}
labels:
  {{- toYaml (merge (deepCopy .labels) (.pod.podLabels | default dict)) | nindent 2 }}
{{- with (merge (deepCopy (.annotations | default dict)) (.pod.podAnnotations | default dict)) }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Where a pod may run and what it may pull: imagePullSecrets (top level), nodeSelector (the admin's,
with the chart's pins winning), tolerations, affinity, priorityClassName.
Call with (dict "ctx" $ "pod" .Values.operator "pins" <dict of nodeSelector entries>).
*/}}
{{- define "pxe.podPlacement" -}}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (merge (deepCopy (.pins | default dict)) (.pod.nodeSelector | default dict)) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .pod.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .pod.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .pod.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}

{{/* Base URL of nginx as the machines reach it. */}}
{{- define "pxe.bootHttpUrl" -}}
{{- .Values.operator.bootHttpUrl | default (printf "http://%s:%d" .Values.network.serverAddress (int .Values.nginx.httpPort)) }}
{{- end }}

{{/* Base URL the installer posts its webhook to (HTTPS when TLS is on). */}}
{{- define "pxe.webhookUrl" -}}
{{- if .Values.operator.webhookUrl }}
{{- .Values.operator.webhookUrl }}
{{- else if .Values.tls.enabled }}
{{- printf "https://%s:%d" .Values.network.serverAddress (int .Values.nginx.httpsPort) }}
{{- else }}
{{- include "pxe.bootHttpUrl" . }}
{{- end }}
{{- end }}

{{/* Object name of a slot: its hostname, else slot-<address with dashes>. */}}
{{- define "pxe.slotName" -}}
{{- .hostname | default (printf "slot-%s" (.address | replace "." "-")) }}
{{- end }}

{{/* Restricted container security context; call with a list of capabilities to add. */}}
{{- define "pxe.dropAll" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- with . }}
  add: {{ toJson . }}
{{- end }}
{{- end }}
