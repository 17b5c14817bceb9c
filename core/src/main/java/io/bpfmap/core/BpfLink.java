package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.Programs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * An attached program: while the link lives, the program runs on its hook. Owned by the
 * {@link BpfObject} whose program made it; {@link #close()} (or the object's) detaches it, unless
 * it is pinned: a pinned link keeps the program attached after this process ends, until its pin
 * is removed ({@code rm PIN}).
 */
public final class BpfLink implements AutoCloseable {
  private final BpfObject owner;
  private final BpfProgram program;
  private MemorySegment link;
  private Path pin;

  BpfLink(BpfObject owner, BpfProgram program, MemorySegment link) {
    this.owner = owner;
    this.program = program;
    this.link = link;
  }

  /** {@return the program this link attached} */
  public BpfProgram program() {
    return program;
  }

  /** {@return where the link is pinned, or {@code null} when it is not} */
  public synchronized Path pinned() {
    return pin;
  }

  /** {@return true until the link is closed (by itself or with its object)} */
  public synchronized boolean isOpen() {
    return link != null;
  }

  /**
   * Pins the link at {@code path} on a bpf filesystem, so that the program stays attached after
   * the link and this process close.
   *
   * @param path the pin, whose name may not contain a dot
   * @throws BpfException when the path is not on bpffs, exists, or the link is closed
   */
  public synchronized void pin(Path path) {
    if (link == null) {
      throw new BpfException("pin link", path.toString(), 0, "the link of " + program.target() + " is closed");
    }
    try (Arena a = Arena.ofConfined()) {
      int rc = Programs.pinLink(link, a.allocateFrom(path.toString()));
      if (rc < 0) {
        throw Failures.onPath("pin", path, -rc);
      }
    }
    pin = path;
  }

  /** Detaches the program (unless the link is pinned) and frees the link; idempotent. */
  @Override
  public void close() {
    MemorySegment l;
    synchronized (this) {
      l = link;
      link = null;
    }
    if (l != null) {
      Programs.destroyLink(l);
      owner.forget(this);
    }
  }

  @Override
  public String toString() {
    return "BpfLink[" + program.name() + (pin == null ? "" : ", pinned at " + pin) + "]";
  }
}
