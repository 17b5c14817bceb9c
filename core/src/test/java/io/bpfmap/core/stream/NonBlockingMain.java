package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.internal.libbpf.Libbpf;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import reactor.blockhound.BlockHound;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Run in a child JVM by {@link NonBlockingTest}: installs BlockHound, with every libbpf call (each
 * is a syscall) counted as blocking, then drives the engine the
 * way sinks do from non-blocking threads: cancels of a DRAIN stream from {@code parallel()}
 * (directly and through a buffering operator), and a resilient stream retrying a missing pin.
 * Prints each blocking call found, then {@code blocking calls: N}.
 */
public final class NonBlockingMain {
  private NonBlockingMain() {}

  public static void main(String[] args) throws Exception {
    Path pin = Path.of(args[0]);
    List<String> found = new CopyOnWriteArrayList<>();
    // BlockHound counts Thread.onSpinWait (a busy wait) as blocking already.
    BlockHound.Builder hound = BlockHound.builder()
        .blockingMethodCallback(m -> found.add(Thread.currentThread().getName() + ": " + m + " at "
            + java.util.Arrays.stream(new Throwable().getStackTrace()).skip(2).limit(25)
                .map(StackTraceElement::toString).toList()));
    // Reactor's integration: parallel() and single() threads are the non-blocking ones.
    java.util.ServiceLoader.load(reactor.blockhound.integration.BlockHoundIntegration.class).forEach(hound::with);
    // Cancelling Flux.interval removes its task from the timer's queue, whose lock may be held a
    // moment by the timer thread: Reactor's own code, as its integration allows for offer and take.
    hound.allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove");
    for (Method m : Libbpf.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && m.getReturnType() == int.class
          && !m.getName().equals("numPossibleCpus")) {
        hound.markAsBlocking(Libbpf.class, m.getName(), descriptor(m));
      }
    }
    hound.install();

    try (BpfMap map = StreamFixture.hash("t_hound", 8192)) {
      StreamFixture.fill(map, 5000);
      for (int round = 0; round < 20; round++) {
        MapStream stream = MapStream.builder(map).keyLayout(StreamFixture.KEY).valueLayout(StreamFixture.VALUE)
            .mode(Mode.DRAIN).batchSize(512).interval(Duration.ofMillis(5)).build();
        // Even rounds: a buffering operator on parallel() holds events when the cancel comes (they
        // are discarded there). Odd rounds: a slow subscriber keeps a cycle emitting on its thread.
        Flux<MapEvent> events = round % 2 == 0
            ? stream.events().publishOn(Schedulers.parallel(), 64)
                .concatMap(e -> Mono.just(e).delayElement(Duration.ofMillis(1)), 1)
            : stream.events().doOnNext(e -> LockSupport.parkNanos(200_000));
        Disposable d = events.subscribe();
        Thread.sleep(30);
        Schedulers.parallel().schedule(d::dispose);
        Thread.sleep(20);
        stream.idle().block(Duration.ofSeconds(30));
        stream.close();
        StreamFixture.fill(map, 5000);
      }
    }

    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Disposable resilient = MapStream.resilient(pin, OpenMode.READ_ONLY,
            m -> MapStream.builder(m).keyLayout(StreamFixture.KEY).valueLayout(StreamFixture.VALUE).build(),
            Duration.ofMillis(5), Duration.ofMillis(20), failures::add)
        .subscribe();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (failures.size() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    resilient.dispose();
    found.forEach(System.out::println);
    System.out.println("retries: " + failures.size());
    System.out.println("blocking calls: " + found.size());
  }

  private static String descriptor(Method m) {
    StringBuilder sb = new StringBuilder("(");
    for (Class<?> p : m.getParameterTypes()) {
      sb.append(p.describeConstable().orElseThrow().descriptorString());
    }
    return sb.append(')').append(m.getReturnType().describeConstable().orElseThrow().descriptorString()).toString();
  }
}
