package io.bpfmap.core.testing;

import java.nio.file.Path;

/** A test's own directory on bpffs, removed with everything pinned in it after the test. */
public record PinDir(Path path) {
  public Path resolve(String name) {
    return path.resolve(name);
  }
}
