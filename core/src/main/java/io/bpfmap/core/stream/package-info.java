/**
 * The polling engine: a BPF map as a Reactor {@link reactor.core.publisher.Flux} of
 * {@link MapEvent}s, cycle after cycle.
 *
 * <p>{@link MapStream} reads a map every interval in a {@link Mode} (SNAPSHOT: every entry;
 * CHANGES: new and changed entries and a DELETE per key gone; DRAIN: lookup-and-delete), decodes
 * keys and values with record layouts, applies a permission mask, and ends each cycle with a
 * CYCLE_END event. Reads follow subscriber demand and run on a scheduler meant for blocking work;
 * {@link StreamStats} counts what a stream did and reports each cycle as a {@link CycleReport}.
 * {@link MapSupervisor} keeps one map exported while a daemon runs: it reopens the map when it
 * fails or is replaced, retrying with {@link Backoff}, and ends each opened map in order (sinks
 * stop taking, the cycle settles, sinks settle, then sinks, stream and map close).
 *
 * <p>Ten cycles of changes of a pinned map with BTF (without BTF, give the builder layouts):
 * <pre>{@code
 * try (BpfMap map = BpfMap.openPinned(Path.of("/sys/fs/bpf/counts"), OpenMode.READ_ONLY);
 *     MapStream stream = MapStream.builder(map).mode(Mode.CHANGES).build()) {
 *   stream.events()
 *       .takeUntil(e -> e.kind() == MapEvent.Kind.CYCLE_END && e.cycle() == 10)
 *       .filter(e -> e.kind() != MapEvent.Kind.CYCLE_END)
 *       .doOnNext(e -> System.out.println(e.kind() + " " + e.key() + " = " + e.value()))
 *       .blockLast();
 * }
 * }</pre>
 */
package io.bpfmap.core.stream;
