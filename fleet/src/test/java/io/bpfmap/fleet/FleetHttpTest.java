package io.bpfmap.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What one instance sends another arrives as it was sent: spaces and pluses in keys too. */
class FleetHttpTest {
  @Test
  void aKeyWithSpacesAndPlusesCrossesBetweenInstances() {
    String key = "{\"comm\":\"Web Content\",\"op\":\"a+b\"}";
    assertThat(FleetHttp.params("node=n%201&key=" + FleetQueries.enc(key))).containsEntry("key", key)
        .containsEntry("node", "n 1");
    assertThat(FleetHttp.params("key=1+2")).as("a client's + is a plus").containsEntry("key", "1+2");
  }
}
