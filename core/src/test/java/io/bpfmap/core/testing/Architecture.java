package io.bpfmap.core.testing;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads compiled classes with the JDK's class-file API and reports which of them refer to the FFM
 * types that make downcalls ({@code Linker}, {@code SymbolLookup}, {@code FunctionDescriptor}).
 */
public final class Architecture {
  /** The only package allowed to make downcalls. */
  public static final String NATIVE_PACKAGE = "io/bpfmap/core/internal/libbpf/";

  private static final Set<String> DOWNCALL_TYPES = Set.of("java/lang/foreign/Linker",
      "java/lang/foreign/Linker$Option", "java/lang/foreign/SymbolLookup",
      "java/lang/foreign/FunctionDescriptor");

  private Architecture() {}

  /** Internal names of the classes under {@code classes} that refer to a downcall type. */
  public static Set<String> classesMakingDowncalls(Path classes) throws IOException {
    Set<String> found = new TreeSet<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        ClassModel model = ClassFile.of().parse(Files.readAllBytes(f));
        for (PoolEntry e : model.constantPool()) {
          if (e instanceof ClassEntry c && DOWNCALL_TYPES.contains(c.asInternalName())) {
            found.add(model.thisClass().asInternalName());
          }
        }
      }
    }
    return found;
  }

  /** The classes among {@code found} that lie outside {@link #NATIVE_PACKAGE}. */
  public static List<String> outsideNativePackage(Set<String> found) {
    List<String> out = new ArrayList<>();
    for (String c : found) {
      if (!c.startsWith(NATIVE_PACKAGE)) {
        out.add(c);
      }
    }
    return out;
  }
}
