package io.bpfmap.core.mask;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.BpfPermissionException;
import io.bpfmap.core.Errno;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.UpdateFlag;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A pinned map seen through a {@link PermissionMask} (the seed's FilteredBPFMap): reads give hidden
 * fields as null, writes may set only {@code W} fields and are merged into the value in the kernel,
 * and creating or deleting entries is allowed only when asked for. Raw bytes are never offered.
 *
 * <p>Least privilege: when the mask has no {@code W} field and neither create nor delete is
 * allowed, the pin is opened read-only, so the kernel refuses writes through this fd too.
 *
 * <p>An update is a read-modify-write of the kernel value: a concurrent writer of the same key
 * between the two can have its change to other fields overwritten (maps have no compare-and-swap).
 *
 * <p>The filtered map owns the map's fd: {@link #close()} closes it. Per-CPU maps are refused
 * (read them through {@code io.bpfmap.core.stream.MapStream}).
 */
public final class FilteredBpfMap implements AutoCloseable {
  private static final int RETRIES = 8;

  private final BpfMap map;
  private final ParsedMap parsed;
  private final CompiledMask mask;
  private final boolean canCreate;
  private final boolean canDelete;

  private FilteredBpfMap(BpfMap map, ParsedMap parsed, CompiledMask mask, boolean canCreate, boolean canDelete) {
    this.map = map;
    this.parsed = parsed;
    this.mask = mask;
    this.canCreate = canCreate;
    this.canDelete = canDelete;
  }

  /**
   * {@return the map pinned at {@code pin} seen through {@code mask}} The same as
   * {@code open(MapSelector.pin(pin), mask, key, value, canCreate, canDelete, false)}: given
   * layouts are checked against the map's BTF.
   * @param pin the pin on bpffs
   * @param mask the permissions, in the value layout's shape
   * @param key the key layout; null for the one the map's BTF gives
   * @param value the value layout; null for the one the map's BTF gives
   * @param canCreate whether {@link #update} may create absent keys
   * @param canDelete whether {@link #delete} and {@link #lookupAndDelete} are allowed
   * @throws io.bpfmap.core.MapNotFoundException when nothing is pinned at {@code pin}
   * @throws BpfException when the other {@code open} would: a layout or mask that does not fit, a
   *     per-CPU map, no permission
   */
  public static FilteredBpfMap open(Path pin, PermissionMask mask, RecordLayout key, RecordLayout value,
      boolean canCreate, boolean canDelete) {
    return open(MapSelector.pin(pin), mask, key, value, canCreate, canDelete, false);
  }

  /**
   * {@return the map {@code selector} finds, seen through {@code mask}} A null layout is the one
   * the map's BTF gives (found through a read-only open first); a given one is checked against BTF
   * unless {@code trustLayouts} (see {@link BpfMap#parsed(RecordLayout, RecordLayout, boolean)}).
   * The map is opened read-only unless the mask has a {@code W} field, {@code canCreate} or
   * {@code canDelete}. On failure nothing stays open.
   * @param selector a pin, map id or kernel name
   * @param mask the permissions, in the value layout's shape
   * @param key the key layout; null for the one the map's BTF gives
   * @param value the value layout; null for the one the map's BTF gives
   * @param canCreate whether {@link #update} may create absent keys
   * @param canDelete whether {@link #delete} and {@link #lookupAndDelete} are allowed
   * @param trustLayouts true to skip the check of given layouts against the map's BTF
   * @throws io.bpfmap.core.MapNotFoundException when the selector finds no map
   * @throws io.bpfmap.core.LayoutMismatchException when a layout's size is not the map's, a layout
   *     differs from BTF, or a layout is null and the map has no BTF
   * @throws MaskException when the mask does not fit the value layout
   * @throws BpfException when the map is per-CPU, or the kernel refuses the open (EPERM: a
   *     {@link BpfPermissionException})
   */
  public static FilteredBpfMap open(MapSelector selector, PermissionMask mask, RecordLayout key, RecordLayout value,
      boolean canCreate, boolean canDelete, boolean trustLayouts) {
    boolean mayWrite = canCreate || canDelete || mask.compile(value != null ? value
        : readOnly(selector).valueLayout()).anyWritable();
    BpfMap map = selector.open(mayWrite ? OpenMode.READ_WRITE : OpenMode.READ_ONLY);
    try {
      if (map.info().type().perCpu()) {
        throw new BpfException("open filtered", "map '" + map.name() + "'", 0,
            "per-CPU maps are read through MapStream, which aggregates their values before masking");
      }
      ParsedMap parsed = map.parsed(key, value, trustLayouts);
      return new FilteredBpfMap(map, parsed, mask.compile(parsed.valueLayout()), canCreate, canDelete);
    } catch (RuntimeException e) {
      map.close();
      throw e;
    }
  }

  /** The map's BTF layouts, read through a read-only open (to learn whether the mask writes). */
  private static ParsedMap readOnly(MapSelector selector) {
    try (BpfMap m = selector.open(OpenMode.READ_ONLY)) {
      return m.parsed();
    }
  }

  /** {@return how the map's fd is open: READ_ONLY unless the mask or create/delete need writes} */
  public OpenMode mode() {
    return map.mode();
  }

  /** {@return the mask, compiled against the value layout} */
  public CompiledMask mask() {
    return mask;
  }

  /**
   * {@return the value of {@code key} with hidden fields as null; empty when the key is absent}
   * @param key the key, in the key layout's shape (keys are never masked)
   * @throws io.bpfmap.core.record.LayoutException when {@code key} does not fit the key layout
   * @throws BpfException when the kernel refuses the lookup, or the map is closed
   */
  public Optional<Map<String, Object>> lookup(Map<String, ?> key) {
    return map.lookup(parsed.keyLayout().pack(key)).map(mask::unpack);
  }

  /**
   * Sets the {@code W} fields {@code value} names, keeping the others as they are in the kernel.
   * A value that sets any other field is refused, naming it, and nothing is written. An absent key
   * is created (other fields zero) only when the map was opened with {@code canCreate}. A key
   * that appears or vanishes under a concurrent writer is read again, up to 8 times.
   * @param key the key, in the key layout's shape
   * @param value the fields to set, as {@link CompiledMask#applyWrite} takes them
   * @throws BpfPermissionException when {@code value} sets a field that is not {@code W} or not in
   *     the layout, or the key is absent and {@code canCreate} was not given
   * @throws io.bpfmap.core.record.LayoutException when the key or a value does not fit its layout
   * @throws BpfException when the kernel refuses the update (E2BIG: the map is full), or with
   *     EAGAIN when the key kept changing through all 8 attempts
   */
  public void update(Map<String, ?> key, Map<String, ?> value) {
    byte[] k = parsed.keyLayout().pack(key);
    int size = parsed.valueLayout().size();
    for (int attempt = 0; attempt < RETRIES; attempt++) {
      Optional<byte[]> current = map.lookup(k);
      if (current.isEmpty() && !canCreate) {
        throw refused("update", "the key is absent and this filtered map may not create entries");
      }
      byte[] next = current.orElseGet(() -> new byte[size]);
      try {
        mask.applyWrite(value, MemorySegment.ofArray(next), 0);
      } catch (MaskException e) {
        throw refused("update", e.getMessage().substring("mask ".length()));
      }
      try {
        map.update(k, next, current.isPresent() ? UpdateFlag.EXIST : UpdateFlag.NOEXIST);
        return;
      } catch (BpfException e) {
        if (e.errno() != Errno.EEXIST && e.errno() != Errno.ENOENT) {
          throw e;
        }
        // The key appeared or vanished between lookup and update: read it again.
      }
    }
    throw new BpfException("update", "map '" + map.name() + "'", Errno.EAGAIN,
        "the key kept changing under a concurrent writer");
  }

  /**
   * Deletes the key; refused unless the map was opened with {@code canDelete}.
   * @param key the key, in the key layout's shape
   * @return true when the key was deleted, false when it was absent
   * @throws BpfPermissionException when {@code canDelete} was not given
   * @throws io.bpfmap.core.record.LayoutException when {@code key} does not fit the key layout
   */
  public boolean delete(Map<String, ?> key) {
    if (!canDelete) {
      throw refused("delete", "this filtered map may not delete entries");
    }
    return parsed.delete(key);
  }

  /**
   * {@return the masked value of {@code key}, which is deleted; empty when it was absent} Refused
   * unless the map was opened with {@code canDelete}.
   * @param key the key, in the key layout's shape
   * @throws BpfPermissionException when {@code canDelete} was not given
   * @throws io.bpfmap.core.UnsupportedFeatureException where the map type or kernel lacks the
   *     operation
   */
  public Optional<Map<String, Object>> lookupAndDelete(Map<String, ?> key) {
    if (!canDelete) {
      throw refused("lookup and delete", "this filtered map may not delete entries");
    }
    return map.lookupAndDelete(parsed.keyLayout().pack(key)).map(mask::unpack);
  }

  /** Closes the map's fd; idempotent. Later calls are refused with a {@link BpfException}. */
  @Override
  public void close() {
    map.close();
  }

  /** For tests of least privilege only: the fd's map, never offered to users. */
  BpfMap rawForTest() {
    return map;
  }

  private BpfPermissionException refused(String operation, String why) {
    return new BpfPermissionException(operation, "map '" + map.name() + "'", 0, why);
  }
}
