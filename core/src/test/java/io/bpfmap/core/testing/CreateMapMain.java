package io.bpfmap.core.testing;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;

/** Child-JVM entry: creates a hash map named by the argument; prints the error message if any. */
public final class CreateMapMain {
  private CreateMapMain() {}

  public static void main(String[] args) {
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, args[0], 4, 4, 1))) {
      System.out.println("created " + map.info().type());
    } catch (BpfException e) {
      System.out.println(e.getMessage());
      System.exit(3);
    }
  }
}
