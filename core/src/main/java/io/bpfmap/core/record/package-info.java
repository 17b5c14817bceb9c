/**
 * Record layouts: the shape of a map's key or value in the seed's notation (Python struct
 * letters, arrays, nested structs), and the ways to turn its bytes into values and back. Pure
 * Java, no kernel needed.
 *
 * <p>{@link io.bpfmap.core.record.RecordLayout} parses a layout and packs and unpacks records;
 * {@link io.bpfmap.core.record.FieldAccessor} reads one numeric field without allocating;
 * {@link io.bpfmap.core.record.RecordJsonWriter} writes a record as JSON straight from memory
 * into a {@link io.bpfmap.core.record.JsonOut}. Errors are
 * {@link io.bpfmap.core.record.LayoutException}s that name the field path.
 *
 * <pre>{@code
 * RecordLayout value = RecordLayout.parse("[[\"packets\",\"Q\"],[\"comm\",\"16s\"]]");
 * byte[] bytes = value.pack(Map.of("packets", 3L, "comm", "curl"));
 * Map<String, Object> fields = value.unpack(bytes);        // {packets=3, comm=[B@…}
 * long n = value.accessor("packets").getLong(MemorySegment.ofArray(bytes));  // 3
 * byte[] json = value.jsonWriter().toJson(bytes);          // {"packets":3,"comm":"curl"}
 * }</pre>
 */
package io.bpfmap.core.record;
