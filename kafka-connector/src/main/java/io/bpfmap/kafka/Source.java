package io.bpfmap.kafka;

import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.RecordView;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What an export reads, and what it can do with a record Kafka did not take: a map's stream (a
 * drained entry goes back into the map, a CHANGES key is sent again later) or a ring's (a record
 * read from a ring cannot be read again).
 */
interface Source {
  Flux<MapEvent> events();

  RecordView view();

  /** Whether every record taken must reach Kafka: the producer then retries without a timeout. */
  boolean once();

  /** A record that will not be sent: true when its data went back to the kernel. */
  boolean giveBack(MapEvent e);

  /** A record the producer gave up on after its delivery timeout (not for {@link #once} sources). */
  void late(MapEvent e);

  /** What happens to records Kafka gave up on, for the log. */
  String lateAdvice();

  /** Completes when nothing more can arrive after a cancel. */
  Mono<Void> idle();

  /** Whether the topic keeps the latest record per key. */
  boolean compacted();

  static Source of(MapStream stream) {
    return new Source() {
      @Override
      public Flux<MapEvent> events() {
        return stream.events();
      }

      @Override
      public RecordView view() {
        return stream.view();
      }

      @Override
      public boolean once() {
        return stream.mode() == Mode.DRAIN;
      }

      @Override
      public boolean giveBack(MapEvent e) {
        return stream.mode() == Mode.DRAIN && stream.restore(e);
      }

      @Override
      public void late(MapEvent e) {
        if (stream.mode() == Mode.CHANGES) {
          stream.resync(e);
        }
      }

      @Override
      public String lateAdvice() {
        return switch (stream.mode()) {
          case CHANGES -> "their keys are sent again from the map's next cycles";
          case SNAPSHOT -> "the next cycles send them again";
          case DRAIN -> "their entries go back into the map";
        };
      }

      @Override
      public Mono<Void> idle() {
        // Until a DRAIN stream's cycle has settled, events it emitted may still arrive.
        return stream.mode() == Mode.DRAIN ? stream.idle() : Mono.empty();
      }

      @Override
      public boolean compacted() {
        return stream.mode() == Mode.CHANGES;
      }
    };
  }

  static Source of(EventStream stream) {
    return new Source() {
      @Override
      public Flux<MapEvent> events() {
        return stream.events();
      }

      @Override
      public RecordView view() {
        return stream.view();
      }

      @Override
      public boolean once() {
        return true;
      }

      @Override
      public boolean giveBack(MapEvent e) {
        return false;
      }

      @Override
      public void late(MapEvent e) {
        // a ring's record cannot be read again
      }

      @Override
      public String lateAdvice() {
        return "they are lost: a ring's records cannot be read again";
      }

      @Override
      public Mono<Void> idle() {
        return Mono.empty();
      }

      @Override
      public boolean compacted() {
        return false;
      }
    };
  }
}
