package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapFlags;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

final class CreateCommand implements Callable<Integer> {
  static final Command.Opt TYPE = Command.Opt.value("--type", "TYPE", "Map type: hash, array, percpu_hash, lru_hash, …").asRequired();
  static final Command.Opt NAME = Command.Opt.value("--name", "NAME", "Map name (up to 15 characters).").asRequired();
  static final Command.Opt KEY_SIZE = Command.Opt.value("--key-size", "BYTES", "Key size.").asRequired();
  static final Command.Opt VALUE_SIZE = Command.Opt.value("--value-size", "BYTES", "Value size.").asRequired();
  static final Command.Opt MAX_ENTRIES = Command.Opt.value("--max-entries", "N", "Maximum number of entries.").asRequired();
  static final Command.Opt FLAGS = Command.Opt.value("--flags", "F,…", "Map flags: no_prealloc, mmapable, …");
  static final Command.Opt PIN = Command.Opt.value("--pin", "PIN", "Where to pin it on bpffs.").asRequired();
  static final Command COMMAND = new Command("create", "Create a map and pin it; prints its info.",
      List.of(TYPE, NAME, KEY_SIZE, VALUE_SIZE, MAX_ENTRIES, FLAGS, PIN), List.of("", "Example:",
          "  bpfmap create --type hash --name flows --key-size 16 --value-size 64 --max-entries 256 --pin /sys/fs/bpf/flows"),
      CreateCommand::new);

  private final String type;
  private final String name;
  private final int keySize;
  private final int valueSize;
  private final int maxEntries;
  private final List<String> flags;
  private final Path pin;

  private CreateCommand(Args a) {
    type = a.value(TYPE);
    name = a.value(NAME);
    keySize = a.integer(KEY_SIZE);
    valueSize = a.integer(VALUE_SIZE);
    maxEntries = a.integer(MAX_ENTRIES);
    flags = a.list(FLAGS);
    pin = a.path(PIN);
  }

  @Override
  public Integer call() {
    int f = 0;
    for (String flag : flags) {
      f |= MapFlags.parse(flag);
    }
    try (BpfMap map = BpfMap.create(new MapSpec(MapType.parse(type), name, keySize, valueSize, maxEntries, f))) {
      map.pin(pin);
      System.out.println(new Render().info(map.info(), null, null));
    }
    return 0;
  }
}
