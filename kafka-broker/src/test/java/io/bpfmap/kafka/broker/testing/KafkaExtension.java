package io.bpfmap.kafka.broker.testing;

import io.bpfmap.core.testing.BpfExtension;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * One real Kafka broker (KRaft, in this JVM, on 127.0.0.1) shared by every test class of the run,
 * closed at the end. Where it cannot start the class is skipped with the reason, or fails under
 * {@code BPFMAP_REQUIRE_KERNEL=1}. Tests get it as an {@link EmbeddedKafka} parameter.
 */
public final class KafkaExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaExtension.class);

  /** Holds the broker in the root store; JUnit closes it when the run ends. */
  private record Shared(EmbeddedKafka broker, RuntimeException failure) implements AutoCloseable {
    @Override
    public void close() {
      if (broker != null) {
        broker.close();
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Shared shared = shared(context);
    if (shared.failure != null) {
      if (BpfExtension.required()) {
        throw new AssertionError("BPFMAP_REQUIRE_KERNEL=1 but the Kafka broker did not start: "
            + shared.failure.getMessage(), shared.failure);
      }
      throw new TestAbortedException("the Kafka broker did not start: " + shared.failure.getMessage());
    }
  }

  private static Shared shared(ExtensionContext context) {
    return context.getRoot().getStore(NS).getOrComputeIfAbsent("broker", k -> {
      try {
        Path dir = Files.createTempDirectory("bpfmap-kafka-test");
        return new Shared(EmbeddedKafka.start(dir.resolve("data")), null);
      } catch (Exception e) {
        return new Shared(null, e instanceof RuntimeException r ? r : new IllegalStateException(e));
      }
    }, Shared.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return shared(e).broker;
  }
}
