package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.PerCpuPolicy;
import io.bpfmap.metrics.HistogramBuckets;
import io.bpfmap.metrics.MapMeters;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config reader, without a kernel: SPEC's example as it stands, and errors with their YAML path. */
class ConfigTest {
  static final String SPEC_EXAMPLE = """
      node: web-1                          # default: the host name
      maps:
        - name: flows
          pin: /sys/fs/bpf/flows
          key:   [[saddr, I], [daddr, I], [sport, H], [dport, H]]
          value: [[packets, Q], [bytes, Q], [secret, Q]]
          mask:  {packets: R, bytes: R}    # secret: hidden (deny by default)
          mode: changes                    # snapshot | changes | drain
          interval: 1s
          batch-size: 4096
          per-cpu: sum                     # per-cpu | sum | min | max
          labels: {saddr: ipv4, daddr: ipv4}
          metrics:
            - {field: packets, type: counter}
            - {field: bytes, type: counter}
      sinks:
        kafka:
          bootstrap-servers: 127.0.0.1:9092
          topic: bpfmap.{map}
          producer: {compression.type: lz4}
        prometheus:
          listen: 127.0.0.1:9469           # see §8 for the default port
        stdout: false
      """;

  private static Config parse(String yaml) throws Exception {
    return Config.parse(Inputs.yaml().readValue(yaml, Object.class));
  }

  @Test
  void aTopicPerNodeIsReadByAPatternOfEveryNodesTopics() throws Exception {
    Config c = parse("""
        maps:
          - {name: flows, pin: /sys/fs/bpf/f, key: {id: I}, value: {n: Q}, mode: changes}
          - {name: conns, pin: /sys/fs/bpf/c, key: {id: I}, value: {n: Q}, mode: changes}
        sinks:
          kafka: {bootstrap-servers: "127.0.0.1:9092", topic: "ebpf.{node}.{map}"}
        fleet: {}
        """);
    java.util.regex.Pattern p = c.fleet().topicPattern();
    assertThat(c.fleet().topics()).isEmpty();
    assertThat(p.matcher("ebpf.web-7.flows").matches()).isTrue();
    assertThat(p.matcher("ebpf.db.conns").matches()).isTrue();
    assertThat(p.matcher("ebpf.web-7.other").matches()).isFalse();
    assertThat(p.matcher("ebpfXweb.flows").matches()).as("the dots are dots").isFalse();
    assertThat(p.matcher("ebpf.heartbeats").matches()).isFalse();
  }

  @Test
  void aDrainedMapToKafkaNeedsNoFleetAndAFleetOfNothingIsOneLine() throws Exception {
    String drained = """
        maps:
          - {name: q, pin: /sys/fs/bpf/q, key: {id: I}, value: {n: Q}, mode: drain}
        sinks:
          kafka: {bootstrap-servers: "127.0.0.1:9092"}
        """;
    assertThat(parse(drained).fleet()).isNull();
    assertThatThrownBy(() -> parse(drained + "fleet: {expiry: 1m}\n")).isInstanceOf(CliException.class)
        .hasMessage("fleet.topics: no topic to read: the config exports no map in changes mode");
    assertThatThrownBy(() -> parse(drained.replace("kafka:", "stdout: true\n  x:").replace("  x: {bootstrap-servers: "
        + "\"127.0.0.1:9092\"}\n", "") + "fleet: {}\n")).isInstanceOf(CliException.class)
        .hasMessage("fleet: needs sinks.kafka, whose topics the fleet table reads");
  }

  @Test
  void specExampleIsAcceptedAsItStands() throws Exception {
    Config c = parse(SPEC_EXAMPLE);
    assertThat(c.node()).isEqualTo("web-1");
    Config.MapConfig m = c.maps().getFirst();
    assertThat(m.name()).isEqualTo("flows");
    assertThat(m.key().size()).isEqualTo(12);
    assertThat(m.value().size()).isEqualTo(24);
    assertThat(m.mode()).isEqualTo(Mode.CHANGES);
    assertThat(m.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(m.batchSize()).isEqualTo(4096);
    assertThat(m.perCpu()).isEqualTo(PerCpuPolicy.SUM);
    assertThat(m.labels()).containsOnlyKeys("saddr", "daddr");
    assertThat(m.metrics()).extracting(MapMeters.Metric::field, MapMeters.Metric::type)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("packets", MapMeters.Type.COUNTER),
            org.assertj.core.groups.Tuple.tuple("bytes", MapMeters.Type.COUNTER));
    assertThat(m.mask().compile(m.value()).hidden().paths()).containsExactly("secret");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.kafka().producer()).containsEntry("compression.type", "lz4");
    assertThat(c.prometheus()).isEqualTo(new Config.PromConfig("127.0.0.1", 9469));
    assertThat(c.stdout()).isFalse();
    assertThat(c.stopTimeout()).isEqualTo(Config.STOP_TIMEOUT);
  }

  @Test
  void theStopTimeoutIsConfigurable() throws Exception {
    assertThat(parse("stop-timeout: 45s\n" + SPEC_EXAMPLE).stopTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThatThrownBy(() -> parse("stop-timeout: 0s\n" + SPEC_EXAMPLE)).hasMessage("stop-timeout: must be more than zero");
  }

  @Test
  void aMapNameUsedTwiceIsRefused() {
    String twice = SPEC_EXAMPLE.replace("sinks:", """
          - name: flows
            pin: /sys/fs/bpf/other
            key: "=I"
            value: "=Q"
        sinks:""");
    assertThatThrownBy(() -> parse(twice)).hasMessage("maps[1].name: 'flows' is already the name of maps[0] (names "
        + "pick topics, meters and /health entries: each must be unique)");
  }

  @Test
  void aDrainedMapRefusesAKafkaDeliveryTimeout() {
    String drained = SPEC_EXAMPLE.replace("mode: changes", "mode: drain").replace("    metrics:\n", "    metrics: []\n")
        .replace("      - {field: packets, type: counter}\n      - {field: bytes, type: counter}\n", "")
        .replace("producer: {compression.type: lz4}", "producer: {delivery.timeout.ms: 60000}");
    assertThatThrownBy(() -> parse(drained)).hasMessage("sinks.kafka.producer.delivery.timeout.ms: maps[0] is drained, "
        + "and its entries are retried until Kafka acknowledges them: leave delivery.timeout.ms to bpfmap");
  }

  @Test
  void errorsNameTheirYamlPath() {
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("mode: changes", "mode: chnges")))
        .hasMessage("maps[0].mode: unknown mode 'chnges' (snapshot, changes, drain)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("interval: 1s", "interval: soon")))
        .hasMessage("maps[0].interval: expected a duration such as 500ms, 1s, 2m, got 'soon'");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{field: bytes, type: counter}", "{field: secret, type: counter}")))
        .hasMessage("maps[0].metrics[1].field: secret: the field is hidden");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{field: bytes, type: counter}", "{field: byte, type: counter}")))
        .hasMessage("maps[0].metrics[1].field: byte: no such field in the layout (its fields: packets, bytes, secret)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("[bytes, Q]", "[bytes, Z]")))
        .hasMessage("maps[0].value: bytes: unknown format 'Z'");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{packets: R, bytes: R}", "{packets: R, bytes: Q}")))
        .hasMessage("maps[0].mask: bytes: bad permission 'Q' (R, W or X)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("per-cpu: sum", "per-cpu: avg")))
        .hasMessage("maps[0].per-cpu: unknown per-cpu policy 'avg' (per-cpu, sum, min, max)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("saddr: ipv4,", "saddr: ipv5,")))
        .hasMessage("maps[0].labels.saddr: unknown label decoder 'ipv5' (unsigned, hex, ipv4, ipv6, cstring, string, "
            + "ksym, errno, syscall, cgroup, ifname, majorminor, {enum: {number: name}}, {regexp: pattern}, "
            + "{syscall: x86_64 or aarch64}, or a list: a chain)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("mode: changes", "mode: drain")))
        .hasMessage("maps[0].mode: drain delivers each entry once, to one sink: use kafka or stdout alone, and no metrics or histograms");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("listen: 127.0.0.1:9469", "listen: nowhere")))
        .hasMessage("sinks.prometheus.listen: expected host:port, got 'nowhere'");
    assertThatThrownBy(() -> parse("maps: []")).hasMessage("maps: a list of at least one map (or rings: of one ring) is required");
  }

  @Test
  void programsAndRingsErrorsNameTheirYamlPath() throws Exception {
    String rings = """
        programs:
          - object: /tmp/x.bpf.o
        rings:
          - {name: execs, value: struct exec_event}
        """;
    assertThatThrownBy(() -> parse(rings)).hasMessage("rings[0]: no sink reads this ring, and the kernel drops what "
        + "fills it: configure sinks.kafka, sinks.prometheus, sinks.otlp or sinks.stdout");
    assertThatThrownBy(() -> parse(rings.replace("value: struct exec_event}", "value: struct exec_event, labels: "
        + "{comm: auto}}") + "sinks: {stdout: true}\n")).hasMessage("rings[0].labels: needs sinks.prometheus or "
        + "sinks.otlp");
    assertThatThrownBy(() -> parse(rings.replace("value: struct exec_event", "value: exec_event") + "sinks: {stdout: "
        + "true}\n")).hasMessage("rings[0].value: f3: unknown format '_' (a type of the program's BTF is written "
        + "'struct exec_event')");
    assertThatThrownBy(() -> parse(rings.replace("{name: execs,", "{name: execs, kernel-name: other/execs,")
        + "sinks: {stdout: true}\n")).hasMessage("rings[0].kernel-name: 'other/execs' names a map of program 'other', "
        + "which programs: does not load (it loads x)");
    assertThatThrownBy(() -> parse(rings.replace("- object: /tmp/x.bpf.o", "- {object: /tmp/x.bpf.o, attach: go}")
        + "sinks: {stdout: true}\n")).hasMessage("programs[0].attach: expected all, or a list of program names, got "
        + "'go'");
    assertThatThrownBy(() -> parse(rings.replace("{name: execs,", "{name: a/b, kernel-name: x/execs,") + "sinks: {stdout: true}\n"))
        .hasMessage("rings[0].name: 'a/b' cannot name a map or ring (names pick topics and metric names: not empty, "
            + "no '/')");
    Config ok = parse(rings.replace("rings:", "maps:\n  - {kernel-name: x/syscalls}\nrings:") + "sinks: {stdout: true}\n");
    assertThat(ok.maps().getFirst().name()).as("a name from OBJECT/MAP is MAP").isEqualTo("syscalls");
    assertThat(ok.programs().getFirst().name()).isEqualTo("x");
    assertThat(ok.programs().getFirst().attach()).as("all").isNull();
  }

  @Test
  void valuesTheDaemonCannotRunAreRefusedBeforeItStarts() {
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("batch-size: 4096", "batch-size: 2147483647")))
        .hasMessage("maps[0].batch-size: 2147483647 entries of 36 bytes need 73727 MiB of buffers (at most 256 MiB "
            + "per map)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("interval: 1s", "interval: 99999999999999999999s")))
        .hasMessage("maps[0].interval: at most 30 days, got '99999999999999999999s'");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("interval: 1s", "interval: 9223372036854775807h")))
        .hasMessage("maps[0].interval: at most 30 days, got '9223372036854775807h'");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("[[saddr, I], [daddr, I], [sport, H], [dport, H]]",
        "\"=" + "1048576s".repeat(4096) + "IIHH\"")))
        .hasMessage("maps[0].key: f4: the layout is larger than 4194304 bytes (the kernel's largest map value)");
  }

  @Test
  void histogramsAreReadAsEbpfExporterWritesThemAndTheirErrorsNameTheirYamlPath() throws Exception {
    String hist = """
        maps:
          - name: lat
            pin: /sys/fs/bpf/lat
            key: {op: I, bucket: I}
            value: {count: Q}
            histograms:
              - {name: latency_seconds, bucket-field: bucket, bucket-type: exp2, bucket-max: 26, bucket-multiplier: 1e-6}
        sinks: {prometheus: {listen: "127.0.0.1:0"}}
        """;
    var h = parse(hist).maps().getFirst().histograms().getFirst();
    assertThat(h.buckets()).isEqualTo(HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, 26, 1e-6));
    assertThat(h.bucketField()).isEqualTo("bucket");
    assertThat(parse(hist.replace("bucket-type: exp2, bucket-max: 26", "bucket-type: fixed, bucket-keys: [1, 5, 10]"))
        .maps().getFirst().histograms().getFirst().buckets())
        .isEqualTo(HistogramBuckets.fixed(java.util.List.of(1L, 5L, 10L), 1e-6));
    java.util.Map<String, String> errors = new java.util.LinkedHashMap<>();
    errors.put("bucket-type: exp2,", "maps[0].histograms[0].bucket-type: unknown bucket type 'exp3' (exp2-zero, exp2, "
        + "linear, fixed)");
    errors.put("bucket-multiplier: 1e-6", "maps[0].histograms[0].bucket-multiplier: expected a positive number (1e-6 "
        + "for microseconds as seconds), got '-1'");
    errors.put("bucket-max: 26", "maps[0].histograms[0]: a histogram needs 1 to 512 buckets, got min 0 and max 1000");
    errors.put("bucket-field: bucket", "maps[0].histograms[0]: bucket field 'bukket' is not a key field (the key has "
        + "op, bucket)");
    errors.put("name: latency_seconds", "maps[0].histograms[0].name: 'latency-seconds' is not a metric name (letters, "
        + "digits and _)");
    errors.put("bucket-type: exp2, bucket-max: 26", "maps[0].histograms[0]: fixed buckets are given by bucket-keys, "
        + "not bucket-min and bucket-max");
    errors.put("bucket-field: bucket,", "maps[0].histograms[0]: give bucket-field (the bucket in the key) or "
        + "slots-field (an array of buckets in the value), not both");
    errors.put("bucket-max: 26,", "maps[0].histograms[0]: with a bucket field the sum is the entry of bucket 27, not a "
        + "value field");
    errors.put("sinks: {prometheus: {listen: \"127.0.0.1:0\"}}", "maps[0].histograms: needs sinks.prometheus (OTLP "
        + "does not carry them)");
    assertThatThrownBy(() -> parse(hist.replace("    histograms:", "    labels: {bucket: hex}\n    histograms:"))).hasMessage("maps[0].labels.bucket: the bucket of maps[0].histograms[0], not a "
            + "label: a histogram's buckets are its le bounds");
    java.util.List<String> broken = java.util.List.of("bucket-type: exp3,", "bucket-multiplier: -1",
        "bucket-max: 1000", "bucket-field: bukket", "name: latency-seconds", "bucket-type: fixed, bucket-max: 26",
        "bucket-field: bucket, slots-field: slots,", "bucket-max: 26, sum-field: count,", "sinks: {stdout: true}");
    int i = 0;
    for (var e : errors.entrySet()) {
      String yaml = hist.replace(e.getKey(), broken.get(i++));
      assertThatThrownBy(() -> parse(yaml)).as(yaml).hasMessage(e.getValue());
    }
  }

  @Test
  void otlpIsASinkOfMetersAndItsErrorsNameTheirYamlPath() throws Exception {
    String otlp = SPEC_EXAMPLE.replace("  prometheus:\n    listen: 127.0.0.1:9469           # see §8 for the default port\n",
        "  otlp:\n    endpoint: http://collector:4318/v1/metrics\n    interval: 30s\n    headers: {authorization: t}\n");
    assertThat(otlp).isNotEqualTo(SPEC_EXAMPLE);
    Config c = parse(otlp);
    assertThat(c.prometheus()).isNull();
    assertThat(c.otlp()).isEqualTo(new Config.OtlpConfig(java.net.URI.create("http://collector:4318/v1/metrics"),
        Map.of("authorization", "t"), Duration.ofSeconds(30), Map.of()));
    assertThatThrownBy(() -> parse(otlp.replace("http://collector:4318", "grpc://collector:4317")))
        .hasMessage("sinks.otlp.endpoint: expected an http:// or https:// URL (OTLP over HTTP, "
            + "http://collector:4318/v1/metrics), got 'grpc://collector:4317/v1/metrics'");
    assertThatThrownBy(() -> parse(otlp.replace("    endpoint: http://collector:4318/v1/metrics\n", "")))
        .hasMessage("sinks.otlp.endpoint: required");
    assertThatThrownBy(() -> parse(otlp.replace("interval: 30s", "interval: often")))
        .hasMessage("sinks.otlp.interval: expected a duration such as 500ms, 1s, 2m, got 'often'");
    assertThatThrownBy(() -> parse(otlp.replace("  otlp:", "  otlp: {}\n  x:")))
        .hasMessageStartingWith("sinks.x: unknown key");
  }

  @Test
  void kafkaSecurityIsReadAndItsErrorsNameTheirYamlPath() throws Exception {
    String kafka = "producer: {compression.type: lz4}";
    Config c = parse(SPEC_EXAMPLE.replace(kafka, "sasl: {mechanism: PLAIN, username: u, password: p}"));
    assertThat(c.kafka().producer()).containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "PLAIN");
    assertThat(c.kafka().producer().get("sasl.jaas.config")).contains("PlainLoginModule required username=\"u\"");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "sasl: {mechanism: GSSAPI, username: u, password: p}")))
        .hasMessage("sinks.kafka.sasl.mechanism: unknown SASL mechanism 'GSSAPI' (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "sasl: {password: p}")))
        .hasMessage("sinks.kafka.sasl.username: required");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "tls: {cert-file: /c.pem}")))
        .hasMessage("sinks.kafka.tls.ca-file: required");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "tls: {ca-file: /nonexistent/ca.pem}")))
        .hasMessage("sinks.kafka.tls.ca-file /nonexistent/ca.pem: cannot read it (NoSuchFileException)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "tls: {ca-file: /c.pem, cert-file: /c.pem}")))
        .hasMessage("sinks.kafka.tls: a client certificate (mTLS) needs both its cert-file and its key-file");
  }

  @Test
  void changeEventsAreConfigurable() throws Exception {
    String kafka = "producer: {compression.type: lz4}";
    assertThat(parse(SPEC_EXAMPLE).kafka().changeEvents()).isEqualTo(Config.ChangeEvents.DEFAULT);
    Config c = parse(SPEC_EXAMPLE.replace(kafka, "tombstones: false\n    cycle-markers: false\n    heartbeat-interval: off\n"
        + "    heartbeat-topic: beats"));
    assertThat(c.kafka().changeEvents()).isEqualTo(new Config.ChangeEvents(false, false, "beats", null));
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "heartbeat-interval: often")))
        .hasMessage("sinks.kafka.heartbeat-interval: expected a duration such as 500ms, 1s, 2m, got 'often'");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, "tombstones: maybe")))
        .hasMessage("sinks.kafka.tombstones: expected true or false, got 'maybe'");
  }

  @Test
  void aLabelDecoderThatCannotDecodeItsFieldIsRefused() {
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("labels: {saddr: ipv4, daddr: ipv4}",
        "labels: {saddr: ipv6, daddr: ipv4}"))).hasMessage("maps[0].labels.saddr: ipv6 needs a 16-byte field, got 4 bytes");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("labels: {saddr: ipv4, daddr: ipv4}",
        "labels: {sport: ipv4}"))).hasMessage("maps[0].labels.sport: ipv4 needs a 4-byte field, got 2 bytes");
  }

  @Test
  void createdTopicsTakePartitionsReplicationAndConfigs() throws Exception {
    String kafka = "producer: {compression.type: lz4}";
    Config cfg = parse(SPEC_EXAMPLE.replace(kafka, kafka + "\n    topic-partitions: 12\n    topic-replication-factor: 3\n"
        + "    topic-configs: {retention.ms: 86400000, min.insync.replicas: 2}"));
    assertThat(cfg.kafka().topics()).isEqualTo(new Config.Topics(12, (short) 3,
        Map.of("retention.ms", "86400000", "min.insync.replicas", "2")));
    assertThat(parse(SPEC_EXAMPLE).kafka().topics()).isEqualTo(new Config.Topics(1, null, Map.of()));
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace(kafka, kafka + "\n    topic-partitions: 0")))
        .hasMessageStartingWith("sinks.kafka.topic-partitions: ");
  }

  @Test
  void producerSettingsAreCheckedAsKafkaWould() {
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{compression.type: lz4}", "{acks: banana}")))
        .hasMessage("sinks.kafka.producer.acks: Invalid value banana for configuration acks: String must be one of: "
            + "all, -1, 0, 1");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{compression.type: lz4}", "{compression.type: nope}")))
        .hasMessageStartingWith("sinks.kafka.producer.compression.type: Invalid value nope for configuration "
            + "compression.type: String must be one of: ");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{compression.type: lz4}", "{linger.ms: -5}")))
        .hasMessage("sinks.kafka.producer.linger.ms: Invalid value -5 for configuration linger.ms: Value must be at "
            + "least 0");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("{compression.type: lz4}", "{compresion.type: lz4}")))
        .hasMessage("sinks.kafka.producer.compresion.type: unknown producer setting (see Kafka's producer configs)");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("bootstrap-servers: 127.0.0.1:9092", "bootstrap-servers: \"\"")))
        .hasMessage("sinks.kafka.bootstrap-servers: Configuration 'bootstrap.servers' must not be empty. Valid values "
            + "include: any non-empty value");
    assertThatThrownBy(() -> parse(SPEC_EXAMPLE.replace("bootstrap-servers: 127.0.0.1:9092", "bootstrap-servers: kafka")))
        .hasMessage("sinks.kafka.bootstrap-servers: 'kafka' in bootstrap.servers is not host:port");
  }

  @Test
  void aKeyGivenTwiceInTheYamlIsRefusedWithItsLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("bpfmap.yaml"),
        SPEC_EXAMPLE.replace("mode: changes", "mode: changes\n    mode: drain"));
    assertThatThrownBy(() -> Config.load(file)).hasMessageStartingWith(file + ": line 9, column 9: ")
        .hasMessageContaining("Duplicate field 'mode'");
    assertThatThrownBy(() -> Config.load(tmp.resolve("nonexist.yaml")))
        .hasMessage(tmp.resolve("nonexist.yaml") + ": no such file");
    // the YAML parser's words, without its class names, and what it expected
    java.nio.file.Path nested = java.nio.file.Files.writeString(tmp.resolve("nested.yaml"),
        "maps:\n  - name: x\n    pin: /p\n    labels: {{ip: ksym}}\n");
    assertThatThrownBy(() -> Config.load(nested)).hasMessage(nested + ": line 4, column 15: Expected a field name "
        + "(Scalar value in YAML), got this instead: a mapping ({…})");
    java.nio.file.Path open = java.nio.file.Files.writeString(tmp.resolve("open.yaml"),
        "maps:\n  - name: x\n    pin: /p\n    labels: {ip: ksym\n");
    assertThatThrownBy(() -> Config.load(open)).hasMessage(open + ": line 4, column 22: while parsing a flow mapping: "
        + "expected ',' or '}', but got the end of the file");
  }
}
