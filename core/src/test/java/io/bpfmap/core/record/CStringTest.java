package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CStringTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "6e67696e7800000000|nginx",
      "e282ac41|€A",
      "ff41|\\xffA",
      "5c41|\\\\A",
      "c0af|\\xc0\\xaf",
      "eda080|\\xed\\xa0\\x80",
      "f09f9880|😀",
      "e282|\\xe2\\x82",
      "00ff|''"})
  void textIsTheUtf8UpToNulWithBadBytesEscaped(String hex, String text) {
    assertThat(CString.toText(java.util.HexFormat.of().parseHex(hex))).isEqualTo(text);
  }
}
