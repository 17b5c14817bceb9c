package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.NativeUnavailableException;
import io.bpfmap.core.testing.KernelTest;
import java.lang.foreign.FunctionDescriptor;
import org.junit.jupiter.api.Test;

/** Functions bound at their first call: a missing one is a one-line error at that call, not at class load. */
@KernelTest
class NativeFunctionTest {
  @Test
  void aFunctionIsBoundOnceAtItsFirstCall() throws Throwable {
    NativeFunction cpus = Libbpf.LIB.fn("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    assertThat(cpus.present()).isTrue();
    assertThat((int) cpus.handle().invokeExact()).isPositive();
    assertThat(cpus.handle()).isSameAs(cpus.handle());
  }

  @Test
  void aFunctionTheLibraryLacksFailsAtItsCallInOneLine() {
    NativeFunction missing = Libbpf.LIB.fn("bpf_no_such_function", FunctionDescriptor.of(JAVA_INT));
    assertThat(missing.present()).isFalse();
    assertThatThrownBy(missing::handle).isInstanceOf(NativeUnavailableException.class)
        .hasMessage("load libbpf: " + Libbpf.SONAME + " lacks bpf_no_such_function: bpfmap needs libbpf 1.0 or newer");
  }
}
