package io.bpfmap.exporter;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Standard output of a one-shot command. When its reader has gone ({@code bpfmap dump … | head}),
 * the command ends at the write that found it gone, quietly, with the status a C tool such as
 * bpftool gives its shell when SIGPIPE ends it: 141. The JVM ignores SIGPIPE, so such a write
 * fails instead; any other failure (a full disk) stays an error.
 */
final class Stdout extends FileOutputStream {
  /** 128 + SIGPIPE. */
  static final int READER_GONE = 141;

  Stdout() {
    super(FileDescriptor.out);
  }

  @Override
  public void write(int b) throws IOException {
    try {
      super.write(b);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      super.write(b, off, len);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /** Ends the command when stdout is a pipe or socket, whose blocking write fails only for EPIPE. */
  private static IOException failed(IOException e) {
    String target;
    try {
      target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
    } catch (IOException | UnsupportedOperationException notLinux) {
      return e;
    }
    if (target.startsWith("pipe:") || target.startsWith("socket:")) {
      System.err.flush();
      Runtime.getRuntime().halt(READER_GONE);
    }
    return e;
  }
}
