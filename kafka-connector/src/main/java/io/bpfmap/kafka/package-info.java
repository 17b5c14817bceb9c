/**
 * The Kafka sink: map events from the polling engine to Kafka topics (SPEC §7).
 *
 * <p>{@link io.bpfmap.kafka.KafkaSink} owns one idempotent producer and starts a
 * {@link io.bpfmap.kafka.KafkaExport} per {@link io.bpfmap.core.stream.MapStream}: each UPSERT
 * becomes a JSON record keyed by node, map and key, each DELETE a tombstone. Demand follows
 * acknowledgements, so a slow broker slows the polling; in DRAIN mode an entry that is not
 * delivered goes back into its map. Kafka's failures are
 * {@link io.bpfmap.kafka.KafkaSinkException}s. Stop in order: the exports, then the sink, then
 * the maps.
 *
 * <pre>{@code
 * try (KafkaSink sink = KafkaSink.builder().bootstrapServers("kafka:9092").build()) {
 *   sink.checkReachable(Duration.ofSeconds(10));
 *   KafkaExport export = sink.export(stream);
 *   // ... until shutdown:
 *   export.stop(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
package io.bpfmap.kafka;
