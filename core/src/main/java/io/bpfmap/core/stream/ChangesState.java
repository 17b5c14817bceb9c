package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * What a sink holds of a CHANGES stream's map: per key, the fingerprint of the value it last
 * acknowledged (a delete removes the key). Given to {@link MapStream.Builder#changesBaseline}, it
 * is where every fresh cycle state starts, so that a stream made anew (a restart, a re-created
 * map) sends only what differs from it: new and changed entries, and a DELETE for each key the
 * sink holds that the map no longer has. {@link #save} and {@link #load} keep it in a file
 * across restarts. It is tied to the layouts, mask and per-CPU policy that made its fingerprints
 * ({@link #identity}); a file of other ones keeps its keys (they are deleted when gone) but every
 * value is sent again. Thread-safe; memory follows the keys held (about 40 bytes and the key each).
 */
public final class ChangesState {
  private static final long MAGIC = 0x4250464d41504353L;  // "BPFMAPCS"
  private static final int VERSION = 1;

  private final String identity;
  private final ChangeTable table;
  /** One writer of the file at a time (a checkpoint and the stop's save may meet). */
  private final Object writing = new Object();

  private ChangesState(String identity, ChangeTable table) {
    this.identity = identity;
    this.table = table;
  }

  /**
   * The identity of a stream's fingerprints: key and value layouts, hidden fields, per-CPU policy.
   *
   * @param view the stream's view
   * @param policy its per-CPU policy
   * @return a string that differs when the fingerprints of the same map would
   */
  public static String identity(RecordView view, PerCpuPolicy policy) {
    return identity(view.keyLayout(), view.mask(), policy);
  }

  /**
   * The identity of the fingerprints of a stream of these layouts, before it is made.
   *
   * @param key the key layout
   * @param value the value layout through the mask
   * @param policy the per-CPU policy
   * @return as {@link #identity(RecordView, PerCpuPolicy)} gives it for that stream
   */
  public static String identity(io.bpfmap.core.record.RecordLayout key, io.bpfmap.core.mask.CompiledMask value,
      PerCpuPolicy policy) {
    return key.fingerprint() + "/" + value.layout().fingerprint() + "/" + String.join(",", value.hidden().paths())
        + "/" + policy;
  }

  /**
   * An empty state: a stream that starts from it sends every entry.
   *
   * @param identity see {@link #identity(RecordView, PerCpuPolicy)}
   * @param keySize the map's key size in bytes
   * @return the state
   */
  public static ChangesState empty(String identity, int keySize) {
    return new ChangesState(identity, new ChangeTable(keySize));
  }

  /**
   * The state a file holds, or an empty one when there is no file. A file of another identity
   * keeps its keys, each with a value to send again.
   *
   * @param file written by {@link #save}
   * @param identity the identity of the stream that will use it
   * @param keySize the map's key size in bytes
   * @return the state
   * @throws BpfException when the file cannot be read, is damaged, or holds keys of another size
   */
  public static ChangesState load(Path file, String identity, int keySize) {
    ChangesState s = empty(identity, keySize);
    try (CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(Files.newInputStream(file)),
        new CRC32()); DataInputStream in = new DataInputStream(checked)) {
      if (in.readLong() != MAGIC || in.readInt() != VERSION) {
        throw damaged(file, "not a bpfmap changes state");
      }
      String stored = in.readUTF();
      int size = in.readInt();
      if (size != keySize) {
        throw damaged(file, "its keys are " + size + " bytes, the map's " + keySize);
      }
      long n = in.readLong();
      boolean same = stored.equals(identity);
      byte[] key = new byte[keySize];
      for (long i = 0; i < n; i++) {
        long fp = in.readLong();
        in.readFully(key);
        s.table.putStored(key, same ? fp : ChangeTable.UNKNOWN);
      }
      long computed = checked.getChecksum().getValue();
      if (in.readLong() != computed) {
        throw damaged(file, "its checksum does not match");
      }
      return s;
    } catch (NoSuchFileException none) {
      return s;
    } catch (EOFException e) {
      throw damaged(file, "it ends early");
    } catch (IOException e) {
      throw new BpfException("read changes state", file.toString(), 0, e.getMessage());
    }
  }

  private static BpfException damaged(Path file, String why) {
    return new BpfException("read changes state", file.toString(), 0, why + ": delete it, and the next start sends "
        + "every entry");
  }

  /**
   * Writes the state to {@code file} whole, or not at all: a new file moved over the old one. The
   * state is copied first, so that acknowledgements (on Kafka's I/O thread) never wait for the disk.
   *
   * @param file where; its directory must exist
   * @throws BpfException when it cannot be written
   */
  public void save(Path file) {
    ChangeTable table;
    synchronized (this) {
      table = this.table.copySeenIn(0);
    }
    synchronized (writing) {
      write(table, file);
    }
  }

  private void write(ChangeTable table, Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      CheckedOutputStream sum = new CheckedOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)), new CRC32());
      try (DataOutputStream out = new DataOutputStream(sum)) {
        out.writeLong(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(identity);
        out.writeInt(table.keySize());
        out.writeLong(table.size());
        IOException[] failed = new IOException[1];
        table.forEach((key, fp) -> {
          try {
            out.writeLong(fp);
            out.write(key);
          } catch (IOException e) {
            failed[0] = e;
          }
        });
        if (failed[0] != null) {
          throw failed[0];
        }
        out.writeLong(sum.getChecksum().getValue());
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new BpfException("write changes state", file.toString(), 0, e.getMessage());
    }
  }

  /**
   * Records what the sink acknowledged: an UPSERT's value, or a DELETE's key gone. Other events,
   * and events of other streams than CHANGES ones, change nothing.
   *
   * @param event an event of the stream this state is the baseline of
   */
  public synchronized void acknowledged(MapEvent event) {
    if (!(event instanceof Event e) || e.cpu() >= 0) {
      return;
    }
    switch (e.kind()) {
      case UPSERT -> {
        if (e.fingerprint() != 0) {
          table.putStored(e.keyBytes(), e.fingerprint());
        }
      }
      case DELETE -> table.delete(e.keyBytes());
      default -> { }
    }
  }

  /**
   * This state for a stream of another identity: the same keys (each deleted if the map lacks
   * it), every value to be sent again.
   *
   * @param identity the new identity
   * @return a new state, or this one when the identity is the same
   */
  public synchronized ChangesState rebased(String identity) {
    if (identity.equals(this.identity)) {
      return this;
    }
    ChangesState s = empty(identity, table.keySize());
    table.forEach((key, fp) -> s.table.putStored(key, ChangeTable.UNKNOWN));
    return s;
  }

  /** {@return the number of keys held} */
  public synchronized int size() {
    return table.size();
  }

  /** {@return the identity of the fingerprints held} */
  public String identity() {
    return identity;
  }

  /** A copy to start a cycle state from, its keys seen in {@code cycle}. */
  synchronized ChangeTable table(int cycle) {
    return table.copySeenIn(cycle);
  }

  int keySize() {
    return table.keySize();
  }
}
