/**
 * Permission masks: which fields of a map's values a consumer may read, write or not see at all
 * (the seed's FilteredBPFMap). Deny by default: a field the mask does not name inherits its
 * parent's permission, and the root's is {@code X} (hidden).
 *
 * <p>{@link io.bpfmap.core.mask.PermissionMask} is a mask in the layout's shape;
 * {@link io.bpfmap.core.mask.CompiledMask} is that mask resolved against one layout, decoding and
 * writing JSON without reading hidden bytes; {@link io.bpfmap.core.mask.FilteredBpfMap} is a
 * pinned map seen through a mask, opened read-only when the mask cannot write.
 *
 * <pre>{@code
 * RecordLayout value = RecordLayout.parse("[[\"data\",\"8Q\"]]");
 * PermissionMask mask =
 *     PermissionMask.of(Map.of("data", List.of("X", "X", "W", "X", "X", "X", "X", "X")));
 * // pin: a map pinned on bpffs; key and k: its key layout and a key in that layout's shape
 * try (FilteredBpfMap map = FilteredBpfMap.open(pin, mask, key, value, false, false)) {
 *   map.lookup(k);                                   // data: [null, null, 12, null, …]
 *   map.update(k, Map.of("data", Map.of(2, 42L)));   // only data[2] may be set
 * }
 * }</pre>
 */
package io.bpfmap.core.mask;
