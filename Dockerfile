# The bpfmap exporter: JDK 25 runtime + libbpf1. Build the jar first:
#   ./mvnw -B -pl exporter -am package -DskipTests && docker build -t bpfmap .
# Run it privileged with bpffs mounted (docker-compose.yml does).
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends libbpf1 \
 && rm -rf /var/lib/apt/lists/*
COPY bin/bpfmap /opt/bpfmap/bin/bpfmap
COPY exporter/target/bpfmap.jar /opt/bpfmap/exporter/target/bpfmap.jar
COPY exporter/target/lib /opt/bpfmap/exporter/target/lib
COPY packaging/docker/bpfmap.yaml /etc/bpfmap/bpfmap.yaml
EXPOSE 10469
ENTRYPOINT ["/opt/bpfmap/bin/bpfmap"]
CMD ["export", "--config", "/etc/bpfmap/bpfmap.yaml"]
