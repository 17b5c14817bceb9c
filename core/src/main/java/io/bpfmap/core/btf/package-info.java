/**
 * BTF, the kernel's type information: reading it, and turning a map's key and value types into
 * {@link io.bpfmap.core.record.RecordLayout}s so that maps that carry BTF need no layout. Parsing
 * is pure Java; only {@link io.bpfmap.core.btf.KernelBtf} asks the kernel for the bytes.
 *
 * <p>{@link io.bpfmap.core.btf.Btf} holds the types of a blob ({@link io.bpfmap.core.btf.BtfType},
 * by id); {@link io.bpfmap.core.btf.BtfLayouts} makes a layout of one;
 * {@link io.bpfmap.core.btf.CDecl} writes types back as C, as bpftool does. Malformed BTF is a
 * {@link io.bpfmap.core.btf.BtfException} that says where.
 *
 * <pre>{@code
 * MapInfo info = map.info();                         // map: an open BpfMap with BTF
 * Btf btf = KernelBtf.byId(info.btfId());
 * RecordLayout value = BtfLayouts.layout(btf, info.btfValueTypeId(), "value");
 * String c = CDecl.of(btf, info.btfValueTypeId());   // the value's type as C source
 * }</pre>
 */
package io.bpfmap.core.btf;
