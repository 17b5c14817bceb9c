package io.bpfmap.core.stream;

import java.time.Duration;
import java.time.Instant;

/** What one cycle did: for metrics (poll duration, entries read, events emitted). */
public record CycleReport(String map, long cycle, Instant start, Duration duration, long entriesRead,
    long eventsEmitted) {}
