/**
 * A map's values as Micrometer meters, and bpfmap's HTTP endpoint for Prometheus.
 *
 * <p>{@link io.bpfmap.metrics.MapMeters} turns numeric value fields of a
 * {@link io.bpfmap.core.stream.MapStream} into one gauge or counter series per key, with key
 * fields as labels ({@link io.bpfmap.metrics.LabelDecoder}: unsigned, hex, ipv4, ipv6, cstring, or
 * an enum table). {@link io.bpfmap.metrics.SelfMetrics} adds bpfmap's own meters for a map,
 * {@link io.bpfmap.metrics.ProcessMeters} the JVM's and the build's, and
 * {@link io.bpfmap.metrics.MetricsServer} serves {@code /metrics} and {@code /health}.
 *
 * <pre>{@code
 * var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * var server = MetricsServer.start(new InetSocketAddress(MetricsServer.DEFAULT_PORT), registry);
 * var meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
 *     .label("saddr", LabelDecoder.of("ipv4")).build();
 * meters.bindTo(registry);
 * new SelfMetrics(stream.stats()).bindTo(registry);
 * server.watch(stream.stats());
 * }</pre>
 */
package io.bpfmap.metrics;
