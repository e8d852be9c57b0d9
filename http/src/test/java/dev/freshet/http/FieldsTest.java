package dev.freshet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FieldsTest {

  @Test
  void idsAreOneTo128CharactersOfTheSpecCharset() {
    assertThat(Fields.isId("a")).isTrue();
    assertThat(Fields.isId("Az09._:@-")).isTrue();
    assertThat(Fields.isId("x".repeat(128))).isTrue();
    assertThat(Fields.isId("x".repeat(129))).isFalse();
    assertThat(Fields.isId("")).isFalse();
    assertThat(Fields.isId(null)).isFalse();
    for (String bad : new String[] {"a b", "a/b", "a#b", "é", "a\nb", "a+b", "a,b"}) {
      assertThat(Fields.isId(bad)).as(bad).isFalse();
    }
  }

  @Test
  void errorsNameTheField() {
    assertThatThrownBy(() -> Fields.id("itemIds[4]", "no spaces"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.field()).isEqualTo("itemIds[4]");
          assertThat(e.status()).isEqualTo(400);
        });
  }

  @Test
  void timestampsAreIsoOrEpochMillis() throws Exception {
    var mapper = ApiJson.mapper();
    assertThat(Fields.timestamp(mapper.readTree("{\"t\":\"2026-01-02T03:04:05Z\"}"), "t", "t", 0))
        .isEqualTo(1_767_323_045_000L);
    assertThat(Fields.timestamp(mapper.readTree("{\"t\":\"2026-01-02T04:04:05+01:00\"}"), "t", "t", 0))
        .isEqualTo(1_767_323_045_000L);
    assertThat(Fields.timestamp(mapper.readTree("{\"t\":1767323045000}"), "t", "t", 0)).isEqualTo(1_767_323_045_000L);
    assertThat(Fields.timestamp(mapper.readTree("{}"), "t", "t", 42)).isEqualTo(42);
    assertThatThrownBy(() -> Fields.timestamp(mapper.readTree("{\"t\":-5}"), "t", "t", 0))
        .isInstanceOf(ApiException.class);
  }
}
