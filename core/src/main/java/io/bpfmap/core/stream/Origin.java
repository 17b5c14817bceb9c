package io.bpfmap.core.stream;

/**
 * Which kernel map a stream reads, for records that say where they come from (a change-capture
 * {@code source} block).
 *
 * @param mapId the kernel's id of the map
 * @param target where it was opened from: its pin path, {@code id:N} or {@code name:N}
 */
public record Origin(int mapId, String target) {}
