package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfPermissionException;
import io.bpfmap.core.Errno;
import io.bpfmap.core.MapNotFoundException;
import io.bpfmap.core.NativeUnavailableException;
import io.bpfmap.core.UnsupportedFeatureException;
import java.time.Duration;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * The one retry policy of bpfmap: exponential backoff from a minimum to a maximum with 10 % jitter,
 * its delays on a scheduler chosen on purpose (never {@code parallel()}, since what is retried
 * makes syscalls), and which failures are worth retrying. The supervisor,
 * {@link MapStream#resilient} and the Kafka export all retry through it.
 */
public final class Backoff {
  /** The daemon's default first wait: 1 s, doubling up to {@link #MAX}. */
  public static final Duration MIN = Duration.ofSeconds(1);
  /** The daemon's default longest wait: 30 s. */
  public static final Duration MAX = Duration.ofSeconds(30);
  private static final double JITTER = 0.1;

  private Backoff() {}

  /**
   * Retries forever, waiting {@code min} doubling up to {@code max} (each wait ±10 %) between
   * attempts on {@code scheduler}; the wait starts over after an attempt that emitted something.
   * Add the {@code filter} of what is transient ({@link #isTransient} for map failures): as
   * returned, it retries every error.
   *
   * @param min the first wait
   * @param max the longest wait
   * @param scheduler where the waits run: one meant for blocking work, since the retried
   *     subscription usually makes syscalls
   * @return a new spec for {@code retryWhen}, to refine further
   */
  public static RetryBackoffSpec spec(Duration min, Duration max, Scheduler scheduler) {
    return Retry.backoff(Long.MAX_VALUE, min).maxBackoff(max).jitter(JITTER).scheduler(scheduler)
        .transientErrors(true);
  }

  /**
   * The wait {@link #spec} makes before a retry, without its jitter: for log lines.
   *
   * @param min the first wait
   * @param max the longest wait
   * @param attempt the retry's number in a row, from 0
   * @return {@code min} doubled {@code attempt} times, at most {@code max}
   */
  public static Duration delay(Duration min, Duration max, long attempt) {
    Duration d = min;
    for (long i = 0; i < attempt && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * Whether a failure is worth retrying. True for a map failure that may go away by itself:
   * nothing pinned (yet), a map gone or replaced, or a kernel error such as EAGAIN, ENOMEM or
   * EBUSY. False for what needs a person: missing permission (also EPERM, EACCES), an unsupported
   * feature, no libbpf, EINVAL and E2BIG, and every error found before a syscall (a layout that
   * does not fit, a bad setting: errno 0); false too for anything that is not a
   * {@link BpfException}, and for null.
   *
   * @param t the failure
   * @return true when retrying may succeed without anyone changing anything
   */
  public static boolean isTransient(Throwable t) {
    if (t instanceof MapNotFoundException || t instanceof Replaced) {
      return true;
    }
    if (t instanceof BpfPermissionException || t instanceof UnsupportedFeatureException
        || t instanceof NativeUnavailableException || !(t instanceof BpfException e)) {
      return false;
    }
    return switch (e.errno()) {
      case 0, Errno.EINVAL, Errno.E2BIG, Errno.EPERM, Errno.EACCES -> false;
      default -> true;
    };
  }

  /**
   * How log lines say a wait: whole milliseconds below a second ({@code "200ms"}), else seconds,
   * whole ({@code "30s"}) or to one decimal ({@code "1.5s"}).
   *
   * @param d the wait
   * @return the wait as text
   */
  public static String say(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
  }
}
