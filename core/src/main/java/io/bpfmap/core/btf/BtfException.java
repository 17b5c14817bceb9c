package io.bpfmap.core.btf;

import io.bpfmap.core.BpfException;

/**
 * BTF that cannot be read or turned into a layout: malformed bytes, a reference to a type that is
 * not there, a loop of references, or a kind no layout can hold. One line that names the type:
 * {@code BTF type 12 (struct flow): member 'next' refers to type 99, past the last type 40}.
 */
public final class BtfException extends BpfException {
  private static final long serialVersionUID = 1L;

  /**
   * A BTF error; the message is {@code BTF detail}.
   * @param detail what is wrong, naming the type ({@code type 12 (struct flow): …})
   */
  public BtfException(String detail) {
    super("BTF " + detail, "btf", null);
  }
}
