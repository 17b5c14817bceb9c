package io.bpfmap.kafka;

import io.bpfmap.core.stream.Backoff;
import io.bpfmap.core.stream.MapEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.RetriableException;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One stream being exported: a subscriber that asks for at most {@code maxInFlight} records ahead
 * of their acknowledgements, and for more only as acknowledgements come back. Records are rendered
 * on the stream's thread and sent from the export's own thread, in the order the stream emitted
 * them.
 *
 * <p><b>Order per key.</b> A record is never overtaken by a later record of its key. The producer
 * retries inside itself until acknowledged (bpfmap's default {@code delivery.timeout.ms} is the
 * maximum), which keeps the order. A send that fails at once (no metadata, a full buffer) blocks
 * the queue and is retried, with {@link Backoff}, before anything after it. A record the producer
 * gives up on later (only with a finite {@code delivery.timeout.ms}) is never resent late: in
 * CHANGES the stream re-emits its key's current state in a later cycle ({@link io.bpfmap.core.stream.MapStream#resync}),
 * in SNAPSHOT the next cycle sends it anyway, and a DRAIN entry goes back into the map.
 *
 * <p><b>Errors.</b> A record Kafka refuses for good (too large, not authorized) ends the export
 * with an error naming map and topic ({@link #done()}); its entry and every one not yet sent go
 * back into the map in DRAIN mode.
 *
 * <p><b>Stopping</b> is in steps a daemon orders: {@link #stopTaking()} (a flag: no more events),
 * {@link #settled()} (every record taken is acknowledged, or given back), and where that takes too
 * long, {@link #abandon()} then closing the sink: the producer then fails what it still holds, and
 * each of those DRAIN entries goes back into its map, so the maps must be closed after the sink.
 */
public final class KafkaExport extends BaseSubscriber<MapEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaExport.class);

  private final RecordFormat format;
  private final Source stream;
  private final SendQueue sends;
  private final Consumer<KafkaExport> onClose;
  private final int maxInFlight;
  private final int replenish;
  private final Sinks.Empty<Void> done = Sinks.empty();
  private final Sinks.Empty<Void> settled = Sinks.empty();
  private final AtomicLong pending = new AtomicLong();
  /**
   * Counters written by one thread each, so no line bounces per record: taken (stream), sent
   * (export), acknowledged (Kafka's I/O thread); in flight is taken minus the ended ones.
   */
  private final AtomicLong taken = new AtomicLong();
  /** Taken records that ended without an acknowledgement: given back, resynced, or dropped. */
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong givenBack = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  /** Markers and d records acknowledged: records, not events (not in {@link #acknowledged()}). */
  private final AtomicLong extrasAcked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean stopping;
  private volatile boolean upstreamIdle;
  private volatile boolean abandoned;
  private volatile Throwable fatal;
  private volatile Throwable ended;
  private volatile boolean warnedLate;
  private final boolean tombstones;
  private final boolean markers;
  /** The cycle whose begin marker went out and whose end marker has not; -1 for none. */
  private long openCycle = -1;

  KafkaExport(KafkaProducer<byte[], byte[]> producer, RecordFormat format, int maxInFlight, Source stream,
      Consumer<KafkaExport> onClose, boolean tombstones, boolean markers) {
    this.onClose = onClose;
    this.tombstones = tombstones;
    this.markers = markers;
    this.format = format;
    this.stream = stream;
    this.maxInFlight = maxInFlight;
    this.replenish = Math.max(1, maxInFlight / 4);
    this.sends = new SendQueue(producer, format.topic(), new Owner(), failed);
  }

  /** Asks for the whole budget at once; acknowledgements then return it in batches. */
  @Override
  protected void hookOnSubscribe(Subscription subscription) {
    subscription.request(maxInFlight);
  }

  /** On the stream's thread: renders the record and hands it to the export's thread. */
  @Override
  protected void hookOnNext(MapEvent e) {
    if (e.kind() == MapEvent.Kind.CYCLE_END) {
      if (openCycle == e.cycle()) {
        send(new Outgoing(e, format.marker(e, false), this, sends, true));
        openCycle = -1;
      }
      credit(1);
      return;
    }
    if (markers && openCycle != e.cycle()) {
      send(new Outgoing(e, format.marker(e, true), this, sends, true));
      openCycle = e.cycle();
    }
    if (e.kind() == MapEvent.Kind.DELETE) {
      // Debezium's order: the d record, then the tombstone that deletes the key in a compacted topic
      send(new Outgoing(e, format.record(e, false), this, sends, tombstones));
      if (tombstones) {
        send(new Outgoing(e, format.record(e, true), this, sends, false));
      }
      return;
    }
    send(new Outgoing(e, format.record(e, false), this, sends, false));
  }

  private void send(Outgoing o) {
    taken.lazySet(taken.get() + 1);
    sends.offer(o);
  }

  /** On Kafka's I/O thread: counts, and decides what a failure means for its entry. */
  void acknowledged(Outgoing o, Exception ex) {
    if (ex == null) {
      if (o.extra) {
        extrasAcked.incrementAndGet();
      } else {
        acked.incrementAndGet();
        stream.delivered().accept(o.event);
        credit(1);
      }
      checkSettled();
      return;
    }
    failed.incrementAndGet();
    if (o.extra) {
      // a marker or a d record Kafka did not take: its event's own record says what happened
      dropped.incrementAndGet();
      checkSettled();
      return;
    }
    if (abandoned) {
      giveBack(o);
    } else if (!retriable(ex)) {
      fatal(o, ex);
    } else {
      late(o, ex);
      credit(1);
    }
    checkSettled();
  }

  /**
   * A record the producer gave up on after retrying (its delivery timeout passed). Resending it
   * now could land it after a newer record of its key, so it is not resent: CHANGES makes the
   * stream send its key's state again in a later cycle; SNAPSHOT's next cycle does anyway; a DRAIN
   * entry goes back into the map.
   */
  private void late(Outgoing o, Exception ex) {
    if (!warnedLate) {
      warnedLate = true;
      LOG.warn("map '{}': Kafka gave up on records for topic '{}' ({}); {}", o.event.map(), format.topic(),
          ex.getMessage(), stream.lateAdvice());
    }
    if (stream.once()) {
      giveBack(o);
      return;
    }
    stream.late().accept(o.event);
    dropped.incrementAndGet();
  }

  /** A record Kafka refuses for good: the export ends with an error naming map and topic. */
  private void fatal(Outgoing o, Throwable ex) {
    if (fatal == null && !abandoned) {
      fatal = new KafkaSinkException("sending map '" + o.event.map() + "' to topic '" + format.topic()
          + "' failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage(), ex);
      LOG.error("map '{}': {}", o.event.map(), fatal.getMessage());
      sends.onThread(() -> {
        cancel();
        sends.drainLater();
        done.tryEmitError(fatal);
      });
    }
    giveBack(o);
  }

  /** An entry that will not be sent: back into the map in DRAIN mode, dropped otherwise. */
  private void giveBack(Outgoing o) {
    if (stream.giveBack().test(o.event)) {
      givenBack.incrementAndGet();
    }
    dropped.incrementAndGet();
    checkSettled();
  }

  /** Asks the stream for more once enough records are acknowledged (batched, off Kafka's thread). */
  private void credit(long n) {
    if (stopping || fatal != null) {
      return;
    }
    long p = pending.addAndGet(n);
    if (p >= replenish && pending.compareAndSet(p, 0)) {
      sends.onThread(() -> request(p));
    }
  }

  @Override
  protected void hookOnError(Throwable t) {
    ended = t;
    stopTaking();
  }

  @Override
  protected void hookOnComplete() {
    stopTaking();
  }

  /**
   * Stops taking events: cancels the subscription and returns (a flag: never blocks). Records
   * already taken are still sent; see {@link #settled()}.
   */
  public void stopTaking() {
    if (stopping) {
      return;
    }
    stopping = true;
    cancel();
    stream.idle().doOnSuccess(idle -> {
      upstreamIdle = true;
      checkSettled();
    }).subscribe();
    checkSettled();
  }

  private void checkSettled() {
    if (stopping && upstreamIdle && inFlight() == 0 && settled.tryEmitEmpty().isSuccess()) {
      if (fatal != null) {
        done.tryEmitError(fatal);
      } else if (ended != null) {
        done.tryEmitError(ended);
      } else {
        done.tryEmitEmpty();
      }
    }
  }

  /**
   * Completes once the export has stopped taking and every record it took is acknowledged or
   * given back (DRAIN) or dropped. With the broker away that waits for the broker, or for
   * {@link #abandon()} and the sink's close.
   *
   * @return a {@link Mono} that completes empty, never errors (errors are {@link #done()}'s), and
   *     replays its completion to late subscribers
   */
  public Mono<Void> settled() {
    return settled.asMono();
  }

  /**
   * Gives up on what is not yet with the producer: records queued or waiting for a retry are given
   * back now (DRAIN puts them into the map); records the producer still holds are given back as it
   * fails them when the sink closes. Call after {@link #stopTaking()}, before closing the sink.
   */
  public void abandon() {
    abandoned = true;
    CompletableFuture<Void> given = new CompletableFuture<>();
    sends.onThread(() -> {
      sends.abandon();
      given.complete(null);
    });
    try {
      given.get(5, TimeUnit.SECONDS);
    } catch (Exception busy) {
      // the export's thread is inside a send (blocked up to max.block.ms): it gives back after
    }
  }

  /** What the send queue asks of the export about records it does not send. */
  private final class Owner implements SendQueue.Owner {
    @Override
    public boolean refusing() {
      return fatal != null || abandoned;
    }

    @Override
    public boolean abandoned() {
      return abandoned;
    }

    @Override
    public void giveBack(Outgoing o) {
      KafkaExport.this.giveBack(o);
    }

    @Override
    public void fatal(Outgoing o, Throwable ex) {
      KafkaExport.this.fatal(o, ex);
    }
  }

  /**
   * Stops taking events, waits up to {@code timeout} for the records in flight, then
   * {@link #abandon()}s the rest. Blocks the calling thread.
   *
   * @param timeout how long to wait for acknowledgements
   * @return how many records were still unacknowledged (0 for a clean stop); those are given back
   *     when the sink closes
   */
  public long stop(Duration timeout) {
    stopTaking();
    try {
      settled.asMono().toFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception timedOut) {
      abandon();
    }
    return inFlight();
  }

  /**
   * Frees the export's thread. Call it once {@link #settled()}; the sink calls it for the exports
   * still open when it closes. Records still with the producer are then counted (and given back)
   * on Kafka's thread. Idempotent.
   */
  public void close() {
    sends.close();
    onClose.accept(this);
  }

  /**
   * Completes when the export has stopped and settled; errors when Kafka refused records for good
   * (at once) or the stream failed (once settled).
   *
   * @return a {@link Mono} that completes empty or errors with a {@link KafkaSinkException} (or
   *     the stream's error), replayed to late subscribers; cancelling a subscription to it does
   *     not stop the export
   */
  public Mono<Void> done() {
    return done.asMono();
  }

  /** {@return the topic this export sends to} */
  public String topic() {
    return format.topic();
  }

  /** {@return how many records were handed to the producer so far} */
  public long sent() {
    return sends.sent();
  }

  /**
   * {@return how many events' records the broker acknowledged so far} (an entry, a delete, a
   * ring's event: cycle markers and a delete's {@code d} record beside its tombstone not counted)
   */
  public long acknowledged() {
    return acked.get();
  }

  /** {@return how many send attempts failed so far, at once or later (a retry counts again)} */
  public long failed() {
    return failed.get();
  }

  /** {@return how many DRAIN entries went back into their map because they were not delivered} */
  public long givenBack() {
    return givenBack.get();
  }

  /**
   * {@return how many records were taken from the stream and are not yet acknowledged, given back
   * or dropped}
   */
  public long inFlight() {
    long ended = acked.get() + extrasAcked.get() + dropped.get();
    return taken.get() - ended;
  }

  static boolean retriable(Throwable ex) {
    return ex instanceof RetriableException || ex.getCause() instanceof RetriableException;
  }
}
