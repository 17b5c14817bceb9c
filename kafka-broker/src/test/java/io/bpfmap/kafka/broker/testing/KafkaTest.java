package io.bpfmap.kafka.broker.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test class that needs a real Kafka broker (and real maps): tagged {@code kafka}. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kafka")
@ExtendWith({io.bpfmap.core.testing.BpfExtension.class, KafkaExtension.class})
public @interface KafkaTest {}
