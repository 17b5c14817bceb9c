package io.bpfmap.exporter;

import io.bpfmap.core.stream.StreamStats;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * One source of the daemon (a map or a ring) with its sinks, stopped in the daemon's order: stop
 * taking, let the sinks settle, give up what is left past the deadline, close.
 */
interface Pipeline {
  String name();

  /** The live stream's counters, or null while none runs. */
  StreamStats stats();

  /** {@code up}, {@code retrying}, {@code failed}… for the status log. */
  String state();

  /** Records Kafka acknowledged. */
  long acknowledged();

  /** Records handed to Kafka and not yet acknowledged. */
  long inFlight();

  /** Drained entries given back to their map. */
  long givenBack();

  void start();

  /** Phase one of a stop: takes no more, and lets the sinks settle. */
  void stopTaking();

  /** Completes once the sinks have settled. */
  Mono<Void> stopped();

  /** Past the stop's deadline: gives up on what Kafka has not taken. */
  void abandon();

  /** Last phase: closes whatever is still open. */
  void close(Duration wait);

  /**
   * Writes what must survive a crash (what Kafka holds of a CHANGES map), from the daemon's timer.
   * Nothing by default.
   */
  default void checkpoint() {
  }
}
