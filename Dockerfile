# StreamSR images. No Docker engine runs in this project's CI, so these are not built there.
#   CPU (ONNX Runtime):  docker build -t streamsr:0.1.0 .
#   GPU (TensorRT):      docker build --target gpu -t streamsr:0.1.0-gpu .
# The Helm chart uses TAG for ingest/package/serve and TAG-gpu for upscale when gpu.enabled.

ARG TENSORRT_IMAGE=nvcr.io/nvidia/tensorrt:25.07-py3

# --- build: the jar and its dependencies -------------------------------------------------
FROM eclipse-temurin:21-jdk-noble AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
COPY pipelines pipelines
RUN ./mvnw -B -q package -DskipTests

# --- the files every image carries ---------------------------------------------------------
FROM scratch AS app
COPY --from=build /src/target/streamsr-*.jar /opt/streamsr/target/
COPY --from=build /src/target/lib /opt/streamsr/target/lib
COPY --from=build /src/target/lib-broker /opt/streamsr/target/lib-broker
COPY bin /opt/streamsr/bin
COPY scripts /opt/streamsr/scripts
COPY models /opt/streamsr/models

# --- GPU runtime: NVIDIA's TensorRT image (CUDA 12.9, TensorRT 10.12 to match the JavaCPP
# presets in pom.xml) + the same JRE and GStreamer. Pick the NGC tag whose release notes list
# TensorRT 10.12.
FROM eclipse-temurin:21-jre-noble AS jre
FROM ${TENSORRT_IMAGE} AS gpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends gstreamer1.0-tools gstreamer1.0-plugins-base \
      gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /tmp streamsr
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
COPY --from=app /opt/streamsr /opt/streamsr
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH HOME=/tmp GST_REGISTRY=/tmp/gstreamer-registry.bin
USER 10001
EXPOSE 9402
ENTRYPOINT ["/opt/streamsr/bin/streamsr"]
CMD ["upscale"]

# --- CPU runtime (the default target, last): JRE 21 + GStreamer (Ubuntu 24.04 ships 1.24) ----------------------------
FROM eclipse-temurin:21-jre-noble AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends gstreamer1.0-tools gstreamer1.0-plugins-base \
      gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /tmp streamsr
COPY --from=app /opt/streamsr /opt/streamsr
# The chart mounts a writable /tmp (read-only root): caches and temp files go there.
ENV HOME=/tmp GST_REGISTRY=/tmp/gstreamer-registry.bin
USER 10001
EXPOSE 8080 9401 9402 9403
ENTRYPOINT ["/opt/streamsr/bin/streamsr"]
CMD ["--help"]
