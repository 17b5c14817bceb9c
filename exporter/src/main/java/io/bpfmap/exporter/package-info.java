/** The bpfmap command line and export daemon (SPEC §9). */
package io.bpfmap.exporter;
