package io.bpfmap.kafka;

import io.bpfmap.core.stream.MapEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One stream being exported: a subscriber that asks for at most {@code maxInFlight} records
 * ahead of their acknowledgements, and for more only as acknowledgements come back (from its own
 * thread, never Kafka's). A record that fails with a retriable error (the broker is away longer
 * than {@code delivery.timeout.ms}) is sent again, with backoff, until it is acknowledged; a
 * non-retriable one (too large, not authorized) ends the export with an error naming map and topic.
 *
 * <p>{@link #stop} stops asking for events, waits for every record in flight, and flushes. In DRAIN
 * mode, what a crash (kill -9) can lose is the records taken from the kernel and not yet
 * acknowledged: at most {@code maxInFlight}.
 */
public final class KafkaExport extends BaseSubscriber<KafkaExport.Outgoing> {
  private static final Duration RESEND_MIN = Duration.ofMillis(100);
  private static final Duration RESEND_MAX = Duration.ofSeconds(5);

  private final KafkaProducer<byte[], byte[]> producer;
  private final RecordFormat format;
  private final int maxInFlight;
  private final int replenish;
  private final Scheduler scheduler;
  private final Scheduler.Worker worker;
  private final Sinks.Empty<Void> done = Sinks.empty();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean stopping;
  private volatile Throwable fatal;

  KafkaExport(KafkaProducer<byte[], byte[]> producer, RecordFormat format, int maxInFlight) {
    this.producer = producer;
    this.format = format;
    this.maxInFlight = maxInFlight;
    this.replenish = Math.max(1, maxInFlight / 4);
    this.scheduler = Schedulers.newSingle("bpfmap-kafka-" + format.topic(), true);
    this.worker = scheduler.createWorker();
  }

  /** Asks for the whole budget at once; acknowledgements then return it in batches. */
  @Override
  protected void hookOnSubscribe(Subscription subscription) {
    subscription.request(maxInFlight);
  }

  /** An event and its rendered record (null for CYCLE_END, which only returns its credit). */
  record Outgoing(MapEvent event, ProducerRecord<byte[], byte[]> record) {}

  @Override
  protected void hookOnNext(Outgoing o) {
    if (o.record() == null) {
      credit(1);
      return;
    }
    inFlight.incrementAndGet();
    sent.incrementAndGet();
    send(o.record(), RESEND_MIN);
  }

  private void send(ProducerRecord<byte[], byte[]> record, Duration backoff) {
    try {
      producer.send(record, (md, ex) -> acknowledged(record, md, ex, backoff));
    } catch (RuntimeException ex) {
      acknowledged(record, null, ex, backoff);
    }
  }

  /** On Kafka's I/O thread: counts, and hands any work to this export's own worker. */
  private void acknowledged(ProducerRecord<byte[], byte[]> record, RecordMetadata md, Exception ex,
      Duration backoff) {
    if (ex == null) {
      acked.incrementAndGet();
      inFlight.decrementAndGet();
      credit(1);
      return;
    }
    failed.incrementAndGet();
    if (ex instanceof RetriableException || ex.getCause() instanceof RetriableException) {
      Duration next = backoff.multipliedBy(2).compareTo(RESEND_MAX) > 0 ? RESEND_MAX : backoff.multipliedBy(2);
      worker.schedule(() -> send(record, next), backoff.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return;
    }
    inFlight.decrementAndGet();
    if (fatal == null) {
      fatal = new KafkaSinkException("sending map '" + mapOf(record) + "' to topic '" + format.topic()
          + "' failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage(), ex);
      worker.schedule(() -> {
        cancel();
        done.tryEmitError(fatal);
      });
    }
  }

  /** Asks the stream for more once enough records are acknowledged (batched, off Kafka's thread). */
  private void credit(long n) {
    if (stopping || fatal != null) {
      return;
    }
    long p = pending.addAndGet(n);
    if (p >= replenish && pending.compareAndSet(p, 0)) {
      worker.schedule(() -> request(p));
    }
  }

  @Override
  protected void hookOnError(Throwable t) {
    worker.schedule(() -> {
      awaitInFlight(Duration.ofSeconds(30));
      done.tryEmitError(t);
    });
  }

  @Override
  protected void hookOnComplete() {
    worker.schedule(() -> {
      awaitInFlight(Duration.ofSeconds(30));
      done.tryEmitEmpty();
    });
  }

  /**
   * Graceful stop: no more events are taken, the records in flight are awaited (and resent if they
   * fail) up to {@code timeout}, and the producer is flushed. Returns how many records were still
   * unacknowledged at the timeout (0 for a clean stop).
   */
  public long stop(Duration timeout) {
    stopping = true;
    cancel();
    long left = awaitInFlight(timeout);
    producer.flush();
    worker.dispose();
    scheduler.dispose();
    done.tryEmitEmpty();
    return left;
  }

  private long awaitInFlight(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      producer.flush();
      if (inFlight.get() > 0) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return inFlight.get();
  }

  /** Completes when the export stops; errors when Kafka refused records for good. */
  public Mono<Void> done() {
    return done.asMono();
  }

  public String topic() {
    return format.topic();
  }

  /** Records handed to the producer. */
  public long sent() {
    return sent.get();
  }

  /** Records the broker acknowledged. */
  public long acknowledged() {
    return acked.get();
  }

  /** Send attempts that failed (retriable ones are sent again). */
  public long failed() {
    return failed.get();
  }

  /** Records sent and not yet acknowledged. */
  public long inFlight() {
    return inFlight.get();
  }

  private static String mapOf(ProducerRecord<byte[], byte[]> record) {
    var h = record.headers().lastHeader(RecordFormat.HEADER_MAP);
    return h == null ? "?" : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
