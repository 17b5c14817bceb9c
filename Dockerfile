# syntax=docker/dockerfile:1
# The bpfmap exporter, built from a clean clone: docker build -t bpfmap .
# It runs as user bpfmap (uid 10469) with CAP_BPF alone, given to the JVM as a file capability:
#   docker run --cap-drop ALL --cap-add BPF -v /sys/fs/bpf:/sys/fs/bpf -v ./bpfmap.yaml:/etc/bpfmap/bpfmap.yaml:ro bpfmap
# (user bpfmap needs read access to the pins it exports). docker-compose.yml runs the quickstart.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY bom/ bom/
COPY examples/ examples/
COPY core/ core/
COPY kafka-broker/ kafka-broker/
COPY kafka-connector/ kafka-connector/
COPY metrics/ metrics/
COPY exporter/ exporter/
COPY benchmarks/pom.xml benchmarks/
RUN ./mvnw -B -q -pl exporter -am package -DskipTests

FROM eclipse-temurin:25-jre
ARG VERSION=0.1.0-SNAPSHOT
LABEL org.opencontainers.image.title="bpfmap" \
      org.opencontainers.image.description="Stream Linux eBPF maps into Kafka and Prometheus" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/bpfmap/bpfmap" \
      org.opencontainers.image.vendor="The bpfmap developers"
RUN apt-get update \
 && apt-get install -y --no-install-recommends libbpf1 libcap2-bin curl \
 && setcap cap_bpf+ep "$(readlink -f "$JAVA_HOME/bin/java")" \
 && apt-get purge -y libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --uid 10469 --shell /usr/sbin/nologin bpfmap
COPY bin/bpfmap /opt/bpfmap/bin/bpfmap
COPY --from=build /src/exporter/target/bpfmap.jar /opt/bpfmap/exporter/target/bpfmap.jar
COPY --from=build /src/exporter/target/lib/ /opt/bpfmap/exporter/target/lib/
COPY packaging/docker/bpfmap.yaml /etc/bpfmap/bpfmap.yaml
USER bpfmap
ENV BPFMAP_CACHE_DIR=/tmp/bpfmap
EXPOSE 10469
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:10469/health"]
ENTRYPOINT ["/opt/bpfmap/bin/bpfmap"]
CMD ["export", "--config", "/etc/bpfmap/bpfmap.yaml"]
