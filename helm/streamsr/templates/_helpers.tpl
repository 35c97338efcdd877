{{- define "streamsr.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "streamsr.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "streamsr.labels" -}}
app.kubernetes.io/name: {{ include "streamsr.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "streamsr.selector" -}}
app.kubernetes.io/name: {{ include "streamsr.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "streamsr.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- if .gpu -}}{{- $tag = printf "%s-gpu" $tag -}}{{- end -}}
{{- printf "%s:%s" .root.Values.image.repository $tag -}}
{{- end -}}

{{- define "streamsr.kafkaSasl" -}}
{{- hasPrefix "SASL_" .Values.kafka.securityProtocol -}}
{{- end -}}

{{- define "streamsr.kafkaTls" -}}
{{- or (eq .Values.kafka.securityProtocol "SSL") (eq .Values.kafka.securityProtocol "SASL_SSL") -}}
{{- end -}}

{{/* Environment every role shares: Kafka, logging, writable paths on a read-only root filesystem. */}}
{{- define "streamsr.commonEnv" -}}
- name: STREAMSR_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required: the chart never runs a broker" .Values.kafka.bootstrapServers | quote }}
- name: STREAMSR_KAFKA_CONFIG
  value: /etc/streamsr/kafka/client.properties
- name: STREAMSR_MAX_FRAME_SIZE
  value: {{ .Values.kafka.maxFrameSize | quote }}
- name: STREAMSR_PARTITIONS
  value: {{ .Values.kafka.topics.partitions | quote }}
- name: STREAMSR_REPLICATION_FACTOR
  value: {{ .Values.kafka.topics.replicationFactor | quote }}
- name: STREAMSR_RETENTION
  value: {{ .Values.kafka.topics.retention | quote }}
- name: STREAMSR_MAX_STREAM_METRICS
  value: {{ .Values.metrics.maxStreams | quote }}
- name: STREAMSR_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: STREAMSR_JAVA_OPTS
  value: {{ printf "%s -Djava.io.tmpdir=/tmp -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp" .Values.javaOpts | quote }}
- name: HOME
  value: /tmp
- name: GST_REGISTRY
  value: /tmp/gstreamer-registry.bin
{{- if eq (include "streamsr.kafkaSasl" .) "true" }}
- name: STREAMSR_KAFKA_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret is required with a SASL_* securityProtocol" .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.usernameKey }}
- name: STREAMSR_KAFKA_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.passwordKey }}
{{- end }}
{{- if and (eq (include "streamsr.kafkaTls" .) "true") .Values.kafka.tls.truststoreSecret .Values.kafka.tls.truststorePasswordKey }}
- name: STREAMSR_KAFKA_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.tls.truststoreSecret }}
      key: {{ .Values.kafka.tls.truststorePasswordKey }}
{{- end }}
{{- end -}}

{{- define "streamsr.commonMounts" -}}
- name: tmp
  mountPath: /tmp
- name: kafka-config
  mountPath: /etc/streamsr/kafka
  readOnly: true
{{- if and (eq (include "streamsr.kafkaTls" .) "true") .Values.kafka.tls.truststoreSecret }}
- name: kafka-truststore
  mountPath: /etc/streamsr/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "streamsr.commonVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 2Gi
- name: kafka-config
  configMap:
    name: {{ include "streamsr.fullname" . }}-kafka
{{- if and (eq (include "streamsr.kafkaTls" .) "true") .Values.kafka.tls.truststoreSecret }}
- name: kafka-truststore
  secret:
    secretName: {{ .Values.kafka.tls.truststoreSecret }}
{{- end }}
{{- end -}}

{{/* Live: the process can still recover by itself (503 after an engine that cannot load, a dead
     poll loop). Ready: it is doing its job now (broker reachable, stream threads running). A role
     waits up to its --kafka-timeout for Kafka at start and then exits, so the startup probe only
     covers loading the engine. */}}
{{- define "streamsr.probes" -}}
startupProbe:
  httpGet: {path: /health/live, port: {{ .port }}}
  periodSeconds: 5
  failureThreshold: 36
livenessProbe:
  httpGet: {path: /health/live, port: {{ .port }}}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /health/ready, port: {{ .port }}}
  periodSeconds: 5
  timeoutSeconds: 5
{{- end -}}

{{/* ISO-8601 PTnHnMnS as milliseconds, for Strimzi's retention.ms. */}}
{{- define "streamsr.durationMs" -}}
{{- $d := upper . -}}
{{- $h := regexFind "[0-9]+H" $d | trimSuffix "H" | default "0" | int -}}
{{- $m := regexFind "[0-9]+M" $d | trimSuffix "M" | default "0" | int -}}
{{- $s := regexFind "[0-9]+S" $d | trimSuffix "S" | default "0" | int -}}
{{- add (mul $h 3600000) (mul $m 60000) (mul $s 1000) -}}
{{- end -}}

{{/* FrameLimits.maxRecordBytes(): an RGB frame (3 B/px) plus its latent (4 B/px) plus 1 MiB. */}}
{{- define "streamsr.maxMessageBytes" -}}
{{- $wh := splitList "x" . -}}
{{- $px := mul (index $wh 0 | int) (index $wh 1 | int) -}}
{{- add (mul $px 7) 1048576 -}}
{{- end -}}
