package io.bpfmap.core.stream;

import java.time.Duration;
import java.time.Instant;

/**
 * What one completed cycle of a {@link MapStream} did, for metrics (poll duration, entries read,
 * events emitted); handed to {@link StreamStats#onCycle} listeners. A cancelled or failed cycle
 * has no report.
 *
 * @param map the stream's name, as its events carry it
 * @param cycle the cycle number, from 1 (as {@link MapEvent#cycle()})
 * @param start when the cycle started reading (as {@link MapEvent#cycleStart()})
 * @param duration from the cycle's start until its CYCLE_END was made, including any time spent
 *     waiting for subscriber demand
 * @param entriesRead entries the cycle read from the kernel (in DRAIN: took out of it)
 * @param eventsEmitted UPSERT and DELETE events the cycle made, not counting its CYCLE_END
 */
public record CycleReport(String map, long cycle, Instant start, Duration duration, long entriesRead,
    long eventsEmitted) {}
