/**
 * A real single-node Kafka broker inside the JVM, on loopback only, for tests and the quickstart:
 * {@link io.bpfmap.kafka.broker.EmbeddedKafka}. Not for production: it has one node, no security
 * and replication factor 1.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("kafka"));
 *     KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
 *   // a real broker on 127.0.0.1, for as long as the block runs
 * }
 * }</pre>
 */
package io.bpfmap.kafka.broker;
