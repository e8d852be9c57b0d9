package dev.freshet.http.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
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
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.field()).isEqualTo("itemIds[4]");
              assertThat(e.status()).isEqualTo(400);
            });
  }

  /** 2026-01-02T03:04:05Z, the clock of the timestamp tests. */
  private static final long NOW = 1_767_323_045_000L;

  private static final TimeWindow WINDOW =
      new TimeWindow(Instant.parse("2000-01-01T00:00:00Z"), Duration.ofMinutes(5));

  private static long timestamp(String json) throws Exception {
    return Fields.timestamp(ApiJson.mapper().readTree(json), "t", "events[3].ts", WINDOW, NOW);
  }

  @Test
  void timestampsAreIsoOrEpochMillis() throws Exception {
    assertThat(timestamp("{\"t\":\"2026-01-02T03:04:05Z\"}")).isEqualTo(NOW);
    assertThat(timestamp("{\"t\":\"2026-01-02T04:04:05+01:00\"}")).isEqualTo(NOW);
    assertThat(timestamp("{\"t\":1767323045000}")).isEqualTo(NOW);
    assertThat(timestamp("{}")).isEqualTo(NOW);
    assertThat(timestamp("{\"t\":\"2000-01-01T00:00:00Z\"}")).isEqualTo(946_684_800_000L);
    assertThat(timestamp("{\"t\":\"2026-01-02T03:09:05Z\"}")).isEqualTo(NOW + 300_000);
  }

  @Test
  void timestampsOutsideTheWindowAreRefusedNamingTheField() {
    for (String bad :
        new String[] {
          "-5",
          "0",
          "\"0000-01-01T00:00:00Z\"",
          "\"1999-12-31T23:59:59Z\"",
          "\"+999999999-12-31T23:59:59Z\"",
          "\"-999999999-01-01T00:00:00Z\"",
          "9223372036854775807",
          "-9223372036854775808",
          "1000000000000000000",
          "\"2026-01-02T03:09:06Z\"",
          "1.5e12",
          "\"2026-13-01T00:00:00Z\"",
          "\"yesterday\"",
          "true",
          "[]"
        }) {
      assertThatThrownBy(() -> timestamp("{\"t\":" + bad + "}"))
          .as(bad)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.field()).isEqualTo("events[3].ts");
              });
    }
  }

  @Test
  void freeTextMustBeStorable() {
    assertThat(Fields.text("intent", "weather \uD83C\uDF27 today", 64))
        .isEqualTo("weather \uD83C\uDF27 today");
    for (String bad :
        new String[] {
          "a\u0000b",
          "tab\there",
          "line\nbreak",
          "\u007F",
          "\u0085",
          "lone \uD800 high",
          "lone \uDC00 low",
          "\uDC00\uD800",
          "end\uD83C"
        }) {
      assertThatThrownBy(() -> Fields.text("events[0].intent", bad, 64))
          .as(bad)
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.field()).isEqualTo("events[0].intent"));
    }
  }
}
