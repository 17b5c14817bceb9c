package io.bpfmap.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

/**
 * What every exporter serves besides its own data: {@code bpfmap.build.info} (1, tagged with the
 * version and the JVM's), and the JVM's and the process's meters (memory, GC, threads, classes,
 * CPU, uptime, open files), as Micrometer names them ({@code jvm_memory_used_bytes},
 * {@code process_files_open_files}…). Closing it stops listening for GC events.
 */
public final class ProcessMeters implements MeterBinder, AutoCloseable {
  private final String version;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /**
   * Meters of this process, not yet bound.
   *
   * @param version bpfmap's version, as {@code bpfmap --version} prints it; the {@code version}
   *     tag of {@code bpfmap.build.info}
   */
  public ProcessMeters(String version) {
    this.version = version;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("bpfmap.build.info", () -> 1).description("bpfmap's version and the JVM it runs on; always 1")
        .tag("version", version).tag("java_version", Runtime.version().toString()).strongReference(true)
        .register(registry);
    for (MeterBinder b : new MeterBinder[] {new JvmMemoryMetrics(), gc, new JvmThreadMetrics(),
        new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics()}) {
      b.bindTo(registry);
    }
  }

  @Override
  public void close() {
    gc.close();
  }
}
