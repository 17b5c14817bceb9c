package io.bpfmap.kafka;

import io.bpfmap.core.stream.MapEvent;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** An event, its rendered record, and the callback of its send: one object per record. */
final class Outgoing implements Callback {
  final MapEvent event;
  final ProducerRecord<byte[], byte[]> record;
  /**
   * A record beside its event's own (a cycle marker, a delete's {@code d} record): it asks for no
   * more events when acknowledged, and its failure gives nothing back.
   */
  final boolean extra;
  private final KafkaExport export;
  private final SendQueue sends;
  /** Set by the sender around {@code producer.send}: a callback then is a failure at once. */
  boolean inSend;
  Exception failedAtOnce;

  Outgoing(MapEvent event, ProducerRecord<byte[], byte[]> record, KafkaExport export, SendQueue sends, boolean extra) {
    this.event = event;
    this.record = record;
    this.extra = extra;
    this.export = export;
    this.sends = sends;
  }

  @Override
  public void onCompletion(RecordMetadata metadata, Exception ex) {
    if (inSend && sends.isSender(Thread.currentThread())) {
      failedAtOnce = ex;
      return;
    }
    export.acknowledged(this, ex);
  }
}
