package io.bpfmap.kafka;

import io.bpfmap.core.stream.ChangesState;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.Origin;
import io.bpfmap.core.stream.RecordView;
import java.util.function.Consumer;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What an export reads, and what it can do with a record Kafka did not take: a map's stream (a
 * drained entry goes back into the map, a CHANGES key is sent again later) or a ring's (a record
 * read from a ring cannot be read again).
 *
 * @param events the events to send
 * @param view how they decode
 * @param once whether every record taken must reach Kafka: the producer then retries without a
 *     timeout
 * @param giveBack for a record that will not be sent: true when its data went back to the kernel
 * @param late for a record the producer gave up on after its delivery timeout
 * @param lateAdvice what happens to records Kafka gave up on, for the log
 * @param idle completes when nothing more can arrive after a cancel
 * @param compacted whether the topic keeps the latest record per key
 * @param delivered for each record Kafka acknowledged, on its I/O thread
 * @param mode the map stream's mode, or null for a ring
 * @param origin the kernel map or ring read
 */
record Source(Flux<MapEvent> events, RecordView view, boolean once, Predicate<MapEvent> giveBack,
    Consumer<MapEvent> late, String lateAdvice, Mono<Void> idle, boolean compacted, Consumer<MapEvent> delivered,
    Mode mode, Origin origin) {

  static Source of(MapStream stream) {
    return of(stream, e -> { });
  }

  /** A CHANGES stream whose acknowledged records {@code state} keeps (for the stream made after it). */
  static Source of(MapStream stream, ChangesState state) {
    return of(stream, state::acknowledged);
  }

  private static Source of(MapStream stream, Consumer<MapEvent> delivered) {
    Mode mode = stream.mode();
    return new Source(stream.events(), stream.view(), mode == Mode.DRAIN,
        e -> mode == Mode.DRAIN && stream.restore(e),
        e -> {
          if (mode == Mode.CHANGES) {
            stream.resync(e);
          }
        },
        switch (mode) {
          case CHANGES -> "their keys are sent again from the map's next cycles";
          case SNAPSHOT -> "the next cycles send them again";
          case DRAIN -> "their entries go back into the map";
        },
        // until a DRAIN stream's cycle has settled, events it emitted may still arrive
        Mono.defer(() -> mode == Mode.DRAIN ? stream.idle() : Mono.empty()),
        mode == Mode.CHANGES, delivered, mode, stream.origin());
  }

  static Source of(EventStream stream) {
    return new Source(stream.events(), stream.view(), true, e -> false, e -> { },
        "they are lost: a ring's records cannot be read again", Mono.empty(), false, e -> { }, null, stream.origin());
  }
}
