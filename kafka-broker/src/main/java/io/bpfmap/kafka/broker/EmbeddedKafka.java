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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
  /** The listeners of a secured broker ({@link #startSecured}); a plain broker has PLAINTEXT only. */
  public enum Listener {
    /** No TLS, no authentication (the broker's own, too). */
    PLAINTEXT,
    /** TLS, no client certificate. */
    SSL,
    /** TLS with a client certificate the client CA signed (mTLS). */
    MTLS,
    /** SASL PLAIN or SCRAM without TLS. */
    SASL_PLAINTEXT,
    /** SASL PLAIN or SCRAM over TLS. */
    SASL_SSL
  }

  /**
   * What a secured broker needs, as PEM text: its certificate (for 127.0.0.1) and unencrypted
   * PKCS#8 key, the CA of client certificates, and users with their passwords (for PLAIN and for
   * both SCRAM mechanisms).
   *
   * @param certificate the broker's certificate chain
   * @param key the broker's key
   * @param clientCa the CA that signs client certificates (mTLS)
   * @param users user name to password
   */
  public record Secured(String certificate, String key, String clientCa, Map<String, String> users) {
    @Override
    public String toString() {
      return "Secured[users=" + users.keySet() + "]";
    }
  }

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private final Secured secured;
  private final Map<Listener, Integer> securedPorts = new EnumMap<>(Listener.class);
  private KafkaRaftServer server;

  private EmbeddedKafka(Path dataDir, int[] ports, Secured secured) {
    this.dataDir = dataDir;
    this.port = ports[0];
    this.controllerPort = ports[1];
    this.secured = secured;
    if (secured != null) {
      Listener[] all = Listener.values();
      for (int i = 1; i < all.length; i++) {
        securedPorts.put(all[i], ports[1 + i]);
      }
    }
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
    EmbeddedKafka k = new EmbeddedKafka(dataDir, freePorts(2), null);
    k.start();
    return k;
  }

  /**
   * Starts a broker as {@link #start(Path)} does, with a listener of each {@link Listener} kind:
   * TLS with the given certificate, mTLS against the client CA, SASL (PLAIN, SCRAM-SHA-256 and
   * SCRAM-SHA-512 for the given users) with and without TLS.
   *
   * @param dataDir the broker's log directory
   * @param secured certificates, keys and users
   * @return the running broker
   */
  public static EmbeddedKafka startSecured(Path dataDir, Secured secured) {
    EmbeddedKafka k = new EmbeddedKafka(dataDir, freePorts(2 + Listener.values().length - 1), secured);
    k.start();
    return k;
  }

  /** {@return the broker's {@code bootstrap.servers}: {@code 127.0.0.1:<port>}} */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * {@return the {@code bootstrap.servers} of one listener of a secured broker}
   * @param listener which
   * @throws IllegalStateException for a broker started without security, but for PLAINTEXT
   */
  public String bootstrapServers(Listener listener) {
    if (listener == Listener.PLAINTEXT) {
      return bootstrapServers();
    }
    Integer p = securedPorts.get(listener);
    if (p == null) {
      throw new IllegalStateException("this broker has no " + listener + " listener: start it with startSecured");
    }
    return "127.0.0.1:" + p;
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
      if (secured != null) {
        addScramUsers();
      }
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
    if (secured != null) {
      secure(p);
    }
    return p;
  }

  /** The secured listeners: TLS from PEM text, mTLS, SASL with PLAIN users and SCRAM. */
  private void secure(Properties p) {
    StringBuilder listeners = new StringBuilder(p.getProperty("listeners"));
    StringBuilder map = new StringBuilder(p.getProperty("listener.security.protocol.map"));
    securedPorts.forEach((l, at) -> {
      listeners.append(',').append(l).append("://127.0.0.1:").append(at);
      map.append(',').append(l).append(':').append(l == Listener.MTLS ? "SSL" : l.name());
    });
    p.put("listeners", listeners.toString());
    p.put("advertised.listeners", listeners.toString().replaceAll(",?CONTROLLER://[^,]*", ""));
    p.put("listener.security.protocol.map", map.toString());
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.certificate.chain", secured.certificate());
    p.put("ssl.keystore.key", secured.key());
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.certificates", secured.clientCa());
    p.put("listener.name.mtls.ssl.client.auth", "required");
    p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    secured.users().forEach((u, pw) -> plain.append(" user_").append(u).append("=\"")
        .append(pw.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
    plain.append(';');
    for (String l : List.of("sasl_plaintext", "sasl_ssl")) {
      p.put("listener.name." + l + ".plain.sasl.jaas.config", plain.toString());
      for (String scram : List.of("scram-sha-256", "scram-sha-512")) {
        p.put("listener.name." + l + "." + scram + ".sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      }
    }
  }

  /** SCRAM credentials of the users, for both mechanisms (one request each), through the plaintext listener. */
  private void addScramUsers() {
    Properties a = new Properties();
    a.put("bootstrap.servers", bootstrapServers());
    try (Admin admin = Admin.create(a)) {
      for (ScramMechanism m : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
        List<UserScramCredentialAlteration> changes = new ArrayList<>();
        secured.users().forEach((u, pw) -> changes.add(new UserScramCredentialUpsertion(u,
            new ScramCredentialInfo(m, 4096), pw)));
        admin.alterUserScramCredentials(changes).all().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("embedded Kafka: adding SCRAM users failed: " + e.getMessage(), e);
    }
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

  /** {@code n} distinct free loopback ports (all held open while chosen, so they differ). */
  private static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a socket that was never used
        }
      }
    }
  }
}
