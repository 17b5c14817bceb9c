package io.bpfmap.kafka.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, on
 * 127.0.0.1 only: for the tests and the quickstart. The data directory is formatted only when it
 * holds no {@code meta.properties}, so a broker can be stopped and started again on the same data
 * and ports. Kafka's fatal-error handlers are turned into exceptions instead of halting the JVM.
 * Needs {@code org.apache.kafka:kafka_2.13} on the class path.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private KafkaRaftServer server;

  private EmbeddedKafka(Path dataDir, int port, int controllerPort) {
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Starts a broker on free loopback ports with its data in {@code dataDir}, formatting it first
   * when it holds no {@code meta.properties}; returns once the broker serves.
   *
   * @param dataDir the broker's log directory, created if missing; the caller owns and deletes it
   * @return the running broker; close it to stop it
   * @throws java.io.UncheckedIOException when the directory cannot be created or no free port
   *     can be found
   * @throws IllegalStateException when formatting the storage fails, or Kafka wants to exit the
   *     JVM while starting
   */
  public static EmbeddedKafka start(Path dataDir) {
    int[] ports = freePorts();
    EmbeddedKafka k = new EmbeddedKafka(dataDir, ports[0], ports[1]);
    k.start();
    return k;
  }

  /** {@return the broker's {@code bootstrap.servers}: {@code 127.0.0.1:<port>}} */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** (Re)starts the broker on the same ports and data; returns once it serves. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    Exit.setHaltProcedure((code, message) -> {
      throw new IllegalStateException("Kafka wanted to halt the JVM (" + code + "): " + message);
    });
    Exit.setExitProcedure((code, message) -> {
      throw new IllegalStateException("Kafka wanted to exit the JVM (" + code + "): " + message);
    });
    try {
      Files.createDirectories(dataDir);
      Properties props = properties();
      if (!Files.exists(dataDir.resolve("meta.properties"))) {
        format(props);
      }
      KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      s.startup();
      server = s;
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Kafka in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Stops the broker (data and ports kept, so {@link #start()} brings it back). */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** {@return whether the broker is started: true from {@link #start()} to {@link #stop()}} */
  public synchronized boolean running() {
    return server != null;
  }

  @Override
  public void close() {
    stop();
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "true");
    p.put("log.cleaner.backoff.ms", "1000");
    return p;
  }

  private void format(Properties props) throws IOException {
    Path config = dataDir.resolveSibling(dataDir.getFileName() + ".format.properties");
    try (var out = Files.newOutputStream(config)) {
      props.store(out, "bpfmap embedded Kafka");
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc = StorageTool.execute(new String[] {"format", "--standalone", "-t", Uuid.randomUuid().toString(),
        "-c", config.toString()}, new PrintStream(log, true, StandardCharsets.UTF_8));
    Files.deleteIfExists(config);
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage in " + dataDir + " failed: "
          + log.toString(StandardCharsets.UTF_8).strip());
    }
  }

  /** Two distinct free loopback ports (both held open while chosen, so they differ). */
  private static int[] freePorts() {
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
    }
  }
}
