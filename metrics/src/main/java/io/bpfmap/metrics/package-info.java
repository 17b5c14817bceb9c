/** Map fields as Micrometer meters and the Prometheus endpoint (SPEC §8). */
package io.bpfmap.metrics;
