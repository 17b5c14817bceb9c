package io.bpfmap.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes meters with OTLP (HTTP, protobuf) to a collector, with Micrometer's OTLP registry, beside
 * or instead of {@code /metrics}: bind the same binders ({@link MapMeters}, {@link RingMeters},
 * {@link SelfMetrics}…) to {@link #registry()}, or to a composite of it and the Prometheus
 * registry. Every meter of a map carries the attribute {@code map}; the resource carries
 * {@code service.name=bpfmap}, {@code host.name} (the node) and the attributes given. A push that
 * fails is logged by Micrometer and retried at the next interval; {@link #close()} pushes once more.
 * Histograms kept by programs ({@link MapHistograms}) are Prometheus collectors and are not pushed.
 */
public final class OtlpPush implements AutoCloseable {
  private final OtlpMeterRegistry registry;

  /**
   * Where and how often to push.
   *
   * @param endpoint the collector's metrics URL, e.g. {@code http://collector:4318/v1/metrics}
   * @param headers HTTP headers of every push (e.g. {@code authorization})
   * @param interval time between pushes
   * @param node the node's name: the resource's {@code host.name}
   * @param resourceAttributes more resource attributes (they win over the defaults)
   */
  public record Settings(URI endpoint, Map<String, String> headers, Duration interval, String node,
      Map<String, String> resourceAttributes) {
    /** Copies the maps; checks the endpoint and interval. */
    public Settings {
      headers = Map.copyOf(headers);
      resourceAttributes = Map.copyOf(resourceAttributes);
      if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
        throw new IllegalArgumentException("endpoint '" + endpoint + "': expected an http:// or https:// URL");
      }
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be above zero, got " + interval);
      }
    }
  }

  private OtlpPush(OtlpMeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Starts pushing every {@code interval}.
   *
   * @param settings where, how often, with which resource
   * @param maps the names of the maps and rings whose meters ({@code bpfmap.<map>.…}) get the
   *     attribute {@code map}
   * @return the pusher; close it to push a last time and stop
   */
  public static OtlpPush start(Settings settings, List<String> maps) {
    Map<String, String> resource = new LinkedHashMap<>();
    resource.put("service.name", "bpfmap");
    resource.put("host.name", settings.node());
    resource.putAll(settings.resourceAttributes());
    OtlpConfig config = new OtlpConfig() {
      @Override
      public String get(String key) {
        return null;
      }

      @Override
      public String url() {
        return settings.endpoint().toString();
      }

      @Override
      public Duration step() {
        return settings.interval();
      }

      @Override
      public Map<String, String> headers() {
        return settings.headers();
      }

      @Override
      public Map<String, String> resourceAttributes() {
        return resource;
      }
    };
    OtlpMeterRegistry r = new OtlpMeterRegistry(config, Clock.SYSTEM);
    r.config().meterFilter(mapAttribute(maps));
    return new OtlpPush(r);
  }

  /** The attribute {@code map} on {@code bpfmap.<map>.<field>} meters, whose map is in the name only. */
  static MeterFilter mapAttribute(List<String> maps) {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getTag("map") != null) {
          return id;
        }
        for (String m : maps) {
          if (id.getName().startsWith("bpfmap." + m + ".")) {
            return id.withTag(Tag.of("map", m));
          }
        }
        return id;
      }
    };
  }

  /** {@return the registry to bind meters to} */
  public OtlpMeterRegistry registry() {
    return registry;
  }

  /** Pushes once more, then stops. */
  @Override
  public void close() {
    registry.close();
  }
}
