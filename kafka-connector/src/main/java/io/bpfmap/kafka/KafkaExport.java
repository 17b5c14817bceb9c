package io.bpfmap.kafka;

import io.bpfmap.core.stream.MapEvent;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * One stream being exported: a subscriber that asks for at most {@code maxInFlight} records
 * ahead of their acknowledgements, and for more only as acknowledgements come back (from its own
 * thread, never Kafka's). Records are rendered on the stream's thread and handed to the export's
 * own thread, which sends them, so reading and rendering overlap with the producer's work (its
 * {@code send} compresses). The hand-over queue holds only records already counted in flight: a
 * stop sends what it holds. A record that fails with a retriable error (the broker is away longer
 * than {@code delivery.timeout.ms}) is sent again, with backoff, until it is acknowledged; a
 * non-retriable one (too large, not authorized) ends the export with an error naming map and
 * topic, and the events of that record and of every queued one are given back (DRAIN puts the
 * entries back into the map).
 *
 * <p>{@link #stop} stops asking for events, waits for every record in flight, and flushes. In DRAIN
 * mode, what a crash (kill -9) can lose is the records taken from the kernel and not yet
 * acknowledged: at most {@code maxInFlight}.
 */
public final class KafkaExport extends BaseSubscriber<MapEvent> {
  private static final Duration RESEND_MIN = Duration.ofMillis(100);
  private static final Duration RESEND_MAX = Duration.ofSeconds(5);

  private final KafkaProducer<byte[], byte[]> producer;
  private final RecordFormat format;
  private final int maxInFlight;
  private final int replenish;
  private final Scheduler scheduler;
  private final Scheduler.Worker worker;
  private final Queue<Outgoing> queue = Queues.<Outgoing>unbounded(1024).get();
  private final AtomicInteger wip = new AtomicInteger();
  private final Consumer<MapEvent> unsent;
  private final Sinks.Empty<Void> done = Sinks.empty();
  private final AtomicLong pending = new AtomicLong();
  /**
   * Counters written by one thread each, so no line bounces per record: taken (stream), sent
   * (export), acknowledged (Kafka's I/O thread); in flight is taken minus the ended ones.
   */
  private final AtomicLong taken = new AtomicLong();
  /** Taken records that ended without an acknowledgement: refused for good, or given back. */
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean stopping;
  private volatile boolean abandoned;
  private volatile Throwable fatal;

  /** @param unsent takes back the events of records that will never be sent (DRAIN restores them) */
  KafkaExport(KafkaProducer<byte[], byte[]> producer, RecordFormat format, int maxInFlight,
      Consumer<MapEvent> unsent) {
    this.producer = producer;
    this.unsent = unsent;
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

  /** An event, its rendered record, and the callback of its sends (one object per record). */
  private final class Outgoing implements Callback {
    final MapEvent event;
    final ProducerRecord<byte[], byte[]> record;
    /** The wait before the next resend: touched by one thread at a time (send, then callback). */
    Duration backoff = RESEND_MIN;

    Outgoing(MapEvent event, ProducerRecord<byte[], byte[]> record) {
      this.event = event;
      this.record = record;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception ex) {
      acknowledged(this, ex);
    }
  }

  /** On the stream's thread: renders the record and hands it to the export's thread. */
  @Override
  protected void hookOnNext(MapEvent e) {
    if (e.kind() == MapEvent.Kind.CYCLE_END) {
      credit(1);
      return;
    }
    Outgoing o = new Outgoing(e, format.record(e));
    taken.lazySet(taken.get() + 1);
    queue.offer(o);
    if (wip.getAndIncrement() == 0) {
      onWorker(this::sendQueued);
    }
  }

  /** Runs {@code task} on the export's thread, or here once a stop has disposed that thread. */
  private void onWorker(Runnable task) {
    try {
      worker.schedule(task);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      task.run();
    }
  }

  /** On the export's thread: sends what the stream handed over; after a fatal error, gives it back. */
  private void sendQueued() {
    int missed = 1;
    do {
      for (Outgoing o = queue.poll(); o != null; o = queue.poll()) {
        if (fatal != null || abandoned) {
          unsent.accept(o.event);
          dropped.incrementAndGet();
        } else {
          sent.lazySet(sent.get() + 1);
          send(o);
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void send(Outgoing o) {
    try {
      producer.send(o.record, o);
    } catch (RuntimeException ex) {
      acknowledged(o, ex);
    }
  }

  /**
   * On Kafka's I/O thread: counts, and hands any work to this export's own worker. A record Kafka
   * refuses for good ends the export, and its event is given back like the queued ones (DRAIN puts
   * the entry back into the map, where it waits for a fixed configuration).
   */
  private void acknowledged(Outgoing o, Exception ex) {
    if (ex == null) {
      acked.incrementAndGet();
      credit(1);
      return;
    }
    failed.incrementAndGet();
    if (ex instanceof RetriableException || ex.getCause() instanceof RetriableException) {
      Duration wait = o.backoff;
      o.backoff = wait.multipliedBy(2).compareTo(RESEND_MAX) > 0 ? RESEND_MAX : wait.multipliedBy(2);
      try {
        if (!abandoned) {
          worker.schedule(() -> send(o), wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
          return;
        }
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // stopped meanwhile: give it back below
      }
      unsent.accept(o.event);
      dropped.incrementAndGet();
      return;
    }
    if (fatal == null && !abandoned) {
      fatal = new KafkaSinkException("sending map '" + o.event.map() + "' to topic '" + format.topic()
          + "' failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage(), ex);
      onWorker(() -> {
        cancel();
        if (wip.getAndIncrement() == 0) {
          sendQueued();
        }
        done.tryEmitError(fatal);
      });
    }
    unsent.accept(o.event);
    dropped.incrementAndGet();
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
    Schedulers.boundedElastic().schedule(() -> {
      awaitInFlight(Duration.ofSeconds(30));
      done.tryEmitError(t);
    });
  }

  @Override
  protected void hookOnComplete() {
    Schedulers.boundedElastic().schedule(() -> {
      awaitInFlight(Duration.ofSeconds(30));
      done.tryEmitEmpty();
    });
  }

  /**
   * Graceful stop: no more events are taken, and the records in flight are sent and awaited (and
   * resent if they fail) for at most {@code timeout}, even with the broker away. Then records not
   * yet handed to the producer are given back (DRAIN puts them into the map), and so is any record
   * that fails later; the producer keeps trying the others until the sink is closed. Returns how
   * many records were still unacknowledged at the timeout (0 for a clean stop).
   */
  public long stop(Duration timeout) {
    stopping = true;
    cancel();
    long left = awaitInFlight(timeout);
    abandoned = true;
    if (wip.getAndIncrement() == 0) {
      sendQueued();
    }
    worker.dispose();
    scheduler.dispose();
    done.tryEmitEmpty();
    return left;
  }

  /**
   * Waits for the records in flight, at most {@code timeout}. The producer is flushed on another
   * thread: {@code flush()} blocks until every record completes, which with the broker away means
   * the whole {@code delivery.timeout.ms}.
   */
  private long awaitInFlight(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (inFlight() > 0) {
      Thread.ofVirtual().name("bpfmap-kafka-flush").start(() -> {
        try {
          producer.flush();
        } catch (RuntimeException closed) {
          // the sink was closed meanwhile: nothing left to flush
        }
      });
    }
    while (inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return inFlight();
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
    long ended = acked.get() + dropped.get();
    return taken.get() - ended;
  }
}
