package io.bpfmap.kafka;

import io.bpfmap.core.stream.Backoff;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * An export's own thread and what it sends: records are handed to the producer in the order the
 * stream emitted them. A send that fails at once (no metadata, a full buffer) holds the queue: it
 * is retried, with {@link Backoff}, before anything after it, so no later record of its key can
 * overtake it. What happens to a record that is not sent is the export's to decide.
 */
final class SendQueue {
  private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
  private static final Duration RESEND_MIN = Duration.ofMillis(100);
  private static final Duration RESEND_MAX = Duration.ofSeconds(5);

  /** What the export decides for records this queue does not send. */
  interface Owner {
    /** True once records are no longer sent (a fatal error, or abandoned): they are given back. */
    boolean refusing();

    boolean abandoned();

    void giveBack(Outgoing o);

    void fatal(Outgoing o, Throwable ex);
  }

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final Owner owner;
  private final Scheduler scheduler;
  private final Scheduler.Worker worker;
  private final Queue<Outgoing> queue = Queues.<Outgoing>unbounded(1024).get();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed;
  /** The export's thread (a callback on it during a send is a failure at once). */
  private volatile Thread sender;
  /** Head of line: a record whose send failed at once, retried before anything else (sender only). */
  private Outgoing blocked;
  private Disposable blockedRetry;

  SendQueue(KafkaProducer<byte[], byte[]> producer, String topic, Owner owner, AtomicLong failed) {
    this.producer = producer;
    this.topic = topic;
    this.owner = owner;
    this.failed = failed;
    this.scheduler = Schedulers.newSingle("bpfmap-kafka-" + topic, true);
    this.worker = scheduler.createWorker();
  }

  /** Any thread: queues a rendered record for the export's thread. */
  void offer(Outgoing o) {
    queue.offer(o);
    drainLater();
  }

  boolean isSender(Thread t) {
    return t == sender;
  }

  /** Runs {@code task} on the export's thread, or here once {@link #close()} has disposed it. */
  void onThread(Runnable task) {
    try {
      worker.schedule(task);
    } catch (RejectedExecutionException closed) {
      task.run();
    }
  }

  /** Records handed to the producer. */
  long sent() {
    return sent.get();
  }

  /**
   * On the export's thread: stops the head-of-line retry, and gives back the record it held and
   * every queued one (the owner is refusing by now).
   */
  void abandon() {
    if (blockedRetry != null) {
      blockedRetry.dispose();
    }
    if (blocked != null) {
      Outgoing o = blocked;
      blocked = null;
      owner.giveBack(o);
    }
    drainLater();
  }

  void drainLater() {
    if (wip.getAndIncrement() == 0) {
      onThread(this::sendQueued);
    }
  }

  void close() {
    worker.dispose();
    scheduler.dispose();
  }

  /** On the export's thread: sends what was queued, in order; gives it back once the owner refuses. */
  private void sendQueued() {
    sender = Thread.currentThread();
    int missed = 1;
    do {
      while (blocked == null) {
        Outgoing o = queue.poll();
        if (o == null) {
          break;
        }
        if (owner.refusing()) {
          owner.giveBack(o);
        } else {
          send(o);
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Hands {@code o} to the producer; a failure at once blocks the queue behind it until it is sent. */
  private void send(Outgoing o) {
    Exception ex = trySend(o);
    if (ex == null) {
      return;
    }
    if (owner.abandoned()) {
      owner.giveBack(o);
    } else if (!KafkaExport.retriable(ex)) {
      owner.fatal(o, ex);
    } else {
      blocked = o;
      LOG.warn("map '{}': sending to topic '{}' failed: {}; retrying before anything after it", o.event.map(),
          topic, ex.getMessage());
      blockedRetry = Mono.defer(() -> {
            Exception again = trySend(o);
            return again == null ? Mono.<Void>empty() : Mono.<Void>error(again);
          })
          .retryWhen(Backoff.spec(RESEND_MIN, RESEND_MAX, scheduler)
              .filter(e -> KafkaExport.retriable(e) && !owner.abandoned()))
          .subscribe(null, e -> unblock(o, e), () -> unblock(o, null));
    }
  }

  /** On the export's thread: the head-of-line record is sent (or failed for good); the queue resumes. */
  private void unblock(Outgoing o, Throwable error) {
    blocked = null;
    if (error != null) {
      if (owner.abandoned()) {
        owner.giveBack(o);
      } else {
        owner.fatal(o, error);
      }
    }
    drainLater();
  }

  /** One producer.send on the export's thread; returns the exception of a send that failed at once. */
  private Exception trySend(Outgoing o) {
    o.failedAtOnce = null;
    o.inSend = true;
    try {
      producer.send(o.record, o);
    } catch (RuntimeException ex) {
      o.failedAtOnce = ex;
    } finally {
      o.inSend = false;
    }
    Exception ex = o.failedAtOnce;
    if (ex == null) {
      sent.lazySet(sent.get() + 1);
    } else {
      failed.incrementAndGet();
    }
    return ex;
  }
}
