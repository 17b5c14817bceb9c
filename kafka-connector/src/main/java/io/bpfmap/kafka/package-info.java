/** The Kafka sink: map events from the polling engine to Kafka topics (SPEC §7). */
package io.bpfmap.kafka;
