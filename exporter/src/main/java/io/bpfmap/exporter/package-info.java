/**
 * The {@code bpfmap} command: one-shot commands that list, read and write eBPF maps
 * ({@code maps}, {@code info}, {@code dump}, {@code lookup}, {@code update}, {@code delete},
 * {@code create}, {@code load}), {@code check} of a daemon config, {@code completion}, the
 * {@code export} daemon that streams the maps of a YAML config to Kafka, Prometheus and stdout,
 * each map under its own supervisor, and {@code quickstart}, a demo of that pipeline.
 *
 * <p>The entry point is {@link io.bpfmap.exporter.Main}; {@link io.bpfmap.exporter.LogLayout} is
 * the Logback layout of the daemon's log lines (text, JSON or logfmt). The rest is package-private:
 * this is an application, and the only module that picks a logging backend.
 *
 * <pre>{@code
 * bpfmap maps
 * bpfmap dump name:flows
 * bpfmap export --config bpfmap.yaml
 * bpfmap quickstart --duration 20s
 * }</pre>
 */
package io.bpfmap.exporter;
